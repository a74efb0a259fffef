//! Validation of what is appended: an append request's events checked field by field, their
//! payloads put in canonical form, their ids drawn, and every part of their records that does not
//! depend on their place in the log encoded once, ahead of the single writer.

use std::borrow::Cow;

use sha2::{Digest, Sha256};
use smes_verify::{Hash, RecordMetadata};
use uuid::Uuid;

use super::canonical::canonical_payload_of;
use super::time::{checked_micros, format_micros};
use crate::clock::IdSource;
use crate::error::InvalidInput;
use crate::event::{AppendRequest, MAX_EVENT_TYPE_BYTES, MAX_EVENTS_PER_APPEND, Metadata};

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
    if events < PARALLEL_VALIDATION_EVENTS || requests.len() < 2 || crate::cpus::available() < 2 {
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

#[cfg(test)]
mod tests {
    use super::super::test_support::{request, validate_with_ids};
    use super::*;
    use crate::event::{ExpectedVersion, NewEvent, StreamName};

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

    #[test]
    fn bad_payloads_are_refused_with_the_field() {
        let error = validate_with_ids(request("{not json")).unwrap_err();
        assert_eq!(error.field, "events[0].payload");
        assert!(error.reason.starts_with("the payload is not valid JSON"), "{error}");
        let error = validate_with_ids(request("[1,2]")).unwrap_err();
        assert_eq!(error.reason, "the payload must be a JSON object");
    }
}
