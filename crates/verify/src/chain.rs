//! The hash chain: each record names the hash of the one before it, and each stored hash is the
//! SHA-256 of the record's stored bytes.
//!
//! [`ChainVerifier`] is fed stored rows in position order and stops at the first one that does
//! not fit, naming its position and what is wrong. It holds a constant amount of state, so a log
//! of any size is verified in bounded memory.

use sha2::{Digest, Sha256};

use crate::record::{EventRecord, GENESIS_HASH_HEX, RECORD_FORMAT};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The hash that precedes the first event.
pub const GENESIS_HASH: Hash = [0; 32];

/// The chain hash of a record: SHA-256 over its stored bytes.
pub fn record_hash(record_bytes: &[u8]) -> Hash {
    Sha256::digest(record_bytes).into()
}

/// One row as a store holds it: the indexed columns beside the canonical record bytes.
#[derive(Debug, Clone, Copy)]
pub struct StoredRow<'a> {
    /// The position column.
    pub position: u64,
    /// The stream column.
    pub stream: &'a str,
    /// The stream version column.
    pub version: u64,
    /// The canonical record bytes, exactly as stored.
    pub record: &'a str,
    /// The stored hash.
    pub hash: &'a [u8],
}

/// What [`ChainVerifier`] found wrong, and at which position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// A position is missing or out of order: an event was deleted, inserted or moved.
    #[error("position {found}: expected position {expected} next (an event is missing, added or moved)")]
    Gap {
        /// The position that should have come next.
        expected: u64,
        /// The position that came.
        found: u64,
    },
    /// The record bytes are not a valid record.
    #[error("position {position}: the stored record is malformed: {detail}")]
    Malformed {
        /// Where.
        position: u64,
        /// What the decoder said.
        detail: String,
    },
    /// A column disagrees with the record it indexes.
    #[error("position {position}: the {field} column says {column} but the record says {record}")]
    ColumnMismatch {
        /// Where.
        position: u64,
        /// Which column.
        field: &'static str,
        /// The column's value.
        column: String,
        /// The record's value.
        record: String,
    },
    /// The record does not name the previous record's hash.
    #[error("position {position}: the record links to {found} but the previous hash is {expected}")]
    BrokenLink {
        /// Where.
        position: u64,
        /// The previous record's hash.
        expected: String,
        /// The hash the record names.
        found: String,
    },
    /// The stored hash is not the hash of the stored bytes: the record or the hash was altered.
    #[error("position {position}: the stored hash {stored} does not match the record's hash {computed}")]
    HashMismatch {
        /// Where.
        position: u64,
        /// The stored hash.
        stored: String,
        /// The hash of the stored bytes.
        computed: String,
    },
    /// The record time went backwards.
    #[error("position {position}: recorded_at {found} is earlier than the previous event's {previous}")]
    TimeWentBack {
        /// Where.
        position: u64,
        /// The previous event's record time.
        previous: String,
        /// This event's record time.
        found: String,
    },
}

impl ChainError {
    /// The position at which the chain stopped verifying.
    pub fn position(&self) -> u64 {
        match self {
            ChainError::Gap { found, .. } => *found,
            ChainError::Malformed { position, .. }
            | ChainError::ColumnMismatch { position, .. }
            | ChainError::BrokenLink { position, .. }
            | ChainError::HashMismatch { position, .. }
            | ChainError::TimeWentBack { position, .. } => *position,
        }
    }
}

/// The outcome of a successful walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedChain {
    /// How many events were checked.
    pub events: u64,
    /// The hash of the last event ([`GENESIS_HASH`] for an empty log).
    pub head: Hash,
}

