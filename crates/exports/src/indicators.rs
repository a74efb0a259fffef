//! Indicators and results as one flat table: one row per activity × indicator × period ×
//! disaggregation (the total, each sex, each Member State), with the indicator's baseline and
//! target beside each actual, in CSV or JSON, ready for spreadsheets and M&E tools.
//!
//! Participants of held activities (by sex and by Member State) come as the rows of a
//! `participants` indicator, so the table also answers "who took part" where no indicator was
//! defined. An indicator with no result yet has one row with empty period and actual.

use serde::Serialize;
use smes_domain::values::WorkProgrammeYear;
use smes_projections::activities::ActivityEntry;
use smes_projections::{Cut, LogSlice};
use smes_reports::Filter;
use smes_reports::format::decimal;
use smes_reports::options::status_name;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::iati::check_year;

/// The formats of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// A JSON array of flat objects.
    Json,
}

impl TableFormat {
    /// Parses `--format`.
    pub fn parse(text: &str) -> Result<TableFormat> {
        match text {
            "csv" => Ok(TableFormat::Csv),
            "json" => Ok(TableFormat::Json),
            other => Err(Error::InvalidOption {
                option: "--format",
                value: other.to_owned(),
                allowed: "expected one of csv, json".to_owned(),
            }),
        }
    }
}

/// Which indicators the table holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndicatorOptions {
    /// Only this work programme's year; every year when `None`.
    pub year: Option<WorkProgrammeYear>,
    /// Which part of the log is read.
    pub cut: Cut,
    /// Which activities (by thematic area, host, status).
    pub filter: Filter,
}

/// The name of the indicator that carries participant counts.
pub const PARTICIPANTS: &str = "participants";

/// One row of the table. Every field is text or empty, so the CSV and JSON forms hold the same
/// values; numbers are decimal strings, never floats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorRow {
    /// The work programme's year.
    pub year: String,
    /// The activity's id.
    pub activity: String,
    /// Its title.
    pub activity_title: String,
    /// Its thematic area (slug).
    pub thematic_area: String,
    /// Its host Member State.
    pub host: String,
    pub status: String,
    /// The indicator's id, or `participants`.
    pub indicator: String,
    /// What it measures.
    pub indicator_name: String,
    pub unit: String,
    /// The value before the activity.
    pub baseline: String,
    /// The value aimed at.
    pub target: String,
    /// `true` when higher values are better.
    pub higher_is_better: String,
    /// The period measured: first day.
    pub period_start: String,
    /// Last day.
    pub period_end: String,
    /// `total`, `sex` or `member-state`.
    pub disaggregation: String,
    /// The sex or Member State, empty for the total.
    pub disaggregation_value: String,
    /// The value measured.
    pub actual: String,
    /// The value first recorded, when a correction replaced it.
    pub originally: String,
}

/// The rows of a log prefix under the options. An unknown year is an error.
pub fn rows(log: &LogSlice, options: &IndicatorOptions) -> Result<Vec<IndicatorRow>> {
    let context = Context::build(log, &options.cut)?;
    if let Some(year) = options.year {
        check_year(&context, year, &options.cut)?;
    }
    let mut entries: Vec<&ActivityEntry> = context
        .models
        .work_programme
        .activities
        .iter()
        .filter(|entry| entry.work_programme.is_some())
        .filter(|entry| options.year.is_none_or(|year| entry.work_programme == Some(year)))
        .filter(|entry| options.filter.admits(entry.thematic_area, entry.host, entry.status))
        .collect();
    entries.sort_by_key(|entry| (entry.work_programme, entry.activity));
    let mut rows = Vec::new();
    for entry in entries {
        activity_rows(entry, &mut rows);
    }
    Ok(rows)
}

