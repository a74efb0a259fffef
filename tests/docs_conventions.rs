//! docs/ARCHITECTURE.md's conventions against the workspace: every package takes the one lint
//! table, the section "Lints" explains every lint in it, and `missing_docs` is set at the two
//! API boundaries only.

use std::path::{Path, PathBuf};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// The workspace's crates, each as its directory under `crates/`, in name order.
fn crate_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(workspace().join("crates"))
        .expect("crates/ is readable")
        .map(|entry| entry.expect("an entry of crates/").path())
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The lines of the TOML table `name` (without its header), up to the next table.
fn table<'a>(manifest: &'a str, name: &str) -> Option<Vec<&'a str>> {
    let header = format!("[{name}]");
    let mut lines = manifest.lines().skip_while(|line| line.trim() != header);
    lines.next()?;
    Some(
        lines
            .take_while(|line| !line.trim_start().starts_with('['))
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect(),
    )
}

/// A section of docs/ARCHITECTURE.md: from its `## ` heading to the next.
fn architecture_section(heading: &str) -> String {
    let text = read(&workspace().join("docs/ARCHITECTURE.md"));
    let start = text
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("docs/ARCHITECTURE.md has no section {heading:?}"));
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |end| end + 3);
    rest[..end].to_owned()
}

#[test]
fn every_package_takes_the_workspace_lints() {
    let mut manifests = vec![workspace().join("Cargo.toml")];
    manifests.extend(crate_dirs().into_iter().map(|dir| dir.join("Cargo.toml")));
    assert!(manifests.len() > 2, "no crates found under crates/");
    for manifest in manifests {
        let text = read(&manifest);
        let lints = table(&text, "lints");
        assert_eq!(
            lints,
            Some(vec!["workspace = true"]),
            "{} must take the workspace's lints as they are: `[lints]` with `workspace = true` only",
            manifest.display()
        );
    }
}

#[test]
fn the_architecture_explains_every_workspace_lint() {
    let root = read(&workspace().join("Cargo.toml"));
    let section = architecture_section("Lints");
    let mut lints = Vec::new();
    for (tool, prefix) in [("rust", ""), ("clippy", "clippy::")] {
        let rows = table(&root, &format!("workspace.lints.{tool}"))
            .unwrap_or_else(|| panic!("the root Cargo.toml has no [workspace.lints.{tool}]"));
        for row in rows {
            let (name, level) = row.split_once('=').expect("a lint row is `name = level`");
            lints.push(format!("{prefix}{}", name.trim()));
            assert!(
                ["\"warn\"", "\"deny\"", "\"forbid\""].contains(&level.trim()),
                "{row}: a workspace lint that only allows something has no place in the table"
            );
        }
    }
    assert!(
        lints.iter().any(|lint| lint == "unsafe_code"),
        "unsafe code must be forbidden"
    );
    for lint in lints {
        assert!(
            section.contains(&format!("`{lint}")),
            "docs/ARCHITECTURE.md, \"Lints\", does not say why `{lint}` is in the workspace table"
        );
    }
}

#[test]
fn missing_docs_is_set_at_the_api_boundaries_only() {
    let mut setting: Vec<String> = crate_dirs()
        .into_iter()
        .filter(|dir| {
            let lib = dir.join("src/lib.rs");
            lib.is_file() && read(&lib).contains("#![warn(missing_docs)]")
        })
        .map(|dir| dir.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    setting.sort();
    assert_eq!(
        setting,
        ["eventlog", "verify"],
        "docs/ARCHITECTURE.md, \"Lints\", names these two"
    );
    let section = architecture_section("Lints");
    assert!(section.contains("`smes-verify`") && section.contains("`smes-eventlog`"));
}
