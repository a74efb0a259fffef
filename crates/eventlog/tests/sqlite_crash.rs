//! Crash safety: a child process appending in bulk is killed (SIGKILL) at random moments. Every
//! batch the child saw acknowledged must be in the log, no batch may be half-written, positions
//! stay gapless and the chain verifies.
//!
//! The child is this test binary itself, run again with `SMES_CRASH_CHILD_DB` set. 50 kills by
//! default; set `SMES_CRASH_ITERATIONS` (e.g. 200) for more.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use smes_eventlog::{
    AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, SqliteEventStore, StoreOptions, StreamName,
};
use uuid::Uuid;

const REQUESTS_PER_BATCH: u64 = 5;
const EVENTS_PER_REQUEST: u64 = 20;

/// The command id of request `k` of batch `batch` of child run `run`.
fn command_id(run: u64, batch: u64, k: u64) -> Uuid {
    Uuid::from_u128((u128::from(run) << 64) | u128::from(batch * REQUESTS_PER_BATCH + k))
}

/// Request `k` of batch `batch` of child run `run`: the same every time it is built.
fn child_request(run: u64, batch: u64, k: u64) -> AppendRequest {
    let events = (0..EVENTS_PER_REQUEST)
        .map(|n| {
            NewEvent::new(
                "Happened",
                1,
                format!(r#"{{"run":{run},"batch":{batch},"n":{n},"pad":"{}"}}"#, "x".repeat(200)),
                "2013-01-01T00:00:00Z".parse().unwrap(),
            )
        })
        .collect();
    AppendRequest::new(
        StreamName::new(format!("stream-{}", k % 3)).unwrap(),
        ExpectedVersion::Any,
        events,
        Metadata::new("crash-test", "secretariat", "test").with_command_id(command_id(run, batch, k)),
    )
}

/// The child: appends batches until killed, printing each batch's command ids once committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let Ok(path) = std::env::var("SMES_CRASH_CHILD_DB") else {
        return; // Run as a child only.
    };
    let run: u64 = std::env::var("SMES_CRASH_RUN").unwrap().parse().unwrap();
    let options = StoreOptions {
        create: true,
        ..StoreOptions::default()
    };
    let store = SqliteEventStore::open(&path, options).await.unwrap();
    for batch in 0u64.. {
        let requests: Vec<AppendRequest> = (0..REQUESTS_PER_BATCH).map(|k| child_request(run, batch, k)).collect();
        let outcomes = store.append_batch(requests).await.unwrap();
        let ids: Vec<String> = (0..REQUESTS_PER_BATCH)
            .map(|k| command_id(run, batch, k).to_string())
            .collect();
        for outcome in outcomes {
            outcome.unwrap();
        }
        // Printed only after the commit returned: this is the acknowledgement.
        println!("ack {}", ids.join(" "));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_writers_lose_nothing_acknowledged() {
    if std::env::var("SMES_CRASH_CHILD_DB").is_ok() {
        return;
    }
    let iterations: u64 = std::env::var("SMES_CRASH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db").display().to_string();
    let exe = std::env::current_exe().unwrap();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for run in 0..iterations {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads", "1"])
            .env("SMES_CRASH_CHILD_DB", &path)
            .env("SMES_CRASH_RUN", run.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a pseudo-random moment: after 0 to 3 acknowledgements, plus 0 to 15 ms.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let acks_before_kill = seed % 4;
        let extra_delay = Duration::from_millis((seed >> 8) % 16);
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let started = Instant::now();
        let mut seen = 0;
        while seen < acks_before_kill && started.elapsed() < Duration::from_secs(20) {
            line.clear();
            if stdout.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(ids) = line.trim().strip_prefix("ack ") {
                acknowledged.extend(ids.split(' ').map(str::to_owned));
                seen += 1;
            }
        }
        std::thread::sleep(extra_delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Acknowledgements printed before the kill are still in the pipe.
        for line in stdout.lines() {
            let line = line.unwrap();
            if let Some(ids) = line.trim().strip_prefix("ack ") {
                acknowledged.extend(ids.split(' ').map(str::to_owned));
            }
        }
    }

    let store = SqliteEventStore::open(&path, StoreOptions::default()).await.unwrap();
    let verified = store.verify().await.unwrap();
    let events = store.read_all(1, usize::MAX).await.unwrap();
    assert_eq!(events.len() as u64, verified.events);
    for (index, event) in events.iter().enumerate() {
        assert_eq!(event.position, index as u64 + 1, "positions are gapless");
    }
    let mut per_command: HashMap<String, u64> = HashMap::new();
    for event in &events {
        let id = event
            .metadata
            .command_id
            .expect("every event has its command id")
            .to_string();
        *per_command.entry(id).or_default() += 1;
    }
    for (command, count) in &per_command {
        assert_eq!(
            *count, EVENTS_PER_REQUEST,
            "command {command} is whole, not half-written"
        );
    }
    assert_eq!(per_command.len() as u64 % REQUESTS_PER_BATCH, 0, "batches are whole");
    for id in &acknowledged {
        assert!(per_command.contains_key(id), "acknowledged command {id} is in the log");
    }
    assert!(!acknowledged.is_empty(), "the children acknowledged some batches");

    // A command a killed process committed is recognised by this process: written once.
    let first: Uuid = acknowledged[0].parse().unwrap();
    let bits = first.as_u128();
    let (run, index) = ((bits >> 64) as u64, bits as u64);
    let retried = store
        .append(child_request(
            run,
            index / REQUESTS_PER_BATCH,
            index % REQUESTS_PER_BATCH,
        ))
        .await
        .unwrap();
    assert!(retried.replayed, "a retried command is not written twice");
    assert_eq!(store.head().await.unwrap().position, verified.events);
    eprintln!(
        "{iterations} kills: {} acknowledged commands, {} commands and {} events in the log, chain verified",
        acknowledged.len(),
        per_command.len(),
        verified.events
    );
}
