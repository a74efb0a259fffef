//! Decoding stored records: a fast path for the canonical layout, the strict decoder for
//! anything else, and the checks on what a backend stored beside a record.

use std::borrow::Cow;

use smes_verify::{EventRecord, Hash, RECORD_FORMAT, RecordMetadata};
use uuid::Uuid;

use super::time::parse_time;
use crate::error::Error;
use crate::event::{Metadata, Payload, RecordedEvent};

/// A hash as a backend stored it, checked to be 32 bytes; `position` names the event for the
/// error.
pub(crate) fn stored_hash(position: u64, bytes: &[u8]) -> Result<Hash, Error> {
    bytes.try_into().map_err(|_| Error::CorruptRecord {
        position,
        detail: "the stored hash is not 32 bytes".into(),
    })
}

/// Refuses a log whose newest applied migration is newer than the newest this program has.
pub(crate) fn refuse_future_schema(location: &str, found: Option<i64>, supported: i64) -> Result<(), Error> {
    match found {
        Some(found) if found > supported => Err(Error::FutureSchema {
            location: location.to_owned(),
            found,
            supported,
        }),
        _ => Ok(()),
    }
}

/// The fields of a stored record, borrowed from its text where possible.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decoded<'a> {
    pub(crate) position: u64,
    pub(crate) stream: Cow<'a, str>,
    pub(crate) version: u64,
    pub(crate) id: Cow<'a, str>,
    pub(crate) event_type: Cow<'a, str>,
    pub(crate) schema_version: u32,
    pub(crate) occurred_at: Cow<'a, str>,
    pub(crate) recorded_at: Cow<'a, str>,
    pub(crate) metadata: RecordMetadata<'a>,
    pub(crate) payload: &'a str,
    pub(crate) prev_hash: Cow<'a, str>,
}

impl<'a> From<EventRecord<'a>> for Decoded<'a> {
    fn from(record: EventRecord<'a>) -> Self {
        Decoded {
            position: record.position,
            stream: record.stream,
            version: record.version,
            id: record.id,
            event_type: record.event_type,
            schema_version: record.schema_version,
            occurred_at: record.occurred_at,
            recorded_at: record.recorded_at,
            metadata: record.metadata,
            payload: record.payload.get(),
            prev_hash: record.prev_hash,
        }
    }
}

/// Decodes a stored record into a [`RecordedEvent`], its payload as stored.
pub(crate) fn decode(position: u64, record_text: &str, hash: &[u8]) -> Result<RecordedEvent, Error> {
    let corrupt = |detail: String| Error::CorruptRecord { position, detail };
    let record = match fast_decode(record_text) {
        Some(record) => record,
        None => {
            let record = EventRecord::decode(record_text).map_err(|error| corrupt(error.to_string()))?;
            if record.format != RECORD_FORMAT {
                return Err(corrupt(format!("unknown record format {}", record.format)));
            }
            Decoded::from(record)
        }
    };
    let hash: Hash = hash
        .try_into()
        .map_err(|_| corrupt(format!("the stored hash has {} bytes, not 32", hash.len())))?;
    let mut prev_hash = [0u8; 32];
    hex::decode_to_slice(record.prev_hash.as_bytes(), &mut prev_hash)
        .map_err(|error| corrupt(format!("prev_hash: {error}")))?;
    let event_id = Uuid::try_parse(&record.id).map_err(|error| corrupt(format!("id: {error}")))?;
    let occurred_at = parse_time(&record.occurred_at).ok_or_else(|| corrupt("occurred_at is not a time".into()))?;
    let recorded_at = parse_time(&record.recorded_at).ok_or_else(|| corrupt("recorded_at is not a time".into()))?;
    let parse_id = |id: &Option<Cow<'_, str>>, name: &str| -> Result<Option<Uuid>, Error> {
        id.as_deref()
            .map(|text| Uuid::try_parse(text).map_err(|error| corrupt(format!("metadata.{name}: {error}"))))
            .transpose()
    };
    let metadata = Metadata {
        command_id: parse_id(&record.metadata.command_id, "command_id")?,
        correlation_id: parse_id(&record.metadata.correlation_id, "correlation_id")?,
        causation_id: parse_id(&record.metadata.causation_id, "causation_id")?,
        actor: record.metadata.actor.into_owned(),
        role: record.metadata.role.into_owned(),
        reason: record.metadata.reason.map(Cow::into_owned),
        source: record.metadata.source.into_owned(),
    };
    let event_type = record.event_type.into_owned();
    Ok(RecordedEvent {
        position: record.position,
        stream: record.stream.into_owned(),
        version: record.version,
        event_id,
        event_type,
        schema_version: record.schema_version,
        payload: Payload::from_stored(record.payload),
        metadata,
        occurred_at,
        recorded_at,
        prev_hash,
        hash,
    })
}

