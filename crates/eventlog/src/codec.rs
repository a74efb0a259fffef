//! Between the store's types and the canonical record bytes: validation of what is appended,
//! sealing (encoding and hashing) of new records, and decoding of stored ones.
//!
//! Backends share this module so that every backend writes byte-identical records for the same
//! input, and a log copied between backends verifies unchanged.

use std::borrow::Cow;
use std::fmt::Write as _;

use jiff::Timestamp;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use smes_verify::{EventRecord, Hash, RECORD_FORMAT, RecordMetadata, record_hash};
use uuid::Uuid;

use crate::clock::IdSource;
use crate::error::{Error, InvalidInput};
use crate::event::{
    AppendRequest, MAX_EVENT_TYPE_BYTES, MAX_EVENTS_PER_APPEND, MAX_PAYLOAD_BYTES, Metadata, Payload, RecordedEvent,
};
use crate::upcast::Upcasters;

/// Earliest business or record time accepted: 1000-01-01T00:00:00Z, in microseconds.
const MIN_TIME_MICROS: i64 = -30_610_224_000_000_000;
/// Latest accepted: 9999-12-31T23:59:59.999999Z, in microseconds.
const MAX_TIME_MICROS: i64 = 253_402_300_799_999_999;

/// An event that passed validation, with its canonical payload and, already encoded, every
/// part of its record that does not depend on its place in the log.
#[derive(Debug)]
pub(crate) struct ValidatedEvent {
    pub(crate) event_type: String,
    /// The payload in canonical form: the JSON text of an object, as serde_json writes it.
    pub(crate) payload: String,
    pub(crate) occurred_at_micros: i64,
    /// `,"id":"…","type":…,"schema_version":…,"occurred_at":"…","recorded_at":"`
    pub(crate) encoded_identity: String,
}

/// An append request that passed validation.
#[derive(Debug)]
pub(crate) struct ValidatedAppend {
    pub(crate) request: AppendRequest,
    pub(crate) events: Vec<ValidatedEvent>,
    /// The stream name as a JSON string.
    pub(crate) encoded_stream: String,
    /// The metadata as the JSON object every record of this append carries.
    pub(crate) encoded_metadata: String,
    /// The command's digest when the request names one, else SHA-256 over the stream and the
    /// events: tells a retried command from a reused id.
    pub(crate) digest: Hash,
}

/// Checks an append request and puts its payloads in canonical form (compact JSON, object keys
/// sorted). Errors name the field, e.g. `events[2].payload`.
pub(crate) fn validate(request: AppendRequest, ids: &dyn IdSource) -> Result<ValidatedAppend, InvalidInput> {
    validate_drawing(request, &mut || ids.next_id())
}

/// Batches with at least this many events are validated on two threads.
const PARALLEL_VALIDATION_EVENTS: usize = 1_000;

