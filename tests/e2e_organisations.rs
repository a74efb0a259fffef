//! One organisation register, on SQLite and PostgreSQL: a development bank that is both a
//! counterpart and a cooperation source is registered once as a counterpart and takes the
//! cooperation-source role by naming it, or, registered twice before, is linked once with
//! `smes organisation link`. The counterpart directory then lists it once with both roles and
//! their dates, the cooperation sources' list names the counterpart and the country, and the
//! work programme's funding lines name it by its counterpart registration. An unknown
//! counterpart, a second link, a country ISO 3166-1 does not assign and a link dated before
//! either registration are refused and leave the log exactly as it was (head and size).
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
fn offer(n: u32) -> String {
    id(0x0F, n)
}

fn bank() -> Value {
    json!({"kind": "join-counterpart", "counterpart": counterpart(1), "name": "Banco de Desarrollo Productivo",
           "counterpart_kind": "public", "member_state": "BO", "thematic_areas": ["financing"],
           "focal_point": {"name": "Focal point 1", "email": "fp1@example.org"}, "joined_on": "2013-02-01"})
}

/// A seminar the bank's cooperation-source role funds, so that the funding lines name it.
fn funded_seminar(source_id: &str) -> Vec<Value> {
    vec![
        json!({"kind": "open-work-programme", "year": 2013, "estimated_budget": usd("200000", "2012-10-17"),
               "opened_on": "2012-10-17"}),
        json!({"kind": "propose-activity", "activity": activity(1), "activity_kind": "seminar",
               "title": "Seminar on guarantee systems", "thematic_area": "financing", "answers_needs": [],
               "host": "BO", "proposed_by": {"proposer": "secretariat"},
               "planned": {"start": "2013-08-06", "end": "2013-08-07"}, "estimated_cost": usd("20000", "2013-03-01"),
               "proposed_on": "2013-03-01"}),
        json!({"kind": "approve-activity", "activity": activity(1), "work_programme": 2013,
               "decision": {"body": {"body": "permanent-secretariat"}, "reference": "SP/Di N° 1-13",
                            "rationale": "answers the financing needs", "decided_on": "2013-03-15"}}),
        json!({"kind": "record-offer", "offer": offer(1),
               "source": {"source": "cooperation-source", "id": source_id}, "offer_kind": "money",
               "amount": usd("15000", "2013-06-03"), "purpose": "Co-finance the guarantee systems seminar",
               "recorded_on": "2013-06-03"}),
        json!({"kind": "commit-to-activity", "offer": offer(1), "commitment": id(0xC3, 1), "activity": activity(1),
               "amount": usd("15000", "2013-06-10"), "committed_on": "2013-06-10"}),
    ]
}

fn import(dir: &Path, database: &str, name: &str, lines: &[Value], first: u32) -> String {
    std::fs::write(dir.join(name), with_command_ids(lines, first, |n| id(0xCC, n))).unwrap();
    ok_on(dir, database, &["import", name])
}

fn fresh(dir: &Path, database: &str) {
    ok_on(dir, database, &["init"]);
    ok_on(dir, database, &["member-state", "load"]);
}

fn directory(dir: &Path, database: &str) -> Value {
    serde_json::from_str(&ok_on(dir, database, &["counterparts"])).unwrap()
}

/// Registers the bank as a counterpart, then as a cooperation source naming the counterpart
/// (its name left out) with its country, and a seminar it funds.
fn registered_once(dir: &Path, database: &str) {
    fresh(dir, database);
    let mut lines = vec![
        bank(),
        json!({"kind": "register-cooperation-source", "cooperation_source": source(1), "source_kind": "local",
               "counterpart": counterpart(1), "country": "BO", "registered_on": "2013-05-10"}),
    ];
    lines.extend(funded_seminar(&source(1)));
    let summary = import(dir, database, "once.jsonl", &lines, 0);
    assert!(summary.contains("7 applied"), "{summary}");
}

