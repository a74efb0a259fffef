//! Events written before they had a business date of their own keep reading, on SQLite and
//! PostgreSQL: a `NeedIdentified` of schema version 1 (no `identified_on`), stored as the
//! earlier code stored it, reads with the date it was filed under in the needs register, can be
//! answered by a new proposal, and the log still verifies. A `CooperationSourceRegistered` of
//! version 1 (no country, no counterpart) reads as a source of no country registered on its own,
//! and can then be linked to the counterpart of the same organisation.
//!
//! And every older shape the domain upcasts (`[upcast ...]` in `crates/domain/src/stored/`),
//! written as a row of its version, reads as the same event as its current shape; a new upcast
//! without a row in `old_shapes` fails `every_upcast_of_the_domain_has_an_old_shape_here`.

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use std::path::Path;

use jiff::Timestamp;
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

/// One older shape the domain reads: the event as its `version` was written and the same event
/// in the current shape, with what the upcast fills in written out.
struct OldShape {
    event_type: &'static str,
    /// The version the old row is written with.
    version: u32,
    stream: String,
    old: Value,
    current: Value,
}

/// The business date the old rows are filed under, which an upcast that adds a date takes.
const FILED_AT: &str = "2013-03-14T00:00:00Z";
const FILED_ON: &str = "2013-03-14";

const REQUEST: &str = "20130000-0072-4000-8000-000000000001";
const CONTRIBUTION: &str = "20130000-00c1-4000-8000-000000000001";
const INDICATOR: &str = "20130000-0014-4000-8000-000000000001";

/// `value` with the fields of `added` set.
fn with(value: &Value, added: Value) -> Value {
    let mut value = value.clone();
    for (field, added) in added.as_object().unwrap() {
        value[field] = added.clone();
    }
    value
}

/// Every `[upcast ...]` of `crates/domain/src/stored/`: the old payload and the current one.
fn old_shapes() -> Vec<OldShape> {
    let need = json!({
        "consultation": CONSULTATION, "need": NEED, "raised_by": [COUNTERPART], "thematic_area": "financing",
        "member_states": ["PE"], "priority": "high", "description": "Guarantee systems for SME credit",
    });
    let evaluation = json!({
        "consultation": CONSULTATION, "subject": {"subject": "programme"}, "findings": "Reached 9 Member States",
        "ratings": [{"criterion": "relevance", "score": 4}],
    });
    let rescheduled = json!({
        "activity": ACTIVITY, "planned": {"start": "2013-06-10", "end": "2013-06-12"}, "reason": "venue",
    });
    let indicator = json!({
        "activity": ACTIVITY, "indicator": INDICATOR, "name": "officials trained", "unit": "people",
        "baseline": "0", "target": "50", "higher_is_better": true,
    });
    let linked = json!({"request": REQUEST, "follow_up": {"follow_up": "need", "id": NEED}});
    let valued = json!({
        "contribution": CONTRIBUTION, "activity": ACTIVITY, "what": "Conference room for two days",
        "value": {"amount": "4500", "currency": "USD", "value_date": "2013-03-14"}, "valued_on": "2013-03-14",
    });
    let registered = json!({
        "cooperation_source": SOURCE, "kind": "regional", "name": "Corporación Financiera de Desarrollo",
        "registered_on": "2012-12-01",
    });
    let consultation = format!("consultation-{CONSULTATION}");
    let activity = format!("activity-{ACTIVITY}");
    vec![
        OldShape {
            event_type: "NeedIdentified",
            version: 1,
            stream: consultation.clone(),
            current: with(&need, json!({"identified_on": FILED_ON})),
            old: need,
        },
        OldShape {
            event_type: "AchievementsEvaluated",
            version: 1,
            stream: consultation,
            current: with(&evaluation, json!({"evaluated_on": FILED_ON})),
            old: evaluation,
        },
        OldShape {
            event_type: "ActivityRescheduled",
            version: 1,
            stream: activity.clone(),
            current: with(&rescheduled, json!({"rescheduled_on": FILED_ON})),
            old: rescheduled,
        },
        OldShape {
            event_type: "IndicatorDefined",
            version: 1,
            stream: activity,
            current: with(&indicator, json!({"defined_on": FILED_ON})),
            old: indicator,
        },
        OldShape {
            event_type: "RequestLinked",
            version: 1,
            stream: format!("request-{REQUEST}"),
            current: with(&linked, json!({"linked_on": FILED_ON})),
            old: linked,
        },
        OldShape {
            event_type: "InKindContributionValued",
            version: 1,
            stream: format!("in-kind-contribution-{CONTRIBUTION}"),
            // Version 1 was given by its host Member State.
            current: with(
                &valued,
                json!({"contributor": {"contributor": "member-state", "member_state": "SV"}}),
            ),
            old: with(&valued, json!({"host": "SV"})),
        },
        OldShape {
            event_type: "CooperationSourceRegistered",
            version: 1,
            stream: format!("cooperation-source-{SOURCE}"),
            current: with(&registered, json!({"country": null, "counterpart": null})),
            old: registered,
        },
    ]
}

