//! The exchange-rate aggregate: the rates recorded for one pair of currencies, each with its
//! date and source (`exchange-rate-VEF-USD`). Reports and commitments convert only with a
//! rate recorded here.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::values::{Currency, ExchangeRate};

/// The pair of currencies a stream of rates is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CurrencyPair {
    /// Converted from.
    pub from: Currency,
    /// Converted to.
    pub to: Currency,
}

impl fmt::Display for CurrencyPair {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}-{}", self.from, self.to)
    }
}

/// Records an exchange rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordExchangeRate {
    /// The rate, with its date and source.
    pub rate: ExchangeRate,
}

/// An exchange rate was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRateRecorded {
    /// The rate, with its date and source.
    pub rate: ExchangeRate,
}

/// Events of the exchange-rate aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeRateEvent {
    /// See [`ExchangeRateRecorded`].
    Recorded(ExchangeRateRecorded),
}

/// The rates recorded for one pair, in the order recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExchangeRates {
    /// Every rate recorded.
    pub rates: Vec<ExchangeRate>,
}

impl ExchangeRates {
    /// The rate to convert an amount valued on `day`: the latest recorded on or before that
    /// day (the last recorded wins among rates of the same date). The app passes it in
    /// commands that convert.
    pub fn rate_on(&self, day: Date) -> Option<&ExchangeRate> {
        self.rates
            .iter()
            .filter(|rate| rate.date() <= day)
            .max_by_key(|rate| rate.date())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ExchangeRateDecider;

impl Decider for ExchangeRateDecider {
    type Id = CurrencyPair;
    type State = ExchangeRates;
    type Command = RecordExchangeRate;
    type Event = ExchangeRateEvent;

    const STREAM_PREFIX: &'static str = "exchange-rate";

    fn target(command: &RecordExchangeRate) -> CurrencyPair {
        CurrencyPair {
            from: command.rate.from(),
            to: command.rate.to(),
        }
    }

    fn decide(state: &ExchangeRates, command: &RecordExchangeRate) -> Result<Vec<ExchangeRateEvent>> {
        let rate = &command.rate;
        if state
            .rates
            .iter()
            .any(|recorded| recorded.date() == rate.date() && recorded.source() == rate.source())
        {
            return Err(DomainError::ExchangeRateAlreadyRecorded {
                from: rate.from(),
                to: rate.to(),
                date: rate.date(),
                rate_source: rate.source().to_owned(),
            });
        }
        Ok(vec![ExchangeRateEvent::Recorded(ExchangeRateRecorded {
            rate: rate.clone(),
        })])
    }

    fn evolve(mut state: ExchangeRates, event: &ExchangeRateEvent) -> ExchangeRates {
        let ExchangeRateEvent::Recorded(recorded) = event;
        state.rates.push(recorded.rate.clone());
        state
    }
}
