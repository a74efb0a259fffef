use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::decider::Decider;
use crate::error::{DomainError, DuplicateMatch, RecordRef};
use crate::funding::*;
use crate::testing::DeciderTesting;
use crate::testing::fixtures::*;
use crate::values::{ExchangeRate, Money, OfferKind};

fn source() -> OfferSource {
    OfferSource::CooperationSource(source_id(3))
}

fn record(existing: Vec<OfferOutline>, duplicate_override: Option<&str>) -> OfferCommand {
    OfferCommand::Record(RecordOffer {
        offer: offer_id(1),
        source: source(),
        kind: OfferKind::Money,
        amount: money(60_000, "USD"),
        purpose: "Guarantee systems seminars".to_owned(),
        recorded_on: day(2013, 2, 1),
        existing_offers: existing,
        duplicate_override: duplicate_override.map(str::to_owned),
    })
}

fn recorded() -> OfferEvent {
    OfferEvent::Recorded(OfferRecorded {
        offer: offer_id(1),
        source: source(),
        kind: OfferKind::Money,
        amount: money(60_000, "USD"),
        purpose: "Guarantee systems seminars".to_owned(),
        recorded_on: day(2013, 2, 1),
    })
}

fn commit(number: u128, amount: Money, rate: Option<ExchangeRate>) -> OfferCommand {
    OfferCommand::Commit(CommitToActivity {
        offer: offer_id(1),
        commitment: commitment_id(number),
        activity: activity_id(7),
        amount,
        exchange_rate: rate,
        committed_on: day(2013, 3, 1),
    })
}

fn committed(number: u128, amount: i64) -> OfferEvent {
    OfferEvent::CommitmentMade(CommitmentMade {
        offer: offer_id(1),
        commitment: commitment_id(number),
        activity: activity_id(7),
        amount: money(amount, "USD"),
        amount_in_offer_currency: money(amount, "USD"),
        exchange_rate: None,
        committed_on: day(2013, 3, 1),
    })
}

fn disburse(amount: i64) -> OfferCommand {
    OfferCommand::Disburse(RecordDisbursement {
        offer: offer_id(1),
        commitment: commitment_id(40),
        amount: money(amount, "USD"),
        disbursed_on: day(2013, 4, 1),
    })
}

fn disbursed(amount: i64) -> OfferEvent {
    OfferEvent::DisbursementRecorded(DisbursementRecorded {
        offer: offer_id(1),
        commitment: commitment_id(40),
        amount: money(amount, "USD"),
        disbursed_on: day(2013, 4, 1),
    })
}

fn spend(amount: i64) -> OfferCommand {
    OfferCommand::Spend(RecordExpenditure {
        offer: offer_id(1),
        commitment: commitment_id(40),
        amount: money(amount, "USD"),
        description: "interpretation".to_owned(),
        spent_on: day(2013, 5, 22),
    })
}

fn rate(from: &str, to: &str, per_unit: Decimal, date: Date) -> ExchangeRate {
    ExchangeRate::new(
        currency(from),
        currency(to),
        per_unit,
        date,
        "Banco Central de Venezuela".to_owned(),
    )
    .unwrap()
}

#[test]
fn an_offer_is_recorded_once() {
    let state = OfferDecider::given([]).when(record(vec![], None)).then([recorded()]);
    assert_eq!(
        state.outline(),
        Some(OfferOutline {
            offer: offer_id(1),
            source: source(),
            purpose: "Guarantee systems seminars".to_owned(),
        })
    );
    assert_eq!(state.record.unwrap().available(), money(60_000, "USD"));
    OfferDecider::given([recorded()])
        .when(record(vec![], None))
        .then_error(DomainError::OfferAlreadyRecorded { offer: offer_id(1) });
    assert_eq!(
        OfferDecider::stream_name(&offer_id(1)),
        "offer-00000000-0000-0000-0000-000000000001"
    );
}

