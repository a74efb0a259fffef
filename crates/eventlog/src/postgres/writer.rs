//! The writer of a PostgreSQL log: one task per process, group commit, one writer at a time
//! across processes.
//!
//! Appends from every task of the process queue on a channel. The writer task takes whatever is
//! queued (once the tasks it has just answered have had a chance to queue again, [`gather`])
//! and commits it as one group. Every way of committing takes a transaction-scoped
//! advisory lock ([`APPEND_LOCK`]) and then reads the head, so writers of every process commit
//! one at a time, each after the previous one committed. Positions are therefore gapless and in
//! commit order, and a reader whose snapshot holds position N holds every position before it.
//! Each request is checked on its own (idempotency by command id with its digest, expected
//! version), and positions and hashes follow the head, sealed with the same `codec::seal` as
//! SQLite (so the same input gives the same bytes on both backends).
//!
//! A writer alone on the log seals a small group from what its last commit left ([`Known`]) and
//! sends it in one statement that writes only if that head is still the head
//! ([`commit_known`]); otherwise the group goes the long way ([`commit_prepared`]): the lock and
//! what the checks need in one call, then the rows (a large group in pieces, each sent while the
//! next is sealed), then the commit.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use smes_verify::{Hash, MerkleFrontier};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{Connection as _, PgConnection, PgPool, Postgres, Row as _};
use tokio::sync::{mpsc, oneshot, watch};

use super::CommitDelay;
use super::merkle::{self, CatchUp, Node, to_i64};
use crate::clock::Clock;
use crate::codec::{self, ChainTail, ValidatedAppend};
use crate::error::{Error, Result};
use crate::event::AppendOutcome;

/// How a PostgreSQL store's commits went so far ([`PostgresEventStore::append_paths`]).
///
/// [`PostgresEventStore::append_paths`]: super::PostgresEventStore::append_paths
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppendPaths {
    /// Commits written in one statement from what the writer knew of the log (it was alone).
    pub one_statement: u64,
    /// Commits that read the head first (another writer had appended, or the group was large,
    /// named a stream the writer did not know, or carried a command id already registered).
    pub long_way: u64,
}

/// The key of the advisory lock every append transaction takes before it reads the head
/// ("smes-log" in ASCII). Only appends take it; readers never wait for it.
pub(crate) const APPEND_LOCK: i64 = 0x736d_6573_2d6c_6f67;

/// How long the writer keeps its connection between commits before handing it back to the pool.
const KEEP_CONNECTION: Duration = Duration::from_secs(1);

/// The most events one group commit takes before it commits.
const MAX_GROUP_EVENTS: usize = 200_000;

struct Job {
    appends: Vec<Result<ValidatedAppend>>,
    reply: oneshot::Sender<Result<Vec<Result<AppendOutcome>>>>,
}

/// The handle through which the store sends appends to its writer task.
pub(crate) struct Writer {
    jobs: mpsc::UnboundedSender<Job>,
    counts: Arc<PathCounts>,
}

impl Writer {
    /// Starts the writer task on the store's pool.
    /// Every commit moves `head` to the new head position, which wakes the store's
    /// subscriptions (and a notification on [`NOTIFY_CHANNEL`] wakes other processes').
    /// `delay` is the test-only pause before each commit ([`CommitDelay`]).
    pub(crate) fn start(
        pool: PgPool,
        clock: Arc<dyn Clock>,
        head: watch::Sender<u64>,
        delay: Option<CommitDelay>,
    ) -> Writer {
        let (jobs, queue) = mpsc::unbounded_channel();
        let counts = Arc::new(PathCounts::default());
        tokio::spawn(run(pool, queue, clock, head, delay, Arc::clone(&counts)));
        Writer { jobs, counts }
    }

    /// How many commits went in one statement, and how many the long way, so far.
    pub(crate) fn paths(&self) -> AppendPaths {
        AppendPaths {
            one_statement: self.counts.one_statement.load(Ordering::Relaxed),
            long_way: self.counts.long_way.load(Ordering::Relaxed),
        }
    }

    /// Queues appends and waits for their outcomes.
    pub(crate) async fn append(&self, appends: Vec<Result<ValidatedAppend>>) -> Result<Vec<Result<AppendOutcome>>> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { appends, reply })
            .map_err(|_| Error::WriterStopped)?;
        answer.await.map_err(|_| Error::WriterStopped)?
    }
}

