//! The conformance suite: one set of tests, written once, that every backend runs.
//!
//! A backend's test file implements [`Backend`] (how to make a fresh store, and the raw access
//! that tamper and old-version tests need to bypass the store) and adds one line:
//!
//! ```ignore
//! smes_eventlog::conformance_suite!(my_backend());
//! ```
//!
//! which expands to one `#[tokio::test]` per case below.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt};
use jiff::{SignedDuration, Timestamp};
use smes_verify::{
    ChainError, Checkpoint, EventRecord, GENESIS_HASH_HEX, NoteSigner, RECORD_FORMAT, RecordMetadata, record_hash,
};
use uuid::Uuid;

use crate::clock::{SequentialIds, SteppingClock};
use crate::error::Error;
use crate::event::{AppendRequest, CommandEntry, ExpectedVersion, Metadata, NewEvent, RawRecord, StreamName};
use crate::links::{Link, LinkIndexHead};
use crate::store::{EventStore, StoreOptions};
use crate::witness::Witnesses;

/// A row written around the store, as a backend's raw SQL would.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// Position column.
    pub position: u64,
    /// Stream column.
    pub stream: String,
    /// Version column.
    pub version: u64,
    /// Event type column.
    pub event_type: String,
    /// Business time column, microseconds.
    pub occurred_at_micros: i64,
    /// Record time column, microseconds.
    pub recorded_at_micros: i64,
    /// The canonical record.
    pub record: String,
    /// Its hash.
    pub hash: [u8; 32],
}

/// What a backend gives the suite.
#[async_trait]
pub trait Backend: Send + Sync {
    /// The backend's store.
    type Store: EventStore + 'static;

    /// A fresh, empty log opened with `options`.
    async fn fresh(&self, options: StoreOptions) -> Self::Store;
    /// The same log opened again (a new process would see this), with `options`.
    async fn reopen(&self, store: &Self::Store, options: StoreOptions) -> Self::Store;
    /// Inserts a row with raw SQL, around the store's writer.
    async fn insert_raw(&self, store: &Self::Store, row: RawRow);
    /// Replaces the stored record at `position` with raw SQL, bypassing the triggers.
    async fn overwrite_record(&self, store: &Self::Store, position: u64, record: String);
    /// Deletes the event at `position` with raw SQL, bypassing the triggers.
    async fn delete_raw(&self, store: &Self::Store, position: u64);
    /// Tries an UPDATE and a DELETE on the events table as a client would; returns the errors.
    async fn try_update_and_delete(&self, store: &Self::Store) -> (Option<String>, Option<String>);
    /// Every row of the link index, of every generation, read with raw SQL as
    /// `(generation, from, to, position)`.
    async fn link_rows(&self, store: &Self::Store) -> Vec<(u64, String, String, u64)>;
    /// Runs `sql` (statements without parameters, in SQL both backends take) as someone holding
    /// the database would: with the events table's triggers dropped (SQLite) or disabled
    /// (PostgreSQL's `DISABLE TRIGGER USER`).
    async fn tamper(&self, store: &Self::Store, sql: &str);
}

/// Options with a fixed clock (starting 2013-01-01, one millisecond a reading) and sequential ids.
pub fn fixed_options() -> StoreOptions {
    StoreOptions {
        clock: Arc::new(SteppingClock::new(
            "2013-01-01T00:00:00Z".parse().expect("a time"),
            SignedDuration::from_millis(1),
        )),
        ids: Arc::new(SequentialIds::default()),
        create: true,
    }
}

fn stream(name: &str) -> StreamName {
    StreamName::new(name).expect("a valid stream name")
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("a time")
}

fn event(n: u64) -> NewEvent {
    NewEvent::new(
        "Happened",
        1,
        format!(r#"{{"n":{n},"text":"event {n}"}}"#),
        at("2013-03-01T00:00:00Z"),
    )
}

fn request(name: &str, expected: ExpectedVersion, count: u64) -> AppendRequest {
    AppendRequest::new(
        stream(name),
        expected,
        (1..=count).map(event).collect(),
        Metadata::new("actor-1", "secretariat", "test"),
    )
}

/// Appends, reads back by stream and by position, with every field as written.
pub async fn append_and_read_back<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    let first = store
        .append(request("activity-1", ExpectedVersion::NoStream, 2))
        .await
        .unwrap();
    assert_eq!((first.first_position, first.last_position), (1, 2));
    assert_eq!((first.first_version, first.last_version), (1, 2));
    assert!(!first.replayed);
    let second = store
        .append(request("activity-2", ExpectedVersion::Any, 1))
        .await
        .unwrap();
    assert_eq!(second.first_position, 3);
    let third = store
        .append(request("activity-1", ExpectedVersion::Exact(2), 1))
        .await
        .unwrap();
    assert_eq!((third.first_position, third.first_version), (4, 3));

    let events = store.read_stream(&stream("activity-1"), 1, 100).await.unwrap();
    assert_eq!(events.iter().map(|e| e.position).collect::<Vec<_>>(), [1, 2, 4]);
    assert_eq!(events.iter().map(|e| e.version).collect::<Vec<_>>(), [1, 2, 3]);
    let from_two = store.read_stream(&stream("activity-1"), 2, 1).await.unwrap();
    assert_eq!(from_two.len(), 1);
    assert_eq!(from_two[0].version, 2);

    let all = store.read_all(1, 100).await.unwrap();
    assert_eq!(all.len(), 4);
    let e = &all[0];
    assert_eq!(e.event_type, "Happened");
    assert_eq!(e.payload.get(), r#"{"n":1,"text":"event 1"}"#);
    assert_eq!(e.event_id, Uuid::from_u128(1));
    assert_eq!(e.occurred_at, at("2013-03-01T00:00:00Z"));
    assert_eq!(e.recorded_at, at("2013-01-01T00:00:00Z"));
    assert_eq!(e.metadata, Metadata::new("actor-1", "secretariat", "test"));
    assert_eq!(hex::encode(e.prev_hash), GENESIS_HASH_HEX);
    for pair in all.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash, "each event links to the one before");
        assert!(pair[1].recorded_at >= pair[0].recorded_at);
    }
    let head = store.head().await.unwrap();
    assert_eq!((head.position, head.hash), (4, all[3].hash));
    assert!(store.read_all(5, 100).await.unwrap().is_empty());
    assert_eq!(store.read_all(3, 100).await.unwrap()[0].position, 3);
}

