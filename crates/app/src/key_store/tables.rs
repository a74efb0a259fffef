//! What both backends of the key store share: the statements on `personal_data_keys` and
//! `actors` (both backends' migrations create the same tables, and both drivers bind `$n`
//! parameters by number), run through [`KeyTables`] on a pool of either driver, and the checks
//! on what a row holds.

use std::future::Future;

use smes_domain::ids::PersonId;
use smes_domain::personal_data::SealedPersonalData;
use sqlx::{Encode, Executor, FromRow, Pool, Type};

use super::KeyBackend;
use crate::error::{Error, Result};
use crate::personal_data::{KeyStoreContents, PersonKey, different_key};

/// Keeps a new key unless the person has one: the first insert wins.
const INSERT_KEY: &str = "INSERT INTO personal_data_keys (person, key_id, key, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (person) DO NOTHING";
/// The person's key.
const KEY_OF_PERSON: &str = "SELECT key_id, key FROM personal_data_keys WHERE person = $1";
const KEY_BY_ID: &str = "SELECT key_id, key FROM personal_data_keys WHERE key_id = $1";
/// Destroys the person's key.
pub(super) const DELETE_KEY: &str = "DELETE FROM personal_data_keys WHERE person = $1";
/// Deletes a key that sealed nothing the log holds: only while it is still the person's key,
/// and only if it was made before a time (microseconds since 1970 UTC).
const DISCARD_KEY: &str = "DELETE FROM personal_data_keys WHERE person = $1 AND key_id = $2 AND created_at < $3";
/// Keeps (or replaces) an actor's sealed name.
const UPSERT_ACTOR: &str = "INSERT INTO actors (actor, person, key_id, nonce, ciphertext) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (actor) DO UPDATE SET person = excluded.person, \
     key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext";
/// An actor's sealed name.
const ACTOR: &str = "SELECT person, key_id, nonce, ciphertext FROM actors WHERE actor = $1";
/// Every key, by person.
const ALL_KEYS: &str = "SELECT person, key_id, key FROM personal_data_keys ORDER BY person";
/// Every actor's sealed name, by actor.
const ALL_ACTORS: &str = "SELECT actor, person, key_id, nonce, ciphertext FROM actors ORDER BY actor";

/// A key row: key id and key.
type Key = (String, Vec<u8>);
/// An actor row: person, key id, nonce, ciphertext.
type Actor = (String, String, String, String);
/// A row of [`ALL_KEYS`]: person, key id, key.
type PersonsKey = (String, String, Vec<u8>);
/// A row of [`ALL_ACTORS`]: actor, person, key id, nonce, ciphertext.
type NamedActor = (String, String, String, String, String);

/// The shared statements, run on a pool. Implemented once, for a pool of any backend whose
/// driver binds and reads the values they hold, so those bounds are stated here alone.
pub(super) trait KeyTables {
    /// Keeps `key` for `person` unless they hold one already (the first insert wins, so two
    /// callers keeping a key at once both read the winner), and returns the key they hold.
    fn keep_first_key(&self, person: PersonId, key: &PersonKey) -> impl Future<Output = Result<PersonKey>> + Send;

    /// The key with this id.
    fn key_by_id(&self, key_id: &str) -> impl Future<Output = Result<Option<PersonKey>>> + Send;

