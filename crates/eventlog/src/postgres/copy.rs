//! Copying on PostgreSQL: raw reads of records and command entries, and appending records sealed
//! by another log in one transaction that holds the append lock (so it is ordered with every
//! writer of every process), checked by [`crate::copy`] against the head read under the lock
//! and then, piece by piece, by `smes_append_write`, through which every append goes.

use std::collections::{HashMap, HashSet};

use sqlx::PgPool;

use super::merkle::{self, CatchUp, Node, to_i64};
use super::writer::APPEND_LOCK;
use crate::codec::stored_hash;
use crate::copy::{EventFacts, check_chain, check_commands, check_versions, new_head, starts_before, streams};
use crate::error::Result;
use crate::event::{CommandEntry, Head, RawRecord};

/// Records per call of `smes_append_write`.
const INSERT_CHUNK: usize = 5_000;

/// Up to `limit` records from `from`, as stored.
pub(super) async fn read_raw(pool: &PgPool, from: u64, limit: i64) -> Result<Vec<RawRecord>> {
    let rows: Vec<(i64, String, Vec<u8>)> =
        sqlx::query_as("SELECT position, record, hash FROM events WHERE position >= $1 ORDER BY position LIMIT $2")
            .bind(to_i64(from))
            .bind(limit)
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(position, record, hash)| {
            let position = position as u64;
            Ok(RawRecord {
                position,
                hash: stored_hash(position, &hash)?,
                record,
            })
        })
        .collect()
}

/// A row of `commands`.
type CommandRow = (String, String, i64, i64, i64, i64, i64, Vec<u8>, bool);

/// The command entries whose last position lies in `first..=last`.
pub(super) async fn read_commands(pool: &PgPool, first: u64, last: u64) -> Result<Vec<CommandEntry>> {
    let rows: Vec<CommandRow> = sqlx::query_as(
        "SELECT command_id, stream, first_position, last_position, first_version, last_version, recorded_at, \
         request_digest, binds_command FROM commands WHERE last_position BETWEEN $1 AND $2 \
         ORDER BY last_position, command_id",
    )
    .bind(to_i64(first))
    .bind(to_i64(last))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                command_id,
                stream,
                first_position,
                last_position,
                first_version,
                last_version,
                recorded_at,
                digest,
                binds,
            )| {
                CommandEntry {
                    command_id,
                    stream,
                    first_position: first_position as u64,
                    last_position: last_position as u64,
                    first_version: first_version as u64,
                    last_version: last_version as u64,
                    recorded_at_micros: recorded_at,
                    request_digest: digest,
                    binds_command: binds,
                }
            },
        )
        .collect())
}

