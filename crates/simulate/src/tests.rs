//! The generator's output is a valid log: it goes through the real store, every event decodes,
//! the log verifies, corrections name earlier events of their own stream, enough events are
//! back-dated, and the same seed gives the same log.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures_util::TryStreamExt;
use jiff::Timestamp;
use serde_json::Value;
use smes_eventlog::{EventStore, SqliteEventStore};
use uuid::Uuid;

use super::{Generator, GeneratorConfig, GeneratorStats};
use smes_projections::envelope::{DomainEvent, stored_on};
use smes_read::envelope::envelope;

/// What the test compares between two runs: stream, type, payload and business time.
type Fact = (String, String, String, Timestamp);

fn config(seed: u64) -> GeneratorConfig {
    GeneratorConfig {
        batch: 2_000,
        ..GeneratorConfig::new(seed, 30_000)
    }
}

/// Appends a generated log through the store, as the benchmark does, and returns its stats.
async fn write(directory: &std::path::Path, config: GeneratorConfig) -> (SqliteEventStore, GeneratorStats) {
    let mut generator = Generator::new(config);
    let (options, clock) = generator.store_options();
    let path = directory.join(format!("generated-{}.db", config.seed));
    let store = SqliteEventStore::open(&path.display().to_string(), options)
        .await
        .unwrap();
    while let Some(batch) = generator.next_batch() {
        clock.set(batch.recorded_at);
        let count = batch
            .requests
            .iter()
            .map(|request| request.events.len() as u64)
            .sum::<u64>();
        assert_eq!(count, batch.events);
        for outcome in store.append_batch(batch.requests).await.unwrap() {
            outcome.expect("every generated append is accepted");
        }
    }
    (store, generator.stats())
}

/// The facts a generator hands out, without a store.
fn facts(config: GeneratorConfig) -> Vec<Fact> {
    let mut generator = Generator::new(config);
    let mut facts = Vec::new();
    while let Some(batch) = generator.next_batch() {
        for request in batch.requests {
            for event in request.events {
                facts.push((
                    request.stream.to_string(),
                    event.event_type,
                    event.payload,
                    event.occurred_at,
                ));
            }
        }
    }
    facts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_logs_are_valid_back_dated_and_reproducible() {
    let directory = tempfile::tempdir().unwrap();
    let config = config(7);
    let (store, stats) = write(directory.path(), config).await;
    let generator = Generator::new(config);

    // Every event is stored, decodes into a domain event, and has the id the generator
    // predicted for its position (what its corrections rely on).
    let recorded: Vec<_> = store.stream_all(1).try_collect().await.unwrap();
    assert_eq!(recorded.len() as u64, stats.events);
    assert!(stats.events > 29_900 && stats.events <= 30_000, "{stats:?}");
    let mut stream_of: HashMap<Uuid, String> = HashMap::new();
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    let mut years = BTreeSet::new();
    let mut out_of_order = 0;
    let mut latest: Option<Timestamp> = None;
    let mut corrections = 0;
    let mut stored_facts = Vec::new();
    for event in &recorded {
        let envelope = envelope(event).unwrap_or_else(|error| panic!("{error}"));
        // Decoding straight from the payload's text gives what decoding its parsed value does.
        let through_value = DomainEvent::decode(
            &event.event_type,
            event.schema_version,
            &serde_json::from_str(event.payload.get()).unwrap(),
            stored_on(event.occurred_at),
        );
        assert_eq!(
            DomainEvent::decode_text(
                &event.event_type,
                event.schema_version,
                event.payload.get(),
                stored_on(event.occurred_at),
            ),
            through_value.clone().transpose(),
            "position {}",
            event.position
        );
        assert_eq!(envelope.event, through_value.unwrap().unwrap());
        assert_eq!(envelope.event_id, generator.event_id_at(event.position));
        *types.entry(envelope.event_type.clone()).or_default() += 1;
        years.insert(jiff::tz::TimeZone::UTC.to_datetime(event.occurred_at).year());
        if latest.is_some_and(|latest| event.occurred_at < latest) {
            out_of_order += 1;
        }
        latest = latest.max(Some(event.occurred_at));
        // A correction names an earlier event of its own stream, as the app requires.
        let payload: Value = serde_json::from_str(event.payload.get()).unwrap();
        if let Some(corrected) = payload.pointer("/correction/corrects").and_then(Value::as_str) {
            let corrected: Uuid = corrected.parse().unwrap();
            assert_eq!(
                stream_of.get(&corrected),
                Some(&event.stream),
                "position {}",
                event.position
            );
            corrections += 1;
        }
        stream_of.insert(event.event_id, event.stream.clone());
        assert!(!event.metadata.actor.is_empty() && event.metadata.command_id.is_some());
        stored_facts.push((
            event.stream.clone(),
            event.event_type.clone(),
            event.payload.get().to_owned(),
            event.occurred_at,
        ));
    }
    assert_eq!(store.verify().await.unwrap().events, stats.events);

    // Realistic: many years, back-dated events, corrections, every part of the programme.
    assert!(years.len() >= 35, "{years:?}");
    // Back-dated: dated before the day the log learnt of them; a few percent, not most.
    assert!(stats.back_dated * 20 >= stats.events, "{stats:?}");
    assert!(stats.back_dated * 4 <= stats.events, "{stats:?}");
    assert_eq!(out_of_order, stats.out_of_order as usize);
    assert!(out_of_order >= stats.back_dated as usize, "{stats:?}");
    assert!(
        corrections >= 100 && corrections == stats.corrections as usize,
        "{corrections} {stats:?}"
    );
    assert!(stats.activities >= 500, "{stats:?}");
    assert!(stats.refused * 50 < stats.events, "{stats:?}");
    for event_type in [
        "MemberStateJoined",
        "MemberStateLeft",
        "CooperationSourceRegistered",
        "CounterpartJoined",
        "CounterpartDetailsCorrected",
        "ConsultationScheduled",
        "ConsultationHeld",
        "NeedIdentified",
        "AchievementsEvaluated",
        "ConsultationClosed",
        "WorkProgrammeOpened",
        "WorkProgrammeAdopted",
        "WorkProgrammeRevised",
        "WorkProgrammeClosed",
        "ActivityProposed",
        "ActivityDuplicateWarningOverridden",
        "ActivityApproved",
        "ActivityRejected",
        "ActivityDeferred",
        "ActivityRescheduled",
        "ActivityHeld",
        "ActivityCancelled",
        "IndicatorDefined",
        "ResultRecorded",
        "ResultCorrected",
        "OfferRecorded",
        "CommitmentMade",
        "DisbursementRecorded",
        "ExpenditureRecorded",
        "InKindContributionValued",
        "InKindContributionRevalued",
        "ExchangeRateRecorded",
        "ReviewOpened",
        "ReviewFindingsRecorded",
        "ReviewClosed",
    ] {
        assert!(types.contains_key(event_type), "{event_type} missing from {types:?}");
    }

    // The same seed gives the same events, payloads and business times, with or without a
    // store; another seed gives another log.
    assert_eq!(facts(config), stored_facts);
    let other = facts(GeneratorConfig { seed: 8, ..config });
    assert_ne!(other.len().min(1_000), 0);
    assert_ne!(other[..1_000], stored_facts[..1_000]);
}
