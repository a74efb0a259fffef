//! What goes into the log and what comes out of it.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use smes_verify::Hash;
use uuid::Uuid;

use crate::error::{Error, InvalidInput};

/// Longest accepted stream name, in bytes.
pub const MAX_STREAM_NAME_BYTES: usize = 200;
/// Longest accepted event type, in bytes.
pub const MAX_EVENT_TYPE_BYTES: usize = 100;
/// Largest accepted payload of one event, in bytes of JSON text.
pub const MAX_PAYLOAD_BYTES: usize = 1024 * 1024;
/// Most events accepted in one append request.
pub const MAX_EVENTS_PER_APPEND: usize = 100_000;
/// Longest accepted short metadata field (actor, role, source, ids), in bytes.
pub const MAX_METADATA_FIELD_BYTES: usize = 200;
/// Longest accepted reason text, in bytes.
pub const MAX_REASON_BYTES: usize = 16 * 1024;

/// The name of a stream: one aggregate instance, such as `activity-<uuid>`.
///
/// Valid names are 1 to [`MAX_STREAM_NAME_BYTES`] bytes, with no control characters and no
/// leading or trailing white space.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct StreamName(String);

impl StreamName {
    /// Checks and wraps a stream name.
    pub fn new(name: impl Into<String>) -> Result<Self, InvalidInput> {
        let name = name.into();
        let problem = if name.is_empty() {
            Some("is empty")
        } else if name.len() > MAX_STREAM_NAME_BYTES {
            Some("is longer than 200 bytes")
        } else if name.chars().any(char::is_control) {
            Some("contains a control character")
        } else if name.trim() != name {
            Some("starts or ends with white space")
        } else {
            None
        };
        match problem {
            Some(problem) => Err(InvalidInput::new(
                "stream",
                format!("the stream name {name:?} {problem}"),
            )),
            None => Ok(StreamName(name)),
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The version a stream must be at for an append to go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// Append whatever the stream's version.
    Any,
    /// The stream must not exist yet (version 0).
    NoStream,
    /// The stream must be exactly at this version (0 means it must not exist).
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream currently at `actual` satisfies this expectation.
    pub fn admits(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == 0,
            ExpectedVersion::Exact(expected) => actual == expected,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::Exact(version) => write!(f, "version {version}"),
        }
    }
}

/// Who did it, under which command, and why. Every event of an append carries the same metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Pseudonymous id of the person or system that issued the command (never a name).
    pub actor: String,
    /// The actor's role (e.g. `secretariat`).
    pub role: String,
    /// The command's id; appends that carry one are idempotent.
    pub command_id: Option<Uuid>,
    /// Groups the events of one piece of work across commands.
    pub correlation_id: Option<Uuid>,
    /// The event or command that caused this one.
    pub causation_id: Option<Uuid>,
    /// Why, where a decision was made.
    pub reason: Option<String>,
    /// Where the command came from: `cli`, `http`, `import`, ...
    pub source: String,
}

impl Metadata {
    /// Metadata with an actor, a role and a source, and nothing else.
    pub fn new(actor: impl Into<String>, role: impl Into<String>, source: impl Into<String>) -> Self {
        Metadata {
            actor: actor.into(),
            role: role.into(),
            command_id: None,
            correlation_id: None,
            causation_id: None,
            reason: None,
            source: source.into(),
        }
    }

    /// Sets the command id (the idempotency key).
    pub fn with_command_id(mut self, command_id: Uuid) -> Self {
        self.command_id = Some(command_id);
        self
    }

