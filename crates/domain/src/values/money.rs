//! Money and exchange rates.
//!
//! Amounts are decimals, never floats. Amounts in different currencies are never added: the
//! only way across currencies is an [`ExchangeRate`] recorded with its date and source.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Currency;
use crate::error::DomainError;

/// A non-negative amount in one currency, with the value date that fixes its exchange rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MoneyFields")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
    value_date: Date,
}

/// The serde form of [`Money`], checked on the way in.
#[derive(Deserialize)]
struct MoneyFields {
    amount: Decimal,
    currency: Currency,
    value_date: Date,
}

impl TryFrom<MoneyFields> for Money {
    type Error = DomainError;

    fn try_from(fields: MoneyFields) -> Result<Self, DomainError> {
        Money::new(fields.amount, fields.currency, fields.value_date)
    }
}

impl Money {
    /// Builds an amount, refusing negative ones: the programme records what is offered,
    /// committed, paid and spent, never debts.
    pub fn new(amount: Decimal, currency: Currency, value_date: Date) -> Result<Self, DomainError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(DomainError::NegativeAmount { amount, currency });
        }
        Ok(Self {
            amount,
            currency,
            value_date,
        })
    }

    /// Zero in a currency, as of a value date.
    pub fn zero(currency: Currency, value_date: Date) -> Self {
        Self {
            amount: Decimal::ZERO,
            currency,
            value_date,
        }
    }

    /// The decimal amount.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The date that fixes the exchange rate of this amount.
    pub fn value_date(&self) -> Date {
        self.value_date
    }

    /// Adds two amounts in the same currency; the sum keeps the later value date.
    pub fn checked_add(&self, other: &Money) -> Result<Money, DomainError> {
        self.require_same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(DomainError::AmountOverflow {
                currency: self.currency,
            })?;
        Ok(Money {
            amount,
            currency: self.currency,
            value_date: self.value_date.max(other.value_date),
        })
    }

    /// Subtracts `other`, giving `None` when the result would be negative.
    pub fn checked_sub(&self, other: &Money) -> Result<Option<Money>, DomainError> {
        self.require_same_currency(other)?;
        if other.amount > self.amount {
            return Ok(None);
        }
        Ok(Some(Money {
            amount: self.amount - other.amount,
            currency: self.currency,
            value_date: self.value_date.max(other.value_date),
        }))
    }

    /// Whether this amount is larger than `other`, which must be in the same currency.
    pub fn exceeds(&self, other: &Money) -> Result<bool, DomainError> {
        self.require_same_currency(other)?;
        Ok(self.amount > other.amount)
    }

    fn require_same_currency(&self, other: &Money) -> Result<(), DomainError> {
        if self.currency != other.currency {
            return Err(DomainError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        Ok(())
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} {}", self.currency, self.amount)
    }
}

/// How many units of `to` one unit of `from` buys on `date`, according to `source`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ExchangeRateFields")]
pub struct ExchangeRate {
    from: Currency,
    to: Currency,
    rate: Decimal,
    date: Date,
    source: String,
}

/// The serde form of [`ExchangeRate`], checked on the way in.
#[derive(Deserialize)]
struct ExchangeRateFields {
    from: Currency,
    to: Currency,
    rate: Decimal,
    date: Date,
    source: String,
}

impl TryFrom<ExchangeRateFields> for ExchangeRate {
    type Error = DomainError;

    fn try_from(fields: ExchangeRateFields) -> Result<Self, DomainError> {
        ExchangeRate::new(fields.from, fields.to, fields.rate, fields.date, fields.source)
    }
}

impl ExchangeRate {
    /// Builds a rate between two different currencies; the rate must be positive and the
    /// source (a central bank, a UN operational rate, ...) must be named.
    pub fn new(from: Currency, to: Currency, rate: Decimal, date: Date, source: String) -> Result<Self, DomainError> {
        if from == to {
            return Err(DomainError::InvalidValue {
                field: "exchange rate",
                value: format!("{from}/{to}"),
                reason: "a rate converts between two different currencies".to_owned(),
            });
        }
        if rate <= Decimal::ZERO {
            return Err(DomainError::InvalidValue {
                field: "exchange rate",
                value: rate.to_string(),
                reason: "a rate must be positive".to_owned(),
            });
        }
        super::require_text("exchange rate source", &source)?;
        Ok(Self {
            from,
            to,
            rate,
            date,
            source,
        })
    }

