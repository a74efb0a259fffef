//! The command forms: the Secretariat's everyday commands (schedule and record a consultation,
//! identify a need, propose and approve an activity, record funding) as HTML forms that send the
//! same command lines as `smes import` and the API, through the same [`smes_app::App`].
//!
//! A form is a [`specs::Spec`]: its fields, each of a [`specs::Kind`] that says how it is drawn
//! and checked, and how the checked values become the command's JSON. Sending one:
//!
//! - is refused (403, nothing written) without the session's form token, and for any role but
//!   the Secretariat (by the pages' layer, from [`crate::access::PAGES`]);
//! - records the session token's actor and role in the events' metadata, never anything the
//!   form says;
//! - carries a command id drawn when the form was opened (a hidden field), so a form sent
//!   twice is applied once;
//! - on a wrong value or a refusal by the programme's rules, shows the form again with what was
//!   typed and the message beside the field it concerns (422 or 409, as the API answers), and
//!   a proposal that may duplicate recorded activities with those activities beside its title
//!   and the override the domain offers: a reason to record it anyway;
//! - on success, answers 303 to `/recorded/{command id}`, which shows what was recorded and
//!   where in the log.

mod recorded;
mod specs;

use axum::extract::rejection::FormRejection;
use axum::extract::{Extension, Form, MatchedPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use serde_json::Value;
use smes_app::{CommandContext, CommandLine, Source};
use smes_domain::DomainError;
use smes_domain::error::RecordRef;
use smes_domain::values::{Currency, MemberStateCode, WorkProgrammeYear};
use smes_eventlog::StreamName;
use uuid::Uuid;

use super::text::{FormText, Text};
use super::{CSRF_FIELD, Signed, render, words};
use crate::Api;
use crate::extract::ApiQuery;
use crate::tokens::Role;
use specs::{Kind, Spec};

pub(crate) use recorded::recorded;
pub(crate) use specs::FORMS;

/// The form field carrying the command id.
pub const COMMAND_ID_FIELD: &str = "command_id";
/// The optional reason every form carries, kept as the events' metadata `reason`.
const WHY_FIELD: &str = "why";
/// The reason to record a possible duplicate anyway.
const OVERRIDE_FIELD: &str = "duplicate_override";

/// The forms' routes (each form's path, GET and POST) and the confirmation page.
pub(crate) fn routes(router: axum::Router<Api>) -> axum::Router<Api> {
    FORMS
        .iter()
        .fold(router, |router, spec| router.route(spec.path, get(open).post(send)))
        .route("/recorded/{command_id}", get(recorded))
}

/// The links to the forms, for the Secretariat's home page.
pub(crate) fn links(text: &Text, signed: &Signed) -> Markup {
    html! {
        @if signed.caller.role == Role::Secretariat {
            h2 #record { (text.forms.heading) }
            ul {
                @for spec in &FORMS {
                    li { a href=(spec.path) { (title(&text.forms, spec)) } }
                }
            }
        }
    }
}

fn lookup(table: &'static [(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(name, _)| *name == key).map(|(_, value)| *value)
}

fn title(text: &FormText, spec: &Spec) -> &'static str {
    lookup(text.titles, spec.path).unwrap_or(spec.kind)
}

/// A possible duplicate, as shown beside the title.
#[derive(Debug, Clone)]
pub(crate) struct Duplicate {
    id: String,
    title: String,
    planned: Option<(String, String)>,
    host: String,
}

