//! The canonical event record: the exact bytes the log stores and hashes.
//!
//! A record is one line of compact JSON whose keys appear in a fixed order (the order of the
//! fields below). The store writes the bytes once, when the event is appended, and never
//! re-encodes them: verification hashes the bytes as stored. Decoding is strict (unknown keys
//! are refused) so that a record cannot carry data that readers would silently ignore.
//!
//! docs/eventlog.md documents the format field by field.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The format number written in every record's `format` key.
pub const RECORD_FORMAT: u32 = 1;

/// One event as it is encoded in the log.
///
/// Strings borrow from the input when they contain no escapes, so decoding a page of records
/// allocates little.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRecord<'a> {
    /// Always [`RECORD_FORMAT`] for records written by this version.
    pub format: u32,
    /// Global position in the log, starting at 1, without gaps.
    pub position: u64,
    /// The stream (one aggregate instance) the event belongs to.
    #[serde(borrow)]
    pub stream: Cow<'a, str>,
    /// The event's version within its stream, starting at 1, without gaps.
    pub version: u64,
    /// The event's id (a UUID in its hyphenated lower-case form).
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The event type, a past-tense fact such as `NeedIdentified`.
    #[serde(rename = "type", borrow)]
    pub event_type: Cow<'a, str>,
    /// The schema version of the payload as it was written.
    pub schema_version: u32,
    /// Business time: when it happened in the world (RFC 3339, UTC, microseconds).
    #[serde(borrow)]
    pub occurred_at: Cow<'a, str>,
    /// Record time: when the log learned it (RFC 3339, UTC, microseconds), never decreasing.
    #[serde(borrow)]
    pub recorded_at: Cow<'a, str>,
    /// Who did it, under which command, and why.
    #[serde(borrow)]
    pub metadata: RecordMetadata<'a>,
    /// The event's payload: a JSON object, stored as written.
    #[serde(borrow)]
    pub payload: &'a RawValue,
    /// Lower-case hex SHA-256 of the previous record ([`GENESIS_HASH_HEX`] for the first).
    #[serde(borrow)]
    pub prev_hash: Cow<'a, str>,
}

/// Event metadata as encoded in a record. Absent values are written as `null`, so every record
/// has the same keys in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordMetadata<'a> {
    /// Pseudonymous id of the person or system that issued the command.
    #[serde(borrow)]
    pub actor: Cow<'a, str>,
    /// The actor's role when the command was issued (e.g. `secretariat`).
    #[serde(borrow)]
    pub role: Cow<'a, str>,
    /// The command's id: the idempotency key of the append.
    #[serde(borrow)]
    pub command_id: Option<Cow<'a, str>>,
    /// Groups the events of one piece of work across commands.
    #[serde(borrow)]
    pub correlation_id: Option<Cow<'a, str>>,
    /// The event or command that caused this one.
    #[serde(borrow)]
    pub causation_id: Option<Cow<'a, str>>,
    /// Why, where a decision was made.
    #[serde(borrow)]
    pub reason: Option<Cow<'a, str>>,
    /// Where the command came from (`cli`, `http`, `import`, ...).
    #[serde(borrow)]
    pub source: Cow<'a, str>,
}

/// The `prev_hash` of the first record: 64 zeros.
pub const GENESIS_HASH_HEX: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl<'a> EventRecord<'a> {
    /// Encodes the record as its canonical bytes (compact JSON, fixed key order, no newline).
    pub fn encode(&self) -> String {
        // Serialising a struct of strings, numbers and a validated RawValue cannot fail.
        serde_json::to_string(self).expect("an event record always serialises")
    }

    /// Decodes canonical bytes. Unknown keys, missing keys and malformed JSON are errors.
    pub fn decode(bytes: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(payload: &RawValue) -> EventRecord<'_> {
        EventRecord {
            format: RECORD_FORMAT,
            position: 7,
            stream: "activity-1".into(),
            version: 2,
            id: "00000000-0000-0000-0000-000000000001".into(),
            event_type: "ActivityProposed".into(),
            schema_version: 1,
            occurred_at: "2013-03-01T00:00:00.000000Z".into(),
            recorded_at: "2013-03-02T10:00:00.000000Z".into(),
            metadata: RecordMetadata {
                actor: "actor-1".into(),
                role: "secretariat".into(),
                command_id: None,
                correlation_id: None,
                causation_id: None,
                reason: Some("line one\nline \"two\"".into()),
                source: "cli".into(),
            },
            payload,
            prev_hash: GENESIS_HASH_HEX.into(),
        }
    }

    #[test]
    fn encoding_has_fixed_key_order_and_round_trips() {
        let payload = RawValue::from_string(r#"{"a":1}"#.to_owned()).unwrap();
        let encoded = sample(&payload).encode();
        assert_eq!(
            encoded,
            concat!(
                r#"{"format":1,"position":7,"stream":"activity-1","version":2,"#,
                r#""id":"00000000-0000-0000-0000-000000000001","type":"ActivityProposed","#,
                r#""schema_version":1,"occurred_at":"2013-03-01T00:00:00.000000Z","#,
                r#""recorded_at":"2013-03-02T10:00:00.000000Z","metadata":{"actor":"actor-1","#,
                r#""role":"secretariat","command_id":null,"correlation_id":null,"#,
                r#""causation_id":null,"reason":"line one\nline \"two\"","source":"cli"},"#,
                r#""payload":{"a":1},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000"}"#
            )
        );
        assert!(!encoded.contains('\n'), "a record is one line");
        let decoded = EventRecord::decode(&encoded).unwrap();
        assert_eq!(decoded.encode(), encoded);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let payload = RawValue::from_string("{}".to_owned()).unwrap();
        let encoded = sample(&payload).encode();
        let with_extra = encoded.replacen("{\"format\"", "{\"extra\":1,\"format\"", 1);
        assert!(EventRecord::decode(&with_extra).is_err());
    }
}
