//! The HTTP API of smes: the record's reads and its domain commands as JSON over HTTP, with
//! bearer tokens and roles, problem details for every refusal, and an OpenAPI document made
//! from the same code that routes.
//!
//! The key design choice: every route is registered once, through `utoipa-axum`'s router, from
//! a handler whose `#[utoipa::path]` attribute is both its route and its description, and each
//! route's access rule sits in one table ([`access::ROUTES`]) enforced by one layer before the
//! handler reads anything; the tests check that the router, the document and the table name
//! the same routes. Handlers are thin: reads go through `smes-reports` (snapshots and traces
//! through the link index, as the CLI reads them) and commands through [`smes_app::App`], with
//! the actor and role taken from the token. The web pages ([`web`]) share the token table,
//! the reports and the access rules, with a session cookie instead of a bearer token.

pub mod access;
mod commands;
pub mod connections;
pub mod error;
mod extract;
pub mod problem;
mod proofs;
mod published;
mod reads;
mod registers;
mod request_log;
pub mod tokens;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use smes_app::App;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use commands::{CommandOutcome, FORGET_KINDS, IDEMPOTENCY_KEY, PUBLISH_KINDS, kinds};
pub use error::{Error, Result};
pub use problem::Problem;
pub use tokens::{Caller, Role, TokenInfo, TokenStore};

/// The largest request body accepted: 1 MiB (larger is answered 413).
pub const BODY_LIMIT: usize = 1 << 20;

/// How long a request may take by default before it is answered 503.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server runs.
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    /// How many events each transaction of the link index covers when a report catches it up.
    pub index_page: usize,
    /// How long a request may take before it is answered 503 (a command cut off this way may
    /// still commit: retry it with the same `Idempotency-Key`).
    pub timeout: Duration,
    /// Whether the web pages' cookies carry `Secure` (sent over HTTPS only). True unless the
    /// server is started for plain-HTTP use on the local machine (`smes serve --plain-http`).
    pub secure_cookies: bool,
    /// The limits on connections: the time to send headers and how many are served at once.
    pub limits: connections::Limits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            index_page: smes_read::index::PAGE,
            timeout: DEFAULT_TIMEOUT,
            secure_cookies: true,
            limits: connections::Limits::default(),
        }
    }
}

/// What every handler shares: the app (and through it the log), the token table, the
/// configuration, the OpenAPI document and the web pages' sessions.
#[derive(Debug, Clone)]
pub struct Api {
    app: App,
    tokens: TokenStore,
    config: ServerConfig,
    openapi: Arc<String>,
    sessions: web::sessions::Sessions,
}

impl Api {
    /// The state of a server over `app` and `tokens`.
    pub fn new(app: App, tokens: TokenStore, config: ServerConfig) -> Api {
        Api {
            app,
            tokens,
            config,
            openapi: Arc::new(String::new()),
            sessions: web::sessions::Sessions::default(),
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "smes",
        description = "The record of the SELA-SMEs Programme: reads and domain commands. Send `Authorization: Bearer <token>` (made with `smes token create`); refusals are problem details (RFC 9457).",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "meta", description = "Health and this document"),
        (name = "reads", description = "Snapshots, registers, review packs, diffs, traces and streams: secretariat and auditors"),
        (name = "audit", description = "The log's head, its verification and its proofs: secretariat and auditors"),
        (name = "commands", description = "Domain commands: secretariat only"),
        (name = "published", description = "What the Secretariat published: every role"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

fn routes() -> OpenApiRouter<Api> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(reads::health))
        .routes(routes!(reads::openapi_json))
        .routes(routes!(reads::work_programme))
        .routes(routes!(reads::trace))
        .routes(routes!(reads::stream_events))
        .routes(routes!(reads::log_head))
        .routes(routes!(reads::log_verify))
        .routes(routes!(registers::needs_register))
        .routes(routes!(registers::counterpart_directory))
        .routes(routes!(registers::evaluation_history))
        .routes(routes!(registers::review_pack))
        .routes(routes!(registers::work_programme_diff))
        .routes(routes!(proofs::checkpoints))
        .routes(routes!(proofs::inclusion))
        .routes(routes!(proofs::consistency))
        .routes(routes!(commands::command))
        .routes(routes!(published::published_snapshots))
        .routes(routes!(published::published_snapshot))
}

/// The OpenAPI 3.1 document of the API, made from the handlers' attributes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = routes().split_for_parts().1;
    list_commands(&mut document);
    describe_points(&mut document);
    document
}

