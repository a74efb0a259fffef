//! Bearer tokens: created once and shown once, kept only as their SHA-256 hash with a name, a
//! role, the pseudonymous actor id that commands sent with them record, and when they were
//! created and revoked (table `api_tokens`, created by the log's migrations on both backends).
//!
//! A token is 32 random bytes from the operating system, written as `smes_` and 64 hex digits.
//! It is looked up by its hash, so the hash of a guess is compared by the database's index, and
//! a stolen copy of the table gives no usable token.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};
use smes_app::Database;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::error::{Error, Result};

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The Permanent Secretariat: records commands and reads everything.
    Secretariat,
    /// An auditor: reads everything (snapshots, traces, streams, the log's head and its
    /// verification), writes nothing.
    Auditor,
    /// An observer: only published material (in this version: the health check).
    Observer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Secretariat, Role::Auditor, Role::Observer];

    /// The role's name, as stored and recorded in event metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretariat => "secretariat",
            Role::Auditor => "auditor",
            Role::Observer => "observer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;

    fn from_str(text: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| Error::InvalidRole(text.to_owned()))
    }
}

/// A token's record, without the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// The name it was created under (unique).
    pub name: String,
    /// The role it grants.
    pub role: Role,
    /// The pseudonymous actor id recorded in the metadata of the commands it sends.
    pub actor: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// A token just created: the only time the token itself is seen.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The token to give its holder.
    pub token: String,
    /// Its record.
    pub info: TokenInfo,
}

/// The caller a valid token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name.
    pub name: String,
    /// The role the token grants.
    pub role: Role,
    /// The pseudonymous actor id recorded for the caller's commands.
    pub actor: String,
}

/// The longest token name accepted.
pub const MAX_NAME: usize = 64;

const INSERT: &str = "INSERT INTO api_tokens (name, token_hash, role, actor, created_at, revoked_at) \
     VALUES ($1, $2, $3, $4, $5, NULL)";
const FIND: &str = "SELECT name, role, actor FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL";
const LIST: &str = "SELECT name, role, actor, created_at, revoked_at FROM api_tokens ORDER BY name";
const REVOKE: &str = "UPDATE api_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL";
const EXISTS: &str = "SELECT count(*) FROM api_tokens WHERE name = $1";

type ListRow = (String, String, String, i64, Option<i64>);

/// The token table of one log's database.
#[derive(Debug, Clone)]
pub enum TokenStore {
    /// In the log's SQLite file.
    Sqlite(SqlitePool),
    /// In the log's PostgreSQL database.
    Postgres(PgPool),
}

