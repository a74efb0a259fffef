//! The web pages: sign-in with a token, a home page, a year's work programme, an activity's
//! decision trace, the needs register, the counterpart directory, the evaluation history, the
//! programme review pack, the Secretariat's command forms ([`forms`]) and the public pages of
//! what is published (no session needed), rendered on the server as HTML (maud, no script),
//! over the same token table, reports, commands and access rules as the JSON API.
//!
//! Pages are guarded by one layer ([`guard`]) that looks each page up in
//! [`crate::access::PAGES`]: a page without a rule is refused, a page that needs a session
//! redirects to `/sign-in` (303) without one, and a role the rule does not allow (observers)
//! is pointed to what is published. Every POST carries a form token against
//! cross-site request forgery: the sign-in form a double-submitted one (a random value both in
//! a cookie scoped to `/sign-in` and in the form, since there is no session yet), the other
//! forms the session's own (kept with the session on the server).

pub mod forms;
mod public;
mod registers;
mod render;
mod review;
pub mod sessions;
pub mod text;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Extension, Form, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use smes_projections::{Anchor, Cut};
use smes_read::report;
use smes_reports::options::{parse_date, parse_position, parse_timestamp, parse_year};
use smes_reports::snapshot::SnapshotRequest;
use smes_reports::{Filter, trace};

use crate::Api;
use crate::access::{self, Access};
use crate::extract::{ApiPath, ApiQuery};
use crate::tokens::{Caller, token_hash};
use sessions::same_secret;
use text::{ENGLISH, Text};

/// The cookie holding the session id.
pub const SESSION_COOKIE: &str = "smes_session";
/// The cookie holding the sign-in form's double-submitted token (sent to `/sign-in` only).
pub const SIGN_IN_COOKIE: &str = "smes_sign_in";
/// The form field carrying the form token.
pub const CSRF_FIELD: &str = "csrf";

/// The words of the pages (one table so far).
fn words() -> &'static Text {
    &ENGLISH
}

/// The signed-in caller of a page, with the session's form token.
#[derive(Debug, Clone)]
pub(crate) struct Signed {
    caller: Caller,
    csrf: String,
}

/// The pages' routes, to be guarded by [`guard`].
pub(crate) fn routes() -> Router<Api> {
    let pages = Router::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/work-programme/{year}", get(work_programme))
        .route("/activity/{id}", get(activity))
        .route("/needs", get(registers::needs_page))
        .route("/counterparts", get(registers::counterparts_page))
        .route("/evaluation-history", get(registers::history_page))
        .route("/review", get(review::review_page))
        .route("/public", get(public::index))
        .route("/public/events", get(public::events))
        .route("/public/snapshots/{id}", get(public::snapshot));
    forms::routes(pages)
}

/// The pages' layer: the page's rule, the session and its token, and the role.
pub(crate) async fn guard(State(api): State<Api>, matched: MatchedPath, mut request: Request, next: Next) -> Response {
    let text = words();
    let Some(rule) = access::page_rule_for(request.method(), matched.as_str()) else {
        return render::message(text, StatusCode::FORBIDDEN, text.refused, text.no_rule, None);
    };
    if rule.access == Access::Public {
        return next.run(request).await;
    }
    let Some(id) = cookie(request.headers(), SESSION_COOKIE) else {
        return to_sign_in(&api, false);
    };
    let Some(session) = api.sessions.get(&id) else {
        return to_sign_in(&api, true);
    };
    let caller = match api.tokens.authenticate_hash(&session.token_hash).await {
        Ok(Some(caller)) => {
            crate::request_log::record_actor(&caller.actor);
            caller
        }
        Ok(None) => {
            api.sessions.end(&id);
            return to_sign_in(&api, true);
        }
        Err(error) => {
            crate::log_failure("checking the session's token", &error);
            return render::message(text, StatusCode::INTERNAL_SERVER_ERROR, text.refused, text.failed, None);
        }
    };
    let signed = Signed {
        caller,
        csrf: session.csrf,
    };
    if !rule.access.allows(signed.caller.role) {
        let detail = if rule.access == Access::Command {
            text.forms.secretariat_only
        } else {
            text.nothing_published
        };
        return render::message(text, StatusCode::FORBIDDEN, text.refused, detail, Some(&signed));
    }
    request.extensions_mut().insert(signed);
    next.run(request).await
}

