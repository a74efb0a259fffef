//! The conformance suite on the PostgreSQL backend, and what is particular to it.
//!
//! PostgreSQL must answer at 127.0.0.1:5432 (trust auth, user `postgres`, database `test`);
//! `SMES_TEST_POSTGRES` overrides the admin URL. These tests fail, never skip, when it does not
//! answer. Each fresh log gets its own database `smes_test_<unix seconds>_<random>`, dropped when
//! the test's backend is dropped; databases of that name older than an hour (left by a killed
//! run) are dropped at each test's first use.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures_util::TryStreamExt;
use smes_eventlog::conformance::{Backend, RawRow, fixed_options};
use smes_eventlog::{
    AppendRequest, Error, EventStore, ExpectedVersion, Metadata, NewEvent, PostgresConfig, PostgresEventStore,
    SqliteEventStore, StoreOptions, StreamName,
};
use sqlx::{Connection, PgConnection};

/// How long a leftover test database lives before a later test drops it.
const STALE_AFTER: Duration = Duration::from_secs(3600);

fn admin_url() -> String {
    std::env::var("SMES_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// The URL of database `name` on the admin URL's server.
fn database_url(name: &str) -> String {
    let admin = admin_url();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.unwrap_or_else(|error| {
        panic!(
            "PostgreSQL is not reachable at {url}: {error}. The PostgreSQL tests need a server at \
             127.0.0.1:5432 with trust auth and a database `test` (see DEVELOPERS.md); they never skip."
        )
    })
}

/// `<verb> "<name>"<tail>`, the name quoted as an identifier (the only dynamic part).
fn database_statement(verb: &str, name: &str, tail: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("{verb} \"{}\"{tail}", name.replace('"', "\"\"")))
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// Fresh PostgreSQL logs, one database each, dropped with the backend.
struct Postgres {
    created: Mutex<Vec<String>>,
}

fn postgres() -> Postgres {
    Postgres {
        created: Mutex::new(Vec::new()),
    }
}

impl Postgres {
    /// Creates an empty database of its own and returns its URL.
    async fn fresh_database(&self) -> String {
        let mut admin = connect(&admin_url()).await;
        drop_stale_databases(&mut admin).await;
        let name = format!("smes_test_{}_{}", unix_seconds(), uuid::Uuid::new_v4().simple());
        sqlx::raw_sql(database_statement("CREATE DATABASE", &name, ""))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        let _ = admin.close().await;
        self.created.lock().expect("lock").push(name.clone());
        database_url(&name)
    }
}

/// Drops test databases left behind by runs that were killed (older than [`STALE_AFTER`]).
async fn drop_stale_databases(admin: &mut PgConnection) {
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'smes\\_test\\_%'")
        .fetch_all(&mut *admin)
        .await
        .expect("list test databases");
    let now = unix_seconds();
    for name in names {
        let created = name
            .strip_prefix("smes_test_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|seconds| seconds.parse::<u64>().ok());
        if created.is_some_and(|created| now.saturating_sub(created) > STALE_AFTER.as_secs()) {
            let _ = sqlx::raw_sql(database_statement("DROP DATABASE IF EXISTS", &name, " WITH (FORCE)"))
                .execute(&mut *admin)
                .await;
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let names = std::mem::take(&mut *self.created.lock().unwrap_or_else(|poison| poison.into_inner()));
        if names.is_empty() {
            return;
        }
        // Dropped inside the test's runtime, which cannot be blocked on: a short-lived runtime on
        // its own thread drops the databases (forcing off the stores' idle connections).
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            runtime.block_on(async move {
                let Ok(mut admin) = PgConnection::connect(&admin_url()).await else {
                    return;
                };
                for name in names {
                    let _ = sqlx::raw_sql(database_statement("DROP DATABASE IF EXISTS", &name, " WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
                let _ = admin.close().await;
            });
        });
        let _ = dropper.join();
    }
}

async fn open(url: &str, options: StoreOptions) -> PostgresEventStore {
    PostgresEventStore::open(url, options)
        .await
        .unwrap_or_else(|error| panic!("open the log at {url}: {error:?}"))
}

async fn raw(store: &PostgresEventStore) -> PgConnection {
    connect(store.location()).await
}

#[async_trait]
impl Backend for Postgres {
    type Store = PostgresEventStore;

    async fn fresh(&self, options: StoreOptions) -> PostgresEventStore {
        let url = self.fresh_database().await;
        open(
            &url,
            StoreOptions {
                create: true,
                ..options
            },
        )
        .await
    }

    async fn reopen(&self, store: &PostgresEventStore, options: StoreOptions) -> PostgresEventStore {
        open(
            store.location(),
            StoreOptions {
                create: false,
                ..options
            },
        )
        .await
    }

    async fn insert_raw(&self, store: &PostgresEventStore, row: RawRow) {
        let mut connection = raw(store).await;
        sqlx::query(
            "INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(row.position as i64)
        .bind(&row.stream)
        .bind(row.version as i64)
        .bind(&row.event_type)
        .bind(row.occurred_at_micros)
        .bind(row.recorded_at_micros)
        .bind(&row.record)
        .bind(row.hash.as_slice())
        .execute(&mut connection)
        .await
        .expect("raw insert");
    }

    async fn overwrite_record(&self, store: &PostgresEventStore, position: u64, record: String) {
        let mut connection = raw(store).await;
        sqlx::raw_sql("DROP TRIGGER events_refuse_update ON events")
            .execute(&mut connection)
            .await
            .expect("drop trigger");
        sqlx::query("UPDATE events SET record = $1 WHERE position = $2")
            .bind(record)
            .bind(position as i64)
            .execute(&mut connection)
            .await
            .expect("tamper");
    }

    async fn delete_raw(&self, store: &PostgresEventStore, position: u64) {
        let mut connection = raw(store).await;
        sqlx::raw_sql("DROP TRIGGER events_refuse_delete ON events")
            .execute(&mut connection)
            .await
            .expect("drop trigger");
        sqlx::query("DELETE FROM events WHERE position = $1")
            .bind(position as i64)
            .execute(&mut connection)
            .await
            .expect("delete");
    }

    async fn try_update_and_delete(&self, store: &PostgresEventStore) -> (Option<String>, Option<String>) {
        let mut connection = raw(store).await;
        let update = sqlx::query("UPDATE events SET record = record || ' ' WHERE position = 1")
            .execute(&mut connection)
            .await
            .err()
            .map(|error| error.to_string());
        let delete = sqlx::query("DELETE FROM events WHERE position = 2")
            .execute(&mut connection)
            .await
            .err()
            .map(|error| error.to_string());
        (update, delete)
    }

    async fn link_rows(&self, store: &PostgresEventStore) -> Vec<(u64, String, String, u64)> {
        let mut connection = raw(store).await;
        let rows: Vec<(i64, String, String, i64)> =
            sqlx::query_as("SELECT generation, from_node, to_node, position FROM link_index ORDER BY 1, 2, 3")
                .fetch_all(&mut connection)
                .await
                .expect("link rows");
        rows.into_iter()
            .map(|(generation, from, to, position)| (generation as u64, from, to, position as u64))
            .collect()
    }

    async fn tamper(&self, store: &PostgresEventStore, sql: &str) {
        let mut connection = raw(store).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE events DISABLE TRIGGER USER; {sql}"
        )))
        .execute(&mut connection)
        .await
        .expect("tamper");
    }
}

smes_eventlog::conformance_suite!(postgres());

fn stream(name: &str) -> StreamName {
    StreamName::new(name).expect("a valid stream name")
}

fn request(name: &str, expected: ExpectedVersion, count: u64) -> AppendRequest {
    AppendRequest::new(
        stream(name),
        expected,
        (1..=count)
            .map(|n| {
                NewEvent::new(
                    "Happened",
                    1,
                    format!(r#"{{"n":{n},"text":"event {n}"}}"#),
                    "2013-03-01T00:00:00Z".parse().expect("a time"),
                )
            })
            .collect(),
        Metadata::new("actor-1", "secretariat", "test"),
    )
}

/// A fresh log on PostgreSQL and one on SQLite (in a temporary directory, kept while the
/// returned guard lives), both with the fixed clock and ids.
async fn beside_sqlite(backend: &Postgres) -> (PostgresEventStore, SqliteEventStore, tempfile::TempDir) {
    let on_postgres = backend.fresh(fixed_options()).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let on_sqlite = SqliteEventStore::open(&dir.path().join("log.db").display().to_string(), fixed_options())
        .await
        .expect("open SQLite");
    (on_postgres, on_sqlite, dir)
}

/// Both logs have the same Merkle tree head and verify alike.
async fn assert_same_tree_and_chain(on_postgres: &PostgresEventStore, on_sqlite: &SqliteEventStore) {
    assert_eq!(
        on_postgres.tree_head(None).await.unwrap(),
        on_sqlite.tree_head(None).await.unwrap()
    );
    assert_eq!(on_postgres.verify().await.unwrap(), on_sqlite.verify().await.unwrap());
}

/// The same appends with the same clock and ids give byte-identical records on SQLite and
/// PostgreSQL: the same heads, the same Merkle roots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_appends_give_the_same_bytes_as_sqlite() {
    let backend = postgres();
    let (on_postgres, on_sqlite, _dir) = beside_sqlite(&backend).await;
    let appends = || {
        let mut with_command = request("a", ExpectedVersion::NoStream, 3);
        with_command.metadata = with_command
            .metadata
            .with_command_id(uuid::Uuid::from_u128(42))
            .with_reason("a reason with \"quotes\" and é");
        vec![
            vec![with_command],
            vec![request("b", ExpectedVersion::Any, 300)],
            vec![
                request("a", ExpectedVersion::Exact(3), 2),
                request("c", ExpectedVersion::NoStream, 1),
            ],
            // Small groups on streams the writer knows: sealed from what it knows and written
            // in one statement on PostgreSQL, with the same bytes.
            vec![request("a", ExpectedVersion::Exact(5), 1)],
            vec![
                request("b", ExpectedVersion::Any, 2),
                request("c", ExpectedVersion::Exact(1), 1),
            ],
            vec![request("a", ExpectedVersion::Exact(6), 1)],
        ]
    };
    for batch in appends() {
        on_postgres.append_batch(batch).await.expect("append on PostgreSQL");
    }
    for batch in appends() {
        on_sqlite.append_batch(batch).await.expect("append on SQLite");
    }
    let (pg_head, sqlite_head) = (on_postgres.head().await.unwrap(), on_sqlite.head().await.unwrap());
    assert_eq!(pg_head, sqlite_head);
    assert_eq!(pg_head.position, 311);
    assert_eq!(on_postgres.append_paths().one_statement, 3);
    for position in [1, 4, 304, 306, 307, 309, 310, 311] {
        assert_eq!(
            on_postgres.stored_record(position).await.unwrap(),
            on_sqlite.stored_record(position).await.unwrap(),
            "record {position}"
        );
    }
    assert_eq!(
        on_postgres.tree_head(None).await.unwrap(),
        on_sqlite.tree_head(None).await.unwrap()
    );
    assert_eq!(
        on_postgres.inclusion_proof(5, 300).await.unwrap(),
        on_sqlite.inclusion_proof(5, 300).await.unwrap()
    );
    assert_eq!(on_postgres.verify().await.unwrap(), on_sqlite.verify().await.unwrap());
}

/// A group of more events than one piece is written in pieces of whole requests, one call of
/// `smes_append_write` each (so one row of `appends` each), and stores the same bytes, tree and
/// chain as SQLite, with every command registered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_larger_than_a_piece_is_written_in_pieces() {
    let backend = postgres();
    let url = backend.fresh_database().await;
    let on_postgres = open(&url, fixed_options()).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let on_sqlite = SqliteEventStore::open(&dir.path().join("log.db").display().to_string(), fixed_options())
        .await
        .expect("open SQLite");
    let batch = || {
        (0..25u128)
            .map(|n| {
                let mut append = request(&format!("stream-{n}"), ExpectedVersion::NoStream, 100);
                append.metadata = append.metadata.with_command_id(uuid::Uuid::from_u128(5_000 + n));
                append
            })
            .collect::<Vec<_>>()
    };
    for outcome in on_postgres.append_batch(batch()).await.expect("append on PostgreSQL") {
        outcome.expect("appended");
    }
    on_sqlite.append_batch(batch()).await.expect("append on SQLite");
    let mut connection = connect(&url).await;
    let pieces: Vec<(i64, i64)> =
        sqlx::query_as("SELECT first_position, last_position FROM appends ORDER BY first_position")
            .fetch_all(&mut connection)
            .await
            .unwrap();
    assert_eq!(pieces, vec![(1, 1_000), (1_001, 2_000), (2_001, 2_500)]);
    let head = on_postgres.head().await.unwrap();
    assert_eq!(head, on_sqlite.head().await.unwrap());
    assert_eq!(head.position, 2_500);
    for position in [1, 1_000, 1_001, 2_500] {
        assert_eq!(
            on_postgres.stored_record(position).await.unwrap(),
            on_sqlite.stored_record(position).await.unwrap(),
            "record {position}"
        );
    }
    let outcome = on_postgres
        .command_outcome(uuid::Uuid::from_u128(5_024))
        .await
        .unwrap()
        .expect("registered");
    assert_eq!((outcome.first_position, outcome.last_position), (2_401, 2_500));
    assert_same_tree_and_chain(&on_postgres, &on_sqlite).await;
}

/// A large group with command ids, written the long way in one piece (events and command
/// entries), stores the same bytes as SQLite, registers every command id, and answers a repeated
/// group from the register.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_group_with_command_ids_is_copied_exactly() {
    let backend = postgres();
    let (on_postgres, on_sqlite, _dir) = beside_sqlite(&backend).await;
    let batch = || {
        let mut batch: Vec<AppendRequest> = (0..100u128)
            .map(|n| {
                let mut append = request(&format!("stream-{n}"), ExpectedVersion::NoStream, 2);
                append.metadata = append
                    .metadata
                    .with_command_id(uuid::Uuid::from_u128(1_000 + n))
                    .with_reason("réunion « spéciale », \"quoted\"\ttab");
                append
            })
            .collect();
        // The same command again in the same group: answered as the first.
        batch.push(batch[7].clone());
        // The same id with other events: refused.
        let mut reused = request("elsewhere", ExpectedVersion::Any, 1);
        reused.metadata = reused.metadata.with_command_id(uuid::Uuid::from_u128(1_003));
        batch.push(reused);
        batch
    };
    let first = on_postgres.append_batch(batch()).await.expect("append on PostgreSQL");
    let on_sqlite_first = on_sqlite.append_batch(batch()).await.expect("append on SQLite");
    assert_eq!(first.len(), 102);
    for (n, outcome) in first.iter().take(100).enumerate() {
        let outcome = outcome.as_ref().expect("appended");
        assert_eq!(outcome.first_position, 2 * n as u64 + 1);
        assert!(!outcome.replayed);
    }
    let again = first[100].as_ref().expect("replayed in the group");
    assert!(again.replayed);
    assert_eq!(again.first_position, 15);
    assert!(
        matches!(first[101], Err(Error::CommandIdReused { .. })),
        "{:?}",
        first[101]
    );
    assert_eq!(format!("{first:?}"), format!("{on_sqlite_first:?}"));

    let repeated = on_postgres.append_batch(batch()).await.expect("append again");
    for (n, outcome) in repeated.iter().take(100).enumerate() {
        let outcome = outcome.as_ref().expect("replayed");
        assert!(outcome.replayed);
        assert_eq!(outcome.first_position, 2 * n as u64 + 1);
    }
    let head = on_postgres.head().await.unwrap();
    assert_eq!(head, on_sqlite.head().await.unwrap());
    assert_eq!(head.position, 200);
    for position in [1, 2, 99, 200] {
        assert_eq!(
            on_postgres.stored_record(position).await.unwrap(),
            on_sqlite.stored_record(position).await.unwrap(),
            "record {position}"
        );
    }
    let outcome = on_postgres
        .command_outcome(uuid::Uuid::from_u128(1_099))
        .await
        .unwrap()
        .expect("registered");
    assert_eq!((outcome.first_position, outcome.last_position), (199, 200));
    assert_same_tree_and_chain(&on_postgres, &on_sqlite).await;
}

/// A batch of 1,000 events or more (validated on two threads, its events sent by COPY) gets
/// the same outcomes (a refusal, a conflict and a replay among them, each in its place), ids
/// and bytes as on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_batch_with_a_refusal_a_conflict_and_a_replay_matches_sqlite() {
    let backend = postgres();
    let (on_postgres, on_sqlite, _dir) = beside_sqlite(&backend).await;
    let batch = || {
        let mut batch: Vec<AppendRequest> = (0..20u128)
            .map(|n| {
                let mut append = request(&format!("stream-{}", n % 15), ExpectedVersion::Any, 60);
                append.metadata = append.metadata.with_command_id(uuid::Uuid::from_u128(5_000 + n));
                append
            })
            .collect();
        batch[5].events[3].payload = "[\"not an object\"]".to_owned();
        batch[9].expected_version = ExpectedVersion::NoStream;
        batch[9].stream = stream("stream-2");
        batch[12] = batch[3].clone();
        batch
    };
    let outcomes = on_postgres.append_batch(batch()).await.expect("append on PostgreSQL");
    let on_sqlite_outcomes = on_sqlite.append_batch(batch()).await.expect("append on SQLite");
    assert_eq!(outcomes.len(), 20);
    assert!(matches!(outcomes[5], Err(Error::InvalidInput(_))), "{:?}", outcomes[5]);
    assert!(
        matches!(outcomes[9], Err(Error::VersionConflict { .. })),
        "{:?}",
        outcomes[9]
    );
    assert!(outcomes[12].as_ref().expect("replayed").replayed);
    assert_eq!(format!("{outcomes:?}"), format!("{on_sqlite_outcomes:?}"));
    let head = on_postgres.head().await.unwrap();
    assert_eq!(head, on_sqlite.head().await.unwrap());
    assert_eq!(head.position, 17 * 60);
    for position in [1, 61, 300, 301, 777, 1020] {
        assert_eq!(
            on_postgres.stored_record(position).await.unwrap(),
            on_sqlite.stored_record(position).await.unwrap(),
            "record {position}"
        );
    }
    assert_same_tree_and_chain(&on_postgres, &on_sqlite).await;
}

