//! Benchmarks of the smes event log, run by the `smes-bench` binary.
//!
//! Every figure is measured side by side with a raw baseline in the same run, on the same
//! machine and disk, because absolute rates mean little across machines while ratios travel:
//! the store's bulk append against a raw prepared-statement insert loop of the very same rows,
//! single appends against raw one-row transactions, and reads against a raw scan that decodes
//! the same records. The goals are the ones docs/benchmarks.md records.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, params};
use smes_eventlog::{
    AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, SqliteConfig, SqliteEventStore, StoreOptions,
    StreamName, TreeMaintenance,
};
use smes_verify::EventRecord;

mod postgres;
mod projections;

/// What `smes-bench` measures, and how much.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// A quick run with small numbers, so that the benchmark is exercised in CI and cannot rot.
    /// Its figures are too small to judge the goals by.
    #[arg(long)]
    pub quick: bool,
    /// Events in the bulk append, read and verify runs.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Events per transaction in the bulk runs.
    #[arg(long, default_value_t = 10_000)]
    pub batch: u64,
    /// Single appends (one event per transaction, durable commit) to measure.
    #[arg(long, default_value_t = 2_000)]
    pub single: u64,
    /// Events in the generated programme log that the read side is measured on.
    #[arg(long, default_value_t = 1_000_000)]
    pub projection_events: u64,
    /// Directory for the temporary databases (default: the system's temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep the temporary databases (the generated programme log is `programme.db`) and print
    /// where they are, for profiling and inspection.
    #[arg(long)]
    pub keep: bool,
    /// Measure PostgreSQL instead: concurrent single appends against raw one-row inserts, in a
    /// scratch database created (and dropped) on the server this URL names (`--single` sets
    /// the appends per figure).
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
}

