//! Rebuilding the link index from the whole log beside the live one, swapped in at the end.

use std::collections::HashMap;

use smes_eventlog::{EventStore, Link};
use smes_verify::{GENESIS_HASH, Hash};

use super::{IndexState, gather, range_events};
use crate::error::Result;

/// How many distinct links a rebuild gathers in memory before writing them (about 200 bytes
/// each, so about 100 MiB at most).
const REBUILD_BUFFER: usize = 500_000;

/// Rebuilds the link index from the whole log beside the live one, then makes it live in one
/// transaction. Readers go on using the live index until then. The log is read `page` events
/// at a time; the links are gathered in memory, sorted (up to [`REBUILD_BUFFER`] at a time),
/// and written `page` links a transaction, so the new generation's B-tree grows by appends.
/// `progress` is told the position reached and the log's head.
pub async fn rebuild(store: &dyn EventStore, page: usize, progress: &mut dyn FnMut(u64, u64)) -> Result<IndexState> {
    let page = page.max(1);
    let generation = store.begin_link_index_build().await?;
    tracing::info!(generation, "rebuilding the link index beside the live one");
    let mut through: (u64, Hash) = (0, GENESIS_HASH);
    let mut gathered: HashMap<(String, String), u64> = HashMap::new();
    loop {
        let head = store.head().await?;
        progress(through.0, head.position);
        if head.position <= through.0 {
            break;
        }
        let (events, next) = range_events(store, through.0, page, (head.position, head.hash)).await?;
        gather(&events, |from, to, position| {
            gathered.entry((from, to)).or_insert(position);
        })?;
        if gathered.len() >= REBUILD_BUFFER {
            write_gathered(store, generation, &mut gathered, page).await?;
        }
        through = next;
    }
    write_gathered(store, generation, &mut gathered, page).await?;
    let head = store.finish_link_index_build(generation, through).await?;
    tracing::info!(generation, position = through.0, "link index rebuilt and swapped in");
    Ok(IndexState::of(Some(head)))
}

/// Writes gathered links into a generation being built, in order, `page` a transaction.
async fn write_gathered(
    store: &dyn EventStore,
    generation: u64,
    gathered: &mut HashMap<(String, String), u64>,
    page: usize,
) -> Result<()> {
    let mut sorted: Vec<Link> = std::mem::take(gathered)
        .into_iter()
        .map(|((from, to), position)| Link { from, to, position })
        .collect();
    sorted.sort_unstable_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    let mut links = sorted.into_iter().peekable();
    while links.peek().is_some() {
        let chunk: Vec<Link> = links.by_ref().take(page).collect();
        store.write_link_generation(generation, chunk).await?;
    }
    Ok(())
}
