//! The review pack in Markdown: one section per part of the review, tables of the pack's
//! rows, and each chart linked as `charts/<name>.svg` when the charts are written beside it.

use std::fmt::Write as _;

use super::charts::{Chart, find};
use super::{ChartLinks, CountRow, NeedRow, ReviewPack, ReviewRow};
use crate::format::{amounts_line, cell};

/// Renders a pack as Markdown.
pub fn render(pack: &ReviewPack, charts: &[Chart], links: ChartLinks) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_all(&mut out, pack, charts, links);
    out
}

fn or_dash(value: Option<&str>) -> String {
    value.map_or_else(|| "–".to_owned(), cell)
}

fn chart(out: &mut String, charts: &[Chart], links: ChartLinks, name: &str) -> std::fmt::Result {
    let Some(chart) = find(charts, name) else {
        return Ok(());
    };
    writeln!(out)?;
    match links {
        ChartLinks::Files => writeln!(out, "![{}]({})", chart.title, chart.path()),
        ChartLinks::Omitted => writeln!(
            out,
            "Chart: {} (written as {} with `--out DIR`).",
            chart.title,
            chart.path()
        ),
    }
}

fn write_all(out: &mut String, pack: &ReviewPack, charts: &[Chart], links: ChartLinks) -> std::fmt::Result {
    writeln!(
        out,
        "# SELA-SMEs programme review, {} to {}",
        pack.period.from, pack.period.to
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Made from the log {}. Figures are as of {} unless a section says otherwise.",
        pack.cut, pack.period.to
    )?;
    if links == ChartLinks::Omitted && !charts.is_empty() {
        writeln!(
            out,
            "The charts are not included in this text: `smes review --out DIR` writes them as SVG files \
             beside review.md, and `--format html` draws them inline."
        )?;
    }
    writeln!(out)?;
    writeln!(out, "| made from | |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| log position | {} |", pack.anchor.log_position)?;
    writeln!(out, "| head hash | `{}` |", pack.anchor.head_hash)?;
    writeln!(out, "| Merkle tree size | {} |", pack.anchor.tree_size)?;
    writeln!(out, "| Merkle tree root | `{}` |", pack.anchor.tree_root)?;

    writeln!(out)?;
    writeln!(out, "## Work programmes")?;
    writeln!(out)?;
    if pack.work_programmes.is_empty() {
        writeln!(out, "No work programme of these years is in the record.")?;
    } else {
        writeln!(out, "| year | status | budget | adopted by | activities approved |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for programme in &pack.work_programmes {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                programme.year,
                programme.status,
                programme
                    .budget
                    .as_ref()
                    .map_or_else(|| "–".to_owned(), ToString::to_string),
                programme.adopted_by.as_ref().map_or_else(
                    || "–".to_owned(),
                    |decision| format!(
                        "{} ({}, {})",
                        cell(&decision.reference),
                        decision.body,
                        decision.decided_on
                    )
                ),
                programme.activities
            )?;
        }
    }

    writeln!(out)?;
    writeln!(out, "## Programme reviews")?;
    if pack.reviews.is_empty() {
        writeln!(out)?;
        writeln!(out, "No programme review of this period is in the record.")?;
    }
    for review in &pack.reviews {
        write_review(out, "Review", review)?;
    }
    writeln!(out)?;
    writeln!(out, "### Previous closed review")?;
    writeln!(out)?;
    writeln!(out, "Chosen as {}.", pack.previous_review.rule)?;
    match &pack.previous_review.review {
        Some(review) => write_review(out, "Previous review", review)?,
        None => {
            writeln!(out)?;
            writeln!(out, "There is none: no such review is in the record.")?;
        }
    }

    write_achievements(out, pack, charts, links)?;
    write_participants(out, pack, charts, links)?;
    write_coverage(out, pack, charts, links)?;
    write_needs(out, pack)?;
    write_funding(out, pack, charts, links)?;
    write_changes(out, pack)
}

fn write_review(out: &mut String, heading: &str, review: &ReviewRow) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(
        out,
        "- {heading} `{}`: period {} to {}, opened {}, {}",
        review.id,
        or_dash(review.period_from.as_deref()),
        or_dash(review.period_to.as_deref()),
        or_dash(review.opened_on.as_deref()),
        match &review.closed_on {
            Some(closed_on) => format!("closed {closed_on}"),
            None => "still open".to_owned(),
        }
    )?;
    for finding in &review.findings {
        writeln!(out, "  - finding: {}", cell(finding))?;
    }
    for recommendation in &review.recommendations {
        writeln!(out, "  - recommendation: {}", cell(recommendation))?;
    }
    Ok(())
}