/// Why a benchmark run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] smes_eventlog::Error),
    /// The raw SQLite baseline failed.
    #[error("raw SQLite baseline")]
    Sqlite(#[from] rusqlite::Error),
    /// A raw SQLite value had an unexpected type.
    #[error("raw SQLite value")]
    SqliteValue(#[from] rusqlite::types::FromSqlError),
    /// The sqlx baseline failed.
    #[error("sqlx baseline")]
    Sqlx(#[from] sqlx::Error),
    /// A temporary file or directory could not be made.
    #[error("temporary files")]
    Io(#[from] std::io::Error),
    /// The command service refused a command.
    #[error("command service")]
    App(#[from] smes_app::Error),
    /// The PostgreSQL server to measure on could not be reached.
    #[error("cannot create a scratch database on the PostgreSQL server at {location}")]
    Postgres {
        /// The URL, without its password.
        location: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// A benchmark command line did not parse.
    #[error("benchmark command: {0}")]
    Command(String),
    /// A record read back did not decode.
    #[error("record decode")]
    Decode(#[from] serde_json::Error),
    /// An event of the generated log did not decode into a domain event.
    #[error("projections")]
    Projections(#[from] smes_projections::Error),
    /// A report over the generated log failed.
    #[error("report")]
    Report(#[from] smes_reports::Error),
    /// Reading the generated log for a report, or keeping its link index, failed.
    #[error("read")]
    Read(#[from] smes_read::Error),
}

/// One measured figure and the goal it is held to.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// What was measured.
    pub name: &'static str,
    /// The figure, in `unit`.
    pub value: f64,
    /// The unit of the figure.
    pub unit: &'static str,
    /// The goal, stated, and whether it was met (None where there is no goal).
    pub goal: Option<(String, bool)>,
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The sizes used.
    pub events: u64,
    /// Events per bulk transaction.
    pub batch: u64,
    /// Single appends measured.
    pub single: u64,
    /// Whether this was a quick run.
    pub quick: bool,
    /// The figures, in the order measured.
    pub measurements: Vec<Measurement>,
    /// The read side's figures, on a generated programme log.
    pub projections: Vec<Measurement>,
    /// Where the benchmark's databases were kept (with `--keep`), for the caller to say.
    pub kept: Option<std::path::PathBuf>,
}

impl Report {
    /// Whether every goal was met.
    pub fn all_goals_met(&self) -> bool {
        self.measurements
            .iter()
            .chain(&self.projections)
            .all(|m| m.goal.as_ref().is_none_or(|(_, met)| *met))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quick = if self.quick {
            " (quick run: too small to judge goals)"
        } else {
            ""
        };
        if self.events == 0 {
            writeln!(
                f,
                "smes-bench --postgres: {} single appends per figure{quick}",
                self.single
            )?;
        } else {
            writeln!(
                f,
                "smes-bench: {} events, {} per bulk transaction, {} single appends{quick}",
                self.events, self.batch, self.single,
            )?;
        }
        writeln!(f)?;
        write_table(f, &self.measurements)?;
        if !self.projections.is_empty() {
            writeln!(f)?;
            writeln!(f, "Projections, on a generated programme log:")?;
            writeln!(f)?;
            write_table(f, &self.projections)?;
        }
        Ok(())
    }
}

fn write_table(f: &mut fmt::Formatter<'_>, measurements: &[Measurement]) -> fmt::Result {
    writeln!(f, "| measurement | figure | goal | met |")?;
    writeln!(f, "|---|---:|---|---|")?;
    for m in measurements {
        let (goal, met) = match &m.goal {
            Some((goal, met)) => (goal.as_str(), if *met { "yes" } else { "NO" }),
            None => ("", ""),
        };
        writeln!(
            f,
            "| {} | {} {} | {goal} | {met} |",
            m.name,
            format_figure(m.value),
            m.unit
        )?;
    }
    Ok(())
}

fn format_figure(value: f64) -> String {
    if value >= 100.0 {
        let whole = value.round() as u64;
        let text = whole.to_string();
        let mut grouped = String::new();
        for (index, digit) in text.chars().enumerate() {
            if index > 0 && (text.len() - index).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        grouped
    } else {
        format!("{value:.2}")
    }
}

/// Runs every measurement and returns the report.
pub async fn run(args: &BenchArgs) -> Result<Report, BenchError> {
    let (events, batch, single) = if args.quick {
        (20_000u64, 2_000u64, 200u64)
    } else {
        (args.events.max(1), args.batch.max(100), args.single.max(1))
    };
    if let Some(url) = &args.postgres {
        return Ok(Report {
            events: 0,
            batch: 0,
            single,
            quick: args.quick,
            measurements: postgres::measure(url, single, if args.quick { 5_000 } else { 100_000 }).await?,
            projections: Vec::new(),
            kept: None,
        });
    }
    let dir = match &args.dir {
        Some(dir) => tempfile::Builder::new().prefix("smes-bench-").tempdir_in(dir)?,
        None => tempfile::Builder::new().prefix("smes-bench-").tempdir()?,
    };
    let mut measurements = Vec::new();
    let ratio_goal = |store: f64, raw: f64, at_least: f64| {
        let ratio = store / raw;
        (format!("≥ {at_least} × raw (ratio {ratio:.2})"), ratio >= at_least)
    };

    // Bulk: the store, then a raw insert loop of the very rows the store wrote.
    let store_path = dir.path().join("store.db");
    let store = open_store(&store_path).await?;
    let store_bulk = timed_bulk_append(&store, events, batch).await?;
    let (incremental_tree, deferred_tree) = tree_cost(dir.path(), events, batch).await?;
    let raw_bulk = raw_bulk_insert(&store_path, &dir.path().join("raw.db"), batch)?;
    measurements.push(Measurement {
        name: "bulk append, hash chain included",
        value: store_bulk,
        unit: "events/s",
        goal: Some(ratio_goal(store_bulk, raw_bulk, 0.75)),
    });
    let tree_cost = deferred_tree / incremental_tree - 1.0;
    measurements.push(Measurement {
        name: "bulk append with the Merkle tree deferred (logs of a fifth the size, alternated)",
        value: deferred_tree,
        unit: "events/s",
        goal: Some((
            format!(
                "keeping the tree adds < 10% (adds {:.1}%; {} events/s with it)",
                tree_cost * 100.0,
                format_figure(incremental_tree)
            ),
            tree_cost < 0.10,
        )),
    });
    measurements.push(Measurement {
        name: "raw SQLite insert loop, same rows",
        value: raw_bulk,
        unit: "rows/s",
        goal: None,
    });

    // Reads: the store's paged read, a raw scan with the same decoding, and a naive sqlx loop.
    reset_peak_memory();
    let started = Instant::now();
    let read: u64 = store
        .stream_all(1)
        .try_fold(0u64, |count, _event| async move { Ok(count + 1) })
        .await?;
    let read_rate = rate(read, started.elapsed());
    let read_peak = peak_memory_mib();
    measurements.push(Measurement {
        name: "read all in order and decode",
        value: read_rate,
        unit: "events/s",
        goal: Some((
            format!("≥ 600,000 events/s ({read} read)"),
            read_rate >= 600_000.0 && read == events,
        )),
    });
    if let Some(peak) = read_peak {
        measurements.push(Measurement {
            name: "peak memory (RSS) of the process while reading",
            value: peak,
            unit: "MiB",
            goal: Some(("< 256 MiB".into(), peak < 256.0)),
        });
    }
    measurements.push(Measurement {
        name: "raw scan and decode of the same records",
        value: raw_scan_decode(&store_path)?,
        unit: "events/s",
        goal: None,
    });
    measurements.push(Measurement {
        name: "naive sqlx row loop (reference)",
        value: sqlx_row_loop(&store_path).await?,
        unit: "events/s",
        goal: None,
    });

    let mut proof_times = Vec::new();
    for index in 0..101u64 {
        let position = 1 + index * (events - 1) / 100;
        let started = Instant::now();
        let proof = store.inclusion_proof(position, events).await?;
        proof_times.push(started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(proof);
    }
    proof_times.sort_by(f64::total_cmp);
    let median_proof = proof_times[proof_times.len() / 2];
    let slowest_proof = proof_times[proof_times.len() - 1];
    measurements.push(Measurement {
        name: "inclusion proof at the head (median of 101)",
        value: median_proof,
        unit: "ms",
        goal: Some((format!("< 5 ms (slowest {slowest_proof:.2} ms)"), slowest_proof < 5.0)),
    });

    reset_peak_memory();
    let started = Instant::now();
    let verified = store.verify().await?;
    let verify_seconds = started.elapsed().as_secs_f64();
    let verify_peak = peak_memory_mib();
    measurements.push(Measurement {
        name: "verify the whole chain",
        value: verify_seconds,
        unit: "s",
        goal: Some((
            format!("< 3 s for 1,000,000 ({} verified)", verified.events),
            verify_seconds * 1_000_000.0 / events as f64 <= 3.0 && verified.events == events,
        )),
    });
    if let Some(peak) = verify_peak {
        measurements.push(Measurement {
            name: "peak memory (RSS) of the process while verifying",
            value: peak,
            unit: "MiB",
            goal: Some(("< 256 MiB".into(), peak < 256.0)),
        });
    }
    drop(store);

    // Single appends, one event per durable transaction, against raw one-row transactions.
    let single_store = open_store(&dir.path().join("single.db")).await?;
    let started = Instant::now();
    for n in 0..single {
        single_store.append(single_request(n)).await?;
    }
    let store_single = rate(single, started.elapsed());
    drop(single_store);
    let raw_single = raw_single_inserts(&dir.path().join("single.db"), &dir.path().join("raw-single.db"))?;
    measurements.push(Measurement {
        name: "single appends, one per durable transaction",
        value: store_single,
        unit: "appends/s",
        goal: Some(ratio_goal(store_single, raw_single, 0.5)),
    });
    measurements.push(Measurement {
        name: "raw one-row-per-transaction insert loop",
        value: raw_single,
        unit: "rows/s",
        goal: None,
    });

    // The command service: load, decide, append, durable commit; alone and 16 at once.
    let commands = (single * 2).max(160);
    let figures = command_service(&dir.path().join("commands.db"), commands).await?;
    let fsync_rate = raw_fsync_rate(&dir.path().join("fsync.bin"), single)?;
    measurements.push(Measurement {
        name: "commands through the command service, one at a time",
        value: figures.sequential,
        unit: "commands/s",
        goal: Some(ratio_goal(figures.sequential, raw_single, 0.5)),
    });
    measurements.push(Measurement {
        name: "commands through the command service, 16 concurrent clients",
        value: figures.concurrent,
        unit: "commands/s",
        goal: Some((
            format!("> the raw fsync rate ({} fsyncs/s)", format_figure(fsync_rate)),
            figures.concurrent > fsync_rate,
        )),
    });
    measurements.push(Measurement {
        name: "raw fsync rate of the disk (4 KiB write + fdatasync)",
        value: fsync_rate,
        unit: "fsyncs/s",
        goal: None,
    });

    let projections = projections::run(dir.path(), projections::Sizes::new(args.projection_events, args.quick)).await?;
    let kept = args.keep.then(|| dir.keep());

    Ok(Report {
        events,
        batch,
        single,
        quick: args.quick,
        measurements,
        projections,
        kept,
    })
}

/// What keeping the Merkle tree costs: bulk appends into fresh logs of a fifth of the size, with
/// the tree kept and deferred, in the order deferred, kept, kept, deferred so that neither gains
/// from running later (a warmer page cache, a fuller disk). Returns the two mean rates.
async fn tree_cost(dir: &std::path::Path, events: u64, batch: u64) -> Result<(f64, f64), BenchError> {
    let size = (events / 5).max(batch);
    let mut incremental = 0.0;
    let mut deferred = 0.0;
    for (run, tree) in [
        TreeMaintenance::Deferred,
        TreeMaintenance::Incremental,
        TreeMaintenance::Incremental,
        TreeMaintenance::Deferred,
    ]
    .into_iter()
    .enumerate()
    {
        let options = StoreOptions {
            create: true,
            ..StoreOptions::default()
        };
        let config = SqliteConfig {
            tree,
            ..SqliteConfig::default()
        };
        let path = dir.join(format!("tree-{run}.db"));
        let store = SqliteEventStore::open_with(&path.display().to_string(), options, config).await?;
        let rate = timed_bulk_append(&store, size, batch).await?;
        drop(store);
        std::fs::remove_file(&path)?;
        match tree {
            TreeMaintenance::Incremental => incremental += rate / 2.0,
            _ => deferred += rate / 2.0,
        }
    }
    Ok((incremental, deferred))
}

/// Appends `events` in transactions of `batch`, two in flight, as an import would keep them:
/// while the writer commits one, the next is built and validated. Building the requests is
/// timed too (the raw loop's rows are not), so the ratio slightly favours the baseline.
async fn timed_bulk_append(store: &SqliteEventStore, events: u64, batch: u64) -> Result<f64, BenchError> {
    let started = Instant::now();
    let batches = (0..events.div_ceil(batch)).map(|index| {
        let first = index * batch;
        store.append_batch(bulk_requests(first, batch.min(events - first)))
    });
    let mut committed = futures_util::stream::iter(batches).buffered(2);
    while let Some(results) = committed.next().await {
        results?.into_iter().collect::<Result<Vec<_>, _>>()?;
    }
    Ok(rate(events, started.elapsed()))
}

/// Commands per second through the command service, one at a time and from 16 clients.
struct CommandFigures {
    sequential: f64,
    concurrent: f64,
}

/// A command that opens a new stream (a national request for support), as the CLI would send it.
fn request_command(n: u64) -> Result<smes_app::CommandLine, BenchError> {
    let line = format!(
        concat!(
            r#"{{"kind":"receive-request","request":"{}","#,
            r#""from":{{"party":"member-state","member_state":"GY"}},"thematic_area":"financing","#,
            r#""description":"Support for a national SME guarantee fund, request {}","received_on":"2013-02-01"}}"#
        ),
        uuid::Uuid::from_u128(0x5e1a_0000_0000_4000_8000_0000_0000_0000 | u128::from(n)),
        n
    );
    smes_app::CommandLine::parse(&line).map_err(BenchError::Command)
}

async fn command_service(path: &std::path::Path, commands: u64) -> Result<CommandFigures, BenchError> {
    use smes_app::{App, CommandContext, CommandService, InMemoryKeyStore, OsRandom, Sealer, Source};
    use std::sync::Arc;
    let options = StoreOptions {
        create: true,
        ..StoreOptions::default()
    };
    let store = SqliteEventStore::open(&path.display().to_string(), options).await?;
    let service = CommandService::new(
        Arc::new(store),
        Arc::new(smes_eventlog::SystemClock),
        Arc::new(smes_eventlog::RandomIds::default()),
    );
    let sealer = Arc::new(Sealer::new(
        Arc::new(InMemoryKeyStore::new(OsRandom)),
        Arc::new(OsRandom),
    ));
    let app = Arc::new(App::new(service, sealer));
    let context = |n: u64| CommandContext {
        command_id: Some(uuid::Uuid::from_u128(u128::from(n) + 1)),
        ..CommandContext::new("actor-bench", "secretariat", Source::Cli)
    };
    // A request names its Member State, which must be one on the date received: the membership
    // history goes in first, outside the timing; each command then reads it (timed).
    smes_app::membership::load(&app, &CommandContext::new("actor-bench", "secretariat", Source::Cli)).await?;

    let half = commands / 2;
    let started = Instant::now();
    for n in 0..half {
        app.run(&context(n), &request_command(n)?.command).await?;
    }
    let sequential = rate(half, started.elapsed());

    let clients = 16u64;
    let per_client = (commands - half).div_ceil(clients);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let app = Arc::clone(&app);
        tasks.push(tokio::spawn(async move {
            for k in 0..per_client {
                let n = half + client * per_client + k;
                app.run(&context(n), &request_command(n)?.command).await?;
            }
            Ok::<(), BenchError>(())
        }));
    }
    for task in tasks {
        task.await
            .map_err(|error| BenchError::Io(std::io::Error::other(error)))??;
    }
    let concurrent = rate(per_client * clients, started.elapsed());
    Ok(CommandFigures { sequential, concurrent })
}

/// How many 4 KiB write-and-fdatasync rounds per second the disk takes: the ceiling of one
/// durable commit at a time.
fn raw_fsync_rate(path: &std::path::Path, rounds: u64) -> Result<f64, BenchError> {
    use std::io::{Seek, Write};
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(path)?;
    let block = [0x5a_u8; 4096];
    let started = Instant::now();
    for _ in 0..rounds {
        file.seek(std::io::SeekFrom::Start(0))?;
        file.write_all(&block)?;
        file.sync_data()?;
    }
    Ok(rate(rounds, started.elapsed()))
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

async fn open_store(path: &std::path::Path) -> Result<SqliteEventStore, BenchError> {
    let options = StoreOptions {
        create: true,
        ..StoreOptions::default()
    };
    Ok(SqliteEventStore::open(&path.display().to_string(), options).await?)
}

const OCCURRED_AT: Timestamp = Timestamp::constant(1_364_774_400, 0); // 2013-04-01

/// A payload of about 300 bytes, shaped like a proposed activity.
fn payload(n: u64) -> String {
    format!(
        concat!(
            r#"{{"activity_id":"00000000-0000-4000-8000-{:012x}","kind":"seminar","#,
            r#""title":"Seminar on SME guarantee systems, session {}","#,
            r#""thematic_area":"financing","host":"PE","planned":{{"start":"2013-04-01","end":"2013-04-03"}},"#,
            r#""estimated_cost":{{"amount":"12500.00","currency":"USD"}},"#,
            r#""needs":["00000000-0000-4000-9000-{:012x}"]}}"#
        ),
        n,
        n,
        n % 977
    )
}

fn metadata() -> Metadata {
    Metadata::new("actor-0001", "secretariat", "bench")
}

/// A bulk transaction: 100 appends to 100 different streams.
fn bulk_requests(first: u64, size: u64) -> Vec<AppendRequest> {
    let appends = 100u64.min(size);
    let per_append = size / appends;
    let mut remainder = size % appends;
    let mut next = first;
    (0..appends)
        .map(|index| {
            let count = per_append + u64::from(remainder > 0);
            remainder = remainder.saturating_sub(1);
            let stream = StreamName::new(format!("activity-{}", (first / 100 + index) % 10_000)).expect("valid");
            let events = (next..next + count)
                .map(|n| NewEvent::new("ActivityProposed", 1, payload(n), OCCURRED_AT))
                .collect();
            next += count;
            AppendRequest::new(stream, ExpectedVersion::Any, events, metadata())
        })
        .collect()
}

fn single_request(n: u64) -> AppendRequest {
    let stream = StreamName::new(format!("activity-{}", n % 100)).expect("valid");
    AppendRequest::new(
        stream,
        ExpectedVersion::Any,
        vec![NewEvent::new("ActivityProposed", 1, payload(n), OCCURRED_AT)],
        metadata(),
    )
}

/// The rows a store wrote, in pages, for the raw baselines.
struct RowPages {
    source: Connection,
    next: i64,
    page: i64,
}

type Row = (i64, String, i64, String, i64, i64, String, Vec<u8>);

impl RowPages {
    fn open(path: &std::path::Path, page: u64) -> Result<Self, BenchError> {
        let source = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(RowPages {
            source,
            next: 1,
            page: page as i64,
        })
    }

    fn next_page(&mut self) -> Result<Vec<Row>, BenchError> {
        let mut statement = self.source.prepare_cached(
            "SELECT position, stream, version, event_type, occurred_at, recorded_at, record, hash \
             FROM events WHERE position >= ?1 ORDER BY position LIMIT ?2",
        )?;
        let rows = statement
            .query_map(params![self.next, self.page], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                ))
            })?
            .collect::<Result<Vec<Row>, _>>()?;
        if let Some(last) = rows.last() {
            self.next = last.0 + 1;
        }
        Ok(rows)
    }
}

/// A fresh database with the store's schema, opened raw with the store's durability settings.
fn raw_target(path: &std::path::Path) -> Result<Connection, BenchError> {
    let connection = Connection::open(path)?;
    connection.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE events (
             position INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL,
             event_type TEXT NOT NULL, occurred_at INTEGER NOT NULL, recorded_at INTEGER NOT NULL,
             record TEXT NOT NULL, hash BLOB NOT NULL CHECK (length(hash) = 32),
             UNIQUE (stream, version)) STRICT;
         CREATE INDEX events_by_stream_and_business_time ON events (stream, occurred_at);",
    )?;
    Ok(connection)
}

fn insert_rows(target: &Connection, rows: &[Row]) -> Result<(), BenchError> {
    let mut insert = target.prepare_cached(
        "INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for row in rows {
        insert.execute(params![row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7])?;
    }
    Ok(())
}

/// Inserts the store's rows into a fresh database, `batch` rows per transaction; only the
/// inserts are timed.
fn raw_bulk_insert(source: &std::path::Path, target: &std::path::Path, batch: u64) -> Result<f64, BenchError> {
    let mut pages = RowPages::open(source, batch)?;
    let mut target = raw_target(target)?;
    let mut elapsed = Duration::ZERO;
    let mut count = 0u64;
    loop {
        let rows = pages.next_page()?;
        if rows.is_empty() {
            break;
        }
        let started = Instant::now();
        let transaction = target.transaction()?;
        insert_rows(&transaction, &rows)?;
        transaction.commit()?;
        elapsed += started.elapsed();
        count += rows.len() as u64;
    }
    Ok(rate(count, elapsed))
}

/// Inserts the store's single-append rows one per transaction.
fn raw_single_inserts(source: &std::path::Path, target: &std::path::Path) -> Result<f64, BenchError> {
    let rows = RowPages::open(source, u64::MAX >> 2)?.next_page()?;
    let mut target = raw_target(target)?;
    let started = Instant::now();
    for row in &rows {
        let transaction = target.transaction()?;
        insert_rows(&transaction, std::slice::from_ref(row))?;
        transaction.commit()?;
    }
    Ok(rate(rows.len() as u64, started.elapsed()))
}

/// Scans every record and decodes it, with no store in between: the ceiling for reads.
fn raw_scan_decode(path: &std::path::Path) -> Result<f64, BenchError> {
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let started = Instant::now();
    let mut statement = connection.prepare("SELECT position, record, hash FROM events ORDER BY position")?;
    let mut rows = statement.query([])?;
    let mut count = 0u64;
    while let Some(row) = rows.next()? {
        let record = EventRecord::decode(row.get_ref(1)?.as_str()?)?;
        std::hint::black_box((&record, row.get_ref(2)?.as_blob()?));
        count += 1;
    }
    Ok(rate(count, started.elapsed()))
}

/// The same scan through sqlx's row stream, each row decoded the same way.
async fn sqlx_row_loop(path: &std::path::Path) -> Result<f64, BenchError> {
    use sqlx::{ConnectOptions, Row as _};
    let mut connection = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await?;
    let started = Instant::now();
    let mut rows = sqlx::query("SELECT position, record, hash FROM events ORDER BY position").fetch(&mut connection);
    let mut count = 0u64;
    while let Some(row) = rows.try_next().await? {
        let record: &str = row.try_get(1)?;
        let hash: &[u8] = row.try_get(2)?;
        std::hint::black_box((EventRecord::decode(record)?, hash));
        count += 1;
    }
    Ok(rate(count, started.elapsed()))
}

/// Resets the kernel's record of this process's peak resident memory (Linux only).
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident memory since the last reset, in MiB (Linux only).
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_about_300_bytes() {
        let size = payload(123_456).len();
        assert!((280..=340).contains(&size), "{size}");
        serde_json::from_str::<serde_json::Value>(&payload(1)).unwrap();
    }

    #[test]
    fn bulk_requests_cover_every_event_once() {
        let requests = bulk_requests(500, 1_234);
        let total: usize = requests.iter().map(|request| request.events.len()).sum();
        assert_eq!(total, 1_234);
        assert_eq!(requests.len(), 100);
    }

    #[tokio::test]
    async fn the_command_service_figures_come_from_commands_that_commit() {
        let dir = tempfile::tempdir().unwrap();
        let figures = command_service(&dir.path().join("commands.db"), 32).await.unwrap();
        assert!(figures.sequential > 0.0 && figures.concurrent > 0.0);
    }

    #[test]
    fn figures_are_grouped() {
        assert_eq!(format_figure(1_234_567.4), "1,234,567");
        assert_eq!(format_figure(2.5), "2.50");
    }
}
