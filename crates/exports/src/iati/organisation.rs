//! The IATI organisation file: SELA as the organisation that runs the programme, with the
//! year's total budget (the work programme's budget, as last revised), what its approved
//! activities budget in each Member State, and what was spent in the year.

use std::collections::BTreeMap;

use smes_domain::values::{Currency, MemberStateCode, Money};
use smes_projections::LogSlice;
use smes_projections::work_programme::YearStatus;

use super::codes::{self, BUDGET_COMMITTED, BUDGET_INDICATIVE};
use super::xml::Xml;
use super::{IatiOptions, check_year, reporting_org, year_period};
use crate::context::{Context, Movement, SELA_NAME, Transaction};
use crate::error::Result;

/// The IATI organisation file of a year.
pub fn organisation(log: &LogSlice, options: &IatiOptions) -> Result<String> {
    let context = Context::build(log, &options.cut)?;
    check_year(&context, options.year, &options.cut)?;
    let (start, end) = year_period(options.year)?;
    let (start, end) = (start.to_string(), end.to_string());
    let record = context
        .models
        .work_programme
        .years
        .get(&options.year)
        .cloned()
        .unwrap_or_default();
    let view = context.models.work_programme.year(options.year, None);
    let generated = context.generated_at.to_string();

    // Approved activities' budgets (not cancelled) by host and currency; expenditure of the year by currency.
    let mut by_country: BTreeMap<(MemberStateCode, Currency), Money> = BTreeMap::new();
    let mut spent: BTreeMap<Currency, Money> = BTreeMap::new();
    for line in &view.activities {
        if !options.filter.admits(line.thematic_area, line.host, line.status) {
            continue;
        }
        // A cancelled activity's budget is outside the year's figures, as in every report.
        if let (true, Some(host), Some(budget)) = (line.counts_in_totals(), line.host, &line.budget) {
            add(by_country.entry((host, budget.currency())), budget);
        }
        let transactions = context.transactions.get(&line.activity).into_iter().flatten();
        let spent_by_now = |transaction: &&Transaction| {
            transaction.movement == Movement::Expenditure && transaction.date <= context.generated_on()
        };
        for transaction in transactions.filter(spent_by_now) {
            add(spent.entry(transaction.amount.currency()), &transaction.amount);
        }
    }

    check_codes(options, record.budget.as_ref(), &by_country, &spent)?;

    let mut xml = Xml::new()?;
    xml.open(
        "iati-organisations",
        &[("version", super::codes::VERSION), ("generated-datetime", &generated)],
    )?;
    let mut attributes = vec![("last-updated-datetime", generated.as_str())];
    let default_currency = record
        .budget
        .as_ref()
        .map(|budget| budget.currency().as_str().to_owned());
    if let Some(currency) = &default_currency {
        attributes.push(("default-currency", currency));
    }
    xml.open("iati-organisation", &attributes)?;
    xml.text("organisation-identifier", &[], &options.reporting_org_ref)?;
    xml.with_narrative("name", &[], SELA_NAME)?;
    reporting_org(&mut xml, &options.reporting_org_ref)?;
    if let Some(budget) = &record.budget {
        let status = if matches!(record.status, YearStatus::Adopted | YearStatus::Closed) {
            BUDGET_COMMITTED
        } else {
            BUDGET_INDICATIVE
        };
        xml.open("total-budget", &[("status", status)])?;
        period(&mut xml, &start, &end)?;
        xml.money(budget)?;
        xml.close("total-budget")?;
    }
    for ((host, _), money) in &by_country {
        xml.open("recipient-country-budget", &[("status", BUDGET_INDICATIVE)])?;
        xml.with_narrative(
            "recipient-country",
            &[("code", host.as_str())],
            &context.member_state_name(*host),
        )?;
        period(&mut xml, &start, &end)?;
        xml.money(money)?;
        xml.close("recipient-country-budget")?;
    }
    for money in spent.values() {
        xml.open("total-expenditure", &[])?;
        period(&mut xml, &start, &end)?;
        xml.money(money)?;
        xml.close("total-expenditure")?;
    }
    xml.close("iati-organisation")?;
    xml.close("iati-organisations")?;
    xml.finish()
}

/// Adds money of one currency to a sum, keeping the first value date.
fn add<K: Ord>(entry: std::collections::btree_map::Entry<'_, K, Money>, money: &Money) {
    match entry {
        std::collections::btree_map::Entry::Vacant(vacant) => {
            vacant.insert(money.clone());
        }
        std::collections::btree_map::Entry::Occupied(mut occupied) => {
            if let Ok(sum) = occupied.get().checked_add(money) {
                *occupied.get_mut() = sum;
            }
        }
    }
}

fn period(xml: &mut Xml, start: &str, end: &str) -> Result<()> {
    xml.empty("period-start", &[("iso-date", start)])?;
    xml.empty("period-end", &[("iso-date", end)])
}

/// Refuses a year whose budgets name a country or currency not in the codelists their fields
/// take, before anything is written.
fn check_codes(
    options: &IatiOptions,
    budget: Option<&Money>,
    by_country: &BTreeMap<(MemberStateCode, Currency), Money>,
    spent: &BTreeMap<Currency, Money>,
) -> Result<()> {
    let record = || format!("work programme {}", options.year.get());
    if let Some(budget) = budget {
        codes::require_currency(&record, "total-budget/value/@currency", budget.currency())?;
    }
    for (host, currency) in by_country.keys() {
        codes::require_country(&record, "recipient-country-budget/recipient-country/@code", *host)?;
        codes::require_currency(&record, "recipient-country-budget/value/@currency", *currency)?;
    }
    for currency in spent.keys() {
        codes::require_currency(&record, "total-expenditure/value/@currency", *currency)?;
    }
    Ok(())
}
