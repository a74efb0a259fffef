//! A database URL's password never reaches a message: every entry point that opens a
//! PostgreSQL log and fails (the CLI's commands, `smes serve`, `smes copy` either way,
//! `smes-bench --postgres`) names the URL with its password replaced by `***`.
//!
//! The URLs name a role the test server does not have, so opening fails at once with the
//! server's own refusal. PostgreSQL must answer at 127.0.0.1:5432 (`SMES_TEST_POSTGRES`
//! overrides the admin URL); these tests fail, never skip, without it.

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{smes, stderr, stdout};

const PASSWORD: &str = "SuperSecret123";

/// A URL on the test server with a password, for a role that does not exist.
fn url_with_password() -> String {
    let admin = postgres::admin_url();
    let host_and_database = admin.rsplit_once('@').map_or(admin.as_str(), |(_, rest)| rest);
    format!("postgres://no_such_smes_role:{PASSWORD}@{host_and_database}")
}

/// Runs `smes args...`, which must fail, and returns its standard error after checking that
/// it names the log without the password.
fn fails_without_password(dir: &Path, args: &[&str]) -> String {
    refused_without_password("smes", &smes(dir, args), args)
}

/// Checks that a run failed and named the log without the password; returns its standard error.
fn refused_without_password(binary: &str, output: &Output, args: &[&str]) -> String {
    let error = stderr(output);
    assert!(!output.status.success(), "{binary} {args:?} succeeded: {error}");
    assert!(
        !error.contains(PASSWORD),
        "{binary} {args:?} printed the password: {error}"
    );
    assert!(
        error.contains("postgres://no_such_smes_role:***@"),
        "{binary} {args:?} does not name the log: {error}"
    );
    error
}

#[test]
fn opening_a_log_names_it_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = url_with_password();
    for command in [&["verify"][..], &["init"], &["log"], &["import", "missing.jsonl"]] {
        let mut args = vec!["--database", url.as_str()];
        args.extend_from_slice(command);
        let error = fails_without_password(dir.path(), &args);
        assert!(error.contains("cannot open the event log at"), "{error}");
    }
}

#[test]
fn serve_names_the_log_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = url_with_password();
    fails_without_password(dir.path(), &["--database", &url, "serve", "--listen", "127.0.0.1:0"]);
}

#[test]
fn copy_names_either_log_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let created = smes(dir.path(), &["--database", "sqlite://from.db", "init"]);
    assert!(stdout(&created).contains("event log ready"), "{}", stderr(&created));
    let url = url_with_password();
    let error = fails_without_password(dir.path(), &["copy", "--from", "sqlite://from.db", "--to", &url]);
    assert!(error.contains("cannot open the target"), "{error}");
    let error = fails_without_password(dir.path(), &["copy", "--from", &url, "--to", "sqlite://to.db"]);
    assert!(error.contains("cannot open the log to copy"), "{error}");
}

#[test]
fn bench_names_the_server_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = url_with_password();
    let args = ["--quick", "--postgres", &url];
    let output = Command::new(support::smes_bench_binary())
        .args(args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let error = refused_without_password("smes-bench", &output, &args);
    assert!(error.contains("cannot create a scratch database"), "{error}");
}

#[test]
fn help_never_shows_the_database_variables_value() {
    let dir = tempfile::tempdir().unwrap();
    let url = url_with_password();
    for args in [&["--help"][..], &["serve", "--help"], &["copy", "--help"]] {
        let output = Command::new(support::smes_binary())
            .args(args)
            .current_dir(dir.path())
            .env("SMES_DATABASE_URL", &url)
            .output()
            .unwrap();
        let help = stdout(&output);
        assert!(help.contains("SMES_DATABASE_URL"), "{help}");
        assert!(!help.contains(PASSWORD), "smes {args:?} printed the password: {help}");
    }
}
