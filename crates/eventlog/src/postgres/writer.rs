//! The writer of a PostgreSQL log: one task per process, group commit, one writer at a time
//! across processes.
//!
//! Appends from every task of the process queue on a channel. The writer task takes whatever is
//! queued and opens one transaction, whose first statement takes a transaction-scoped advisory
//! lock ([`APPEND_LOCK`]): writers of every process then commit one at a time, each reading the
//! head after the previous one committed. Positions are therefore gapless and in commit order,
//! and a reader whose snapshot holds position N holds every position before it. Each request is
//! checked on its own (idempotency by command id with its digest, expected version), positions
//! and hashes are assigned from the head read under the lock, with the same `codec::seal` as
//! SQLite (so the same input gives the same bytes on both backends), and the rows go in with one
//! `INSERT … SELECT FROM UNNEST` per few thousand events.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use smes_verify::{Hash, MerkleFrontier};
use sqlx::{PgConnection, PgPool};
use tokio::sync::{mpsc, oneshot, watch};

use super::CommitDelay;
use super::merkle::{self, CatchUp, Node, to_i64};
use crate::clock::Clock;
use crate::codec::{ChainTail, ValidatedAppend};
use crate::error::{Error, Result};
use crate::event::AppendOutcome;

/// The key of the advisory lock every append transaction takes before it reads the head
/// ("smes-log" in ASCII). Only appends take it; readers never wait for it.
pub(crate) const APPEND_LOCK: i64 = 0x736d_6573_2d6c_6f67;

/// The most events one group commit takes before it commits.
const MAX_GROUP_EVENTS: usize = 200_000;

/// Rows per `INSERT … UNNEST` statement.
const INSERT_CHUNK: usize = 5_000;

struct Job {
    appends: Vec<Result<ValidatedAppend>>,
    reply: oneshot::Sender<Result<Vec<Result<AppendOutcome>>>>,
}

/// The handle through which the store sends appends to its writer task.
pub(crate) struct Writer {
    jobs: mpsc::UnboundedSender<Job>,
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
        tokio::spawn(run(pool, queue, clock, head, delay));
        Writer { jobs }
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
) {
    // The tree's right edge as of this writer's last commit, so that a commit need not read it.
    let mut frontier = None;
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
        let committed = commit_group(&pool, &valid, clock.as_ref(), &mut frontier, delay).await;
        drop(valid);
        if committed.is_ok()
            && let Some(frontier) = &frontier
        {
            raise_head(&head, frontier.size());
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
    }
}

fn count_events(job: &Job) -> usize {
    job.appends
        .iter()
        .map(|append| append.as_ref().map_or(0, |append| append.events.len()))
        .sum()
}

/// The channel on which a commit announces the new head position to other processes.
pub(crate) const NOTIFY_CHANNEL: &str = "smes_log";

/// Announces, when the transaction commits, that the log's head is now `position`.
pub(crate) async fn notify_head(connection: &mut PgConnection, position: u64) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(NOTIFY_CHANNEL)
        .bind(position.to_string())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

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

