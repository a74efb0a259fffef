//! One `iati-activity`: what the log knows of an activity, field by field (docs/exports.md).

use jiff::civil::Date;
use smes_domain::activity::ParticipantCounts;
use smes_domain::values::{Money, Period, WorkProgrammeYear};
use smes_projections::FundingSource;
use smes_projections::activities::{ActivityEntry, ActivityState, IndicatorEntry};
use smes_reports::format::decimal;

use super::codes::{
    self, ActivityDateType, DAC_SME_DEVELOPMENT, TransactionType, activity_status, document_category, file_format,
};
use super::xml::Xml;
use super::{IatiOptions, activity_identifier, reporting_org, year_period};
use crate::context::{Context, Movement, SELA_NAME};
use crate::error::Result;

pub(super) fn write_activity(
    xml: &mut Xml,
    context: &Context,
    options: &IatiOptions,
    entry: &ActivityEntry,
    year_closed: bool,
) -> Result<()> {
    check_codes(context, entry)?;
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

/// Refuses an activity whose host or currencies are not in the codelists their fields take,
/// before any of it is written: such codes can only come from events recorded before the
/// commands checked them.
fn check_codes(context: &Context, entry: &ActivityEntry) -> Result<()> {
    let record = || format!("activity {}", entry.activity);
    if let Some(host) = entry.host {
        codes::require_country(&record, "recipient-country/@code", host)?;
    }
    if let Some(budget) = &entry.budget {
        codes::require_currency(&record, "default-currency", budget.currency())?;
    }
    for transaction in context.transactions.get(&entry.activity).into_iter().flatten() {
        codes::require_currency(&record, "transaction/value/@currency", transaction.amount.currency())?;
    }
    Ok(())
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

fn write_budget(xml: &mut Xml, year: WorkProgrammeYear, budget: &Money) -> Result<()> {
    let (start, end) = year_period(year)?;
    xml.open(
        "budget",
        &[("type", codes::BUDGET_ORIGINAL), ("status", codes::BUDGET_INDICATIVE)],
    )?;
    xml.empty("period-start", &[("iso-date", &start.to_string())])?;
    xml.empty("period-end", &[("iso-date", &end.to_string())])?;
    xml.money(budget)?;
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
        xml.money(&transaction.amount)?;
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
