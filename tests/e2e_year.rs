//! A year of the programme imported from a file, dated as the programme lived it, reads the
//! same on SQLite and PostgreSQL: as of 31 December every need of the year is there with its
//! answered or unanswered state, whatever day the file was imported; a line that names a
//! record the log does not hold, or dates a need before its consultation, is refused with the
//! field named and leaves the log exactly as it was.
//!
//! PostgreSQL must answer at 127.0.0.1:5432 (trust auth, user `postgres`, database `test`);
//! these tests fail, never skip, without it.

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use std::path::Path;

use postgres::Database;
use serde_json::{Value, json};
use support::{import_id as id, ok_on, run_on, stderr, stdout, usd, with_command_ids};

fn counterpart(n: u32) -> String {
    id(0xC0, n)
}
fn consultation(n: u32) -> String {
    id(0xC5, n)
}
fn need(n: u32) -> String {
    id(0x4E, n)
}
fn activity(n: u32) -> String {
    id(0xAC, n)
}

/// The year 2013 as the Secretariat would import it: three counterparts, two consultations
/// with four needs (one dated after its consultation's first day), the work programme, three
/// activities answering three of the needs, the last one recorded months after the fact.
fn year_file() -> String {
    let join = |n: u32, name: &str, state: &str, area: &str, on: &str| {
        json!({"kind": "join-counterpart", "counterpart": counterpart(n), "name": name,
               "counterpart_kind": "public", "member_state": state, "thematic_areas": [area],
               "focal_point": {"name": format!("Focal point {n}"), "email": format!("fp{n}@example.org")},
               "joined_on": on})
    };
    let identify = |c: u32, n: u32, by: u32, area: &str, state: &str, description: &str| {
        json!({"kind": "identify-need", "consultation": consultation(c), "need": need(n),
               "raised_by": [counterpart(by)], "thematic_area": area, "member_states": [state],
               "priority": "high", "description": description})
    };
    let propose = |n: u32, area: &str, host: &str, answers: u32, planned: (&str, &str), on: &str| {
        json!({"kind": "propose-activity", "activity": activity(n), "activity_kind": "seminar",
               "title": format!("Seminar {n}"), "thematic_area": area, "answers_needs": [need(answers)],
               "host": host, "proposed_by": {"proposer": "secretariat"},
               "planned": {"start": planned.0, "end": planned.1}, "estimated_cost": usd("10000", on),
               "proposed_on": on})
    };
    let approve = |n: u32, on: &str| {
        json!({"kind": "approve-activity", "activity": activity(n), "work_programme": 2013,
               "decision": {"body": {"body": "permanent-secretariat"}, "reference": format!("SP/Di N° {n}-13"),
                            "rationale": "answers a need of the consultation", "decided_on": on}})
    };
    let mut need_2 = identify(1, 2, 2, "gender-equality", "BO", "Training for women entrepreneurs");
    need_2["identified_on"] = json!("2013-02-21");
    let lines = [
        join(1, "Ministerio de la Producción", "PE", "financing", "2012-11-05"),
        join(
            2,
            "Viceministerio de la Micro y Pequeña Empresa",
            "BO",
            "gender-equality",
            "2012-11-20",
        ),
        join(
            3,
            "Instituto Nacional del Emprendedor",
            "MX",
            "entrepreneurship",
            "2013-01-15",
        ),
        json!({"kind": "open-work-programme", "year": 2013, "estimated_budget": usd("200000", "2012-10-17"),
               "opened_on": "2012-10-17"}),
        json!({"kind": "schedule-consultation", "consultation": consultation(1), "title": "Consultation on SME financing",
               "scheduled_for": "2013-02-20", "venue": "Lima"}),
        json!({"kind": "hold-consultation", "consultation": consultation(1), "held_on": "2013-02-20", "venue": "Lima",
               "participants": [counterpart(1), counterpart(2)], "minutes_reference": "Acta 1-13"}),
        identify(1, 1, 1, "financing", "PE", "Guarantee systems for SME credit"),
        need_2,
        propose(1, "financing", "PE", 1, ("2013-05-06", "2013-05-07"), "2013-03-01"),
        approve(1, "2013-03-15"),
        json!({"kind": "schedule-consultation", "consultation": consultation(2), "title": "Consultation on entrepreneurship",
               "scheduled_for": "2013-09-10", "venue": "Mexico City"}),
        json!({"kind": "hold-consultation", "consultation": consultation(2), "held_on": "2013-09-10",
               "venue": "Mexico City", "participants": [counterpart(1), counterpart(3)], "minutes_reference": "Acta 2-13"}),
        identify(
            2,
            3,
            3,
            "entrepreneurship",
            "MX",
            "National business-incubation systems",
        ),
        identify(
            2,
            4,
            1,
            "innovation-icts-competitiveness",
            "PE",
            "Technology adoption by SMEs",
        ),
        json!({"kind": "evaluate-achievements", "consultation": consultation(2),
               "subject": {"subject": "activity", "activity": activity(1)}, "findings": "Reached 60 officials",
               "ratings": [{"criterion": "relevance", "score": 4}]}),
        propose(
            2,
            "entrepreneurship",
            "MX",
            3,
            ("2013-11-04", "2013-11-05"),
            "2013-10-01",
        ),
        approve(2, "2013-10-15"),
        // Recorded late: the workshop for women entrepreneurs was proposed in May.
        propose(
            3,
            "gender-equality",
            "BO",
            2,
            ("2013-07-08", "2013-07-09"),
            "2013-05-02",
        ),
        approve(3, "2013-05-20"),
    ];
    with_command_ids(&lines, 0, |n| id(0xCC, n))
}

