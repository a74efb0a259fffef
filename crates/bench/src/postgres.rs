//! `smes-bench --postgres URL`: concurrent single appends on PostgreSQL against raw one-row
//! insert transactions on the same server, measured in one run.
//!
//! The bench creates a scratch database of its own on the server the URL names (the URL's
//! database is only used to create and drop it, so the role needs CREATEDB), measures, and
//! drops it. Figures:
//!
//! - raw baseline: 16 tasks, each on its own connection, each inserting one row (a record-sized
//!   text and a hash) per autocommitted transaction, as fast as they can;
//! - the store, 16 tasks appending one event at a time through one store (one process);
//! - the store, 16 stores on the same database, one task each (as 16 processes would);
//! - bulk import: the log filled with whole bulk appends of 5,000 events to at least 100,000
//!   events (one bulk append more in a quick run), in events per second, against one binary
//!   `COPY` of the same rows (read back from the log first; each record hashed in the timing,
//!   as the store hashes what it writes) into a table with the events table's keys;
//! - catching up: `stream_all` from position 1 over that log, in events per second;
//! - live subscribers: while 16 stores append single events, a subscription on a store of its
//!   own (woken by notifications, as another process's would be) notes when it sees each event;
//!   the figure is the 99th percentile of the time from an append's acknowledgement to the
//!   subscriber seeing it.
//!
//! An append returns once its event is committed with its position, so the store's figures
//! include the whole append: the advisory lock that orders commits, the hash chain and the
//! Merkle tree.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use smes_eventlog::EventStore;

use smes_eventlog::{PostgresConfig, PostgresEventStore, StoreOptions};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};

use crate::{BenchError, Measurement, rate, single_request};

/// Concurrent appenders (and raw inserting connections).
pub(crate) const CONCURRENCY: u64 = 16;

/// A scratch database, dropped when the run ends (or fails).
struct Scratch {
    admin: PgConnectOptions,
    name: String,
}

impl Scratch {
    async fn create(url: &str) -> Result<Scratch, BenchError> {
        let unreachable = |source| BenchError::Postgres {
            location: smes_eventlog::without_password(url),
            source,
        };
        let admin = PgConnectOptions::from_str(url).map_err(unreachable)?;
        let name = format!("smes_bench_{}", uuid::Uuid::new_v4().simple());
        let mut connection = admin.connect().await.map_err(unreachable)?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut connection)
            .await
            .map_err(unreachable)?;
        connection.close().await?;
        Ok(Scratch { admin, name })
    }

    fn url(&self) -> String {
        self.admin.clone().database(&self.name).to_url_lossy().to_string()
    }

    async fn drop_database(self) -> Result<(), BenchError> {
        let mut connection = self.admin.connect().await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        )))
        .execute(&mut connection)
        .await?;
        connection.close().await?;
        Ok(())
    }
}

