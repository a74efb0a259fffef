//! Reading the SELA-SMEs Programme record for views: the link index kept beside the log, the
//! views read through it, the log prefix a report is made from, what is published, and the raw
//! log as the events export writes it.
//!
//! The key design choice: this is the one crate of the read side that touches the store. It
//! reads, decodes each recorded event into an [`smes_projections::Envelope`] ([`envelope`]),
//! and hands plain data to the pure crates: a [`smes_projections::LogSlice`] to the folds of
//! `smes-projections` and the renderers of `smes-reports` and `smes-exports`, which depend on no
//! database driver. A view is read once and fixes its prefix and anchor ([`log::read_log`] for
//! the whole prefix, [`view::read_view`] for the streams a view needs through the link index);
//! whatever is made from it after is a pure function of that data.

mod decode;
pub mod envelope;
pub mod error;
pub mod events;
pub mod index;
pub mod log;
pub mod publication;
pub mod report;
pub mod view;

pub use error::{Error, Result};
pub use log::read_log;
pub use view::{View, read_view};