/// Validates every request of a batch, answering in request order, as [`validate`] would one
/// after the other. Validation is mostly parsing payloads (and writing them again when they
/// are not canonical), so a large batch is split between two threads; its event ids are then
/// drawn first, in request and event order, so that the same requests and id source give the
/// same ids on every backend however the work is split.
pub(crate) fn validate_all(
    requests: Vec<AppendRequest>,
    ids: &dyn IdSource,
) -> Vec<Result<ValidatedAppend, InvalidInput>> {
    let events: usize = requests.iter().map(|request| request.events.len()).sum();
    let threads = std::thread::available_parallelism().map_or(1, |threads| threads.get());
    if events < PARALLEL_VALIDATION_EVENTS || requests.len() < 2 || threads < 2 {
        return requests.into_iter().map(|request| validate(request, ids)).collect();
    }
    let mut drawn = draw_ids(&requests, ids);
    // The second thread takes the requests after the one that crosses half the events.
    let mut seen = 0;
    let split = requests
        .iter()
        .position(|request| {
            seen += request.events.len();
            seen * 2 >= events
        })
        .map_or(requests.len(), |index| index + 1)
        .clamp(1, requests.len() - 1);
    let mut first = requests;
    let second = first.split_off(split);
    let second_ids = drawn.split_off(split);
    let with_drawn =
        |requests: Vec<AppendRequest>, drawn: Vec<Vec<Uuid>>| -> Vec<Result<ValidatedAppend, InvalidInput>> {
            requests
                .into_iter()
                .zip(drawn)
                .map(|(request, drawn)| validate_drawn(request, drawn))
                .collect()
        };
    std::thread::scope(|scope| {
        let later = scope.spawn(|| with_drawn(second, second_ids));
        let mut validated = with_drawn(first, drawn);
        match later.join() {
            Ok(rest) => validated.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        validated
    })
}

/// The event ids of a large batch, drawn before it is validated: one per event, in request and
/// event order (none for an append of more events than are accepted, which is refused anyway).
fn draw_ids(requests: &[AppendRequest], ids: &dyn IdSource) -> Vec<Vec<Uuid>> {
    requests
        .iter()
        .map(|request| {
            let count = if request.events.len() > MAX_EVENTS_PER_APPEND {
                0
            } else {
                request.events.len()
            };
            (0..count).map(|_| ids.next_id()).collect()
        })
        .collect()
}

/// [`validate`] with the ids [`draw_ids`] drew for this request.
fn validate_drawn(request: AppendRequest, drawn: Vec<Uuid>) -> Result<ValidatedAppend, InvalidInput> {
    let mut drawn = drawn.into_iter();
    // An append of too many events drew none, and is refused before it asks.
    validate_drawing(request, &mut || drawn.next().unwrap_or_else(Uuid::nil))
}

/// [`validate`], taking each event's id from `next_id`.
fn validate_drawing(
    request: AppendRequest,
    next_id: &mut dyn FnMut() -> Uuid,
) -> Result<ValidatedAppend, InvalidInput> {
    if request.events.is_empty() {
        return Err(InvalidInput::new("events", "an append needs at least one event"));
    }
    if request.events.len() > MAX_EVENTS_PER_APPEND {
        return Err(InvalidInput::new(
            "events",
            format!(
                "{} events in one append; at most {MAX_EVENTS_PER_APPEND} are accepted",
                request.events.len()
            ),
        ));
    }
    request.metadata.validate()?;
    let mut digest = Sha256::new();
    digest.update(request.stream.as_str().as_bytes());
    digest.update([0]);
    let mut events = Vec::with_capacity(request.events.len());
    for (index, event) in request.events.iter().enumerate() {
        let validated = validate_event(index, event, next_id())?;
        digest.update(validated.event_type.as_bytes());
        digest.update([0]);
        digest.update(event.schema_version.to_be_bytes());
        digest.update(validated.occurred_at_micros.to_be_bytes());
        digest.update(validated.payload.as_bytes());
        digest.update([0]);
        events.push(validated);
    }
    // A command's own digest, when the caller gives one, binds the id to the command; else the
    // events' digest does.
    let digest = request.command_digest.unwrap_or_else(|| digest.finalize().into());
    let encoded_stream = json_string(request.stream.as_str());
    let encoded_metadata =
        serde_json::to_string(&record_metadata(&request.metadata)).expect("metadata always serialises");
    Ok(ValidatedAppend {
        request,
        events,
        encoded_stream,
        encoded_metadata,
        digest,
    })
}

/// A string as JSON, escaped exactly as the record encoder escapes it.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

fn validate_event(
    index: usize,
    event: &crate::event::NewEvent,
    event_id: Uuid,
) -> Result<ValidatedEvent, InvalidInput> {
    let field = |name: &str| format!("events[{index}].{name}");
    let event_type = &event.event_type;
    let type_ok = !event_type.is_empty()
        && event_type.len() <= MAX_EVENT_TYPE_BYTES
        && event_type.starts_with(|c: char| c.is_ascii_alphabetic())
        && event_type
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if !type_ok {
        return Err(InvalidInput::new(
            field("event_type"),
            format!(
                "the event type {event_type:?} must be 1 to {MAX_EVENT_TYPE_BYTES} ASCII letters, digits, '_', '.' or '-', starting with a letter"
            ),
        ));
    }
    if event.schema_version == 0 {
        return Err(InvalidInput::new(field("schema_version"), "schema versions start at 1"));
    }
    let payload = canonical_payload_of(field("payload"), &event.payload)?;
    let occurred_at_micros = checked_micros(event.occurred_at).ok_or_else(|| {
        InvalidInput::new(
            field("occurred_at"),
            format!("{} is outside the years 1000 to 9999", event.occurred_at),
        )
    })?;
    let encoded_identity = format!(
        r#","id":"{}","type":{},"schema_version":{},"occurred_at":"{}","recorded_at":""#,
        event_id.hyphenated(),
        json_string(event_type),
        event.schema_version,
        format_micros(occurred_at_micros),
    );
    Ok(ValidatedEvent {
        event_type: event_type.clone(),
        payload,
        occurred_at_micros,
        encoded_identity,
    })
}

/// A payload as every backend stores it: the JSON text of an object in canonical form (compact,
/// object keys sorted, as serde_json writes the parsed value). This is the payload step of
/// validating an append, alone, so that it can be checked on any input without a store: its
/// fast paths (`is_canonical_json`, `reorder_to_canonical`) must always give what parsing
/// and writing again would. Errors name the field `payload`.
pub fn canonical_payload(payload: &str) -> Result<String, InvalidInput> {
    canonical_payload_of("payload".to_owned(), payload)
}

/// [`canonical_payload`], with errors naming `field`.
fn canonical_payload_of(field: String, payload: &str) -> Result<String, InvalidInput> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(InvalidInput::new(
            field,
            format!(
                "the payload is {} bytes; at most {MAX_PAYLOAD_BYTES} are accepted",
                payload.len()
            ),
        ));
    }
    let raw: &RawValue = match serde_json::from_str(payload) {
        Ok(raw) => raw,
        Err(error) => {
            return Err(InvalidInput::new(
                field,
                format!("the payload is not valid JSON: {error}"),
            ));
        }
    };
    if !raw.get().starts_with('{') {
        return Err(InvalidInput::new(field, "the payload must be a JSON object"));
    }
    // Most payloads arrive canonical already (serialised from a serde_json::Value); the others
    // are parsed and written again.
    let canonical = if is_canonical_json(raw.get()) {
        raw.get().to_owned()
    } else if let Some(text) = reorder_to_canonical(raw.get()) {
        // Only the members' order (or white space) was not canonical.
        text
    } else {
        let value: serde_json::Value = match serde_json::from_str(raw.get()) {
            Ok(value) => value,
            Err(error) => {
                return Err(InvalidInput::new(
                    field,
                    format!("the payload is not valid JSON: {error}"),
                ));
            }
        };
        match serde_json::to_string(&value) {
            Ok(text) => text,
            Err(error) => return Err(InvalidInput::new(field, error.to_string())),
        }
    };
    if canonical.len() > MAX_PAYLOAD_BYTES {
        return Err(InvalidInput::new(field, "the canonical payload is larger than 1 MiB"));
    }
    Ok(canonical)
}

