//! IATI Standard 2.03: the activities of a year's work programme (`iati-activities`) and the
//! programme as an organisation with its total budget (`iati-organisations`).
//!
//! One `iati-activity` per activity approved into the year (rejected and deferred proposals
//! never enter a work programme and are not exported). Every code written comes from the
//! IATI codelists (see [`codes`]); docs/exports.md maps each programme fact to its field.
//! `generated-datetime` is the record time of the last event read and each activity's
//! `last-updated-datetime` the record time of the last event of its stream, so the same log
//! prefix gives the same file. Actual dates later than the generation day are not written.

mod activity;
pub mod codes;
mod organisation;
mod xml;

use jiff::civil::Date;
use smes_domain::values::WorkProgrammeYear;
use smes_projections::work_programme::YearStatus;
use smes_projections::{Cut, LogSlice};
use smes_reports::Filter;
use smes_reports::format::describe_cut;

pub use organisation::organisation;

use crate::context::{Context, SELA_NAME};
use crate::error::{Error, Result};
use activity::write_activity;
use xml::Xml;

/// The reporting organisation's identifier when none is configured. SELA has no identifier in
/// the lists IATI replicates; `XI-IATI` is the registration agency IATI runs for organisations
/// without one, and this is the form its identifier takes (docs/exports.md).
pub const DEFAULT_REPORTING_ORG_REF: &str = "XI-IATI-SELA";

/// What an IATI export is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiOptions {
    /// The work programme's year.
    pub year: WorkProgrammeYear,
    /// Which part of the log is exported.
    pub cut: Cut,
    /// Which activities (by thematic area, host, status).
    pub filter: Filter,
    /// The reporting organisation's IATI identifier; activity identifiers start with it.
    pub reporting_org_ref: String,
}

/// Checks a reporting organisation identifier: an agency prefix and an identifier joined by
/// hyphens (`XI-IATI-SELA`), letters, digits, `-`, `_`, `.` and `/` only, as IATI identifiers
/// must be usable in activity identifiers.
pub fn parse_reporting_org_ref(text: &str) -> Result<String> {
    let valid_characters = !text.is_empty()
        && text
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.' | '/'));
    let parts = text.split('-').filter(|part| !part.is_empty()).count();
    if valid_characters && parts >= 2 && !text.starts_with('-') && !text.ends_with('-') {
        Ok(text.to_owned())
    } else {
        Err(Error::InvalidOption {
            option: "--reporting-org-ref",
            value: text.to_owned(),
            allowed: "expected an IATI organisation identifier: a registration agency prefix and an \
                      identifier joined by a hyphen, such as XI-IATI-SELA, with letters, digits, -, _, . and / only"
                .to_owned(),
        })
    }
}

/// The IATI activity file of a year's work programme.
pub fn activities(log: &LogSlice, options: &IatiOptions) -> Result<String> {
    let context = Context::build(log, &options.cut)?;
    check_year(&context, options.year, &options.cut)?;
    let view = context.models.work_programme.year(options.year, None);
    let generated = context.generated_at.to_string();
    let mut xml = Xml::new()?;
    xml.open(
        "iati-activities",
        &[("version", codes::VERSION), ("generated-datetime", &generated)],
    )?;
    for line in &view.activities {
        if !options.filter.admits(line.thematic_area, line.host, line.status) {
            continue;
        }
        let Some(entry) = context.models.work_programme.activities.get(line.activity) else {
            continue;
        };
        let year_closed = matches!(
            context
                .models
                .work_programme
                .years
                .get(&options.year)
                .map(|record| record.status),
            Some(YearStatus::Closed)
        );
        write_activity(&mut xml, &context, options, entry, year_closed)?;
    }
    xml.close("iati-activities")?;
    xml.finish()
}

/// An unknown year is an error naming the years the log holds.
pub(crate) fn check_year(context: &Context, year: WorkProgrammeYear, cut: &Cut) -> Result<()> {
    let years = &context.models.work_programme.years;
    if years.contains_key(&year) {
        return Ok(());
    }
    let known: Vec<String> = years.keys().map(|year| year.get().to_string()).collect();
    Err(Error::InvalidOption {
        option: "--year",
        value: year.get().to_string(),
        allowed: format!(
            "the log ({}) holds no work programme {}; it holds {}",
            describe_cut(cut),
            year.get(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ),
    })
}

/// The activity's IATI identifier: the reporting organisation's and the activity's id.
pub fn activity_identifier(reporting_org_ref: &str, activity: impl std::fmt::Display) -> String {
    format!("{reporting_org_ref}-{activity}")
}

pub(crate) fn reporting_org(xml: &mut Xml, reference: &str) -> Result<()> {
    xml.with_narrative(
        "reporting-org",
        &[("ref", reference), ("type", codes::SELA_ORGANISATION_TYPE)],
        SELA_NAME,
    )
}

/// The year of a work programme as a period: a budget period of one year at most.
pub(crate) fn year_period(year: WorkProgrammeYear) -> Result<(Date, Date)> {
    let start = Date::new(year.get(), 1, 1).map_err(|error| Error::render("iati", error))?;
    let end = Date::new(year.get(), 12, 31).map_err(|error| Error::render("iati", error))?;
    Ok((start, end))
}

#[cfg(test)]
mod refusals;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reporting_organisation_identifiers_need_an_agency_prefix() {
        assert_eq!(parse_reporting_org_ref("XI-IATI-SELA").unwrap(), "XI-IATI-SELA");
        assert_eq!(parse_reporting_org_ref("XM-DAC-47000").unwrap(), "XM-DAC-47000");
        for bad in ["", "SELA", "-SELA", "XI-IATI-", "XI IATI SELA", "XI-IATI-SELA<"] {
            let error = parse_reporting_org_ref(bad).unwrap_err().to_string();
            assert!(error.starts_with("--reporting-org-ref:"), "{bad:?}: {error}");
        }
    }

    #[test]
    fn activity_identifiers_start_with_the_reporting_organisation() {
        assert_eq!(activity_identifier("XI-IATI-SELA", "5e1a"), "XI-IATI-SELA-5e1a");
    }

    #[test]
    fn a_work_programme_year_is_a_budget_period_of_one_year() {
        let (start, end) = year_period(WorkProgrammeYear::new(2013).unwrap()).unwrap();
        assert_eq!(
            (start.to_string(), end.to_string()),
            ("2013-01-01".to_owned(), "2013-12-31".to_owned())
        );
    }
}
