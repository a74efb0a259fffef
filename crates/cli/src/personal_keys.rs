//! `smes personal-keys`: which personal-data keys nothing in the record names, and removing
//! them (docs/eventlog.md, "Idempotency").

use std::sync::Arc;

use anyhow::Result;
use clap::Subcommand;
use jiff::{SignedDuration, Timestamp};
use smes_app::OsRandom;
use smes_app::key_audit::{audit_keys, prune_keys};

use crate::wiring;

/// `smes personal-keys ...`
#[derive(Debug, Subcommand)]
pub enum PersonalKeysCommand {
    /// Count the keys held, those the log's envelopes or the actors name, and list those that
    /// nothing names (keys made for commands that wrote nothing).
    Check,
    /// Delete the keys that nothing names, sparing those made less than the given minutes ago
    /// (they may belong to a command still on its way to the log).
    Prune {
        /// Spare keys younger than this many minutes.
        #[arg(long, default_value_t = 60)]
        older_than_minutes: u32,
    },
}

/// Runs `smes personal-keys`; returns what to print.
pub async fn run(database: &str, command: PersonalKeysCommand) -> Result<String> {
    let log = wiring::open_store(database, false).await?;
    let keys = log.open_keys(Arc::new(OsRandom)).await?;
    Ok(match command {
        PersonalKeysCommand::Check => audit_keys(log.events(), keys.as_ref()).await?.to_string(),
        PersonalKeysCommand::Prune { older_than_minutes } => {
            let made_before = Timestamp::now() - SignedDuration::from_mins(i64::from(older_than_minutes));
            let pruned = prune_keys(log.events(), keys.as_ref(), made_before).await?;
            format!(
                "{}deleted {} unnamed keys made more than {older_than_minutes} minutes ago; spared {}\n",
                pruned.audit, pruned.deleted, pruned.spared
            )
        }
    })
}
