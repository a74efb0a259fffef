//! The key store on SQLite: table `personal_data_keys` (and `actors`) of the event log's own
//! database file, created by the log's migrations, reached through sqlx.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use smes_domain::ids::PersonId;
use smes_domain::personal_data::SealedPersonalData;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::Result;
use crate::key_tables;
use crate::personal_data::{KeyStore, KeyStoreContents, PersonKey, RandomSource};

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

#[async_trait]
impl KeyStore for SqliteKeyStore {
    async fn key_for(&self, person: PersonId) -> Result<PersonKey> {
        let candidate = PersonKey::generate(self.random.as_ref());
        // Two callers may create a key for the same person at once: the first insert wins and
        // both read the winner.
        sqlx::query(key_tables::INSERT_KEY)
            .bind(person.to_string())
            .bind(&candidate.key_id)
            .bind(candidate.bytes().as_slice())
            .bind(jiff::Timestamp::now().as_microsecond())
            .execute(&self.pool)
            .await?;
        let (key_id, key): (String, Vec<u8>) = sqlx::query_as(key_tables::KEY_OF_PERSON)
            .bind(person.to_string())
            .fetch_one(&self.pool)
            .await?;
        key_tables::person_key(key_id, &key)
    }

    async fn key_by_id(&self, key_id: &str) -> Result<Option<PersonKey>> {
        let row: Option<(String, Vec<u8>)> = sqlx::query_as(key_tables::KEY_BY_ID)
            .bind(key_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|(key_id, key)| key_tables::person_key(key_id, &key))
            .transpose()
    }

    /// Deletes the key (overwritten with zeros by `secure_delete`), then copies the
    /// write-ahead log into the database and truncates it, so that no earlier image of the page
    /// that held the key survives in either file.
    async fn forget(&self, person: PersonId) -> Result<bool> {
        let deleted = sqlx::query(key_tables::DELETE_KEY)
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

    async fn discard_unused_key(
        &self,
        person: PersonId,
        key_id: &str,
        made_before: Option<jiff::Timestamp>,
    ) -> Result<bool> {
        let deleted = sqlx::query(key_tables::DISCARD_KEY)
            .bind(person.to_string())
            .bind(key_id)
            .bind(made_before.map_or(i64::MAX, |time| time.as_microsecond()))
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn record_actor(&self, actor: &str, name: &SealedPersonalData) -> Result<()> {
        sqlx::query(key_tables::UPSERT_ACTOR)
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
        let row: Option<(String, String, String, String)> = sqlx::query_as(key_tables::ACTOR)
            .bind(actor)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|(person, key_id, nonce, ciphertext)| key_tables::sealed_actor(&person, key_id, nonce, ciphertext))
            .transpose()
    }

    async fn export(&self) -> Result<KeyStoreContents> {
        let keys = sqlx::query_as(key_tables::ALL_KEYS).fetch_all(&self.pool).await?;
        let actors = sqlx::query_as(key_tables::ALL_ACTORS).fetch_all(&self.pool).await?;
        key_tables::contents(keys, actors)
    }

    async fn adopt_key(&self, person: PersonId, key: &PersonKey) -> Result<()> {
        sqlx::query(key_tables::INSERT_KEY)
            .bind(person.to_string())
            .bind(&key.key_id)
            .bind(key.bytes().as_slice())
            .bind(jiff::Timestamp::now().as_microsecond())
            .execute(&self.pool)
            .await?;
        let held: (String, Vec<u8>) = sqlx::query_as(key_tables::KEY_OF_PERSON)
            .bind(person.to_string())
            .fetch_one(&self.pool)
            .await?;
        key_tables::check_adopted(person, held, key)
    }
}
