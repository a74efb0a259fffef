//! The event-store trait every backend implements, and the options every backend takes.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_core::Stream;
use futures_util::{TryStreamExt, stream};
use jiff::Timestamp;
use smes_verify::{Hash, VerifiedChain};
use tokio::sync::watch;
use uuid::Uuid;

use crate::clock::{Clock, IdSource, RandomIds, SystemClock};
use crate::error::Result;
use crate::event::{
    AppendOutcome, AppendRequest, CommandEntry, CommandRecord, Head, RawRecord, RecordedEvent, StoredCheckpoint,
    StreamName, TreeHead,
};
use crate::lease::ProjectionLease;
use crate::links::{Link, LinkIndexHead};
use crate::witness::{VerifiedLog, Witnesses};

/// A stream of events read from the log.
pub type EventStream<'a> = Pin<Box<dyn Stream<Item = Result<RecordedEvent>> + Send + 'a>>;

/// How many events a page of [`EventStore::stream_all`] holds.
pub const DEFAULT_PAGE_SIZE: usize = 1000;

/// How often the default [`EventStore::subscribe`] looks for new events.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(200);

/// An append-only, hash-chained event log.
///
/// # Guarantees every backend gives (checked by [`crate::conformance`])
/// - An append writes all of its events or none, in one transaction.
/// - Global positions start at 1, are gapless and follow commit order: a reader that has seen
///   position N has seen every event before N. `recorded_at` never decreases as positions grow.
///   An append returns once its events have their positions; a backend that sequences events
///   right after commit waits for its sequencer before it answers.
/// - Stream versions start at 1 and are gapless; an append whose expected version does not
///   match writes nothing and fails with [`crate::Error::VersionConflict`].
/// - An append that carries a command id already appended writes nothing and returns the first
///   append's outcome (with `replayed` set), across restarts and concurrent races.
/// - Each event's hash is the SHA-256 of its canonical record, which names the previous hash;
///   the record is stored exactly as hashed.
/// - Every read path returns each event as stored: its schema version and payload as written
///   (older shapes are read by the domain, which upcasts them; docs/eventlog.md).
/// - A projection lease has at most one holder at a time, and is let go when its holder
///   drops it or dies.
/// - The link index is changed only in whole transactions: an extend whose expected head is not
///   the live one writes nothing; a reader of [`EventStore::links_from`] sees one generation as
///   it stood at one moment, never a mix of two.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Appends several independent requests in one transaction (group commit). Each request is
    /// checked on its own: the result of each is in the returned vector, in order. The outer
    /// error means nothing at all was written.
    async fn append_batch(&self, requests: Vec<AppendRequest>) -> Result<Vec<Result<AppendOutcome>>>;

    /// Appends one request.
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome> {
        let mut results = self.append_batch(vec![request]).await?;
        results.pop().expect("one result per request")
    }

    /// Reads a stream's events from `from_version` (inclusive), at most `limit` of them.
    async fn read_stream(&self, stream: &StreamName, from_version: u64, limit: usize) -> Result<Vec<RecordedEvent>>;

    /// Reads one page of the whole log: events from `from_position` (inclusive), at most `limit`.
    async fn read_all(&self, from_position: u64, limit: usize) -> Result<Vec<RecordedEvent>>;

    /// The events at positions `first..=last` whose stored type is one of `event_types`, in
    /// position order, as stored like every read. For readers that need only a few kinds of event
    /// from a long stretch of the log (building an index): a backend filters before decoding.
    /// This default reads every event of the range and keeps the matching ones.
    async fn read_range_of_types(&self, first: u64, last: u64, event_types: &[&str]) -> Result<Vec<RecordedEvent>> {
        let mut found = Vec::new();
        let mut next = first.max(1);
        while next <= last {
            let span = usize::try_from(last - next + 1)
                .unwrap_or(usize::MAX)
                .min(DEFAULT_PAGE_SIZE);
            let page = self.read_all(next, span).await?;
            let Some(end) = page.last().map(|event| event.position) else {
                break;
            };
            found.extend(
                page.into_iter()
                    .filter(|event| event.position <= last && event_types.contains(&event.event_type.as_str())),
            );
            next = end + 1;
        }
        Ok(found)
    }

    /// The last position and its hash.
    async fn head(&self) -> Result<Head>;

    /// The outcome of an earlier append that carried `command_id`, if there was one.
    async fn command_outcome(&self, command_id: Uuid) -> Result<Option<AppendOutcome>>;

    /// The register's entry for `command_id`, with the digest the id is bound to. A store that
    /// keeps no digests answers with `command_digest: None`, the rule for entries written
    /// before ids were bound to their commands.
    async fn command_record(&self, command_id: Uuid) -> Result<Option<CommandRecord>> {
        Ok(self.command_outcome(command_id).await?.map(|outcome| CommandRecord {
            outcome,
            command_digest: None,
        }))
    }

    /// Walks the whole hash chain; fails with [`crate::Error::Chain`] naming the first position
    /// that does not verify (a column that disagrees with its record included). Also checks
    /// that the stored Merkle tree's head is the one the events give, and that the log contains
    /// every signed checkpoint kept with it (their signatures unchecked: see
    /// [`EventStore::verify_with`]).
    async fn verify(&self) -> Result<VerifiedChain> {
        Ok(self.verify_with(&Witnesses::new()).await?.chain)
    }

    /// [`EventStore::verify`], also checking the signatures of kept checkpoints whose origin
    /// has a key in `witnesses`, and the log against the signed checkpoints `witnesses` holds.
    /// The events table is read once, in position order. A checkpoint the log does not contain
    /// (its tree size beyond the log, or another root at its size), or whose note cannot be
    /// read or does not verify, fails with [`crate::Error::Checkpoint`] naming it and, when the
    /// walk got that far, the positions between which the first difference lies.
    async fn verify_with(&self, witnesses: &Witnesses) -> Result<VerifiedLog>;

    /// The canonical record stored at `position`, exactly as stored and hashed (for proofs an
    /// auditor checks by hashing it), or `None` beyond the head.
    async fn stored_record(&self, position: u64) -> Result<Option<String>>;

    /// The Merkle tree head at `size` events (the log's head when `None`). Leaf `i` is
    /// `SHA-256(0x00 ‖ hash of the event at position i + 1)` (RFC 6962).
    async fn tree_head(&self, size: Option<u64>) -> Result<TreeHead>;

    /// The inclusion proof of the event at `position` in the tree of `tree_size` events
    /// (RFC 9162 §2.1.3), nearest sibling first.
    async fn inclusion_proof(&self, position: u64, tree_size: u64) -> Result<Vec<Hash>>;

    /// The consistency proof between the trees of `old_size` and `new_size` events
    /// (RFC 9162 §2.1.4).
    async fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>>;

    /// Keeps a signed checkpoint (a note committing to the tree of `tree_size` events) with
    /// the log, stamped with the store's clock; false if the same one was kept already. A tree
    /// size beyond the head is refused ([`crate::Error::BeyondHead`]). Kept checkpoints, like
    /// events, are never changed or removed.
    async fn store_checkpoint(&self, origin: &str, tree_size: u64, note: &str) -> Result<bool>;

    /// The checkpoints kept with the log, by tree size, then by when they were stored.
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>>;

    /// Up to `limit` events from `from_position`, exactly as stored: for copying a log.
    async fn read_raw(&self, from_position: u64, limit: usize) -> Result<Vec<RawRecord>>;

    /// The command entries of the appends whose last position lies in `first..=last`, in
    /// position order: for copying a log.
    async fn read_commands(&self, first: u64, last: u64) -> Result<Vec<CommandEntry>>;

    /// Appends records sealed by another log, exactly as they are: same positions, record times
    /// and hashes, with the command entries of the appends that wrote them. The records must
    /// extend this log's chain (the first at the head's position + 1, linking to the head's
    /// hash, record times not going back, each hash the SHA-256 of its record, stream versions
    /// continuing each stream without a gap), and each command entry must describe an append
    /// among them with a command id this log does not hold. Anything else is refused with
    /// [`crate::Error::CopyRefused`] or [`crate::Error::Chain`], and nothing is written. The
    /// Merkle tree grows with the records. Returns the new head.
    async fn append_raw(&self, records: Vec<RawRecord>, commands: Vec<CommandEntry>) -> Result<Head>;

    /// Every event of `streams` at positions up to `up_to`, in position order, as stored like
    /// every other read. A stream named twice is read once; a stream without events gives nothing.
    async fn read_streams(&self, streams: &[StreamName], up_to: u64) -> Result<Vec<RecordedEvent>>;

    /// [`EventStore::read_streams`], keeping only the events whose business time
    /// (`occurred_at`) is before `before`: the events an as-of cut can admit, filtered by the
    /// store before any record is read whole or decoded.
    async fn read_streams_occurred_before(
        &self,
        streams: &[StreamName],
        up_to: u64,
        before: Timestamp,
    ) -> Result<Vec<RecordedEvent>>;

    /// Where the live link index stands, or `None` until a first extend or build made a
    /// generation live.
    async fn link_index_head(&self) -> Result<Option<LinkIndexHead>>;

    /// Adds `links` to the live link index and moves its head to `through` (a position and the
    /// hash of the event there), in one transaction that first checks the head.
    ///
    /// If the live head is not `expected` (same generation and position; `None` expects that
    /// no generation is live yet), nothing is written and the answer is `Ok(None)`: another
    /// process extended the index or a rebuild was swapped in, and the caller reads the head
    /// again and retries. With `expected == None` and no live generation, a new generation
    /// (numbered above any handed out) is created live. A link whose `(from, to)` is already
    /// held keeps the smaller position. Extends from several processes at once are serialised.
    /// A `through` before `expected`'s position is refused with [`crate::Error::LinkIndex`].
    async fn extend_link_index(
        &self,
        expected: Option<LinkIndexHead>,
        through: (u64, Hash),
        links: Vec<Link>,
    ) -> Result<Option<LinkIndexHead>>;

    /// The links of the live generation whose `from` is one of `nodes` and whose position is
    /// at most `up_to`, sorted by `(from, to)`, read with the live head in one snapshot. `None`
    /// when no generation is live or the live head is before `up_to` (the index does not cover
    /// that far yet). Nodes named twice are harmless; thousands of nodes are fine.
    async fn links_from(&self, nodes: &[String], up_to: u64) -> Result<Option<Vec<Link>>>;

    /// Begins building a new generation of the link index beside the live one: returns its
    /// number (greater than any handed out before) and deletes the rows of every generation
    /// that is not live (what an unfinished earlier build left). The new generation is not
    /// live; fill it with [`EventStore::write_link_generation`] and make it live with
    /// [`EventStore::finish_link_index_build`]. One build at a time: a later begin (or an
    /// extend that creates the first live generation) supersedes a build under way, whose
    /// writes are then refused.
    async fn begin_link_index_build(&self) -> Result<u64>;

    /// Adds `links` to `generation`, a build under way, in one transaction (a `(from, to)`
    /// already held keeps the smaller position). Writing into the live generation, or into one
    /// that was superseded or never begun, is refused with [`crate::Error::LinkIndex`].
    async fn write_link_generation(&self, generation: u64, links: Vec<Link>) -> Result<()>;

    /// Makes `generation`, a build under way, live with head `through`, in one transaction that
    /// also deletes the rows of every other generation. A reader sees either the previous
    /// generation's whole answer or this one's, never a mix.
    async fn finish_link_index_build(&self, generation: u64, through: (u64, Hash)) -> Result<LinkIndexHead>;

    /// Takes the projection lease `name` (1 to 64 of `a-z`, `0-9`, `-`, `_`) if no one holds
    /// it, or answers `None` while another holder, in this process or another, has it. The
    /// lease is held until it is dropped or released, or its holder dies (crate::lease says
    /// how each backend holds it); a worker that waits for it tries again after a pause.
    async fn try_lease(&self, name: &str) -> Result<Option<ProjectionLease>>;

    /// The whole log from `from_position` as a stream, read page by page so memory stays bounded.
    fn stream_all(&self, from_position: u64) -> EventStream<'_> {
        let pages = stream::try_unfold(from_position.max(1), move |next| async move {
            let page = self.read_all(next, DEFAULT_PAGE_SIZE).await?;
            let Some(last) = page.last() else {
                return Ok::<_, crate::Error>(None);
            };
            let after = last.position + 1;
            Ok(Some((stream::iter(page.into_iter().map(Ok::<_, crate::Error>)), after)))
        });
        Box::pin(pages.try_flatten())
    }

    /// Follows the log from `from_position` (inclusive; 0 means 1): first the events already in
    /// the log, then each new event once it is placed, for as long as the stream is polled.
    ///
    /// Contract (checked by the conformance suite): events come in position order, each
    /// position exactly once, none skipped, whatever appends run concurrently in this or other
    /// processes; a subscriber that has received position N has received every position before
    /// it. The stream does not end while the log is readable: when it has caught up it waits,
    /// woken by the backend when new events are placed (by this process's writer; on
    /// PostgreSQL also by LISTEN/NOTIFY from other processes) and looking again at least every
    /// poll interval in case a wake-up was lost. A read error is yielded and ends the stream;
    /// a subscriber resumes by subscribing again from the position after the last event it
    /// received. The default implementation only polls, every [`DEFAULT_POLL_INTERVAL`].
    fn subscribe(&self, from_position: u64) -> EventStream<'_> {
        follow(self, from_position, None, DEFAULT_POLL_INTERVAL)
    }
}