async fn run(
    pool: PgPool,
    mut queue: mpsc::UnboundedReceiver<Job>,
    clock: Arc<dyn Clock>,
    head: watch::Sender<u64>,
    delay: Option<CommitDelay>,
    counts: Arc<PathCounts>,
) {
    // The log as this writer's last commit left it, so that a commit need not read it.
    let mut known: Option<Known> = None;
    // The connection of the last commit, kept while commits follow each other closely: taking
    // one from the pool costs a round trip (the pool pings it first).
    let mut held: Option<(PoolConnection<Postgres>, Instant)> = None;
    while let Some(first) = queue.recv().await {
        let mut queued_events = count_events(&first);
        let mut group = vec![first];
        while queued_events < MAX_GROUP_EVENTS {
            match queue.try_recv() {
                Ok(job) => {
                    queued_events += count_events(&job);
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let valid: Vec<&ValidatedAppend> = group
            .iter()
            .flat_map(|job| job.appends.iter().filter_map(|append| append.as_ref().ok()))
            .collect();
        let committed = match held.take() {
            Some((connection, last_used)) if last_used.elapsed() < KEEP_CONNECTION => Ok(connection),
            // Back to the pool after a pause, and taken again (the pool checks it is alive).
            _ => pool.acquire().await.map_err(Error::from),
        };
        let committed = match committed {
            Ok(mut connection) => {
                let committed = commit_group(&mut connection, &valid, clock.as_ref(), &mut known, delay, &counts)
                    .await
                    .map_err(|error| error.unless_permitted("append to the log"));
                if committed.is_ok() {
                    held = Some((connection, Instant::now()));
                } else {
                    // Whatever state it is in, a connection that failed is not reused.
                    connection.close_on_drop();
                    known = None;
                }
                committed
            }
            Err(error) => Err(error),
        };
        drop(valid);
        if committed.is_ok()
            && let Some(known) = &known
        {
            raise_head(&head, known.position());
        }
        let mut outcomes = match committed {
            Ok(outcomes) => Ok(outcomes.into_iter()),
            Err(error) => Err((error.to_string(), Some(error))),
        };
        for job in group {
            let mut results = Vec::with_capacity(job.appends.len());
            for append in job.appends {
                match append {
                    Err(error) => results.push(Err(error)),
                    Ok(_) => {
                        if let Ok(outcomes) = &mut outcomes {
                            results.push(outcomes.next().expect("one outcome per valid append"));
                        }
                    }
                }
            }
            let answer = match &mut outcomes {
                Ok(_) => Ok(results),
                // The first job hears the database's own error, the others that they shared it.
                Err((detail, error)) => Err(match error.take() {
                    Some(error) => error,
                    None => Error::GroupCommitFailed { detail: detail.clone() },
                }),
            };
            let _ = job.reply.send(answer);
        }
        gather(&queue).await;
    }
}

/// Lets the tasks just answered queue their next appends before the next group is taken.
///
/// Without it, tasks appending one after another split into two cohorts that take turns: those
/// that queued while a commit was in flight make the next group at once, and those it answered
/// queue again only after that group has left, so every group holds half of them. Yielding
/// until the queue stops growing lets the answered tasks run first (a scheduler pass each, when
/// nobody comes back only one), so the next group takes both: with 16 tasks on one store it
/// doubled the appends per commit, from 8 to 15.5 (docs/benchmarks.md).
async fn gather(queue: &mpsc::UnboundedReceiver<Job>) {
    let mut queued = queue.len();
    for _ in 0..GATHER_ROUNDS {
        tokio::task::yield_now().await;
        let now = queue.len();
        if now == queued {
            break;
        }
        queued = now;
    }
}

/// The most scheduler passes [`gather`] waits for the queue to stop growing.
const GATHER_ROUNDS: usize = 8;

fn count_events(job: &Job) -> usize {
    job.appends
        .iter()
        .map(|append| append.as_ref().map_or(0, |append| append.events.len()))
        .sum()
}

/// The channel on which a commit announces the new head position to other processes
/// (`smes_append_write` sends the notification, which is delivered when the commit is).
pub(crate) const NOTIFY_CHANNEL: &str = "smes_log";

/// Moves the head subscriptions watch forward (never back), waking them when it moves.
pub(crate) fn raise_head(head: &watch::Sender<u64>, position: u64) {
    head.send_if_modified(|seen| {
        let newer = position > *seen;
        *seen = (*seen).max(position);
        newer
    });
}

/// The columns of the events a group inserts.
#[derive(Default)]
struct EventRows {
    positions: Vec<i64>,
    streams: Vec<String>,
    versions: Vec<i64>,
    event_types: Vec<String>,
    occurred_at: Vec<i64>,
    records: Vec<String>,
    hashes: Vec<Vec<u8>>,
}

/// The columns of the commands a group registers.
#[derive(Default)]
struct CommandRows {
    ids: Vec<String>,
    streams: Vec<String>,
    first_positions: Vec<i64>,
    last_positions: Vec<i64>,
    first_versions: Vec<i64>,
    last_versions: Vec<i64>,
    digests: Vec<Vec<u8>>,
}

/// What `smes_append_prepare` read under the lock.
struct Prepared {
    head: Option<(i64, Vec<u8>, i64)>,
    /// The stored right edge of the tree, when the caller's cached one was not at the head.
    frontier: Option<(i64, Vec<u8>)>,
    versions: HashMap<String, u64>,
    commands: HashMap<String, EarlierAppend>,
}

/// Takes the append lock and reads, in one call, the head, the tree's edge if `cached_size` is
/// not the head's size, the versions of `streams` and the entries of `command_ids`.
async fn prepare(
    connection: &mut PgConnection,
    streams: Vec<&str>,
    command_ids: Vec<&str>,
    cached_size: Option<u64>,
) -> Result<Prepared> {
    let row = sqlx::query("SELECT * FROM smes_append_prepare($1, $2, $3, $4)")
        .bind(APPEND_LOCK)
        .bind(&streams)
        .bind(&command_ids)
        .bind(cached_size.map(to_i64))
        .fetch_one(&mut *connection)
        .await?;
    let head_position: Option<i64> = row.try_get("head_position")?;
    let head = match head_position {
        None => None,
        Some(position) => Some((position, row.try_get("head_hash")?, row.try_get("head_recorded_at")?)),
    };
    let frontier_size: Option<i64> = row.try_get("frontier_size")?;
    let frontier = match frontier_size {
        None => None,
        Some(size) => Some((size, row.try_get("frontier_subtrees")?)),
    };
    let stream_versions: Vec<i64> = row.try_get("stream_versions")?;
    let versions = streams
        .into_iter()
        .zip(stream_versions)
        .map(|(stream, version)| (stream.to_owned(), version as u64))
        .collect();
    let found: Vec<String> = row.try_get("command_found")?;
    let command_streams: Vec<String> = row.try_get("command_streams")?;
    let first_positions: Vec<i64> = row.try_get("command_first_positions")?;
    let last_positions: Vec<i64> = row.try_get("command_last_positions")?;
    let first_versions: Vec<i64> = row.try_get("command_first_versions")?;
    let last_versions: Vec<i64> = row.try_get("command_last_versions")?;
    let recorded_at: Vec<i64> = row.try_get("command_recorded_at")?;
    let digests: Vec<Vec<u8>> = row.try_get("command_digests")?;
    let mut commands = HashMap::with_capacity(found.len());
    for (index, (command_id, stream)) in found.into_iter().zip(command_streams).enumerate() {
        let earlier = EarlierAppend::from_row((
            stream,
            first_positions[index],
            last_positions[index],
            first_versions[index],
            last_versions[index],
            recorded_at[index],
            digests[index].clone(),
        ));
        commands.insert(command_id, earlier);
    }
    Ok(Prepared {
        head,
        frontier,
        versions,
        commands,
    })
}

/// What a writer knows of the log as its own last commit left it: the head, the tree's right
/// edge and the versions of the streams it read or wrote. All of it stays true for as long as no
/// other writer appends, which `smes_append_known` checks under the lock before it writes.
pub(crate) struct Known {
    /// Position, hash and record time of the head; `None` for an empty log.
    head: Option<(u64, Hash, i64)>,
    frontier: MerkleFrontier,
    versions: HashMap<String, u64>,
    /// Whether the last append found the log as this writer had left it. While other writers
    /// append too, the one-statement path would mostly find the head moved, so it is not tried.
    alone: bool,
}

/// The most stream versions a writer remembers; past it, it forgets them all and starts again.
const KNOWN_STREAMS: usize = 10_000;

impl Known {
    fn position(&self) -> u64 {
        self.head.as_ref().map_or(0, |head| head.0)
    }

    /// The group can be sealed from what is known: a small group whose every stream is known.
    fn covers(&self, appends: &[&ValidatedAppend]) -> bool {
        let events: usize = appends.iter().map(|append| append.events.len()).sum();
        events < KNOWN_LIMIT
            && appends.len() < KNOWN_LIMIT
            && appends
                .iter()
                .all(|append| self.versions.contains_key(append.request.stream.as_str()))
    }

    /// What the writer knows after a commit of `chain`'s events on top of `before` (the head
    /// the commit found), given the versions of the streams the group named.
    fn after_commit(
        before: Option<(u64, Hash, i64)>,
        chain: &ChainTail,
        frontier: MerkleFrontier,
        mut remembered: HashMap<String, u64>,
        group: HashMap<String, u64>,
        alone: bool,
    ) -> Known {
        let wrote = chain.position() > before.as_ref().map_or(0, |head| head.0);
        let head = if wrote {
            Some((chain.position(), chain.last_hash(), chain.recorded_at_micros()))
        } else {
            before
        };
        if remembered.len() + group.len() > KNOWN_STREAMS {
            remembered.clear();
        }
        remembered.extend(group);
        Known {
            head,
            frontier,
            versions: remembered,
            alone,
        }
    }
}

/// How a writer's commits went: in one statement from what it knew, or the long way.
#[derive(Debug, Default)]
struct PathCounts {
    one_statement: AtomicU64,
    long_way: AtomicU64,
}

/// Writes a group of appends in one transaction. Request-level failures (conflicts, reused
/// command ids) are results; a database failure rolls everything back.
///
/// A writer alone on the log seals the group from what it knows ([`Known`]) and writes it with
/// one statement ([`commit_known`]: one round trip, commit included). Otherwise, or when that
/// statement finds that another writer appended since, the long way ([`commit_prepared`]).
async fn commit_group(
    connection: &mut PgConnection,
    appends: &[&ValidatedAppend],
    clock: &dyn Clock,
    known: &mut Option<Known>,
    delay: Option<CommitDelay>,
    counts: &PathCounts,
) -> Result<Vec<Result<AppendOutcome>>> {
    if let Some(state) = known.as_mut()
        && state.alone
        && state.covers(appends)
    {
        if let Some(results) = commit_known(connection, appends, clock, state, delay).await? {
            counts.one_statement.fetch_add(1, Ordering::Relaxed);
            return Ok(results);
        }
        // Another writer appended since this one's last commit.
        state.alone = false;
    }
    counts.long_way.fetch_add(1, Ordering::Relaxed);
    commit_prepared(connection, appends, clock, known, delay).await
}

/// The chain of a commit whose head (position, hash, record time; `None` for an empty log) is
/// `head`, with the record time the clock gives now (never before the head's).
fn chain_after(head: Option<&(u64, Hash, i64)>, clock: &dyn Clock) -> Result<ChainTail> {
    ChainTail::after(
        head.map(|(position, hash, recorded_at)| (*position, hash.as_slice(), *recorded_at)),
        clock.now(),
    )
}

/// The command ids the group's requests carry, in request order (refused requests' included).
fn command_ids(appends: &[&ValidatedAppend]) -> Vec<String> {
    appends
        .iter()
        .filter_map(|append| append.request.metadata.command_id)
        .map(|id| id.hyphenated().to_string())
        .collect()
}

/// Seals the group against the head this writer left and sends it with `smes_append_known`,
/// which writes it only if that is still the head and no command id of the group is already
/// registered. `None`: it wrote nothing, and the group must go the long way.
async fn commit_known(
    connection: &mut PgConnection,
    appends: &[&ValidatedAppend],
    clock: &dyn Clock,
    known: &mut Known,
    delay: Option<CommitDelay>,
) -> Result<Option<Vec<Result<AppendOutcome>>>> {
    let mut versions: HashMap<String, u64> = appends
        .iter()
        .map(|append| {
            let stream = append.request.stream.as_str();
            (stream.to_owned(), known.versions[stream])
        })
        .collect();
    let mut chain = chain_after(known.head.as_ref(), clock)?;
    let mut frontier = known.frontier.clone();
    // Command ids already in the register are the function's to find: it then writes nothing.
    let sealed = seal_group(appends, &mut chain, &mut frontier, &mut versions, &HashMap::new());
    let call = KnownCall {
        known_head: known.position(),
        command_ids: command_ids(appends),
        sealed: &sealed,
        recorded_at: chain.recorded_at_micros(),
        // The stored edge is saved when a stored subtree completes (every 256 leaves), so at
        // most 255 leaves lie beyond it for another writer to hash.
        edge: (!sealed.nodes.is_empty()).then_some(&frontier),
    };
    let written = match delay {
        None => call.send(connection).await?,
        Some(delay) => {
            // Tests only: the same statement inside a transaction held open, as a slow commit.
            let mut transaction = connection.begin().await?;
            let written = call.send(&mut transaction).await?;
            if written {
                tokio::time::sleep(delay.draw()).await;
            }
            transaction.commit().await?;
            written
        }
    };
    if !written {
        return Ok(None);
    }
    let remembered = std::mem::take(&mut known.versions);
    *known = Known::after_commit(known.head, &chain, frontier, remembered, versions, true);
    Ok(Some(sealed.results))
}

/// The arguments of one `smes_append_known` call.
struct KnownCall<'a> {
    known_head: u64,
    /// Every command id the group carries, those of refused requests included.
    command_ids: Vec<String>,
    sealed: &'a Sealed,
    recorded_at: i64,
    /// The tree's new right edge, to be saved.
    edge: Option<&'a MerkleFrontier>,
}

impl KnownCall<'_> {
    async fn send(&self, connection: &mut PgConnection) -> Result<bool> {
        let Sealed {
            rows, commands, nodes, ..
        } = self.sealed;
        let query = sqlx::query(
            "SELECT smes_append_known($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $23, $24)",
        )
        .bind(to_i64(self.known_head))
        .bind(&self.command_ids);
        let row = bind_writes(query, rows, self.recorded_at, commands, nodes, self.edge)
            .fetch_one(&mut *connection)
            .await?;
        Ok(row.try_get(0)?)
    }
}

/// Binds what both writing functions (`smes_append_known` and `smes_append_write`, see
/// [`write_rest`]) take, in the same order from there on: the events' columns (position,
/// stream, version, type, business time, record time, record, hash); the command entries'
/// columns (id, stream, first and last position, first and last version, record time, digest,
/// and whether it binds its command: empty, so every entry does); the completed Merkle nodes
/// (levels, indices, hashes); the tree's right edge to save (size and subtrees, or nulls). All
/// of a group's events and entries share its record time.
fn bind_writes<'q>(
    query: Query<'q, Postgres, PgArguments>,
    rows: &'q EventRows,
    recorded_at: i64,
    commands: &'q CommandRows,
    nodes: &[Node],
    edge: Option<&MerkleFrontier>,
) -> Query<'q, Postgres, PgArguments> {
    let (levels, indices, node_hashes) = merkle::node_columns(nodes);
    query
        .bind(&rows.positions)
        .bind(&rows.streams)
        .bind(&rows.versions)
        .bind(&rows.event_types)
        .bind(&rows.occurred_at)
        .bind(vec![recorded_at; rows.positions.len()])
        .bind(&rows.records)
        .bind(&rows.hashes)
        .bind(&commands.ids)
        .bind(&commands.streams)
        .bind(&commands.first_positions)
        .bind(&commands.last_positions)
        .bind(&commands.first_versions)
        .bind(&commands.last_versions)
        .bind(vec![recorded_at; commands.ids.len()])
        .bind(&commands.digests)
        .bind(Vec::<bool>::new())
        .bind(levels)
        .bind(indices)
        .bind(node_hashes)
        .bind(edge.map(|frontier| to_i64(frontier.size())))
        .bind(edge.map(|frontier| frontier.subtrees().concat()))
}

