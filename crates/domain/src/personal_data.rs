//! Personal data, sealed before it reaches the domain.
//!
//! Focal points' names and e-mail addresses must be erasable although the log is immutable. The
//! app encrypts them at its edge with a key kept per person in a key store outside the events
//! table; the domain only ever sees and records the sealed envelope. Destroying a person's key
//! later ("forgetting") leaves the envelope, and therefore the log's hash chain, intact but
//! unreadable. This crate never encrypts, decrypts or inspects the plaintext.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::PersonId;

/// An encrypted envelope holding one person's personal data (for a focal point: name and
/// e-mail). `key_id` names the per-person key in the app's key store; `nonce` and `ciphertext`
/// are base64 text as produced by the app's cipher.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SealedFields")]
pub struct SealedPersonalData {
    person: PersonId,
    key_id: String,
    nonce: String,
    ciphertext: String,
}

/// The serde form of [`SealedPersonalData`], checked on the way in.
#[derive(Deserialize)]
struct SealedFields {
    person: PersonId,
    key_id: String,
    nonce: String,
    ciphertext: String,
}

impl TryFrom<SealedFields> for SealedPersonalData {
    type Error = DomainError;

    fn try_from(fields: SealedFields) -> Result<Self, DomainError> {
        SealedPersonalData::new(fields.person, fields.key_id, fields.nonce, fields.ciphertext)
    }
}

impl SealedPersonalData {
    /// Wraps an envelope made by the app, checking only its outer form: a key id, and a nonce
    /// and ciphertext that are non-empty base64 text.
    pub fn new(person: PersonId, key_id: String, nonce: String, ciphertext: String) -> Result<Self, DomainError> {
        crate::values::require_text("sealed personal data key id", &key_id)?;
        require_base64("sealed personal data nonce", &nonce)?;
        require_base64("sealed personal data ciphertext", &ciphertext)?;
        Ok(Self {
            person,
            key_id,
            nonce,
            ciphertext,
        })
    }

    /// Whose data this is.
    pub fn person(&self) -> PersonId {
        self.person
    }

    /// The id of the per-person key in the app's key store.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The cipher's nonce, base64.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The encrypted data, base64.
    pub fn ciphertext(&self) -> &str {
        &self.ciphertext
    }
}

fn require_base64(field: &'static str, text: &str) -> Result<(), DomainError> {
    let body = text.trim_end_matches('=');
    let well_formed = !body.is_empty()
        && text.len() - body.len() <= 2
        && body
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'-' | b'_'));
    if !well_formed {
        return Err(DomainError::InvalidValue {
            field,
            value: text.to_owned(),
            reason: "expected non-empty base64 text".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn person() -> PersonId {
        PersonId::new(Uuid::from_u128(9)).unwrap()
    }

    #[test]
    fn envelopes_need_a_key_id_and_base64_nonce_and_ciphertext() {
        let sealed = SealedPersonalData::new(person(), "key-9".into(), "AAEC".into(), "q83v==".into());
        assert_eq!(sealed.as_ref().map(SealedPersonalData::key_id), Ok("key-9"));
        assert!(SealedPersonalData::new(person(), "".into(), "AAEC".into(), "q83v".into()).is_err());
        assert!(SealedPersonalData::new(person(), "k".into(), "not base64!".into(), "q83v".into()).is_err());
        assert!(SealedPersonalData::new(person(), "k".into(), "AAEC".into(), "===".into()).is_err());
    }

    #[test]
    fn deserialising_checks_the_envelope() {
        let json = serde_json::json!({
            "person": person(), "key_id": "k", "nonce": "", "ciphertext": "q83v"
        });
        assert!(serde_json::from_value::<SealedPersonalData>(json).is_err());
    }
}
