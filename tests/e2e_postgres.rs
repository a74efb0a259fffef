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

/// `text` with every whole-word `word` (not part of a longer identifier) replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let identifier = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back().or_else(|| out.chars().next_back());
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(identifier) || after.is_some_and(identifier) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// The writing and the reading role of docs/eventlog.md, made on a log by running the
/// documented SQL as its owner. Roles belong to the whole server, so each test gives them names
/// of its own; they are dropped, with what they own, at the end.
struct DocumentedRoles<'a> {
    database: &'a Database,
    writer: String,
    reader: String,
}

impl<'a> DocumentedRoles<'a> {
    fn create(database: &'a Database) -> Self {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let writer = format!("smes_app_{suffix}");
        let reader = format!("smes_reader_{suffix}");
        let sql = documented_role_sql();
        assert!(sql.contains("smes_reader"), "the documented SQL makes a reading role");
        let setup = replace_word(&replace_word(&sql, "smes_app", &writer), "smes_reader", &reader);
        database.query(async |connection| {
            sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
                .execute(&mut *connection)
                .await
                .expect("the documented SQL runs");
        });
        DocumentedRoles {
            database,
            writer,
            reader,
        }
    }

    /// The log's URL, logged in as `role`.
    fn url(&self, role: &str) -> String {
        let url = self
            .database
            .url
            .replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
        assert_ne!(url, self.database.url, "the admin URL names the user postgres");
        url
    }
}

impl Drop for DocumentedRoles<'_> {
    fn drop(&mut self) {
        let roles = [self.writer.clone(), self.reader.clone()];
        self.database.query(async |connection| {
            for role in &roles {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP OWNED BY \"{role}\"")))
                    .execute(&mut *connection)
                    .await
                    .expect("drop what the role owns");
            }
        });
        runtime().block_on(async {
            let mut admin = connect(&admin_url()).await;
            for role in &roles {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS \"{role}\"")))
                    .execute(&mut admin)
                    .await
                    .expect("drop the role");
            }
        });
    }
}

/// Runs each statement on its own connection as the role at `url` and returns the errors, each
/// statement having to fail.
fn refused_statements(url: &str, statements: &[String]) -> Vec<(String, String)> {
    runtime().block_on(async {
        let mut connection = connect(url).await;
        let mut refused = Vec::new();
        for statement in statements {
            let error = sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
                .execute(&mut connection)
                .await
                .expect_err(statement);
            refused.push((statement.clone(), error.to_string()));
        }
        let _ = connection.close().await;
        refused
    })
}