fn write_achievements(out: &mut String, pack: &ReviewPack, charts: &[Chart], links: ChartLinks) -> std::fmt::Result {
    let achievements = &pack.achievements;
    writeln!(out)?;
    writeln!(out, "## Achievements against targets")?;
    writeln!(out)?;
    writeln!(out, "{}", super::achievements_sentence(&achievements.overall))?;
    if !achievements.by_thematic_area.is_empty() {
        writeln!(out)?;
        writeln!(out, "| thematic area | approved | held | to be held | cancelled |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for area in achievements.by_thematic_area.iter().chain([&achievements.overall]) {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                area.thematic_area, area.approved, area.held, area.to_be_held, area.cancelled
            )?;
        }
    }
    chart(out, charts, links, "activities")?;
    writeln!(out)?;
    writeln!(out, "### Indicators")?;
    writeln!(out)?;
    if achievements.indicators.is_empty() {
        writeln!(out, "No activity of these work programmes has a results indicator.")?;
    } else {
        writeln!(
            out,
            "| activity | indicator | unit | baseline | target | actual | measured | progress | target met |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|---|---|")?;
        for row in &achievements.indicators {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&row.activity),
                cell(&row.indicator),
                cell(&row.unit),
                row.baseline,
                row.target,
                or_dash(row.actual.as_deref()),
                or_dash(row.measured.as_deref()),
                row.progress_percent
                    .as_ref()
                    .map_or_else(|| "–".to_owned(), |percent| format!("{percent}%")),
                match row.met {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "–",
                }
            )?;
        }
    }
    chart(out, charts, links, "indicators")
}

fn counts(out: &mut String, heading: &str, rows: &[CountRow]) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "| {heading} | participants |")?;
    writeln!(out, "|---|---|")?;
    for row in rows {
        writeln!(out, "| {} | {} |", cell(&row.label), row.count)?;
    }
    Ok(())
}

fn write_participants(out: &mut String, pack: &ReviewPack, charts: &[Chart], links: ChartLinks) -> std::fmt::Result {
    let participants = &pack.participants;
    writeln!(out)?;
    writeln!(out, "## Participants by sex and Member State")?;
    writeln!(out)?;
    if participants.activities.is_empty() {
        writeln!(out, "No activity was held in the period.")?;
        return Ok(());
    }
    writeln!(out, "{}", super::participants_sentence(participants))?;
    counts(out, "sex", &participants.by_sex)?;
    chart(out, charts, links, "participants-by-sex")?;
    counts(out, "Member State", &participants.by_member_state)?;
    chart(out, charts, links, "participants-by-member-state")?;
    writeln!(out)?;
    let sexes: Vec<&str> = participants.by_sex.iter().map(|row| row.label.as_str()).collect();
    writeln!(
        out,
        "| activity | host | held | total | {} | share of women |",
        sexes.join(" | ")
    )?;
    writeln!(out, "|---|---|---|---|{}---|", "---|".repeat(sexes.len()))?;
    for activity in &participants.activities {
        let by_sex: Vec<String> = activity.by_sex.iter().map(|row| row.count.to_string()).collect();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&activity.title),
            or_dash(activity.host.as_deref()),
            activity.held,
            activity.total,
            by_sex.join(" | "),
            activity
                .women_share_percent
                .as_ref()
                .map_or_else(|| "–".to_owned(), |share| format!("{share}%"))
        )?;
    }
    Ok(())
}

fn write_coverage(out: &mut String, pack: &ReviewPack, charts: &[Chart], links: ChartLinks) -> std::fmt::Result {
    let coverage = &pack.coverage;
    writeln!(out)?;
    writeln!(out, "## Coverage by thematic area and Member State")?;
    writeln!(out)?;
    writeln!(
        out,
        "Each cell: activities of the work programmes hosted there (not cancelled) / of those, held / needs \
         identified in the period concerning that Member State. An empty row is an area with neither."
    )?;
    writeln!(out)?;
    if coverage.member_states.is_empty() {
        writeln!(out, "No activity and no need in the period.")?;
        return Ok(());
    }
    writeln!(out, "| thematic area | {} |", coverage.member_states.join(" | "))?;
    writeln!(out, "|---|{}", "---|".repeat(coverage.member_states.len()))?;
    for area in &coverage.thematic_areas {
        let cells: Vec<String> = coverage
            .member_states
            .iter()
            .map(|state| {
                coverage
                    .cells
                    .iter()
                    .find(|cell| &cell.thematic_area == area && &cell.member_state == state)
                    .map_or_else(String::new, |cell| {
                        format!("{} / {} / {}", cell.activities, cell.held, cell.needs)
                    })
            })
            .collect();
        writeln!(out, "| {area} | {} |", cells.join(" | "))?;
    }
    chart(out, charts, links, "coverage")
}

fn write_need(out: &mut String, need: &NeedRow) -> std::fmt::Result {
    let citing: Vec<String> = need
        .activities
        .iter()
        .map(|activity| format!("{} ({})", activity.title, activity.status))
        .collect();
    writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} |",
        need.priority,
        need.identified_on,
        need.thematic_area,
        need.member_states.join(", "),
        cell(&need.description),
        cell(&need.raised_by.join(", ")),
        cell(&need.consultation),
        if citing.is_empty() {
            "none".to_owned()
        } else {
            cell(&citing.join("; "))
        }
    )
}

