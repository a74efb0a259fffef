//! The crate's one error type.

use smes_domain::stored::DecodeError;

/// Why an event could not be turned into an [`crate::Envelope`].
///
/// The folds themselves never fail: only reading a recorded event can.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No aggregate of the domain has an event of this type.
    #[error("event at position {position} has unknown type {event_type:?}")]
    UnknownEventType {
        /// The log position.
        position: u64,
        /// The stored type found.
        event_type: String,
    },
    /// The type is known but the payload could not be decoded.
    #[error("event at position {position} ({event_type}) could not be decoded")]
    Decode {
        /// The log position.
        position: u64,
        /// The stored type.
        event_type: String,
        /// What the domain reported.
        #[source]
        source: DecodeError,
    },
    /// The payload is not JSON.
    #[error("event at position {position} ({event_type}) has a payload that is not JSON: {detail}")]
    PayloadNotJson {
        /// The log position.
        position: u64,
        /// The stored type.
        event_type: String,
        /// What the JSON parser reported.
        detail: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
