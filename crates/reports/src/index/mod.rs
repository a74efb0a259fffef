//! The link index, kept with the log: caught up before a view is read, rebuilt beside the live
//! one on request, and walked to read only the streams a view needs.
//!
//! A snapshot or a trace asks for the events of a few hundred streams rather than the whole
//! log: [`read_view`] brings the index up to the log's head (one transaction per page of new
//! events, its head moved in the same transaction, so a crash never applies a page twice or
//! skips one), walks a [`Reach`] over it up to the last position the view may see, and reads
//! those streams up to that position. The walk follows links first asserted at or before that
//! position, so the answer is the one the whole log prefix gives; the reports' property tests
//! compare the two on logs with back-dated events and corrections.
//!
//! [`follow`] keeps the index caught up as the log grows, for a worker (`smes project`) that
//! holds the [`LEASE`]: one worker at a time applies, the others wait for the lease.
//!
//! A role that may read the log but not write the index (PostgreSQL's reading role,
//! docs/eventlog.md) reads through the index while it covers the view, and once it lags reads
//! the whole log prefix instead: the same report, made the slower way.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::{FutureExt as _, TryStreamExt as _};
use jiff::Timestamp;
use smes_eventlog::{EventStore, Link, LinkIndexHead, ProjectionLease, RecordedEvent, StreamName};
use smes_projections::envelope::to_hex;
use smes_projections::trace::Subject;
use smes_projections::{Cut, Envelope, Reach, reach};
use smes_verify::{GENESIS_HASH, Hash};

use crate::error::{Error, Result};
use crate::snapshot::{self, Known, Snapshot, SnapshotRequest};
use crate::source::{Anchor, LogSlice, read_log};
use crate::trace::{self, TraceReport};

/// How many events one catch-up transaction, or one write of a rebuild, covers by default.
pub const PAGE: usize = 10_000;

/// How many times a view is read again when a rebuild swaps the index under it.
const ATTEMPTS: usize = 5;

/// Where the index stands after a catch-up or a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexState {
    /// The last log position it covers (0 for an empty log).
    pub position: u64,
    /// Its generation (0 before any).
    pub generation: u64,
}

