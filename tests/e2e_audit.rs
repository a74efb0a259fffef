//! End-to-end: an auditor's offline checks with the `smes` binary alone — checkpoints, inclusion
//! and consistency proofs — and what each refuses from a lying source.

mod support;

use std::path::Path;

use smes_eventlog::{
    AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, SqliteEventStore, StoreOptions, StreamName,
};
use support::{smes, stderr, stdout};

/// Appends `count` events numbered from `first` to the log at `path` (creating it).
fn append(path: &Path, first: u64, count: u64, label: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let options = StoreOptions {
            create: true,
            ..StoreOptions::default()
        };
        let store = SqliteEventStore::open(&path.display().to_string(), options)
            .await
            .unwrap();
        let events = (first..first + count)
            .map(|n| {
                NewEvent::new(
                    "Happened",
                    1,
                    format!(r#"{{"n":{n},"label":"{label}"}}"#),
                    "2013-05-01T00:00:00Z".parse().unwrap(),
                )
            })
            .collect();
        store
            .append(AppendRequest::new(
                StreamName::new("activity-1").unwrap(),
                ExpectedVersion::Any,
                events,
                Metadata::new("actor-0001", "secretariat", "cli"),
            ))
            .await
            .unwrap();
    });
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert!(output.status.success(), "smes {args:?} failed: {}", stderr(&output));
    stdout(&output)
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert_eq!(
        output.status.code(),
        Some(1),
        "smes {args:?} should fail: {}",
        stdout(&output)
    );
    stderr(&output)
}

