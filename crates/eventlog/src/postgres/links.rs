//! The link index and multi-stream reads on PostgreSQL.
//!
//! Every link-index write locks the one head row first (`SELECT … FOR UPDATE`), so extends and
//! builds of every process run one at a time, each reading the head after the previous one
//! committed. `links_from` is one statement, so the head and the rows come from one snapshot.

use smes_verify::Hash;
use sqlx::{PgConnection, PgPool};

use super::merkle::to_i64;
use crate::codec;
use crate::error::Result;
use crate::links::{self, Link, LinkIndexHead, StoredHead};

/// Rows per `INSERT … UNNEST` statement.
const INSERT_CHUNK: usize = 5_000;

type HeadRow = (Option<i64>, Option<i64>, Option<Vec<u8>>, i64);

fn stored_head((generation, position, hash, last_generation): HeadRow) -> Result<StoredHead> {
    let live = match (generation, position, hash) {
        (Some(generation), Some(position), Some(hash)) => Some(LinkIndexHead {
            generation: generation as u64,
            position: position as u64,
            hash: codec::stored_hash(position as u64, &hash)?,
        }),
        _ => None,
    };
    Ok(StoredHead {
        live,
        last_generation: last_generation as u64,
    })
}

/// The head row, locked until the transaction ends.
async fn lock_head(connection: &mut PgConnection) -> Result<StoredHead> {
    let row: HeadRow = sqlx::query_as(
        "SELECT live_generation, position, hash, last_generation FROM link_index_head WHERE id = 1 FOR UPDATE",
    )
    .fetch_one(&mut *connection)
    .await?;
    stored_head(row)
}

async fn insert_links(connection: &mut PgConnection, generation: u64, links: &[Link]) -> Result<()> {
    // Each (from, to) is once in `links`: ON CONFLICT may not meet a row twice in one statement.
    for chunk in links.chunks(INSERT_CHUNK) {
        let from: Vec<&str> = chunk.iter().map(|link| link.from.as_str()).collect();
        let to: Vec<&str> = chunk.iter().map(|link| link.to.as_str()).collect();
        let position: Vec<i64> = chunk.iter().map(|link| to_i64(link.position)).collect();
        sqlx::query(
            "INSERT INTO link_index (generation, from_node, to_node, position) \
             SELECT $1, from_node, to_node, position FROM UNNEST($2::text[], $3::text[], $4::int8[]) \
             AS given(from_node, to_node, position) \
             ON CONFLICT (generation, from_node, to_node) DO UPDATE SET position = excluded.position \
             WHERE excluded.position < link_index.position",
        )
        .bind(to_i64(generation))
        .bind(from)
        .bind(to)
        .bind(position)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

async fn set_live(connection: &mut PgConnection, head: &LinkIndexHead) -> Result<()> {
    sqlx::query(
        "UPDATE link_index_head SET live_generation = $1, position = $2, hash = $3, \
         last_generation = GREATEST(last_generation, $1) WHERE id = 1",
    )
    .bind(to_i64(head.generation))
    .bind(to_i64(head.position))
    .bind(head.hash.as_slice())
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// See [`crate::EventStore::link_index_head`].
pub(crate) async fn live_head(pool: &PgPool) -> Result<Option<LinkIndexHead>> {
    let row: HeadRow =
        sqlx::query_as("SELECT live_generation, position, hash, last_generation FROM link_index_head WHERE id = 1")
            .fetch_one(pool)
            .await?;
    Ok(stored_head(row)?.live)
}

/// See [`crate::EventStore::extend_link_index`].
pub(crate) async fn extend(
    pool: &PgPool,
    expected: Option<LinkIndexHead>,
    through: (u64, Hash),
    links: Vec<Link>,
) -> Result<Option<LinkIndexHead>> {
    links::check_through(expected, through.0)?;
    let links = links::first_positions(links);
    let mut transaction = pool.begin().await?;
    let stored = lock_head(&mut transaction).await?;
    if !stored.is_expected(expected) {
        transaction.rollback().await?;
        return Ok(None);
    }
    let head = LinkIndexHead {
        generation: stored.extended_generation(),
        position: through.0,
        hash: through.1,
    };
    insert_links(&mut transaction, head.generation, &links).await?;
    set_live(&mut transaction, &head).await?;
    transaction.commit().await?;
    Ok(Some(head))
}

/// See [`crate::EventStore::links_from`]: one statement, so one snapshot. The head row is always
/// there; the join adds the live generation's links only when the head covers `up_to`.
pub(crate) async fn links_from(pool: &PgPool, nodes: &[String], up_to: u64) -> Result<Option<Vec<Link>>> {
    let nodes = links::distinct(nodes.iter().map(String::as_str));
    type Row = (Option<i64>, Option<i64>, Option<String>, Option<String>, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT head.live_generation, head.position, link.from_node, link.to_node, link.position \
         FROM link_index_head head \
         LEFT JOIN link_index link ON link.generation = head.live_generation AND head.position >= $2 \
             AND link.position <= $2 AND link.from_node = ANY($1::text[]) \
         WHERE head.id = 1",
    )
    .bind(nodes)
    .bind(to_i64(up_to))
    .fetch_all(pool)
    .await?;
    let covered = rows.first().is_some_and(|(generation, position, ..)| {
        generation.is_some() && position.is_some_and(|position| position as u64 >= up_to)
    });
    if !covered {
        return Ok(None);
    }
    let mut found: Vec<Link> = rows
        .into_iter()
        .filter_map(|(_, _, from, to, position)| {
            Some(Link {
                from: from?,
                to: to?,
                position: position? as u64,
            })
        })
        .collect();
    found.sort();
    Ok(Some(found))
}

/// See [`crate::EventStore::begin_link_index_build`].
pub(crate) async fn begin_build(pool: &PgPool) -> Result<u64> {
    let mut transaction = pool.begin().await?;
    let stored = lock_head(&mut transaction).await?;
    let generation = stored.last_generation + 1;
    sqlx::query("UPDATE link_index_head SET last_generation = $1 WHERE id = 1")
        .bind(to_i64(generation))
        .execute(&mut *transaction)
        .await?;
    sqlx::query("DELETE FROM link_index WHERE generation IS DISTINCT FROM $1")
        .bind(stored.live.map(|live| to_i64(live.generation)))
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(generation)
}

/// See [`crate::EventStore::write_link_generation`].
pub(crate) async fn write_generation(pool: &PgPool, generation: u64, links: Vec<Link>) -> Result<()> {
    let links = links::first_positions(links);
    let mut transaction = pool.begin().await?;
    lock_head(&mut transaction).await?.check_building(generation)?;
    insert_links(&mut transaction, generation, &links).await?;
    transaction.commit().await?;
    Ok(())
}

/// See [`crate::EventStore::finish_link_index_build`].
pub(crate) async fn finish_build(pool: &PgPool, generation: u64, through: (u64, Hash)) -> Result<LinkIndexHead> {
    let mut transaction = pool.begin().await?;
    lock_head(&mut transaction).await?.check_building(generation)?;
    let head = LinkIndexHead {
        generation,
        position: through.0,
        hash: through.1,
    };
    set_live(&mut transaction, &head).await?;
    sqlx::query("DELETE FROM link_index WHERE generation <> $1")
        .bind(to_i64(generation))
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(head)
}
