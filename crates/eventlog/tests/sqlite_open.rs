//! Opening SQLite logs: creation on first use, refusal of what cannot be opened, and of logs
//! written by a newer program. In every refusal nothing is written.

use smes_eventlog::{
    Error, EventStore, ExpectedVersion, Metadata, NewEvent, SqliteEventStore, StoreOptions, StreamName,
};

fn create() -> StoreOptions {
    StoreOptions {
        create: true,
        ..StoreOptions::default()
    }
}

async fn one_event(store: &SqliteEventStore) {
    store
        .append(smes_eventlog::AppendRequest::new(
            StreamName::new("s").unwrap(),
            ExpectedVersion::Any,
            vec![NewEvent::new(
                "Happened",
                1,
                "{}",
                "2013-01-01T00:00:00Z".parse().unwrap(),
            )],
            Metadata::new("a", "r", "test"),
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_log_is_created_on_first_use_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db").display().to_string();
    let error = SqliteEventStore::open(&path, StoreOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        format!("no event log at {path}; create one with `smes init`")
    );
    assert!(!dir.path().join("new.db").exists(), "nothing was created");

    let store = SqliteEventStore::open(&format!("sqlite://{path}"), create())
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap().events, 0);
}

#[tokio::test]
async fn a_path_that_cannot_be_opened_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("log.db").display().to_string();
    let error = SqliteEventStore::open(&path, create()).await.unwrap_err();
    assert!(matches!(error, Error::Open { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot open the event log at {path}")),
        "{error}"
    );
    assert!(std::error::Error::source(&error).is_some(), "the cause is kept");

    let not_a_database = dir.path().join("notes.txt");
    std::fs::write(
        &not_a_database,
        "these are not the minutes you are looking for, padded to a page ".repeat(64),
    )
    .unwrap();
    let before = std::fs::read(&not_a_database).unwrap();
    let error = SqliteEventStore::open(&not_a_database.display().to_string(), StoreOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Open { .. }), "{error}");
    assert_eq!(std::fs::read(&not_a_database).unwrap(), before, "the file is untouched");

    let error = SqliteEventStore::open("sqlite::memory:", create()).await.unwrap_err();
    assert!(matches!(error, Error::UnsupportedLocation { .. }), "{error}");
}

#[tokio::test]
async fn a_log_from_a_newer_program_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    let location = path.display().to_string();
    let store = SqliteEventStore::open(&location, create()).await.unwrap();
    one_event(&store).await;
    drop(store);
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', 1, x'00', 0)",
        [],
    )
    .unwrap();
    drop(raw);

    let error = SqliteEventStore::open(&location, StoreOptions::default())
        .await
        .unwrap_err();
    match &error {
        Error::FutureSchema { found, supported, .. } => {
            assert_eq!(*found, 99_990_101_000_000);
            assert!(supported < found);
        }
        other => panic!("expected a future-schema error, got {other}"),
    }
    assert!(error.to_string().contains("use a newer smes"), "{error}");
    let raw = rusqlite::Connection::open(&path).unwrap();
    let events: i64 = raw
        .query_row("SELECT count(*) FROM events", [], |row| row.get(0))
        .unwrap();
    assert_eq!(events, 1, "the log is as it was");
}
