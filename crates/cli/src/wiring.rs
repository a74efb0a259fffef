//! Opening the event log, the key store and the app on one database, SQLite or PostgreSQL.

use std::sync::Arc;

use std::time::Duration;

use anyhow::{Context, Result};
use smes_app::{App, CommandContext, CommandService, Database, KeyStore, OsRandom, RandomSource, Sealer, Source};
use smes_eventlog::{CommitDelay, IdSource, PostgresConfig, RandomIds, StoreOptions, SystemClock};

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

/// The log at `database` (a path, `sqlite://` or `postgres://` URL).
pub async fn open_store(database: &str, create: bool) -> Result<Database> {
    open_store_with(database, create, Arc::new(RandomIds::default())).await
}

async fn open_store_with(database: &str, create: bool, ids: Arc<dyn IdSource>) -> Result<Database> {
    let options = StoreOptions {
        create,
        ids,
        ..StoreOptions::default()
    };
    let postgres = PostgresConfig {
        test_commit_delay: test_commit_delay()?,
        ..PostgresConfig::default()
    };
    Ok(Database::open_with(database, options, postgres).await?)
}

/// The environment variable that makes every append transaction on PostgreSQL pause before it
/// commits: `MS` or `MIN-MAX` milliseconds. For tests only (two processes racing on a stream);
/// never set it in production.
pub const TEST_COMMIT_DELAY_VAR: &str = "SMES_TEST_COMMIT_DELAY_MS";

/// The test-only commit delay from [`TEST_COMMIT_DELAY_VAR`], if set.
fn test_commit_delay() -> Result<Option<CommitDelay>> {
    let Ok(text) = std::env::var(TEST_COMMIT_DELAY_VAR) else {
        return Ok(None);
    };
    let parse = |part: &str| {
        part.trim()
            .parse::<u64>()
            .map(Duration::from_millis)
            .with_context(|| format!("{TEST_COMMIT_DELAY_VAR}={text}: expected MS or MIN-MAX milliseconds"))
    };
    let (min, max) = match text.split_once('-') {
        Some((min, max)) => (parse(min)?, parse(max)?),
        None => (parse(&text)?, parse(&text)?),
    };
    Ok(Some(CommitDelay::between(min, max)))
}

/// The log with the key store on the same database and the app over both; keys and nonces
/// come from the operating system's random source.
pub async fn open_app(database: &str, create: bool, ids: Arc<dyn IdSource>) -> Result<(App, Arc<dyn KeyStore>)> {
    open_app_with(database, create, ids, Arc::new(OsRandom)).await
}

/// As [`open_app`], with keys and nonces from `random`.
pub async fn open_app_with(
    database: &str,
    create: bool,
    ids: Arc<dyn IdSource>,
    random: Arc<dyn RandomSource>,
) -> Result<(App, Arc<dyn KeyStore>)> {
    let log = open_store_with(database, create, Arc::clone(&ids)).await?;
    let keys = log.open_keys(Arc::clone(&random)).await?;
    let service = CommandService::new(log.store(), Arc::new(SystemClock), ids);
    let sealer = Arc::new(Sealer::new(Arc::clone(&keys), random));
    Ok((App::new(service, sealer), keys))
}

/// The sealer over a log's key store, for display.
pub async fn open_sealer(log: &Database) -> Result<Sealer> {
    let keys = log.open_keys(Arc::new(OsRandom)).await?;
    Ok(Sealer::new(keys, Arc::new(OsRandom)))
}