/// The subscription every backend shares: pages of [`EventStore::read_all`] from the next
/// position; when caught up, waits for `wake` (if any) or `poll`, whichever comes first.
pub(crate) fn follow<'a, S: EventStore + ?Sized>(
    store: &'a S,
    from_position: u64,
    wake: Option<watch::Receiver<u64>>,
    poll: Duration,
) -> EventStream<'a> {
    struct Following<T> {
        next: u64,
        page: std::vec::IntoIter<RecordedEvent>,
        wake: Option<watch::Receiver<T>>,
        ended: bool,
    }
    let state = Following {
        next: from_position.max(1),
        page: Vec::new().into_iter(),
        wake,
        ended: false,
    };
    Box::pin(stream::unfold(state, move |mut state| async move {
        if state.ended {
            return None;
        }
        loop {
            if let Some(event) = state.page.next() {
                if event.position != state.next {
                    // Backends never skip a position; a log whose rows were removed does.
                    state.ended = true;
                    let error = crate::Error::CorruptRecord {
                        position: state.next,
                        detail: format!("the log goes on at position {} instead", event.position),
                    };
                    return Some((Err(error), state));
                }
                state.next += 1;
                return Some((Ok(event), state));
            }
            // Marked seen before reading: a wake-up after this read is not lost.
            if let Some(wake) = &mut state.wake {
                wake.borrow_and_update();
            }
            match store.read_all(state.next, DEFAULT_PAGE_SIZE).await {
                Err(error) => {
                    state.ended = true;
                    return Some((Err(error), state));
                }
                Ok(page) if !page.is_empty() => state.page = page.into_iter(),
                Ok(_) => match &mut state.wake {
                    Some(wake) => {
                        if let Ok(Err(_)) = tokio::time::timeout(poll, wake.changed()).await {
                            // The backend stopped waking: poll from now on.
                            state.wake = None;
                        }
                    }
                    None => tokio::time::sleep(poll).await,
                },
            }
        }
    }))
}

/// What every backend is opened with: its clock and its id source.
#[derive(Clone)]
pub struct StoreOptions {
    /// Where record times come from.
    pub clock: Arc<dyn Clock>,
    /// Where event ids come from.
    pub ids: Arc<dyn IdSource>,
    /// Whether to create the log if it does not exist (otherwise opening a missing log fails).
    pub create: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds::default()),
            create: false,
        }
    }
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("create", &self.create)
            .finish_non_exhaustive()
    }
}
