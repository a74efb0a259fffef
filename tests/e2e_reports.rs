//! End-to-end tests of `smes snapshot`, `smes trace` and `smes diff` on the demo log and on a
//! log with a back-dated event, through the real binary.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{DEMO_PERSONAL_DATA, smes, stderr, stdout};

/// An activity of the demo by number.
fn activity(n: u64) -> String {
    format!("5e1a0000-00ac-4000-8000-{n:012x}")
}

fn demo(dir: &Path) {
    let output = smes(dir, &["demo"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// Runs `smes` and returns its standard output, failing the test on a non-zero exit.
fn run(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert!(output.status.success(), "smes {args:?} failed: {}", stderr(&output));
    stdout(&output)
}

/// The log's events as JSON, from `smes log`.
fn log(dir: &Path) -> Vec<Value> {
    run(dir, &["log"])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Replaces what differs between two demo runs (record times and the hashes and Merkle roots
/// that cover them) with placeholders, so the rest can be compared with a stored snapshot.
fn redact(dir: &Path, text: &str) -> String {
    let mut text = text.to_owned();
    for event in log(dir) {
        let hash = event["hash"].as_str().unwrap();
        let position = &event["position"];
        text = text.replace(hash, &format!("[hash {position}]"));
        text = text.replace(&hash[..16], &format!("[hash {position}]"));
        text = text.replace(event["recorded_at"].as_str().unwrap(), "[recorded at]");
    }
    // The tree root of the whole log, as the JSON anchor states it; it is checked against a
    // signed checkpoint in its own test.
    let anchor: Value = serde_json::from_str(&run(dir, &["snapshot", "--year", "2013", "--format", "json"])).unwrap();
    text.replace(anchor["anchor"]["tree_root"].as_str().unwrap(), "[tree root]")
}

fn assert_no_personal_data(report: &str) {
    for personal in DEMO_PERSONAL_DATA {
        assert!(!report.contains(personal), "a report shows {personal:?}");
    }
}

#[test]
fn snapshots_of_the_demo_in_every_format_as_of_several_dates() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    for (name, as_of) in [
        ("2012_12_31", Some("2012-12-31")),
        ("2013_04_30", Some("2013-04-30")),
        ("now", None),
    ] {
        for format in ["md", "json", "csv", "html"] {
            let mut args = vec!["snapshot", "--year", "2013", "--format", format];
            if let Some(date) = as_of {
                args.extend(["--as-of", date]);
            }
            let report = run(dir.path(), &args);
            assert_no_personal_data(&report);
            if format == "html" {
                // One self-contained page: no script, nothing fetched.
                for outside in ["<script", "<link", "src=", "@import", "url("] {
                    assert!(!report.contains(outside), "the page holds {outside:?}");
                }
            }
            insta::assert_snapshot!(format!("snapshot_{name}_{format}"), redact(dir.path(), &report));
        }
    }
    let filtered = run(
        dir.path(),
        &[
            "snapshot",
            "--year",
            "2013",
            "--area",
            "financing",
            "--country",
            "pe",
            "--status",
            "held",
        ],
    );
    insta::assert_snapshot!("snapshot_filtered_md", redact(dir.path(), &filtered));
}

#[test]
fn the_anchor_is_the_one_a_signed_checkpoint_states() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    run(dir.path(), &["key", "generate", "--origin", "sela.int/smes"]);
    for (size, args) in [
        ("102", vec!["snapshot", "--year", "2013", "--format", "json"]),
        (
            "60",
            vec!["snapshot", "--year", "2013", "--format", "json", "--at-position", "60"],
        ),
    ] {
        let snapshot: Value = serde_json::from_str(&run(dir.path(), &args)).unwrap();
        let checkpoint = run(dir.path(), &["checkpoint", "--size", size]);
        let lines: Vec<&str> = checkpoint.lines().collect();
        assert_eq!(snapshot["anchor"]["tree_size"].to_string(), lines[1]);
        assert_eq!(snapshot["anchor"]["tree_root"].as_str().unwrap(), lines[2]);
        assert_eq!(snapshot["anchor"]["log_position"].to_string(), size);
        let events = log(dir.path());
        let at: usize = size.parse().unwrap();
        assert_eq!(snapshot["anchor"]["head_hash"], events[at - 1]["hash"]);
    }
}

#[test]
fn two_processes_write_byte_identical_snapshot_files() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    for format in ["md", "json", "csv", "html"] {
        let mut files = Vec::new();
        for run_number in 1..=2 {
            let file = dir.path().join(format!("snapshot-{run_number}.{format}"));
            let path = file.to_str().unwrap();
            run(
                dir.path(),
                &[
                    "snapshot",
                    "--year",
                    "2013",
                    "--as-of",
                    "2013-06-30",
                    "--format",
                    format,
                    "--out",
                    path,
                ],
            );
            files.push(std::fs::read(&file).unwrap());
        }
        assert!(!files[0].is_empty());
        assert_eq!(files[0], files[1], "{format} differs between two runs");
    }
}

#[test]
fn traces_of_an_activity_in_markdown_json_and_dot() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    // Activity 9 was recorded over a duplicate warning, approved, funded and held.
    for format in ["md", "json", "dot"] {
        let report = run(dir.path(), &["trace", "activity", &activity(9), "--format", format]);
        assert_no_personal_data(&report);
        for stage in ["need", "consultation", "proposal", "decision", "funding", "results"] {
            assert!(report.contains(stage), "{format} trace has no {stage} step");
        }
        assert!(report.contains("recorded anyway"), "the overridden warning is missing");
        insta::assert_snapshot!(format!("trace_activity_9_{format}"), redact(dir.path(), &report));
    }
    let json: Value = serde_json::from_str(&run(
        dir.path(),
        &["trace", "activity", &activity(9), "--format", "json"],
    ))
    .unwrap();
    for step in json["steps"].as_array().unwrap() {
        for key in [
            "position",
            "actor",
            "role",
            "reason",
            "occurred_at",
            "recorded_at",
            "hash",
        ] {
            assert!(step.get(key).is_some(), "a step has no {key}: {step}");
        }
    }
    for (kind, id) in [
        ("need", "5e1a0000-004e-4000-8000-000000000001"),
        ("counterpart", "5e1a0000-00c0-4000-8000-000000000006"),
        ("decision", "SP/Di N° 9-13 (sample)"),
    ] {
        let report = run(dir.path(), &["trace", kind, id]);
        assert_no_personal_data(&report);
        assert!(report.contains("## decision"), "{kind} trace: {report}");
    }
}

#[test]
fn a_diff_between_two_business_dates() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    for format in ["md", "json"] {
        let report = run(
            dir.path(),
            &["diff", "--from", "2013-01-31", "--to", "2013-06-30", "--format", format],
        );
        assert_no_personal_data(&report);
        insta::assert_snapshot!(
            format!("diff_2013_01_31_to_2013_06_30_{format}"),
            redact(dir.path(), &report)
        );
    }
    let nothing = run(dir.path(), &["diff", "--from", "position:102", "--to", "2099-01-01"]);
    assert!(nothing.contains("Nothing changed."), "{nothing}");
}