#[test]
fn a_reason_given_without_a_possible_duplicate_is_kept_as_a_note() {
    let other_purpose = OfferOutline {
        offer: offer_id(4),
        source: source(),
        purpose: "Business fair in Panama".to_owned(),
    };
    OfferDecider::given([])
        .when(record(vec![other_purpose], Some("not the fair's money")))
        .then([
            recorded(),
            OfferEvent::DuplicateOverrideNoted(OfferDuplicateOverrideNoted {
                offer: offer_id(1),
                reason: "not the fair's money".to_owned(),
            }),
        ]);
}

#[test]
fn an_offer_says_what_it_is_for() {
    let OfferCommand::Record(mut command) = record(vec![], None) else {
        unreachable!()
    };
    command.purpose = " ".to_owned();
    OfferDecider::given([])
        .when(OfferCommand::Record(command))
        .then_error(DomainError::EmptyField { field: "offer purpose" });
}

#[test]
fn an_offer_from_the_same_source_for_the_same_purpose_is_a_possible_duplicate() {
    let existing = vec![
        OfferOutline {
            offer: offer_id(2),
            source: source(),
            purpose: "guarantee  systems SEMINARS".to_owned(),
        },
        OfferOutline {
            offer: offer_id(3),
            source: OfferSource::SelaRegularBudget,
            purpose: "Guarantee systems seminars".to_owned(),
        },
        OfferOutline {
            offer: offer_id(4),
            source: source(),
            purpose: "Business fair in Panama".to_owned(),
        },
    ];
    OfferDecider::given([])
        .when(record(existing.clone(), None))
        .then_error(DomainError::PossibleDuplicate {
            record: RecordRef::Offer(offer_id(1)),
            duplicates: vec![DuplicateMatch {
                record: RecordRef::Offer(offer_id(2)),
                grounds: format!(
                    "\"guarantee  systems SEMINARS\" (same source (cooperation source {}) and purpose)",
                    source_id(3)
                ),
            }],
        });
    OfferDecider::given([])
        .when(record(existing.clone(), Some("a second tranche for 2014")))
        .then([
            recorded(),
            OfferEvent::DuplicateWarningOverridden(OfferDuplicateWarningOverridden {
                offer: offer_id(1),
                duplicates: vec![offer_id(2)],
                reason: "a second tranche for 2014".to_owned(),
            }),
        ]);
    OfferDecider::given([])
        .when(record(existing, Some("")))
        .then_error(DomainError::EmptyField {
            field: "duplicate override reason",
        });
}

#[test]
fn commitments_draw_on_a_recorded_offer_up_to_its_amount() {
    let state = OfferDecider::given([recorded(), committed(40, 50_000)])
        .when(commit(41, money(10_000, "USD"), None))
        .then([committed(41, 10_000)]);
    assert_eq!(state.record.unwrap().available(), money(0, "USD"));
    OfferDecider::given([recorded(), committed(40, 50_000)])
        .when(commit(41, money(10_001, "USD"), None))
        .then_error(DomainError::CommitmentExceedsOffer {
            offer: offer_id(1),
            requested: money(10_001, "USD"),
            available: money(10_000, "USD"),
        });
    OfferDecider::given([])
        .when(commit(41, money(1, "USD"), None))
        .then_error(DomainError::OfferNotRecorded { offer: offer_id(1) });
}

#[test]
fn a_commitment_is_made_once_and_not_before_the_offer() {
    OfferDecider::given([recorded(), committed(40, 1)])
        .when(commit(40, money(1, "USD"), None))
        .then_error(DomainError::CommitmentAlreadyMade {
            offer: offer_id(1),
            commitment: commitment_id(40),
        });
    OfferDecider::given([recorded()])
        .when(OfferCommand::Commit(CommitToActivity {
            offer: offer_id(1),
            commitment: commitment_id(40),
            activity: activity_id(7),
            amount: money(1, "USD"),
            exchange_rate: None,
            committed_on: day(2013, 1, 1),
        }))
        .then_error(DomainError::DateBeforeStart {
            what: "commitment",
            date: day(2013, 1, 1),
            record: format!("offer {}", offer_id(1)),
            since: day(2013, 2, 1),
        });
}

