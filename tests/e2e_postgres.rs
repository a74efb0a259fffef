//! The CLI on PostgreSQL: `--database postgres://...` runs the same commands as on SQLite,
//! reports read the same, proofs verify, and forgetting leaves no copy of the key in the key
//! table's pages.
//!
//! PostgreSQL must answer at 127.0.0.1:5432 (trust auth, user `postgres`, database `test`);
//! `SMES_TEST_POSTGRES` overrides the admin URL. These tests fail, never skip, when it does not
//! answer. Each test gets its own database, dropped at the end.

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use std::path::Path;

use postgres::{Database, admin_url, connect, runtime};
use serde_json::Value;
use sqlx::{Connection, PgConnection};
use support::{smes, stderr, stdout};

const COUNTERPART: &str = "5e1a0000-00c0-4000-8000-000000000001";
const ACTIVITY: &str = "5e1a0000-00ac-4000-8000-000000000001";

/// Runs `smes --database URL args...` and returns standard output, failing on a non-zero exit.
fn ok(dir: &Path, url: &str, args: &[&str]) -> String {
    let mut all = vec!["--database", url];
    all.extend_from_slice(args);
    let output = smes(dir, &all);
    assert!(output.status.success(), "smes {args:?}: {}", stderr(&output));
    stdout(&output)
}

/// A JSON report without what differs between two logs written at different times: the
/// anchor (hashes and roots cover record times) and record times themselves.
fn without_record_facts(mut report: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.retain(|key, _| !matches!(key.as_str(), "anchor" | "recorded_at" | "hash" | "head_hash"));
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut report);
    report
}

#[test]
fn every_command_runs_on_postgres_and_reads_as_on_sqlite() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = database.url.as_str();
    let sqlite = "sqlite://demo.db";

    let summary = ok(d, url, &["demo"]);
    assert!(summary.starts_with("demo log written to postgres://"), "{summary}");
    ok(d, sqlite, &["demo"]);

    let events = |database: &str| ok(d, database, &["log"]).lines().count();
    assert_eq!(events(url), events(sqlite), "the same demo, event for event");
    assert!(ok(d, url, &["verify"]).starts_with(&format!("verified {} events", events(url))));

    for args in [
        &["snapshot", "--year", "2013", "--format", "json"][..],
        &[
            "snapshot",
            "--year",
            "2013",
            "--as-of",
            "2013-06-30",
            "--format",
            "json",
        ][..],
        &["trace", "activity", ACTIVITY, "--format", "json"][..],
    ] {
        let on = |database: &str| without_record_facts(serde_json::from_str(&ok(d, database, args)).unwrap());
        assert_eq!(on(url), on(sqlite), "smes {args:?} reads the same on both backends");
    }
    let history = ok(d, url, &["history", &format!("counterpart-{COUNTERPART}")]);
    assert!(history.contains("focal point: "), "{history}");
    assert!(
        !history.contains("[erased]"),
        "keys open envelopes on PostgreSQL: {history}"
    );

    // Checkpoints are kept in the database, and proofs from it verify offline.
    ok(d, url, &["key", "generate", "--origin", "sela.int/smes"]);
    ok(d, url, &["checkpoint", "--store", "--out", "head.checkpoint"]);
    let kept = ok(d, url, &["checkpoint", "--list"]);
    assert_eq!(kept.lines().count(), 1, "{kept}");
    let public_key = ok(d, url, &["key", "public"]);
    check_inclusion(d, url, 7, &public_key);
}

/// Proves the event at `position` in the log at `url` and checks the proof offline against
/// `head.checkpoint` and the public key.
fn check_inclusion(d: &Path, url: &str, position: u64, public_key: &str) {
    let proof = ok(d, url, &["prove", "inclusion", "--position", &position.to_string()]);
    std::fs::write(d.join("inclusion.json"), proof).unwrap();
    let checked = smes(
        d,
        &[
            "audit",
            "verify-inclusion",
            "--checkpoint",
            "head.checkpoint",
            "--proof",
            "inclusion.json",
            "--key",
            public_key.trim(),
        ],
    );
    assert!(checked.status.success(), "{}", stderr(&checked));
}