    /// Sets the reason.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<(), InvalidInput> {
        for (field, value) in [("actor", &self.actor), ("role", &self.role), ("source", &self.source)] {
            if value.trim().is_empty() {
                return Err(InvalidInput::new(field, format!("metadata.{field} is empty")));
            }
            if value.len() > MAX_METADATA_FIELD_BYTES || value.chars().any(char::is_control) {
                return Err(InvalidInput::new(
                    field,
                    format!(
                        "metadata.{field} must be at most {MAX_METADATA_FIELD_BYTES} bytes without control characters"
                    ),
                ));
            }
        }
        if let Some(reason) = &self.reason
            && reason.len() > MAX_REASON_BYTES
        {
            return Err(InvalidInput::new(
                "reason",
                format!(
                    "metadata.reason is {} bytes; at most {MAX_REASON_BYTES} are accepted",
                    reason.len()
                ),
            ));
        }
        Ok(())
    }
}

/// An event to append: its type, the schema version of its payload, the payload, and when it
/// happened in the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// A past-tense fact: `NeedIdentified`, `ActivityApproved`.
    pub event_type: String,
    /// The schema version of `payload` (from 1).
    pub schema_version: u32,
    /// The payload as JSON text; it must be a JSON object.
    pub payload: String,
    /// Business time: when it happened, as the caller says.
    pub occurred_at: Timestamp,
}

impl NewEvent {
    /// An event whose payload is JSON text (checked when appended).
    pub fn new(
        event_type: impl Into<String>,
        schema_version: u32,
        payload: impl Into<String>,
        occurred_at: Timestamp,
    ) -> Self {
        NewEvent {
            event_type: event_type.into(),
            schema_version,
            payload: payload.into(),
            occurred_at,
        }
    }

    /// An event whose payload is a JSON value.
    pub fn from_value(
        event_type: impl Into<String>,
        schema_version: u32,
        payload: &serde_json::Value,
        occurred_at: Timestamp,
    ) -> Self {
        Self::new(event_type, schema_version, payload.to_string(), occurred_at)
    }
}

/// One append: events for one stream, guarded by an expected version, with their metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendRequest {
    /// The stream to append to.
    pub stream: StreamName,
    /// The version the stream must be at.
    pub expected_version: ExpectedVersion,
    /// The events, in order (at least one).
    pub events: Vec<NewEvent>,
    /// Metadata shared by every event of the append.
    pub metadata: Metadata,
    /// The SHA-256 of the command the append carries out, in a canonical form, when the caller
    /// has one: stored with the command id instead of the digest of the events, it binds the
    /// id to the command itself, so a retry that seals its personal data afresh is still the
    /// same command and another command under the same id is not.
    pub command_digest: Option<Hash>,
}

impl AppendRequest {
    /// A request to append `events` to `stream`.
    pub fn new(
        stream: StreamName,
        expected_version: ExpectedVersion,
        events: Vec<NewEvent>,
        metadata: Metadata,
    ) -> Self {
        AppendRequest {
            stream,
            expected_version,
            events,
            metadata,
            command_digest: None,
        }
    }

    /// The same request, bound to the digest of the command it carries out.
    pub fn with_command_digest(mut self, digest: Hash) -> Self {
        self.command_digest = Some(digest);
        self
    }
}

/// What the log keeps of an append that carried a command id: its outcome, and the digest of
/// the command when the id is bound to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRecord {
    /// What the append wrote (with `replayed` set).
    pub outcome: AppendOutcome,
    /// The digest the id is bound to: the command's (or, for an append that named no command
    /// digest, its events'). `None` for entries written before ids were bound, whose digest
    /// covered sealed parts that differ on every retry.
    pub command_digest: Option<Hash>,
}

/// What an append wrote (or, for a repeated command id, what the first append wrote).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendOutcome {
    /// The stream appended to.
    pub stream: String,
    /// Global position of the first event written.
    pub first_position: u64,
    /// Global position of the last event written.
    pub last_position: u64,
    /// Stream version of the first event written.
    pub first_version: u64,
    /// Stream version of the last event written: the stream's version after the append.
    pub last_version: u64,
    /// When the log recorded the events.
    pub recorded_at: Timestamp,
    /// True when the command id had been appended before and nothing new was written.
    pub replayed: bool,
}

