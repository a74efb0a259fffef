//! The log prefix a report is made from, and its anchor.
//!
//! A report reads the log once: from position 1 up to the head as it was when reading began,
//! no further than an `--at-position` bound, and stopping before the first event recorded after
//! a `--known-at` bound (record time never decreases along positions, so what is left is a
//! prefix). The last position read, the hash there and the Merkle tree head of that size are
//! the report's anchor: an auditor compares the tree size and root with a signed checkpoint
//! (`smes checkpoint --size N`) and the rest follows from the log's proofs.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::TryStreamExt;
use jiff::Timestamp;
use smes_eventlog::EventStore;
use smes_projections::envelope::to_hex;
use smes_projections::{Anchor, LogSlice};

use crate::envelope::envelope;
use crate::error::{Error, Result};

/// Reads the log from position 1 up to `at_position` (when given) and the last event recorded
/// at or before `known_at` (when given). A position beyond the head is an error naming the
/// option.
pub async fn read_log(
    store: &dyn EventStore,
    known_at: Option<Timestamp>,
    at_position: Option<u64>,
) -> Result<LogSlice> {
    let head = store.head().await?;
    if let Some(position) = at_position
        && position > head.position
    {
        return Err(Error::invalid_option(
            "--at-position",
            position.to_string(),
            format!("the log holds {} events", head.position),
        ));
    }
    let last = at_position.unwrap_or(head.position);
    let mut envelopes = Vec::new();
    let mut events = store.stream_all(1);
    while let Some(recorded) = events.try_next().await? {
        if recorded.position > last || known_at.is_some_and(|instant| recorded.recorded_at > instant) {
            break;
        }
        envelopes.push(envelope(&recorded)?);
    }
    drop(events);
    if let Some(instant) = known_at
        && envelopes.is_empty()
        && last > 0
    {
        return Err(before_first_record(store, instant).await);
    }
    let log_position = envelopes.last().map_or(0, |envelope| envelope.position);
    let head_hash = envelopes
        .last()
        .map_or_else(|| to_hex(&smes_verify::GENESIS_HASH), |envelope| envelope.hash.clone());
    let tree = store.tree_head(Some(log_position)).await?;
    Ok(LogSlice {
        envelopes,
        anchor: Anchor {
            log_position,
            head_hash,
            tree_size: tree.size,
            tree_root: STANDARD.encode(tree.root),
        },
    })
}

/// The refusal of a `--known-at` time before the log's first record: nothing was known then,
/// so the cut is wrong rather than the year or record asked for.
pub(crate) async fn before_first_record(store: &dyn EventStore, instant: Timestamp) -> Error {
    let first = match store.read_all(1, 1).await {
        Ok(events) => events.first().map(|event| event.recorded_at),
        Err(error) => return error.into(),
    };
    Error::invalid_option(
        "--known-at",
        instant.to_string(),
        match first {
            Some(first) => format!("nothing was recorded by then; the log's first record was made at {first}"),
            None => "nothing was recorded by then".to_owned(),
        },
    )
}
