//! Valid histories for property tests: random intentions run through the domain's own
//! deciders (refused commands are dropped), then given positions, record times one minute
//! apart, and business times that are sometimes back-dated.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use proptest::prelude::*;
use rust_decimal::Decimal;
use smes_domain::Decider;
use smes_domain::activity::Activity;
use smes_domain::consultation::{
    Consultation, ConsultationCommand, ConsultationDecider, EvaluateAchievements, EvaluationSubject, HoldConsultation,
    IdentifyNeed, Rating, ScheduleConsultation,
};
use smes_domain::counterpart::{
    CorrectCounterpartDetails, Counterpart, CounterpartCommand, CounterpartDecider, CounterpartDetails, JoinCounterpart,
};
use smes_domain::funding::{ExchangeRateDecider, ExchangeRates, InKindContribution, Offer, RecordExchangeRate};
use smes_domain::ids::{CommitmentId, EventId, IndicatorId, NeedId};
use smes_domain::member_state::{JoinSystem, LeaveSystem, MemberState, MemberStateCommand, MemberStateDecider};
use smes_domain::personal_data::SealedPersonalData;
use smes_domain::programme_review::{
    CloseReview, OpenReview, ProgrammeReview, ProgrammeReviewCommand, ProgrammeReviewDecider, RecordReviewFindings,
};
use smes_domain::values::{
    ApprovingBody, Correction, CounterpartKind, Currency, Decision, ExchangeRate, MemberStateCode, Period, Priority,
    ThematicArea, WorkProgrammeYear,
};
use smes_domain::work_programme::{
    AdoptWorkProgramme, OpenWorkProgramme, WorkProgramme, WorkProgrammeCommand, WorkProgrammeDecider,
};
use uuid::Uuid;

mod programme;

use super::support::{History, id, start_of};
use crate::envelope::{DomainEvent, Envelope};

/// One random intention: what to try, and numbers to pick targets and values with.
#[derive(Debug, Clone, Copy)]
pub struct Intention {
    kind: u8,
    pick: u8,
    value: u16,
    days_later: u8,
    back_dated: bool,
}

/// How many kinds of intention there are.
const KINDS: u8 = 25;

fn intention() -> impl Strategy<Value = Intention> {
    (0..KINDS, any::<u8>(), any::<u16>(), 0u8..4, prop::bool::weighted(0.1)).prop_map(
        |(kind, pick, value, days_later, back_dated)| Intention {
            kind,
            pick,
            value,
            days_later,
            back_dated,
        },
    )
}

/// A generated, valid log.
pub fn log() -> impl Strategy<Value = Vec<Envelope>> {
    prop::collection::vec(intention(), 40..160).prop_map(|intentions| World::default().run(&intentions))
}

const STATES: [&str; 4] = ["VE", "JM", "CR", "MX"];

fn pick<T: Copy>(items: &[T], pick: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(pick) % items.len()])
}

/// The states of every aggregate touched, and the events so far.
#[derive(Default)]
struct World {
    today: Option<Date>,
    next_id: u128,
    member_states: BTreeMap<MemberStateCode, MemberState>,
    /// The membership history of the events so far: the look-up of the countries commands name.
    membership: smes_domain::membership::MembershipHistory,
    counterparts: BTreeMap<Uuid, (Counterpart, u64)>,
    consultations: BTreeMap<Uuid, Consultation>,
    needs: Vec<NeedId>,
    work_programmes: BTreeMap<WorkProgrammeYear, WorkProgramme>,
    activities: BTreeMap<Uuid, Activity>,
    indicators: BTreeMap<Uuid, Vec<IndicatorId>>,
    results: BTreeMap<(Uuid, IndicatorId), u64>,
    offers: BTreeMap<Uuid, Offer>,
    commitments: Vec<(Uuid, CommitmentId)>,
    contributions: BTreeMap<Uuid, (InKindContribution, u64)>,
    rates: ExchangeRates,
    reviews: BTreeMap<Uuid, ProgrammeReview>,
    /// Each event with its business time.
    events: Vec<(DomainEvent, Timestamp)>,
}

/// Runs a command through a decider, keeping its state; `None` when refused.
fn run<D: Decider>(state: &mut D::State, command: D::Command) -> Option<Vec<D::Event>> {
    let events = D::decide(state, &command).ok()?;
    for event in &events {
        *state = D::evolve(state.clone(), event);
    }
    Some(events)
}