    /// The currency converted from.
    pub fn from(&self) -> Currency {
        self.from
    }

    /// The currency converted to.
    pub fn to(&self) -> Currency {
        self.to
    }

    /// Units of `to` per unit of `from`.
    pub fn rate(&self) -> Decimal {
        self.rate
    }

    /// The date the rate applies to.
    pub fn date(&self) -> Date {
        self.date
    }

    /// Where the rate comes from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Converts an amount in `from` into `to`; the result's value date is the rate's date.
    pub fn convert(&self, money: &Money) -> Result<Money, DomainError> {
        if money.currency != self.from {
            return Err(DomainError::ExchangeRateDoesNotApply {
                amount_currency: money.currency,
                rate_from: self.from,
                rate_to: self.to,
            });
        }
        let amount = money
            .amount
            .checked_mul(self.rate)
            .ok_or(DomainError::AmountOverflow { currency: self.to })?;
        Ok(Money {
            amount,
            currency: self.to,
            value_date: self.date,
        })
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn usd(amount: i64) -> Money {
        Money::new(Decimal::from(amount), Currency::USD, date(2013, 1, 15)).unwrap()
    }

    fn ves() -> Currency {
        Currency::new("VEF").unwrap()
    }

    #[test]
    fn same_currency_adds_and_keeps_the_later_value_date() {
        let later = Money::new(Decimal::from(5), Currency::USD, date(2013, 6, 1)).unwrap();
        let sum = usd(10).checked_add(&later).unwrap();
        assert_eq!(sum.amount(), Decimal::from(15));
        assert_eq!(sum.value_date(), date(2013, 6, 1));
    }

    #[test]
    fn different_currencies_are_never_added() {
        let bolivars = Money::new(Decimal::from(10), ves(), date(2013, 1, 15)).unwrap();
        assert_eq!(
            usd(10).checked_add(&bolivars),
            Err(DomainError::CurrencyMismatch {
                left: Currency::USD,
                right: ves()
            })
        );
    }

    #[test]
    fn sums_beyond_what_a_decimal_holds_are_refused() {
        let largest = Money::new(Decimal::MAX, Currency::USD, date(2013, 1, 15)).unwrap();
        assert_eq!(
            largest.checked_add(&usd(1)),
            Err(DomainError::AmountOverflow {
                currency: Currency::USD
            })
        );
    }

    #[test]
    fn negative_amounts_are_refused() {
        assert!(matches!(
            Money::new(Decimal::from(-1), Currency::USD, date(2013, 1, 1)),
            Err(DomainError::NegativeAmount { .. })
        ));
        let json = serde_json::json!({"amount": "-3", "currency": "USD", "value_date": "2013-01-01"});
        assert!(serde_json::from_value::<Money>(json).is_err());
    }

    #[test]
    fn conversion_goes_only_through_a_matching_rate() {
        let rate = ExchangeRate::new(
            ves(),
            Currency::USD,
            Decimal::new(159, 3),
            date(2013, 2, 8),
            "Banco Central de Venezuela".to_owned(),
        )
        .unwrap();
        let bolivars = Money::new(Decimal::from(1000), ves(), date(2013, 2, 1)).unwrap();
        let dollars = rate.convert(&bolivars).unwrap();
        assert_eq!(dollars.amount(), Decimal::from(159));
        assert_eq!(dollars.currency(), Currency::USD);
        assert_eq!(dollars.value_date(), date(2013, 2, 8));
        assert!(matches!(
            rate.convert(&usd(1)),
            Err(DomainError::ExchangeRateDoesNotApply { .. })
        ));
    }

    #[test]
    fn rates_must_be_positive_between_two_currencies_with_a_source() {
        let day = date(2013, 1, 1);
        assert!(ExchangeRate::new(ves(), ves(), Decimal::ONE, day, "x".into()).is_err());
        assert!(ExchangeRate::new(ves(), Currency::USD, Decimal::ZERO, day, "x".into()).is_err());
        assert!(ExchangeRate::new(ves(), Currency::USD, Decimal::ONE, day, " ".into()).is_err());
    }

    #[test]
    fn subtraction_reports_a_shortfall_as_none() {
        assert_eq!(usd(10).checked_sub(&usd(4)).unwrap(), Some(usd(6)));
        assert_eq!(usd(4).checked_sub(&usd(10)).unwrap(), None);
        assert!(usd(10).exceeds(&usd(4)).unwrap());
    }
}
