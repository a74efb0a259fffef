//! A command id is bound to its command, through the binary on SQLite and on PostgreSQL: an
//! import line or a `--command-id` reused for another command is refused with the id named and
//! a non-zero exit, a retry writes nothing and makes no key, and `smes personal-keys` counts and
//! prunes the keys nothing names.
//!
//! PostgreSQL must answer at 127.0.0.1:5432 (trust auth, user `postgres`, database `test`);
//! `SMES_TEST_POSTGRES` overrides the admin URL. The PostgreSQL test fails, never skips, when it
//! does not answer.

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{ok_on, run_on, stderr, stdout};

fn id(n: u32) -> String {
    format!("5e1a0000-0000-4000-8000-{n:012x}")
}

fn join_counterpart(n: u32, name: &str) -> Value {
    json!({"kind": "join-counterpart", "counterpart": id(n), "name": name,
        "counterpart_kind": "public", "member_state": "PE", "thematic_areas": ["financing"],
        "focal_point": {"name": "Rosa Quispe", "email": "rosa@example.org"}, "joined_on": "2012-11-05"})
}

fn line(command_id: u32, mut value: Value) -> String {
    value["command_id"] = json!(id(command_id));
    value.to_string()
}

fn events(dir: &Path, url: &str) -> usize {
    ok_on(dir, url, &["log"]).lines().count()
}

fn check(dir: &Path, url: &str) {
    ok_on(dir, url, &["init"]);
    // The counterparts' countries are checked against the membership history.
    ok_on(dir, url, &["member-state", "load"]);
    let base = events(dir, url);
    let lines = [
        line(1, join_counterpart(1, "Agency 1")),
        line(1, join_counterpart(1, "Agency 1, renamed")),
    ];
    std::fs::write(dir.join("commands.jsonl"), lines.join("\n") + "\n").unwrap();
    let output = run_on(dir, url, &["import", "commands.jsonl"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout(&output), "1 applied, 0 already applied, 1 failed\n");
    let expected = format!(
        "line 2: join-counterpart: command id {} was already used for a different command (applied to stream counterpart-{}); nothing was written",
        id(1),
        id(1)
    );
    assert!(stderr(&output).starts_with(&expected), "{}", stderr(&output));
    assert_eq!(events(dir, url), base + 1);

    // Importing again: the first line is a retry, the second is refused again; no new key.
    let again = run_on(dir, url, &["import", "commands.jsonl"]);
    assert_eq!(stdout(&again), "0 applied, 1 already applied, 1 failed\n");
    assert_eq!(events(dir, url), base + 1);
    assert_eq!(
        ok_on(dir, url, &["personal-keys", "check"]),
        "1 personal-data keys held: 1 named by events, 0 by actors only, 0 named by nothing\n"
    );

    // The CLI: --json with --command-id, retried, then reused for another command.
    let second = join_counterpart(2, "Agency 2").to_string();
    let args = ["counterpart", "join", "--json", &second, "--command-id", &id(2)];
    assert!(ok_on(dir, url, &args).contains("CounterpartJoined written"));
    assert!(ok_on(dir, url, &args).contains("was already applied"));
    let other = join_counterpart(2, "Agency 2, renamed").to_string();
    let refused = run_on(
        dir,
        url,
        &["counterpart", "join", "--json", &other, "--command-id", &id(2)],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).starts_with(&format!(
            "error: command id {} was already used for a different command",
            id(2)
        )),
        "{}",
        stderr(&refused)
    );
    assert_eq!(events(dir, url), base + 2);

    // Flags without --id: under a command id the new counterpart's id is made from it, so the
    // same command run again is a retry.
    let flags = [
        "counterpart",
        "join",
        "--name",
        "Agency 3",
        "--kind",
        "public",
        "--member-state",
        "CL",
        "--area",
        "financing",
        "--focal-point-name",
        "Ana Soto",
        "--focal-point-email",
        "ana@example.org",
        "--joined-on",
        "2012-11-06",
        "--command-id",
        &id(3),
    ];
    assert!(ok_on(dir, url, &flags).contains("CounterpartJoined written"));
    assert!(ok_on(dir, url, &flags).contains("was already applied"));
    assert_eq!(events(dir, url), base + 3);

    // A key for a person the caller names stays when the command is refused; prune removes it.
    let mut named = join_counterpart(2, "Agency 2");
    named["focal_point"]["person"] = json!(id(0xf1));
    let named = named.to_string();
    let refused = run_on(dir, url, &["counterpart", "join", "--json", &named]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let check = ok_on(dir, url, &["personal-keys", "check"]);
    assert!(
        check.starts_with("4 personal-data keys held: 3 named by events, 0 by actors only, 1 named by nothing\n"),
        "{check}"
    );
    assert!(
        check.contains(&format!("  unnamed: person {} key pdk-", id(0xf1))),
        "{check}"
    );
    let spared = ok_on(dir, url, &["personal-keys", "prune"]);
    assert!(
        spared.ends_with("deleted 0 unnamed keys made more than 60 minutes ago; spared 1\n"),
        "{spared}"
    );
    let pruned = ok_on(dir, url, &["personal-keys", "prune", "--older-than-minutes", "0"]);
    assert!(
        pruned.ends_with("deleted 1 unnamed keys made more than 0 minutes ago; spared 0\n"),
        "{pruned}"
    );
    assert_eq!(
        ok_on(dir, url, &["personal-keys", "check"]),
        "3 personal-data keys held: 3 named by events, 0 by actors only, 0 named by nothing\n"
    );
    assert!(run_on(dir, url, &["verify"]).status.success());
}

#[test]
fn command_ids_are_bound_to_their_commands_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    check(dir.path(), "sqlite://smes.db");
}

#[test]
fn command_ids_are_bound_to_their_commands_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let database = postgres::Database::fresh();
    check(dir.path(), &database.url);
}