/// Subscriptions catch up, then follow appends made concurrently by several tasks: every
/// subscriber sees each position from its start exactly once, in order, with the events
/// `read_all` returns, and the same events again when it subscribes later.
pub async fn subscriptions_see_every_event_once_in_order<B: Backend>(backend: &B) {
    const WRITERS: u64 = 4;
    const APPENDS: u64 = 15;
    const EVENTS: u64 = 2;
    let store = Arc::new(backend.fresh(StoreOptions::default()).await);
    store
        .append(request("before", ExpectedVersion::NoStream, 5))
        .await
        .unwrap();
    let total = 5 + WRITERS * APPENDS * EVENTS;
    let subscribers: Vec<_> = [1u64, 0, 4, 6]
        .into_iter()
        .map(|from| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let first = from.max(1);
                let wanted = (total + 1 - first) as usize;
                let events: Vec<_> = tokio::time::timeout(
                    std::time::Duration::from_secs(60),
                    store.subscribe(from).take(wanted).try_collect::<Vec<_>>(),
                )
                .await
                .unwrap_or_else(|_| panic!("the subscription from {from} stalled"))
                .unwrap();
                assert_eq!(
                    events.iter().map(|event| event.position).collect::<Vec<_>>(),
                    (first..=total).collect::<Vec<_>>(),
                    "the subscription from {from} skipped or repeated a position"
                );
                for pair in events.windows(2) {
                    assert!(pair[1].recorded_at >= pair[0].recorded_at);
                }
                events
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                for i in 0..APPENDS {
                    let name = if i % 2 == 0 {
                        "shared".to_owned()
                    } else {
                        format!("own-{writer}")
                    };
                    store
                        .append(request(&name, ExpectedVersion::Any, EVENTS))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let all = store.read_all(1, total as usize + 10).await.unwrap();
    assert_eq!(all.len() as u64, total);
    for subscriber in subscribers {
        let seen = subscriber.await.unwrap();
        let first = (seen[0].position - 1) as usize;
        let identity = |event: &crate::RecordedEvent| (event.position, event.event_id, event.hash);
        assert_eq!(
            seen.iter().map(identity).collect::<Vec<_>>(),
            all[first..].iter().map(identity).collect::<Vec<_>>(),
            "a subscriber saw other events than read_all"
        );
    }
    // A subscription that starts at the head waits, then sees the next append.
    let mut live = store.subscribe(total + 1);
    let waiting = tokio::time::timeout(std::time::Duration::from_millis(300), live.try_next()).await;
    assert!(waiting.is_err(), "nothing beyond the head yet");
    store
        .append(request("after", ExpectedVersion::NoStream, 1))
        .await
        .unwrap();
    let next = tokio::time::timeout(std::time::Duration::from_secs(30), live.try_next())
        .await
        .expect("the live subscription woke")
        .unwrap()
        .expect("an event");
    assert_eq!(next.position, total + 1);
    assert_eq!(next.stream, "after");
}

/// A log with several streams and appends carrying command ids, and what it holds raw.
async fn log_to_copy<S: EventStore>(store: &S) -> (Vec<RawRecord>, Vec<CommandEntry>) {
    for n in 0..6u128 {
        let name = if n % 2 == 0 { "activity-1" } else { "need-1" };
        let mut req = request(name, ExpectedVersion::Any, 1 + (n as u64 % 3));
        if n != 3 {
            req.metadata = req.metadata.with_command_id(Uuid::from_u128(0xc0de_0000 + n));
        }
        store.append(req).await.unwrap();
    }
    let records = store.read_raw(1, 1000).await.unwrap();
    let commands = store.read_commands(1, records.len() as u64).await.unwrap();
    (records, commands)
}

/// `append_raw` copies records as they are (positions, times, hashes), grows the Merkle tree and
/// carries command ids, in batches; the copy verifies, answers repeated commands as the original
/// does, and takes new appends after the copied head.
pub async fn copying_keeps_records_hashes_tree_and_commands<B: Backend>(backend: &B) {
    let original = backend.fresh(fixed_options()).await;
    let (records, commands) = log_to_copy(&original).await;
    assert_eq!(records.len(), 12);
    assert_eq!(commands.len(), 5, "one entry per append with a command id");
    assert_eq!(
        records.iter().map(|r| r.position).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );

    let copy = backend.fresh(fixed_options()).await;
    // Two batches, split inside an append (positions 4 to 6); each carries the entries of the
    // appends that end in it.
    let split = 5;
    let in_batch = |first: u64, last: u64| -> Vec<CommandEntry> {
        commands
            .iter()
            .filter(|entry| (first..=last).contains(&entry.last_position))
            .cloned()
            .collect()
    };
    assert_eq!(copy.read_commands(1, 100).await.unwrap(), []);
    let head = copy
        .append_raw(records[..split].to_vec(), in_batch(1, split as u64))
        .await
        .unwrap();
    assert_eq!((head.position, head.hash), (5, records[4].hash));
    let head = copy
        .append_raw(records[split..].to_vec(), in_batch(split as u64 + 1, 12))
        .await
        .unwrap();
    assert_eq!(head, original.head().await.unwrap());

    assert_eq!(copy.read_raw(1, 1000).await.unwrap(), records);
    assert_eq!(copy.read_raw(4, 2).await.unwrap(), records[3..5]);
    assert_eq!(copy.read_commands(1, 12).await.unwrap(), commands);
    let facts = |events: Vec<crate::event::RecordedEvent>| -> Vec<_> {
        events
            .into_iter()
            .map(|e| {
                (
                    e.position,
                    e.stream,
                    e.version,
                    e.recorded_at,
                    e.payload.get().to_owned(),
                    e.hash,
                )
            })
            .collect()
    };
    assert_eq!(
        facts(copy.read_all(1, 100).await.unwrap()),
        facts(original.read_all(1, 100).await.unwrap())
    );
    for size in [1, 5, 8, 12] {
        assert_eq!(
            copy.tree_head(Some(size)).await.unwrap(),
            original.tree_head(Some(size)).await.unwrap()
        );
    }
    assert_eq!(copy.verify().await.unwrap(), original.verify().await.unwrap());
    for entry in &commands {
        let id: Uuid = entry.command_id.parse().unwrap();
        assert_eq!(
            copy.command_outcome(id).await.unwrap(),
            original.command_outcome(id).await.unwrap()
        );
    }
    // A retried command is answered from the copy's entries and writes nothing.
    let mut retried = request("activity-1", ExpectedVersion::Any, 1);
    retried.metadata = retried.metadata.with_command_id(Uuid::from_u128(0xc0de_0000));
    let outcome = copy.append(retried).await.unwrap();
    assert!(outcome.replayed);
    assert_eq!(outcome.last_position, 1);
    // New appends continue the copied chain and stream versions.
    let next = copy
        .append(request("activity-1", ExpectedVersion::Exact(6), 1))
        .await
        .unwrap();
    assert_eq!((next.first_position, next.first_version), (13, 7));
    assert_eq!(copy.verify().await.unwrap().events, 13);
}

/// Records that do not extend the log's chain, altered records, and command entries that do not
/// match their records or reuse a held id are refused, naming the position, and leave the log
/// exactly as it was.
pub async fn copying_refuses_what_does_not_extend_the_log<B: Backend>(backend: &B) {
    let original = backend.fresh(fixed_options()).await;
    let (records, commands) = log_to_copy(&original).await;
    let copy = backend.fresh(fixed_options()).await;
    copy.append_raw(
        records[..4].to_vec(),
        commands.iter().filter(|e| e.last_position <= 4).cloned().collect(),
    )
    .await
    .unwrap();
    let before = copy.read_raw(1, 1000).await.unwrap();
    let rest = records[4..].to_vec();

    let mut altered = rest.clone();
    altered[1].record = altered[1].record.replace(r#""n":"#, r#""m":"#);
    assert_ne!(altered[1].record, rest[1].record);
    let mut rehashed = altered.clone();
    rehashed[1].hash = record_hash(rehashed[1].record.as_bytes());
    let skipping = records[5..].to_vec();
    let later = commands.iter().find(|e| e.first_position >= 5).unwrap().clone();
    let held = CommandEntry {
        command_id: commands[0].command_id.clone(),
        ..later.clone()
    };
    let wrong_stream = CommandEntry {
        stream: "elsewhere".to_owned(),
        ..later.clone()
    };
    let cases: Vec<(&str, Vec<RawRecord>, Vec<CommandEntry>, u64)> = vec![
        ("an altered record", altered, vec![], 6),
        ("an altered record with its own hash", rehashed, vec![], 7),
        ("a gap", skipping, vec![], 6),
        ("the log's own records again", records[..4].to_vec(), vec![], 1),
        (
            "a command entry for another stream",
            rest.clone(),
            vec![wrong_stream],
            later.first_position,
        ),
        (
            "a command id the log holds",
            rest.clone(),
            vec![held],
            later.first_position,
        ),
    ];
    for (what, batch, entries, position) in cases {
        let error = copy.append_raw(batch, entries).await.unwrap_err();
        assert!(
            matches!(error, Error::Chain(_) | Error::CopyRefused { .. }),
            "{what}: {error}"
        );
        if position > 0 {
            let found = match &error {
                Error::Chain(chain) => chain.position(),
                Error::CopyRefused { position, .. } => *position,
                _ => unreachable!(),
            };
            assert_eq!(found, position, "{what}: {error}");
        }
        assert_eq!(
            copy.read_raw(1, 1000).await.unwrap(),
            before,
            "{what}: nothing was written"
        );
    }

    // Another log's records do not extend this one's chain.
    let diverged = backend.fresh(fixed_options()).await;
    diverged
        .append(request("need-1", ExpectedVersion::Any, 2))
        .await
        .unwrap();
    let error = diverged.append_raw(records[..1].to_vec(), vec![]).await.unwrap_err();
    assert!(
        matches!(error, Error::Chain(_)),
        "another log's first record does not link: {error}"
    );
    copy.verify().await.unwrap();
    assert_eq!(
        copy.read_commands(1, 100).await.unwrap().len(),
        commands.iter().filter(|e| e.last_position <= 4).count()
    );
}

/// Fixed clock and ids give the same hashes every time: the canonical encoding is stable.
pub async fn hashes_are_deterministic<B: Backend>(backend: &B) {
    let mut heads = Vec::new();
    for _ in 0..2 {
        let store = backend.fresh(fixed_options()).await;
        store.append(request("s", ExpectedVersion::NoStream, 3)).await.unwrap();
        heads.push(store.head().await.unwrap().hash);
    }
    assert_eq!(heads[0], heads[1]);
}

/// A wrong expected version writes nothing and names stream, expected and actual versions.
pub async fn version_conflicts<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    store.append(request("s", ExpectedVersion::NoStream, 2)).await.unwrap();
    let cases = [
        (
            ExpectedVersion::NoStream,
            "version conflict on stream s: expected no stream, but the stream is at version 2",
        ),
        (
            ExpectedVersion::Exact(1),
            "version conflict on stream s: expected version 1, but the stream is at version 2",
        ),
        (
            ExpectedVersion::Exact(3),
            "version conflict on stream s: expected version 3, but the stream is at version 2",
        ),
    ];
    for (expected, message) in cases {
        let error = store.append(request("s", expected, 1)).await.unwrap_err();
        assert!(matches!(error, Error::VersionConflict { actual: 2, .. }), "{error}");
        assert_eq!(error.to_string(), message);
    }
    let error = store
        .append(request("new", ExpectedVersion::Exact(1), 1))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::VersionConflict { actual: 0, .. }), "{error}");
    assert_eq!(store.head().await.unwrap().position, 2, "nothing was written");
}

/// Many tasks appending with the same expected version: exactly one wins each version.
pub async fn concurrent_appenders_one_winner_per_version<B: Backend>(backend: &B) {
    let store = Arc::new(backend.fresh(fixed_options()).await);
    for round in 0..5u64 {
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let store = Arc::clone(&store);
            let expected = if round == 0 {
                ExpectedVersion::NoStream
            } else {
                ExpectedVersion::Exact(round)
            };
            tasks.push(tokio::spawn(async move {
                store.append(request("shared", expected, 1)).await
            }));
        }
        let mut wins = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => wins += 1,
                Err(error) => assert!(error.is_version_conflict(), "{error}"),
            }
        }
        assert_eq!(wins, 1, "round {round}: exactly one append wins");
    }
    let events = store.read_stream(&stream("shared"), 1, 100).await.unwrap();
    assert_eq!(events.iter().map(|e| e.version).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    store.verify().await.unwrap();
}

/// A batch commits each request on its own terms.
pub async fn batch_results_are_independent<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    let results = store
        .append_batch(vec![
            request("a", ExpectedVersion::NoStream, 2),
            request("b", ExpectedVersion::Exact(7), 1),
            request("a", ExpectedVersion::Exact(2), 1),
            AppendRequest::new(stream("c"), ExpectedVersion::Any, vec![], Metadata::new("x", "y", "z")),
        ])
        .await
        .unwrap();
    assert_eq!(results[0].as_ref().unwrap().last_position, 2);
    assert!(results[1].as_ref().unwrap_err().is_version_conflict());
    assert_eq!(results[2].as_ref().unwrap().first_position, 3);
    assert!(matches!(results[3], Err(Error::InvalidInput(_))));
    assert_eq!(store.head().await.unwrap().position, 3);
}

