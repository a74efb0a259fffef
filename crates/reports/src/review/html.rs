//! The review pack as one self-contained HTML page: inline CSS, the charts as inline SVG, no
//! script and nothing fetched.
//!
//! The markup is written with `maud`, which escapes every interpolated value; the SVG of the
//! charts is inserted as it is, and `plotters` escapes the text it writes into it.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::charts::{Chart, find};
use super::{AreaProgress, CountRow, NeedRow, ReviewPack, ReviewRow};
use crate::format::{MoneyText, amounts_line};

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#1b1b1b}\
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}\
th,td{border:1px solid #c8c8c8;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#eef2f6}td.num{text-align:right;white-space:nowrap}\
code{font-size:.85rem;word-break:break-all}\
.anchor td:first-child{font-weight:600}\
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.85rem;color:#555}";

fn money(value: Option<&MoneyText>) -> String {
    value.map_or_else(|| "–".to_owned(), ToString::to_string)
}

fn or_dash(value: Option<&str>) -> &str {
    value.unwrap_or("–")
}

fn figure(charts: &[Chart], name: &str) -> Markup {
    html! {
        @if let Some(chart) = find(charts, name) {
            figure {
                (PreEscaped(chart.svg.as_str()))
                figcaption { (chart.title) }
            }
        }
    }
}

/// The figures' style, for pages that embed the pack's [`fragment`] (with the snapshot's
/// [`crate::snapshot::html::STYLE`] for the tables).
pub const FIGURE_STYLE: &str =
    "figure{margin:1rem 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.85rem;color:#555}";

fn title(pack: &ReviewPack) -> String {
    format!("SELA-SMEs programme review, {} to {}", pack.period.from, pack.period.to)
}

/// Renders a pack as HTML, with its charts inline.
pub fn render(pack: &ReviewPack, charts: &[Chart]) -> String {
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title(pack)) }
                style { (PreEscaped(STYLE)) }
            }
            body { (fragment(pack, charts)) }
        }
    };
    crate::page::html_text(page)
}

