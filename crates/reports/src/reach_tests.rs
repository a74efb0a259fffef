//! The link index against the whole log: on generated logs with back-dated events and
//! corrections, every snapshot and trace made from the streams a walk names, under every kind
//! of cut, equals the one made from the whole log prefix, byte for byte.

use std::collections::BTreeSet;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use serde_json::Value;
use smes_domain::activity::ActivityEvent;
use smes_domain::consultation::ConsultationEvent;
use smes_projections::envelope::to_hex;
use smes_projections::trace::Subject;
use smes_projections::{Anchor, Cut, DomainEvent, Envelope, LinkMap, LogSlice, Occurred, Reach};
use smes_simulate::{GeneratedIds, Generator, GeneratorConfig};

use crate::options::{Filter, Format};
use crate::snapshot::{self, Known, SnapshotRequest};
use crate::trace;

/// A generated log as the folds see it, without a store: positions in order, the batch's
/// record time for each of its events.
pub(crate) fn generated(seed: u64, events: u64) -> Vec<Envelope> {
    let mut generator = Generator::new(GeneratorConfig {
        seed,
        events,
        first_year: 2001,
        last_year: 2004,
        batch: 400,
    });
    let mut log = Vec::new();
    while let Some(batch) = generator.next_batch() {
        for request in batch.requests {
            for (index, event) in request.events.iter().enumerate() {
                let position = log.len() as u64 + 1;
                let payload: Value = serde_json::from_str(&event.payload).expect("generated payloads are JSON");
                let decoded = DomainEvent::decode(
                    &event.event_type,
                    event.schema_version,
                    &payload,
                    jiff::tz::TimeZone::UTC.to_datetime(event.occurred_at).date(),
                )
                .expect("generated events decode")
                .expect("generated event types are known");
                log.push(Envelope {
                    position,
                    stream: request.stream.to_string(),
                    version: index as u64 + 1,
                    event_id: GeneratedIds::id(seed, position),
                    event_type: event.event_type.clone(),
                    occurred_at: event.occurred_at,
                    recorded_at: batch.recorded_at,
                    actor: request.metadata.actor.clone(),
                    role: request.metadata.role.clone(),
                    reason: request.metadata.reason.clone(),
                    hash: to_hex(&position.to_be_bytes()),
                    event: decoded,
                });
            }
        }
    }
    log
}

pub(crate) fn anchor(last: u64) -> Anchor {
    Anchor {
        log_position: last,
        head_hash: format!("hash-{last}"),
        tree_size: last,
        tree_root: format!("root-{last}"),
    }
}

/// The prefix a cut's record-time and position bounds leave, as `read_log` reads it.
fn prefix<'a>(log: &'a [Envelope], cut: &Cut) -> &'a [Envelope] {
    let end = log
        .iter()
        .position(|envelope| {
            cut.at_position.is_some_and(|bound| envelope.position > bound)
                || cut.known_at.is_some_and(|instant| envelope.recorded_at > instant)
        })
        .unwrap_or(log.len());
    &log[..end]
}

/// The whole prefix, and the events of the streams the walk names in it, without those
/// `occurred` lets the view leave out (as `read_view` reads them).
fn slices(
    log: &[Envelope],
    index: &LinkMap,
    reach: Reach,
    cut: &Cut,
    occurred: Option<Occurred>,
) -> (LogSlice, LogSlice, Reach) {
    let prefix = prefix(log, cut);
    let last = prefix.last().map_or(0, |envelope| envelope.position);
    let reach = index.walk(reach, last);
    let streams: BTreeSet<String> = reach.streams().into_iter().collect();
    let whole = LogSlice {
        envelopes: prefix.to_vec(),
        anchor: anchor(last),
    };
    let part = LogSlice {
        envelopes: prefix
            .iter()
            .filter(|envelope| streams.contains(&envelope.stream))
            .filter(|envelope| occurred.is_none_or(|occurred| occurred.reads(&envelope.stream, envelope.occurred_at)))
            .cloned()
            .collect(),
        anchor: anchor(last),
    };
    (whole, part, reach)
}

fn business_date(instant: Timestamp) -> jiff::civil::Date {
    instant.to_zoned_datetime(TimeZone::UTC).date()
}

