//! Verification of a whole log, shared by every backend: the hash chain, every column stored
//! beside each record compared with the record, the Merkle tree the events give compared with
//! the one the backend stored, and with the roots of the signed checkpoints the log is checked
//! against.
//!
//! A backend feeds its stored rows in position order to [`LogWalk::check`], then hands the
//! stored subtrees to [`LogWalk::finish`]. The walk keeps one hash per 256 events besides the
//! chain verifier's constant state.

use std::collections::HashMap;

use smes_verify::merkle::{empty_root, leaf_hash};
use smes_verify::{ChainError, ChainVerifier, EventRecord, Hash, MerkleFrontier, StoredRow};

use crate::codec::{format_micros, parse_time};
use crate::error::{Error, Result};
use crate::witness::{CheckedCheckpoint, VerifiedLog};

/// One stored row of the events table, every column of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoredColumns<'a> {
    /// The columns the chain verifier compares, the record and its hash.
    pub(crate) row: StoredRow<'a>,
    /// The event type column.
    pub(crate) event_type: &'a str,
    /// The business time column, microseconds since 1970.
    pub(crate) occurred_at: i64,
    /// The record time column, microseconds since 1970.
    pub(crate) recorded_at: i64,
}

/// Compares the columns the chain verifier does not know with the record they index: reads
/// select and filter on them (an as-of snapshot on `occurred_at`), so a column changed around
/// the record would change what a report shows while the chain still verified.
fn check_index_columns(columns: &StoredColumns<'_>, record: &EventRecord<'_>) -> std::result::Result<(), ChainError> {
    let mismatch = |field, column: String, in_record: &str| ChainError::ColumnMismatch {
        position: columns.row.position,
        field,
        column,
        record: in_record.to_owned(),
    };
    if columns.event_type != record.event_type {
        return Err(mismatch(
            "event_type",
            columns.event_type.to_owned(),
            &record.event_type,
        ));
    }
    let micros = |text: &str| parse_time(text).map(|time| time.as_microsecond());
    if micros(&record.occurred_at) != Some(columns.occurred_at) {
        return Err(mismatch(
            "occurred_at",
            format_micros(columns.occurred_at),
            &record.occurred_at,
        ));
    }
    if micros(&record.recorded_at) != Some(columns.recorded_at) {
        return Err(mismatch(
            "recorded_at",
            format_micros(columns.recorded_at),
            &record.recorded_at,
        ));
    }
    Ok(())
}

/// Subtrees of 2^8 = 256 leaves and more are stored by the backends.
pub(crate) const STORED_LEVEL: u32 = 8;

/// A walk through a log's stored rows.
pub(crate) struct LogWalk {
    verifier: ChainVerifier,
    /// The tree the events give, rebuilt as they are walked.
    tree: MerkleFrontier,
    /// The tree's right edge as the backend stored it (it may lag the events, never lead).
    stored_tree: MerkleFrontier,
    /// The root the events give at the stored edge's size, once the walk has passed it.
    root_at_stored_size: Option<Hash>,
    /// Every subtree of `STORED_LEVEL` levels or more that the events give, by (level, index).
    large_subtrees: HashMap<(u32, u64), Hash>,
    /// The signed checkpoints to compare the tree with, by tree size.
    checkpoints: Vec<CheckedCheckpoint>,
    /// How many of them the walk has compared.
    compared: usize,
    /// The largest tree size whose root a checkpoint confirmed (0: none yet).
    confirmed: u64,
}

impl LogWalk {
    /// A walk that will compare the events' tree with `stored_tree`, and its roots with those of
    /// `checkpoints` (sorted by size).
    pub(crate) fn new(stored_tree: MerkleFrontier, checkpoints: Vec<CheckedCheckpoint>) -> Self {
        LogWalk {
            verifier: ChainVerifier::new(),
            tree: MerkleFrontier::new(),
            root_at_stored_size: (stored_tree.size() == 0).then(empty_root),
            stored_tree,
            large_subtrees: HashMap::new(),
            checkpoints,
            compared: 0,
            confirmed: 0,
        }
    }

