//! Sealing personal data before it reaches the domain, and opening it for display.
//!
//! Each person has a 256-bit key of their own in a [`KeyStore`] kept outside the events
//! table. A focal point's name and e-mail (and an actor's name) are encrypted with that key
//! into a [`SealedPersonalData`] envelope, and only the envelope enters the log. Forgetting a
//! person deletes the key: the envelopes stay in the hash-chained log, unreadable, and opening
//! them shows [`ERASED`].
//!
//! The cipher is XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`): an AEAD whose 192-bit
//! nonces can be drawn at random without a realistic risk of repeating one, and which is fast
//! in software on any CPU. The associated data binds an envelope to its person and key, so an
//! envelope copied onto another person does not open.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use smes_domain::ids::PersonId;
use smes_domain::personal_data::SealedPersonalData;
use uuid::Uuid;

use crate::error::{Error, Result};

/// What opening an envelope whose key was forgotten shows.
pub const ERASED: &str = "[erased]";

/// Bytes of a nonce of XChaCha20-Poly1305.
const NONCE_BYTES: usize = 24;

/// Where keys and nonces come from: the operating system in production, a seeded sequence
/// in tests.
pub trait RandomSource: Send + Sync {
    /// Fills `bytes` with random bytes.
    fn fill(&self, bytes: &mut [u8]);
}

/// The operating system's random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&self, bytes: &mut [u8]) {
        getrandom::fill(bytes).expect("the operating system's random source works");
    }
}

/// A deterministic byte sequence for tests (SplitMix64 from a seed). Not secret: never use it
/// for real data.
#[derive(Debug)]
pub struct SeededRandom {
    state: Mutex<u64>,
}

impl SeededRandom {
    /// A sequence starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRandom {
            state: Mutex::new(seed),
        }
    }
}

impl RandomSource for SeededRandom {
    fn fill(&self, bytes: &mut [u8]) {
        let mut state = self.state.lock().expect("random state lock");
        for chunk in bytes.chunks_mut(8) {
            *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut mixed = *state;
            mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            mixed ^= mixed >> 31;
            chunk.copy_from_slice(&mixed.to_le_bytes()[..chunk.len()]);
        }
    }
}

/// One person's key: its id (named in envelopes) and its 256 bits.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonKey {
    /// The key's id, as named by envelopes.
    pub key_id: String,
    key: [u8; 32],
}

impl PersonKey {
    /// A key with an id and its bytes.
    pub fn new(key_id: String, key: [u8; 32]) -> Self {
        PersonKey { key_id, key }
    }

    /// A new key drawn from `random`, with a new id.
    pub fn generate(random: &dyn RandomSource) -> Self {
        let mut key = [0u8; 32];
        random.fill(&mut key);
        let mut id = [0u8; 16];
        random.fill(&mut id);
        let key_id = format!("pdk-{}", uuid::Builder::from_random_bytes(id).into_uuid());
        PersonKey { key_id, key }
    }

    /// The key's bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.key
    }
}

impl fmt::Debug for PersonKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PersonKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Where per-person keys (and the sealed names of actors) are kept, outside the event log.
/// Rows here can be deleted: forgetting a person deletes their key.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// The person's key, created if the person has none (also after being forgotten: a new
    /// key, under a new id, that does not open the old envelopes).
    async fn key_for(&self, person: PersonId) -> Result<PersonKey>;

    /// The key with this id, if it still exists.
    async fn key_by_id(&self, key_id: &str) -> Result<Option<PersonKey>>;

    /// Deletes the person's key. Returns whether there was one.
    async fn forget(&self, person: PersonId) -> Result<bool>;

    /// Deletes a key that no event needs (made for a command that wrote nothing, or found
    /// named by no event): only while it is still `person`'s key `key_id`, and, with
    /// `made_before`, only if it was made before then (a key made since may belong to a command
    /// still on its way to the log). Returns whether it was deleted. Unlike [`KeyStore::forget`]
    /// it does not scrub the storage: such a key sealed nothing the log holds.
    async fn discard_unused_key(&self, person: PersonId, key_id: &str, made_before: Option<Timestamp>) -> Result<bool>;

    /// Keeps the sealed name of an actor (a pseudonymous id in event metadata).
    async fn record_actor(&self, actor: &str, name: &SealedPersonalData) -> Result<()>;

    /// The sealed name of an actor, if recorded.
    async fn actor(&self, actor: &str) -> Result<Option<SealedPersonalData>>;

    /// Every key held, by person, and every actor's sealed name, in a stable order: for copying
    /// the key store with its log.
    async fn export(&self) -> Result<KeyStoreContents>;

    /// Keeps a key copied from another key store for `person`. A person who has the same key
    /// already is left as is; one who has a different key is refused (a copy never replaces a
    /// key, which would make the person's envelopes unreadable).
    async fn adopt_key(&self, person: PersonId, key: &PersonKey) -> Result<()>;
}

