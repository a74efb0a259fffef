//! `smes`: the command-line tool of the SELA-SMEs Programme's record.
//!
//! A thin binary: it parses arguments, opens the event log, calls library code and prints.
//! Errors go to standard error with their whole cause chain and a non-zero exit code.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use serde::Serialize;
use smes_eventlog::{EventStore, Metadata, Payload, RecordedEvent, SqliteEventStore, StoreOptions, StreamName};

/// The record of the SELA-SMEs Programme, kept as an immutable, verifiable event log.
#[derive(Debug, Parser)]
#[command(name = "smes", version, about)]
struct Cli {
    /// The event log: `sqlite://PATH` (or a plain path).
    #[arg(long, global = true, env = "SMES_DATABASE_URL", default_value = "sqlite://smes.db")]
    database: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create an empty event log (does nothing to a log that exists).
    Init,
    /// Print events as JSON Lines.
    Log {
        /// Only this stream.
        #[arg(long)]
        stream: Option<String>,
        /// Start at this global position (or, with --stream, this stream version).
        #[arg(long, default_value_t = 1)]
        from: u64,
        /// Print at most this many events.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Walk the hash chain and report the first position that does not verify.
    Verify,
    /// Measure the event log's speed against raw SQLite on a temporary database.
    Bench(smes_bench::BenchArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Init => {
            let store = open(&cli.database, true).await?;
            let head = store.head().await?;
            println!(
                "event log ready at {} ({} events)",
                store.path().display(),
                head.position
            );
        }
        Command::Log { stream, from, limit } => {
            let store = open(&cli.database, false).await?;
            print_log(&store, stream, from, limit.unwrap_or(usize::MAX)).await?;
        }
        Command::Verify => {
            let store = open(&cli.database, false).await?;
            let verified = store.verify().await.context("the event log does not verify")?;
            println!(
                "verified {} events, head {}",
                verified.events,
                hex::encode(verified.head)
            );
        }
        Command::Bench(args) => {
            let report = smes_bench::run(&args).await?;
            print!("{report}");
        }
    }
    Ok(())
}

async fn open(database: &str, create: bool) -> Result<SqliteEventStore> {
    let options = StoreOptions {
        create,
        ..StoreOptions::default()
    };
    Ok(SqliteEventStore::open(database, options).await?)
}

/// One line of `smes log`.
#[derive(Serialize)]
struct LogLine<'a> {
    position: u64,
    stream: &'a str,
    version: u64,
    id: String,
    #[serde(rename = "type")]
    event_type: &'a str,
    schema_version: u32,
    payload: &'a Payload,
    metadata: &'a Metadata,
    occurred_at: String,
    recorded_at: String,
    prev_hash: String,
    hash: String,
}

fn write_line(out: &mut impl Write, event: &RecordedEvent) -> Result<()> {
    let line = LogLine {
        position: event.position,
        stream: &event.stream,
        version: event.version,
        id: event.event_id.to_string(),
        event_type: &event.event_type,
        schema_version: event.schema_version,
        payload: &event.payload,
        metadata: &event.metadata,
        occurred_at: event.occurred_at.to_string(),
        recorded_at: event.recorded_at.to_string(),
        prev_hash: hex::encode(event.prev_hash),
        hash: hex::encode(event.hash),
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")?;
    Ok(())
}

async fn print_log(store: &SqliteEventStore, stream: Option<String>, from: u64, limit: usize) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut printed = 0usize;
    let mut next = from.max(1);
    let stream = stream.map(StreamName::new).transpose()?;
    while printed < limit {
        let page_size = (limit - printed).min(smes_eventlog::DEFAULT_PAGE_SIZE);
        let page = match &stream {
            Some(stream) => store.read_stream(stream, next, page_size).await?,
            None => store.read_all(next, page_size).await?,
        };
        let Some(last) = page.last() else { break };
        next = if stream.is_some() {
            last.version + 1
        } else {
            last.position + 1
        };
        for event in &page {
            write_line(&mut out, event)?;
        }
        printed += page.len();
    }
    out.flush()?;
    Ok(())
}