/// Describes the diff's `from` and `to` as the three forms they take (a date, `known:` and an
/// RFC 3339 time in UTC, `position:` and a position), which the attributes cannot say.
fn describe_points(document: &mut utoipa::openapi::OpenApi) {
    let point = serde_json::json!({"anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "pattern": "^known:[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$"},
        {"type": "string", "pattern": "^position:[1-9][0-9]{0,17}$"},
    ]});
    let Ok(point) = serde_json::from_value::<utoipa::openapi::RefOr<utoipa::openapi::Schema>>(point) else {
        return;
    };
    let operation = document
        .paths
        .paths
        .get_mut("/api/diff")
        .and_then(|item| item.get.as_mut());
    let parameters = operation.and_then(|operation| operation.parameters.as_mut());
    for parameter in parameters.into_iter().flatten() {
        if let utoipa::openapi::RefOr::T(parameter) = parameter
            && (parameter.name == "from" || parameter.name == "to")
        {
            parameter.schema = Some(point.clone());
        }
    }
}

/// Names every command kind in the document, as the allowed values of the command route's
/// path parameter.
fn list_commands(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let operation = document
        .paths
        .paths
        .get_mut("/api/commands/{command}")
        .and_then(|item| item.post.as_mut());
    let parameters = operation.and_then(|operation| operation.parameters.as_mut());
    for parameter in parameters.into_iter().flatten() {
        if let utoipa::openapi::RefOr::T(parameter) = parameter
            && parameter.name == "command"
        {
            let kinds = ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(commands::kinds()));
            parameter.schema = Some(kinds.into());
        }
        if let utoipa::openapi::RefOr::T(parameter) = parameter
            && parameter.name.eq_ignore_ascii_case(IDEMPOTENCY_KEY)
        {
            // The key is a UUID, which the attributes can say only as a pattern.
            let uuid = ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".to_owned())));
            parameter.schema = Some(uuid.into());
        }
    }
}

/// The server's router: every API route behind the access layer, the web pages behind the
/// pages' layer, a 404 and a 405 as problem details, the body limit and the request timeout,
/// and outermost the request log (one line per request, docs/api.md).
pub fn router(mut api: Api) -> Router {
    let (router, mut document) = routes().split_for_parts();
    list_commands(&mut document);
    describe_points(&mut document);
    api.openapi = Arc::new(document.to_json().unwrap_or_default());
    let pages = web::routes().route_layer(middleware::from_fn_with_state(api.clone(), web::guard));
    router
        .route_layer(middleware::from_fn_with_state(api.clone(), access::authorize))
        .merge(pages)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(api.config.timeout, timeout))
        .layer(middleware::map_response(protective_headers))
        .layer(request_log::layer())
        .with_state(api)
}

/// The headers every answer carries, API and pages alike, unless the handler set its own:
/// never cached (answers depend on the caller's token and the log's head), never sniffed as
/// another content type, never sent as a referrer (page addresses name records), never framed.
async fn protective_headers(mut response: Response) -> Response {
    use axum::http::{HeaderValue, header};
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    response
}

/// Listens on `address` (`host:port`; port 0 takes any free port).
pub async fn listen(address: &str) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| Error::Listen {
            address: address.to_owned(),
            source,
        })
}

/// Serves the API on `listener` until `shutdown` completes, within the configuration's limits
/// on connections; then stops accepting, lets the requests under way finish (for at most the
/// request timeout) and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    api: Api,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> Result<()> {
    let limits = api.config.limits;
    let grace = api.config.timeout;
    connections::serve(listener, router(api), limits, shutdown, grace).await?;
    Ok(())
}

async fn not_found(request: Request) -> Problem {
    Problem::not_found(format!("no route {} {}", request.method(), request.uri().path()))
}

async fn method_not_allowed(request: Request) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method Not Allowed",
        format!("{} is not allowed on {}", request.method(), request.uri().path()),
    )
}

async fn timeout(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let what = format!("{} {}", request.method(), request.uri().path());
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "Request timed out",
            format!(
                "{what} took longer than {} ms; a command may still have been applied: retry it with the same Idempotency-Key",
                limit.as_millis()
            ),
        )
        .into_response(),
    }
}

/// An error with its causes, on one line.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Logs a failure of the server itself (not of the request), at error level. It is written
/// inside the request's span, so the line names the method, route and actor too.
pub(crate) fn log_failure(what: &str, error: &(dyn std::error::Error + 'static)) {
    tracing::error!(error = %chain(error), "{what} failed");
}