/// Whether valid JSON `text` is already in canonical form, byte for byte what serde_json writes
/// for the same value: no white space, object keys in strictly increasing byte order, integers
/// only (floats may print differently), and strings without escapes (serde_json may escape
/// differently than the input did). Anything it is unsure of is "not canonical", which only
/// costs a round trip.
fn is_canonical_json(text: &str) -> bool {
    let bytes = text.as_bytes();
    // For each open object: the last key seen and whether the next string is a key.
    let mut objects: Vec<(Option<&[u8]>, bool)> = Vec::new();
    let mut in_array_or_value = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'{' => {
                objects.push((None, true));
                in_array_or_value.push(b'{');
                index += 1;
            }
            b'}' => {
                objects.pop();
                in_array_or_value.pop();
                index += 1;
            }
            b'[' => {
                in_array_or_value.push(b'[');
                index += 1;
            }
            b']' => {
                in_array_or_value.pop();
                index += 1;
            }
            b',' => {
                if in_array_or_value.last() == Some(&b'{')
                    && let Some(object) = objects.last_mut()
                {
                    object.1 = true;
                }
                index += 1;
            }
            b':' => index += 1,
            b'"' => {
                let start = index + 1;
                let Some(length) = unescaped_string(bytes, index) else {
                    return false;
                };
                let string = &bytes[start..start + length];
                if in_array_or_value.last() == Some(&b'{')
                    && let Some(object) = objects.last_mut()
                    && object.1
                {
                    if object.0.is_some_and(|previous| previous >= string) {
                        return false;
                    }
                    *object = (Some(string), false);
                }
                index = start + length + 1;
            }
            b'-' | b'0'..=b'9' => {
                let Some(length) = plain_integer(bytes, index) else {
                    return false;
                };
                index += length;
            }
            b't' | b'f' | b'n' => {
                index += bytes[index..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            }
            _ => return false,
        }
    }
    true
}

