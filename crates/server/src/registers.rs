//! The read routes of the registers and the programme's evaluation: the needs register, the
//! counterpart directory, the evaluation history, the programme review pack and the diff of the
//! work programme between two points. Each reads the log prefix its cut allows, as `smes
//! needs`, `smes counterparts`, `smes evaluation-history`, `smes review` and `smes diff` read
//! it, and answers the report of `smes-reports` as JSON, stamped with the prefix's anchor; the options are parsed by the reports' own parsers, so a bad value
//! is answered with the CLI's message, naming the query parameter.

use axum::extract::State;
use axum::response::Response;
use smes_projections::{Cut, LogSlice};
use smes_read::read_log;
use smes_reports::registers::counterparts::{self, DirectoryFilter, DirectoryRequest};
use smes_reports::registers::history;
use smes_reports::registers::needs::{self, NeedsFilter, NeedsRequest};
use smes_reports::review::{self, ReviewRequest};
use smes_reports::{Format, Point, diff, options};

use crate::Api;
use crate::extract::ApiQuery;
use crate::problem::Problem;
use crate::reads::{CUT, cut, json_text, report};

/// Reads the log prefix a cut's record-time and position bounds allow.
async fn prefix(api: &Api, cut: &Cut) -> Result<LogSlice, Problem> {
    let store = api.app.service().store();
    read_log(store.as_ref(), cut.known_at, cut.at_position)
        .await
        .map_err(report)
}

/// A parameter that must be given once.
fn required<'a>(query: &'a ApiQuery, name: &str, what: &str) -> Result<&'a str, Problem> {
    query
        .single(name)?
        .ok_or_else(|| Problem::invalid_parameter(name, format!("{name}: missing; give {what}")))
}

