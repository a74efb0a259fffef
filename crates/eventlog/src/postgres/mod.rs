//! The PostgreSQL backend: one log shared by several processes and servers.
//!
//! The tables, the canonical records, the hash chain and the Merkle tree are those of the SQLite
//! backend (see docs/eventlog.md); `record` is TEXT holding the bytes exactly as hashed (never
//! jsonb, which re-encodes). Appends go through one writer task per process ([`writer`]), which
//! groups queued requests into one transaction; every append transaction takes a
//! transaction-scoped advisory lock before it reads the head, so writers of all processes
//! commit one at a time and positions are gapless and in commit order: a reader that sees
//! position N has seen every position before it. Reads are plain sqlx queries on a small pool.

mod copy;
mod links;
mod merkle;
mod writer;

use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::{StreamExt as _, stream};
use jiff::Timestamp;
use smes_verify::merkle::{consistency_proof_with, inclusion_proof_with, merkle_root_with};
use smes_verify::{Hash, StoredRow};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use sqlx::{Connection as _, PgConnection};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::clock::{Clock, IdSource};
use crate::codec;
use crate::error::{Error, Result};
use crate::event::StoredCheckpoint;
use crate::event::{
    AppendOutcome, AppendRequest, CommandEntry, CommandRecord, Head, RawRecord, RecordedEvent, StreamName, TreeHead,
};
use crate::lease::ProjectionLease;
use crate::links::{Link, LinkIndexHead};
use crate::store::{EventStore, EventStream, StoreOptions};
use crate::walk::{LogWalk, StoredColumns};
use crate::witness::{VerifiedLog, Witnesses, checkpoints_to_check};
use merkle::{CatchUp, to_i64};
pub use writer::AppendPaths;
use writer::Writer;

/// The schema migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// A row of the events table as `verify` reads it: every column.
type VerifyRow = (i64, String, i64, String, i64, i64, String, Vec<u8>);

/// Rows per page read by `verify`.
const VERIFY_PAGE: i64 = 10_000;

/// PostgreSQL-specific settings.
#[derive(Debug, Clone)]
pub struct PostgresConfig {
    /// The most connections the store's pool opens (the writer uses one while it commits).
    pub max_connections: u32,
    /// How long to wait for a pooled connection before failing.
    pub acquire_timeout: Duration,
    /// How often a subscription looks for new events when no notification woke it (the
    /// fallback for notifications lost while the listening connection was down).
    pub poll_interval: Duration,
    /// **For tests only**: a pause inside every append transaction, after its rows are
    /// written and before it commits, so that transactions of several writers overlap as they
    /// would under load. `None` (the default) costs nothing.
    pub test_commit_delay: Option<CommitDelay>,
}

/// A pause drawn at random between `min` and `max` (inclusive) for each append transaction;
/// see [`PostgresConfig::test_commit_delay`]. For tests only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitDelay {
    /// The shortest pause.
    pub min: Duration,
    /// The longest pause.
    pub max: Duration,
}

impl CommitDelay {
    /// A pause between `min` and `max` (swapped if given the wrong way round).
    pub fn between(min: Duration, max: Duration) -> Self {
        CommitDelay {
            min: min.min(max),
            max: min.max(max),
        }
    }

    /// One pause, uniform between `min` and `max` to the microsecond.
    pub fn draw(&self) -> Duration {
        let span = self.max.saturating_sub(self.min).as_micros() as u64;
        if span == 0 {
            return self.min;
        }
        // The operating system's randomness; a failure only makes the pause the shortest.
        let random = getrandom::u64().unwrap_or(0);
        self.min + Duration::from_micros(random % (span + 1))
    }
}

impl Default for PostgresConfig {
    fn default() -> Self {
        PostgresConfig {
            max_connections: 3,
            acquire_timeout: Duration::from_secs(30),
            poll_interval: Duration::from_millis(500),
            test_commit_delay: None,
        }
    }
}

/// An event log in a PostgreSQL database.
pub struct PostgresEventStore {
    location: String,
    pool: PgPool,
    writer: Writer,
    ids: Arc<dyn IdSource>,
    clock: Arc<dyn Clock>,
    /// The head position after the latest commit seen (this process's or, by notification,
    /// another's): what wakes subscriptions.
    head: watch::Sender<u64>,
    /// The task that listens for other processes' commits, started by the first subscription.
    listener: OnceLock<JoinHandle<()>>,
    poll_interval: Duration,
}

impl Drop for PostgresEventStore {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.get() {
            listener.abort();
        }
    }
}