/// A writer alone on the log appends in one statement from what it knows; when another store
/// has appended since, or a command id it carries is already registered, the statement writes
/// nothing and the writer goes the long way, with the right versions, conflicts and replays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_alone_appends_in_one_statement_and_notices_another() {
    let backend = postgres();
    let first = backend.fresh(fixed_options()).await;
    let second = backend.reopen(&first, fixed_options()).await;
    let single = |name: &str, expected: ExpectedVersion, id: u128| {
        let mut append = request(name, expected, 1);
        append.metadata = append.metadata.with_command_id(uuid::Uuid::from_u128(id));
        append
    };
    // The first append reads the head; the second finds the log as the first left it, and from
    // then on the writer knows the log.
    for n in 1..=4u64 {
        first
            .append(single("x", ExpectedVersion::Exact(n - 1), u128::from(n)))
            .await
            .expect("append");
    }
    let paths = first.append_paths();
    assert_eq!((paths.one_statement, paths.long_way), (2, 2), "{paths:?}");

    // A conflict decided from what the writer knows is the log's own answer.
    let conflict = first.append(single("x", ExpectedVersion::Exact(2), 5)).await;
    assert!(
        matches!(conflict, Err(Error::VersionConflict { actual: 4, .. })),
        "{conflict:?}"
    );
    assert_eq!(first.append_paths().one_statement, 3);

    // Another store appends: the first's statement finds the head moved and writes nothing,
    // and the long way sees version 5.
    let theirs = second
        .append(single("x", ExpectedVersion::Exact(4), 6))
        .await
        .expect("the other store appends");
    assert_eq!((theirs.first_position, theirs.first_version), (5, 5));
    let after = first
        .append(single("x", ExpectedVersion::Exact(5), 7))
        .await
        .expect("the long way after the head moved");
    assert_eq!((after.first_position, after.first_version), (6, 6));
    let paths = first.append_paths();
    assert_eq!((paths.one_statement, paths.long_way), (3, 3), "{paths:?}");

    // Alone again after one long commit that found the log as it left it.
    first
        .append(single("x", ExpectedVersion::Exact(6), 8))
        .await
        .expect("append");
    first
        .append(single("x", ExpectedVersion::Exact(7), 9))
        .await
        .expect("append");
    assert_eq!(first.append_paths().one_statement, 4);

    // The other store's command, sent again through the first store: the register has it, so
    // the statement writes nothing, and the long way answers with the other store's outcome.
    let replayed = first
        .append(single("x", ExpectedVersion::Exact(4), 6))
        .await
        .expect("replayed");
    assert!(replayed.replayed);
    assert_eq!(replayed.first_position, theirs.first_position);
    assert_eq!(first.append_paths().long_way, 5);

    let events: Vec<_> = second.stream_all(1).try_collect().await.unwrap();
    assert_eq!(
        events
            .iter()
            .map(|event| (event.position, event.version))
            .collect::<Vec<_>>(),
        (1..=8).map(|n| (n, n)).collect::<Vec<_>>()
    );
    for pair in events.windows(2) {
        assert!(
            pair[1].recorded_at >= pair[0].recorded_at,
            "record time never decreases"
        );
    }
    assert_eq!(second.verify().await.unwrap().events, 8);
    assert_eq!(
        second.tree_head(None).await.unwrap(),
        first.tree_head(None).await.unwrap()
    );
}

