//! Crash safety of the link index: a child process extending the index batch by batch, and now
//! and then building a whole new generation and swapping it in, is killed (SIGKILL) at random
//! moments. After each kill the live head is either absent or consistent: the links read up to
//! it are exactly those the log's positions up to it give, nothing of another generation and
//! nothing half-written; rows of an unfinished build are gone after the next begin.
//!
//! The child is this test binary itself, run again with `SMES_LINK_CRASH_CHILD_DB` set. 20 kills
//! by default; set `SMES_LINK_CRASH_ITERATIONS` (e.g. 200) for more.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use smes_eventlog::{
    AppendRequest, EventStore, ExpectedVersion, Link, Metadata, NewEvent, SqliteEventStore, StoreOptions, StreamName,
};

/// Events in the log before the first child runs; extends cover them batch by batch.
const EVENTS: u64 = 3_000;
/// Positions an extend covers at a time.
const BATCH: u64 = 25;
/// Links a build writes per call.
const BUILD_CHUNK: usize = 40;
/// How many distinct `from` nodes the links use.
const NODES: u64 = 37;

/// The links the event at `position` asserts: a deterministic function of the position. Some
/// repeat a link an earlier position asserted (the first position must be kept).
fn links_at(position: u64) -> Vec<Link> {
    let mut links = vec![Link::new(
        format!("node-{}", position % NODES),
        format!("target-{position}"),
        position,
    )];
    if position.is_multiple_of(3) {
        links.push(Link::new(
            format!("node-{}", position % 7),
            format!("shared-{}", position % 11),
            position,
        ));
    }
    links
}

/// The link index the positions `1..=head` give, with each link at its first position.
fn expected_links(head: u64) -> Vec<Link> {
    let mut first = std::collections::BTreeMap::new();
    for position in 1..=head {
        for link in links_at(position) {
            first.entry((link.from, link.to)).or_insert(position);
        }
    }
    first
        .into_iter()
        .map(|((from, to), position)| Link { from, to, position })
        .collect()
}

fn all_nodes() -> Vec<String> {
    (0..NODES).map(|node| format!("node-{node}")).collect()
}

async fn hash_at(store: &SqliteEventStore, position: u64) -> smes_verify::Hash {
    store.read_all(position, 1).await.unwrap()[0].hash
}

/// The child: extends the index until it covers the log, then builds a new generation and starts
/// over from it; every few batches it rebuilds instead of extending. Prints each committed head.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_crash_child() {
    let Ok(path) = std::env::var("SMES_LINK_CRASH_CHILD_DB") else {
        return; // Run as a child only.
    };
    let seed: u64 = std::env::var("SMES_LINK_CRASH_SEED").unwrap().parse().unwrap();
    let store = SqliteEventStore::open(&path, StoreOptions::default()).await.unwrap();
    for round in 0u64.. {
        let head = store.link_index_head().await.unwrap();
        let covered = head.map_or(0, |head| head.position);
        if covered >= EVENTS || (round + seed) % 5 == 4 {
            // Rebuild beside the live generation, through a position of its own.
            let through = (seed * 997 + round * 131) % EVENTS + 1;
            let generation = store.begin_link_index_build().await.unwrap();
            let links: Vec<Link> = (1..=through).flat_map(links_at).collect();
            for chunk in links.chunks(BUILD_CHUNK) {
                store.write_link_generation(generation, chunk.to_vec()).await.unwrap();
            }
            let head = store
                .finish_link_index_build(generation, (through, hash_at(&store, through).await))
                .await
                .unwrap();
            println!("built {} {}", head.generation, head.position);
            continue;
        }
        let through = (covered + BATCH).min(EVENTS);
        let links: Vec<Link> = (covered + 1..=through).flat_map(links_at).collect();
        let moved = store
            .extend_link_index(head, (through, hash_at(&store, through).await), links)
            .await
            .unwrap()
            .expect("no other process moves the head");
        println!("extended {} {}", moved.generation, moved.position);
    }
}