/// A command id bound to a command's digest: the same command again is a retry even when its
/// events differ (personal data sealed afresh), another command under the id is refused, and
/// the binding is read back and copied with the log; an entry copied as unbound reads unbound.
pub async fn command_ids_bound_to_their_command<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    let command_id = Uuid::from_u128(0xb0b);
    let bound = |events: u64, digest: u8| {
        let mut req = request("s", ExpectedVersion::Any, events).with_command_digest([digest; 32]);
        req.metadata = req.metadata.with_command_id(command_id);
        req
    };
    let first = store.append(bound(1, 7)).await.unwrap();
    assert!(!first.replayed);
    let retried = store.append(bound(2, 7)).await.unwrap();
    assert!(retried.replayed, "the same command with other events is a retry");
    assert_eq!(retried.last_position, first.last_position);
    let refused = store.append(bound(1, 8)).await.unwrap_err();
    assert!(matches!(refused, Error::CommandIdReused { .. }), "{refused}");
    assert_eq!(store.head().await.unwrap().position, 1);
    let record = store.command_record(command_id).await.unwrap().unwrap();
    assert_eq!(record.command_digest, Some([7; 32]));
    assert_eq!(record.outcome.last_position, 1);
    assert!(store.command_record(Uuid::from_u128(1)).await.unwrap().is_none());

    let records = store.read_raw(1, 10).await.unwrap();
    let commands = store.read_commands(1, 1).await.unwrap();
    assert!(commands.iter().all(|entry| entry.binds_command));
    let copy = backend.fresh(fixed_options()).await;
    copy.append_raw(records.clone(), commands.clone()).await.unwrap();
    let copied = copy.command_record(command_id).await.unwrap().unwrap();
    assert_eq!(copied.command_digest, Some([7; 32]));

    let unbound: Vec<CommandEntry> = commands
        .into_iter()
        .map(|entry| CommandEntry {
            binds_command: false,
            ..entry
        })
        .collect();
    let earlier = backend.fresh(fixed_options()).await;
    earlier.append_raw(records, unbound).await.unwrap();
    let record = earlier.command_record(command_id).await.unwrap().unwrap();
    assert_eq!(record.command_digest, None, "an entry written before ids were bound");
    assert!(!earlier.read_commands(1, 1).await.unwrap()[0].binds_command);
}

/// The same command id is written once: in one process, after a restart, and when racing.
pub async fn idempotent_command_ids<B: Backend>(backend: &B) {
    let store = Arc::new(backend.fresh(fixed_options()).await);
    let command_id = Uuid::from_u128(0xc0ffee);
    let with_id = |expected| {
        let mut req = request("s", expected, 2);
        req.metadata = req.metadata.with_command_id(command_id);
        req
    };
    let first = store.append(with_id(ExpectedVersion::NoStream)).await.unwrap();
    let again = store.append(with_id(ExpectedVersion::NoStream)).await.unwrap();
    assert!(again.replayed);
    assert_eq!(
        (
            again.first_position,
            again.last_position,
            again.last_version,
            again.recorded_at
        ),
        (
            first.first_position,
            first.last_position,
            first.last_version,
            first.recorded_at
        )
    );
    assert_eq!(store.head().await.unwrap().position, 2);
    assert_eq!(
        store.command_outcome(command_id).await.unwrap().unwrap().last_position,
        2
    );
    assert!(store.command_outcome(Uuid::from_u128(1)).await.unwrap().is_none());

    let mut different = request("s", ExpectedVersion::Any, 1);
    different.metadata = different.metadata.with_command_id(command_id);
    let error = store.append(different).await.unwrap_err();
    assert!(matches!(error, Error::CommandIdReused { .. }), "{error}");

    let reopened = backend.reopen(&store, fixed_options()).await;
    let after_restart = reopened.append(with_id(ExpectedVersion::NoStream)).await.unwrap();
    assert!(after_restart.replayed);
    assert_eq!(reopened.head().await.unwrap().position, 2);

    let race_id = Uuid::from_u128(0xbeef);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut req = request("raced", ExpectedVersion::Any, 1);
            req.metadata = req.metadata.with_command_id(race_id);
            store.append(req).await.unwrap()
        }));
    }
    let mut fresh_writes = 0;
    for task in tasks {
        if !task.await.unwrap().replayed {
            fresh_writes += 1;
        }
    }
    assert_eq!(fresh_writes, 1);
    assert_eq!(store.read_stream(&stream("raced"), 1, 100).await.unwrap().len(), 1);
}

/// Reads from any position, in pages and as a stream, see every event once, in order.
pub async fn reads_from_any_position<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    for i in 0..25 {
        store
            .append(request(&format!("s-{}", i % 4), ExpectedVersion::Any, 100))
            .await
            .unwrap();
    }
    for from in [1u64, 2, 999, 1000, 1001, 2500, 2501] {
        let streamed: Vec<u64> = store
            .stream_all(from)
            .map_ok(|event| event.position)
            .try_collect()
            .await
            .unwrap();
        let expected: Vec<u64> = (from..=2500).collect();
        assert_eq!(streamed, expected, "stream_all from {from}");
    }
    let mut paged = Vec::new();
    let mut next = 1;
    loop {
        let page = store.read_all(next, 333).await.unwrap();
        let Some(last) = page.last() else { break };
        next = last.position + 1;
        paged.extend(page.iter().map(|event| event.position));
    }
    assert_eq!(paged, (1..=2500).collect::<Vec<_>>());
    // Positions and versions no log can hold read nothing, and bounds beyond them everything.
    assert!(store.read_all(u64::MAX, 10).await.unwrap().is_empty());
    assert!(store.read_all(1 << 63, 10).await.unwrap().is_empty());
    assert!(
        store
            .read_stream(&stream("s-0"), u64::MAX, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let whole = store.read_streams(&[stream("s-0")], u64::MAX).await.unwrap();
    assert_eq!(whole.len(), 700);
    let kinds = store
        .read_range_of_types(u64::MAX - 1, u64::MAX, &["Happened"])
        .await
        .unwrap();
    assert!(kinds.is_empty());
}

/// A reader streaming the log while another task appends sees, every time, a gapless prefix.
pub async fn streaming_while_appending_sees_a_gapless_prefix<B: Backend>(backend: &B) {
    let store = Arc::new(backend.fresh(fixed_options()).await);
    let appender = {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            for i in 0..60 {
                store
                    .append(request(&format!("s-{}", i % 7), ExpectedVersion::Any, 100))
                    .await
                    .unwrap();
            }
        })
    };
    let mut longest = 0;
    while !appender.is_finished() || longest < 6000 {
        let positions: Vec<u64> = store
            .stream_all(1)
            .map_ok(|event| event.position)
            .try_collect()
            .await
            .unwrap();
        let expected: Vec<u64> = (1..=positions.len() as u64).collect();
        assert_eq!(positions, expected, "a stream is a gapless prefix of the log");
        longest = longest.max(positions.len());
    }
    appender.await.unwrap();
    assert_eq!(longest, 6000);
}

