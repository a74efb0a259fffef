//! Exports of the SELA-SMEs Programme record to the cooperation ecosystem: the work programme
//! of a year as IATI 2.03 activity and organisation XML, a decision trace as W3C PROV-JSON,
//! indicators and results as a flat table (CSV or JSON), and the raw event log as JSON Lines.
//!
//! The key design choice: like the reports of `smes-reports`, an export is a pure function of
//! a log prefix ([`smes_projections::LogSlice`], read by `smes-read`) and its options. Every date it writes, including
//! IATI's `generated-datetime`, comes from the log (the record time of the last event read),
//! never from the clock, and every collection is ordered, so the same prefix and options give
//! the same bytes. Nothing is invented: what the log does not hold (an IATI identifier for a
//! counterpart, a disaggregation that was not recorded) is left out, and docs/exports.md says
//! which programme fact becomes which IATI or PROV field.
//!
//! Exports carry no personal data: counterparts appear by organisation, Secretariat staff by
//! pseudonymous actor id, focal points not at all.

mod context;
pub mod error;
pub mod events;
pub mod iati;
pub mod indicators;
pub mod prov;

pub use error::{Error, Result};
