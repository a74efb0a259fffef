//! Indicators and results.

use rust_decimal::Decimal;

use super::*;

fn define(indicator: u128) -> ActivityCommand {
    ActivityCommand::DefineIndicator(DefineIndicator {
        activity: activity_id(1),
        indicator: indicator_id(indicator),
        name: "SME officials trained in guarantee schemes".to_owned(),
        unit: "people".to_owned(),
        baseline: Decimal::ZERO,
        target: Decimal::from(50),
        higher_is_better: true,
        defined_on: day(2013, 2, 1),
    })
}

fn defined(indicator: u128) -> ActivityEvent {
    ActivityEvent::IndicatorDefined(IndicatorDefined {
        activity: activity_id(1),
        indicator: indicator_id(indicator),
        name: "SME officials trained in guarantee schemes".to_owned(),
        unit: "people".to_owned(),
        baseline: Decimal::ZERO,
        target: Decimal::from(50),
        higher_is_better: true,
        defined_on: day(2013, 2, 1),
    })
}

fn by_sex(female: i64, male: i64) -> Vec<SexShare<Decimal>> {
    vec![
        SexShare {
            sex: Sex::Female,
            value: Decimal::from(female),
        },
        SexShare {
            sex: Sex::Male,
            value: Decimal::from(male),
        },
    ]
}

fn by_state(peru: i64, bolivia: i64) -> Vec<MemberStateShare<Decimal>> {
    vec![
        MemberStateShare {
            member_state: state("PE"),
            value: Decimal::from(peru),
        },
        MemberStateShare {
            member_state: state("BO"),
            value: Decimal::from(bolivia),
        },
    ]
}

fn record(value: i64, correction: Option<Correction>) -> RecordResult {
    RecordResult {
        activity: activity_id(1),
        indicator: indicator_id(30),
        period: may_2013(),
        value: Decimal::from(value),
        by_sex: by_sex(31, value - 31),
        by_member_state: by_state(40, value - 40),
        correction,
        membership: members(),
    }
}

fn recorded() -> ActivityEvent {
    ActivityEvent::ResultRecorded(ResultRecorded {
        activity: activity_id(1),
        indicator: indicator_id(30),
        period: may_2013(),
        value: Decimal::from(58),
        by_sex: by_sex(31, 27),
        by_member_state: by_state(40, 18),
    })
}

fn correction() -> Correction {
    Correction {
        corrects: event_id(77),
        reason: "attendance sheets of the second day were missing".to_owned(),
        effective_from: day(2013, 5, 22),
    }
}

fn held_history() -> Vec<ActivityEvent> {
    vec![proposed(), approved(), held(), defined(30)]
}

#[test]
fn indicators_are_defined_once_for_a_live_activity() {
    let state = ActivityDecider::given([proposed()])
        .when(define(30))
        .then([defined(30)]);
    assert_eq!(state.record.unwrap().indicators, [indicator_id(30)]);
    ActivityDecider::given([proposed(), defined(30)])
        .when(define(30))
        .then_error(DomainError::IndicatorAlreadyDefined {
            activity: activity_id(1),
            indicator: indicator_id(30),
        });
    ActivityDecider::given([proposed(), rejected()])
        .when(define(30))
        .then_error(DomainError::ActivityRejected {
            activity: activity_id(1),
        });
}

#[test]
fn indicators_have_a_name_and_a_unit() {
    let ActivityCommand::DefineIndicator(mut command) = define(30) else {
        unreachable!()
    };
    command.unit.clear();
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::DefineIndicator(command.clone()))
        .then_error(DomainError::EmptyField {
            field: "indicator unit",
        });
    command.name.clear();
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::DefineIndicator(command))
        .then_error(DomainError::EmptyField {
            field: "indicator name",
        });
}

