//! In-kind contributions from organisations, imported from a file, read the same on SQLite and
//! PostgreSQL: a national development bank that lends its venue is named in the work programme
//! by its own name, as is a cooperation source, while a contribution recorded the earlier way
//! (`host`) stays its Member State's. A contributor the log does not hold, or one named twice,
//! is refused with the field named and leaves the log exactly as it was.
//!
//! PostgreSQL must answer at 127.0.0.1:5432 (trust auth, user `postgres`, database `test`);
//! these tests fail, never skip, without it.

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use std::path::Path;

use postgres::Database;
use serde_json::{Value, json};
use support::{funding_lines, import_id as id, ok_on, run_on, stderr, usd, with_command_ids};

fn counterpart(n: u32) -> String {
    id(0xC0, n)
}
fn source(n: u32) -> String {
    id(0x5C, n)
}
fn activity(n: u32) -> String {
    id(0xAC, n)
}
fn contribution(n: u32) -> String {
    id(0x1C, n)
}

fn value_in_kind(n: u32, giver: (&str, Value), what: &str, amount: &str) -> Value {
    let mut line = json!({"kind": "value-in-kind-contribution", "contribution": contribution(n),
                          "activity": activity(1), "what": what, "value": usd(amount, "2013-05-06"),
                          "valued_on": "2013-05-06"});
    line[giver.0] = giver.1;
    line
}

/// A seminar in San Salvador whose venue the national development bank lends, whose
/// interpretation a cooperation source gives, and whose coffee breaks El Salvador gives as
/// earlier lines recorded it.
fn file() -> String {
    let lines = [
        json!({"kind": "join-counterpart", "counterpart": counterpart(1), "name": "Banco de Desarrollo de El Salvador",
               "counterpart_kind": "public", "member_state": "SV", "thematic_areas": ["financing"],
               "focal_point": {"name": "Focal point 1", "email": "fp1@example.org"}, "joined_on": "2012-11-05"}),
        json!({"kind": "register-cooperation-source", "cooperation_source": source(1),
               "name": "CAF – Development Bank of Latin America", "source_kind": "regional",
               "registered_on": "2012-12-03"}),
        json!({"kind": "open-work-programme", "year": 2013, "estimated_budget": usd("200000", "2012-10-17"),
               "opened_on": "2012-10-17"}),
        json!({"kind": "propose-activity", "activity": activity(1), "activity_kind": "seminar",
               "title": "Seminar on guarantee systems", "thematic_area": "financing", "answers_needs": [],
               "host": "SV", "proposed_by": {"proposer": "counterpart", "counterpart": counterpart(1)},
               "planned": {"start": "2013-05-06", "end": "2013-05-07"}, "estimated_cost": usd("20000", "2013-03-01"),
               "proposed_on": "2013-03-01"}),
        json!({"kind": "approve-activity", "activity": activity(1), "work_programme": 2013,
               "decision": {"body": {"body": "permanent-secretariat"}, "reference": "SP/Di N° 1-13",
                            "rationale": "answers the financing needs", "decided_on": "2013-03-15"}}),
        value_in_kind(
            1,
            (
                "contributor",
                json!({"contributor": "counterpart", "id": counterpart(1)}),
            ),
            "Conference room for two days",
            "9000",
        ),
        value_in_kind(
            2,
            (
                "contributor",
                json!({"contributor": "cooperation-source", "id": source(1)}),
            ),
            "Interpretation",
            "3000",
        ),
        value_in_kind(3, ("host", json!("SV")), "Coffee breaks", "500"),
    ];
    with_command_ids(&lines, 0, |n| id(0xCC, n))
}

fn imported(dir: &Path, database: &str) {
    std::fs::write(dir.join("in-kind.jsonl"), file()).unwrap();
    ok_on(dir, database, &["init"]);
    ok_on(dir, database, &["member-state", "load"]);
    let summary = ok_on(dir, database, &["import", "in-kind.jsonl"]);
    assert!(summary.contains("8 applied"), "{summary}");
}

#[test]
fn organisations_that_give_in_kind_are_named_by_their_own_names_on_both_backends() {
    let postgres = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sqlite = "sqlite://in-kind.db";
    imported(d, sqlite);
    imported(d, &postgres.url);

    let lines = funding_lines(d, sqlite);
    assert_eq!(lines, funding_lines(d, &postgres.url));
    assert_eq!(
        lines,
        [
            "- funding from Banco de Desarrollo de El Salvador: committed –, disbursed –, spent –, in kind USD 9000.00",
            "- funding from CAF – Development Bank of Latin America: committed –, disbursed –, spent –, in kind USD 3000.00",
            "- funding from El Salvador (in kind): committed –, disbursed –, spent –, in kind USD 500.00",
        ]
    );
}

#[test]
fn an_unknown_or_doubly_named_contributor_is_refused_and_leaves_the_log_as_it_was() {
    let postgres = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for database in ["sqlite://refused.db", postgres.url.as_str()] {
        imported(d, database);
        let head = ok_on(d, database, &["verify"]);
        let mut both = value_in_kind(
            4,
            (
                "contributor",
                json!({"contributor": "counterpart", "id": counterpart(1)}),
            ),
            "Projector",
            "100",
        );
        both["host"] = json!("SV");
        let refusals = [
            (
                value_in_kind(
                    5,
                    (
                        "contributor",
                        json!({"contributor": "counterpart", "id": counterpart(9)}),
                    ),
                    "Projector",
                    "100",
                ),
                format!(
                    "contributor: counterpart {} is not in the record (a counterpart that joined the programme)",
                    counterpart(9)
                ),
            ),
            (
                value_in_kind(
                    6,
                    (
                        "contributor",
                        json!({"contributor": "cooperation-source", "id": source(9)}),
                    ),
                    "Projector",
                    "100",
                ),
                format!(
                    "contributor: cooperation source {} is not in the record (a registered cooperation source)",
                    source(9)
                ),
            ),
            (both, "host `SV` is given too".to_owned()),
            (
                value_in_kind(7, ("what", json!("Projector")), "Projector", "100"),
                "name who gives the contribution".to_owned(),
            ),
        ];
        for (n, (line, expected)) in refusals.into_iter().enumerate() {
            let name = format!("refused-{n}.jsonl");
            std::fs::write(
                d.join(&name),
                with_command_ids(&[line], 100 + n as u32, |n| id(0xCC, n)),
            )
            .unwrap();
            let output = run_on(d, database, &["import", &name]);
            assert!(!output.status.success(), "{database}: line {n} was applied");
            let said = stderr(&output);
            assert!(said.contains(&expected), "{database}: {said}");
            assert_eq!(ok_on(d, database, &["verify"]), head, "{database}: the log changed");
        }
    }
}