impl IndexState {
    fn of(head: Option<LinkIndexHead>) -> Self {
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
fn links_of(events: &[RecordedEvent]) -> Result<Vec<Link>> {
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
fn gather(events: &[RecordedEvent], mut found: impl FnMut(String, String, u64)) -> Result<()> {
    for recorded in events.iter().filter(|recorded| reach::may_link(&recorded.event_type)) {
        let envelope = Envelope::from_recorded(recorded)?;
        reach::links(&envelope, |from, to| found(from, to, envelope.position));
    }
    Ok(())
}

fn decode(page: Vec<RecordedEvent>) -> Result<Vec<Envelope>> {
    page.into_iter()
        .map(|recorded| Envelope::from_owned(recorded).map_err(Error::from))
        .collect()
}

/// The fewest events each part of a split decode gets: handing a part to a blocking thread
/// costs tens of microseconds, what decoding a hundred or so events does.
const MIN_EVENTS_PER_DECODER: usize = 1_000;

/// How many threads a view's events are decoded on at most: as many as the machine has CPUs,
/// no more than the SQLite store reads a view's streams on by default (a report is one
/// request, and should not take every core of a larger server).
fn decoders() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(smes_eventlog::MAX_DEFAULT_READ_PARALLELISM as usize)
}

/// [`decode`], a large view's events split in consecutive parts (at most `threads`) decoded at
/// once, each on a blocking thread but the last, which is decoded on this one; the parts are
/// joined in order.
async fn decode_split(mut events: Vec<RecordedEvent>, threads: usize) -> Result<Vec<Envelope>> {
    let parts = threads.min(events.len() / MIN_EVENTS_PER_DECODER).max(1);
    if parts == 1 {
        return decode(events);
    }
    let size = events.len().div_ceil(parts);
    let mut others = Vec::with_capacity(parts - 1);
    while events.len() > size {
        let rest = events.split_off(size);
        let part = std::mem::replace(&mut events, rest);
        others.push(tokio::task::spawn_blocking(move || decode(part)));
    }
    let last = decode(events);
    let mut envelopes = Vec::new();
    for part in others {
        envelopes.extend(part.await.map_err(|_| Error::DecoderStopped)??);
    }
    envelopes.extend(last?);
    Ok(envelopes)
}

/// Checks that the index was built from this log: the event at its head has the hash it
/// recorded.
async fn check_belongs(store: &dyn EventStore, head: &LinkIndexHead) -> Result<()> {
    if head.position == 0 || hash_at(store, head.position).await? == head.hash {
        return Ok(());
    }
    Err(Error::IndexMismatch {
        position: head.position,
    })
}

/// The hash of the event at `position` (the chain's genesis hash at 0). A position the log
/// does not hold is an [`Error::IndexMismatch`]: the index named it.
async fn hash_at(store: &dyn EventStore, position: u64) -> Result<Hash> {
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
async fn catch_up_holding(
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
async fn range_events(
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

/// The name of the projection lease under which one worker at a time keeps the link index
/// (`smes project`).
pub const LEASE: &str = "link-index";

/// What [`follow`] tells its caller as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Caught up with the log as it stood; from here on, following it as it grows.
    Following(IndexState),
    /// A transaction applied events up to this state.
    Applied(IndexState),
}

/// Keeps the link index caught up as events arrive, for as long as `lease` is held.
///
/// First catches up from the index's head, one transaction a page (as [`catch_up`]); then
/// follows the log with [`EventStore::subscribe`] from the position after the head and applies
/// what arrives, whatever is at hand up to `page` events a transaction, each an extend that
/// checks the head it expects. The lease is checked before every transaction. When another
/// process moved the head meanwhile (a report catching up, a rebuild swapped in), the extend
/// writes nothing and the worker catches up again from the new head, so no event is applied
/// twice or skipped. Returns only with an error: the lease was lost
/// ([`smes_eventlog::Error::LeaseLost`]), or reading or writing failed.
pub async fn follow(
    store: &dyn EventStore,
    page: usize,
    lease: &mut ProjectionLease,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<std::convert::Infallible> {
    let page = page.max(1);
    loop {
        catch_up_holding(store, page, Some(&mut *lease), &mut |state| {
            progress(Progress::Applied(state))
        })
        .await?;
        let mut expected = store.link_index_head().await?;
        if let Some(head) = &expected {
            check_belongs(store, head).await?;
        }
        let following = IndexState::of(expected);
        tracing::info!(
            from = following.position + 1,
            generation = following.generation,
            "link index caught up; following the log"
        );
        progress(Progress::Following(following));
        let mut arriving = store.subscribe(IndexState::of(expected).position + 1);
        // A subscription does not end while the log is readable; if one does, start again.
        while let Some(first) = arriving.try_next().await? {
            let mut batch = vec![first];
            // Whatever else is already at hand, without waiting for more.
            while batch.len() < page {
                match arriving.try_next().now_or_never() {
                    Some(Ok(Some(event))) => batch.push(event),
                    Some(Err(error)) => return Err(error.into()),
                    Some(Ok(None)) | None => break,
                }
            }
            lease.check().await?;
            let last = &batch[batch.len() - 1];
            let next = IndexState::of(expected).position + 1;
            if batch[0].position != next {
                // Subscriptions never skip; this guards the index against one that would.
                return Err(Error::IndexMismatch { position: next });
            }
            let through = (last.position, last.hash);
            let links = links_of(&batch)?;
            let count = links.len();
            match store.extend_link_index(expected, through, links).await? {
                Some(head) => {
                    expected = Some(head);
                    tracing::debug!(from = next, through = through.0, links = count, "link index extended");
                    progress(Progress::Applied(IndexState::of(expected)));
                }
                // Another process moved the head: catch up again from where it is.
                None => {
                    tracing::debug!(
                        expected = next - 1,
                        "the link index's head moved meanwhile (another process caught it up); catching up again"
                    );
                    break;
                }
            }
        }
    }
}

/// How many distinct links a rebuild gathers in memory before writing them (about 200 bytes
/// each, so about 100 MiB at most).
const REBUILD_BUFFER: usize = 500_000;

/// Rebuilds the link index from the whole log beside the live one, then makes it live in one
/// transaction. Readers go on using the live index until then. The log is read `page` events
/// at a time; the links are gathered in memory, sorted (up to [`REBUILD_BUFFER`] at a time),
/// and written `page` links a transaction, so the new generation's B-tree grows by appends.
/// `progress` is told the position reached and the log's head.
pub async fn rebuild(store: &dyn EventStore, page: usize, progress: &mut dyn FnMut(u64, u64)) -> Result<IndexState> {
    let page = page.max(1);
    let generation = store.begin_link_index_build().await?;
    tracing::info!(generation, "rebuilding the link index beside the live one");
    let mut through: (u64, Hash) = (0, GENESIS_HASH);
    let mut gathered: HashMap<(String, String), u64> = HashMap::new();
    loop {
        let head = store.head().await?;
        progress(through.0, head.position);
        if head.position <= through.0 {
            break;
        }
        let (events, next) = range_events(store, through.0, page, (head.position, head.hash)).await?;
        gather(&events, |from, to, position| {
            gathered.entry((from, to)).or_insert(position);
        })?;
        if gathered.len() >= REBUILD_BUFFER {
            write_gathered(store, generation, &mut gathered, page).await?;
        }
        through = next;
    }
    write_gathered(store, generation, &mut gathered, page).await?;
    let head = store.finish_link_index_build(generation, through).await?;
    tracing::info!(generation, position = through.0, "link index rebuilt and swapped in");
    Ok(IndexState::of(Some(head)))
}

/// Writes gathered links into a generation being built, in order, `page` a transaction.
async fn write_gathered(
    store: &dyn EventStore,
    generation: u64,
    gathered: &mut HashMap<(String, String), u64>,
    page: usize,
) -> Result<()> {
    let mut sorted: Vec<Link> = std::mem::take(gathered)
        .into_iter()
        .map(|((from, to), position)| Link { from, to, position })
        .collect();
    sorted.sort_unstable_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    let mut links = sorted.into_iter().peekable();
    while links.peek().is_some() {
        let chunk: Vec<Link> = links.by_ref().take(page).collect();
        store.write_link_generation(generation, chunk).await?;
    }
    Ok(())
}

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
        return Err(Error::InvalidOption {
            option: "--at-position",
            value: position.to_string(),
            allowed: format!("the log holds {head} events"),
        });
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
            return Err(crate::source::before_first_record(store, instant).await);
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

/// Which events of a view's streams the store may leave out: those that occurred at or after
/// `before` (which the view's business-date bound never admits), except in the streams
/// `whole` names, which the view reads uncut.
#[derive(Debug, Clone, Copy)]
pub struct Occurred {
    /// The first business time the view's cut does not admit.
    pub before: Timestamp,
    /// The streams the view reads whole, whatever their events' business times.
    pub whole: fn(&str) -> bool,
}

impl Occurred {
    /// Whether a view bounded so reads an event of `stream` that occurred at `occurred_at`.
    pub fn reads(&self, stream: &str, occurred_at: Timestamp) -> bool {
        occurred_at < self.before || (self.whole)(stream)
    }
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
        let covered = catch_up(store, page).await?.position;
        let Some(last) = last_position(store, covered, known_at, at_position).await? else {
            continue;
        };
        let Some(reach) = walk(store, reach.clone(), last).await? else {
            continue;
        };
        let streams = reach
            .streams()
            .into_iter()
            .map(StreamName::new)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(smes_eventlog::Error::from)?;
        let events = read_streams(store, &streams, last, occurred).await?;
        let envelopes = decode_split(events, decoders()).await?;
        let anchor = anchor(store, last).await?;
        return Ok(View {
            log: LogSlice { envelopes, anchor },
            reach,
        });
    }
    Err(Error::IndexBusy { attempts: ATTEMPTS })
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

/// A year's snapshot read through the link index (caught up `page` events a transaction): the
/// same report [`snapshot::build`] makes from the whole log prefix, which it reads instead when
/// the index lags and the store may not extend it.
pub async fn snapshot(store: &dyn EventStore, page: usize, request: &SnapshotRequest) -> Result<Snapshot> {
    let view = read_view(
        store,
        page,
        Reach::for_year(request.year),
        request.cut.known_at,
        request.cut.at_position,
        snapshot::occurred(&request.cut),
    )
    .await;
    match view {
        Err(error) if may_not_write_the_index(&error) => {
            let log = read_log(store, request.cut.known_at, request.cut.at_position).await?;
            snapshot::build(&log, request)
        }
        view => {
            let view = view?;
            snapshot::build_known(&view.log, &Known::listed(&view.reach), request)
        }
    }
}

/// Whether the store refused to extend the link index to a role that may only read (the
/// report is then made from the whole log prefix).
fn may_not_write_the_index(error: &Error) -> bool {
    matches!(error, Error::Store(smes_eventlog::Error::NotPermitted { .. }))
}

/// A decision trace read through the link index (caught up `page` events a transaction): the
/// same report [`trace::build`] makes from the whole log prefix, which it reads instead when the
/// index lags and the store may not extend it.
pub async fn trace(store: &dyn EventStore, page: usize, subject: Subject, cut: &Cut) -> Result<TraceReport> {
    let view = read_view(
        store,
        page,
        Reach::for_trace(&subject),
        cut.known_at,
        cut.at_position,
        None,
    )
    .await;
    match view {
        Err(error) if may_not_write_the_index(&error) => {
            trace::build(&read_log(store, cut.known_at, cut.at_position).await?, subject, cut)
        }
        view => trace::build(&view?.log, subject, cut),
    }
}

/// What [`check`] found: the links the live index should hold but does not, and those it holds
/// with another first position than the log gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexCheck {
    /// The position the live index covers.
    pub position: u64,
    /// Links the log asserts up to that position that the index lacks.
    pub missing: Vec<Link>,
    /// Links the index holds with a first position other than the log's, or that no event of
    /// the log up to that position asserts (among the nodes the log names).
    pub wrong: Vec<Link>,
}

impl IndexCheck {
    /// Whether the index is exactly what the log gives.
    pub fn is_sound(&self) -> bool {
        self.missing.is_empty() && self.wrong.is_empty()
    }
}

/// Compares the live index with the links the log gives up to the position it covers: every
/// link the log asserts must be there with its first position, and every link the index holds
/// from a node the log names must be one of them. Reads the whole log; `None` when no index
/// is live.
pub async fn check(store: &dyn EventStore) -> Result<Option<IndexCheck>> {
    let Some(head) = store.link_index_head().await? else {
        return Ok(None);
    };
    check_belongs(store, &head).await?;
    let mut expected = smes_projections::LinkMap::default();
    let mut next = 1;
    while next <= head.position {
        let events = store.read_all(next, PAGE).await?;
        let Some(last) = events.last() else { break };
        next = last.position + 1;
        for envelope in decode(events)? {
            if envelope.position <= head.position {
                expected.add(&envelope);
            }
        }
    }
    let expected: Vec<Link> = expected
        .iter()
        .map(|(from, to, position)| Link {
            from: from.to_owned(),
            to: to.to_owned(),
            position,
        })
        .collect();
    let mut nodes: Vec<String> = expected.iter().map(|link| link.from.clone()).collect();
    nodes.dedup();
    let Some(found) = store.links_from(&nodes, head.position).await? else {
        return Err(Error::IndexBusy { attempts: 1 });
    };
    let found_set: std::collections::BTreeSet<&Link> = found.iter().collect();
    let expected_set: std::collections::BTreeSet<&Link> = expected.iter().collect();
    Ok(Some(IndexCheck {
        position: head.position,
        missing: expected
            .iter()
            .filter(|link| !found_set.contains(link))
            .cloned()
            .collect(),
        wrong: found
            .iter()
            .filter(|link| !expected_set.contains(link))
            .cloned()
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use smes_eventlog::SqliteEventStore;
    use smes_simulate::{Generator, GeneratorConfig};

    use super::*;

    /// A view's events decoded in parts on several threads are the events decoded in one go,
    /// in the same order, whatever the number of threads (more parts than events allow, too).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn split_decoding_equals_decoding_in_one_go() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut generator = Generator::new(GeneratorConfig {
            seed: 41,
            events: 3_500,
            first_year: 2010,
            last_year: 2012,
            batch: 500,
        });
        let (options, clock) = generator.store_options();
        let path = dir.path().join("programme.db");
        let store = SqliteEventStore::open(&path.display().to_string(), options)
            .await
            .expect("the store opens");
        while let Some(batch) = generator.next_batch() {
            clock.set(batch.recorded_at);
            for outcome in store.append_batch(batch.requests).await.expect("the batch appends") {
                outcome.expect("each append succeeds");
            }
        }
        let events = store.read_all(1, 100_000).await.expect("the log reads");
        assert!(events.len() >= 3 * MIN_EVENTS_PER_DECODER, "{} events", events.len());
        let whole = decode(events.clone()).expect("the events decode");
        for threads in [1, 2, 3, 8] {
            let split = decode_split(events.clone(), threads).await.expect("the events decode");
            assert!(split == whole, "{threads} threads");
        }
    }
}
