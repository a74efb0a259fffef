//! Opening a record by its location: the event log and its key store, on SQLite (a path or a
//! `sqlite://` URL, the default) or on PostgreSQL (a `postgres://` URL). Everything above
//! this point works on [`EventStore`] and [`KeyStore`] alone, so every command runs on both.

use std::sync::Arc;

use smes_eventlog::postgres::is_postgres_url;
use smes_eventlog::{EventStore, PostgresConfig, PostgresEventStore, SqliteEventStore, StoreOptions, StoredCheckpoint};

use crate::error::Result;
use crate::key_store::{PostgresKeyStore, SqliteKeyStore};
use crate::personal_data::{KeyStore, RandomSource};

/// A URL with its password replaced by `***`: the one function every message naming a log uses.
pub use smes_eventlog::without_password;

/// An opened event log of either backend.
#[derive(Debug, Clone)]
pub enum Database {
    /// An embedded SQLite file.
    Sqlite(Arc<SqliteEventStore>),
    /// A PostgreSQL database.
    Postgres(Arc<PostgresEventStore>),
}

impl Database {
    /// Opens the log at `location`: a `postgres://` (or `postgresql://`) URL, or else a SQLite
    /// path or `sqlite://` URL. With `options.create` a missing log is created.
    pub async fn open(location: &str, options: StoreOptions) -> Result<Self> {
        Self::open_with(location, options, PostgresConfig::default()).await
    }

    /// Opens the log at `location` as [`Database::open`] does, with `postgres` as the settings
    /// of a PostgreSQL log (ignored for SQLite).
    pub async fn open_with(location: &str, options: StoreOptions, postgres: PostgresConfig) -> Result<Self> {
        Ok(if is_postgres_url(location) {
            Database::Postgres(Arc::new(
                PostgresEventStore::open_with(location, options, postgres).await?,
            ))
        } else {
            Database::Sqlite(Arc::new(SqliteEventStore::open(location, options).await?))
        })
    }

    /// The log.
    pub fn store(&self) -> Arc<dyn EventStore> {
        match self {
            Database::Sqlite(store) => Arc::clone(store) as Arc<dyn EventStore>,
            Database::Postgres(store) => Arc::clone(store) as Arc<dyn EventStore>,
        }
    }

    /// The log, borrowed.
    pub fn events(&self) -> &dyn EventStore {
        match self {
            Database::Sqlite(store) => store.as_ref(),
            Database::Postgres(store) => store.as_ref(),
        }
    }

    /// Where the log is, for people: the SQLite file's path, or the PostgreSQL URL with any
    /// password replaced by `***`.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(store) => store.path().display().to_string(),
            Database::Postgres(store) => without_password(store.location()),
        }
    }

    /// The key store beside the log (same file or database), drawing new keys from `random`.
    pub async fn open_keys(&self, random: Arc<dyn RandomSource>) -> Result<Arc<dyn KeyStore>> {
        Ok(match self {
            Database::Sqlite(store) => Arc::new(SqliteKeyStore::open(store.path(), random).await?),
            Database::Postgres(store) => Arc::new(PostgresKeyStore::open(store.location(), random).await?),
        })
    }

    /// Keeps a signed checkpoint with the log; false if the same one was kept already.
    pub async fn store_checkpoint(&self, origin: &str, tree_size: u64, note: &str) -> Result<bool> {
        Ok(match self {
            Database::Sqlite(store) => store.store_checkpoint(origin, tree_size, note).await?,
            Database::Postgres(store) => store.store_checkpoint(origin, tree_size, note).await?,
        })
    }

    /// Keeps a checkpoint copied from another copy of this log, with the time it was stored
    /// there; false if it was kept already.
    pub async fn keep_checkpoint(&self, kept: &StoredCheckpoint) -> Result<bool> {
        Ok(match self {
            Database::Sqlite(store) => store.keep_checkpoint(kept).await?,
            Database::Postgres(store) => store.keep_checkpoint(kept).await?,
        })
    }

    /// The checkpoints kept with the log, by tree size.
    pub async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        Ok(match self {
            Database::Sqlite(store) => store.checkpoints().await?,
            Database::Postgres(store) => store.checkpoints().await?,
        })
    }
}
