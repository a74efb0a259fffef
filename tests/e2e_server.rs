//! `smes token` and `smes serve` end to end: tokens made and revoked with the CLI, and the API
//! called over a real TCP connection to the binary, as curl would call it (docs/api.md).

#[path = "support/server.rs"]
mod server;
mod support;

use serde_json::Value;
use server::{Server, token};
use support::{smes, stderr, stdout};

#[test]
fn tokens_made_with_the_cli_open_the_api_of_smes_serve() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(smes(d, &["init"]).status.success());
    let desk = token(d, "secretariat", "desk");
    let watcher = token(d, "observer", "watcher");
    let bad = smes(d, &["token", "create", "--role", "admin", "--name", "x"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("role \"admin\" is not allowed"),
        "{}",
        stderr(&bad)
    );
    let again = smes(d, &["token", "create", "--role", "auditor", "--name", "desk"]);
    assert!(
        stderr(&again).contains("a token named \"desk\" exists already"),
        "{}",
        stderr(&again)
    );

    let listed = stdout(&smes(d, &["token", "list"]));
    assert!(listed.contains("desk\tsecretariat\tdesk\t") && listed.contains("watcher\tobserver"));
    assert!(
        !listed.contains(&desk) && !listed.contains(&watcher),
        "a token is shown once only"
    );

    let server = Server::start(d);
    let bearer = format!("Bearer {desk}");
    let auth = [("Authorization", bearer.as_str())];
    let (status, health) = server.call("GET", "/api/health", &[], "");
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    let body = r#"{"year": 2014, "estimated_budget": {"amount": "1000", "currency": "USD", "value_date": "2013-11-01"}, "opened_on": "2013-11-01"}"#;
    let key = ("Idempotency-Key", "5e1a0000-0000-4000-8000-000000000e2e");
    let (first, outcome) = server.call("POST", "/api/commands/open-work-programme", &[auth[0], key], body);
    assert_eq!(first, 200, "{outcome}");
    let (second, replay) = server.call("POST", "/api/commands/open-work-programme", &[auth[0], key], body);
    assert_eq!((second, replay["replayed"].as_bool()), (200, Some(true)));
    assert_eq!(outcome["last_position"], replay["last_position"]);

    let (status, head) = server.call("GET", "/api/log/head", &auth, "");
    assert_eq!((status, head["position"].as_u64()), (200, Some(1)));
    let observer = format!("Bearer {watcher}");
    let (status, problem) = server.call("GET", "/api/log/head", &[("Authorization", &observer)], "");
    assert_eq!((status, problem["status"].as_u64()), (403, Some(403)));

    let revoked = smes(d, &["token", "revoke", "desk"]);
    assert_eq!(stdout(&revoked), "token desk revoked\n");
    let (status, problem) = server.call("GET", "/api/log/head", &auth, "");
    assert_eq!(status, 401, "a revoked token is refused at once: {problem}");
    drop(server);

    let log: Value = serde_json::from_str(stdout(&smes(d, &["log"])).trim()).unwrap();
    assert_eq!(log["metadata"]["actor"], "desk");
    assert_eq!(log["metadata"]["role"], "secretariat");
    assert_eq!(log["metadata"]["source"], "http");
    assert_eq!(log["metadata"]["command_id"], "5e1a0000-0000-4000-8000-000000000e2e");
    assert!(
        stdout(&smes(d, &["token", "list"]))
            .lines()
            .any(|line| line.starts_with("desk\t") && !line.ends_with("\t-"))
    );
}

#[test]
fn checkpoints_and_proofs_served_to_an_auditor_verify_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(smes(d, &["demo"]).status.success());
    let generated = smes(d, &["key", "generate", "--origin", "sela.int/smes"]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    let public_key = stdout(&generated).trim().to_owned();
    // The Secretariat keeps signed checkpoints with the log; the auditor fetches them.
    for size in ["40", "101"] {
        let signed = smes(d, &["checkpoint", "--size", size, "--store"]);
        assert!(signed.status.success(), "{}", stderr(&signed));
    }
    let auditor = format!("Bearer {}", token(d, "auditor", "audit-2013"));
    let server = Server::start(d);
    let auth = [("Authorization", auditor.as_str())];
    let (status, kept) = server.call("GET", "/api/checkpoints", &auth, "");
    assert_eq!(status, 200, "{kept}");
    let kept = kept["checkpoints"].as_array().unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    for (checkpoint, file) in kept.iter().zip(["old.checkpoint", "new.checkpoint"]) {
        std::fs::write(d.join(file), checkpoint["note"].as_str().unwrap()).unwrap();
    }
    for (path, file) in [
        ("/api/proofs/inclusion/17?tree_size=101", "inclusion.json"),
        ("/api/proofs/consistency?from=40&to=101", "consistency.json"),
    ] {
        let (status, document) = server.call("GET", path, &auth, "");
        assert_eq!(status, 200, "{path}: {document}");
        std::fs::write(d.join(file), document.to_string()).unwrap();
    }
    drop(server);

    let audit = |args: &[&str]| {
        let output = smes(d, &[&["audit"], args, &["--key", &public_key]].concat());
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        stdout(&output)
    };
    assert_eq!(
        audit(&[
            "verify-inclusion",
            "--checkpoint",
            "new.checkpoint",
            "--proof",
            "inclusion.json"
        ]),
        "inclusion verified: the event at position 17 is in sela.int/smes at size 101\n"
    );
    assert_eq!(
        audit(&[
            "verify-consistency",
            "--old",
            "old.checkpoint",
            "--new",
            "new.checkpoint",
            "--proof",
            "consistency.json"
        ]),
        "consistency verified: sela.int/smes at size 101 extends size 40\n"
    );
    // The proof of another size does not verify against this checkpoint.
    let wrong = smes(
        d,
        &[
            "audit",
            "verify-inclusion",
            "--checkpoint",
            "old.checkpoint",
            "--proof",
            "inclusion.json",
            "--key",
            &public_key,
        ],
    );
    assert!(!wrong.status.success(), "{}", stdout(&wrong));
}
