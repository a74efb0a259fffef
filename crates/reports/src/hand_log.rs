//! A log made by hand for the report tests: envelopes built directly, without a store.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use smes_domain::values::MemberStateCode;
use smes_projections::{Anchor, DomainEvent, Envelope, LogSlice};
use uuid::Uuid;

/// A test id: `number` in the low bits of a fixed v4-shaped UUID.
pub(crate) fn uuid(number: u128) -> Uuid {
    Uuid::from_u128(0x5e1a_0000_0000_4000_8000_0000_0000_0000 | number)
}

pub(crate) fn state(code: &str) -> MemberStateCode {
    MemberStateCode::new(code).unwrap()
}

/// A log made by hand: each event at the start of its business day, recorded nine hours later.
#[derive(Default)]
pub(crate) struct Log {
    pub(crate) envelopes: Vec<Envelope>,
}

impl Log {
    pub(crate) fn on(&mut self, day: Date, event: DomainEvent) -> &mut Self {
        let occurred_at: Timestamp = TimeZone::UTC.to_timestamp(day.at(0, 0, 0, 0)).unwrap();
        let position = self.envelopes.len() as u64 + 1;
        let (event_type, _, _) = event.encode();
        self.envelopes.push(Envelope {
            position,
            stream: format!("stream-{position}"),
            version: 1,
            event_id: uuid(0xE0_0000 + u128::from(position)),
            event_type: event_type.to_owned(),
            occurred_at,
            recorded_at: occurred_at + SignedDuration::from_hours(9),
            actor: "actor-test".to_owned(),
            role: "secretariat".to_owned(),
            reason: None,
            hash: format!("{position:064x}"),
            event,
        });
        self
    }

    pub(crate) fn slice(&self) -> LogSlice {
        let size = self.envelopes.len() as u64;
        LogSlice {
            envelopes: self.envelopes.clone(),
            anchor: Anchor {
                log_position: size,
                head_hash: format!("{size:064x}"),
                tree_size: size,
                tree_root: "root".to_owned(),
            },
        }
    }
}