/// The value of a cookie of the request.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, and `Secure` unless the server runs for
/// plain-HTTP local use; `None` clears the cookie.
fn set_cookie(api: &Api, name: &str, path: &str, value: Option<&str>) -> HeaderValue {
    let secure = if api.config.secure_cookies { "; Secure" } else { "" };
    let text = match value {
        Some(value) => format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{name}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Strict{secure}"),
    };
    // Names, paths and values are ASCII letters, digits, '_', '/' and '-'.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// 303 to a page, with cookies to set.
fn see_other(location: &'static str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static(location));
    for value in cookies {
        headers.append(header::SET_COOKIE, value);
    }
    response
}

fn to_sign_in(api: &Api, clear: bool) -> Response {
    let cookies = if clear {
        vec![set_cookie(api, SESSION_COOKIE, "/", None)]
    } else {
        Vec::new()
    };
    see_other("/sign-in", cookies)
}

async fn sign_in_form(State(api): State<Api>, headers: HeaderMap) -> Response {
    let text = words();
    let (csrf, fresh) = match cookie(&headers, SIGN_IN_COOKIE) {
        Some(value) if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) => (value, false),
        _ => match sessions::random_hex() {
            Ok(value) => (value, true),
            Err(error) => return failed("GET /sign-in", &error),
        },
    };
    let mut response = render::sign_in(text, StatusCode::OK, &csrf, None);
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&api, SIGN_IN_COOKIE, "/sign-in", Some(&csrf)),
        );
    }
    response
}

/// The value of a form field given once.
fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

async fn sign_in(
    State(api): State<Api>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let text = words();
    let Ok(Form(form)) = form else {
        return render::message(text, StatusCode::BAD_REQUEST, text.invalid, text.unreadable_form, None);
    };
    let expected = cookie(&headers, SIGN_IN_COOKIE);
    let given = field(&form, CSRF_FIELD);
    let Some(csrf) = expected.filter(|expected| given.is_some_and(|given| same_secret(expected, given))) else {
        return render::message(text, StatusCode::FORBIDDEN, text.refused, text.forged, None);
    };
    let token = field(&form, "token").unwrap_or("").trim();
    let caller = match api.tokens.authenticate(token).await {
        Ok(caller) => caller,
        Err(error) => return failed("POST /sign-in", &error),
    };
    let Some(caller) = caller else {
        return render::sign_in(text, StatusCode::UNAUTHORIZED, &csrf, Some(text.bad_token));
    };
    crate::request_log::record_actor(&caller.actor);
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        api.sessions.end(&old);
    }
    let id = match api.sessions.start(token_hash(token)) {
        Ok(id) => id,
        Err(error) => return failed("POST /sign-in", &error),
    };
    see_other(
        "/",
        vec![
            set_cookie(&api, SESSION_COOKIE, "/", Some(&id)),
            set_cookie(&api, SIGN_IN_COOKIE, "/sign-in", None),
        ],
    )
}

async fn sign_out(
    State(api): State<Api>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let text = words();
    if let Some(id) = cookie(&headers, SESSION_COOKIE)
        && let Some(session) = api.sessions.get(&id)
    {
        let form = form.map(|Form(form)| form).unwrap_or_default();
        if !field(&form, CSRF_FIELD).is_some_and(|given| same_secret(&session.csrf, given)) {
            return render::message(text, StatusCode::FORBIDDEN, text.refused, text.forged, None);
        }
        api.sessions.end(&id);
    }
    see_other("/sign-in", vec![set_cookie(&api, SESSION_COOKIE, "/", None)])
}

