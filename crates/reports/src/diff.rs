//! What changed in the work programme between two points of the log: activities added and
//! removed, and changes of status, budget, funding, dates, decision, host or area; and changes
//! of each year's own status and budget.
//!
//! Each point is a cut ([`Point::cut`]) of the same log prefix, so a diff between a business
//! date and a later one shows what the record says happened between them, and a diff between
//! two record times shows what the Secretariat learned in between (back-dated events included).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;
use smes_domain::values::WorkProgrammeYear;
use smes_projections::{Anchor, LogSlice, ReadModels, fold_cut};

use crate::error::{Error, Result};
use crate::format::{cell, describe_cut};
use crate::options::{Format, Point};
use crate::snapshot::{ActivityRow, Snapshot, SnapshotRequest, build as build_snapshot};

/// The formats a diff can be written in.
pub const FORMATS: [Format; 2] = [Format::Markdown, Format::Json];

/// One end of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct End {
    /// The point as given.
    pub point: String,
    /// The cut in words.
    pub cut: String,
}

/// An activity added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityMention {
    pub id: String,
    pub title: String,
    /// Its status at the end where it exists.
    pub status: String,
    /// Its budget there.
    pub budget: String,
}

/// One field that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The field, such as `status` or `committed`.
    pub field: String,
    /// Its value at `--from`.
    pub from: String,
    /// Its value at `--to`.
    pub to: String,
}

/// An activity present at both ends that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityChange {
    pub id: String,
    /// Its title at `--to`.
    pub title: String,
    /// What changed.
    pub changes: Vec<FieldChange>,
}

/// What changed in one year's work programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearDiff {
    pub year: i16,
    /// Changes of the programme itself (status, budget, adopting decision).
    pub programme: Vec<FieldChange>,
    /// Activities approved into it at `--to` but not at `--from`.
    pub added: Vec<ActivityMention>,
    /// Activities in it at `--from` but not at `--to`.
    pub removed: Vec<ActivityMention>,
    /// Activities in it at both ends that changed.
    pub changed: Vec<ActivityChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffReport {
    /// Always `work-programme-diff`.
    pub report: &'static str,
    /// The earlier end.
    pub from: End,
    /// The later end.
    pub to: End,
    /// The log prefix both ends were cut from.
    pub anchor: Anchor,
    /// What changed, by year.
    pub years: Vec<YearDiff>,
}

/// The diff between two points of a log prefix, for one year or every year either end knows.
pub fn build(log: &LogSlice, from: Point, to: Point, year: Option<WorkProgrammeYear>) -> Result<DiffReport> {
    for (option, point) in [("--from", from), ("--to", to)] {
        if let Point::Position(position) = point
            && position > log.anchor.log_position
        {
            return Err(Error::InvalidOption {
                option,
                value: point.to_string(),
                allowed: format!("the log holds {} events", log.anchor.log_position),
            });
        }
    }
    let years: BTreeSet<WorkProgrammeYear> = match year {
        Some(year) => BTreeSet::from([year]),
        None => {
            let mut years = BTreeSet::new();
            for point in [from, to] {
                let models: ReadModels = fold_cut(&log.envelopes, &point.cut());
                years.extend(models.work_programme.years());
            }
            years
        }
    };
    let mut diffs = Vec::new();
    for year in years {
        let before = snapshot(log, year, from)?;
        let after = snapshot(log, year, to)?;
        let diff = year_diff(&before, &after);
        if !(diff.programme.is_empty() && diff.added.is_empty() && diff.removed.is_empty() && diff.changed.is_empty()) {
            diffs.push(diff);
        }
    }
    Ok(DiffReport {
        report: "work-programme-diff",
        from: End {
            point: from.to_string(),
            cut: describe_cut(&from.cut()),
        },
        to: End {
            point: to.to_string(),
            cut: describe_cut(&to.cut()),
        },
        anchor: log.anchor.clone(),
        years: diffs,
    })
}

fn snapshot(log: &LogSlice, year: WorkProgrammeYear, point: Point) -> Result<Snapshot> {
    build_snapshot(
        log,
        &SnapshotRequest {
            year,
            cut: point.cut(),
            filter: Default::default(),
        },
    )
}

fn money_text(value: Option<&crate::format::MoneyText>) -> String {
    value.map_or_else(|| "–".to_owned(), ToString::to_string)
}

fn mention(activity: &ActivityRow) -> ActivityMention {
    ActivityMention {
        id: activity.id.clone(),
        title: activity.title.clone(),
        status: activity.status.clone(),
        budget: money_text(activity.budget.as_ref()),
    }
}

fn compared_fields(activity: &ActivityRow) -> Vec<(&'static str, String)> {
    let period = |start: &Option<String>, end: &Option<String>| match (start, end) {
        (Some(start), Some(end)) => format!("{start} to {end}"),
        _ => "–".to_owned(),
    };
    let line = |amounts: &[crate::format::MoneyText]| crate::format::amounts_line(amounts);
    vec![
        ("title", activity.title.clone()),
        ("status", activity.status.clone()),
        (
            "thematic area",
            activity.thematic_area.clone().unwrap_or_else(|| "–".to_owned()),
        ),
        ("host", activity.host.clone().unwrap_or_else(|| "–".to_owned())),
        ("planned", period(&activity.planned_start, &activity.planned_end)),
        ("held", period(&activity.held_start, &activity.held_end)),
        (
            "decision",
            activity
                .decision
                .as_ref()
                .map_or_else(|| "–".to_owned(), |decision| decision.reference.clone()),
        ),
        ("budget", money_text(activity.budget.as_ref())),
        ("committed", line(&activity.committed)),
        ("disbursed", line(&activity.disbursed)),
        ("spent", line(&activity.spent)),
        ("in kind", line(&activity.in_kind)),
        ("funding gap", money_text(activity.funding_gap.as_ref())),
    ]
}

