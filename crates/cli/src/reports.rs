//! `smes snapshot`, `smes trace` and `smes diff`: the reports of `smes-reports`, written to
//! standard output or a file.
//!
//! Option values are taken as text and checked by `smes-reports`, so a bad year, area, country,
//! status, date or format is an error naming the option and what is allowed (exit code 1).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use smes_eventlog::EventStore;
use smes_projections::Cut;
use smes_read::{read_log, report};
use smes_reports::options::{self, parse_cut, parse_year};
use smes_reports::{Filter, Format, Point, diff, snapshot, trace};

/// The options every report shares: the cut and where to write.
#[derive(Debug, Args)]
pub struct CutArgs {
    /// As of the end of this business date (YYYY-MM-DD).
    #[arg(long)]
    pub(crate) as_of: Option<String>,
    /// As known at this record time (RFC 3339, such as 2013-06-30T12:00:00Z).
    #[arg(long)]
    pub(crate) known_at: Option<String>,
    /// At this log position.
    #[arg(long)]
    pub(crate) at_position: Option<String>,
}

impl CutArgs {
    /// The cut these options name.
    pub(crate) fn cut(&self) -> Result<Cut> {
        Ok(parse_cut(
            self.as_of.as_deref(),
            self.known_at.as_deref(),
            self.at_position.as_deref(),
        )?)
    }
}

/// `smes snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The work programme's year.
    #[arg(long)]
    year: String,
    #[command(flatten)]
    cut: CutArgs,
    /// Only activities in these thematic areas (slug or number; repeat or separate with commas).
    #[arg(long)]
    area: Vec<String>,
    /// Only activities hosted by these Member States (ISO codes; repeat or separate with commas).
    #[arg(long)]
    country: Vec<String>,
    /// Only activities with these statuses (approved, held, cancelled, ...).
    #[arg(long)]
    status: Vec<String>,
    /// md, json, csv or html.
    #[arg(long, default_value = "md")]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `smes trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// activity, need, counterpart or decision.
    kind: String,
    /// The id (a UUID), or a decision's document reference.
    id: String,
    #[command(flatten)]
    cut: CutArgs,
    /// md, json, dot or prov-json (W3C PROV-JSON).
    #[arg(long, default_value = "md")]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `smes diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier point: a business date (2013-06-30), a record time
    /// (known:2013-06-30T12:00:00Z) or a log position (position:42).
    #[arg(long)]
    from: String,
    /// The later point, in the same forms.
    #[arg(long)]
    to: String,
    /// Only this work programme's year.
    #[arg(long)]
    year: Option<String>,
    /// md or json.
    #[arg(long, default_value = "md")]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `smes snapshot`.
pub async fn snapshot(store: &dyn EventStore, page: usize, args: SnapshotArgs) -> Result<()> {
    let format = Format::parse(&args.format, &snapshot::FORMATS)?;
    let year = parse_year(&args.year)?;
    let cut = args.cut.cut()?;
    let filter = Filter::parse(&args.area, &args.country, &args.status)?;
    let report = report::snapshot(store, page, &snapshot::SnapshotRequest { year, cut, filter }).await?;
    write(args.out, &report.render(format)?)
}

/// Runs `smes trace`.
pub async fn trace(store: &dyn EventStore, page: usize, args: TraceArgs) -> Result<()> {
    if args.format == crate::export::PROV_JSON {
        let cut = [&args.cut.as_of, &args.cut.known_at, &args.cut.at_position].map(|value| value.as_deref());
        return crate::export::trace_prov(store, &args.kind, &args.id, cut, args.out).await;
    }
    let format = Format::parse(&args.format, &trace::FORMATS).map_err(|_| {
        anyhow::anyhow!(
            "--format: {:?} is not allowed; expected one of md, json, dot, prov-json",
            args.format
        )
    })?;
    let subject = trace::parse_subject(&args.kind, &args.id)?;
    let cut = args.cut.cut()?;
    let report = report::trace(store, page, subject, &cut).await?;
    write(args.out, &report.render(format)?)
}

/// Runs `smes diff`.
pub async fn diff(store: &dyn EventStore, args: DiffArgs) -> Result<()> {
    let format = Format::parse(&args.format, &diff::FORMATS)?;
    let from = Point::parse("--from", &args.from)?;
    let to = Point::parse("--to", &args.to)?;
    let year = args.year.as_deref().map(options::parse_year).transpose()?;
    let log = read_log(store, None, None).await?;
    let report = diff::build(&log, from, to, year)?;
    write(args.out, &report.render(format)?)
}

/// Writes `text` to the file `out`, or to standard output.
pub(crate) fn write(out: Option<PathBuf>, text: &str) -> Result<()> {
    match out {
        Some(path) => std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display())),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
