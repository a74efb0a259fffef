//! The link index, kept with the log: caught up before a view is read, followed by a worker as
//! the log grows, rebuilt beside the live one on request, and checked against the log.
//!
//! A snapshot or a trace asks for the events of a few hundred streams rather than the whole
//! log: [`crate::read_view`] brings the index up to the log's head with [`catch_up`] (one
//! transaction per page of new events, its head moved in the same transaction, so a crash never
//! applies a page twice or skips one), then walks it.
//!
//! [`follow`] keeps the index caught up as the log grows, for a worker (`smes project`) that
//! holds the [`LEASE`]: one worker at a time applies, the others wait for the lease.

mod check;
mod follow;
mod rebuild;

use std::collections::BTreeMap;

use smes_eventlog::{EventStore, Link, LinkIndexHead, ProjectionLease, RecordedEvent};
use smes_projections::reach;
use smes_verify::{GENESIS_HASH, Hash};

pub use check::{IndexCheck, check};
pub use follow::{LEASE, Progress, follow};
pub use rebuild::rebuild;

use crate::envelope::envelope;
use crate::error::{Error, Result};

/// How many events one catch-up transaction, or one write of a rebuild, covers by default.
pub const PAGE: usize = 10_000;

/// Where the index stands after a catch-up or a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexState {
    /// The last log position it covers (0 for an empty log).
    pub position: u64,
    /// Its generation (0 before any).
    pub generation: u64,
}

impl IndexState {
    pub(crate) fn of(head: Option<LinkIndexHead>) -> Self {
        head.map_or(
            IndexState {
                position: 0,
                generation: 0,
            },
            |head| IndexState {
                position: head.position,
                generation: head.generation,
            },
        )
    }
}

/// The links of a page of events, deduplicated, each with the first position asserting it.
/// Only events of a type that may link are decoded.
pub(crate) fn links_of(events: &[RecordedEvent]) -> Result<Vec<Link>> {
    let mut found: BTreeMap<(String, String), u64> = BTreeMap::new();
    gather(events, |from, to, position| {
        found.entry((from, to)).or_insert(position);
    })?;
    Ok(found
        .into_iter()
        .map(|((from, to), position)| Link { from, to, position })
        .collect())
}

/// Passes the links of events, in order, to `found` with the position asserting each.
pub(crate) fn gather(events: &[RecordedEvent], mut found: impl FnMut(String, String, u64)) -> Result<()> {
    for recorded in events.iter().filter(|recorded| reach::may_link(&recorded.event_type)) {
        let envelope = envelope(recorded)?;
        reach::links(&envelope, |from, to| found(from, to, envelope.position));
    }
    Ok(())
}

/// Checks that the index was built from this log: the event at its head has the hash it
/// recorded.
pub(crate) async fn check_belongs(store: &dyn EventStore, head: &LinkIndexHead) -> Result<()> {
    if head.position == 0 || hash_at(store, head.position).await? == head.hash {
        return Ok(());
    }
    Err(Error::IndexMismatch {
        position: head.position,
    })
}

/// The hash of the event at `position` (the chain's genesis hash at 0). A position the log
/// does not hold is an [`Error::IndexMismatch`]: the index named it.
pub(crate) async fn hash_at(store: &dyn EventStore, position: u64) -> Result<Hash> {
    if position == 0 {
        return Ok(GENESIS_HASH);
    }
    let found = store.read_all(position, 1).await?;
    found
        .first()
        .filter(|event| event.position == position)
        .map(|event| event.hash)
        .ok_or(Error::IndexMismatch { position })
}

/// Brings the link index up to the log's head as it is when the catch-up starts, one page of
/// events per transaction. Several processes may catch up at once: a page another process
/// applied first is read again from the new head, never applied twice.
pub async fn catch_up(store: &dyn EventStore, page: usize) -> Result<IndexState> {
    catch_up_holding(store, page, None, &mut |_| {}).await
}

/// [`catch_up`], checking `lease` (when given) before each page and telling `applied` where
/// each committed page left the index.
pub(crate) async fn catch_up_holding(
    store: &dyn EventStore,
    page: usize,
    mut lease: Option<&mut ProjectionLease>,
    applied: &mut (dyn FnMut(IndexState) + Send),
) -> Result<IndexState> {
    let page = page.max(1);
    let target = store.head().await?;
    let mut pages = 0u64;
    loop {
        if let Some(lease) = lease.as_deref_mut() {
            lease.check().await?;
        }
        let expected = store.link_index_head().await?;
        if let Some(head) = &expected {
            check_belongs(store, head).await?;
        }
        let state = IndexState::of(expected);
        if state.position >= target.position {
            if pages > 0 {
                tracing::info!(
                    position = state.position,
                    generation = state.generation,
                    transactions = pages,
                    "link index caught up"
                );
            }
            return Ok(state);
        }
        let (links, through) = range_links(store, state.position, page, (target.position, target.hash)).await?;
        let count = links.len();
        // `None`: another process moved the head, or a rebuild swapped; read it again.
        match store.extend_link_index(expected, through, links).await? {
            Some(head) => {
                pages += 1;
                tracing::debug!(
                    from = state.position + 1,
                    through = through.0,
                    links = count,
                    "link index extended"
                );
                applied(IndexState::of(Some(head)));
            }
            None => tracing::debug!(
                expected = state.position,
                "the link index's head moved meanwhile (another process caught it up); reading it again"
            ),
        }
    }
}

/// The links asserted by the `page` events after position `after` (no further than `head`),
/// and the position and hash the range ends at. Only events of a type that may link are read
/// and decoded.
async fn range_links(
    store: &dyn EventStore,
    after: u64,
    page: usize,
    head: (u64, Hash),
) -> Result<(Vec<Link>, (u64, Hash))> {
    let (events, through) = range_events(store, after, page, head).await?;
    Ok((links_of(&events)?, through))
}

/// The events that may link among the `page` events after position `after` (no further than
/// `head`), and the position and hash the range ends at.
pub(crate) async fn range_events(
    store: &dyn EventStore,
    after: u64,
    page: usize,
    head: (u64, Hash),
) -> Result<(Vec<RecordedEvent>, (u64, Hash))> {
    let last = after.saturating_add(page as u64).min(head.0);
    let events = store
        .read_range_of_types(after + 1, last, &reach::LINKING_EVENT_TYPES)
        .await?;
    let hash = if last == head.0 {
        head.1
    } else {
        hash_at(store, last).await?
    };
    Ok((events, (last, hash)))
}
