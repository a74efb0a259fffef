//! What `smes` logs to standard error, on SQLite and on PostgreSQL: by default nothing but
//! warnings and errors, so a command's output is its own; `-v` adds info lines (the link index
//! caught up), `RUST_LOG` chooses instead, a `RUST_LOG` that is not a filter is refused before
//! anything is opened, and `smes -v serve` logs one line per request and stops cleanly on
//! SIGTERM.
//!
//! PostgreSQL must answer at 127.0.0.1:5432 (see tests/e2e_postgres.rs); the tests fail, never
//! skip, when it does not.

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use support::{ok_on, run_on, smes_binary, stderr, stdout};

/// The snapshot read in every run: pinned to a position, so events appended later change
/// nothing in it but what the link index must catch up.
const SNAPSHOT: [&str; 5] = ["snapshot", "--year", "2013", "--at-position", "60"];

/// A command appended after the first read, so the next read catches the link index up.
const OPEN_2014: &str = r#"{"command_id":"5e1a0000-0000-4000-8000-00000000c014","kind":"open-work-programme","year":2014,"estimated_budget":{"amount":"150000","currency":"USD","value_date":"2013-11-01"},"opened_on":"2013-11-01"}"#;

fn verbosity_on(dir: &Path, database: &str) {
    ok_on(dir, database, &["demo"]);
    let demo_events = ok_on(dir, database, &["log"]).lines().count();
    let quiet = run_on(dir, database, &SNAPSHOT);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert_eq!(
        stderr(&quiet),
        "",
        "by default a read that catches the index up logs nothing"
    );

    std::fs::write(dir.join("open-2014.jsonl"), format!("{OPEN_2014}\n")).unwrap();
    ok_on(dir, database, &["import", "open-2014.jsonl"]);
    let verbose = run_on(
        dir,
        database,
        &["-v", SNAPSHOT[0], SNAPSHOT[1], SNAPSHOT[2], SNAPSHOT[3], SNAPSHOT[4]],
    );
    assert!(verbose.status.success(), "{}", stderr(&verbose));
    assert_eq!(
        stdout(&verbose),
        stdout(&quiet),
        "-v changes nothing on standard output"
    );
    let log = stderr(&verbose);
    let caught_up: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(" INFO smes_read::index: link index caught up"))
        .collect();
    assert_eq!(caught_up.len(), 1, "{log}");
    let position = format!(" position={} ", demo_events + 1);
    assert!(caught_up[0].contains(&position), "{log}");
    assert!(!log.contains("DEBUG"), "-v is info, not debug: {log}");
    // Every line of the log is a log line: a time, then a level.
    for line in log.lines() {
        let level = line.split_whitespace().nth(1).unwrap_or_default();
        assert!(["INFO", "WARN", "ERROR"].contains(&level), "{line}");
    }

    // RUST_LOG chooses instead: the index's detail at debug level.
    std::fs::write(
        dir.join("open-2015.jsonl"),
        format!(
            "{}\n",
            OPEN_2014
                .replace("c014", "c015")
                .replace("2014", "2015")
                .replace("2013-11-01", "2014-11-01")
        ),
    )
    .unwrap();
    ok_on(dir, database, &["import", "open-2015.jsonl"]);
    let debug = Command::new(smes_binary())
        .args(["--database", database])
        .args(SNAPSHOT)
        .current_dir(dir)
        .env_remove("SMES_DATABASE_URL")
        .env("RUST_LOG", "smes=debug")
        .output()
        .unwrap();
    assert!(debug.status.success(), "{}", stderr(&debug));
    assert_eq!(stdout(&debug), stdout(&quiet));
    let log = stderr(&debug);
    let extended = format!(
        " DEBUG smes_read::index: link index extended from={0} through={0} ",
        demo_events + 2
    );
    assert!(log.contains(&extended), "{log}");
}

#[test]
fn verbosity_chooses_what_is_logged_and_never_changes_the_output_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    verbosity_on(dir.path(), "sqlite://logging.db");
}

#[test]
fn verbosity_chooses_what_is_logged_and_never_changes_the_output_on_postgres() {
    let database = postgres::Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    verbosity_on(dir.path(), &database.url);
}

#[test]
fn a_rust_log_that_is_not_a_filter_is_refused_before_anything_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(smes_binary())
        .arg("init")
        .current_dir(dir.path())
        .env_remove("SMES_DATABASE_URL")
        .env("RUST_LOG", "smes=loud")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let message = stderr(&output);
    assert!(
        message.starts_with(
            "error: RUST_LOG=\"smes=loud\" is not a log filter; allowed: a level (error, warn, info, debug, trace, off) or target=level pairs separated by commas, such as smes=debug: "
        ),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(!dir.path().join("smes.db").exists(), "nothing was created");
}

/// `smes -v serve` on `database`: a request's line, no token in the log, and a clean stop on
/// SIGTERM.
fn serve_on(dir: &Path, database: &str) {
    ok_on(dir, database, &["init"]);
    let created = ok_on(
        dir,
        database,
        &["token", "create", "--role", "auditor", "--name", "audit-1"],
    );
    let token = created.lines().next().unwrap().to_owned();
    let mut child = Command::new(smes_binary())
        .args(["--database", database, "-v", "serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir)
        .env_remove("SMES_DATABASE_URL")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /api/log/head?secret=query-value HTTP/1.1\r\nHost: smes\r\nAuthorization: Bearer {token}\r\nCookie: smes_session=cookie-value\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    // Refused, for the query parameter log/head does not take: logged all the same.
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");

    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let output = child.wait_with_output().unwrap();
    let log = stderr(&output);
    assert!(
        output.status.success(),
        "stops cleanly on SIGTERM: {:?}\n{log}",
        output.status
    );
    let request: Vec<&str> = log.lines().filter(|line| line.contains(" answered ")).collect();
    assert_eq!(request.len(), 1, "{log}");
    assert!(
        request[0].contains(r#" INFO request{method=GET route=/api/log/head actor="audit-1"}: smes_server::request_log: answered status=400 latency_ms="#),
        "{log}"
    );
    for secret in [token.as_str(), "query-value", "secret", "cookie-value"] {
        assert!(!log.contains(secret), "{secret} logged: {log}");
    }
    for event in [
        " INFO smes::serve: smes serve started log=",
        &format!(" INFO smes_server::connections: serving address={address} max_connections=512 "),
        " INFO smes::serve: SIGTERM received: stopping",
        " INFO smes_server::connections: stopping: no new connections accepted",
        " INFO smes_server::connections: stopped: every connection closed",
        " INFO smes::serve: smes serve stopped",
    ] {
        assert_eq!(
            log.lines().filter(|line| line.contains(event)).count(),
            1,
            "{event}: {log}"
        );
    }
}

#[test]
fn serve_logs_each_request_and_stops_on_sigterm_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    serve_on(dir.path(), "sqlite://serve.db");
}

#[test]
fn serve_logs_each_request_and_stops_on_sigterm_on_postgres() {
    let database = postgres::Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    serve_on(dir.path(), &database.url);
}
