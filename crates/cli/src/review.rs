//! `smes review`: the programme review pack of a period (`--from`, `--to`), and, as
//! subcommands, the programme review aggregate's commands (`open`, `record-findings`, `close`).
//!
//! Both live under one word because a reader asks for "the review" either way; clap keeps them
//! apart: a subcommand runs the domain command, the options alone make the pack.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use smes_eventlog::{EventStore, RandomIds};
use smes_read::read_log;
use smes_reports::Format;
use smes_reports::review::{self, ReviewRequest};

use crate::commands::{DomainCommand, ReviewCommand};
use crate::wiring::{self, Actor};

/// `smes review`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReviewArgs {
    #[command(subcommand)]
    command: Option<ReviewCommand>,
    /// The first day of the period reviewed (YYYY-MM-DD).
    #[arg(long, required = true)]
    from: Option<String>,
    /// The last day of the period reviewed (YYYY-MM-DD), not before --from.
    #[arg(long, required = true)]
    to: Option<String>,
    /// Only what was recorded at or before this time (RFC 3339, such as 2014-01-31T12:00:00Z).
    #[arg(long)]
    known_at: Option<String>,
    /// Only the log up to this position.
    #[arg(long)]
    at_position: Option<String>,
    /// md, html or json.
    #[arg(long, default_value = "md")]
    format: String,
    /// Write the pack into this directory (created if missing): review.md with its charts as
    /// charts/*.svg, review.html with the charts inline, or review.json.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `smes review`: a review command, or the review pack.
pub async fn run(database: &str, actor: &Actor, args: ReviewArgs) -> Result<()> {
    if let Some(command) = args.command {
        let (app, _keys) = wiring::open_app(database, false, Arc::new(RandomIds::default())).await?;
        print!("{}", DomainCommand::Review(command).run(&app, actor).await?);
        return Ok(());
    }
    let format = Format::parse(&args.format, &review::FORMATS)?;
    let request = ReviewRequest::parse(
        args.from.as_deref().unwrap_or_default(),
        args.to.as_deref().unwrap_or_default(),
        args.known_at.as_deref(),
        args.at_position.as_deref(),
    )?;
    let store = wiring::open_store(database, false).await?;
    pack(store.events(), &request, format, args.out).await
}

async fn pack(store: &dyn EventStore, request: &ReviewRequest, format: Format, out: Option<PathBuf>) -> Result<()> {
    let log = read_log(store, request.known_at, request.at_position).await?;
    let pack = review::build(&log, request)?;
    let Some(directory) = out else {
        print!("{}", pack.render(format)?);
        return Ok(());
    };
    for file in pack.files(format)? {
        let path = directory.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, &file.text).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
