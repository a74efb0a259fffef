//! Events written before they had a business date of their own keep reading, on SQLite and
//! PostgreSQL: a `NeedIdentified` of schema version 1 (no `identified_on`), stored as the
//! earlier code stored it, reads with the date it was filed under in the needs register, can be
//! answered by a new proposal, and the log still verifies. A `CooperationSourceRegistered` of
//! version 1 (no country, no counterpart) reads as a source of no country registered on its own,
//! and can then be linked to the counterpart of the same organisation.

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use std::path::Path;

use postgres::Database;
use serde_json::{Value, json};
use smes_eventlog::{
    AppendRequest, EventStore, ExpectedVersion, Metadata, NewEvent, PostgresEventStore, SqliteEventStore, StoreOptions,
    StreamName,
};
use support::ok_on;
use uuid::Uuid;

const COUNTERPART: &str = "20120000-00c0-4000-8000-000000000001";
const CONSULTATION: &str = "20120000-00c5-4000-8000-000000000001";
const NEED: &str = "20120000-004e-4000-8000-000000000001";
const ACTIVITY: &str = "20120000-00ac-4000-8000-000000000001";

/// A counterpart and a held consultation, through the CLI.
fn prepare(dir: &Path, database: &str) {
    let lines = [
        json!({"kind": "join-counterpart", "counterpart": COUNTERPART, "name": "Ministerio de la Producción",
               "counterpart_kind": "public", "member_state": "PE", "thematic_areas": ["financing"],
               "focal_point": {"name": "Focal point", "email": "fp@example.org"}, "joined_on": "2012-11-05"}),
        json!({"kind": "schedule-consultation", "consultation": CONSULTATION, "title": "Consultation on financing",
               "scheduled_for": "2012-11-22", "venue": "Lima"}),
        json!({"kind": "hold-consultation", "consultation": CONSULTATION, "held_on": "2012-11-22", "venue": "Lima",
               "participants": [COUNTERPART], "minutes_reference": "Acta 1-12"}),
    ];
    let file: String = lines
        .iter()
        .zip(1u128..)
        .map(|(line, n)| {
            let mut line = line.clone();
            line["command_id"] = json!(Uuid::from_u128(n));
            format!("{line}\n")
        })
        .collect();
    std::fs::write(dir.join("setup.jsonl"), file).unwrap();
    ok_on(dir, database, &["init"]);
    ok_on(dir, database, &["member-state", "load"]);
    ok_on(dir, database, &["import", "setup.jsonl"]);
}

/// Appends a version 1 `NeedIdentified`, as the code before business dates wrote it: no
/// `identified_on`, filed under the day the import ran (here 2012-11-23, the day after the
/// consultation).
fn append_version_1_need(database: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store: Box<dyn EventStore> = if database.starts_with("postgres://") {
            Box::new(
                PostgresEventStore::open(database, StoreOptions::default())
                    .await
                    .unwrap(),
            )
        } else {
            Box::new(SqliteEventStore::open(database, StoreOptions::default()).await.unwrap())
        };
        let payload = json!({
            "consultation": CONSULTATION, "need": NEED, "raised_by": [COUNTERPART], "thematic_area": "financing",
            "member_states": ["PE"], "priority": "high", "description": "Guarantee systems for SME credit",
        });
        let mut metadata = Metadata::new("actor-0001", "secretariat", "import");
        metadata.command_id = Some(Uuid::from_u128(0x2012));
        store
            .append(AppendRequest::new(
                StreamName::new(format!("consultation-{CONSULTATION}")).unwrap(),
                ExpectedVersion::Exact(2),
                vec![NewEvent::new(
                    "NeedIdentified",
                    1,
                    // Sorted keys: the canonical form the store keeps.
                    serde_json::to_string(&payload).unwrap(),
                    "2012-11-23T00:00:00Z".parse().unwrap(),
                )],
                metadata,
            ))
            .await
            .unwrap();
    });
}

const SOURCE: &str = "20120000-005c-4000-8000-000000000001";

