//! Copying on SQLite: raw reads of records and command entries, and appending records sealed by
//! another log in one `BEGIN IMMEDIATE` transaction (which also waits for this and other
//! processes' writers), checked by [`crate::copy`] against the head read inside it.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::merkle::{self, CatchUp};
use crate::codec::stored_hash;
use crate::copy::{EventFacts, check_chain, check_commands, check_versions, new_head, starts_before, streams};
use crate::error::Result;
use crate::event::{CommandEntry, Head, RawRecord};

/// Up to `limit` records from `from`, as stored.
pub(super) fn read_raw(connection: &Connection, from: u64, limit: i64) -> Result<Vec<RawRecord>> {
    let mut statement = connection.prepare_cached(super::paged::LOG_PAGE)?;
    let rows = statement.query_map(params![from, limit], |row| {
        Ok((
            row.get::<_, u64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Vec<u8>>(2)?,
        ))
    })?;
    let mut records = Vec::new();
    for row in rows {
        let (position, record, hash) = row?;
        records.push(RawRecord {
            position,
            hash: stored_hash(position, &hash)?,
            record,
        });
    }
    Ok(records)
}

/// The command entries whose last position lies in `first..=last`.
pub(super) fn read_commands(connection: &Connection, first: u64, last: u64) -> Result<Vec<CommandEntry>> {
    let mut statement = connection.prepare_cached(
        "SELECT command_id, stream, first_position, last_position, first_version, last_version, recorded_at, \
         request_digest, binds_command FROM commands WHERE last_position BETWEEN ?1 AND ?2 \
         ORDER BY last_position, command_id",
    )?;
    let rows = statement.query_map(params![first, last], |row| {
        Ok(CommandEntry {
            command_id: row.get(0)?,
            stream: row.get(1)?,
            first_position: row.get(2)?,
            last_position: row.get(3)?,
            first_version: row.get(4)?,
            last_version: row.get(5)?,
            recorded_at_micros: row.get(6)?,
            request_digest: row.get(7)?,
            binds_command: row.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Appends the records and command entries, or refuses them all.
pub(super) fn append_raw(
    connection: &mut Connection,
    records: &[RawRecord],
    commands: &[CommandEntry],
) -> Result<Head> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let head: Option<(u64, Vec<u8>, i64)> = transaction
        .prepare_cached("SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let head = match head {
        Some((position, hash, recorded_at)) => Some((position, stored_hash(position, &hash)?, recorded_at)),
        None => None,
    };
    let checked = check_chain(head, records)?;
    let mut current = HashMap::new();
    for stream in streams(&checked) {
        let version: Option<u64> = transaction
            .prepare_cached("SELECT version FROM events WHERE stream = ?1 ORDER BY version DESC LIMIT 1")?
            .query_row([stream], |row| row.get(0))
            .optional()?;
        current.insert(stream.to_owned(), version.unwrap_or(0));
    }
    check_versions(&checked, &current)?;
    let mut held = HashSet::new();
    for entry in commands {
        let found: Option<String> = transaction
            .prepare_cached("SELECT command_id FROM commands WHERE command_id = ?1")?
            .query_row([&entry.command_id], |row| row.get(0))
            .optional()?;
        held.extend(found);
    }
    let mut earlier = HashMap::new();
    for position in starts_before(&checked, commands) {
        let facts: Option<(String, u64, i64)> = transaction
            .prepare_cached("SELECT stream, version, recorded_at FROM events WHERE position = ?1")?
            .query_row([position], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?;
        if let Some((stream, version, recorded_at_micros)) = facts {
            earlier.insert(
                position,
                EventFacts {
                    stream,
                    version,
                    recorded_at_micros,
                },
            );
        }
    }
    check_commands(&checked, commands, &earlier, &held)?;

    let size = head.map_or(0, |(position, _, _)| position);
    let mut frontier = merkle::load_frontier(&transaction)?;
    merkle::catch_up(&transaction, &mut frontier, size, CatchUp::Store)?;
    let mut subtree_stored = false;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO events (position, stream, version, event_type, occurred_at, recorded_at, record, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for record in &checked {
            insert.execute(params![
                record.position,
                record.stream,
                record.version,
                record.event_type,
                record.occurred_at_micros,
                record.recorded_at_micros,
                record.record,
                record.hash.as_slice(),
            ])?;
            subtree_stored |= merkle::push_leaf(&transaction, &mut frontier, &record.hash)?;
        }
        let mut register = transaction.prepare_cached(
            "INSERT INTO commands (command_id, stream, first_position, last_position, first_version, last_version, \
             recorded_at, request_digest, binds_command) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for entry in commands {
            register.execute(params![
                entry.command_id,
                entry.stream,
                entry.first_position,
                entry.last_position,
                entry.first_version,
                entry.last_version,
                entry.recorded_at_micros,
                entry.request_digest,
                entry.binds_command,
            ])?;
        }
    }
    if subtree_stored {
        merkle::save_frontier(&transaction, &frontier)?;
    }
    transaction.commit()?;
    Ok(new_head(head, &checked))
}
