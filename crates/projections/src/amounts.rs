//! Money kept apart by currency, funding sources as map keys, and the exchange rates recorded
//! in the log.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use smes_domain::funding::{InKindContributor, OfferSource};
use smes_domain::ids::{CooperationSourceId, CounterpartId, OfferId};
use smes_domain::values::{Currency, ExchangeRate, MemberStateCode, Money};

/// Amounts by currency, never added across currencies. Each entry keeps the latest value
/// date of what was added to it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Amounts(BTreeMap<Currency, Money>);

impl Amounts {
    /// No money.
    pub fn new() -> Self {
        Amounts::default()
    }

    /// Adds an amount to its currency. An addition that would overflow the decimal range
    /// (beyond 7.9 × 10²⁸) is left out rather than stopping the fold.
    pub fn add(&mut self, money: &Money) {
        match self.0.get_mut(&money.currency()) {
            Some(total) => {
                if let Ok(sum) = total.checked_add(money) {
                    *total = sum;
                }
            }
            None => {
                self.0.insert(money.currency(), money.clone());
            }
        }
    }

    /// Adds every amount of `other`.
    pub fn add_all(&mut self, other: &Amounts) {
        for money in other.0.values() {
            self.add(money);
        }
    }

    /// The amount in a currency, if any was added.
    pub fn get(&self, currency: Currency) -> Option<&Money> {
        self.0.get(&currency)
    }

    /// The amounts, by currency.
    pub fn iter(&self) -> impl Iterator<Item = &Money> {
        self.0.values()
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The amounts with every currency that has a recorded rate into `target` (dated on or
    /// before the amount's value date) converted and merged into `target`; the others stay in
    /// their own currency.
    pub fn converted(&self, rates: &RateTable, target: Currency) -> Amounts {
        let mut converted = Amounts::new();
        for money in self.0.values() {
            converted.add(&rates.convert(money, target).unwrap_or_else(|| money.clone()));
        }
        converted
    }
}

/// Who funds: the map key of the funding ledger and of an activity's funding.
///
/// Serialised as text: `sela-regular-budget`, `counterpart:<uuid>`,
/// `cooperation-source:<uuid>`, `member-state:<code>` (in-kind contributions of a host) or
/// `offer:<uuid>` (an offer whose recording is outside the events folded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum FundingSource {
    /// SELA's regular budget.
    SelaRegularBudget,
    Counterpart(CounterpartId),
    CooperationSource(CooperationSourceId),
    /// A Member State giving in kind.
    MemberState(MemberStateCode),
    /// An offer whose source is not among the events folded.
    UnknownOffer(OfferId),
}

impl From<OfferSource> for FundingSource {
    fn from(source: OfferSource) -> Self {
        match source {
            OfferSource::Counterpart(counterpart) => FundingSource::Counterpart(counterpart),
            OfferSource::CooperationSource(source) => FundingSource::CooperationSource(source),
            OfferSource::SelaRegularBudget => FundingSource::SelaRegularBudget,
        }
    }
}

impl From<InKindContributor> for FundingSource {
    /// A Member State giving in kind is booked as one; an organisation under its role, with
    /// the rest of what it funds.
    fn from(contributor: InKindContributor) -> Self {
        match contributor {
            InKindContributor::MemberState { member_state } => FundingSource::MemberState(member_state),
            InKindContributor::Counterpart { id } => FundingSource::Counterpart(id),
            InKindContributor::CooperationSource { id } => FundingSource::CooperationSource(id),
        }
    }
}

impl fmt::Display for FundingSource {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FundingSource::SelaRegularBudget => formatter.write_str("sela-regular-budget"),
            FundingSource::Counterpart(id) => write!(formatter, "counterpart:{id}"),
            FundingSource::CooperationSource(id) => write!(formatter, "cooperation-source:{id}"),
            FundingSource::MemberState(code) => write!(formatter, "member-state:{}", code.as_str()),
            FundingSource::UnknownOffer(id) => write!(formatter, "offer:{id}"),
        }
    }
}

