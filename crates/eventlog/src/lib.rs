//! The smes event store: an append-only, hash-chained log of immutable events.
//!
//! Everything the programme's people see is rebuilt from this log, so the log is built to be
//! trusted: positions are gapless and follow commit order, appends are atomic and idempotent,
//! and every event is stored as canonical bytes whose SHA-256 links to the event before it
//! (see [`smes_verify`]). The design choice that shapes the crate: a backend never re-encodes
//! a stored record. It writes the canonical bytes once, hashes exactly those, and reads decode
//! them, so verification never depends on how a database formats data.
//!
//! - [`EventStore`]: the trait every backend implements; its guarantees are listed there and
//!   checked by the [`conformance`] suite (feature `conformance`).
//! - [`SqliteEventStore`]: the embedded default.
//! - [`Link`] and [`LinkIndexHead`]: the link index, a rebuildable read model kept beside the
//!   log (which streams a view needs), never part of the hash chain.
//! - [`ProjectionLease`]: which process applies a projection when several could (one holder
//!   of a name at a time, let go when the holder ends).
//! - [`Witnesses`]: the signed checkpoints and keys a log is verified against besides its own
//!   tables ([`EventStore::verify_with`]).
//! - [`canonical_payload`]: a payload in the canonical form every backend stores.
//! - [`Clock`] and [`IdSource`]: injected, so tests get fixed times, ids and hashes.

// The API boundary every backend and every caller of the store builds on: its guarantees live
// in the docs of its public items, so every one of them is documented (docs/ARCHITECTURE.md,
// "Lints").
#![warn(missing_docs)]

pub mod clock;
mod codec;
#[cfg(feature = "conformance")]
pub mod conformance;
mod copy;
pub mod cpus;
pub mod error;
pub mod event;
pub mod lease;
pub mod links;
pub mod location;
pub mod postgres;
pub mod sqlite;
pub mod store;
mod walk;
pub mod witness;

pub use clock::{Clock, IdSource, RandomIds, SequentialIds, SteppingClock, SystemClock};
pub use codec::canonical_payload;
pub use error::{Error, InvalidInput, Result};
pub use event::{
    AppendOutcome, AppendRequest, CommandEntry, CommandRecord, ExpectedVersion, Head, Metadata, NewEvent, Payload,
    RawRecord, RecordedEvent, StoredCheckpoint, StreamName,
};
pub use lease::ProjectionLease;
pub use links::{Link, LinkIndexHead};
pub use location::without_password;
pub use postgres::{AppendPaths, CommitDelay, PostgresConfig, PostgresEventStore};
pub use sqlite::{Durability, MAX_DEFAULT_READ_PARALLELISM, SqliteConfig, SqliteEventStore, TreeMaintenance};
pub use store::{DEFAULT_PAGE_SIZE, DEFAULT_POLL_INTERVAL, EventStore, EventStream, StoreOptions};
pub use witness::{CheckedCheckpoint, VerifiedLog, Witnesses};
