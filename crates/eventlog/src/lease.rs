//! Projection leases: which process applies a projection, when several could.
//!
//! A projection worker (such as the one keeping the link index) takes a lease named after its
//! projection before it applies anything, and holds it for as long as it runs. At most one
//! holder of a name exists at a time across every process on the log; the lease is let go
//! when its holder drops it, and also when the holder dies, since the lock lives in what the
//! operating system or the database server frees with the process:
//!
//! - PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of the
//!   lease's own, held for the lease's life. It ends with the session: when the lease is
//!   dropped, when the process dies, or when the connection is lost.
//! - SQLite: an exclusive `flock` on a lock file beside the database (`<file>-lease-<name>`),
//!   which the kernel releases when the file is closed, with the process if need be. SQLite
//!   gives no named lock that outlives a transaction, and holding a write transaction for the
//!   worker's life would stop every append.
//!
//! A lease decides who does the work; it is not what keeps the work correct. Writes a worker
//! makes under a lease are still checked as every write is (the link index's extend compares
//! its head), so a holder that lost its lease without noticing cannot apply anything twice.

use std::fs::File;

use sqlx::{Connection, PgConnection};

use crate::error::{Error, InvalidInput, Result};

/// The longest lease name.
const MAX_NAME: usize = 64;

/// The first key of every projection lease's advisory lock on PostgreSQL ("smes" in ASCII); the
/// second is the server's hash of the name. Two-key advisory locks never meet the one-key lock
/// appends take.
pub(crate) const LEASE_LOCK_CLASS: i32 = 0x736d_6573;

/// Checks a lease name: 1 to 64 of `a-z`, `0-9`, `-` and `_`.
pub(crate) fn check_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if name.is_empty() || name.len() > MAX_NAME || !name.chars().all(allowed) {
        return Err(InvalidInput::new(
            "lease name",
            format!("{name:?} must be 1 to {MAX_NAME} of a-z, 0-9, '-' and '_'"),
        )
        .into());
    }
    Ok(())
}

/// What holds the lock.
enum Holder {
    /// A PostgreSQL session holding the advisory lock.
    Postgres(PgConnection),
    /// A lock file with an exclusive lock on it.
    File(File),
}

/// The right to apply one projection, held by one process at a time. Released when dropped
/// (or with [`ProjectionLease::release`]), or when the process holding it dies.
pub struct ProjectionLease {
    name: String,
    holder: Holder,
}

impl std::fmt::Debug for ProjectionLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.holder {
            Holder::Postgres(_) => "postgres advisory lock",
            Holder::File(_) => "lock file",
        };
        f.debug_struct("ProjectionLease")
            .field("name", &self.name)
            .field("holder", &kind)
            .finish()
    }
}

impl ProjectionLease {
    /// A lease held by a PostgreSQL session.
    pub(crate) fn postgres(name: &str, connection: PgConnection) -> Self {
        ProjectionLease {
            name: name.to_owned(),
            holder: Holder::Postgres(connection),
        }
    }

    /// A lease held by an exclusive lock on `file`.
    pub(crate) fn file(name: &str, file: File) -> Self {
        ProjectionLease {
            name: name.to_owned(),
            holder: Holder::File(file),
        }
    }

    /// The projection's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks that the lease is still held: on PostgreSQL, that its session is alive (a
    /// session-level lock is held until the session ends). Fails with [`Error::LeaseLost`]
    /// otherwise; the holder must then stop applying and take a lease again.
    pub async fn check(&mut self) -> Result<()> {
        match &mut self.holder {
            Holder::Postgres(connection) => connection.ping().await.map_err(|error| Error::LeaseLost {
                name: self.name.clone(),
                detail: format!("its database session ended: {error}"),
            }),
            // A lock on an open file is held until the file is closed.
            Holder::File(_) => Ok(()),
        }
    }

    /// Lets the lease go at once (dropping it does too, the PostgreSQL session then ending
    /// when its connection closes).
    pub async fn release(self) -> Result<()> {
        match self.holder {
            Holder::Postgres(mut connection) => {
                // Unlocked at once; closing alone would leave the server to notice the session end.
                sqlx::query("SELECT pg_advisory_unlock($1, hashtext($2))")
                    .bind(LEASE_LOCK_CLASS)
                    .bind(&self.name)
                    .execute(&mut connection)
                    .await?;
                connection.close().await?;
                Ok(())
            }
            Holder::File(file) => {
                // Closing the file releases the lock; unlocking first says so explicitly.
                let _ = file.unlock();
                Ok(())
            }
        }
    }
}
