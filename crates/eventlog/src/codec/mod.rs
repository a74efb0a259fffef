//! Between the store's types and the canonical record bytes, one file a job: validation of what
//! is appended (`validate`), canonical JSON for payloads (`canonical`), the times records hold
//! (`time`), sealing (encoding and hashing) of new records (`seal`) and decoding of stored ones
//! (`decode`).
//!
//! Backends share this module so that every backend writes byte-identical records for the same
//! input, and a log copied between backends verifies unchanged.

mod canonical;
mod decode;
mod seal;
mod time;
mod validate;

#[cfg(test)]
mod test_support;

pub use canonical::canonical_payload;
pub(crate) use decode::{decode, refuse_future_schema, stored_hash};
pub(crate) use seal::ChainTail;
pub(crate) use time::{checked_micros, format_micros, parse_time};
pub(crate) use validate::{ValidatedAppend, validate_all};
