//! The snapshot as CSV (RFC 4180, written by the `csv` crate): one row per activity.
//!
//! Amount columns are numbers in the row's `currency` (the budget's), so a spreadsheet can add
//! them; any amount in another currency is listed in `other_currencies` instead, never added.
//! Every row repeats the cut and the anchor, so a row copied out of the file still says where
//! it came from.

use super::{ActivityRow, Snapshot};
use crate::error::{Error, Result};
use crate::format::{MoneyText, amounts_line};

const HEADER: [&str; 31] = [
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
        writer.write_record(row(snapshot, activity)).map_err(failed)?;
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

fn row(snapshot: &Snapshot, activity: &ActivityRow) -> Vec<String> {
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
