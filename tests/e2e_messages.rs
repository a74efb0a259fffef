//! Refusals of bad input through the binary speak the programme's words: the command's kind,
//! the field or flag, the value given and what is allowed, and nothing is written.

mod support;

use support::{smes, stderr, stdout};

const HOLD_WITH_A_NEGATIVE_COUNT: &str = r#"{"command_id":"5e1a0000-0000-4000-8000-000000000201","kind":"hold-activity","activity":"5e1a0000-0000-4000-8000-000000000004","held":{"start":"2013-04-17","end":"2013-04-18"},"participants":{"by_sex":[{"sex":"female","value":-5}],"by_member_state":[{"member_state":"PE","value":5}]}}"#;

fn fresh() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert!(smes(dir.path(), &["init"]).status.success());
    dir
}

fn events(dir: &std::path::Path) -> usize {
    stdout(&smes(dir, &["log"])).lines().count()
}

#[test]
fn an_import_line_with_a_negative_count_names_the_field_and_what_is_allowed() {
    let dir = fresh();
    let lines = [
        HOLD_WITH_A_NEGATIVE_COUNT,
        r#"{"command_id":"5e1a0000-0000-4000-8000-000000000202","kind":"open-work-programme","year":"2013","estimated_budget":{"amount":"200000","currency":"USD","value_date":"2012-10-17"},"opened_on":"2012-10-17"}"#,
        r#"{"command_id":"5e1a0000-0000-4000-8000-000000000203","kind":"propose-activity","activity":"5e1a0000-0000-4000-8000-000000000004","activity_kind":"seminar","title":"x","thematic_area":"financing","host":"PE","proposed_by":{"proposer":"ministry"},"planned":{"start":"2013-04-10","end":"2013-04-11"},"estimated_cost":{"amount":"1","currency":"USD","value_date":"2012-12-03"},"proposed_on":"2012-12-03"}"#,
    ];
    std::fs::write(dir.path().join("bad.jsonl"), lines.join("\n") + "\n").unwrap();
    let output = smes(dir.path(), &["import", "bad.jsonl"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "0 applied, 0 already applied, 3 failed\n");
    let expected = [
        r#"line 1: hold-activity: participants: invalid participants by sex "female: -5": a count of people is a whole number from 0 to 100000"#,
        "line 2: open-work-programme: year is \"2013\", which is not allowed; expected a year from 1975 to 9999, such as 2013",
        "line 3: propose-activity: proposed_by.proposer is \"ministry\", which is not allowed; expected one of: counterpart, secretariat",
    ];
    let error = stderr(&output);
    for line in expected {
        assert!(error.contains(line), "{line}\nin\n{error}");
    }
    assert!(
        !error.contains("u32") && !error.contains("i16") && !error.contains("32767") && !error.contains('`'),
        "{error}"
    );
    assert_eq!(events(dir.path()), 0);
}

#[test]
fn a_wrong_flag_names_the_command_the_flag_and_what_is_allowed() {
    let dir = fresh();
    let cases: [(&[&str], &str); 4] = [
        (
            &["need", "identify", "--priority", "urgent"],
            "invalid value 'urgent' for '--priority <PRIORITY>': identify-need: invalid priority \"urgent\": expected one of high, medium, low",
        ),
        (
            &["activity", "approve", "--year", "13"],
            "invalid value '13' for '--year <YEAR>': approve-activity: expected a year from 1975 to 9999, such as 2013",
        ),
        (
            &["consultation", "hold", "--held-on", "2013-02-30"],
            "invalid value '2013-02-30' for '--held-on <HELD_ON>': hold-consultation: expected a date as YYYY-MM-DD",
        ),
        (
            &["counterpart", "join", "--id", "bdp"],
            "invalid value 'bdp' for '--id <ID>': join-counterpart: expected a UUID",
        ),
    ];
    for (args, expected) in cases {
        let output = smes(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(expected), "{args:?}: {}", stderr(&output));
    }
    assert_eq!(events(dir.path()), 0);
}

#[test]
fn a_wrong_json_field_names_the_command_the_field_and_what_is_allowed() {
    let dir = fresh();
    let json = HOLD_WITH_A_NEGATIVE_COUNT.replace(r#""kind":"hold-activity","#, "");
    let output = smes(dir.path(), &["activity", "hold", "--json", &json]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output).trim_end(),
        r#"error: hold-activity: participants: invalid participants by sex "female: -5": a count of people is a whole number from 0 to 100000"#
    );
    assert_eq!(events(dir.path()), 0);
}

#[test]
fn a_date_the_log_cannot_keep_is_said_of_the_command_not_of_the_logs_fields() {
    let dir = fresh();
    let json = r#"{"consultation":"5e1a0000-0000-4000-8000-000000000902","title":"Lima consultation","scheduled_for":"0500-01-01","venue":"Lima"}"#;
    let output = smes(dir.path(), &["consultation", "schedule", "--json", json]);
    assert_eq!(output.status.code(), Some(1));
    let error = stderr(&output);
    assert_eq!(
        error.trim_end(),
        "error: invalid command: a date of the command, 0500-01-01, is not allowed; expected a date in the years 1000 to 9999"
    );
    assert_eq!(events(dir.path()), 0);
}
