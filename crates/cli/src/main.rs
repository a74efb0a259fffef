//! `smes`: the command-line tool of the SELA-SMEs Programme's record.
//!
//! A thin binary: it parses arguments, opens the event log, calls library code and prints.
//! Errors go to standard error with their whole cause chain and a non-zero exit code. It is
//! the only crate that installs a log subscriber ([`logging`]): the libraries emit events.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command prints its output and its final error; diagnostics go through tracing"
)]

mod audit;
mod commands;
mod copy;
mod demo;
mod export;
mod flags;
mod forget;
mod history;
mod import;
mod keeper;
mod logging;
mod personal_keys;
mod project;
mod publish;
mod rebuild;
mod registers;
mod reports;
mod review;
mod serve;
mod wiring;

use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use clap::{Parser, Subcommand};
use serde::Serialize;
use smes_app::Database;
use smes_eventlog::{EventStore, Metadata, Payload, RandomIds, RecordedEvent, StreamName};

/// The record of the SELA-SMEs Programme, kept as an immutable, verifiable event log.
#[derive(Debug, Parser)]
#[command(name = "smes", version, about)]
struct Cli {
    /// The event log: `sqlite://PATH` (or a plain path), or a `postgres://` URL. The help
    /// never shows the variable's value, which may hold a password.
    #[arg(
        long,
        global = true,
        env = "SMES_DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://smes.db"
    )]
    database: String,

    /// How many events each transaction of the link index covers when reports catch it up and
    /// when `smes rebuild` builds it.
    #[arg(long, global = true, env = "SMES_INDEX_PAGE", default_value_t = smes_read::index::PAGE)]
    index_page: usize,

    /// Who runs the command: a pseudonymous actor id, never a name.
    #[arg(long, global = true, env = "SMES_ACTOR", default_value = "actor-cli")]
    actor: String,

    /// The actor's role.
    #[arg(long, global = true, env = "SMES_ROLE", default_value = "secretariat")]
    role: String,

    /// Log more to standard error: -v what the programme does (requests answered, checkpoints
    /// kept, the link index caught up), -vv its detail. Without it, warnings and errors only;
    /// RUST_LOG, when set, chooses instead (such as RUST_LOG=smes=debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

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
        #[arg(long, default_value_t = 1, value_parser = flags::number::<u64>)]
        from: u64,
        /// Print at most this many events.
        #[arg(long, value_parser = flags::number::<usize>)]
        limit: Option<usize>,
    },
    /// Walk the hash chain and report the first position that does not verify: every column
    /// against its record, the stored Merkle tree, and the signed checkpoints kept with the log
    /// or given with --checkpoint (docs/audit.md).
    Verify(audit::VerifyArgs),
    /// Write a sample of the programme's first year to a fresh log and print a summary.
    Demo,
    /// Show a stream's events readably, with who recorded each and why.
    History {
        /// The stream, such as `activity-<uuid>` or `work-programme-2013`.
        stream: String,
    },
    /// Apply a JSON Lines file of commands, one a line (docs/import.md); a bad line is
    /// reported and skipped, and importing a file again applies nothing twice.
    Import {
        /// The file.
        file: std::path::PathBuf,
    },
    /// Actors: register a person who records commands; prints the pseudonymous id to pass as
    /// `--actor` (the name is kept sealed in the key store, never in the log).
    #[command(subcommand)]
    Actor(ActorCommand),
    /// One subcommand per domain command: `smes counterpart join ...`, `smes activity approve ...`.
    #[command(flatten)]
    Domain(Box<commands::DomainCommand>),
    /// Personal-data keys: count those that nothing in the record names, and remove them.
    #[command(subcommand)]
    PersonalKeys(personal_keys::PersonalKeysCommand),
    /// Forget a person's personal data (a focal point or an actor): the erasure is recorded
    /// with who and why, the person's key is destroyed, and the log still verifies.
    #[command(subcommand)]
    Forget(forget::ForgetCommand),
    /// The checkpoint signing key: create it, or print its public key for auditors.
    #[command(subcommand)]
    Key(audit::KeyCommand),
    /// Print a signed checkpoint (origin, size, Merkle root) of the log.
    Checkpoint(audit::CheckpointArgs),
    /// Print an inclusion or consistency proof as JSON (docs/audit.md).
    #[command(subcommand)]
    Prove(audit::ProveCommand),
    /// Auditors' offline checks of checkpoints and proofs: no database needed.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Copy a whole log to another database (SQLite or PostgreSQL, either way) with its
    /// positions, times, hashes, command ids, key store and checkpoints; resumes an earlier copy.
    Copy(copy::CopyArgs),
    /// Build the link index the reports read through again from the whole log, beside the live
    /// one, and swap it in (a progress bar shows on a terminal). Reports catch it up by
    /// themselves; rebuild after changing how links are derived, or if a report says so.
    Rebuild {
        /// Check the live link index against the log instead of rebuilding it: exits with an
        /// error naming what differs.
        #[arg(long)]
        check: bool,
    },
    /// Keep the link index caught up as events arrive: a projection worker following the log.
    /// One worker at a time applies it, under a lease held for the worker's life; another
    /// waits and takes over when the holder stops or dies.
    Project {
        /// Catch the index up once and exit instead of following the log (does nothing when
        /// another worker holds the lease).
        #[arg(long)]
        once: bool,
        /// How long a waiting worker pauses before asking again for the lease, in milliseconds.
        #[arg(long, default_value_t = 1000)]
        lease_retry_ms: u64,
        #[command(flatten)]
        keep: keeper::KeepArgs,
    },
    /// The work programme of a year as a snapshot (md, json, csv or html), as of a business
    /// date, as known at a record time or at a log position.
    Snapshot(reports::SnapshotArgs),
    /// The decision trace of an activity, need, counterpart or decision (md, json or dot).
    Trace(reports::TraceArgs),
    /// What changed in the work programme between two points of the log (md or json).
    Diff(reports::DiffArgs),
    /// The needs register as JSON: each need answered, open or unanswered, and by which
    /// activities, under a cut.
    Needs(registers::NeedsArgs),
    /// The counterpart directory as JSON: organisations by Member State and thematic area, and
    /// the Member States' membership history, under a cut.
    Counterparts(registers::CounterpartsArgs),
    /// The evaluation history as JSON: consultations and programme reviews over time, their
    /// findings, and what became of each need raised, under a cut.
    EvaluationHistory(registers::HistoryArgs),
    /// The programme review pack of a period (md with SVG charts, html or json); with a
    /// subcommand, a programme review command: open, record-findings, close.
    Review(review::ReviewArgs),
    /// Publishing: record a published work-programme snapshot, or write the public
    /// dissemination site as static files.
    #[command(subcommand)]
    Publish(publish::PublishCommand),
    /// Exports for the cooperation ecosystem: IATI 2.03 XML, indicator tables, raw events.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Serve the HTTP API (docs/api.md) until stopped.
    Serve(serve::ServeArgs),
    /// Bearer tokens of the HTTP API: create (printed once), list, revoke.
    #[command(subcommand)]
    Token(serve::TokenCommand),
}

