//! `smes project`: projection workers keeping the link index, one at a time under a lease.
//!
//! Two workers start on one log (PostgreSQL, and SQLite): the first takes the lease and catches
//! the index up a small page (`--index-page 20`) a transaction; the second waits for the lease.
//! The holder is killed with SIGKILL while it is still catching up (on PostgreSQL, at a moment
//! a link-index transaction of its is open, seen in `pg_stat_activity`); the waiting worker
//! takes the lease over, catches up from where the index was left, and follows the log while
//! more events are appended. At the end the index reaches the log's head and `smes rebuild
//! --check` finds it exactly what the log gives: nothing applied twice, nothing skipped.

mod support;

#[path = "support/postgres.rs"]
mod postgres;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smes_eventlog::{EventStore, PostgresEventStore, SqliteEventStore, StoreOptions};
use smes_simulate::{Generator, GeneratorConfig};
use support::{smes, smes_binary, stderr};

/// Events in the log before the workers start.
const INITIAL_EVENTS: u64 = 4_000;
/// Events appended while the second worker follows the log.
const LATER_EVENTS: u64 = 1_000;
const WAIT: Duration = Duration::from_secs(60);

fn ok(dir: &Path, url: &str, args: &[&str]) -> String {
    let mut all = vec!["--database", url];
    all.extend_from_slice(args);
    let output = smes(dir, &all);
    assert!(output.status.success(), "smes {args:?}: {}", stderr(&output));
    support::stdout(&output)
}