/// One row of the events table.
#[derive(Debug, Clone)]
struct EventRow {
    position: i64,
    stream: String,
    version: i64,
    event_type: String,
    occurred_at: i64,
    recorded_at: i64,
    record: String,
    hash: Vec<u8>,
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The last event of the log at `url`.
async fn head_row(connection: &mut PgConnection) -> EventRow {
    let (position, stream, version, event_type, occurred_at, recorded_at, record, hash) =
        sqlx::query_as::<_, (i64, String, i64, String, i64, i64, String, Vec<u8>)>(
            "SELECT position, stream, version, event_type, occurred_at, recorded_at, record, hash FROM events \
         ORDER BY position DESC LIMIT 1",
        )
        .fetch_one(&mut *connection)
        .await
        .expect("the log has events");
    EventRow {
        position,
        stream,
        version,
        event_type,
        occurred_at,
        recorded_at,
        record,
        hash,
    }
}

/// `record` with the first `"key":value` member's value (a number, or a string with no escapes)
/// replaced by `value`, as JSON text. The top-level members come first in a canonical record,
/// before the metadata and payload, except `prev_hash`, which comes last and is replaced there.
fn with_member(record: &str, key: &str, value: &str) -> String {
    let marker = format!("\"{key}\":");
    let at = if key == "prev_hash" {
        record.rfind(&marker)
    } else {
        record.find(&marker)
    }
    .expect("the member is in the record")
        + marker.len();
    let end = if record[at..].starts_with('"') {
        at + 1 + record[at + 1..].find('"').expect("a closed string") + 1
    } else {
        at + record[at..].find([',', '}']).expect("a number ends")
    };
    format!("{}{value}{}", &record[..at], &record[end..])
}

/// A forged event that extends the chain correctly: the head's record again, at the next
/// position and version of its stream, linked to the head's hash and hashed as the store would.
fn chained_after(head: &EventRow) -> EventRow {
    let record = with_member(&head.record, "position", &(head.position + 1).to_string());
    let record = with_member(&record, "version", &(head.version + 1).to_string());
    let record = with_member(&record, "prev_hash", &format!("\"{}\"", hex(&head.hash)));
    EventRow {
        position: head.position + 1,
        version: head.version + 1,
        hash: sha256(record.as_bytes()),
        record,
        ..head.clone()
    }
}

/// The row again with its record changed by `change` and hashed again.
fn rehashed(row: &EventRow, change: impl Fn(&str) -> String) -> EventRow {
    let record = change(&row.record);
    EventRow {
        hash: sha256(record.as_bytes()),
        record,
        ..row.clone()
    }
}

/// What `smes_append_write` may be given besides the events.
#[derive(Default)]
struct Extras {
    /// One command entry: id, stream, first and last position, first and last version, record
    /// time.
    command: Option<(String, String, i64, i64, i64, i64, i64)>,
    /// One Merkle node: level, index.
    node: Option<(i32, i64)>,
}

/// Calls `smes_append_write` with `rows` in the arrays (or, with `staged`, in append_staging).
async fn append_write(
    connection: &mut PgConnection,
    rows: &[EventRow],
    staged: bool,
    extras: &Extras,
) -> Result<i64, sqlx::Error> {
    let column = |get: fn(&EventRow) -> i64| rows.iter().map(get).collect::<Vec<_>>();
    let text = |get: fn(&EventRow) -> String| rows.iter().map(get).collect::<Vec<_>>();
    if staged {
        for row in rows {
            sqlx::query(
                "INSERT INTO append_staging (position, stream, version, event_type, occurred_at, recorded_at, record, \
                 hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(row.position)
            .bind(&row.stream)
            .bind(row.version)
            .bind(&row.event_type)
            .bind(row.occurred_at)
            .bind(row.recorded_at)
            .bind(&row.record)
            .bind(&row.hash)
            .execute(&mut *connection)
            .await?;
        }
    }
    let in_arrays = if staged { &[][..] } else { rows };
    let command = extras.command.clone();
    sqlx::query_scalar(
        "SELECT smes_append_write($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23)",
    )
    .bind(staged)
    .bind(if staged { Vec::new() } else { column(|row| row.position) })
    .bind(in_arrays.iter().map(|row| row.stream.clone()).collect::<Vec<_>>())
    .bind(in_arrays.iter().map(|row| row.version).collect::<Vec<_>>())
    .bind(in_arrays.iter().map(|row| row.event_type.clone()).collect::<Vec<_>>())
    .bind(in_arrays.iter().map(|row| row.occurred_at).collect::<Vec<_>>())
    .bind(in_arrays.iter().map(|row| row.recorded_at).collect::<Vec<_>>())
    .bind(if staged {
        Vec::new()
    } else {
        text(|row| row.record.clone())
    })
    .bind(in_arrays.iter().map(|row| row.hash.clone()).collect::<Vec<_>>())
    .bind(command.iter().map(|c| c.0.clone()).collect::<Vec<_>>())
    .bind(command.iter().map(|c| c.1.clone()).collect::<Vec<_>>())
    .bind(command.iter().map(|c| c.2).collect::<Vec<_>>())
    .bind(command.iter().map(|c| c.3).collect::<Vec<_>>())
    .bind(command.iter().map(|c| c.4).collect::<Vec<_>>())
    .bind(command.iter().map(|c| c.5).collect::<Vec<_>>())
    .bind(command.iter().map(|c| c.6).collect::<Vec<_>>())
    .bind(command.iter().map(|_| vec![7u8; 32]).collect::<Vec<_>>())
    .bind(Vec::<bool>::new())
    .bind(extras.node.iter().map(|node| node.0).collect::<Vec<_>>())
    .bind(extras.node.iter().map(|node| node.1).collect::<Vec<_>>())
    .bind(extras.node.iter().map(|_| vec![9u8; 32]).collect::<Vec<_>>())
    .bind(None::<i64>)
    .bind(None::<Vec<u8>>)
    .fetch_one(&mut *connection)
    .await
}

/// How many rows the log's tables hold: events, command entries, Merkle nodes, appends.
async fn table_counts(connection: &mut PgConnection) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["events", "commands", "merkle_nodes", "appends", "append_staging"] {
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        counts.push(count);
    }
    counts
}

#[test]
fn the_documented_roles_run_the_app_and_cannot_change_the_log() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &database.url, &["init"]);
    let roles = DocumentedRoles::create(&database);
    let as_writer = roles.url(&roles.writer);
    let as_reader = roles.url(&roles.reader);

    ok(d, &as_writer, &["demo"]);
    assert!(ok(d, &as_writer, &["verify"]).starts_with("verified "));
    ok(d, &as_writer, &["snapshot", "--year", "2013"]);
    ok(d, &as_writer, &["key", "generate", "--origin", "sela.int/smes"]);
    ok(d, &as_writer, &["checkpoint", "--store"]);
    let stream = format!("counterpart-{COUNTERPART}");
    let first: Value =
        serde_json::from_str(ok(d, &as_writer, &["log", "--stream", &stream, "--limit", "1"]).trim()).unwrap();
    let person = first["payload"]["focal_point"]["person"].as_str().unwrap().to_owned();
    ok(
        d,
        &as_writer,
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
    assert!(ok(d, &as_writer, &["verify"]).starts_with("verified "));
    // Tokens of the HTTP API are created, listed and revoked under the role.
    ok(
        d,
        &as_writer,
        &["token", "create", "--role", "auditor", "--name", "audit-1"],
    );
    ok(d, &as_writer, &["token", "revoke", "audit-1"]);
    assert!(ok(d, &as_writer, &["token", "list"]).contains("audit-1\tauditor"));

    // Every append was stamped by the database: who was logged in, and when by its own clock.
    let (head, covered, by, stamped_now): (i64, i64, Vec<String>, bool) = database.query(async |connection| {
        let head: i64 = sqlx::query_scalar("SELECT max(position) FROM events")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        let (covered, by, stamped_now): (i64, Vec<String>, bool) = sqlx::query_as(
            "SELECT sum(last_position - first_position + 1)::bigint, array_agg(DISTINCT appended_by), \
             bool_and(appended_at BETWEEN (extract(epoch FROM now() - interval '1 hour') * 1000000)::bigint \
             AND (extract(epoch FROM now()) * 1000000)::bigint) FROM appends",
        )
        .fetch_one(&mut *connection)
        .await
        .unwrap();
        (head, covered, by, stamped_now)
    });
    assert_eq!(covered, head, "one row of appends for every event");
    assert_eq!(by, vec![roles.writer.clone()]);
    assert!(stamped_now, "the database's clock at each append");

    // The writing role changes nothing by hand, and appends nothing but through the functions:
    // not even a row that extends the chain correctly.
    let forged = database.query(async |connection| chained_after(&head_row(connection).await));
    let mut statements: Vec<String> = [
        "UPDATE events SET stream = stream WHERE position = 1",
        "DELETE FROM events WHERE position = 1",
        "TRUNCATE events",
        "UPDATE commands SET command_id = command_id",
        "INSERT INTO merkle_nodes (level, idx, hash) VALUES (40, 0, sha256('x'))",
        "UPDATE merkle_frontier SET size = size",
        "INSERT INTO checkpoints (origin, tree_size, note, stored_at) VALUES ('o', 1, 'n', 0)",
        "DELETE FROM checkpoints",
        "INSERT INTO appends (first_position, last_position, appended_by, appended_at) VALUES (9999, 9999, 'x', 0)",
        "DELETE FROM append_staging",
        "DELETE FROM api_tokens",
        "UPDATE api_tokens SET role = 'secretariat'",
        "CREATE TABLE intruder (x int)",
    ]
    .map(str::to_owned)
    .to_vec();
    statements.push(format!(
        "INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash) \
         VALUES ({}, '{}', {}, '{}', {}, {}, '{}', '\\x{}')",
        forged.position,
        forged.stream,
        forged.version,
        forged.event_type,
        forged.occurred_at,
        forged.recorded_at,
        forged.record.replace('\'', "''"),
        hex(&forged.hash)
    ));
    statements.push(format!(
        "INSERT INTO commands (command_id, stream, first_position, last_position, first_version, last_version, \
         recorded_at, request_digest) VALUES ('c', '{}', 1, 1, 1, 1, 0, sha256('x'))",
        forged.stream
    ));
    for (statement, error) in refused_statements(&as_writer, &statements) {
        assert!(error.contains("permission denied"), "{statement}: {error}");
    }

    // The reading role reads, verifies and reports, and can write nothing.
    assert!(ok(d, &as_reader, &["verify"]).starts_with("verified "));
    assert_eq!(
        ok(d, &as_reader, &["snapshot", "--year", "2013"]),
        ok(d, &as_writer, &["snapshot", "--year", "2013"])
    );
    ok(d, &as_reader, &["trace", "activity", ACTIVITY]);
    assert_eq!(ok(d, &as_reader, &["log"]), ok(d, &as_writer, &["log"]));
    assert_eq!(ok(d, &as_reader, &["checkpoint", "--list"]).lines().count(), 1);
    let events_before = ok(d, &as_writer, &["log"]);
    let rate = r#"{"rate": {"from": "EUR", "to": "USD", "rate": "1.3", "date": "2013-05-01", "source": "ECB"}}"#;
    let append = smes(
        d,
        &["--database", &as_reader, "exchange-rate", "record", "--json", rate],
    );
    assert!(!append.status.success(), "the reading role appended");
    let message = stderr(&append);
    assert!(
        message.contains("this database role may not append to the log: permission denied for function"),
        "{message}"
    );
    let kept = smes(d, &["--database", &as_reader, "checkpoint", "--store"]);
    assert!(!kept.status.success(), "the reading role kept a checkpoint");
    assert!(
        stderr(&kept).contains("this database role may not keep a checkpoint"),
        "{}",
        stderr(&kept)
    );
    assert_eq!(ok(d, &as_writer, &["log"]), events_before, "nothing was written");
    statements.push("SELECT smes_append_prepare(1, '{}', '{}', NULL)".to_owned());
    statements.push("INSERT INTO append_staging (position) VALUES (1)".to_owned());
    statements.push(
        "INSERT INTO actors (actor, person, key_id, nonce, ciphertext) VALUES ('a', 'p', 'k', 'n', 'c')".to_owned(),
    );
    statements.push("DELETE FROM personal_data_keys".to_owned());
    statements.push("UPDATE link_index_head SET last_generation = last_generation".to_owned());
    for (statement, error) in refused_statements(&as_reader, &statements) {
        assert!(error.contains("permission denied"), "{statement}: {error}");
    }
    drop(roles);
}

