//! The read routes: the work-programme snapshot, decision traces, a stream's events, the log's
//! head and its verification, and the health check. Snapshots and traces are read through the
//! link index, as `smes snapshot` and `smes trace` read them, with the same option parsers (and
//! so the same messages, naming the query parameter instead of the command-line option).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use serde::Serialize;
use smes_eventlog::{Metadata, Payload, RecordedEvent, StreamName};
use smes_projections::Cut;
use smes_read::report as read_report;
use smes_reports::options::{parse_cut, parse_year};
use smes_reports::{Filter, Format, snapshot, trace};

use crate::Api;
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::Problem;

/// The query parameters of a cut.
pub(crate) const CUT: [&str; 3] = ["as_of", "known_at", "at_position"];

/// The most events one page of a stream holds.
pub const MAX_PAGE: usize = 1_000;

/// The largest stream version a log can hold: both backends keep versions as signed 64-bit
/// integers, so a larger `from` is refused as a bad parameter rather than failing the read.
pub const MAX_VERSION: u64 = i64::MAX as u64;

/// The answer of the health check.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the log answers.
    pub status: &'static str,
}

/// Whether the server and its log answer.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "meta",
    responses(
        (status = 200, description = "The server and its log answer", body = Health),
        (status = 500, description = "The log does not answer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn health(State(api): State<Api>) -> Result<Json<Health>, Problem> {
    api.app.service().store().head().await.map_err(|error| {
        crate::log_failure("GET /api/health", &error);
        Problem::internal()
    })?;
    Ok(Json(Health { status: "ok" }))
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The OpenAPI document", body = Object),
        (status = 400, description = "A query parameter was given; none is taken", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn openapi_json(State(api): State<Api>, query: ApiQuery) -> Result<Response, Problem> {
    query.only(&[])?;
    Ok(json_text(api.openapi.as_str().to_owned()))
}

/// The work programme of a year, as `smes snapshot --format json` writes it.
#[utoipa::path(
    get,
    path = "/api/work-programme/{year}",
    tag = "reads",
    security(("bearer" = [])),
    params(
        ("year" = u16, Path, minimum = 1975, maximum = 9999, description = "The work programme's year, 1975 to 9999"),
        ("as_of" = Option<String>, Query, format = Date, description = "As of the end of this business date (YYYY-MM-DD)"),
        ("known_at" = Option<String>, Query, format = DateTime, description = "As known at this record time (RFC 3339)"),
        ("at_position" = Option<u64>, Query, minimum = 1, description = "At this log position (from 1)"),
        ("area" = Option<String>, Query, pattern = "^ *((public-policies|productive-articulation|internationalization|innovation-icts-competitiveness|financing|entrepreneurship|gender-equality|corporate-social-responsibility|bilateral-technical-assistance|dissemination|\\+?0*([1-9]|10)) *)?(, *((public-policies|productive-articulation|internationalization|innovation-icts-competitiveness|financing|entrepreneurship|gender-equality|corporate-social-responsibility|bilateral-technical-assistance|dissemination|\\+?0*([1-9]|10)) *)?)*$", description = "Only these thematic areas (slug or number; repeat or separate with commas)"),
        ("country" = Option<String>, Query, pattern = "^ *(([A-Za-z]{2}) *)?(, *(([A-Za-z]{2}) *)?)*$", description = "Only activities hosted by these Member States (ISO codes)"),
        ("status" = Option<String>, Query, pattern = "^ *((proposed|deferred|approved|rejected|held|cancelled|unknown) *)?(, *((proposed|deferred|approved|rejected|held|cancelled|unknown) *)?)*$", description = "Only activities with these statuses (approved, held, ...)"),
    ),
    responses(
        (status = 200, description = "The snapshot with its anchor (log position, head hash, Merkle tree size and root)", body = Object),
        (status = 400, description = "A parameter is not allowed; the problem names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "What the parameter names is not in the log: a position beyond its head, a year without a work programme; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn work_programme(
    State(api): State<Api>,
    ApiPath(year): ApiPath<String>,
    query: ApiQuery,
) -> Result<Response, Problem> {
    query.only(&["as_of", "known_at", "at_position", "area", "country", "status"])?;
    let year = parse_year(&year).map_err(report)?;
    let cut = cut(&query)?;
    let filter = Filter::parse(&query.all("area"), &query.all("country"), &query.all("status")).map_err(report)?;
    let request = snapshot::SnapshotRequest { year, cut, filter };
    let store = api.app.service().store();
    let report_json = read_report::snapshot(store.as_ref(), api.config.index_page, &request)
        .await
        .and_then(|snapshot| Ok(snapshot.render(Format::Json)?))
        .map_err(report)?;
    Ok(json_text(report_json))
}

/// The decision trace of an activity, need, counterpart or decision, as `smes trace --format
/// json` writes it.
#[utoipa::path(
    get,
    path = "/api/trace/{kind}/{id}",
    tag = "reads",
    security(("bearer" = [])),
    params(
        ("kind" = String, Path, pattern = "^(activity|need|counterpart|decision)$", description = "activity, need, counterpart or decision"),
        ("id" = String, Path, description = "The id (a UUID), or a decision's document reference"),
        ("as_of" = Option<String>, Query, format = Date, description = "As of the end of this business date (YYYY-MM-DD)"),
        ("known_at" = Option<String>, Query, format = DateTime, description = "As known at this record time (RFC 3339)"),
        ("at_position" = Option<u64>, Query, minimum = 1, description = "At this log position (from 1)"),
    ),
    responses(
        (status = 200, description = "The trace, each step with position, actor, role, reason, times and hash", body = Object),
        (status = 400, description = "A parameter is not allowed; the problem names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The subject is not in the log (under the cut)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn trace(
    State(api): State<Api>,
    ApiPath((kind, id)): ApiPath<(String, String)>,
    query: ApiQuery,
) -> Result<Response, Problem> {
    query.only(&CUT)?;
    let subject = trace::parse_subject(&kind, &id).map_err(report)?;
    let cut = cut(&query)?;
    let store = api.app.service().store();
    let report_json = read_report::trace(store.as_ref(), api.config.index_page, subject, &cut)
        .await
        .and_then(|trace| Ok(trace.render(Format::Json)?))
        .map_err(report)?;
    Ok(json_text(report_json))
}

/// One event as `smes log` prints it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventLine {
    /// The global position.
    pub position: u64,
    /// The stream.
    pub stream: String,
    /// The version in the stream.
    pub version: u64,
    /// The event's id.
    pub id: String,
    /// The stored event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The payload's schema version.
    pub schema_version: u32,
    /// The payload as stored (personal data sealed).
    #[schema(value_type = Object)]
    pub payload: Payload,
    /// Who, in which role, from where, under which command id, and why.
    #[schema(value_type = Object)]
    pub metadata: Metadata,
    /// The business time.
    pub occurred_at: String,
    /// The record time.
    pub recorded_at: String,
    /// The hash of the event before (hex).
    pub prev_hash: String,
    /// This event's hash (hex).
    pub hash: String,
}

impl EventLine {
    fn of(event: RecordedEvent) -> EventLine {
        EventLine {
            position: event.position,
            id: event.event_id.to_string(),
            schema_version: event.schema_version,
            occurred_at: event.occurred_at.to_string(),
            recorded_at: event.recorded_at.to_string(),
            prev_hash: hex::encode(event.prev_hash),
            hash: hex::encode(event.hash),
            version: event.version,
            stream: event.stream,
            event_type: event.event_type,
            payload: event.payload,
            metadata: event.metadata,
        }
    }
}

/// One page of a stream's events.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StreamPage {
    /// The stream.
    pub stream: String,
    /// Its events from the version asked for, at most `limit` of them.
    pub events: Vec<EventLine>,
    /// The version to ask for next, when the page was full.
    pub next: Option<u64>,
}

/// A stream's events, in version order, a page at a time.
#[utoipa::path(
    get,
    path = "/api/streams/{stream}/events",
    tag = "reads",
    security(("bearer" = [])),
    params(
        ("stream" = String, Path, description = "The stream, such as work-programme-2013 or activity-<uuid>"),
        ("from" = Option<u64>, Query, minimum = 1, maximum = 9223372036854775807_u64, description = "The first version (1 to 9223372036854775807; default 1)"),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "At most this many events (1 to 1000; default 100)"),
    ),
    responses(
        (status = 200, description = "The events (none for a stream that holds none)", body = StreamPage),
        (status = 400, description = "A parameter is not allowed; the problem names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A name no stream can have (empty, over 200 bytes, with a control character or white space at either end)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn stream_events(
    State(api): State<Api>,
    ApiPath(stream): ApiPath<String>,
    query: ApiQuery,
) -> Result<Json<StreamPage>, Problem> {
    query.only(&["from", "limit"])?;
    // A name no stream can have (empty, too long, with control characters or white space at
    // either end) names nothing in the log.
    let name = StreamName::new(stream.clone())
        .map_err(|error| Problem::not_found(format!("stream: {error}")).with_parameter("stream"))?;
    let from = number(&query, "from", 1, MAX_VERSION)?.unwrap_or(1);
    let limit = number(&query, "limit", 1, MAX_PAGE as u64)?.unwrap_or(100) as usize;
    let events = api
        .app
        .service()
        .store()
        .read_stream(&name, from, limit)
        .await
        .map_err(|error| internal("GET /api/streams/{stream}/events", &error))?;
    let next = (events.len() == limit)
        .then(|| events.last().map(|event| event.version + 1))
        .flatten();
    Ok(Json(StreamPage {
        stream,
        events: events.into_iter().map(EventLine::of).collect(),
        next,
    }))
}

/// The log's head.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LogHead {
    /// The last position (0 for an empty log).
    pub position: u64,
    /// The hash at that position (hex).
    pub hash: String,
    /// The Merkle tree's size (the number of events).
    pub tree_size: u64,
    /// The Merkle tree's root (base64), as a signed checkpoint and a snapshot's anchor state it.
    pub tree_root: String,
}

/// The log's head: its last position and hash, and its Merkle tree's size and root.
#[utoipa::path(
    get,
    path = "/api/log/head",
    tag = "audit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The head", body = LogHead),
        (status = 400, description = "A query parameter was given; none is taken", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn log_head(State(api): State<Api>, query: ApiQuery) -> Result<Json<LogHead>, Problem> {
    query.only(&[])?;
    let store = api.app.service().store();
    let head = store
        .head()
        .await
        .map_err(|error| internal("GET /api/log/head", &error))?;
    let tree = store
        .tree_head(Some(head.position))
        .await
        .map_err(|error| internal("GET /api/log/head", &error))?;
    Ok(Json(LogHead {
        position: head.position,
        hash: hex::encode(head.hash),
        tree_size: tree.size,
        tree_root: BASE64_STANDARD.encode(tree.root),
    }))
}

/// What verifying the log found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// Whether the hash chain and the Merkle tree verify.
    pub verified: bool,
    /// How many events were verified (when they all were).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    /// The head hash (hex) (when verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// What does not verify, naming the first position (when not verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Walks the hash chain and the Merkle tree, as `smes verify` does.
#[utoipa::path(
    get,
    path = "/api/log/verify",
    tag = "audit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Whether the log verifies; if not, the first position that does not", body = Verification),
        (status = 400, description = "A query parameter was given; none is taken", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn log_verify(State(api): State<Api>, query: ApiQuery) -> Result<Json<Verification>, Problem> {
    query.only(&[])?;
    match api.app.service().store().verify().await {
        Ok(verified) => Ok(Json(Verification {
            verified: true,
            events: Some(verified.events),
            head: Some(hex::encode(verified.head)),
            detail: None,
        })),
        Err(
            error @ (smes_eventlog::Error::Chain(_)
            | smes_eventlog::Error::CorruptRecord { .. }
            | smes_eventlog::Error::MerkleState { .. }
            | smes_eventlog::Error::Checkpoint { .. }),
        ) => Ok(Json(Verification {
            verified: false,
            events: None,
            head: None,
            detail: Some(crate::chain(&error)),
        })),
        Err(error) => Err(internal("GET /api/log/verify", &error)),
    }
}

pub(crate) fn cut(query: &ApiQuery) -> Result<Cut, Problem> {
    parse_cut(
        query.single("as_of")?,
        query.single("known_at")?,
        query.single("at_position")?,
    )
    .map_err(report)
}

pub(crate) fn number(query: &ApiQuery, name: &str, min: u64, max: u64) -> Result<Option<u64>, Problem> {
    query
        .single(name)?
        .map(|text| {
            text.trim()
                .parse::<u64>()
                .ok()
                .filter(|value| (min..=max).contains(value))
                .ok_or_else(|| {
                    Problem::invalid_parameter(
                        name,
                        format!("{name}: {text:?} is not allowed; expected a whole number from {min} to {max}"),
                    )
                })
        })
        .transpose()
}

/// A report's error, or an error reading the log for it, as a problem: a bad option names its
/// query or path parameter.
pub(crate) fn report(error: impl Into<smes_read::Error>) -> Problem {
    use smes_read::Error::Report;
    match error.into() {
        Report(smes_reports::Error::InvalidOption { option, value, allowed }) => {
            let parameter = parameter_of(option);
            // The same words as the pages' field errors, whichever the status.
            let detail = format!("{parameter}: {value:?} is not allowed; {allowed}");
            if names_what_the_log_lacks(option, &value) {
                Problem::not_found(detail).with_parameter(parameter)
            } else {
                Problem::invalid_parameter(parameter, detail)
            }
        }
        Report(error @ smes_reports::Error::UnknownSubject { .. }) => Problem::not_found(error.to_string()),
        error @ smes_read::Error::IndexBusy { .. } => {
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "Busy", error.to_string())
        }
        error => internal("report", &error),
    }
}

/// Whether a value the reports refused is well formed, so that what it names is missing from
/// the log rather than wrong: a log position beyond the head, a year without a work
/// programme, a record time before the log's first record, an id that names no activity, need or counterpart. Those are 404, as any
/// subject the log does not hold; a value of the wrong form, or out of its range, is 400.
fn names_what_the_log_lacks(option: &str, value: &str) -> bool {
    let position = |text: &str| text.trim().parse::<u64>().is_ok_and(|position| position >= 1);
    match option {
        "--at-position" => position(value),
        // A diff's points: only a position can lie beyond the log.
        "--from" | "--to" => value.trim().strip_prefix("position:").is_some_and(position),
        "--year" => parse_year(value).is_ok(),
        // A well-formed record time refused is one before the log's first record.
        "--known-at" => value.trim().parse::<jiff::Timestamp>().is_ok(),
        "ID" => true,
        _ => false,
    }
}

/// The query or path parameter a command-line option of the reports stands for.
pub(crate) fn parameter_of(option: &str) -> &str {
    match option {
        "--as-of" => "as_of",
        "--known-at" => "known_at",
        "--at-position" => "at_position",
        "KIND" => "kind",
        "ID" => "id",
        other => other.trim_start_matches("--"),
    }
}

pub(crate) fn internal(what: &str, error: &(dyn std::error::Error + 'static)) -> Problem {
    crate::log_failure(what, error);
    Problem::internal()
}

/// A JSON text already rendered, as a response.
pub(crate) fn json_text(text: String) -> Response {
    let mut response = text.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