/// The needs register: every need identified in a consultation, whether it is answered (and
/// by which activities), open or unanswered.
#[utoipa::path(
    get,
    path = "/api/needs",
    tag = "reads",
    security(("bearer" = [])),
    params(
        ("as_of" = Option<String>, Query, format = Date, description = "As of the end of this business date (YYYY-MM-DD)"),
        ("known_at" = Option<String>, Query, format = DateTime, description = "As known at this record time (RFC 3339)"),
        ("at_position" = Option<u64>, Query, minimum = 1, description = "At this log position (from 1)"),
        ("area" = Option<String>, Query, pattern = "^ *((public-policies|productive-articulation|internationalization|innovation-icts-competitiveness|financing|entrepreneurship|gender-equality|corporate-social-responsibility|bilateral-technical-assistance|dissemination|\\+?0*([1-9]|10)) *)?(, *((public-policies|productive-articulation|internationalization|innovation-icts-competitiveness|financing|entrepreneurship|gender-equality|corporate-social-responsibility|bilateral-technical-assistance|dissemination|\\+?0*([1-9]|10)) *)?)*$", description = "Only needs of these thematic areas (slug or number; repeat or separate with commas)"),
        ("country" = Option<String>, Query, pattern = "^ *(([A-Za-z]{2}) *)?(, *(([A-Za-z]{2}) *)?)*$", description = "Only needs concerning these Member States (ISO codes)"),
        ("status" = Option<String>, Query, pattern = "^ *((answered|open|unanswered) *)?(, *((answered|open|unanswered) *)?)*$", description = "Only needs with these statuses: answered, open, unanswered"),
    ),
    responses(
        (status = 200, description = "The register with its anchor: counts by status, by thematic area and by Member State, and each need with the activities citing it", body = Object),
        (status = 400, description = "A parameter is not allowed; the problem names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "What the parameter names is not in the log: a position beyond its head, a year without a work programme; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn needs_register(State(api): State<Api>, query: ApiQuery) -> Result<Response, Problem> {
    query.only(&["as_of", "known_at", "at_position", "area", "country", "status"])?;
    let cut = cut(&query)?;
    let filter = NeedsFilter::parse(&query.all("area"), &query.all("country"), &query.all("status")).map_err(report)?;
    let log = prefix(&api, &cut).await?;
    let text = needs::build(&log, &NeedsRequest { cut, filter })
        .and_then(|register| register.to_json())
        .map_err(report)?;
    Ok(json_text(text))
}

/// The counterpart directory: organisations by Member State and thematic area, and each
/// Member State's membership history. No personal data: focal points are not shown.
#[utoipa::path(
    get,
    path = "/api/counterparts",
    tag = "reads",
    security(("bearer" = [])),
    params(
        ("as_of" = Option<String>, Query, format = Date, description = "As of the end of this business date (YYYY-MM-DD)"),
        ("known_at" = Option<String>, Query, format = DateTime, description = "As known at this record time (RFC 3339)"),
        ("at_position" = Option<u64>, Query, minimum = 1, description = "At this log position (from 1)"),
        ("area" = Option<String>, Query, pattern = "^ *((public-policies|productive-articulation|internationalization|innovation-icts-competitiveness|financing|entrepreneurship|gender-equality|corporate-social-responsibility|bilateral-technical-assistance|dissemination|\\+?0*([1-9]|10)) *)?(, *((public-policies|productive-articulation|internationalization|innovation-icts-competitiveness|financing|entrepreneurship|gender-equality|corporate-social-responsibility|bilateral-technical-assistance|dissemination|\\+?0*([1-9]|10)) *)?)*$", description = "Only counterparts working in these thematic areas (slug or number; repeat or separate with commas)"),
        ("country" = Option<String>, Query, pattern = "^ *(([A-Za-z]{2}) *)?(, *(([A-Za-z]{2}) *)?)*$", description = "Only national counterparts of these Member States, and only these states' histories (ISO codes)"),
    ),
    responses(
        (status = 200, description = "The directory with its anchor", body = Object),
        (status = 400, description = "A parameter is not allowed; the problem names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "What the parameter names is not in the log: a position beyond its head, a year without a work programme; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn counterpart_directory(State(api): State<Api>, query: ApiQuery) -> Result<Response, Problem> {
    query.only(&["as_of", "known_at", "at_position", "area", "country"])?;
    let cut = cut(&query)?;
    let filter = DirectoryFilter::parse(&query.all("area"), &query.all("country")).map_err(report)?;
    let log = prefix(&api, &cut).await?;
    let text = counterparts::build(&log, &DirectoryRequest { cut, filter })
        .and_then(|directory| directory.to_json())
        .map_err(report)?;
    Ok(json_text(text))
}

/// The evaluation history: consultations and programme reviews over time, their findings, the
/// needs raised and what became of each.
#[utoipa::path(
    get,
    path = "/api/evaluation-history",
    tag = "reads",
    security(("bearer" = [])),
    params(
        ("as_of" = Option<String>, Query, format = Date, description = "As of the end of this business date (YYYY-MM-DD)"),
        ("known_at" = Option<String>, Query, format = DateTime, description = "As known at this record time (RFC 3339)"),
        ("at_position" = Option<u64>, Query, minimum = 1, description = "At this log position (from 1)"),
    ),
    responses(
        (status = 200, description = "The history with its anchor, by date", body = Object),
        (status = 400, description = "A parameter is not allowed; the problem names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "What the parameter names is not in the log: a position beyond its head, a year without a work programme; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn evaluation_history(State(api): State<Api>, query: ApiQuery) -> Result<Response, Problem> {
    query.only(&CUT)?;
    let cut = cut(&query)?;
    let log = prefix(&api, &cut).await?;
    let text = history::build(&log, &cut)
        .and_then(|history| history.to_json())
        .map_err(report)?;
    Ok(json_text(text))
}

/// The programme review pack of a period, as `smes review --format json` writes it.
#[utoipa::path(
    get,
    path = "/api/review",
    tag = "reads",
    security(("bearer" = [])),
    params(
        ("from" = String, Query, format = Date, description = "The first day of the period reviewed (YYYY-MM-DD)"),
        ("to" = String, Query, format = Date, description = "The last day of the period reviewed (YYYY-MM-DD), not before from; the pack is as of its end"),
        ("known_at" = Option<String>, Query, format = DateTime, description = "Only what was recorded at or before this time (RFC 3339)"),
        ("at_position" = Option<u64>, Query, minimum = 1, description = "Only the log up to this position (from 1)"),
    ),
    responses(
        (status = 200, description = "The pack with its anchor", body = Object),
        (status = 400, description = "A parameter is missing or not allowed; the problem names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "What the parameter names is not in the log: a position beyond its head, a year without a work programme; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn review_pack(State(api): State<Api>, query: ApiQuery) -> Result<Response, Problem> {
    query.only(&["from", "to", "known_at", "at_position"])?;
    let from = required(&query, "from", "the first day of the period (YYYY-MM-DD)")?;
    let to = required(&query, "to", "the last day of the period (YYYY-MM-DD)")?;
    let request =
        ReviewRequest::parse(from, to, query.single("known_at")?, query.single("at_position")?).map_err(report)?;
    let log = prefix(&api, &request.cut()).await?;
    let text = review::build(&log, &request)
        .and_then(|pack| pack.render(Format::Json))
        .map_err(report)?;
    Ok(json_text(text))
}

/// What changed in the work programme between two points of the log, as `smes diff --format
/// json` writes it.
#[utoipa::path(
    get,
    path = "/api/diff",
    tag = "reads",
    security(("bearer" = [])),
    params(
        ("from" = String, Query, description = "The earlier point: a business date (2013-06-30), a record time (known:2013-06-30T12:00:00Z) or a log position (position:42)"),
        ("to" = String, Query, description = "The later point, in the same forms"),
        ("year" = Option<u16>, Query, minimum = 1975, maximum = 9999, description = "Only this work programme's year (1975 to 9999)"),
    ),
    responses(
        (status = 200, description = "What changed, by year, with the anchor of the log read", body = Object),
        (status = 400, description = "A parameter is missing or not allowed; the problem names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "What the parameter names is not in the log: a position beyond its head, a year without a work programme; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn work_programme_diff(State(api): State<Api>, query: ApiQuery) -> Result<Response, Problem> {
    query.only(&["from", "to", "year"])?;
    let from = Point::parse("--from", required(&query, "from", "a date, known:TIME or position:N")?).map_err(report)?;
    let to = Point::parse("--to", required(&query, "to", "a date, known:TIME or position:N")?).map_err(report)?;
    let year = query
        .single("year")?
        .map(options::parse_year)
        .transpose()
        .map_err(report)?;
    let log = prefix(&api, &Cut::default()).await?;
    let text = diff::build(&log, from, to, year)
        .and_then(|report| report.render(Format::Json))
        .map_err(report)?;
    Ok(json_text(text))
}