/// A database migrated by a newer smes is refused untouched; one without the schema is not a
/// log unless creating was asked for; a non-PostgreSQL URL is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_refuses_future_schemas_and_missing_logs() {
    let backend = postgres();
    let url = backend.fresh_database().await;
    let missing = PostgresEventStore::open(&url, StoreOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing}");

    let store = open(&url, fixed_options()).await;
    store.append(request("s", ExpectedVersion::NoStream, 1)).await.unwrap();
    drop(store);
    let mut connection = connect(&url).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99991231000000, 'from the future', true, '\\x00'::bytea, 0)",
    )
    .execute(&mut connection)
    .await
    .expect("record a future migration");
    let error = PostgresEventStore::open(&url, StoreOptions::default())
        .await
        .unwrap_err();
    match error {
        Error::FutureSchema { found, .. } => assert_eq!(found, 99_991_231_000_000),
        other => panic!("expected a future schema, got {other}"),
    }
    let error = PostgresEventStore::open("sqlite://x.db", StoreOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::UnsupportedLocation { .. }), "{error}");
}

/// A log whose schema predates the link index (its migration not applied, its tables absent)
/// is brought up to date when opened: opening skips migrations only when none is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_log_gets_the_link_index_when_opened() {
    let backend = postgres();
    let url = backend.fresh_database().await;
    let store = open(&url, fixed_options()).await;
    store.append(request("s", ExpectedVersion::NoStream, 2)).await.unwrap();
    drop(store);
    let mut connection = connect(&url).await;
    sqlx::raw_sql(
        "DROP TABLE link_index, link_index_head; \
         DELETE FROM _sqlx_migrations WHERE description = 'link index'",
    )
    .execute(&mut connection)
    .await
    .expect("take the log back to before the link index");
    let store = PostgresEventStore::open(&url, StoreOptions::default()).await.unwrap();
    assert_eq!(store.link_index_head().await.unwrap(), None);
    let hash = store.head().await.unwrap().hash;
    let head = store
        .extend_link_index(None, (2, hash), vec![smes_eventlog::Link::new("a", "b", 1)])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head.position, 2);
    assert_eq!(store.verify().await.unwrap().events, 2);
}