impl World {
    fn run(mut self, intentions: &[Intention]) -> Vec<Envelope> {
        for intention in intentions {
            let today = self.today.unwrap_or(jiff::civil::date(2012, 9, 1));
            self.today = Some(
                today
                    .checked_add(i64::from(intention.days_later).days())
                    .unwrap_or(today),
            );
            self.attempt(intention);
        }
        let mut history = History::starting(start_of(jiff::civil::date(2012, 9, 1)));
        let mut latest: Option<Timestamp> = None;
        for (index, (event, occurred_at)) in self.events.into_iter().enumerate() {
            let position = index + 1;
            let back_dated = position % 10 == 0;
            let occurred_at = match latest {
                Some(latest) if back_dated && occurred_at >= latest => {
                    latest - SignedDuration::from_hours(24 * (1 + (position as i64 % 40)))
                }
                _ => occurred_at,
            };
            latest = Some(latest.map_or(occurred_at, |latest| latest.max(occurred_at)));
            history.at(occurred_at, event);
        }
        history.envelopes
    }

    fn today(&self) -> Date {
        self.today.unwrap_or(jiff::civil::date(2012, 9, 1))
    }

    fn new_uuid(&mut self) -> Uuid {
        self.next_id += 1;
        Uuid::from_u128(self.next_id)
    }

    fn new_id<T: TryFrom<Uuid>>(&mut self) -> T
    where
        T::Error: std::fmt::Debug,
    {
        self.next_id += 1;
        id(self.next_id)
    }

    /// The position the next event will have, and so its event id in [`History`].
    fn next_position(&self) -> u64 {
        self.events.len() as u64 + 1
    }

    fn event_id(position: u64) -> EventId {
        EventId::new(Uuid::from_u128(1_000_000 + u128::from(position))).unwrap()
    }

    fn emit<E>(&mut self, events: Option<Vec<E>>, wrap: fn(E) -> DomainEvent, intention: &Intention) {
        self.emit_at(events, wrap, start_of(self.today()), intention);
    }

    fn emit_at<E>(&mut self, events: Option<Vec<E>>, wrap: fn(E) -> DomainEvent, at: Timestamp, intention: &Intention) {
        let at = if intention.back_dated {
            at - SignedDuration::from_hours(24 * (1 + i64::from(intention.pick % 60)))
        } else {
            at
        };
        for event in events.into_iter().flatten() {
            self.events.push((wrap(event), at));
        }
    }

    fn money(&self, amount: u16, currency: Currency) -> smes_domain::values::Money {
        smes_domain::values::Money::new(Decimal::from(u32::from(amount) + 1), currency, self.today()).unwrap()
    }

    fn decision(&self) -> Decision {
        Decision {
            body: ApprovingBody::PermanentSecretariat,
            reference: format!("SP/DA/{}", self.today().year()),
            rationale: "within the Secretariat's authority".to_owned(),
            decided_on: self.today(),
        }
    }

