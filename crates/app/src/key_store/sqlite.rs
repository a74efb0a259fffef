//! The key store's SQLite side: opening the event log's file, and forgetting by overwriting
//! the key with zeros and truncating the write-ahead log.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use smes_domain::ids::PersonId;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteQueryResult, SqliteSynchronous,
};

use super::{KeyBackend, SqlKeyStore, tables};
use crate::error::Result;
use crate::personal_data::RandomSource;

impl SqlKeyStore<sqlx::Sqlite> {
    /// Opens the key store in the database at `path` (which must exist: the event log's
    /// migrations create the tables), drawing new keys from `random`.
    pub async fn open(path: &std::path::Path, random: Arc<dyn RandomSource>) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(false)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            // Deleted keys are overwritten with zeros, not left in free space.
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        Ok(SqlKeyStore { pool, random })
    }
}

impl KeyBackend for sqlx::Sqlite {
    const STORE_NAME: &'static str = "SqliteKeyStore";

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    /// Deletes the key (overwritten with zeros by `secure_delete`), then copies the
    /// write-ahead log into the database and truncates it, so that no earlier image of the page
    /// that held the key survives in either file.
    async fn forget(pool: &SqlitePool, person: PersonId) -> Result<bool> {
        let deleted = sqlx::query(tables::DELETE_KEY)
            .bind(person.to_string())
            .execute(pool)
            .await?;
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(pool)
            .await?;
        if busy != 0 {
            return Err(crate::Error::PersonalData {
                person: person.to_string(),
                reason: "the key is deleted, but another connection kept the write-ahead log from being \
                         cleared of its earlier copy; forget again when no other process is using the log"
                    .to_owned(),
            });
        }
        Ok(deleted.rows_affected() > 0)
    }
}