/// Runs the PostgreSQL measurements with `appends` single appends per figure, and the catch-up
/// read over a log of at least `catch_up_events` events.
pub(crate) async fn measure(url: &str, appends: u64, catch_up_events: u64) -> Result<Vec<Measurement>, BenchError> {
    let scratch = Scratch::create(url).await?;
    let result = match measure_in(&scratch.url(), appends).await {
        Ok(mut measurements) => match measure_reading(&scratch.url(), appends, catch_up_events).await {
            Ok(more) => {
                measurements.extend(more);
                Ok(measurements)
            }
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    scratch.drop_database().await?;
    result
}

async fn measure_in(url: &str, appends: u64) -> Result<Vec<Measurement>, BenchError> {
    let per_task = appends.div_ceil(CONCURRENCY);
    let total = per_task * CONCURRENCY;
    let options = StoreOptions {
        create: true,
        ..StoreOptions::default()
    };

    // Warm up the server (and create the schema) before anything is timed.
    let first = PostgresEventStore::open(url, options.clone()).await?;
    smes_eventlog::EventStore::append(&first, single_request(0)).await?;
    let raw = raw_inserts(url, per_task).await?;

    // 16 tasks on one store.
    let one_store = Arc::new(first);
    let warm_up = one_store.append_paths();
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|task| {
            let store = Arc::clone(&one_store);
            tokio::spawn(async move {
                for k in 0..per_task {
                    smes_eventlog::EventStore::append(store.as_ref(), single_request(task * per_task + k)).await?;
                }
                Ok::<(), BenchError>(())
            })
        })
        .collect();
    join(tasks).await?;
    let shared = rate(total, started.elapsed());
    let paths = one_store.append_paths();
    let one_statement = paths.one_statement - warm_up.one_statement;
    let commits = (one_statement + paths.long_way - warm_up.long_way).max(1);

    // 16 stores, one task each.
    let mut stores = Vec::with_capacity(CONCURRENCY as usize);
    for _ in 0..CONCURRENCY {
        let config = PostgresConfig {
            max_connections: 2,
            ..PostgresConfig::default()
        };
        stores.push(Arc::new(
            PostgresEventStore::open_with(url, StoreOptions::default(), config).await?,
        ));
    }
    let started = Instant::now();
    let tasks: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(task, store)| {
            let store = Arc::clone(store);
            tokio::spawn(async move {
                for k in 0..per_task {
                    let n = total + task as u64 * per_task + k;
                    smes_eventlog::EventStore::append(store.as_ref(), single_request(n)).await?;
                }
                Ok::<(), BenchError>(())
            })
        })
        .collect();
    join(tasks).await?;
    let separate = rate(total, started.elapsed());
    let verified = smes_eventlog::EventStore::verify(one_store.as_ref()).await?;
    drop(stores);

    let goal = |store: f64| {
        let ratio = store / raw;
        (format!("≥ 0.8 × raw (ratio {ratio:.2})"), ratio >= 0.8)
    };
    Ok(vec![
        Measurement {
            name: "PostgreSQL: 16 concurrent single appenders, one store",
            value: shared,
            unit: "appends/s",
            goal: Some(goal(shared)),
        },
        Measurement {
            name: "PostgreSQL: one store's commits written in one statement (it was alone on the log)",
            value: 100.0 * one_statement as f64 / commits as f64,
            unit: "%",
            goal: None,
        },
        Measurement {
            name: "PostgreSQL: one store's appends per commit (16 tasks appending)",
            value: total as f64 / commits as f64,
            unit: "appends",
            goal: None,
        },
        Measurement {
            name: "PostgreSQL: 16 concurrent single appenders, 16 stores (as 16 processes)",
            value: separate,
            unit: "appends/s",
            goal: Some(goal(separate)),
        },
        Measurement {
            name: "PostgreSQL: raw, 16 connections inserting one row per transaction",
            value: raw,
            unit: "rows/s",
            goal: None,
        },
        Measurement {
            name: "PostgreSQL: events verified after the run",
            value: verified.events as f64,
            unit: "events",
            goal: Some((
                format!("= {} appended", 2 * total + 1),
                verified.events == 2 * total + 1,
            )),
        },
    ])
}

/// The catch-up reading rate and the time from acknowledgement to a live subscriber, on the
/// log the appends measurements left.
async fn measure_reading(url: &str, appends: u64, catch_up_events: u64) -> Result<Vec<Measurement>, BenchError> {
    let store = PostgresEventStore::open(url, StoreOptions::default()).await?;
    let first = store.head().await?.position;
    let target = catch_up_events.max(first + BULK);
    // Filling the log is the bulk import: whole bulk appends of `BULK` events. The requests are
    // made before the clock starts, as the raw COPY's rows are read before its clock starts.
    let batches: Vec<_> = (first..target)
        .step_by(BULK as usize)
        .map(|start| crate::bulk_requests(start + 1, (target - start).min(BULK)))
        .collect();
    let mut head = first;
    let started = Instant::now();
    for batch in batches {
        for outcome in store.append_batch(batch).await? {
            head = head.max(outcome?.last_position);
        }
    }
    let imported = head - first;
    let import = rate(imported, started.elapsed());
    let (copy, copied) = raw_copy(url, first).await?;
    if copied != imported {
        return Err(BenchError::Io(std::io::Error::other(format!(
            "the raw COPY found {copied} rows where the bulk appends wrote {imported}"
        ))));
    }
    let started = Instant::now();
    let read = store
        .stream_all(1)
        .try_fold(0u64, |count, _| async move { Ok(count + 1) })
        .await?;
    let reading = rate(read, started.elapsed());

    let latency = live_latency(url, appends).await?;
    Ok(vec![
        Measurement {
            name: "PostgreSQL: bulk import (append_batch of 5,000 events a transaction)",
            value: import,
            unit: "events/s",
            goal: Some((
                format!(
                    "≥ 0.8 × raw binary COPY (ratio {:.2}; {imported} events)",
                    import / copy
                ),
                import >= 0.8 * copy,
            )),
        },
        Measurement {
            name: "PostgreSQL: raw binary COPY of the same rows, hashed (one COPY)",
            value: copy,
            unit: "rows/s",
            goal: None,
        },
        Measurement {
            name: "PostgreSQL: catch-up read (stream_all from position 1)",
            value: reading,
            unit: "events/s",
            goal: Some((format!("≥ 300,000 (over {read} events)"), reading >= 300_000.0)),
        },
        Measurement {
            name: "PostgreSQL: append acknowledged to live subscriber (p99, 16 stores appending)",
            value: latency.as_secs_f64() * 1000.0,
            unit: "ms",
            goal: Some(("< 100 ms".to_owned(), latency < Duration::from_millis(100))),
        },
    ])
}