/// Writes each old shape and its current shape as rows of their versions, as the code of their
/// time wrote them, and reads them back: the store returns each row as written (its version and
/// payload, converted by nothing), and the domain's decoding, which every reader goes through
/// (here through `smes-read`), reads the old row as the current one. The log verifies
/// afterwards.
fn check_every_old_shape(dir: &Path, database: &str) {
    ok_on(dir, database, &["init"]);
    let shapes = old_shapes();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = open(database).await;
        let filed_at: Timestamp = FILED_AT.parse().unwrap();
        for shape in &shapes {
            let current_version = smes_domain::stored::catalogue()
                .into_iter()
                .find(|(_, name, _)| *name == shape.event_type)
                .map(|(_, _, version)| version)
                .unwrap();
            let mut read = Vec::new();
            for (version, payload) in [(shape.version, &shape.old), (current_version, &shape.current)] {
                let outcome = store
                    .append(AppendRequest::new(
                        StreamName::new(shape.stream.as_str()).unwrap(),
                        ExpectedVersion::Any,
                        vec![NewEvent::new(
                            shape.event_type,
                            version,
                            serde_json::to_string(payload).unwrap(),
                            filed_at,
                        )],
                        Metadata::new("actor-0001", "secretariat", "import"),
                    ))
                    .await
                    .unwrap();
                let row = store.read_all(outcome.first_position, 1).await.unwrap().remove(0);
                assert_eq!(row.schema_version, version, "{}", row.event_type);
                assert_eq!(serde_json::from_str::<Value>(row.payload.get()).unwrap(), *payload);
                read.push(smes_read::envelope::envelope(&row).unwrap().event);
            }
            assert_eq!(read[0], read[1], "{} v{}", shape.event_type, shape.version);
        }
    });
    assert!(ok_on(dir, database, &["verify"]).starts_with("verified"));
}

async fn open(database: &str) -> Box<dyn EventStore> {
    if database.starts_with("postgres://") {
        Box::new(
            PostgresEventStore::open(database, StoreOptions::default())
                .await
                .unwrap(),
        )
    } else {
        Box::new(SqliteEventStore::open(database, StoreOptions::default()).await.unwrap())
    }
}

/// The table above holds every older version of every event the domain upcasts: a new
/// `[upcast ...]` without a row here fails.
#[test]
fn every_upcast_of_the_domain_has_an_old_shape_here() {
    let shapes = old_shapes();
    let missing: Vec<String> = smes_domain::stored::catalogue()
        .into_iter()
        .flat_map(|(_, name, version)| (1..version).map(move |old| (name, old)))
        .filter(|(name, old)| {
            !shapes
                .iter()
                .any(|shape| shape.event_type == *name && shape.version == *old)
        })
        .map(|(name, old)| format!("{name} v{old}"))
        .collect();
    assert!(missing.is_empty(), "no old shape written for {missing:?}");
}

#[test]
fn every_old_shape_reads_as_its_current_shape_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shapes.db").display());
    check_every_old_shape(dir.path(), &url);
}

#[test]
fn every_old_shape_reads_as_its_current_shape_on_postgres() {
    let database = Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    check_every_old_shape(dir.path(), &database.url);
}