/// Walks a chain one row at a time, in position order.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_position: u64,
    prev_hash: Hash,
    prev_hash_hex: String,
    last_recorded_at: String,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// A verifier for a log that starts at position 1.
    pub fn new() -> Self {
        ChainVerifier {
            next_position: 1,
            prev_hash: GENESIS_HASH,
            prev_hash_hex: GENESIS_HASH_HEX.to_owned(),
            last_recorded_at: String::new(),
            checked: 0,
        }
    }

    /// A verifier that continues a chain already checked up to `position`, whose record there
    /// has hash `hash` and record time `recorded_at` (as the record writes it): for checking
    /// records that extend a log. The count of checked events starts at 0.
    pub fn after(position: u64, hash: Hash, recorded_at: &str) -> Self {
        ChainVerifier {
            next_position: position + 1,
            prev_hash: hash,
            prev_hash_hex: hex::encode(hash),
            last_recorded_at: recorded_at.to_owned(),
            checked: 0,
        }
    }

    /// Checks the next row. On error the verifier is left as it was before the row.
    pub fn check(&mut self, row: &StoredRow<'_>) -> Result<(), ChainError> {
        self.check_decoded(row).map(drop)
    }

    /// Checks the next row as [`ChainVerifier::check`] does and returns its record decoded, so
    /// that a store can compare the other columns it keeps beside the record without decoding
    /// it twice. On error the verifier is left as it was before the row.
    pub fn check_decoded<'r>(&mut self, row: &StoredRow<'r>) -> Result<EventRecord<'r>, ChainError> {
        let position = row.position;
        if position != self.next_position {
            return Err(ChainError::Gap {
                expected: self.next_position,
                found: position,
            });
        }
        let record = EventRecord::decode(row.record).map_err(|error| ChainError::Malformed {
            position,
            detail: error.to_string(),
        })?;
        if record.format != RECORD_FORMAT {
            return Err(ChainError::Malformed {
                position,
                detail: format!("unknown record format {}", record.format),
            });
        }
        let mismatch = |field, column: String, in_record: String| ChainError::ColumnMismatch {
            position,
            field,
            column,
            record: in_record,
        };
        if record.position != position {
            return Err(mismatch("position", position.to_string(), record.position.to_string()));
        }
        if record.stream != row.stream {
            return Err(mismatch("stream", row.stream.to_owned(), record.stream.into_owned()));
        }
        if record.version != row.version {
            return Err(mismatch("version", row.version.to_string(), record.version.to_string()));
        }
        if record.prev_hash != self.prev_hash_hex {
            return Err(ChainError::BrokenLink {
                position,
                expected: self.prev_hash_hex.clone(),
                found: record.prev_hash.into_owned(),
            });
        }
        if *record.recorded_at < *self.last_recorded_at {
            return Err(ChainError::TimeWentBack {
                position,
                previous: self.last_recorded_at.clone(),
                found: record.recorded_at.into_owned(),
            });
        }
        let computed = record_hash(row.record.as_bytes());
        if row.hash != computed {
            return Err(ChainError::HashMismatch {
                position,
                stored: hex::encode(row.hash),
                computed: hex::encode(computed),
            });
        }
        self.next_position += 1;
        self.prev_hash = computed;
        self.prev_hash_hex.clear();
        self.prev_hash_hex.push_str(&hex::encode(computed));
        if *record.recorded_at != *self.last_recorded_at {
            self.last_recorded_at.clear();
            self.last_recorded_at.push_str(&record.recorded_at);
        }
        self.checked += 1;
        Ok(record)
    }

    /// The result so far: the number of events checked and the head hash.
    pub fn finish(&self) -> VerifiedChain {
        VerifiedChain {
            events: self.checked,
            head: self.prev_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordMetadata;
    use serde_json::value::RawValue;

    /// Builds a valid chain of `n` rows (records and hashes).
    fn chain(n: u64) -> Vec<(String, Hash)> {
        let payload = RawValue::from_string(r#"{"n":1}"#.to_owned()).unwrap();
        let mut prev = GENESIS_HASH;
        (1..=n)
            .map(|position| {
                let record = EventRecord {
                    format: RECORD_FORMAT,
                    position,
                    stream: "s".into(),
                    version: position,
                    id: format!("id-{position}").into(),
                    event_type: "Happened".into(),
                    schema_version: 1,
                    occurred_at: "2013-01-01T00:00:00.000000Z".into(),
                    recorded_at: format!("2013-01-01T00:00:{:02}.000000Z", position % 60).into(),
                    metadata: RecordMetadata {
                        actor: "a".into(),
                        role: "r".into(),
                        source: "test".into(),
                        ..RecordMetadata::default()
                    },
                    payload: &payload,
                    prev_hash: hex::encode(prev).into(),
                }
                .encode();
                let hash = record_hash(record.as_bytes());
                prev = hash;
                (record, hash)
            })
            .collect()
    }

    fn walk(rows: &[(u64, String, Hash)]) -> Result<VerifiedChain, ChainError> {
        let mut verifier = ChainVerifier::new();
        for (position, record, hash) in rows {
            verifier.check(&StoredRow {
                position: *position,
                stream: "s",
                version: *position,
                record,
                hash,
            })?;
        }
        Ok(verifier.finish())
    }

    fn numbered(rows: Vec<(String, Hash)>) -> Vec<(u64, String, Hash)> {
        rows.into_iter()
            .enumerate()
            .map(|(i, (r, h))| (i as u64 + 1, r, h))
            .collect()
    }

    #[test]
    fn a_chain_can_be_checked_from_a_known_head() {
        let rows = chain(6);
        let (fourth_record, fourth_hash) = &rows[3];
        let recorded_at = EventRecord::decode(fourth_record).unwrap().recorded_at.into_owned();
        let check = |verifier: &mut ChainVerifier, position: u64| {
            let (record, hash) = &rows[position as usize - 1];
            verifier.check(&StoredRow {
                position,
                stream: "s",
                version: position,
                record,
                hash,
            })
        };
        let mut verifier = ChainVerifier::after(4, *fourth_hash, &recorded_at);
        check(&mut verifier, 5).unwrap();
        check(&mut verifier, 6).unwrap();
        assert_eq!(verifier.finish().events, 2);
        assert_eq!(verifier.finish().head, rows[5].1);

        // The wrong head, the wrong position, or a record time after the next one's, is refused.
        let mut wrong_head = ChainVerifier::after(4, rows[2].1, &recorded_at);
        assert!(matches!(
            check(&mut wrong_head, 5),
            Err(ChainError::BrokenLink { position: 5, .. })
        ));
        let mut wrong_position = ChainVerifier::after(3, *fourth_hash, &recorded_at);
        assert!(matches!(
            check(&mut wrong_position, 5),
            Err(ChainError::Gap { expected: 4, found: 5 })
        ));
        let mut later = ChainVerifier::after(4, *fourth_hash, "2099-01-01T00:00:00.000000Z");
        assert!(matches!(
            check(&mut later, 5),
            Err(ChainError::TimeWentBack { position: 5, .. })
        ));
    }

    #[test]
    fn a_valid_chain_verifies_and_reports_its_head() {
        let rows = numbered(chain(5));
        let verified = walk(&rows).unwrap();
        assert_eq!(verified.events, 5);
        assert_eq!(verified.head, rows[4].2);
        assert_eq!(walk(&[]).unwrap().head, GENESIS_HASH);
    }

    #[test]
    fn a_changed_byte_is_found_at_its_position() {
        let mut rows = numbered(chain(5));
        rows[2].1 = rows[2].1.replace(r#""n":1"#, r#""n":2"#);
        let error = walk(&rows).unwrap_err();
        assert!(matches!(error, ChainError::HashMismatch { position: 3, .. }), "{error}");
    }

    #[test]
    fn a_deleted_event_is_found_as_a_gap() {
        let mut rows = numbered(chain(5));
        rows.remove(1);
        let error = walk(&rows).unwrap_err();
        assert_eq!(error, ChainError::Gap { expected: 2, found: 3 });
        assert_eq!(error.position(), 3);
    }

    #[test]
    fn a_rehashed_forgery_breaks_the_next_link() {
        let mut rows = numbered(chain(4));
        rows[1].1 = rows[1].1.replace(r#""n":1"#, r#""n":9"#);
        rows[1].2 = record_hash(rows[1].1.as_bytes());
        let error = walk(&rows).unwrap_err();
        assert!(matches!(error, ChainError::BrokenLink { position: 3, .. }), "{error}");
    }

    #[test]
    fn columns_must_agree_with_the_record() {
        let rows = numbered(chain(2));
        let mut verifier = ChainVerifier::new();
        let error = verifier
            .check(&StoredRow {
                position: 1,
                stream: "other",
                version: 1,
                record: &rows[0].1,
                hash: &rows[0].2,
            })
            .unwrap_err();
        assert!(
            matches!(error, ChainError::ColumnMismatch { field: "stream", .. }),
            "{error}"
        );
    }
}