/// Events per bulk transaction when the catch-up log is filled.
const BULK: u64 = 5_000;

/// 16 stores append `appends` single events in all while a subscription on a store of its own
/// follows; the 99th percentile of the time from each append's acknowledgement to the
/// subscriber seeing its event (zero when the subscriber saw it first).
async fn live_latency(url: &str, appends: u64) -> Result<Duration, BenchError> {
    let per_task = appends.div_ceil(CONCURRENCY);
    let follower = Arc::new(PostgresEventStore::open(url, StoreOptions::default()).await?);
    let from = follower.head().await?.position + 1;
    let last = from - 1 + per_task * CONCURRENCY;
    let seen: Arc<Mutex<HashMap<u64, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let subscriber = tokio::spawn({
        let follower = Arc::clone(&follower);
        let seen = Arc::clone(&seen);
        async move {
            let mut events = follower.subscribe(from);
            while let Some(event) = events.try_next().await? {
                let position = event.position;
                seen.lock().map_err(|_| poisoned())?.insert(position, Instant::now());
                if position >= last {
                    break;
                }
            }
            Ok::<(), BenchError>(())
        }
    });
    // Let the subscription catch up and its store start listening before anything is appended.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut stores = Vec::with_capacity(CONCURRENCY as usize);
    for _ in 0..CONCURRENCY {
        let config = PostgresConfig {
            max_connections: 2,
            ..PostgresConfig::default()
        };
        stores.push(Arc::new(
            PostgresEventStore::open_with(url, StoreOptions::default(), config).await?,
        ));
    }
    let acknowledged: Arc<Mutex<Vec<(u64, Instant)>>> = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(task, store)| {
            let store = Arc::clone(store);
            let acknowledged = Arc::clone(&acknowledged);
            tokio::spawn(async move {
                for k in 0..per_task {
                    let outcome = store.append(single_request(task as u64 * per_task + k)).await?;
                    let now = Instant::now();
                    acknowledged
                        .lock()
                        .map_err(|_| poisoned())?
                        .push((outcome.last_position, now));
                }
                Ok::<(), BenchError>(())
            })
        })
        .collect();
    join(tasks).await?;
    tokio::time::timeout(Duration::from_secs(60), subscriber)
        .await
        .map_err(|_| {
            BenchError::Io(std::io::Error::other(
                "the live subscriber did not see every append in 60 s",
            ))
        })?
        .map_err(|error| BenchError::Io(std::io::Error::other(error)))??;
    let seen = seen.lock().map_err(|_| poisoned())?;
    let acknowledged = acknowledged.lock().map_err(|_| poisoned())?;
    let mut delays: Vec<Duration> = acknowledged
        .iter()
        .map(|(position, acknowledged)| {
            seen.get(position)
                .map_or(Duration::MAX, |seen| seen.saturating_duration_since(*acknowledged))
        })
        .collect();
    delays.sort();
    let index = (delays.len() * 99).div_ceil(100).saturating_sub(1);
    Ok(delays.get(index).copied().unwrap_or_default())
}

fn poisoned() -> BenchError {
    BenchError::Io(std::io::Error::other("a measuring task panicked"))
}

async fn join(tasks: Vec<tokio::task::JoinHandle<Result<(), BenchError>>>) -> Result<(), BenchError> {
    for task in tasks {
        task.await
            .map_err(|error| BenchError::Io(std::io::Error::other(error)))??;
    }
    Ok(())
}

