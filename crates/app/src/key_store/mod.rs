//! The key store in the event log's own database, on either backend: one [`KeyStore`], generic
//! over the sqlx driver, over the statements both backends share (`tables`). What a backend does
//! its own way, opening the database and scrubbing a forgotten key from its storage, is its
//! [`KeyBackend`] (`sqlite`, `postgres`).

mod postgres;
mod sqlite;
mod tables;

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use smes_domain::ids::PersonId;
use smes_domain::personal_data::SealedPersonalData;
use sqlx::{Database, IntoArguments, Pool};

use self::tables::KeyTables;
use crate::error::Result;
use crate::personal_data::{KeyStore, KeyStoreContents, PersonKey, RandomSource};

/// Per-person keys (and actors' sealed names) in the tables `personal_data_keys` and `actors`
/// of the event log's own database, created by the log's migrations: open the event log first,
/// then the key store on the same location. [`SqliteKeyStore`] and [`PostgresKeyStore`] are its
/// two backends.
pub struct SqlKeyStore<DB: Database> {
    pool: Pool<DB>,
    random: Arc<dyn RandomSource>,
}

/// Per-person keys in the event log's SQLite file; forgetting overwrites the key with zeros
/// (`secure_delete`) and truncates the write-ahead log.
pub type SqliteKeyStore = SqlKeyStore<sqlx::Sqlite>;

/// Per-person keys in the event log's PostgreSQL database; forgetting rewrites the key table.
pub type PostgresKeyStore = SqlKeyStore<sqlx::Postgres>;

/// What a backend does its own way under the shared statements.
pub trait KeyBackend: Database<Arguments: IntoArguments<Self>> {
    /// The store's name, as `Debug` shows it.
    const STORE_NAME: &'static str;

    /// How many rows a statement changed.
    fn rows_affected(result: &Self::QueryResult) -> u64;

    /// Deletes the person's key and then scrubs it from the database's storage, so that no
    /// earlier copy of its bytes survives there. Returns whether there was one.
    fn forget(pool: &Pool<Self>, person: PersonId) -> impl Future<Output = Result<bool>> + Send;
}

impl<DB: KeyBackend> std::fmt::Debug for SqlKeyStore<DB> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct(DB::STORE_NAME).finish_non_exhaustive()
    }
}

impl<DB: Database> SqlKeyStore<DB> {
    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl<DB> KeyStore for SqlKeyStore<DB>
where
    DB: KeyBackend,
    Pool<DB>: KeyTables,
{
    async fn key_for(&self, person: PersonId) -> Result<PersonKey> {
        let candidate = PersonKey::generate(self.random.as_ref());
        self.pool.keep_first_key(person, &candidate).await
    }

    async fn key_by_id(&self, key_id: &str) -> Result<Option<PersonKey>> {
        self.pool.key_by_id(key_id).await
    }

    async fn forget(&self, person: PersonId) -> Result<bool> {
        DB::forget(&self.pool, person).await
    }

    async fn discard_unused_key(
        &self,
        person: PersonId,
        key_id: &str,
        made_before: Option<jiff::Timestamp>,
    ) -> Result<bool> {
        let made_before = made_before.map_or(i64::MAX, |time| time.as_microsecond());
        self.pool.discard_key(person, key_id, made_before).await
    }

    async fn record_actor(&self, actor: &str, name: &SealedPersonalData) -> Result<()> {
        self.pool.keep_actor(actor, name).await
    }

    async fn actor(&self, actor: &str) -> Result<Option<SealedPersonalData>> {
        self.pool.actor(actor).await
    }

    async fn export(&self) -> Result<KeyStoreContents> {
        self.pool.contents().await
    }

    async fn adopt_key(&self, person: PersonId, key: &PersonKey) -> Result<()> {
        let held = self.pool.keep_first_key(person, key).await?;
        tables::check_adopted(person, &held, key)
    }
}
