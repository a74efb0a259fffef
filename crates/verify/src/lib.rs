//! Verification of the smes event log, with no database dependency.
//!
//! This crate is what an auditor embeds to check the record without trusting the server that
//! holds it. Its design choice: everything it checks is computed from bytes exactly as the log
//! stores them. The canonical record ([`record`]) is written once at append time and never
//! re-encoded, so a verifier never depends on a database, a JSON library or a clock agreeing with
//! the writer about how to format anything.
//!
//! - [`record`]: the canonical event record, the bytes that are stored and hashed.
//! - [`chain`]: the hash chain over those records and its streaming verifier.
//! - [`merkle`]: the RFC 9162 Merkle tree over the log: roots, an incremental frontier, proofs.
//! - [`note`]: C2SP signed notes with Ed25519 keys.
//! - [`checkpoint`]: C2SP checkpoints (origin, size, root) and the offline checks of inclusion
//!   and consistency proofs against them.

// The API boundary auditors embed: they read this crate's public items without its authors at
// hand, so every one of them is documented (docs/ARCHITECTURE.md, "Lints").
#![warn(missing_docs)]

pub mod chain;
pub mod checkpoint;
pub mod merkle;
pub mod note;
pub mod record;

pub use chain::{ChainError, ChainVerifier, GENESIS_HASH, Hash, StoredRow, VerifiedChain, record_hash};
pub use checkpoint::{Checkpoint, CheckpointError, ConsistencyProofDocument, InclusionProofDocument};
pub use merkle::{MerkleError, MerkleFrontier, merkle_root, verify_consistency, verify_inclusion};
pub use note::{NoteError, NoteSigner, NoteVerifier};
pub use record::{EventRecord, GENESIS_HASH_HEX, RECORD_FORMAT, RecordMetadata};
