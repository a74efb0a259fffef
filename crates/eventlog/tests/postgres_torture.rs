//! The PostgreSQL backend under concurrent writers of several processes, with commits forced to
//! overlap.
//!
//! 16 writers append at once: 8 tasks of this process and 8 child processes (this test binary
//! run again with `SMES_TORTURE_CHILD_URL` set, each with its own `PostgresEventStore`). Each
//! appends to shared streams (`ExpectedVersion::Any`) and to a private stream (exact expected
//! versions), while 4 subscribers follow the log from position 1. Every store, the children's
//! too, sleeps a random few milliseconds inside each append transaction after its rows are
//! written and before it commits ([`PostgresConfig::test_commit_delay`]), so transactions wait on
//! each other as under load. At the end: positions are exactly 1..=N, every subscriber saw every
//! event once and in order, every append a writer saw acknowledged is in the log at the
//! position it was told, record times never decrease, stream versions are gapless and the log
//! verifies.
//!
//! The same file shows that the hazard is real: writers inserting into a plain table with a
//! `BIGSERIAL` key, with the same delays before commit, commit out of key order, and a reader
//! polling `WHERE id > last ORDER BY id` skips rows; the store's subscribers, under the same
//! delays, skip none.
//!
//! About 1,300 events by default; `SMES_TORTURE_EVENTS` sets another total (e.g. 20000).
//! PostgreSQL must answer at 127.0.0.1:5432 (trust auth, user `postgres`, database `test`;
//! `SMES_TEST_POSTGRES` overrides the admin URL); these tests fail, never skip, without it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::TryStreamExt;
use smes_eventlog::{
    AppendRequest, CommitDelay, EventStore, ExpectedVersion, Metadata, NewEvent, PostgresConfig, PostgresEventStore,
    StoreOptions, StreamName,
};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

const TASK_WRITERS: u64 = 8;
const CHILD_WRITERS: u64 = 8;
const READERS: usize = 4;
const SHARED_STREAMS: u64 = 3;
/// Events per append on shared streams; private appends carry one event.
const SHARED_EVENTS: u64 = 2;
/// Events the whole run appends unless `SMES_TORTURE_EVENTS` says otherwise.
const DEFAULT_EVENTS: u64 = 1_300;
/// How long a reader may take before the test fails instead of hanging (longer runs get 10 ms
/// more an event).
const DEADLINE: Duration = Duration::from_secs(120);

fn delay() -> CommitDelay {
    CommitDelay::between(Duration::from_millis(0), Duration::from_millis(4))
}

fn admin_url() -> String {
    std::env::var("SMES_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.unwrap_or_else(|error| {
        panic!(
            "PostgreSQL is not reachable at {url}: {error}. The PostgreSQL tests need a server at \
             127.0.0.1:5432 with trust auth and a database `test`; they never skip."
        )
    })
}

/// A database of the test's own (`smes_test_<seconds>_<random>`, the name the conformance tests
/// use, so a killed run's leftovers are dropped by them), dropped with the value.
struct Database {
    name: String,
    url: String,
}

impl Database {
    async fn fresh() -> Database {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        let name = format!("smes_test_{seconds}_{}", Uuid::new_v4().simple());
        let mut admin = connect(&admin_url()).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        let _ = admin.close().await;
        let admin = admin_url();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
        Database {
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Dropped inside the test's runtime: a runtime of its own on another thread.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&admin_url()).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            });
        });
        let _ = dropper.join();
    }
}

fn config() -> PostgresConfig {
    PostgresConfig {
        max_connections: 2,
        test_commit_delay: Some(delay()),
        ..PostgresConfig::default()
    }
}

async fn open(url: &str, create: bool) -> PostgresEventStore {
    let options = StoreOptions {
        create,
        ..StoreOptions::default()
    };
    PostgresEventStore::open_with(url, options, config())
        .await
        .unwrap_or_else(|error| panic!("open the log at {url}: {error:?}"))
}

/// How many appends each writer makes: half on shared streams, half on its private one.
fn appends_per_writer() -> u64 {
    let total: u64 = std::env::var("SMES_TORTURE_EVENTS")
        .ok()
        .and_then(|events| events.parse().ok())
        .unwrap_or(DEFAULT_EVENTS);
    let per_pair = SHARED_EVENTS + 1;
    let writers = TASK_WRITERS + CHILD_WRITERS;
    (total / (writers * per_pair)).max(1) * 2
}