impl std::fmt::Debug for PostgresEventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresEventStore")
            .field("location", &crate::location::without_password(&self.location))
            .finish_non_exhaustive()
    }
}

/// Whether `location` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

impl PostgresEventStore {
    /// Opens the log in the database at a `postgres://` URL. With `options.create` the schema
    /// is created if missing (the database itself must exist); without it, a database without
    /// the schema is [`Error::NotFound`].
    pub async fn open(location: &str, options: StoreOptions) -> Result<Self> {
        Self::open_with(location, options, PostgresConfig::default()).await
    }

    /// Opens the log with explicit PostgreSQL settings.
    pub async fn open_with(location: &str, options: StoreOptions, config: PostgresConfig) -> Result<Self> {
        // Errors name the log without its password.
        let shown = crate::location::without_password(location);
        if !is_postgres_url(location) {
            return Err(Error::UnsupportedLocation {
                location: shown,
                reason: "a PostgreSQL log is named by a postgres:// URL".into(),
            });
        }
        let open_error = |source: sqlx::Error| Error::Open {
            location: shown.clone(),
            source,
        };
        let connect_options = PgConnectOptions::from_str(location).map_err(open_error)?;
        let (head, _) = watch::channel(0);
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections.max(1))
            .min_connections(0)
            .acquire_timeout(config.acquire_timeout)
            .idle_timeout(Some(Duration::from_secs(60)))
            .connect_with(connect_options)
            .await
            .map_err(open_error)?;
        if let Err(error) = prepare_schema(&pool, &shown, options.create).await {
            pool.close().await;
            return Err(error);
        }
        Ok(PostgresEventStore {
            location: location.to_owned(),
            writer: Writer::start(
                pool.clone(),
                Arc::clone(&options.clock),
                head.clone(),
                config.test_commit_delay,
            ),
            pool,
            ids: options.ids,
            clock: options.clock,
            head,
            listener: OnceLock::new(),
            poll_interval: config.poll_interval,
        })
    }

    /// Starts, once, the task that turns other processes' notifications into wake-ups.
    fn listen(&self) {
        self.listener.get_or_init(|| {
            let location = self.location.clone();
            let head = self.head.clone();
            let retry = self.poll_interval;
            tokio::spawn(async move {
                // A lost connection loses the notifications sent meanwhile: subscriptions poll
                // as well, and a reconnection wakes them once in case they missed something.
                loop {
                    if let Ok(mut listener) = PgListener::connect(&location).await
                        && listener.listen(writer::NOTIFY_CHANNEL).await.is_ok()
                    {
                        head.send_modify(|_| ());
                        while let Ok(notification) = listener.recv().await {
                            if let Ok(position) = notification.payload().parse::<u64>() {
                                writer::raise_head(&head, position);
                            }
                        }
                    }
                    tokio::time::sleep(retry).await;
                }
            })
        });
    }

    /// The URL the log was opened at.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// How this store's commits went so far: how many were written in one statement from what
    /// its writer knew of the log, and how many took the long way (docs/eventlog.md).
    pub fn append_paths(&self) -> AppendPaths {
        self.writer.paths()
    }

    /// Keeps a signed checkpoint with the log; returns false if the same one was kept already.
    /// Checkpoints, like events, are never changed or removed.
    pub async fn store_checkpoint(&self, origin: &str, tree_size: u64, note: &str) -> Result<bool> {
        let stored_at = codec::checked_micros(self.clock.now()).ok_or(Error::ClockOutOfRange)?;
        self.insert_checkpoint(origin, tree_size, note, stored_at).await
    }

    /// Keeps a checkpoint copied from another copy of this log, with the time it was stored
    /// there; returns false if it was kept already.
    pub async fn keep_checkpoint(&self, kept: &StoredCheckpoint) -> Result<bool> {
        let stored_at = codec::checked_micros(kept.stored_at).ok_or(Error::ClockOutOfRange)?;
        self.insert_checkpoint(&kept.origin, kept.tree_size, &kept.note, stored_at)
            .await
    }

    async fn insert_checkpoint(&self, origin: &str, tree_size: u64, note: &str, stored_at: i64) -> Result<bool> {
        self.check_tree_size("tree size", tree_size).await?;
        // Through the store's function, which checks the tree size again under the owner's
        // rights: the writing role has no INSERT on the table.
        let kept: bool = sqlx::query_scalar("SELECT smes_keep_checkpoint($1, $2, $3, $4)")
            .bind(origin)
            .bind(to_i64(tree_size))
            .bind(note)
            .bind(stored_at)
            .fetch_one(&self.pool)
            .await
            .map_err(|error| Error::from(error).unless_permitted("keep a checkpoint"))?;
        Ok(kept)
    }

    /// The checkpoints kept with the log, by tree size.
    pub async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        let rows: Vec<(String, i64, String, i64)> =
            sqlx::query_as("SELECT origin, tree_size, note, stored_at FROM checkpoints ORDER BY tree_size, stored_at")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(origin, tree_size, note, stored_at)| StoredCheckpoint {
                origin,
                tree_size: tree_size as u64,
                note,
                stored_at: jiff::Timestamp::from_microsecond(stored_at).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            })
            .collect())
    }
}

