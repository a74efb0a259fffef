//! The registers built from a small log made by hand: where each need stands and how the cut
//! and the filters change it, the directory's groupings, corrections, withdrawals and
//! membership history with no focal point, and the evaluation history's order and needs.

use jiff::civil::{Date, date};
use rust_decimal::Decimal;
use smes_domain::activity::{ActivityApproved, ActivityEvent, ActivityProposed, ActivityRejected, Proposer};
use smes_domain::consultation::{
    AchievementsEvaluated, ConsultationEvent, ConsultationHeld, ConsultationScheduled, EvaluationSubject,
    NeedIdentified, Rating,
};
use smes_domain::counterpart::{
    CounterpartDetails, CounterpartDetailsCorrected, CounterpartEvent, CounterpartJoined, CounterpartWithdrew,
};
use smes_domain::ids::{ActivityId, ConsultationId, CounterpartId, EventId, NeedId, PersonId, ReviewId};
use smes_domain::member_state::{MemberStateEvent, MemberStateJoined, MemberStateLeft};
use smes_domain::personal_data::SealedPersonalData;
use smes_domain::programme_review::{ProgrammeReviewEvent, ReviewOpened};
use smes_domain::values::{
    ActivityKind, ApprovingBody, Correction, CounterpartKind, Currency, Decision, Money, Period, Priority,
    ThematicArea, WorkProgrammeYear,
};
use smes_projections::{Cut, DomainEvent};

use super::counterparts::{self, DirectoryFilter, DirectoryRequest};
use super::history::{self, HistoryRow};
use super::needs::{self, NeedsFilter, NeedsRequest};
use crate::hand_log::{Log, state, uuid};

fn need(number: u128) -> NeedId {
    NeedId::new(uuid(0x4E00 + number)).unwrap()
}

fn counterpart(number: u128) -> CounterpartId {
    CounterpartId::new(uuid(0xC000 + number)).unwrap()
}

fn activity(number: u128) -> ActivityId {
    ActivityId::new(uuid(0xAC00 + number)).unwrap()
}

fn consultation() -> ConsultationId {
    ConsultationId::new(uuid(0xC500)).unwrap()
}

fn details(
    name: &str,
    kind: CounterpartKind,
    member_state: Option<&str>,
    areas: &[ThematicArea],
) -> CounterpartDetails {
    CounterpartDetails {
        name: name.to_owned(),
        kind,
        member_state: member_state.map(state),
        thematic_areas: areas.to_vec(),
    }
}

fn joined(number: u128, details: CounterpartDetails, on: Date) -> DomainEvent {
    let focal_point = SealedPersonalData::new(
        PersonId::new(uuid(0xFE00 + number)).unwrap(),
        format!("focal-key-{number}"),
        "bm9uY2U=".to_owned(),
        "Y2lwaGVydGV4dA==".to_owned(),
    )
    .unwrap();
    DomainEvent::Counterpart(CounterpartEvent::Joined(CounterpartJoined {
        counterpart: counterpart(number),
        details,
        focal_point,
        joined_on: on,
    }))
}

fn identify(number: u128, raised_by: u128, area: ThematicArea, states: &[&str], priority: Priority) -> DomainEvent {
    DomainEvent::Consultation(ConsultationEvent::NeedIdentified(NeedIdentified {
        consultation: consultation(),
        need: need(number),
        raised_by: vec![counterpart(raised_by)],
        thematic_area: area,
        member_states: states.iter().map(|code| state(code)).collect(),
        priority,
        description: format!("Need {number}"),
        identified_on: date(2012, 11, 1),
    }))
}

fn propose(number: u128, answers: u128, on: Date) -> DomainEvent {
    let cost = Money::new(Decimal::from(1000), Currency::new("USD").unwrap(), on).unwrap();
    DomainEvent::Activity(ActivityEvent::Proposed(ActivityProposed {
        activity: activity(number),
        kind: ActivityKind::Seminar,
        title: format!("Activity {number}"),
        thematic_area: ThematicArea::Financing,
        answers_needs: vec![need(answers)],
        host: state("VE"),
        proposed_by: Proposer::Secretariat,
        planned: Period::new(date(2013, 4, 1), date(2013, 4, 2)).unwrap(),
        estimated_cost: cost,
        proposed_on: on,
    }))
}