    fn attempt(&mut self, intention: &Intention) {
        let today = self.today();
        let Intention {
            kind,
            pick: choice,
            value,
            ..
        } = *intention;
        let state_code = MemberStateCode::new(STATES[usize::from(choice) % STATES.len()]).unwrap();
        let area = ThematicArea::ALL[usize::from(value) % ThematicArea::ALL.len()];
        match kind {
            0 => {
                let state = self.member_states.entry(state_code).or_default();
                let command = if state.code.is_some() && value % 2 == 0 {
                    MemberStateCommand::Leave(LeaveSystem {
                        code: state_code,
                        left_on: (value % 3 != 0).then_some(today),
                        source: "generated".to_owned(),
                    })
                } else {
                    MemberStateCommand::Join(JoinSystem {
                        code: state_code,
                        name: format!("State {}", state_code.as_str()),
                        joined_on: Some(today),
                        source: "generated".to_owned(),
                    })
                };
                let events = run::<MemberStateDecider>(state, command);
                for event in events.iter().flatten() {
                    self.membership.record(event, Some(today));
                }
                self.emit(events, DomainEvent::MemberState, intention);
            }
            1 => {
                let counterpart = self.new_uuid();
                let regional = value % 3 == 0;
                let command = CounterpartCommand::Join(JoinCounterpart {
                    counterpart: id(counterpart.as_u128()),
                    details: CounterpartDetails {
                        name: format!("Counterpart {counterpart}"),
                        kind: if regional {
                            CounterpartKind::Regional
                        } else {
                            CounterpartKind::Public
                        },
                        member_state: (!regional).then_some(state_code),
                        thematic_areas: vec![area],
                    },
                    focal_point: SealedPersonalData::new(
                        id(counterpart.as_u128() + 10_000),
                        "key".to_owned(),
                        "bm9uY2U=".to_owned(),
                        "Y2lwaGVydGV4dA==".to_owned(),
                    )
                    .unwrap(),
                    joined_on: today,
                    membership: self.membership.clone(),
                });
                let position = self.next_position();
                let mut state = Counterpart::default();
                let events = run::<CounterpartDecider>(&mut state, command);
                self.counterparts.insert(counterpart, (state, position));
                self.emit(events, DomainEvent::Counterpart, intention);
            }
            2 => {
                let keys: Vec<Uuid> = self.counterparts.keys().copied().collect();
                let Some(counterpart) = pick(&keys, choice) else { return };
                let (state, joined_at) = self.counterparts.get_mut(&counterpart).unwrap();
                let command = CounterpartCommand::CorrectDetails(CorrectCounterpartDetails {
                    counterpart: id(counterpart.as_u128()),
                    details: CounterpartDetails {
                        name: format!("Corrected {counterpart}"),
                        kind: CounterpartKind::International,
                        member_state: None,
                        thematic_areas: vec![area],
                    },
                    correction: Correction {
                        corrects: Self::event_id(*joined_at),
                        reason: "generated correction".to_owned(),
                        effective_from: today,
                    },
                    membership: self.membership.clone(),
                });
                let events = run::<CounterpartDecider>(state, command);
                self.emit(events, DomainEvent::Counterpart, intention);
            }
            3 => {
                let consultation = self.new_uuid();
                let mut state = Consultation::default();
                let events = run::<ConsultationDecider>(
                    &mut state,
                    ConsultationCommand::Schedule(ScheduleConsultation {
                        consultation: id(consultation.as_u128()),
                        title: "Consultation".to_owned(),
                        scheduled_for: today,
                        venue: "Caracas".to_owned(),
                    }),
                );
                self.consultations.insert(consultation, state);
                self.emit(events, DomainEvent::Consultation, intention);
            }
            4..=6 => self.attempt_consultation(intention),
            7 | 8 => {
                let year = WorkProgrammeYear::new(2013 + i16::from(choice % 3)).unwrap();
                let decision = self.decision();
                let state = self.work_programmes.entry(year).or_default();
                let command = if kind == 7 {
                    WorkProgrammeCommand::Open(OpenWorkProgramme {
                        year,
                        estimated_budget: smes_domain::values::Money::new(Decimal::from(200_000), Currency::USD, today)
                            .unwrap(),
                        opened_on: today,
                    })
                } else {
                    WorkProgrammeCommand::Adopt(AdoptWorkProgramme { year, decision })
                };
                let events = run::<WorkProgrammeDecider>(state, command);
                self.emit(events, DomainEvent::WorkProgramme, intention);
            }
            9..=15 | 23 => self.attempt_activity(intention, state_code),
            16..=19 => self.attempt_offer(intention),
            20 | 21 => self.attempt_contribution(intention, state_code),
            22 => {
                let rate = ExchangeRate::new(
                    Currency::new("VEF").unwrap(),
                    Currency::USD,
                    Decimal::new(i64::from(value % 500) + 1, 3),
                    today,
                    format!("source {}", value % 7),
                )
                .unwrap();
                let events = run::<ExchangeRateDecider>(&mut self.rates, RecordExchangeRate { rate });
                self.emit(events, DomainEvent::ExchangeRate, intention);
            }
            _ => self.attempt_review(intention),
        }
    }

