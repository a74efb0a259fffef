//! The crate's one error type: what token management and serving can report. Errors of a
//! request are answered as problem details instead ([`crate::problem`]).

/// Why a token could not be managed or the server could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A token name with characters other than letters, digits, `.`, `_` and `-`, or empty, or
    /// too long.
    #[error(
        "token name {0:?} is not allowed; expected 1 to {max} letters, digits, '.', '_' or '-'",
        max = crate::tokens::MAX_NAME
    )]
    InvalidTokenName(String),
    /// A role that does not exist.
    #[error("role {0:?} is not allowed; expected one of secretariat, auditor, observer")]
    InvalidRole(String),
    /// An empty actor id.
    #[error("the actor id must not be empty")]
    InvalidActor,
    /// An actor id holding a control character.
    #[error(
        "the actor id {actor:?} holds the control character U+{code:04X}; an actor id is one line of text without control characters"
    )]
    ActorControlCharacter {
        /// The actor id given.
        actor: String,
        /// The first control character in it.
        code: u32,
    },
    /// A token with this name exists already (revoked or not).
    #[error("a token named {0:?} exists already; names are never reused")]
    TokenExists(String),
    /// No token has this name.
    #[error("no token named {0:?}")]
    UnknownToken(String),
    /// A stored token row could not be read.
    #[error("token {name}: {detail}")]
    CorruptToken {
        /// The token's name.
        name: String,
        /// What was wrong.
        detail: String,
    },
    /// The operating system's random source failed.
    #[error("cannot draw a random token: {0}")]
    Random(String),
    /// The token table could not be reached.
    #[error("token table")]
    Database(#[from] sqlx::Error),
    /// The server could not listen on its address.
    #[error("cannot listen on {address}")]
    Listen {
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server could not serve.
    #[error("serving the HTTP API failed")]
    Io(#[from] std::io::Error),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
