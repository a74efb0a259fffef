//! `smes serve` fuzzed from its own OpenAPI document with schemathesis (docs/api.md): on the
//! demo log, as the secretariat, a bounded, repeatable run (fixed seed, deterministic
//! generation) of every documented operation with valid and invalid input, every check of
//! schemathesis on, bounded in time. It must find no failure of any kind: no server error, no
//! answer the document does not describe, no schema-valid request refused (but for the rules
//! JSON Schema cannot state, listed in [`CONFIG`]) and no invalid one accepted; every 4xx
//! answer must be a problem-details body (RFC 9457) naming its own status, and the log must
//! still verify after.
//!
//! schemathesis is a Python package (`python3 -m pip install schemathesis`). When `CI` is set
//! and it is missing the test fails; otherwise it says on stderr what it did not check.
//! `SMES_SCHEMATHESIS_EXAMPLES` raises the number of examples per operation (default 20).

#[path = "support/server.rs"]
mod server;
mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use server::{Server, token};
use support::{smes, stderr, stdout};

/// Examples per operation unless `SMES_SCHEMATHESIS_EXAMPLES` says otherwise.
const EXAMPLES: u32 = 20;

/// Where the document cannot say everything the server checks, the statuses a schema-valid
/// request may still get (schemathesis reads this file from its working directory). Every
/// check runs on every operation; these lists widen only `positive_data_acceptance`, each for
/// a rule JSON Schema cannot state: an order between two parameters (a consistency proof's
/// `from` after its `to`, a review period ending before it starts), and a command's body,
/// whose fields and values the programme's rules check (docs/import.md: 422 naming the
/// field, 409 for a refusal by the rules).
const CONFIG: &str = r#"
[[operations]]
include-path = "/api/proofs/consistency"
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 401, 403, 404]

[[operations]]
include-path = "/api/review"
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 401, 403, 404]

[[operations]]
include-path = "/api/commands/{command}"
checks.positive_data_acceptance.expected-statuses = ["2xx", 401, 403, 404, 409, 422]
"#;

/// The longest the run may take before the test stops it and fails.
const RUN_LIMIT: Duration = Duration::from_secs(300);

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
    std::fs::write(work.join("schemathesis.toml"), CONFIG).unwrap();
    let har = work.join("run.har");
    let examples = examples().to_string();
    let mut run = Command::new("python3")
        .args(["-m", "schemathesis.cli", "run"])
        .arg(format!("{}/api/openapi.json", server.origin()))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "all"])
        .args(["--max-examples", &examples])
        .args(["--seed", "20140101", "--generation-deterministic"])
        .args(["--workers", "1", "--request-timeout", "30"])
        .args(["--no-color", "--report", "har", "--report-har-path"])
        .arg(&har)
        .current_dir(&work)
        // To files, not pipes, so a long report never blocks the run while it is timed.
        .stdout(Stdio::from(std::fs::File::create(work.join("stdout.txt")).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(work.join("stderr.txt")).unwrap()))
        .spawn()
        .expect("python3 runs");
    let started = Instant::now();
    while run.try_wait().expect("schemathesis runs").is_none() {
        if started.elapsed() > RUN_LIMIT {
            run.kill().ok();
            panic!("schemathesis ran longer than {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = run.wait().expect("schemathesis ends");
    let summary = std::fs::read_to_string(work.join("stdout.txt")).unwrap();
    let errors = std::fs::read_to_string(work.join("stderr.txt")).unwrap();
    // Any failure of any check fails the run; so does an error of schemathesis itself.
    assert!(status.success(), "schemathesis found failures:\n{summary}\n{errors}");
    assert!(summary.contains(" passed") && !summary.contains("failure"), "{summary}");

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
    assert!(stdout(&verified).starts_with("verified "), "{}", stderr(&verified));
}