#[test]
fn an_auditor_checks_checkpoints_and_proofs_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    append(&d.join("smes.db"), 1, 300, "first");

    let public_key = ok(d, &["key", "generate", "--origin", "sela.int/smes"]);
    let public_key = public_key.trim();
    assert!(public_key.starts_with("sela.int/smes+"), "{public_key}");
    assert_eq!(ok(d, &["key", "public"]).trim(), public_key);
    let again = fails(d, &["key", "generate", "--origin", "sela.int/smes"]);
    assert!(again.contains("an existing key is never overwritten"), "{again}");

    let old = ok(d, &["checkpoint", "--out", "old.checkpoint", "--store"]);
    assert!(old.starts_with("sela.int/smes\n300\n"), "{old}");
    append(&d.join("smes.db"), 301, 200, "second");
    ok(d, &["checkpoint", "--out", "new.checkpoint", "--store"]);
    // Kept with the log, exactly as signed, in tree-size order; keeping one again adds nothing.
    ok(d, &["checkpoint", "--store"]);
    let kept: Vec<serde_json::Value> = ok(d, &["checkpoint", "--list"])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept[0]["tree_size"], 300);
    assert_eq!(kept[0]["note"].as_str().unwrap(), old);
    assert_eq!(
        kept[1]["note"].as_str().unwrap(),
        std::fs::read_to_string(d.join("new.checkpoint")).unwrap()
    );
    let error = fails(d, &["checkpoint", "--size", "501", "--store"]);
    assert!(
        error.contains("the log has 500 events; tree size 501 is beyond it"),
        "{error}"
    );
    std::fs::write(
        d.join("inclusion.json"),
        ok(d, &["prove", "inclusion", "--position", "123"]),
    )
    .unwrap();
    std::fs::write(
        d.join("consistency.json"),
        ok(d, &["prove", "consistency", "--from", "300", "--to", "500"]),
    )
    .unwrap();

    // Offline: no database from here on.
    std::fs::remove_file(d.join("smes.db")).unwrap();
    let trusted = ["--key", public_key];
    let checked = ok(
        d,
        &[
            &["audit", "verify-checkpoint", "--checkpoint", "new.checkpoint"][..],
            &trusted,
        ]
        .concat(),
    );
    assert!(
        checked.starts_with("checkpoint verified: sela.int/smes at size 500, root "),
        "{checked}"
    );
    let included = ok(
        d,
        &[
            &[
                "audit",
                "verify-inclusion",
                "--checkpoint",
                "new.checkpoint",
                "--proof",
                "inclusion.json",
            ][..],
            &trusted,
        ]
        .concat(),
    );
    assert_eq!(
        included,
        "inclusion verified: the event at position 123 is in sela.int/smes at size 500\n"
    );
    let consistent = ok(
        d,
        &[
            &[
                "audit",
                "verify-consistency",
                "--old",
                "old.checkpoint",
                "--new",
                "new.checkpoint",
                "--proof",
                "consistency.json",
            ][..],
            &trusted,
        ]
        .concat(),
    );
    assert_eq!(
        consistent,
        "consistency verified: sela.int/smes at size 500 extends size 300\n"
    );

    // A lying source. The wrong origin:
    let error = fails(
        d,
        &[
            &[
                "audit",
                "verify-checkpoint",
                "--checkpoint",
                "new.checkpoint",
                "--origin",
                "other.example/log",
            ][..],
            &trusted,
        ]
        .concat(),
    );
    assert!(
        error.contains("the checkpoint is for log \"sela.int/smes\", not \"other.example/log\""),
        "{error}"
    );
    // A checkpoint signed with another key:
    let other = tempfile::tempdir().unwrap();
    let other_key = ok(other.path(), &["key", "generate", "--origin", "sela.int/smes"]);
    let error = fails(
        d,
        &[
            "audit",
            "verify-checkpoint",
            "--checkpoint",
            "new.checkpoint",
            "--key",
            other_key.trim(),
        ],
    );
    assert!(
        error.contains("the note carries no signature by key sela.int/smes+"),
        "{error}"
    );
    // A checkpoint whose size was edited after signing:
    let edited = std::fs::read_to_string(d.join("new.checkpoint"))
        .unwrap()
        .replacen("\n500\n", "\n499\n", 1);
    std::fs::write(d.join("edited.checkpoint"), edited).unwrap();
    let error = fails(
        d,
        &[
            &["audit", "verify-checkpoint", "--checkpoint", "edited.checkpoint"][..],
            &trusted,
        ]
        .concat(),
    );
    assert!(
        error.contains("does not verify: the note was altered or signed by another key"),
        "{error}"
    );
    // A proof for the wrong leaf (another event's record swapped in):
    let mut proof: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("inclusion.json")).unwrap()).unwrap();
    proof["record"] = serde_json::Value::String(proof["record"].as_str().unwrap().replace(r#""n":123"#, r#""n":124"#));
    std::fs::write(d.join("wrong-leaf.json"), proof.to_string()).unwrap();
    let error = fails(
        d,
        &[
            &[
                "audit",
                "verify-inclusion",
                "--checkpoint",
                "new.checkpoint",
                "--proof",
                "wrong-leaf.json",
            ][..],
            &trusted,
        ]
        .concat(),
    );
    assert!(
        error.contains("the event is NOT proved to be in the checkpointed log"),
        "{error}"
    );
    // A proof for the wrong tree size:
    let error = fails(
        d,
        &[
            &[
                "audit",
                "verify-inclusion",
                "--checkpoint",
                "old.checkpoint",
                "--proof",
                "inclusion.json",
            ][..],
            &trusted,
        ]
        .concat(),
    );
    assert!(
        error.contains("the proof is for a tree of 500 events but the checkpoint is at 300"),
        "{error}"
    );

    // A forked log: same key, same first 300 sizes but a different history.
    let fork = tempfile::tempdir().unwrap();
    let f = fork.path();
    std::fs::copy(d.join("smes-checkpoint.key"), f.join("smes-checkpoint.key")).unwrap();
    append(&f.join("smes.db"), 1, 300, "rewritten");
    append(&f.join("smes.db"), 301, 200, "second");
    ok(f, &["checkpoint", "--out", "forked.checkpoint"]);
    std::fs::copy(f.join("forked.checkpoint"), d.join("forked.checkpoint")).unwrap();
    let error = fails(
        d,
        &[
            &[
                "audit",
                "verify-consistency",
                "--old",
                "old.checkpoint",
                "--new",
                "forked.checkpoint",
                "--proof",
                "consistency.json",
            ][..],
            &trusted,
        ]
        .concat(),
    );
    assert!(
        error.contains("the newer checkpoint does NOT extend the older one"),
        "{error}"
    );
}

#[test]
fn an_auditor_checks_a_snapshots_basis_against_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["demo"]);
    let public_key = ok(d, &["key", "generate", "--origin", "sela.int/smes"]);
    let key = public_key.trim();
    std::fs::write(
        d.join("now.json"),
        ok(d, &["snapshot", "--year", "2013", "--format", "json"]),
    )
    .unwrap();
    std::fs::write(
        d.join("then.md"),
        ok(d, &["snapshot", "--year", "2013", "--at-position", "60"]),
    )
    .unwrap();
    ok(d, &["checkpoint", "--out", "now.checkpoint"]);
    ok(d, &["checkpoint", "--size", "60", "--out", "then.checkpoint"]);
    std::fs::remove_file(d.join("smes.db")).unwrap();

    let verified = ok(
        d,
        &[
            "audit",
            "verify-snapshot",
            "--snapshot",
            "now.json",
            "--checkpoint",
            "now.checkpoint",
            "--key",
            key,
        ],
    );
    assert_eq!(
        verified,
        "snapshot verified: it was made from sela.int/smes at size 102, as the checkpoint commits\n"
    );
    let verified = ok(
        d,
        &[
            "audit",
            "verify-snapshot",
            "--snapshot",
            "then.md",
            "--checkpoint",
            "then.checkpoint",
            "--key",
            key,
        ],
    );
    assert_eq!(
        verified,
        "snapshot verified: it was made from sela.int/smes at size 60, as the checkpoint commits\n"
    );

    let error = fails(
        d,
        &[
            "audit",
            "verify-snapshot",
            "--snapshot",
            "then.md",
            "--checkpoint",
            "now.checkpoint",
            "--key",
            key,
        ],
    );
    assert!(
        error.contains("the snapshot is NOT of the checkpointed log (ask for a checkpoint at the snapshot's size)"),
        "{error}"
    );
    // A snapshot whose stated root was edited.
    let mut edited: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("now.json")).unwrap()).unwrap();
    edited["anchor"]["tree_root"] = serde_json::Value::String("AAAA".repeat(11));
    std::fs::write(d.join("edited.json"), edited.to_string()).unwrap();
    let error = fails(
        d,
        &[
            "audit",
            "verify-snapshot",
            "--snapshot",
            "edited.json",
            "--checkpoint",
            "now.checkpoint",
            "--key",
            key,
        ],
    );
    assert!(error.contains("the snapshot is NOT of the checkpointed log"), "{error}");
}

