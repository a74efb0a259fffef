//! The pages' HTML: one layout (the site's name, the signed-in caller with a sign-out form,
//! the page, and the log position and tree root it was made from) and the pages in it. maud
//! escapes every interpolated value.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use smes_projections::Anchor;
use smes_reports::publication::Published;
use smes_reports::snapshot::Snapshot;
use smes_reports::trace::{TraceReport, stage_name};

use super::text::Text;
use super::{CSRF_FIELD, Fields, Signed};

const STYLE: &str = "header{display:flex;gap:1rem;align-items:center;border-bottom:1px solid #c8c8c8;padding-bottom:.5rem}\
header form{margin-left:auto}footer{border-top:1px solid #c8c8c8;margin-top:2rem;font-size:.85rem}\
fieldset{margin:.5rem 0}label{display:block;margin-top:.4rem}.error{color:#a00000;margin:.2rem 0}\
ol.chain>li{margin-bottom:1rem}ol.steps>li{margin:.4rem 0}";

/// Who may see the pages' content, and how: no script, styles inline, forms to this site only,
/// never in a frame.
const POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// An HTML response: never cached (pages carry the session's form token).
pub(super) fn respond(status: StatusCode, page: Markup) -> Response {
    respond_text(status, page.into_string())
}

/// An HTML response of a page already rendered (the public pages, rendered by `smes-reports`).
pub(super) fn respond_text(status: StatusCode, page: String) -> Response {
    let mut response = (status, smes_reports::page::without_controls(page)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

pub(super) fn layout(
    text: &Text,
    title: &str,
    signed: Option<&Signed>,
    anchor: Option<&Anchor>,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(text.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (text.site) }
                style { (PreEscaped(smes_reports::snapshot::html::STYLE)) (PreEscaped(STYLE)) }
            }
            body {
                header {
                    a href="/" { (text.site) }
                    @if let Some(signed) = signed {
                        span { (text.signed_in_as) " " (signed.caller.name) " (" (signed.caller.role) ")" }
                        form method="post" action="/sign-out" {
                            input type="hidden" name=(CSRF_FIELD) value=(signed.csrf);
                            button type="submit" { (text.sign_out) }
                        }
                    }
                }
                main { (body) }
                @if let Some(anchor) = anchor {
                    footer {
                        p.anchor {
                            (text.made_from) " " span.position { (anchor.log_position) } "; "
                            (text.tree_root) " " code.root { (anchor.tree_root) }
                        }
                    }
                }
            }
        }
    }
}

/// A page that only says something: a refusal, a failure, nothing published.
pub(super) fn message(text: &Text, status: StatusCode, title: &str, detail: &str, signed: Option<&Signed>) -> Response {
    let body = html! {
        h1 { (title) }
        p.error { (detail) }
        p { a href="/" { (text.home) } }
    };
    respond(status, layout(text, title, signed, None, body))
}