/// The length of a record's fixed tail: `,"prev_hash":"` + 64 hex digits + `"}`.
const PREV_HASH_TAIL: usize = 14 + 64 + 2;

/// Decodes a record written in the canonical layout without a general JSON parser: the keys come
/// in a fixed order, and `prev_hash`, the last one, has a fixed length, so the payload's extent is
/// known without scanning it. The payload is not re-validated (see [`crate::event::Payload`]).
/// Returns `None` for
/// anything that does not follow the layout exactly; the caller then uses the strict decoder,
/// which gives the same record or says what is wrong. Reads take this path; verification always
/// uses the strict decoder.
pub(crate) fn fast_decode(text: &str) -> Option<Decoded<'_>> {
    let tail_start = text.len().checked_sub(PREV_HASH_TAIL)?;
    let tail = text.get(tail_start..)?;
    let prev_hash = tail.strip_prefix(r#","prev_hash":""#)?.strip_suffix(r#""}"#)?;
    if prev_hash.len() != 64 || !prev_hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut cursor = Cursor {
        text: &text[..tail_start],
        at: 0,
    };
    cursor.literal(r#"{"format":"#)?;
    if cursor.number()? != u64::from(RECORD_FORMAT) {
        return None;
    }
    cursor.literal(r#","position":"#)?;
    let position = cursor.number()?;
    cursor.literal(r#","stream":"#)?;
    let stream = cursor.string()?;
    cursor.literal(r#","version":"#)?;
    let version = cursor.number()?;
    cursor.literal(r#","id":"#)?;
    let id = cursor.string()?;
    cursor.literal(r#","type":"#)?;
    let event_type = cursor.string()?;
    cursor.literal(r#","schema_version":"#)?;
    let schema_version = u32::try_from(cursor.number()?).ok()?;
    cursor.literal(r#","occurred_at":"#)?;
    let occurred_at = cursor.string()?;
    cursor.literal(r#","recorded_at":"#)?;
    let recorded_at = cursor.string()?;
    cursor.literal(r#","metadata":{"actor":"#)?;
    let actor = cursor.string()?;
    cursor.literal(r#","role":"#)?;
    let role = cursor.string()?;
    cursor.literal(r#","command_id":"#)?;
    let command_id = cursor.optional_string()?;
    cursor.literal(r#","correlation_id":"#)?;
    let correlation_id = cursor.optional_string()?;
    cursor.literal(r#","causation_id":"#)?;
    let causation_id = cursor.optional_string()?;
    cursor.literal(r#","reason":"#)?;
    let reason = cursor.optional_string()?;
    cursor.literal(r#","source":"#)?;
    let source = cursor.string()?;
    cursor.literal(r#"},"payload":"#)?;
    let payload = cursor.rest();
    if !payload.starts_with('{') || !payload.ends_with('}') {
        return None;
    }
    Some(Decoded {
        position,
        stream,
        version,
        id,
        event_type,
        schema_version,
        occurred_at,
        recorded_at,
        metadata: RecordMetadata {
            actor,
            role,
            command_id,
            correlation_id,
            causation_id,
            reason,
            source,
        },
        payload,
        prev_hash: Cow::Borrowed(prev_hash),
    })
}

/// A position in a record being decoded by [`fast_decode`].
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn literal(&mut self, literal: &str) -> Option<()> {
        self.text[self.at..]
            .starts_with(literal)
            .then(|| self.at += literal.len())
    }

    fn number(&mut self) -> Option<u64> {
        let digits = self.text[self.at..].bytes().take_while(u8::is_ascii_digit).count();
        // JSON numbers have no leading zeros; anything else goes to the strict decoder.
        if digits == 0 || digits > 20 || (digits > 1 && self.text.as_bytes()[self.at] == b'0') {
            return None;
        }
        let number = self.text[self.at..self.at + digits].parse().ok()?;
        self.at += digits;
        Some(number)
    }

    fn string(&mut self) -> Option<Cow<'a, str>> {
        let bytes = self.text.as_bytes();
        if bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at;
        let mut index = start + 1;
        let mut escaped = false;
        loop {
            match *bytes.get(index)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    index += 2;
                }
                byte if byte < 0x20 => return None,
                _ => index += 1,
            }
        }
        self.at = index + 1;
        if escaped {
            serde_json::from_str::<String>(&self.text[start..=index])
                .ok()
                .map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(&self.text[start + 1..index]))
        }
    }

    fn optional_string(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.literal("null").is_some() {
            return Some(None);
        }
        self.string().map(Some)
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::value::RawValue;
    use smes_verify::GENESIS_HASH_HEX;

    use super::super::test_support::any_text;
    use super::*;

    proptest! {
        #[test]
        fn fast_decoding_equals_strict_decoding(
            position in 1u64..u64::MAX,
            version in 1u64..u64::MAX,
            schema_version in 1u32..u32::MAX,
            stream in any_text(),
            event_type in "[A-Za-z][A-Za-z0-9_.-]{0,30}",
            actor in any_text(),
            reason in proptest::option::of(any_text()),
            command_id in proptest::option::of(any::<u128>()),
            payload in proptest::collection::btree_map(any_text(), any_text(), 0..4),
            prev in any::<[u8; 32]>(),
        ) {
            let payload = serde_json::value::to_raw_value(&payload).unwrap();
            let id_text = Uuid::from_u128(position.into()).to_string();
            let record = EventRecord {
                format: RECORD_FORMAT,
                position,
                stream: stream.as_str().into(),
                version,
                id: id_text.as_str().into(),
                event_type: event_type.as_str().into(),
                schema_version,
                occurred_at: "2013-01-01T00:00:00.000000Z".into(),
                recorded_at: "2013-01-02T00:00:00.000000Z".into(),
                metadata: RecordMetadata {
                    actor: actor.as_str().into(),
                    role: "secretariat".into(),
                    command_id: command_id.map(|id| Uuid::from_u128(id).to_string().into()),
                    correlation_id: None,
                    causation_id: command_id.map(|id| Uuid::from_u128(!id).to_string().into()),
                    reason: reason.as_deref().map(Into::into),
                    source: "cli".into(),
                },
                payload: &payload,
                prev_hash: hex::encode(prev).into(),
            }
            .encode();
            let fast = fast_decode(&record).expect("the canonical layout decodes fast");
            let strict = Decoded::from(EventRecord::decode(&record).unwrap());
            prop_assert_eq!(fast, strict);
        }

        #[test]
        fn fast_decoding_never_accepts_what_strict_decoding_refuses(index in 0usize..400, byte in 0x20u8..0x7f) {
            let payload = RawValue::from_string(r#"{"a":"b\"c","n":[1,2]}"#.to_owned()).unwrap();
            let record = EventRecord {
                format: RECORD_FORMAT,
                position: 12,
                stream: "activity-1".into(),
                version: 3,
                id: "00000000-0000-0000-0000-000000000001".into(),
                event_type: "Happened".into(),
                schema_version: 1,
                occurred_at: "2013-01-01T00:00:00.000000Z".into(),
                recorded_at: "2013-01-02T00:00:00.000000Z".into(),
                metadata: RecordMetadata {
                    actor: "a".into(),
                    role: "r".into(),
                    reason: Some("why \"so\"".into()),
                    source: "s".into(),
                    ..RecordMetadata::default()
                },
                payload: &payload,
                prev_hash: GENESIS_HASH_HEX.into(),
            }
            .encode();
            let mut bytes = record.into_bytes();
            let index = index % bytes.len();
            bytes[index] = byte;
            let text = String::from_utf8(bytes).unwrap();
            if let Some(fast) = fast_decode(&text) {
                // The fast path does not validate the payload (only its braces): with that
                // exception, whatever it accepts the strict decoder accepts identically.
                match EventRecord::decode(&text) {
                    Ok(strict) => prop_assert_eq!(fast, Decoded::from(strict)),
                    Err(_) => prop_assert!(
                        serde_json::from_str::<&RawValue>(fast.payload).is_err(),
                        "fast accepted what strict refuses outside the payload: {}", text
                    ),
                }
            }
        }
    }
}
