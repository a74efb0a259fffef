//! Two `smes` processes run a command on the same aggregate at the same moment on one
//! PostgreSQL database: both succeed, the one that lost the race reloads and decides again
//! (once), the stream's versions stay gapless and the log verifies.
//!
//! How the overlap is ensured: both processes are started together with
//! `SMES_TEST_COMMIT_DELAY_MS=1500`, the test-only pause every append transaction makes after
//! writing its rows and before committing (`PostgresConfig::test_commit_delay`). Whichever
//! appends first holds the append lock, rows written but not committed, for 1.5 s; the other,
//! started at the same moment, loads the stream meanwhile, still at the old version, and its
//! append then finds the stream moved: a version conflict, which the command service resolves
//! by loading and deciding again. The test checks that this happened: exactly one of the two
//! says it decided again after one version conflict.

mod support;

#[path = "support/postgres.rs"]
mod postgres;

use std::path::Path;
use std::process::{Command, Stdio};

use postgres::Database;
use serde_json::Value;
use support::{smes, smes_binary, stderr, stdout};

const COUNTERPART: &str = "5e1a0000-00c0-4000-8000-0000000000a1";
const CONSULTATION: &str = "5e1a0000-00c5-4000-8000-0000000000a2";

fn ok(dir: &Path, url: &str, args: &[&str]) -> String {
    let mut all = vec!["--database", url];
    all.extend_from_slice(args);
    let output = smes(dir, &all);
    assert!(output.status.success(), "smes {args:?}: {}", stderr(&output));
    stdout(&output)
}

/// `smes need identify` of need `need` in the shared consultation, started but not awaited.
fn identify_need(dir: &Path, url: &str, need: &str) -> std::process::Child {
    Command::new(smes_binary())
        .args([
            "--database",
            url,
            "need",
            "identify",
            "--consultation",
            CONSULTATION,
            "--id",
            need,
            "--raised-by",
            COUNTERPART,
            "--area",
            "financing",
            "--member-state",
            "CL",
            "--priority",
            "high",
            "--description",
        ])
        .arg(format!("Need {need}"))
        .current_dir(dir)
        .env_remove("SMES_DATABASE_URL")
        .env("SMES_TEST_COMMIT_DELAY_MS", "1500")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("smes starts")
}

#[test]
fn two_processes_commanding_one_aggregate_both_succeed_after_one_retry() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = database.url.as_str();
    ok(d, url, &["init"]);
    ok(d, url, &["member-state", "load"]);
    ok(
        d,
        url,
        &[
            "counterpart",
            "join",
            "--id",
            COUNTERPART,
            "--name",
            "Corporación de Fomento de la Producción",
            "--kind",
            "public",
            "--member-state",
            "CL",
            "--area",
            "financing",
            "--focal-point-name",
            "Felipe Araya",
            "--focal-point-email",
            "felipe@corfo.example",
            "--joined-on",
            "2012-11-06",
        ],
    );
    ok(
        d,
        url,
        &[
            "consultation",
            "schedule",
            "--json",
            &format!(
                r#"{{"consultation":"{CONSULTATION}","title":"Consultation on SME financing","scheduled_for":"2012-11-22","venue":"Santiago"}}"#
            ),
        ],
    );
    ok(
        d,
        url,
        &[
            "consultation",
            "hold",
            "--id",
            CONSULTATION,
            "--held-on",
            "2012-11-22",
            "--venue",
            "Santiago",
            "--participant",
            COUNTERPART,
            "--minutes",
            "Acta 1-12",
        ],
    );
    let stream = format!("consultation-{CONSULTATION}");
    let versions_before = ok(d, url, &["log", "--stream", &stream]).lines().count();

    let needs = [
        "5e1a0000-00ee-4000-8000-0000000000b1",
        "5e1a0000-00ee-4000-8000-0000000000b2",
    ];
    let children: Vec<_> = needs.iter().map(|need| identify_need(d, url, need)).collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("smes ran");
            assert!(output.status.success(), "both commands succeed: {}", stderr(&output));
            stdout(&output)
        })
        .collect();
    for output in &outputs {
        assert!(output.contains(&format!("written to {stream}")), "{output}");
    }
    let retried = outputs
        .iter()
        .filter(|output| output.contains("decided again after 1 version conflict"))
        .count();
    assert_eq!(
        retried, 1,
        "exactly one of the two lost the race and decided again (otherwise they did not overlap): {outputs:?}"
    );
    assert!(
        outputs.iter().all(|output| !output.contains("version conflicts")),
        "no second conflict: {outputs:?}"
    );

    // Both needs are on the stream, its versions gapless; the log verifies.
    let events: Vec<Value> = ok(d, url, &["log", "--stream", &stream])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let versions: Vec<u64> = events.iter().map(|event| event["version"].as_u64().unwrap()).collect();
    assert_eq!(
        versions,
        (1..=versions.len() as u64).collect::<Vec<_>>(),
        "gapless versions"
    );
    assert_eq!(versions.len(), versions_before + 2, "one event for each command");
    for need in needs {
        assert_eq!(
            events
                .iter()
                .filter(|event| event["payload"]["need"].as_str() == Some(need))
                .count(),
            1,
            "need {need} identified once"
        );
    }
    let verified = ok(d, url, &["verify"]);
    assert!(verified.starts_with("verified "), "{verified}");
}
