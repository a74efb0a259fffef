//! IATI Standard 2.03: the activities of a year's work programme (`iati-activities`) and the
//! programme as an organisation with its total budget (`iati-organisations`).
//!
//! One `iati-activity` per activity approved into the year (rejected and deferred proposals
//! never enter a work programme and are not exported). Every code written comes from the
//! IATI codelists (see [`codes`]); docs/exports.md maps each programme fact to its field.
//! `generated-datetime` is the record time of the last event read and each activity's
//! `last-updated-datetime` the record time of the last event of its stream, so the same log
//! prefix gives the same file. Actual dates later than the generation day are not written.

pub mod codes;
mod organisation;
mod xml;

use jiff::civil::Date;
use smes_domain::activity::ParticipantCounts;
use smes_domain::values::{Money, Period, WorkProgrammeYear};
use smes_projections::activities::{ActivityEntry, ActivityState, IndicatorEntry};
use smes_projections::work_programme::YearStatus;
use smes_projections::{Cut, FundingSource};
use smes_reports::format::{decimal, describe_cut};
use smes_reports::{Filter, LogSlice};

pub use organisation::organisation;

use crate::context::{Context, Movement, SELA_NAME};
use crate::error::{Error, Result};
use codes::{ActivityDateType, DAC_SME_DEVELOPMENT, TransactionType, activity_status, document_category, file_format};
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

fn write_activity(
    xml: &mut Xml,
    context: &Context,
    options: &IatiOptions,
    entry: &ActivityEntry,
    year_closed: bool,
) -> Result<()> {
    let generated_on = context.generated_on();
    let last_updated = context
        .last_updated
        .get(&entry.activity)
        .map(ToString::to_string)
        .unwrap_or_else(|| context.generated_at.to_string());
    let default_currency = entry
        .budget
        .as_ref()
        .map(|budget| budget.currency().as_str().to_owned());
    let mut attributes = vec![("last-updated-datetime", last_updated.as_str())];
    if let Some(currency) = &default_currency {
        attributes.push(("default-currency", currency));
    }
    xml.open("iati-activity", &attributes)?;
    xml.text(
        "iati-identifier",
        &[],
        &activity_identifier(&options.reporting_org_ref, entry.activity),
    )?;
    reporting_org(xml, &options.reporting_org_ref)?;
    let title = entry
        .title
        .clone()
        .unwrap_or_else(|| format!("Activity {} (its proposal is not in the log read)", entry.activity));
    xml.with_narrative("title", &[], &title)?;
    xml.with_narrative("description", &[("type", "1")], &general_description(context, entry))?;
    if let Some(objectives) = objectives(context, entry) {
        xml.with_narrative("description", &[("type", "2")], &objectives)?;
    }
    write_participating_orgs(xml, context, options, entry)?;
    xml.empty(
        "activity-status",
        &[("code", activity_status(entry.status, year_closed))],
    )?;
    write_dates(xml, entry, generated_on)?;
    if let Some(host) = entry.host {
        xml.with_narrative(
            "recipient-country",
            &[("code", host.as_str()), ("percentage", "100")],
            &context.member_state_name(host),
        )?;
    }
    xml.with_narrative(
        "sector",
        &[
            ("vocabulary", "1"),
            ("code", DAC_SME_DEVELOPMENT),
            ("percentage", "100"),
        ],
        "SME development",
    )?;
    if let Some(area) = entry.thematic_area {
        let code = area.code().to_string();
        xml.with_narrative(
            "sector",
            &[("vocabulary", "99"), ("code", &code), ("percentage", "100")],
            &format!("SELA-SMEs thematic area {code}: {}", area.slug()),
        )?;
    }
    if let Some(budget) = &entry.budget {
        write_budget(xml, options.year, budget)?;
    }
    write_transactions(xml, context, options, entry)?;
    write_document_links(xml, entry, generated_on)?;
    for (indicator, indicator_entry) in &entry.indicators {
        write_indicator_result(xml, options.year, entry, &indicator.to_string(), indicator_entry)?;
    }
    if let (Some(held), Some(participants)) = (entry.held, &entry.participants)
        && held.end() <= generated_on
    {
        write_participants_result(xml, options.year, held, participants)?;
    }
    xml.close("iati-activity")
}

fn general_description(context: &Context, entry: &ActivityEntry) -> String {
    let mut parts = Vec::new();
    let kind = entry.kind.map_or("Activity", |kind| kind.slug());
    let mut first = kind.replace('-', " ");
    if let Some(first_letter) = first.get_mut(0..1) {
        first_letter.make_ascii_uppercase();
    }
    first.push_str(" of the SELA-SMEs Programme");
    if let Some(area) = entry.thematic_area {
        first.push_str(&format!(" in thematic area {} ({})", area.code(), area.slug()));
    }
    if let Some(host) = entry.host {
        first.push_str(&format!(", hosted by {} ({host})", context.member_state_name(host)));
    }
    parts.push(format!("{first}."));
    if let Some(decision) = &entry.decision {
        parts.push(format!(
            "Approved by {} on {}: {}",
            decision.reference, decision.decided_on, decision.rationale
        ));
    }
    if entry.status == ActivityState::Cancelled
        && let Some(reason) = &entry.rationale
    {
        parts.push(format!("Cancelled: {reason}"));
    }
    parts.join(" ")
}

