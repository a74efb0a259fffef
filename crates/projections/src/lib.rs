//! The read side of the SELA-SMEs Programme record: the work programme, the evaluation
//! history, the needs register, the counterpart directory, the funding ledger and the decision
//! trace, each rebuilt from the event log.
//!
//! The key design choice: every read model is one pure, total fold ([`Projection::apply`])
//! over [`Envelope`]s in log order, and that same fold serves full rebuilds, live catch-up and
//! as-of questions, so they cannot disagree. An as-of question is a [`Cut`] of the log (by
//! business date, record time, log position or any mix) and its answer is, by definition,
//! the fold of the events the cut admits ([`fold_cut`]). Folds therefore accept any filtered
//! history without failing: an event whose predecessors were cut away is kept as a partial
//! record (each model says how), never a panic.
//!
//! Corrections are events like any other and take effect from their own business date: the
//! app records a correcting event (`ResultCorrected`, `InKindContributionRevalued`,
//! `CounterpartDetailsCorrected`) with `occurred_at` at the start of the correction's
//! `effective_from`, so "as of D" includes it exactly when it applies on D. When folded, a
//! correction replaces the corrected figures and is listed (what it corrects, why, from
//! when, at which position) beside the record, which also keeps the value first recorded.
//!
//! Past answers are made fast by [`AsOfIndex`]: checkpoints along the log answer record-time
//! and position cuts from the nearest checkpoint, and models kept per chosen business date
//! answer those dates at once, because a checkpoint taken at a position cannot by itself
//! answer a business-date question once back-dated events exist (see [`as_of`]).
//!
//! Views such as [`WorkProgrammeModel::year`] are pure functions of a model. The decision
//! trace keeps only log positions and links, and turns the events at those positions into
//! steps when asked ([`DecisionTrace::trace`]), so it stays small over a long log. Money is
//! never added across currencies: [`Amounts`] keeps a map currency → amount, and a view
//! converts only with a rate recorded in the log.
//!
//! The crate does no IO and depends on no store: what is read from the log reaches it as plain
//! data ([`StoredPayload`], decoded into an [`Envelope`]; a [`LogSlice`] of envelopes with its
//! [`Anchor`]), so the folds compile and run without a database driver.

pub mod activities;
pub mod amounts;
pub mod as_of;
pub mod counterparts;
pub mod cut;
pub mod envelope;
pub mod error;
pub mod evaluation;
pub mod funding;
pub mod ledger;
pub mod log_slice;
pub mod models;
pub mod needs;
pub mod participation;
pub mod projection;
pub mod reach;
pub mod trace;
pub mod work_programme;

pub use amounts::{Amounts, FundingSource};
pub use as_of::AsOfIndex;
pub use cut::{Cut, Occurred, fold_cut, resume_cut};
pub use envelope::{DomainEvent, Envelope, StoredPayload};
pub use error::{Error, Result};
pub use log_slice::{Anchor, LogSlice};
pub use models::ReadModels;
pub use projection::Projection;
pub use reach::{LinkMap, Reach};
pub use trace::DecisionTrace;
pub use work_programme::WorkProgrammeModel;

#[cfg(test)]
mod tests;
