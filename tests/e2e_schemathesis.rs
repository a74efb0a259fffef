//! `smes serve` fuzzed from its own OpenAPI document with schemathesis (docs/api.md): on the
//! demo log, as the secretariat, a bounded, repeatable run (fixed seed, deterministic
//! generation) of every documented operation with valid and invalid input. It must find no
//! server error and no answer the document does not describe, every 4xx answer must be a
//! problem-details body (RFC 9457) naming its own status, and the log must still verify after.
//!
//! schemathesis is a Python package (`python3 -m pip install schemathesis`). When `CI` is set
//! and it is missing the test fails; otherwise it says on stderr what it did not check.
//! `SMES_SCHEMATHESIS_EXAMPLES` raises the number of examples per operation (default 20).

#[path = "support/server.rs"]
mod server;
mod support;

use std::io::Write as _;
use std::process::Command;

use serde_json::Value;
use server::{Server, token};
use support::{smes, stderr, stdout};

/// Examples per operation unless `SMES_SCHEMATHESIS_EXAMPLES` says otherwise.
const EXAMPLES: u32 = 20;

/// The checks run on every answer; `positive_data_acceptance` is left out because the
/// document types path and query parameters as plain strings, so schemathesis takes values
/// the API rightly refuses (year 0, limit 0) for valid ones.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance,negative_data_rejection,\
                      missing_required_header,unsupported_method,ignored_auth";

/// Writes a line straight to the process's stderr, which the harness does not capture.
fn announce(line: std::fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    writeln!(stderr, "{line}").expect("writing to stderr");
}

/// Whether python3 can import schemathesis; without it, fails under CI and says so otherwise.
fn schemathesis_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import schemathesis"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "schemathesis is not installed (python3 -m pip install schemathesis); CI must fuzz the API"
        );
        announce(format_args!(
            "schemathesis not found (python3 -m pip install schemathesis): \
             fuzzing the HTTP API from its OpenAPI document NOT done"
        ));
    }
    found
}

fn examples() -> u32 {
    match std::env::var("SMES_SCHEMATHESIS_EXAMPLES") {
        Ok(text) => text
            .parse()
            .ok()
            .filter(|count| *count >= 1)
            .unwrap_or_else(|| panic!("SMES_SCHEMATHESIS_EXAMPLES={text:?}: expected a whole number from 1")),
        Err(_) => EXAMPLES,
    }
}

/// What is wrong with a 4xx answer recorded in the HAR file, if anything: it must be
/// `application/problem+json` with a JSON object holding `type`, `title` and its own `status`.
fn problem_details_fault(status: u64, response: &Value) -> Option<String> {
    let content = &response["content"];
    let mime = content["mimeType"].as_str().unwrap_or("");
    if !mime.starts_with("application/problem+json") {
        return Some(format!("content type {mime:?}"));
    }
    if content["encoding"].is_string() {
        return Some(format!("an encoded body ({})", content["encoding"]));
    }
    let text = content["text"].as_str().unwrap_or("");
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        return Some(format!("a body that is not JSON: {text:?}"));
    };
    let fields_ok = body["type"].is_string() && body["title"].is_string() && body["status"].as_u64() == Some(status);
    (!fields_ok).then(|| format!("a body without type, title or its status {status}: {text}"))
}

#[test]
fn schemathesis_finds_no_server_error_and_every_refusal_is_a_problem() {
    if !schemathesis_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = smes(d, &["demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let token = token(d, "secretariat", "fuzzer");
    let server = Server::start(d);

    let work = d.join("schemathesis");
    std::fs::create_dir(&work).unwrap();
    let har = work.join("run.har");
    let examples = examples().to_string();
    let output = Command::new("python3")
        .args(["-m", "schemathesis.cli", "run"])
        .arg(format!("{}/api/openapi.json", server.origin()))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", CHECKS])
        .args(["--max-examples", &examples])
        .args(["--seed", "20140101", "--generation-deterministic"])
        .args(["--workers", "1"])
        .args(["--no-color", "--report", "har", "--report-har-path"])
        .arg(&har)
        .current_dir(&work)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "schemathesis found failures:\n{}\n{}",
        stdout(&output),
        stderr(&output)
    );

    // Every exchange of the run, from its HAR file.
    let recorded: Value = serde_json::from_slice(&std::fs::read(&har).unwrap()).unwrap();
    let entries = recorded["log"]["entries"].as_array().expect("HAR entries");
    let mut counts = [0usize; 6];
    let mut faults = Vec::new();
    for entry in entries {
        let request = format!("{} {}", entry["request"]["method"], entry["request"]["url"]);
        let status = entry["response"]["status"].as_u64().expect("a status");
        counts[(status / 100).min(5) as usize] += 1;
        if status >= 500 {
            faults.push(format!("{request}: {status}"));
        } else if status >= 400
            && let Some(fault) = problem_details_fault(status, &entry["response"])
        {
            faults.push(format!("{request}: {status} with {fault}"));
        }
    }
    assert!(
        faults.is_empty(),
        "{} bad answers:\n{}",
        faults.len(),
        faults.join("\n")
    );
    // The run reached the API both ways: some requests were answered, some refused.
    assert!(
        counts[2] > 0 && counts[4] > 0,
        "2xx, 4xx answers: {}, {}",
        counts[2],
        counts[4]
    );
    drop(server);

    let verified = smes(d, &["verify"]);
    assert!(verified.status.success(), "{}", stderr(&verified));
}