#[test]
fn the_append_function_refuses_rows_that_do_not_extend_the_chain_and_writes_nothing() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &database.url, &["init"]);
    let roles = DocumentedRoles::create(&database);
    let as_writer = roles.url(&roles.writer);
    ok(d, &as_writer, &["member-state", "load"]);
    let before_head = database.query(async |connection| head_row(connection).await);
    let next = chained_after(&before_head);
    let (position, version) = (next.position, next.version);
    let other_stream = format!("{}-forged", next.stream);

    let broken_link = rehashed(&next, |record| {
        with_member(record, "prev_hash", &format!("\"{}\"", "0".repeat(64)))
    });
    let wrong_hash = EventRow {
        hash: sha256(b"another record"),
        ..next.clone()
    };
    let stream_column = EventRow {
        stream: other_stream.clone(),
        ..next.clone()
    };
    let skipped_version = rehashed(
        &EventRow {
            version: version + 1,
            ..next.clone()
        },
        |record| with_member(record, "version", &(version + 1).to_string()),
    );
    let type_column = EventRow {
        event_type: "Forged".to_owned(),
        ..next.clone()
    };
    let business_time_column = EventRow {
        occurred_at: next.occurred_at - 1,
        ..next.clone()
    };
    let record_time_column = EventRow {
        recorded_at: next.recorded_at + 1,
        ..next.clone()
    };
    // 2000-01-01T00:00:00Z, before anything the store recorded.
    let back_in_time = rehashed(
        &EventRow {
            recorded_at: 946_684_800_000_000,
            ..next.clone()
        },
        |record| with_member(record, "recorded_at", "\"2000-01-01T00:00:00.000000Z\""),
    );
    let no_extras = Extras::default();
    let wrong_command = Extras {
        command: Some((
            "5e1a0000-0000-4000-8000-00000000c0de".to_owned(),
            other_stream,
            position,
            position,
            version,
            version,
            next.recorded_at,
        )),
        node: None,
    };
    let node_beyond = Extras {
        command: None,
        node: Some((8, 1_000)),
    };
    let cases: Vec<(&str, Vec<EventRow>, bool, &Extras, String)> = vec![
        (
            "a gap",
            vec![gap_of(&next)],
            false,
            &no_extras,
            format!("expected position {position} next"),
        ),
        (
            "a broken link",
            vec![broken_link],
            false,
            &no_extras,
            "the record links to 0000".to_owned(),
        ),
        (
            "a hash of something else",
            vec![wrong_hash],
            false,
            &no_extras,
            "is not the hash of the record".to_owned(),
        ),
        (
            "a stream column",
            vec![stream_column],
            false,
            &no_extras,
            "the stream column says".to_owned(),
        ),
        (
            "a version skipped",
            vec![skipped_version],
            false,
            &no_extras,
            format!("is at version {}", version - 1),
        ),
        (
            "an event type column",
            vec![type_column],
            false,
            &no_extras,
            "the event_type column says Forged".to_owned(),
        ),
        (
            "a business time column",
            vec![business_time_column],
            false,
            &no_extras,
            "the occurred_at column says".to_owned(),
        ),
        (
            "a record time column",
            vec![record_time_column],
            false,
            &no_extras,
            "the recorded_at column says".to_owned(),
        ),
        (
            "a record time back",
            vec![back_in_time],
            false,
            &no_extras,
            "earlier than the previous event's".to_owned(),
        ),
        (
            "a second row that does not link to the first",
            vec![
                next.clone(),
                rehashed(&chained_after(&next), |record| {
                    with_member(record, "prev_hash", &format!("\"{}\"", hex(&before_head.hash)))
                }),
            ],
            false,
            &no_extras,
            format!(
                "position {}: the record links to {} but the previous hash is {}",
                position + 1,
                hex(&before_head.hash),
                hex(&next.hash)
            ),
        ),
        (
            "a command entry of another stream",
            vec![next.clone()],
            false,
            &wrong_command,
            "its stream is not the stream".to_owned(),
        ),
        (
            "a Merkle node beyond the log",
            vec![next.clone()],
            false,
            &node_beyond,
            "does not lie within the log".to_owned(),
        ),
        (
            "a staged hash of something else",
            vec![EventRow {
                hash: sha256(b"x"),
                ..next.clone()
            }],
            true,
            &no_extras,
            "is not the hash of the record".to_owned(),
        ),
        (
            "a staged gap",
            vec![gap_of(&next)],
            true,
            &no_extras,
            format!("expected position {position} next"),
        ),
        (
            "a record whose columns agree with its members but not in canonical text",
            vec![rehashed(&next, |record| with_member(record, "id", "\"not-a-uuid\""))],
            false,
            &no_extras,
            format!(
                "position {position}: the record's members before its metadata are not the canonical text of its columns"
            ),
        ),
    ];
    runtime().block_on(async {
        let mut connection = connect(&as_writer).await;
        let counts = table_counts(&mut connection).await;
        for (case, rows, staged, extras, expected) in &cases {
            let error = if *staged {
                // The real writer stages inside its append transaction, which the refusal
                // rolls back with the staged rows.
                let mut transaction = connection.begin().await.unwrap();
                let error = append_write(&mut transaction, rows, true, extras)
                    .await
                    .expect_err(case);
                transaction.rollback().await.unwrap();
                error
            } else {
                append_write(&mut connection, rows, false, extras)
                    .await
                    .expect_err(case)
            };
            let message = error.to_string();
            assert!(message.contains("append refused: "), "{case}: {message}");
            assert!(message.contains(expected.as_str()), "{case}: {message}");
            assert_eq!(table_counts(&mut connection).await, counts, "{case}: nothing written");
        }

        // Columns of different lengths: a record without its hash is refused, not left out.
        let error = sqlx::query_scalar::<_, i64>(
            "SELECT smes_append_write(false, $1, $2, $3, $4, $5, $6, $7, '{}', '{}', '{}', '{}', '{}', '{}', '{}', \
             '{}', '{}', '{}', '{}', '{}', '{}', NULL, NULL)",
        )
        .bind(vec![next.position])
        .bind(vec![next.stream.clone()])
        .bind(vec![next.version])
        .bind(vec![next.event_type.clone()])
        .bind(vec![next.occurred_at])
        .bind(vec![next.recorded_at])
        .bind(vec![next.record.clone()])
        .fetch_one(&mut connection)
        .await
        .expect_err("columns of different lengths");
        assert!(
            error
                .to_string()
                .contains("append refused: the 1 events' columns are not all of that length"),
            "{error}"
        );
        assert_eq!(
            table_counts(&mut connection).await,
            counts,
            "columns of different lengths: nothing written"
        );

        // The row that extends the chain correctly is taken, staged or not, stamped with the
        // role that sent it (in a transaction rolled back: the log stays as the app wrote it).
        for staged in [false, true] {
            let mut transaction = connection.begin().await.unwrap();
            let head = append_write(&mut transaction, std::slice::from_ref(&next), staged, &no_extras)
                .await
                .unwrap_or_else(|error| panic!("staged {staged}: {error}"));
            assert_eq!(head, position);
            let by: String = sqlx::query_scalar("SELECT appended_by FROM appends WHERE first_position = $1")
                .bind(position)
                .fetch_one(&mut *transaction)
                .await
                .unwrap();
            assert_eq!(by, roles.writer);
            transaction.rollback().await.unwrap();
        }
        assert_eq!(table_counts(&mut connection).await, counts);
        let _ = connection.close().await;
    });
    assert!(ok(d, &as_writer, &["verify"]).starts_with("verified "));
    drop(roles);
}

/// `row` one position further on (record and column), hashed again: a gap after the head.
fn gap_of(row: &EventRow) -> EventRow {
    rehashed(
        &EventRow {
            position: row.position + 1,
            ..row.clone()
        },
        |record| with_member(record, "position", &(row.position + 1).to_string()),
    )
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
