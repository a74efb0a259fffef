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
    /// A published snapshot made again from the log differs from what was published: its
    /// anchor or a file's digest.
    #[error("publication {publication} (log position {position}) cannot be reproduced from the log: {detail}")]
    PublicationMismatch {
        /// The publication's id.
        publication: String,
        /// The position of its `SnapshotPublished` event.
        position: u64,
        /// What differs.
        detail: String,
    },
    /// A report could not be written.
    #[error("writing the {format} report failed: {detail}")]
    Render {
        format: &'static str,
        /// What went wrong.
        detail: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