#[test]
fn an_organisation_registered_once_is_listed_once_with_both_roles_on_both_backends() {
    let postgres = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sqlite = "sqlite://once.db";
    registered_once(d, sqlite);
    registered_once(d, &postgres.url);

    let listed = directory(d, sqlite);
    assert_eq!(listed["counterparts"], directory(d, &postgres.url)["counterparts"]);
    let counterparts = listed["counterparts"].as_array().unwrap();
    assert_eq!(counterparts.len(), 1, "{listed:#}");
    assert_eq!(counterparts[0]["name"], "Banco de Desarrollo Productivo");
    assert_eq!(
        counterparts[0]["roles"],
        "counterpart since 2013-02-01; cooperation source since 2013-05-10"
    );
    assert_eq!(counterparts[0]["cooperation_source"], json!(source(1)));
    assert_eq!(
        listed["cooperation_sources"],
        json!([{"id": source(1), "name": "Banco de Desarrollo Productivo", "kind": "local", "country": "BO",
                "registered_on": "2013-05-10", "counterpart": counterpart(1), "linked_on": null}])
    );
    let lines = funding_lines(d, sqlite);
    assert_eq!(lines, funding_lines(d, &postgres.url));
    assert_eq!(
        lines,
        ["- funding from Banco de Desarrollo Productivo: committed USD 15000.00, disbursed –, spent –, in kind –"]
    );
}

/// The bank registered twice, the earlier way: as a counterpart and, under another name, as a
/// cooperation source with no tie between them; the seminar it funds as the source.
fn registered_twice(dir: &Path, database: &str) {
    fresh(dir, database);
    let mut lines = vec![
        bank(),
        json!({"kind": "register-cooperation-source", "cooperation_source": source(2), "name": "BDP Bolivia",
               "source_kind": "local", "registered_on": "2013-05-10"}),
    ];
    lines.extend(funded_seminar(&source(2)));
    let summary = import(dir, database, "twice.jsonl", &lines, 0);
    assert!(summary.contains("7 applied"), "{summary}");
}

#[test]
fn two_old_registrations_are_linked_into_one_organisation_on_both_backends() {
    let postgres = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for database in ["sqlite://twice.db", postgres.url.as_str()] {
        registered_twice(d, database);
        // Before the link: two organisations, two names.
        assert_eq!(
            directory(d, database)["counterparts"][0]["roles"],
            "counterpart since 2013-02-01"
        );
        assert_eq!(
            funding_lines(d, database),
            ["- funding from BDP Bolivia: committed USD 15000.00, disbursed –, spent –, in kind –"]
        );
        let said = ok_on(
            d,
            database,
            &[
                "organisation",
                "link",
                "--counterpart",
                &counterpart(1),
                "--cooperation-source",
                &source(2),
                "--linked-on",
                "2014-01-15",
                "--reason",
                "one bank, registered twice in 2013",
            ],
        );
        assert!(
            said.starts_with(&format!(
                "link-organisation: CooperationSourceLinkedToCounterpart written to cooperation-source-{}",
                source(2)
            )),
            "{said}"
        );
        let listed = directory(d, database);
        assert_eq!(listed["counterparts"].as_array().unwrap().len(), 1);
        assert_eq!(
            listed["counterparts"][0]["roles"],
            "counterpart since 2013-02-01; cooperation source since 2013-05-10"
        );
        let sources = &listed["cooperation_sources"];
        assert_eq!(sources[0]["counterpart"], json!(counterpart(1)));
        assert_eq!(sources[0]["linked_on"], "2014-01-15");
        assert_eq!(sources[0]["name"], "Banco de Desarrollo Productivo");
        // The funding is named once, by the organisation's counterpart registration; a
        // snapshot as of a day before the link still names the source as it was known.
        assert_eq!(
            funding_lines(d, database),
            ["- funding from Banco de Desarrollo Productivo: committed USD 15000.00, disbursed –, spent –, in kind –"]
        );
        let before = ok_on(d, database, &["snapshot", "--year", "2013", "--as-of", "2013-12-31"]);
        assert!(
            before.contains("- funding from BDP Bolivia: committed USD 15000.00"),
            "{before}"
        );
    }
}