fn objectives(context: &Context, entry: &ActivityEntry) -> Option<String> {
    let needs: Vec<String> = entry
        .answers_needs
        .iter()
        .filter_map(|need| context.models.needs().needs.get(need))
        .map(|need| need.description.clone())
        .collect();
    (!needs.is_empty()).then(|| format!("Answers the needs identified in consultations: {}.", needs.join("; ")))
}

fn write_participating_orgs(
    xml: &mut Xml,
    context: &Context,
    options: &IatiOptions,
    entry: &ActivityEntry,
) -> Result<()> {
    let mut funders: Vec<FundingSource> = context
        .models
        .funding_ledger()
        .book
        .for_activity(entry.activity)
        .into_keys()
        .collect();
    funders.sort();
    funders.dedup();
    for source in funders {
        let organisation = context.organisation(source, &options.reporting_org_ref);
        let mut attributes = Vec::new();
        if let Some(reference) = &organisation.reference {
            attributes.push(("ref", reference.as_str()));
        }
        attributes.extend([("type", organisation.type_code), ("role", codes::ROLE_FUNDING)]);
        xml.with_narrative("participating-org", &attributes, &organisation.name)?;
    }
    for role in [codes::ROLE_ACCOUNTABLE, codes::ROLE_EXTENDING, codes::ROLE_IMPLEMENTING] {
        xml.with_narrative(
            "participating-org",
            &[
                ("ref", &options.reporting_org_ref),
                ("type", codes::SELA_ORGANISATION_TYPE),
                ("role", role),
            ],
            SELA_NAME,
        )?;
    }
    Ok(())
}

fn write_dates(xml: &mut Xml, entry: &ActivityEntry, generated_on: Date) -> Result<()> {
    let mut written = 0;
    if let Some(planned) = entry.planned {
        date(xml, ActivityDateType::PlannedStart, planned.start())?;
        date(xml, ActivityDateType::PlannedEnd, planned.end())?;
        written += 2;
    }
    if let Some(held) = entry.held {
        if held.start() <= generated_on {
            date(xml, ActivityDateType::ActualStart, held.start())?;
            written += 1;
        }
        if held.end() <= generated_on {
            date(xml, ActivityDateType::ActualEnd, held.end())?;
            written += 1;
        }
    }
    if written == 0
        && let Some(decision) = &entry.decision
    {
        // IATI wants at least one date; an activity whose proposal was cut away has only
        // its approval, which is when it was planned to start at the latest.
        date(xml, ActivityDateType::PlannedStart, decision.decided_on)?;
    }
    Ok(())
}

fn date(xml: &mut Xml, kind: ActivityDateType, day: Date) -> Result<()> {
    let day = day.to_string();
    xml.empty("activity-date", &[("iso-date", &day), ("type", kind.code())])
}

fn value(xml: &mut Xml, money: &Money) -> Result<()> {
    let value_date = money.value_date().to_string();
    xml.text(
        "value",
        &[("currency", money.currency().as_str()), ("value-date", &value_date)],
        &decimal(money.amount()),
    )
}

/// The year of a work programme as a period: a budget period of one year at most.
pub(crate) fn year_period(year: WorkProgrammeYear) -> Result<(Date, Date)> {
    let start = Date::new(year.get(), 1, 1).map_err(|error| Error::render("iati", error))?;
    let end = Date::new(year.get(), 12, 31).map_err(|error| Error::render("iati", error))?;
    Ok((start, end))
}

fn write_budget(xml: &mut Xml, year: WorkProgrammeYear, budget: &Money) -> Result<()> {
    let (start, end) = year_period(year)?;
    xml.open(
        "budget",
        &[("type", codes::BUDGET_ORIGINAL), ("status", codes::BUDGET_INDICATIVE)],
    )?;
    xml.empty("period-start", &[("iso-date", &start.to_string())])?;
    xml.empty("period-end", &[("iso-date", &end.to_string())])?;
    value(xml, budget)?;
    xml.close("budget")
}

fn write_transactions(xml: &mut Xml, context: &Context, options: &IatiOptions, entry: &ActivityEntry) -> Result<()> {
    let Some(transactions) = context.transactions.get(&entry.activity) else {
        return Ok(());
    };
    // IATI transactions are facts that happened: one dated after the generation day is left
    // out.
    let generated_on = context.generated_on();
    for transaction in transactions
        .iter()
        .filter(|transaction| transaction.date <= generated_on)
    {
        let own = transaction.source == FundingSource::SelaRegularBudget;
        let kind = match (transaction.movement, own) {
            (Movement::Commitment, true) => TransactionType::OutgoingCommitment,
            (Movement::Commitment, false) => TransactionType::IncomingPledge,
            (Movement::Disbursement, true) => TransactionType::Disbursement,
            (Movement::Disbursement, false) => TransactionType::IncomingFunds,
            (Movement::Expenditure, _) => TransactionType::Expenditure,
        };
        xml.open("transaction", &[])?;
        xml.empty("transaction-type", &[("code", kind.code())])?;
        xml.empty("transaction-date", &[("iso-date", &transaction.date.to_string())])?;
        value(xml, &transaction.amount)?;
        if let Some(description) = &transaction.description {
            xml.with_narrative("description", &[], description)?;
        }
        let provider = context.organisation(transaction.source, &options.reporting_org_ref);
        let mut attributes = Vec::new();
        if let Some(reference) = &provider.reference {
            attributes.push(("ref", reference.as_str()));
        }
        attributes.push(("type", provider.type_code));
        xml.with_narrative("provider-org", &attributes, &provider.name)?;
        xml.close("transaction")?;
    }
    Ok(())
}