/// What sealing a group gives: the rows to write and each request's result.
struct Sealed {
    rows: EventRows,
    commands: CommandRows,
    nodes: Vec<Node>,
    results: Vec<Result<AppendOutcome>>,
}

/// Checks each request of the group (command id against `earlier_commands` and the group's own,
/// expected version against `versions`) and seals the accepted events after `chain`, pushing
/// their leaves onto `frontier`; `versions` ends holding each stream's version after the group.
fn seal_group(
    appends: &[&ValidatedAppend],
    chain: &mut ChainTail,
    frontier: &mut MerkleFrontier,
    versions: &mut HashMap<String, u64>,
    earlier_commands: &HashMap<String, EarlierAppend>,
) -> Sealed {
    let mut sealer = Sealer::new(chain, frontier, versions, earlier_commands);
    for &append in appends {
        sealer.seal(append);
    }
    sealer.sealed
}

/// Seals a group one request at a time ([`seal_group`]), so that a large group's rows can be
/// sent while the next are sealed.
struct Sealer<'a> {
    chain: &'a mut ChainTail,
    frontier: &'a mut MerkleFrontier,
    versions: &'a mut HashMap<String, u64>,
    earlier_commands: &'a HashMap<String, EarlierAppend>,
    /// What this group wrote so far: later requests of the group see it before it is inserted.
    group_commands: HashMap<String, (AppendOutcome, Hash)>,
    sealed: Sealed,
}

