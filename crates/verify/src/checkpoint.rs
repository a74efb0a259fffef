//! Checkpoints (C2SP tlog-checkpoint): a signed statement of the log's size and Merkle root.
//!
//! The body is three lines: the log's origin (its name, e.g. `sela.int/smes`), the tree size in
//! decimal and the root hash in base64; it travels as a signed note ([`crate::note`]). An
//! auditor who holds a published checkpoint and the log's verifier key can check, without the
//! database, that an event is in the log ([`Checkpoint::check_inclusion`]) and that a later
//! checkpoint extends it ([`Checkpoint::check_consistency`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::chain::{Hash, record_hash};
use crate::merkle::{MerkleError, leaf_hash, verify_consistency, verify_inclusion};
use crate::note::{NoteError, NoteSigner, NoteVerifier};
use crate::record::EventRecord;

/// What is wrong with a checkpoint or with what it was asked to confirm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The signed note did not open.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The body is not a checkpoint.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// The checkpoint is for another log.
    #[error("the checkpoint is for log {found:?}, not {expected:?}")]
    WrongOrigin {
        /// The origin the auditor expects.
        expected: String,
        /// The origin the checkpoint names.
        found: String,
    },
    /// A proof did not verify against the checkpoint.
    #[error(transparent)]
    Proof(#[from] MerkleError),
}

/// A tree head of the log: its origin, size and root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name.
    pub origin: String,
    /// The number of events.
    pub size: u64,
    /// The Merkle root over them.
    pub root: Hash,
}

impl Checkpoint {
    /// The checkpoint's body: origin, size and base64 root, one a line.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, BASE64.encode(self.root))
    }

    /// Parses a body; extension lines after the root are allowed and ignored.
    pub fn parse(body: &str) -> Result<Self, CheckpointError> {
        let malformed = |detail: &str| CheckpointError::Malformed(detail.to_owned());
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|origin| !origin.is_empty())
            .ok_or_else(|| malformed("no origin line"))?;
        let size = lines.next().ok_or_else(|| malformed("no size line"))?;
        if size.is_empty() || !size.bytes().all(|b| b.is_ascii_digit()) || (size.len() > 1 && size.starts_with('0')) {
            return Err(malformed("the size line must be a decimal number"));
        }
        let size = size.parse().map_err(|_| malformed("the tree size is too large"))?;
        let root = lines.next().ok_or_else(|| malformed("no root line"))?;
        let root = BASE64
            .decode(root)
            .ok()
            .and_then(|root| Hash::try_from(root.as_slice()).ok())
            .ok_or_else(|| malformed("the root line must be a base64 SHA-256 hash"))?;
        if !body.ends_with('\n') {
            return Err(malformed("the body must end with a newline"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// The checkpoint as a note signed by `signer`.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, CheckpointError> {
        if self.origin.is_empty() || self.origin.contains('\n') {
            return Err(CheckpointError::Malformed(
                "the origin must be one non-empty line".into(),
            ));
        }
        Ok(signer.sign(&self.body())?)
    }

    /// Opens a signed checkpoint: the signature must be by `verifier` and the origin `origin`.
    pub fn open(note: &str, verifier: &NoteVerifier, origin: &str) -> Result<Self, CheckpointError> {
        let checkpoint = Self::parse(verifier.open(note)?)?;
        if checkpoint.origin != origin {
            return Err(CheckpointError::WrongOrigin {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            });
        }
        Ok(checkpoint)
    }

    /// Checks that the event whose stored record is `record` sits at `position` of the log this
    /// checkpoint describes. The record must be a canonical record that names that position.
    pub fn check_inclusion(&self, record: &str, position: u64, proof: &[Hash]) -> Result<(), CheckpointError> {
        let index = position
            .checked_sub(1)
            .ok_or_else(|| CheckpointError::Malformed("positions start at 1".into()))?;
        let decoded = EventRecord::decode(record).map_err(|error| {
            CheckpointError::Malformed(format!("the record is not a canonical event record: {error}"))
        })?;
        if decoded.position != position {
            return Err(CheckpointError::Malformed(format!(
                "the record is the event at position {}, not {position}",
                decoded.position
            )));
        }
        let leaf = leaf_hash(&record_hash(record.as_bytes()));
        verify_inclusion(&leaf, index, self.size, proof, &self.root)?;
        Ok(())
    }

    /// Checks that `later` describes the same log as this checkpoint, grown.
    pub fn check_consistency(&self, later: &Checkpoint, proof: &[Hash]) -> Result<(), CheckpointError> {
        if later.origin != self.origin {
            return Err(CheckpointError::WrongOrigin {
                expected: self.origin.clone(),
                found: later.origin.clone(),
            });
        }
        verify_consistency(self.size, later.size, &self.root, &later.root, proof)?;
        Ok(())
    }
}

/// An inclusion proof as `smes prove inclusion` prints it: the event's stored record (whose
/// SHA-256 is the event hash, the tree's leaf data), its position, the tree size, and the proof
/// hashes in base64, nearest sibling first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProofDocument {
    /// Always `inclusion`.
    pub kind: String,
    /// The event's position (leaf index + 1).
    pub position: u64,
    /// The size of the tree the proof is for.
    pub tree_size: u64,
    /// The event's canonical record, exactly as stored.
    pub record: String,
    /// The proof hashes, base64.
    pub proof: Vec<String>,
}