fn events_per_writer(appends: u64) -> u64 {
    appends.div_ceil(2) * SHARED_EVENTS + appends / 2
}

/// The command id of append `k` of writer `writer`.
fn command_id(writer: u64, k: u64) -> Uuid {
    Uuid::from_u128((u128::from(writer + 1) << 64) | u128::from(k))
}

/// Append `k` of writer `writer`: even ones to a shared stream, odd ones to the writer's own
/// stream at exactly the version it reached.
fn request(writer: u64, k: u64) -> AppendRequest {
    let (stream, expected, events) = if k.is_multiple_of(2) {
        (
            format!("shared-{}", (writer + k / 2) % SHARED_STREAMS),
            ExpectedVersion::Any,
            SHARED_EVENTS,
        )
    } else {
        let version = k / 2;
        let expected = if version == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(version)
        };
        (format!("own-{writer}"), expected, 1)
    };
    AppendRequest::new(
        StreamName::new(stream).expect("a valid stream name"),
        expected,
        (0..events)
            .map(|n| {
                NewEvent::new(
                    "Happened",
                    1,
                    format!(r#"{{"writer":{writer},"append":{k},"n":{n}}}"#),
                    "2013-03-01T00:00:00Z".parse().expect("a time"),
                )
            })
            .collect(),
        Metadata::new("torture", "secretariat", "test").with_command_id(command_id(writer, k)),
    )
}

/// An append a writer saw acknowledged: its command id, stream, first and last position and
/// first version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ack {
    command: Uuid,
    stream: String,
    first_position: u64,
    last_position: u64,
    first_version: u64,
}

impl Ack {
    fn line(&self) -> String {
        format!(
            "ack {} {} {} {} {}",
            self.command, self.stream, self.first_position, self.last_position, self.first_version
        )
    }

    /// An acknowledgement printed by a child (the test harness may print its own words first
    /// on the same line).
    fn parse(line: &str) -> Option<Ack> {
        let start = line.find("ack ")?;
        let mut fields = line[start + 4..].split(' ');
        Some(Ack {
            command: fields.next()?.parse().ok()?,
            stream: fields.next()?.to_owned(),
            first_position: fields.next()?.parse().ok()?,
            last_position: fields.next()?.parse().ok()?,
            first_version: fields.next()?.parse().ok()?,
        })
    }
}

/// Makes every append of `writer` through `store`, in order, and returns what was acknowledged.
async fn write_all(store: &PostgresEventStore, writer: u64, appends: u64, mut on_ack: impl FnMut(&Ack)) {
    for k in 0..appends {
        let outcome = store
            .append(request(writer, k))
            .await
            .unwrap_or_else(|error| panic!("writer {writer}, append {k}: {error}"));
        assert!(!outcome.replayed, "writer {writer}, append {k} is new");
        on_ack(&Ack {
            command: command_id(writer, k),
            stream: outcome.stream,
            first_position: outcome.first_position,
            last_position: outcome.last_position,
            first_version: outcome.first_version,
        });
    }
}

/// The child: one writer in a process of its own, printing each append once it was committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn torture_child() {
    let Ok(url) = std::env::var("SMES_TORTURE_CHILD_URL") else {
        return; // Run as a child only.
    };
    let writer: u64 = std::env::var("SMES_TORTURE_WRITER").unwrap().parse().unwrap();
    let appends: u64 = std::env::var("SMES_TORTURE_APPENDS").unwrap().parse().unwrap();
    let store = open(&url, false).await;
    write_all(&store, writer, appends, |ack| {
        // Printed only after the commit returned: this is the acknowledgement.
        println!("{}", ack.line());
    })
    .await;
}