async fn home(State(api): State<Api>, Extension(signed): Extension<Signed>) -> Response {
    let text = words();
    if !Access::Read.allows(signed.caller.role) {
        // Observers read what is published, and only that.
        let store = api.app.service().store();
        return match smes_read::publication::publications(store.as_ref()).await {
            Ok(publications) => render::published_home(text, &signed, &publications),
            Err(error) => failed("GET /", &error),
        };
    }
    let store = api.app.service().store();
    let read = async {
        let head = store.head().await?;
        let tree = store.tree_head(Some(head.position)).await?;
        let opened = store
            .read_range_of_types(1, head.position, &["WorkProgrammeOpened"])
            .await?;
        let anchor = Anchor {
            log_position: head.position,
            head_hash: hex::encode(head.hash),
            tree_size: tree.size,
            tree_root: BASE64_STANDARD.encode(tree.root),
        };
        let mut years: Vec<String> = opened
            .iter()
            .filter_map(|event| event.stream.strip_prefix("work-programme-"))
            .map(str::to_owned)
            .collect();
        years.sort();
        years.dedup();
        Ok::<_, smes_eventlog::Error>((anchor, years))
    };
    match read.await {
        Ok((anchor, years)) => render::home(text, &signed, Some(&anchor), &years),
        Err(error) => failed("GET /", &error),
    }
}

/// The fields of the cut and filter forms as given, and what was wrong with each.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    values: Vec<(&'static str, String)>,
    errors: Vec<(&'static str, String)>,
    /// The Member States the country filter offers: the states the log records as Member
    /// States, now or once, and never another code the log may hold.
    member_states: Vec<String>,
}

impl Fields {
    /// Reads the Member States the country filter offers from the log's membership history
    /// (none when it cannot be read: the filter then takes a typed code as before).
    async fn offer_member_states(&mut self, api: &Api) {
        if let Ok(history) = api.app.membership_history().await {
            self.member_states = history.states().iter().map(ToString::to_string).collect();
        }
    }

    fn read(query: &ApiQuery, names: &[&'static str]) -> Fields {
        let mut fields = Fields::default();
        for name in names {
            let values: Vec<&str> = query
                .0
                .iter()
                .filter(|(key, _)| key == name)
                .map(|(_, value)| value.trim())
                .filter(|value| !value.is_empty())
                .collect();
            fields.values.push((name, values.join(",")));
        }
        fields
    }

    /// The value given for `name` ("" when none).
    pub(crate) fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(key, _)| *key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// What was wrong with `name`, if anything.
    pub(crate) fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, message)| message.as_str())
    }

    fn given(&self, name: &str) -> Option<&str> {
        Some(self.value(name)).filter(|value| !value.is_empty())
    }

    fn check<T>(&mut self, name: &'static str, parsed: smes_reports::Result<T>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push((name, message(error)));
                None
            }
        }
    }

    /// The cut the fields give, or `None` when a field is wrong (its error recorded).
    fn cut(&mut self) -> Option<Cut> {
        let as_of = self.given("as_of").map(|text| parse_date("--as-of", text));
        let known_at = self.given("known_at").map(|text| parse_timestamp("--known-at", text));
        let at_position = self
            .given("at_position")
            .map(|text| parse_position("--at-position", text));
        let as_of = self.check("as_of", as_of.transpose());
        let known_at = self.check("known_at", known_at.transpose());
        let at_position = self.check("at_position", at_position.transpose());
        Some(Cut {
            as_of: as_of?,
            known_at: known_at?,
            at_position: at_position?,
        })
    }

    /// The filter the fields give, or `None` when a field is wrong (its error recorded).
    fn filter(&mut self) -> Option<Filter> {
        let list = |fields: &Fields, name: &str| -> Vec<String> {
            fields.given(name).map(str::to_owned).into_iter().collect()
        };
        let (areas, countries, statuses) = (list(self, "area"), list(self, "country"), list(self, "status"));
        let area = self.check("area", Filter::parse(&areas, &[], &[]));
        let country = self.check("country", Filter::parse(&[], &countries, &[]));
        let status = self.check("status", Filter::parse(&[], &[], &statuses));
        area?;
        country?;
        status?;
        self.check("status", Filter::parse(&areas, &countries, &statuses))
    }
}

