//! `smes-bench`: the benchmark of the smes event log, a binary of its own so that the `smes`
//! binary carries neither the benchmark nor the simulator it measures the read side on.
//!
//! It parses the flags, runs [`smes_bench::run`] and prints the report; an error goes to
//! standard error with its whole cause chain and a non-zero exit code, as `smes` does.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "every line this binary prints is its output: results, where it kept files, errors"
)]

use std::error::Error;
use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Parser;

/// Measure the event log's speed against raw SQLite on a temporary database, and the read side
/// on a generated programme log (or, with --postgres, the log on a PostgreSQL server).
#[derive(Debug, Parser)]
#[command(name = "smes-bench", version)]
struct Cli {
    #[command(flatten)]
    args: smes_bench::BenchArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match smes_bench::run(&cli.args).await {
        Ok(report) => {
            print!("{report}");
            if let Some(kept) = &report.kept {
                eprintln!("kept the benchmark's databases in {}", kept.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {}", chain(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and every cause under it, each after a colon.
fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}