/// Venezuela joins and leaves, Peru joins on no given date; a national and a regional
/// counterpart (the national one renamed from March 2013, the regional one withdrawing in May
/// 2013); one consultation raising three needs, one answered by an activity approved in
/// February 2013, one cited only by a rejected activity, one cited by none; one review.
fn log() -> Log {
    let mut log = Log::default();
    log.on(
        date(2012, 1, 1),
        DomainEvent::MemberState(MemberStateEvent::Joined(MemberStateJoined {
            code: state("VE"),
            name: "Venezuela".to_owned(),
            joined_on: Some(date(1976, 6, 7)),
            source: "the Panama Convention".to_owned(),
        })),
    )
    .on(
        date(2012, 1, 1),
        DomainEvent::MemberState(MemberStateEvent::Joined(MemberStateJoined {
            code: state("PE"),
            name: "Peru".to_owned(),
            joined_on: None,
            source: "a list of members".to_owned(),
        })),
    )
    .on(
        date(2012, 2, 1),
        joined(
            1,
            details(
                "Zeta Fund",
                CounterpartKind::Public,
                Some("VE"),
                &[ThematicArea::Financing],
            ),
            date(2012, 2, 1),
        ),
    )
    .on(
        date(2012, 2, 1),
        joined(
            2,
            details(
                "Andean Network",
                CounterpartKind::Regional,
                None,
                &[ThematicArea::Financing, ThematicArea::Entrepreneurship],
            ),
            date(2012, 2, 1),
        ),
    )
    .on(
        date(2012, 10, 1),
        DomainEvent::Consultation(ConsultationEvent::Scheduled(ConsultationScheduled {
            consultation: consultation(),
            title: "Consultation on financing".to_owned(),
            scheduled_for: date(2012, 11, 1),
            venue: "Caracas".to_owned(),
        })),
    )
    .on(
        date(2012, 11, 1),
        DomainEvent::Consultation(ConsultationEvent::Held(ConsultationHeld {
            consultation: consultation(),
            held_on: date(2012, 11, 1),
            venue: "Caracas".to_owned(),
            participants: vec![counterpart(2), counterpart(1)],
            minutes_reference: "SP/Acta 1-12".to_owned(),
        })),
    )
    .on(
        date(2012, 11, 1),
        identify(1, 1, ThematicArea::Financing, &["VE"], Priority::High),
    )
    .on(
        date(2012, 11, 1),
        identify(2, 2, ThematicArea::Entrepreneurship, &["PE", "VE"], Priority::Low),
    )
    .on(
        date(2012, 11, 1),
        identify(3, 1, ThematicArea::Financing, &["PE"], Priority::Medium),
    )
    .on(
        date(2012, 11, 1),
        DomainEvent::Consultation(ConsultationEvent::AchievementsEvaluated(AchievementsEvaluated {
            consultation: consultation(),
            subject: EvaluationSubject::Programme,
            findings: "Relevant".to_owned(),
            ratings: vec![Rating::new("relevance".to_owned(), 4).unwrap()],
            evaluated_on: date(2012, 11, 1),
        })),
    )
    .on(date(2013, 1, 10), propose(1, 1, date(2013, 1, 10)))
    .on(date(2013, 1, 10), propose(2, 3, date(2013, 1, 10)))
    .on(
        date(2013, 1, 15),
        DomainEvent::ProgrammeReview(ProgrammeReviewEvent::Opened(ReviewOpened {
            review: ReviewId::new(uuid(0xE501)).unwrap(),
            period: Period::new(date(2012, 1, 1), date(2012, 12, 31)).unwrap(),
            opened_on: date(2013, 1, 15),
        })),
    )
    .on(
        date(2013, 2, 1),
        DomainEvent::Activity(ActivityEvent::Approved(ActivityApproved {
            activity: activity(1),
            work_programme: WorkProgrammeYear::new(2013).unwrap(),
            decision: Decision {
                body: ApprovingBody::PermanentSecretariat,
                reference: "SP/Di 1-13".to_owned(),
                rationale: "Answers need 1".to_owned(),
                decided_on: date(2013, 2, 1),
            },
        })),
    )
    .on(
        date(2013, 2, 1),
        DomainEvent::Activity(ActivityEvent::Rejected(ActivityRejected {
            activity: activity(2),
            rationale: "Out of scope".to_owned(),
            decided_on: date(2013, 2, 1),
        })),
    );
    let corrects = EventId::new(log.envelopes[2].event_id).unwrap();
    log.on(
        date(2013, 3, 1),
        DomainEvent::Counterpart(CounterpartEvent::DetailsCorrected(CounterpartDetailsCorrected {
            counterpart: counterpart(1),
            details: details(
                "Alpha Fund",
                CounterpartKind::Public,
                Some("VE"),
                &[ThematicArea::Financing],
            ),
            correction: Correction {
                corrects,
                reason: "Renamed".to_owned(),
                effective_from: date(2013, 3, 1),
            },
        })),
    )
    .on(
        date(2013, 5, 1),
        DomainEvent::Counterpart(CounterpartEvent::Withdrew(CounterpartWithdrew {
            counterpart: counterpart(2),
            withdrew_on: date(2013, 5, 1),
            reason: "Dissolved".to_owned(),
        })),
    )
    .on(
        date(2013, 6, 1),
        DomainEvent::MemberState(MemberStateEvent::Left(MemberStateLeft {
            code: state("VE"),
            left_on: Some(date(2013, 6, 1)),
            source: "a note verbale".to_owned(),
        })),
    );
    log
}

