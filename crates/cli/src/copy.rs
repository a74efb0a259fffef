//! `smes copy`: moves a whole log to another database (SQLite or PostgreSQL, either way),
//! with its positions, record times and hashes, its command ids, its key store and its stored
//! checkpoints, and verifies the target.
//!
//! The target must be empty or hold a prefix of the source (an earlier copy): then the copy
//! resumes after it. Each batch is one transaction on the target, checked against its head,
//! so an interrupted copy leaves a valid prefix and running it again finishes it.

use std::collections::HashSet;
use std::fmt;
use std::io::IsTerminal as _;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use smes_app::database::without_password;
use smes_app::{Database, OsRandom};
use smes_eventlog::{RandomIds, StoreOptions, StreamName};

/// `smes copy`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The log to copy: a SQLite path, `sqlite://` or `postgres://` URL.
    #[arg(long)]
    from: String,
    /// Where to copy it: an empty log (created if missing) or an earlier copy of the same log.
    #[arg(long)]
    to: String,
    /// Events per transaction on the target.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    batch: u64,
}

/// What a copy did.
#[derive(Debug)]
pub struct Copied {
    from: String,
    to: String,
    first: u64,
    last: u64,
    commands: usize,
    keys: usize,
    forgotten: usize,
    actors: usize,
    checkpoints: usize,
    head: String,
}

impl fmt::Display for Copied {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first > self.last {
            writeln!(
                out,
                "{} already holds all {} events of {}",
                self.to, self.last, self.from
            )?;
        } else {
            writeln!(
                out,
                "copied events {} to {} from {} to {}, with {} command ids",
                self.first, self.last, self.from, self.to, self.commands
            )?;
        }
        writeln!(
            out,
            "key store: {} keys and {} actors' names copied, {} keys forgotten since an earlier copy",
            self.keys, self.actors, self.forgotten
        )?;
        writeln!(out, "checkpoints: {} kept with the log", self.checkpoints)?;
        writeln!(out, "verified {} events on the target, head {}", self.last, self.head)
    }
}

/// Runs `smes copy`.
pub async fn run(args: CopyArgs) -> Result<Copied> {
    let from_name = without_password(&args.from);
    let to_name = without_password(&args.to);
    if args.from == args.to {
        bail!("--from and --to name the same log ({from_name})");
    }
    let options = |create| StoreOptions {
        create,
        ids: Arc::new(RandomIds::default()),
        ..StoreOptions::default()
    };
    let source = Database::open(&args.from, options(false))
        .await
        .with_context(|| format!("cannot open the log to copy, {from_name}"))?;
    let target = Database::open(&args.to, options(true))
        .await
        .with_context(|| format!("cannot open the target, {to_name}"))?;
    let (source_events, target_events) = (source.events(), target.events());
    // The copy stops at the head the source has now; events appended meanwhile wait for the
    // next run.
    let end = source_events.head().await?;
    let start = target_events.head().await?;
    if start.position > end.position {
        bail!(
            "{to_name} holds {} events but {from_name} only {}: it is not a copy of this log",
            start.position,
            end.position
        );
    }
    if start.position > 0 {
        let theirs = source_events.read_raw(start.position, 1).await?;
        if theirs.first().map(|record| record.hash) != Some(start.hash) {
            bail!(
                "{to_name} holds a different log: its event {} is not {from_name}'s",
                start.position
            );
        }
    }

    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(end.position - start.position);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} events {per_sec} {eta}") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut next = start.position + 1;
    let mut commands = 0;
    while next <= end.position {
        let limit = (end.position - next + 1).min(args.batch);
        let records = source_events.read_raw(next, usize::try_from(limit)?).await?;
        let Some(last) = records.last().map(|record| record.position) else {
            bail!("{from_name} ended at event {} while it was being copied", next - 1);
        };
        let entries = source_events.read_commands(next, last).await?;
        commands += entries.len();
        let count = records.len() as u64;
        target_events
            .append_raw(records, entries)
            .await
            .with_context(|| format!("copying events {next} to {last} into {to_name}"))?;
        progress.inc(count);
        next = last + 1;
    }
    progress.finish_and_clear();

    // The key store goes with the log: every key and actor's name, and the forgetting of keys
    // the source destroyed since an earlier copy (a key the target holds that the source does
    // not, for a person whose erasure the log records).
    let source_keys = source.open_keys(Arc::new(OsRandom)).await?;
    let target_keys = target.open_keys(Arc::new(OsRandom)).await?;
    let contents = source_keys.export().await?;
    for (person, key) in &contents.keys {
        target_keys
            .adopt_key(*person, key)
            .await
            .with_context(|| format!("copying the key of person {person}"))?;
    }
    for (actor, name) in &contents.actors {
        target_keys.record_actor(actor, name).await?;
    }
    let kept: HashSet<_> = contents.keys.iter().map(|(person, _)| *person).collect();
    let mut forgotten = 0;
    for (person, _) in target_keys.export().await?.keys {
        if kept.contains(&person) {
            continue;
        }
        let erasure = StreamName::new(format!("erasure-{person}"))?;
        if !source_events.read_stream(&erasure, 1, 1).await?.is_empty() && target_keys.forget(person).await? {
            forgotten += 1;
        }
    }

    let checkpoints = source.checkpoints().await?;
    for checkpoint in &checkpoints {
        target.keep_checkpoint(checkpoint).await?;
    }

    let verified = target_events
        .verify()
        .await
        .with_context(|| format!("the copy in {to_name} does not verify"))?;
    if verified.events != end.position || verified.head != end.hash {
        bail!(
            "the copy in {to_name} ends at event {} but {from_name} at {}",
            verified.events,
            end.position
        );
    }
    Ok(Copied {
        from: from_name,
        to: to_name,
        first: start.position + 1,
        last: end.position,
        commands,
        keys: contents.keys.len(),
        forgotten,
        actors: contents.actors.len(),
        checkpoints: checkpoints.len(),
        head: hex::encode(verified.head),
    })
}