/// Appends the records and command entries, or refuses them all.
pub(super) async fn append_raw(pool: &PgPool, records: &[RawRecord], commands: &[CommandEntry]) -> Result<Head> {
    let mut transaction = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(APPEND_LOCK)
        .execute(&mut *transaction)
        .await?;
    let head: Option<(i64, Vec<u8>, i64)> =
        sqlx::query_as("SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1")
            .fetch_optional(&mut *transaction)
            .await?;
    let head = match head {
        Some((position, hash, recorded_at)) => {
            let position = position as u64;
            Some((position, stored_hash(position, &hash)?, recorded_at))
        }
        None => None,
    };
    let checked = check_chain(head, records)?;
    let touched: Vec<String> = streams(&checked).into_iter().map(str::to_owned).collect();
    let versions: Vec<(String, i64)> =
        sqlx::query_as("SELECT stream, max(version) FROM events WHERE stream = ANY($1) GROUP BY stream")
            .bind(&touched)
            .fetch_all(&mut *transaction)
            .await?;
    let current: HashMap<String, u64> = versions
        .into_iter()
        .map(|(stream, version)| (stream, version as u64))
        .collect();
    check_versions(&checked, &current)?;
    let ids: Vec<&str> = commands.iter().map(|entry| entry.command_id.as_str()).collect();
    let held: Vec<String> = sqlx::query_scalar("SELECT command_id FROM commands WHERE command_id = ANY($1)")
        .bind(&ids)
        .fetch_all(&mut *transaction)
        .await?;
    let starts: Vec<i64> = starts_before(&checked, commands).into_iter().map(to_i64).collect();
    let facts: Vec<(i64, String, i64, i64)> =
        sqlx::query_as("SELECT position, stream, version, recorded_at FROM events WHERE position = ANY($1)")
            .bind(&starts)
            .fetch_all(&mut *transaction)
            .await?;
    let earlier: HashMap<u64, EventFacts> = facts
        .into_iter()
        .map(|(position, stream, version, recorded_at_micros)| {
            (
                position as u64,
                EventFacts {
                    stream,
                    version: version as u64,
                    recorded_at_micros,
                },
            )
        })
        .collect();
    check_commands(&checked, commands, &earlier, &held.into_iter().collect::<HashSet<_>>())?;

    let size = head.map_or(0, |(position, _, _)| position);
    let mut frontier = merkle::load_frontier(&mut transaction).await?;
    // Subtrees completed by catching the stored edge up are stored with the first piece.
    let mut nodes: Vec<Node> = Vec::new();
    merkle::catch_up(&mut transaction, &mut frontier, size, CatchUp::Collect(&mut nodes)).await?;
    // Each piece goes through `smes_append_write`, which checks it against the chain, with the
    // command entries that end in it and the Merkle nodes it completes.
    for chunk in checked.chunks(INSERT_CHUNK) {
        for record in chunk {
            merkle::push_leaf(&mut frontier, &record.hash, &mut nodes);
        }
        let (first, last) = (chunk[0].position, chunk[chunk.len() - 1].position);
        let entries: Vec<&CommandEntry> = commands
            .iter()
            .filter(|entry| (first..=last).contains(&entry.last_position))
            .collect();
        let (levels, indices, hashes) = merkle::node_columns(&nodes);
        let edge = (!nodes.is_empty()).then_some(&frontier);
        sqlx::query(
            "SELECT smes_append_write(false, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16, $17, $18, $19, $20, $21, $22)",
        )
        .bind(chunk.iter().map(|record| to_i64(record.position)).collect::<Vec<_>>())
        .bind(chunk.iter().map(|record| record.stream.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|record| to_i64(record.version)).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|record| record.event_type.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|record| record.occurred_at_micros).collect::<Vec<_>>())
        .bind(chunk.iter().map(|record| record.recorded_at_micros).collect::<Vec<_>>())
        .bind(chunk.iter().map(|record| record.record).collect::<Vec<_>>())
        .bind(chunk.iter().map(|record| record.hash.as_slice()).collect::<Vec<_>>())
        .bind(
            entries
                .iter()
                .map(|entry| entry.command_id.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(entries.iter().map(|entry| entry.stream.as_str()).collect::<Vec<_>>())
        .bind(
            entries
                .iter()
                .map(|entry| to_i64(entry.first_position))
                .collect::<Vec<_>>(),
        )
        .bind(
            entries
                .iter()
                .map(|entry| to_i64(entry.last_position))
                .collect::<Vec<_>>(),
        )
        .bind(
            entries
                .iter()
                .map(|entry| to_i64(entry.first_version))
                .collect::<Vec<_>>(),
        )
        .bind(
            entries
                .iter()
                .map(|entry| to_i64(entry.last_version))
                .collect::<Vec<_>>(),
        )
        .bind(entries.iter().map(|entry| entry.recorded_at_micros).collect::<Vec<_>>())
        .bind(
            entries
                .iter()
                .map(|entry| entry.request_digest.as_slice())
                .collect::<Vec<_>>(),
        )
        .bind(entries.iter().map(|entry| entry.binds_command).collect::<Vec<_>>())
        .bind(levels)
        .bind(indices)
        .bind(hashes)
        .bind(edge.map(|frontier| to_i64(frontier.size())))
        .bind(edge.map(|frontier| frontier.subtrees().concat()))
        .execute(&mut *transaction)
        .await?;
        nodes.clear();
    }
    let placed = new_head(head, &checked);
    transaction.commit().await?;
    Ok(placed)
}
