//! Control characters in text: commands refuse them in every free-text field (and in the
//! `why` and the personal data they seal), naming the field, and write nothing; events
//! recorded before the rule still read, verify, and print with the characters made visible.

mod support;

use std::path::Path;

use serde_json::json;
use smes_eventlog::{AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, SqliteEventStore, StreamName};
use support::{smes, stderr, stdout};
use uuid::Uuid;

fn id(n: u32) -> String {
    format!("5e1a0000-0000-4000-8000-{n:012x}")
}

fn import(dir: &Path, lines: &[serde_json::Value]) -> std::process::Output {
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    std::fs::write(dir.join("commands.jsonl"), text).unwrap();
    smes(dir, &["import", "commands.jsonl"])
}

fn schedule(command: u32, title: &str, venue: &str) -> serde_json::Value {
    json!({"command_id": id(command), "kind": "schedule-consultation", "consultation": id(50),
        "title": title, "scheduled_for": "2012-11-22", "venue": venue})
}

#[test]
fn text_with_control_characters_is_refused_naming_the_field_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    assert!(smes(dir.path(), &["init"]).status.success());
    let mut why = schedule(3, "Lima consultation", "Lima");
    why["why"] = json!("agreed\u{7}");
    let lines = [
        schedule(1, "Lima\u{1b}[2J consultation", "Lima"),
        schedule(2, "Lima consultation", "Lima\u{0}"),
        why,
        json!({"command_id": id(4), "kind": "join-counterpart", "counterpart": id(1), "name": "Agency",
            "counterpart_kind": "public", "member_state": "PE", "thematic_areas": ["financing"],
            "focal_point": {"name": "Rosa\u{1b}]0;owned\u{7}", "email": "rosa@example.org"},
            "joined_on": "2012-11-05"}),
        json!({"command_id": id(5), "kind": "register-cooperation-source", "cooperation_source": id(70),
            "name": "Regional\r\nfund", "source_kind": "regional", "registered_on": "2013-01-01"}),
    ];
    let output = import(dir.path(), &lines);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "0 applied, 0 already applied, 5 failed\n");
    let only_newline_and_tab = "is not allowed in text (only newline and tab are)";
    assert_eq!(
        stderr(&output),
        format!(
            "line 1: schedule-consultation: invalid consultation title \"Lima\\u{{1b}}[2J consultation\": control character U+001B {only_newline_and_tab}\n\
             line 2: schedule-consultation: invalid venue \"Lima\\0\": control character U+0000 {only_newline_and_tab}\n\
             line 3: schedule-consultation: invalid why \"agreed\\u{{7}}\": control character U+0007 {only_newline_and_tab}\n\
             line 4: join-counterpart: invalid name \"Rosa\\u{{1b}}]0;owned\\u{{7}}\": control character U+001B {only_newline_and_tab}\n\
             line 5: register-cooperation-source: invalid cooperation source name \"Regional\\r\\nfund\": control character U+000D {only_newline_and_tab}\n\
             error: 5 of the lines of commands.jsonl failed\n"
        )
    );
    assert_eq!(stdout(&smes(dir.path(), &["log"])), "");
    // Newlines and tabs stay allowed.
    let output = import(dir.path(), &[schedule(6, "Lima\tconsultation", "Lima,\nPeru")]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// Appends a consultation scheduled with control characters in its title and venue, as a log
/// written before text refused them could hold.
fn append_old_event(path: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = SqliteEventStore::open(&path.display().to_string(), Default::default())
            .await
            .unwrap();
        let payload = json!({"consultation": id(50), "scheduled_for": "2012-11-22",
            "title": "Lima\u{1b}[2J consultation\u{7}", "venue": "Lima\r"});
        let mut metadata = Metadata::new("actor-cli", "secretariat", "import").with_reason("old\u{1b}[31m reason");
        metadata.command_id = Some(Uuid::from_u128(1));
        store
            .append(AppendRequest::new(
                StreamName::new(format!("consultation-{}", id(50))).unwrap(),
                ExpectedVersion::NoStream,
                vec![NewEvent::new(
                    "ConsultationScheduled",
                    1,
                    payload.to_string(),
                    "2012-11-22T00:00:00Z".parse().unwrap(),
                )],
                metadata,
            ))
            .await
            .unwrap();
    });
}

#[test]
fn events_recorded_with_control_characters_still_read_and_history_shows_them_escaped() {
    let dir = tempfile::tempdir().unwrap();
    assert!(smes(dir.path(), &["init"]).status.success());
    append_old_event(&dir.path().join("smes.db"));

    let verify = smes(dir.path(), &["verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    let history = smes(dir.path(), &["history", &format!("consultation-{}", id(50))]);
    assert!(history.status.success(), "{}", stderr(&history));
    let shown = stdout(&history);
    assert!(!shown.contains(['\u{1b}', '\u{7}', '\r']), "{shown:?}");
    assert!(shown.contains("Lima\\u{1b}[2J consultation\\u{7}"), "{shown}");
    assert!(shown.contains("Lima\\u{d}"), "{shown}");
    assert!(shown.contains("old\\u{1b}[31m reason"), "{shown}");
    // The consultation still folds: scheduling it again is refused as already scheduled.
    let again = import(dir.path(), &[schedule(2, "Lima consultation", "Lima")]);
    assert!(stderr(&again).contains("already scheduled"), "{}", stderr(&again));
}
