//! `smes rebuild`: builds the link index again from the whole log, beside the live one, and
//! swaps it in; reports keep answering from the live index meanwhile.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use smes_eventlog::EventStore;
use smes_read::index;

/// Runs `smes rebuild` and prints what it built; with `check`, compares the live index with
/// the log instead and fails naming what differs.
pub async fn run(store: &dyn EventStore, page: usize, check: bool) -> Result<()> {
    if check {
        return run_check(store).await;
    }
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} events {per_sec} {eta}") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let started = Instant::now();
    let state = index::rebuild(store, page, &mut |position, head| {
        progress.set_length(head);
        progress.set_position(position);
    })
    .await
    .context("rebuilding the link index failed")?;
    progress.finish_and_clear();
    println!(
        "rebuilt the link index: generation {}, {} events, in {:.2} s",
        state.generation,
        state.position,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn run_check(store: &dyn EventStore) -> Result<()> {
    let Some(found) = index::check(store).await.context("checking the link index failed")? else {
        println!("no link index yet: reports build it when first run, or run `smes rebuild`");
        return Ok(());
    };
    if found.is_sound() {
        println!(
            "the link index matches the log up to position {} (as `smes rebuild` would build it)",
            found.position
        );
        return Ok(());
    }
    for link in found.missing.iter().take(10) {
        eprintln!("missing: {} -> {} (position {})", link.from, link.to, link.position);
    }
    for link in found.wrong.iter().take(10) {
        eprintln!(
            "not from the log: {} -> {} (position {})",
            link.from, link.to, link.position
        );
    }
    anyhow::bail!(
        "the link index differs from the log up to position {}: {} links missing, {} not from the log; run `smes rebuild`",
        found.position,
        found.missing.len(),
        found.wrong.len()
    )
}