/// A form's values as typed, what was wrong with them, and what they were read as.
#[derive(Debug, Default)]
pub(crate) struct Values {
    values: Vec<(String, String)>,
    errors: Vec<(&'static str, String)>,
    parsed: Vec<(&'static str, Value)>,
    form_error: Option<String>,
    duplicates: Vec<Duplicate>,
}

impl Values {
    /// The value typed for `name` ("" when none).
    pub(crate) fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    fn set(&mut self, name: &str, value: String) {
        match self.values.iter_mut().find(|(key, _)| key == name) {
            Some((_, old)) => *old = value,
            None => self.values.push((name.to_owned(), value)),
        }
    }

    /// What was wrong with `name`, if anything.
    pub(crate) fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, message)| message.as_str())
    }

    /// Records what is wrong with `name` (the first message of a field is kept).
    fn fail(&mut self, name: &'static str, message: String) {
        if self.error(name).is_none() {
            self.errors.push((name, message));
        }
    }

    /// The JSON a field was read as (`Null` when empty or wrong).
    pub(crate) fn json(&self, name: &str) -> Value {
        self.parsed
            .iter()
            .find(|(key, _)| *key == name)
            .map_or(Value::Null, |(_, value)| value.clone())
    }

    /// The values a form was sent with, kept as typed.
    fn sent(spec: &Spec, form: &[(String, String)]) -> Values {
        let mut values = Values::default();
        let names = spec
            .fields
            .iter()
            .map(|field| field.name)
            .chain([WHY_FIELD, OVERRIDE_FIELD, COMMAND_ID_FIELD]);
        for name in names {
            if let Some((_, value)) = form.iter().find(|(key, _)| key == name) {
                // Browsers send a text area's line breaks as CR LF; the record keeps newlines
                // only (text refuses carriage returns).
                values.values.push((name.to_owned(), value.replace("\r\n", "\n")));
            }
        }
        values
    }

    /// Reads every field by its kind, recording what is wrong beside it.
    fn check(&mut self, spec: &Spec, text: &FormText) {
        for field in spec.fields {
            let typed = self.value(field.name).trim().to_owned();
            if typed.is_empty() {
                if field.required {
                    self.fail(field.name, text.required.to_owned());
                }
                continue;
            }
            match read(field.name, field.kind, &typed, text) {
                Ok(value) => self.parsed.push((field.name, value)),
                Err(message) => self.fail(field.name, message),
            }
        }
    }

    /// A period from two date fields; a period that ends before it starts is said beside its
    /// end.
    pub(crate) fn period(&mut self, start: &'static str, end: &'static str) -> Value {
        let (Some(first), Some(last)) = (self.date(start), self.date(end)) else {
            return Value::Null;
        };
        specs::period(first, last).unwrap_or_else(|error| {
            self.fail(end, error.to_string());
            Value::Null
        })
    }

    /// An amount of money from its amount and currency fields, valued on a date field's day.
    pub(crate) fn money(&mut self, amount: &'static str, currency: &'static str, day: &'static str) -> Value {
        let (given, code) = (self.json(amount), self.json(currency));
        let (Some(given), Some(code), Some(day)) = (given.as_str(), code.as_str(), self.date(day)) else {
            return Value::Null;
        };
        let Ok(code) = Currency::new(code) else {
            return Value::Null;
        };
        specs::money(given, code, day).unwrap_or_else(|error| {
            self.fail(amount, error);
            Value::Null
        })
    }

    fn date(&self, name: &str) -> Option<jiff::civil::Date> {
        self.json(name).as_str().and_then(|text| text.parse().ok())
    }
}

