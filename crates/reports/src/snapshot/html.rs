//! The snapshot as one self-contained HTML page: inline CSS, no script, no external resource.
//!
//! The markup is written with `maud`, which escapes every interpolated value, so titles and
//! organisation names cannot inject markup.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{ActivityRow, Snapshot, TotalRow};
use crate::format::{MoneyText, amounts_line, count_of};

/// The style sheet of the snapshot's HTML, for pages that embed its [`fragment`].
pub const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#1b1b1b}\
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}\
th,td{border:1px solid #c8c8c8;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#eef2f6}td.num{text-align:right;white-space:nowrap}\
code{font-size:.85rem;word-break:break-all}\
.anchor td:first-child{font-weight:600}\
section.activity{border-top:1px solid #c8c8c8;margin-top:1rem}";

fn money(value: Option<&MoneyText>) -> String {
    value.map_or_else(|| "–".to_owned(), ToString::to_string)
}

fn or_dash(value: Option<&str>) -> &str {
    value.unwrap_or("–")
}

/// Renders a snapshot as HTML.
pub fn render(snapshot: &Snapshot) -> String {
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "SELA-SMEs work programme " (snapshot.year) }
                style { (PreEscaped(STYLE)) }
            }
            body { (fragment(snapshot)) }
        }
    };
    crate::page::html_text(page)
}

/// The snapshot's content without the page around it (from its heading to its totals), for
/// pages that show it inside their own layout.
pub fn fragment(snapshot: &Snapshot) -> Markup {
    let anchor = &snapshot.anchor;
    let selection = &snapshot.selection;
    let programme = &snapshot.programme;
    html! {
                h1 { "SELA-SMEs work programme " (snapshot.year) }
                p { "Cut: " (selection.cut) "." }
                @if !selection.areas.is_empty() { p { "Thematic areas: " (selection.areas.join(", ")) } }
                @if !selection.countries.is_empty() { p { "Hosts: " (selection.countries.join(", ")) } }
                @if !selection.statuses.is_empty() { p { "Statuses: " (selection.statuses.join(", ")) } }
                table.anchor {
                    caption { "Made from" }
                    tr { td { "log position" } td { (anchor.log_position) } }
                    tr { td { "head hash" } td { code { (anchor.head_hash) } } }
                    tr { td { "Merkle tree size" } td { (anchor.tree_size) } }
                    tr { td { "Merkle tree root" } td { code { (anchor.tree_root) } } }
                }
                h2 { "Work programme" }
                ul {
                    li { "status: " (programme.status) }
                    li { "budget: " (money(programme.budget.as_ref())) }
                    li {
                        "adopted by: "
                        @match &programme.adopted_by {
                            Some(decision) => { (decision.reference) " (" (decision.body) ", " (decision.decided_on) ")" }
                            None => { "–" }
                        }
                    }
                }
                h2 { "Activities (" (snapshot.activities.len()) ")" }
                @if snapshot.activities.is_empty() {
                    p { "No activity." }
                } @else {
                    table {
                        tr {
                            th { "#" } th { "activity" } th { "kind" } th { "area" } th { "host" } th { "status" }
                            th { "planned" } th { "budget" } th { "committed" } th { "in kind" } th { "funding gap" }
                        }
                        @for (index, activity) in snapshot.activities.iter().enumerate() {
                            tr {
                                td.num { (index + 1) }
                                td { (activity.title) }
                                td { (or_dash(activity.kind.as_deref())) }
                                td { (or_dash(activity.thematic_area.as_deref())) }
                                td { (or_dash(activity.host.as_deref())) }
                                td { (activity.status) }
                                td { (planned(activity)) }
                                td.num { (money(activity.budget.as_ref())) }
                                td.num { (amounts_line(&activity.committed)) }
                                td.num { (amounts_line(&activity.in_kind)) }
                                td.num { (money(activity.funding_gap.as_ref())) }
                            }
                        }
                    }
                    @for (index, activity) in snapshot.activities.iter().enumerate() {
                        (details(index + 1, activity))
                    }
                }
                h2 { "Totals of the activities listed" }
                p { "Cancelled activities are left out of these totals; their figures are shown apart below." }
                table {
                    tr {
                        th { "group" } th { "" } th { "activities" } th { "budget" } th { "committed" }
                        th { "disbursed" } th { "spent" } th { "in kind" } th { "funding gap" }
                        th { "participants" } th { "women" } th { "men" } th { "other or not stated" } th { "share of women" }
                    }
                    @for total in &snapshot.totals { (total_row(total)) }
                }
                (cancelled(snapshot))
                (declined(snapshot))
    }
}