/// Rows of an older payload version inserted with raw SQL come back as they were written on
/// every read path: their schema version and payload text, converted by nothing (the domain
/// reads older shapes); verify hashes the stored bytes.
pub async fn old_versions_read_as_stored_on_every_read_path<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    // Two v1 rows written around the store, as an older program would have.
    let mut prev = GENESIS_HASH_HEX.to_owned();
    for position in 1..=2u64 {
        let payload =
            serde_json::value::RawValue::from_string(format!(r#"{{"nm":"Counterpart {position}"}}"#)).unwrap();
        let record = EventRecord {
            format: RECORD_FORMAT,
            position,
            stream: "counterpart-1".into(),
            version: position,
            id: Uuid::from_u128(1000 + u128::from(position)).to_string().into(),
            event_type: "CounterpartJoined".into(),
            schema_version: 1,
            occurred_at: "2012-10-17T00:00:00.000000Z".into(),
            recorded_at: "2012-10-18T00:00:00.000000Z".into(),
            metadata: RecordMetadata {
                actor: "actor-0".into(),
                role: "secretariat".into(),
                source: "import".into(),
                ..RecordMetadata::default()
            },
            payload: &payload,
            prev_hash: prev.clone().into(),
        }
        .encode();
        let hash = record_hash(record.as_bytes());
        prev = hex::encode(hash);
        backend
            .insert_raw(
                &store,
                RawRow {
                    position,
                    stream: "counterpart-1".into(),
                    version: position,
                    event_type: "CounterpartJoined".into(),
                    occurred_at_micros: at("2012-10-17T00:00:00Z").as_microsecond(),
                    recorded_at_micros: at("2012-10-18T00:00:00Z").as_microsecond(),
                    record,
                    hash,
                },
            )
            .await;
    }
    store
        .append(request("counterpart-1", ExpectedVersion::Exact(2), 1))
        .await
        .unwrap();

    let check = |events: &[crate::RecordedEvent]| {
        assert_eq!(events.len(), 3);
        for (event, position) in events[..2].iter().zip(1u64..) {
            assert_eq!(
                (event.event_type.as_str(), event.schema_version),
                ("CounterpartJoined", 1)
            );
            assert_eq!(event.payload.get(), format!(r#"{{"nm":"Counterpart {position}"}}"#));
        }
        assert_eq!(events[2].event_type, "Happened");
    };
    let counterpart = stream("counterpart-1");
    check(&store.read_stream(&counterpart, 1, 10).await.unwrap());
    check(&store.read_all(1, 10).await.unwrap());
    let streamed: Vec<_> = store.stream_all(1).try_collect().await.unwrap();
    check(&streamed);
    check(
        &store
            .read_range_of_types(1, 3, &["CounterpartJoined", "Happened"])
            .await
            .unwrap(),
    );
    check(&store.read_streams(std::slice::from_ref(&counterpart), 3).await.unwrap());
    check(
        &store
            .read_streams_occurred_before(std::slice::from_ref(&counterpart), 3, at("2014-01-01T00:00:00Z"))
            .await
            .unwrap(),
    );
    assert_eq!(store.verify().await.unwrap().events, 3);
}

/// Verify names the first position whose bytes were changed, and the position after a deletion.
pub async fn verify_detects_tampering<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    store.append(request("s", ExpectedVersion::NoStream, 5)).await.unwrap();
    let verified = store.verify().await.unwrap();
    assert_eq!(verified.events, 5);
    assert_eq!(verified.head, store.head().await.unwrap().hash);

    let tampered = backend.fresh(fixed_options()).await;
    tampered
        .append(request("s", ExpectedVersion::NoStream, 5))
        .await
        .unwrap();
    let record = raw_record(&tampered, 3).await;
    backend
        .overwrite_record(&tampered, 3, record.replacen(r#""n":3"#, r#""n":4"#, 1))
        .await;
    let error = tampered.verify().await.unwrap_err();
    match error {
        Error::Chain(ChainError::HashMismatch { position, .. }) => assert_eq!(position, 3),
        other => panic!("expected a hash mismatch at 3, got {other}"),
    }

    let deleted = backend.fresh(fixed_options()).await;
    deleted
        .append(request("s", ExpectedVersion::NoStream, 5))
        .await
        .unwrap();
    backend.delete_raw(&deleted, 2).await;
    let error = deleted.verify().await.unwrap_err();
    match error {
        Error::Chain(chain) => {
            assert_eq!(chain, ChainError::Gap { expected: 2, found: 3 });
            assert!(chain.to_string().starts_with("position 3:"), "{chain}");
        }
        other => panic!("expected a gap, got {other}"),
    }
}

/// Verify compares every column stored beside a record with the record: a business time,
/// record time or event type changed around the record (reads filter on them) fails at its
/// position, though the chain and the tree are untouched.
pub async fn verify_compares_every_column_with_its_record<B: Backend>(backend: &B) {
    let cases = [
        (
            "UPDATE events SET occurred_at = occurred_at - 86400000000 WHERE position = 3",
            3,
            "occurred_at",
        ),
        (
            "UPDATE events SET recorded_at = recorded_at + 1 WHERE position = 4",
            4,
            "recorded_at",
        ),
        (
            "UPDATE events SET event_type = 'Forged' WHERE position = 2",
            2,
            "event_type",
        ),
    ];
    for (sql, at, column) in cases {
        let store = backend.fresh(fixed_options()).await;
        store.append(request("s", ExpectedVersion::NoStream, 5)).await.unwrap();
        backend.tamper(&store, sql).await;
        match store.verify().await.unwrap_err() {
            Error::Chain(ChainError::ColumnMismatch { position, field, .. }) => {
                assert_eq!((position, field), (at, column), "{sql}");
            }
            other => panic!("{sql}: expected a column mismatch at {at}, got {other}"),
        }
    }
}

/// Verify checks the log against every signed checkpoint kept with it and every one given:
/// rows cut from the end, a tail rewritten with its chain sealed again, and a forged row
/// inserted with everything after it sealed again each fail naming the checkpoint and the
/// positions between which the first difference lies; a kept checkpoint signed by another key
/// of its origin fails once that origin's key is given.
pub async fn verify_checks_kept_and_given_checkpoints<B: Backend>(backend: &B) {
    let signer = NoteSigner::from_seed("smes.example/log", [7; 32]).unwrap();
    let witnesses = Witnesses::new().with_key(signer.verifier());
    let kept_log = || async {
        let store = backend.fresh(fixed_options()).await;
        store.append(request("s", ExpectedVersion::NoStream, 8)).await.unwrap();
        for size in [5, 8] {
            keep_signed_checkpoint(&store, &signer, size).await;
        }
        store
    };

    let intact = kept_log().await;
    let verified = intact.verify_with(&witnesses).await.unwrap();
    assert_eq!(verified.chain.events, 8);
    assert_eq!(
        verified
            .checkpoints
            .iter()
            .map(|checkpoint| (checkpoint.size, checkpoint.signed_by.is_some()))
            .collect::<Vec<_>>(),
        [(5, true), (8, true)]
    );
    assert_eq!(
        intact.verify().await.unwrap().events,
        8,
        "without keys, the roots are still compared"
    );

    let cut = kept_log().await;
    backend.tamper(&cut, "DELETE FROM events WHERE position > 6").await;
    let error = cut.verify().await.unwrap_err();
    assert_checkpoint_failure(&error, 8, (6, 7));
    assert!(error.to_string().contains("positions 7 to 8"), "{error}");

    let rewritten = kept_log().await;
    let tail = stored_records(&rewritten, 7, 8).await;
    let forged_tail = tail
        .iter()
        .map(|record| record.replacen(r#""text":"event"#, r#""text":"forged"#, 1))
        .collect();
    reseal(backend, &rewritten, 7, forged_tail).await;
    assert_eq!(
        rewritten.head().await.unwrap().position,
        8,
        "the rewritten log looks whole"
    );
    assert_checkpoint_failure(&rewritten.verify().await.unwrap_err(), 8, (6, 8));

    // The same rewrite against a checkpoint held outside the database.
    let outside = kept_log().await;
    let note = checkpoint_note(&outside, &signer, 8).await;
    let tail = stored_records(&outside, 8, 8).await;
    reseal(
        backend,
        &outside,
        8,
        vec![tail[0].replacen(r#""text":"event"#, r#""text":"forged"#, 1)],
    )
    .await;
    let given = Witnesses::new()
        .with_key(signer.verifier())
        .with_checkpoint("checkpoint file held.txt", note);
    let error = outside.verify_with(&given).await.unwrap_err();
    assert_checkpoint_failure(&error, 8, (6, 8));

    let inserted = kept_log().await;
    let mut rows = stored_records(&inserted, 3, 8).await;
    let forged = rows[0]
        .replacen(r#""stream":"s","version":3"#, r#""stream":"forged","version":1"#, 1)
        .replacen(r#""type":"Happened""#, r#""type":"Forged""#, 1);
    assert_ne!(forged, rows[0]);
    rows.insert(0, forged);
    reseal(backend, &inserted, 3, rows).await;
    assert_eq!(inserted.head().await.unwrap().position, 9);
    let error = inserted.verify().await.unwrap_err();
    assert_checkpoint_failure(&error, 5, (1, 5));
    assert!(error.to_string().contains("from 1 to 5"), "{error}");

    let forger = NoteSigner::from_seed("smes.example/log", [9; 32]).unwrap();
    let falsely_signed = backend.fresh(fixed_options()).await;
    falsely_signed
        .append(request("s", ExpectedVersion::NoStream, 3))
        .await
        .unwrap();
    keep_signed_checkpoint(&falsely_signed, &forger, 3).await;
    assert_eq!(falsely_signed.verify().await.unwrap().events, 3);
    let error = falsely_signed.verify_with(&witnesses).await.unwrap_err();
    assert!(
        matches!(&error, Error::Checkpoint { size: 3, detail, .. } if detail.contains("signature")),
        "{error}"
    );
}

/// The right edge of the tree, the last events no stored Merkle node covers, is checked by the
/// checkpoints: rewriting the last 21 of 300 events and sealing them again fails against a kept
/// checkpoint, naming the range after the last checkpoint the log still contains.
pub async fn verify_covers_the_right_edge_with_checkpoints<B: Backend>(backend: &B) {
    let signer = NoteSigner::from_seed("smes.example/log", [7; 32]).unwrap();
    let store = backend.fresh(fixed_options()).await;
    store
        .append(request("s", ExpectedVersion::NoStream, 300))
        .await
        .unwrap();
    for size in [279, 300] {
        keep_signed_checkpoint(&store, &signer, size).await;
    }
    store.verify().await.unwrap();
    let tail = stored_records(&store, 280, 300).await;
    let forged = tail
        .iter()
        .map(|record| record.replacen(r#""text":"event"#, r#""text":"forged"#, 1))
        .collect();
    reseal(backend, &store, 280, forged).await;
    let error = store.verify().await.unwrap_err();
    assert_checkpoint_failure(&error, 300, (280, 300));
}

fn assert_checkpoint_failure(error: &Error, at_size: u64, first_difference: (u64, u64)) {
    match error {
        Error::Checkpoint { size, positions, .. } => {
            assert_eq!((*size, *positions), (at_size, Some(first_difference)), "{error}");
            assert!(error.to_string().contains(&format!("at size {at_size}")), "{error}");
        }
        other => panic!("expected the checkpoint at size {at_size} to fail, got {other}"),
    }
}

async fn checkpoint_note<S: EventStore>(store: &S, signer: &NoteSigner, size: u64) -> String {
    let head = store.tree_head(Some(size)).await.unwrap();
    Checkpoint {
        origin: signer.name().to_owned(),
        size,
        root: head.root,
    }
    .sign(signer)
    .unwrap()
}

async fn keep_signed_checkpoint<S: EventStore>(store: &S, signer: &NoteSigner, size: u64) {
    let note = checkpoint_note(store, signer, size).await;
    assert!(store.store_checkpoint(signer.name(), size, &note).await.unwrap());
}

async fn stored_records<S: EventStore>(store: &S, first: u64, last: u64) -> Vec<String> {
    let mut records = Vec::new();
    for position in first..=last {
        records.push(store.stored_record(position).await.unwrap().expect("a stored record"));
    }
    records
}

/// Replaces the log from position `from` on with `records`, as someone holding the database
/// would: each gets its position and the previous record's hash, is hashed again and written
/// with its columns, so that the chain is whole again.
async fn reseal<B: Backend>(backend: &B, store: &B::Store, from: u64, records: Vec<String>) {
    let mut prev_hash = match from {
        1 => smes_verify::GENESIS_HASH,
        _ => store.read_all(from - 1, 1).await.unwrap()[0].hash,
    };
    backend
        .tamper(store, &format!("DELETE FROM events WHERE position >= {from}"))
        .await;
    for (position, text) in (from..).zip(records) {
        let mut record = EventRecord::decode(&text).unwrap();
        record.position = position;
        let prev_hash_hex = hex::encode(prev_hash);
        record.prev_hash = prev_hash_hex.as_str().into();
        let sealed = record.encode();
        let micros = |time: &str| crate::codec::parse_time(time).unwrap().as_microsecond();
        let row = RawRow {
            position,
            stream: record.stream.to_string(),
            version: record.version,
            event_type: record.event_type.to_string(),
            occurred_at_micros: micros(&record.occurred_at),
            recorded_at_micros: micros(&record.recorded_at),
            hash: record_hash(sealed.as_bytes()),
            record: sealed,
        };
        prev_hash = row.hash;
        backend.insert_raw(store, row).await;
    }
}

async fn raw_record<S: EventStore>(store: &S, position: u64) -> String {
    // Rebuild the stored record from what the store reads back (every read gives the payload as
    // stored).
    let event = store.read_all(position, 1).await.unwrap().remove(0);
    let metadata = &event.metadata;
    EventRecord {
        format: RECORD_FORMAT,
        position: event.position,
        stream: event.stream.as_str().into(),
        version: event.version,
        id: event.event_id.to_string().into(),
        event_type: event.event_type.as_str().into(),
        schema_version: event.schema_version,
        occurred_at: crate::codec::format_micros(event.occurred_at.as_microsecond()).into(),
        recorded_at: crate::codec::format_micros(event.recorded_at.as_microsecond()).into(),
        metadata: RecordMetadata {
            actor: metadata.actor.as_str().into(),
            role: metadata.role.as_str().into(),
            command_id: metadata.command_id.map(|id| id.to_string().into()),
            correlation_id: metadata.correlation_id.map(|id| id.to_string().into()),
            causation_id: metadata.causation_id.map(|id| id.to_string().into()),
            reason: metadata.reason.as_deref().map(Into::into),
            source: metadata.source.as_str().into(),
        },
        payload: &serde_json::value::RawValue::from_string(event.payload.get().to_owned()).unwrap(),
        prev_hash: hex::encode(event.prev_hash).into(),
    }
    .encode()
}

/// The stored record is exactly what was hashed: its SHA-256 is the event's hash, and it is the
/// canonical encoding of what was read.
pub async fn stored_bytes_are_the_hashed_bytes<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    let mut req = request("s", ExpectedVersion::NoStream, 1);
    req.metadata = req
        .metadata
        .with_command_id(Uuid::from_u128(7))
        .with_reason("approved by Decision N° 5");
    req.metadata.correlation_id = Some(Uuid::from_u128(8));
    store.append(req).await.unwrap();
    let event = store.read_all(1, 1).await.unwrap().remove(0);
    let stored = store.stored_record(1).await.unwrap().expect("a record at position 1");
    assert_eq!(record_hash(stored.as_bytes()), event.hash);
    assert_eq!(stored, raw_record(&store, 1).await);
    assert!(store.stored_record(2).await.unwrap().is_none());
}

/// The events table refuses UPDATE and DELETE from ordinary clients.
pub async fn updates_and_deletes_are_refused<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    store.append(request("s", ExpectedVersion::NoStream, 2)).await.unwrap();
    let (update, delete) = backend.try_update_and_delete(&store).await;
    let update = update.expect("UPDATE must fail");
    let delete = delete.expect("DELETE must fail");
    assert!(update.contains("append-only"), "{update}");
    assert!(delete.contains("append-only"), "{delete}");
    assert_eq!(store.verify().await.unwrap().events, 2);
}

/// Bad input is refused with the field named, and nothing is written.
pub async fn bad_input_is_refused<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    store.append(request("s", ExpectedVersion::NoStream, 1)).await.unwrap();
    let head_before = store.head().await.unwrap();
    let metadata = || Metadata::new("actor-1", "secretariat", "test");
    let with_event = |event: NewEvent| AppendRequest::new(stream("s"), ExpectedVersion::Any, vec![event], metadata());
    let when = at("2013-03-01T00:00:00Z");
    let cases: Vec<(AppendRequest, &str)> = vec![
        (
            with_event(NewEvent::new("Happened", 1, "{\"a\":", when)),
            "events[0].payload",
        ),
        (
            with_event(NewEvent::new("Happened", 1, "\"text\"", when)),
            "events[0].payload",
        ),
        (with_event(NewEvent::new("", 1, "{}", when)), "events[0].event_type"),
        (
            with_event(NewEvent::new("Has space", 1, "{}", when)),
            "events[0].event_type",
        ),
        (
            with_event(NewEvent::new("Happened", 0, "{}", when)),
            "events[0].schema_version",
        ),
        (
            with_event(NewEvent::new(
                "Happened",
                1,
                format!(r#"{{"big":"{}"}}"#, "x".repeat(1024 * 1024)),
                when,
            )),
            "events[0].payload",
        ),
        (
            with_event(NewEvent::new("Happened", 1, "{}", at("0900-01-01T00:00:00Z"))),
            "events[0].occurred_at",
        ),
        (
            AppendRequest::new(stream("s"), ExpectedVersion::Any, vec![], metadata()),
            "events",
        ),
        (
            AppendRequest::new(
                stream("s"),
                ExpectedVersion::Any,
                vec![event(1)],
                Metadata::new("", "secretariat", "test"),
            ),
            "actor",
        ),
        (
            AppendRequest::new(
                stream("s"),
                ExpectedVersion::Any,
                (0..100_001).map(event).collect(),
                metadata(),
            ),
            "events",
        ),
    ];
    for (request, field) in cases {
        match store.append(request).await {
            Err(Error::InvalidInput(invalid)) => assert_eq!(invalid.field, field, "{invalid}"),
            other => panic!("expected invalid input in {field}, got {other:?}"),
        }
    }
    assert!(StreamName::new("").is_err());
    assert!(StreamName::new(" padded").is_err());
    assert!(StreamName::new("x".repeat(201)).is_err());
    assert!(StreamName::new("line\nbreak").is_err());
    assert_eq!(store.head().await.unwrap(), head_before, "nothing was written");
    store.verify().await.unwrap();
}

/// Record time never goes backwards, even when the clock does.
pub async fn record_time_never_decreases<B: Backend>(backend: &B) {
    let clock = Arc::new(SteppingClock::new(at("2020-01-01T00:00:00Z"), SignedDuration::ZERO));
    let options = StoreOptions {
        clock: clock.clone(),
        ..fixed_options()
    };
    let store = backend.fresh(options).await;
    store.append(request("s", ExpectedVersion::Any, 1)).await.unwrap();
    clock.set(at("2019-06-01T00:00:00Z"));
    let outcome = store.append(request("s", ExpectedVersion::Any, 1)).await.unwrap();
    assert_eq!(outcome.recorded_at, at("2020-01-01T00:00:00Z"));
    store.verify().await.unwrap();
}

/// Tree heads at any size, inclusion proofs of any event and consistency proofs between any two
/// sizes verify against the RFC 6962 tree over the events' hashes.
pub async fn merkle_tree_heads_and_proofs<B: Backend>(backend: &B) {
    use smes_verify::merkle::{leaf_hash, merkle_root};
    let store = backend.fresh(fixed_options()).await;
    assert_eq!(
        store.tree_head(None).await.unwrap().root,
        smes_verify::merkle::empty_root()
    );
    // 700 events: several stored subtrees (256 and 512 leaves) and a ragged right edge.
    for i in 0..7 {
        store
            .append(request(&format!("s-{i}"), ExpectedVersion::Any, 100))
            .await
            .unwrap();
    }
    let events = store.read_all(1, 1000).await.unwrap();
    let leaves: Vec<_> = events.iter().map(|event| leaf_hash(&event.hash)).collect();
    let head = store.tree_head(None).await.unwrap();
    assert_eq!(head.size, 700);
    assert_eq!(head.root, merkle_root(&leaves));
    let sizes = [1u64, 2, 3, 255, 256, 257, 300, 511, 512, 513, 699, 700];
    for &size in &sizes {
        let tree = store.tree_head(Some(size)).await.unwrap();
        assert_eq!(tree.root, merkle_root(&leaves[..size as usize]), "root at {size}");
        for position in [1, size / 2 + 1, size] {
            let proof = store.inclusion_proof(position, size).await.unwrap();
            smes_verify::verify_inclusion(&leaves[position as usize - 1], position - 1, size, &proof, &tree.root)
                .unwrap_or_else(|error| panic!("inclusion of {position} in {size}: {error}"));
        }
        for &old in sizes.iter().filter(|&&old| old <= size) {
            let old_tree = store.tree_head(Some(old)).await.unwrap();
            let proof = store.consistency_proof(old, size).await.unwrap();
            smes_verify::verify_consistency(old, size, &old_tree.root, &tree.root, &proof)
                .unwrap_or_else(|error| panic!("consistency {old} → {size}: {error}"));
        }
    }
    assert!(matches!(
        store.tree_head(Some(701)).await,
        Err(Error::BeyondHead { .. })
    ));
    assert!(matches!(
        store.inclusion_proof(0, 10).await,
        Err(Error::BeyondHead { .. })
    ));
    assert!(matches!(
        store.inclusion_proof(11, 10).await,
        Err(Error::BeyondHead { .. })
    ));
    assert!(matches!(
        store.consistency_proof(5, 701).await,
        Err(Error::BeyondHead { .. })
    ));
    assert!(matches!(store.consistency_proof(6, 5).await, Err(Error::Proof(_))));
    store.verify().await.unwrap();
}

/// An empty log verifies as zero events with the genesis head.
pub async fn empty_log_verifies<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    let verified = store.verify().await.unwrap();
    assert_eq!(verified.events, 0);
    assert_eq!(hex::encode(verified.head), GENESIS_HASH_HEX);
    assert_eq!(store.head().await.unwrap().position, 0);
    assert!(store.read_all(1, 10).await.unwrap().is_empty());
}

/// The position and hash of the event at `position`, as an extend or a build is given them.
async fn through<S: EventStore>(store: &S, position: u64) -> (u64, smes_verify::Hash) {
    let event = store.read_all(position, 1).await.unwrap().remove(0);
    assert_eq!(event.position, position);
    (position, event.hash)
}

fn names(nodes: &[&str]) -> Vec<String> {
    nodes.iter().map(|node| (*node).to_owned()).collect()
}

/// Signed checkpoints are kept once each, listed by tree size, and refused beyond the head.
pub async fn checkpoints_are_kept_once<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    assert_eq!(store.checkpoints().await.unwrap(), []);
    store.append(request("s", ExpectedVersion::NoStream, 3)).await.unwrap();
    assert!(
        store
            .store_checkpoint("smes.example/log", 3, "note at 3")
            .await
            .unwrap()
    );
    assert!(
        !store
            .store_checkpoint("smes.example/log", 3, "note at 3")
            .await
            .unwrap()
    );
    assert!(
        store
            .store_checkpoint("smes.example/log", 1, "note at 1")
            .await
            .unwrap()
    );
    let kept = store.checkpoints().await.unwrap();
    assert_eq!(
        kept.iter()
            .map(|checkpoint| (
                checkpoint.origin.as_str(),
                checkpoint.tree_size,
                checkpoint.note.as_str()
            ))
            .collect::<Vec<_>>(),
        [
            ("smes.example/log", 1, "note at 1"),
            ("smes.example/log", 3, "note at 3")
        ]
    );
    assert!(
        kept.iter()
            .all(|checkpoint| checkpoint.stored_at > jiff::Timestamp::UNIX_EPOCH)
    );
    assert!(matches!(
        store.store_checkpoint("smes.example/log", 4, "too far").await,
        Err(Error::BeyondHead { value: 4, head: 3, .. })
    ));
    assert_eq!(store.checkpoints().await.unwrap(), kept, "a refusal keeps nothing");
}

/// The link index: no head at first; a first extend makes a generation live; `links_from` is
/// sorted, filtered by nodes and by position, keeps each link's first position, answers `None`
/// beyond the head, and takes thousands of nodes; the head survives reopening.
pub async fn link_index_extends_and_reads<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    assert_eq!(store.link_index_head().await.unwrap(), None);
    assert_eq!(store.links_from(&names(&["a"]), 0).await.unwrap(), None);
    store.append(request("s", ExpectedVersion::NoStream, 10)).await.unwrap();

    let mut links = vec![
        Link::new("b", "z", 4),
        Link::new("a", "y", 3),
        Link::new("a", "x", 1),
        Link::new("c", "w", 2),
    ];
    // 1,200 more nodes: lists of nodes are looked up in chunks.
    links.extend((0..1200).map(|i| Link::new(format!("node-{i:04}"), "target", 1 + i % 4)));
    let head = store
        .extend_link_index(None, through(&store, 4).await, links)
        .await
        .unwrap()
        .expect("nothing was live: the extend creates the first generation");
    assert!(head.generation >= 1);
    assert_eq!((head.position, head.hash), through(&store, 4).await);
    assert_eq!(store.link_index_head().await.unwrap(), Some(head));

    assert_eq!(
        store.links_from(&names(&["b", "a", "a"]), 4).await.unwrap(),
        Some(vec![
            Link::new("a", "x", 1),
            Link::new("a", "y", 3),
            Link::new("b", "z", 4)
        ])
    );
    assert_eq!(
        store.links_from(&names(&["a", "c"]), 2).await.unwrap(),
        Some(vec![Link::new("a", "x", 1), Link::new("c", "w", 2)])
    );
    assert_eq!(store.links_from(&names(&["unknown"]), 4).await.unwrap(), Some(vec![]));
    assert_eq!(store.links_from(&[], 4).await.unwrap(), Some(vec![]));
    assert_eq!(
        store.links_from(&names(&["a"]), 5).await.unwrap(),
        None,
        "beyond the head"
    );
    let many: Vec<String> = (0..3000).map(|i| format!("node-{i:04}")).collect();
    let found = store.links_from(&many, 2).await.unwrap().unwrap();
    let expected: Vec<Link> = (0..1200)
        .filter(|i| i % 4 < 2)
        .map(|i| Link::new(format!("node-{i:04}"), "target", 1 + i % 4))
        .collect();
    assert_eq!(found, expected);

    let later = store
        .extend_link_index(
            Some(head),
            through(&store, 8).await,
            vec![
                Link::new("a", "x", 7),
                Link::new("a", "v", 6),
                Link::new("d", "e", 8),
                Link::new("a", "y", 2),
                Link::new("d", "e", 5),
            ],
        )
        .await
        .unwrap()
        .expect("the head was as expected");
    assert_eq!(
        later.generation, head.generation,
        "an extend stays in the live generation"
    );
    assert_eq!(later.position, 8);
    assert_eq!(
        store.links_from(&names(&["a", "d"]), 8).await.unwrap(),
        Some(vec![
            Link::new("a", "v", 6),
            Link::new("a", "x", 1),
            Link::new("a", "y", 2),
            Link::new("d", "e", 5),
        ]),
        "each link keeps the first position it was asserted at"
    );
    assert_eq!(
        store.links_from(&names(&["a", "d"]), 5).await.unwrap(),
        Some(vec![
            Link::new("a", "x", 1),
            Link::new("a", "y", 2),
            Link::new("d", "e", 5)
        ])
    );
    assert!(matches!(
        store
            .extend_link_index(Some(later), through(&store, 7).await, vec![])
            .await,
        Err(Error::LinkIndex { .. })
    ));
    // Extending through the same position (nothing new in the log) is fine.
    let same = store
        .extend_link_index(Some(later), through(&store, 8).await, vec![])
        .await
        .unwrap();
    assert_eq!(same, Some(later));

    let reopened = backend.reopen(&store, fixed_options()).await;
    assert_eq!(reopened.link_index_head().await.unwrap(), Some(later));
    assert_eq!(
        reopened.links_from(&names(&["d"]), 8).await.unwrap(),
        Some(vec![Link::new("d", "e", 5)])
    );
}

/// An extend that expects a head other than the live one writes nothing and answers `None`;
/// of several extenders racing from the same head, exactly one wins, also for the first one.
pub async fn stale_link_index_heads_write_nothing<B: Backend>(backend: &B) {
    const RACERS: usize = 8;
    let store = Arc::new(backend.fresh(fixed_options()).await);
    store.append(request("s", ExpectedVersion::NoStream, 3)).await.unwrap();
    let (one, two) = (through(&*store, 1).await, through(&*store, 2).await);

    // Racing to create the first generation.
    let racers: Vec<_> = (0..RACERS)
        .map(|racer| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .extend_link_index(None, one, vec![Link::new(format!("first-{racer}"), "t", 1)])
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut winners = Vec::new();
    for (racer, handle) in racers.into_iter().enumerate() {
        if let Some(head) = handle.await.unwrap() {
            winners.push((racer, head));
        }
    }
    assert_eq!(winners.len(), 1, "exactly one first extend wins: {winners:?}");
    let (winner, head) = winners[0];
    let firsts: Vec<String> = (0..RACERS).map(|racer| format!("first-{racer}")).collect();
    assert_eq!(
        store.links_from(&firsts, 1).await.unwrap(),
        Some(vec![Link::new(format!("first-{winner}"), "t", 1)])
    );

    // Stale: no generation expected, another position, another generation.
    assert_eq!(
        store
            .extend_link_index(None, two, vec![Link::new("x", "y", 2)])
            .await
            .unwrap(),
        None
    );
    for stale in [
        LinkIndexHead { position: 0, ..head },
        LinkIndexHead {
            generation: head.generation + 1,
            ..head
        },
    ] {
        assert_eq!(
            store
                .extend_link_index(Some(stale), two, vec![Link::new("x", "y", 2)])
                .await
                .unwrap(),
            None
        );
    }
    assert_eq!(
        store.link_index_head().await.unwrap(),
        Some(head),
        "nothing was written"
    );
    assert_eq!(store.links_from(&names(&["x"]), 1).await.unwrap(), Some(vec![]));

    // Racing from the live head.
    let racers: Vec<_> = (0..RACERS)
        .map(|racer| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .extend_link_index(Some(head), two, vec![Link::new(format!("racer-{racer}"), "t", 2)])
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut winners = Vec::new();
    for (racer, handle) in racers.into_iter().enumerate() {
        if let Some(head) = handle.await.unwrap() {
            winners.push((racer, head));
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one extend from the same head wins: {winners:?}"
    );
    let (winner, moved) = winners[0];
    assert_eq!((moved.generation, moved.position), (head.generation, 2));
    let racing: Vec<String> = (0..RACERS).map(|racer| format!("racer-{racer}")).collect();
    assert_eq!(
        store.links_from(&racing, 2).await.unwrap(),
        Some(vec![Link::new(format!("racer-{winner}"), "t", 2)])
    );
    assert_eq!(store.link_index_head().await.unwrap(), Some(moved));
}

/// A new generation is built beside the live one and swapped in: a reader looping meanwhile
/// always gets exactly the old generation's answer or the new one's; the old rows are gone
/// afterwards; an unfinished build's rows are gone after the next begin; the live generation,
/// a superseded build and a generation never begun cannot be written.
pub async fn link_index_rebuilt_beside_and_swapped<B: Backend>(backend: &B) {
    const NODES: usize = 60;
    let store = Arc::new(backend.fresh(fixed_options()).await);
    store.append(request("s", ExpectedVersion::NoStream, 12)).await.unwrap();
    let nodes: Vec<String> = (0..NODES).map(|i| format!("node-{i:02}")).collect();
    let old_links: Vec<Link> = (0..NODES)
        .map(|i| Link::new(nodes[i].clone(), format!("old-{i}"), 1 + (i as u64) % 10))
        .collect();
    let new_links: Vec<Link> = (0..NODES)
        .flat_map(|i| {
            [
                Link::new(nodes[i].clone(), format!("new-{i}"), 1 + (i as u64 * 7) % 10),
                Link::new(nodes[i].clone(), format!("new-{i}-b"), 10),
            ]
        })
        .collect();
    let old = store
        .extend_link_index(None, through(&*store, 10).await, old_links.clone())
        .await
        .unwrap()
        .unwrap();
    let old_answer = Some(crate::links::first_positions(old_links.clone()));
    let new_answer = Some(crate::links::first_positions(new_links.clone()));

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reader = {
        let (store, stop, nodes) = (Arc::clone(&store), Arc::clone(&stop), nodes.clone());
        let reads = Arc::clone(&reads);
        let (old_answer, new_answer) = (old_answer.clone(), new_answer.clone());
        tokio::spawn(async move {
            let (mut olds, mut news) = (0usize, 0usize);
            loop {
                let stopping = stop.load(std::sync::atomic::Ordering::SeqCst);
                let answer = store.links_from(&nodes, 10).await.unwrap();
                reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if answer == old_answer {
                    assert_eq!(news, 0, "the old generation came back after the new one");
                    olds += 1;
                } else if answer == new_answer {
                    news += 1;
                } else {
                    panic!("a reader saw neither the old generation nor the new one: {answer:?}");
                }
                if stopping {
                    return (olds, news);
                }
                tokio::task::yield_now().await;
            }
        })
    };

    // The reader has read the old generation before the build begins.
    while reads.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let generation = store.begin_link_index_build().await.unwrap();
    assert!(generation > old.generation);
    for chunk in new_links.chunks(25) {
        store.write_link_generation(generation, chunk.to_vec()).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(store.link_index_head().await.unwrap(), Some(old), "a build is not live");
    assert_eq!(store.links_from(&nodes, 10).await.unwrap(), old_answer);
    let swapped = store
        .finish_link_index_build(generation, through(&*store, 11).await)
        .await
        .unwrap();
    assert_eq!((swapped.generation, swapped.position), (generation, 11));
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (olds, news) = reader.await.unwrap();
    assert!(
        olds > 0 && news > 0,
        "the reader saw both generations ({olds} old, {news} new)"
    );
    assert_eq!(store.link_index_head().await.unwrap(), Some(swapped));
    assert_eq!(store.links_from(&nodes, 10).await.unwrap(), new_answer);
    let rows = backend.link_rows(&store).await;
    assert_eq!(rows.len(), new_links.len());
    assert!(
        rows.iter().all(|row| row.0 == generation),
        "the old generation's rows are gone"
    );

    // An extend from the old head is stale now.
    assert_eq!(
        store
            .extend_link_index(Some(old), through(&*store, 12).await, vec![])
            .await
            .unwrap(),
        None
    );
    // The live generation, and generations never begun, are refused.
    for refused in [generation, generation + 1, 0] {
        assert!(
            matches!(
                store.write_link_generation(refused, vec![Link::new("x", "y", 1)]).await,
                Err(Error::LinkIndex { .. })
            ),
            "writing generation {refused}"
        );
    }
    assert!(matches!(
        store
            .finish_link_index_build(generation, through(&*store, 12).await)
            .await,
        Err(Error::LinkIndex { .. })
    ));

    // An unfinished build leaves rows; the next begin deletes them and supersedes it.
    let unfinished = store.begin_link_index_build().await.unwrap();
    store
        .write_link_generation(unfinished, vec![Link::new("node-00", "half", 1)])
        .await
        .unwrap();
    assert!(backend.link_rows(&store).await.iter().any(|row| row.0 == unfinished));
    assert_eq!(
        store.links_from(&nodes, 10).await.unwrap(),
        new_answer,
        "a build is not read"
    );
    let next = store.begin_link_index_build().await.unwrap();
    assert!(next > unfinished);
    let rows = backend.link_rows(&store).await;
    assert_eq!(rows.len(), new_links.len());
    assert!(
        rows.iter().all(|row| row.0 == generation),
        "the unfinished build's rows are gone"
    );
    assert!(matches!(
        store.write_link_generation(unfinished, vec![]).await,
        Err(Error::LinkIndex { .. })
    ));
    assert!(matches!(
        store
            .finish_link_index_build(unfinished, through(&*store, 12).await)
            .await,
        Err(Error::LinkIndex { .. })
    ));
    // An empty build swapped in answers with nothing.
    let empty = store
        .finish_link_index_build(next, through(&*store, 12).await)
        .await
        .unwrap();
    assert_eq!(store.links_from(&nodes, 12).await.unwrap(), Some(vec![]));
    assert_eq!(store.link_index_head().await.unwrap(), Some(empty));
    assert!(backend.link_rows(&store).await.is_empty());
}

/// Reading a range of positions for some event types only: exactly the events of the range
/// whose type is listed, in order, as stored; nothing for no types or an empty range.
pub async fn reading_a_range_for_some_event_types<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    let types = ["Kept", "Skipped", "Other"];
    for n in 0..30u64 {
        let event_type = types[(n % 3) as usize];
        let event = NewEvent::new(event_type, 1, format!(r#"{{"n":{n}}}"#), at("2013-03-01T00:00:00Z"));
        store
            .append(AppendRequest::new(
                stream(&format!("stream-{}", n % 4)),
                ExpectedVersion::Any,
                vec![event],
                Metadata::new("actor-1", "secretariat", "test"),
            ))
            .await
            .expect("the append succeeds");
    }
    let all = store.read_all(1, 100).await.expect("the log reads");
    let wanted = |first: u64, last: u64, kinds: &[&str]| -> Vec<crate::RecordedEvent> {
        all.iter()
            .filter(|event| {
                event.position >= first && event.position <= last && kinds.contains(&event.event_type.as_str())
            })
            .cloned()
            .collect()
    };
    for (first, last, kinds) in [
        (1, 30, &["Kept"][..]),
        (4, 17, &["Kept", "Other"][..]),
        (10, 10, &["Skipped"][..]),
        (10, 10, &["Kept"][..]),
        (25, 99, &["Other", "Kept"][..]),
        (12, 11, &["Kept"][..]),
        (1, 30, &[][..]),
        (1, 30, &["Unknown"][..]),
    ] {
        let found = store
            .read_range_of_types(first, last, kinds)
            .await
            .expect("the range reads");
        let facts = |events: Vec<crate::RecordedEvent>| -> Vec<(u64, String, String)> {
            events
                .into_iter()
                .map(|event| (event.position, event.event_type, event.payload.get().to_owned()))
                .collect()
        };
        assert_eq!(
            facts(found),
            facts(wanted(first, last, kinds)),
            "positions {first}..={last}, types {kinds:?}"
        );
    }
    let kept = store
        .read_range_of_types(1, 30, &["Kept"])
        .await
        .expect("the range reads");
    assert_eq!(kept.len(), 10);
    assert!(
        kept.iter()
            .all(|event| event.schema_version == 1 && event.payload.get().starts_with(r#"{"n":"#)),
        "as stored, like every read"
    );
}

/// `read_streams` reads several interleaved streams up to a position, in position order, each
/// stream once however often it is named, unknown streams giving nothing, as stored like every
/// other read.
pub async fn read_streams_in_position_order<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    for (name, count) in [("a", 2), ("b", 1), ("c", 3), ("a", 1), ("b", 2), ("c", 1), ("a", 2)] {
        store.append(request(name, ExpectedVersion::Any, count)).await.unwrap();
    }
    // Positions: a 1-2, b 3, c 4-6, a 7, b 8-9, c 10, a 11-12.
    let positions = |events: &[crate::RecordedEvent]| events.iter().map(|event| event.position).collect::<Vec<_>>();
    let ab = store
        .read_streams(&[stream("b"), stream("a"), stream("b")], 100)
        .await
        .unwrap();
    assert_eq!(positions(&ab), [1, 2, 3, 7, 8, 9, 11, 12]);
    let versions: Vec<_> = ab.iter().map(|event| (event.stream.clone(), event.version)).collect();
    assert_eq!(
        versions[..4],
        [("a".into(), 1), ("a".into(), 2), ("b".into(), 1), ("a".into(), 3)]
    );
    for event in &ab {
        assert_eq!(event.schema_version, 1);
        assert!(event.payload.get().starts_with(r#"{"n":"#), "{}", event.payload);
    }
    let key = |events: &[crate::RecordedEvent]| {
        events
            .iter()
            .map(|event| (event.position, event.hash, event.payload.get().to_owned()))
            .collect::<Vec<_>>()
    };
    let mut expected = store.read_stream(&stream("a"), 1, 100).await.unwrap();
    expected.extend(store.read_stream(&stream("b"), 1, 100).await.unwrap());
    expected.sort_by_key(|event| event.position);
    assert_eq!(key(&ab), key(&expected), "the same events as read stream by stream");
    assert_eq!(
        positions(&store.read_streams(&[stream("c"), stream("a")], 7).await.unwrap()),
        [1, 2, 4, 5, 6, 7]
    );
    assert!(store.read_streams(&[stream("unknown")], 100).await.unwrap().is_empty());
    assert_eq!(
        positions(
            &store
                .read_streams(&[stream("unknown"), stream("c")], 100)
                .await
                .unwrap()
        ),
        [4, 5, 6, 10]
    );
    assert!(store.read_streams(&[stream("a")], 0).await.unwrap().is_empty());
    assert!(store.read_streams(&[], 100).await.unwrap().is_empty());
}

/// `read_streams` and `read_streams_occurred_before` of hundreds of streams (enough for a
/// backend to split the read between connections) give exactly what filtering the whole log
/// gives, in position order: every stream named once or twice, some unknown, cut at a position
/// and at a business time.
pub async fn read_many_streams_as_the_whole_log<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    // 300 streams of unequal lengths, appended interleaved, business times out of order.
    let mut requests = Vec::new();
    for index in 0..900u64 {
        let name = format!("s-{:03}", (index * 7) % 300 + index % 3);
        let day = 1 + (index * 13) % 28;
        let event = NewEvent::new(
            "Happened",
            1,
            format!(r#"{{"n":{index}}}"#),
            at(&format!("2013-02-{day:02}T12:00:00Z")),
        );
        requests.push(AppendRequest::new(
            stream(&name),
            ExpectedVersion::Any,
            vec![event],
            Metadata::new("actor-1", "secretariat", "test"),
        ));
    }
    for chunk in requests.chunks(100) {
        for outcome in store.append_batch(chunk.to_vec()).await.unwrap() {
            outcome.unwrap();
        }
    }
    let all = store.read_all(1, 10_000).await.unwrap();
    assert_eq!(all.len(), 900);
    let key = |events: &[&crate::RecordedEvent]| {
        events
            .iter()
            .map(|event| (event.position, event.stream.clone(), event.version, event.hash))
            .collect::<Vec<_>>()
    };
    // Named in descending order, every third twice, with unknown streams among them.
    let mut names: Vec<StreamName> = Vec::new();
    for index in (0..302u64).rev() {
        if index % 5 == 4 {
            continue;
        }
        names.push(stream(&format!("s-{index:03}")));
        if index % 3 == 0 {
            names.push(stream(&format!("s-{index:03}")));
            names.push(stream(&format!("unknown-{index}")));
        }
    }
    let wanted = |event: &&crate::RecordedEvent| names.iter().any(|name| name.as_str() == event.stream);
    for up_to in [900, 451, 1] {
        let expected: Vec<_> = all
            .iter()
            .filter(|event| event.position <= up_to)
            .filter(wanted)
            .collect();
        let read = store.read_streams(&names, up_to).await.unwrap();
        assert_eq!(key(&read.iter().collect::<Vec<_>>()), key(&expected), "up to {up_to}");
        let before = at("2013-02-15T00:00:00Z");
        let expected: Vec<_> = expected
            .into_iter()
            .filter(|event| event.occurred_at < before)
            .collect();
        let read = store.read_streams_occurred_before(&names, up_to, before).await.unwrap();
        assert_eq!(
            key(&read.iter().collect::<Vec<_>>()),
            key(&expected),
            "up to {up_to}, before the 15th"
        );
    }
}

/// `read_streams_occurred_before` keeps, of what `read_streams` gives, exactly the events whose
/// business time is before the bound (to the microsecond), in position order, as stored like
/// every other read.
pub async fn read_streams_before_a_business_time<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    // Business times out of order along the log, as back-dated events are.
    let days = [5, 1, 3, 2, 4, 1, 5, 3, 2];
    for (index, day) in days.iter().enumerate() {
        let name = ["a", "b", "c"][index % 3];
        let event = NewEvent::new(
            "Happened",
            1,
            format!(r#"{{"n":{index}}}"#),
            at(&format!("2013-03-0{day}T12:00:00.000001Z")),
        );
        store
            .append(AppendRequest::new(
                stream(name),
                ExpectedVersion::Any,
                vec![event],
                Metadata::new("actor-1", "secretariat", "test"),
            ))
            .await
            .unwrap();
    }
    let positions = |events: &[crate::RecordedEvent]| events.iter().map(|event| event.position).collect::<Vec<_>>();
    let all = store.read_streams(&[stream("a"), stream("c")], 100).await.unwrap();
    for bound in [
        "2013-03-01T00:00:00Z",
        "2013-03-02T12:00:00.000001Z",
        "2013-03-02T12:00:00.0000011Z",
        "2013-03-03T12:00:00.000002Z",
        "2013-03-06T00:00:00Z",
    ] {
        let before = at(bound);
        let kept = store
            .read_streams_occurred_before(&[stream("c"), stream("a"), stream("c")], 100, before)
            .await
            .unwrap();
        let expected: Vec<_> = all.iter().filter(|event| event.occurred_at < before).collect();
        assert_eq!(
            positions(&kept),
            expected.iter().map(|event| event.position).collect::<Vec<_>>(),
            "before {bound}"
        );
        for event in &kept {
            assert_eq!(event.schema_version, 1);
            assert!(event.payload.get().starts_with(r#"{"n":"#), "{}", event.payload);
        }
    }
    // a: positions 1 (day 5), 4 (day 2), 7 (day 5); c: 3 (day 3), 6 (day 1), 9 (day 2).
    assert_eq!(
        positions(
            &store
                .read_streams_occurred_before(&[stream("a"), stream("c")], 100, at("2013-03-03T12:00:00.000001Z"))
                .await
                .unwrap()
        ),
        [4, 6, 9]
    );
    assert_eq!(
        positions(
            &store
                .read_streams_occurred_before(&[stream("a"), stream("c")], 6, at("2013-03-03T12:00:00.000002Z"))
                .await
                .unwrap()
        ),
        [3, 4, 6]
    );
    assert!(
        store
            .read_streams_occurred_before(&[stream("unknown")], 100, at("2014-01-01T00:00:00Z"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .read_streams_occurred_before(&[], 100, at("2014-01-01T00:00:00Z"))
            .await
            .unwrap()
            .is_empty()
    );
}

/// A projection lease has one holder at a time: refused to a second taker while held, whether
/// the same store asks or the log opened again (as another process would); granted again once
/// the holder lets it go, by release or by dropping it; names are independent; bad names are
/// refused.
pub async fn projection_leases_have_one_holder<B: Backend>(backend: &B) {
    let store = backend.fresh(fixed_options()).await;
    let other = backend.reopen(&store, fixed_options()).await;
    let mut held = store.try_lease("link-index").await.unwrap().expect("free at first");
    assert_eq!(held.name(), "link-index");
    held.check().await.unwrap();
    assert!(store.try_lease("link-index").await.unwrap().is_none(), "held: refused");
    assert!(
        other.try_lease("link-index").await.unwrap().is_none(),
        "held: refused elsewhere"
    );
    let another = other.try_lease("another").await.unwrap().expect("another name is free");

    held.release().await.unwrap();
    let taken = other
        .try_lease("link-index")
        .await
        .unwrap()
        .expect("released: granted at once");
    assert!(store.try_lease("link-index").await.unwrap().is_none());
    // Dropped: the holder's connection or file closes, and the lease is free once the database
    // server (or the kernel) has seen it close.
    drop(taken);
    let mut again = None;
    for _ in 0..500 {
        again = store.try_lease("link-index").await.unwrap();
        if again.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(again.is_some(), "a dropped lease is granted again");
    assert!(other.try_lease("another").await.unwrap().is_none());
    drop(another);

    for bad in ["", "Link-Index", "a/b", "x y", &"x".repeat(65)] {
        match store.try_lease(bad).await {
            Err(Error::InvalidInput(invalid)) => assert_eq!(invalid.field, "lease name"),
            other => panic!("lease name {bad:?}: expected a refusal, got {other:?}"),
        }
    }
}

/// Expands to one test per conformance case for the backend that `$backend` builds.
#[macro_export]
macro_rules! conformance_suite {
    ($backend:expr) => {
        $crate::conformance_suite!(@cases $backend;
            append_and_read_back,
            hashes_are_deterministic,
            version_conflicts,
            concurrent_appenders_one_winner_per_version,
            batch_results_are_independent,
            idempotent_command_ids,
            command_ids_bound_to_their_command,
            reads_from_any_position,
            streaming_while_appending_sees_a_gapless_prefix,
            old_versions_read_as_stored_on_every_read_path,
            verify_detects_tampering,
            verify_compares_every_column_with_its_record,
            verify_checks_kept_and_given_checkpoints,
            verify_covers_the_right_edge_with_checkpoints,
            stored_bytes_are_the_hashed_bytes,
            updates_and_deletes_are_refused,
            bad_input_is_refused,
            record_time_never_decreases,
            merkle_tree_heads_and_proofs,
            empty_log_verifies,
            copying_keeps_records_hashes_tree_and_commands,
            copying_refuses_what_does_not_extend_the_log,
            subscriptions_see_every_event_once_in_order,
            checkpoints_are_kept_once,
            link_index_extends_and_reads,
            stale_link_index_heads_write_nothing,
            link_index_rebuilt_beside_and_swapped,
            read_streams_in_position_order,
            read_streams_before_a_business_time,
            read_many_streams_as_the_whole_log,
            reading_a_range_for_some_event_types,
            projection_leases_have_one_holder,
        );
    };
    (@cases $backend:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let backend = $backend;
                $crate::conformance::$case(&backend).await;
            }
        )*
    };
}
