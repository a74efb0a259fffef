//! `smes project`: a projection worker keeping the link index caught up as events arrive.
//!
//! One worker at a time applies, under the link index's projection lease (a session-level
//! advisory lock on PostgreSQL, a locked file beside the database on SQLite); another worker
//! started meanwhile waits, asking for the lease again after a pause, and takes over when the
//! holder stops or dies. Reports still catch the index up by themselves: the worker only keeps
//! them from having to.

use std::time::Duration;

use anyhow::{Context, Result};
use smes_eventlog::EventStore;
use smes_read::index::{self, Progress};

/// Runs the worker until it fails (or, with `once`, until the index is caught up).
pub async fn run(store: &dyn EventStore, page: usize, once: bool, retry: Duration) -> Result<()> {
    let mut said_waiting = false;
    loop {
        let lease = store
            .try_lease(index::LEASE)
            .await
            .context("taking the link index's projection lease failed")?;
        let Some(mut lease) = lease else {
            if once {
                println!("another worker holds the link index's lease and keeps it caught up; nothing done");
                return Ok(());
            }
            if !said_waiting {
                println!(
                    "waiting: another worker holds the link index's lease (asking again every {} ms)",
                    retry.as_millis()
                );
                said_waiting = true;
            }
            tokio::time::sleep(retry).await;
            continue;
        };
        said_waiting = false;
        println!("lease taken: this worker keeps the link index");
        if once {
            let state = index::catch_up(store, page)
                .await
                .context("catching up the link index failed")?;
            lease.release().await?;
            println!(
                "link index at position {} (generation {})",
                state.position, state.generation
            );
            return Ok(());
        }
        let outcome = index::follow(store, page, &mut lease, &mut |progress| match progress {
            Progress::Following(state) => println!(
                "following the log from position {} (link index generation {})",
                state.position + 1,
                state.generation
            ),
            Progress::Applied(state) => println!("link index at position {}", state.position),
        })
        .await;
        let Err(error) = outcome;
        if matches!(error, smes_read::Error::Store(smes_eventlog::Error::LeaseLost { .. })) {
            tracing::warn!("{error}; waiting for the lease again");
            continue;
        }
        return Err(error).context("keeping the link index caught up failed");
    }
}