#[test]
fn a_back_dated_event_appears_as_of_its_date_but_not_as_known_before_it_was_recorded() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let known_before = log(dir.path()).last().unwrap()["recorded_at"]
        .as_str()
        .unwrap()
        .to_owned();
    std::thread::sleep(std::time::Duration::from_millis(20));
    // Recorded now, it says that activity 5 was held from 1 July 2013.
    let held = json!({"command_id": "5e1a0000-0000-4000-8000-0000000000f1", "kind": "hold-activity",
        "activity": activity(5), "held": {"start": "2013-07-01", "end": "2013-09-30"},
        "participants": {"by_sex": [{"sex": "female", "value": 3}], "by_member_state": [{"member_state": "TT", "value": 3}]},
        "outputs": []});
    std::fs::write(dir.path().join("late.jsonl"), format!("{held}\n")).unwrap();
    run(dir.path(), &["import", "late.jsonl"]);

    let status_of_activity_5 = |args: &[&str]| -> (String, u64) {
        let mut all = vec!["snapshot", "--year", "2013", "--format", "json"];
        all.extend_from_slice(args);
        let snapshot: Value = serde_json::from_str(&run(dir.path(), &all)).unwrap();
        let row = snapshot["activities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["id"] == activity(5))
            .unwrap()
            .clone();
        (
            row["status"].as_str().unwrap().to_owned(),
            snapshot["anchor"]["log_position"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        status_of_activity_5(&["--as-of", "2013-12-31"]),
        ("held".to_owned(), 103)
    );
    assert_eq!(
        status_of_activity_5(&["--as-of", "2013-06-30"]),
        ("approved".to_owned(), 103)
    );
    assert_eq!(
        status_of_activity_5(&["--as-of", "2013-12-31", "--known-at", &known_before]),
        ("approved".to_owned(), 102)
    );
    assert_eq!(
        status_of_activity_5(&["--at-position", "102"]),
        ("approved".to_owned(), 102)
    );

    let learned = run(
        dir.path(),
        &[
            "diff",
            "--from",
            &format!("known:{known_before}"),
            "--to",
            "position:103",
            "--format",
            "json",
        ],
    );
    let learned: Value = serde_json::from_str(&learned).unwrap();
    let changed = &learned["years"][0]["changed"][0];
    assert_eq!(changed["id"], activity(5));
    assert!(
        changed["changes"]
            .as_array()
            .unwrap()
            .contains(&json!({"field": "status", "from": "approved", "to": "held"}))
    );
}

#[test]
fn bad_options_are_named_with_the_values_allowed() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let cases: [(&[&str], &str); 14] = [
        (
            &["snapshot", "--year", "20x3"],
            "--year: \"20x3\" is not allowed; expected a year from 1975 to 9999",
        ),
        (&["snapshot", "--year", "2014"], "has work programmes for 2013"),
        (
            &["snapshot", "--year", "2013", "--area", "finance"],
            "expected one of public-policies",
        ),
        (
            &["snapshot", "--year", "2013", "--country", "XX"],
            "--country: \"XX\" is not allowed",
        ),
        (
            &["snapshot", "--year", "2013", "--status", "done"],
            "expected one of proposed, deferred, approved",
        ),
        (
            &["snapshot", "--year", "2013", "--as-of", "2013-02-30"],
            "--as-of: \"2013-02-30\" is not allowed; expected a date as YYYY-MM-DD",
        ),
        (
            &["snapshot", "--year", "2013", "--known-at", "noon"],
            "--known-at: \"noon\" is not allowed",
        ),
        (
            &["snapshot", "--year", "2013", "--known-at", "2000-01-01T00:00:00Z"],
            "--known-at: \"2000-01-01T00:00:00Z\" is not allowed; nothing was recorded by then; the log's first record was made at ",
        ),
        (
            &["needs", "--known-at", "2000-01-01T00:00:00Z"],
            "--known-at: \"2000-01-01T00:00:00Z\" is not allowed; nothing was recorded by then",
        ),
        (
            &["snapshot", "--year", "2013", "--at-position", "500"],
            "the log holds 102 events",
        ),
        (
            &["snapshot", "--year", "2013", "--format", "pdf"],
            "expected one of md, json, csv, html",
        ),
        (
            &["trace", "project", "x"],
            "expected one of activity, need, counterpart, decision",
        ),
        (
            &["trace", "activity", "5e1a0000-00ac-4000-8000-000000000063"],
            "no activity 5e1a0000-00ac-4000-8000-000000000063 in the log",
        ),
        (
            &["diff", "--from", "last week", "--to", "2013-06-30"],
            "--from: \"last week\" is not allowed; expected a business date",
        ),
    ];
    for (args, expected) in cases {
        let output = smes(dir.path(), args);
        assert_eq!(output.status.code(), Some(1), "smes {args:?}");
        let error = stderr(&output);
        assert!(error.contains(expected), "smes {args:?}: {error}");
        assert!(stdout(&output).is_empty(), "smes {args:?} printed a report");
    }
}

#[test]
fn html_and_csv_escape_what_the_log_holds() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["init"]);
    // The host is checked against the membership history.
    run(dir.path(), &["member-state", "load"]);
    let id = |n: u32| format!("5e1a0000-0000-4000-8000-{n:012x}");
    let title = "<script>alert(\"x\")</script> & Workshop, \"Caracas\" | 2013";
    let lines = [
        json!({"command_id": id(101), "kind": "open-work-programme", "year": 2013,
            "estimated_budget": {"amount": "1000", "currency": "USD", "value_date": "2012-10-17"}, "opened_on": "2012-10-17"}),
        json!({"command_id": id(102), "kind": "propose-activity", "activity": id(1), "activity_kind": "seminar",
            "title": title, "thematic_area": "financing", "answers_needs": [], "host": "VE",
            "proposed_by": {"proposer": "secretariat"}, "planned": {"start": "2013-04-10", "end": "2013-04-11"},
            "estimated_cost": {"amount": "500.5", "currency": "USD", "value_date": "2012-12-03"}, "proposed_on": "2012-12-03"}),
        json!({"command_id": id(103), "kind": "approve-activity", "activity": id(1), "work_programme": 2013,
            "decision": {"body": {"body": "permanent-secretariat"}, "reference": "SP/Di <1>", "rationale": "r", "decided_on": "2012-12-14"}}),
    ];
    let file: String = lines.iter().map(|line| format!("{line}\n")).collect();
    std::fs::write(dir.path().join("lines.jsonl"), file).unwrap();
    run(dir.path(), &["import", "lines.jsonl"]);

    let html = run(dir.path(), &["snapshot", "--year", "2013", "--format", "html"]);
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Workshop"),
        "{html}"
    );
    assert!(html.contains("SP/Di &lt;1&gt;"), "{html}");
    assert!(html.contains("USD 500.50"), "{html}");

    let csv = run(dir.path(), &["snapshot", "--year", "2013", "--format", "csv"]);
    let rows: Vec<&str> = csv.split("\r\n").filter(|row| !row.is_empty()).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[1].contains(r#","<script>alert(""x"")</script> & Workshop, ""Caracas"" | 2013","#),
        "{csv}"
    );
    assert!(rows[1].contains(",USD,500.50,"), "{csv}");

    let markdown = run(dir.path(), &["snapshot", "--year", "2013"]);
    assert!(markdown.contains(r#"Workshop, "Caracas" \| 2013"#), "{markdown}");
}

/// A line with what differs between demo runs replaced: 64-digit hex hashes, base64 Merkle
/// roots and record times (business times are whole days, record times have fractions).
fn normalise(line: &str) -> String {
    let base64 = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'+' || byte == b'/';
    let bytes = line.as_bytes();
    let mut out = String::new();
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes[index..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(byte))
            .count();
        let root = bytes[index..].iter().take_while(|byte| base64(**byte)).count();
        let time = record_time_length(&bytes[index..]);
        if hex == 64 {
            out.push_str("[hash]");
            index += 64;
        } else if root == 43 && bytes.get(index + 43) == Some(&b'=') {
            out.push_str("[root]");
            index += 44;
        } else if let Some(length) = time {
            out.push_str("[time]");
            index += length;
        } else {
            let character = line[index..].chars().next().unwrap();
            out.push(character);
            index += character.len_utf8();
        }
    }
    out
}

