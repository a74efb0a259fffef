//! Decoding what a view read into envelopes, a large view in consecutive parts at once.

use smes_eventlog::RecordedEvent;
use smes_projections::Envelope;

use crate::envelope::envelope_owned;
use crate::error::{Error, Result};

pub(crate) fn decode(page: Vec<RecordedEvent>) -> Result<Vec<Envelope>> {
    page.into_iter()
        .map(|recorded| envelope_owned(recorded).map_err(Error::from))
        .collect()
}

/// The fewest events each part of a split decode gets: handing a part to a blocking thread
/// costs tens of microseconds, what decoding a hundred or so events does.
const MIN_EVENTS_PER_DECODER: usize = 1_000;

/// How many threads a view's events are decoded on at most: as many as the machine has CPUs,
/// no more than the SQLite store reads a view's streams on by default (a report is one
/// request, and should not take every core of a larger server).
pub(crate) fn decoders() -> usize {
    smes_eventlog::cpus::available().min(smes_eventlog::MAX_DEFAULT_READ_PARALLELISM as usize)
}

/// [`decode`], a large view's events split in consecutive parts (at most `threads`) decoded at
/// once, each on a blocking thread but the last, which is decoded on this one; the parts are
/// joined in order.
pub(crate) async fn decode_split(mut events: Vec<RecordedEvent>, threads: usize) -> Result<Vec<Envelope>> {
    let parts = threads.min(events.len() / MIN_EVENTS_PER_DECODER).max(1);
    if parts == 1 {
        return decode(events);
    }
    let size = events.len().div_ceil(parts);
    let mut others = Vec::with_capacity(parts - 1);
    while events.len() > size {
        let rest = events.split_off(size);
        let part = std::mem::replace(&mut events, rest);
        others.push(tokio::task::spawn_blocking(move || decode(part)));
    }
    let last = decode(events);
    let mut envelopes = Vec::new();
    for part in others {
        envelopes.extend(part.await.map_err(|_| Error::DecoderStopped)??);
    }
    envelopes.extend(last?);
    Ok(envelopes)
}

#[cfg(test)]
mod tests {
    use smes_eventlog::{EventStore, SqliteEventStore};
    use smes_simulate::{Generator, GeneratorConfig};

    use super::*;

    /// A view's events decoded in parts on several threads are the events decoded in one go,
    /// in the same order, whatever the number of threads (more parts than events allow, too).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn split_decoding_equals_decoding_in_one_go() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut generator = Generator::new(GeneratorConfig {
            seed: 41,
            events: 3_500,
            first_year: 2010,
            last_year: 2012,
            batch: 500,
        });
        let (options, clock) = generator.store_options();
        let path = dir.path().join("programme.db");
        let store = SqliteEventStore::open(&path.display().to_string(), options)
            .await
            .expect("the store opens");
        while let Some(batch) = generator.next_batch() {
            clock.set(batch.recorded_at);
            for outcome in store.append_batch(batch.requests).await.expect("the batch appends") {
                outcome.expect("each append succeeds");
            }
        }
        let events = store.read_all(1, 100_000).await.expect("the log reads");
        assert!(events.len() >= 3 * MIN_EVENTS_PER_DECODER, "{} events", events.len());
        let whole = decode(events.clone()).expect("the events decode");
        for threads in [1, 2, 3, 8] {
            let split = decode_split(events.clone(), threads).await.expect("the events decode");
            assert!(split == whole, "{threads} threads");
        }
    }
}