/// Writes a group of appends in one transaction. Request-level failures (conflicts, reused
/// command ids) are results; a database failure rolls everything back.
async fn commit_group(
    pool: &PgPool,
    appends: &[&ValidatedAppend],
    clock: &dyn Clock,
    cached_frontier: &mut Option<MerkleFrontier>,
    delay: Option<CommitDelay>,
) -> Result<Vec<Result<AppendOutcome>>> {
    let mut transaction = pool.begin().await?;
    // Writers of every process commit one at a time: the lock is held until this commits, and
    // the head is read after taking it, so it is the previous writer's committed head.
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(APPEND_LOCK)
        .execute(&mut *transaction)
        .await?;
    let head: Option<(i64, Vec<u8>, i64)> =
        sqlx::query_as("SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1")
            .fetch_optional(&mut *transaction)
            .await?;
    let mut chain = ChainTail::after(
        head.as_ref()
            .map(|(position, hash, recorded_at)| (*position as u64, hash.as_slice(), *recorded_at)),
        clock.now(),
    )?;
    let position = chain.position();
    // The edge this writer left at its last commit is reused while the log has not grown since;
    // otherwise the stored edge is read and the few leaves after it are caught up.
    let mut frontier = match cached_frontier.take() {
        Some(frontier) if frontier.size() == position => frontier,
        _ => {
            let mut frontier = merkle::load_frontier(&mut transaction).await?;
            merkle::catch_up(&mut transaction, &mut frontier, position, CatchUp::Store).await?;
            frontier
        }
    };
    let mut nodes: Vec<Node> = Vec::new();

    // What this group wrote so far: later requests of the group see it before it is inserted.
    let mut group_versions: HashMap<&str, u64> = HashMap::new();
    let mut group_commands: HashMap<String, (AppendOutcome, Hash)> = HashMap::new();
    let mut rows = EventRows::default();
    let mut commands = CommandRows::default();
    let mut results = Vec::with_capacity(appends.len());
    for &append in appends {
        let stream = append.request.stream.as_str();
        let command_id = append.request.metadata.command_id.map(|id| id.hyphenated().to_string());
        if let Some(command_id) = &command_id {
            let earlier = match group_commands.get(command_id) {
                Some((outcome, digest)) => Some(EarlierAppend {
                    outcome: AppendOutcome {
                        replayed: true,
                        ..outcome.clone()
                    },
                    digest: digest.to_vec(),
                }),
                None => earlier_outcome(&mut transaction, command_id).await?,
            };
            if let Some(earlier) = earlier {
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
        }
        let actual = match group_versions.get(stream) {
            Some(version) => *version,
            None => {
                let version: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM events WHERE stream = $1 ORDER BY version DESC LIMIT 1")
                        .bind(stream)
                        .fetch_optional(&mut *transaction)
                        .await?;
                version.map_or(0, |version| version as u64)
            }
        };
        if !append.request.expected_version.admits(actual) {
            results.push(Err(Error::VersionConflict {
                stream: stream.to_owned(),
                expected: append.request.expected_version,
                actual,
            }));
            continue;
        }
        let first_position = chain.position() + 1;
        for (index, event) in append.events.iter().enumerate() {
            let version = actual + 1 + index as u64;
            let sealed = chain.seal_next(version, append, event);
            merkle::push_leaf(&mut frontier, &sealed.hash, &mut nodes);
            rows.positions.push(to_i64(chain.position()));
            rows.streams.push(stream.to_owned());
            rows.versions.push(to_i64(version));
            rows.event_types.push(event.event_type.clone());
            rows.occurred_at.push(event.occurred_at_micros);
            rows.records.push(sealed.record);
            rows.hashes.push(sealed.hash.to_vec());
        }
        let last_version = actual + append.events.len() as u64;
        group_versions.insert(stream, last_version);
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
            commands.ids.push(command_id.clone());
            commands.streams.push(stream.to_owned());
            commands.first_positions.push(to_i64(outcome.first_position));
            commands.last_positions.push(to_i64(outcome.last_position));
            commands.first_versions.push(to_i64(outcome.first_version));
            commands.last_versions.push(to_i64(outcome.last_version));
            commands.digests.push(append.digest.to_vec());
            group_commands.insert(command_id, (outcome.clone(), append.digest));
        }
        results.push(Ok(outcome));
    }
    insert_events(&mut transaction, &rows, chain.recorded_at_micros()).await?;
    insert_commands(&mut transaction, &commands, chain.recorded_at_micros()).await?;
    if !nodes.is_empty() {
        merkle::store_nodes(&mut transaction, &nodes).await?;
        merkle::save_frontier(&mut transaction, &frontier).await?;
    }
    if !rows.positions.is_empty() {
        notify_head(&mut transaction, chain.position()).await?;
    }
    if let Some(delay) = delay {
        // Tests only: hold the transaction open, rows written, as a slow commit would.
        tokio::time::sleep(delay.draw()).await;
    }
    transaction.commit().await?;
    *cached_frontier = Some(frontier);
    Ok(results)
}

async fn insert_events(connection: &mut PgConnection, rows: &EventRows, recorded_at: i64) -> Result<()> {
    let mut start = 0;
    while start < rows.positions.len() {
        let end = (start + INSERT_CHUNK).min(rows.positions.len());
        sqlx::query(
            "INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash) \
             SELECT p, s, v, t, o, $6, r, h \
             FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $7::text[], $8::bytea[]) \
             AS u(p, s, v, t, o, r, h)",
        )
        .bind(&rows.positions[start..end])
        .bind(&rows.streams[start..end])
        .bind(&rows.versions[start..end])
        .bind(&rows.event_types[start..end])
        .bind(&rows.occurred_at[start..end])
        .bind(recorded_at)
        .bind(&rows.records[start..end])
        .bind(&rows.hashes[start..end])
        .execute(&mut *connection)
        .await?;
        start = end;
    }
    Ok(())
}

async fn insert_commands(connection: &mut PgConnection, commands: &CommandRows, recorded_at: i64) -> Result<()> {
    if commands.ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO commands (command_id, stream, first_position, last_position, first_version, last_version, \
         recorded_at, request_digest) \
         SELECT c, s, fp, lp, fv, lv, $7, d \
         FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $8::bytea[]) \
         AS u(c, s, fp, lp, fv, lv, d)",
    )
    .bind(&commands.ids)
    .bind(&commands.streams)
    .bind(&commands.first_positions)
    .bind(&commands.last_positions)
    .bind(&commands.first_versions)
    .bind(&commands.last_versions)
    .bind(recorded_at)
    .bind(&commands.digests)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// A row of `commands`: stream, first and last position, first and last version, record time,
/// request digest.
type CommandRow = (String, i64, i64, i64, i64, i64, Vec<u8>);

pub(crate) struct EarlierAppend {
    pub(crate) outcome: AppendOutcome,
    digest: Vec<u8>,
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
    Ok(earlier.map(
        |(stream, first_position, last_position, first_version, last_version, recorded_at, digest)| EarlierAppend {
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
        },
    ))
}