/// A payload as read from the log: the text of a JSON object, exactly as stored.
///
/// Reads do not re-validate the text: it was validated when appended and the hash chain covers
/// it, so a payload that is not JSON can only come from tampering, which `verify` finds.
/// [`RecordedEvent::payload_as`] reports such a payload as an error, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload(Box<str>);

impl Payload {
    pub(crate) fn from_stored(text: &str) -> Self {
        Payload(text.into())
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }

    /// The payload as a raw JSON value (checks that it is JSON).
    pub fn as_raw_json(&self) -> Result<&RawValue, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Payload {
    /// Serialises as the JSON value it holds, not as a string.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.as_raw_json()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// An event as read from the log.
#[derive(Debug, Clone)]
pub struct RecordedEvent {
    /// Global position (from 1, gapless, commit order).
    pub position: u64,
    /// The stream.
    pub stream: String,
    /// Version within the stream (from 1, gapless).
    pub version: u64,
    /// The event's id.
    pub event_id: Uuid,
    /// The event type.
    pub event_type: String,
    /// The schema version the payload was stored with (the domain reads older versions).
    pub schema_version: u32,
    /// The payload, as stored.
    pub payload: Payload,
    /// Who, which command, why.
    pub metadata: Metadata,
    /// Business time.
    pub occurred_at: Timestamp,
    /// Record time.
    pub recorded_at: Timestamp,
    /// Hash of the previous event.
    pub prev_hash: Hash,
    /// Hash of this event's stored record.
    pub hash: Hash,
}

impl RecordedEvent {
    /// Deserialises the payload into a typed value.
    pub fn payload_as<'de, T: Deserialize<'de>>(&'de self) -> Result<T, Error> {
        serde_json::from_str(self.payload.get()).map_err(|source| Error::Payload {
            position: self.position,
            event_type: self.event_type.clone(),
            detail: source.to_string(),
        })
    }
}

/// The end of the log: its last position and the hash there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The last position (0 for an empty log).
    pub position: u64,
    /// The hash at that position ([`smes_verify::GENESIS_HASH`] for an empty log).
    pub hash: Hash,
}

/// One event exactly as a log stores it: its position, its canonical record (the bytes that
/// were hashed) and its hash. What `smes copy` moves between logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// The global position.
    pub position: u64,
    /// The canonical record, exactly as stored and hashed.
    pub record: String,
    /// SHA-256 of `record`.
    pub hash: Hash,
}

/// What a log keeps of an append that carried a command id, so that a copy of the log answers
/// a repeated command as the original does. Not part of the hash chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandEntry {
    /// The command id, hyphenated.
    pub command_id: String,
    /// The stream appended to.
    pub stream: String,
    /// The first position the append wrote.
    pub first_position: u64,
    /// The last position it wrote.
    pub last_position: u64,
    /// The first stream version it wrote.
    pub first_version: u64,
    /// The last stream version it wrote.
    pub last_version: u64,
    /// Its record time, in microseconds since 1970 UTC.
    pub recorded_at_micros: i64,
    /// The digest of the request, which tells a retry from a different command reusing the id.
    pub request_digest: Vec<u8>,
    /// Whether `request_digest` binds the id to its command (false for entries written before
    /// ids were bound: see [`CommandRecord::command_digest`]).
    pub binds_command: bool,
}

/// The Merkle tree head of the log at some size: what a checkpoint signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    /// The number of events (leaves).
    pub size: u64,
    /// The RFC 6962 root over their leaves.
    pub root: Hash,
}

/// A signed checkpoint kept with the log (`smes checkpoint --store`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// The log's name the checkpoint states.
    pub origin: String,
    /// The tree size it commits to.
    pub tree_size: u64,
    /// The signed note, exactly as signed.
    pub note: String,
    /// When it was stored.
    pub stored_at: jiff::Timestamp,
}
