//! Signed checkpoints a log is verified against: those kept with it (`smes checkpoint --store`)
//! and those an auditor holds outside it.
//!
//! A checkpoint commits to the Merkle root of the log's first `size` events. Verification
//! rebuilds the tree from the stored events and compares its root at each checkpoint's size
//! with the checkpoint's, so a log cut back, or rewritten anywhere before a checkpoint's size
//! (even with its chain and stored tree rebuilt to match), no longer verifies. The signature of
//! a kept checkpoint is checked when a verifier key of its origin is given; a checkpoint given
//! from outside must be signed by one of the keys given.

use smes_verify::{Checkpoint, Hash, NoteVerifier};

use crate::error::{Error, Result};
use crate::event::StoredCheckpoint;

/// What a verification is told to trust besides the log: verifier keys, and signed checkpoints
/// held outside the database.
#[derive(Debug, Clone, Default)]
pub struct Witnesses {
    keys: Vec<NoteVerifier>,
    checkpoints: Vec<(String, String)>,
}

impl Witnesses {
    /// Nothing besides the log: kept checkpoints are still checked against it, without their
    /// signatures.
    pub fn new() -> Self {
        Witnesses::default()
    }

    /// Also checks the signatures of kept checkpoints whose origin is the key's name.
    pub fn with_key(mut self, key: NoteVerifier) -> Self {
        self.keys.push(key);
        self
    }

    /// Also checks the log against a signed checkpoint held outside it, named `label` in what
    /// verification reports (for example the file it was read from). It must be signed by one
    /// of the keys given.
    pub fn with_checkpoint(mut self, label: impl Into<String>, note: impl Into<String>) -> Self {
        self.checkpoints.push((label.into(), note.into()));
        self
    }

    /// The verifier keys given.
    pub fn keys(&self) -> &[NoteVerifier] {
        &self.keys
    }
}

/// A signed checkpoint the log was checked against and contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCheckpoint {
    /// Where it came from: `kept checkpoint stored at <time>`, or the label it was given with.
    pub label: String,
    /// The log's name it states.
    pub origin: String,
    /// The tree size it commits to.
    pub size: u64,
    /// The Merkle root it commits to.
    pub root: Hash,
    /// The verifier key (`name+id+key`) its signature was checked with, if one of its origin
    /// was given.
    pub signed_by: Option<String>,
}

impl CheckedCheckpoint {
    /// How errors name it: label, origin, size and root.
    pub fn describe(&self) -> String {
        format!(
            "the {} ({} at size {}, root {})",
            self.label,
            self.origin,
            self.size,
            hex::encode(self.root)
        )
    }

    /// A verification failure about this checkpoint; the first position that differs lies in
    /// `positions`.
    pub(crate) fn failure(&self, positions: Option<(u64, u64)>, detail: String) -> Error {
        Error::Checkpoint {
            checkpoint: self.describe(),
            size: self.size,
            positions,
            detail,
        }
    }
}

/// A log and its checkpoints, verified: the chain's outcome and every checkpoint the log was
/// checked against, by tree size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLog {
    /// How many events were checked, and the head hash.
    pub chain: smes_verify::VerifiedChain,
    /// The checkpoints the log contains, kept and given, by tree size.
    pub checkpoints: Vec<CheckedCheckpoint>,
}

/// Every checkpoint to check the log against, by tree size: the kept ones (their rows checked
/// against their notes, their signatures when a key of their origin is given) and the given
/// ones (signed by a key given). A checkpoint that cannot be read or whose signature does not
/// verify is refused here, before the log is walked.
pub(crate) fn checkpoints_to_check(
    witnesses: &Witnesses,
    kept: Vec<StoredCheckpoint>,
) -> Result<Vec<CheckedCheckpoint>> {
    let mut checkpoints = Vec::with_capacity(kept.len() + witnesses.checkpoints.len());
    for stored in kept {
        checkpoints.push(kept_checkpoint(witnesses, stored)?);
    }
    for (label, note) in &witnesses.checkpoints {
        checkpoints.push(given_checkpoint(witnesses, label, note)?);
    }
    checkpoints.sort_by_key(|checkpoint| checkpoint.size);
    Ok(checkpoints)
}

fn kept_checkpoint(witnesses: &Witnesses, stored: StoredCheckpoint) -> Result<CheckedCheckpoint> {
    let label = format!("kept checkpoint stored at {}", stored.stored_at);
    let as_stored = |detail: String| Error::Checkpoint {
        checkpoint: format!("the {label} ({} at size {})", stored.origin, stored.tree_size),
        size: stored.tree_size,
        positions: None,
        detail,
    };
    let body = note_text(&stored.note).ok_or_else(|| as_stored("its note is not a signed note".into()))?;
    let checkpoint =
        Checkpoint::parse(body).map_err(|error| as_stored(format!("its note is not a checkpoint: {error}")))?;
    if checkpoint.origin != stored.origin || checkpoint.size != stored.tree_size {
        return Err(as_stored(format!(
            "its note commits to {} at size {}, not to what its row says",
            checkpoint.origin, checkpoint.size
        )));
    }
    let mut checked = CheckedCheckpoint {
        label,
        origin: checkpoint.origin,
        size: checkpoint.size,
        root: checkpoint.root,
        signed_by: None,
    };
    let keys: Vec<&NoteVerifier> = witnesses
        .keys
        .iter()
        .filter(|key| key.name() == checked.origin)
        .collect();
    if !keys.is_empty() {
        let opened = open_with(&keys, &stored.note)
            .map_err(|error| checked.failure(None, format!("its signature does not verify: {error}")))?;
        checked.signed_by = Some(opened.1.to_string());
    }
    Ok(checked)
}