/// Refuses databases written by a newer smes, then applies the embedded migrations and records
/// the log's id. `location` is only for messages: the URL without its password.
async fn prepare_schema(pool: &PgPool, location: &str, create: bool) -> Result<()> {
    let open_error = |source: sqlx::Error| Error::Open {
        location: location.to_owned(),
        source,
    };
    let has_migrations: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await
        .map_err(open_error)?;
    if has_migrations {
        let found: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await?;
        let supported = MIGRATOR.iter().map(|migration| migration.version).max().unwrap_or(0);
        codec::refuse_future_schema(location, found, supported)?;
        let described: i64 =
            sqlx::query_scalar("SELECT count(*) FROM log_meta WHERE key IN ('log_id', 'record_format')")
                .fetch_one(pool)
                .await?;
        // Every embedded migration applied, not only the newest: a log can lack one in between.
        let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await?;
        let embedded = i64::try_from(MIGRATOR.iter().count()).unwrap_or(i64::MAX);
        if found == Some(supported) && applied == embedded && described == 2 {
            // Up to date: nothing to create, so a role without DDL rights can open the log
            // (docs/eventlog.md, "Running under a restricted role").
            return Ok(());
        }
    } else if !create {
        return Err(Error::NotFound {
            location: location.to_owned(),
        });
    }
    MIGRATOR.run(pool).await?;
    sqlx::query(
        "INSERT INTO log_meta (key, value) VALUES ('log_id', $1), ('record_format', $2) ON CONFLICT (key) DO NOTHING",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(smes_verify::RECORD_FORMAT.to_string())
    .execute(pool)
    .await?;
    Ok(())
}

fn to_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Events per query that [`EventStore::stream_all`] reads ahead.
const READ_AHEAD_PAGE: usize = 4_000;

/// Events per piece that [`EventStore::stream_all`] hands from the reading task to the caller.
const READ_AHEAD_PIECE: usize = 500;

/// Pieces that may wait for the caller: two pages' worth, so that the next page is read while
/// the caller takes the last one.
const READ_AHEAD_PIECES: usize = 2 * READ_AHEAD_PAGE / READ_AHEAD_PIECE;

/// A stored event as read: position, record, hash.
type EventRow = (i64, String, Vec<u8>);

fn decode_rows(rows: Vec<EventRow>) -> Result<Vec<RecordedEvent>> {
    rows.into_iter()
        .map(|(position, record, hash)| codec::decode(position as u64, &record, &hash))
        .collect()
}

/// Reads the log from position `next` on for [`EventStore::stream_all`], a page of
/// [`READ_AHEAD_PAGE`] events per query, handing the rows on in pieces of [`READ_AHEAD_PIECE`]
/// as they arrive, so that the caller decodes one piece while the server sends the next. A page
/// that is not full is the last. Pieces the caller has no room for wait here until the page is
/// read and its connection is back in the pool: a caller that stops taking events holds no
/// connection, and at most two pages wait for it besides the one being read. After an error,
/// the rows read before it are handed on, then the error.
async fn read_ahead(pool: PgPool, mut next: u64, pieces: tokio::sync::mpsc::Sender<Result<Vec<EventRow>>>) {
    loop {
        let mut rows = sqlx::query_as::<_, EventRow>(
            "SELECT position, record, hash FROM events WHERE position >= $1 ORDER BY position LIMIT $2",
        )
        .bind(to_i64(next))
        .bind(to_limit(READ_AHEAD_PAGE))
        .fetch(&pool);
        let mut piece = Vec::with_capacity(READ_AHEAD_PIECE);
        let mut waiting: Vec<Vec<EventRow>> = Vec::new();
        let mut read = 0;
        let mut failed = None;
        while let Some(row) = rows.next().await {
            let row = match row {
                Ok(row) => row,
                Err(error) => {
                    failed = Some(Error::from(error));
                    break;
                }
            };
            next = row.0 as u64 + 1;
            read += 1;
            piece.push(row);
            if piece.len() == READ_AHEAD_PIECE {
                let full = std::mem::replace(&mut piece, Vec::with_capacity(READ_AHEAD_PIECE));
                if !waiting.is_empty() {
                    waiting.push(full);
                    continue;
                }
                match pieces.try_send(Ok(full)) {
                    Ok(()) => {}
                    Err(TrySendError::Full(full)) => waiting.extend(full.ok()),
                    // The reader went away.
                    Err(TrySendError::Closed(_)) => return,
                }
            }
        }
        drop(rows);
        if !piece.is_empty() {
            waiting.push(piece);
        }
        for piece in waiting {
            if pieces.send(Ok(piece)).await.is_err() {
                return;
            }
        }
        if let Some(error) = failed {
            let _ = pieces.send(Err(error)).await;
            return;
        }
        if read < READ_AHEAD_PAGE {
            return;
        }
    }
}

impl PostgresEventStore {
    async fn check_tree_size(&self, what: &'static str, value: u64) -> Result<u64> {
        let head = self.head().await?.position;
        if value > head {
            return Err(Error::BeyondHead { what, value, head });
        }
        Ok(head)
    }
}

#[async_trait]
impl EventStore for PostgresEventStore {
    async fn append_batch(&self, requests: Vec<AppendRequest>) -> Result<Vec<Result<AppendOutcome>>> {
        let appends = codec::validate_all(requests, self.ids.as_ref())
            .into_iter()
            .map(|append| append.map_err(Error::from))
            .collect();
        self.writer.append(appends).await
    }

    async fn read_stream(&self, stream: &StreamName, from_version: u64, limit: usize) -> Result<Vec<RecordedEvent>> {
        let rows: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
            "SELECT position, record, hash FROM events WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3",
        )
        .bind(stream.as_str())
        .bind(to_i64(from_version))
        .bind(to_limit(limit))
        .fetch_all(&self.pool)
        .await?;
        decode_rows(rows)
    }

    async fn read_all(&self, from_position: u64, limit: usize) -> Result<Vec<RecordedEvent>> {
        let rows: Vec<(i64, String, Vec<u8>)> =
            sqlx::query_as("SELECT position, record, hash FROM events WHERE position >= $1 ORDER BY position LIMIT $2")
                .bind(to_i64(from_position))
                .bind(to_limit(limit))
                .fetch_all(&self.pool)
                .await?;
        decode_rows(rows)
    }

    async fn head(&self) -> Result<Head> {
        let head: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        match head {
            None => Ok(Head {
                position: 0,
                hash: smes_verify::GENESIS_HASH,
            }),
            Some((position, hash)) => {
                let position = position as u64;
                Ok(Head {
                    position,
                    hash: codec::stored_hash(position, &hash)?,
                })
            }
        }
    }

    async fn command_outcome(&self, command_id: Uuid) -> Result<Option<AppendOutcome>> {
        let mut connection = self.pool.acquire().await?;
        Ok(
            writer::earlier_outcome(&mut connection, &command_id.hyphenated().to_string())
                .await?
                .map(|earlier| earlier.outcome),
        )
    }

    async fn command_record(&self, command_id: Uuid) -> Result<Option<CommandRecord>> {
        let row: Option<(String, i64, i64, i64, i64, i64, Vec<u8>, bool)> = sqlx::query_as(
            "SELECT stream, first_position, last_position, first_version, last_version, recorded_at, request_digest, \
             binds_command FROM commands WHERE command_id = $1",
        )
        .bind(command_id.hyphenated().to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some((stream, first_position, last_position, first_version, last_version, recorded_at, digest, binds)) =
            row
        else {
            return Ok(None);
        };
        let command_digest = if binds {
            Some(codec::stored_hash(last_position as u64, &digest)?)
        } else {
            None
        };
        Ok(Some(CommandRecord {
            outcome: AppendOutcome {
                stream,
                first_position: first_position as u64,
                last_position: last_position as u64,
                first_version: first_version as u64,
                last_version: last_version as u64,
                recorded_at: Timestamp::from_microsecond(recorded_at).unwrap_or(Timestamp::UNIX_EPOCH),
                replayed: true,
            },
            command_digest,
        }))
    }

    async fn verify_with(&self, witnesses: &Witnesses) -> Result<VerifiedLog> {
        // Checkpoints are read before the head: one kept meanwhile may commit to events
        // appended after the head was read.
        let checkpoints = checkpoints_to_check(witnesses, self.checkpoints().await?)?;
        let head = self.head().await?;
        let mut connection = self.pool.acquire().await?;
        // The stored tree is read first: it may only lag the events, never lead them.
        let mut walk = LogWalk::new(merkle::load_frontier(&mut connection).await?, checkpoints);
        // Positions are checked by the walk: the page query does not assume they are gapless.
        let mut next = 1i64;
        loop {
            let page: Vec<VerifyRow> = sqlx::query_as(
                "SELECT position, stream, version, event_type, occurred_at, recorded_at, record, hash FROM events \
                 WHERE position >= $1 AND position <= $2 ORDER BY position LIMIT $3",
            )
            .bind(next)
            .bind(to_i64(head.position))
            .bind(VERIFY_PAGE)
            .fetch_all(&mut *connection)
            .await?;
            let Some(last) = page.last() else { break };
            next = last.0 + 1;
            for (position, stream, version, event_type, occurred_at, recorded_at, record, hash) in &page {
                walk.check(&StoredColumns {
                    row: StoredRow {
                        position: *position as u64,
                        stream,
                        version: *version as u64,
                        record,
                        hash,
                    },
                    event_type,
                    occurred_at: *occurred_at,
                    recorded_at: *recorded_at,
                })?;
            }
        }
        let stored_subtrees: Vec<(i32, i64, Vec<u8>)> = sqlx::query_as("SELECT level, idx, hash FROM merkle_nodes")
            .fetch_all(&mut *connection)
            .await?;
        walk.finish(
            stored_subtrees
                .into_iter()
                .map(|(level, index, hash)| (level as u32, index as u64, hash)),
        )
    }

    async fn read_raw(&self, from_position: u64, limit: usize) -> Result<Vec<RawRecord>> {
        copy::read_raw(&self.pool, from_position, to_limit(limit)).await
    }

    async fn read_commands(&self, first: u64, last: u64) -> Result<Vec<CommandEntry>> {
        copy::read_commands(&self.pool, first, last).await
    }

    async fn append_raw(&self, records: Vec<RawRecord>, commands: Vec<CommandEntry>) -> Result<Head> {
        let head = copy::append_raw(&self.pool, &records, &commands)
            .await
            .map_err(|error| error.unless_permitted("copy records into the log"))?;
        writer::raise_head(&self.head, head.position);
        Ok(head)
    }

    /// One query: `stream = ANY($1) AND position <= $2 ORDER BY position`.
    async fn read_streams(&self, streams: &[StreamName], up_to: u64) -> Result<Vec<RecordedEvent>> {
        let streams = crate::links::distinct(streams.iter().map(StreamName::as_str));
        let rows: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
            "SELECT position, record, hash FROM events WHERE stream = ANY($1::text[]) AND position <= $2 \
             ORDER BY position",
        )
        .bind(streams)
        .bind(to_i64(up_to))
        .fetch_all(&self.pool)
        .await?;
        decode_rows(rows)
    }

    async fn read_streams_occurred_before(
        &self,
        streams: &[StreamName],
        up_to: u64,
        before: Timestamp,
    ) -> Result<Vec<RecordedEvent>> {
        let streams = crate::links::distinct(streams.iter().map(StreamName::as_str));
        let rows: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
            "SELECT position, record, hash FROM events WHERE stream = ANY($1::text[]) AND position <= $2 \
             AND occurred_at < $3 ORDER BY position",
        )
        .bind(streams)
        .bind(to_i64(up_to))
        .bind(crate::links::micros_from(before))
        .fetch_all(&self.pool)
        .await?;
        decode_rows(rows)
    }

    /// `pg_try_advisory_lock` on a connection of the lease's own (application name
    /// `smes lease <name>`), held for the lease's life.
    async fn try_lease(&self, name: &str) -> Result<Option<ProjectionLease>> {
        crate::lease::check_name(name)?;
        let options = PgConnectOptions::from_str(&self.location)?.application_name(&format!("smes lease {name}"));
        let mut connection = PgConnection::connect_with(&options).await?;
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2))")
            .bind(crate::lease::LEASE_LOCK_CLASS)
            .bind(name)
            .fetch_one(&mut connection)
            .await?;
        if !taken {
            let _ = connection.close().await;
            return Ok(None);
        }
        Ok(Some(ProjectionLease::postgres(name, connection)))
    }

    /// One query on the head row.
    async fn link_index_head(&self) -> Result<Option<LinkIndexHead>> {
        links::live_head(&self.pool).await
    }

    /// Locks the head row (`FOR UPDATE`) before it reads it: extends of every process run one at
    /// a time.
    async fn extend_link_index(
        &self,
        expected: Option<LinkIndexHead>,
        through: (u64, Hash),
        links: Vec<Link>,
    ) -> Result<Option<LinkIndexHead>> {
        links::extend(&self.pool, expected, through, links)
            .await
            .map_err(|error| error.unless_permitted("extend the link index"))
    }

    /// One statement (`from_node = ANY($1)`), so one snapshot.
    async fn links_from(&self, nodes: &[String], up_to: u64) -> Result<Option<Vec<Link>>> {
        links::links_from(&self.pool, nodes, up_to).await
    }

    /// One transaction, holding the head row's lock.
    async fn begin_link_index_build(&self) -> Result<u64> {
        links::begin_build(&self.pool).await
    }

    /// One transaction per call, holding the head row's lock; links go in with
    /// `INSERT … SELECT FROM UNNEST` a few thousand at a time.
    async fn write_link_generation(&self, generation: u64, links: Vec<Link>) -> Result<()> {
        links::write_generation(&self.pool, generation, links).await
    }

    /// One transaction, holding the head row's lock: the head moves and the other generations'
    /// rows go together.
    async fn finish_link_index_build(&self, generation: u64, through: (u64, Hash)) -> Result<LinkIndexHead> {
        links::finish_build(&self.pool, generation, through).await
    }

    /// Woken by this process's commits and, through LISTEN/NOTIFY, by other processes';
    /// polls every [`PostgresConfig::poll_interval`] besides.
    /// Reads ahead on a task of its own ([`read_ahead`]) while the caller decodes.
    fn stream_all(&self, from_position: u64) -> EventStream<'_> {
        let (pieces, received) = tokio::sync::mpsc::channel(READ_AHEAD_PIECES);
        tokio::spawn(read_ahead(self.pool.clone(), from_position.max(1), pieces));
        let decoded = stream::unfold(received, move |mut received| async move {
            let page = received.recv().await?;
            Some((page.and_then(decode_rows), received))
        });
        Box::pin(decoded.flat_map(|page| match page {
            Ok(events) => stream::iter(events.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(error) => stream::iter(vec![Err(error)]),
        }))
    }

    fn subscribe(&self, from_position: u64) -> EventStream<'_> {
        self.listen();
        crate::store::follow(self, from_position, Some(self.head.subscribe()), self.poll_interval)
    }

    async fn store_checkpoint(&self, origin: &str, tree_size: u64, note: &str) -> Result<bool> {
        PostgresEventStore::store_checkpoint(self, origin, tree_size, note).await
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        PostgresEventStore::checkpoints(self).await
    }

    async fn stored_record(&self, position: u64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT record FROM events WHERE position = $1")
            .bind(to_i64(position))
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn tree_head(&self, size: Option<u64>) -> Result<TreeHead> {
        let size = match size {
            Some(size) => {
                self.check_tree_size("tree size", size).await?;
                size
            }
            None => self.head().await?.position,
        };
        let mut connection = self.pool.acquire().await?;
        let mut frontier = merkle::load_frontier(&mut connection).await?;
        if frontier.size() <= size {
            merkle::catch_up(&mut connection, &mut frontier, size, CatchUp::InMemory).await?;
            return Ok(TreeHead {
                size,
                root: frontier.root(),
            });
        }
        let root = merkle::with_subtrees(&mut connection, |subtree| merkle_root_with(size, subtree)).await?;
        Ok(TreeHead { size, root })
    }

    async fn inclusion_proof(&self, position: u64, tree_size: u64) -> Result<Vec<Hash>> {
        self.check_tree_size("tree size", tree_size).await?;
        if position == 0 || position > tree_size {
            return Err(Error::BeyondHead {
                what: "position",
                value: position,
                head: tree_size,
            });
        }
        let mut connection = self.pool.acquire().await?;
        merkle::with_subtrees(&mut connection, |subtree| {
            inclusion_proof_with(position - 1, tree_size, subtree)
        })
        .await
    }

    async fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>> {
        self.check_tree_size("tree size", new_size).await?;
        let mut connection = self.pool.acquire().await?;
        merkle::with_subtrees(&mut connection, |subtree| {
            consistency_proof_with(old_size, new_size, subtree)
        })
        .await
    }
}