fn write_needs(out: &mut String, pack: &ReviewPack) -> std::fmt::Result {
    let needs = &pack.needs;
    writeln!(out)?;
    writeln!(out, "## Unanswered needs")?;
    writeln!(out)?;
    writeln!(
        out,
        "Needs identified by {}: {}; answered by an approved or held activity: {}; awaiting a decision on \
         an activity citing them: {}; cited by no live activity: {}.",
        pack.period.to,
        needs.identified,
        needs.answered,
        needs.open.len(),
        needs.unanswered.len()
    )?;
    for (heading, rows) in [
        ("Cited by no live activity", &needs.unanswered),
        ("Awaiting a decision", &needs.open),
    ] {
        if rows.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "### {heading} ({})", rows.len())?;
        writeln!(out)?;
        writeln!(
            out,
            "| priority | identified | thematic area | Member States | need | raised by | consultation | activities citing it |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|---|")?;
        for need in rows {
            write_need(out, need)?;
        }
    }
    Ok(())
}

fn write_funding(out: &mut String, pack: &ReviewPack, charts: &[Chart], links: ChartLinks) -> std::fmt::Result {
    let funding = &pack.funding;
    writeln!(out)?;
    writeln!(out, "## Funding and funding gaps")?;
    writeln!(out)?;
    writeln!(
        out,
        "Activities of the work programmes that were not cancelled. Amounts stay in their currencies."
    )?;
    writeln!(out)?;
    writeln!(out, "| | amount |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| budget | {} |", amounts_line(&funding.budget))?;
    writeln!(out, "| committed | {} |", amounts_line(&funding.committed))?;
    writeln!(out, "| disbursed | {} |", amounts_line(&funding.disbursed))?;
    writeln!(out, "| spent | {} |", amounts_line(&funding.spent))?;
    writeln!(out, "| in kind | {} |", amounts_line(&funding.in_kind))?;
    writeln!(out, "| funding gap | {} |", amounts_line(&funding.funding_gap))?;
    writeln!(
        out,
        "| budget of cancelled activities (outside the figures above) | {} |",
        amounts_line(&funding.cancelled_budget)
    )?;
    if !funding.by_source.is_empty() {
        writeln!(out)?;
        writeln!(out, "### By source")?;
        writeln!(out)?;
        writeln!(out, "| source | committed | disbursed | spent | in kind |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for source in &funding.by_source {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&source.name),
                amounts_line(&source.committed),
                amounts_line(&source.disbursed),
                amounts_line(&source.spent),
                amounts_line(&source.in_kind)
            )?;
        }
    }
    chart(out, charts, links, "funding-sources")?;
    writeln!(out)?;
    writeln!(out, "### Activities with a funding gap ({})", funding.gaps.len())?;
    writeln!(out)?;
    if funding.gaps.is_empty() {
        writeln!(out, "Every activity's budget is covered.")?;
    } else {
        writeln!(out, "| activity | thematic area | host | status | budget | gap |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for gap in &funding.gaps {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&gap.title),
                or_dash(gap.thematic_area.as_deref()),
                or_dash(gap.host.as_deref()),
                gap.status,
                gap.budget.as_ref().map_or_else(|| "–".to_owned(), ToString::to_string),
                gap.gap
            )?;
        }
    }
    chart(out, charts, links, "funding-gaps")
}

fn write_changes(out: &mut String, pack: &ReviewPack) -> std::fmt::Result {
    let changes = &pack.changes;
    writeln!(out)?;
    writeln!(out, "## What changed since the previous closed review")?;
    writeln!(out)?;
    let Some(since) = &changes.since else {
        writeln!(
            out,
            "Nothing to compare with: no programme review of an earlier period was closed by {}.",
            changes.until
        )?;
        return Ok(());
    };
    writeln!(
        out,
        "The work programme as of {since} (the day the previous review was closed) against as of {}.",
        changes.until
    )?;
    if changes.years.is_empty() {
        writeln!(out)?;
        writeln!(out, "Nothing changed.")?;
    }
    for year in &changes.years {
        writeln!(out)?;
        writeln!(out, "### Work programme {}", year.year)?;
        writeln!(out)?;
        for change in &year.programme {
            writeln!(out, "- {}: {} → {}", change.field, cell(&change.from), cell(&change.to))?;
        }
        for (verb, mentions) in [("added", &year.added), ("removed", &year.removed)] {
            for mention in mentions {
                writeln!(
                    out,
                    "- {verb}: {} ({}, {})",
                    cell(&mention.title),
                    mention.status,
                    mention.budget
                )?;
            }
        }
        if !year.changed.is_empty() {
            writeln!(out)?;
            crate::diff::write_changes_table(out, &year.changed)?;
        }
    }
    Ok(())
}
