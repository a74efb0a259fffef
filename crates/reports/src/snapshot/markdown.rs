//! The snapshot in Markdown: a heading with the anchor, the activities in one table, each
//! activity's decision, needs and funding below it, and the totals.

use std::fmt::Write as _;

use super::{ActivityRow, ProposalRow, Snapshot, TotalRow};
use crate::format::{amounts_line, cell, count_of};

/// Renders a snapshot as Markdown.
pub fn render(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_all(&mut out, snapshot);
    out
}

fn optional(value: Option<&str>) -> String {
    value.map_or_else(|| "–".to_owned(), cell)
}

fn write_all(out: &mut String, snapshot: &Snapshot) -> std::fmt::Result {
    let anchor = &snapshot.anchor;
    let selection = &snapshot.selection;
    writeln!(out, "# SELA-SMEs work programme {}", snapshot.year)?;
    writeln!(out)?;
    writeln!(out, "Cut: {}.", selection.cut)?;
    let mut filters = Vec::new();
    if !selection.areas.is_empty() {
        filters.push(format!("thematic area {}", selection.areas.join(", ")));
    }
    if !selection.countries.is_empty() {
        filters.push(format!("host {}", selection.countries.join(", ")));
    }
    if !selection.statuses.is_empty() {
        filters.push(format!("status {}", selection.statuses.join(", ")));
    }
    if !filters.is_empty() {
        writeln!(out, "Only activities with {}.", filters.join("; "))?;
    }
    writeln!(out)?;
    writeln!(out, "| made from | |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| log position | {} |", anchor.log_position)?;
    writeln!(out, "| head hash | `{}` |", anchor.head_hash)?;
    writeln!(out, "| Merkle tree size | {} |", anchor.tree_size)?;
    writeln!(out, "| Merkle tree root | `{}` |", anchor.tree_root)?;
    writeln!(out)?;
    let programme = &snapshot.programme;
    writeln!(out, "## Work programme")?;
    writeln!(out)?;
    writeln!(out, "- status: {}", programme.status)?;
    writeln!(
        out,
        "- budget: {}",
        programme
            .budget
            .as_ref()
            .map_or_else(|| "–".to_owned(), ToString::to_string)
    )?;
    match &programme.adopted_by {
        Some(decision) => writeln!(
            out,
            "- adopted by: {} ({}, {})",
            decision.reference, decision.body, decision.decided_on
        )?,
        None => writeln!(out, "- adopted by: –")?,
    }
    writeln!(out)?;
    writeln!(out, "## Activities ({})", snapshot.activities.len())?;
    writeln!(out)?;
    if snapshot.activities.is_empty() {
        writeln!(out, "No activity.")?;
    } else {
        writeln!(
            out,
            "| # | activity | kind | area | host | status | planned | budget | committed | in kind | funding gap |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|")?;
        for (index, activity) in snapshot.activities.iter().enumerate() {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                index + 1,
                cell(&activity.title),
                optional(activity.kind.as_deref()),
                optional(activity.thematic_area.as_deref()),
                optional(activity.host.as_deref()),
                activity.status,
                planned(activity),
                activity
                    .budget
                    .as_ref()
                    .map_or_else(|| "–".to_owned(), ToString::to_string),
                amounts_line(&activity.committed),
                amounts_line(&activity.in_kind),
                activity
                    .funding_gap
                    .as_ref()
                    .map_or_else(|| "–".to_owned(), ToString::to_string),
            )?;
        }
        for (index, activity) in snapshot.activities.iter().enumerate() {
            write_activity(out, index + 1, activity)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "## Totals of the activities listed")?;
    writeln!(out)?;
    writeln!(
        out,
        "Cancelled activities are left out of these totals; their figures are shown apart below."
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| group | | activities | budget | committed | disbursed | spent | in kind | funding gap | participants | women | men | other or not stated | share of women |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")?;
    for total in &snapshot.totals {
        write_total(out, total)?;
    }
    write_cancelled(out, snapshot)?;
    write_declined(out, &snapshot.declined)?;
    Ok(())
}

fn write_cancelled(out: &mut String, snapshot: &Snapshot) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "## Cancelled activities ({})", snapshot.cancelled.len())?;
    writeln!(out)?;
    if snapshot.cancelled.is_empty() {
        writeln!(out, "No activity was cancelled.")?;
        return Ok(());
    }
    writeln!(
        out,
        "| # | activity | area | host | approved by | budget | cancelled on | why |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for (index, activity) in snapshot.cancelled.iter().enumerate() {
        writeln!(
            out,
            "| {} | {} (`{}`) | {} | {} | {} | {} | {} | {} |",
            index + 1,
            cell(&activity.title),
            activity.id,
            optional(activity.thematic_area.as_deref()),
            optional(activity.host.as_deref()),
            activity
                .decision
                .as_ref()
                .map_or_else(|| "–".to_owned(), |decision| cell(&decision.reference)),
            activity
                .budget
                .as_ref()
                .map_or_else(|| "–".to_owned(), ToString::to_string),
            optional(activity.cancelled_on.as_deref()),
            optional(activity.cancellation_reason.as_deref()),
        )?;
    }
    let cancelled = &snapshot.cancelled_totals;
    writeln!(out)?;
    writeln!(
        out,
        "Budget of the {} cancelled, outside the totals: {}; committed {}, in kind {}.",
        count_of(cancelled.activities as u64, "activity", "activities"),
        amounts_line(&cancelled.budget),
        amounts_line(&cancelled.committed),
        amounts_line(&cancelled.in_kind)
    )
}