/// A register without its anchor: two logs written at different times differ in their record
/// times, so in their hashes, but not in what they say of the programme.
fn without_anchor(text: &str) -> Value {
    let mut report: Value = serde_json::from_str(text).unwrap();
    report.as_object_mut().unwrap().remove("anchor");
    report
}

fn needs_as_of(dir: &Path, database: &str, date: &str) -> Value {
    without_anchor(&ok_on(dir, database, &["needs", "--as-of", date]))
}

fn statuses(register: &Value) -> Vec<(String, String, String)> {
    register["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|need| {
            (
                need["id"].as_str().unwrap().to_owned(),
                need["identified_on"].as_str().unwrap().to_owned(),
                need["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn imported_year(dir: &Path, database: &str) {
    std::fs::write(dir.join("2013.jsonl"), year_file()).unwrap();
    ok_on(dir, database, &["init"]);
    ok_on(dir, database, &["member-state", "load"]);
    let summary = ok_on(dir, database, &["import", "2013.jsonl"]);
    assert!(summary.contains("19 applied"), "{summary}");
}

#[test]
fn a_year_imported_from_a_file_reads_as_it_was_lived_on_both_backends() {
    let postgres = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sqlite = "sqlite://year.db";
    imported_year(d, sqlite);
    imported_year(d, &postgres.url);

    let year_end = needs_as_of(d, sqlite, "2013-12-31");
    assert_eq!(year_end, needs_as_of(d, &postgres.url, "2013-12-31"));
    let mut expected = vec![
        (need(1), "2013-02-20".to_owned(), "answered".to_owned()),
        (need(2), "2013-02-21".to_owned(), "answered".to_owned()),
        (need(3), "2013-09-10".to_owned(), "answered".to_owned()),
        (need(4), "2013-09-10".to_owned(), "unanswered".to_owned()),
    ];
    let mut found = statuses(&year_end);
    found.sort();
    expected.sort();
    assert_eq!(found, expected);

    // In June only the first consultation's needs had been identified; both answered (one by
    // the activity recorded late, which the register places on its own dates).
    let june = needs_as_of(d, sqlite, "2013-06-30");
    assert_eq!(june, needs_as_of(d, &postgres.url, "2013-06-30"));
    let mut found = statuses(&june);
    found.sort();
    assert_eq!(found, expected[..2].to_vec());

    // The review of the year says the same on both.
    let review = |database: &str| {
        without_anchor(&ok_on(
            d,
            database,
            &[
                "review",
                "--from",
                "2013-01-01",
                "--to",
                "2013-12-31",
                "--format",
                "json",
            ],
        ))
    };
    assert_eq!(review(sqlite), review(&postgres.url));
}

#[test]
fn refused_lines_name_the_field_and_leave_the_log_as_it_was() {
    let postgres = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for database in ["sqlite://refused.db", postgres.url.as_str()] {
        imported_year(d, database);
        // `verify` prints the number of events and the head's hash.
        let head = ok_on(d, database, &["verify"]);
        let refusals = [
            (
                json!({"kind": "propose-activity", "activity": activity(9), "activity_kind": "seminar",
                       "title": "A seminar", "thematic_area": "financing", "answers_needs": [need(99)], "host": "PE",
                       "proposed_by": {"proposer": "secretariat"}, "planned": {"start": "2013-06-10", "end": "2013-06-11"},
                       "estimated_cost": usd("1000", "2013-03-01"), "proposed_on": "2013-03-01"}),
                format!(
                    "answers_needs: need {} is not in the record (a need identified in a consultation)",
                    need(99)
                ),
            ),
            (
                json!({"kind": "identify-need", "consultation": consultation(1), "need": need(98),
                       "raised_by": [counterpart(1)], "thematic_area": "financing", "member_states": ["PE"],
                       "priority": "low", "description": "x", "identified_on": "2013-02-01"}),
                "need identification on 2013-02-01 is before 2013-02-20".to_owned(),
            ),
            (
                json!({"kind": "evaluate-achievements", "consultation": consultation(1),
                       "subject": {"subject": "activity", "activity": activity(97)}, "findings": "x"}),
                format!(
                    "subject: activity {} is not in the record (an activity proposed in the log)",
                    activity(97)
                ),
            ),
            (
                json!({"kind": "identify-need", "consultation": consultation(9), "need": need(96),
                       "raised_by": [counterpart(1)], "thematic_area": "financing", "member_states": ["PE"],
                       "priority": "low", "description": "x"}),
                format!(
                    "consultation {} is not in the record: it was never scheduled",
                    consultation(9)
                ),
            ),
        ];
        for (line, message) in refusals {
            std::fs::write(
                d.join("bad.jsonl"),
                with_command_ids(std::slice::from_ref(&line), 100, |n| id(0xCC, n)),
            )
            .unwrap();
            let output = run_on(d, database, &["import", "bad.jsonl"]);
            assert!(!output.status.success(), "{line} was accepted");
            let error = stderr(&output) + &stdout(&output);
            assert!(error.contains(&message), "{line}: {error}");
            assert_eq!(ok_on(d, database, &["verify"]), head, "{line} changed the log");
        }
    }
}
