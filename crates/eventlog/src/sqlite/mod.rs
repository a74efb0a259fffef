//! The embedded SQLite backend: the default, for one office on one machine.
//!
//! sqlx opens the database and applies the embedded migrations. Appends and reads go through
//! SQLite's C API (rusqlite over the same SQLite build): the single writer thread ([`writer`])
//! and a pool of read connections used on the calling thread ([`readers`]), because every sqlx
//! call crosses threads twice before SQLite does any work. The reasons and figures are in
//! docs/eventlog.md.

mod copy;
mod links;
mod merkle;
mod paged;
mod readers;
mod writer;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::{StreamExt, stream};
use jiff::Timestamp;
use readers::ReaderPool;
use rusqlite::{OpenFlags, OptionalExtension};
use smes_verify::merkle::{consistency_proof_with, inclusion_proof_with, merkle_root_with};
use smes_verify::{Hash, StoredRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::clock::IdSource;
use crate::codec;
use crate::error::{Error, Result};
use crate::event::{
    AppendOutcome, AppendRequest, CommandEntry, CommandRecord, Head, RawRecord, RecordedEvent, StoredCheckpoint,
    StreamName, TreeHead,
};
use crate::lease::ProjectionLease;
use crate::links::{Link, LinkIndexHead};
use crate::store::{DEFAULT_PAGE_SIZE, EventStore, EventStream, StoreOptions};
use crate::walk::{LogWalk, StoredColumns};
use crate::witness::{VerifiedLog, Witnesses, checkpoints_to_check};
use merkle::CatchUp;
use writer::Writer;

/// The schema migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Rows per page read ahead by `stream_all`, and how many pages may wait for the consumer.
const READ_AHEAD_PAGE: usize = 2_000;
const READ_AHEAD_PAGES: usize = 2;

/// How durable a commit is. `Full` (the default) syncs the write-ahead log at every commit, so a
/// commit that returned survives a power loss. `Normal` syncs only at checkpoints: faster, but a
/// power loss (not a process crash) may lose the last commits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`.
    #[default]
    Full,
    /// `synchronous=NORMAL`.
    Normal,
}

/// When the Merkle tree over the log is kept up to date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TreeMaintenance {
    /// In every append's transaction (the default): the tree always covers the whole log.
    #[default]
    Incremental,
    /// Not by this writer: the next incremental writer catches the tree up in its transaction,
    /// and roots and proofs asked for meanwhile are computed from the events (correct, slower).
    /// For bulk loads that are checked afterwards, and to measure what the tree costs.
    Deferred,
}

/// SQLite-specific settings.
#[derive(Debug, Clone)]
pub struct SqliteConfig {
    /// When the Merkle tree is kept up to date.
    pub tree: TreeMaintenance,
    /// How durable commits are.
    pub durability: Durability,
    /// How long a writer waits for another process's write transaction before failing.
    pub busy_timeout: Duration,
    /// How many idle read connections to keep open for reuse.
    pub read_connections: u32,
    /// How many read connections, each on a thread of its own, a read of many streams
    /// ([`EventStore::read_streams`], [`EventStore::read_streams_occurred_before`]) is split
    /// between; 1 reads every stream on the calling thread. The default is the number of CPUs,
    /// at most [`MAX_DEFAULT_READ_PARALLELISM`].
    pub read_parallelism: u32,
}

/// The most read connections a multi-stream read is split between by default: a read split
/// further gains little (each part still pays its own transaction and hand-off), and one
/// user request should not take every core of a larger server.
pub const MAX_DEFAULT_READ_PARALLELISM: u32 = 4;

/// The fewest streams each part of a split multi-stream read gets. Handing a part to a
/// blocking thread costs tens of microseconds, about what reading a few small streams does, so
/// the reads of a trace (a handful of streams) stay on the calling thread.
const MIN_STREAMS_PER_READER: usize = 32;

/// The default of [`SqliteConfig::read_parallelism`].
fn default_read_parallelism() -> u32 {
    u32::try_from(crate::cpus::available())
        .unwrap_or(u32::MAX)
        .min(MAX_DEFAULT_READ_PARALLELISM)
}

impl Default for SqliteConfig {
    fn default() -> Self {
        SqliteConfig {
            tree: TreeMaintenance::Incremental,
            durability: Durability::Full,
            busy_timeout: Duration::from_secs(10),
            read_connections: 4,
            read_parallelism: default_read_parallelism(),
        }
    }
}