    /// Checks the next row: its place in the chain, every column against its record, its leaf
    /// in the tree, and the tree's root if a checkpoint commits to the tree of this size.
    pub(crate) fn check(&mut self, columns: &StoredColumns<'_>) -> Result<()> {
        if self.tree.size() == 0 {
            self.compare_checkpoints()?;
        }
        let row = &columns.row;
        let record = self.verifier.check_decoded(row)?;
        check_index_columns(columns, &record)?;
        let hash = Hash::try_from(row.hash).expect("the chain verifier checked the hash's length");
        let large_subtrees = &mut self.large_subtrees;
        self.tree.push_with(leaf_hash(&hash), |start, end, subtree| {
            let level = (end - start).trailing_zeros();
            if level >= STORED_LEVEL {
                large_subtrees.insert((level, start >> level), *subtree);
            }
        });
        if self.tree.size() == self.stored_tree.size() {
            self.root_at_stored_size = Some(self.tree.root());
        }
        self.compare_checkpoints()
    }

    /// Compares the root of the tree walked so far with every checkpoint of its size.
    fn compare_checkpoints(&mut self) -> Result<()> {
        let size = self.tree.size();
        while let Some(checkpoint) = self.checkpoints.get(self.compared) {
            if checkpoint.size != size {
                break;
            }
            let root = if size == 0 { empty_root() } else { self.tree.root() };
            if root != checkpoint.root {
                let first = self.confirmed + 1;
                return Err(checkpoint.failure(
                    (size > 0).then_some((first, size)),
                    format!(
                        "the log's first {size} events give the root {}: the event at a position from {first} to {size} \
                         was changed, added or removed",
                        hex::encode(root)
                    ),
                ));
            }
            self.confirmed = size;
            self.compared += 1;
        }
        Ok(())
    }

    /// Ends the walk: no checkpoint may commit to more events than the log has, and the stored
    /// edge and every stored subtree `(level, index, hash)` must be the ones the events give.
    pub(crate) fn finish(
        mut self,
        stored_subtrees: impl IntoIterator<Item = (u32, u64, Vec<u8>)>,
    ) -> Result<VerifiedLog> {
        self.compare_checkpoints()?;
        let verified = self.verifier.finish();
        if let Some(beyond) = self.checkpoints.get(self.compared) {
            let events = verified.events;
            return Err(beyond.failure(
                Some((self.confirmed + 1, events + 1)),
                format!(
                    "the log has {events} events: the events at positions {} to {} that it commits to are missing",
                    events + 1,
                    beyond.size
                ),
            ));
        }
        let tree_error = |detail: String| Err(Error::MerkleState { detail });
        match self.root_at_stored_size {
            None => {
                return tree_error(format!(
                    "the stored Merkle tree covers {} events but the log has {}",
                    self.stored_tree.size(),
                    verified.events
                ));
            }
            Some(root) if root != self.stored_tree.root() => {
                return tree_error(format!(
                    "the stored Merkle frontier at size {} has root {} but the events give {}",
                    self.stored_tree.size(),
                    hex::encode(self.stored_tree.root()),
                    hex::encode(root)
                ));
            }
            Some(_) => {}
        }
        for (level, index, hash) in stored_subtrees {
            if self
                .large_subtrees
                .get(&(level, index))
                .map(|expected| expected.as_slice())
                != Some(hash.as_slice())
            {
                let start = index.checked_shl(level).unwrap_or(u64::MAX);
                return tree_error(format!(
                    "the stored Merkle node for leaves {start}..{} does not match the events",
                    start.saturating_add(1u64.checked_shl(level).unwrap_or(u64::MAX))
                ));
            }
        }
        Ok(VerifiedLog {
            chain: verified,
            checkpoints: self.checkpoints,
        })
    }
}
