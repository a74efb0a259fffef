//! The single writer of a SQLite log: one connection on its own thread, group commit.
//!
//! Appends from every task of the process queue on a channel. The writer takes whatever is
//! queued, opens one `BEGIN IMMEDIATE` transaction (which also serialises writers in other
//! processes, with a busy timeout), checks each request on its own (idempotency, expected
//! version), assigns positions and hashes from the head it read inside the transaction, and
//! commits once. Requests that arrive while a commit is being made to disk share the next one.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use smes_verify::MerkleFrontier;
use tokio::sync::{oneshot, watch};

use super::TreeMaintenance;
use super::merkle::{self, CatchUp};
use crate::clock::Clock;
use crate::codec::{self, ChainTail, ValidatedAppend};
use crate::error::{Error, Result};
use crate::event::{AppendOutcome, CommandRecord};

/// The most events one group commit takes before it commits.
const MAX_GROUP_EVENTS: usize = 200_000;

/// A request for the writer thread.
struct Job {
    appends: Vec<Result<ValidatedAppend>>,
    reply: oneshot::Sender<Reply>,
}

/// The outcome of each append of a job, and the appends themselves, handed back so that their
/// memory is freed by the thread that allocated it rather than by the writer (freeing another
/// thread's allocations contends on the allocator's locks, measurably so in bulk appends).
struct Reply {
    outcomes: Result<Vec<Result<AppendOutcome>>>,
    spent: Vec<ValidatedAppend>,
}

/// The handle through which the store sends appends to its writer thread.
pub(crate) struct Writer {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread on an open connection.
    /// Every commit bumps `commits`, which wakes the store's subscriptions.
    pub(crate) fn start(
        connection: Connection,
        clock: Arc<dyn Clock>,
        tree: TreeMaintenance,
        commits: watch::Sender<u64>,
    ) -> Writer {
        let (jobs, queue) = channel();
        let thread = std::thread::Builder::new()
            .name("smes-sqlite-writer".into())
            .spawn(move || run(connection, queue, clock.as_ref(), tree, &commits))
            .expect("the writer thread starts");
        Writer {
            jobs: Some(jobs),
            thread: Some(thread),
        }
    }

