//! The fuzz targets: each reads one input the way the programme reads untrusted bytes and
//! checks properties of what it made of them, panicking when one does not hold.
//!
//! A target answers whether its parser accepted the input; accepted inputs are kept for
//! further mutation, since they are the rare ones that reach past the first checks.

use serde_json::Value;
use smes_app::CommandLine;
use smes_eventlog::canonical_payload;
use smes_eventlog::event::MAX_PAYLOAD_BYTES;
use smes_verify::checkpoint::{decode_proof, encode_proof};
use smes_verify::{
    Checkpoint, ConsistencyProofDocument, EventRecord, Hash, InclusionProofDocument, NoteSigner, NoteVerifier,
    record_hash,
};

/// One fuzz target.
#[derive(Clone, Copy)]
pub struct Target {
    /// The target's name, also the name of its corpus directory.
    pub name: &'static str,
    /// What it reads.
    pub description: &'static str,
    /// Reads one input and checks its properties (panicking when one fails); answers whether
    /// the input was accepted.
    pub check: fn(&[u8]) -> bool,
}

/// Every target, in the order they run.
pub const TARGETS: &[Target] = &[
    Target {
        name: "record",
        description: "the canonical event record decoder (EventRecord::decode)",
        check: record,
    },
    Target {
        name: "payload",
        description: "payload validation and canonicalisation (canonical_payload)",
        check: payload,
    },
    Target {
        name: "command-line",
        description: "one line of an import file or a CLI command (CommandLine::read)",
        check: command_line,
    },
    Target {
        name: "checkpoint",
        description: "a verifier key line, then a signed checkpoint note (NoteVerifier, Checkpoint)",
        check: checkpoint,
    },
    Target {
        name: "proof",
        description: "two checkpoint bodies, then an inclusion or consistency proof document",
        check: proof,
    },
];

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.name == name)
}

/// A stored record decodes; a decoded record encodes to bytes that decode again and encode to
/// the same bytes (the encoding of a record is a fixed point), and a record already in that
/// form is given back byte for byte.
fn record(input: &[u8]) -> bool {
    let text = String::from_utf8_lossy(input);
    let _ = record_hash(text.as_bytes());
    let Ok(record) = EventRecord::decode(&text) else {
        return false;
    };
    let encoded = record.encode();
    let again = EventRecord::decode(&encoded)
        .unwrap_or_else(|error| panic!("a decoded record, encoded again, does not decode: {error}"));
    assert_eq!(again.encode(), encoded, "encoding a decoded record is not stable");
    // The payload is kept as written, so only a record read from one line encodes as one line.
    if !text.contains('\n') {
        assert!(
            !encoded.contains('\n'),
            "a record read from one line encodes with a line break"
        );
    }
    assert_eq!(
        EventRecord::decode(&text).map(|record| record.encode()).ok().as_deref(),
        Some(encoded.as_str()),
        "decoding the same bytes twice gave two records"
    );
    true
}

/// A payload is accepted exactly when it is a JSON object (within the size limit), and its
/// canonical form is what serde_json writes for the parsed value, whichever path made it, and
/// is its own canonical form.
fn payload(input: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(input) else {
        return false;
    };
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    match canonical_payload(text) {
        Ok(canonical) => {
            let value = parsed.unwrap_or_else(|| panic!("a payload serde_json refuses was accepted as {canonical:?}"));
            assert!(value.is_object(), "a payload that is not an object was accepted");
            let written = serde_json::to_string(&value).expect("a value always serialises");
            assert_eq!(
                canonical, written,
                "the canonical payload differs from serde_json's writing of it"
            );
            let again =
                canonical_payload(&canonical).unwrap_or_else(|error| panic!("a canonical payload is refused: {error}"));
            assert_eq!(again, canonical, "canonicalising is not idempotent");
            true
        }
        Err(error) => {
            if let Some(value) = parsed.filter(Value::is_object) {
                let written = serde_json::to_string(&value).expect("a value always serialises");
                assert!(
                    written.len() > MAX_PAYLOAD_BYTES,
                    "a JSON object within the limit was refused: {error}"
                );
            }
            false
        }
    }
}

/// A command line that reads re-serialises (as a value and as text) and reads again to the
/// same command, envelope included.
fn command_line(input: &[u8]) -> bool {
    let text = String::from_utf8_lossy(input);
    let Ok(line) = CommandLine::read(&text) else {
        return false;
    };
    let value = line.to_value();
    let from_value = CommandLine::read_value(value.clone())
        .unwrap_or_else(|error| panic!("a line's own JSON is refused: {}", error.message));
    assert_eq!(
        from_value, line,
        "a line read from its own JSON value is another command"
    );
    let written = serde_json::to_string(&value).expect("a value always serialises");
    let from_text = CommandLine::read(&written)
        .unwrap_or_else(|error| panic!("a line's own JSON text {written:?} is refused: {}", error.message));
    assert_eq!(from_text, line, "a line read from its own JSON text is another command");
    true
}

