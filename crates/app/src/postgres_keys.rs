//! The key store on PostgreSQL: tables `personal_data_keys` and `actors` of the event log's
//! own database, created by the log's migrations, reached through sqlx.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use smes_domain::ids::PersonId;
use smes_domain::personal_data::SealedPersonalData;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::error::Result;
use crate::key_tables;
use crate::personal_data::{KeyStore, KeyStoreContents, PersonKey, RandomSource};

/// How long forgetting waits for older snapshots to end before it gives up.
const FORGET_WAIT: Duration = Duration::from_secs(30);

/// Per-person keys in the event log's PostgreSQL database. Open the event log first (its
/// migrations create the tables), then the key store on the same URL.
pub struct PostgresKeyStore {
    pool: PgPool,
    random: Arc<dyn RandomSource>,
}

impl std::fmt::Debug for PostgresKeyStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("PostgresKeyStore").finish_non_exhaustive()
    }
}

impl PostgresKeyStore {
    /// Opens the key store in the database at the `postgres://` URL `location`, drawing new
    /// keys from `random`.
    pub async fn open(location: &str, random: Arc<dyn RandomSource>) -> Result<Self> {
        let options = PgConnectOptions::from_str(location)?;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(PostgresKeyStore { pool, random })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl KeyStore for PostgresKeyStore {
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

    /// Deletes the key, waits until no snapshot from before the deletion can remain, then
    /// rewrites the key table (`VACUUM FULL`). A `DELETE` alone only marks the row dead and
    /// leaves its bytes in the table's page; the rewrite copies the live rows into new files
    /// and drops the old ones, but it must also keep a dead row that an older snapshot could
    /// still see, hence the wait: for every transaction on the server that began before the
    /// deletion to end (any of them lowers the horizon of every new snapshot, the rewrite's
    /// own included), and for this database's other sessions to drop older snapshots (a long
    /// report or an autovacuum's analyze may hold one for a moment). The table is small; the
    /// rewrite holds its lock for milliseconds. What PostgreSQL keeps outside the table
    /// (write-ahead log segments until they are recycled, archives, base backups, replicas) is
    /// the operator's to manage: docs/audit.md says how.
    async fn forget(&self, person: PersonId) -> Result<bool> {
        let mut transaction = self.pool.begin().await?;
        let deleted = sqlx::query(key_tables::DELETE_KEY)
            .bind(person.to_string())
            .execute(&mut *transaction)
            .await?;
        let deleting: String = sqlx::query_scalar("SELECT pg_current_xact_id()::text")
            .fetch_one(&mut *transaction)
            .await?;
        transaction.commit().await?;
        let deadline = std::time::Instant::now() + FORGET_WAIT;
        loop {
            // Clear once every transaction as old as the deletion has ended, anywhere on the
            // server (a new snapshot's xmin is the oldest one still running, and the rewrite's
            // own snapshot would otherwise keep the row), and no other session of this
            // database still holds a snapshot from before it.
            let clear: bool = sqlx::query_scalar(
                "SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::text::xid8 \
                 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL \
                 AND age(backend_xmin) >= age($1::text::xid8::xid))",
            )
            .bind(&deleting)
            .fetch_one(&self.pool)
            .await?;
            if clear {
                break;
            }
            if std::time::Instant::now() >= deadline {
                return Err(crate::Error::PersonalData {
                    person: person.to_string(),
                    reason: "the key is deleted, but a transaction or snapshot from before the deletion is still \
                             open, so the table cannot yet be cleared of the dead row; forget again when it ends"
                        .to_owned(),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sqlx::query("VACUUM FULL personal_data_keys")
            .execute(&self.pool)
            .await?;
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
