//! Following the log: one worker, holding the link index's lease, applies what arrives.

use futures_util::{FutureExt as _, TryStreamExt as _};
use smes_eventlog::{EventStore, ProjectionLease};

use super::{IndexState, catch_up_holding, check_belongs, links_of};
use crate::error::{Error, Result};

/// The name of the projection lease under which one worker at a time keeps the link index
/// (`smes project`).
pub const LEASE: &str = "link-index";

/// What [`follow`] tells its caller as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Caught up with the log as it stood; from here on, following it as it grows.
    Following(IndexState),
    /// A transaction applied events up to this state.
    Applied(IndexState),
}

/// Keeps the link index caught up as events arrive, for as long as `lease` is held.
///
/// First catches up from the index's head, one transaction a page (as [`catch_up`]); then
/// follows the log with [`EventStore::subscribe`] from the position after the head and applies
/// what arrives, whatever is at hand up to `page` events a transaction, each an extend that
/// checks the head it expects. The lease is checked before every transaction. When another
/// process moved the head meanwhile (a report catching up, a rebuild swapped in), the extend
/// writes nothing and the worker catches up again from the new head, so no event is applied
/// twice or skipped. Returns only with an error: the lease was lost
/// ([`smes_eventlog::Error::LeaseLost`]), or reading or writing failed.
pub async fn follow(
    store: &dyn EventStore,
    page: usize,
    lease: &mut ProjectionLease,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<std::convert::Infallible> {
    let page = page.max(1);
    loop {
        catch_up_holding(store, page, Some(&mut *lease), &mut |state| {
            progress(Progress::Applied(state))
        })
        .await?;
        let mut expected = store.link_index_head().await?;
        if let Some(head) = &expected {
            check_belongs(store, head).await?;
        }
        let following = IndexState::of(expected);
        tracing::info!(
            from = following.position + 1,
            generation = following.generation,
            "link index caught up; following the log"
        );
        progress(Progress::Following(following));
        let mut arriving = store.subscribe(IndexState::of(expected).position + 1);
        // A subscription does not end while the log is readable; if one does, start again.
        while let Some(first) = arriving.try_next().await? {
            let mut batch = vec![first];
            // Whatever else is already at hand, without waiting for more.
            while batch.len() < page {
                match arriving.try_next().now_or_never() {
                    Some(Ok(Some(event))) => batch.push(event),
                    Some(Err(error)) => return Err(error.into()),
                    Some(Ok(None)) | None => break,
                }
            }
            lease.check().await?;
            let last = &batch[batch.len() - 1];
            let next = IndexState::of(expected).position + 1;
            if batch[0].position != next {
                // Subscriptions never skip; this guards the index against one that would.
                return Err(Error::IndexMismatch { position: next });
            }
            let through = (last.position, last.hash);
            let links = links_of(&batch)?;
            let count = links.len();
            match store.extend_link_index(expected, through, links).await? {
                Some(head) => {
                    expected = Some(head);
                    tracing::debug!(from = next, through = through.0, links = count, "link index extended");
                    progress(Progress::Applied(IndexState::of(expected)));
                }
                // Another process moved the head: catch up again from where it is.
                None => {
                    tracing::debug!(
                        expected = next - 1,
                        "the link index's head moved meanwhile (another process caught it up); catching up again"
                    );
                    break;
                }
            }
        }
    }
}
