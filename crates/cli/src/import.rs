//! `smes import FILE`: applies a JSON Lines file of commands, one command a line
//! (docs/import.md).
//!
//! Each line is one command and one append, so each is atomic on its own. A bad line is
//! reported with its number and reason and the import goes on with the next. Every line
//! carries a command id, so importing the same file again applies nothing twice.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use smes_app::{App, CommandLine, Source};

use crate::wiring::Actor;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// Lines whose command was applied now.
    pub applied: usize,
    /// Lines whose command id had already been applied.
    pub already_applied: usize,
    /// Lines refused: line number and reason.
    pub failed: Vec<(usize, String)>,
}

/// Applies every line of `path`, in order.
pub async fn run(app: &App, actor: &Actor, path: &Path) -> Result<ImportSummary> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(lines.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} lines {msg}") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut summary = ImportSummary::default();
    for (number, line) in lines {
        match apply(app, actor, line).await {
            Ok(true) => summary.applied += 1,
            Ok(false) => summary.already_applied += 1,
            Err(reason) => {
                progress.suspend(|| eprintln!("line {number}: {reason}"));
                summary.failed.push((number, reason));
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(summary)
}

/// Applies one line; `Ok(false)` when its command id was already applied.
async fn apply(app: &App, actor: &Actor, line: &str) -> Result<bool, String> {
    let line = CommandLine::parse(line)?;
    let Some(command_id) = line.command_id else {
        return Err(format!(
            "{}: command_id is missing (every imported command needs an id, so that importing again is a no-op)",
            line.command.kind()
        ));
    };
    let mut context = actor.context(Source::Import).with_command_id(command_id);
    context.reason = line.reason.clone();
    context.correlation_id = line.correlation_id;
    context.causation_id = line.causation_id;
    match app.run(&context, &line.command).await {
        Ok(executed) => Ok(!executed.already_applied),
        Err(error) => Err(format!("{}: {:#}", line.command.kind(), anyhow::Error::from(error))),
    }
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            formatter,
            "{} applied, {} already applied, {} failed",
            self.applied,
            self.already_applied,
            self.failed.len()
        )
    }
}