/// What a subscriber saw, in the order it saw it: (position, event id).
async fn follow(store: Arc<PostgresEventStore>, total: u64) -> Vec<(u64, Uuid)> {
    let mut seen = Vec::with_capacity(total as usize);
    let mut subscription = store.subscribe(1);
    while (seen.len() as u64) < total {
        let event = subscription
            .try_next()
            .await
            .expect("the subscription reads")
            .expect("a subscription does not end");
        seen.push((event.position, event.event_id));
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_writers_of_nine_processes_with_overlapping_commits() {
    if std::env::var("SMES_TORTURE_CHILD_URL").is_ok() {
        return;
    }
    let started = Instant::now();
    let database = Database::fresh().await;
    let appends = appends_per_writer();
    let total = (TASK_WRITERS + CHILD_WRITERS) * events_per_writer(appends);
    let writers_store = Arc::new(open(&database.url, true).await);
    let readers_store = Arc::new(open(&database.url, false).await);

    // Subscribers first, from position 1: two on the writers' store (woken by its writer), two
    // on a store of their own (woken by notifications, as another process's would be).
    let readers: Vec<_> = (0..READERS)
        .map(|reader| {
            let store = if reader % 2 == 0 {
                Arc::clone(&writers_store)
            } else {
                Arc::clone(&readers_store)
            };
            let deadline = DEADLINE + Duration::from_millis(10 * total);
            tokio::spawn(async move { tokio::time::timeout(deadline, follow(store, total)).await })
        })
        .collect();

    let exe = std::env::current_exe().expect("the test binary");
    let children: Vec<_> = (0..CHILD_WRITERS)
        .map(|child| {
            let writer = TASK_WRITERS + child;
            Command::new(&exe)
                .args(["--exact", "torture_child", "--nocapture", "--test-threads", "1"])
                .env("SMES_TORTURE_CHILD_URL", &database.url)
                .env("SMES_TORTURE_WRITER", writer.to_string())
                .env("SMES_TORTURE_APPENDS", appends.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a child writer")
        })
        .collect();

    let tasks: Vec<_> = (0..TASK_WRITERS)
        .map(|writer| {
            let store = Arc::clone(&writers_store);
            tokio::spawn(async move {
                let mut acks = Vec::new();
                write_all(&store, writer, appends, |ack| acks.push(ack.clone())).await;
                acks
            })
        })
        .collect();
    let mut acknowledged: Vec<Ack> = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.expect("a writer task"));
    }
    for child in children {
        let output = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .expect("wait for a child")
            .expect("a child's output");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "a child writer failed: {}\n{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
        let acks: Vec<Ack> = stdout.lines().filter_map(Ack::parse).collect();
        assert_eq!(
            acks.len() as u64,
            appends,
            "a child acknowledged every append: {stdout}"
        );
        acknowledged.extend(acks);
    }
    let mut seen_by_readers = Vec::new();
    for reader in readers {
        let seen = reader
            .await
            .expect("a reader task")
            .expect("a subscriber saw every event in time");
        seen_by_readers.push(seen);
    }

    // Positions are exactly 1..=N.
    let head = writers_store.head().await.unwrap();
    assert_eq!(head.position, total, "every append wrote its events, nothing else");
    let log: Vec<_> = readers_store.stream_all(1).try_collect().await.unwrap();
    assert_eq!(
        log.iter().map(|event| event.position).collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>(),
        "positions are gapless"
    );
    // Every subscriber saw every event exactly once, in order.
    let in_log: Vec<(u64, Uuid)> = log.iter().map(|event| (event.position, event.event_id)).collect();
    for (reader, seen) in seen_by_readers.iter().enumerate() {
        assert_eq!(seen, &in_log, "subscriber {reader} saw the log exactly, in order");
    }
    // Record time never decreases along positions.
    for pair in log.windows(2) {
        assert!(
            pair[1].recorded_at >= pair[0].recorded_at,
            "record time goes back at position {}",
            pair[1].position
        );
    }
    // Every acknowledged append is in the log where it was told it is.
    assert_eq!(acknowledged.len() as u64, (TASK_WRITERS + CHILD_WRITERS) * appends);
    let commands: HashSet<Uuid> = acknowledged.iter().map(|ack| ack.command).collect();
    assert_eq!(commands.len(), acknowledged.len(), "each command acknowledged once");
    let mut covered = 0;
    for ack in &acknowledged {
        let outcome = readers_store
            .command_outcome(ack.command)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged command {} is in the log", ack.command));
        assert_eq!(
            (outcome.first_position, outcome.last_position, outcome.first_version),
            (ack.first_position, ack.last_position, ack.first_version),
            "command {}",
            ack.command
        );
        for position in ack.first_position..=ack.last_position {
            let event = &log[position as usize - 1];
            assert_eq!(event.stream, ack.stream);
            assert_eq!(event.metadata.command_id, Some(ack.command));
            assert_eq!(event.version, ack.first_version + (position - ack.first_position));
            covered += 1;
        }
    }
    assert_eq!(covered, total, "the acknowledged appends account for every event");
    // Stream versions are gapless.
    let mut versions: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for event in &log {
        versions.entry(&event.stream).or_default().push(event.version);
    }
    assert_eq!(versions.len() as u64, SHARED_STREAMS + TASK_WRITERS + CHILD_WRITERS);
    for (stream, versions) in &versions {
        assert_eq!(
            versions,
            &(1..=versions.len() as u64).collect::<Vec<_>>(),
            "stream {stream}"
        );
    }
    assert_eq!(readers_store.verify().await.unwrap().events, total);
    eprintln!(
        "{} writers ({} processes), {} subscribers: {total} events in {:.1} s, all seen, chain verified",
        TASK_WRITERS + CHILD_WRITERS,
        CHILD_WRITERS + 1,
        READERS,
        started.elapsed().as_secs_f64()
    );
}

/// The hazard the advisory lock removes, shown on a plain table: with a `BIGSERIAL` key taken at
/// insert time and commits delayed at random, rows commit out of key order, and a reader
/// polling for keys above the last it saw skips those that commit late. Under the same delays,
/// a subscription to the store skips nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_naive_reader_of_a_serial_key_skips_rows_but_subscribers_do_not() {
    if std::env::var("SMES_TORTURE_CHILD_URL").is_ok() {
        return;
    }
    const WRITERS: u64 = 8;
    const ROWS: u64 = 60;
    let database = Database::fresh().await;
    let mut setup = connect(&database.url).await;
    sqlx::raw_sql("CREATE TABLE naive (id BIGSERIAL PRIMARY KEY, writer BIGINT NOT NULL, n BIGINT NOT NULL)")
        .execute(&mut setup)
        .await
        .unwrap();
    let _ = setup.close().await;

    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let url = database.url.clone();
            tokio::spawn(async move {
                let mut connection = connect(&url).await;
                for n in 0..ROWS {
                    let mut transaction = connection.begin().await.unwrap();
                    sqlx::query("INSERT INTO naive (writer, n) VALUES ($1, $2)")
                        .bind(writer as i64)
                        .bind(n as i64)
                        .execute(&mut *transaction)
                        .await
                        .unwrap();
                    tokio::time::sleep(delay().draw()).await;
                    transaction.commit().await.unwrap();
                }
            })
        })
        .collect();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let url = database.url.clone();
    let reader = tokio::spawn({
        let done = Arc::clone(&done);
        async move {
            let mut connection = connect(&url).await;
            let mut last = 0i64;
            let mut seen = 0u64;
            loop {
                // Once every writer has committed, one last poll sees all that is left above
                // `last`; a row below it that committed late is never seen.
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let rows: Vec<i64> = sqlx::query_scalar("SELECT id FROM naive WHERE id > $1 ORDER BY id")
                    .bind(last)
                    .fetch_all(&mut connection)
                    .await
                    .unwrap();
                for id in rows {
                    seen += 1;
                    last = id;
                }
                if finished {
                    return seen;
                }
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
        }
    });
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let naive_seen = reader.await.unwrap();
    let skipped = WRITERS * ROWS - naive_seen;
    assert!(
        skipped > 0,
        "the naive reader of a serial key saw every row: commits did not overlap"
    );

    // The store, the same writers and delays (each writer a store of its own, as a process),
    // and a subscription from position 1.
    let mut stores = Vec::new();
    for writer in 0..WRITERS {
        stores.push(Arc::new(open(&database.url, writer == 0).await));
    }
    let follower = Arc::new(open(&database.url, false).await);
    let subscriber = tokio::spawn({
        let follower = Arc::clone(&follower);
        async move { tokio::time::timeout(DEADLINE, follow(follower, WRITERS * ROWS)).await }
    });
    let writers: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(writer, store)| {
            let store = Arc::clone(store);
            tokio::spawn(async move {
                for n in 0..ROWS {
                    let mut append = request(writer as u64, 0);
                    append.metadata.command_id = None;
                    append.events.truncate(1);
                    append.events[0].payload = format!(r#"{{"writer":{writer},"n":{n}}}"#);
                    store.append(append).await.unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let seen = subscriber
        .await
        .unwrap()
        .expect("the subscriber saw every event in time");
    assert_eq!(
        seen.iter().map(|(position, _)| *position).collect::<Vec<_>>(),
        (1..=WRITERS * ROWS).collect::<Vec<_>>(),
        "the subscriber skipped nothing"
    );
    let ids: HashMap<u64, Uuid> = seen.into_iter().collect();
    assert_eq!(ids.len() as u64, WRITERS * ROWS);
    eprintln!(
        "naive reader of a BIGSERIAL key: {skipped} of {} rows skipped; store subscriber: none",
        WRITERS * ROWS
    );
}