/// An event log in a SQLite database file (WAL mode).
pub struct SqliteEventStore {
    location: String,
    path: PathBuf,
    writer: Writer,
    readers: Arc<ReaderPool>,
    ids: Arc<dyn IdSource>,
    clock: Arc<dyn crate::clock::Clock>,
    busy_timeout: Duration,
    durability: Durability,
    /// See [`SqliteConfig::read_parallelism`].
    read_parallelism: usize,
    /// An idle connection for link-index writes, kept for the next one.
    link_writer: Arc<Mutex<Option<rusqlite::Connection>>>,
    /// Bumped after every commit of this process: wakes subscriptions.
    commits: tokio::sync::watch::Sender<u64>,
}

impl std::fmt::Debug for SqliteEventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteEventStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl SqliteEventStore {
    /// Opens (or, with `options.create`, creates) the log at a `sqlite://path` URL or a plain path.
    pub async fn open(location: &str, options: StoreOptions) -> Result<Self> {
        Self::open_with(location, options, SqliteConfig::default()).await
    }

    /// Opens the log with explicit SQLite settings.
    pub async fn open_with(location: &str, options: StoreOptions, config: SqliteConfig) -> Result<Self> {
        let open_error = |source: sqlx::Error| Error::Open {
            location: location.to_owned(),
            source,
        };
        let url = if location.starts_with("sqlite:") {
            location.to_owned()
        } else {
            format!("sqlite://{location}")
        };
        let connect_options = SqliteConnectOptions::from_str(&url).map_err(open_error)?;
        let path = connect_options.get_filename().to_path_buf();
        if url.contains(":memory:") || path.as_os_str().is_empty() {
            return Err(Error::UnsupportedLocation {
                location: location.to_owned(),
                reason: "an event log needs a database file; in-memory databases are not supported".into(),
            });
        }
        if !options.create && !path.exists() {
            return Err(Error::NotFound {
                location: location.to_owned(),
            });
        }
        let synchronous = match config.durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        };
        let connect_options = connect_options
            .create_if_missing(options.create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .busy_timeout(config.busy_timeout);

        // Schema work goes through a one-connection pool: sqlx's pool-based calls keep this
        // future `Send` for callers inside async traits.
        let setup = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect_options.clone())
            .await
            .map_err(open_error)?;
        let prepared = prepare_schema(&setup, location).await;
        setup.close().await;
        prepared?;

