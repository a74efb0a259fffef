//! The snapshot as CSV (RFC 4180, written by the `csv` crate): one row per activity, the
//! approved ones first, then the cancelled ones, then the proposals rejected or deferred;
//! `in_totals` says which rows the year's totals count.
//!
//! Amount columns are numbers in the row's `currency` (the budget's), so a spreadsheet can add
//! them; any amount in another currency is listed in `other_currencies` instead, never added.
//! Every row repeats the cut and the anchor, so a row copied out of the file still says where
//! it came from.

use super::{ActivityRow, ProposalRow, Snapshot};
use crate::error::{Error, Result};
use crate::format::{MoneyText, amounts_line};

const HEADER: [&str; 39] = [
    "year",
    "activity_id",
    "title",
    "kind",
    "thematic_area",
    "host",
    "status",
    "proposed_by",
    "planned_start",
    "planned_end",
    "held_start",
    "held_end",
    "answers_needs",
    "decision_reference",
    "decision_body",
    "decided_on",
    "currency",
    "budget",
    "committed",
    "disbursed",
    "spent",
    "in_kind",
    "funding_gap",
    "other_currencies",
    "in_totals",
    "status_changed_on",
    "status_reason",
    "participants",
    "participants_women",
    "participants_men",
    "participants_other",
    "women_share_percent",
    "as_of",
    "known_at",
    "at_position",
    "log_position",
    "head_hash",
    "tree_size",
    "tree_root",
];

/// Renders a snapshot as CSV.
pub fn render(snapshot: &Snapshot) -> Result<String> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let failed = |error: csv::Error| Error::Render {
        format: "csv",
        detail: error.to_string(),
    };
    writer.write_record(HEADER).map_err(failed)?;
    for activity in &snapshot.activities {
        writer.write_record(row(snapshot, activity, true)).map_err(failed)?;
    }
    for activity in &snapshot.cancelled {
        writer.write_record(row(snapshot, activity, false)).map_err(failed)?;
    }
    for proposal in &snapshot.declined {
        writer
            .write_record(row(snapshot, &proposal_as_activity(proposal), false))
            .map_err(failed)?;
    }
    let bytes = writer.into_inner().map_err(|error| Error::Render {
        format: "csv",
        detail: error.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|error| Error::Render {
        format: "csv",
        detail: error.to_string(),
    })
}

/// A rejected or deferred proposal in the columns of an activity: its status is the decision,
/// its date and rationale the status's.
fn proposal_as_activity(proposal: &ProposalRow) -> ActivityRow {
    ActivityRow {
        id: proposal.id.clone(),
        title: proposal.title.clone(),
        kind: proposal.kind.clone(),
        status: proposal.decision.clone(),
        thematic_area: proposal.thematic_area.clone(),
        host: proposal.host.clone(),
        proposed_by: None,
        planned_start: proposal.planned_start.clone(),
        planned_end: proposal.planned_end.clone(),
        held_start: None,
        held_end: None,
        answers_needs: Vec::new(),
        decision: None,
        budget: proposal.budget.clone(),
        funding: Vec::new(),
        committed: Vec::new(),
        disbursed: Vec::new(),
        spent: Vec::new(),
        in_kind: Vec::new(),
        funding_gap: None,
        unconverted_funding: Vec::new(),
        participants: None,
        cancelled_on: proposal.decided_on.clone(),
        cancellation_reason: proposal.rationale.clone(),
    }
}

fn row(snapshot: &Snapshot, activity: &ActivityRow, in_totals: bool) -> Vec<String> {
    let currency = activity
        .budget
        .as_ref()
        .or_else(|| activity.committed.first())
        .map(|money| money.currency.clone())
        .unwrap_or_default();
    let mut others: Vec<String> = Vec::new();
    let mut column = |label: &str, amounts: &[MoneyText]| -> String {
        let mut own = String::new();
        for money in amounts {
            if money.currency == currency {
                own = money.amount.clone();
            } else {
                others.push(format!("{label} {money}"));
            }
        }
        own
    };
    let budget = column("budget", activity.budget.as_slice());
    let committed = column("committed", &activity.committed);
    let disbursed = column("disbursed", &activity.disbursed);
    let spent = column("spent", &activity.spent);
    let in_kind = column("in kind", &activity.in_kind);
    let gap = column("funding gap", activity.funding_gap.as_slice());
    if !activity.unconverted_funding.is_empty() {
        others.push(format!(
            "not in the gap for lack of a rate {}",
            amounts_line(&activity.unconverted_funding)
        ));
    }
    let decision = activity.decision.as_ref();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let selection = &snapshot.selection;
    let anchor = &snapshot.anchor;
    let participants = activity.participants.as_ref();
    vec![
        snapshot.year.to_string(),
        activity.id.clone(),
        activity.title.clone(),
        text(&activity.kind),
        text(&activity.thematic_area),
        text(&activity.host),
        activity.status.clone(),
        text(&activity.proposed_by),
        text(&activity.planned_start),
        text(&activity.planned_end),
        text(&activity.held_start),
        text(&activity.held_end),
        activity.answers_needs.join(" "),
        decision.map(|decision| decision.reference.clone()).unwrap_or_default(),
        decision.map(|decision| decision.body.clone()).unwrap_or_default(),
        decision.map(|decision| decision.decided_on.clone()).unwrap_or_default(),
        currency,
        budget,
        committed,
        disbursed,
        spent,
        in_kind,
        gap,
        others.join("; "),
        in_totals.to_string(),
        text(&activity.cancelled_on),
        text(&activity.cancellation_reason),
        participants.map(|row| row.total.to_string()).unwrap_or_default(),
        participants.map(|row| row.women.to_string()).unwrap_or_default(),
        participants.map(|row| row.men.to_string()).unwrap_or_default(),
        participants.map(|row| row.other.to_string()).unwrap_or_default(),
        participants
            .and_then(|row| row.women_share_percent.clone())
            .unwrap_or_default(),
        text(&selection.as_of),
        text(&selection.known_at),
        selection
            .at_position
            .map(|position| position.to_string())
            .unwrap_or_default(),
        anchor.log_position.to_string(),
        anchor.head_hash.clone(),
        anchor.tree_size.to_string(),
        anchor.tree_root.clone(),
    ]
}