fn given_checkpoint(witnesses: &Witnesses, label: &str, note: &str) -> Result<CheckedCheckpoint> {
    let refused = |detail: String| Error::Checkpoint {
        checkpoint: format!("the {label}"),
        size: 0,
        positions: None,
        detail,
    };
    if witnesses.keys.is_empty() {
        return Err(refused("no verifier key was given to check its signature with".into()));
    }
    let keys: Vec<&NoteVerifier> = witnesses.keys.iter().collect();
    let (checkpoint, key) = open_with(&keys, note).map_err(|error| {
        refused(format!(
            "it does not verify with the key{} given: {error}",
            if keys.len() == 1 { "" } else { "s" }
        ))
    })?;
    Ok(CheckedCheckpoint {
        label: label.to_owned(),
        origin: checkpoint.origin,
        size: checkpoint.size,
        root: checkpoint.root,
        signed_by: Some(key.to_string()),
    })
}

/// Opens `note` with the first of `keys` that signed it, its origin being the key's name; the
/// last key's error otherwise.
fn open_with<'k>(
    keys: &[&'k NoteVerifier],
    note: &str,
) -> std::result::Result<(Checkpoint, &'k NoteVerifier), smes_verify::CheckpointError> {
    let mut last_error = None;
    for key in keys {
        match Checkpoint::open(note, key, key.name()) {
            Ok(checkpoint) => return Ok((checkpoint, key)),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.expect("at least one key"))
}

/// The text of a signed note (what its signatures cover), without checking them.
fn note_text(note: &str) -> Option<&str> {
    note.rfind("\n\n").map(|split| &note[..split + 1])
}

#[cfg(test)]
mod tests {
    use smes_verify::NoteSigner;

    use super::*;

    fn signer(name: &str, seed: u8) -> NoteSigner {
        NoteSigner::from_seed(name, [seed; 32]).unwrap()
    }

    fn note(signer: &NoteSigner, size: u64) -> String {
        Checkpoint {
            origin: signer.name().to_owned(),
            size,
            root: [size as u8; 32],
        }
        .sign(signer)
        .unwrap()
    }

    fn kept(origin: &str, tree_size: u64, note: String) -> StoredCheckpoint {
        StoredCheckpoint {
            origin: origin.to_owned(),
            tree_size,
            note,
            stored_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn kept_checkpoints_are_checked_by_size_and_signed_when_a_key_is_given() {
        let log = signer("smes.example/log", 1);
        let other = signer("other.example/log", 2);
        let witnesses = Witnesses::new().with_key(log.verifier());
        let checked = checkpoints_to_check(
            &witnesses,
            vec![
                kept("smes.example/log", 9, note(&log, 9)),
                kept("other.example/log", 3, note(&other, 3)),
            ],
        )
        .unwrap();
        assert_eq!(checked.iter().map(|c| c.size).collect::<Vec<_>>(), [3, 9]);
        assert_eq!(checked[0].signed_by, None, "no key of that origin was given");
        assert_eq!(checked[1].signed_by, Some(log.verifier().to_string()));
        assert_eq!(checked[1].root, [9; 32]);
    }

    #[test]
    fn a_kept_checkpoint_signed_by_another_key_of_its_origin_is_refused() {
        let log = signer("smes.example/log", 1);
        let forger = signer("smes.example/log", 3);
        let witnesses = Witnesses::new().with_key(log.verifier());
        let error = checkpoints_to_check(&witnesses, vec![kept("smes.example/log", 4, note(&forger, 4))]).unwrap_err();
        match error {
            Error::Checkpoint { size, ref detail, .. } => {
                assert_eq!(size, 4);
                assert!(detail.contains("signature does not verify"), "{error}");
            }
            other => panic!("expected a checkpoint failure, got {other}"),
        }
    }

    #[test]
    fn a_kept_row_that_disagrees_with_its_note_is_refused() {
        let log = signer("smes.example/log", 1);
        for row in [
            kept("smes.example/log", 5, note(&log, 4)),
            kept("elsewhere", 4, note(&log, 4)),
            kept("smes.example/log", 4, "not a note".to_owned()),
        ] {
            let error = checkpoints_to_check(&Witnesses::new(), vec![row.clone()]).unwrap_err();
            assert!(
                matches!(error, Error::Checkpoint { size, .. } if size == row.tree_size),
                "{error}"
            );
        }
    }

    #[test]
    fn a_given_checkpoint_must_be_signed_by_a_key_given() {
        let log = signer("smes.example/log", 1);
        let forger = signer("smes.example/log", 3);
        let unsigned = Witnesses::new().with_checkpoint("checkpoint file a.txt", note(&log, 2));
        let error = checkpoints_to_check(&unsigned, Vec::new()).unwrap_err();
        assert!(error.to_string().contains("no verifier key"), "{error}");
        let forged = Witnesses::new()
            .with_key(log.verifier())
            .with_checkpoint("checkpoint file b.txt", note(&forger, 2));
        let error = checkpoints_to_check(&forged, Vec::new()).unwrap_err();
        assert!(error.to_string().contains("checkpoint file b.txt"), "{error}");
        let good = Witnesses::new()
            .with_key(forger.verifier())
            .with_key(log.verifier())
            .with_checkpoint("checkpoint file c.txt", note(&log, 2));
        let checked = checkpoints_to_check(&good, Vec::new()).unwrap();
        assert_eq!(checked[0].signed_by, Some(log.verifier().to_string()));
        assert_eq!(checked[0].label, "checkpoint file c.txt");
    }
}
