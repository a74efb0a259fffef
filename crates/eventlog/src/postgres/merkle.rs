//! The Merkle tree over a PostgreSQL log: the same tree, the same stored subtrees and the same
//! frontier rule as on SQLite (see `sqlite/merkle.rs` and docs/eventlog.md), with sqlx queries.
//!
//! The proof functions of `smes_verify::merkle` ask for subtree hashes through a synchronous
//! callback, and which subtrees they ask for depends only on the sizes, never on the hashes. So
//! [`with_subtrees`] runs the computation twice: once to learn the ranges it needs, then, after
//! fetching those ranges with async queries, again with the hashes in hand.

use std::collections::HashMap;

use smes_verify::merkle::{leaf_hash, merkle_root};
use smes_verify::{Hash, MerkleFrontier};
use sqlx::PgConnection;

use crate::codec::stored_hash;
use crate::error::{Error, Result};

pub(crate) use crate::walk::STORED_LEVEL;

/// A large subtree completed by a pushed leaf, to be stored: (level, index, hash).
pub(crate) type Node = (u32, u64, Hash);

/// The tree's right edge as stored.
pub(crate) async fn load_frontier(connection: &mut PgConnection) -> Result<MerkleFrontier> {
    let (size, subtrees): (i64, Vec<u8>) = sqlx::query_as("SELECT size, subtrees FROM merkle_frontier WHERE id = 1")
        .fetch_one(&mut *connection)
        .await?;
    frontier_from_row(size, &subtrees)
}

/// The tree's right edge from the columns of its row.
pub(crate) fn frontier_from_row(size: i64, subtrees: &[u8]) -> Result<MerkleFrontier> {
    let hashes = subtrees
        .chunks(32)
        .map(|chunk| Hash::try_from(chunk).map_err(|_| corrupt_frontier("a subtree hash is not 32 bytes")))
        .collect::<Result<Vec<Hash>>>()?;
    let size = u64::try_from(size).map_err(|_| corrupt_frontier("its size is negative"))?;
    MerkleFrontier::from_subtrees(size, hashes).map_err(|error| corrupt_frontier(&error.to_string()))
}

fn corrupt_frontier(detail: &str) -> Error {
    Error::MerkleState {
        detail: format!("the stored Merkle frontier is unreadable: {detail}"),
    }
}

/// Appends one event's leaf, collecting every large subtree it completes into `nodes`; says
/// whether it completed any.
pub(crate) fn push_leaf(frontier: &mut MerkleFrontier, event_hash: &Hash, nodes: &mut Vec<Node>) -> bool {
    let before = nodes.len();
    frontier.push_with(leaf_hash(event_hash), |start, end, hash| {
        let level = (end - start).trailing_zeros();
        if level >= STORED_LEVEL {
            nodes.push((level, start >> level, *hash));
        }
    });
    nodes.len() > before
}

/// The columns of `merkle_nodes` rows for `nodes`: levels, indices and hashes.
pub(crate) fn node_columns(nodes: &[Node]) -> (Vec<i32>, Vec<i64>, Vec<Vec<u8>>) {
    (
        nodes.iter().map(|node| node.0 as i32).collect(),
        nodes.iter().map(|node| to_i64(node.1)).collect(),
        nodes.iter().map(|node| node.2.to_vec()).collect(),
    )
}

/// What [`catch_up`] does with the subtrees it completes.
#[derive(Debug)]
pub(crate) enum CatchUp<'a> {
    /// Collect them, for the writer to store with its append (`smes_append_write`, which also
    /// saves the edge), inside the writer's transaction.
    Collect(&'a mut Vec<Node>),
    /// Only compute the frontier (a reader answering for a tree that lags).
    InMemory,
}

/// Brings a frontier that lags the log up to `head`, from the events' stored hashes.
pub(crate) async fn catch_up(
    connection: &mut PgConnection,
    frontier: &mut MerkleFrontier,
    head: u64,
    mut mode: CatchUp<'_>,
) -> Result<()> {
    if frontier.size() > head {
        return Err(Error::MerkleState {
            detail: format!(
                "the stored Merkle frontier covers {} events but the log has {head}",
                frontier.size()
            ),
        });
    }
    while frontier.size() < head {
        let hashes: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT hash FROM events WHERE position > $1 AND position <= $2 ORDER BY position LIMIT 10000",
        )
        .bind(to_i64(frontier.size()))
        .bind(to_i64(head))
        .fetch_all(&mut *connection)
        .await?;
        if hashes.is_empty() {
            break;
        }
        for hash in hashes {
            let hash = stored_hash(frontier.size() + 1, &hash)?;
            match &mut mode {
                CatchUp::Collect(nodes) => {
                    push_leaf(frontier, &hash, nodes);
                }
                CatchUp::InMemory => frontier.push(leaf_hash(&hash)),
            }
        }
    }
    Ok(())
}

/// The hash of the perfect subtree over leaves `start..end`: stored, or (below
/// [`STORED_LEVEL`], or where the tree has not stored it yet) hashed from the events.
pub(crate) async fn subtree(connection: &mut PgConnection, start: u64, end: u64) -> Result<Hash> {
    let length = end - start;
    let level = length.trailing_zeros();
    if level >= STORED_LEVEL {
        let hash: Option<Vec<u8>> = sqlx::query_scalar("SELECT hash FROM merkle_nodes WHERE level = $1 AND idx = $2")
            .bind(level as i32)
            .bind(to_i64(start >> level))
            .fetch_optional(&mut *connection)
            .await?;
        if let Some(hash) = hash {
            return Hash::try_from(hash.as_slice()).map_err(|_| Error::MerkleState {
                detail: format!("the Merkle node for leaves {start}..{end} is not 32 bytes"),
            });
        }
    }
    // Not stored (small, or a tree that lags): hash it from the events, in one read.
    let rows: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT position, hash FROM events WHERE position > $1 AND position <= $2 ORDER BY position")
            .bind(to_i64(start))
            .bind(to_i64(end))
            .fetch_all(&mut *connection)
            .await?;
    if rows.len() as u64 != length {
        return Err(Error::MerkleState {
            detail: format!(
                "leaves {start}..{end}: {} events found where {length} were expected",
                rows.len()
            ),
        });
    }
    let mut leaves = Vec::with_capacity(rows.len());
    for (position, hash) in rows {
        let hash = stored_hash(position as u64, &hash)?;
        leaves.push(leaf_hash(&hash));
    }
    Ok(merkle_root(&leaves))
}

/// Runs `compute` (a `smes_verify::merkle::*_with` call) with subtree hashes read from the
/// database: first to learn which subtrees it asks for, then with those hashes.
pub(crate) async fn with_subtrees<T>(
    connection: &mut PgConnection,
    compute: impl Fn(&mut dyn FnMut(u64, u64) -> Result<Hash>) -> Result<T>,
) -> Result<T> {
    let mut wanted = Vec::new();
    compute(&mut |start, end| {
        wanted.push((start, end));
        Ok([0u8; 32])
    })?;
    let mut known = HashMap::with_capacity(wanted.len());
    for (start, end) in wanted {
        if let std::collections::hash_map::Entry::Vacant(entry) = known.entry((start, end)) {
            entry.insert(subtree(connection, start, end).await?);
        }
    }
    compute(&mut |start, end| {
        known.get(&(start, end)).copied().ok_or_else(|| Error::MerkleState {
            detail: format!("the subtree over leaves {start}..{end} was not read"),
        })
    })
}

pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
