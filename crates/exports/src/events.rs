//! The raw event log as JSON Lines, for data scientists: one object per event with a fixed
//! field order (position, stream, version, id, type, schema_version, occurred_at, recorded_at,
//! metadata, payload, hash), payloads exactly as stored (keys sorted, amounts as strings).
//! Reading the log is not done here: each event arrives as a [`RawEvent`].

use std::io::Write;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::error::{Error, Result};

/// The formats of the events export.
pub const FORMATS: [&str; 1] = ["jsonl"];

/// Checks `--format`.
pub fn parse_format(text: &str) -> Result<()> {
    if FORMATS.contains(&text) {
        Ok(())
    } else {
        Err(Error::InvalidOption {
            option: "--format",
            value: text.to_owned(),
            allowed: format!("expected one of {}", FORMATS.join(", ")),
        })
    }
}

/// One event of the log as the export writes it: plain data, whichever store it was read
/// from. The metadata and the payload are JSON texts, written as they are.
#[derive(Debug, Clone, Copy)]
pub struct RawEvent<'a> {
    /// Global log position.
    pub position: u64,
    /// The stream.
    pub stream: &'a str,
    /// Version within the stream.
    pub version: u64,
    /// The event's id.
    pub event_id: Uuid,
    /// The stored type.
    pub event_type: &'a str,
    /// The schema version it was stored under.
    pub schema_version: u32,
    /// Business time.
    pub occurred_at: Timestamp,
    /// Record time.
    pub recorded_at: Timestamp,
    /// The metadata, as a JSON object.
    pub metadata: &'a RawValue,
    /// The payload, as stored.
    pub payload: &'a RawValue,
    /// The hash of the stored record.
    pub hash: &'a [u8],
}

/// One line of the export; the field order is the struct's.
#[derive(Serialize)]
struct EventLine<'a> {
    position: u64,
    stream: &'a str,
    version: u64,
    id: String,
    #[serde(rename = "type")]
    event_type: &'a str,
    schema_version: u32,
    occurred_at: String,
    recorded_at: String,
    metadata: &'a RawValue,
    payload: &'a RawValue,
    hash: String,
}

/// Writes one event as a line.
pub fn write_line(out: &mut impl Write, event: &RawEvent<'_>) -> Result<()> {
    let line = EventLine {
        position: event.position,
        stream: event.stream,
        version: event.version,
        id: event.event_id.to_string(),
        event_type: event.event_type,
        schema_version: event.schema_version,
        occurred_at: event.occurred_at.to_string(),
        recorded_at: event.recorded_at.to_string(),
        metadata: event.metadata,
        payload: event.payload,
        hash: smes_projections::envelope::to_hex(event.hash),
    };
    serde_json::to_writer(&mut *out, &line).map_err(|error| Error::render("jsonl", error))?;
    out.write_all(b"\n").map_err(|error| Error::render("jsonl", error))
}
