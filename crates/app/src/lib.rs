//! The write side of smes: the command service, personal-data sealing and the demo.
//!
//! The key design choice: one generic path, [`CommandService::execute`], serves every
//! aggregate of the pure domain (load the stream, fold with `evolve`, `decide`, encode the
//! events into their stored shapes, append with the loaded version, retry on a version
//! conflict). Everything impure the domain must not do happens here, at its edge: the clock
//! and new ids are injected; look-ups in other streams (a counterpart's standing, a work
//! programme's status, possible duplicates, exchange rates) are gathered by [`App`] from the
//! log; and personal data is sealed with per-person keys ([`personal_data`]) before the domain
//! sees it. Concurrent commands are never serialised here: the store's single writer batches
//! whatever is queued into one transaction (group commit).

mod app;
mod command_digest;
pub mod commands;
pub mod database;
pub mod demo;
mod error;
pub mod key_audit;
mod key_store;
pub mod membership;
pub mod personal_data;
mod service;

pub use app::{App, ForgetSubject, is_stream_of};
pub use command_digest::{command_digest, id_from_command_id};
pub use commands::{AppCommand, CommandLine};
pub use database::Database;
pub use error::{Error, Result};
pub use key_store::{PostgresKeyStore, SqliteKeyStore};
pub use personal_data::{
    ERASED, InMemoryKeyStore, KeyStore, KeyStoreContents, OsRandom, RandomSource, Sealer, SeededRandom,
};
pub use service::{
    CommandContext, CommandService, DEFAULT_MAX_ATTEMPTS, Executed, Loaded, Source, decode_recorded, stored_on,
};