    /// Queues appends and waits for their outcomes.
    pub(crate) async fn append(&self, appends: Vec<Result<ValidatedAppend>>) -> Result<Vec<Result<AppendOutcome>>> {
        let (reply, answer) = oneshot::channel();
        let jobs = self.jobs.as_ref().expect("the writer is running while the store lives");
        jobs.send(Job { appends, reply }).map_err(|_| Error::WriterStopped)?;
        let Reply { outcomes, spent } = answer.await.map_err(|_| Error::WriterStopped)?;
        drop(spent);
        outcomes
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel ends the thread once the queued jobs are done.
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    mut connection: Connection,
    queue: Receiver<Job>,
    clock: &dyn Clock,
    tree: TreeMaintenance,
    commits: &watch::Sender<u64>,
) {
    // The tree's right edge as of this writer's last commit, so that a commit need not read it.
    let mut frontier = None;
    while let Ok(first) = queue.recv() {
        let mut queued_events = count_events(&first);
        let mut group = vec![first];
        while queued_events < MAX_GROUP_EVENTS {
            match queue.try_recv() {
                Ok(job) => {
                    queued_events += count_events(&job);
                    group.push(job);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let valid: Vec<&ValidatedAppend> = group
            .iter()
            .flat_map(|job| job.appends.iter().filter_map(|append| append.as_ref().ok()))
            .collect();
        let committed = commit_group(&mut connection, &valid, clock, tree, &mut frontier);
        drop(valid);
        if committed.is_ok() {
            commits.send_modify(|count| *count += 1);
        }
        let mut outcomes = match committed {
            Ok(outcomes) => Ok(outcomes.into_iter()),
            Err(error) => Err((error.to_string(), Some(error))),
        };
        for job in group {
            let mut spent = Vec::with_capacity(job.appends.len());
            let mut results = Vec::with_capacity(job.appends.len());
            for append in job.appends {
                match append {
                    Err(error) => results.push(Err(error)),
                    Ok(append) => {
                        spent.push(append);
                        if let Ok(outcomes) = &mut outcomes {
                            results.push(outcomes.next().expect("one outcome per valid append"));
                        }
                    }
                }
            }
            let outcomes = match &mut outcomes {
                Ok(_) => Ok(results),
                // The first job hears the database's own error, the others that they shared it.
                Err((detail, error)) => Err(match error.take() {
                    Some(error) => error,
                    None => Error::GroupCommitFailed { detail: detail.clone() },
                }),
            };
            let _ = job.reply.send(Reply { outcomes, spent });
        }
    }
}

fn count_events(job: &Job) -> usize {
    job.appends
        .iter()
        .map(|append| append.as_ref().map_or(0, |append| append.events.len()))
        .sum()
}

/// Writes a group of appends in one transaction. Request-level failures (conflicts, reused
/// command ids, invalid input) are results; a database failure rolls everything back.
fn commit_group(
    connection: &mut Connection,
    appends: &[&ValidatedAppend],
    clock: &dyn Clock,
    tree: TreeMaintenance,
    cached_frontier: &mut Option<MerkleFrontier>,
) -> Result<Vec<Result<AppendOutcome>>> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let head: Option<(u64, Vec<u8>, i64)> = transaction
        .prepare_cached("SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let mut chain = ChainTail::after(
        head.as_ref()
            .map(|(position, hash, recorded_at)| (*position, hash.as_slice(), *recorded_at)),
        clock.now(),
    )?;
    let position = chain.position();
    // The stored edge is rewritten only when a stored subtree completes (every 256 events): no
    // subtree boundary then lies between it and the head, and the few leaves after it are
    // caught up from the event hashes. The edge this writer left at its last commit is reused
    // while the log has not grown since (positions only grow, so equal size is the same log).
    let mut frontier = match tree {
        TreeMaintenance::Incremental => Some(match cached_frontier.take() {
            Some(frontier) if frontier.size() == position => frontier,
            _ => {
                let mut frontier = merkle::load_frontier(&transaction)?;
                merkle::catch_up(&transaction, &mut frontier, position, CatchUp::Store)?;
                frontier
            }
        }),
        TreeMaintenance::Deferred => None,
    };
    let mut subtree_stored = false;
    let recorded_at = chain.recorded_at_micros();

    let mut results = Vec::with_capacity(appends.len());
    for &append in appends {
        let stream = append.request.stream.as_str();
        let command_id = append.request.metadata.command_id.map(|id| id.hyphenated().to_string());
        if let Some(command_id) = &command_id
            && let Some(earlier) = earlier_outcome(&transaction, command_id)?
        {
            results.push(if earlier.digest == append.digest {
                Ok(earlier.outcome)
            } else {
                Err(Error::CommandIdReused {
                    command_id: append.request.metadata.command_id.expect("present"),
                    stream: earlier.outcome.stream,
                })
            });
            continue;
        }
        let actual: u64 = transaction
            .prepare_cached("SELECT version FROM events WHERE stream = ?1 ORDER BY version DESC LIMIT 1")?
            .query_row([stream], |row| row.get(0))
            .optional()?
            .unwrap_or(0);
        if !append.request.expected_version.admits(actual) {
            results.push(Err(Error::VersionConflict {
                stream: stream.to_owned(),
                expected: append.request.expected_version,
                actual,
            }));
            continue;
        }
        let first_position = chain.position() + 1;
        let mut insert = transaction.prepare_cached(
            "INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (index, event) in append.events.iter().enumerate() {
            let version = actual + 1 + index as u64;
            let sealed = chain.seal_next(version, append, event);
            insert.execute(params![
                chain.position(),
                stream,
                version,
                event.event_type,
                event.occurred_at_micros,
                recorded_at,
                sealed.record,
                sealed.hash.as_slice(),
            ])?;
            if let Some(frontier) = &mut frontier {
                subtree_stored |= merkle::push_leaf(&transaction, frontier, &sealed.hash)?;
            }
        }
        let outcome = AppendOutcome {
            stream: stream.to_owned(),
            first_position,
            last_position: chain.position(),
            first_version: actual + 1,
            last_version: actual + append.events.len() as u64,
            recorded_at: chain.recorded_at(),
            replayed: false,
        };
        if let Some(command_id) = &command_id {
            transaction
                .prepare_cached(
                    "INSERT INTO commands (command_id, stream, first_position, last_position, first_version, \
                     last_version, recorded_at, request_digest, binds_command) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
                )?
                .execute(params![
                    command_id,
                    stream,
                    outcome.first_position,
                    outcome.last_position,
                    outcome.first_version,
                    outcome.last_version,
                    recorded_at,
                    append.digest.as_slice(),
                ])?;
        }
        results.push(Ok(outcome));
    }
    if let Some(frontier) = &frontier
        && subtree_stored
    {
        merkle::save_frontier(&transaction, frontier)?;
    }
    transaction.commit()?;
    *cached_frontier = frontier;
    Ok(results)
}

pub(crate) struct EarlierAppend {
    pub(crate) outcome: AppendOutcome,
    digest: Vec<u8>,
}

/// The register's entry for `command_id`, with the digest it binds the id to (`None` for an
/// entry written before ids were bound to their commands).
pub(crate) fn command_record(connection: &Connection, command_id: &str) -> Result<Option<CommandRecord>> {
    let Some(earlier) = earlier_outcome(connection, command_id)? else {
        return Ok(None);
    };
    let binds: bool = connection
        .prepare_cached("SELECT binds_command FROM commands WHERE command_id = ?1")?
        .query_row([command_id], |row| row.get(0))?;
    let command_digest = if binds {
        Some(codec::stored_hash(earlier.outcome.last_position, &earlier.digest)?)
    } else {
        None
    };
    Ok(Some(CommandRecord {
        outcome: earlier.outcome,
        command_digest,
    }))
}

/// The outcome of the append that carried `command_id`, if there was one.
pub(crate) fn earlier_outcome(connection: &Connection, command_id: &str) -> Result<Option<EarlierAppend>> {
    let earlier = connection
        .prepare_cached(
            "SELECT stream, first_position, last_position, first_version, last_version, recorded_at, request_digest \
             FROM commands WHERE command_id = ?1",
        )?
        .query_row([command_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, u64>(1)?,
                row.get::<_, u64>(2)?,
                row.get::<_, u64>(3)?,
                row.get::<_, u64>(4)?,
                row.get::<_, i64>(5)?,
                row.get::<_, Vec<u8>>(6)?,
            ))
        })
        .optional()?;
    Ok(earlier.map(
        |(stream, first_position, last_position, first_version, last_version, recorded_at, digest)| EarlierAppend {
            outcome: AppendOutcome {
                stream,
                first_position,
                last_position,
                first_version,
                last_version,
                recorded_at: Timestamp::from_microsecond(recorded_at).unwrap_or(Timestamp::UNIX_EPOCH),
                replayed: true,
            },
            digest,
        },
    ))
}