        let writer_connection = open_writer(&path, config.durability, config.busy_timeout)?;
        let (commits, _) = tokio::sync::watch::channel(0);
        let read_parallelism = config.read_parallelism.max(1) as usize;
        // Each part of a split read holds a read connection while it runs.
        let readers = ReaderPool::new(
            &path,
            config.busy_timeout,
            (config.read_connections as usize).max(read_parallelism),
        );
        Ok(SqliteEventStore {
            location: location.to_owned(),
            path,
            writer: Writer::start(
                writer_connection,
                Arc::clone(&options.clock),
                config.tree,
                commits.clone(),
            ),
            commits,
            ids: options.ids,
            clock: options.clock,
            busy_timeout: config.busy_timeout,
            durability: config.durability,
            read_parallelism,
            link_writer: Arc::new(Mutex::new(None)),
            readers,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
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
        let head = self.head().await?.position;
        if tree_size > head {
            return Err(Error::BeyondHead {
                what: "tree size",
                value: tree_size,
                head,
            });
        }
        let connection = rusqlite::Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        connection.busy_timeout(self.busy_timeout)?;
        let inserted = connection.execute(
            "INSERT OR IGNORE INTO checkpoints (origin, tree_size, note, stored_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![origin, tree_size, note, stored_at],
        )?;
        Ok(inserted == 1)
    }

    /// The checkpoints kept with the log, by tree size.
    pub async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        self.with_reader(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT origin, tree_size, note, stored_at FROM checkpoints ORDER BY tree_size, stored_at",
            )?;
            let rows = statement.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, u64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                ))
            })?;
            let mut checkpoints = Vec::new();
            for row in rows {
                let (origin, tree_size, note, stored_at) = row?;
                checkpoints.push(StoredCheckpoint {
                    origin,
                    tree_size,
                    note,
                    stored_at: jiff::Timestamp::from_microsecond(stored_at).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                });
            }
            Ok(checkpoints)
        })
        .await
    }

    /// Runs `write` on a blocking thread with this store's link-index connection (opened on
    /// first use, kept while it is not left inside a transaction). Link-index writes do not go
    /// through the append writer: they take SQLite's write lock on their own (`BEGIN IMMEDIATE`).
    async fn with_link_writer<T: Send + 'static>(
        &self,
        write: impl FnOnce(&mut rusqlite::Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let idle = Arc::clone(&self.link_writer);
        let path = self.path.clone();
        let (durability, busy_timeout) = (self.durability, self.busy_timeout);
        tokio::task::spawn_blocking(move || {
            let pooled = idle.lock().ok().and_then(|mut slot| slot.take());
            let mut connection = match pooled {
                Some(connection) => connection,
                None => open_writer(&path, durability, busy_timeout)?,
            };
            let result = write(&mut connection);
            if connection.is_autocommit()
                && let Ok(mut slot) = idle.lock()
            {
                *slot = Some(connection);
            }
            result
        })
        .await
        .map_err(|_| Error::WriterStopped)?
    }

    /// Runs `read` on a pooled read connection (see [`readers`] for why not sqlx's pool).
    async fn with_reader<T>(&self, read: impl FnOnce(&rusqlite::Connection) -> Result<T> + Send) -> Result<T> {
        self.readers.read(read)
    }

    /// The rows `read` admits of `streams`, in position order. With more than one part (at most
    /// `read_parallelism`, each of at least [`MIN_STREAMS_PER_READER`] streams), the streams are
    /// dealt out in turn, so each part gets a share of the large and the small ones; each part is
    /// read in its own read transaction on a blocking thread but the last, which is read on this
    /// one. The parts may see different snapshots of the WAL, which is safe: the rows up to
    /// `read.up_to` are committed (a position is only asked for once it is) and never change.
    async fn read_stream_list(&self, streams: &[StreamName], read: links::StreamRead) -> Result<Vec<RecordedEvent>> {
        let distinct = crate::links::distinct(streams.iter().map(StreamName::as_str));
        let parts = self
            .read_parallelism
            .min(distinct.len() / MIN_STREAMS_PER_READER)
            .max(1);
        if parts == 1 {
            return self
                .readers
                .read(|connection| links::read_streams(connection, &distinct, read));
        }
        let mut dealt: Vec<Vec<String>> = vec![Vec::new(); parts];
        for (index, stream) in distinct.iter().enumerate() {
            dealt[index % parts].push((*stream).to_owned());
        }
        let last = dealt.pop().unwrap_or_default();
        let others: Vec<_> = dealt
            .into_iter()
            .map(|part| {
                let readers = Arc::clone(&self.readers);
                tokio::task::spawn_blocking(move || {
                    let part: Vec<&str> = part.iter().map(String::as_str).collect();
                    readers.read(|connection| links::read_streams(connection, &part, read))
                })
            })
            .collect();
        let last: Vec<&str> = last.iter().map(String::as_str).collect();
        let mut events = self
            .readers
            .read(|connection| links::read_streams(connection, &last, read));
        for part in others {
            let part = part.await.map_err(|_| Error::ReaderStopped)?;
            events = match (events, part) {
                (Ok(mut events), Ok(part)) => {
                    events.extend(part);
                    Ok(events)
                }
                (Err(error), _) | (_, Err(error)) => Err(error),
            };
        }
        Ok(links::in_position_order(events?))
    }
}

/// Refuses databases written by a newer smes, then applies the embedded migrations and records
/// the log's id.
async fn prepare_schema(pool: &SqlitePool, location: &str) -> Result<()> {
    let open_error = |source: sqlx::Error| Error::Open {
        location: location.to_owned(),
        source,
    };
    let has_migrations: bool =
        sqlx::query_scalar("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_one(pool)
            .await
            .map_err(open_error)?;
    if has_migrations {
        let found: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await?;
        let supported = MIGRATOR.iter().map(|migration| migration.version).max().unwrap_or(0);
        codec::refuse_future_schema(location, found, supported)?;
    }
    MIGRATOR.run(pool).await?;
    sqlx::query("INSERT OR IGNORE INTO log_meta (key, value) VALUES ('log_id', ?1), ('record_format', ?2)")
        .bind(Uuid::new_v4().to_string())
        .bind(smes_verify::RECORD_FORMAT.to_string())
        .execute(pool)
        .await?;
    Ok(())
}

fn open_writer(path: &Path, durability: Durability, busy_timeout: Duration) -> Result<rusqlite::Connection> {
    let connection = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(busy_timeout)?;
    let synchronous = match durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    connection.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous};"
    ))?;
    Ok(connection)
}

