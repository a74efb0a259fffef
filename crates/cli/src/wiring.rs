//! Opening the event log, the key store and the app on one database.

use std::sync::Arc;

use anyhow::Result;
use smes_app::{App, CommandContext, CommandService, OsRandom, RandomSource, Sealer, Source, SqliteKeyStore};
use smes_eventlog::{IdSource, RandomIds, SqliteEventStore, StoreOptions, SystemClock};

/// Who runs the command, from the global options.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The pseudonymous actor id.
    pub actor: String,
    /// The role.
    pub role: String,
}

impl Actor {
    /// A context for commands from `source`.
    pub fn context(&self, source: Source) -> CommandContext {
        CommandContext::new(self.actor.clone(), self.role.clone(), source)
    }
}

/// The log, opened for reading only.
pub async fn open_store(database: &str, create: bool) -> Result<SqliteEventStore> {
    open_store_with(database, create, Arc::new(RandomIds::default())).await
}

async fn open_store_with(database: &str, create: bool, ids: Arc<dyn IdSource>) -> Result<SqliteEventStore> {
    let options = StoreOptions {
        create,
        ids,
        ..StoreOptions::default()
    };
    Ok(SqliteEventStore::open(database, options).await?)
}

/// The log with the key store on the same file and the app over both; keys and nonces come
/// from the operating system's random source.
pub async fn open_app(database: &str, create: bool, ids: Arc<dyn IdSource>) -> Result<(App, Arc<SqliteKeyStore>)> {
    open_app_with(database, create, ids, Arc::new(OsRandom)).await
}

/// As [`open_app`], with keys and nonces from `random`.
pub async fn open_app_with(
    database: &str,
    create: bool,
    ids: Arc<dyn IdSource>,
    random: Arc<dyn RandomSource>,
) -> Result<(App, Arc<SqliteKeyStore>)> {
    let store = open_store_with(database, create, Arc::clone(&ids)).await?;
    let keys = Arc::new(SqliteKeyStore::open(store.path(), Arc::clone(&random)).await?);
    let service = CommandService::new(Arc::new(store), Arc::new(SystemClock), ids);
    let sealer = Arc::new(Sealer::new(keys.clone(), random));
    Ok((App::new(service, sealer), keys))
}

/// The sealer over a log's key store, for display.
pub async fn open_sealer(store: &SqliteEventStore) -> Result<Sealer> {
    let keys = Arc::new(SqliteKeyStore::open(store.path(), Arc::new(OsRandom)).await?);
    Ok(Sealer::new(keys, Arc::new(OsRandom)))
}
