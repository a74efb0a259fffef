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
}
