use rust_decimal::Decimal;

use crate::decider::Decider;
use crate::error::DomainError;
use crate::funding::*;
use crate::ids::ContributionId;
use crate::testing::DeciderTesting;
use crate::testing::fixtures::*;
use crate::values::{Correction, ExchangeRate};

fn contribution() -> ContributionId {
    ContributionId::new(uuid::Uuid::from_u128(60)).unwrap()
}

fn value(what: &str) -> InKindContributionCommand {
    InKindContributionCommand::Value(ValueInKindContribution {
        contribution: contribution(),
        activity: activity_id(7),
        contributor: InKindContributor::MemberState {
            member_state: state("PE"),
        },
        what: what.to_owned(),
        value: money(8_000, "USD"),
        valued_on: day(2013, 5, 22),
        membership: members(),
    })
}

fn valued() -> InKindContributionEvent {
    InKindContributionEvent::Valued(InKindContributionValued {
        contribution: contribution(),
        activity: activity_id(7),
        contributor: InKindContributor::MemberState {
            member_state: state("PE"),
        },
        what: "conference venue and interpretation".to_owned(),
        value: money(8_000, "USD"),
        valued_on: day(2013, 5, 22),
    })
}

fn correction(reason: &str) -> Correction {
    Correction {
        corrects: event_id(90),
        reason: reason.to_owned(),
        effective_from: day(2013, 5, 22),
    }
}

fn revalue(reason: &str) -> InKindContributionCommand {
    InKindContributionCommand::Revalue(RevalueInKindContribution {
        contribution: contribution(),
        value: money(9_500, "USD"),
        correction: correction(reason),
    })
}

#[test]
fn an_in_kind_contribution_is_valued_once_then_revalued_by_correction() {
    InKindContributionDecider::given([])
        .when(value("conference venue and interpretation"))
        .then([valued()]);
    InKindContributionDecider::given([valued()])
        .when(value("conference venue and interpretation"))
        .then_error(DomainError::ContributionAlreadyValued {
            contribution: contribution(),
        });
    let state = InKindContributionDecider::given([valued()])
        .when(revalue("interpretation invoice came in higher"))
        .then([InKindContributionEvent::Revalued(InKindContributionRevalued {
            contribution: contribution(),
            value: money(9_500, "USD"),
            correction: correction("interpretation invoice came in higher"),
        })]);
    assert_eq!(state.value, Some(money(9_500, "USD")));
}

#[test]
fn an_in_kind_contribution_says_what_it_is_and_is_revalued_with_a_reason() {
    InKindContributionDecider::given([])
        .when(value(""))
        .then_error(DomainError::EmptyField {
            field: "in-kind contribution description",
        });
    InKindContributionDecider::given([])
        .when(revalue("late invoice"))
        .then_error(DomainError::ContributionNotValued {
            contribution: contribution(),
        });
    InKindContributionDecider::given([valued()])
        .when(revalue(" "))
        .then_error(DomainError::EmptyField {
            field: "correction reason",
        });
}

#[test]
fn an_organisation_gives_in_kind_under_its_own_name() {
    let bank = InKindContributor::Counterpart { id: counterpart_id(4) };
    let InKindContributionCommand::Value(mut command) = value("venue lent by the development bank") else {
        unreachable!("value() values")
    };
    command.contributor = bank;
    let state = InKindContributionDecider::given([])
        .when(InKindContributionCommand::Value(command))
        .then([InKindContributionEvent::Valued(InKindContributionValued {
            contribution: contribution(),
            activity: activity_id(7),
            contributor: bank,
            what: "venue lent by the development bank".to_owned(),
            value: money(8_000, "USD"),
            valued_on: day(2013, 5, 22),
        })]);
    assert_eq!(state.value, Some(money(8_000, "USD")));
    assert_eq!(bank.to_string(), format!("counterpart {}", counterpart_id(4)));
    let source = InKindContributor::CooperationSource { id: source_id(5) };
    assert_eq!(source.to_string(), format!("cooperation source {}", source_id(5)));
}

#[test]
fn a_member_state_gives_in_kind_only_while_it_is_one() {
    let InKindContributionCommand::Value(mut command) = value("venue") else {
        unreachable!("value() values")
    };
    command.contributor = InKindContributor::MemberState {
        member_state: state("US"),
    };
    let refused = InKindContributionDecider::given([])
        .when(InKindContributionCommand::Value(command))
        .then_refused();
    assert!(
        refused.to_string().starts_with(
            "value-in-kind-contribution: contributor.member_state `US` is not a Member State of SELA on 2013-05-22"
        ),
        "{refused}"
    );
}

fn bolivar_rate(date: jiff::civil::Date, per_unit: i64, source: &str) -> ExchangeRate {
    ExchangeRate::new(
        currency("VEF"),
        currency("USD"),
        Decimal::new(per_unit, 3),
        date,
        source.to_owned(),
    )
    .unwrap()
}

#[test]
fn exchange_rates_are_recorded_once_per_date_and_source() {
    let february = bolivar_rate(day(2013, 2, 8), 159, "Banco Central de Venezuela");
    let recorded = ExchangeRateEvent::Recorded(ExchangeRateRecorded { rate: february.clone() });
    ExchangeRateDecider::given([])
        .when(RecordExchangeRate { rate: february.clone() })
        .then([recorded.clone()]);
    ExchangeRateDecider::given([recorded.clone()])
        .when(RecordExchangeRate { rate: february.clone() })
        .then_error(DomainError::ExchangeRateAlreadyRecorded {
            from: currency("VEF"),
            to: currency("USD"),
            date: day(2013, 2, 8),
            rate_source: "Banco Central de Venezuela".to_owned(),
        });
    let other_source = bolivar_rate(day(2013, 2, 8), 160, "UN operational rate");
    ExchangeRateDecider::given([recorded])
        .when(RecordExchangeRate {
            rate: other_source.clone(),
        })
        .then([ExchangeRateEvent::Recorded(ExchangeRateRecorded { rate: other_source })]);
    assert_eq!(
        ExchangeRateDecider::stream_name(&ExchangeRateDecider::target(&RecordExchangeRate { rate: february })),
        "exchange-rate-VEF-USD"
    );
}

#[test]
fn the_rate_for_a_day_is_the_latest_recorded_on_or_before_it() {
    let january = bolivar_rate(day(2013, 1, 2), 233, "Banco Central de Venezuela");
    let february = bolivar_rate(day(2013, 2, 8), 159, "Banco Central de Venezuela");
    let rates = ExchangeRateDecider::fold(&[
        ExchangeRateEvent::Recorded(ExchangeRateRecorded { rate: february.clone() }),
        ExchangeRateEvent::Recorded(ExchangeRateRecorded { rate: january.clone() }),
    ]);
    assert_eq!(rates.rate_on(day(2013, 1, 1)), None);
    assert_eq!(rates.rate_on(day(2013, 2, 7)), Some(&january));
    assert_eq!(rates.rate_on(day(2013, 3, 1)), Some(&february));
}
