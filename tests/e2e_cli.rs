//! End-to-end tests of the `smes` binary on real SQLite files.

mod support;

use smes_eventlog::{
    AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, SqliteEventStore, StoreOptions, StreamName,
};
use support::{smes, stderr, stdout};
use uuid::Uuid;

#[test]
fn init_then_verify_gives_a_verified_empty_log() {
    let dir = tempfile::tempdir().unwrap();
    let init = smes(dir.path(), &["init"]);
    assert!(init.status.success(), "{}", stderr(&init));
    assert_eq!(stdout(&init), "event log ready at smes.db (0 events)\n");
    assert!(
        dir.path().join("smes.db").exists(),
        "the default log is sqlite://smes.db here"
    );
    let verify = smes(dir.path(), &["verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert_eq!(
        stdout(&verify),
        "verified 0 events, head 0000000000000000000000000000000000000000000000000000000000000000\n"
    );
    let again = smes(dir.path(), &["init"]);
    assert!(again.status.success(), "init on an existing log changes nothing");
}

#[test]
fn commands_on_a_missing_log_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["verify"][..], &["log"]] {
        let output = smes(dir.path(), args);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(
            stderr(&output),
            "error: no event log at sqlite://smes.db; create one with `smes init`\n"
        );
        assert!(stdout(&output).is_empty());
    }
    assert!(!dir.path().join("smes.db").exists(), "nothing was created");
}

#[test]
fn an_unopenable_database_reports_the_whole_cause_chain() {
    let dir = tempfile::tempdir().unwrap();
    let output = smes(dir.path(), &["--database", "sqlite://no/such/dir/log.db", "init"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with("error: cannot open the event log at sqlite://no/such/dir/log.db: "),
        "{message}"
    );
    assert!(message.contains("unable to open database file"), "{message}");
}

fn seed_log(path: &std::path::Path) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let options = StoreOptions {
            create: true,
            ..StoreOptions::default()
        };
        let store = SqliteEventStore::open(&path.display().to_string(), options)
            .await
            .unwrap();
        for (stream, n) in [("activity-1", 1), ("need-7", 2), ("activity-1", 3)] {
            let mut metadata =
                Metadata::new("actor-0001", "secretariat", "cli").with_reason("Decision N° 12, Latin American Council");
            metadata.command_id = Some(Uuid::from_u128(n));
            store
                .append(AppendRequest::new(
                    StreamName::new(stream).unwrap(),
                    ExpectedVersion::Any,
                    vec![NewEvent::new(
                        "Happened",
                        1,
                        format!(r#"{{"n":{n},"title":"Seminario sobre sistemas de garantía"}}"#),
                        "2013-04-01T00:00:00Z".parse().unwrap(),
                    )],
                    metadata,
                ))
                .await
                .unwrap();
        }
    });
}

#[test]
fn log_prints_json_lines_with_filters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seeded.db");
    seed_log(&path);
    let url = format!("sqlite://{}", path.display());

    let all = smes(dir.path(), &["--database", &url, "log"]);
    assert!(all.status.success(), "{}", stderr(&all));
    let lines: Vec<serde_json::Value> = stdout(&all)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    insta::assert_json_snapshot!("log_all", lines, {
        "[].id" => "[id]",
        "[].recorded_at" => "[recorded_at]",
        "[].hash" => "[hash]",
        "[].prev_hash" => "[hash]",
    });

    let stream = smes(
        dir.path(),
        &["--database", &url, "log", "--stream", "activity-1", "--from", "2"],
    );
    let lines: Vec<serde_json::Value> = stdout(&stream)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (lines[0]["position"].as_u64(), lines[0]["version"].as_u64()),
        (Some(3), Some(2))
    );

    let page = smes(dir.path(), &["--database", &url, "log", "--from", "2", "--limit", "1"]);
    let page = stdout(&page);
    let lines: Vec<&str> = page.lines().collect();
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].starts_with(r#"{"position":2,"stream":"need-7""#),
        "{}",
        lines[0]
    );

    let verify = smes(dir.path(), &["--database", &url, "verify"]);
    assert!(
        stdout(&verify).starts_with("verified 3 events, head "),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn verify_fails_and_names_the_tampered_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tampered.db");
    seed_log(&path);
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "DROP TRIGGER events_refuse_update;
         UPDATE events SET record = replace(record, 'garantía', 'garantia') WHERE position = 2;",
    )
    .unwrap();
    drop(raw);
    let output = smes(dir.path(), &["--database", &path.display().to_string(), "verify"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with("error: the event log does not verify: verification failed: position 2: the stored hash "),
        "{message}"
    );
}