/// What a key store holds, for copying it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyStoreContents {
    /// Each person's key, by person.
    pub keys: Vec<(PersonId, PersonKey)>,
    /// Each actor's sealed name, by actor.
    pub actors: Vec<(String, SealedPersonalData)>,
}

/// The refusal of a copied key for a person who holds another.
pub(crate) fn different_key(person: PersonId) -> crate::Error {
    crate::Error::PersonalData {
        person: person.to_string(),
        reason: "the key store already holds a different key for this person; a copy never replaces a key".to_owned(),
    }
}

/// A key store in memory, for tests.
pub struct InMemoryKeyStore {
    random: Box<dyn RandomSource>,
    keys: Mutex<HashMap<PersonId, PersonKey>>,
    actors: Mutex<HashMap<String, SealedPersonalData>>,
}

impl InMemoryKeyStore {
    /// An empty store drawing new keys from `random`.
    pub fn new(random: impl RandomSource + 'static) -> Self {
        InMemoryKeyStore {
            random: Box::new(random),
            keys: Mutex::new(HashMap::new()),
            actors: Mutex::new(HashMap::new()),
        }
    }
}

impl fmt::Debug for InMemoryKeyStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("InMemoryKeyStore").finish_non_exhaustive()
    }
}

#[async_trait]
impl KeyStore for InMemoryKeyStore {
    async fn key_for(&self, person: PersonId) -> Result<PersonKey> {
        let mut keys = self.keys.lock().expect("key store lock");
        Ok(keys
            .entry(person)
            .or_insert_with(|| PersonKey::generate(self.random.as_ref()))
            .clone())
    }

    async fn key_by_id(&self, key_id: &str) -> Result<Option<PersonKey>> {
        let keys = self.keys.lock().expect("key store lock");
        Ok(keys.values().find(|key| key.key_id == key_id).cloned())
    }

    async fn forget(&self, person: PersonId) -> Result<bool> {
        Ok(self.keys.lock().expect("key store lock").remove(&person).is_some())
    }

    /// Keeps no creation times: every key counts as made before `made_before`.
    async fn discard_unused_key(
        &self,
        person: PersonId,
        key_id: &str,
        _made_before: Option<Timestamp>,
    ) -> Result<bool> {
        let mut keys = self.keys.lock().expect("key store lock");
        if keys.get(&person).is_some_and(|key| key.key_id == key_id) {
            keys.remove(&person);
            return Ok(true);
        }
        Ok(false)
    }

    async fn record_actor(&self, actor: &str, name: &SealedPersonalData) -> Result<()> {
        self.actors
            .lock()
            .expect("key store lock")
            .insert(actor.to_owned(), name.clone());
        Ok(())
    }

    async fn actor(&self, actor: &str) -> Result<Option<SealedPersonalData>> {
        Ok(self.actors.lock().expect("key store lock").get(actor).cloned())
    }

    async fn export(&self) -> Result<KeyStoreContents> {
        let mut keys: Vec<_> = self
            .keys
            .lock()
            .expect("key store lock")
            .iter()
            .map(|(person, key)| (*person, key.clone()))
            .collect();
        keys.sort_by_key(|(person, _)| person.to_string());
        let mut actors: Vec<_> = self
            .actors
            .lock()
            .expect("key store lock")
            .iter()
            .map(|(actor, name)| (actor.clone(), name.clone()))
            .collect();
        actors.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(KeyStoreContents { keys, actors })
    }

    async fn adopt_key(&self, person: PersonId, key: &PersonKey) -> Result<()> {
        let mut keys = self.keys.lock().expect("key store lock");
        match keys.get(&person) {
            Some(held) if held != key => Err(different_key(person)),
            Some(_) => Ok(()),
            None => {
                keys.insert(person, key.clone());
                Ok(())
            }
        }
    }
}