/// The pack's content without the page around it (from its heading to what changed), with
/// its charts inline, for pages that show it inside their own layout.
pub fn fragment(pack: &ReviewPack, charts: &[Chart]) -> Markup {
    let title = title(pack);
    let achievements = &pack.achievements;
    let participants = &pack.participants;
    let coverage = &pack.coverage;
    let needs = &pack.needs;
    let funding = &pack.funding;
    html! {
                h1 { (title) }
                p { "Made from the log " (pack.cut) ". Figures are as of " (pack.period.to) " unless a section says otherwise." }
                table.anchor {
                    caption { "Made from" }
                    tr { td { "log position" } td { (pack.anchor.log_position) } }
                    tr { td { "head hash" } td { code { (pack.anchor.head_hash) } } }
                    tr { td { "Merkle tree size" } td { (pack.anchor.tree_size) } }
                    tr { td { "Merkle tree root" } td { code { (pack.anchor.tree_root) } } }
                }

                h2 { "Work programmes" }
                @if pack.work_programmes.is_empty() {
                    p { "No work programme of these years is in the record." }
                } @else {
                    table {
                        tr { th { "year" } th { "status" } th { "budget" } th { "adopted by" } th { "activities approved" } }
                        @for programme in &pack.work_programmes {
                            tr {
                                td { (programme.year) }
                                td { (programme.status) }
                                td.num { (money(programme.budget.as_ref())) }
                                td {
                                    @match &programme.adopted_by {
                                        Some(decision) => { (decision.reference) " (" (decision.body) ", " (decision.decided_on) ")" }
                                        None => { "–" }
                                    }
                                }
                                td.num { (programme.activities) }
                            }
                        }
                    }
                }

                h2 { "Programme reviews" }
                @if pack.reviews.is_empty() { p { "No programme review of this period is in the record." } }
                @for review in &pack.reviews { (review_item(review)) }
                h3 { "Previous closed review" }
                p { "Chosen as " (pack.previous_review.rule) "." }
                @match &pack.previous_review.review {
                    Some(review) => { (review_item(review)) }
                    None => { p { "There is none: no such review is in the record." } }
                }

                h2 { "Achievements against targets" }
                p { (super::achievements_sentence(&achievements.overall)) }
                @if !achievements.by_thematic_area.is_empty() {
                    table {
                        tr { th { "thematic area" } th { "approved" } th { "held" } th { "to be held" } th { "cancelled" } }
                        @for area in &achievements.by_thematic_area { (progress_row(area)) }
                        (progress_row(&achievements.overall))
                    }
                }
                (figure(charts, "activities"))
                h3 { "Indicators" }
                @if achievements.indicators.is_empty() {
                    p { "No activity of these work programmes has a results indicator." }
                } @else {
                    table {
                        tr {
                            th { "activity" } th { "indicator" } th { "unit" } th { "baseline" } th { "target" }
                            th { "actual" } th { "measured" } th { "progress" } th { "target met" }
                        }
                        @for row in &achievements.indicators {
                            tr {
                                td { (row.activity) } td { (row.indicator) } td { (row.unit) }
                                td.num { (row.baseline) } td.num { (row.target) }
                                td.num { (or_dash(row.actual.as_deref())) } td { (or_dash(row.measured.as_deref())) }
                                td.num {
                                    @match &row.progress_percent { Some(percent) => { (percent) "%" } None => { "–" } }
                                }
                                td { @match row.met { Some(true) => { "yes" } Some(false) => { "no" } None => { "–" } } }
                            }
                        }
                    }
                }
                (figure(charts, "indicators"))

                h2 { "Participants by sex and Member State" }
                @if participants.activities.is_empty() {
                    p { "No activity was held in the period." }
                } @else {
                    p { (super::participants_sentence(participants)) }
                    (count_table("sex", &participants.by_sex))
                    (figure(charts, "participants-by-sex"))
                    (count_table("Member State", &participants.by_member_state))
                    (figure(charts, "participants-by-member-state"))
                    table {
                        tr {
                            th { "activity" } th { "host" } th { "held" } th { "total" }
                            @for row in &participants.by_sex { th { (row.label) } }
                            th { "share of women" }
                        }
                        @for activity in &participants.activities {
                            tr {
                                td { (activity.title) } td { (or_dash(activity.host.as_deref())) } td { (activity.held) }
                                td.num { (activity.total) }
                                @for row in &activity.by_sex { td.num { (row.count) } }
                                td.num { (activity.women_share_percent.as_ref().map_or_else(|| "–".to_owned(), |share| format!("{share}%"))) }
                            }
                        }
                    }
                }

                h2 { "Coverage by thematic area and Member State" }
                p {
                    "Each cell: activities of the work programmes hosted there (not cancelled) / of those, held / needs "
                    "identified in the period concerning that Member State. An empty row is an area with neither."
                }
                @if coverage.member_states.is_empty() {
                    p { "No activity and no need in the period." }
                } @else {
                    table {
                        tr { th { "thematic area" } @for state in &coverage.member_states { th { (state) } } }
                        @for area in &coverage.thematic_areas {
                            tr {
                                td { (area) }
                                @for state in &coverage.member_states {
                                    td.num {
                                        @if let Some(cell) = coverage.cells.iter().find(|cell| &cell.thematic_area == area && &cell.member_state == state) {
                                            (cell.activities) " / " (cell.held) " / " (cell.needs)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                (figure(charts, "coverage"))

                h2 { "Unanswered needs" }
                p {
                    "Needs identified by " (pack.period.to) ": " (needs.identified)
                    "; answered by an approved or held activity: " (needs.answered)
                    "; awaiting a decision on an activity citing them: " (needs.open.len())
                    "; cited by no live activity: " (needs.unanswered.len()) "."
                }
                @for (heading, rows) in [("Cited by no live activity", &needs.unanswered), ("Awaiting a decision", &needs.open)] {
                    @if !rows.is_empty() {
                        h3 { (heading) " (" (rows.len()) ")" }
                        table {
                            tr {
                                th { "priority" } th { "identified" } th { "thematic area" } th { "Member States" }
                                th { "need" } th { "raised by" } th { "consultation" } th { "activities citing it" }
                            }
                            @for need in rows { (need_row(need)) }
                        }
                    }
                }

                h2 { "Funding and funding gaps" }
                p { "Activities of the work programmes that were not cancelled. Amounts stay in their currencies." }
                table {
                    tr { td { "budget" } td.num { (amounts_line(&funding.budget)) } }
                    tr { td { "committed" } td.num { (amounts_line(&funding.committed)) } }
                    tr { td { "disbursed" } td.num { (amounts_line(&funding.disbursed)) } }
                    tr { td { "spent" } td.num { (amounts_line(&funding.spent)) } }
                    tr { td { "in kind" } td.num { (amounts_line(&funding.in_kind)) } }
                    tr { td { "funding gap" } td.num { (amounts_line(&funding.funding_gap)) } }
                    tr { td { "budget of cancelled activities (outside the figures above)" } td.num { (amounts_line(&funding.cancelled_budget)) } }
                }
                @if !funding.by_source.is_empty() {
                    h3 { "By source" }
                    table {
                        tr { th { "source" } th { "committed" } th { "disbursed" } th { "spent" } th { "in kind" } }
                        @for source in &funding.by_source {
                            tr {
                                td { (source.name) } td.num { (amounts_line(&source.committed)) }
                                td.num { (amounts_line(&source.disbursed)) } td.num { (amounts_line(&source.spent)) }
                                td.num { (amounts_line(&source.in_kind)) }
                            }
                        }
                    }
                }
                (figure(charts, "funding-sources"))
                h3 { "Activities with a funding gap (" (funding.gaps.len()) ")" }
                @if funding.gaps.is_empty() {
                    p { "Every activity's budget is covered." }
                } @else {
                    table {
                        tr { th { "activity" } th { "thematic area" } th { "host" } th { "status" } th { "budget" } th { "gap" } }
                        @for gap in &funding.gaps {
                            tr {
                                td { (gap.title) } td { (or_dash(gap.thematic_area.as_deref())) }
                                td { (or_dash(gap.host.as_deref())) } td { (gap.status) }
                                td.num { (money(gap.budget.as_ref())) } td.num { (gap.gap) }
                            }
                        }
                    }
                }
                (figure(charts, "funding-gaps"))

                h2 { "What changed since the previous closed review" }
                (changes(pack))
    }
}

fn review_item(review: &ReviewRow) -> Markup {
    html! {
        ul {
            li {
                "Review " code { (review.id) } ": period " (or_dash(review.period_from.as_deref())) " to "
                (or_dash(review.period_to.as_deref())) ", opened " (or_dash(review.opened_on.as_deref())) ", "
                @match &review.closed_on { Some(closed_on) => { "closed " (closed_on) } None => { "still open" } }
                @if !review.findings.is_empty() || !review.recommendations.is_empty() {
                    ul {
                        @for finding in &review.findings { li { "finding: " (finding) } }
                        @for recommendation in &review.recommendations { li { "recommendation: " (recommendation) } }
                    }
                }
            }
        }
    }
}

fn progress_row(area: &AreaProgress) -> Markup {
    html! {
        tr {
            td { (area.thematic_area) } td.num { (area.approved) } td.num { (area.held) }
            td.num { (area.to_be_held) } td.num { (area.cancelled) }
        }
    }
}

fn count_table(heading: &str, rows: &[CountRow]) -> Markup {
    html! {
        table {
            tr { th { (heading) } th { "participants" } }
            @for row in rows { tr { td { (row.label) } td.num { (row.count) } } }
        }
    }
}

fn need_row(need: &NeedRow) -> Markup {
    html! {
        tr {
            td { (need.priority) } td { (need.identified_on) } td { (need.thematic_area) }
            td { (need.member_states.join(", ")) } td { (need.description) } td { (need.raised_by.join(", ")) }
            td { (need.consultation) }
            td {
                @if need.activities.is_empty() { "none" }
                @for (index, activity) in need.activities.iter().enumerate() {
                    @if index > 0 { "; " }
                    (activity.title) " (" (activity.status) ")"
                }
            }
        }
    }
}

fn changes(pack: &ReviewPack) -> Markup {
    let changes = &pack.changes;
    html! {
        @match &changes.since {
            None => {
                p { "Nothing to compare with: no programme review of an earlier period was closed by " (changes.until) "." }
            }
            Some(since) => {
                p {
                    "The work programme as of " (since) " (the day the previous review was closed) against as of "
                    (changes.until) "."
                }
                @if changes.years.is_empty() { p { "Nothing changed." } }
                @for year in &changes.years {
                    h3 { "Work programme " (year.year) }
                    ul {
                        @for change in &year.programme { li { (change.field) ": " (change.from) " → " (change.to) } }
                        @for mention in &year.added { li { "added: " (mention.title) " (" (mention.status) ", " (mention.budget) ")" } }
                        @for mention in &year.removed { li { "removed: " (mention.title) " (" (mention.status) ", " (mention.budget) ")" } }
                    }
                    @if !year.changed.is_empty() {
                        table {
                            tr { th { "activity" } th { "field" } th { "from" } th { "to" } }
                            @for activity in &year.changed {
                                @for change in &activity.changes {
                                    tr { td { (activity.title) } td { (change.field) } td { (change.from) } td { (change.to) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
