//! Sealing new records: the end of the hash chain an append transaction extends, and each new
//! event encoded as its canonical record from the parts validation encoded, then hashed.

use jiff::Timestamp;
use smes_verify::{Hash, RECORD_FORMAT, record_hash};

use super::decode::stored_hash;
use super::time::{checked_micros, format_micros};
use super::validate::{ValidatedAppend, ValidatedEvent};
use crate::error::Error;

/// A new record, encoded and hashed.
#[derive(Debug)]
pub(crate) struct SealedRecord {
    pub(crate) record: String,
    pub(crate) hash: Hash,
}

/// The end of the hash chain during one append transaction: where the next event goes, what it
/// links to, and the transaction's record time. Every backend's writer seals through it, so the
/// chain is built the same way whatever stores it.
pub(crate) struct ChainTail {
    position: u64,
    prev_hash: Hash,
    prev_hash_hex: [u8; 64],
    recorded_at_micros: i64,
    recorded_at_text: String,
}

impl ChainTail {
    /// Starts after `head` (position, stored hash, record time in microseconds; `None` for an
    /// empty log). The record time is the clock's `now`, or the head's if the clock is behind:
    /// record time never goes backwards.
    pub(crate) fn after(head: Option<(u64, &[u8], i64)>, now: Timestamp) -> Result<Self, Error> {
        let (position, prev_hash, last_recorded) = match head {
            Some((position, hash, recorded_at)) => (position, stored_hash(position, hash)?, recorded_at),
            None => (0, smes_verify::GENESIS_HASH, i64::MIN),
        };
        let recorded_at_micros = checked_micros(now).ok_or(Error::ClockOutOfRange)?.max(last_recorded);
        Ok(ChainTail {
            position,
            prev_hash,
            prev_hash_hex: [0; 64],
            recorded_at_micros,
            recorded_at_text: format_micros(recorded_at_micros),
        })
    }

    /// The last position sealed so far (the head's before the first).
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// The hash of the last record sealed so far (the head's before the first).
    pub(crate) fn last_hash(&self) -> Hash {
        self.prev_hash
    }

    /// The transaction's record time, in microseconds.
    pub(crate) fn recorded_at_micros(&self) -> i64 {
        self.recorded_at_micros
    }

    /// The transaction's record time.
    pub(crate) fn recorded_at(&self) -> Timestamp {
        Timestamp::from_microsecond(self.recorded_at_micros).expect("a checked time")
    }

    /// Seals `event` of `append` at the next position with stream version `version`.
    pub(crate) fn seal_next(&mut self, version: u64, append: &ValidatedAppend, event: &ValidatedEvent) -> SealedRecord {
        self.position += 1;
        hex::encode_to_slice(self.prev_hash, &mut self.prev_hash_hex).expect("64 hex digits");
        let sealed = seal(
            Placement {
                position: self.position,
                version,
                recorded_at_text: &self.recorded_at_text,
                prev_hash_hex: std::str::from_utf8(&self.prev_hash_hex).expect("hex is ASCII"),
            },
            append,
            event,
        );
        self.prev_hash = sealed.hash;
        sealed
    }
}

/// Where a new event goes in the log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement<'a> {
    pub(crate) position: u64,
    pub(crate) version: u64,
    pub(crate) recorded_at_text: &'a str,
    pub(crate) prev_hash_hex: &'a str,
}

/// Encodes one new event as its canonical record and hashes it.
///
/// The bytes are those [`EventRecord::encode`] gives for the same fields (a property test holds
/// the two together); they are assembled from parts encoded at validation, so that the single
/// writer only copies bytes and hashes.
pub(crate) fn seal(placement: Placement<'_>, append: &ValidatedAppend, event: &ValidatedEvent) -> SealedRecord {
    use std::fmt::Write as _;
    let payload = event.payload.as_str();
    let mut record = String::with_capacity(
        160 + append.encoded_stream.len()
            + event.encoded_identity.len()
            + append.encoded_metadata.len()
            + payload.len(),
    );
    write!(
        record,
        r#"{{"format":{RECORD_FORMAT},"position":{},"stream":{},"version":{}{}{}","metadata":{},"payload":{payload},"prev_hash":"{}"}}"#,
        placement.position,
        append.encoded_stream,
        placement.version,
        event.encoded_identity,
        placement.recorded_at_text,
        append.encoded_metadata,
        placement.prev_hash_hex,
    )
    .expect("writing to a String cannot fail");
    let hash = record_hash(record.as_bytes());
    SealedRecord { record, hash }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use proptest::prelude::*;
    use smes_verify::EventRecord;
    use uuid::Uuid;

    use super::super::test_support::{any_text, validate_with_ids};
    use super::super::time::{MAX_TIME_MICROS, MIN_TIME_MICROS};
    use super::*;
    use crate::event::{AppendRequest, ExpectedVersion, Metadata, NewEvent, StreamName};

    proptest! {
        #[test]
        fn sealed_records_are_the_canonical_encoding(
            stream in any_text().prop_filter_map("a valid stream name", |name| StreamName::new(name).ok()),
            event_type in "[A-Za-z][A-Za-z0-9_.-]{0,30}",
            schema_version in 1u32..u32::MAX,
            actor in any_text().prop_filter("actor", |text| !text.trim().is_empty() && text.len() <= 200 && !text.chars().any(char::is_control)),
            reason in proptest::option::of(any_text()),
            payload in proptest::collection::btree_map(any_text(), any_text(), 0..4),
            position in 1u64..u64::MAX,
            version in 1u64..u64::MAX,
            occurred in MIN_TIME_MICROS..=MAX_TIME_MICROS,
            prev in any::<[u8; 32]>(),
        ) {
            let mut metadata = Metadata::new(actor, "secretariat", "cli");
            metadata.reason = reason;
            metadata.command_id = Some(Uuid::from_u128(u128::from(position)));
            let occurred_at = Timestamp::from_microsecond(occurred).unwrap();
            let event = NewEvent::from_value(event_type, schema_version, &serde_json::to_value(&payload).unwrap(), occurred_at);
            let validated = validate_with_ids(AppendRequest::new(stream, ExpectedVersion::Any, vec![event], metadata)).unwrap();
            let prev_hex = hex::encode(prev);
            let sealed = seal(
                Placement { position, version, recorded_at_text: "2013-01-02T03:04:05.000006Z", prev_hash_hex: &prev_hex },
                &validated,
                &validated.events[0],
            );
            let decoded = EventRecord::decode(&sealed.record).unwrap();
            prop_assert_eq!(decoded.encode(), sealed.record.clone());
            prop_assert_eq!((decoded.position, decoded.version, decoded.schema_version), (position, version, schema_version));
            prop_assert_eq!(decoded.stream.as_ref(), validated.request.stream.as_str());
            prop_assert_eq!(decoded.occurred_at.as_ref(), format_micros(occurred));
            prop_assert_eq!(decoded.metadata.actor.as_ref(), validated.request.metadata.actor.as_str());
            prop_assert_eq!(decoded.prev_hash.as_ref(), prev_hex.as_str());
            prop_assert_eq!(sealed.hash, record_hash(sealed.record.as_bytes()));
        }
    }
}
