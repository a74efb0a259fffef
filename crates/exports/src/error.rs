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
    /// A code the log holds is not in the IATI codelist its field takes: the file would not be
    /// valid IATI, so none is written.
    #[error(
        "IATI export: {record}: {field} `{code}` is not in the IATI {codelist} codelist ({allowed}); no file is written"
    )]
    CodeNotInCodelist {
        /// The record holding the code, such as `activity <id>` or `work programme 2013`.
        record: String,
        /// The IATI field, such as `recipient-country/@code`.
        field: &'static str,
        /// The code the log holds.
        code: String,
        /// The codelist, such as `Country`.
        codelist: &'static str,
        /// What the codelist takes.
        allowed: &'static str,
    },
    /// A report-side step failed: an option of the reports, or a report the export is made
    /// with.
    #[error(transparent)]
    Report(#[from] smes_reports::Error),
    /// An export could not be written.
    #[error("writing the {format} export failed: {detail}")]
    Render {
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
