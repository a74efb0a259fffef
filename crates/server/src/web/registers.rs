//! The registers' pages: the needs register, the counterpart directory and the evaluation
//! history, each with its filter and state-of-the-record form and the register of
//! `smes-reports` laid out as tables, stamped with the anchor it was made from.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use smes_projections::{Cut, LogSlice};
use smes_read::read_log;
use smes_reports::registers::counterparts::{
    self, DirectoryFilter, DirectoryReport, DirectoryRequest, Group, MemberStateRow,
};
use smes_reports::registers::history::{self, HistoryReport, HistoryRow};
use smes_reports::registers::needs::{self, NeedsFilter, NeedsReport, NeedsRequest, StatusCount};
use smes_reports::registers::{NeedStatusRow, Organisation};

use super::render::{country_input, cut_fieldset, cut_query, input, layout, respond};
use super::text::Text;
use super::{CUT_FIELDS, Fields, Signed, message, report_failure, words};
use crate::Api;
use crate::extract::ApiQuery;

const NEEDS_FIELDS: [&str; 6] = ["area", "country", "status", "as_of", "known_at", "at_position"];
const DIRECTORY_FIELDS: [&str; 5] = ["area", "country", "as_of", "known_at", "at_position"];

/// The values given for a list field, as the parsers take them.
fn list(fields: &Fields, name: &str) -> Vec<String> {
    fields.given(name).map(str::to_owned).into_iter().collect()
}