fn read_page(
    connection: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<RecordedEvent>> {
    let mut statement = connection.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    let mut events = Vec::new();
    while let Some(row) = rows.next()? {
        let position: u64 = row.get(0)?;
        let record = row.get_ref(1)?.as_str()?;
        let hash = row.get_ref(2)?.as_blob()?;
        events.push(codec::decode(position, record, hash)?);
    }
    Ok(events)
}

/// A stored row, copied out of SQLite but not yet decoded.
struct StoredEvent {
    position: u64,
    stream: String,
    version: u64,
    event_type: String,
    occurred_at: i64,
    recorded_at: i64,
    record: String,
    hash: Vec<u8>,
}

impl StoredEvent {
    fn columns(&self) -> StoredColumns<'_> {
        StoredColumns {
            row: StoredRow {
                position: self.position,
                stream: &self.stream,
                version: self.version,
                record: &self.record,
                hash: &self.hash,
            },
            event_type: &self.event_type,
            occurred_at: self.occurred_at,
            recorded_at: self.recorded_at,
        }
    }
}

fn read_stored_page(
    connection: &rusqlite::Connection,
    from_position: u64,
    until_position: u64,
    limit: usize,
) -> Result<Vec<StoredEvent>> {
    let mut statement = connection.prepare_cached(paged::ROW_PAGE)?;
    let mut rows = statement.query(rusqlite::params![from_position, until_position, to_limit(limit)])?;
    let mut page = Vec::with_capacity(limit.min(DEFAULT_PAGE_SIZE));
    while let Some(row) = rows.next()? {
        page.push(StoredEvent {
            position: row.get(0)?,
            stream: row.get_ref(1)?.as_str()?.to_owned(),
            version: row.get(2)?,
            event_type: row.get_ref(3)?.as_str()?.to_owned(),
            occurred_at: row.get(4)?,
            recorded_at: row.get(5)?,
            record: row.get_ref(6)?.as_str()?.to_owned(),
            hash: row.get_ref(7)?.as_blob()?.to_vec(),
        });
    }
    Ok(page)
}

/// Starts reading pages of stored rows `from_position..=until_position` ahead of the consumer, on
/// a blocking thread; it stops at the end or when the receiver is dropped.
fn spawn_read_ahead(
    readers: Arc<ReaderPool>,
    from_position: u64,
    until_position: u64,
) -> mpsc::Receiver<Result<Vec<StoredEvent>>> {
    let (pages, receiver) = mpsc::channel(READ_AHEAD_PAGES);
    tokio::task::spawn_blocking(move || {
        let mut next = from_position;
        loop {
            let page = readers.read(|connection| read_stored_page(connection, next, until_position, READ_AHEAD_PAGE));
            let last = match &page {
                Ok(rows) if rows.is_empty() => return,
                Ok(rows) => rows.last().map(|row| row.position),
                Err(_) => None,
            };
            let failed = last.is_none();
            if pages.blocking_send(page).is_err() || failed {
                return;
            }
            next = last.expect("a non-empty page") + 1;
        }
    });
    receiver
}

/// How many threads `stream_all` reads and decodes with.
const DECODING_READERS: usize = 2;

/// Starts the readers of `stream_all`: reader `w` reads and decodes the pages of positions
/// `from + k * READ_AHEAD_PAGE ..` for every `k` with `k % DECODING_READERS == w`, and stops after
/// the first page that is not full (the end of the log as it read it) or after an error.
fn spawn_decoding_readers(
    readers: Arc<ReaderPool>,
    from_position: u64,
) -> Vec<mpsc::Receiver<Result<Vec<RecordedEvent>>>> {
    (0..DECODING_READERS)
        .map(|worker| {
            let (pages, receiver) = mpsc::channel(READ_AHEAD_PAGES);
            let readers = Arc::clone(&readers);
            tokio::task::spawn_blocking(move || {
                let page_size = READ_AHEAD_PAGE as u64;
                let mut start = from_position + worker as u64 * page_size;
                loop {
                    let page = readers.read(|connection| {
                        read_page(
                            connection,
                            "SELECT position, record, hash FROM events \
                             WHERE position >= ?1 AND position < ?2 ORDER BY position",
                            rusqlite::params![start, start.saturating_add(page_size)],
                        )
                    });
                    let (empty, last) = match &page {
                        Ok(events) => (events.is_empty(), events.len() < READ_AHEAD_PAGE),
                        Err(_) => (false, true),
                    };
                    if empty {
                        return;
                    }
                    if pages.blocking_send(page).is_err() || last {
                        return;
                    }
                    start = start.saturating_add(page_size * DECODING_READERS as u64);
                }
            });
            receiver
        })
        .collect()
}