impl<'a> Sealer<'a> {
    fn new(
        chain: &'a mut ChainTail,
        frontier: &'a mut MerkleFrontier,
        versions: &'a mut HashMap<String, u64>,
        earlier_commands: &'a HashMap<String, EarlierAppend>,
    ) -> Self {
        Sealer {
            chain,
            frontier,
            versions,
            earlier_commands,
            group_commands: HashMap::new(),
            sealed: Sealed {
                rows: EventRows::default(),
                commands: CommandRows::default(),
                nodes: Vec::new(),
                results: Vec::new(),
            },
        }
    }

    /// Seals the first requests of `rest` up to [`PIECE_EVENTS`] events (at least one request)
    /// and takes what they wrote, leaving the others in `rest`.
    fn seal_piece(&mut self, rest: &mut &[&ValidatedAppend]) -> Piece {
        let mut events = 0;
        while let Some((&append, others)) = rest.split_first() {
            self.seal(append);
            events += append.events.len();
            *rest = others;
            if events >= PIECE_EVENTS {
                break;
            }
        }
        Piece {
            rows: std::mem::take(&mut self.sealed.rows),
            commands: std::mem::take(&mut self.sealed.commands),
            nodes: std::mem::take(&mut self.sealed.nodes),
        }
    }

    fn seal(&mut self, append: &ValidatedAppend) {
        let stream = append.request.stream.as_str();
        let command_id = append.request.metadata.command_id.map(|id| id.hyphenated().to_string());
        if let Some(command_id) = &command_id {
            let earlier = match self.group_commands.get(command_id) {
                Some((outcome, digest)) => Some(EarlierAppend {
                    outcome: AppendOutcome {
                        replayed: true,
                        ..outcome.clone()
                    },
                    digest: digest.to_vec(),
                }),
                None => self.earlier_commands.get(command_id).cloned(),
            };
            if let Some(earlier) = earlier {
                self.sealed.results.push(if earlier.digest == append.digest {
                    Ok(earlier.outcome)
                } else {
                    Err(Error::CommandIdReused {
                        command_id: append.request.metadata.command_id.expect("present"),
                        stream: earlier.outcome.stream,
                    })
                });
                return;
            }
        }
        let actual = self.versions.get(stream).copied().unwrap_or(0);
        if !append.request.expected_version.admits(actual) {
            self.sealed.results.push(Err(Error::VersionConflict {
                stream: stream.to_owned(),
                expected: append.request.expected_version,
                actual,
            }));
            return;
        }
        let chain = &mut *self.chain;
        let rows = &mut self.sealed.rows;
        let first_position = chain.position() + 1;
        for (index, event) in append.events.iter().enumerate() {
            let version = actual + 1 + index as u64;
            let sealed = chain.seal_next(version, append, event);
            merkle::push_leaf(self.frontier, &sealed.hash, &mut self.sealed.nodes);
            rows.positions.push(to_i64(chain.position()));
            rows.streams.push(stream.to_owned());
            rows.versions.push(to_i64(version));
            rows.event_types.push(event.event_type.clone());
            rows.occurred_at.push(event.occurred_at_micros);
            rows.records.push(sealed.record);
            rows.hashes.push(sealed.hash.to_vec());
        }
        let last_version = actual + append.events.len() as u64;
        self.versions.insert(stream.to_owned(), last_version);
        let outcome = AppendOutcome {
            stream: stream.to_owned(),
            first_position,
            last_position: chain.position(),
            first_version: actual + 1,
            last_version,
            recorded_at: chain.recorded_at(),
            replayed: false,
        };
        if let Some(command_id) = command_id {
            let commands = &mut self.sealed.commands;
            commands.ids.push(command_id.clone());
            commands.streams.push(stream.to_owned());
            commands.first_positions.push(to_i64(outcome.first_position));
            commands.last_positions.push(to_i64(outcome.last_position));
            commands.first_versions.push(to_i64(outcome.first_version));
            commands.last_versions.push(to_i64(outcome.last_version));
            commands.digests.push(append.digest.to_vec());
            self.group_commands.insert(command_id, (outcome.clone(), append.digest));
        }
        self.sealed.results.push(Ok(outcome));
    }
}

