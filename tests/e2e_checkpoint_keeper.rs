//! End-to-end: `smes project` and `smes serve` keep signed checkpoints with the log on a
//! schedule (`--checkpoint-every-events`), signed with the checkpoint key, and `smes verify`
//! checks the log against them; with `-v` the keeper logs what it does.

#[path = "support/server.rs"]
mod server;
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use server::Server;
use smes_eventlog::{
    AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, SqliteEventStore, StoreOptions, StreamName,
};
use support::{smes, stderr, stdout};

/// Appends `count` events to the log at `path` (creating it), as another process would.
fn append(path: &Path, count: u64) {
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
        let events = (0..count)
            .map(|n| {
                NewEvent::new(
                    "Happened",
                    1,
                    format!(r#"{{"n":{n}}}"#),
                    "2013-05-01T00:00:00Z".parse().unwrap(),
                )
            })
            .collect();
        store
            .append(AppendRequest::new(
                StreamName::new("activity-1").unwrap(),
                ExpectedVersion::Any,
                events,
                Metadata::new("actor-0001", "secretariat", "cli"),
            ))
            .await
            .unwrap();
    });
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert!(output.status.success(), "smes {args:?} failed: {}", stderr(&output));
    stdout(&output)
}

/// The tree sizes of the checkpoints kept with the log, in order.
fn kept_sizes(dir: &Path) -> Vec<u64> {
    ok(dir, &["checkpoint", "--list"])
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["tree_size"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

#[test]
fn project_and_serve_keep_signed_checkpoints_on_a_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let database = d.join("smes.db");
    append(&database, 12);

    // Without the signing key, asking for scheduled checkpoints is refused before anything runs.
    let elsewhere = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", database.display());
    let refused = smes(
        elsewhere.path(),
        &[
            "--database",
            &url,
            "project",
            "--once",
            "--checkpoint-every-events",
            "5",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("they need the signing key"),
        "{}",
        stderr(&refused)
    );
    let zero = smes(d, &["project", "--once", "--checkpoint-every-events", "0"]);
    assert!(!zero.status.success(), "0 events is no schedule");
    assert_eq!(kept_sizes(d), Vec::<u64>::new());

    let public_key = ok(d, &["key", "generate", "--origin", "sela.int/smes"]);
    let once = ["project", "--once", "--checkpoint-every-events", "5"];
    assert!(ok(d, &once).contains("signed checkpoint kept at tree size 12"));
    assert!(
        !ok(d, &once).contains("signed checkpoint kept"),
        "nothing appended since"
    );
    append(&database, 4);
    assert!(!ok(d, &once).contains("signed checkpoint kept"), "4 events are not 5");
    append(&database, 1);
    assert!(ok(d, &once).contains("signed checkpoint kept at tree size 17"));
    assert_eq!(kept_sizes(d), [12, 17]);
    let verified = ok(d, &["verify", "--key", public_key.trim()]);
    assert!(
        verified.contains("(sela.int/smes at size 17, root ")
            && verified.contains(&format!("signed by {}", public_key.trim())),
        "{verified}"
    );

    // A server follows the log and keeps one as soon as three more events are appended.
    let server = Server::start_with(d, &["--checkpoint-every-events", "3"]);
    append(&database, 2);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(kept_sizes(d), [12, 17], "2 events are not 3");
    append(&database, 1);
    let started = Instant::now();
    while kept_sizes(d) != [12, 17, 20] {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no checkpoint at 20: {:?}",
            kept_sizes(d)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(server);
    assert!(ok(d, &["verify"]).contains("(sela.int/smes at size 20, root "));

    // With -v the keeper logs its schedule and each checkpoint kept; its output is unchanged.
    append(&database, 3);
    let verbose = smes(d, &["-v", "project", "--once", "--checkpoint-every-events", "3"]);
    assert!(verbose.status.success(), "{}", stderr(&verbose));
    assert!(stdout(&verbose).ends_with("signed checkpoint kept at tree size 23\n"));
    let log = stderr(&verbose);
    for line in [
        r#" INFO smes::keeper: keeping signed checkpoints origin="sela.int/smes" every_events=3 last_kept=20"#,
        r#" INFO smes::keeper: signed checkpoint kept origin="sela.int/smes" tree_size=23 since=20"#,
    ] {
        assert_eq!(
            log.lines().filter(|logged| logged.ends_with(line)).count(),
            1,
            "{line}: {log}"
        );
    }
}
