//! The Merkle tree over a SQLite log: kept incrementally by the writer, read for roots and
//! proofs.
//!
//! Leaf `i` of the tree is `SHA-256(0x00 ‖ hash of the event at position i + 1)`, so a proof
//! about an event is checked against its 32-byte hash (itself the SHA-256 of the stored
//! record). Perfect subtrees of [`STORED_LEVEL`] levels or more are stored as they complete
//! (one row per 256 events); smaller ones are hashed on demand from at most 128 event hashes.
//! The frontier (the right edge) is stored whenever a stored subtree completes, so at most 255
//! leaves separate it from the head; readers and writers catch those up from the event hashes.

use rusqlite::{Connection, OptionalExtension, params};
use smes_verify::merkle::{leaf_hash, merkle_root, node_hash};
use smes_verify::{Hash, MerkleFrontier};

use crate::codec::stored_hash;
use crate::error::{Error, Result};

pub(crate) use crate::walk::STORED_LEVEL;

/// The tree's right edge as stored.
pub(crate) fn load_frontier(connection: &Connection) -> Result<MerkleFrontier> {
    let (size, subtrees): (u64, Vec<u8>) = connection
        .prepare_cached("SELECT size, subtrees FROM merkle_frontier WHERE id = 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let hashes = subtrees
        .chunks(32)
        .map(|chunk| Hash::try_from(chunk).map_err(|_| corrupt_frontier("a subtree hash is not 32 bytes")))
        .collect::<Result<Vec<Hash>>>()?;
    MerkleFrontier::from_subtrees(size, hashes).map_err(|error| corrupt_frontier(&error.to_string()))
}

fn corrupt_frontier(detail: &str) -> Error {
    Error::MerkleState {
        detail: format!("the stored Merkle frontier is unreadable: {detail}"),
    }
}

/// Writes the right edge back.
pub(crate) fn save_frontier(connection: &Connection, frontier: &MerkleFrontier) -> Result<()> {
    connection
        .prepare_cached("UPDATE merkle_frontier SET size = ?1, subtrees = ?2 WHERE id = 1")?
        .execute(params![frontier.size(), frontier.subtrees().concat()])?;
    Ok(())
}

/// Appends one event's leaf, storing every large subtree it completes; says whether it stored any.
pub(crate) fn push_leaf(connection: &Connection, frontier: &mut MerkleFrontier, event_hash: &Hash) -> Result<bool> {
    let mut stored = Vec::new();
    frontier.push_with(leaf_hash(event_hash), |start, end, hash| {
        let level = (end - start).trailing_zeros();
        if level >= STORED_LEVEL {
            stored.push((level, start >> level, *hash));
        }
    });
    if stored.is_empty() {
        return Ok(false);
    }
    let mut insert = connection.prepare_cached("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")?;
    for (level, index, hash) in stored {
        insert.execute(params![level, index, hash.as_slice()])?;
    }
    Ok(true)
}

/// What [`catch_up`] does with the subtrees it completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CatchUp {
    /// Store them (inside the writer's transaction).
    Store,
    /// Only compute the frontier (a reader answering for a tree that lags).
    InMemory,
}

/// Brings a frontier that lags the log (a log written before the tree existed, or by a writer
/// that deferred it) up to `head`, from the events' stored hashes.
pub(crate) fn catch_up(connection: &Connection, frontier: &mut MerkleFrontier, head: u64, mode: CatchUp) -> Result<()> {
    if frontier.size() > head {
        return Err(Error::MerkleState {
            detail: format!(
                "the stored Merkle frontier covers {} events but the log has {head}",
                frontier.size()
            ),
        });
    }
    while frontier.size() < head {
        let hashes: Vec<Vec<u8>> = connection
            .prepare_cached(
                "SELECT hash FROM events WHERE position > ?1 AND position <= ?2 ORDER BY position LIMIT 10000",
            )?
            .query_map([frontier.size(), head], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        if hashes.is_empty() {
            break;
        }
        for hash in hashes {
            let hash = stored_hash(frontier.size() + 1, &hash)?;
            match mode {
                CatchUp::Store => {
                    if push_leaf(connection, frontier, &hash)? {
                        save_frontier(connection, frontier)?;
                    }
                }
                CatchUp::InMemory => frontier.push(leaf_hash(&hash)),
            }
        }
    }
    Ok(())
}

/// The hash of the perfect subtree over leaves `start..end`: stored, or (below
/// [`STORED_LEVEL`], or where a deferred tree has not stored it yet) hashed from the events.
pub(crate) fn subtree(connection: &Connection, start: u64, end: u64) -> Result<Hash> {
    let length = end - start;
    let level = length.trailing_zeros();
    if level >= STORED_LEVEL {
        let hash: Option<Vec<u8>> = connection
            .prepare_cached("SELECT hash FROM merkle_nodes WHERE level = ?1 AND idx = ?2")?
            .query_row(params![level, start >> level], |row| row.get(0))
            .optional()?;
        return match hash {
            Some(hash) => Hash::try_from(hash.as_slice()).map_err(|_| Error::MerkleState {
                detail: format!("the Merkle node for leaves {start}..{end} is not 32 bytes"),
            }),
            None => {
                let middle = start + length / 2;
                Ok(node_hash(
                    &subtree(connection, start, middle)?,
                    &subtree(connection, middle, end)?,
                ))
            }
        };
    }
    let mut statement = connection
        .prepare_cached("SELECT position, hash FROM events WHERE position > ?1 AND position <= ?2 ORDER BY position")?;
    let mut rows = statement.query(params![start, end])?;
    let mut leaves = Vec::with_capacity(length as usize);
    while let Some(row) = rows.next()? {
        let position: u64 = row.get(0)?;
        let hash = stored_hash(position, row.get_ref(1)?.as_blob()?)?;
        leaves.push(leaf_hash(&hash));
    }
    if leaves.len() as u64 != length {
        return Err(Error::MerkleState {
            detail: format!(
                "leaves {start}..{end}: {} events found where {length} were expected",
                leaves.len()
            ),
        });
    }
    Ok(merkle_root(&leaves))
}