/// One field's typed value read by its kind: the JSON it stands for, or what is wrong.
fn read(name: &str, kind: Kind, typed: &str, text: &FormText) -> Result<Value, String> {
    let id = |typed: &str| {
        Uuid::parse_str(typed)
            .map(|id| Value::String(id.to_string()))
            .map_err(|_| format!("{typed:?} {}", text.not_an_id))
    };
    // Codes are taken in either case; a wrong one is said as it was typed.
    let code = |typed: &str| {
        MemberStateCode::new(&typed.to_ascii_uppercase())
            .map(|code| Value::String(code.as_str().to_owned()))
            .map_err(|_| {
                MemberStateCode::new(typed)
                    .err()
                    .map(|error| error.to_string())
                    .unwrap_or_default()
            })
    };
    let list = |typed: &str| -> Vec<String> {
        typed
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    };
    match kind {
        Kind::NewId | Kind::Id => id(typed),
        Kind::Ids => list(typed)
            .iter()
            .map(|item| id(item))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Kind::Codes => list(typed)
            .iter()
            .map(|item| code(item))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Kind::Code => code(typed),
        Kind::Date => typed
            .parse::<jiff::civil::Date>()
            .ok()
            .filter(|date| date.to_string() == typed)
            .map(|date| Value::String(date.to_string()))
            .ok_or_else(|| format!("{typed:?} {}", text.not_a_date)),
        Kind::Text | Kind::LongText => Ok(Value::String(typed.to_owned())),
        Kind::Choice(_) => specs::check_choice(name, typed)
            .map(|()| Value::String(typed.to_owned()))
            .map_err(|error| error.to_string()),
        Kind::Amount => {
            let digits = typed
                .split_once('.')
                .map_or((typed, "0"), |(whole, part)| (whole, part));
            let is_digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
            if is_digits(digits.0) && is_digits(digits.1) {
                Ok(Value::String(typed.to_owned()))
            } else {
                Err(format!("{typed:?} {}", text.not_an_amount))
            }
        }
        Kind::Currency => Currency::new(&typed.to_ascii_uppercase())
            .map(|code| Value::String(code.as_str().to_owned()))
            .map_err(|_| {
                Currency::new(typed)
                    .err()
                    .map(|error| error.to_string())
                    .unwrap_or_default()
            }),
        Kind::Year => {
            let year = typed
                .parse::<i16>()
                .map_err(|_| format!("{typed:?} {}", text.not_a_year))?;
            WorkProgrammeYear::new(year)
                .map(|year| Value::from(year.get()))
                .map_err(|error| error.to_string())
        }
    }
}

fn spec_of(matched: &MatchedPath) -> Option<&'static Spec> {
    specs::spec(matched.as_str())
}

/// `GET` a form: empty, with new ids drawn for the records it creates and for the command,
/// and any field named in the query filled in (such as `?activity=…` from an activity's page).
async fn open(
    State(api): State<Api>,
    Extension(signed): Extension<Signed>,
    matched: MatchedPath,
    query: ApiQuery,
) -> Response {
    let text = words();
    let Some(spec) = spec_of(&matched) else {
        return render::message(text, StatusCode::NOT_FOUND, text.not_found, text.no_rule, Some(&signed));
    };
    let mut values = Values::default();
    for field in spec.fields {
        if let Some((_, value)) = query.0.iter().find(|(key, _)| key == field.name) {
            values.set(field.name, value.clone());
        } else if field.kind == Kind::NewId {
            values.set(field.name, api.app.service().new_id().to_string());
        } else if field.kind == Kind::Currency {
            values.set(field.name, Currency::USD.as_str().to_owned());
        }
    }
    values.set(COMMAND_ID_FIELD, api.app.service().new_id().to_string());
    page(text, StatusCode::OK, &signed, spec, &values)
}

