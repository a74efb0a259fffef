//! Browser sessions: a random session id in an `HttpOnly`, `SameSite=Strict` cookie, mapped
//! in the server's memory to the SHA-256 hash of the token signed in with and to the session's
//! form token (against cross-site request forgery).
//!
//! The cookie holds neither the token nor its hash: a copied cookie is worth only as long as
//! the session, which ends on sign-out, after [`LIFETIME`], when the server restarts, or at the
//! next page once the token is revoked (every page looks the hash up in the token table again).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a session lasts after signing in.
pub const LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);

/// One signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// The hash of the token signed in with (as the token table keeps it).
    pub token_hash: String,
    /// The token every form of the session's pages carries, checked on every POST.
    pub csrf: String,
    expires: Instant,
}

/// The sessions of one server, shared by its handlers.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    inner: Arc<Mutex<HashMap<String, Session>>>,
}

impl Sessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        // A panic while holding the lock leaves the map itself whole.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts a session for the token whose hash is `token_hash`; returns its id.
    pub fn start(&self, token_hash: String) -> Result<String, getrandom::Error> {
        let id = random_hex()?;
        let csrf = random_hex()?;
        let now = Instant::now();
        let mut sessions = self.lock();
        sessions.retain(|_, session| session.expires > now);
        sessions.insert(
            id.clone(),
            Session {
                token_hash,
                csrf,
                expires: now + LIFETIME,
            },
        );
        Ok(id)
    }

    /// The session of `id`, unless it ended.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut sessions = self.lock();
        match sessions.get(id) {
            Some(session) if session.expires > Instant::now() => Some(session.clone()),
            Some(_) => {
                sessions.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends the session of `id`.
    pub fn end(&self, id: &str) {
        self.lock().remove(id);
    }
}

/// 32 random bytes from the operating system, as 64 hex digits.
pub fn random_hex() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
pub fn same_secret(left: &str, right: &str) -> bool {
    left.len() == right.len()
        && left
            .bytes()
            .zip(right.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_start_are_found_and_end() {
        let sessions = Sessions::default();
        let id = sessions.start("hash".to_owned()).unwrap();
        let other = sessions.start("hash".to_owned()).unwrap();
        assert_ne!(id, other);
        let session = sessions.get(&id).unwrap();
        assert_eq!(session.token_hash, "hash");
        assert_eq!(session.csrf.len(), 64);
        assert_ne!(session.csrf, sessions.get(&other).unwrap().csrf);
        sessions.end(&id);
        assert!(sessions.get(&id).is_none());
        assert!(sessions.get(&other).is_some());
        assert!(sessions.get("nothing").is_none());
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }
}