/// Of the string whose opening quote is at `quote`: the length of its text, if it holds no
/// escape (serde_json may escape differently than the input did).
fn unescaped_string(bytes: &[u8], quote: usize) -> Option<usize> {
    let start = quote + 1;
    let length = bytes.get(start..)?.iter().position(|&b| b == b'"' || b == b'\\')?;
    (bytes[start + length] == b'"').then_some(length)
}

/// Of the number starting at `start`: its length, if it is an integer serde_json writes as it
/// stands (at most 18 digits, and not `-0`; floats may print differently).
fn plain_integer(bytes: &[u8], start: usize) -> Option<usize> {
    let sign = usize::from(bytes[start] == b'-');
    let digits = bytes[start + sign..].iter().take_while(|b| b.is_ascii_digit()).count();
    let end = start + sign + digits;
    let is_integer = digits > 0 && !matches!(bytes.get(end), Some(b'.' | b'e' | b'E'));
    (is_integer && digits <= 18 && &bytes[start..end] != b"-0").then_some(end - start)
}

/// Valid JSON `text` in canonical form, by putting every object's members in key order and
/// leaving out white space, when everything else in it is already written as serde_json writes
/// it (what [`is_canonical_json`] is sure of: integers of at most 18 digits, strings and keys
/// without escapes) and no object has a key twice. `None` otherwise: the payload is then parsed
/// into a value and written again, which costs about twice as much.
fn reorder_to_canonical(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut reader = Reorder {
        text,
        at: 0,
        members: Vec::new(),
    };
    reader.value(Some(&mut out))?;
    reader.skip_white();
    (reader.at == text.len()).then_some(out)
}

/// The reader of [`reorder_to_canonical`]: a position in the text, and the members of the
/// objects being read (those of nested objects above those of the objects holding them).
struct Reorder<'a> {
    text: &'a str,
    at: usize,
    /// Each member's key and where its value starts in the text.
    members: Vec<(&'a str, usize)>,
}

