//! Verification of a whole log, shared by every backend: the hash chain, and the Merkle tree the
//! events give compared with the one the backend stored.
//!
//! A backend feeds its stored rows in position order to [`LogWalk::check`], then hands the
//! stored subtrees to [`LogWalk::finish`]. The walk keeps one hash per 256 events besides the
//! chain verifier's constant state.

use std::collections::HashMap;

use smes_verify::merkle::{empty_root, leaf_hash};
use smes_verify::{ChainVerifier, Hash, MerkleFrontier, StoredRow, VerifiedChain};

use crate::error::{Error, Result};

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
}

impl LogWalk {
    /// A walk that will compare the events' tree with `stored_tree`.
    pub(crate) fn new(stored_tree: MerkleFrontier) -> Self {
        LogWalk {
            verifier: ChainVerifier::new(),
            tree: MerkleFrontier::new(),
            root_at_stored_size: (stored_tree.size() == 0).then(empty_root),
            stored_tree,
            large_subtrees: HashMap::new(),
        }
    }

    /// Checks the next row: its place in the chain, and its leaf in the tree.
    pub(crate) fn check(&mut self, row: &StoredRow<'_>) -> Result<()> {
        self.verifier.check(row)?;
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
        Ok(())
    }

    /// Ends the walk: the stored edge and every stored subtree `(level, index, hash)` must be the
    /// ones the events give.
    pub(crate) fn finish(
        self,
        stored_subtrees: impl IntoIterator<Item = (u32, u64, Vec<u8>)>,
    ) -> Result<VerifiedChain> {
        let verified = self.verifier.finish();
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
        Ok(verified)
    }
}
