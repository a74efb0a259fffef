//! The domain of the SELA-SMEs Programme record: value types, commands, events and one decider
//! per aggregate: Member State, counterpart, consultation, activity, work programme, funding
//! (offers, in-kind contributions, exchange rates), cooperation source, request, programme
//! review and publication.
//!
//! The key design choice: decisions are pure. [`Decider::decide`] turns a state and a command
//! into events or a [`DomainError`]; [`Decider::evolve`] folds events into state. Nothing here
//! does IO, reads a clock or draws random numbers: new ids, business dates and every fact
//! looked up in other streams (a counterpart's standing, a work programme's status, existing
//! activities that might be duplicates) travel inside the command, so the same input always
//! gives the same events. Domain events are never serialised directly: the [`stored`] module
//! holds their versioned stored shapes. Personal data arrives already sealed
//! ([`personal_data`]).

pub mod activity;
pub mod business_time;
pub mod consultation;
pub mod cooperation_source;
pub mod counterpart;
pub mod decider;
pub mod erasure;
pub mod error;
pub mod funding;
pub mod ids;
pub mod member_state;
pub mod membership;
pub mod personal_data;
pub mod programme_review;
pub mod publication;
pub mod request;
pub mod stored;
pub mod values;
pub mod work_programme;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use business_time::OccurredOn;
pub use decider::Decider;
pub use error::{DomainError, DuplicateMatch, RecordRef, Result};