/// The long way: one transaction that takes the lock and reads what the checks need
/// ([`prepare`]), then sends the rows (one statement, or for a large group one per piece of
/// about [`PIECE_EVENTS`] events, each sent while the next is sealed), then commits.
async fn commit_prepared(
    connection: &mut PgConnection,
    appends: &[&ValidatedAppend],
    clock: &dyn Clock,
    known: &mut Option<Known>,
    delay: Option<CommitDelay>,
) -> Result<Vec<Result<AppendOutcome>>> {
    let mut transaction = connection.begin().await?;
    let mut streams: Vec<&str> = appends.iter().map(|append| append.request.stream.as_str()).collect();
    streams.sort_unstable();
    streams.dedup();
    let ids = command_ids(appends);
    let mut unique_ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    unique_ids.sort_unstable();
    unique_ids.dedup();
    // Writers of every process commit one at a time: the lock is held until this commits, and
    // the head is read after taking it, so it is the previous writer's committed head.
    let cached = known.take();
    let cached_size = cached.as_ref().map(|known| known.frontier.size());
    let prepared = prepare(&mut transaction, streams, unique_ids, cached_size).await?;
    let head = match &prepared.head {
        None => None,
        Some((position, hash, recorded_at)) => Some((
            *position as u64,
            codec::stored_hash(*position as u64, hash)?,
            *recorded_at,
        )),
    };
    let mut chain = chain_after(head.as_ref(), clock)?;
    let position = chain.position();
    // The log is as this writer left it if nobody appended since its last commit.
    let alone = cached.as_ref().is_some_and(|known| known.position() == position);
    let remembered = match cached {
        Some(known) if alone => Some((known.frontier, known.versions)),
        Some(known) => Some((known.frontier, HashMap::new())),
        None => None,
    };
    // The edge this writer left at its last commit is reused while the log has not grown since;
    // otherwise the stored edge (saved by every commit) is used, and any leaves after it (left
    // by a copy, which saves it less often) are caught up.
    // Subtrees completed by catching the stored edge up are stored with the group's.
    let mut caught_up: Vec<Node> = Vec::new();
    let (mut frontier, remembered) = match (remembered, prepared.frontier) {
        (Some((frontier, versions)), None) if frontier.size() == position => (frontier, versions),
        (remembered, stored) => {
            let mut frontier = match stored {
                Some((size, subtrees)) => merkle::frontier_from_row(size, &subtrees)?,
                None => merkle::load_frontier(&mut transaction).await?,
            };
            merkle::catch_up(
                &mut transaction,
                &mut frontier,
                position,
                CatchUp::Collect(&mut caught_up),
            )
            .await?;
            (frontier, remembered.map(|(_, versions)| versions).unwrap_or_default())
        }
    };
    let size_before = frontier.size();
    let mut versions = prepared.versions;
    let recorded_at = chain.recorded_at_micros();
    let mut sealer = Sealer::new(&mut chain, &mut frontier, &mut versions, &prepared.commands);
    // A large group goes in pieces of whole requests, each written by its own call while the
    // next is sealed: the server checks and inserts one piece while the writer seals the next.
    let mut rest = appends;
    let mut piece = sealer.seal_piece(&mut rest);
    // Subtrees completed by catching the stored edge up are stored with the first piece.
    caught_up.append(&mut piece.nodes);
    piece.nodes = caught_up;
    let mut grew = !piece.nodes.is_empty();
    while !rest.is_empty() {
        let (written, next) = tokio::join!(
            write_rest(
                &mut transaction,
                &piece.rows,
                &piece.commands,
                recorded_at,
                &piece.nodes,
                None
            ),
            async { sealer.seal_piece(&mut rest) }
        );
        written?;
        piece = next;
        grew |= !piece.nodes.is_empty();
    }
    let results = std::mem::take(&mut sealer.sealed.results);
    drop(sealer);
    let grew = grew || frontier.size() > size_before;
    write_rest(
        &mut transaction,
        &piece.rows,
        &piece.commands,
        recorded_at,
        &piece.nodes,
        grew.then_some(&frontier),
    )
    .await?;
    if let Some(delay) = delay {
        // Tests only: hold the transaction open, rows written, as a slow commit would.
        tokio::time::sleep(delay.draw()).await;
    }
    transaction.commit().await?;
    *known = Some(Known::after_commit(head, &chain, frontier, remembered, versions, alone));
    Ok(results)
}