/// The first line is a key (verifier, or signer), the rest a signed note. A key that parses
/// prints as text that parses to the same key; a signer's notes open with its verifier; a note
/// that opens gives back a prefix of itself; a checkpoint body that parses is a prefix of the
/// text and prints as that prefix.
fn checkpoint(input: &[u8]) -> bool {
    let text = String::from_utf8_lossy(input);
    let (key, note) = text.split_once('\n').unwrap_or((&text, ""));
    let mut accepted = body(note).is_some();
    if let Ok(signer) = NoteSigner::parse(key) {
        let again = NoteSigner::parse(&signer.to_secret_string()).expect("a signer's own text parses");
        assert_eq!(
            again.verifier(),
            signer.verifier(),
            "a signer's own text is another key"
        );
        if let Ok(signed) = signer.sign(note) {
            let opened = signer
                .verifier()
                .open(&signed)
                .expect("a note opens with its signer's verifier");
            assert_eq!(opened, note, "a signed note opens to another text");
        }
        accepted = true;
    }
    if let Ok(verifier) = NoteVerifier::parse(key) {
        let again = NoteVerifier::parse(&verifier.to_string()).expect("a verifier's own text parses");
        assert_eq!(again, verifier, "a verifier's own text is another key");
        if let Ok(opened) = verifier.open(note) {
            assert!(note.starts_with(opened), "an opened note is not the note's text");
            accepted = true;
        }
        if let Ok(checkpoint) = Checkpoint::open(note, &verifier, verifier.name()) {
            let opened = verifier.open(note).expect("an opened checkpoint's note opens");
            assert_eq!(Some(checkpoint), body(opened), "an opened checkpoint is not its body");
            accepted = true;
        }
    }
    accepted
}

/// A checkpoint body that parses, checked to print as the start of the text it came from.
fn body(text: &str) -> Option<Checkpoint> {
    let checkpoint = Checkpoint::parse(text).ok()?;
    let printed = checkpoint.body();
    assert!(
        text.starts_with(&printed),
        "a checkpoint body prints as {printed:?}, not as the text it came from"
    );
    assert_eq!(
        Checkpoint::parse(&printed).as_ref(),
        Ok(&checkpoint),
        "a printed body parses to another checkpoint"
    );
    Some(checkpoint)
}

/// Two checkpoint bodies (an older and a newer), then a proof document as `smes prove` prints
/// it. A document that reads writes and reads again to itself; its hashes decode and encode
/// back to the same text; checking is deterministic, and a proof that verifies stops verifying
/// when one of its hashes changes.
fn proof(input: &[u8]) -> bool {
    let text = String::from_utf8_lossy(input);
    let (old, rest) = split_lines(&text, 3);
    let (new, document) = split_lines(rest, 3);
    let (Ok(old), Ok(new)) = (Checkpoint::parse(old), Checkpoint::parse(new)) else {
        return false;
    };
    if let Ok(inclusion) = serde_json::from_str::<InclusionProofDocument>(document) {
        let written = serde_json::to_string(&inclusion).expect("a document always serialises");
        assert_eq!(
            serde_json::from_str::<InclusionProofDocument>(&written).ok(),
            Some(inclusion.clone())
        );
        let Some(hashes) = hashes(&inclusion.proof) else {
            return true;
        };
        let verified = new.check_inclusion(&inclusion.record, inclusion.position, &hashes);
        assert_eq!(
            verified,
            new.check_inclusion(&inclusion.record, inclusion.position, &hashes)
        );
        if verified.is_ok()
            && let Some(altered) = altered(&hashes)
        {
            assert!(
                new.check_inclusion(&inclusion.record, inclusion.position, &altered)
                    .is_err(),
                "an inclusion proof verifies with a hash changed"
            );
        }
        return true;
    }
    if let Ok(consistency) = serde_json::from_str::<ConsistencyProofDocument>(document) {
        let written = serde_json::to_string(&consistency).expect("a document always serialises");
        assert_eq!(
            serde_json::from_str::<ConsistencyProofDocument>(&written).ok(),
            Some(consistency.clone())
        );
        let Some(hashes) = hashes(&consistency.proof) else {
            return true;
        };
        let verified = old.check_consistency(&new, &hashes);
        assert_eq!(verified, old.check_consistency(&new, &hashes));
        if verified.is_ok()
            && let Some(altered) = altered(&hashes)
        {
            assert!(
                old.check_consistency(&new, &altered).is_err(),
                "a consistency proof verifies with a hash changed"
            );
        }
        return true;
    }
    false
}

/// A document's proof hashes, checked to encode back to the text they came from.
fn hashes(proof: &[String]) -> Option<Vec<Hash>> {
    let hashes = decode_proof(proof).ok()?;
    assert_eq!(
        encode_proof(&hashes),
        proof,
        "proof hashes encode to other text than they came from"
    );
    Some(hashes)
}

/// The proof with its first hash changed, when it has one.
fn altered(hashes: &[Hash]) -> Option<Vec<Hash>> {
    let mut altered = hashes.to_vec();
    altered.first_mut()?[0] ^= 1;
    Some(altered)
}

/// The first `count` lines of `text` (each with its newline) and the rest.
fn split_lines(text: &str, count: usize) -> (&str, &str) {
    let mut end = 0;
    for _ in 0..count {
        match text[end..].find('\n') {
            Some(at) => end += at + 1,
            None => return (text, ""),
        }
    }
    text.split_at(end)
}
