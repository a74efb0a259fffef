//! The key store on SQLite: table `personal_data_keys` (and `actors`) of the event log's own
//! database file, created by the log's migrations, reached through sqlx.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use smes_domain::ids::PersonId;
use smes_domain::personal_data::SealedPersonalData;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::Result;
use crate::personal_data::{KeyStore, PersonKey, RandomSource};

/// Per-person keys in the event log's SQLite file. Open the event log first (its migrations
/// create the tables), then the key store on the same location.
pub struct SqliteKeyStore {
    pool: SqlitePool,
    random: Arc<dyn RandomSource>,
}

impl std::fmt::Debug for SqliteKeyStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SqliteKeyStore").finish_non_exhaustive()
    }
}

impl SqliteKeyStore {
    /// Opens the key store in the database at `path` (which must exist), drawing new keys
    /// from `random`.
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
        Ok(SqliteKeyStore { pool, random })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn key_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<PersonKey> {
    let key_id: String = row.try_get(0)?;
    let bytes: Vec<u8> = row.try_get(1)?;
    let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| crate::Error::PersonalData {
        person: key_id.clone(),
        reason: "the stored key is not 32 bytes".to_owned(),
    })?;
    Ok(PersonKey::new(key_id, key))
}

#[async_trait]
impl KeyStore for SqliteKeyStore {
    async fn key_for(&self, person: PersonId) -> Result<PersonKey> {
        let candidate = PersonKey::generate(self.random.as_ref());
        // Two callers may create a key for the same person at once: the first insert wins and
        // both read the winner.
        sqlx::query(
            "INSERT INTO personal_data_keys (person, key_id, key, created_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (person) DO NOTHING",
        )
        .bind(person.to_string())
        .bind(&candidate.key_id)
        .bind(candidate.bytes().as_slice())
        .bind(jiff::Timestamp::now().as_microsecond())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT key_id, key FROM personal_data_keys WHERE person = ?1")
            .bind(person.to_string())
            .fetch_one(&self.pool)
            .await?;
        key_from_row(&row)
    }

    async fn key_by_id(&self, key_id: &str) -> Result<Option<PersonKey>> {
        let row = sqlx::query("SELECT key_id, key FROM personal_data_keys WHERE key_id = ?1")
            .bind(key_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(key_from_row).transpose()
    }

    /// Deletes the key (overwritten with zeros by `secure_delete`), then copies the
    /// write-ahead log into the database and truncates it, so that no earlier image of the page
    /// that held the key survives in either file.
    async fn forget(&self, person: PersonId) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM personal_data_keys WHERE person = ?1")
            .bind(person.to_string())
            .execute(&self.pool)
            .await?;
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&self.pool)
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

    async fn record_actor(&self, actor: &str, name: &SealedPersonalData) -> Result<()> {
        sqlx::query(
            "INSERT INTO actors (actor, person, key_id, nonce, ciphertext) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (actor) DO UPDATE SET person = excluded.person, key_id = excluded.key_id, \
             nonce = excluded.nonce, ciphertext = excluded.ciphertext",
        )
        .bind(actor)
        .bind(name.person().to_string())
        .bind(name.key_id())
        .bind(name.nonce())
        .bind(name.ciphertext())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn actor(&self, actor: &str) -> Result<Option<SealedPersonalData>> {
        let row = sqlx::query("SELECT person, key_id, nonce, ciphertext FROM actors WHERE actor = ?1")
            .bind(actor)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let person: String = row.try_get(0)?;
        let person: PersonId = person.parse()?;
        Ok(Some(SealedPersonalData::new(
            person,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
        )?))
    }
}
