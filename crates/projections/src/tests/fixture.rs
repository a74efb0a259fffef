//! A small, realistic history of the programme's first year, built event by event.

use rust_decimal::Decimal;
use smes_domain::activity::{
    ActivityApproved, ActivityEvent, ActivityHeld, ActivityProposed, ActivityRejected, DuplicateWarningOverridden,
    IndicatorDefined, MemberStateShare, Output, ParticipantCounts, Proposer, ResultCorrected, ResultRecorded, SexShare,
};
use smes_domain::consultation::{
    AchievementsEvaluated, ConsultationClosed, ConsultationEvent, ConsultationHeld, ConsultationScheduled,
    EvaluationSubject, NeedIdentified, Rating,
};
use smes_domain::counterpart::{CounterpartDetails, CounterpartDetailsCorrected, CounterpartEvent, CounterpartJoined};
use smes_domain::funding::{
    CommitmentMade, DisbursementRecorded, ExchangeRateEvent, ExchangeRateRecorded, ExpenditureRecorded,
    InKindContributionEvent, InKindContributionRevalued, InKindContributionValued, InKindContributor, OfferEvent,
    OfferRecorded, OfferSource,
};
use smes_domain::ids::{
    ActivityId, CommitmentId, ConsultationId, ContributionId, CounterpartId, EventId, IndicatorId, NeedId, OfferId,
    RequestId, ReviewId,
};
use smes_domain::member_state::{MemberStateEvent, MemberStateJoined, MemberStateLeft};
use smes_domain::personal_data::SealedPersonalData;
use smes_domain::programme_review::{ProgrammeReviewEvent, ReviewClosed, ReviewFindingsRecorded, ReviewOpened};
use smes_domain::request::{RequestEvent, RequestFollowUp, RequestLinked, RequestReceived, RequestingParty};
use smes_domain::values::{
    ActivityKind, ApprovingBody, Correction, CounterpartKind, Currency, Decision, ExchangeRate, MemberStateCode,
    OfferKind, OutputKind, Period, Priority, Sex, ThematicArea, WorkProgrammeYear,
};
use smes_domain::work_programme::{WorkProgrammeAdopted, WorkProgrammeEvent, WorkProgrammeOpened};

use super::support::{History, day, id, money, start_of};
use crate::envelope::DomainEvent;

/// The ids of the fixture's records.
pub struct Ids {
    pub ministry: CounterpartId,
    pub network: CounterpartId,
    pub consultation: ConsultationId,
    pub financing_need: NeedId,
    pub gender_need: NeedId,
    pub forum: ActivityId,
    pub duplicate: ActivityId,
    pub offer: OfferId,
    pub commitment: CommitmentId,
    pub venue: ContributionId,
    pub indicator: IndicatorId,
    pub review: ReviewId,
    pub request: RequestId,
    pub decision_reference: &'static str,
}

pub fn ids() -> Ids {
    Ids {
        ministry: id(11),
        network: id(12),
        consultation: id(21),
        financing_need: id(31),
        gender_need: id(32),
        forum: id(41),
        duplicate: id(42),
        offer: id(51),
        commitment: id(52),
        venue: id(53),
        indicator: id(61),
        review: id(71),
        request: id(81),
        decision_reference: "SP/CL/XXXVIII.O/DT N° 10",
    }
}

pub fn state(code: &str) -> MemberStateCode {
    MemberStateCode::new(code).unwrap()
}

pub fn year(year: i16) -> WorkProgrammeYear {
    WorkProgrammeYear::new(year).unwrap()
}

fn sealed(person: u128) -> SealedPersonalData {
    SealedPersonalData::new(
        id(person),
        format!("key-{person}"),
        "bm9uY2U=".to_owned(),
        "Y2lwaGVydGV4dA==".to_owned(),
    )
    .unwrap()
}

