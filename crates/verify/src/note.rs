//! Signed notes (C2SP signed-note) with Ed25519 keys: what a checkpoint travels in.
//!
//! A note is UTF-8 text ending in a newline, followed by a blank line and one or more signature
//! lines `— <key name> <base64(key id ‖ signature)>`. The key id is the first four bytes of
//! `SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key)`, 0x01 naming Ed25519, and the signature covers
//! the text exactly. Keys are written as the Go `note` package writes them:
//! `<name>+<key id, 8 hex digits>+<base64(0x01 ‖ public key)>` for verifiers and
//! `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>` for signers, so notes signed here open with
//! other implementations of the standard and the other way round (a test checks the Go package's
//! published example).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The algorithm byte of Ed25519 keys.
const ALGORITHM_ED25519: u8 = 1;

/// The em dash that starts a signature line.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// What is wrong with a key, a note or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// A key string is not in the expected form.
    #[error("malformed {kind} key: {detail}")]
    MalformedKey {
        /// `signer` or `verifier`.
        kind: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The note's text or signature block is not in the signed-note form.
    #[error("malformed signed note: {0}")]
    MalformedNote(String),
    /// No signature line of the note is by the given key.
    #[error("the note carries no signature by key {name}+{key_id:08x}")]
    NotSignedByKey {
        /// The key's name.
        name: String,
        /// The key's id.
        key_id: u32,
    },
    /// A signature by the key is there but does not verify: the text or the signature changed.
    #[error("the signature by key {name}+{key_id:08x} does not verify: the note was altered or signed by another key")]
    BadSignature {
        /// The key's name.
        name: String,
        /// The key's id.
        key_id: u32,
    },
}

fn key_id(name: &str, public_key: &VerifyingKey) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update([ALGORITHM_ED25519]);
    hasher.update(public_key.as_bytes());
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

fn check_key_name(kind: &'static str, name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(NoteError::MalformedKey {
            kind,
            detail: format!("the key name {name:?} must be non-empty, without '+' or white space"),
        });
    }
    Ok(())
}

/// Decodes `base64(0x01 ‖ 32 bytes)`.
fn decode_key_material(kind: &'static str, text: &str) -> Result<[u8; 32], NoteError> {
    let malformed = |detail: String| NoteError::MalformedKey { kind, detail };
    let bytes = BASE64
        .decode(text)
        .map_err(|error| malformed(format!("the key material is not base64: {error}")))?;
    match bytes.split_first() {
        Some((&ALGORITHM_ED25519, key)) => key
            .try_into()
            .map_err(|_| malformed(format!("an Ed25519 key has 32 bytes, not {}", key.len()))),
        Some((algorithm, _)) => Err(malformed(format!(
            "unknown key algorithm {algorithm}; only Ed25519 (1) is known"
        ))),
        None => Err(malformed("the key material is empty".into())),
    }
}

fn encode_key_material(key: &[u8; 32]) -> String {
    let mut bytes = Vec::with_capacity(33);
    bytes.push(ALGORITHM_ED25519);
    bytes.extend_from_slice(key);
    BASE64.encode(bytes)
}

