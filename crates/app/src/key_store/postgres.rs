//! The key store's PostgreSQL side: opening the event log's database, and forgetting by
//! rewriting the key table once no snapshot from before the deletion remains.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use smes_domain::ids::PersonId;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgQueryResult};

use super::{KeyBackend, SqlKeyStore, tables};
use crate::error::Result;
use crate::personal_data::RandomSource;

/// How long forgetting waits for older snapshots to end before it gives up.
const FORGET_WAIT: Duration = Duration::from_secs(30);

impl SqlKeyStore<sqlx::Postgres> {
    /// Opens the key store in the database at the `postgres://` URL `location` (the event
    /// log's migrations create the tables), drawing new keys from `random`.
    pub async fn open(location: &str, random: Arc<dyn RandomSource>) -> Result<Self> {
        let options = PgConnectOptions::from_str(location)?;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(SqlKeyStore { pool, random })
    }
}

impl KeyBackend for sqlx::Postgres {
    const STORE_NAME: &'static str = "PostgresKeyStore";

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
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
    async fn forget(pool: &PgPool, person: PersonId) -> Result<bool> {
        let mut transaction = pool.begin().await?;
        let deleted = sqlx::query(tables::DELETE_KEY)
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
            .fetch_one(pool)
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
        sqlx::query("VACUUM FULL personal_data_keys").execute(pool).await?;
        Ok(deleted.rows_affected() > 0)
    }
}
