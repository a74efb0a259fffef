//! `smes export`: the record for the cooperation ecosystem (IATI 2.03 activity and organisation
//! XML, the indicator table, the raw events), and the PROV-JSON form of `smes trace`.
//!
//! Option values are taken as text and checked by the libraries, so a bad year, area, country,
//! date, identifier or format is an error naming the option and what is allowed (exit code 1).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use smes_eventlog::EventStore;
use smes_exports::iati::{self, DEFAULT_REPORTING_ORG_REF, IatiOptions};
use smes_exports::indicators::{self, IndicatorOptions, TableFormat};
use smes_read::read_log;
use smes_reports::options::{parse_cut, parse_year};
use smes_reports::{Filter, trace};

use crate::reports::{CutArgs, write};

/// The format name that `smes trace` hands to this module.
pub const PROV_JSON: &str = "prov-json";

/// `smes export ...`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A year's work programme as IATI 2.03 activity XML (one iati-activity per activity).
    Iati(IatiArgs),
    /// The programme as an IATI 2.03 organisation file, with the year's total budget.
    IatiOrganisation(IatiArgs),
    /// Indicators and results, one row per activity, indicator, period and disaggregation.
    Indicators(IndicatorArgs),
    /// The raw event log, one JSON object per event.
    Events(EventArgs),
}

/// `smes export iati` and `smes export iati-organisation`.
#[derive(Debug, Args)]
pub struct IatiArgs {
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
    /// SELA's IATI organisation identifier; activity identifiers start with it.
    #[arg(long, env = "SMES_IATI_REPORTING_ORG_REF", default_value = DEFAULT_REPORTING_ORG_REF)]
    reporting_org_ref: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `smes export indicators`.
#[derive(Debug, Args)]
pub struct IndicatorArgs {
    /// Only this work programme's year (every year when left out).
    #[arg(long)]
    year: Option<String>,
    #[command(flatten)]
    cut: CutArgs,
    /// Only activities in these thematic areas (slug or number; repeat or separate with commas).
    #[arg(long)]
    area: Vec<String>,
    /// Only activities hosted by these Member States (ISO codes; repeat or separate with commas).
    #[arg(long)]
    country: Vec<String>,
    /// csv or json.
    #[arg(long, default_value = "csv")]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `smes export events`.
#[derive(Debug, Args)]
pub struct EventArgs {
    /// jsonl.
    #[arg(long, default_value = "jsonl")]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `smes export ...`.
pub async fn run(store: &dyn EventStore, command: ExportCommand) -> Result<()> {
    match command {
        ExportCommand::Iati(args) => {
            let (options, out) = iati_options(args)?;
            let log = read_log(store, options.cut.known_at, options.cut.at_position).await?;
            write(out, &iati::activities(&log, &options)?)
        }
        ExportCommand::IatiOrganisation(args) => {
            let (options, out) = iati_options(args)?;
            let log = read_log(store, options.cut.known_at, options.cut.at_position).await?;
            write(out, &iati::organisation(&log, &options)?)
        }
        ExportCommand::Indicators(args) => {
            let format = TableFormat::parse(&args.format)?;
            let options = IndicatorOptions {
                year: args.year.as_deref().map(parse_year).transpose()?,
                cut: args.cut.cut()?,
                filter: Filter::parse(&args.area, &args.country, &[])?,
            };
            let log = read_log(store, options.cut.known_at, options.cut.at_position).await?;
            let rows = indicators::rows(&log, &options)?;
            write(args.out, &indicators::render(&rows, format)?)
        }
        ExportCommand::Events(args) => {
            smes_exports::events::parse_format(&args.format)?;
            match args.out {
                Some(path) => {
                    let file =
                        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
                    let mut out = BufWriter::new(file);
                    smes_read::events::write_all(store, &mut out).await?;
                    out.flush()
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut out = BufWriter::new(stdout.lock());
                    smes_read::events::write_all(store, &mut out).await?;
                    out.flush()?;
                }
            }
            Ok(())
        }
    }
}

/// `smes trace KIND ID --format prov-json`.
pub async fn trace_prov(
    store: &dyn EventStore,
    kind: &str,
    id: &str,
    cut_args: [Option<&str>; 3],
    out: Option<PathBuf>,
) -> Result<()> {
    let subject = trace::parse_subject(kind, id)?;
    let [as_of, known_at, at_position] = cut_args;
    let cut = parse_cut(as_of, known_at, at_position)?;
    let log = read_log(store, cut.known_at, cut.at_position).await?;
    write(out, &smes_exports::prov::document(&log, subject, &cut)?)
}

fn iati_options(args: IatiArgs) -> Result<(IatiOptions, Option<PathBuf>)> {
    let options = IatiOptions {
        year: parse_year(&args.year)?,
        cut: args.cut.cut()?,
        filter: Filter::parse(&args.area, &args.country, &[])?,
        reporting_org_ref: iati::parse_reporting_org_ref(&args.reporting_org_ref)?,
    };
    Ok((options, args.out))
}
