//! The raw log for the events export: every event up to the head, each handed to
//! `smes-exports`' line writer as plain data.

use std::io::Write;

use futures_util::TryStreamExt;
use serde_json::value::{RawValue, to_raw_value};
use smes_eventlog::{EventStore, RecordedEvent};
use smes_exports::events::{RawEvent, write_line};

use crate::error::Result;

/// Writes every event of the log, from position 1 to the head as it was when reading began,
/// as JSON Lines, and returns how many were written.
pub async fn write_all(store: &dyn EventStore, out: &mut impl Write) -> Result<u64> {
    let head = store.head().await?;
    let mut events = store.stream_all(1);
    let mut written = 0;
    while let Some(event) = events.try_next().await? {
        if event.position > head.position {
            break;
        }
        write_event(out, &event)?;
        written += 1;
    }
    Ok(written)
}

/// Writes one recorded event as a line of the export.
fn write_event(out: &mut impl Write, event: &RecordedEvent) -> Result<()> {
    let metadata: Box<RawValue> = to_raw_value(&event.metadata).map_err(render)?;
    let payload = event.payload.as_raw_json().map_err(render)?;
    write_line(
        out,
        &RawEvent {
            position: event.position,
            stream: &event.stream,
            version: event.version,
            event_id: event.event_id,
            event_type: &event.event_type,
            schema_version: event.schema_version,
            occurred_at: event.occurred_at,
            recorded_at: event.recorded_at,
            metadata: &metadata,
            payload,
            hash: &event.hash,
        },
    )?;
    Ok(())
}

/// A metadata or payload that could not be written as JSON, as the export words it.
fn render(error: serde_json::Error) -> smes_exports::Error {
    smes_exports::Error::Render {
        format: "jsonl",
        detail: error.to_string(),
    }
}