#[test]
fn a_wrong_postgres_url_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let admin = admin_url();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    let missing = format!("{base}/smes_no_such_database_{}", uuid::Uuid::new_v4().simple());
    let output = smes(dir.path(), &["--database", &missing, "verify"]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("smes_no_such_database_"),
        "names the database: {message}"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Every page of the key table, raw, as PostgreSQL's page inspector reads them: dead rows
/// included, which a `SELECT` would not show.
async fn key_table_pages(connection: &mut PgConnection) -> Vec<u8> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(
        "CREATE EXTENSION IF NOT EXISTS pageinspect".to_owned(),
    ))
    .execute(&mut *connection)
    .await
    .expect("the pageinspect extension (PostgreSQL's contrib) is installed");
    let pages: Vec<(Vec<u8>,)> = sqlx::query_as(
        "SELECT get_raw_page('personal_data_keys', 'main', n::int) \
         FROM generate_series(0, pg_relation_size('personal_data_keys') / current_setting('block_size')::int - 1) AS n",
    )
    .fetch_all(&mut *connection)
    .await
    .expect("read the key table's pages");
    pages.into_iter().flat_map(|(page,)| page).collect()
}

#[test]
fn forgetting_on_postgres_leaves_no_copy_of_the_key_in_the_table() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = database.url.as_str();
    ok(d, url, &["demo"]);
    let stream = format!("counterpart-{COUNTERPART}");
    let first: Value = serde_json::from_str(ok(d, url, &["log", "--stream", &stream, "--limit", "1"]).trim()).unwrap();
    let person = first["payload"]["focal_point"]["person"].as_str().unwrap().to_owned();
    let key: Vec<u8> = database.query(async |connection| {
        let (key,): (Vec<u8>,) = sqlx::query_as("SELECT key FROM personal_data_keys WHERE person = $1")
            .bind(&person)
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        key
    });
    assert!(
        database.query(async |connection| contains(&key_table_pages(connection).await, &key)),
        "the key is in the table's pages before"
    );

    let forgotten = ok(
        d,
        url,
        &[
            "forget",
            "focal-point",
            &person,
            "--reason",
            "Asked by the person",
            "--on",
            "2014-02-01",
        ],
    );
    assert!(
        forgotten.starts_with(&format!("forgotten: recorded in erasure-{person}")),
        "{forgotten}"
    );
    assert!(
        !database.query(async |connection| contains(&key_table_pages(connection).await, &key)),
        "no dead copy of the key survives in the table's pages"
    );
    let after = ok(d, url, &["history", &stream]);
    assert!(after.contains("focal point: [erased]"), "{after}");
    assert!(
        ok(d, url, &["verify"]).starts_with("verified "),
        "the chain and the tree still verify"
    );
}

/// The role set-up of docs/eventlog.md ("Running under a restricted role"), as written there.
fn documented_role_sql() -> String {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/eventlog.md")).unwrap();
    let section = docs
        .split("### Running under a restricted role")
        .nth(1)
        .expect("docs/eventlog.md has the restricted role section");
    section
        .split("```sql\n")
        .nth(1)
        .and_then(|block| block.split("```").next())
        .expect("the section has an sql block")
        .to_owned()
}

#[test]
fn the_documented_restricted_role_runs_the_app_and_cannot_change_the_log() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &database.url, &["init"]);

    // Roles belong to the whole server: each run uses a name of its own.
    let role = format!("smes_app_{}", uuid::Uuid::new_v4().simple());
    let setup = documented_role_sql().replace("smes_app", &role);
    database.query(async |connection| {
        sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
            .execute(&mut *connection)
            .await
            .expect("the documented SQL runs");
    });
    let as_role = database
        .url
        .replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    assert_ne!(as_role, database.url, "the admin URL names the user postgres");

    ok(d, &as_role, &["demo"]);
    assert!(ok(d, &as_role, &["verify"]).starts_with("verified "));
    ok(d, &as_role, &["snapshot", "--year", "2013"]);
    ok(d, &as_role, &["key", "generate", "--origin", "sela.int/smes"]);
    ok(d, &as_role, &["checkpoint", "--store"]);
    let stream = format!("counterpart-{COUNTERPART}");
    let first: Value =
        serde_json::from_str(ok(d, &as_role, &["log", "--stream", &stream, "--limit", "1"]).trim()).unwrap();
    let person = first["payload"]["focal_point"]["person"].as_str().unwrap().to_owned();
    ok(
        d,
        &as_role,
        &[
            "forget",
            "focal-point",
            &person,
            "--reason",
            "Asked by the person",
            "--on",
            "2014-02-01",
        ],
    );
    assert!(ok(d, &as_role, &["verify"]).starts_with("verified "));
    // Tokens of the HTTP API are created, listed and revoked under the role.
    ok(
        d,
        &as_role,
        &["token", "create", "--role", "auditor", "--name", "audit-1"],
    );
    ok(d, &as_role, &["token", "revoke", "audit-1"]);
    assert!(ok(d, &as_role, &["token", "list"]).contains("audit-1\tauditor"));

    let refused = runtime().block_on(async {
        let mut connection = connect(&as_role).await;
        let mut refused = Vec::new();
        for statement in [
            "UPDATE events SET stream = stream WHERE position = 1",
            "DELETE FROM events WHERE position = 1",
            "TRUNCATE events",
            "UPDATE commands SET command_id = command_id",
            "DELETE FROM checkpoints",
            "DELETE FROM api_tokens",
            "UPDATE api_tokens SET role = 'secretariat'",
            "CREATE TABLE intruder (x int)",
        ] {
            let error = sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
                .execute(&mut connection)
                .await
                .expect_err(statement);
            refused.push((statement, error.to_string()));
        }
        let _ = connection.close().await;
        refused
    });
    for (statement, error) in refused {
        assert!(error.contains("permission denied"), "{statement}: {error}");
    }

    database.query(async |connection| {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP OWNED BY \"{role}\"")))
            .execute(&mut *connection)
            .await
            .expect("drop what the role owns");
    });
    drop(database);
    runtime().block_on(async {
        let mut admin = connect(&admin_url()).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS \"{role}\"")))
            .execute(&mut admin)
            .await
            .expect("drop the role");
    });
}

