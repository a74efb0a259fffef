//! Offers, in-kind contributions and exchange rates.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::funding::*;
use crate::ids::ContributionId;
use crate::testing::fixtures::*;
use crate::values::{Correction, ExchangeRate, OfferKind};

fn source() -> impl Strategy<Value = OfferSource> {
    prop_oneof![
        pick().prop_map(|id| OfferSource::CooperationSource(source_id(id))),
        Just(OfferSource::SelaRegularBudget),
    ]
}

fn rate() -> impl Strategy<Value = ExchangeRate> {
    (
        prop_oneof![Just(("EUR", "USD")), Just(("USD", "EUR"))],
        1i64..3000,
        any_day(),
        prop_oneof![Just("European Central Bank"), Just("UN operational rate")],
    )
        .prop_map(|((from, to), per_thousand, date, source)| {
            ExchangeRate::new(
                currency(from),
                currency(to),
                Decimal::new(per_thousand, 3),
                date,
                source.to_owned(),
            )
            .expect("the pool holds valid rates")
        })
}

fn offer_command() -> impl Strategy<Value = OfferCommand> {
    let outline = (pick(), source(), text()).prop_map(|(id, source, purpose)| OfferOutline {
        offer: offer_id(id),
        source,
        purpose,
    });
    let record = (
        (pick(), source(), any_money(), text(), any_day()),
        proptest::collection::vec(outline, 0..3),
        proptest::option::of(text()),
    )
        .prop_map(
            |((id, source, amount, purpose, recorded_on), existing_offers, duplicate_override)| {
                OfferCommand::Record(RecordOffer {
                    offer: offer_id(id),
                    source,
                    kind: OfferKind::Money,
                    amount,
                    purpose,
                    recorded_on,
                    existing_offers,
                    duplicate_override,
                })
            },
        );
    let commit = (pick(), pick(), any_money(), proptest::option::of(rate()), any_day()).prop_map(
        |(id, commitment, amount, exchange_rate, committed_on)| {
            OfferCommand::Commit(CommitToActivity {
                offer: offer_id(id),
                commitment: commitment_id(commitment),
                activity: activity_id(commitment),
                amount,
                exchange_rate,
                committed_on,
            })
        },
    );
    let disburse = (pick(), pick(), small_money(), any_day()).prop_map(|(id, commitment, amount, disbursed_on)| {
        OfferCommand::Disburse(RecordDisbursement {
            offer: offer_id(id),
            commitment: commitment_id(commitment),
            amount,
            disbursed_on,
        })
    });
    let spend = (pick(), pick(), small_money(), text(), any_day()).prop_map(
        |(id, commitment, amount, description, spent_on)| {
            OfferCommand::Spend(RecordExpenditure {
                offer: offer_id(id),
                commitment: commitment_id(commitment),
                amount,
                description,
                spent_on,
            })
        },
    );
    prop_oneof![record, commit, disburse, spend]
}

fn contribution_id(number: u128) -> ContributionId {
    ContributionId::new(uuid::Uuid::from_u128(number)).expect("not nil")
}

fn in_kind_command() -> impl Strategy<Value = InKindContributionCommand> {
    let value =
        (pick(), member_state(), text(), any_money(), any_day()).prop_map(|(id, host, what, value, valued_on)| {
            InKindContributionCommand::Value(ValueInKindContribution {
                contribution: contribution_id(id),
                activity: activity_id(id),
                contributor: InKindContributor::MemberState { member_state: host },
                what,
                value,
                valued_on,
                membership: members(),
            })
        });
    let revalue = (pick(), any_money(), text(), any_day()).prop_map(|(id, value, reason, from)| {
        InKindContributionCommand::Revalue(RevalueInKindContribution {
            contribution: contribution_id(id),
            value,
            correction: Correction {
                corrects: event_id(id),
                reason,
                effective_from: from,
            },
        })
    });
    prop_oneof![value, revalue]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn offer_histories_hold_the_properties(
        commands in proptest::collection::vec(offer_command(), 0..40)
    ) {
        run_commands::<OfferDecider>(&commands);
    }

    #[test]
    fn in_kind_contribution_histories_hold_the_properties(
        commands in proptest::collection::vec(in_kind_command(), 0..16)
    ) {
        run_commands::<InKindContributionDecider>(&commands);
    }

    #[test]
    fn exchange_rate_histories_hold_the_properties(
        rates in proptest::collection::vec(rate(), 0..16)
    ) {
        let commands: Vec<RecordExchangeRate> =
            rates.into_iter().map(|rate| RecordExchangeRate { rate }).collect();
        run_commands::<ExchangeRateDecider>(&commands);
    }
}