/// `POST` a form: checks the form token, the command id and the fields, runs the command with
/// the session's actor and role, and redirects to what was recorded.
async fn send(
    State(api): State<Api>,
    Extension(signed): Extension<Signed>,
    matched: MatchedPath,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let text = words();
    let Some(spec) = spec_of(&matched) else {
        return render::message(text, StatusCode::NOT_FOUND, text.not_found, text.no_rule, Some(&signed));
    };
    let Ok(Form(form)) = form else {
        return render::message(
            text,
            StatusCode::BAD_REQUEST,
            text.invalid,
            text.unreadable_form,
            Some(&signed),
        );
    };
    let given = form
        .iter()
        .find(|(key, _)| key == CSRF_FIELD)
        .map(|(_, value)| value.as_str());
    if !given.is_some_and(|given| super::same_secret(&signed.csrf, given)) {
        return render::message(text, StatusCode::FORBIDDEN, text.refused, text.forged, Some(&signed));
    }
    let mut values = Values::sent(spec, &form);
    let Ok(command_id) = Uuid::parse_str(values.value(COMMAND_ID_FIELD).trim()) else {
        // A form whose command id was lost is shown again with a new one.
        values.form_error = Some(text.forms.bad_command_id.to_owned());
        values.set(COMMAND_ID_FIELD, api.app.service().new_id().to_string());
        return page(text, StatusCode::BAD_REQUEST, &signed, spec, &values);
    };
    values.check(spec, &text.forms);
    let mut command = (spec.build)(&mut values);
    if !values.errors.is_empty() {
        return page(text, StatusCode::UNPROCESSABLE_ENTITY, &signed, spec, &values);
    }
    command.insert("kind".to_owned(), Value::String(spec.kind.to_owned()));
    command.insert(COMMAND_ID_FIELD.to_owned(), Value::String(command_id.to_string()));
    let why = values.value(WHY_FIELD).trim();
    if !why.is_empty() {
        command.insert("why".to_owned(), Value::String(why.to_owned()));
    }
    let line = match CommandLine::read_value(Value::Object(command)) {
        Ok(line) => line,
        Err(error) => {
            // Beside the form's field of that name when there is one.
            let top = error.field.as_deref().and_then(|path| path.split(['.', '[']).next());
            match spec.fields.iter().find(|field| Some(field.name) == top) {
                Some(field) => values.fail(field.name, error.message),
                None => values.form_error = Some(error.message),
            }
            return page(text, StatusCode::UNPROCESSABLE_ENTITY, &signed, spec, &values);
        }
    };
    // Who records is the session's token, whatever the form says.
    let mut context = CommandContext::new(signed.caller.actor.clone(), signed.caller.role.as_str(), Source::Http);
    context.command_id = Some(command_id);
    context.reason = line.reason.clone();
    match api.app.run(&context, &line.command).await {
        Ok(executed) => {
            let again = if executed.already_applied { "?again=true" } else { "" };
            see_other(&format!("/recorded/{command_id}{again}"))
        }
        Err(error) => refused(&api, text, &signed, spec, values, error).await,
    }
}

/// The form again with the app's refusal beside the field it concerns.
async fn refused(
    api: &Api,
    text: &Text,
    signed: &Signed,
    spec: &Spec,
    mut values: Values,
    error: smes_app::Error,
) -> Response {
    use smes_app::Error as E;
    let status = match &error {
        E::Domain(domain) => {
            let status = crate::problem::domain(domain).status_code();
            let field = domain_key(domain).and_then(|key| lookup(spec.errors, key));
            if let DomainError::PossibleDuplicate { duplicates, .. } = domain {
                let records: Vec<RecordRef> = duplicates.iter().map(|found| found.record.clone()).collect();
                match duplicates_of(api, &records).await {
                    Ok(found) => values.duplicates = found,
                    Err(error) => return super::failed("POST form", &error),
                }
                values.fail("title", text.forms.possible_duplicate.to_owned());
            } else {
                match field {
                    Some(field) => values.fail(field, domain.to_string()),
                    None => values.form_error = Some(domain.to_string()),
                }
            }
            status
        }
        E::CommandIdReused { .. } | E::CommandIdUsedForAnotherCommand { .. } | E::TooManyConflicts { .. } => {
            values.form_error = Some(error.to_string());
            StatusCode::CONFLICT
        }
        E::InvalidCommand(_) | E::Store(smes_eventlog::Error::InvalidInput(_)) => {
            values.form_error = Some(error.to_string());
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => return super::failed("POST form", &error),
    };
    page(text, status, signed, spec, &values)
}

/// The record or field a refusal concerns, in the words of [`Spec::errors`].
fn domain_key(error: &DomainError) -> Option<&'static str> {
    use DomainError as E;
    Some(match error {
        E::InvalidValue { field, .. } | E::EmptyField { field } | E::DuplicateEntry { field, .. } => field,
        E::NilId { kind } => kind,
        E::UnknownRecord { field, .. } | E::RecordNotYet { field, .. } | E::DateInFuture { field, .. } => field,
        E::PeriodEndsBeforeStart { .. } => "period",
        E::NegativeAmount { .. }
        | E::AmountOverflow { .. }
        | E::CurrencyMismatch { .. }
        | E::ExchangeRateDoesNotApply { .. }
        | E::CommitmentExceedsOffer { .. }
        | E::ExchangeRateMissing { .. } => "amount",
        E::ConsultationAlreadyScheduled { .. }
        | E::ConsultationNotScheduled { .. }
        | E::ConsultationAlreadyHeld { .. }
        | E::ConsultationNotHeld { .. }
        | E::ConsultationClosed { .. } => "consultation",
        E::ParticipantNotActive { .. } | E::CounterpartNotJoined { .. } | E::CounterpartWithdrawn { .. } => {
            "counterpart"
        }
        E::NeedAlreadyIdentified { .. } => "need",
        E::NeedRaisedByNonParticipant { .. } => "raised by",
        E::ActivityAlreadyProposed { .. }
        | E::ActivityNotProposed { .. }
        | E::ActivityAlreadyApproved { .. }
        | E::ActivityNotApproved { .. }
        | E::ActivityRejected { .. }
        | E::ActivityCancelled { .. }
        | E::ActivityAlreadyHeld { .. }
        | E::ActivityNotHeld { .. } => "activity",
        E::WorkProgrammeNotOpen { .. }
        | E::WorkProgrammeNotOpened { .. }
        | E::WorkProgrammeClosed { .. }
        | E::WorkProgrammeAlreadyOpened { .. }
        | E::WorkProgrammeAlreadyAdopted { .. } => "work programme",
        E::PossibleDuplicate { .. } => "duplicate",
        E::DateBeforeStart { .. } => "date",
        E::OfferNotRecorded { .. } | E::OfferAlreadyRecorded { .. } => "offer",
        E::CommitmentAlreadyMade { .. } | E::CommitmentNotFound { .. } => "commitment",
        _ => return None,
    })
}