impl TokenStore {
    /// Opens the token table beside an opened log (whose migrations created it).
    pub async fn open(database: &Database) -> Result<TokenStore> {
        Ok(match database {
            Database::Sqlite(store) => {
                let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", store.path().display()))?
                    .create_if_missing(false)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(10));
                TokenStore::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(2)
                        .connect_with(options)
                        .await?,
                )
            }
            Database::Postgres(store) => {
                let options = PgConnectOptions::from_str(store.location())?;
                TokenStore::Postgres(
                    PgPoolOptions::new()
                        .max_connections(2)
                        .min_connections(0)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(options)
                        .await?,
                )
            }
        })
    }

    /// Creates a token named `name` granting `role`, recording `actor` (or, without one, the
    /// name) as the actor of its commands. The token is returned once and never stored.
    pub async fn create(&self, name: &str, role: Role, actor: Option<&str>) -> Result<NewToken> {
        check_name(name)?;
        let actor = actor.unwrap_or(name);
        check_actor(actor)?;
        if self.count(name).await? > 0 {
            return Err(Error::TokenExists(name.to_owned()));
        }
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|error| Error::Random(error.to_string()))?;
        let token = format!("smes_{}", hex::encode(secret));
        let created_at = Timestamp::now();
        let created = created_at.as_microsecond();
        let hash = token_hash(&token);
        let inserted = match self {
            TokenStore::Sqlite(pool) => sqlx::query(INSERT)
                .bind(name)
                .bind(&hash)
                .bind(role.as_str())
                .bind(actor)
                .bind(created)
                .execute(pool)
                .await
                .map(|_| ()),
            TokenStore::Postgres(pool) => sqlx::query(INSERT)
                .bind(name)
                .bind(&hash)
                .bind(role.as_str())
                .bind(actor)
                .bind(created)
                .execute(pool)
                .await
                .map(|_| ()),
        };
        match inserted {
            Ok(_) => {}
            // Another process created the same name in between.
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(Error::TokenExists(name.to_owned()));
            }
            Err(error) => return Err(error.into()),
        }
        Ok(NewToken {
            token,
            info: TokenInfo {
                name: name.to_owned(),
                role,
                actor: actor.to_owned(),
                created_at,
                revoked_at: None,
            },
        })
    }

    /// The caller a presented token names, if it is known and not revoked.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Caller>> {
        self.authenticate_hash(&token_hash(token)).await
    }

    /// The caller a token's hash ([`token_hash`]) names, if that token exists and is not
    /// revoked: how a signed-in browser's session is checked on every page.
    pub async fn authenticate_hash(&self, hash: &str) -> Result<Option<Caller>> {
        let row: Option<(String, String, String)> = match self {
            TokenStore::Sqlite(pool) => sqlx::query_as(FIND).bind(hash).fetch_optional(pool).await?,
            TokenStore::Postgres(pool) => sqlx::query_as(FIND).bind(hash).fetch_optional(pool).await?,
        };
        row.map(|(name, role, actor)| {
            Ok(Caller {
                name,
                role: role.parse()?,
                actor,
            })
        })
        .transpose()
    }

    /// Every token's record, by name (revoked ones too); never the tokens.
    pub async fn list(&self) -> Result<Vec<TokenInfo>> {
        let rows: Vec<ListRow> = match self {
            TokenStore::Sqlite(pool) => sqlx::query_as(LIST).fetch_all(pool).await?,
            TokenStore::Postgres(pool) => sqlx::query_as(LIST).fetch_all(pool).await?,
        };
        rows.into_iter()
            .map(|(name, role, actor, created_at, revoked_at)| {
                Ok(TokenInfo {
                    role: role.parse()?,
                    created_at: timestamp(&name, created_at)?,
                    revoked_at: revoked_at.map(|at| timestamp(&name, at)).transpose()?,
                    name,
                    actor,
                })
            })
            .collect()
    }

    /// Revokes the token named `name`: from now on it is refused. Revoking a revoked token
    /// changes nothing; an unknown name is an error.
    pub async fn revoke(&self, name: &str) -> Result<bool> {
        let now = Timestamp::now().as_microsecond();
        let changed = match self {
            TokenStore::Sqlite(pool) => sqlx::query(REVOKE)
                .bind(name)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected(),
            TokenStore::Postgres(pool) => sqlx::query(REVOKE)
                .bind(name)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected(),
        };
        if changed > 0 {
            return Ok(true);
        }
        if self.count(name).await? == 0 {
            return Err(Error::UnknownToken(name.to_owned()));
        }
        Ok(false)
    }

    async fn count(&self, name: &str) -> Result<i64> {
        Ok(match self {
            TokenStore::Sqlite(pool) => sqlx::query_scalar(EXISTS).bind(name).fetch_one(pool).await?,
            TokenStore::Postgres(pool) => sqlx::query_scalar(EXISTS).bind(name).fetch_one(pool).await?,
        })
    }
}

/// The hex SHA-256 of a token: what the table keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token name: 1 to 64 letters, digits, `.`, `_` or `-`.
fn check_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > MAX_NAME || !name.chars().all(allowed) {
        return Err(Error::InvalidTokenName(name.to_owned()));
    }
    Ok(())
}

/// An actor id is recorded in the metadata of every event its token's commands write: it must
/// say something, on one line, without control characters.
fn check_actor(actor: &str) -> Result<()> {
    if actor.trim().is_empty() {
        return Err(Error::InvalidActor);
    }
    if let Some(control) = actor.chars().find(|character| character.is_control()) {
        return Err(Error::ActorControlCharacter {
            actor: actor.to_owned(),
            code: u32::from(control),
        });
    }
    Ok(())
}

fn timestamp(name: &str, microseconds: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(microseconds).map_err(|_| Error::CorruptToken {
        name: name.to_owned(),
        detail: format!("time {microseconds} is out of range"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("ops-1.bot_a").is_ok());
        for bad in ["", "has space", "é", &"x".repeat(MAX_NAME + 1)] {
            assert!(matches!(check_name(bad), Err(Error::InvalidTokenName(_))), "{bad:?}");
        }
    }

    #[test]
    fn actors_are_one_line_without_control_characters() {
        assert!(check_actor("actor-7f3a").is_ok());
        assert!(matches!(check_actor("  "), Err(Error::InvalidActor)));
        for (bad, code) in [
            ("actor\n2", 0x0A),
            ("tab\there", 0x09),
            ("bell\u{7}", 0x07),
            ("del\u{7f}", 0x7F),
        ] {
            match check_actor(bad) {
                Err(Error::ActorControlCharacter { actor, code: found }) => {
                    assert_eq!((actor.as_str(), found), (bad, code));
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
        assert_eq!(
            check_actor("a\u{1b}[31m").unwrap_err().to_string(),
            "the actor id \"a\\u{1b}[31m\" holds the control character U+001B; an actor id is one line of text without control characters"
        );
    }

    #[test]
    fn roles_parse_by_name_only() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("admin".parse::<Role>().is_err());
        assert!("Secretariat".parse::<Role>().is_err());
    }

    #[test]
    fn the_hash_is_sha256_in_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