/// Puts a report's error beside its field when it names one of `names`; gives it back
/// otherwise.
pub(super) fn beside_field(
    fields: &mut Fields,
    names: &[&'static str],
    error: impl Into<smes_read::Error>,
) -> Result<(), smes_read::Error> {
    let error = error.into();
    if let smes_read::Error::Report(smes_reports::Error::InvalidOption { option, .. }) = &error {
        let name = crate::reads::parameter_of(option);
        if let Some(field) = names.iter().find(|field| **field == name) {
            fields.errors.push((field, message(error)));
            return Ok(());
        }
    }
    Err(error)
}

/// What reading a report for a page gave: the report, field errors, or a page saying why not.
pub(super) enum Outcome<R> {
    /// The report.
    Made(R),
    /// A field was wrong (its error is with the fields).
    Invalid,
    /// A page saying what failed.
    Failed(Response),
}

/// Reads the prefix the cut allows and builds a report from it, putting an option's error
/// beside its field.
pub(super) async fn make<R>(
    api: &Api,
    signed: &Signed,
    what: &str,
    fields: &mut Fields,
    names: &[&'static str],
    cut: &Cut,
    build: impl FnOnce(&LogSlice) -> smes_reports::Result<R>,
) -> Outcome<R> {
    let text = words();
    let store = api.app.service().store();
    let made = match read_log(store.as_ref(), cut.known_at, cut.at_position).await {
        Ok(log) => build(&log).map_err(smes_read::Error::from),
        Err(error) => Err(error),
    };
    match made {
        Ok(report) => Outcome::Made(report),
        Err(error) => match beside_field(fields, names, error) {
            Ok(()) => Outcome::Invalid,
            Err(error) => Outcome::Failed(report_failure(text, signed, what, error)),
        },
    }
}

pub(super) async fn needs_page(
    State(api): State<Api>,
    Extension(signed): Extension<Signed>,
    query: ApiQuery,
) -> Response {
    let text = words();
    let mut fields = Fields::read(&query, &NEEDS_FIELDS);
    fields.offer_member_states(&api).await;
    let (areas, countries, statuses) = (list(&fields, "area"), list(&fields, "country"), list(&fields, "status"));
    let area = fields.check("area", NeedsFilter::parse(&areas, &[], &[]));
    let country = fields.check("country", NeedsFilter::parse(&[], &countries, &[]));
    let status = fields.check("status", NeedsFilter::parse(&[], &[], &statuses));
    let cut = fields.cut();
    let (Some(area), Some(country), Some(status), Some(cut)) = (area, country, status, cut) else {
        return needs_view(text, StatusCode::BAD_REQUEST, &signed, &fields, None);
    };
    let request = NeedsRequest {
        cut,
        filter: NeedsFilter {
            areas: area.areas,
            countries: country.countries,
            statuses: status.statuses,
        },
    };
    let outcome = make(
        &api,
        &signed,
        "GET /needs",
        &mut fields,
        &NEEDS_FIELDS,
        &request.cut,
        |log| needs::build(log, &request),
    )
    .await;
    match outcome {
        Outcome::Made(report) => needs_view(text, StatusCode::OK, &signed, &fields, Some(&report)),
        Outcome::Invalid => needs_view(text, StatusCode::BAD_REQUEST, &signed, &fields, None),
        Outcome::Failed(page) => page,
    }
}

pub(super) async fn counterparts_page(
    State(api): State<Api>,
    Extension(signed): Extension<Signed>,
    query: ApiQuery,
) -> Response {
    let text = words();
    let mut fields = Fields::read(&query, &DIRECTORY_FIELDS);
    fields.offer_member_states(&api).await;
    let (areas, countries) = (list(&fields, "area"), list(&fields, "country"));
    let area = fields.check("area", DirectoryFilter::parse(&areas, &[]));
    let country = fields.check("country", DirectoryFilter::parse(&[], &countries));
    let cut = fields.cut();
    let (Some(area), Some(country), Some(cut)) = (area, country, cut) else {
        return directory_view(text, StatusCode::BAD_REQUEST, &signed, &fields, None);
    };
    let request = DirectoryRequest {
        cut,
        filter: DirectoryFilter {
            areas: area.areas,
            countries: country.countries,
        },
    };
    let outcome = make(
        &api,
        &signed,
        "GET /counterparts",
        &mut fields,
        &DIRECTORY_FIELDS,
        &request.cut,
        |log| counterparts::build(log, &request),
    )
    .await;
    match outcome {
        Outcome::Made(report) => directory_view(text, StatusCode::OK, &signed, &fields, Some(&report)),
        Outcome::Invalid => directory_view(text, StatusCode::BAD_REQUEST, &signed, &fields, None),
        Outcome::Failed(page) => page,
    }
}

pub(super) async fn history_page(
    State(api): State<Api>,
    Extension(signed): Extension<Signed>,
    query: ApiQuery,
) -> Response {
    let text = words();
    let mut fields = Fields::read(&query, &CUT_FIELDS);
    let Some(cut) = fields.cut() else {
        return history_view(text, StatusCode::BAD_REQUEST, &signed, &fields, None);
    };
    let outcome = make(
        &api,
        &signed,
        "GET /evaluation-history",
        &mut fields,
        &CUT_FIELDS,
        &cut,
        |log| history::build(log, &cut),
    )
    .await;
    match outcome {
        Outcome::Made(report) => history_view(text, StatusCode::OK, &signed, &fields, Some(&report)),
        Outcome::Invalid => history_view(text, StatusCode::BAD_REQUEST, &signed, &fields, None),
        Outcome::Failed(page) => page,
    }
}

fn or_none<'a>(text: &'a Text, value: Option<&'a str>) -> &'a str {
    value.unwrap_or(text.none)
}

fn organisations(organisations: &[Organisation]) -> String {
    organisations
        .iter()
        .map(|organisation| organisation.name.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Counts of needs by status under keys.
fn count_table(text: &Text, heading: &str, rows: &[StatusCount]) -> Markup {
    html! {
        table {
            tr { th { (heading) } th { (text.needs) } th { (text.answered) } th { (text.open) } th { (text.unanswered) } }
            @for row in rows {
                tr {
                    td { (row.key) } td.num { (row.needs) } td.num { (row.answered) }
                    td.num { (row.open) } td.num { (row.unanswered) }
                }
            }
        }
    }
}

/// Needs as a table, each activity citing one linked to its trace under the page's cut.
fn needs_table(text: &Text, fields: &Fields, needs: &[NeedStatusRow]) -> Markup {
    let cut = cut_query(fields);
    html! {
        @if needs.is_empty() {
            p { (text.no_need) }
        } @else {
            table.needs {
                tr {
                    th { (text.status) } th { (text.priority) } th { (text.identified) } th { (text.thematic_area) }
                    th { (text.member_states) } th { (text.need) } th { (text.raised_by) } th { (text.consultation) }
                    th { (text.citing_activities) }
                }
                @for need in needs {
                    tr id={ "need-" (need.id) } {
                        td { (need.status) } td { (need.priority) } td { (need.identified_on) } td { (need.thematic_area) }
                        td { (need.member_states.join(", ")) } td { (need.description) }
                        td { (organisations(&need.raised_by)) } td { (need.consultation) }
                        td {
                            @if need.activities.is_empty() { (text.none) }
                            @for (index, activity) in need.activities.iter().enumerate() {
                                @if index > 0 { "; " }
                                a href={ "/activity/" (activity.id) (cut) } {
                                    @if activity.title.is_empty() { (text.untitled) } @else { (activity.title) }
                                }
                                " (" (activity.status) ")"
                            }
                        }
                    }
                }
            }
        }
    }
}

fn needs_view(
    text: &Text,
    status: StatusCode,
    signed: &Signed,
    fields: &Fields,
    report: Option<&NeedsReport>,
) -> Response {
    let body = html! {
        h1 { (text.needs_register) }
        p { (text.needs_intro) }
        form method="get" action="/needs" {
            fieldset {
                legend { (text.which_needs) }
                (input(fields, "area", text.areas, "text", Some(text.list_hint)))
                (country_input(fields, text.member_states, Some(text.list_hint)))
                (input(fields, "status", text.need_statuses, "text", Some(text.list_hint)))
            }
            (cut_fieldset(text, fields))
            button type="submit" { (text.show) }
        }
        @if let Some(report) = report {
            p { (text.cut_is) " " (report.selection.cut) "." }
            h2 { (text.needs_total) }
            (count_table(text, text.all_needs, std::slice::from_ref(&report.total)))
            @if !report.by_thematic_area.is_empty() {
                h2 { (text.by_thematic_area) }
                (count_table(text, text.thematic_area, &report.by_thematic_area))
            }
            @if !report.by_member_state.is_empty() {
                h2 { (text.by_member_state) }
                (count_table(text, text.member_state, &report.by_member_state))
            }
            h2 { (text.needs_register) " (" (report.needs.len()) ")" }
            (needs_table(text, fields, &report.needs))
        }
    };
    let anchor = report.map(|report| &report.anchor);
    respond(status, layout(text, text.needs_register, Some(signed), anchor, body))
}

/// The directory's groups of counterparts by country, split in two: the Member States (those
/// with a membership history in the log, members now or once), and codes that never were one,
/// which a log may hold from before commands checked countries and which the list of Member
/// States does not show as such.
fn by_member_state<'a>(groups: &'a [Group], member_states: &[MemberStateRow]) -> (Vec<&'a Group>, Vec<&'a Group>) {
    groups
        .iter()
        .partition(|group| member_states.iter().any(|state| state.code == group.key))
}

fn directory_view(
    text: &Text,
    status: StatusCode,
    signed: &Signed,
    fields: &Fields,
    report: Option<&DirectoryReport>,
) -> Response {
    let name_of = |report: &DirectoryReport, id: &str| -> String {
        report
            .counterparts
            .iter()
            .find(|row| row.id == id)
            .map_or_else(|| id.to_owned(), |row| row.name.clone())
    };
    let body = html! {
        h1 { (text.counterpart_directory) }
        p { (text.counterparts_intro) }
        form method="get" action="/counterparts" {
            fieldset {
                legend { (text.which_counterparts) }
                (input(fields, "area", text.areas, "text", Some(text.list_hint)))
                (country_input(fields, text.member_states, Some(text.list_hint)))
            }
            (cut_fieldset(text, fields))
            button type="submit" { (text.show) }
        }
        @if let Some(report) = report {
            p { (text.cut_is) " " (report.selection.cut) "." }
            h2 { (text.counterpart_directory) " (" (report.counterparts.len()) ")" }
            @if report.counterparts.is_empty() {
                p { (text.no_counterpart) }
            } @else {
                table {
                    tr {
                        th { (text.organisation) } th { (text.kind) } th { (text.member_state) } th { (text.thematic_area) }
                        th { (text.roles) } th { (text.withdrew) } th { (text.corrections) }
                    }
                    @for row in &report.counterparts {
                        tr id={ "counterpart-" (row.id) } {
                            td { (row.name) } td { (row.kind) } td { (or_none(text, row.member_state.as_deref())) }
                            td { (row.thematic_areas.join(", ")) } td { (or_none(text, Some(row.roles.as_str()).filter(|roles| !roles.is_empty()))) }
                            td {
                                @match (&row.withdrew_on, &row.withdrawal_reason) {
                                    (Some(on), Some(reason)) => { (on) ": " (reason) }
                                    (Some(on), None) => { (on) }
                                    _ => { "–" }
                                }
                            }
                            td {
                                @if row.corrections.is_empty() { "–" }
                                @for correction in &row.corrections {
                                    p { (correction.effective_from) ": " (correction.reason) " (" (text.position) " " (correction.position) ")" }
                                }
                            }
                        }
                    }
                }
                h2 { (text.by_state) }
                ul {
                    @let (member_states, not_member_states) = by_member_state(&report.by_member_state, &report.member_states);
                    @for group in member_states {
                        li {
                            strong { (group.label) " (" (group.key) ")" } ": "
                            (group.counterparts.iter().map(|id| name_of(report, id)).collect::<Vec<_>>().join("; "))
                        }
                    }
                    @if !not_member_states.is_empty() {
                        li {
                            strong { (text.not_member_states) } ": "
                            (not_member_states
                                .iter()
                                .flat_map(|group| group.counterparts.iter().map(|id| format!("{} ({})", name_of(report, id), group.key)))
                                .collect::<Vec<_>>()
                                .join("; "))
                        }
                    }
                    @if !report.regional_or_international.is_empty() {
                        li {
                            strong { (text.regional_or_international) } ": "
                            (report.regional_or_international.iter().map(|id| name_of(report, id)).collect::<Vec<_>>().join("; "))
                        }
                    }
                }
                h2 { (text.by_thematic_area) }
                ul {
                    @for group in &report.by_thematic_area {
                        li {
                            strong { (group.label) } ": "
                            (group.counterparts.iter().map(|id| name_of(report, id)).collect::<Vec<_>>().join("; "))
                        }
                    }
                }
            }
            h2 { (text.cooperation_sources) " (" (report.cooperation_sources.len()) ")" }
            @if report.cooperation_sources.is_empty() {
                p { (text.no_cooperation_source) }
            } @else {
                table {
                    tr {
                        th { (text.organisation) } th { (text.kind) } th { (text.country) } th { (text.registered) }
                        th { (text.same_organisation_as) }
                    }
                    @for row in &report.cooperation_sources {
                        tr id={ "cooperation-source-" (row.id) } {
                            td { (row.name) } td { (row.kind) } td { (or_none(text, row.country.as_deref())) }
                            td { (row.registered_on) }
                            td {
                                @match &row.counterpart {
                                    Some(counterpart) => {
                                        a href={ "#counterpart-" (counterpart) } { (name_of(report, counterpart)) }
                                        @if let Some(linked_on) = &row.linked_on { " (" (text.linked) " " (linked_on) ")" }
                                    }
                                    None => { "–" }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (text.membership_history) }
            table {
                tr { th { (text.member_state) } th { (text.status) } th { (text.membership_history) } }
                @for state in &report.member_states {
                    tr {
                        td { (state.name) " (" (state.code) ")" }
                        td { @if state.member { (text.member) } @else { (text.not_member) } }
                        td {
                            @for change in &state.history {
                                p {
                                    (change.change) " " (change.on.as_deref().unwrap_or(text.date_not_given)) "; " (text.source) ": " (change.source)
                                    " (" (text.position) " " (change.position) ")"
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let anchor = report.map(|report| &report.anchor);
    respond(
        status,
        layout(text, text.counterpart_directory, Some(signed), anchor, body),
    )
}

fn history_view(
    text: &Text,
    status: StatusCode,
    signed: &Signed,
    fields: &Fields,
    report: Option<&HistoryReport>,
) -> Response {
    let body = html! {
        h1 { (text.evaluation_history) }
        p { (text.history_intro) }
        form method="get" action="/evaluation-history" {
            (cut_fieldset(text, fields))
            button type="submit" { (text.show) }
        }
        @if let Some(report) = report {
            p { (text.cut_is) " " (report.selection.cut) "." }
            @if report.items.is_empty() { p { (text.no_history) } }
            @for item in &report.items { (history_item(text, fields, item)) }
        }
    };
    let anchor = report.map(|report| &report.anchor);
    respond(
        status,
        layout(text, text.evaluation_history, Some(signed), anchor, body),
    )
}

fn history_item(text: &Text, fields: &Fields, item: &HistoryRow) -> Markup {
    match item {
        HistoryRow::Consultation { date, consultation } => html! {
            section.consultation id={ "consultation-" (consultation.id) } {
                h2 {
                    (date.as_deref().unwrap_or(text.undated)) " — " (text.consultation) ": "
                    @if consultation.title.is_empty() { code { (consultation.id) } } @else { (consultation.title) }
                }
                ul {
                    @if let Some(on) = &consultation.scheduled_for { li { (text.scheduled_for) " " (on) } }
                    @if let Some(on) = &consultation.held_on { li { (text.held_on) " " (on) } }
                    @if let Some(venue) = &consultation.venue { li { (text.venue) ": " (venue) } }
                    @if !consultation.participants.is_empty() { li { (text.participants) ": " (organisations(&consultation.participants)) } }
                    @if let Some(minutes) = &consultation.minutes_reference { li { (text.minutes) ": " (minutes) } }
                    @if let Some(on) = &consultation.closed_on { li { (text.closed_on) " " (on) } }
                }
                @if !consultation.evaluations.is_empty() {
                    h3 { (text.evaluations) }
                    ul {
                        @for evaluation in &consultation.evaluations {
                            li {
                                strong {
                                    @match &evaluation.activity_title {
                                        Some(title) => { (title) }
                                        None => {
                                            @if evaluation.subject == "programme" { (text.the_programme) } @else { code { (evaluation.subject) } }
                                        }
                                    }
                                }
                                ": " (evaluation.findings)
                                @if !evaluation.ratings.is_empty() {
                                    " ("
                                    (evaluation.ratings.iter().map(|rating| format!("{}: {} ({}/5)", rating.criterion, rating.label, rating.score)).collect::<Vec<_>>().join(", "))
                                    ")"
                                }
                            }
                        }
                    }
                }
                @if !consultation.needs.is_empty() {
                    h3 { (text.needs_raised) }
                    (needs_table(text, fields, &consultation.needs))
                }
            }
        },
        HistoryRow::Review { date, review } => html! {
            section.review id={ "review-" (review.id) } {
                h2 { (date.as_deref().unwrap_or(text.undated)) " — " (text.programme_review) " " code { (review.id) } }
                ul {
                    @if let (Some(from), Some(to)) = (&review.period_from, &review.period_to) {
                        li { (text.period_reviewed) " " (from) " – " (to) }
                    }
                    @if let Some(on) = &review.opened_on { li { (text.opened_on) " " (on) } }
                    @if let Some(on) = &review.closed_on { li { (text.closed_on) " " (on) } }
                }
                @if !review.findings.is_empty() {
                    h3 { (text.findings) }
                    ul { @for finding in &review.findings { li { (finding) } } }
                }
                @if !review.recommendations.is_empty() {
                    h3 { (text.recommendations) }
                    ul { @for recommendation in &review.recommendations { li { (recommendation) } } }
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(key: &str) -> Group {
        Group {
            key: key.to_owned(),
            label: format!("State {key}"),
            counterparts: vec![format!("counterpart in {key}")],
        }
    }

    fn state(code: &str, member: bool) -> MemberStateRow {
        MemberStateRow {
            code: code.to_owned(),
            name: format!("State {code}"),
            member,
            history: Vec::new(),
        }
    }

    #[test]
    fn only_member_states_are_listed_as_member_states() {
        let groups = [group("CR"), group("PE"), group("US"), group("XX")];
        let states = [state("CR", false), state("PE", true)];
        let (members, others) = by_member_state(&groups, &states);
        let keys = |groups: Vec<&Group>| groups.iter().map(|group| group.key.clone()).collect::<Vec<_>>();
        assert_eq!(
            keys(members),
            ["CR", "PE"],
            "a former Member State stays one of its past"
        );
        assert_eq!(keys(others), ["US", "XX"]);
    }
}