fn write_document_links(xml: &mut Xml, entry: &ActivityEntry, generated_on: Date) -> Result<()> {
    for output in &entry.outputs {
        xml.open("document-link", &[("url", &output.link), ("format", file_format())])?;
        xml.with_narrative("title", &[], &output.title)?;
        xml.empty("category", &[("code", document_category(output.kind))])?;
        if let Some(held) = entry.held
            && held.end() <= generated_on
        {
            xml.empty("document-date", &[("iso-date", &held.end().to_string())])?;
        }
        xml.close("document-link")?;
    }
    Ok(())
}

fn write_period(xml: &mut Xml, period: Period) -> Result<()> {
    xml.empty("period-start", &[("iso-date", &period.start().to_string())])?;
    xml.empty("period-end", &[("iso-date", &period.end().to_string())])
}

fn dimension(xml: &mut Xml, element: &str, total: &str, name: &str, dimension_value: &str) -> Result<()> {
    xml.open(element, &[("value", total)])?;
    xml.empty("dimension", &[("name", name), ("value", dimension_value)])?;
    xml.close(element)
}

fn write_indicator_result(
    xml: &mut Xml,
    year: WorkProgrammeYear,
    entry: &ActivityEntry,
    indicator: &str,
    indicator_entry: &IndicatorEntry,
) -> Result<()> {
    let Some(definition) = &indicator_entry.definition else {
        // A result whose indicator definition was cut away has no title, unit or target.
        return Ok(());
    };
    let title = format!("{} ({})", definition.name, definition.unit);
    xml.open("result", &[("type", codes::RESULT_OUTPUT)])?;
    xml.with_narrative("title", &[], &title)?;
    let ascending = if definition.higher_is_better { "1" } else { "0" };
    xml.open(
        "indicator",
        &[("measure", codes::MEASURE_UNIT), ("ascending", ascending)],
    )?;
    xml.with_narrative("title", &[], &title)?;
    xml.with_narrative(
        "description",
        &[],
        &format!("Indicator {indicator} of activity {}", entry.activity),
    )?;
    let baseline_year = year.get().to_string();
    xml.empty(
        "baseline",
        &[("year", &baseline_year), ("value", &decimal(definition.baseline))],
    )?;
    let target = decimal(definition.target);
    if indicator_entry.results.is_empty() {
        if let Some(planned) = entry.planned {
            xml.open("period", &[])?;
            write_period(xml, planned)?;
            xml.empty("target", &[("value", &target)])?;
            xml.close("period")?;
        }
    } else {
        for result in &indicator_entry.results {
            xml.open("period", &[])?;
            write_period(xml, result.period)?;
            xml.empty("target", &[("value", &target)])?;
            xml.empty("actual", &[("value", &decimal(result.value))])?;
            for share in &result.by_sex {
                dimension(xml, "actual", &decimal(share.value), "sex", share.sex.slug())?;
            }
            for share in &result.by_member_state {
                dimension(
                    xml,
                    "actual",
                    &decimal(share.value),
                    "member-state",
                    share.member_state.as_str(),
                )?;
            }
            xml.close("period")?;
        }
    }
    xml.close("indicator")?;
    xml.close("result")
}

fn write_participants_result(
    xml: &mut Xml,
    year: WorkProgrammeYear,
    held: Period,
    participants: &ParticipantCounts,
) -> Result<()> {
    let total: u64 = participants.by_sex.iter().map(|share| u64::from(share.value)).sum();
    xml.open("result", &[("type", codes::RESULT_OUTPUT)])?;
    xml.with_narrative("title", &[], "Participants")?;
    xml.open("indicator", &[("measure", codes::MEASURE_UNIT), ("ascending", "1")])?;
    xml.with_narrative("title", &[], "People who took part in the activity")?;
    xml.empty("baseline", &[("year", &year.get().to_string()), ("value", "0")])?;
    xml.open("period", &[])?;
    write_period(xml, held)?;
    xml.empty("actual", &[("value", &total.to_string())])?;
    for share in &participants.by_sex {
        dimension(xml, "actual", &share.value.to_string(), "sex", share.sex.slug())?;
    }
    for share in &participants.by_member_state {
        dimension(
            xml,
            "actual",
            &share.value.to_string(),
            "member-state",
            share.member_state.as_str(),
        )?;
    }
    xml.close("period")?;
    xml.close("indicator")?;
    xml.close("result")
}

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
