//! The example of docs/import.md imports cleanly, and importing it again is a no-op.

mod support;

use support::{smes, stderr, stdout};

#[test]
fn the_documented_example_imports() {
    let docs =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/import.md")).unwrap();
    let example = docs
        .split("```jsonl\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a jsonl block in docs/import.md");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.jsonl"), example).unwrap();
    assert!(smes(dir.path(), &["init"]).status.success());
    // The countries of the commands are checked against the membership history (31 events).
    assert!(smes(dir.path(), &["member-state", "load"]).status.success());
    let first = smes(dir.path(), &["import", "example.jsonl"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first), "9 applied, 0 already applied, 0 failed\n");
    let again = smes(dir.path(), &["import", "example.jsonl"]);
    assert_eq!(stdout(&again), "0 applied, 9 already applied, 0 failed\n");
    let verify = smes(dir.path(), &["verify"]);
    assert!(stdout(&verify).starts_with("verified 40 events"), "{}", stdout(&verify));
}
