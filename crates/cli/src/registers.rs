//! `smes needs`, `smes counterparts` and `smes evaluation-history`: the registers of
//! `smes-reports` under a cut, as JSON (the same bytes as the API's `GET /api/needs`,
//! `/api/counterparts` and `/api/evaluation-history`), to standard output or a file.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use smes_eventlog::EventStore;
use smes_read::read_log;
use smes_reports::registers::counterparts::{self, DirectoryFilter, DirectoryRequest};
use smes_reports::registers::history;
use smes_reports::registers::needs::{self, NeedsFilter, NeedsRequest};

use crate::reports::{CutArgs, write};

/// `smes needs`.
#[derive(Debug, Args)]
pub struct NeedsArgs {
    #[command(flatten)]
    cut: CutArgs,
    /// Only needs of these thematic areas (slug or number; repeat or separate with commas).
    #[arg(long)]
    area: Vec<String>,
    /// Only needs concerning these Member States (ISO codes; repeat or separate with commas).
    #[arg(long)]
    country: Vec<String>,
    /// Only needs with these statuses: answered, open, unanswered.
    #[arg(long)]
    status: Vec<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `smes counterparts`.
#[derive(Debug, Args)]
pub struct CounterpartsArgs {
    #[command(flatten)]
    cut: CutArgs,
    /// Only counterparts working in these thematic areas (slug or number).
    #[arg(long)]
    area: Vec<String>,
    /// Only national counterparts of these Member States, and only their histories (ISO codes).
    #[arg(long)]
    country: Vec<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `smes evaluation-history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    cut: CutArgs,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `smes needs`.
pub async fn needs(store: &dyn EventStore, args: NeedsArgs) -> Result<()> {
    let cut = args.cut.cut()?;
    let filter = NeedsFilter::parse(&args.area, &args.country, &args.status)?;
    let log = read_log(store, cut.known_at, cut.at_position).await?;
    let report = needs::build(&log, &NeedsRequest { cut, filter })?;
    write(args.out, &report.to_json()?)
}

/// Runs `smes counterparts`.
pub async fn counterparts(store: &dyn EventStore, args: CounterpartsArgs) -> Result<()> {
    let cut = args.cut.cut()?;
    let filter = DirectoryFilter::parse(&args.area, &args.country)?;
    let log = read_log(store, cut.known_at, cut.at_position).await?;
    let report = counterparts::build(&log, &DirectoryRequest { cut, filter })?;
    write(args.out, &report.to_json()?)
}

/// Runs `smes evaluation-history`.
pub async fn history(store: &dyn EventStore, args: HistoryArgs) -> Result<()> {
    let cut = args.cut.cut()?;
    let log = read_log(store, cut.known_at, cut.at_position).await?;
    let report = history::build(&log, &cut)?;
    write(args.out, &report.to_json()?)
}
