//! The crate's one error type.

/// Why an export could not be made. Option errors name the option, the value given and what
/// is allowed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An option's value is not allowed.
    #[error("{option}: {value:?} is not allowed; {allowed}")]
    InvalidOption {
        /// The option, such as `--year`.
        option: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        allowed: String,
    },
    /// The log holds no event to export (under the cut).
    #[error("the event log holds no event{cut}; nothing to export")]
    EmptyLog {
        /// The cut, described, or empty.
        cut: String,
    },
    /// A report-side step failed: reading the log, decoding an event or an option of the
    /// reports.
    #[error(transparent)]
    Report(#[from] smes_reports::Error),
    /// The event log could not be read.
    #[error("reading the event log failed")]
    Store(#[from] smes_eventlog::Error),
    /// An export could not be written.
    #[error("writing the {format} export failed: {detail}")]
    Render {
        /// The format.
        format: &'static str,
        /// What went wrong.
        detail: String,
    },
}

impl Error {
    pub(crate) fn render(format: &'static str, error: impl std::fmt::Display) -> Self {
        Error::Render {
            format,
            detail: error.to_string(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
