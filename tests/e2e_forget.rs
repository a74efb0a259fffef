//! `smes forget`: after forgetting, a person's data is unreadable everywhere and neither the
//! plaintext nor the key survives in the database file or its write-ahead log, while the chain,
//! the Merkle tree and proofs still verify; the erasure itself is recorded with who and why.

mod support;

use std::path::Path;

use support::{smes, stderr, stdout};

const COUNTERPART: &str = "5e1a0000-00c0-4000-8000-000000000001";

fn ok(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert!(output.status.success(), "smes {args:?}: {}", stderr(&output));
    stdout(&output)
}

/// The database file and its write-ahead log, as bytes.
fn on_disk(dir: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(dir.join("smes.db")).unwrap();
    bytes.extend(std::fs::read(dir.join("smes.db-wal")).unwrap_or_default());
    bytes
}

/// Every node of the live link index, from either end of its links.
fn index_nodes(dir: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(dir.join("smes.db")).unwrap();
    let mut statement = connection
        .prepare("SELECT from_node FROM link_index UNION SELECT to_node FROM link_index")
        .unwrap();
    statement
        .query_map([], |row| row.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[test]
fn a_forgotten_focal_point_is_erased_everywhere_and_the_log_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["demo"]);
    let stream = format!("counterpart-{COUNTERPART}");
    let first: serde_json::Value =
        serde_json::from_str(ok(d, &["log", "--stream", &stream, "--limit", "1"]).trim()).unwrap();
    let person = first["payload"]["focal_point"]["person"].as_str().unwrap().to_owned();
    let position = first["position"].as_u64().unwrap().to_string();
    let before = ok(d, &["history", &stream]);
    let shown = before
        .lines()
        .find(|line| line.contains("focal point:"))
        .unwrap()
        .to_owned();
    let name = shown
        .split("focal point: ")
        .nth(1)
        .unwrap()
        .split(" <")
        .next()
        .unwrap()
        .to_owned();
    assert!(!name.is_empty() && !name.contains("erased"), "{shown}");
    let key: Vec<u8> = rusqlite::Connection::open(d.join("smes.db"))
        .unwrap()
        .query_row(
            "SELECT key FROM personal_data_keys WHERE person = ?1",
            [&person],
            |row| row.get(0),
        )
        .unwrap();
    assert!(contains(&on_disk(d), &key), "the key is on disk before");
    assert!(
        !contains(&on_disk(d), name.as_bytes()),
        "the name is sealed, never in clear"
    );
    // The reports' link index is in the database before the forgetting, covering the
    // counterpart's events.
    ok(d, &["snapshot", "--year", "2013"]);
    ok(d, &["trace", "counterpart", COUNTERPART]);
    assert!(index_nodes(d).contains(&stream), "the link index names the counterpart");
    ok(d, &["key", "generate", "--origin", "sela.int/smes"]);
    let before_forgetting = ok(d, &["checkpoint", "--out", "before.checkpoint"]);
    assert!(!before_forgetting.is_empty());

    let forgotten = ok(
        d,
        &[
            "forget",
            "focal-point",
            &person,
            "--reason",
            "Asked by the person",
            "--on",
            "2014-02-01",
        ],
    );
    assert!(
        forgotten.starts_with(&format!("forgotten: recorded in erasure-{person} at position ")),
        "{forgotten}"
    );

    let after = ok(d, &["history", &stream]);
    assert!(after.contains("focal point: [erased]"), "{after}");
    // Reports catch the index up after the forgetting; it holds ids and references only.
    ok(d, &["snapshot", "--year", "2013"]);
    ok(d, &["trace", "counterpart", COUNTERPART]);
    ok(d, &["rebuild"]);
    let nodes = index_nodes(d);
    assert!(nodes.contains(&stream));
    for node in &nodes {
        assert!(!node.contains(&name), "{node}");
        let id_like = ["years", "countries", "programme"].contains(&node.as_str())
            || node.starts_with("decision-")
            || node
                .rsplit_once('-')
                .is_some_and(|(kind, id)| !kind.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
            || node.starts_with("exchange-rate-");
        assert!(id_like, "a link index node that is not an id: {node}");
    }
    assert!(!after.contains(&name), "{after}");
    let disk = on_disk(d);
    assert!(
        !contains(&disk, &key),
        "no copy of the key survives in smes.db or smes.db-wal"
    );
    assert!(!contains(&disk, name.as_bytes()));
    assert!(
        ok(d, &["verify"]).starts_with("verified "),
        "chain and tree still verify"
    );

    // The erasure is an event of its own, with who and why.
    let erasure: serde_json::Value =
        serde_json::from_str(ok(d, &["log", "--stream", &format!("erasure-{person}")]).trim()).unwrap();
    assert_eq!(erasure["type"], "PersonalDataForgotten");
    assert_eq!(erasure["metadata"]["reason"], "Asked by the person");
    assert_eq!(erasure["metadata"]["role"], "secretariat");
    assert_eq!(erasure["payload"]["role"]["counterpart"], COUNTERPART);

    // Proofs about the event that holds the erased envelope still verify against checkpoints
    // from before and after.
    let public_key = ok(d, &["key", "public"]);
    ok(d, &["checkpoint", "--out", "after.checkpoint"]);
    std::fs::write(
        d.join("inclusion.json"),
        ok(d, &["prove", "inclusion", "--position", &position]),
    )
    .unwrap();
    ok(
        d,
        &[
            "audit",
            "verify-inclusion",
            "--checkpoint",
            "after.checkpoint",
            "--proof",
            "inclusion.json",
            "--key",
            public_key.trim(),
        ],
    );
    let sizes: Vec<String> = ["before.checkpoint", "after.checkpoint"]
        .iter()
        .map(|file| {
            std::fs::read_to_string(d.join(file))
                .unwrap()
                .lines()
                .nth(1)
                .unwrap()
                .to_owned()
        })
        .collect();
    std::fs::write(
        d.join("consistency.json"),
        ok(d, &["prove", "consistency", "--from", &sizes[0], "--to", &sizes[1]]),
    )
    .unwrap();
    ok(
        d,
        &[
            "audit",
            "verify-consistency",
            "--old",
            "before.checkpoint",
            "--new",
            "after.checkpoint",
            "--proof",
            "consistency.json",
            "--key",
            public_key.trim(),
        ],
    );

    // Forgetting twice is refused, clearly, and writes nothing.
    let events = ok(d, &["log"]).lines().count();
    let again = smes(d, &["forget", "focal-point", &person, "--reason", "again"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        stderr(&again),
        format!("error: person {person} was already forgotten on 2014-02-01\n")
    );
    assert_eq!(ok(d, &["log"]).lines().count(), events);
}

#[test]
fn a_forgotten_actor_is_unnamed_but_their_records_stay() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init"]);
    let actor = ok(d, &["actor", "register", "Ana Gómez"]).trim().to_owned();
    ok(d, &["--actor", &actor, "member-state", "load"]);
    let history = ok(d, &["history", "member-state-PE"]);
    assert!(history.contains(&format!("{actor} (Ana Gómez)")), "{history}");
    ok(
        d,
        &[
            "forget",
            "actor",
            &actor,
            "--reason",
            "Left the Secretariat; retention period over",
        ],
    );
    let history = ok(d, &["history", "member-state-PE"]);
    assert!(history.contains(&format!("{actor} ([erased])")), "{history}");
    assert!(!contains(&on_disk(d), "Ana Gómez".as_bytes()));
    let unknown = smes(
        d,
        &[
            "forget",
            "actor",
            "actor-00000000-0000-4000-8000-000000000009",
            "--reason",
            "x",
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("is not registered"), "{}", stderr(&unknown));
    assert!(ok(d, &["verify"]).starts_with("verified 32 events"));
}
