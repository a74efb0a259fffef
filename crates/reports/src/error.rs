//! The crate's one error type.

/// Why a report could not be made. Option errors name the option, the value given and the
/// values allowed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An option's value is not allowed.
    #[error("{option}: {value:?} is not allowed; {allowed}")]
    InvalidOption {
        /// The option, such as `--area`.
        option: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        allowed: String,
    },
    /// What a trace was asked for is not in the log (under the cut).
    #[error("no {kind} {id} in the log{cut}")]
    UnknownSubject {
        /// `activity`, `need`, `counterpart` or `decision`.
        kind: &'static str,
        /// The id or reference given.
        id: String,
        /// The cut, described, or empty.
        cut: String,
    },
    /// The event log could not be read.
    #[error("reading the event log failed")]
    Store(#[from] smes_eventlog::Error),
    /// An event of the log could not be decoded.
    #[error("decoding the event log failed")]
    Decode(#[from] smes_projections::Error),
    /// A report could not be written.
    #[error("writing the {format} report failed: {detail}")]
    Render {
        /// The format.
        format: &'static str,
        /// What went wrong.
        detail: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
