//! `GET /recorded/{command_id}`: what a command recorded, found by its id in the log: each
//! event with its log position, stream, actor, role, reason, dates and hash, and its fields
//! written for people (amounts with their currency and separators, periods from day to day).

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde_json::Value;
use smes_eventlog::RecordedEvent;
use uuid::Uuid;

use super::super::text::{FormText, Text};
use super::super::{Signed, render, words};
use crate::Api;
use crate::extract::{ApiPath, ApiQuery};

/// The confirmation page of a command.
pub(crate) async fn recorded(
    State(api): State<Api>,
    Extension(signed): Extension<Signed>,
    ApiPath(command_id): ApiPath<String>,
    query: ApiQuery,
) -> Response {
    let text = words();
    let Ok(command_id) = Uuid::parse_str(&command_id) else {
        let detail = format!("command_id: {command_id:?} is not a UUID");
        return render::message(text, StatusCode::BAD_REQUEST, text.invalid, &detail, Some(&signed));
    };
    let store = api.app.service().store();
    let read = async {
        let Some(outcome) = store.command_outcome(command_id).await? else {
            return Ok(None);
        };
        let events = if outcome.first_position == 0 {
            Vec::new()
        } else {
            let count = (outcome.last_position - outcome.first_position + 1) as usize;
            store.read_all(outcome.first_position, count).await?
        };
        Ok::<_, smes_eventlog::Error>(Some(events))
    };
    let events = match read.await {
        Ok(Some(events)) => events,
        Ok(None) => {
            return render::message(
                text,
                StatusCode::NOT_FOUND,
                text.not_found,
                text.forms.unknown_command,
                Some(&signed),
            );
        }
        Err(error) => return super::super::failed("GET /recorded", &error),
    };
    let again = query.0.iter().any(|(key, value)| key == "again" && value == "true");
    page(text, &signed, &events, again)
}

fn page(text: &Text, signed: &Signed, events: &[RecordedEvent], again: bool) -> Response {
    let words = &text.forms;
    let body = html! {
        h1 { (words.recorded) }
        @if again { p #again { (words.applied_before) } }
        @if let (Some(first), Some(last)) = (events.first(), events.last()) {
            p #recorded-position {
                (words.recorded_at_position) " " span.position { (first.position) }
                @if last.position != first.position { "–" (last.position) }
                "."
            }
        } @else {
            p { (words.nothing_recorded) }
        }
        @for event in events {
            section.event {
                h2 { (event.event_type) }
                ul {
                    li { (text.position) " " (event.position) ", " (words.stream) " " code { (event.stream) } }
                    li { (text.actor) ": " (event.metadata.actor) ", " (text.role) ": " (event.metadata.role) }
                    @if let Some(reason) = &event.metadata.reason { li { (text.reason) ": " (reason) } }
                    li { (text.occurred_at) " " (business_time(event.occurred_at)) ", " (text.recorded_at) " " (event.recorded_at) }
                    li { (text.hash) " " code title=(hex::encode(event.hash)) { (hex::encode(&event.hash[..8])) } }
                }
                h3 { (words.what_was_recorded) }
                dl {
                    @for (key, value) in fields(event) {
                        // The form's label where the stored field has the form field's name.
                        dt { (super::lookup(words.labels, &key).unwrap_or(&key)) }
                        dd { (describe(words, &value)) }
                    }
                }
                @if let Some(activity) = activity_of(event) {
                    p { a href={ "/activity/" (activity) } { (words.see_trace) } }
                }
            }
        }
        p { a href="/#record" { (words.record_another) } }
    };
    render::respond(
        StatusCode::OK,
        render::layout(text, words.recorded, Some(signed), None, body),
    )
}

/// The event's fields, in the order stored.
fn fields(event: &RecordedEvent) -> Vec<(String, Value)> {
    match serde_json::from_str::<Value>(event.payload.get()) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The activity an event is about, if any: its stream's, or the one its fields name.
fn activity_of(event: &RecordedEvent) -> Option<String> {
    if let Some(id) = event.stream.strip_prefix("activity-") {
        return Some(id.to_owned());
    }
    fields(event)
        .into_iter()
        .find(|(key, _)| key == "activity")
        .and_then(|(_, value)| value.as_str().map(str::to_owned))
}

/// A business time: its date when it is midnight UTC, as business dates are recorded.
fn business_time(time: jiff::Timestamp) -> String {
    let text = time.to_string();
    match text.split_once('T') {
        Some((date, _)) if time.as_nanosecond() % 86_400_000_000_000 == 0 => date.to_owned(),
        _ => text,
    }
}

/// A field's value for people: an amount with its currency and value date, a period from its
/// first to its last day, lists and records spelled out.
pub(crate) fn describe(words: &FormText, value: &Value) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| describe(words, item))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => {
            let text = |key: &str| map.get(key).and_then(Value::as_str);
            if let (Some(amount), Some(currency), Some(day), 3) =
                (text("amount"), text("currency"), text("value_date"), map.len())
            {
                return format!("{} {currency} ({day})", amount_for_people(words, amount));
            }
            if let (Some(start), Some(end), 2) = (text("start"), text("end"), map.len()) {
                return format!("{start} {} {end}", words.period_to);
            }
            map.iter()
                .map(|(key, value)| format!("{key}: {}", describe(words, value)))
                .collect::<Vec<_>>()
                .join("; ")
        }
        other => other.to_string(),
    }
}

/// A decimal amount with the language's separators, grouped by thousands, with at least two
/// decimals: `30000` is `30,000.00` in English.
pub(crate) fn amount_for_people(words: &FormText, amount: &str) -> String {
    let (sign, digits) = amount.strip_prefix('-').map_or(("", amount), |rest| ("-", rest));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(words.thousands_separator);
        }
        grouped.push(digit);
    }
    let mut fraction = fraction.to_owned();
    while fraction.len() < 2 {
        fraction.push('0');
    }
    format!("{sign}{grouped}{}{fraction}", words.decimal_separator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::text::ENGLISH_FORMS;

    #[test]
    fn amounts_are_grouped_by_thousands_with_two_decimals() {
        let words = &ENGLISH_FORMS;
        assert_eq!(amount_for_people(words, "30000"), "30,000.00");
        assert_eq!(amount_for_people(words, "1234567.5"), "1,234,567.50");
        assert_eq!(amount_for_people(words, "999"), "999.00");
        assert_eq!(amount_for_people(words, "0.125"), "0.125");
        let spanish = FormText {
            thousands_separator: '.',
            decimal_separator: ',',
            ..ENGLISH_FORMS
        };
        assert_eq!(amount_for_people(&spanish, "30000"), "30.000,00");
    }

    #[test]
    fn money_and_periods_are_written_for_people() {
        let words = &ENGLISH_FORMS;
        let money = serde_json::json!({"amount": "8000", "currency": "USD", "value_date": "2013-03-19"});
        assert_eq!(describe(words, &money), "8,000.00 USD (2013-03-19)");
        let period = serde_json::json!({"start": "2013-04-10", "end": "2013-04-11"});
        assert_eq!(describe(words, &period), "2013-04-10 to 2013-04-11");
        let proposer = serde_json::json!({"proposer": "secretariat"});
        assert_eq!(describe(words, &proposer), "proposer: secretariat");
        assert_eq!(describe(words, &serde_json::json!(["PE", "BO"])), "PE, BO");
    }
}