/// A key that signs notes. Keep its text form secret; it never enters the log.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id()))
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A signer named `name` from a 32-byte secret seed (which the caller draws at random).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, NoteError> {
        check_key_name("signer", name)?;
        Ok(NoteSigner {
            name: name.to_owned(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>`.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let malformed = |detail: &str| NoteError::MalformedKey {
            kind: "signer",
            detail: detail.to_owned(),
        };
        let rest = text
            .trim_end()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| malformed("a signer key starts with PRIVATE+KEY+"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(material)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed("expected PRIVATE+KEY+<name>+<key id>+<key>"));
        };
        let signer = Self::from_seed(name, decode_key_material("signer", material)?)?;
        if u32::from_str_radix(id, 16).ok() != Some(signer.key_id()) || id.len() != 8 {
            return Err(malformed("the key id does not match the key"));
        }
        Ok(signer)
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key's id.
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, &self.key.verifying_key())
    }

    /// The secret key in its text form.
    pub fn to_secret_string(&self) -> String {
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id(),
            encode_key_material(self.key.as_bytes())
        )
    }

    /// The matching verifier key, for auditors.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// Signs `text` (which must end with a newline and contain no blank line ending it).
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        let signature = self.key.sign(text.as_bytes());
        let mut blob = self.key_id().to_be_bytes().to_vec();
        blob.extend_from_slice(&signature.to_bytes());
        Ok(format!(
            "{text}\n{SIGNATURE_PREFIX}{} {}\n",
            self.name,
            BASE64.encode(blob)
        ))
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::MalformedNote("the text must end with a newline".into()));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::MalformedNote(
            "the text must not contain a blank line".into(),
        ));
    }
    Ok(())
}

/// A public key that checks notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses `<name>+<key id>+<base64(0x01 ‖ public key)>`.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let malformed = |detail: &str| NoteError::MalformedKey {
            kind: "verifier",
            detail: detail.to_owned(),
        };
        let mut parts = text.trim_end().splitn(3, '+');
        let (Some(name), Some(id), Some(material)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed("expected <name>+<key id>+<key>"));
        };
        check_key_name("verifier", name)?;
        let key = VerifyingKey::from_bytes(&decode_key_material("verifier", material)?)
            .map_err(|_| malformed("the key is not a valid Ed25519 public key"))?;
        let verifier = NoteVerifier {
            name: name.to_owned(),
            key,
        };
        if id.len() != 8 || u32::from_str_radix(id, 16).ok() != Some(verifier.key_id()) {
            return Err(malformed("the key id does not match the key"));
        }
        Ok(verifier)
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key's id.
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, &self.key)
    }

    /// Checks that `note` carries a valid signature by this key and returns its text.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| NoteError::MalformedNote("no blank line before the signatures".into()))?;
        let text = &note[..split + 1];
        let signatures = &note[split + 2..];
        check_text(text)?;
        if !signatures.ends_with('\n') || signatures.len() <= 1 {
            return Err(NoteError::MalformedNote(
                "the signature lines must end with a newline".into(),
            ));
        }
        let key_id = self.key_id();
        let mut found = None;
        for line in signatures.lines() {
            let line = line.strip_prefix(SIGNATURE_PREFIX).ok_or_else(|| {
                NoteError::MalformedNote(format!("a signature line must start with an em dash: {line:?}"))
            })?;
            let (name, blob) = line.split_once(' ').ok_or_else(|| {
                NoteError::MalformedNote(format!("a signature line needs a name and a signature: {line:?}"))
            })?;
            let blob = BASE64
                .decode(blob)
                .map_err(|error| NoteError::MalformedNote(format!("a signature is not base64: {error}")))?;
            if blob.len() < 4 {
                return Err(NoteError::MalformedNote(
                    "a signature is shorter than its key id".into(),
                ));
            }
            if name == self.name && blob[..4] == key_id.to_be_bytes() {
                found = Some(blob[4..].to_vec());
            }
        }
        let signature = found.ok_or_else(|| NoteError::NotSignedByKey {
            name: self.name.clone(),
            key_id,
        })?;
        let bad = || NoteError::BadSignature {
            name: self.name.clone(),
            key_id,
        };
        let signature = ed25519_dalek::Signature::from_slice(&signature).map_err(|_| bad())?;
        self.key.verify_strict(text.as_bytes(), &signature).map_err(|_| bad())?;
        Ok(text)
    }
}

impl std::fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.key_id(),
            encode_key_material(self.key.as_bytes())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of Go's golang.org/x/mod/sumdb/note package documentation: keys, text and
    // signed note. Matching it shows the format is the standard one, byte for byte.
    const GO_SIGNER: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_VERIFIER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_TEXT: &str =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const GO_SIGNATURE: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    #[test]
    fn the_go_packages_example_signs_and_opens_identically() {
        let signer = NoteSigner::parse(GO_SIGNER).unwrap();
        assert_eq!(signer.to_secret_string(), GO_SIGNER);
        assert_eq!(signer.verifier().to_string(), GO_VERIFIER);
        let note = signer.sign(GO_TEXT).unwrap();
        assert_eq!(note, format!("{GO_TEXT}\n{GO_SIGNATURE}"));
        let verifier = NoteVerifier::parse(GO_VERIFIER).unwrap();
        assert_eq!(verifier.open(&note).unwrap(), GO_TEXT);
    }

    #[test]
    fn altered_notes_and_other_keys_are_refused() {
        let signer = NoteSigner::parse(GO_SIGNER).unwrap();
        let verifier = signer.verifier();
        let note = signer.sign(GO_TEXT).unwrap();
        let altered = note.replacen("cryptography", "cryptographY", 1);
        assert!(matches!(verifier.open(&altered), Err(NoteError::BadSignature { .. })));
        let other = NoteSigner::from_seed("PeterNeumann", [7; 32]).unwrap().verifier();
        assert!(matches!(other.open(&note), Err(NoteError::NotSignedByKey { .. })));
        let renamed = NoteSigner::from_seed("Other", [7; 32]).unwrap();
        let note_by_other = renamed.sign(GO_TEXT).unwrap();
        assert!(matches!(
            verifier.open(&note_by_other),
            Err(NoteError::NotSignedByKey { .. })
        ));
        assert!(matches!(verifier.open(GO_TEXT), Err(NoteError::MalformedNote(_))));
    }

    #[test]
    fn keys_round_trip_and_malformed_keys_are_refused() {
        let signer = NoteSigner::from_seed("smes.example/log", [42; 32]).unwrap();
        let again = NoteSigner::parse(&signer.to_secret_string()).unwrap();
        assert_eq!(again.verifier(), signer.verifier());
        assert_eq!(
            NoteVerifier::parse(&signer.verifier().to_string()).unwrap(),
            signer.verifier()
        );
        assert!(NoteSigner::from_seed("has space", [1; 32]).is_err());
        assert!(NoteVerifier::parse("name+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
        assert!(NoteVerifier::parse("PeterNeumann+c74f20a3+AA==").is_err());
        assert!(NoteSigner::parse(GO_VERIFIER).is_err());
        assert!(signer.sign("no newline").is_err());
        assert!(signer.sign("blank\n\nline\n").is_err());
    }
}
