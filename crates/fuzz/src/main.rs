//! `smes-fuzz`: runs the fuzz targets for a time or a number of executions each and prints
//! what each did; exits with 1 when an input broke a property (saved under
//! `crates/fuzz/findings/`), 2 on a usage error.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "every line this binary prints is its output: results, where it kept files, errors"
)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use smes_fuzz::runner::{Budget, load_corpus, run};
use smes_fuzz::targets::{TARGETS, Target, target};

const USAGE: &str = "usage: smes-fuzz [--target NAME]... [--seconds N] [--executions N] [--seed N] [--list]
  --target NAME    run this target (repeatable; default: every target)
  --seconds N      run each target for N seconds (default 10 when no --executions)
  --executions N   run each target for N inputs, corpus included
  --seed N         the seed of the mutations (default: from the clock, printed)
  --list           print the targets and stop";

struct Options {
    targets: Vec<&'static Target>,
    budget: Budget,
    seed: u64,
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("smes-fuzz: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let findings = root.join("findings");
    println!("seed {}", options.seed);
    let mut found = false;
    for target in options.targets {
        let corpus = match load_corpus(&root.join("corpus").join(target.name)) {
            Ok(corpus) => corpus,
            Err(error) => {
                eprintln!("smes-fuzz: cannot read the corpus of {}: {error}", target.name);
                return ExitCode::from(2);
            }
        };
        let report = match run(target, &corpus, options.budget, options.seed, &findings) {
            Ok(report) => report,
            Err(error) => {
                eprintln!("smes-fuzz: cannot save a finding of {}: {error}", target.name);
                return ExitCode::from(2);
            }
        };
        println!(
            "{}: {} executions in {:.1} s ({} corpus entries), {} findings",
            report.target,
            report.executions,
            report.elapsed.as_secs_f64(),
            corpus.len(),
            usize::from(report.finding.is_some())
        );
        if let Some(finding) = report.finding {
            found = true;
            println!("  finding saved to {}\n  {}", finding.saved.display(), finding.message);
        }
    }
    if found { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Reads the arguments; `None` when they asked only for the list of targets.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut targets = Vec::new();
    let mut seconds = None;
    let mut executions = None;
    let mut seed = None;
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--target" => {
                let name = value("--target")?;
                let found = target(&name).ok_or_else(|| {
                    let names: Vec<&str> = TARGETS.iter().map(|target| target.name).collect();
                    format!(
                        "--target {name:?} is not a target; the targets are {}",
                        names.join(", ")
                    )
                })?;
                targets.push(found);
            }
            "--seconds" => seconds = Some(number("--seconds", &value("--seconds")?)?),
            "--executions" => executions = Some(number("--executions", &value("--executions")?)?),
            "--seed" => seed = Some(number("--seed", &value("--seed")?)?),
            "--list" => {
                for target in TARGETS {
                    println!("{:14} {}", target.name, target.description);
                }
                return Ok(None);
            }
            other => return Err(format!("{other:?} is not an option")),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().collect();
    }
    if seconds.is_none() && executions.is_none() {
        seconds = Some(10);
    }
    let seed = seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos() as u64)
    });
    Ok(Some(Options {
        targets,
        budget: Budget {
            time: seconds.map(Duration::from_secs),
            executions,
        },
        seed,
    }))
}

fn number(flag: &str, text: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("{flag} is {text:?}; expected a whole number, such as 600"))
}