fn changes(before: Vec<(&'static str, String)>, after: Vec<(&'static str, String)>) -> Vec<FieldChange> {
    before
        .into_iter()
        .zip(after)
        .filter(|((_, from), (_, to))| from != to)
        .map(|((field, from), (_, to))| FieldChange {
            field: field.to_owned(),
            from,
            to,
        })
        .collect()
}

fn programme_fields(snapshot: &Snapshot) -> Vec<(&'static str, String)> {
    vec![
        ("status", snapshot.programme.status.clone()),
        ("budget", money_text(snapshot.programme.budget.as_ref())),
        (
            "adopted by",
            snapshot
                .programme
                .adopted_by
                .as_ref()
                .map_or_else(|| "–".to_owned(), |decision| decision.reference.clone()),
        ),
    ]
}

fn year_diff<'a>(before: &'a Snapshot, after: &'a Snapshot) -> YearDiff {
    // Every activity approved into the year, cancelled ones included, so a cancellation is a
    // change of status.
    let approved = |snapshot: &'a Snapshot| snapshot.activities.iter().chain(&snapshot.cancelled);
    let earlier: BTreeMap<&str, &ActivityRow> = approved(before).map(|row| (row.id.as_str(), row)).collect();
    let later: BTreeMap<&str, &ActivityRow> = approved(after).map(|row| (row.id.as_str(), row)).collect();
    let added = later
        .iter()
        .filter(|(id, _)| !earlier.contains_key(*id))
        .map(|(_, row)| mention(row))
        .collect();
    let removed = earlier
        .iter()
        .filter(|(id, _)| !later.contains_key(*id))
        .map(|(_, row)| mention(row))
        .collect();
    let changed = later
        .iter()
        .filter_map(|(id, row)| {
            let old = earlier.get(id)?;
            let changes = changes(compared_fields(old), compared_fields(row));
            (!changes.is_empty()).then(|| ActivityChange {
                id: row.id.clone(),
                title: row.title.clone(),
                changes,
            })
        })
        .collect();
    YearDiff {
        year: after.year,
        programme: changes(programme_fields(before), programme_fields(after)),
        added,
        removed,
        changed,
    }
}

impl DiffReport {
    /// Writes the diff in a format (md or json).
    pub fn render(&self, format: Format) -> Result<String> {
        match format {
            Format::Json => crate::format_json(self),
            Format::Markdown => Ok(self.markdown()),
            other => Err(Error::InvalidOption {
                option: "--format",
                value: other.name().to_owned(),
                allowed: "expected one of md, json".to_owned(),
            }),
        }
    }

    fn markdown(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_markdown(&mut out);
        out
    }

    fn write_markdown(&self, out: &mut String) -> std::fmt::Result {
        writeln!(out, "# What changed in the work programme")?;
        writeln!(out)?;
        writeln!(
            out,
            "From {} ({}) to {} ({}).",
            self.from.point, self.from.cut, self.to.point, self.to.cut
        )?;
        writeln!(out)?;
        writeln!(out, "| made from | |")?;
        writeln!(out, "|---|---|")?;
        writeln!(out, "| log position | {} |", self.anchor.log_position)?;
        writeln!(out, "| head hash | `{}` |", self.anchor.head_hash)?;
        writeln!(out, "| Merkle tree size | {} |", self.anchor.tree_size)?;
        writeln!(out, "| Merkle tree root | `{}` |", self.anchor.tree_root)?;
        if self.years.is_empty() {
            writeln!(out)?;
            writeln!(out, "Nothing changed.")?;
        }
        for year in &self.years {
            writeln!(out)?;
            writeln!(out, "## Work programme {}", year.year)?;
            for change in &year.programme {
                writeln!(out)?;
                writeln!(out, "- {}: {} → {}", change.field, cell(&change.from), cell(&change.to))?;
            }
            write_mentions(out, "Added", &year.added)?;
            write_mentions(out, "Removed", &year.removed)?;
            if !year.changed.is_empty() {
                writeln!(out)?;
                writeln!(out, "### Changed ({})", year.changed.len())?;
                writeln!(out)?;
                write_changes_table(out, &year.changed)?;
            }
        }
        Ok(())
    }
}

/// The changed activities as a Markdown table, a row per changed field.
pub(crate) fn write_changes_table(out: &mut String, changed: &[ActivityChange]) -> std::fmt::Result {
    writeln!(out, "| activity | field | from | to |")?;
    writeln!(out, "|---|---|---|---|")?;
    for activity in changed {
        for change in &activity.changes {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&activity.title),
                change.field,
                cell(&change.from),
                cell(&change.to)
            )?;
        }
    }
    Ok(())
}

fn write_mentions(out: &mut String, heading: &str, mentions: &[ActivityMention]) -> std::fmt::Result {
    if mentions.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "### {heading} ({})", mentions.len())?;
    writeln!(out)?;
    writeln!(out, "| activity | id | status | budget |")?;
    writeln!(out, "|---|---|---|---|")?;
    for mention in mentions {
        writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            cell(&mention.title),
            mention.id,
            mention.status,
            mention.budget
        )?;
    }
    Ok(())
}