#[test]
fn results_are_recorded_by_period_against_a_defined_indicator_of_a_held_activity() {
    let state = ActivityDecider::given(held_history())
        .when(ActivityCommand::RecordResult(record(58, None)))
        .then([recorded()]);
    assert_eq!(state.record.unwrap().results, [(indicator_id(30), may_2013())]);
    ActivityDecider::given([proposed(), approved(), held()])
        .when(ActivityCommand::RecordResult(record(58, None)))
        .then_error(DomainError::IndicatorNotDefined {
            activity: activity_id(1),
            indicator: indicator_id(30),
        });
    ActivityDecider::given([proposed(), approved(), defined(30)])
        .when(ActivityCommand::RecordResult(record(58, None)))
        .then_error(DomainError::ActivityNotHeld {
            activity: activity_id(1),
        });
}

#[test]
fn a_result_is_recorded_once_per_period_and_then_corrected() {
    let mut history = held_history();
    history.push(recorded());
    ActivityDecider::given(history.clone())
        .when(ActivityCommand::RecordResult(record(58, None)))
        .then_error(DomainError::ResultAlreadyRecorded {
            activity: activity_id(1),
            indicator: indicator_id(30),
            period: may_2013(),
        });
    ActivityDecider::given(history)
        .when(ActivityCommand::RecordResult(record(61, Some(correction()))))
        .then([ActivityEvent::ResultCorrected(ResultCorrected {
            activity: activity_id(1),
            indicator: indicator_id(30),
            period: may_2013(),
            value: Decimal::from(61),
            by_sex: by_sex(31, 30),
            by_member_state: by_state(40, 21),
            correction: correction(),
        })]);
}

#[test]
fn only_a_recorded_result_is_corrected_and_with_a_reason() {
    ActivityDecider::given(held_history())
        .when(ActivityCommand::RecordResult(record(61, Some(correction()))))
        .then_error(DomainError::ResultNotRecorded {
            activity: activity_id(1),
            indicator: indicator_id(30),
            period: may_2013(),
        });
    let mut history = held_history();
    history.push(recorded());
    let mut without_reason = correction();
    without_reason.reason.clear();
    ActivityDecider::given(history)
        .when(ActivityCommand::RecordResult(record(61, Some(without_reason))))
        .then_error(DomainError::EmptyField {
            field: "correction reason",
        });
}

#[test]
fn breakdowns_add_up_to_the_value_when_given() {
    let mut command = record(58, None);
    command.by_member_state = by_state(40, 10);
    ActivityDecider::given(held_history())
        .when(ActivityCommand::RecordResult(command.clone()))
        .then_error(DomainError::BreakdownDoesNotAddUp {
            activity: activity_id(1),
            indicator: indicator_id(30),
            breakdown: "by Member State",
            total: Decimal::from(50),
            value: Decimal::from(58),
        });
    command.by_member_state.clear();
    command.by_sex = by_sex(1, 1);
    ActivityDecider::given(held_history())
        .when(ActivityCommand::RecordResult(command.clone()))
        .then_error(DomainError::BreakdownDoesNotAddUp {
            activity: activity_id(1),
            indicator: indicator_id(30),
            breakdown: "by sex",
            total: Decimal::from(2),
            value: Decimal::from(58),
        });
    command.by_sex.clear();
    ActivityDecider::given(held_history())
        .when(ActivityCommand::RecordResult(command))
        .then([ActivityEvent::ResultRecorded(ResultRecorded {
            activity: activity_id(1),
            indicator: indicator_id(30),
            period: may_2013(),
            value: Decimal::from(58),
            by_sex: vec![],
            by_member_state: vec![],
        })]);
}

#[test]
fn each_member_state_appears_once_in_a_breakdown() {
    let mut command = record(58, None);
    command.by_member_state[1].member_state = state("PE");
    ActivityDecider::given(held_history())
        .when(ActivityCommand::RecordResult(command))
        .then_error(DomainError::DuplicateEntry {
            field: "result by member state",
            value: "PE".to_owned(),
        });
}

#[test]
fn a_result_by_member_state_names_member_states_only() {
    let mut command = record(58, None);
    command.by_member_state[1].member_state = state("US");
    let refused = ActivityDecider::given(held_history())
        .when(ActivityCommand::RecordResult(command))
        .then_refused();
    assert!(
        refused
            .to_string()
            .starts_with("record-result: by_member_state `US` is not a Member State of SELA on 2013-05-"),
        "{refused}"
    );
}
