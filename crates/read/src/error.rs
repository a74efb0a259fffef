//! The crate's one error type.

/// Why the log could not be read for a view, or what was read could not be made into one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The report refused: an option's value is not allowed (the `--at-position` or
    /// `--known-at` bound of a read included), what a trace asks for is not in the log, or a
    /// published snapshot is not reproduced.
    #[error(transparent)]
    Report(#[from] smes_reports::Error),
    /// The export could not be written.
    #[error(transparent)]
    Export(#[from] smes_exports::Error),
    /// The event log could not be read.
    #[error("reading the event log failed")]
    Store(#[from] smes_eventlog::Error),
    /// An event of the log could not be decoded.
    #[error("decoding the event log failed")]
    Decode(#[from] smes_projections::Error),
    /// A thread decoding part of a view's events stopped before it finished (the process is
    /// shutting down, or the thread panicked).
    #[error("a thread decoding the event log stopped before it finished its part")]
    DecoderStopped,
    /// The link index was not built from this log (its head names an event the log does not
    /// hold).
    #[error("the link index does not match the event log at position {position}; run `smes rebuild` to build it again")]
    IndexMismatch {
        /// The position the index and the log disagree on.
        position: u64,
    },
    /// The link index was rebuilt under a view again and again.
    #[error("the link index changed under the report {attempts} times in a row (rebuilds running?); try again")]
    IndexBusy {
        /// How many times the view was read.
        attempts: usize,
    },
}

impl Error {
    /// A refusal of an option's value, in the reports' words: the option, the value given and
    /// what is allowed.
    pub(crate) fn invalid_option(option: &'static str, value: String, allowed: String) -> Self {
        Error::Report(smes_reports::Error::InvalidOption { option, value, allowed })
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
