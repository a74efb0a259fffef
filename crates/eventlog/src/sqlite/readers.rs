//! The read connections of a SQLite log: a small pool of SQLite connections used on the
//! calling thread.
//!
//! A read through sqlx's pool costs two cross-thread hand-offs (acquiring a connection, then
//! its worker thread) before SQLite does any work: about 80–130 µs a call here, against a few
//! microseconds for the query itself. Point reads (a stream, a command id, the head) are what the
//! command service does before every append, so they run directly on pooled connections;
//! long scans run on a blocking thread ([`ReaderPool::spawn_pages`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::Result;

/// Open read connections, reused.
#[derive(Debug)]
pub(crate) struct ReaderPool {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
}

impl ReaderPool {
    pub(crate) fn new(path: &Path, busy_timeout: Duration, max_idle: usize) -> Arc<Self> {
        Arc::new(ReaderPool {
            path: path.to_path_buf(),
            busy_timeout,
            idle: Mutex::new(Vec::new()),
            max_idle: max_idle.max(1),
        })
    }

    fn open(&self) -> Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(self.busy_timeout)?;
        Ok(connection)
    }

    /// Runs `read` on a pooled connection, on this thread.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.idle.lock().expect("reader pool lock").pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => self.open()?,
        };
        let result = read(&connection);
        // A connection left inside a transaction by a failed read is not reused.
        if connection.is_autocommit() {
            let mut idle = self.idle.lock().expect("reader pool lock");
            if idle.len() < self.max_idle {
                idle.push(connection);
            }
        }
        result
    }
}