/// A person's personal data as sealed: a name and, for focal points, an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalData {
    /// The person's name.
    pub name: String,
    /// Their e-mail address, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl fmt::Display for PersonalData {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.email {
            Some(email) => write!(formatter, "{} <{email}>", self.name),
            None => formatter.write_str(&self.name),
        }
    }
}

/// What opening an envelope gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The data, readable.
    Readable(PersonalData),
    /// The person's key was deleted: the data is gone for good.
    Erased,
}

impl fmt::Display for Opened {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Opened::Readable(data) => data.fmt(formatter),
            Opened::Erased => formatter.write_str(ERASED),
        }
    }
}

/// Seals and opens personal data with per-person keys.
pub struct Sealer {
    keys: std::sync::Arc<dyn KeyStore>,
    random: std::sync::Arc<dyn RandomSource>,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Sealer").finish_non_exhaustive()
    }
}

impl Sealer {
    /// A sealer over a key store, drawing nonces from `random`.
    pub fn new(keys: std::sync::Arc<dyn KeyStore>, random: std::sync::Arc<dyn RandomSource>) -> Self {
        Sealer { keys, random }
    }

    /// The key store.
    pub fn keys(&self) -> &std::sync::Arc<dyn KeyStore> {
        &self.keys
    }

    /// Encrypts a person's data with their key (created if they have none).
    pub async fn seal(&self, person: PersonId, data: &PersonalData) -> Result<SealedPersonalData> {
        smes_domain::values::refuse_control_characters("name", &data.name)?;
        if let Some(email) = &data.email {
            smes_domain::values::refuse_control_characters("email", email)?;
        }
        let key = self.keys.key_for(person).await?;
        let mut nonce = [0u8; NONCE_BYTES];
        self.random.fill(&mut nonce);
        let plaintext = serde_json::to_vec(data).expect("personal data always serialises");
        let cipher = XChaCha20Poly1305::new(key.bytes().into());
        let aad = associated_data(person, &key.key_id);
        let ciphertext = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| personal_data_error(person, "encryption failed"))?;
        Ok(SealedPersonalData::new(
            person,
            key.key_id,
            STANDARD.encode(nonce),
            STANDARD.encode(ciphertext),
        )?)
    }

    /// Decrypts an envelope; [`Opened::Erased`] when its key was forgotten.
    pub async fn open(&self, sealed: &SealedPersonalData) -> Result<Opened> {
        let Some(key) = self.keys.key_by_id(sealed.key_id()).await? else {
            return Ok(Opened::Erased);
        };
        let person = sealed.person();
        let nonce = STANDARD
            .decode(sealed.nonce())
            .map_err(|error| personal_data_error(person, &format!("nonce: {error}")))?;
        let nonce: [u8; NONCE_BYTES] = nonce
            .try_into()
            .map_err(|_| personal_data_error(person, "the nonce is not 24 bytes"))?;
        let ciphertext = STANDARD
            .decode(sealed.ciphertext())
            .map_err(|error| personal_data_error(person, &format!("ciphertext: {error}")))?;
        let cipher = XChaCha20Poly1305::new(key.bytes().into());
        let aad = associated_data(person, &key.key_id);
        let plaintext = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| personal_data_error(person, "the envelope does not open with its key (altered?)"))?;
        let data = serde_json::from_slice(&plaintext)
            .map_err(|error| personal_data_error(person, &format!("unreadable plaintext: {error}")))?;
        Ok(Opened::Readable(data))
    }

    /// Registers an actor: their name is sealed under a new person id and kept in the key
    /// store; the returned pseudonymous id (`actor-<uuid>`) is what event metadata carries.
    pub async fn register_actor(&self, person: PersonId, name: &str) -> Result<String> {
        let actor = actor_pseudonym(person);
        let sealed = self
            .seal(
                person,
                &PersonalData {
                    name: name.to_owned(),
                    email: None,
                },
            )
            .await?;
        self.keys.record_actor(&actor, &sealed).await?;
        Ok(actor)
    }

    /// The name behind an actor's pseudonymous id: `None` when never registered,
    /// [`Opened::Erased`] when forgotten.
    pub async fn actor_name(&self, actor: &str) -> Result<Option<Opened>> {
        match self.keys.actor(actor).await? {
            None => Ok(None),
            Some(sealed) => self.open(&sealed).await.map(Some),
        }
    }
}

/// The pseudonymous id of the actor who is `person`.
pub fn actor_pseudonym(person: PersonId) -> String {
    format!("actor-{person}")
}