fn write_declined(out: &mut String, declined: &[ProposalRow]) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "## Proposals rejected or deferred ({})", declined.len())?;
    writeln!(out)?;
    if declined.is_empty() {
        writeln!(out, "No proposal for the year was rejected or deferred.")?;
        return Ok(());
    }
    writeln!(
        out,
        "| # | proposal | area | host | planned | budget asked | decision | decided on | rationale |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|")?;
    for (index, proposal) in declined.iter().enumerate() {
        let planned = match (&proposal.planned_start, &proposal.planned_end) {
            (Some(start), Some(end)) => format!("{start} to {end}"),
            _ => "–".to_owned(),
        };
        writeln!(
            out,
            "| {} | {} (`{}`) | {} | {} | {} | {} | {} | {} | {} |",
            index + 1,
            cell(&proposal.title),
            proposal.id,
            optional(proposal.thematic_area.as_deref()),
            optional(proposal.host.as_deref()),
            planned,
            proposal
                .budget
                .as_ref()
                .map_or_else(|| "–".to_owned(), ToString::to_string),
            proposal.decision,
            optional(proposal.decided_on.as_deref()),
            optional(proposal.rationale.as_deref()),
        )?;
    }
    Ok(())
}

fn planned(activity: &ActivityRow) -> String {
    match (&activity.planned_start, &activity.planned_end) {
        (Some(start), Some(end)) => format!("{start} to {end}"),
        _ => "–".to_owned(),
    }
}

fn write_activity(out: &mut String, number: usize, activity: &ActivityRow) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "### {number}. {}", cell(&activity.title))?;
    writeln!(out)?;
    writeln!(out, "- id: `{}`", activity.id)?;
    writeln!(out, "- proposed by: {}", optional(activity.proposed_by.as_deref()))?;
    if let (Some(start), Some(end)) = (&activity.held_start, &activity.held_end) {
        writeln!(out, "- held: {start} to {end}")?;
    }
    if let Some(participants) = &activity.participants {
        writeln!(out, "- participants: {}", participants.summary())?;
    }
    match &activity.decision {
        Some(decision) => writeln!(
            out,
            "- approved by: {} ({}, {})",
            cell(&decision.reference),
            decision.body,
            decision.decided_on
        )?,
        None => writeln!(out, "- approved by: –")?,
    }
    if activity.answers_needs.is_empty() {
        writeln!(out, "- answers needs: none")?;
    } else {
        let needs: Vec<String> = activity.answers_needs.iter().map(|need| format!("`{need}`")).collect();
        writeln!(out, "- answers needs: {}", needs.join(", "))?;
    }
    for funding in &activity.funding {
        writeln!(
            out,
            "- funding from {}: committed {}, disbursed {}, spent {}, in kind {}",
            cell(&funding.name),
            amounts_line(&funding.committed),
            amounts_line(&funding.disbursed),
            amounts_line(&funding.spent),
            amounts_line(&funding.in_kind)
        )?;
    }
    if !activity.unconverted_funding.is_empty() {
        writeln!(
            out,
            "- funding left out of the gap for lack of a recorded rate: {}",
            amounts_line(&activity.unconverted_funding)
        )?;
    }
    Ok(())
}

fn write_total(out: &mut String, total: &TotalRow) -> std::fmt::Result {
    let group = match total.group.as_str() {
        "all" => "all",
        "thematic-area" => "thematic area",
        _ => "host",
    };
    let key = if total.group == "all" { "" } else { total.key.as_str() };
    writeln!(
        out,
        "| {group} | {key} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        total.activities,
        amounts_line(&total.budget),
        amounts_line(&total.committed),
        amounts_line(&total.disbursed),
        amounts_line(&total.spent),
        amounts_line(&total.in_kind),
        amounts_line(&total.funding_gap),
        total.participants.total,
        total.participants.women,
        total.participants.men,
        total.participants.other,
        total.participants.share_text()
    )
}
