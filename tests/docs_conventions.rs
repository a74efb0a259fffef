//! docs/ARCHITECTURE.md's conventions against the workspace: every package takes the one lint
//! table, the section "Lints" explains every lint in it, `missing_docs` is set at the two API
//! boundaries only, and the tests are laid out as the section "Tests" says.

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

/// The longest an inline `mod tests { ... }` block may be, its first and last lines included.
const INLINE_TESTS_AT_MOST: usize = 200;

/// Every `.rs` file under `dir`, in path order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("reading {}: {error}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The inline test modules of a file: each one's name, first line (1-based) and length in
/// lines. A module opens with `mod NAME {` at the start of a line right after `#[cfg(test)]`,
/// and closes at the next line that is `}` alone, also at the start.
fn inline_test_modules(source: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut modules = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(name) = line.strip_prefix("mod ").and_then(|rest| rest.strip_suffix(" {")) else {
            continue;
        };
        if index == 0 || lines[index - 1] != "#[cfg(test)]" {
            continue;
        }
        let length = lines[index..]
            .iter()
            .position(|line| *line == "}")
            .map_or(lines.len() - index, |end| end + 1);
        modules.push((name.to_owned(), index + 1, length));
    }
    modules
}

#[test]
fn inline_unit_tests_are_named_tests_and_stay_short() {
    let mut seen = 0;
    for dir in crate_dirs() {
        for file in rust_files(&dir.join("src")) {
            for (name, line, length) in inline_test_modules(&read(&file)) {
                seen += 1;
                let place = format!("{}:{line}", file.strip_prefix(workspace()).unwrap().display());
                assert_eq!(name, "tests", "{place}: a module's unit tests are `mod tests`");
                assert!(
                    length <= INLINE_TESTS_AT_MOST,
                    "{place}: {length} lines of inline tests; past {INLINE_TESTS_AT_MOST} they move to \
                     a sibling file (`mod tests;`, docs/ARCHITECTURE.md, \"Tests\")"
                );
            }
        }
    }
    assert!(seen > 10, "found only {seen} inline test modules: the search is broken");
}

#[test]
fn an_inline_test_module_is_measured_to_its_closing_brace() {
    let source = "fn f() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {\n    }\n}\n";
    assert_eq!(inline_test_modules(source), [("tests".to_owned(), 4, 5)]);
    assert!(
        inline_test_modules("mod tests {\n}\n").is_empty(),
        "not a test module without #[cfg(test)]"
    );
}

#[test]
fn the_workspace_tests_are_end_to_end_runs_or_docs_checks() {
    let tests = workspace().join("tests");
    for entry in std::fs::read_dir(&tests).expect("tests/ is readable") {
        let path = entry.expect("an entry of tests/").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            assert!(
                ["support", "data", "snapshots"].contains(&name.as_str()),
                "tests/{name}/: helpers go in tests/support/, input files in tests/data/"
            );
        } else {
            assert!(
                name.ends_with(".rs") && (name.starts_with("e2e_") || name.starts_with("docs_")),
                "tests/{name}: the workspace's tests are e2e_*.rs or docs_*.rs"
            );
        }
    }
}

#[test]
fn crate_integration_tests_share_helpers_through_support() {
    for dir in crate_dirs() {
        let tests = dir.join("tests");
        if !tests.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&tests).expect("a crate's tests/ is readable") {
            let path = entry.expect("an entry of a crate's tests/").path();
            if path.is_dir() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                assert!(
                    ["support", "snapshots"].contains(&name.as_str()),
                    "{}: a crate's tests/ holds test files, support/ and snapshots/ only",
                    path.display()
                );
            }
        }
    }
}
