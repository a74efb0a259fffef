//! `smes import FILE`: applies a JSON Lines file of commands, one command a line
//! (docs/import.md).
//!
//! Each line is one command and one append, so each is atomic on its own. A bad line is
//! reported with its number and reason and the import goes on with the next. Every line
//! carries a command id, so importing the same file again applies nothing twice. The file is
//! read a line at a time ([`lines`]), so its size does not bound what can be imported and a
//! line too long, or not UTF-8, is refused on its own.

mod lines;

use std::io::{BufReader, IsTerminal};
use std::path::Path;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use smes_app::{App, CommandLine, Source};

use crate::wiring::Actor;
use lines::Lines;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// Lines whose command was applied now.
    pub applied: usize,
    /// Lines whose command id had already been applied.
    pub already_applied: usize,
    /// Lines refused (each reported on standard error with its number and reason as it was
    /// met).
    pub failed: usize,
    /// Why the import stopped before the end of the file, if it did: the lines before were
    /// applied, none after.
    pub stopped: Option<String>,
}

/// Applies every line of `path`, in order.
pub async fn run(app: &App, actor: &Actor, path: &Path) -> Result<ImportSummary> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let size = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|metadata| metadata.len());
    let progress = progress_bar(size);
    let mut lines = Lines::new(BufReader::with_capacity(1 << 16, file));
    let mut summary = ImportSummary::default();
    loop {
        let (number, line) = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(stopped) => {
                summary.stopped = Some(format!("{}: {:#}", path.display(), anyhow::Error::from(stopped)));
                break;
            }
        };
        let outcome = match line {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(apply(app, actor, text.trim()).await),
            Err(refused) => Some(Err(refused.to_string())),
        };
        match outcome {
            None => {}
            Some(Ok(true)) => summary.applied += 1,
            Some(Ok(false)) => summary.already_applied += 1,
            Some(Err(reason)) => {
                progress.suspend(|| eprintln!("line {number}: {reason}"));
                summary.failed += 1;
            }
        }
        progress.set_position(lines.bytes_read());
    }
    progress.finish_and_clear();
    Ok(summary)
}

/// A bar of the bytes read out of `size` (a spinner when the size is not known), drawn only
/// on a terminal.
fn progress_bar(size: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match size {
        Some(size) => (ProgressBar::new(size), "{bar:40} {bytes}/{total_bytes} {msg}"),
        None => (ProgressBar::new_spinner(), "{spinner} {bytes} read {msg}"),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
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
            self.applied, self.already_applied, self.failed
        )
    }
}
