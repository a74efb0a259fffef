//! Signed checkpoints kept without anyone remembering to: `smes serve` and `smes project`, given
//! `--checkpoint-every-events N` or `--checkpoint-every-minutes M` and the signing key, keep a
//! signed checkpoint of the log's head with the log whenever N events were appended since the
//! last one kept, or M minutes passed since it and the log grew.
//!
//! Whether one is due is decided from the last checkpoint kept with the log by this key's origin
//! (read once, then followed as this process keeps more), so a worker run again, or
//! `smes project --once` from a timer, carries on where the last one stopped.

use std::io::Write as _;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use jiff::{SignedDuration, Timestamp};
use smes_eventlog::EventStore;
use smes_verify::{Checkpoint, NoteSigner};

use crate::audit::{self, KeyFile};

/// How often a following process looks at the log's head.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// The options that make `smes serve` and `smes project` keep signed checkpoints.
#[derive(Debug, Args)]
pub struct KeepArgs {
    /// Keep a signed checkpoint of the head with the log whenever this many events were
    /// appended since the last one kept (needs the signing key: --key-file).
    #[arg(long, env = "SMES_CHECKPOINT_EVERY_EVENTS", value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_every_events: Option<u64>,
    /// Keep a signed checkpoint of the head with the log whenever this many minutes passed
    /// since the last one kept and events were appended since (needs the signing key).
    #[arg(long, env = "SMES_CHECKPOINT_EVERY_MINUTES", value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_every_minutes: Option<u64>,
    #[command(flatten)]
    key_file: KeyFile,
}

/// When a checkpoint is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// After this many events since the last one kept.
    pub every_events: Option<u64>,
    /// After this long since the last one kept, if the log grew.
    pub every: Option<SignedDuration>,
}

/// The last checkpoint kept: its tree size and when it was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastKept {
    /// The tree size it commits to.
    pub size: u64,
    /// When it was kept.
    pub at: Timestamp,
}

impl Schedule {
    /// Whether a checkpoint of a log of `head` events is due at `now`, the last one kept being
    /// `last` (`None`: none yet).
    pub fn due(&self, head: u64, last: Option<LastKept>, now: Timestamp) -> bool {
        let kept_size = last.map_or(0, |last| last.size);
        if head <= kept_size {
            return false;
        }
        let by_events = self.every_events.is_some_and(|every| head - kept_size >= every);
        let by_time = self.every.is_some_and(|every| match last {
            None => true,
            Some(last) => now.duration_since(last.at) >= every,
        });
        by_events || by_time
    }
}

/// Keeps signed checkpoints of one log on a schedule.
pub struct Keeper {
    signer: NoteSigner,
    schedule: Schedule,
    last: Option<LastKept>,
}

impl Keeper {
    /// The keeper the options ask for (`None` when they ask for none), with the last checkpoint
    /// this key's origin kept with the log.
    pub async fn new(args: &KeepArgs, store: &dyn EventStore) -> Result<Option<Keeper>> {
        let schedule = Schedule {
            every_events: args.checkpoint_every_events,
            every: args
                .checkpoint_every_minutes
                .map(|minutes| SignedDuration::from_mins(i64::try_from(minutes).unwrap_or(i64::MAX / 60))),
        };
        if schedule.every_events.is_none() && schedule.every.is_none() {
            return Ok(None);
        }
        let signer = audit::read_signer(&args.key_file.path).context(
            "--checkpoint-every-events and --checkpoint-every-minutes keep signed checkpoints: they need the signing key",
        )?;
        let last = store
            .checkpoints()
            .await?
            .into_iter()
            .filter(|kept| kept.origin == signer.name())
            .map(|kept| LastKept {
                size: kept.tree_size,
                at: kept.stored_at,
            })
            .max_by_key(|kept| (kept.size, kept.at));
        tracing::info!(
            origin = signer.name(),
            every_events = schedule.every_events,
            every_minutes = args.checkpoint_every_minutes,
            last_kept = last.map_or(0, |last| last.size),
            "keeping signed checkpoints"
        );
        Ok(Some(Keeper { signer, schedule, last }))
    }

    /// Keeps a signed checkpoint of the head if one is due; returns its size if it kept one.
    pub async fn keep_if_due(&mut self, store: &dyn EventStore) -> Result<Option<u64>> {
        let head = store.head().await?.position;
        if !self.schedule.due(head, self.last, Timestamp::now()) {
            tracing::trace!(
                head,
                last_kept = self.last.map_or(0, |last| last.size),
                "no checkpoint due"
            );
            return Ok(None);
        }
        let tree = store.tree_head(Some(head)).await?;
        let note = Checkpoint {
            origin: self.signer.name().to_owned(),
            size: tree.size,
            root: tree.root,
        }
        .sign(&self.signer)?;
        store.store_checkpoint(self.signer.name(), tree.size, &note).await?;
        tracing::info!(
            origin = self.signer.name(),
            tree_size = tree.size,
            since = self.last.map_or(0, |last| last.size),
            "signed checkpoint kept"
        );
        self.last = Some(LastKept {
            size: tree.size,
            at: Timestamp::now(),
        });
        Ok(Some(tree.size))
    }

    /// Looks at the log every second and keeps a checkpoint whenever one is due, for as long as
    /// the process runs; a failure is reported and tried again at the next look.
    pub async fn follow(mut self, store: &dyn EventStore) -> Result<()> {
        loop {
            // Written without panicking: whoever started the process may have closed its output.
            match self.keep_if_due(store).await {
                Ok(Some(size)) => {
                    let _ = writeln!(std::io::stdout(), "signed checkpoint kept at tree size {size}");
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(
                        error = format_args!("{error:#}"),
                        "keeping a signed checkpoint failed; trying again in {} s",
                        LOOK_EVERY.as_secs()
                    );
                }
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
    }
}

/// Runs `work` and, beside it, `keeper` following the log; ends when `work` ends.
pub async fn alongside<F>(keeper: Option<Keeper>, store: &dyn EventStore, work: F) -> Result<()>
where
    F: std::future::Future<Output = Result<()>>,
{
    let Some(keeper) = keeper else {
        return work.await;
    };
    tokio::select! {
        outcome = work => outcome,
        outcome = keeper.follow(store) => match outcome {
            Ok(()) => bail!("the checkpoint keeper stopped"),
            Err(error) => Err(error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_checkpoint_is_due_after_enough_events_or_time_and_only_if_the_log_grew() {
        let by_events = Schedule {
            every_events: Some(10),
            every: None,
        };
        let now = at("2026-01-01T12:00:00Z");
        assert!(!by_events.due(0, None, now), "an empty log");
        assert!(!by_events.due(9, None, now));
        assert!(by_events.due(10, None, now));
        let last = Some(LastKept {
            size: 10,
            at: at("2026-01-01T11:00:00Z"),
        });
        assert!(!by_events.due(19, last, now));
        assert!(by_events.due(20, last, now));

        let by_time = Schedule {
            every_events: None,
            every: Some(SignedDuration::from_mins(30)),
        };
        assert!(by_time.due(1, None, now), "none kept yet");
        assert!(by_time.due(11, last, now), "an hour since, and the log grew");
        assert!(!by_time.due(10, last, now), "the log did not grow");
        assert!(!by_time.due(11, last, at("2026-01-01T11:29:59Z")));
        assert!(!by_time.due(5, last, now), "a log behind its last checkpoint");
    }
}