#[derive(Debug, Subcommand)]
enum ActorCommand {
    /// Register an actor by name.
    Register {
        /// The person's name.
        name: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(error) = logging::install(cli.verbose) {
        eprintln!("error: {error:#}");
        return ExitCode::FAILURE;
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let actor = wiring::Actor {
        actor: cli.actor.clone(),
        role: cli.role.clone(),
    };
    match cli.command {
        Command::Init => {
            let log = open(&cli.database, true).await?;
            let head = log.events().head().await?;
            println!("event log ready at {} ({} events)", log.describe(), head.position);
        }
        Command::Log { stream, from, limit } => {
            let log = open(&cli.database, false).await?;
            print_log(log.events(), stream, from, limit.unwrap_or(usize::MAX)).await?;
        }
        Command::Verify(args) => {
            let log = open(&cli.database, false).await?;
            audit::verify(&log, args).await?;
        }
        Command::Demo => {
            print!("{}", demo::run(&cli.database).await?);
        }
        Command::History { stream } => {
            let log = open(&cli.database, false).await?;
            let sealer = wiring::open_sealer(&log).await?;
            print!("{}", history::render(log.events(), &sealer, &stream).await?);
        }
        Command::Import { file } => {
            let (app, _keys) = wiring::open_app(&cli.database, false, Arc::new(RandomIds::default())).await?;
            let summary = import::run(&app, &actor, &file).await?;
            print!("{summary}");
            if let Some(stopped) = summary.stopped {
                anyhow::bail!(stopped);
            }
            if summary.failed > 0 {
                anyhow::bail!("{} of the lines of {} failed", summary.failed, file.display());
            }
        }
        Command::Domain(command) => {
            let (app, _keys) = wiring::open_app(&cli.database, false, Arc::new(RandomIds::default())).await?;
            print!("{}", command.run(&app, &actor).await?);
        }
        Command::Actor(ActorCommand::Register { name }) => {
            let (app, _keys) = wiring::open_app(&cli.database, false, Arc::new(RandomIds::default())).await?;
            let person = smes_app::personal_data::person_id(app.service().new_id())?;
            println!("{}", app.sealer().register_actor(person, &name).await?);
        }
        Command::PersonalKeys(command) => print!("{}", personal_keys::run(&cli.database, command).await?),
        Command::Forget(command) => {
            let (app, _keys) = wiring::open_app(&cli.database, false, Arc::new(RandomIds::default())).await?;
            print!("{}", forget::run(&app, &actor, command).await?);
        }
        Command::Key(command) => audit::key(command)?,
        Command::Checkpoint(args) => {
            let log = open(&cli.database, false).await?;
            audit::checkpoint(&log, args).await?;
        }
        Command::Prove(command) => {
            let log = open(&cli.database, false).await?;
            audit::prove(log.events(), command).await?;
        }
        Command::Audit(command) => audit::audit(command)?,
        Command::Copy(args) => print!("{}", copy::run(args).await?),
        Command::Rebuild { check } => {
            rebuild::run(open(&cli.database, false).await?.events(), cli.index_page, check).await?;
        }
        Command::Project {
            once,
            lease_retry_ms,
            keep,
        } => {
            let log = open(&cli.database, false).await?;
            let retry = std::time::Duration::from_millis(lease_retry_ms.max(1));
            let keeper = keeper::Keeper::new(&keep, log.events()).await?;
            let work = project::run(log.events(), cli.index_page, once, retry);
            match (once, keeper) {
                (true, Some(mut keeper)) => {
                    work.await?;
                    if let Some(size) = keeper.keep_if_due(log.events()).await? {
                        println!("signed checkpoint kept at tree size {size}");
                    }
                }
                (_, keeper) => keeper::alongside(keeper, log.events(), work).await?,
            }
        }
        Command::Snapshot(args) => {
            reports::snapshot(open(&cli.database, false).await?.events(), cli.index_page, args).await?;
        }
        Command::Trace(args) => {
            reports::trace(open(&cli.database, false).await?.events(), cli.index_page, args).await?
        }
        Command::Diff(args) => reports::diff(open(&cli.database, false).await?.events(), args).await?,
        Command::Needs(args) => registers::needs(open(&cli.database, false).await?.events(), args).await?,
        Command::Counterparts(args) => {
            registers::counterparts(open(&cli.database, false).await?.events(), args).await?
        }
        Command::EvaluationHistory(args) => {
            registers::history(open(&cli.database, false).await?.events(), args).await?
        }
        Command::Review(args) => review::run(&cli.database, &actor, args).await?,
        Command::Publish(command) => publish::run(&cli.database, cli.index_page, &actor, command).await?,
        Command::Export(command) => export::run(open(&cli.database, false).await?.events(), command).await?,
        Command::Serve(args) => serve::serve(&cli.database, cli.index_page, args).await?,
        Command::Token(command) => print!("{}", serve::token(&cli.database, command).await?),
    }
    Ok(())
}

async fn open(database: &str, create: bool) -> Result<Database> {
    wiring::open_store(database, create).await
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

async fn print_log(store: &dyn EventStore, stream: Option<String>, from: u64, limit: usize) -> Result<()> {
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