/// The recorded activities a proposal may duplicate: each one's title, planned period and
/// host, from its proposal.
async fn duplicates_of(api: &Api, duplicates: &[RecordRef]) -> Result<Vec<Duplicate>, smes_eventlog::Error> {
    let store = api.app.service().store();
    let mut found = Vec::new();
    for duplicate in duplicates {
        let RecordRef::Activity(id) = duplicate else {
            continue;
        };
        let stream = StreamName::new(format!("activity-{id}"))?;
        let first = store.read_stream(&stream, 1, 1).await?;
        let payload: Value = first
            .first()
            .and_then(|event| serde_json::from_str(event.payload.get()).ok())
            .unwrap_or(Value::Null);
        let field = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        let planned = &payload["planned"];
        found.push(Duplicate {
            id: id.to_string(),
            title: field(&payload["title"]),
            planned: planned
                .is_object()
                .then(|| (field(&planned["start"]), field(&planned["end"]))),
            host: field(&payload["host"]),
        });
    }
    Ok(found)
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A form's page: its title, what it records, any error that concerns no one field, the
/// fields with their errors beside them, and the hidden form token and command id.
fn page(text: &Text, status: StatusCode, signed: &Signed, spec: &Spec, values: &Values) -> Response {
    let words = &text.forms;
    let heading = title(words, spec);
    let body = html! {
        h1 { (heading) }
        @if let Some(intro) = lookup(words.intros, spec.path) { p { (intro) } }
        @if let Some(error) = &values.form_error {
            p.error #form-error { (words.form_error) " " (error) }
        }
        form method="post" action=(spec.path) {
            input type="hidden" name=(CSRF_FIELD) value=(signed.csrf);
            input type="hidden" name=(COMMAND_ID_FIELD) value=(values.value(COMMAND_ID_FIELD));
            @for field in spec.fields {
                (input(words, field.name, field.kind, field.required, values))
                @if field.name == "title" && (!values.duplicates.is_empty() || !values.value(OVERRIDE_FIELD).is_empty()) {
                    (duplicates(words, values))
                }
            }
            (input(words, WHY_FIELD, Kind::LongText, false, values))
            p { button type="submit" { (words.submit) } }
        }
    };
    render::respond(status, render::layout(text, heading, Some(signed), None, body))
}

/// One field with its label, hint and error.
fn input(words: &FormText, name: &'static str, kind: Kind, required: bool, values: &Values) -> Markup {
    let error = values.error(name);
    let invalid = error.map(|_| "true");
    let described = error.map(|_| format!("{name}-error"));
    let value = values.value(name);
    let label = lookup(words.labels, name).unwrap_or(name);
    html! {
        label for=(name) { (label) }
        @match kind {
            Kind::LongText => {
                textarea id=(name) name=(name) rows="3" required[required] aria-invalid=[invalid] aria-describedby=[described.as_deref()] { (value) }
            }
            Kind::Choice(options) => {
                select id=(name) name=(name) required[required] aria-invalid=[invalid] aria-describedby=[described.as_deref()] {
                    option value="" { "—" }
                    @for option in options {
                        option value=(option) selected[*option == value] { (lookup(words.options, option).unwrap_or(option)) }
                    }
                }
            }
            _ => {
                input id=(name) type=(input_type(kind)) name=(name) value=(value) inputmode=[(kind == Kind::Amount).then_some("decimal")]
                    required[required] aria-invalid=[invalid] aria-describedby=[described.as_deref()];
            }
        }
        @if let Some(hint) = lookup(words.hints, name) { small { " " (hint) } }
        @if let Some(error) = error { p.error id={ (name) "-error" } { (error) } }
    }
}

fn input_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Date => "date",
        Kind::Year => "number",
        _ => "text",
    }
}

