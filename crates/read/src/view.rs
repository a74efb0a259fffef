//! Reading a view through the link index: catch it up, walk it, read only the streams the walk
//! names.
//!
//! [`read_view`] walks a [`Reach`] over the index up to the last position the view may see, and
//! reads those streams up to that position. The walk follows links first asserted at or before
//! that position, so the answer is the one the whole log prefix gives; the property tests of
//! `smes-reports` and this crate's tests compare the two on logs with back-dated events and
//! corrections.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use smes_eventlog::{EventStore, RecordedEvent, StreamName};
use smes_projections::envelope::to_hex;
use smes_projections::{Anchor, LogSlice, Occurred, Reach};

use crate::decode::{decode_split, decoders};
use crate::error::{Error, Result};
use crate::index::{catch_up, hash_at};

/// How many times a view is read again when a rebuild swaps the index under it.
const ATTEMPTS: usize = 5;

/// The last position a view may see: the head the index covers, no further than
/// `at_position` and the last event recorded at or before `known_at`; `None` when
/// `at_position` lies beyond what the index covers but not beyond the log's head. A position
/// beyond the log's head is an error naming the option.
async fn last_position(
    store: &dyn EventStore,
    covered: u64,
    known_at: Option<Timestamp>,
    at_position: Option<u64>,
) -> Result<Option<u64>> {
    if let Some(position) = at_position
        && position > covered
    {
        let head = store.head().await?.position;
        if position <= head {
            // Appended since the catch-up began: the caller catches up again.
            return Ok(None);
        }
        return Err(Error::invalid_option(
            "--at-position",
            position.to_string(),
            format!("the log holds {head} events"),
        ));
    }
    let mut last = at_position.unwrap_or(covered);
    if let Some(instant) = known_at {
        // Record time never decreases along positions: find the last one at or before it.
        let (mut low, mut high) = (0, last);
        while low < high {
            let middle = low + (high - low).div_ceil(2);
            let event = store.read_all(middle, 1).await?;
            if event.first().is_some_and(|event| event.recorded_at <= instant) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        if low == 0 && last > 0 {
            return Err(crate::log::before_first_record(store, instant).await);
        }
        last = low;
    }
    Ok(Some(last))
}

/// The anchor of a view that ends at `last`.
async fn anchor(store: &dyn EventStore, last: u64) -> Result<Anchor> {
    let head_hash = to_hex(&hash_at(store, last).await?);
    let tree = store.tree_head(Some(last)).await?;
    Ok(Anchor {
        log_position: last,
        head_hash,
        tree_size: tree.size,
        tree_root: STANDARD.encode(tree.root),
    })
}

/// Walks `reach` over the live index up to `last`; `None` when the index no longer covers
/// `last` (a rebuild swapped in a generation that has not caught up yet).
async fn walk(store: &dyn EventStore, mut reach: Reach, last: u64) -> Result<Option<Reach>> {
    loop {
        let nodes = reach.frontier();
        if nodes.is_empty() {
            return Ok(Some(reach));
        }
        let Some(links) = store.links_from(&nodes, last).await? else {
            return Ok(None);
        };
        reach.follow(links.iter().map(|link| (link.from.as_str(), link.to.as_str())));
    }
}

/// What a view reads: the events of the streams it needs, with the walk that named them.
#[derive(Debug, Clone)]
pub struct View {
    /// The events of the streams the view needs, up to the view's last position, in order,
    /// with the anchor of that whole prefix.
    pub log: LogSlice,
    /// The walk, for the lists it found.
    pub reach: Reach,
}

/// Reads what a view needs: catches the index up, walks `reach` up to the last position the
/// cut's record-time and position bounds allow, and reads those streams' events (leaving out
/// those `occurred` says the view never admits).
pub async fn read_view(
    store: &dyn EventStore,
    page: usize,
    reach: Reach,
    known_at: Option<Timestamp>,
    at_position: Option<u64>,
    occurred: Option<Occurred>,
) -> Result<View> {
    for _ in 0..ATTEMPTS {
        let started = Instant::now();
        let covered = catch_up(store, page).await?.position;
        let Some(last) = last_position(store, covered, known_at, at_position).await? else {
            continue;
        };
        let caught_up = started.elapsed();
        let Some(reach) = walk(store, reach.clone(), last).await? else {
            continue;
        };
        let walked = started.elapsed();
        let streams = reach
            .streams()
            .into_iter()
            .map(StreamName::new)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(smes_eventlog::Error::from)?;
        let events = read_streams(store, &streams, last, occurred).await?;
        let read = started.elapsed();
        let count = events.len();
        let envelopes = decode_split(events, decoders()).await?;
        let decoded = started.elapsed();
        let anchor = anchor(store, last).await?;
        tracing::debug!(
            last,
            streams = streams.len(),
            events = count,
            catch_up_ms = millis(caught_up),
            walk_ms = millis(walked - caught_up),
            read_ms = millis(read - walked),
            decode_ms = millis(decoded - read),
            total_ms = millis(started.elapsed()),
            "view read"
        );
        return Ok(View {
            log: LogSlice { envelopes, anchor },
            reach,
        });
    }
    Err(Error::IndexBusy { attempts: ATTEMPTS })
}

/// A duration in milliseconds, for the log.
fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

/// The events of `streams` up to `last`, in position order, without those `occurred` leaves
/// out.
async fn read_streams(
    store: &dyn EventStore,
    streams: &[StreamName],
    last: u64,
    occurred: Option<Occurred>,
) -> Result<Vec<RecordedEvent>> {
    let Some(occurred) = occurred else {
        return Ok(store.read_streams(streams, last).await?);
    };
    let (whole, cut): (Vec<StreamName>, Vec<StreamName>) = streams
        .iter()
        .cloned()
        .partition(|stream| (occurred.whole)(stream.as_str()));
    let mut events = store.read_streams_occurred_before(&cut, last, occurred.before).await?;
    if !whole.is_empty() {
        events.extend(store.read_streams(&whole, last).await?);
        events.sort_by_key(|event| event.position);
    }
    Ok(events)
}