/// The raw baseline for bulk import: the very rows the bulk appends wrote (positions after
/// `after`), read back first, then, timed, each record hashed with SHA-256 (as the store hashes
/// what it writes) and all of them sent with one binary `COPY` into a table of the events
/// table's shape, keys and index. Returns rows per second and the rows copied.
async fn raw_copy(url: &str, after: u64) -> Result<(f64, u64), BenchError> {
    let mut connection = PgConnection::connect(url).await?;
    let rows: Vec<(i64, String, i64, String, i64, i64, String)> = sqlx::query_as(
        "SELECT position, stream, version, event_type, occurred_at, recorded_at, record FROM events \
         WHERE position > $1 ORDER BY position",
    )
    .bind(after as i64)
    .fetch_all(&mut connection)
    .await?;
    sqlx::raw_sql(
        "CREATE TABLE raw_copy (position BIGINT PRIMARY KEY, stream TEXT NOT NULL, version BIGINT NOT NULL, \
         event_type TEXT NOT NULL, occurred_at BIGINT NOT NULL, recorded_at BIGINT NOT NULL, record TEXT NOT NULL, \
         hash BYTEA NOT NULL, UNIQUE (stream, version)); \
         CREATE INDEX raw_copy_by_stream_and_business_time ON raw_copy (stream, occurred_at)",
    )
    .execute(&mut connection)
    .await?;
    let started = Instant::now();
    // PostgreSQL's binary COPY format: a signature, flags and header extension, then per row
    // the field count and each field as its length and big-endian bytes, then -1.
    let bytes: usize = rows.iter().map(|row| row.6.len() + 160).sum();
    let mut data: Vec<u8> = Vec::with_capacity(bytes + 32);
    data.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    data.extend_from_slice(&0i32.to_be_bytes());
    data.extend_from_slice(&0i32.to_be_bytes());
    let field = |data: &mut Vec<u8>, bytes: &[u8]| {
        data.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        data.extend_from_slice(bytes);
    };
    for (position, stream, version, event_type, occurred_at, recorded_at, record) in &rows {
        let hash = smes_verify::record_hash(record.as_bytes());
        data.extend_from_slice(&8i16.to_be_bytes());
        field(&mut data, &position.to_be_bytes());
        field(&mut data, stream.as_bytes());
        field(&mut data, &version.to_be_bytes());
        field(&mut data, event_type.as_bytes());
        field(&mut data, &occurred_at.to_be_bytes());
        field(&mut data, &recorded_at.to_be_bytes());
        field(&mut data, record.as_bytes());
        field(&mut data, hash.as_slice());
    }
    data.extend_from_slice(&(-1i16).to_be_bytes());
    let mut copy = connection
        .copy_in_raw(
            "COPY raw_copy (position, stream, version, event_type, occurred_at, recorded_at, record, hash) \
             FROM STDIN (FORMAT binary)",
        )
        .await?;
    copy.send(data).await?;
    copy.finish().await?;
    let elapsed = started.elapsed();
    connection.close().await?;
    Ok((rate(rows.len() as u64, elapsed), rows.len() as u64))
}

/// The raw baseline: 16 connections, each inserting `per_task` rows of the size of a record,
/// one autocommitted transaction per row. Returns rows per second.
async fn raw_inserts(url: &str, per_task: u64) -> Result<f64, BenchError> {
    let mut setup = PgConnection::connect(url).await?;
    sqlx::raw_sql(
        "CREATE TABLE raw_inserts (id BIGSERIAL PRIMARY KEY, stream TEXT NOT NULL, record TEXT NOT NULL, \
         hash BYTEA NOT NULL)",
    )
    .execute(&mut setup)
    .await?;
    setup.close().await?;
    let pool = PgPoolOptions::new()
        .max_connections(CONCURRENCY as u32)
        .min_connections(CONCURRENCY as u32)
        .connect(url)
        .await?;
    // Open every connection before timing.
    let mut warm = Vec::new();
    for _ in 0..CONCURRENCY {
        warm.push(pool.acquire().await?);
    }
    drop(warm);
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|task| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut connection = pool.acquire().await?;
                for k in 0..per_task {
                    let n = task * per_task + k;
                    let record = format!("{{\"position\":{n},\"payload\":{}}}", crate::payload(n));
                    let hash = smes_verify::record_hash(record.as_bytes());
                    sqlx::query("INSERT INTO raw_inserts (stream, record, hash) VALUES ($1, $2, $3)")
                        .bind(format!("activity-{}", n % 100))
                        .bind(record)
                        .bind(hash.as_slice())
                        .execute(&mut *connection)
                        .await?;
                }
                Ok::<(), BenchError>(())
            })
        })
        .collect();
    join(tasks).await?;
    let figure = rate(per_task * CONCURRENCY, started.elapsed());
    pool.close().await;
    Ok(figure)
}