fn to_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A position or version as SQLite's signed integer. No log holds one beyond `i64::MAX`, so a
/// larger bound saturates: reading from it finds nothing, up to it finds everything, as on
/// PostgreSQL.
pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[async_trait]
impl EventStore for SqliteEventStore {
    async fn append_batch(&self, requests: Vec<AppendRequest>) -> Result<Vec<Result<AppendOutcome>>> {
        let appends = codec::validate_all(requests, self.ids.as_ref())
            .into_iter()
            .map(|append| append.map_err(Error::from))
            .collect();
        self.writer.append(appends).await
    }

    async fn read_stream(&self, stream: &StreamName, from_version: u64, limit: usize) -> Result<Vec<RecordedEvent>> {
        self.with_reader(|connection| {
            read_page(
                connection,
                paged::STREAM_PAGE,
                rusqlite::params![stream.as_str(), to_i64(from_version), to_limit(limit)],
            )
        })
        .await
    }

    async fn read_all(&self, from_position: u64, limit: usize) -> Result<Vec<RecordedEvent>> {
        self.with_reader(|connection| {
            read_page(
                connection,
                paged::LOG_PAGE,
                rusqlite::params![to_i64(from_position), to_limit(limit)],
            )
        })
        .await
    }

    async fn read_range_of_types(&self, first: u64, last: u64, event_types: &[&str]) -> Result<Vec<RecordedEvent>> {
        if event_types.is_empty() {
            return Ok(Vec::new());
        }
        let (first, last) = (to_i64(first), to_i64(last));
        let sql = format!(
            "SELECT position, record, hash FROM events WHERE position BETWEEN ?1 AND ?2 AND event_type IN ({}) \
             ORDER BY position",
            (0..event_types.len())
                .map(|index| format!("?{}", index + 3))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let bounds = [
            rusqlite::types::Value::Integer(first),
            rusqlite::types::Value::Integer(last),
        ];
        let values = bounds.into_iter().chain(
            event_types
                .iter()
                .map(|event_type| rusqlite::types::Value::Text((*event_type).to_owned())),
        );
        self.with_reader(|connection| read_page(connection, &sql, rusqlite::params_from_iter(values)))
            .await
    }

    async fn head(&self) -> Result<Head> {
        self.with_reader(|connection| {
            let head: Option<(u64, Vec<u8>)> = connection
                .prepare_cached("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")?
                .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            match head {
                None => Ok(Head {
                    position: 0,
                    hash: smes_verify::GENESIS_HASH,
                }),
                Some((position, hash)) => {
                    let hash = codec::stored_hash(position, &hash)?;
                    Ok(Head { position, hash })
                }
            }
        })
        .await
    }

    async fn command_outcome(&self, command_id: Uuid) -> Result<Option<AppendOutcome>> {
        self.with_reader(|connection| writer::earlier_outcome(connection, &command_id.hyphenated().to_string()))
            .await
            .map(|earlier| earlier.map(|earlier| earlier.outcome))
    }

    async fn command_record(&self, command_id: Uuid) -> Result<Option<CommandRecord>> {
        self.with_reader(|connection| writer::command_record(connection, &command_id.hyphenated().to_string()))
            .await
    }

    /// Reads and decodes pages on [`DECODING_READERS`] blocking threads at once, each taking
    /// every other range of positions, and hands them over in order: scanning and decoding use
    /// every core while the caller consumes.
    fn stream_all(&self, from_position: u64) -> EventStream<'_> {
        let readers = Arc::clone(&self.readers);
        let pages = stream::unfold(
            (Vec::new(), 0usize, false),
            move |(mut workers, turn, finished): (Vec<mpsc::Receiver<Result<Vec<RecordedEvent>>>>, usize, bool)| {
                let readers = Arc::clone(&readers);
                async move {
                    if finished {
                        return None;
                    }
                    if workers.is_empty() {
                        workers = spawn_decoding_readers(readers, from_position.max(1));
                    }
                    // A worker that closes its channel found the end of the log in its range. A
                    // page that is not full is the last: events appended after it was read may
                    // be in later ranges, and handing those over would skip the ones between.
                    let page = workers[turn].recv().await?;
                    let last = page.as_ref().map_or(true, |events| events.len() < READ_AHEAD_PAGE);
                    Some((page, (workers, (turn + 1) % DECODING_READERS, last)))
                }
            },
        );
        let events = pages.flat_map(|page| match page {
            Ok(events) => stream::iter(events.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(error) => stream::iter(vec![Err(error)]),
        });
        Box::pin(events)
    }

    async fn verify_with(&self, witnesses: &Witnesses) -> Result<VerifiedLog> {
        // Checkpoints are read before the head: one kept meanwhile may commit to events
        // appended after the head was read.
        let checkpoints = checkpoints_to_check(witnesses, self.checkpoints().await?)?;
        let head = self.head().await?;
        // The stored tree is read first: it may only lag the events, never lead them.
        let mut walk = LogWalk::new(self.with_reader(merkle::load_frontier).await?, checkpoints);
        // Positions are checked by the walk: the page query does not assume they are gapless.
        // Pages are read ahead on another task while this one checks them.
        let mut pages = spawn_read_ahead(Arc::clone(&self.readers), 1, head.position);
        while let Some(page) = pages.recv().await {
            for stored in page? {
                walk.check(&stored.columns())?;
            }
        }
        let stored_subtrees = self
            .with_reader(|connection| {
                let mut statement = connection.prepare("SELECT level, idx, hash FROM merkle_nodes")?;
                let nodes = statement
                    .query_map([], |row| {
                        Ok((row.get::<_, u32>(0)?, row.get::<_, u64>(1)?, row.get::<_, Vec<u8>>(2)?))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(nodes)
            })
            .await?;
        walk.finish(stored_subtrees)
    }

    async fn read_raw(&self, from_position: u64, limit: usize) -> Result<Vec<RawRecord>> {
        self.with_reader(|connection| copy::read_raw(connection, from_position, to_limit(limit)))
            .await
    }

    async fn read_commands(&self, first: u64, last: u64) -> Result<Vec<CommandEntry>> {
        self.with_reader(|connection| copy::read_commands(connection, first, last))
            .await
    }

    async fn append_raw(&self, records: Vec<RawRecord>, commands: Vec<CommandEntry>) -> Result<Head> {
        let path = self.path.clone();
        let busy_timeout = self.busy_timeout;
        let head = tokio::task::spawn_blocking(move || {
            let mut connection = open_writer(&path, Durability::Full, busy_timeout)?;
            copy::append_raw(&mut connection, &records, &commands)
        })
        .await
        .map_err(|_| Error::WriterStopped)??;
        self.commits.send_modify(|count| *count += 1);
        Ok(head)
    }

    /// Each stream is read through the `(stream, version)` index; many streams are read by
    /// several read connections at once ([`SqliteConfig::read_parallelism`]).
    async fn read_streams(&self, streams: &[StreamName], up_to: u64) -> Result<Vec<RecordedEvent>> {
        self.read_stream_list(streams, links::StreamRead { up_to, before: None })
            .await
    }

    async fn read_streams_occurred_before(
        &self,
        streams: &[StreamName],
        up_to: u64,
        before: Timestamp,
    ) -> Result<Vec<RecordedEvent>> {
        let before = Some(crate::links::micros_from(before));
        self.read_stream_list(streams, links::StreamRead { up_to, before })
            .await
    }

    /// An exclusive `flock` on the lock file `<database file>-lease-<name>` beside the database
    /// (created on first use and never removed: removing a lock file races with its next
    /// holder).
    async fn try_lease(&self, name: &str) -> Result<Option<ProjectionLease>> {
        crate::lease::check_name(name)?;
        let mut path = self.path.clone().into_os_string();
        path.push(format!("-lease-{name}"));
        let path = PathBuf::from(path);
        let failed = |error: std::io::Error| Error::Lease {
            name: name.to_owned(),
            detail: format!("cannot lock {}: {error}", path.display()),
        };
        let file = std::fs::File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(ProjectionLease::file(name, file))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(error)) => Err(failed(error)),
        }
    }

    /// Read on a pooled read connection.
    async fn link_index_head(&self) -> Result<Option<LinkIndexHead>> {
        self.with_reader(links::live_head).await
    }

    /// One `BEGIN IMMEDIATE` transaction: extends of every process run one at a time.
    async fn extend_link_index(
        &self,
        expected: Option<LinkIndexHead>,
        through: (u64, Hash),
        links: Vec<Link>,
    ) -> Result<Option<LinkIndexHead>> {
        self.with_link_writer(move |connection| links::extend(connection, expected, through, links))
            .await
    }

    /// One read transaction on a pooled read connection, nodes looked up in chunks of a few
    /// hundred.
    async fn links_from(&self, nodes: &[String], up_to: u64) -> Result<Option<Vec<Link>>> {
        self.with_reader(|connection| links::links_from(connection, nodes, up_to))
            .await
    }

    /// One `BEGIN IMMEDIATE` transaction.
    async fn begin_link_index_build(&self) -> Result<u64> {
        self.with_link_writer(links::begin_build).await
    }

    /// One `BEGIN IMMEDIATE` transaction per call.
    async fn write_link_generation(&self, generation: u64, links: Vec<Link>) -> Result<()> {
        self.with_link_writer(move |connection| links::write_generation(connection, generation, links))
            .await
    }

    /// One `BEGIN IMMEDIATE` transaction: the head moves and the other generations' rows go
    /// together.
    async fn finish_link_index_build(&self, generation: u64, through: (u64, Hash)) -> Result<LinkIndexHead> {
        self.with_link_writer(move |connection| links::finish_build(connection, generation, through))
            .await
    }

    /// Woken in-process by the writer after each commit; appends by other processes are seen
    /// within [`crate::store::DEFAULT_POLL_INTERVAL`].
    fn subscribe(&self, from_position: u64) -> EventStream<'_> {
        crate::store::follow(
            self,
            from_position,
            Some(self.commits.subscribe()),
            crate::store::DEFAULT_POLL_INTERVAL,
        )
    }