/// A consistency proof as `smes prove consistency` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProofDocument {
    /// Always `consistency`.
    pub kind: String,
    /// The older tree's size.
    pub old_size: u64,
    /// The newer tree's size.
    pub new_size: u64,
    /// The proof hashes, base64.
    pub proof: Vec<String>,
}

/// Encodes proof hashes for a proof document.
pub fn encode_proof(proof: &[Hash]) -> Vec<String> {
    proof.iter().map(|hash| BASE64.encode(hash)).collect()
}

/// Decodes the proof hashes of a proof document.
pub fn decode_proof(proof: &[String]) -> Result<Vec<Hash>, CheckpointError> {
    proof
        .iter()
        .enumerate()
        .map(|(index, text)| {
            BASE64
                .decode(text)
                .ok()
                .and_then(|bytes| Hash::try_from(bytes.as_slice()).ok())
                .ok_or_else(|| CheckpointError::Malformed(format!("proof hash {index} is not a base64 SHA-256 hash")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{consistency_proof, inclusion_proof, merkle_root};

    fn records(n: usize) -> Vec<String> {
        let payload = serde_json::value::RawValue::from_string("{}".to_owned()).unwrap();
        (1..=n as u64)
            .map(|position| {
                EventRecord {
                    format: crate::RECORD_FORMAT,
                    position,
                    stream: "s".into(),
                    version: position,
                    id: "00000000-0000-0000-0000-000000000001".into(),
                    event_type: "Happened".into(),
                    schema_version: 1,
                    occurred_at: "2013-01-01T00:00:00.000000Z".into(),
                    recorded_at: "2013-01-01T00:00:00.000000Z".into(),
                    metadata: crate::RecordMetadata {
                        actor: "a".into(),
                        role: "r".into(),
                        source: "s".into(),
                        ..crate::RecordMetadata::default()
                    },
                    payload: &payload,
                    prev_hash: crate::GENESIS_HASH_HEX.into(),
                }
                .encode()
            })
            .collect()
    }

    fn checkpoint(records: &[String], size: usize) -> Checkpoint {
        let leaves: Vec<Hash> = records[..size]
            .iter()
            .map(|r| leaf_hash(&record_hash(r.as_bytes())))
            .collect();
        Checkpoint {
            origin: "sela.int/smes".into(),
            size: size as u64,
            root: merkle_root(&leaves),
        }
    }

    #[test]
    fn a_signed_checkpoint_opens_and_checks_proofs() {
        let signer = NoteSigner::from_seed("sela.int/smes", [3; 32]).unwrap();
        let records = records(10);
        let leaves: Vec<Hash> = records.iter().map(|r| leaf_hash(&record_hash(r.as_bytes()))).collect();
        let old = checkpoint(&records, 6);
        let new = checkpoint(&records, 10);
        let note = new.sign(&signer).unwrap();
        assert!(note.starts_with("sela.int/smes\n10\n"));
        let opened = Checkpoint::open(&note, &signer.verifier(), "sela.int/smes").unwrap();
        assert_eq!(opened, new);

        let proof = inclusion_proof(&leaves, 3, 10).unwrap();
        opened.check_inclusion(&records[3], 4, &proof).unwrap();
        // The wrong event, the wrong position, a forged record: refused.
        assert!(opened.check_inclusion(&records[4], 4, &proof).is_err());
        assert!(opened.check_inclusion(&records[3], 5, &proof).is_err());
        assert!(
            opened
                .check_inclusion(&records[3].replace("Happened", "Forged"), 4, &proof)
                .is_err()
        );
        assert!(opened.check_inclusion("forged", 4, &proof).is_err());

        let proof = consistency_proof(&leaves, 6, 10).unwrap();
        old.check_consistency(&opened, &proof).unwrap();
        // A forked log: same size, different history.
        let mut forked_records = records.clone();
        forked_records[2] = forked_records[2].replace("Happened", "Rewritten");
        let forked = checkpoint(&forked_records, 10);
        assert!(old.check_consistency(&forked, &proof).is_err());
    }

    #[test]
    fn wrong_origins_keys_and_bodies_are_refused() {
        let signer = NoteSigner::from_seed("sela.int/smes", [3; 32]).unwrap();
        let note = checkpoint(&records(3), 3).sign(&signer).unwrap();
        let error = Checkpoint::open(&note, &signer.verifier(), "other.example/log").unwrap_err();
        assert!(matches!(error, CheckpointError::WrongOrigin { .. }), "{error}");
        let impostor = NoteSigner::from_seed("sela.int/smes", [4; 32]).unwrap();
        let error = Checkpoint::open(&note, &impostor.verifier(), "sela.int/smes").unwrap_err();
        assert!(
            matches!(error, CheckpointError::Note(NoteError::NotSignedByKey { .. })),
            "{error}"
        );
        let altered = note.replacen("\n3\n", "\n4\n", 1);
        let error = Checkpoint::open(&altered, &signer.verifier(), "sela.int/smes").unwrap_err();
        assert!(
            matches!(error, CheckpointError::Note(NoteError::BadSignature { .. })),
            "{error}"
        );
        assert!(Checkpoint::parse("origin\n012\nAAAA\n").is_err());
        assert!(Checkpoint::parse("origin\n1\nnot base64\n").is_err());
        assert!(Checkpoint::parse("origin\n1\n").is_err());
        let with_extension = format!("{}extension line\n", checkpoint(&records(1), 1).body());
        assert_eq!(Checkpoint::parse(&with_extension).unwrap().size, 1);
    }
}