fn activity_rows(entry: &ActivityEntry, rows: &mut Vec<IndicatorRow>) {
    let base = IndicatorRow {
        year: entry
            .work_programme
            .map(|year| year.get().to_string())
            .unwrap_or_default(),
        activity: entry.activity.to_string(),
        activity_title: entry.title.clone().unwrap_or_default(),
        thematic_area: entry
            .thematic_area
            .map(|area| area.slug().to_owned())
            .unwrap_or_default(),
        host: entry.host.map(|host| host.as_str().to_owned()).unwrap_or_default(),
        status: status_name(entry.status).to_owned(),
        indicator: String::new(),
        indicator_name: String::new(),
        unit: String::new(),
        baseline: String::new(),
        target: String::new(),
        higher_is_better: String::new(),
        period_start: String::new(),
        period_end: String::new(),
        disaggregation: "total".to_owned(),
        disaggregation_value: String::new(),
        actual: String::new(),
        originally: String::new(),
    };
    for (indicator, indicator_entry) in &entry.indicators {
        let mut row = base.clone();
        row.indicator = indicator.to_string();
        if let Some(definition) = &indicator_entry.definition {
            row.indicator_name = definition.name.clone();
            row.unit = definition.unit.clone();
            row.baseline = decimal(definition.baseline);
            row.target = decimal(definition.target);
            row.higher_is_better = definition.higher_is_better.to_string();
        }
        if indicator_entry.results.is_empty() {
            rows.push(row);
            continue;
        }
        for result in &indicator_entry.results {
            let mut period_row = row.clone();
            period_row.period_start = result.period.start().to_string();
            period_row.period_end = result.period.end().to_string();
            let mut total = period_row.clone();
            total.actual = decimal(result.value);
            total.originally = result.originally.map(decimal).unwrap_or_default();
            rows.push(total);
            for share in &result.by_sex {
                rows.push(disaggregated(
                    &period_row,
                    "sex",
                    share.sex.slug(),
                    decimal(share.value),
                ));
            }
            for share in &result.by_member_state {
                rows.push(disaggregated(
                    &period_row,
                    "member-state",
                    share.member_state.as_str(),
                    decimal(share.value),
                ));
            }
        }
    }
    if let (Some(held), Some(participants)) = (entry.held, &entry.participants) {
        let mut row = base;
        row.indicator = PARTICIPANTS.to_owned();
        row.indicator_name = "People who took part in the activity".to_owned();
        row.unit = "people".to_owned();
        row.higher_is_better = "true".to_owned();
        row.period_start = held.start().to_string();
        row.period_end = held.end().to_string();
        let total: u64 = participants.by_sex.iter().map(|share| u64::from(share.value)).sum();
        let mut total_row = row.clone();
        total_row.actual = total.to_string();
        rows.push(total_row);
        for share in &participants.by_sex {
            rows.push(disaggregated(&row, "sex", share.sex.slug(), share.value.to_string()));
        }
        for share in &participants.by_member_state {
            rows.push(disaggregated(
                &row,
                "member-state",
                share.member_state.as_str(),
                share.value.to_string(),
            ));
        }
    }
}

fn disaggregated(row: &IndicatorRow, disaggregation: &str, value: &str, actual: String) -> IndicatorRow {
    IndicatorRow {
        disaggregation: disaggregation.to_owned(),
        disaggregation_value: value.to_owned(),
        actual,
        originally: String::new(),
        ..row.clone()
    }
}

/// Writes the rows as CSV (with a header row, even when there is no row) or as a JSON array.
pub fn render(rows: &[IndicatorRow], format: TableFormat) -> Result<String> {
    match format {
        TableFormat::Json => {
            let mut text = serde_json::to_string_pretty(rows).map_err(|error| Error::render("json", error))?;
            text.push('\n');
            Ok(text)
        }
        TableFormat::Csv => {
            let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
            writer
                .write_record(HEADER)
                .map_err(|error| Error::render("csv", error))?;
            for row in rows {
                writer.serialize(row).map_err(|error| Error::render("csv", error))?;
            }
            let bytes = writer.into_inner().map_err(|error| Error::render("csv", error))?;
            String::from_utf8(bytes).map_err(|error| Error::render("csv", error))
        }
    }
}

/// The CSV header: the row's fields, in order.
pub const HEADER: [&str; 18] = [
    "year",
    "activity",
    "activity_title",
    "thematic_area",
    "host",
    "status",
    "indicator",
    "indicator_name",
    "unit",
    "baseline",
    "target",
    "higher_is_better",
    "period_start",
    "period_end",
    "disaggregation",
    "disaggregation_value",
    "actual",
    "originally",
];
