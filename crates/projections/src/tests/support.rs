//! The one helper every test builds its history with.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use smes_domain::values::{Currency, Money};
use uuid::Uuid;

use crate::envelope::{DomainEvent, Envelope, to_hex};
use crate::projection::Projection;

/// A typed id from a small number.
pub fn id<T: TryFrom<Uuid>>(number: u128) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(Uuid::from_u128(number)).expect("test ids are not nil")
}

/// A civil date.
pub fn day(year: i16, month: i8, day: i8) -> Date {
    jiff::civil::date(year, month, day)
}

/// The first instant of a date, UTC.
pub fn start_of(date: Date) -> Timestamp {
    date.to_zoned_datetime(TimeZone::UTC)
        .expect("test dates are in range")
        .timestamp()
}

/// An amount.
pub fn money(amount: i64, currency: &str, value_date: Date) -> Money {
    Money::new(Decimal::from(amount), Currency::new(currency).unwrap(), value_date).unwrap()
}

/// A log under construction: positions from 1, business time as told, record time never
/// decreasing (see [`History::at`]).
#[derive(Debug, Clone)]
pub struct History {
    /// The envelopes, in log order.
    pub envelopes: Vec<Envelope>,
    next_recorded_at: Timestamp,
}

impl History {
    /// An empty log whose first event is recorded at `start`.
    pub fn starting(start: Timestamp) -> Self {
        History {
            envelopes: Vec::new(),
            next_recorded_at: start,
        }
    }

    /// Appends an event that happened at the start of `occurred_on`.
    pub fn on(&mut self, occurred_on: Date, event: DomainEvent) -> &mut Self {
        self.at(start_of(occurred_on), event)
    }

    /// Appends an event that happened at `occurred_at`. It is recorded a minute after the
    /// previous one, and never before nine hours after it happened: the log learns of things
    /// after they happen, late for back-dated events.
    pub fn at(&mut self, occurred_at: Timestamp, event: DomainEvent) -> &mut Self {
        let recorded_at = self.next_recorded_at.max(occurred_at + SignedDuration::from_hours(9));
        self.next_recorded_at = recorded_at + SignedDuration::from_mins(1);
        self.push(occurred_at, recorded_at, event)
    }

    /// Lets record time jump forward to `instant` (never back).
    pub fn wait_until(&mut self, instant: Timestamp) -> &mut Self {
        self.next_recorded_at = self.next_recorded_at.max(instant);
        self
    }

    fn push(&mut self, occurred_at: Timestamp, recorded_at: Timestamp, event: DomainEvent) -> &mut Self {
        let position = self.envelopes.len() as u64 + 1;
        let (event_type, _, _) = event.encode();
        self.envelopes.push(Envelope {
            position,
            stream: format!("stream-{event_type}"),
            version: 1,
            event_id: Uuid::from_u128(1_000_000 + u128::from(position)),
            event_type: event_type.to_owned(),
            occurred_at,
            recorded_at,
            actor: format!("actor-{}", position % 3 + 1),
            role: "secretariat".to_owned(),
            reason: position.is_multiple_of(4).then(|| format!("reason {position}")),
            hash: to_hex(&position.to_be_bytes()),
            event,
        });
        self
    }

    /// The event id assigned at a position.
    pub fn event_id(&self, position: u64) -> Uuid {
        self.envelopes[usize::try_from(position).unwrap() - 1].event_id
    }

    /// The model folded from the whole log.
    pub fn fold<P: Projection>(&self) -> P {
        P::default().fold(&self.envelopes)
    }
}