    async fn store_checkpoint(&self, origin: &str, tree_size: u64, note: &str) -> Result<bool> {
        SqliteEventStore::store_checkpoint(self, origin, tree_size, note).await
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        SqliteEventStore::checkpoints(self).await
    }

    async fn stored_record(&self, position: u64) -> Result<Option<String>> {
        self.with_reader(|connection| {
            Ok(connection
                .prepare_cached("SELECT record FROM events WHERE position = ?1")?
                .query_row([position], |row| row.get(0))
                .optional()?)
        })
        .await
    }

    async fn tree_head(&self, size: Option<u64>) -> Result<TreeHead> {
        let head = self.head().await?.position;
        let size = size.unwrap_or(head);
        if size > head {
            return Err(Error::BeyondHead {
                what: "tree size",
                value: size,
                head,
            });
        }
        self.with_reader(|connection| {
            let mut frontier = merkle::load_frontier(connection)?;
            if frontier.size() <= size {
                merkle::catch_up(connection, &mut frontier, size, CatchUp::InMemory)?;
                return Ok(TreeHead {
                    size,
                    root: frontier.root(),
                });
            }
            let root = merkle_root_with(size, |start, end| merkle::subtree(connection, start, end))?;
            Ok(TreeHead { size, root })
        })
        .await
    }

    async fn inclusion_proof(&self, position: u64, tree_size: u64) -> Result<Vec<Hash>> {
        let head = self.head().await?.position;
        if tree_size > head {
            return Err(Error::BeyondHead {
                what: "tree size",
                value: tree_size,
                head,
            });
        }
        if position == 0 || position > tree_size {
            return Err(Error::BeyondHead {
                what: "position",
                value: position,
                head: tree_size,
            });
        }
        self.with_reader(|connection| {
            inclusion_proof_with(position - 1, tree_size, |start, end| {
                merkle::subtree(connection, start, end)
            })
        })
        .await
    }

    async fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>> {
        let head = self.head().await?.position;
        if new_size > head {
            return Err(Error::BeyondHead {
                what: "tree size",
                value: new_size,
                head,
            });
        }
        self.with_reader(|connection| {
            consistency_proof_with(old_size, new_size, |start, end| merkle::subtree(connection, start, end))
        })
        .await
    }
}
