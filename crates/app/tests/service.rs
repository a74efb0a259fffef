//! The command service over a real SQLite log, with a fixed clock, fixed ids and the
//! in-memory key store.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::SignedDuration;
use serde_json::{Value, json};
use smes_app::{
    App, AppCommand, CommandContext, CommandLine, CommandService, Error, Executed, InMemoryKeyStore, KeyStore, Sealer,
    SeededRandom, Source, SqliteKeyStore,
};
use smes_domain::DomainError;
use smes_domain::ids::PersonId;
use smes_domain::work_programme::WorkProgrammeStatus;
use smes_eventlog::event::TreeHead;
use smes_eventlog::{
    AppendOutcome, AppendRequest, CommandEntry, EventStore, ExpectedVersion, Head, Link, LinkIndexHead, Metadata,
    NewEvent, RawRecord, RecordedEvent, SequentialIds, SqliteEventStore, SteppingClock, StoreOptions, StreamName,
};
use smes_verify::Hash;
use uuid::Uuid;

/// A log in a temporary directory, with the app over it.
struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<SqliteEventStore>,
    app: App,
}

fn clock() -> Arc<SteppingClock> {
    Arc::new(SteppingClock::new(
        "2026-01-01T00:00:00Z".parse().unwrap(),
        SignedDuration::from_millis(1),
    ))
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions {
        create: true,
        clock: clock(),
        ids: Arc::new(SequentialIds::default()),
    };
    let store = Arc::new(
        SqliteEventStore::open(&dir.path().join("log.db").display().to_string(), options)
            .await
            .unwrap(),
    );
    let app = app_over(store.clone());
    let loaded = smes_app::membership::load(&app, &CommandContext::new("actor-test", "secretariat", Source::Cli))
        .await
        .unwrap();
    assert_eq!(loaded.recorded as u64, MEMBERSHIP_EVENTS);
    Fixture { _dir: dir, store, app }
}

/// The events of the membership history every fixture's log starts with: the countries the
/// commands name are checked against it.
const MEMBERSHIP_EVENTS: u64 = 31;

fn app_over(store: Arc<dyn EventStore>) -> App {
    let service = CommandService::new(store, clock(), Arc::new(SequentialIds::default()));
    let sealer = Sealer::new(
        Arc::new(InMemoryKeyStore::new(SeededRandom::new(1))),
        Arc::new(SeededRandom::new(2)),
    );
    App::new(service, Arc::new(sealer))
}

fn uuid(n: u128) -> String {
    Uuid::from_u128(0x5e1a_0000_0000_4000_8000_0000_0000_0000 | n).to_string()
}

fn context(command_id: u128) -> CommandContext {
    let mut context = CommandContext::new("actor-test", "secretariat", Source::Cli);
    context.command_id = Some(Uuid::from_u128(command_id));
    context
}

fn command(value: Value) -> AppCommand {
    CommandLine::from_value(value).unwrap().command
}

fn join_counterpart(n: u128) -> AppCommand {
    command(
        json!({"kind": "join-counterpart", "counterpart": uuid(n), "name": format!("Agency {n}"),
        "counterpart_kind": "public", "member_state": "PE", "thematic_areas": ["financing"],
        "focal_point": {"person": uuid(1000 + n), "name": "Rosa Quispe", "email": "rosa@example.org"},
        "joined_on": "2012-11-05"}),
    )
}

fn schedule_and_hold(consultation: u128, participants: &[u128]) -> [AppCommand; 2] {
    [
        command(
            json!({"kind": "schedule-consultation", "consultation": uuid(consultation), "title": "Regional consultation",
            "scheduled_for": "2012-11-22", "venue": "Lima"}),
        ),
        command(
            json!({"kind": "hold-consultation", "consultation": uuid(consultation), "held_on": "2012-11-22",
            "venue": "Lima", "minutes_reference": "Acta 1",
            "participants": participants.iter().map(|p| uuid(*p)).collect::<Vec<_>>()}),
        ),
    ]
}

fn identify_need(consultation: u128, need: u128, raised_by: u128) -> AppCommand {
    command(
        json!({"kind": "identify-need", "consultation": uuid(consultation), "need": uuid(need),
        "raised_by": [uuid(raised_by)], "thematic_area": "financing", "member_states": ["PE"],
        "priority": "high", "description": format!("need {need}")}),
    )
}

