//! End-to-end tests of `smes import` on real SQLite files.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{smes, stderr, stdout};

fn id(n: u32) -> String {
    format!("5e1a0000-0000-4000-8000-{n:012x}")
}

/// A new log with the membership history the countries of commands are checked against.
fn init(dir: &Path) {
    let output = smes(dir, &["init"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = smes(dir, &["member-state", "load"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// The events of the membership history `init` loads.
const MEMBERSHIP_EVENTS: usize = 31;

fn write_lines(dir: &Path, name: &str, lines: &[String]) {
    std::fs::write(dir.join(name), lines.join("\n") + "\n").unwrap();
}

fn line(command_id: u32, mut value: Value) -> String {
    value["command_id"] = json!(id(command_id));
    value.to_string()
}

fn join_counterpart(n: u32, member_state: &str) -> Value {
    json!({"kind": "join-counterpart", "counterpart": id(n), "name": format!("Agency {n}"),
        "counterpart_kind": "public", "member_state": member_state, "thematic_areas": ["financing"],
        "focal_point": {"name": "Rosa Quispe", "email": "rosa@example.org"}, "joined_on": "2012-11-05"})
}

fn propose(activity: u32, start: &str, end: &str) -> Value {
    json!({"kind": "propose-activity", "activity": id(activity), "activity_kind": "seminar",
        "title": format!("Seminar on guarantee systems {activity}"), "thematic_area": "financing", "host": "PE",
        "proposed_by": {"proposer": "secretariat"}, "planned": {"start": start, "end": end},
        "estimated_cost": {"amount": "30000", "currency": "USD", "value_date": "2012-12-03"},
        "proposed_on": "2012-12-03"})
}

/// The events recorded after the membership history.
fn events(dir: &Path) -> usize {
    stdout(&smes(dir, &["log"])).lines().count() - MEMBERSHIP_EVENTS
}

#[test]
fn good_lines_are_applied_and_bad_lines_reported_with_their_number() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let lines = [
        line(1, join_counterpart(1, "PE")),
        line(2, join_counterpart(2, "pe")),
        "{not json".to_owned(),
        line(
            4,
            json!({"kind": "hold-consultation", "consultation": id(50), "held_on": "2012-11-22",
            "venue": "Lima", "minutes_reference": "Acta 1", "participants": [id(1)]}),
        ),
        json!({"kind": "schedule-consultation", "consultation": id(50), "title": "Lima consultation",
            "scheduled_for": "2012-11-22", "venue": "Lima"})
        .to_string(),
        line(
            6,
            json!({"kind": "schedule-consultation", "consultation": id(50), "title": "Lima consultation",
            "scheduled_for": "2012-11-22", "venue": "Lima"}),
        ),
        String::new(),
        line(
            8,
            json!({"kind": "hold-consultation", "consultation": id(50), "held_on": "2012-11-22",
            "venue": "Lima", "minutes_reference": "Acta 1", "participants": [id(1)]}),
        ),
    ];
    write_lines(dir.path(), "commands.jsonl", &lines);
    let output = smes(dir.path(), &["import", "commands.jsonl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "3 applied, 0 already applied, 4 failed\n");
    let errors = stderr(&output);
    let expected = [
        "line 2: join-counterpart: member_state: invalid member state code \"pe\": expected 2 upper-case letters",
        "line 3: not JSON: ",
        &format!(
            "line 4: hold-consultation: consultation {} is not in the record: it was never scheduled",
            id(50)
        ),
        "line 5: schedule-consultation: command_id is missing",
        "error: 4 of the lines of commands.jsonl failed",
    ];
    let error_lines: Vec<&str> = errors.lines().collect();
    assert_eq!(error_lines.len(), expected.len(), "{errors}");
    for (line, expected) in error_lines.iter().zip(expected) {
        assert!(line.starts_with(expected), "{line:?} should start with {expected:?}");
    }
    assert_eq!(events(dir.path()), 3);
    let verify = smes(dir.path(), &["verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));

    // Importing the same file again applies nothing twice.
    let again = smes(dir.path(), &["import", "commands.jsonl"]);
    assert_eq!(stdout(&again), "0 applied, 3 already applied, 4 failed\n");
    assert_eq!(events(dir.path()), 3);
}

#[test]
fn an_imported_command_carries_its_metadata() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let mut command = join_counterpart(1, "PE");
    command["why"] = json!("registered at the Lima meeting");
    command["correlation_id"] = json!(id(900));
    write_lines(dir.path(), "one.jsonl", &[line(1, command)]);
    let output = smes(
        dir.path(),
        &[
            "--actor",
            "actor-0042",
            "--role",
            "programme-officer",
            "import",
            "one.jsonl",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let log: Value = serde_json::from_str(stdout(&smes(dir.path(), &["log"])).lines().last().unwrap()).unwrap();
    assert_eq!(
        log["metadata"],
        json!({"actor": "actor-0042", "role": "programme-officer", "command_id": id(1),
               "correlation_id": id(900), "causation_id": null,
               "reason": "registered at the Lima meeting", "source": "import"})
    );
}

#[test]
fn a_possible_duplicate_is_refused_in_a_later_run_and_recorded_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    write_lines(
        dir.path(),
        "first.jsonl",
        &[line(1, propose(10, "2013-04-10", "2013-04-11"))],
    );
    let first = smes(dir.path(), &["import", "first.jsonl"]);
    assert!(first.status.success(), "{}", stderr(&first));

    // A separate run: the look-up finds the first activity in the log, although hosted
    // elsewhere.
    let mut in_bolivia = propose(11, "2013-04-11", "2013-04-12");
    in_bolivia["host"] = json!("BO");
    write_lines(dir.path(), "second.jsonl", &[line(2, in_bolivia)]);
    let second = smes(dir.path(), &["import", "second.jsonl"]);
    assert_eq!(second.status.code(), Some(1));
    assert!(
        stderr(&second).starts_with(&format!(
            "line 1: propose-activity: activity {} may duplicate activity {} \"Seminar on guarantee systems 10\" \
             (same thematic area (financing) and kind (seminar), planned 2013-04-10 to 2013-04-11 overlapping \
             2013-04-11 to 2013-04-12, hosted in PE, proposed); give a reason to record it anyway\n",
            id(11),
            id(10)
        )),
        "{}",
        stderr(&second)
    );

    let mut overridden = propose(11, "2013-04-11", "2013-04-12");
    overridden["duplicate_override"] = json!("Addressed to guarantee-fund managers, not policy makers");
    write_lines(dir.path(), "third.jsonl", &[line(3, overridden)]);
    let third = smes(dir.path(), &["import", "third.jsonl"]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(stdout(&third), "1 applied, 0 already applied, 0 failed\n");

    let history = stdout(&smes(dir.path(), &["history", &format!("activity-{}", id(11))]));
    assert!(
        history.contains("#2 ActivityDuplicateWarningOverridden (schema v1)  [duplicate warning overridden]"),
        "{history}"
    );
    assert!(history.contains(&format!("  duplicates: {}\n", id(10))), "{history}");
    assert!(
        history.contains("  reason: Addressed to guarantee-fund managers, not policy makers\n"),
        "{history}"
    );

    // A reason given when nothing matches is kept as a note.
    let mut workshop = propose(12, "2013-04-11", "2013-04-12");
    workshop["activity_kind"] = json!("training-workshop");
    workshop["duplicate_override"] = json!("The credit officers' workshop of the same week");
    write_lines(dir.path(), "fourth.jsonl", &[line(4, workshop)]);
    let fourth = smes(dir.path(), &["import", "fourth.jsonl"]);
    assert!(fourth.status.success(), "{}", stderr(&fourth));
    let history = stdout(&smes(dir.path(), &["history", &format!("activity-{}", id(12))]));
    assert!(
        history.contains("#2 ActivityDuplicateOverrideNoted (schema v1)  [duplicate override reason kept as a note]"),
        "{history}"
    );
    assert!(
        history.contains("  reason: The credit officers' workshop of the same week\n"),
        "{history}"
    );
}

#[test]
fn importing_into_a_missing_log_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    write_lines(dir.path(), "one.jsonl", &[line(1, join_counterpart(1, "PE"))]);
    let output = smes(dir.path(), &["import", "one.jsonl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: no event log at sqlite://smes.db; create one with `smes init`\n"
    );
}

#[test]
fn a_byte_order_mark_an_invalid_utf8_line_and_an_overlong_line_are_taken_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(line(1, join_counterpart(1, "PE")).as_bytes());
    file.extend_from_slice(b"\n");
    let mut not_utf8 = line(2, join_counterpart(2, "CL")).into_bytes();
    let name = not_utf8.windows(6).position(|window| window == b"Agency").unwrap();
    not_utf8[name] = 0xff;
    file.extend_from_slice(&not_utf8);
    file.extend_from_slice(b"\n");
    // One byte over the limit of 1 MiB.
    let mut overlong = join_counterpart(3, "MX");
    overlong["name"] = json!("x".repeat(1 << 20));
    let overlong = line(3, overlong);
    assert!(overlong.len() > 1 << 20);
    file.extend_from_slice(overlong.as_bytes());
    file.extend_from_slice(b"\r\n");
    file.extend_from_slice(line(4, join_counterpart(4, "CO")).as_bytes());
    file.extend_from_slice(b"\r\n");
    std::fs::write(dir.path().join("mixed.jsonl"), file).unwrap();

    let output = smes(dir.path(), &["import", "mixed.jsonl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "2 applied, 0 already applied, 2 failed\n");
    let start_of_name = name + 1;
    assert_eq!(
        stderr(&output),
        format!(
            "line 2: the line is not UTF-8 text: invalid byte 0xff at byte {start_of_name} of the line; it was skipped\n\
             line 3: the line is longer than 1048576 bytes, the longest an import line may be; it was skipped\n\
             error: 2 of the lines of mixed.jsonl failed\n"
        )
    );
    assert_eq!(events(dir.path()), 2);
}

#[cfg(unix)]
#[test]
fn importing_an_endless_binary_stream_stops_at_once_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let output = smes(dir.path(), &["import", "/dev/zero"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "0 applied, 0 already applied, 0 failed\n");
    assert_eq!(
        stderr(&output),
        "error: /dev/zero: line 1 holds a NUL byte (at byte 1 of the line): this is not a JSON Lines text file, so the import stopped there\n"
    );
    assert_eq!(events(dir.path()), 0);
}