fn associated_data(person: PersonId, key_id: &str) -> Vec<u8> {
    format!("smes personal data v1|{person}|{key_id}").into_bytes()
}

fn personal_data_error(person: PersonId, reason: &str) -> Error {
    Error::PersonalData {
        person: person.to_string(),
        reason: reason.to_owned(),
    }
}

/// A person id from a UUID, for callers that hold one.
pub fn person_id(uuid: Uuid) -> Result<PersonId> {
    Ok(PersonId::new(uuid)?)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(
            Arc::new(InMemoryKeyStore::new(SeededRandom::new(1))),
            Arc::new(SeededRandom::new(2)),
        )
    }

    fn person(n: u128) -> PersonId {
        PersonId::new(Uuid::from_u128(n)).unwrap()
    }

    fn ana() -> PersonalData {
        PersonalData {
            name: "Ana Gómez".to_owned(),
            email: Some("ana.gomez@example.org".to_owned()),
        }
    }

    #[tokio::test]
    async fn sealed_data_opens_and_hides_the_plaintext() {
        let sealer = sealer();
        let sealed = sealer.seal(person(1), &ana()).await.unwrap();
        let envelope = serde_json::to_string(&sealed).unwrap();
        assert!(
            !envelope.contains("Gómez") && !envelope.contains("ana.gomez"),
            "{envelope}"
        );
        assert_eq!(sealer.open(&sealed).await.unwrap(), Opened::Readable(ana()));
        assert_eq!(
            sealer.open(&sealed).await.unwrap().to_string(),
            "Ana Gómez <ana.gomez@example.org>"
        );
    }

    #[tokio::test]
    async fn sealing_is_deterministic_with_seeded_randomness() {
        let first = sealer().seal(person(1), &ana()).await.unwrap();
        let second = sealer().seal(person(1), &ana()).await.unwrap();
        assert_eq!(first, second);
        let sealer = sealer();
        let once = sealer.seal(person(1), &ana()).await.unwrap();
        let twice = sealer.seal(person(1), &ana()).await.unwrap();
        assert_ne!(once.nonce(), twice.nonce(), "a new nonce every time");
    }

    #[tokio::test]
    async fn forgetting_a_person_erases_their_data_only() {
        let sealer = sealer();
        let ana_sealed = sealer.seal(person(1), &ana()).await.unwrap();
        let other = sealer
            .seal(
                person(2),
                &PersonalData {
                    name: "Luis".to_owned(),
                    email: None,
                },
            )
            .await
            .unwrap();
        assert!(sealer.keys().forget(person(1)).await.unwrap());
        assert!(!sealer.keys().forget(person(1)).await.unwrap());
        assert_eq!(sealer.open(&ana_sealed).await.unwrap(), Opened::Erased);
        assert_eq!(sealer.open(&ana_sealed).await.unwrap().to_string(), ERASED);
        assert!(matches!(sealer.open(&other).await.unwrap(), Opened::Readable(_)));
        // A new key after forgetting does not bring the old data back.
        let again = sealer.seal(person(1), &ana()).await.unwrap();
        assert_ne!(again.key_id(), ana_sealed.key_id());
        assert_eq!(sealer.open(&ana_sealed).await.unwrap(), Opened::Erased);
    }

    #[tokio::test]
    async fn an_envelope_moved_to_another_person_does_not_open() {
        let sealer = sealer();
        let sealed = sealer.seal(person(1), &ana()).await.unwrap();
        let moved = SealedPersonalData::new(
            person(2),
            sealed.key_id().to_owned(),
            sealed.nonce().to_owned(),
            sealed.ciphertext().to_owned(),
        )
        .unwrap();
        assert!(matches!(sealer.open(&moved).await, Err(Error::PersonalData { .. })));
    }

    #[tokio::test]
    async fn actors_are_pseudonymous_with_sealed_names() {
        let sealer = sealer();
        let actor = sealer.register_actor(person(7), "María Rojas").await.unwrap();
        assert_eq!(actor, "actor-00000000-0000-0000-0000-000000000007");
        assert_eq!(
            sealer.actor_name(&actor).await.unwrap().map(|name| name.to_string()),
            Some("María Rojas".to_owned())
        );
        sealer.keys().forget(person(7)).await.unwrap();
        assert_eq!(sealer.actor_name(&actor).await.unwrap(), Some(Opened::Erased));
        assert_eq!(sealer.actor_name("actor-unknown").await.unwrap(), None);
    }
}
