//! What the SQL key stores share: the statements on `personal_data_keys` and `actors` (both
//! backends' migrations create the same tables, and both drivers bind `$n` parameters by
//! number) and the checks on what a row holds.

use smes_domain::ids::PersonId;
use smes_domain::personal_data::SealedPersonalData;

use crate::error::{Error, Result};
use crate::personal_data::{KeyStoreContents, PersonKey, different_key};

/// Keeps a new key unless the person has one: the first insert wins.
pub const INSERT_KEY: &str = "INSERT INTO personal_data_keys (person, key_id, key, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (person) DO NOTHING";
/// The person's key.
pub const KEY_OF_PERSON: &str = "SELECT key_id, key FROM personal_data_keys WHERE person = $1";
/// A key by its id.
pub const KEY_BY_ID: &str = "SELECT key_id, key FROM personal_data_keys WHERE key_id = $1";
/// Destroys the person's key.
pub const DELETE_KEY: &str = "DELETE FROM personal_data_keys WHERE person = $1";
/// Deletes a key that sealed nothing the log holds: only while it is still the person's key,
/// and only if it was made before a time (microseconds since 1970 UTC).
pub const DISCARD_KEY: &str = "DELETE FROM personal_data_keys WHERE person = $1 AND key_id = $2 AND created_at < $3";
/// Keeps (or replaces) an actor's sealed name.
pub const UPSERT_ACTOR: &str = "INSERT INTO actors (actor, person, key_id, nonce, ciphertext) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (actor) DO UPDATE SET person = excluded.person, \
     key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext";
/// An actor's sealed name.
pub const ACTOR: &str = "SELECT person, key_id, nonce, ciphertext FROM actors WHERE actor = $1";
/// Every key, by person.
pub const ALL_KEYS: &str = "SELECT person, key_id, key FROM personal_data_keys ORDER BY person";
/// Every actor's sealed name, by actor.
pub const ALL_ACTORS: &str = "SELECT actor, person, key_id, nonce, ciphertext FROM actors ORDER BY actor";

/// The rows of [`ALL_KEYS`] and [`ALL_ACTORS`] as a key store's contents.
pub fn contents(
    keys: Vec<(String, String, Vec<u8>)>,
    actors: Vec<(String, String, String, String, String)>,
) -> Result<KeyStoreContents> {
    Ok(KeyStoreContents {
        keys: keys
            .into_iter()
            .map(|(person, key_id, key)| Ok((person.parse()?, person_key(key_id, &key)?)))
            .collect::<Result<_>>()?,
        actors: actors
            .into_iter()
            .map(|(actor, person, key_id, nonce, ciphertext)| {
                Ok((actor, sealed_actor(&person, key_id, nonce, ciphertext)?))
            })
            .collect::<Result<_>>()?,
    })
}

/// Whether the key a person holds after an adopting insert is the adopted one.
pub fn check_adopted(person: PersonId, held: (String, Vec<u8>), adopted: &PersonKey) -> Result<()> {
    if person_key(held.0, &held.1)? == *adopted {
        Ok(())
    } else {
        Err(different_key(person))
    }
}

/// A key row as a key; a stored key of the wrong length is an error naming the key.
pub fn person_key(key_id: String, bytes: &[u8]) -> Result<PersonKey> {
    let key: [u8; 32] = bytes.try_into().map_err(|_| Error::PersonalData {
        person: key_id.clone(),
        reason: "the stored key is not 32 bytes".to_owned(),
    })?;
    Ok(PersonKey::new(key_id, key))
}

/// An actor row as a sealed name.
pub fn sealed_actor(person: &str, key_id: String, nonce: String, ciphertext: String) -> Result<SealedPersonalData> {
    let person: PersonId = person.parse()?;
    Ok(SealedPersonalData::new(person, key_id, nonce, ciphertext)?)
}
