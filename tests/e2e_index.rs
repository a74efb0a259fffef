//! Crash safety of the link index through the real binary: `smes rebuild` and the catch-up a
//! report runs first are killed (SIGKILL) at random moments, one event per transaction; after
//! every kill the index still matches the log (`smes rebuild --check`), and the next reports
//! are byte-identical to those made before any kill.
//!
//! 12 kills of each by default; set `SMES_INDEX_CRASH_ITERATIONS` for more.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{smes, smes_binary, stderr, stdout};

fn run(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert!(output.status.success(), "smes {args:?} failed: {}", stderr(&output));
    stdout(&output)
}

/// Copies a SQLite log with its write-ahead files.
fn copy_log(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let source = from.with_file_name(format!("{}{suffix}", from.file_name().unwrap().to_string_lossy()));
        let target = to.with_file_name(format!("{}{suffix}", to.file_name().unwrap().to_string_lossy()));
        let _ = std::fs::remove_file(&target);
        if source.exists() {
            std::fs::copy(&source, &target).expect("the log copies");
        }
    }
}

/// Starts `smes` with `args` and kills it after `delay`. `None` when the kill landed while it
/// ran; otherwise how long it took to end by itself, a tighter bound for the next delays.
fn kill_after(dir: &Path, args: &[&str], delay: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut child = Command::new(smes_binary())
        .args(args)
        .current_dir(dir)
        .env_remove("SMES_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("smes starts");
    // Polled rather than slept through, so a run that ends early tells how long it took.
    while started.elapsed() < delay {
        if child.try_wait().expect("the child can be polled").is_some() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let ended = child
        .try_wait()
        .expect("the child can be polled")
        .map(|_| started.elapsed());
    let _ = child.kill();
    child.wait().expect("the child ends");
    ended
}

/// How long a command takes to run whole.
fn timed(dir: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    run(dir, args);
    started.elapsed()
}

struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

#[test]
fn killed_rebuilds_and_catch_ups_leave_an_index_that_matches_the_log() {
    let iterations: u64 = std::env::var("SMES_INDEX_CRASH_ITERATIONS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(12);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir = dir.path();
    run(dir, &["--database", "base.db", "demo"]);
    let base = dir.join("base.db");
    let work = dir.join("work.db");

    // The reports as made before any kill, and how long each kind of run takes whole (an upper
    // bound for the kill delays, tightened whenever a run ends before its kill).
    copy_log(&base, &work);
    let snapshot_args = [
        "--database",
        "work.db",
        "snapshot",
        "--year",
        "2013",
        "--format",
        "json",
    ];
    let expected_snapshot = run(dir, &snapshot_args);
    let snapshot: Value = serde_json::from_str(&expected_snapshot).expect("JSON");
    let activity = snapshot["activities"][0]["id"]
        .as_str()
        .expect("an activity")
        .to_owned();
    let trace_args = [
        "--database",
        "work.db",
        "trace",
        "activity",
        &activity,
        "--format",
        "json",
    ];
    let expected_trace = run(dir, &trace_args);
    let slow = ["--database", "work.db", "--index-page", "1"];
    let mut rebuild_time = timed(dir, &[&slow[..], &["rebuild"]].concat());
    copy_log(&base, &work);
    let mut catch_up_time = timed(dir, &[&slow[..], &snapshot_args[2..]].concat());

    let mut random = Random(2013);
    let mut interrupted = 0;
    for iteration in 0..iterations {
        // A catch-up from nothing (a fresh copy of the log), killed part way.
        copy_log(&base, &work);
        let delay = Duration::from_micros(random.below(catch_up_time.as_micros() as u64));
        match kill_after(dir, &[&slow[..], &snapshot_args[2..]].concat(), delay) {
            None => interrupted += 1,
            Some(took) => catch_up_time = catch_up_time.min(took),
        }
        let check = run(dir, &["--database", "work.db", "rebuild", "--check"]);
        assert!(
            check.contains("matches the log") || check.contains("no link index yet"),
            "after a killed catch-up ({iteration}): {check}"
        );
        assert_eq!(
            run(dir, &snapshot_args),
            expected_snapshot,
            "a snapshot after a killed catch-up"
        );
        assert_eq!(run(dir, &trace_args), expected_trace, "a trace after a killed catch-up");

        // A rebuild beside a live index, killed part way.
        let delay = Duration::from_micros(random.below(rebuild_time.as_micros() as u64));
        match kill_after(dir, &[&slow[..], &["rebuild"]].concat(), delay) {
            None => interrupted += 1,
            Some(took) => rebuild_time = rebuild_time.min(took),
        }
        let check = run(dir, &["--database", "work.db", "rebuild", "--check"]);
        assert!(
            check.contains("matches the log"),
            "after a killed rebuild ({iteration}): {check}"
        );
        assert_eq!(
            run(dir, &snapshot_args),
            expected_snapshot,
            "a snapshot after a killed rebuild"
        );
        assert_eq!(run(dir, &trace_args), expected_trace, "a trace after a killed rebuild");
    }
    // Most kills must land while the process runs, or the test proves little.
    eprintln!(
        "{interrupted} of {} kills landed while smes ran (rebuild {rebuild_time:?}, catch-up {catch_up_time:?})",
        iterations * 2
    );
    assert!(
        interrupted >= iterations,
        "only {interrupted} of {} kills landed while smes was running",
        iterations * 2
    );
    // A rebuild still runs to the end afterwards.
    let rebuilt = run(dir, &["--database", "work.db", "rebuild"]);
    assert!(rebuilt.starts_with("rebuilt the link index"), "{rebuilt}");
}