/// Groups of fewer events than this may be written in one statement from what the writer
/// knew ([`Known::covers`]); larger ones take the lock and read the head first.
const KNOWN_LIMIT: usize = 64;

/// The events the long way seals before it sends them as one piece (whole requests: a piece
/// ends with the request that reaches this many).
const PIECE_EVENTS: usize = 1_000;

/// What one call of `smes_append_write` writes: events, command entries and Merkle nodes.
struct Piece {
    rows: EventRows,
    commands: CommandRows,
    nodes: Vec<Node>,
}

/// One statement for a group's writes, through `smes_append_write`, which checks everything
/// against the chain before it keeps it: the events and command entries (as arrays, sent as
/// binary parameters, so the events are written once, straight into the log), the completed
/// Merkle nodes, the tree's new right edge (`None`: unchanged). The function also records the
/// append in `appends` and announces the new head.
async fn write_rest(
    connection: &mut PgConnection,
    rows: &EventRows,
    commands: &CommandRows,
    recorded_at: i64,
    nodes: &[Node],
    frontier: Option<&MerkleFrontier>,
) -> Result<()> {
    let query = sqlx::query(
        "SELECT smes_append_write($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23)",
    )
    .bind(false);
    bind_writes(query, rows, recorded_at, commands, nodes, frontier)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// A row of `commands`: stream, first and last position, first and last version, record time,
/// request digest.
type CommandRow = (String, i64, i64, i64, i64, i64, Vec<u8>);

#[derive(Clone)]
pub(crate) struct EarlierAppend {
    pub(crate) outcome: AppendOutcome,
    digest: Vec<u8>,
}

impl EarlierAppend {
    fn from_row(
        (stream, first_position, last_position, first_version, last_version, recorded_at, digest): CommandRow,
    ) -> Self {
        EarlierAppend {
            outcome: AppendOutcome {
                stream,
                first_position: first_position as u64,
                last_position: last_position as u64,
                first_version: first_version as u64,
                last_version: last_version as u64,
                recorded_at: Timestamp::from_microsecond(recorded_at).unwrap_or(Timestamp::UNIX_EPOCH),
                replayed: true,
            },
            digest,
        }
    }
}

/// The outcome of the append that carried `command_id`, if there was one.
pub(crate) async fn earlier_outcome(connection: &mut PgConnection, command_id: &str) -> Result<Option<EarlierAppend>> {
    let earlier: Option<CommandRow> = sqlx::query_as(
        "SELECT stream, first_position, last_position, first_version, last_version, recorded_at, request_digest \
         FROM commands WHERE command_id = $1",
    )
    .bind(command_id)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(earlier.map(EarlierAppend::from_row))
}
