//! The Merkle tree on SQLite: a log written without keeping the tree (or by a program that
//! predates it) is caught up by the next incremental writer, and proofs are right meanwhile;
//! a tampered tree fails verification.

use smes_eventlog::{
    AppendRequest, Error, EventStore, ExpectedVersion, Metadata, NewEvent, SqliteConfig, SqliteEventStore,
    StoreOptions, StreamName, TreeMaintenance,
};
use smes_verify::merkle::{leaf_hash, merkle_root};

fn events(count: u64) -> AppendRequest {
    AppendRequest::new(
        StreamName::new("s").unwrap(),
        ExpectedVersion::Any,
        (0..count)
            .map(|n| {
                NewEvent::new(
                    "Happened",
                    1,
                    format!(r#"{{"n":{n}}}"#),
                    "2013-01-01T00:00:00Z".parse().unwrap(),
                )
            })
            .collect(),
        Metadata::new("a", "r", "test"),
    )
}

async fn open(path: &str, tree: TreeMaintenance) -> SqliteEventStore {
    let options = StoreOptions {
        create: true,
        ..StoreOptions::default()
    };
    SqliteEventStore::open_with(
        path,
        options,
        SqliteConfig {
            tree,
            ..SqliteConfig::default()
        },
    )
    .await
    .unwrap()
}

async fn expected_root(store: &SqliteEventStore) -> smes_verify::Hash {
    let leaves: Vec<_> = store
        .read_all(1, usize::MAX)
        .await
        .unwrap()
        .iter()
        .map(|e| leaf_hash(&e.hash))
        .collect();
    merkle_root(&leaves)
}

#[tokio::test]
async fn a_deferred_tree_is_caught_up_and_right_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db").display().to_string();
    let deferred = open(&path, TreeMaintenance::Deferred).await;
    deferred.append(events(600)).await.unwrap();
    // Computed from the events while the stored tree lags.
    assert_eq!(
        deferred.tree_head(None).await.unwrap().root,
        expected_root(&deferred).await
    );
    let proof = deferred.inclusion_proof(300, 600).await.unwrap();
    let event = deferred.read_all(300, 1).await.unwrap().remove(0);
    smes_verify::verify_inclusion(
        &leaf_hash(&event.hash),
        299,
        600,
        &proof,
        &expected_root(&deferred).await,
    )
    .unwrap();
    drop(deferred);

    let incremental = open(&path, TreeMaintenance::Incremental).await;
    incremental.append(events(1)).await.unwrap();
    let head = incremental.tree_head(None).await.unwrap();
    assert_eq!(head.size, 601);
    assert_eq!(head.root, expected_root(&incremental).await);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let (size, nodes): (u64, u64) = raw
        .query_row(
            "SELECT (SELECT size FROM merkle_frontier), (SELECT count(*) FROM merkle_nodes)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (size, nodes),
        (512, 3),
        "subtrees 0..256, 256..512 and 0..512 stored, the edge saved when the last completed"
    );
    incremental.verify().await.unwrap();
}

#[tokio::test]
async fn a_tampered_tree_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db").display().to_string();
    let store = open(&path, TreeMaintenance::Incremental).await;
    store.append(events(300)).await.unwrap();
    store.verify().await.unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch("DROP TRIGGER merkle_nodes_refuse_update; UPDATE merkle_nodes SET hash = zeroblob(32);")
        .unwrap();
    let error = store.verify().await.unwrap_err();
    assert!(matches!(error, Error::MerkleState { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "Merkle tree: the stored Merkle node for leaves 0..256 does not match the events"
    );

    // A frontier rewritten to match forged nodes still disagrees with the events.
    raw.execute_batch("UPDATE merkle_frontier SET subtrees = zeroblob(length(subtrees));")
        .unwrap();
    let error = store.verify().await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the stored Merkle frontier at size 300 has root"),
        "{error}"
    );
}

#[tokio::test]
async fn reordering_two_events_fails_verification_and_proofs_against_an_earlier_root() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db").display().to_string();
    let store = open(&path, TreeMaintenance::Incremental).await;
    store.append(events(10)).await.unwrap();
    let published = store.tree_head(None).await.unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    // Swap the events at positions 4 and 5 (their records and hashes).
    raw.execute_batch(
        "DROP TRIGGER events_refuse_update;
         CREATE TEMP TABLE swap AS SELECT position, record, hash FROM events WHERE position IN (4, 5);
         UPDATE events SET (record, hash) =
             (SELECT record, hash FROM swap WHERE swap.position = 9 - events.position)
         WHERE position IN (4, 5);",
    )
    .unwrap();
    let error = store.verify().await.unwrap_err();
    match &error {
        Error::Chain(chain) => assert_eq!(chain.position(), 4, "{chain}"),
        other => panic!("expected a chain error at position 4, got {other}"),
    }
    let moved = store.read_all(4, 1).await.unwrap().remove(0);
    let proof = store.inclusion_proof(4, 10).await.unwrap();
    assert!(
        smes_verify::verify_inclusion(&leaf_hash(&moved.hash), 3, 10, &proof, &published.root).is_err(),
        "an event moved to another position is not proved there against the published root"
    );
}