/// The possible duplicates beside the title, each linked to its trace, and the override.
fn duplicates(words: &FormText, values: &Values) -> Markup {
    html! {
        @if !values.duplicates.is_empty() {
            ul.duplicates #duplicates {
                @for duplicate in &values.duplicates {
                    li {
                        a href={ "/activity/" (duplicate.id) } { (duplicate.title) }
                        @if let Some((start, end)) = &duplicate.planned {
                            ", " (words.planned) " " (start) " " (words.period_to) " " (end)
                        }
                        ", " (words.hosted_by) " " (duplicate.host)
                    }
                }
            }
            p { (words.override_hint) }
        }
        (input(words, OVERRIDE_FIELD, Kind::LongText, false, values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::text::ENGLISH_FORMS;

    #[test]
    fn fields_are_read_by_their_kind() {
        let text = &ENGLISH_FORMS;
        let id = "5e1a0000-0000-4000-8000-000000000001";
        assert_eq!(read("activity", Kind::Id, id, text), Ok(Value::String(id.to_owned())));
        assert!(
            read("activity", Kind::Id, "42", text)
                .unwrap_err()
                .contains("is not an id")
        );
        assert_eq!(
            read("participants", Kind::Ids, &format!("{id}, {id}\n{id}"), text)
                .unwrap()
                .as_array()
                .map(Vec::len),
            Some(3)
        );
        assert_eq!(read("host", Kind::Code, "pe", text), Ok(Value::String("PE".to_owned())));
        assert!(read("host", Kind::Code, "PER", text).is_err());
        assert_eq!(
            read("held_on", Kind::Date, "2013-04-10", text),
            Ok(Value::String("2013-04-10".to_owned()))
        );
        for bad in ["2013-13-01", "10/04/2013", "2013-4-1"] {
            assert!(
                read("held_on", Kind::Date, bad, text)
                    .unwrap_err()
                    .contains("is not a date"),
                "{bad}"
            );
        }
        assert!(read("amount", Kind::Amount, "30000.50", text).is_ok());
        for bad in ["30,000", "-5", "1.", ".5", "1e3"] {
            assert!(read("amount", Kind::Amount, bad, text).is_err(), "{bad}");
        }
        assert!(
            read("priority", Kind::Choice(&[]), "urgent", text)
                .unwrap_err()
                .contains("expected one of high")
        );
        assert!(
            read("work_programme", Kind::Year, "1800", text)
                .unwrap_err()
                .contains("1975")
        );
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_said_beside_its_end() {
        let mut values = Values::default();
        values
            .parsed
            .push(("planned_start", Value::String("2013-04-11".to_owned())));
        values
            .parsed
            .push(("planned_end", Value::String("2013-04-10".to_owned())));
        assert_eq!(values.period("planned_start", "planned_end"), Value::Null);
        assert!(values.error("planned_end").unwrap().contains("ends earlier"));
        assert!(values.error("planned_start").is_none());
    }
}