/// Appends a version 1 `CooperationSourceRegistered`, as the code before organisations had roles
/// wrote it.
fn append_version_1_source(database: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store: Box<dyn EventStore> = if database.starts_with("postgres://") {
            Box::new(
                PostgresEventStore::open(database, StoreOptions::default())
                    .await
                    .unwrap(),
            )
        } else {
            Box::new(SqliteEventStore::open(database, StoreOptions::default()).await.unwrap())
        };
        let payload = json!({
            "cooperation_source": SOURCE, "kind": "regional", "name": "Corporación Financiera de Desarrollo",
            "registered_on": "2012-12-01",
        });
        let mut metadata = Metadata::new("actor-0001", "secretariat", "import");
        metadata.command_id = Some(Uuid::from_u128(0x2013));
        store
            .append(AppendRequest::new(
                StreamName::new(format!("cooperation-source-{SOURCE}")).unwrap(),
                ExpectedVersion::Exact(0),
                vec![NewEvent::new(
                    "CooperationSourceRegistered",
                    1,
                    serde_json::to_string(&payload).unwrap(),
                    "2012-12-01T00:00:00Z".parse().unwrap(),
                )],
                metadata,
            ))
            .await
            .unwrap();
    });
}

fn check_source(dir: &Path, database: &str) {
    prepare(dir, database);
    append_version_1_source(database);
    let listed: Value = serde_json::from_str(&ok_on(dir, database, &["counterparts"])).unwrap();
    assert_eq!(
        listed["cooperation_sources"],
        json!([{"id": SOURCE, "name": "Corporación Financiera de Desarrollo", "kind": "regional", "country": null,
                "registered_on": "2012-12-01", "counterpart": null, "linked_on": null}])
    );
    // The old registration is linked like any other: the app reads its shape.
    ok_on(
        dir,
        database,
        &[
            "organisation",
            "link",
            "--counterpart",
            COUNTERPART,
            "--cooperation-source",
            SOURCE,
            "--linked-on",
            "2013-01-10",
        ],
    );
    let listed: Value = serde_json::from_str(&ok_on(dir, database, &["counterparts"])).unwrap();
    assert_eq!(
        listed["counterparts"][0]["roles"],
        "counterpart since 2012-11-05; cooperation source since 2012-12-01"
    );
    assert_eq!(listed["cooperation_sources"][0]["counterpart"], COUNTERPART);
    assert!(ok_on(dir, database, &["verify"]).starts_with("verified"));
}

#[test]
fn a_version_1_cooperation_source_reads_with_no_country_and_links_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("source.db").display());
    check_source(dir.path(), &url);
}

#[test]
fn a_version_1_cooperation_source_reads_with_no_country_and_links_on_postgres() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    check_source(dir.path(), &database.url);
}

fn check(dir: &Path, database: &str) {
    prepare(dir, database);
    append_version_1_need(database);
    let log = ok_on(
        dir,
        database,
        &["log", "--stream", &format!("consultation-{CONSULTATION}")],
    );
    let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["type"].as_str(), last["schema_version"].as_u64()),
        (Some("NeedIdentified"), Some(1))
    );

    let register: Value = serde_json::from_str(&ok_on(dir, database, &["needs", "--as-of", "2012-12-31"])).unwrap();
    let needs = register["needs"].as_array().unwrap();
    assert_eq!(needs.len(), 1, "{register}");
    assert_eq!(needs[0]["id"], NEED);
    assert_eq!(needs[0]["identified_on"], "2012-11-23");
    assert_eq!(needs[0]["status"], "unanswered");

    // A proposal may answer it: the reference check reads the old shape too.
    let proposal = json!({"kind": "propose-activity", "activity": ACTIVITY, "activity_kind": "seminar",
        "title": "Regional seminar on guarantee systems", "thematic_area": "financing", "answers_needs": [NEED],
        "host": "PE", "proposed_by": {"proposer": "secretariat"}, "planned": {"start": "2013-04-10", "end": "2013-04-11"},
        "estimated_cost": {"amount": "30000", "currency": "USD", "value_date": "2012-12-03"}, "proposed_on": "2012-12-03"});
    let mut proposal = proposal;
    proposal["command_id"] = json!(Uuid::from_u128(10));
    std::fs::write(dir.join("proposal.jsonl"), format!("{proposal}\n")).unwrap();
    ok_on(dir, database, &["import", "proposal.jsonl"]);
    let history = ok_on(dir, database, &["history", &format!("consultation-{CONSULTATION}")]);
    assert!(history.contains("NeedIdentified"), "{history}");
    assert!(ok_on(dir, database, &["verify"]).starts_with("verified"));
}

#[test]
fn a_version_1_need_reads_with_the_date_it_was_filed_under_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    check(dir.path(), &url);
}

#[test]
fn a_version_1_need_reads_with_the_date_it_was_filed_under_on_postgres() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    check(dir.path(), &database.url);
}
