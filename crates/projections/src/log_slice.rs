//! What a view is made from: decoded events of a log prefix and the anchor of that prefix.
//!
//! Reading the log is done outside this crate; what it reads arrives here as plain data. The
//! anchor is what an auditor checks a view against: the last position read, the hash there and
//! the Merkle tree head of that size, as a signed checkpoint states them.

use serde::Serialize;

use crate::envelope::Envelope;

/// What a view was made from: enough to check it against a signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// The last log position read (0 for an empty prefix).
    pub log_position: u64,
    /// The hash of the event at that position, lower-case hex (the chain's genesis hash for
    /// an empty prefix).
    pub head_hash: String,
    /// The Merkle tree size: the number of events read, equal to the position.
    pub tree_size: u64,
    /// The RFC 6962 Merkle root at that size, in base64 as a checkpoint writes it.
    pub tree_root: String,
}

/// A prefix of the log, decoded, with its anchor: the whole prefix, or the events of the streams
/// a view needs up to its end.
#[derive(Debug, Clone)]
pub struct LogSlice {
    /// The events, from position 1, in order.
    pub envelopes: Vec<Envelope>,
    /// Where the prefix ends.
    pub anchor: Anchor,
}