fn cancelled(snapshot: &Snapshot) -> Markup {
    let totals = &snapshot.cancelled_totals;
    html! {
        h2 { "Cancelled activities (" (snapshot.cancelled.len()) ")" }
        @if snapshot.cancelled.is_empty() {
            p { "No activity was cancelled." }
        } @else {
            table {
                tr {
                    th { "#" } th { "activity" } th { "area" } th { "host" } th { "approved by" }
                    th { "budget" } th { "cancelled on" } th { "why" }
                }
                @for (index, activity) in snapshot.cancelled.iter().enumerate() {
                    tr {
                        td.num { (index + 1) }
                        td { (activity.title) " " code { (activity.id) } }
                        td { (or_dash(activity.thematic_area.as_deref())) }
                        td { (or_dash(activity.host.as_deref())) }
                        td { (activity.decision.as_ref().map_or("–", |decision| decision.reference.as_str())) }
                        td.num { (money(activity.budget.as_ref())) }
                        td { (or_dash(activity.cancelled_on.as_deref())) }
                        td { (or_dash(activity.cancellation_reason.as_deref())) }
                    }
                }
            }
            p {
                "Budget of the " (count_of(totals.activities as u64, "activity", "activities"))
                " cancelled, outside the totals: " (amounts_line(&totals.budget))
                "; committed " (amounts_line(&totals.committed)) ", in kind " (amounts_line(&totals.in_kind)) "."
            }
        }
    }
}

fn declined(snapshot: &Snapshot) -> Markup {
    html! {
        h2 { "Proposals rejected or deferred (" (snapshot.declined.len()) ")" }
        @if snapshot.declined.is_empty() {
            p { "No proposal for the year was rejected or deferred." }
        } @else {
            table {
                tr {
                    th { "#" } th { "proposal" } th { "area" } th { "host" } th { "planned" } th { "budget asked" }
                    th { "decision" } th { "decided on" } th { "rationale" }
                }
                @for (index, proposal) in snapshot.declined.iter().enumerate() {
                    tr {
                        td.num { (index + 1) }
                        td { (proposal.title) " " code { (proposal.id) } }
                        td { (or_dash(proposal.thematic_area.as_deref())) }
                        td { (or_dash(proposal.host.as_deref())) }
                        td {
                            @match (&proposal.planned_start, &proposal.planned_end) {
                                (Some(start), Some(end)) => { (start) " to " (end) }
                                _ => { "–" }
                            }
                        }
                        td.num { (money(proposal.budget.as_ref())) }
                        td { (proposal.decision) }
                        td { (or_dash(proposal.decided_on.as_deref())) }
                        td { (or_dash(proposal.rationale.as_deref())) }
                    }
                }
            }
        }
    }
}

fn planned(activity: &ActivityRow) -> String {
    match (&activity.planned_start, &activity.planned_end) {
        (Some(start), Some(end)) => format!("{start} to {end}"),
        _ => "–".to_owned(),
    }
}

fn details(number: usize, activity: &ActivityRow) -> Markup {
    html! {
        section.activity {
            h3 { (number) ". " (activity.title) }
            ul {
                li { "id: " code { (activity.id) } }
                li { "proposed by: " (or_dash(activity.proposed_by.as_deref())) }
                @if let (Some(start), Some(end)) = (&activity.held_start, &activity.held_end) {
                    li { "held: " (start) " to " (end) }
                }
                @if let Some(participants) = &activity.participants {
                    li { "participants: " (participants.summary()) }
                }
                li {
                    "approved by: "
                    @match &activity.decision {
                        Some(decision) => { (decision.reference) " (" (decision.body) ", " (decision.decided_on) ")" }
                        None => { "–" }
                    }
                }
                li {
                    "answers needs: "
                    @if activity.answers_needs.is_empty() { "none" }
                    @for (index, need) in activity.answers_needs.iter().enumerate() {
                        @if index > 0 { ", " }
                        code { (need) }
                    }
                }
                @for funding in &activity.funding {
                    li {
                        "funding from " (funding.name) ": committed " (amounts_line(&funding.committed))
                        ", disbursed " (amounts_line(&funding.disbursed)) ", spent " (amounts_line(&funding.spent))
                        ", in kind " (amounts_line(&funding.in_kind))
                    }
                }
                @if !activity.unconverted_funding.is_empty() {
                    li { "funding left out of the gap for lack of a recorded rate: " (amounts_line(&activity.unconverted_funding)) }
                }
            }
        }
    }
}

fn total_row(total: &TotalRow) -> Markup {
    let group = match total.group.as_str() {
        "all" => "all",
        "thematic-area" => "thematic area",
        _ => "host",
    };
    let key = if total.group == "all" { "" } else { total.key.as_str() };
    html! {
        tr {
            td { (group) } td { (key) } td.num { (total.activities) }
            td.num { (amounts_line(&total.budget)) } td.num { (amounts_line(&total.committed)) }
            td.num { (amounts_line(&total.disbursed)) } td.num { (amounts_line(&total.spent)) }
            td.num { (amounts_line(&total.in_kind)) } td.num { (amounts_line(&total.funding_gap)) }
            td.num { (total.participants.total) } td.num { (total.participants.women) }
            td.num { (total.participants.men) } td.num { (total.participants.other) }
            td.num { (total.participants.share_text()) }
        }
    }
}