#[test]
fn a_commitment_in_another_currency_needs_a_recorded_rate_into_the_offers() {
    OfferDecider::given([recorded()])
        .when(commit(40, money(100_000, "VEF"), None))
        .then_error(DomainError::ExchangeRateMissing {
            offer: offer_id(1),
            given: currency("VEF"),
            offer_currency: currency("USD"),
        });
    let wrong_way = rate("USD", "VEF", Decimal::new(63, 1), day(2013, 2, 8));
    OfferDecider::given([recorded()])
        .when(commit(40, money(100_000, "VEF"), Some(wrong_way)))
        .then_error(DomainError::ExchangeRateDoesNotApply {
            amount_currency: currency("VEF"),
            rate_from: currency("USD"),
            rate_to: currency("VEF"),
        });
    let bolivars_to_dollars = rate("VEF", "USD", Decimal::new(159, 3), day(2013, 2, 8));
    let converted = Money::new(Decimal::new(15_900_000, 3), currency("USD"), day(2013, 2, 8)).unwrap();
    let state = OfferDecider::given([recorded()])
        .when(commit(40, money(100_000, "VEF"), Some(bolivars_to_dollars.clone())))
        .then([OfferEvent::CommitmentMade(CommitmentMade {
            offer: offer_id(1),
            commitment: commitment_id(40),
            activity: activity_id(7),
            amount: money(100_000, "VEF"),
            amount_in_offer_currency: converted,
            exchange_rate: Some(bolivars_to_dollars),
            committed_on: day(2013, 3, 1),
        })]);
    assert_eq!(state.record.unwrap().available().amount(), Decimal::from(44_100));
}

#[test]
fn disbursements_never_exceed_what_was_committed() {
    OfferDecider::given([recorded(), committed(40, 10_000), disbursed(6_000)])
        .when(disburse(4_000))
        .then([disbursed(4_000)]);
    OfferDecider::given([recorded(), committed(40, 10_000), disbursed(6_000)])
        .when(disburse(4_001))
        .then_error(DomainError::DisbursementExceedsCommitment {
            commitment: commitment_id(40),
            requested: money(4_001, "USD"),
            available: money(4_000, "USD"),
        });
    OfferDecider::given([recorded()])
        .when(disburse(1))
        .then_error(DomainError::CommitmentNotFound {
            offer: offer_id(1),
            commitment: commitment_id(40),
        });
}

#[test]
fn a_payment_in_another_currency_than_the_commitment_is_refused() {
    OfferDecider::given([recorded(), committed(40, 10_000)])
        .when(OfferCommand::Disburse(RecordDisbursement {
            offer: offer_id(1),
            commitment: commitment_id(40),
            amount: money(10, "EUR"),
            disbursed_on: day(2013, 4, 1),
        }))
        .then_error(DomainError::CurrencyMismatch {
            left: currency("EUR"),
            right: currency("USD"),
        });
}

#[test]
fn expenditure_never_exceeds_what_was_disbursed_and_says_what_it_paid_for() {
    let history = [recorded(), committed(40, 10_000), disbursed(6_000)];
    OfferDecider::given(history.clone())
        .when(spend(6_000))
        .then([OfferEvent::ExpenditureRecorded(ExpenditureRecorded {
            offer: offer_id(1),
            commitment: commitment_id(40),
            amount: money(6_000, "USD"),
            description: "interpretation".to_owned(),
            spent_on: day(2013, 5, 22),
        })]);
    OfferDecider::given(history.clone())
        .when(spend(6_001))
        .then_error(DomainError::ExpenditureExceedsDisbursement {
            commitment: commitment_id(40),
            requested: money(6_001, "USD"),
            available: money(6_000, "USD"),
        });
    OfferDecider::given(history)
        .when(OfferCommand::Spend(RecordExpenditure {
            offer: offer_id(1),
            commitment: commitment_id(40),
            amount: money(1, "USD"),
            description: String::new(),
            spent_on: day(2013, 5, 22),
        }))
        .then_error(DomainError::EmptyField {
            field: "expenditure description",
        });
}
