//! The statements that read the log a page at a time.
//!
//! The SQLite this crate links is built with `SQLITE_ENABLE_STAT4`, under which a statement
//! whose `LIMIT` is a bare parameter is compiled again on every step after that parameter is
//! bound to a new value (the planner may use the value). A stream read before every command paid
//! a full parse and plan for it. Written as an expression (`LIMIT ?n + 0`), the limit is not
//! looked at by the planner, so a cached statement is reused as compiled; the rows are the same.

/// A stream's events from a version on: stream, first version, limit.
pub(super) const STREAM_PAGE: &str =
    "SELECT position, record, hash FROM events WHERE stream = ?1 AND version >= ?2 ORDER BY version LIMIT ?3 + 0";

/// The log's events from a position on: first position, limit.
pub(super) const LOG_PAGE: &str =
    "SELECT position, record, hash FROM events WHERE position >= ?1 ORDER BY position LIMIT ?2 + 0";

/// The log's rows with every column, between two positions: first, last, limit.
pub(super) const ROW_PAGE: &str = "SELECT position, stream, version, event_type, occurred_at, recorded_at, record, hash \
     FROM events WHERE position >= ?1 AND position <= ?2 ORDER BY position LIMIT ?3 + 0";

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, StatementStatus, params};

    use super::{LOG_PAGE, ROW_PAGE, STREAM_PAGE};

    fn log_of_three_streams() -> Connection {
        let connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL, \
                 event_type TEXT NOT NULL, occurred_at INTEGER NOT NULL, recorded_at INTEGER NOT NULL, \
                 record TEXT NOT NULL, hash BLOB NOT NULL, UNIQUE (stream, version));",
            )
            .unwrap();
        for position in 1..=30_i64 {
            connection
                .execute(
                    "INSERT INTO events VALUES (?1, ?2, ?3, 'Happened', 0, 0, 'record', x'00')",
                    params![position, format!("stream-{}", position % 3), (position + 2) / 3],
                )
                .unwrap();
        }
        connection
    }

    /// Runs `sql` with each set of parameters and returns the rows each gave and how often the
    /// statement was compiled again.
    fn run(connection: &Connection, sql: &str, runs: &[Vec<i64>], stream: Option<&str>) -> (Vec<usize>, i32) {
        let mut statement = connection.prepare_cached(sql).unwrap();
        let mut counts = Vec::new();
        for values in runs {
            let mut bound: Vec<&dyn rusqlite::ToSql> = Vec::new();
            if let Some(stream) = &stream {
                bound.push(stream);
            }
            for value in values {
                bound.push(value);
            }
            let mut rows = statement.query(bound.as_slice()).unwrap();
            let mut count = 0;
            while rows.next().unwrap().is_some() {
                count += 1;
            }
            counts.push(count);
        }
        (counts, statement.get_status(StatementStatus::RePrepare))
    }

    #[test]
    fn paged_reads_give_their_limit_and_are_compiled_once() {
        let connection = log_of_three_streams();
        let (counts, recompiled) = run(
            &connection,
            STREAM_PAGE,
            &[vec![1, 4], vec![3, 100], vec![2, 1]],
            Some("stream-1"),
        );
        assert_eq!((counts, recompiled), (vec![4, 8, 1], 0));
        let (counts, recompiled) = run(&connection, LOG_PAGE, &[vec![1, 7], vec![25, 100], vec![2, 2]], None);
        assert_eq!((counts, recompiled), (vec![7, 6, 2], 0));
        let (counts, recompiled) = run(
            &connection,
            ROW_PAGE,
            &[vec![1, 30, 5], vec![10, 12, 100], vec![3, 30, 9]],
            None,
        );
        assert_eq!((counts, recompiled), (vec![5, 3, 9], 0));
    }

    #[test]
    fn a_bare_limit_parameter_is_compiled_again_on_every_new_value() {
        // What the statements above avoid: if this stops holding, `LIMIT ?n + 0` is no longer
        // needed, and the reads can say `LIMIT ?n` again.
        let connection = log_of_three_streams();
        let bare = STREAM_PAGE.replace("LIMIT ?3 + 0", "LIMIT ?3");
        let (_, recompiled) = run(
            &connection,
            &bare,
            &[vec![1, 4], vec![3, 100], vec![2, 1]],
            Some("stream-1"),
        );
        assert!(recompiled >= 2, "recompiled {recompiled} times");
    }
}
