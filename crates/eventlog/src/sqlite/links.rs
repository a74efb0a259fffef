//! The link index and multi-stream reads on SQLite.
//!
//! Writes take the database's write lock first (`BEGIN IMMEDIATE`), so extends and builds of
//! several processes run one at a time, each reading the head row after the previous committed.
//! Reads run in one read transaction on a pooled read connection: the head and the rows come
//! from one snapshot of the WAL.

use rusqlite::{Connection, ToSql, TransactionBehavior, params};
use smes_verify::Hash;

use super::{read_page, to_i64};
use crate::codec;
use crate::error::Result;
use crate::event::RecordedEvent;
use crate::links::{self, Link, LinkIndexHead, StoredHead};

/// Nodes per `IN (…)` list of a `links_from` query (SQLite allows 32,766 parameters).
const NODE_CHUNK: usize = 500;

/// The head row.
pub(crate) fn read_head(connection: &Connection) -> Result<StoredHead> {
    let (generation, position, hash, last_generation): (Option<u64>, Option<u64>, Option<Vec<u8>>, u64) = connection
        .prepare_cached("SELECT live_generation, position, hash, last_generation FROM link_index_head WHERE id = 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?;
    let live = match (generation, position, hash) {
        (Some(generation), Some(position), Some(hash)) => Some(LinkIndexHead {
            generation,
            position,
            hash: codec::stored_hash(position, &hash)?,
        }),
        _ => None,
    };
    Ok(StoredHead { live, last_generation })
}

fn insert_links(connection: &Connection, generation: u64, links: &[Link]) -> Result<()> {
    let mut insert = connection.prepare_cached(
        "INSERT INTO link_index (generation, from_node, to_node, position) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (generation, from_node, to_node) DO UPDATE SET position = excluded.position \
         WHERE excluded.position < link_index.position",
    )?;
    for link in links {
        insert.execute(params![generation, link.from, link.to, link.position])?;
    }
    Ok(())
}

fn set_live(connection: &Connection, head: &LinkIndexHead) -> Result<()> {
    connection
        .prepare_cached(
            "UPDATE link_index_head SET live_generation = ?1, position = ?2, hash = ?3, \
             last_generation = max(last_generation, ?1) WHERE id = 1",
        )?
        .execute(params![head.generation, head.position, head.hash.as_slice()])?;
    Ok(())
}

/// See [`crate::EventStore::extend_link_index`].
pub(crate) fn extend(
    connection: &mut Connection,
    expected: Option<LinkIndexHead>,
    through: (u64, Hash),
    links: Vec<Link>,
) -> Result<Option<LinkIndexHead>> {
    links::check_through(expected, through.0)?;
    let links = links::first_positions(links);
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let stored = read_head(&transaction)?;
    if !stored.is_expected(expected) {
        return Ok(None);
    }
    let head = LinkIndexHead {
        generation: stored.extended_generation(),
        position: through.0,
        hash: through.1,
    };
    insert_links(&transaction, head.generation, &links)?;
    set_live(&transaction, &head)?;
    transaction.commit()?;
    Ok(Some(head))
}

/// See [`crate::EventStore::links_from`].
pub(crate) fn links_from(connection: &Connection, nodes: &[String], up_to: u64) -> Result<Option<Vec<Link>>> {
    // A deferred read transaction: its snapshot is taken at the first read and kept to the end.
    let transaction = connection.unchecked_transaction()?;
    let stored = read_head(&transaction)?;
    let Some(live) = stored.live.filter(|live| live.position >= up_to) else {
        return Ok(None);
    };
    let nodes = links::distinct(nodes.iter().map(String::as_str));
    let mut found = Vec::new();
    for chunk in nodes.chunks(NODE_CHUNK) {
        let list = (0..chunk.len())
            .map(|index| format!("?{}", index + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT from_node, to_node, position FROM link_index \
             WHERE generation = ?1 AND position <= ?2 AND from_node IN ({list})"
        );
        let mut statement = transaction.prepare_cached(&sql)?;
        let mut values: Vec<&dyn ToSql> = Vec::with_capacity(chunk.len() + 2);
        values.push(&live.generation);
        values.push(&up_to);
        values.extend(chunk.iter().map(|node| node as &dyn ToSql));
        let mut rows = statement.query(values.as_slice())?;
        while let Some(row) = rows.next()? {
            found.push(Link {
                from: row.get(0)?,
                to: row.get(1)?,
                position: row.get(2)?,
            });
        }
    }
    transaction.commit()?;
    found.sort();
    Ok(Some(found))
}

/// See [`crate::EventStore::begin_link_index_build`].
pub(crate) fn begin_build(connection: &mut Connection) -> Result<u64> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let stored = read_head(&transaction)?;
    let generation = stored.last_generation + 1;
    transaction
        .prepare_cached("UPDATE link_index_head SET last_generation = ?1 WHERE id = 1")?
        .execute([generation])?;
    transaction
        .prepare_cached("DELETE FROM link_index WHERE generation IS NOT ?1")?
        .execute([stored.live.map(|live| live.generation)])?;
    transaction.commit()?;
    Ok(generation)
}

/// See [`crate::EventStore::write_link_generation`].
pub(crate) fn write_generation(connection: &mut Connection, generation: u64, links: Vec<Link>) -> Result<()> {
    let links = links::first_positions(links);
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    read_head(&transaction)?.check_building(generation)?;
    insert_links(&transaction, generation, &links)?;
    transaction.commit()?;
    Ok(())
}

/// See [`crate::EventStore::finish_link_index_build`].
pub(crate) fn finish_build(
    connection: &mut Connection,
    generation: u64,
    through: (u64, Hash),
) -> Result<LinkIndexHead> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    read_head(&transaction)?.check_building(generation)?;
    let head = LinkIndexHead {
        generation,
        position: through.0,
        hash: through.1,
    };
    set_live(&transaction, &head)?;
    transaction
        .prepare_cached("DELETE FROM link_index WHERE generation <> ?1")?
        .execute([generation])?;
    transaction.commit()?;
    Ok(head)
}

