//! The app's errors: domain refusals, store failures and the app's own checks, kept apart so
//! callers can tell "the programme's rules say no" from "the log could not be written".

use smes_domain::DomainError;
use smes_domain::stored::DecodeError;
use uuid::Uuid;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the command service and its helpers can report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The domain refused the command; nothing was written.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The event log failed or refused the append.
    #[error(transparent)]
    Store(#[from] smes_eventlog::Error),
    /// A stored event could not be read back as a domain event.
    #[error("stream {stream}, version {version}: {source}")]
    Decode {
        /// The stream read.
        stream: String,
        /// The event's version in it.
        version: u64,
        /// What the decoder said.
        #[source]
        source: DecodeError,
    },
    /// The stream kept changing while the command was decided: every attempt met a version
    /// conflict.
    #[error("stream {stream} kept changing: gave up after {attempts} attempts")]
    TooManyConflicts {
        stream: String,
        /// How many times the command was decided.
        attempts: usize,
    },
    /// A command id already committed for another stream was given again.
    #[error(
        "command {command_id} was already applied to stream {applied_to}, not to {requested}; a command id names one command"
    )]
    CommandIdReused {
        command_id: Uuid,
        /// Where the first command went.
        applied_to: String,
        /// Where this one would go.
        requested: String,
    },
    /// A command id already recorded for one command was given with a different command.
    #[error(
        "command id {command_id} was already used for a different command (applied to stream {applied_to}); \
         nothing was written: a retry must send the same command, and a new command needs a new command id"
    )]
    CommandIdUsedForAnotherCommand {
        command_id: Uuid,
        /// Where the first command went.
        applied_to: String,
    },
    /// A command could not be read (a line of an import file, a `--json` argument).
    #[error("invalid command: {0}")]
    InvalidCommand(String),
    /// The key store failed.
    #[error("key store: {0}")]
    KeyStore(#[from] sqlx::Error),
    /// Sealing or opening personal data failed for a reason other than a forgotten key.
    #[error("personal data of person {person}: {reason}")]
    PersonalData {
        /// Whose data.
        person: String,
        /// What went wrong.
        reason: String,
    },
    /// `smes demo` was pointed at a log that already holds events.
    #[error(
        "the event log at {location} already holds {events} events; the demo needs a fresh log (use another --database)"
    )]
    LogNotEmpty {
        /// The log.
        location: String,
        /// How many events it holds.
        events: u64,
    },
}

impl Error {
    /// The log's refusal of a command's events, said of the command: a date outside the years
    /// the log keeps, or a record over its size limit (the log's own words name its internal
    /// fields, such as `events[0].occurred_at`).
    pub(crate) fn not_recordable(input: &smes_eventlog::InvalidInput) -> Error {
        let reason = if input.field.ends_with(".occurred_at") {
            let date = input.reason.split('T').next().unwrap_or_default();
            format!("a date of the command, {date}, is not allowed; expected a date in the years 1000 to 9999")
        } else if input.field.ends_with(".payload") && input.reason.contains("at most") {
            "the command is too large to record (its record may hold at most 1 MiB); shorten its texts".to_owned()
        } else {
            format!("the command could not be recorded: {}", input.reason)
        };
        Error::InvalidCommand(reason)
    }

    /// The domain error inside, if the domain refused.
    pub fn as_domain(&self) -> Option<&DomainError> {
        match self {
            Error::Domain(error) => Some(error),
            _ => None,
        }
    }
}
