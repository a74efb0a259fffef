//! The conformance suite on the embedded SQLite backend.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use smes_eventlog::conformance::{Backend, RawRow};
use smes_eventlog::{SqliteConfig, SqliteEventStore, StoreOptions};
use tempfile::TempDir;

/// Fresh SQLite logs in a temporary directory, and raw access to them for tamper tests.
struct Sqlite {
    dir: TempDir,
    next: AtomicUsize,
}

fn sqlite() -> Sqlite {
    Sqlite {
        dir: tempfile::tempdir().expect("a temporary directory"),
        next: AtomicUsize::new(0),
    }
}

fn raw(path: &Path) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).expect("open raw");
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    connection
}

/// Opens a log, splitting reads of many streams between three read connections whatever the
/// machine's CPUs, so the split is exercised everywhere.
async fn open(path: &Path, options: StoreOptions) -> SqliteEventStore {
    let config = SqliteConfig {
        read_parallelism: 3,
        ..SqliteConfig::default()
    };
    SqliteEventStore::open_with(&path.display().to_string(), options, config)
        .await
        .expect("open the log")
}

#[async_trait]
impl Backend for Sqlite {
    type Store = SqliteEventStore;

    async fn fresh(&self, options: StoreOptions) -> SqliteEventStore {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let path: PathBuf = self.dir.path().join(format!("log-{n}.db"));
        open(
            &path,
            StoreOptions {
                create: true,
                ..options
            },
        )
        .await
    }

    async fn reopen(&self, store: &SqliteEventStore, options: StoreOptions) -> SqliteEventStore {
        open(
            store.path(),
            StoreOptions {
                create: false,
                ..options
            },
        )
        .await
    }

    async fn insert_raw(&self, store: &SqliteEventStore, row: RawRow) {
        raw(store.path())
            .execute(
                "INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                rusqlite::params![
                    row.position,
                    row.stream,
                    row.version,
                    row.event_type,
                    row.occurred_at_micros,
                    row.recorded_at_micros,
                    row.record,
                    row.hash.as_slice()
                ],
            )
            .expect("raw insert");
    }

    async fn overwrite_record(&self, store: &SqliteEventStore, position: u64, record: String) {
        let connection = raw(store.path());
        connection
            .execute_batch("DROP TRIGGER events_refuse_update")
            .expect("drop trigger");
        connection
            .execute(
                "UPDATE events SET record = ?1 WHERE position = ?2",
                rusqlite::params![record, position],
            )
            .expect("tamper");
    }

    async fn delete_raw(&self, store: &SqliteEventStore, position: u64) {
        let connection = raw(store.path());
        connection
            .execute_batch("DROP TRIGGER events_refuse_delete")
            .expect("drop trigger");
        connection
            .execute("DELETE FROM events WHERE position = ?1", [position])
            .expect("delete");
    }

    async fn try_update_and_delete(&self, store: &SqliteEventStore) -> (Option<String>, Option<String>) {
        let connection = raw(store.path());
        let update = connection
            .execute("UPDATE events SET record = record || ' ' WHERE position = 1", [])
            .err()
            .map(|error| error.to_string());
        let delete = connection
            .execute("DELETE FROM events WHERE position = 2", [])
            .err()
            .map(|error| error.to_string());
        (update, delete)
    }

    async fn link_rows(&self, store: &SqliteEventStore) -> Vec<(u64, String, String, u64)> {
        let connection = raw(store.path());
        let mut statement = connection
            .prepare("SELECT generation, from_node, to_node, position FROM link_index ORDER BY 1, 2, 3")
            .expect("prepare");
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    async fn tamper(&self, store: &SqliteEventStore, sql: &str) {
        raw(store.path())
            .execute_batch(&format!(
                "DROP TRIGGER IF EXISTS events_refuse_update; DROP TRIGGER IF EXISTS events_refuse_delete; {sql}"
            ))
            .expect("tamper");
    }
}

smes_eventlog::conformance_suite!(sqlite());
