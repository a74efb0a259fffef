//! Reports of the SELA-SMEs Programme record: the work programme of a year as a snapshot
//! (Markdown, JSON, CSV, HTML), the decision trace of an activity, need, counterpart or
//! decision (Markdown, JSON, Graphviz), what changed in the work programme between two
//! points of the log (Markdown, JSON), the programme review pack of a period (Markdown with
//! SVG charts, HTML, JSON), the registers under a cut: the needs register, the counterpart
//! directory and the evaluation history (JSON), and what the Secretariat publishes: snapshots
//! checked against their published digests and the public pages of the dissemination site
//! ([`publication`]).
//!
//! The key design choice: a report is a pure function of a log prefix and its options. The
//! crate reads nothing: the prefix arrives as a [`smes_projections::LogSlice`] (read once by `smes-read`, which
//! fixes the events a report is made from and its *anchor*: the log position, the hash at that
//! position, and the Merkle tree size and root there, as a signed checkpoint states them), and
//! everything here is folding with `smes-projections` and rendering, with no clock, no
//! randomness and ordered collections only, so the same prefix and options give the same
//! bytes. Amounts are written as decimal strings
//! with their currency, never as floats, and currencies are never added together.
//!
//! Reports carry no personal data: counterparts appear by organisation, actors by role and
//! pseudonymous id, and focal points not at all.

pub mod diff;
pub mod error;
pub mod format;
pub mod options;
pub mod page;
pub mod participants;
pub mod publication;
pub mod registers;
pub mod review;
pub mod snapshot;
pub mod trace;

#[cfg(test)]
mod figures_tests;
#[cfg(test)]
mod hand_log;
#[cfg(test)]
mod reach_tests;

pub use error::{Error, Result};
pub use options::{Filter, Format, Point};

/// Pretty JSON with a final newline: the JSON form of every report.
pub(crate) fn format_json<T: serde::Serialize>(value: &T) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value).map_err(|error| Error::Render {
        format: "json",
        detail: error.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}
