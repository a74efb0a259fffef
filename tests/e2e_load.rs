//! A bounded load check of `smes serve`, on 127.0.0.1 only: many clients at once ask for the
//! work programme under several cuts while a secretariat records new events, and the server
//! keeps answering every request, each with the answer a quiet server gives. It times nothing:
//! requests per second and latency are measured with a load tool (docs/benchmarks.md, "The
//! HTTP server under load").

#[path = "support/server.rs"]
mod server;
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread;

use serde_json::Value;
use server::{Server, token};
use support::{smes, stderr};

/// Clients asking at once, and requests each.
const CLIENTS: usize = 16;
const REQUESTS: usize = 12;

/// The cuts the clients ask about, all before the commands the test records.
const CUTS: [&str; 4] = [
    "/api/work-programme/2013",
    "/api/work-programme/2013?as_of=2013-03-31",
    "/api/work-programme/2013?as_of=2013-09-30",
    "/api/work-programme/2013?at_position=40",
];

#[test]
fn the_work_programme_keeps_answering_many_clients_at_once_while_commands_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = smes(d, &["demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let reader = format!("Bearer {}", token(d, "auditor", "load-reader"));
    let writer = format!("Bearer {}", token(d, "secretariat", "load-writer"));
    let server = Arc::new(Server::start(d));

    // What a quiet server answers for each cut, before any load. `work_programme_year` cuts
    // by business date or position, so the commands recorded below change none of them.
    let quiet: BTreeMap<&str, Value> = CUTS
        .iter()
        .map(|path| {
            let (status, body) = server.call("GET", path, &[("Authorization", &reader)], "");
            assert_eq!(status, 200, "{path}: {body}");
            (*path, body)
        })
        .collect();
    let quiet = Arc::new(quiet);

    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (server, reader, quiet) = (server.clone(), reader.clone(), quiet.clone());
            thread::spawn(move || {
                for request in 0..REQUESTS {
                    let path = CUTS[(client + request) % CUTS.len()];
                    let (status, body) = server.call("GET", path, &[("Authorization", &reader)], "");
                    assert_eq!(status, 200, "client {client}, request {request}, {path}: {body}");
                    assert_eq!(
                        snapshot_without_anchor(&body),
                        snapshot_without_anchor(&quiet[path]),
                        "client {client}, request {request}: {path} answered otherwise under load"
                    );
                }
            })
        })
        .collect();
    // Meanwhile the secretariat opens later years, one command at a time.
    let mut positions = Vec::new();
    for year in 2014..2020 {
        let body = format!(
            r#"{{"year": {year}, "estimated_budget": {{"amount": "1000", "currency": "USD", "value_date": "2013-11-01"}}, "opened_on": "2013-11-01"}}"#
        );
        let (status, outcome) = server.call(
            "POST",
            "/api/commands/open-work-programme",
            &[("Authorization", &writer)],
            &body,
        );
        assert_eq!(status, 200, "opening {year} under load: {outcome}");
        positions.push(outcome["last_position"].as_u64().unwrap());
    }
    for client in clients {
        client.join().expect("every client got every answer");
    }

    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{positions:?}");
    let (status, health) = server.call("GET", "/api/health", &[], "");
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let (status, verified) = server.call("GET", "/api/log/verify", &[("Authorization", &reader)], "");
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["events"].as_u64(), positions.last().copied(), "{verified}");
}

/// The snapshot without what says when it was made from the log (the anchor moves as the
/// secretariat records events, while the cut's content does not).
fn snapshot_without_anchor(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(object) = body.as_object_mut() {
        object.remove("anchor");
    }
    body
}