#[test]
fn copy_moves_a_log_between_backends_with_its_hashes_keys_and_checkpoints() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = database.url.as_str();
    let sqlite = "sqlite://demo.db";
    ok(d, sqlite, &["demo"]);
    ok(d, sqlite, &["key", "generate", "--origin", "sela.int/smes"]);
    ok(d, sqlite, &["checkpoint", "--store", "--out", "head.checkpoint"]);

    let copied = ok(d, sqlite, &["copy", "--from", sqlite, "--to", url]);
    assert!(copied.contains("copied events 1 to "), "{copied}");
    assert!(copied.contains("checkpoints: 1 kept"), "{copied}");
    // The copy is the same log, byte for byte: events, reports and their anchors, checkpoints.
    assert_eq!(ok(d, url, &["log"]), ok(d, sqlite, &["log"]));
    for args in [
        &["snapshot", "--year", "2013"][..],
        &["trace", "activity", ACTIVITY][..],
        &["checkpoint", "--list"][..],
        &["verify"][..],
        &["history", &format!("counterpart-{COUNTERPART}")][..],
    ] {
        assert_eq!(ok(d, url, args), ok(d, sqlite, args), "smes {args:?}");
    }
    // Proofs from the copy verify against the checkpoint signed on the original.
    check_inclusion(d, url, 12, &ok(d, sqlite, &["key", "public"]));

    // Later events and a forgetting on the original reach the copy when it is run again.
    let stream = format!("counterpart-{COUNTERPART}");
    let first: Value =
        serde_json::from_str(ok(d, sqlite, &["log", "--stream", &stream, "--limit", "1"]).trim()).unwrap();
    let person = first["payload"]["focal_point"]["person"].as_str().unwrap().to_owned();
    ok(
        d,
        sqlite,
        &[
            "forget",
            "focal-point",
            &person,
            "--reason",
            "Asked by the person",
            "--on",
            "2014-02-01",
        ],
    );
    let again = ok(d, sqlite, &["copy", "--from", sqlite, "--to", url]);
    assert!(again.contains("1 keys forgotten since an earlier copy"), "{again}");
    assert!(ok(d, url, &["history", &stream]).contains("focal point: [erased]"));
    assert_eq!(ok(d, url, &["log"]), ok(d, sqlite, &["log"]));
    let up_to_date = ok(d, sqlite, &["copy", "--from", sqlite, "--to", url]);
    assert!(up_to_date.contains("already holds all"), "{up_to_date}");

    // And back to a new SQLite file.
    ok(d, sqlite, &["copy", "--from", url, "--to", "sqlite://back.db"]);
    assert_eq!(ok(d, "sqlite://back.db", &["log"]), ok(d, sqlite, &["log"]));

    // A log that is not a copy of the source is refused and left as it was.
    ok(d, "sqlite://other.db", &["init"]);
    ok(d, "sqlite://other.db", &["member-state", "load"]);
    let before = ok(d, "sqlite://other.db", &["log"]);
    let refused = smes(d, &["copy", "--from", sqlite, "--to", "sqlite://other.db"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("holds a different log"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(ok(d, "sqlite://other.db", &["log"]), before);
}
