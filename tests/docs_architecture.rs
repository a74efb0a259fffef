//! docs/ARCHITECTURE.md against the tree: every relative link it makes and every repository
//! path it names in backticks (`crates/...`, `migrations/...`, `tests/...`, `docs/...`,
//! `.ci/...`) leads to a file or directory that exists. A `<name>` segment, as in
//! `crates/<crate>/tests/`, stands for any entry of its directory.

use std::path::{Path, PathBuf};

/// How a path named in backticks starts when it is a path of the repository.
const REPOSITORY_ROOTS: [&str; 5] = ["crates/", "migrations/", "tests/", "docs/", ".ci/"];

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn architecture() -> String {
    let path = workspace().join("docs/ARCHITECTURE.md");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// The page's paragraphs outside fenced code blocks, each with the line it starts on.
fn paragraphs(text: &str) -> Vec<(usize, String)> {
    let mut paragraphs = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut in_fence = false;
    for (index, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            paragraphs.extend(current.take());
            continue;
        }
        if in_fence || line.trim().is_empty() {
            paragraphs.extend(current.take());
            continue;
        }
        let (_, paragraph) = current.get_or_insert_with(|| (index + 1, String::new()));
        paragraph.push_str(line);
        paragraph.push('\n');
    }
    paragraphs.extend(current);
    paragraphs
}

/// The targets of the paragraph's Markdown links that stay in the repository, without their
/// `#fragment`.
fn relative_links(paragraph: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = paragraph;
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].trim();
        rest = &rest[end..];
        let external = target.contains("://") || target.starts_with("mailto:");
        let path = target.split('#').next().unwrap_or_default();
        if !external && !path.is_empty() {
            links.push(path.to_owned());
        }
    }
    links
}

/// The paragraph's inline code spans that name a repository path.
fn backticked_paths(paragraph: &str) -> Vec<String> {
    paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| !span.chars().any(char::is_whitespace))
        .filter(|span| REPOSITORY_ROOTS.iter().any(|root| span.starts_with(root)))
        .map(str::to_owned)
        .collect()
}

/// Whether `path` (relative to `base`) exists, a `<name>` segment matching any entry.
fn exists(base: &Path, path: &str) -> bool {
    let mut candidates = vec![base.to_path_buf()];
    for segment in path.split('/').filter(|segment| !segment.is_empty() && *segment != ".") {
        let mut next: Vec<PathBuf> = Vec::new();
        for candidate in &candidates {
            if segment.starts_with('<') && segment.ends_with('>') {
                if let Ok(entries) = std::fs::read_dir(candidate) {
                    next.extend(entries.filter_map(|entry| entry.ok()).map(|entry| entry.path()));
                }
            } else {
                let joined = candidate.join(segment);
                if segment == ".." || joined.exists() {
                    next.push(joined);
                }
            }
        }
        candidates = next;
    }
    candidates.iter().any(|candidate| candidate.exists())
}

#[test]
fn every_path_the_architecture_names_exists() {
    let text = architecture();
    let docs = workspace().join("docs");
    let mut checked = 0;
    let mut missing = Vec::new();
    for (line, paragraph) in paragraphs(&text) {
        assert!(
            paragraph.matches('`').count() % 2 == 0,
            "docs/ARCHITECTURE.md line {line}: a paragraph with an unclosed backtick"
        );
        for link in relative_links(&paragraph) {
            checked += 1;
            if !exists(&docs, &link) {
                missing.push(format!("paragraph at line {line}: link ({link})"));
            }
        }
        for path in backticked_paths(&paragraph) {
            checked += 1;
            if !exists(workspace(), &path) {
                missing.push(format!("paragraph at line {line}: `{path}`"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/ARCHITECTURE.md names {} paths that do not exist:\n{}",
        missing.len(),
        missing.join("\n")
    );
    assert!(checked > 50, "only {checked} paths found in docs/ARCHITECTURE.md");
}

#[test]
fn links_and_backticked_paths_are_found() {
    let paragraph = "See [`crates/a.rs`](../crates/a.rs#L3), [site](https://example.org), \
                     [map](#code-map), `crates/b/` and `cargo tree`, `tests/c.rs`.\n";
    assert_eq!(relative_links(paragraph), ["../crates/a.rs"]);
    assert_eq!(backticked_paths(paragraph), ["crates/a.rs", "crates/b/", "tests/c.rs"]);
}

#[test]
fn a_placeholder_segment_matches_any_entry() {
    assert!(exists(workspace(), "crates/<crate>/src/lib.rs"));
    assert!(exists(workspace(), "crates/<crate>/Cargo.toml"));
    assert!(!exists(workspace(), "crates/<crate>/no-such-file.rs"));
    assert!(exists(&workspace().join("docs"), "../Cargo.toml"));
}