/// A report's error in the words of the API's problems: the parameter, the value and what is
/// allowed.
fn message(error: impl Into<smes_read::Error>) -> String {
    match error.into() {
        smes_read::Error::Report(smes_reports::Error::InvalidOption { option, value, allowed }) => {
            let parameter = crate::reads::parameter_of(option);
            format!("{parameter}: {value:?} is not allowed; {allowed}")
        }
        error => error.to_string(),
    }
}

/// The page of a report's failure: a bad option is 400, an unknown subject 404, a busy index
/// 503, anything else 500 (logged).
fn report_failure(text: &Text, signed: &Signed, what: &str, error: impl Into<smes_read::Error>) -> Response {
    use smes_read::Error::{IndexBusy, Report};
    let error = error.into();
    let (status, title) = match &error {
        Report(smes_reports::Error::InvalidOption { .. }) => (StatusCode::BAD_REQUEST, text.invalid),
        Report(smes_reports::Error::UnknownSubject { .. }) => (StatusCode::NOT_FOUND, text.not_found),
        IndexBusy { .. } => (StatusCode::SERVICE_UNAVAILABLE, text.refused),
        _ => return failed(what, &error),
    };
    render::message(text, status, title, &message(error), Some(signed))
}

const WORK_PROGRAMME_FIELDS: [&str; 6] = ["area", "country", "status", "as_of", "known_at", "at_position"];
const CUT_FIELDS: [&str; 3] = ["as_of", "known_at", "at_position"];

async fn work_programme(
    State(api): State<Api>,
    Extension(signed): Extension<Signed>,
    ApiPath(year): ApiPath<String>,
    query: ApiQuery,
) -> Response {
    let text = words();
    let year = match parse_year(&year) {
        Ok(year) => year,
        Err(error) => return report_failure(text, &signed, "GET /work-programme", error),
    };
    let mut fields = Fields::read(&query, &WORK_PROGRAMME_FIELDS);
    fields.offer_member_states(&api).await;
    let filter = fields.filter();
    let cut = fields.cut();
    let (Some(filter), Some(cut)) = (filter, cut) else {
        return render::work_programme(text, StatusCode::BAD_REQUEST, &signed, year.get(), &fields, None);
    };
    let request = SnapshotRequest { year, cut, filter };
    let store = api.app.service().store();
    match report::snapshot(store.as_ref(), api.config.index_page, &request).await {
        Ok(snapshot) => render::work_programme(text, StatusCode::OK, &signed, year.get(), &fields, Some(&snapshot)),
        Err(smes_read::Error::Report(smes_reports::Error::InvalidOption { option, value, allowed })) => {
            let name = crate::reads::parameter_of(option);
            let error = smes_reports::Error::InvalidOption { option, value, allowed };
            match WORK_PROGRAMME_FIELDS.iter().find(|field| **field == name) {
                Some(field) => {
                    fields.errors.push((field, message(error)));
                    render::work_programme(text, StatusCode::BAD_REQUEST, &signed, year.get(), &fields, None)
                }
                None => report_failure(text, &signed, "GET /work-programme", error),
            }
        }
        Err(error) => report_failure(text, &signed, "GET /work-programme", error),
    }
}

async fn activity(
    State(api): State<Api>,
    Extension(signed): Extension<Signed>,
    ApiPath(id): ApiPath<String>,
    query: ApiQuery,
) -> Response {
    let text = words();
    let subject = match trace::parse_subject("activity", &id) {
        Ok(subject) => subject,
        Err(error) => return report_failure(text, &signed, "GET /activity", error),
    };
    let mut fields = Fields::read(&query, &CUT_FIELDS);
    let Some(cut) = fields.cut() else {
        return render::activity(text, StatusCode::BAD_REQUEST, &signed, &id, &fields, None);
    };
    let store = api.app.service().store();
    match report::trace(store.as_ref(), api.config.index_page, subject, &cut).await {
        Ok(report) => render::activity(text, StatusCode::OK, &signed, &id, &fields, Some(&report)),
        Err(error) => report_failure(text, &signed, "GET /activity", error),
    }
}

fn failed(what: &str, error: &(dyn std::error::Error + 'static)) -> Response {
    crate::log_failure(what, error);
    let text = words();
    render::message(text, StatusCode::INTERNAL_SERVER_ERROR, text.refused, text.failed, None)
}