/// The length of a record time at the start of `bytes`: `YYYY-MM-DDTHH:MM:SS.fffZ`, with a
/// fraction of one to nine digits.
fn record_time_length(bytes: &[u8]) -> Option<usize> {
    let pattern = b"dddd-dd-ddTdd:dd:dd.";
    if bytes.len() < pattern.len() {
        return None;
    }
    let matches = pattern.iter().zip(bytes).all(|(expected, byte)| {
        if *expected == b'd' {
            byte.is_ascii_digit()
        } else {
            expected == byte
        }
    });
    let fraction = bytes[pattern.len()..]
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    (matches && (1..=9).contains(&fraction) && bytes.get(pattern.len() + fraction) == Some(&b'Z'))
        .then_some(pattern.len() + fraction + 1)
}

#[test]
fn the_user_guide_examples_are_what_the_commands_print_on_the_demo() {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/user-guide.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let lines: Vec<&str> = guide.lines().collect();
    let mut checked = 0;
    for (index, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("Example: `smes ") else {
            continue;
        };
        let command = &rest[..rest.find('`').unwrap()];
        let args: Vec<&str> = command.split_whitespace().collect();
        let output = run(dir.path(), &args);
        let output: Vec<String> = output.lines().map(normalise).collect();
        let start = index
            + lines[index..]
                .iter()
                .position(|line| line.starts_with("```markdown"))
                .unwrap()
            + 1;
        let end = start + lines[start..].iter().position(|line| line.starts_with("```")).unwrap();
        for shown in &lines[start..end] {
            if *shown == "…" {
                continue;
            }
            assert!(
                output.contains(&normalise(shown)),
                "docs/user-guide.md shows a line `smes {command}` does not print:\n{shown}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 3, "the guide's three examples were found");
}

#[test]
fn the_registers_of_the_demo_as_json_hold_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let needs = run(
        dir.path(),
        &["needs", "--as-of", "2013-12-31", "--status", "answered,unanswered"],
    );
    let register: Value = serde_json::from_str(&needs).unwrap();
    assert_eq!(register["report"], "needs-register");
    assert_eq!(register["selection"]["statuses"], json!(["answered", "unanswered"]));
    let rows = register["needs"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|row| row["status"] != "open"));
    assert_eq!(register["total"]["needs"], rows.len());
    let directory = run(dir.path(), &["counterparts", "--area", "financing"]);
    let history = run(dir.path(), &["evaluation-history", "--at-position", "60"]);
    let history_json: Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history_json["anchor"]["log_position"], 60);
    for report in [&needs, &directory, &history] {
        assert_no_personal_data(report);
    }
    // --out writes the same bytes.
    let file = dir.path().join("directory.json");
    run(
        dir.path(),
        &["counterparts", "--area", "financing", "--out", file.to_str().unwrap()],
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), directory);
    // A need's status is not an activity's.
    let output = smes(dir.path(), &["needs", "--status", "approved"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("--status: \"approved\" is not allowed; expected one of answered, open, unanswered"),
        "{}",
        stderr(&output)
    );
}
