//! Bitemporal cuts: which part of the log an as-of question reads.
//!
//! A cut bounds the log by business date (events whose `occurred_at` falls on or before the
//! end of a day, UTC), by record time (events recorded at or before an instant), by log
//! position, or by any combination. The answer to a cut is always the fold, in log order, of
//! the events the cut admits: [`fold_cut`] does exactly that, and nothing else may answer an
//! as-of question differently.
//!
//! Record-time and position cuts admit a *prefix* of the log (record time never decreases
//! along positions), so a model stored at a position can be resumed for them. A business-date
//! cut does not: an event recorded late but back-dated sits after the stored position yet
//! belongs before the date, so [`Cut::resumable_from`] says when a stored model may be used.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::envelope::Envelope;
use crate::projection::Projection;

/// Which events an as-of question reads. Every bound that is set must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cut {
    /// "As of business date D": events that occurred on or before D (UTC).
    pub as_of: Option<Date>,
    /// "As known at record time T": events recorded at or before T.
    pub known_at: Option<Timestamp>,
    /// "At log position P": events at positions up to and including P.
    pub at_position: Option<u64>,
}

impl Cut {
    /// No bound: the whole log.
    pub fn everything() -> Self {
        Cut::default()
    }

    /// As of the end of business date `date`.
    pub fn as_of(date: Date) -> Self {
        Cut {
            as_of: Some(date),
            ..Cut::default()
        }
    }

    /// As known at record time `instant`.
    pub fn known_at(instant: Timestamp) -> Self {
        Cut {
            known_at: Some(instant),
            ..Cut::default()
        }
    }

    /// At log position `position`.
    pub fn at_position(position: u64) -> Self {
        Cut {
            at_position: Some(position),
            ..Cut::default()
        }
    }

    /// Adds a business-date bound.
    pub fn and_as_of(mut self, date: Date) -> Self {
        self.as_of = Some(date);
        self
    }

    /// Adds a record-time bound.
    pub fn and_known_at(mut self, instant: Timestamp) -> Self {
        self.known_at = Some(instant);
        self
    }

    /// Adds a position bound.
    pub fn and_at_position(mut self, position: u64) -> Self {
        self.at_position = Some(position);
        self
    }

    /// Whether the cut admits an event.
    pub fn admits(&self, envelope: &Envelope) -> bool {
        self.at_position.is_none_or(|position| envelope.position <= position)
            && self.known_at.is_none_or(|instant| envelope.recorded_at <= instant)
            && self
                .as_of
                .is_none_or(|date| envelope.occurred_at < start_of_next_day(date))
    }

    /// The instant from which on the business-date bound admits no event: an event that
    /// occurred at or after it is never admitted, whatever the other bounds. `None` without a
    /// business-date bound.
    pub fn occurred_before(&self) -> Option<Timestamp> {
        self.as_of.map(start_of_next_day)
    }

    /// Whether a model folded from the log's first `position` events, all of them, gives the
    /// same answer as folding that prefix under this cut, so that the cut's answer may resume
    /// from it. True when the cut has no business-date bound and admits every event of the
    /// prefix (`last_recorded_at` is the record time of the event at `position`).
    pub fn resumable_from(&self, position: u64, last_recorded_at: Timestamp) -> bool {
        self.as_of.is_none()
            && self.at_position.is_none_or(|bound| position <= bound)
            && self.known_at.is_none_or(|instant| last_recorded_at <= instant)
    }
}

/// Which events of a view's streams a reader may leave out: those that occurred at or after
/// `before` (which the view's business-date bound never admits), except in the streams
/// `whole` names, which the view reads uncut.
#[derive(Debug, Clone, Copy)]
pub struct Occurred {
    /// The first business time the view's cut does not admit.
    pub before: Timestamp,
    /// The streams the view reads whole, whatever their events' business times.
    pub whole: fn(&str) -> bool,
}

impl Occurred {
    /// Whether a view bounded so reads an event of `stream` that occurred at `occurred_at`.
    pub fn reads(&self, stream: &str, occurred_at: Timestamp) -> bool {
        occurred_at < self.before || (self.whole)(stream)
    }
}

/// The first instant after business date `date` ends, in UTC. Dates at the end of the
/// calendar saturate to the largest timestamp.
fn start_of_next_day(date: Date) -> Timestamp {
    date.tomorrow()
        .ok()
        .and_then(|next| next.to_zoned_datetime(TimeZone::UTC).ok())
        .map_or(Timestamp::MAX, |zoned| zoned.timestamp())
}

/// Folds, in log order, the events a cut admits, from the empty model.
pub fn fold_cut<'a, P, I>(events: I, cut: &Cut) -> P
where
    P: Projection,
    I: IntoIterator<Item = &'a Envelope>,
{
    resume_cut(P::default(), events, cut)
}

/// Continues a model with the events a cut admits. Only sound when the model was folded from
/// events before `events` under a cut that would have admitted them all; see
/// [`Cut::resumable_from`].
pub fn resume_cut<'a, P, I>(mut model: P, events: I, cut: &Cut) -> P
where
    P: Projection,
    I: IntoIterator<Item = &'a Envelope>,
{
    for envelope in events {
        if cut.admits(envelope) {
            model.apply(envelope);
        }
    }
    model
}