pub fn council_decision() -> Decision {
    Decision {
        body: ApprovingBody::LatinAmericanCouncil {
            decision_number: "N° 540".to_owned(),
        },
        reference: ids().decision_reference.to_owned(),
        rationale: "answers the financing needs raised in the 2012 consultation".to_owned(),
        decided_on: day(2012, 10, 19),
    }
}

/// The history: Member States, counterparts, a consultation with two needs, the 2013 work
/// programme with one approved and one rejected activity, funding in two currencies with a
/// rate, results with a back-dated correction, and a programme review.
pub fn history() -> History {
    let ids = ids();
    let mut history = History::starting(start_of(day(2012, 9, 1)));
    let forum_period = Period::new(day(2013, 5, 14), day(2013, 5, 16)).unwrap();
    history
        .on(
            day(1975, 10, 17),
            DomainEvent::MemberState(MemberStateEvent::Joined(MemberStateJoined {
                code: state("VE"),
                name: "Venezuela".to_owned(),
                joined_on: Some(day(1975, 10, 17)),
                source: "Panama Convention, 1975".to_owned(),
            })),
        )
        .on(
            day(1975, 10, 17),
            DomainEvent::MemberState(MemberStateEvent::Joined(MemberStateJoined {
                code: state("JM"),
                name: "Jamaica".to_owned(),
                joined_on: Some(day(1975, 10, 17)),
                source: "Panama Convention, 1975".to_owned(),
            })),
        )
        .on(
            day(2012, 9, 3),
            DomainEvent::Counterpart(CounterpartEvent::Joined(CounterpartJoined {
                counterpart: ids.ministry,
                details: CounterpartDetails {
                    name: "Ministerio del Poder Popular para el Comercio".to_owned(),
                    kind: CounterpartKind::Public,
                    member_state: Some(state("VE")),
                    thematic_areas: vec![ThematicArea::Financing, ThematicArea::PublicPolicies],
                },
                focal_point: sealed(901),
                joined_on: day(2012, 9, 3),
            })),
        )
        .on(
            day(2012, 9, 4),
            DomainEvent::Counterpart(CounterpartEvent::Joined(CounterpartJoined {
                counterpart: ids.network,
                details: CounterpartDetails {
                    name: "Red Latinoamericana de Mujeres Empresarias".to_owned(),
                    kind: CounterpartKind::Regional,
                    member_state: None,
                    thematic_areas: vec![ThematicArea::GenderEquality],
                },
                focal_point: sealed(902),
                joined_on: day(2012, 9, 4),
            })),
        )
        .on(
            day(2012, 9, 10),
            DomainEvent::Consultation(ConsultationEvent::Scheduled(ConsultationScheduled {
                consultation: ids.consultation,
                title: "Regional consultation on SME financing".to_owned(),
                scheduled_for: day(2012, 10, 2),
                venue: "Caracas".to_owned(),
            })),
        )
        .on(
            day(2012, 10, 2),
            DomainEvent::Consultation(ConsultationEvent::Held(ConsultationHeld {
                consultation: ids.consultation,
                held_on: day(2012, 10, 2),
                venue: "SELA, Caracas".to_owned(),
                participants: vec![ids.network, ids.ministry],
                minutes_reference: "SP/CR-PYMES/IF-12".to_owned(),
            })),
        )
        .on(
            day(2012, 10, 2),
            DomainEvent::Consultation(ConsultationEvent::NeedIdentified(NeedIdentified {
                consultation: ids.consultation,
                need: ids.financing_need,
                raised_by: vec![ids.ministry],
                thematic_area: ThematicArea::Financing,
                member_states: vec![state("VE"), state("JM")],
                priority: Priority::High,
                description: "guarantee systems for SME credit".to_owned(),
                identified_on: day(2012, 10, 2),
            })),
        )
        .on(
            day(2012, 10, 2),
            DomainEvent::Consultation(ConsultationEvent::NeedIdentified(NeedIdentified {
                consultation: ids.consultation,
                need: ids.gender_need,
                raised_by: vec![ids.network],
                thematic_area: ThematicArea::GenderEquality,
                member_states: vec![state("JM")],
                priority: Priority::Medium,
                description: "training for women entrepreneurs".to_owned(),
                identified_on: day(2012, 10, 2),
            })),
        )
        .on(
            day(2012, 10, 3),
            DomainEvent::Consultation(ConsultationEvent::AchievementsEvaluated(AchievementsEvaluated {
                consultation: ids.consultation,
                subject: EvaluationSubject::Programme,
                findings: "IBERPYME reached 16,000 people; financing remains the main gap".to_owned(),
                ratings: vec![Rating::new("relevance".to_owned(), 5).unwrap()],
                evaluated_on: day(2012, 10, 3),
            })),
        )
        .on(
            day(2012, 10, 5),
            DomainEvent::Consultation(ConsultationEvent::Closed(ConsultationClosed {
                consultation: ids.consultation,
                closed_on: day(2012, 10, 5),
            })),
        )
        .on(
            day(2012, 10, 8),
            DomainEvent::Request(RequestEvent::Received(RequestReceived {
                request: ids.request,
                from: RequestingParty::MemberState {
                    member_state: state("VE"),
                },
                thematic_area: ThematicArea::Financing,
                description: "support for a national guarantee fund".to_owned(),
                received_on: day(2012, 10, 8),
            })),
        )
        .on(
            day(2012, 10, 9),
            DomainEvent::Request(RequestEvent::Linked(RequestLinked {
                request: ids.request,
                follow_up: RequestFollowUp::Need(ids.financing_need),
                linked_on: day(2012, 10, 9),
            })),
        )
        .on(
            day(2012, 10, 10),
            DomainEvent::WorkProgramme(WorkProgrammeEvent::Opened(WorkProgrammeOpened {
                year: year(2013),
                estimated_budget: money(200_000, "USD", day(2012, 10, 10)),
                opened_on: day(2012, 10, 10),
            })),
        )
        .on(
            day(2012, 10, 12),
            DomainEvent::Activity(ActivityEvent::Proposed(ActivityProposed {
                activity: ids.forum,
                kind: ActivityKind::Seminar,
                title: "Regional forum on guarantee systems".to_owned(),
                thematic_area: ThematicArea::Financing,
                answers_needs: vec![ids.financing_need],
                host: state("VE"),
                proposed_by: Proposer::Counterpart(ids.ministry),
                planned: forum_period,
                estimated_cost: money(30_000, "USD", day(2012, 10, 12)),
                proposed_on: day(2012, 10, 12),
            })),
        )
        .on(
            day(2012, 10, 13),
            DomainEvent::Activity(ActivityEvent::Proposed(ActivityProposed {
                activity: ids.duplicate,
                kind: ActivityKind::TrainingWorkshop,
                title: "Workshop on SME credit".to_owned(),
                thematic_area: ThematicArea::Financing,
                answers_needs: vec![ids.financing_need],
                host: state("VE"),
                proposed_by: Proposer::Secretariat,
                planned: forum_period,
                estimated_cost: money(10_000, "USD", day(2012, 10, 13)),
                proposed_on: day(2012, 10, 13),
            })),
        )
        .on(
            day(2012, 10, 13),
            DomainEvent::Activity(ActivityEvent::DuplicateWarningOverridden(DuplicateWarningOverridden {
                activity: ids.duplicate,
                duplicates: vec![ids.forum],
                reason: "different audience: loan officers".to_owned(),
            })),
        )
        .on(
            day(2012, 10, 19),
            DomainEvent::WorkProgramme(WorkProgrammeEvent::Adopted(WorkProgrammeAdopted {
                year: year(2013),
                decision: council_decision(),
            })),
        )
        .on(
            day(2012, 10, 19),
            DomainEvent::Activity(ActivityEvent::Approved(ActivityApproved {
                activity: ids.forum,
                work_programme: year(2013),
                decision: council_decision(),
            })),
        )
        .on(
            day(2012, 10, 19),
            DomainEvent::Activity(ActivityEvent::Rejected(ActivityRejected {
                activity: ids.duplicate,
                rationale: "covered by the regional forum".to_owned(),
                decided_on: day(2012, 10, 19),
            })),
        )
        .on(
            day(2013, 1, 15),
            DomainEvent::Offer(OfferEvent::Recorded(OfferRecorded {
                offer: ids.offer,
                source: OfferSource::SelaRegularBudget,
                kind: OfferKind::Money,
                amount: money(50_000, "USD", day(2013, 1, 15)),
                purpose: "2013 SME programme".to_owned(),
                recorded_on: day(2013, 1, 15),
            })),
        )
        .on(
            day(2013, 2, 1),
            DomainEvent::Offer(OfferEvent::CommitmentMade(CommitmentMade {
                offer: ids.offer,
                commitment: ids.commitment,
                activity: ids.forum,
                amount: money(20_000, "USD", day(2013, 2, 1)),
                amount_in_offer_currency: money(20_000, "USD", day(2013, 2, 1)),
                exchange_rate: None,
                committed_on: day(2013, 2, 1),
            })),
        )
        .on(
            day(2013, 3, 1),
            DomainEvent::ExchangeRate(ExchangeRateEvent::Recorded(ExchangeRateRecorded {
                rate: ExchangeRate::new(
                    Currency::new("VEF").unwrap(),
                    Currency::USD,
                    Decimal::new(159, 3),
                    day(2013, 3, 1),
                    "BCV official rate".to_owned(),
                )
                .unwrap(),
            })),
        )
        .on(
            day(2013, 4, 2),
            DomainEvent::InKindContribution(InKindContributionEvent::Valued(InKindContributionValued {
                contribution: ids.venue,
                activity: ids.forum,
                contributor: InKindContributor::MemberState {
                    member_state: state("VE"),
                },
                what: "conference venue and interpretation".to_owned(),
                value: money(40_000, "VEF", day(2013, 4, 2)),
                valued_on: day(2013, 4, 2),
            })),
        )
        .on(
            day(2013, 4, 20),
            DomainEvent::Offer(OfferEvent::DisbursementRecorded(DisbursementRecorded {
                offer: ids.offer,
                commitment: ids.commitment,
                amount: money(15_000, "USD", day(2013, 4, 20)),
                disbursed_on: day(2013, 4, 20),
            })),
        )
        .on(
            day(2013, 5, 14),
            DomainEvent::Activity(ActivityEvent::Held(ActivityHeld {
                activity: ids.forum,
                held: forum_period,
                participants: ParticipantCounts {
                    by_sex: vec![
                        SexShare {
                            sex: Sex::Female,
                            value: 48,
                        },
                        SexShare {
                            sex: Sex::Male,
                            value: 37,
                        },
                    ],
                    by_member_state: vec![
                        MemberStateShare {
                            member_state: state("VE"),
                            value: 60,
                        },
                        MemberStateShare {
                            member_state: state("JM"),
                            value: 25,
                        },
                    ],
                },
                outputs: vec![Output {
                    kind: OutputKind::Report,
                    title: "Guarantee systems in the region".to_owned(),
                    link: "https://www.sela.org/pymes/2013/garantias".to_owned(),
                }],
            })),
        )
        .on(
            day(2013, 5, 17),
            DomainEvent::Offer(OfferEvent::ExpenditureRecorded(ExpenditureRecorded {
                offer: ids.offer,
                commitment: ids.commitment,
                amount: money(12_500, "USD", day(2013, 5, 17)),
                description: "speakers' travel".to_owned(),
                spent_on: day(2013, 5, 17),
            })),
        )
        .on(
            day(2013, 5, 20),
            DomainEvent::Activity(ActivityEvent::IndicatorDefined(IndicatorDefined {
                activity: ids.forum,
                indicator: ids.indicator,
                name: "officials trained".to_owned(),
                unit: "people".to_owned(),
                baseline: Decimal::ZERO,
                target: Decimal::from(80),
                higher_is_better: true,
                defined_on: day(2013, 5, 20),
            })),
        )
        .on(
            day(2013, 6, 30),
            DomainEvent::Activity(ActivityEvent::ResultRecorded(ResultRecorded {
                activity: ids.forum,
                indicator: ids.indicator,
                period: forum_period,
                value: Decimal::from(75),
                by_sex: Vec::new(),
                by_member_state: Vec::new(),
            })),
        );
    let result_event = EventId::new(history.event_id(history.envelopes.len() as u64)).unwrap();
    let valuation_event = EventId::new(history.event_id(23)).unwrap();
    let joining_event = EventId::new(history.event_id(3)).unwrap();
    history
        .on(
            day(2013, 6, 1),
            DomainEvent::Activity(ActivityEvent::ResultCorrected(ResultCorrected {
                activity: ids.forum,
                indicator: ids.indicator,
                period: forum_period,
                value: Decimal::from(85),
                by_sex: Vec::new(),
                by_member_state: Vec::new(),
                correction: Correction {
                    corrects: result_event,
                    reason: "late attendance sheets from Jamaica".to_owned(),
                    effective_from: day(2013, 6, 1),
                },
            })),
        )
        .on(
            day(2013, 4, 2),
            DomainEvent::InKindContribution(InKindContributionEvent::Revalued(InKindContributionRevalued {
                contribution: ids.venue,
                value: money(45_000, "VEF", day(2013, 4, 2)),
                correction: Correction {
                    corrects: valuation_event,
                    reason: "interpretation invoiced separately".to_owned(),
                    effective_from: day(2013, 4, 2),
                },
            })),
        )
        .on(
            day(2013, 7, 1),
            DomainEvent::Counterpart(CounterpartEvent::DetailsCorrected(CounterpartDetailsCorrected {
                counterpart: ids.ministry,
                details: CounterpartDetails {
                    name: "Ministerio del Poder Popular para el Comercio".to_owned(),
                    kind: CounterpartKind::Public,
                    member_state: Some(state("VE")),
                    thematic_areas: vec![
                        ThematicArea::Financing,
                        ThematicArea::PublicPolicies,
                        ThematicArea::Internationalization,
                    ],
                },
                correction: Correction {
                    corrects: joining_event,
                    reason: "internationalization omitted at registration".to_owned(),
                    effective_from: day(2013, 7, 1),
                },
            })),
        )
        .on(
            day(2013, 11, 4),
            DomainEvent::ProgrammeReview(ProgrammeReviewEvent::Opened(ReviewOpened {
                review: ids.review,
                period: Period::new(day(2013, 1, 1), day(2013, 12, 31)).unwrap(),
                opened_on: day(2013, 11, 4),
            })),
        )
        .on(
            day(2013, 11, 20),
            DomainEvent::ProgrammeReview(ProgrammeReviewEvent::FindingsRecorded(ReviewFindingsRecorded {
                review: ids.review,
                findings: vec!["the forum exceeded its target".to_owned()],
                recommendations: vec!["repeat the forum in the Caribbean".to_owned()],
                recorded_on: day(2013, 11, 20),
            })),
        )
        .on(
            day(2013, 12, 2),
            DomainEvent::ProgrammeReview(ProgrammeReviewEvent::Closed(ReviewClosed {
                review: ids.review,
                closed_on: day(2013, 12, 2),
            })),
        )
        .on(
            day(2017, 1, 1),
            DomainEvent::MemberState(MemberStateEvent::Left(MemberStateLeft {
                code: state("JM"),
                left_on: None,
                source: "listed in October 2017, absent by November 2021".to_owned(),
            })),
        );
    history
}