    fn attempt_consultation(&mut self, intention: &Intention) {
        let today = self.today();
        let keys: Vec<Uuid> = self.consultations.keys().copied().collect();
        let Some(consultation) = pick(&keys, intention.pick) else {
            return;
        };
        let standings: Vec<_> = self
            .counterparts
            .values()
            .filter_map(|(state, _)| state.standing())
            .filter(|standing| standing.is_active_on(today))
            .take(2)
            .collect();
        let state = self.consultations.get_mut(&consultation).unwrap();
        let consultation_id = id(consultation.as_u128());
        let command = match intention.kind {
            4 => ConsultationCommand::Hold(HoldConsultation {
                consultation: consultation_id,
                held_on: today,
                venue: "SELA".to_owned(),
                participants: standings,
                minutes_reference: "minutes".to_owned(),
            }),
            5 => {
                let participants = state
                    .held
                    .as_ref()
                    .map(|held| held.participants.clone())
                    .unwrap_or_default();
                let Some(raised_by) = pick(&participants, intention.pick) else {
                    return;
                };
                self.next_id += 1;
                let need: NeedId = id(self.next_id);
                self.needs.push(need);
                ConsultationCommand::IdentifyNeed(IdentifyNeed {
                    consultation: consultation_id,
                    need,
                    raised_by: vec![raised_by],
                    thematic_area: ThematicArea::ALL[usize::from(intention.value) % 10],
                    member_states: vec![MemberStateCode::new(STATES[usize::from(intention.value) % 4]).unwrap()],
                    priority: Priority::High,
                    description: "a need".to_owned(),
                    identified_on: Some(today),
                    recorded_on: today,
                    membership: self.membership.clone(),
                })
            }
            _ => ConsultationCommand::EvaluateAchievements(EvaluateAchievements {
                consultation: consultation_id,
                subject: EvaluationSubject::Programme,
                findings: "findings".to_owned(),
                ratings: vec![Rating::new("relevance".to_owned(), 1 + (intention.value % 5) as u8).unwrap()],
                evaluated_on: Some(today),
                recorded_on: today,
            }),
        };
        let events = run::<ConsultationDecider>(state, command);
        self.emit(events, DomainEvent::Consultation, intention);
    }

    fn attempt_review(&mut self, intention: &Intention) {
        let today = self.today();
        let keys: Vec<Uuid> = self.reviews.keys().copied().collect();
        let (review, command) = match (intention.value % 3, pick(&keys, intention.pick)) {
            (1, Some(review)) => (
                review,
                ProgrammeReviewCommand::RecordFindings(RecordReviewFindings {
                    review: id(review.as_u128()),
                    findings: vec!["a finding".to_owned()],
                    recommendations: vec!["a recommendation".to_owned()],
                    recorded_on: today,
                }),
            ),
            (2, Some(review)) => (
                review,
                ProgrammeReviewCommand::Close(CloseReview {
                    review: id(review.as_u128()),
                    closed_on: today,
                }),
            ),
            _ => {
                let review = self.new_uuid();
                let start = today.checked_sub(365.days()).unwrap_or(today);
                (
                    review,
                    ProgrammeReviewCommand::Open(OpenReview {
                        review: id(review.as_u128()),
                        period: Period::new(start, today).unwrap(),
                        opened_on: today,
                    }),
                )
            }
        };
        let state = self.reviews.entry(review).or_default();
        let events = run::<ProgrammeReviewDecider>(state, command);
        self.emit(events, DomainEvent::ProgrammeReview, intention);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    use super::log;

    /// The generator must reach deep into the life cycles, or the property tests prove
    /// little: every kind of event the models read, corrections included, appears.
    #[test]
    fn generated_logs_cover_the_life_cycles_and_corrections() {
        let mut runner = TestRunner::deterministic();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..40 {
            let log = log().new_tree(&mut runner).unwrap().current();
            for envelope in &log {
                *counts.entry(envelope.event_type.clone()).or_default() += 1;
            }
        }
        for event_type in [
            "MemberStateJoined",
            "CounterpartJoined",
            "CounterpartDetailsCorrected",
            "ConsultationHeld",
            "NeedIdentified",
            "ActivityProposed",
            "ActivityDuplicateWarningOverridden",
            "ActivityApproved",
            "ActivityHeld",
            "ResultRecorded",
            "ResultCorrected",
            "OfferRecorded",
            "CommitmentMade",
            "DisbursementRecorded",
            "ExpenditureRecorded",
            "InKindContributionValued",
            "InKindContributionRevalued",
            "ExchangeRateRecorded",
            "ReviewFindingsRecorded",
            "ReviewClosed",
        ] {
            assert!(counts.contains_key(event_type), "{event_type} was generated");
        }
    }
}
