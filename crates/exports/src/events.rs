//! The raw event log as JSON Lines, for data scientists: one object per event with a fixed
//! field order (position, stream, version, id, type, schema_version, occurred_at, recorded_at,
//! metadata, payload, hash), payloads exactly as stored (keys sorted, amounts as strings).

use std::io::Write;

use futures_util::TryStreamExt;
use serde::Serialize;
use smes_eventlog::{EventStore, Metadata, Payload, RecordedEvent};

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
    metadata: &'a Metadata,
    payload: &'a Payload,
    hash: String,
}

/// Writes one event as a line.
pub fn write_line(out: &mut impl Write, event: &RecordedEvent) -> Result<()> {
    let line = EventLine {
        position: event.position,
        stream: &event.stream,
        version: event.version,
        id: event.event_id.to_string(),
        event_type: &event.event_type,
        schema_version: event.schema_version,
        occurred_at: event.occurred_at.to_string(),
        recorded_at: event.recorded_at.to_string(),
        metadata: &event.metadata,
        payload: &event.payload,
        hash: smes_projections::envelope::to_hex(&event.hash),
    };
    serde_json::to_writer(&mut *out, &line).map_err(|error| Error::render("jsonl", error))?;
    out.write_all(b"\n").map_err(|error| Error::render("jsonl", error))
}

/// Writes every event of the log, from position 1 to the head as it was when reading began,
/// and returns how many were written.
pub async fn write_all(store: &dyn EventStore, out: &mut impl Write) -> Result<u64> {
    let head = store.head().await?;
    let mut events = store.stream_all(1);
    let mut written = 0;
    while let Some(event) = events.try_next().await? {
        if event.position > head.position {
            break;
        }
        write_line(out, &event)?;
        written += 1;
    }
    Ok(written)
}