impl<'a> Reorder<'a> {
    fn next(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_white(&mut self) {
        while matches!(self.next(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Reads one value, writing it in canonical form to `out`, or only reading past it (and
    /// checking it is of the kind this reader accepts) when `out` is `None`.
    fn value(&mut self, out: Option<&mut String>) -> Option<()> {
        self.skip_white();
        let bytes = self.text.as_bytes();
        let start = self.at;
        match self.next()? {
            b'{' => return self.object(out),
            b'[' => return self.array(out),
            b'"' => {
                self.string()?;
            }
            b'-' | b'0'..=b'9' => self.at += plain_integer(bytes, start)?,
            b't' | b'f' | b'n' => {
                self.at += bytes[start..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            }
            _ => return None,
        }
        // A string, number or literal is written as it stands.
        if let Some(out) = out {
            out.push_str(&self.text[start..self.at]);
        }
        Some(())
    }

    /// A string without escapes (the reader is at its opening quote), as its text.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.at + 1;
        let length = unescaped_string(self.text.as_bytes(), self.at)?;
        self.at = start + length + 1;
        Some(&self.text[start..start + length])
    }

    fn array(&mut self, mut out: Option<&mut String>) -> Option<()> {
        self.at += 1;
        push(&mut out, "[");
        self.skip_white();
        if self.next()? == b']' {
            self.at += 1;
            push(&mut out, "]");
            return Some(());
        }
        loop {
            self.value(out.as_deref_mut())?;
            self.skip_white();
            match self.next()? {
                b',' => push(&mut out, ","),
                b']' => {
                    self.at += 1;
                    push(&mut out, "]");
                    return Some(());
                }
                _ => return None,
            }
            self.at += 1;
        }
    }

    /// An object: its members are read past first, noting each key and where its value starts,
    /// then, when writing, written in key order by reading each value again from there.
    fn object(&mut self, mut out: Option<&mut String>) -> Option<()> {
        self.at += 1;
        self.skip_white();
        if self.next()? == b'}' {
            self.at += 1;
            push(&mut out, "{}");
            return Some(());
        }
        let first = self.members.len();
        loop {
            self.skip_white();
            if self.next()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.skip_white();
            if self.next()? != b':' {
                return None;
            }
            self.at += 1;
            self.skip_white();
            if out.is_some() {
                self.members.push((key, self.at));
            }
            self.value(None)?;
            self.skip_white();
            match self.next()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    break;
                }
                _ => return None,
            }
        }
        let Some(out) = out else {
            return Some(());
        };
        let end = self.at;
        let last = self.members.len();
        // Keys compare as serde_json's map orders them: byte by byte.
        self.members[first..].sort_unstable_by(|a, b| a.0.cmp(b.0));
        if self.members[first..].windows(2).any(|pair| pair[0].0 == pair[1].0) {
            return None;
        }
        out.push('{');
        for index in first..last {
            let (key, value) = self.members[index];
            if index > first {
                out.push(',');
            }
            out.push('"');
            out.push_str(key);
            out.push_str("\":");
            self.at = value;
            // A nested object notes its members above this one's, and takes them off again.
            self.value(Some(&mut *out))?;
        }
        out.push('}');
        self.members.truncate(first);
        self.at = end;
        Some(())
    }
}

/// Writes `text` to `out` when there is one.
fn push(out: &mut Option<&mut String>, text: &str) {
    if let Some(out) = out.as_deref_mut() {
        out.push_str(text);
    }
}

fn record_metadata(metadata: &Metadata) -> RecordMetadata<'static> {
    let id = |id: Option<Uuid>| id.map(|id| Cow::Owned(id.hyphenated().to_string()));
    RecordMetadata {
        actor: Cow::Owned(metadata.actor.clone()),
        role: Cow::Owned(metadata.role.clone()),
        command_id: id(metadata.command_id),
        correlation_id: id(metadata.correlation_id),
        causation_id: id(metadata.causation_id),
        reason: metadata.reason.clone().map(Cow::Owned),
        source: Cow::Owned(metadata.source.clone()),
    }
}

/// A hash as a backend stored it, checked to be 32 bytes; `position` names the event for the
/// error.
pub(crate) fn stored_hash(position: u64, bytes: &[u8]) -> Result<Hash, Error> {
    bytes.try_into().map_err(|_| Error::CorruptRecord {
        position,
        detail: "the stored hash is not 32 bytes".into(),
    })
}

/// The time in whole microseconds, if it lies in the accepted range.
pub(crate) fn checked_micros(time: Timestamp) -> Option<i64> {
    let micros = time.as_microsecond();
    (MIN_TIME_MICROS..=MAX_TIME_MICROS).contains(&micros).then_some(micros)
}

/// Formats microseconds since 1970 as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (fixed width, so that text
/// order is time order).
pub(crate) fn format_micros(micros: i64) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let mut text = String::with_capacity(27);
    write!(
        text,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{fraction:06}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
    .expect("writing to a String cannot fail");
    text
}

/// Parses the fixed-width form written by [`format_micros`]; anything else goes through jiff's
/// RFC 3339 parser.
pub(crate) fn parse_time(text: &str) -> Option<Timestamp> {
    fn digits(bytes: &[u8]) -> Option<i64> {
        bytes.iter().try_fold(0i64, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
        })
    }
    let bytes = text.as_bytes();
    let fixed = bytes.len() == 27
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && bytes[19] == b'.'
        && bytes[26] == b'Z';
    if fixed {
        let (year, month, day) = (digits(&bytes[0..4])?, digits(&bytes[5..7])?, digits(&bytes[8..10])?);
        let (hour, minute, second) = (
            digits(&bytes[11..13])?,
            digits(&bytes[14..16])?,
            digits(&bytes[17..19])?,
        );
        let fraction = digits(&bytes[20..26])?;
        if (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60 && second < 60 {
            let days = days_from_civil(year, month, day);
            let micros = ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + fraction;
            return Timestamp::from_microsecond(micros).ok();
        }
        return None;
    }
    text.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

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

/// Decodes a stored record into a [`RecordedEvent`], upcasting its payload.
pub(crate) fn decode(
    position: u64,
    record_text: &str,
    hash: &[u8],
    upcasters: &Upcasters,
) -> Result<RecordedEvent, Error> {
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
    let (schema_version, payload) = match upcasters
        .upcast(&event_type, record.schema_version, record.payload)
        .map_err(|detail| Error::Upcast {
            position,
            event_type: event_type.clone(),
            schema_version: record.schema_version,
            detail,
        })? {
        Some(upcast) => upcast,
        None => (record.schema_version, Payload::from_stored(record.payload)),
    };
    Ok(RecordedEvent {
        position: record.position,
        stream: record.stream.into_owned(),
        version: record.version,
        event_id,
        event_type,
        schema_version,
        stored_schema_version: record.schema_version,
        payload,
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
    use super::*;
    use crate::event::{ExpectedVersion, NewEvent, StreamName};
    use proptest::prelude::*;
    use smes_verify::GENESIS_HASH_HEX;

    fn validate_with_ids(request: AppendRequest) -> Result<ValidatedAppend, InvalidInput> {
        validate(request, &crate::clock::SequentialIds::default())
    }

    fn request(payload: &str) -> AppendRequest {
        AppendRequest::new(
            StreamName::new("s-1").unwrap(),
            ExpectedVersion::Any,
            vec![NewEvent::new(
                "Happened",
                1,
                payload,
                "2013-05-01T12:00:00Z".parse().unwrap(),
            )],
            Metadata::new("actor-1", "secretariat", "test"),
        )
    }

    /// `count` requests of `events` events each, on streams of their own.
    fn batch(count: usize, events: usize) -> Vec<AppendRequest> {
        (0..count)
            .map(|n| {
                let events = (0..events)
                    .map(|k| {
                        NewEvent::new(
                            "Happened",
                            1,
                            format!(r#"{{"z":{k},"a":"request {n}"}}"#),
                            "2013-05-01T12:00:00Z".parse().unwrap(),
                        )
                    })
                    .collect();
                AppendRequest::new(
                    StreamName::new(format!("s-{n}")).unwrap(),
                    ExpectedVersion::Any,
                    events,
                    Metadata::new("actor-1", "secretariat", "test"),
                )
            })
            .collect()
    }

    fn described(results: &[Result<ValidatedAppend, InvalidInput>]) -> Vec<String> {
        results
            .iter()
            .map(|result| match result {
                Ok(append) => format!(
                    "{} {} {:?}",
                    hex::encode(append.digest),
                    append.encoded_metadata,
                    append
                        .events
                        .iter()
                        .map(|event| (event.payload.as_str(), event.encoded_identity.as_str()))
                        .collect::<Vec<_>>()
                ),
                Err(error) => error.to_string(),
            })
            .collect()
    }

    #[test]
    fn a_large_batch_split_between_threads_validates_as_one_after_the_other() {
        let ids = crate::clock::SequentialIds::default();
        let one_by_one: Vec<_> = batch(30, 50)
            .into_iter()
            .map(|request| validate(request, &ids))
            .collect();
        let ids = crate::clock::SequentialIds::default();
        let together = validate_all(batch(30, 50), &ids);
        assert_eq!(together.len(), 30);
        assert_eq!(described(&together), described(&one_by_one));

        // A refused request keeps its place and its error; the others are validated.
        let mut requests = batch(30, 50);
        requests[7].events[10].payload = "[1, 2]".to_owned();
        requests[20].events.clear();
        let results = validate_all(requests, &ids);
        assert_eq!(results.len(), 30);
        for (index, result) in results.iter().enumerate() {
            match index {
                7 => assert_eq!(
                    result.as_ref().unwrap_err().to_string(),
                    "events[10].payload: the payload must be a JSON object"
                ),
                20 => assert!(result.as_ref().unwrap_err().to_string().starts_with("events:")),
                _ => assert_eq!(result.as_ref().unwrap().events.len(), 50, "request {index}"),
            }
        }
    }

    #[test]
    fn payloads_are_made_canonical() {
        let validated = validate_with_ids(request(r#"{ "b": [1, 2], "a": {"d": null, "c": "x"} }"#)).unwrap();
        assert_eq!(
            validated.events[0].payload.as_str(),
            r#"{"a":{"c":"x","d":null},"b":[1,2]}"#
        );
    }

    /// Found by the fuzz harness: without correctly rounded float parsing, a number too large
    /// for an integer was written as a float that read back as another float, so the canonical
    /// form of a canonical payload differed from it.
    #[test]
    fn canonical_payloads_with_floats_are_their_own_canonical_form() {
        for payload in [
            r#"{"big":123456789012345678901,"float":1.50,"exp":1e3,"neg":-0}"#,
            r#"{"a":1.2345678901234568e+20,"b":0.30000000000000004,"c":2.2250738585072014e-308}"#,
        ] {
            let canonical = canonical_payload(payload).unwrap();
            assert_eq!(canonical_payload(&canonical).unwrap(), canonical, "{payload}");
        }
        assert_eq!(
            canonical_payload(r#"{"big":123456789012345678901}"#).unwrap(),
            r#"{"big":1.2345678901234568e+20}"#
        );
    }

    #[test]
    fn bad_payloads_are_refused_with_the_field() {
        let error = validate_with_ids(request("{not json")).unwrap_err();
        assert_eq!(error.field, "events[0].payload");
        assert!(error.reason.starts_with("the payload is not valid JSON"), "{error}");
        let error = validate_with_ids(request("[1,2]")).unwrap_err();
        assert_eq!(error.reason, "the payload must be a JSON object");
    }

    #[test]
    fn fixed_time_format_round_trips() {
        let time: Timestamp = "2013-10-17T09:30:05.123456Z".parse().unwrap();
        let text = format_micros(time.as_microsecond());
        assert_eq!(text, "2013-10-17T09:30:05.123456Z");
        assert_eq!(parse_time(&text), Some(time));
        assert_eq!(format_micros(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_micros(MIN_TIME_MICROS), "1000-01-01T00:00:00.000000Z");
        assert_eq!(format_micros(MAX_TIME_MICROS), "9999-12-31T23:59:59.999999Z");
    }

    /// Whether a value holds only what [`is_canonical_json`] is sure of: integers of at most 18
    /// digits, no floats, strings and keys without characters that need escaping.
    fn only_plain_scalars(value: &serde_json::Value) -> bool {
        let plain = |text: &str| !text.chars().any(|c| c == '"' || c == '\\' || c.is_control());
        match value {
            serde_json::Value::Number(number) => number
                .as_i64()
                .is_some_and(|n| n.unsigned_abs() < 1_000_000_000_000_000_000),
            serde_json::Value::String(text) => plain(text),
            serde_json::Value::Array(items) => items.iter().all(only_plain_scalars),
            serde_json::Value::Object(map) => map.iter().all(|(key, item)| plain(key) && only_plain_scalars(item)),
            serde_json::Value::Null | serde_json::Value::Bool(_) => true,
        }
    }

    /// `value` as JSON with every object's members in reverse key order, with white space
    /// between tokens when `pretty`; scalars as serde_json writes them.
    fn members_reversed(value: &serde_json::Value, pretty: bool) -> String {
        let gap = if pretty { " \n\t" } else { "" };
        match value {
            serde_json::Value::Array(items) => {
                let items: Vec<String> = items.iter().map(|item| members_reversed(item, pretty)).collect();
                format!("[{gap}{}{gap}]", items.join(&format!("{gap},{gap}")))
            }
            serde_json::Value::Object(map) => {
                let members: Vec<String> = map
                    .iter()
                    .rev()
                    .map(|(key, item)| {
                        format!(
                            "{}{gap}:{gap}{}",
                            serde_json::to_string(key).unwrap(),
                            members_reversed(item, pretty)
                        )
                    })
                    .collect();
                format!("{{{gap}{}{gap}}}", members.join(&format!("{gap},{gap}")))
            }
            scalar => serde_json::to_string(scalar).unwrap(),
        }
    }

    #[test]
    fn reordering_refuses_what_it_cannot_be_sure_of() {
        let reorder = |text: &str| reorder_to_canonical(text);
        assert_eq!(
            reorder(
                r#"{ "title": "Seminar", "planned": {"start": "2013-04-01", "end": "2013-04-03"}, "cost": 12500 }"#
            )
            .as_deref(),
            Some(r#"{"cost":12500,"planned":{"end":"2013-04-03","start":"2013-04-01"},"title":"Seminar"}"#)
        );
        assert_eq!(
            reorder("[3, {}, [], true, null]").as_deref(),
            Some("[3,{},[],true,null]")
        );
        // A key twice (the value keeps the last), an escape, a float, a large or negative zero
        // integer: parsed and written again instead.
        for text in [
            r#"{"b":1,"a":2,"b":3}"#,
            r#"{"b":"x\u0041","a":1}"#,
            r#"{"b":1.5,"a":1}"#,
            r#"{"b":12345678901234567890,"a":1}"#,
            r#"{"b":-0,"a":1}"#,
        ] {
            assert_eq!(reorder(text), None, "{text}");
            let validated = validate_with_ids(request(text)).unwrap();
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                validated.events[0].payload.as_str(),
                serde_json::to_string(&value).unwrap()
            );
        }
    }

    /// Values of what reordering alone makes canonical: short plain keys and strings, small
    /// integers, literals.
    fn plain_json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            (-1_000_000i64..1_000_000).prop_map(serde_json::Value::from),
            "[a-zé ,:{}\\[\\]-]{0,8}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-zA-Z_é]{0,3}", inner, 0..6)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            any_text().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(any_text(), inner, 0..4)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9-]{1,20}",
            any::<String>(),
            Just("quote \" backslash \\ newline \n tab \t é ñ 中".to_owned()),
        ]
    }

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

        #[test]
        fn the_canonical_check_agrees_with_a_round_trip(value in json_value()) {
            let canonical = serde_json::to_string(&value).unwrap();
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            for text in [canonical.clone(), pretty] {
                let round_trip = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap();
                if is_canonical_json(&text) {
                    prop_assert_eq!(&text, &round_trip);
                }
            }
            // Integers, plain strings and sorted keys: what serde_json writes is recognised.
            if only_plain_scalars(&value) {
                prop_assert!(is_canonical_json(&canonical), "{}", canonical);
            }
        }

        #[test]
        fn reordering_plain_members_gives_what_a_round_trip_gives(value in plain_json_value(), pretty in any::<bool>()) {
            let text = members_reversed(&value, pretty);
            let canonical = serde_json::to_string(&value).unwrap();
            prop_assert_eq!(reorder_to_canonical(&text), Some(canonical.clone()));
            if value.is_object() {
                let validated = validate_with_ids(request(&text)).unwrap();
                prop_assert_eq!(validated.events[0].payload.as_str(), canonical.as_str());
            }
        }

        #[test]
        fn reordering_members_gives_what_a_round_trip_gives(value in json_value(), pretty in any::<bool>()) {
            let text = members_reversed(&value, pretty);
            let round_trip = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap();
            let reordered = reorder_to_canonical(&text);
            if let Some(reordered) = &reordered {
                prop_assert_eq!(reordered, &round_trip);
            }
            // Integers, plain strings: reordering is enough, and it is what validation keeps.
            if only_plain_scalars(&value) {
                prop_assert!(reordered.is_some(), "{}", text);
            }
            if value.is_object() {
                let validated = validate_with_ids(request(&text)).unwrap();
                prop_assert_eq!(validated.events[0].payload.as_str(), round_trip.as_str());
            }
        }

        #[test]
        fn the_canonical_check_never_accepts_a_text_that_would_change(text in r#"\{("[a-c]{0,2}":(-?[0-9]{1,3}|"[a-c\\\\]{0,2}"|\[\]|null|true|1\.0) ?,?){0,4}\}"#) {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text)
                && is_canonical_json(&text)
            {
                prop_assert_eq!(serde_json::to_string(&value).unwrap(), text);
            }
        }

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

        #[test]
        fn time_text_matches_jiff_and_parses_back(micros in MIN_TIME_MICROS..=MAX_TIME_MICROS) {
            let time = Timestamp::from_microsecond(micros).unwrap();
            let text = format_micros(micros);
            let jiff_text = time.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string();
            prop_assert_eq!(&text, &jiff_text);
            prop_assert_eq!(parse_time(&text), Some(time));
        }
    }
}