#[test]
fn verify_checks_the_log_against_checkpoints_kept_and_held_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    append(&d.join("smes.db"), 1, 300, "first");
    let public_key = ok(d, &["key", "generate", "--origin", "sela.int/smes"]);
    let public_key = public_key.trim();
    ok(d, &["checkpoint", "--size", "279", "--store"]);
    ok(d, &["checkpoint", "--out", "held.checkpoint"]);
    let held = ["--checkpoint", "held.checkpoint", "--key", public_key];

    let verified = ok(d, &[&["verify"][..], &held].concat());
    let lines: Vec<&str> = verified.lines().collect();
    assert_eq!(lines.len(), 3, "{verified}");
    assert!(lines[0].starts_with("verified 300 events, head "), "{verified}");
    assert!(
        lines[1].starts_with("contains the kept checkpoint stored at ")
            && lines[1].contains("(sela.int/smes at size 279, root ")
            && lines[1].ends_with(&format!(": signed by {public_key}")),
        "{verified}"
    );
    assert!(
        lines[2].starts_with("contains the checkpoint file held.checkpoint (sela.int/smes at size 300, root ")
            && lines[2].ends_with(&format!(": signed by {public_key}")),
        "{verified}"
    );

    // Someone holding the database drops its triggers, cuts the last 21 events and moves the
    // stored right edge of the tree back to the last stored node (a right edge may lag the
    // log): no stored Merkle node covers those events and the kept checkpoint is older, so
    // only the checkpoint held outside the database tells.
    let database = rusqlite::Connection::open(d.join("smes.db")).unwrap();
    database
        .execute_batch(
            "DROP TRIGGER events_refuse_delete; DELETE FROM events WHERE position > 279; \
             UPDATE merkle_frontier SET size = 256, \
             subtrees = (SELECT hash FROM merkle_nodes WHERE level = 8 AND idx = 0);",
        )
        .unwrap();
    drop(database);
    assert!(ok(d, &["verify"]).starts_with("verified 279 events"));
    let error = fails(d, &[&["verify"][..], &held].concat());
    assert!(
        error.contains("the event log does not verify")
            && error.contains("the checkpoint file held.checkpoint (sela.int/smes at size 300, root ")
            && error.contains("the events at positions 280 to 300 that it commits to are missing"),
        "{error}"
    );

    // A checkpoint is taken only with a key to check it with, and only if that key signed it;
    // a kept checkpoint fails once a key of its origin is given that did not sign it.
    let elsewhere = tempfile::tempdir().unwrap();
    let e = elsewhere.path();
    let database = format!("sqlite://{}", d.join("smes.db").display());
    let held_path = d.join("held.checkpoint").display().to_string();
    let error = fails(e, &["--database", &database, "verify", "--checkpoint", &held_path]);
    assert!(error.contains("give it with --key KEY"), "{error}");
    ok(e, &["key", "generate", "--origin", "sela.int/smes"]);
    ok(
        e,
        &["--database", &database, "checkpoint", "--out", "forged.checkpoint"],
    );
    let real_key_file = d.join("smes-checkpoint.key").display().to_string();
    let key_name_and_id = public_key.splitn(3, '+').take(2).collect::<Vec<_>>().join("+");
    let error = fails(
        e,
        &[
            "--database",
            &database,
            "verify",
            "--key-file",
            &real_key_file,
            "--checkpoint",
            "forged.checkpoint",
        ],
    );
    assert!(
        error.contains("the checkpoint file forged.checkpoint: it does not verify with the key given")
            && error.contains(&format!("the note carries no signature by key {key_name_and_id}")),
        "{error}"
    );
    let error = fails(e, &["--database", &database, "verify"]);
    assert!(
        error.contains("the kept checkpoint stored at ")
            && error.contains("(sela.int/smes at size 279, root ")
            && error.contains("its signature does not verify"),
        "{error}"
    );
}