/// Two stores on one database (as two processes would be) append concurrently: positions stay
/// gapless, each stream's versions too, and the chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_database_interleave_gaplessly() {
    let backend = postgres();
    let first = Arc::new(backend.fresh(fixed_options()).await);
    let second = Arc::new(backend.reopen(&first, fixed_options()).await);
    let mut tasks = Vec::new();
    for task in 0..4usize {
        let store = if task % 2 == 0 {
            Arc::clone(&first)
        } else {
            Arc::clone(&second)
        };
        tasks.push(tokio::spawn(async move {
            for i in 0..25 {
                store
                    .append(request(&format!("shared-{}", i % 3), ExpectedVersion::Any, 4))
                    .await
                    .unwrap();
                store
                    .append(request(&format!("own-{task}"), ExpectedVersion::Any, 1))
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let events: Vec<_> = first.stream_all(1).try_collect().await.unwrap();
    assert_eq!(
        events.iter().map(|event| event.position).collect::<Vec<_>>(),
        (1..=500).collect::<Vec<_>>()
    );
    for pair in events.windows(2) {
        assert!(
            pair[1].recorded_at >= pair[0].recorded_at,
            "record time never decreases"
        );
    }
    for name in ["shared-0", "shared-1", "shared-2", "own-0", "own-3"] {
        let versions: Vec<u64> = second
            .read_stream(&stream(name), 1, 1000)
            .await
            .unwrap()
            .iter()
            .map(|event| event.version)
            .collect();
        assert_eq!(versions, (1..=versions.len() as u64).collect::<Vec<_>>(), "{name}");
    }
    assert_eq!(first.verify().await.unwrap().events, 500);
    assert_eq!(
        second.tree_head(None).await.unwrap(),
        first.tree_head(None).await.unwrap()
    );
}

/// `stream_all` reads the log in pages it hands over in pieces: from any position it gives
/// every later event once and in order, across pages and pieces; and a reader that stops
/// taking events part way holds no connection, so that a store whose pool has one connection
/// still answers other calls meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_reader_of_many_pages_holds_no_connection() {
    let backend = postgres();
    let store = backend.fresh(fixed_options()).await;
    // Five pages of 4,000 and a part of one, in pieces of 500 and a part of one: more than the
    // reading task may hold for a reader that stops (two pages waiting and the one it reads).
    let total = 20_250u64;
    let requests = (0..81)
        .map(|n| request(&format!("s-{n}"), ExpectedVersion::NoStream, 250))
        .collect();
    for outcome in store.append_batch(requests).await.unwrap() {
        outcome.unwrap();
    }
    let config = PostgresConfig {
        max_connections: 1,
        acquire_timeout: Duration::from_secs(5),
        ..PostgresConfig::default()
    };
    let narrow = PostgresEventStore::open_with(store.location(), StoreOptions::default(), config)
        .await
        .unwrap();

    let mut reading = narrow.stream_all(1);
    let first = reading.try_next().await.unwrap().expect("an event");
    assert_eq!(first.position, 1);
    // The reader takes nothing more for now. Its reading task, given time to read all it may
    // hold, must have let the store's one connection go.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(narrow.head().await.unwrap().position, total);
    assert_eq!(narrow.read_all(total, 10).await.unwrap().len(), 1);
    let rest: Vec<u64> = reading.map_ok(|event| event.position).try_collect().await.unwrap();
    assert_eq!(rest, (2..=total).collect::<Vec<_>>());

    for from in [0, 3_999, 4_000, 4_001, 8_001, 20_001, total] {
        let positions: Vec<u64> = narrow
            .stream_all(from)
            .map_ok(|event| event.position)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(positions, (from.max(1)..=total).collect::<Vec<_>>(), "from {from}");
    }
    assert!(
        narrow
            .stream_all(total + 1)
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .is_empty(),
        "nothing after the head"
    );
}

/// Four tasks on two stores append while two readers page through the log: every page a reader
/// sees continues the gapless prefix it saw before, and at the end they have seen everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_paging_during_concurrent_appends_see_a_gapless_prefix() {
    const WRITERS: usize = 4;
    const APPENDS: usize = 40;
    const EVENTS: u64 = 3;
    let total = (WRITERS * APPENDS) as u64 * EVENTS;
    let backend = postgres();
    let first = Arc::new(backend.fresh(StoreOptions::default()).await);
    let second = Arc::new(backend.reopen(&first, StoreOptions::default()).await);
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let store = if writer % 2 == 0 {
                Arc::clone(&first)
            } else {
                Arc::clone(&second)
            };
            tokio::spawn(async move {
                for i in 0..APPENDS {
                    let name = if i % 2 == 0 {
                        "shared".to_owned()
                    } else {
                        format!("own-{writer}")
                    };
                    store
                        .append(request(&name, ExpectedVersion::Any, EVENTS))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|reader| {
            let store = if reader == 0 {
                Arc::clone(&first)
            } else {
                Arc::clone(&second)
            };
            tokio::spawn(async move {
                let mut seen = 0u64;
                let mut previous_recorded = None;
                while seen < total {
                    let page = store.read_all(seen + 1, 7).await.unwrap();
                    for event in &page {
                        seen += 1;
                        assert_eq!(event.position, seen, "reader {reader} skipped or repeated a position");
                        if let Some(previous) = previous_recorded {
                            assert!(event.recorded_at >= previous);
                        }
                        previous_recorded = Some(event.recorded_at);
                    }
                    if page.is_empty() {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
                seen
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    for reader in readers {
        assert_eq!(reader.await.unwrap(), total);
    }
    assert_eq!(first.verify().await.unwrap().events, total);
}

/// Kept checkpoints refuse deletion like the events (what the conformance suite's
/// `checkpoints_are_kept_once` checks through the store, here checked under it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_checkpoints_refuse_deletion() {
    let backend = postgres();
    let store = backend.fresh(fixed_options()).await;
    store.append(request("s", ExpectedVersion::NoStream, 3)).await.unwrap();
    assert!(
        store
            .store_checkpoint("smes.example/log", 3, "note at 3")
            .await
            .unwrap()
    );
    let mut connection = raw(&store).await;
    let refused = sqlx::query("DELETE FROM checkpoints")
        .execute(&mut connection)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");
    assert_eq!(store.checkpoints().await.unwrap().len(), 1);
}

/// A subscription on one store is woken by LISTEN/NOTIFY when another store (as another process
/// would) appends: with polling set to an hour, only the notification can wake it in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_wake_subscribers_of_other_stores() {
    let backend = postgres();
    let writer = backend.fresh(fixed_options()).await;
    let config = PostgresConfig {
        poll_interval: Duration::from_secs(3600),
        ..PostgresConfig::default()
    };
    let follower = PostgresEventStore::open_with(writer.location(), fixed_options(), config)
        .await
        .expect("open a second store");
    writer.append(request("s", ExpectedVersion::NoStream, 2)).await.unwrap();
    let mut subscription = follower.subscribe(1);
    for position in 1..=2 {
        let event = subscription.try_next().await.unwrap().expect("an event");
        assert_eq!(event.position, position);
    }
    // Caught up: give the listener time to start, then append through the other store.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for round in 0..3u64 {
        writer
            .append(request("s", ExpectedVersion::Exact(2 + round), 1))
            .await
            .unwrap();
        let event = tokio::time::timeout(Duration::from_secs(20), subscription.try_next())
            .await
            .expect("the notification woke the subscription")
            .unwrap()
            .expect("an event");
        assert_eq!(event.position, 3 + round);
    }
}

/// A projection lease on PostgreSQL is a session-level advisory lock on a connection of its
/// own: when that session ends (here terminated by the server, as a lost connection or a killed
/// process would end it), the holder's check fails and the lease is granted to another store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_is_granted_once_its_holders_session_ends() {
    let backend = postgres();
    let holder = backend.fresh(fixed_options()).await;
    let other = backend.reopen(&holder, fixed_options()).await;
    let mut lease = holder.try_lease("link-index").await.unwrap().expect("free at first");
    assert!(other.try_lease("link-index").await.unwrap().is_none());
    let mut admin = raw(&holder).await;
    let terminated: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = 'smes lease link-index'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(terminated, [true], "one session holds the lease");
    let mut granted = None;
    for _ in 0..500 {
        granted = other.try_lease("link-index").await.unwrap();
        if granted.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(granted.is_some(), "granted once the holder's session ended");
    let lost = lease.check().await.unwrap_err();
    assert!(matches!(lost, Error::LeaseLost { .. }), "{lost}");
}