    /// Deletes `person`'s key `key_id` if it was made before `made_before` (microseconds since
    /// 1970 UTC); whether it was deleted.
    fn discard_key(
        &self,
        person: PersonId,
        key_id: &str,
        made_before: i64,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Keeps (or replaces) an actor's sealed name.
    fn keep_actor(&self, actor: &str, name: &SealedPersonalData) -> impl Future<Output = Result<()>> + Send;

    /// An actor's sealed name.
    fn actor(&self, actor: &str) -> impl Future<Output = Result<Option<SealedPersonalData>>> + Send;

    /// Every key and every actor's sealed name.
    fn contents(&self) -> impl Future<Output = Result<KeyStoreContents>> + Send;
}

impl<DB> KeyTables for Pool<DB>
where
    DB: KeyBackend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> &'a str: Encode<'a, DB> + Type<DB>,
    for<'a> &'a [u8]: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'r> Key: FromRow<'r, DB::Row>,
    for<'r> Actor: FromRow<'r, DB::Row>,
    for<'r> PersonsKey: FromRow<'r, DB::Row>,
    for<'r> NamedActor: FromRow<'r, DB::Row>,
{
    async fn keep_first_key(&self, person: PersonId, key: &PersonKey) -> Result<PersonKey> {
        sqlx::query(INSERT_KEY)
            .bind(person.to_string())
            .bind(key.key_id.as_str())
            .bind(key.bytes().as_slice())
            .bind(jiff::Timestamp::now().as_microsecond())
            .execute(self)
            .await?;
        let (key_id, key): Key = sqlx::query_as(KEY_OF_PERSON)
            .bind(person.to_string())
            .fetch_one(self)
            .await?;
        person_key(key_id, &key)
    }

    async fn key_by_id(&self, key_id: &str) -> Result<Option<PersonKey>> {
        let row: Option<Key> = sqlx::query_as(KEY_BY_ID).bind(key_id).fetch_optional(self).await?;
        row.map(|(key_id, key)| person_key(key_id, &key)).transpose()
    }

    async fn discard_key(&self, person: PersonId, key_id: &str, made_before: i64) -> Result<bool> {
        let deleted = sqlx::query(DISCARD_KEY)
            .bind(person.to_string())
            .bind(key_id)
            .bind(made_before)
            .execute(self)
            .await?;
        Ok(DB::rows_affected(&deleted) > 0)
    }

    async fn keep_actor(&self, actor: &str, name: &SealedPersonalData) -> Result<()> {
        sqlx::query(UPSERT_ACTOR)
            .bind(actor)
            .bind(name.person().to_string())
            .bind(name.key_id())
            .bind(name.nonce())
            .bind(name.ciphertext())
            .execute(self)
            .await?;
        Ok(())
    }

    async fn actor(&self, actor: &str) -> Result<Option<SealedPersonalData>> {
        let row: Option<Actor> = sqlx::query_as(ACTOR).bind(actor).fetch_optional(self).await?;
        row.map(|(person, key_id, nonce, ciphertext)| sealed_actor(&person, key_id, nonce, ciphertext))
            .transpose()
    }

    async fn contents(&self) -> Result<KeyStoreContents> {
        let keys = sqlx::query_as(ALL_KEYS).fetch_all(self).await?;
        let actors = sqlx::query_as(ALL_ACTORS).fetch_all(self).await?;
        contents(keys, actors)
    }
}

/// The rows of [`ALL_KEYS`] and [`ALL_ACTORS`] as a key store's contents.
fn contents(keys: Vec<PersonsKey>, actors: Vec<NamedActor>) -> Result<KeyStoreContents> {
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
pub(super) fn check_adopted(person: PersonId, held: &PersonKey, adopted: &PersonKey) -> Result<()> {
    if held == adopted {
        Ok(())
    } else {
        Err(different_key(person))
    }
}

/// A key row as a key; a stored key of the wrong length is an error naming the key.
fn person_key(key_id: String, bytes: &[u8]) -> Result<PersonKey> {
    let key: [u8; 32] = bytes.try_into().map_err(|_| Error::PersonalData {
        person: key_id.clone(),
        reason: "the stored key is not 32 bytes".to_owned(),
    })?;
    Ok(PersonKey::new(key_id, key))
}

/// An actor row as a sealed name.
fn sealed_actor(person: &str, key_id: String, nonce: String, ciphertext: String) -> Result<SealedPersonalData> {
    let person: PersonId = person.parse()?;
    Ok(SealedPersonalData::new(person, key_id, nonce, ciphertext)?)
}