impl FromStr for FundingSource {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let invalid = || format!("not a funding source: {text:?}");
        if text == "sela-regular-budget" {
            return Ok(FundingSource::SelaRegularBudget);
        }
        let (kind, id) = text.split_once(':').ok_or_else(invalid)?;
        match kind {
            "counterpart" => id.parse().map(FundingSource::Counterpart).map_err(|_| invalid()),
            "cooperation-source" => id.parse().map(FundingSource::CooperationSource).map_err(|_| invalid()),
            "member-state" => MemberStateCode::new(id)
                .map(FundingSource::MemberState)
                .map_err(|_| invalid()),
            "offer" => id.parse().map(FundingSource::UnknownOffer).map_err(|_| invalid()),
            _ => Err(invalid()),
        }
    }
}

impl From<FundingSource> for String {
    fn from(source: FundingSource) -> String {
        source.to_string()
    }
}

impl TryFrom<String> for FundingSource {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

/// The exchange rates recorded in the log, by pair (`VEF-USD`), in the order recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RateTable(BTreeMap<String, Vec<ExchangeRate>>);

impl RateTable {
    /// Records a rate.
    pub fn record(&mut self, rate: &ExchangeRate) {
        self.0
            .entry(pair(rate.from(), rate.to()))
            .or_default()
            .push(rate.clone());
    }

    /// The rate that applies to an amount valued on `day`: the latest dated on or before
    /// it; among rates of the same date, the last recorded.
    pub fn rate_on(&self, from: Currency, to: Currency, day: Date) -> Option<&ExchangeRate> {
        let mut found: Option<&ExchangeRate> = None;
        for rate in self.0.get(&pair(from, to)).into_iter().flatten() {
            if rate.date() <= day && found.is_none_or(|best| rate.date() >= best.date()) {
                found = Some(rate);
            }
        }
        found
    }

    /// Converts an amount into `target` with the rate that applies on its value date;
    /// `None` when no recorded rate applies (an amount already in `target` is returned as is).
    pub fn convert(&self, money: &Money, target: Currency) -> Option<Money> {
        if money.currency() == target {
            return Some(money.clone());
        }
        self.rate_on(money.currency(), target, money.value_date())?
            .convert(money)
            .ok()
    }
}

fn pair(from: Currency, to: Currency) -> String {
    format!("{}-{}", from.as_str(), to.as_str())
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use rust_decimal::Decimal;

    use super::*;

    fn money(amount: i64, currency: &str, day: Date) -> Money {
        Money::new(Decimal::from(amount), Currency::new(currency).unwrap(), day).unwrap()
    }

    #[test]
    fn currencies_stay_apart_unless_a_rate_dated_before_the_value_date_applies() {
        let mut amounts = Amounts::new();
        amounts.add(&money(100, "USD", date(2013, 1, 1)));
        amounts.add(&money(50, "USD", date(2013, 2, 1)));
        amounts.add(&money(1000, "VES", date(2013, 3, 1)));
        assert_eq!(amounts.get(Currency::USD), Some(&money(150, "USD", date(2013, 2, 1))));

        let mut rates = RateTable::default();
        let late = ExchangeRate::new(
            Currency::new("VES").unwrap(),
            Currency::USD,
            Decimal::new(1, 1),
            date(2013, 4, 1),
            "BCV".to_owned(),
        )
        .unwrap();
        rates.record(&late);
        assert_eq!(
            amounts.converted(&rates, Currency::USD),
            amounts,
            "a later rate does not apply"
        );

        let early = ExchangeRate::new(
            late.from(),
            late.to(),
            Decimal::new(2, 1),
            date(2013, 2, 15),
            "BCV".to_owned(),
        )
        .unwrap();
        rates.record(&early);
        let converted = amounts.converted(&rates, Currency::USD);
        assert_eq!(converted.iter().count(), 1);
        assert_eq!(converted.get(Currency::USD).unwrap().amount(), Decimal::from(350));
    }

    #[test]
    fn funding_sources_round_trip_through_text() {
        let sources = [
            FundingSource::SelaRegularBudget,
            FundingSource::MemberState(MemberStateCode::new("VE").unwrap()),
            FundingSource::Counterpart("00000000-0000-0000-0000-000000000001".parse().unwrap()),
        ];
        for source in sources {
            assert_eq!(source.to_string().parse::<FundingSource>(), Ok(source));
        }
        assert!("nonsense".parse::<FundingSource>().is_err());
    }
}