/// A cut from picks into the log: a business date, a record time, a position, or a mix.
fn cut(log: &[Envelope], kind: u8, picks: (usize, usize, usize)) -> Cut {
    let at = |pick: usize| &log[pick % log.len()];
    let date = business_date(at(picks.0).occurred_at);
    let known_at = at(picks.1).recorded_at + SignedDuration::from_secs(if picks.1.is_multiple_of(2) { 0 } else { 30 });
    let position = at(picks.2).position;
    match kind % 6 {
        0 => Cut::as_of(date),
        1 => Cut::known_at(known_at),
        2 => Cut::at_position(position),
        3 => Cut::as_of(date).and_known_at(known_at),
        4 => Cut::as_of(date).and_at_position(position),
        _ => Cut::everything(),
    }
}

fn rendered<T>(result: crate::Result<T>, render: impl Fn(&T) -> crate::Result<String>) -> String {
    match result {
        Ok(report) => render(&report).expect("reports render"),
        Err(error) => format!("error: {error}"),
    }
}

/// The subjects a log's traces may be asked about: some of each kind.
fn subjects(log: &[Envelope], pick: usize) -> Vec<Subject> {
    let mut subjects = Vec::new();
    for envelope in log {
        match &envelope.event {
            DomainEvent::Activity(ActivityEvent::Proposed(proposed)) => {
                subjects.push(Subject::Activity(proposed.activity));
                if let smes_domain::activity::Proposer::Counterpart(counterpart) = proposed.proposed_by {
                    subjects.push(Subject::Counterpart(counterpart));
                }
            }
            DomainEvent::Activity(ActivityEvent::Approved(approved)) => {
                subjects.push(Subject::Decision(approved.decision.reference.clone()));
            }
            DomainEvent::Consultation(ConsultationEvent::NeedIdentified(identified)) => {
                subjects.push(Subject::Need(identified.need));
            }
            _ => {}
        }
    }
    let step = (subjects.len() / 12).max(1);
    subjects.into_iter().skip(pick % step).step_by(step).collect()
}

fn years(log: &[Envelope]) -> BTreeSet<i16> {
    Known::of(&LogSlice {
        envelopes: log.to_vec(),
        anchor: anchor(0),
    })
    .years
    .into_iter()
    .map(|year| year.get())
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn views_read_through_the_index_equal_views_of_the_whole_log(
        seed in any::<u64>(),
        cuts in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), any::<usize>()), 4),
        pick in any::<usize>(),
    ) {
        let log = generated(seed, 3_000);
        for envelope in &log {
            let mut asserted = 0;
            smes_projections::reach::links(envelope, |_, _| asserted += 1);
            prop_assert!(
                asserted == 0 || smes_projections::reach::may_link(&envelope.event_type),
                "{} asserts links but is not listed", envelope.event_type
            );
        }
        let index = LinkMap::of(&log);
        let mut years: Vec<i16> = years(&log).into_iter().collect();
        years.push(1999);
        for (kind, first, second, third) in cuts {
            let cut = cut(&log, kind, (first, second, third));
            for year in &years {
                let year = smes_domain::values::WorkProgrammeYear::new(*year).expect("a year");
                let request = SnapshotRequest { year, cut, filter: Filter::default() };
                let (whole, part, reach) = slices(&log, &index, Reach::for_year(year), &cut, snapshot::occurred(&cut));
                let expected = rendered(snapshot::build(&whole, &request), |report| report.render(Format::Json));
                let known = Known::listed(&reach);
                let found = rendered(snapshot::build_known(&part, &known, &request), |report| report.render(Format::Json));
                prop_assert_eq!(found, expected, "snapshot of {} under {:?}", year, cut);
            }
            for subject in subjects(&log, pick) {
                let (whole, part, _) = slices(&log, &index, Reach::for_trace(&subject), &cut, None);
                let expected = rendered(trace::build(&whole, subject.clone(), &cut), |report| report.render(Format::Json));
                let found = rendered(trace::build(&part, subject.clone(), &cut), |report| report.render(Format::Json));
                prop_assert_eq!(found, expected, "trace of {:?} under {:?}", subject, cut);
            }
        }
    }
}
