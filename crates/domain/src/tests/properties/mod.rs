//! Properties every decider must hold, checked on random command sequences:
//! - every accepted command yields events that `evolve` accepts and that survive
//!   `stored::encode`/`decode` unchanged (through [`check_accepted`]);
//! - every refusal explains itself;
//! - folding a stream's history in one pass gives the state built command by command;
//! - folding any sequence of recorded events, in any order, never panics.
//!
//! The strategies draw ids, dates and amounts from small pools, so commands often meet the
//! same records and reach deep into each aggregate's life cycle, and they include invalid
//! inputs so refusals are exercised too.

mod activity;
mod cooperation;
mod funding;
mod people;

use std::collections::BTreeMap;

use jiff::civil::Date;
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::decider::Decider;
use crate::stored::StoredEvent;
use crate::testing::check_accepted;
use crate::testing::fixtures;
use crate::values::{Currency, MemberStateCode, Money, Period, ThematicArea};

/// Runs commands through a decider, one state per stream, and checks the properties.
fn run_commands<D: Decider>(commands: &[D::Command])
where
    D::Event: StoredEvent,
{
    let mut streams: BTreeMap<String, (D::State, Vec<D::Event>)> = BTreeMap::new();
    for command in commands {
        let stream = D::stream_name(&D::target(command));
        let (state, history) = streams.entry(stream).or_default();
        match D::decide(state, command) {
            Ok(events) => {
                *state = check_accepted::<D>(state.clone(), &events);
                history.extend(events);
            }
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
    let mut every_event = Vec::new();
    for (state, history) in streams.values() {
        assert_eq!(&D::fold(history), state, "folding in one pass differs");
        every_event.extend(history.iter().cloned());
    }
    // Events out of order, or from several streams mixed, must not stop a replay.
    every_event.reverse();
    D::fold(&every_event);
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    }
}

/// A day between December 2012 and March 2013.
fn any_day() -> impl Strategy<Value = Date> {
    (0i64..120).prop_map(|offset| {
        fixtures::day(2012, 12, 1)
            .checked_add(jiff::Span::new().days(offset))
            .expect("the pool of days stays in range")
    })
}

/// A period in early 2013, short enough to overlap others often.
fn any_period() -> impl Strategy<Value = Period> {
    (0i64..30, 0i64..15).prop_map(|(offset, length)| {
        let start = fixtures::day(2013, 1, 1)
            .checked_add(jiff::Span::new().days(offset))
            .expect("the pool of days stays in range");
        let end = start
            .checked_add(jiff::Span::new().days(length))
            .expect("the pool of days stays in range");
        fixtures::period(start, end)
    })
}

fn any_currency() -> impl Strategy<Value = Currency> {
    prop_oneof![4 => Just("USD"), 1 => Just("EUR")].prop_map(fixtures::currency)
}

fn any_money() -> impl Strategy<Value = Money> {
    (0i64..60_000, any_currency(), any_day()).prop_map(|(amount, currency, value_date)| {
        Money::new(Decimal::from(amount), currency, value_date).expect("amounts are positive")
    })
}

/// A day in April 2013, after every day of [`any_day`].
fn late_day() -> impl Strategy<Value = Date> {
    (0i64..30).prop_map(|offset| {
        fixtures::day(2013, 4, 1)
            .checked_add(jiff::Span::new().days(offset))
            .expect("the pool of days stays in range")
    })
}

/// One to three distinct small numbers, for lists that must not repeat.
fn distinct_picks(size: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<u128>> {
    proptest::sample::subsequence(vec![1u128, 2, 3], size)
}

/// A small amount, as paid or spent under a commitment.
fn small_money() -> impl Strategy<Value = Money> {
    (0i64..5_000, any_currency(), any_day()).prop_map(|(amount, currency, value_date)| {
        Money::new(Decimal::from(amount), currency, value_date).expect("amounts are positive")
    })
}

fn member_state() -> impl Strategy<Value = MemberStateCode> {
    prop_oneof![Just("PE"), Just("BO"), Just("JM")].prop_map(fixtures::state)
}

fn thematic_area() -> impl Strategy<Value = ThematicArea> {
    prop_oneof![
        Just(ThematicArea::Financing),
        Just(ThematicArea::PublicPolicies),
        Just(ThematicArea::GenderEquality),
    ]
}

/// Mostly meaningful text, sometimes blank.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("Guarantee systems for SMEs".to_owned()),
        2 => Just("guarantee  SYSTEMS for smes".to_owned()),
        1 => Just(" ".to_owned()),
    ]
}

/// A small number picking one of a few records, mostly the first, so that commands often
/// meet the same record and go far into its life cycle.
fn pick() -> impl Strategy<Value = u128> {
    prop_oneof![6 => Just(1u128), 2 => Just(2u128), 1 => Just(3u128)]
}
