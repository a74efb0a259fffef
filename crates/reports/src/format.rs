//! Fixed formatting shared by every report: money, cut descriptions and Markdown cells.

use rust_decimal::Decimal;
use serde::Serialize;
use smes_domain::values::Money;
use smes_projections::{Amounts, Cut};

/// An amount as a report writes it: a decimal string with at least two decimal places (more
/// only where the amount has them) and its currency.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MoneyText {
    /// ISO 4217 code.
    pub currency: String,
    /// Decimal text, such as `12000.00`.
    pub amount: String,
}

impl MoneyText {
    /// The text of an amount.
    pub fn of(money: &Money) -> MoneyText {
        MoneyText {
            currency: money.currency().as_str().to_owned(),
            amount: decimal(money.amount()),
        }
    }
}

impl std::fmt::Display for MoneyText {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} {}", self.currency, self.amount)
    }
}

/// A decimal with trailing zeros removed and at least two decimal places: `12000` and
/// `12000.000` both give `12000.00`, `0.125` stays `0.125`.
pub fn decimal(value: Decimal) -> String {
    let mut value = value.normalize();
    if value.scale() < 2 {
        value.rescale(2);
    }
    value.to_string()
}

/// Every currency of an amount set, in currency order.
pub fn amounts(amounts: &Amounts) -> Vec<MoneyText> {
    amounts.iter().map(MoneyText::of).collect()
}

/// Amounts on one line: `USD 1.00; VES 2.00`, or `–` when there are none.
pub fn amounts_line(amounts: &[MoneyText]) -> String {
    if amounts.is_empty() {
        return "–".to_owned();
    }
    amounts.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// The cut described for a reader: `as of 2013-06-30, as known at ..., at position 42`, or
/// `the whole log`.
pub fn describe_cut(cut: &Cut) -> String {
    let mut parts = Vec::new();
    if let Some(date) = cut.as_of {
        parts.push(format!("as of {date}"));
    }
    if let Some(instant) = cut.known_at {
        parts.push(format!("as known at {instant}"));
    }
    if let Some(position) = cut.at_position {
        parts.push(format!("at position {position}"));
    }
    if parts.is_empty() {
        "the whole log".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Text made safe for a Markdown table cell: pipes and backslashes escaped, line breaks as
/// spaces.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// A count with its noun in the right number: `1 activity`, `2 activities`, `0 activities`.
/// Every count of the English text of the reports is written through it.
pub fn count_of(count: impl Into<u64>, singular: &str, plural: &str) -> String {
    let count = count.into();
    format!("{count} {}", if count == 1 { singular } else { plural })
}

/// The verb "to be" agreeing with a count: `is` for one, `are` otherwise.
pub fn is_or_are(count: impl Into<u64>) -> &'static str {
    if count.into() == 1 { "is" } else { "are" }
}

/// The verb "to be" in the past agreeing with a count: `was` for one, `were` otherwise.
pub fn was_or_were(count: impl Into<u64>) -> &'static str {
    if count.into() == 1 { "was" } else { "were" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_have_a_fixed_form() {
        assert_eq!(decimal(Decimal::new(12000, 0)), "12000.00");
        assert_eq!(decimal(Decimal::new(12000000, 3)), "12000.00");
        assert_eq!(decimal(Decimal::new(125, 3)), "0.125");
        assert_eq!(decimal(Decimal::ZERO), "0.00");
    }

    #[test]
    fn markdown_cells_cannot_break_a_table() {
        assert_eq!(cell("a|b\nc\\"), "a\\|b c\\\\");
    }

    #[test]
    fn counts_take_the_noun_and_verb_in_their_number() {
        assert_eq!(count_of(1_u64, "activity", "activities"), "1 activity");
        assert_eq!(count_of(0_u64, "activity", "activities"), "0 activities");
        assert_eq!(count_of(2_u64, "person", "people"), "2 people");
        assert_eq!(is_or_are(1_u64), "is");
        assert_eq!(is_or_are(3_u64), "are");
        assert_eq!(was_or_were(1_u64), "was");
        assert_eq!(was_or_were(0_u64), "were");
    }
}
