//! docs/events.md lists every stored event with its current schema version.

#[test]
fn the_event_catalogue_documents_every_event() {
    let docs =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/events.md")).unwrap();
    let documented: Vec<&str> = docs.lines().filter(|line| line.starts_with("### ")).collect();
    let catalogue = smes_domain::stored::catalogue();
    let missing: Vec<String> = catalogue
        .iter()
        .map(|(_, name, version)| format!("### {name} v{version}"))
        .filter(|heading| !documented.contains(&heading.as_str()))
        .collect();
    assert!(missing.is_empty(), "not in docs/events.md: {missing:?}");
    assert_eq!(
        documented.len(),
        catalogue.len(),
        "docs/events.md lists events the log does not have"
    );
}
