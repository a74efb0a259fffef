//! The event store's errors.

use smes_verify::ChainError;
use uuid::Uuid;

use crate::event::ExpectedVersion;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Input the store refused: which field, and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidInput {
    /// The field, e.g. `stream`, `events[3].payload`.
    pub field: String,
    /// What was wrong.
    pub reason: String,
}

impl Error {
    /// [`Error::NotPermitted`] when the database refused `action` for want of a privilege
    /// (SQLSTATE 42501), the error itself otherwise.
    pub(crate) fn unless_permitted(self, action: &'static str) -> Error {
        match &self {
            Error::Database(sqlx::Error::Database(database)) if database.code().as_deref() == Some("42501") => {
                Error::NotPermitted {
                    action,
                    detail: database.message().to_owned(),
                }
            }
            _ => self,
        }
    }
}

impl InvalidInput {
    /// An invalid-input error for `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Everything that can go wrong in the event store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The stream was not at the expected version; nothing was written.
    #[error("version conflict on stream {stream}: expected {expected}, but the stream is at version {actual}")]
    VersionConflict {
        /// The stream.
        stream: String,
        /// What the append expected.
        expected: ExpectedVersion,
        /// The stream's actual version.
        actual: u64,
    },
    /// The append was refused because of its input; nothing was written.
    #[error("invalid append: {0}")]
    InvalidInput(#[from] InvalidInput),
    /// A command id was reused for a different append; nothing was written.
    #[error(
        "command {command_id} was already appended to stream {stream} with different events; a command id may be used for one append only"
    )]
    CommandIdReused {
        /// The reused command id.
        command_id: Uuid,
        /// The stream of the first append.
        stream: String,
    },
    /// The database could not be opened or created.
    #[error("cannot open the event log at {location}")]
    Open {
        /// The URL or path.
        location: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// The database was written by a newer version of smes.
    #[error(
        "the event log at {location} has schema version {found}, newer than the newest this program knows ({supported}); use a newer smes"
    )]
    FutureSchema {
        /// The URL or path.
        location: String,
        /// The newest migration applied to the database.
        found: i64,
        /// The newest migration this program has.
        supported: i64,
    },
    /// Applying the schema failed.
    #[error("cannot migrate the event log schema")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A database error.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// A database error on the direct SQLite path.
    #[error("SQLite error")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value had an unexpected SQLite type.
    #[error("unexpected SQLite value")]
    SqliteValue(#[from] rusqlite::types::FromSqlError),
    /// A stored record could not be decoded.
    #[error("the stored record at position {position} cannot be decoded: {detail}")]
    CorruptRecord {
        /// Where.
        position: u64,
        /// What the decoder said.
        detail: String,
    },
    /// A payload did not have the shape its reader expected.
    #[error("the payload of {event_type} at position {position} does not match its type: {detail}")]
    Payload {
        /// Where.
        position: u64,
        /// The event type.
        event_type: String,
        /// What the decoder said.
        detail: String,
    },
    /// There is no log at the given location, and creating one was not asked for.
    #[error("no event log at {location}; create one with `smes init`")]
    NotFound {
        /// The URL or path.
        location: String,
    },
    /// The location is not one this backend can hold a log in.
    #[error("unsupported event log location {location}: {reason}")]
    UnsupportedLocation {
        /// The URL or path.
        location: String,
        /// Why.
        reason: String,
    },
    /// The store's writer stopped (the process is shutting down or the writer thread failed).
    #[error("the event log's writer has stopped; nothing more can be appended by this process")]
    WriterStopped,
    /// A thread reading part of a multi-stream read stopped before it finished (the process is
    /// shutting down, or the thread panicked).
    #[error("a thread reading the event log stopped before it finished its part of the read")]
    ReaderStopped,
    /// A group commit failed because of another request's database error; nothing was written.
    #[error("the transaction this append shared with others failed, and nothing was written: {detail}")]
    GroupCommitFailed {
        /// The database error.
        detail: String,
    },
    /// The database refused the role the log was opened with a write (PostgreSQL: a reading
    /// role, or a role without the writing role's grants); nothing was written.
    #[error(
        "this database role may not {action}: {detail} (on PostgreSQL only the writing role may; \
         see docs/eventlog.md, \"Roles and what each can do\")"
    )]
    NotPermitted {
        /// What was refused, e.g. `append to the log`.
        action: &'static str,
        /// The database's message.
        detail: String,
    },
    /// The store's clock gave a time outside the years 1000 to 9999.
    #[error("the store's clock is outside the years 1000 to 9999")]
    ClockOutOfRange,
    /// The stored Merkle tree is inconsistent with the log.
    #[error("Merkle tree: {detail}")]
    MerkleState {
        /// What is wrong.
        detail: String,
    },
    /// A tree size or position beyond the log's head was asked for.
    #[error("the log has {head} events; {what} {value} is beyond it")]
    BeyondHead {
        /// What was asked for (`tree size`, `position`).
        what: &'static str,
        /// The value asked for.
        value: u64,
        /// The log's head position.
        head: u64,
    },
    /// A proof could not be made for the sizes or position given.
    #[error("cannot make that proof: {0}")]
    Proof(#[from] smes_verify::MerkleError),
    /// Records or command entries copied from another log were refused; nothing was written.
    #[error("cannot copy records into this log at position {position}: {detail}")]
    CopyRefused {
        /// The position of the first record or command entry refused.
        position: u64,
        /// What was wrong.
        detail: String,
    },
    /// A link-index write was refused (a build's generation that is live, superseded or never
    /// begun; an extend through a position before the head it expects); nothing was written.
    #[error("link index: {detail}")]
    LinkIndex {
        /// What was wrong.
        detail: String,
    },
    /// A projection lease could not be taken (its lock file could not be opened or locked).
    #[error("projection lease {name}: {detail}")]
    Lease {
        /// The lease's name.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// A projection lease held so far is no longer held (its database session ended); the
    /// holder must stop applying and take a lease again.
    #[error("projection lease {name} was lost: {detail}")]
    LeaseLost {
        /// The lease's name.
        name: String,
        /// Why.
        detail: String,
    },
    /// Verification found the chain broken (also: records copied from another log that do not
    /// extend this log's chain).
    #[error("verification failed: {0}")]
    Chain(#[from] ChainError),
    /// Verification found a signed checkpoint (kept with the log or given) that the log does
    /// not contain, or that cannot be read or whose signature does not verify.
    #[error("verification failed: {checkpoint}: {detail}")]
    Checkpoint {
        /// Which checkpoint: where it came from, its origin, size and root.
        checkpoint: String,
        /// The tree size it commits to (as its row says, if its note cannot be read; 0 for a
        /// given checkpoint that cannot be read).
        size: u64,
        /// The first and last positions between which the first position that differs lies,
        /// when the log was walked that far.
        positions: Option<(u64, u64)>,
        /// What is wrong.
        detail: String,
    },
}

impl Error {
    /// Whether this error is a version conflict (the caller may reload, decide again and retry).
    pub fn is_version_conflict(&self) -> bool {
        matches!(self, Error::VersionConflict { .. })
    }
}