#[test]
fn refusals_leave_the_log_as_it_was_on_both_backends() {
    let postgres = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for database in ["sqlite://refused.db", postgres.url.as_str()] {
        registered_twice(d, database);
        // A third registration to link twice, and the link of the first.
        import(
            d,
            database,
            "third.jsonl",
            &[
                json!({"kind": "register-cooperation-source", "cooperation_source": source(3),
                       "name": "Banco de Desarrollo Productivo", "source_kind": "local", "registered_on": "2013-06-01"}),
                json!({"kind": "link-organisation", "counterpart": counterpart(1), "cooperation_source": source(2),
                       "linked_on": "2014-01-15"}),
            ],
            50,
        );
        let head = ok_on(d, database, &["verify"]);
        let refusals = [
            (
                json!({"kind": "register-cooperation-source", "cooperation_source": source(8), "source_kind": "local",
                       "counterpart": counterpart(9), "registered_on": "2013-05-10"}),
                format!(
                    "counterpart: counterpart {} is not in the record (a counterpart that joined the programme)",
                    counterpart(9)
                ),
            ),
            (
                json!({"kind": "register-cooperation-source", "cooperation_source": source(8), "source_kind": "local",
                       "counterpart": counterpart(1), "registered_on": "2014-05-10"}),
                format!(
                    "counterpart {} already holds the cooperation-source role, as cooperation source {}",
                    counterpart(1),
                    source(2)
                ),
            ),
            (
                json!({"kind": "register-cooperation-source", "cooperation_source": source(8), "name": "Agency",
                       "source_kind": "bilateral", "country": "XX", "registered_on": "2013-05-10"}),
                "register-cooperation-source: country `XX` is not an ISO 3166-1 alpha-2 country code".to_owned(),
            ),
            (
                json!({"kind": "register-cooperation-source", "cooperation_source": source(8), "name": "BDP",
                       "source_kind": "local", "counterpart": counterpart(1), "registered_on": "2014-05-10"}),
                format!(
                    "register-cooperation-source: name `BDP` is not the name of counterpart {} (`Banco de Desarrollo Productivo`)",
                    counterpart(1)
                ),
            ),
            (
                json!({"kind": "link-organisation", "counterpart": counterpart(1), "cooperation_source": source(3),
                       "linked_on": "2014-02-01"}),
                format!(
                    "counterpart {} already holds the cooperation-source role, as cooperation source {}",
                    counterpart(1),
                    source(2)
                ),
            ),
            (
                json!({"kind": "link-organisation", "counterpart": counterpart(1), "cooperation_source": source(2),
                       "linked_on": "2014-02-01"}),
                format!(
                    "cooperation source {} is already the cooperation-source role of counterpart {}",
                    source(2),
                    counterpart(1)
                ),
            ),
            (
                json!({"kind": "link-organisation", "counterpart": counterpart(1), "cooperation_source": source(3),
                       "linked_on": "2013-01-15"}),
                format!(
                    "counterpart: counterpart {} dates from 2013-02-01, after 2013-01-15, the date of this fact",
                    counterpart(1)
                ),
            ),
            (
                json!({"kind": "link-organisation", "counterpart": counterpart(1), "cooperation_source": source(3),
                       "linked_on": "2013-05-15"}),
                format!(
                    "cooperation_source: cooperation source {} dates from 2013-06-01, after 2013-05-15, the date of this fact",
                    source(3)
                ),
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
            assert!(said.contains(&expected), "{database}: line {n}: {said}");
            assert_eq!(ok_on(d, database, &["verify"]), head, "{database}: the log changed");
        }
    }
}