/// The sign-in form, with its double-submitted form token and an error next to the token.
pub(super) fn sign_in(text: &Text, status: StatusCode, csrf: &str, error: Option<&str>) -> Response {
    let body = html! {
        h1 { (text.sign_in) }
        p { (text.sign_in_intro) }
        form method="post" action="/sign-in" {
            input type="hidden" name=(CSRF_FIELD) value=(csrf);
            label for="token" { (text.token) }
            input #token type="password" name="token" autocomplete="off" required aria-invalid=[error.map(|_| "true")];
            @if let Some(error) = error { p.error #token-error { (error) } }
            p { button type="submit" { (text.sign_in) } }
        }
    };
    respond(status, layout(text, text.sign_in, None, None, body))
}

/// The home page: the years with a work programme, or, for observers, that nothing is
/// published yet.
pub(super) fn home(text: &Text, signed: &Signed, anchor: Option<&Anchor>, years: &[String]) -> Response {
    let body = html! {
        h1 { (text.home) }
        @if anchor.is_none() {
            p { (text.nothing_published) }
        } @else {
            h2 { (text.work_programmes) }
            @if years.is_empty() {
                p { (text.no_work_programme) }
            } @else {
                ul {
                    @for year in years {
                        li { a href={ "/work-programme/" (year) } { (text.work_programme) " " (year) } }
                    }
                }
            }
            h2 { (text.registers) }
            ul {
                li { a href="/needs" { (text.needs_register) } }
                li { a href="/counterparts" { (text.counterpart_directory) } }
                li { a href="/evaluation-history" { (text.evaluation_history) } }
                li { a href="/review" { (text.review_pack) } }
            }
            (super::forms::links(text, signed))
            p { a href="/public" { (text.public_pages) } }
        }
    };
    respond(StatusCode::OK, layout(text, text.home, Some(signed), anchor, body))
}

/// An observer's home page: the published snapshots, with links to their public pages.
pub(super) fn published_home(text: &Text, signed: &Signed, publications: &[Published]) -> Response {
    let body = html! {
        h1 { (text.home) }
        h2 { (text.published_snapshots) }
        @if publications.is_empty() {
            p { (text.none_published) }
        } @else {
            ul {
                @for published in publications.iter().rev() {
                    li {
                        a href={ "/public/snapshots/" (published.id()) } { (published.snapshot.title) }
                        " (" (text.work_programme) " " (published.snapshot.year) ", "
                        (text.published_on) " " (published.snapshot.published_on) ")"
                    }
                }
            }
        }
        p { a href="/public" { (text.public_pages) } }
    };
    respond(StatusCode::OK, layout(text, text.home, Some(signed), None, body))
}

/// One field of a form, with its error next to it.
pub(super) fn input(fields: &Fields, name: &'static str, label: &str, kind: &str, hint: Option<&str>) -> Markup {
    let error = fields.error(name);
    html! {
        label for=(name) { (label) }
        input id=(name) type=(kind) name=(name) value=(fields.value(name)) aria-invalid=[error.map(|_| "true")];
        @if let Some(hint) = hint { small { " " (hint) } }
        @if let Some(error) = error { p.error id={ (name) "-error" } { (error) } }
    }
}

/// The country filter: a text field that takes comma-separated codes, offering the Member
/// States the log records (and only those) as a list to pick from.
pub(super) fn country_input(fields: &Fields, label: &str, hint: Option<&str>) -> Markup {
    let error = fields.error("country");
    html! {
        label for="country" { (label) }
        input id="country" type="text" name="country" value=(fields.value("country")) list="member-states"
            aria-invalid=[error.map(|_| "true")];
        datalist id="member-states" {
            @for code in &fields.member_states { option value=(code) {} }
        }
        @if let Some(hint) = hint { small { " " (hint) } }
        @if let Some(error) = error { p.error id="country-error" { (error) } }
    }
}

pub(super) fn cut_fieldset(text: &Text, fields: &Fields) -> Markup {
    html! {
        fieldset {
            legend { (text.cut) }
            (input(fields, "as_of", text.as_of, "date", None))
            (input(fields, "known_at", text.known_at, "text", None))
            (input(fields, "at_position", text.at_position, "number", None))
        }
    }
}

/// A year's work programme: the filter and cut form, then the snapshot (the report's own HTML)
/// and links to its activities' traces.
pub(super) fn work_programme(
    text: &Text,
    status: StatusCode,
    signed: &Signed,
    year: i16,
    fields: &Fields,
    snapshot: Option<&Snapshot>,
) -> Response {
    let title = format!("{} {year}", text.work_programme);
    let body = html! {
        @if snapshot.is_none() { h1 { (title) } }
        form method="get" action={ "/work-programme/" (year) } {
            fieldset {
                legend { (text.filter) }
                (input(fields, "area", text.areas, "text", Some(text.list_hint)))
                (country_input(fields, text.countries, Some(text.list_hint)))
                (input(fields, "status", text.statuses, "text", Some(text.list_hint)))
            }
            (cut_fieldset(text, fields))
            button type="submit" { (text.show) }
        }
        @if let Some(snapshot) = snapshot {
            (smes_reports::snapshot::html::fragment(snapshot))
            @let traced = traced(snapshot);
            @if !traced.is_empty() {
                h2 { (text.activity_traces) }
                ul {
                    @for (id, title) in traced {
                        li {
                            a href={ "/activity/" (id) (cut_query(fields)) } {
                                @if title.is_empty() { (text.untitled) } @else { (title) }
                            }
                        }
                    }
                }
            }
        }
    };
    let anchor = snapshot.map(|snapshot| &snapshot.anchor);
    respond(status, layout(text, &title, Some(signed), anchor, body))
}

/// Every activity a snapshot lists, by id and title: the approved ones, then the cancelled
/// ones, then the proposals rejected or deferred, each with its trace.
fn traced(snapshot: &Snapshot) -> Vec<(&str, &str)> {
    snapshot
        .activities
        .iter()
        .chain(&snapshot.cancelled)
        .map(|activity| (activity.id.as_str(), activity.title.as_str()))
        .chain(
            snapshot
                .declined
                .iter()
                .map(|proposal| (proposal.id.as_str(), proposal.title.as_str())),
        )
        .collect()
}

/// The cut fields given, as a query string for a link (maud escapes it in the attribute).
pub(super) fn cut_query(fields: &Fields) -> String {
    let pairs: Vec<String> = ["as_of", "known_at", "at_position"]
        .into_iter()
        .filter(|name| !fields.value(name).is_empty())
        .map(|name| format!("{name}={}", percent_encoded(fields.value(name))))
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

/// A query value with every byte but letters, digits, `-`, `.`, `_` and `~` percent-encoded.
fn percent_encoded(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An activity's decision trace drawn as a chain: the stages in order, each with its steps.
pub(super) fn activity(
    text: &Text,
    status: StatusCode,
    signed: &Signed,
    id: &str,
    fields: &Fields,
    report: Option<&TraceReport>,
) -> Response {
    let title = format!("{} {id}", text.activity_trace);
    let body = html! {
        h1 { (text.activity_trace) " " code { (id) } }
        form method="get" action={ "/activity/" (id) } {
            (cut_fieldset(text, fields))
            button type="submit" { (text.show) }
        }
        @if let Some(report) = report {
            p { (text.cut_is) " " (report.cut) "." }
            p { (text.trace_intro) }
            @if report.steps.is_empty() {
                p { (text.no_step) }
            } @else {
                ol.chain {
                    @for stage in stages(report) {
                        li.stage {
                            h2 { (stage_name(stage)) }
                            ol.steps {
                                @for step in report.steps.iter().filter(|step| step.stage == stage) {
                                    li.step {
                                        strong { (text.position) " " (step.position) ": " (step.event_type) }
                                        " — " (step.summary)
                                        ul {
                                            li { (text.actor) ": " (step.actor) ", " (text.role) ": " (step.role) }
                                            @if let Some(reason) = &step.reason { li { (text.reason) ": " (reason) } }
                                            li { (text.occurred_at) " " (business_time(step.occurred_at)) ", " (text.recorded_at) " " (step.recorded_at) }
                                            li { (text.hash) " " code title=(step.hash) { (short(&step.hash)) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let anchor = report.map(|report| &report.anchor);
    respond(status, layout(text, &title, Some(signed), anchor, body))
}

/// The stages of a trace, in order, once each.
fn stages(report: &TraceReport) -> Vec<smes_projections::trace::Stage> {
    let mut stages: Vec<_> = report.steps.iter().map(|step| step.stage).collect();
    stages.dedup();
    stages
}

/// A business time: its date (YYYY-MM-DD) when it is midnight UTC, as business dates are
/// recorded; the whole RFC 3339 instant otherwise.
fn business_time(time: jiff::Timestamp) -> String {
    // A timestamp is written in UTC as `YYYY-MM-DDTHH:MM:SSZ`.
    let text = time.to_string();
    match text.split_once('T') {
        Some((date, _)) if time.as_nanosecond() % 86_400_000_000_000 == 0 => date.to_owned(),
        _ => text,
    }
}

/// The first 16 hex digits of a hash.
pub(super) fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(percent_encoded("2013-06-30"), "2013-06-30");
        assert_eq!(
            percent_encoded("2013-06-30T12:00:00+02:00"),
            "2013-06-30T12%3A00%3A00%2B02%3A00"
        );
        assert_eq!(percent_encoded("a&b c#é"), "a%26b%20c%23%C3%A9");
    }

    #[test]
    fn business_times_at_midnight_are_dates() {
        let midnight: jiff::Timestamp = "2013-06-30T00:00:00Z".parse().unwrap();
        let noon: jiff::Timestamp = "2013-06-30T12:00:00Z".parse().unwrap();
        assert_eq!(business_time(midnight), "2013-06-30");
        assert_eq!(business_time(noon), "2013-06-30T12:00:00Z");
    }
}
