//! The summary `smes demo` prints: counts read back from the log.

use std::collections::BTreeMap;
use std::fmt;

use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use smes_domain::Decider;
use smes_domain::activity::{ActivityDecider, ActivityEvent};
use smes_domain::funding::{InKindContributionEvent, OfferEvent};
use smes_domain::work_programme::{WorkProgrammeDecider, WorkProgrammeEvent};

use crate::app::{App, is_stream_of};
use crate::error::Result;
use crate::service::decode_recorded;

/// What `smes demo` prints: counts by kind of record and the work programme's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Events written.
    pub events: u64,
    /// Streams written.
    pub streams: usize,
    /// Events by type.
    pub by_type: BTreeMap<String, usize>,
    pub activities_by_status: BTreeMap<String, usize>,
    /// The work programme's year, budget and totals (amounts in its budget's currency).
    pub work_programme: Option<WorkProgrammeTotals>,
}

/// A work programme's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkProgrammeTotals {
    pub year: i16,
    pub status: String,
    /// Its budget currency.
    pub currency: String,
    /// Its estimated (or revised) budget.
    pub budget: Decimal,
    /// How many activities were approved into it.
    pub approved_activities: usize,
    /// Their estimated cost, in the budget currency.
    pub approved_cost: Decimal,
    /// Committed to them from offers, in the budget currency.
    pub committed: Decimal,
    /// In-kind contributions valued for them, in the budget currency.
    pub in_kind: Decimal,
}

/// Reads the log and sums it up.
pub async fn summarise(app: &App) -> Result<Summary> {
    let store = app.service().store();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let mut streams = std::collections::BTreeSet::new();
    let mut activities: BTreeMap<String, <ActivityDecider as Decider>::State> = BTreeMap::new();
    let mut costs: BTreeMap<String, smes_domain::values::Money> = BTreeMap::new();
    let mut committed: Vec<smes_domain::values::Money> = Vec::new();
    let mut in_kind: Vec<smes_domain::values::Money> = Vec::new();
    let mut work_programme = <WorkProgrammeDecider as Decider>::initial();
    let mut year = None;
    let mut events = store.stream_all(1);
    let mut count = 0u64;
    while let Some(recorded) = events.try_next().await? {
        count += 1;
        *by_type.entry(recorded.event_type.clone()).or_default() += 1;
        streams.insert(recorded.stream.clone());
        if is_stream_of::<ActivityDecider>(&recorded) {
            let event: ActivityEvent = decode_recorded(&recorded)?;
            if let ActivityEvent::Proposed(proposed) = &event {
                costs.insert(recorded.stream.clone(), proposed.estimated_cost.clone());
            }
            let state = activities.remove(&recorded.stream).unwrap_or_default();
            activities.insert(recorded.stream.clone(), ActivityDecider::evolve(state, &event));
        } else if is_stream_of::<WorkProgrammeDecider>(&recorded) {
            let event: WorkProgrammeEvent = decode_recorded(&recorded)?;
            if let WorkProgrammeEvent::Opened(opened) = &event {
                year = Some(opened.year);
            }
            work_programme = WorkProgrammeDecider::evolve(work_programme, &event);
        } else if is_stream_of::<smes_domain::funding::OfferDecider>(&recorded) {
            if let OfferEvent::CommitmentMade(made) = decode_recorded(&recorded)? {
                committed.push(made.amount_in_offer_currency);
            }
        } else if is_stream_of::<smes_domain::funding::InKindContributionDecider>(&recorded)
            && let InKindContributionEvent::Valued(valued) = decode_recorded(&recorded)?
        {
            in_kind.push(valued.value);
        }
    }
    let mut activities_by_status: BTreeMap<String, usize> = BTreeMap::new();
    for state in activities.values() {
        if let Some(record) = &state.record {
            *activities_by_status.entry(record.status.to_string()).or_default() += 1;
        }
    }
    let totals = match (year, &work_programme.budget) {
        (Some(year), Some(budget)) => {
            let currency = budget.currency();
            let in_currency = |amounts: &mut dyn Iterator<Item = &smes_domain::values::Money>| -> Decimal {
                amounts
                    .filter(|money| money.currency() == currency)
                    .map(|money| money.amount())
                    .sum()
            };
            let approved: Vec<&String> = activities
                .iter()
                .filter(|(_, state)| state.record.as_ref().and_then(|record| record.approved_into) == Some(year))
                .map(|(stream, _)| stream)
                .collect();
            Some(WorkProgrammeTotals {
                year: year.get(),
                status: work_programme.status.to_string(),
                currency: currency.to_string(),
                budget: budget.amount(),
                approved_activities: approved.len(),
                approved_cost: in_currency(&mut approved.iter().filter_map(|stream| costs.get(*stream))),
                committed: in_currency(&mut committed.iter()),
                in_kind: in_currency(&mut in_kind.iter()),
            })
        }
        _ => None,
    };
    Ok(Summary {
        events: count,
        streams: streams.len(),
        by_type,
        activities_by_status,
        work_programme: totals,
    })
}

impl fmt::Display for Summary {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(out, "{} events in {} streams", self.events, self.streams)?;
        writeln!(out)?;
        writeln!(out, "Events by type")?;
        for (event_type, count) in &self.by_type {
            writeln!(out, "  {event_type:<36} {count:>4}")?;
        }
        writeln!(out)?;
        writeln!(out, "Activities by status")?;
        for (status, count) in &self.activities_by_status {
            writeln!(out, "  {status:<36} {count:>4}")?;
        }
        if let Some(totals) = &self.work_programme {
            let currency = &totals.currency;
            writeln!(out)?;
            writeln!(out, "Work programme {} ({})", totals.year, totals.status)?;
            writeln!(out, "  {:<36} {currency} {:>10}", "estimated budget", totals.budget)?;
            writeln!(
                out,
                "  {:<36} {currency} {:>10}",
                format!("{} approved activities, estimated", totals.approved_activities),
                totals.approved_cost
            )?;
            writeln!(
                out,
                "  {:<36} {currency} {:>10}",
                "committed from offers", totals.committed
            )?;
            writeln!(
                out,
                "  {:<36} {currency} {:>10}",
                "in-kind contributions", totals.in_kind
            )?;
        }
        Ok(())
    }
}