fn register(cut: Cut, areas: &[&str], countries: &[&str], statuses: &[&str]) -> needs::NeedsReport {
    let list = |values: &[&str]| values.iter().map(|value| (*value).to_owned()).collect::<Vec<_>>();
    let filter = NeedsFilter::parse(&list(areas), &list(countries), &list(statuses)).unwrap();
    needs::build(&log().slice(), &NeedsRequest { cut, filter }).unwrap()
}

/// Each need's id suffix and status, in the register's order.
fn statuses(report: &needs::NeedsReport) -> Vec<(String, String)> {
    report
        .needs
        .iter()
        .map(|row| (row.description.clone(), row.status.clone()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(need, status)| ((*need).to_owned(), (*status).to_owned()))
        .collect()
}

#[test]
fn each_need_stands_where_its_activities_stand_under_the_cut() {
    // High priority first, then medium, then low.
    let whole = register(Cut::default(), &[], &[], &[]);
    assert_eq!(
        statuses(&whole),
        pairs(&[
            ("Need 1", "answered"),
            ("Need 3", "unanswered"),
            ("Need 2", "unanswered")
        ])
    );
    assert_eq!(
        (whole.total.needs, whole.total.answered, whole.total.unanswered),
        (3, 1, 2)
    );
    let first = &whole.needs[0];
    assert_eq!(first.consultation, "Consultation on financing");
    assert_eq!(first.raised_by[0].name, "Alpha Fund");
    assert_eq!(first.activities[0].status, "approved");
    assert_eq!(first.identified_on, "2012-11-01");
    // Before the decisions, both cited needs are open; before the proposals, none is cited.
    let january = register(Cut::as_of(date(2013, 1, 20)), &[], &[], &[]);
    assert_eq!(
        statuses(&january),
        pairs(&[("Need 1", "open"), ("Need 3", "open"), ("Need 2", "unanswered")])
    );
    assert_eq!(
        january.needs[0].raised_by[0].name, "Zeta Fund",
        "the name before its correction"
    );
    let december = register(Cut::at_position(10), &[], &[], &[]);
    assert!(december.needs.iter().all(|row| row.status == "unanswered"));
    assert_eq!(december.selection.cut, "at position 10");
}

#[test]
fn the_register_filters_by_area_member_state_and_status() {
    let financing = register(Cut::default(), &["financing"], &[], &[]);
    assert_eq!(
        statuses(&financing),
        pairs(&[("Need 1", "answered"), ("Need 3", "unanswered")])
    );
    assert_eq!(financing.by_thematic_area.len(), 1);
    assert_eq!(financing.selection.areas, ["financing"]);
    let peru = register(Cut::default(), &[], &["pe"], &[]);
    assert_eq!(
        statuses(&peru),
        pairs(&[("Need 3", "unanswered"), ("Need 2", "unanswered")])
    );
    let unanswered_in_venezuela = register(Cut::default(), &[], &["VE"], &["unanswered"]);
    assert_eq!(statuses(&unanswered_in_venezuela), pairs(&[("Need 2", "unanswered")]));
    // A need concerning two states is counted under each.
    let whole = register(Cut::default(), &[], &[], &["answered,unanswered"]);
    let counts: Vec<(&str, usize)> = whole
        .by_member_state
        .iter()
        .map(|count| (count.key.as_str(), count.needs))
        .collect();
    assert_eq!(counts, [("PE", 2), ("VE", 2)]);
    let error = NeedsFilter::parse(&[], &[], &["approved".to_owned()])
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("--status: \"approved\"") && error.contains("answered, open, unanswered"),
        "{error}"
    );
}

fn directory(cut: Cut, areas: &[&str], countries: &[&str]) -> counterparts::DirectoryReport {
    let list = |values: &[&str]| values.iter().map(|value| (*value).to_owned()).collect::<Vec<_>>();
    let filter = DirectoryFilter::parse(&list(areas), &list(countries)).unwrap();
    counterparts::build(&log().slice(), &DirectoryRequest { cut, filter }).unwrap()
}