/// Checks the live head against the log and the expected links; returns its position.
async fn check_consistent(store: &SqliteEventStore, path: &str) -> Option<u64> {
    let head = store.link_index_head().await.unwrap()?;
    assert_eq!(
        head.hash,
        hash_at(store, head.position).await,
        "the head names the log's event"
    );
    let found = store.links_from(&all_nodes(), head.position).await.unwrap().unwrap();
    assert_eq!(
        found,
        expected_links(head.position),
        "the live generation holds exactly the links up to its head ({})",
        head.position
    );
    // Rows of other generations are only those of a build under way (none is, now).
    let connection = rusqlite::Connection::open(path).unwrap();
    let live_rows: u64 = connection
        .query_row(
            "SELECT count(*) FROM link_index WHERE generation = ?1",
            [head.generation],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        live_rows,
        found.len() as u64,
        "the live generation holds no links beyond its head"
    );
    Some(head.position)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_link_index_writers_leave_a_consistent_index() {
    if std::env::var("SMES_LINK_CRASH_CHILD_DB").is_ok() {
        return;
    }
    let iterations: u64 = std::env::var("SMES_LINK_CRASH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.db").display().to_string();
    {
        let options = StoreOptions {
            create: true,
            ..StoreOptions::default()
        };
        let store = SqliteEventStore::open(&path, options).await.unwrap();
        let requests: Vec<AppendRequest> = (0..EVENTS / 100)
            .map(|request| {
                AppendRequest::new(
                    StreamName::new(format!("stream-{}", request % 4)).unwrap(),
                    ExpectedVersion::Any,
                    (0..100)
                        .map(|n| {
                            NewEvent::new(
                                "Happened",
                                1,
                                format!(r#"{{"request":{request},"n":{n}}}"#),
                                "2013-01-01T00:00:00Z".parse().unwrap(),
                            )
                        })
                        .collect(),
                    Metadata::new("crash-test", "secretariat", "test"),
                )
            })
            .collect();
        for outcome in store.append_batch(requests).await.unwrap() {
            outcome.unwrap();
        }
        assert_eq!(store.head().await.unwrap().position, EVENTS);
    }

    let exe = std::env::current_exe().unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let (mut acknowledged, mut builds, mut last_head) = (0u64, 0u64, None);
    for run in 0..iterations {
        let mut child = Command::new(&exe)
            .args(["--exact", "link_crash_child", "--nocapture", "--test-threads", "1"])
            .env("SMES_LINK_CRASH_CHILD_DB", &path)
            .env("SMES_LINK_CRASH_SEED", run.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a pseudo-random moment: after 0 to 7 committed writes, plus 0 to 15 ms.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let writes_before_kill = seed % 8;
        let extra_delay = Duration::from_millis((seed >> 8) % 16);
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let started = Instant::now();
        let mut seen = 0;
        let mut last_committed = None;
        while seen < writes_before_kill && started.elapsed() < Duration::from_secs(10) {
            line.clear();
            if stdout.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(position) = committed_position(&line, &mut builds) {
                last_committed = Some(position);
                seen += 1;
            }
        }
        std::thread::sleep(extra_delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Heads printed before the kill are still in the pipe.
        for line in stdout.lines() {
            if let Some(position) = committed_position(&line.unwrap(), &mut builds) {
                last_committed = Some(position);
                seen += 1;
            }
        }
        acknowledged += seen;

        let store = SqliteEventStore::open(&path, StoreOptions::default()).await.unwrap();
        let head = check_consistent(&store, &path).await;
        if last_committed.is_some() {
            // The last write the child saw committed, or a later one, is what is live.
            assert!(head.is_some(), "a committed head survives the kill");
        }
        last_head = head;
    }
    assert!(acknowledged > 0, "the children committed some writes");
    assert!(builds > 0, "the children finished some builds");

    // Whatever an unfinished build left, the next begin deletes it.
    let store = SqliteEventStore::open(&path, StoreOptions::default()).await.unwrap();
    let live = store.link_index_head().await.unwrap().map(|head| head.generation);
    store.begin_link_index_build().await.unwrap();
    let connection = rusqlite::Connection::open(&path).unwrap();
    let others: u64 = connection
        .query_row(
            "SELECT count(*) FROM link_index WHERE generation IS NOT ?1",
            [live],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(others, 0, "no rows of any generation but the live one");
    check_consistent(&store, &path).await;
    eprintln!("{iterations} kills: {acknowledged} committed writes ({builds} builds), last head {last_head:?}");
}

/// The position of a head the child printed after its commit returned.
fn committed_position(line: &str, builds: &mut u64) -> Option<u64> {
    let mut words = line.split_whitespace();
    let kind = words.next()?;
    let _generation = words.next()?;
    let position = words.next()?.parse().ok()?;
    match kind {
        "built" => *builds += 1,
        "extended" => {}
        _ => return None,
    }
    Some(position)
}