/// The rows of `streams` a multi-stream read asks for: those up to a position, and, when
/// `before` is given, only those whose business time (microseconds since 1970) is before it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StreamRead {
    pub(crate) up_to: u64,
    pub(crate) before: Option<i64>,
}

/// See [`crate::EventStore::read_streams`] and
/// [`crate::EventStore::read_streams_occurred_before`]: one read transaction, one indexed range
/// read per stream (SQLite dropping the rows whose business time is not before `before` before
/// their records are read out), merged by position. `streams` are distinct.
pub(crate) fn read_streams(connection: &Connection, streams: &[&str], read: StreamRead) -> Result<Vec<RecordedEvent>> {
    // One stream is one statement, which SQLite reads in one snapshot of its own.
    let transaction = match streams.len() {
        1 => None,
        _ => Some(connection.unchecked_transaction()?),
    };
    let mut events = Vec::new();
    let up_to = to_i64(read.up_to);
    for stream in streams {
        events.extend(match read.before {
            None => read_page(
                connection,
                "SELECT position, record, hash FROM events WHERE stream = ?1 AND position <= ?2 ORDER BY version",
                params![stream, up_to],
            )?,
            Some(before) => read_page(
                connection,
                "SELECT position, record, hash FROM events WHERE stream = ?1 AND position <= ?2 AND occurred_at < ?3 \
                 ORDER BY version",
                params![stream, up_to, before],
            )?,
        });
    }
    if let Some(transaction) = transaction {
        transaction.commit()?;
    }
    Ok(in_position_order(events))
}

/// The events of several streams, each stream's in order, merged into position order. Sorts
/// the positions rather than the events, which are large, so each event moves twice.
pub(crate) fn in_position_order(events: Vec<RecordedEvent>) -> Vec<RecordedEvent> {
    let mut order: Vec<(u64, usize)> = events
        .iter()
        .enumerate()
        .map(|(index, event)| (event.position, index))
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<RecordedEvent>> = events.into_iter().map(Some).collect();
    order.into_iter().filter_map(|(_, index)| slots[index].take()).collect()
}

/// The live head, read on its own.
pub(crate) fn live_head(connection: &Connection) -> Result<Option<LinkIndexHead>> {
    Ok(read_head(connection)?.live)
}