fn propose(activity: u128, start: &str, end: &str, duplicate_override: Option<&str>) -> AppCommand {
    let mut value = json!({"kind": "propose-activity", "activity": uuid(activity), "activity_kind": "seminar",
        "title": format!("Seminar {activity}"), "thematic_area": "financing", "host": "PE",
        "proposed_by": {"proposer": "secretariat"}, "planned": {"start": start, "end": end},
        "estimated_cost": {"amount": "1000", "currency": "USD", "value_date": "2013-01-01"},
        "proposed_on": "2013-01-01"});
    if let Some(reason) = duplicate_override {
        value["duplicate_override"] = json!(reason);
    }
    command(value)
}

async fn run_all(app: &App, commands: impl IntoIterator<Item = AppCommand>, first_id: u128) -> Vec<Executed> {
    let mut results = Vec::new();
    for (index, command) in commands.into_iter().enumerate() {
        results.push(app.run(&context(first_id + index as u128), &command).await.unwrap());
    }
    results
}

async fn stream(store: &SqliteEventStore, name: &str) -> Vec<RecordedEvent> {
    store
        .read_stream(&StreamName::new(name).unwrap(), 1, 1000)
        .await
        .unwrap()
}

fn domain_error(result: Result<Executed, Error>) -> DomainError {
    match result {
        Err(Error::Domain(error)) => error,
        other => panic!("expected a domain error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_command_is_decided_appended_and_stamped() {
    let fixture = fixture().await;
    let mut context = context(1);
    context.reason = Some("registered at the Lima meeting".to_owned());
    context.correlation_id = Some(Uuid::from_u128(77));
    let executed = fixture.app.run(&context, &join_counterpart(1)).await.unwrap();
    assert_eq!(executed.event_types, ["CounterpartJoined"]);
    assert_eq!((executed.attempts, executed.already_applied), (1, false));
    let events = stream(&fixture.store, &format!("counterpart-{}", uuid(1))).await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        event.metadata,
        Metadata {
            actor: "actor-test".to_owned(),
            role: "secretariat".to_owned(),
            command_id: Some(Uuid::from_u128(1)),
            correlation_id: Some(Uuid::from_u128(77)),
            causation_id: None,
            reason: Some("registered at the Lima meeting".to_owned()),
            source: "cli".to_owned(),
        }
    );
    assert_eq!(
        event.occurred_at.to_string(),
        "2012-11-05T00:00:00Z",
        "the business date"
    );
    let payload = event.payload.get();
    assert!(!payload.contains("Quispe") && !payload.contains("rosa@"), "{payload}");
    assert!(payload.contains("\"ciphertext\""), "{payload}");
}

#[tokio::test]
async fn a_command_already_committed_returns_its_earlier_outcome() {
    let fixture = fixture().await;
    let first = fixture.app.run(&context(1), &join_counterpart(1)).await.unwrap();
    let again = fixture.app.run(&context(1), &join_counterpart(1)).await.unwrap();
    assert!(again.already_applied);
    assert_eq!(again.event_types, Vec::<&str>::new());
    assert_eq!(
        (again.outcome.first_position, again.outcome.last_version),
        (first.outcome.first_position, first.outcome.last_version)
    );
    assert_eq!(
        fixture.store.head().await.unwrap().position,
        MEMBERSHIP_EVENTS + 1,
        "nothing written twice"
    );
    // The same command under a new id is a new command, and the domain refuses it.
    assert!(matches!(
        domain_error(fixture.app.run(&context(2), &join_counterpart(1)).await),
        DomainError::CounterpartAlreadyJoined { .. }
    ));
    // A command id names one command: reusing it for another is refused.
    assert!(matches!(
        fixture.app.run(&context(1), &join_counterpart(2)).await,
        Err(Error::CommandIdUsedForAnotherCommand { .. })
    ));
}

/// A store that lets another writer append to the stream just before each of the first
/// `interferences` appends, as a concurrent command would.
struct Interfering {
    inner: Arc<SqliteEventStore>,
    interferences: Mutex<usize>,
    extra: Mutex<u128>,
}

#[async_trait]
impl EventStore for Interfering {
    async fn append_batch(
        &self,
        requests: Vec<AppendRequest>,
    ) -> smes_eventlog::Result<Vec<smes_eventlog::Result<AppendOutcome>>> {
        let interfere = {
            let mut left = self.interferences.lock().unwrap();
            let interfere = *left > 0;
            *left = left.saturating_sub(1);
            interfere
        };
        if interfere {
            let extra = {
                let mut extra = self.extra.lock().unwrap();
                *extra += 1;
                *extra
            };
            let request = &requests[0];
            // Another need identified in the same consultation, by another command.
            let mut payload: Value = serde_json::from_str(&request.events[0].payload).unwrap();
            payload["need"] = json!(uuid(9000 + extra));
            let other = AppendRequest::new(
                request.stream.clone(),
                ExpectedVersion::Any,
                vec![NewEvent::new(
                    request.events[0].event_type.clone(),
                    request.events[0].schema_version,
                    payload.to_string(),
                    request.events[0].occurred_at,
                )],
                Metadata::new("actor-other", "secretariat", "cli"),
            );
            self.inner.append(other).await.unwrap();
        }
        self.inner.append_batch(requests).await
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        from_version: u64,
        limit: usize,
    ) -> smes_eventlog::Result<Vec<RecordedEvent>> {
        self.inner.read_stream(stream, from_version, limit).await
    }

    async fn read_all(&self, from_position: u64, limit: usize) -> smes_eventlog::Result<Vec<RecordedEvent>> {
        self.inner.read_all(from_position, limit).await
    }

    async fn head(&self) -> smes_eventlog::Result<Head> {
        self.inner.head().await
    }

    async fn command_outcome(&self, command_id: Uuid) -> smes_eventlog::Result<Option<AppendOutcome>> {
        self.inner.command_outcome(command_id).await
    }

    async fn command_record(&self, command_id: Uuid) -> smes_eventlog::Result<Option<smes_eventlog::CommandRecord>> {
        self.inner.command_record(command_id).await
    }

    async fn verify_with(
        &self,
        witnesses: &smes_eventlog::Witnesses,
    ) -> smes_eventlog::Result<smes_eventlog::VerifiedLog> {
        self.inner.verify_with(witnesses).await
    }

    async fn read_raw(&self, from_position: u64, limit: usize) -> smes_eventlog::Result<Vec<RawRecord>> {
        self.inner.read_raw(from_position, limit).await
    }

    async fn read_commands(&self, first: u64, last: u64) -> smes_eventlog::Result<Vec<CommandEntry>> {
        self.inner.read_commands(first, last).await
    }

    async fn append_raw(&self, records: Vec<RawRecord>, commands: Vec<CommandEntry>) -> smes_eventlog::Result<Head> {
        self.inner.append_raw(records, commands).await
    }

    async fn tree_head(&self, size: Option<u64>) -> smes_eventlog::Result<TreeHead> {
        self.inner.tree_head(size).await
    }

    async fn inclusion_proof(&self, position: u64, tree_size: u64) -> smes_eventlog::Result<Vec<Hash>> {
        self.inner.inclusion_proof(position, tree_size).await
    }

    async fn consistency_proof(&self, old_size: u64, new_size: u64) -> smes_eventlog::Result<Vec<Hash>> {
        self.inner.consistency_proof(old_size, new_size).await
    }

    async fn stored_record(&self, position: u64) -> smes_eventlog::Result<Option<String>> {
        self.inner.stored_record(position).await
    }

    async fn store_checkpoint(&self, origin: &str, tree_size: u64, note: &str) -> smes_eventlog::Result<bool> {
        self.inner.store_checkpoint(origin, tree_size, note).await
    }

    async fn checkpoints(&self) -> smes_eventlog::Result<Vec<smes_eventlog::StoredCheckpoint>> {
        self.inner.checkpoints().await
    }

    async fn try_lease(&self, name: &str) -> smes_eventlog::Result<Option<smes_eventlog::ProjectionLease>> {
        self.inner.try_lease(name).await
    }

    async fn read_streams(&self, streams: &[StreamName], up_to: u64) -> smes_eventlog::Result<Vec<RecordedEvent>> {
        self.inner.read_streams(streams, up_to).await
    }

    async fn read_streams_occurred_before(
        &self,
        streams: &[StreamName],
        up_to: u64,
        before: jiff::Timestamp,
    ) -> smes_eventlog::Result<Vec<RecordedEvent>> {
        self.inner.read_streams_occurred_before(streams, up_to, before).await
    }

    async fn link_index_head(&self) -> smes_eventlog::Result<Option<LinkIndexHead>> {
        self.inner.link_index_head().await
    }

    async fn extend_link_index(
        &self,
        expected: Option<LinkIndexHead>,
        through: (u64, Hash),
        links: Vec<Link>,
    ) -> smes_eventlog::Result<Option<LinkIndexHead>> {
        self.inner.extend_link_index(expected, through, links).await
    }

    async fn links_from(&self, nodes: &[String], up_to: u64) -> smes_eventlog::Result<Option<Vec<Link>>> {
        self.inner.links_from(nodes, up_to).await
    }

    async fn begin_link_index_build(&self) -> smes_eventlog::Result<u64> {
        self.inner.begin_link_index_build().await
    }

    async fn write_link_generation(&self, generation: u64, links: Vec<Link>) -> smes_eventlog::Result<()> {
        self.inner.write_link_generation(generation, links).await
    }

    async fn finish_link_index_build(
        &self,
        generation: u64,
        through: (u64, Hash),
    ) -> smes_eventlog::Result<LinkIndexHead> {
        self.inner.finish_link_index_build(generation, through).await
    }
}

async fn consultation_held(fixture: &Fixture) {
    let mut commands = vec![join_counterpart(1)];
    commands.extend(schedule_and_hold(50, &[1]));
    run_all(&fixture.app, commands, 100).await;
}

#[tokio::test]
async fn a_version_conflict_is_met_by_reloading_and_deciding_again() {
    let fixture = fixture().await;
    consultation_held(&fixture).await;
    let interfering = Arc::new(Interfering {
        inner: fixture.store.clone(),
        interferences: Mutex::new(2),
        extra: Mutex::new(0),
    });
    let app = app_over(interfering);
    let executed = app.run(&context(1), &identify_need(50, 60, 1)).await.unwrap();
    assert_eq!(executed.attempts, 3, "two conflicts, then success");
    let events = stream(&fixture.store, &format!("consultation-{}", uuid(50))).await;
    let needs: Vec<&str> = events.iter().map(|event| event.event_type.as_str()).collect();
    assert_eq!(
        needs,
        [
            "ConsultationScheduled",
            "ConsultationHeld",
            "NeedIdentified",
            "NeedIdentified",
            "NeedIdentified"
        ]
    );
    assert_eq!(executed.outcome.first_version, 5);
}

#[tokio::test]
async fn a_stream_that_keeps_changing_is_given_up_after_the_last_attempt() {
    let fixture = fixture().await;
    consultation_held(&fixture).await;
    let interfering = Arc::new(Interfering {
        inner: fixture.store.clone(),
        interferences: Mutex::new(usize::MAX),
        extra: Mutex::new(0),
    });
    let service = CommandService::new(interfering, clock(), Arc::new(SequentialIds::default())).with_max_attempts(3);
    let app = App::new(service, fixture.app.sealer().clone());
    match app.run(&context(1), &identify_need(50, 60, 1)).await {
        Err(Error::TooManyConflicts { attempts: 3, stream }) => {
            assert_eq!(stream, format!("consultation-{}", uuid(50)))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_commands_all_commit() {
    let fixture = fixture().await;
    let tasks: Vec<_> = (1..=16u128)
        .map(|n| {
            let app = fixture.app.clone();
            tokio::spawn(async move { app.run(&context(n), &join_counterpart(n)).await })
        })
        .collect();
    for task in tasks {
        let executed = task.await.unwrap().unwrap();
        assert_eq!(executed.event_types, ["CounterpartJoined"]);
    }
    assert_eq!(fixture.store.head().await.unwrap().position, MEMBERSHIP_EVENTS + 16);

    // Sixteen commands on one stream: each conflict is met by deciding again.
    let mut commands = vec![join_counterpart(100)];
    commands.extend(schedule_and_hold(50, &[100]));
    run_all(&fixture.app, commands, 200).await;
    let app = App::new(
        fixture.app.service().clone().with_max_attempts(32),
        fixture.app.sealer().clone(),
    );
    let tasks: Vec<_> = (1..=16u128)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move { app.run(&context(300 + n), &identify_need(50, 400 + n, 100)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let events = stream(&fixture.store, &format!("consultation-{}", uuid(50))).await;
    assert_eq!(events.len(), 2 + 16);
    assert_eq!(
        fixture.store.verify().await.unwrap().events,
        MEMBERSHIP_EVENTS + 16 + 3 + 16
    );
}

#[tokio::test]
async fn look_ups_are_gathered_from_the_log() {
    let fixture = fixture().await;
    let app = &fixture.app;
    // A participant that never joined.
    let [schedule, hold] = schedule_and_hold(50, &[1]);
    app.run(&context(1), &schedule).await.unwrap();
    assert!(matches!(
        domain_error(app.run(&context(2), &hold).await),
        DomainError::CounterpartNotJoined { .. }
    ));
    // Approval into a work programme never opened.
    app.run(&context(3), &propose(70, "2013-04-10", "2013-04-11", None))
        .await
        .unwrap();
    let approve = command(
        json!({"kind": "approve-activity", "activity": uuid(70), "work_programme": 2013,
        "decision": {"body": {"body": "permanent-secretariat"}, "reference": "SP/Di 1", "rationale": "needed",
                     "decided_on": "2013-02-01"}}),
    );
    assert!(matches!(
        domain_error(app.run(&context(4), &approve).await),
        DomainError::WorkProgrammeNotOpen {
            status: WorkProgrammeStatus::NotOpened,
            ..
        }
    ));
    let open = command(
        json!({"kind": "open-work-programme", "year": 2013, "opened_on": "2012-10-17",
        "estimated_budget": {"amount": "200000", "currency": "USD", "value_date": "2012-10-17"}}),
    );
    app.run(&context(5), &open).await.unwrap();
    assert_eq!(
        app.run(&context(6), &approve).await.unwrap().event_types,
        ["ActivityApproved"]
    );
    // An overlapping activity in the same area and host is a possible duplicate...
    assert!(matches!(
        domain_error(
            app.run(&context(7), &propose(71, "2013-04-11", "2013-04-12", None))
                .await
        ),
        DomainError::PossibleDuplicate { .. }
    ));
    // ... recorded with the reason it is not one.
    let executed = app
        .run(
            &context(8),
            &propose(71, "2013-04-11", "2013-04-12", Some("another audience")),
        )
        .await
        .unwrap();
    assert_eq!(
        executed.event_types,
        ["ActivityProposed", "ActivityDuplicateWarningOverridden"]
    );
}

#[tokio::test]
async fn duplicates_are_looked_for_in_every_host_and_a_reason_is_always_kept() {
    let fixture = fixture().await;
    let app = &fixture.app;
    app.run(&context(1), &propose(70, "2013-05-06", "2013-05-08", None))
        .await
        .unwrap();
    // The same kind and area in overlapping days, hosted in Bolivia rather than Peru.
    let mut in_bolivia = propose(71, "2013-05-07", "2013-05-09", None);
    if let AppCommand::ProposeActivity(proposal) = &mut in_bolivia {
        proposal.host = "BO".parse().unwrap();
    }
    let refused = domain_error(app.run(&context(2), &in_bolivia).await);
    assert_eq!(
        refused.to_string(),
        format!(
            "activity {} may duplicate activity {} \"Seminar 70\" (same thematic area (financing) and kind \
             (seminar), planned 2013-05-06 to 2013-05-08 overlapping 2013-05-07 to 2013-05-09, hosted in PE, \
             proposed); give a reason to record it anyway",
            uuid(71),
            uuid(70)
        )
    );
    assert_eq!(stream(&fixture.store, &format!("activity-{}", uuid(71))).await.len(), 0);
    // Another kind in the same days is no duplicate, and the reason given with it is kept.
    let mut workshop = propose(
        72,
        "2013-05-07",
        "2013-05-09",
        Some("Bolivia asked for its own workshop"),
    );
    if let AppCommand::ProposeActivity(proposal) = &mut workshop {
        proposal.activity_kind = "training-workshop".parse().unwrap();
    }
    let executed = app.run(&context(3), &workshop).await.unwrap();
    assert_eq!(
        executed.event_types,
        ["ActivityProposed", "ActivityDuplicateOverrideNoted"]
    );
    let events = stream(&fixture.store, &format!("activity-{}", uuid(72))).await;
    let note: Value = serde_json::from_str(events[1].payload.get()).unwrap();
    assert_eq!(note["reason"], "Bolivia asked for its own workshop");
}

#[tokio::test]
async fn ratings_are_given_by_label_or_number_and_stored_as_numbers() {
    let fixture = fixture().await;
    consultation_held(&fixture).await;
    let evaluate = |ratings: Value| {
        command(json!({"kind": "evaluate-achievements", "consultation": uuid(50),
            "subject": {"subject": "programme"}, "findings": "useful", "ratings": ratings}))
    };
    let refused = domain_error(
        fixture
            .app
            .run(
                &context(1),
                &evaluate(json!([{"criterion": "relevance", "score": "rather good"}])),
            )
            .await,
    );
    assert!(
        refused
            .to_string()
            .starts_with("invalid rating score \"rather good\": the rating of \"relevance\" is a number from 1 to 5"),
        "{refused}"
    );
    let consultation = format!("consultation-{}", uuid(50));
    assert_eq!(stream(&fixture.store, &consultation).await.len(), 2);
    let ratings = json!([
        {"criterion": "relevance", "score": "Satisfactory"},
        {"criterion": "reach", "score": "moderately-satisfactory"},
        {"criterion": "efficiency", "score": 5},
    ]);
    fixture.app.run(&context(2), &evaluate(ratings)).await.unwrap();
    let events = stream(&fixture.store, &consultation).await;
    let payload: Value = serde_json::from_str(events[2].payload.get()).unwrap();
    assert_eq!(
        payload["ratings"],
        json!([
            {"criterion": "relevance", "score": 4},
            {"criterion": "reach", "score": 3},
            {"criterion": "efficiency", "score": 5},
        ])
    );
}

#[tokio::test]
async fn events_are_filed_under_the_business_date_the_domain_gives_them() {
    let fixture = fixture().await;
    consultation_held(&fixture).await;
    // A caller's business date does not move a need: it is dated by its consultation.
    let mut dated = context(1);
    dated.business_date = Some(jiff::civil::date(2030, 1, 1));
    fixture.app.run(&dated, &identify_need(50, 60, 1)).await.unwrap();
    // Nor does the clock: a need recorded today is filed under the day it was identified.
    let AppCommand::IdentifyNeed(mut later) = identify_need(50, 61, 1) else {
        unreachable!()
    };
    later.identified_on = Some(jiff::civil::date(2012, 11, 30));
    fixture
        .app
        .run(&context(2), &AppCommand::IdentifyNeed(later))
        .await
        .unwrap();
    let events = stream(&fixture.store, &format!("consultation-{}", uuid(50))).await;
    let held_on = events[1].occurred_at;
    assert_eq!(events[2].occurred_at, held_on);
    assert_eq!(events[3].occurred_at.to_string(), "2012-11-30T00:00:00Z");
    assert_eq!(events[3].schema_version, 2);
}

#[tokio::test]
async fn the_sqlite_key_store_lives_beside_the_log_and_forgets() {
    let fixture = fixture().await;
    let keys = SqliteKeyStore::open(fixture.store.path(), Arc::new(SeededRandom::new(5)))
        .await
        .unwrap();
    let person = PersonId::new(Uuid::from_u128(9)).unwrap();
    let key = keys.key_for(person).await.unwrap();
    assert_eq!(keys.key_for(person).await.unwrap(), key, "created once");
    assert_eq!(keys.key_by_id(&key.key_id).await.unwrap(), Some(key.clone()));
    let sealer = Sealer::new(Arc::new(keys), Arc::new(SeededRandom::new(6)));
    let actor = sealer.register_actor(person, "Luis Pérez").await.unwrap();
    assert_eq!(
        sealer.actor_name(&actor).await.unwrap().unwrap().to_string(),
        "Luis Pérez"
    );
    let files = |path: &std::path::Path| -> Vec<u8> {
        let mut bytes = std::fs::read(path).unwrap();
        bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
        bytes
    };
    let holds_key = |bytes: &[u8]| bytes.windows(32).any(|window| window == key.bytes().as_slice());
    assert!(
        holds_key(&files(fixture.store.path())),
        "the key is on disk before it is forgotten"
    );
    assert!(sealer.keys().forget(person).await.unwrap());
    assert_eq!(sealer.keys().key_by_id(&key.key_id).await.unwrap(), None);
    assert!(
        !holds_key(&files(fixture.store.path())),
        "no copy of the key survives in the database file or its write-ahead log"
    );
    assert_eq!(
        sealer.actor_name(&actor).await.unwrap().unwrap().to_string(),
        "[erased]"
    );
}

#[tokio::test]
async fn a_key_store_is_exported_and_adopted_without_ever_replacing_a_key() {
    let fixture = fixture().await;
    let source = Arc::new(InMemoryKeyStore::new(SeededRandom::new(7)));
    let people: Vec<PersonId> = (20..23).map(|n| PersonId::new(Uuid::from_u128(n)).unwrap()).collect();
    let sealer = Sealer::new(source.clone(), Arc::new(SeededRandom::new(8)));
    let actor = sealer.register_actor(people[0], "Ana Torres").await.unwrap();
    for person in &people {
        source.key_for(*person).await.unwrap();
    }
    let contents = source.export().await.unwrap();
    assert_eq!(contents.keys.len(), 3);
    assert_eq!(contents.actors.len(), 1);

    let target = SqliteKeyStore::open(fixture.store.path(), Arc::new(SeededRandom::new(9)))
        .await
        .unwrap();
    for (person, key) in &contents.keys {
        target.adopt_key(*person, key).await.unwrap();
        target.adopt_key(*person, key).await.unwrap();
    }
    for (actor, name) in &contents.actors {
        target.record_actor(actor, name).await.unwrap();
    }
    assert_eq!(
        target.export().await.unwrap(),
        contents,
        "the copy holds the same keys and names"
    );
    let copied = Sealer::new(Arc::new(target), Arc::new(SeededRandom::new(10)));
    assert_eq!(
        copied.actor_name(&actor).await.unwrap().unwrap().to_string(),
        "Ana Torres"
    );

    // A person who holds another key keeps it: the copy is refused, naming the person.
    let other = InMemoryKeyStore::new(SeededRandom::new(11));
    let different = other.key_for(people[1]).await.unwrap();
    let error = copied.keys().adopt_key(people[1], &different).await.unwrap_err();
    assert!(error.to_string().contains(&people[1].to_string()), "{error}");
    assert_eq!(copied.keys().export().await.unwrap(), contents);
}

#[tokio::test]
async fn a_counterpart_gives_in_kind_once_it_has_joined_and_is_stored_as_the_contributor() {
    let fixture = fixture().await;
    let app = &fixture.app;
    app.run(&context(1), &propose(70, "2013-05-06", "2013-05-08", None))
        .await
        .unwrap();
    let value_in_kind = |contribution: u128, valued_on: &str| {
        command(
            json!({"kind": "value-in-kind-contribution", "contribution": uuid(contribution), "activity": uuid(70),
            "contributor": {"contributor": "counterpart", "id": uuid(3)}, "what": "Conference room",
            "value": {"amount": "4500", "currency": "USD", "value_date": valued_on}, "valued_on": valued_on}),
        )
    };
    // Before the bank has joined, it cannot give.
    let refused = domain_error(app.run(&context(2), &value_in_kind(80, "2013-05-06")).await);
    assert_eq!(
        refused,
        DomainError::UnknownRecord {
            field: "contributor",
            record: format!("counterpart {}", uuid(3)),
            expected: "a counterpart that joined the programme",
        }
    );
    assert!(
        stream(&fixture.store, &format!("in-kind-contribution-{}", uuid(80)))
            .await
            .is_empty()
    );
    app.run(&context(3), &join_counterpart(3)).await.unwrap();
    let executed = app.run(&context(5), &value_in_kind(80, "2013-05-06")).await.unwrap();
    assert_eq!(executed.event_types, ["InKindContributionValued"]);
    let events = stream(&fixture.store, &format!("in-kind-contribution-{}", uuid(80))).await;
    assert_eq!(events[0].schema_version, 2);
    let payload: Value = serde_json::from_str(events[0].payload.get()).unwrap();
    assert_eq!(
        payload["contributor"],
        json!({"contributor": "counterpart", "id": uuid(3)})
    );
    assert!(payload.get("host").is_none());
}
