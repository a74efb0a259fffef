//! End-to-end tests of `smes demo` and `smes history` on real SQLite files.

mod support;

use serde_json::Value;
use support::{smes, stderr, stdout};

/// Runs the demo in `dir` and returns its standard output.
fn demo(dir: &std::path::Path) -> String {
    let output = smes(dir, &["demo"]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

/// `smes log` with what legitimately differs between two runs taken out: record times and the
/// hashes that cover them.
fn redacted_log(dir: &std::path::Path) -> Vec<Value> {
    let output = smes(dir, &["log"]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
        .lines()
        .map(|line| {
            let mut event: Value = serde_json::from_str(line).unwrap();
            for key in ["recorded_at", "hash", "prev_hash"] {
                event[key] = Value::String(format!("[{key}]"));
            }
            event
        })
        .collect()
}

/// Replaces the record time in `smes history` output.
fn redact_history(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("recorded at    ") {
            Some(index) => format!("{}recorded at    [time]", &line[..index]),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_demo_writes_a_log_that_verifies_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = demo(dir.path());
    insta::assert_snapshot!("demo_summary", summary);
    let verify = smes(dir.path(), &["verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(
        stdout(&verify).starts_with("verified 102 events, head "),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn two_demo_runs_write_the_same_events_except_record_times() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    demo(first.path());
    demo(second.path());
    let (first, second) = (redacted_log(first.path()), redacted_log(second.path()));
    assert_eq!(first.len(), 102);
    assert_eq!(first, second);
    // The redaction took out only what it should: ids, business times and sealed focal points
    // are compared.
    assert!(first.iter().any(|event| event.to_string().contains("ciphertext")));
    assert!(
        first
            .iter()
            .all(|event| event["id"].as_str().unwrap().starts_with("5e1a0000-00e0-"))
    );
}

#[test]
fn the_demo_refuses_a_log_that_holds_events() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let again = smes(dir.path(), &["demo"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        stderr(&again),
        "error: the event log at sqlite://smes.db already holds 102 events; the demo needs a fresh log (use another --database)\n"
    );
    let verify = smes(dir.path(), &["verify"]);
    assert!(stdout(&verify).starts_with("verified 102 events"), "nothing was added");
}

#[test]
fn no_focal_point_or_actor_name_is_stored_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let mut bytes = std::fs::read(dir.path().join("smes.db")).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("smes.db-wal")) {
        bytes.extend(wal);
    }
    let contains = |needle: &str| bytes.windows(needle.len()).any(|window| window == needle.as_bytes());
    // Control: the file does hold the demo's other text in clear.
    assert!(contains("Ministerio de la Producci"));
    for personal in [
        "Rosa Quispe",
        "rosa.quispe@produce.example",
        "Keisha Baptiste",
        "keisha.baptiste@nedco.example",
        "Fernanda Rojas",
    ] {
        assert!(!contains(personal), "{personal} is in the database file in clear");
    }
}

#[test]
fn history_shows_a_duplicate_warning_and_why_it_was_overridden() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let output = smes(
        dir.path(),
        &["history", "activity-5e1a0000-00ac-4000-8000-000000000009"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("history_duplicate_overridden", redact_history(&stdout(&output)));
}

#[test]
fn history_opens_sealed_focal_points_for_display() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let output = smes(
        dir.path(),
        &["history", "counterpart-5e1a0000-00c0-4000-8000-000000000001"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("history_counterpart", redact_history(&stdout(&output)));
}

#[test]
fn history_of_an_unknown_stream_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let output = smes(dir.path(), &["history", "activity-nope"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "error: stream activity-nope has no events\n");
}