#[test]
fn the_directory_groups_organisations_and_keeps_membership_history() {
    let whole = directory(Cut::default(), &[], &[]);
    let names: Vec<(&str, &str)> = whole
        .counterparts
        .iter()
        .map(|row| (row.name.as_str(), row.status.as_str()))
        .collect();
    assert_eq!(names, [("Alpha Fund", "active"), ("Andean Network", "withdrawn")]);
    let alpha = &whole.counterparts[0];
    assert_eq!(alpha.corrections.len(), 1);
    assert_eq!(alpha.corrections[0].effective_from, "2013-03-01");
    assert_eq!(whole.counterparts[1].withdrawal_reason.as_deref(), Some("Dissolved"));
    assert_eq!(whole.by_member_state.len(), 1);
    assert_eq!(whole.by_member_state[0].label, "Venezuela");
    assert_eq!(whole.by_member_state[0].counterparts, [counterpart(1).to_string()]);
    assert_eq!(whole.regional_or_international, [counterpart(2).to_string()]);
    let areas: Vec<(&str, usize)> = whole
        .by_thematic_area
        .iter()
        .map(|group| (group.key.as_str(), group.counterparts.len()))
        .collect();
    assert_eq!(areas, [("financing", 2), ("entrepreneurship", 1)]);
    let states: Vec<(&str, bool, usize)> = whole
        .member_states
        .iter()
        .map(|row| (row.code.as_str(), row.member, row.history.len()))
        .collect();
    assert_eq!(states, [("PE", true, 1), ("VE", false, 2)]);
    assert_eq!(whole.member_states[0].history[0].on, None);
    // Under an earlier cut: the first name, still active, still a member.
    let february = directory(Cut::as_of(date(2013, 2, 1)), &[], &[]);
    assert_eq!(february.counterparts[1].name, "Zeta Fund");
    assert!(february.counterparts[1].corrections.is_empty());
    assert_eq!(february.counterparts[0].status, "active");
    assert!(february.member_states.iter().all(|row| row.member));
    // Filters.
    let entrepreneurship = directory(Cut::default(), &["entrepreneurship"], &[]);
    assert_eq!(entrepreneurship.counterparts.len(), 1);
    assert_eq!(entrepreneurship.counterparts[0].name, "Andean Network");
    let peru = directory(Cut::default(), &[], &["PE"]);
    assert!(peru.counterparts.is_empty());
    assert_eq!(peru.member_states.len(), 1);
    // No focal point, not even by reference.
    let json = whole.to_json().unwrap();
    assert!(
        !json.contains("focal") && !json.contains(&uuid(0xFE01).to_string()),
        "{json}"
    );
}

#[test]
fn the_history_lists_consultations_and_reviews_by_date_with_their_needs() {
    let report = history::build(&log().slice(), &Cut::default()).unwrap();
    assert_eq!(report.items.len(), 2);
    let HistoryRow::Consultation {
        date: held,
        consultation,
    } = &report.items[0]
    else {
        panic!("a consultation first: {:?}", report.items[0]);
    };
    assert_eq!(held.as_deref(), Some("2012-11-01"));
    assert_eq!(consultation.title, "Consultation on financing");
    let participants: Vec<&str> = consultation
        .participants
        .iter()
        .map(|organisation| organisation.name.as_str())
        .collect();
    assert_eq!(participants, ["Alpha Fund", "Andean Network"]);
    assert_eq!(consultation.evaluations[0].subject, "programme");
    assert_eq!(consultation.evaluations[0].ratings[0].score, 4);
    assert_eq!(consultation.evaluations[0].ratings[0].label, "satisfactory");
    // The needs in the order raised, each with what became of it.
    let needs: Vec<(&str, &str)> = consultation
        .needs
        .iter()
        .map(|row| (row.description.as_str(), row.status.as_str()))
        .collect();
    assert_eq!(
        needs,
        [
            ("Need 1", "answered"),
            ("Need 2", "unanswered"),
            ("Need 3", "unanswered")
        ]
    );
    let HistoryRow::Review { date: opened, review } = &report.items[1] else {
        panic!("then the review: {:?}", report.items[1]);
    };
    assert_eq!(opened.as_deref(), Some("2013-01-15"));
    assert_eq!(review.status, "open");
    assert_eq!(review.period_to.as_deref(), Some("2012-12-31"));
    assert_eq!(
        (
            report.counts.consultations,
            report.counts.reviews,
            report.counts.needs,
            report.counts.answered
        ),
        (1, 1, 3, 1)
    );
    // Before the review was opened it is not there; the JSON names each item's kind.
    let before = history::build(&log().slice(), &Cut::as_of(date(2013, 1, 14))).unwrap();
    assert_eq!(before.items.len(), 1);
    let json = before.to_json().unwrap();
    assert!(json.contains(r#""kind": "consultation""#), "{json}");
    assert!(json.contains(r#""report": "evaluation-history""#));
}
