//! The examples of docs/import.md import cleanly into a fresh log, in order, one line of every
//! kind among them, and importing them again is a no-op.

mod support;

use std::path::Path;

use smes_app::AppCommand;
use support::{smes, stderr, stdout};

/// What the examples write for the id of the event a correction corrects.
const EVENT_ID: &str = "EVENT-ID";

/// The lines of every `jsonl` block of docs/import.md, in order.
fn example_lines() -> Vec<String> {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/import.md")).unwrap();
    docs.split("```jsonl\n")
        .skip(1)
        .flat_map(|block| block.split("```").next().unwrap_or_default().lines())
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// The id of the last event of the log.
fn last_event_id(dir: &Path) -> String {
    let log = smes(dir, &["log"]);
    let last = stdout(&log).lines().last().expect("an event").to_owned();
    let event: serde_json::Value = serde_json::from_str(&last).unwrap();
    event["id"].as_str().expect("an id").to_owned()
}

/// Imports `lines` as one file; returns the summary.
fn import(dir: &Path, lines: &[String]) -> String {
    std::fs::write(dir.join("part.jsonl"), lines.join("\n") + "\n").unwrap();
    let output = smes(dir, &["import", "part.jsonl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn every_documented_example_imports_in_order() {
    let lines = example_lines();
    let dir = tempfile::tempdir().unwrap();
    assert!(smes(dir.path(), &["init"]).status.success());
    // A correction names the event recorded just before it, so the lines before it go in first.
    let mut applied = Vec::new();
    let mut pending = Vec::new();
    for line in &lines {
        if line.contains(EVENT_ID) {
            if !pending.is_empty() {
                let summary = import(dir.path(), &pending);
                assert_eq!(
                    summary,
                    format!("{} applied, 0 already applied, 0 failed\n", pending.len())
                );
                applied.append(&mut pending);
            }
            pending.push(line.replace(EVENT_ID, &last_event_id(dir.path())));
        } else {
            pending.push(line.clone());
        }
    }
    let summary = import(dir.path(), &pending);
    assert_eq!(
        summary,
        format!("{} applied, 0 already applied, 0 failed\n", pending.len())
    );
    applied.append(&mut pending);

    let again = import(dir.path(), &applied);
    assert_eq!(
        again,
        format!("0 applied, {} already applied, 0 failed\n", applied.len())
    );
    let verify = smes(dir.path(), &["verify"]);
    assert!(stdout(&verify).starts_with("verified "), "{}", stdout(&verify));
}

#[test]
fn the_examples_show_every_kind() {
    let mut shown: Vec<String> = example_lines()
        .iter()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["kind"].as_str().expect("a kind").to_owned()
        })
        .collect();
    shown.sort();
    shown.dedup();
    let mut kinds: Vec<String> = AppCommand::KINDS.iter().map(ToString::to_string).collect();
    kinds.sort();
    assert_eq!(shown, kinds);
}

#[test]
fn the_table_of_kinds_lists_every_kind() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/import.md")).unwrap();
    let table = docs
        .split("\n## Kinds\n")
        .nth(1)
        .expect("a Kinds section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let mut listed: Vec<String> = table
        .lines()
        .filter(|line| line.starts_with("| `"))
        .flat_map(|line| {
            let first = line.split(" | ").next().unwrap_or_default();
            first
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    listed.sort();
    let mut kinds: Vec<String> = AppCommand::KINDS.iter().map(ToString::to_string).collect();
    kinds.sort();
    assert_eq!(listed, kinds);
}