/// A `smes project` process and the lines it printed so far.
struct Worker {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Worker {
    fn start(dir: &Path, url: &str) -> Worker {
        let mut child = Command::new(smes_binary())
            .args([
                "--database",
                url,
                "--index-page",
                "20",
                "project",
                "--lease-retry-ms",
                "100",
            ])
            .current_dir(dir)
            .env_remove("SMES_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("smes project starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("piped");
        let collected = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                collected.lock().unwrap().push(line);
            }
        });
        Worker { child, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    fn printed(&self, start: &str) -> bool {
        self.lines().iter().any(|line| line.starts_with(start))
    }

    fn wait_for(&self, start: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.printed(start) {
            assert!(
                Instant::now() < deadline,
                "the worker never printed {start:?}: {:?}",
                self.lines()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The positions it said the index reached, in order.
    fn applied(&self) -> Vec<u64> {
        self.lines()
            .iter()
            .filter_map(|line| line.strip_prefix("link index at position "))
            .map(|position| position.parse().expect("a position"))
            .collect()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The test's own handle on the log, appending generated programme events.
struct Log {
    store: Box<dyn EventStore>,
    generator: Generator,
    runtime: tokio::runtime::Runtime,
}

impl Log {
    fn open(url: &str) -> Log {
        let generator = Generator::new(GeneratorConfig {
            seed: 5,
            events: INITIAL_EVENTS + LATER_EVENTS,
            first_year: 2010,
            last_year: 2016,
            batch: 250,
        });
        let options = StoreOptions {
            ids: Arc::new(generator.ids()),
            ..StoreOptions::default()
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let store: Box<dyn EventStore> = runtime.block_on(async {
            if url.starts_with("postgres://") {
                Box::new(PostgresEventStore::open(url, options).await.expect("open the log")) as Box<dyn EventStore>
            } else {
                Box::new(SqliteEventStore::open(url, options).await.expect("open the log"))
            }
        });
        Log {
            store,
            generator,
            runtime,
        }
    }

    /// Appends generated batches until the log holds at least `events`.
    fn append_until(&mut self, events: u64, pause: Duration) {
        while self.head() < events {
            let batch = self.generator.next_batch().expect("the generator has more");
            self.runtime.block_on(async {
                for outcome in self.store.append_batch(batch.requests).await.expect("a batch appends") {
                    outcome.expect("each append succeeds");
                }
            });
            std::thread::sleep(pause);
        }
    }

    fn head(&self) -> u64 {
        self.runtime.block_on(self.store.head()).expect("the head").position
    }

    fn index_head(&self) -> u64 {
        self.runtime
            .block_on(self.store.link_index_head())
            .expect("the index head")
            .map_or(0, |head| head.position)
    }
}

/// Two workers on the log at `url`; `link_index_transaction_open` (PostgreSQL) says whether a
/// link-index transaction is open at the moment.
fn takeover(dir: &Path, url: &str, link_index_transaction_open: Option<&dyn Fn() -> bool>) {
    ok(dir, url, &["init"]);
    let mut log = Log::open(url);
    log.append_until(INITIAL_EVENTS, Duration::ZERO);
    let initial = log.head();

    let mut first = Worker::start(dir, url);
    first.wait_for("lease taken");
    let second = Worker::start(dir, url);
    second.wait_for("waiting: another worker holds the link index's lease");
    assert!(!second.printed("lease taken"), "the lease has one holder");

    // Kill the holder mid-batch: once it applied a page, and (on PostgreSQL) while one of its
    // link-index transactions is open.
    first.wait_for("link index at position");
    let mut caught_open = false;
    if let Some(open) = link_index_transaction_open {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !caught_open && Instant::now() < deadline {
            caught_open = open();
        }
    }
    first.child.kill().expect("SIGKILL the holder");
    first.child.wait().expect("the holder ended");
    let left_at = log.index_head();
    assert!(
        left_at < initial,
        "the holder was killed with work left (index at {left_at} of {initial})"
    );
    if link_index_transaction_open.is_some() {
        assert!(
            caught_open,
            "a link-index transaction of the holder was open when it was killed"
        );
    }

    // The waiting worker takes over, catches up and follows what is appended next.
    second.wait_for("lease taken");
    second.wait_for("following the log from position");
    log.append_until(INITIAL_EVENTS + LATER_EVENTS / 2, Duration::from_millis(20));
    log.append_until(INITIAL_EVENTS + LATER_EVENTS, Duration::from_millis(20));
    let head = log.head();
    let deadline = Instant::now() + WAIT;
    while log.index_head() < head {
        assert!(
            Instant::now() < deadline,
            "the index never reached the log's head {head}: {:?}",
            second.lines()
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // It says so once it has committed.
    second.wait_for(&format!("link index at position {head}"));

    // Each worker's commits moved the index forward, the second's from beyond the first's.
    let (before, after) = (first.applied(), second.applied());
    let all: Vec<u64> = before.iter().chain(&after).copied().collect();
    assert!(
        all.windows(2).all(|pair| pair[0] < pair[1]),
        "positions reached only grow: {all:?}"
    );
    assert!(after.first().is_some_and(|&position| position > left_at));
    assert_eq!(after.last(), Some(&head));
    let checked = ok(dir, url, &["rebuild", "--check"]);
    assert!(
        checked.starts_with(&format!("the link index matches the log up to position {head}")),
        "{checked}"
    );
    drop(second);
}

#[test]
fn a_waiting_worker_takes_over_a_killed_one_on_postgres() {
    let database = postgres::Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        database.query(async |connection| {
            let open: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
            )
            .fetch_one(&mut *connection)
            .await
            .expect("read pg_stat_activity");
            open > 0
        })
    };
    let sessions = |database: &postgres::Database| {
        database.query(async |connection| {
            let count: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            )
            .fetch_one(&mut *connection)
            .await
            .expect("read pg_locks");
            count
        })
    };
    takeover(dir.path(), &database.url, Some(&open));
    let deadline = Instant::now() + WAIT;
    while sessions(&database) > 0 {
        assert!(Instant::now() < deadline, "the lease ends with its last holder");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_waiting_worker_takes_over_a_killed_one_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("programme.db").display());
    takeover(dir.path(), &url, None);
}

/// `smes project --once` catches the index up and exits; with another worker holding the
/// lease it does nothing and says so.
#[test]
fn project_once_catches_up_or_leaves_it_to_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = "sqlite://demo.db";
    ok(d, url, &["demo"]);
    let once = ok(d, url, &["project", "--once"]);
    assert!(once.starts_with("lease taken"), "{once}");
    assert!(once.contains("link index at position "), "{once}");
    ok(d, url, &["rebuild", "--check"]);
    let holder = Worker::start(d, url);
    holder.wait_for("following the log from position");
    let skipped = ok(d, url, &["project", "--once"]);
    assert_eq!(
        skipped,
        "another worker holds the link index's lease and keeps it caught up; nothing done\n"
    );
    drop(holder);
}
