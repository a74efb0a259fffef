//! Who may call what: one rule per route, and the layer that enforces it before a handler (or
//! anything it reads: body, path, query) runs.
//!
//! The rules are a table, [`ROUTES`], looked up by the route's matched path and method; a route
//! without a rule is refused (closed by default). The tests compare the table with the routes
//! the router serves and the OpenAPI document describes, so the three cannot drift apart.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Api;
use crate::problem::Problem;
use crate::tokens::Role;

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token.
    Public,
    /// Anyone signed in, whatever the role: the pages' home, and what is published (observers
    /// may read published snapshots only).
    Signed,
    /// Reading the record: the secretariat and auditors.
    Read,
    /// Recording commands: the secretariat only.
    Command,
}

impl Access {
    /// The roles allowed.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Access::Public | Access::Signed => &Role::ALL,
            Access::Read => &[Role::Secretariat, Role::Auditor],
            Access::Command => &[Role::Secretariat],
        }
    }

    /// Whether `role` is allowed.
    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }
}

/// One route's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRule {
    /// The HTTP method, such as `GET`.
    pub method: &'static str,
    /// The path as the router and the OpenAPI document write it, such as `/api/trace/{kind}/{id}`.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

const fn rule(method: &'static str, path: &'static str, access: Access) -> RouteRule {
    RouteRule { method, path, access }
}

/// Every route of the API with its rule.
pub const ROUTES: [RouteRule; 18] = [
    rule("GET", "/api/health", Access::Public),
    rule("GET", "/api/openapi.json", Access::Read),
    rule("GET", "/api/work-programme/{year}", Access::Read),
    rule("GET", "/api/trace/{kind}/{id}", Access::Read),
    rule("GET", "/api/streams/{stream}/events", Access::Read),
    rule("GET", "/api/log/head", Access::Read),
    rule("GET", "/api/log/verify", Access::Read),
    rule("GET", "/api/needs", Access::Read),
    rule("GET", "/api/counterparts", Access::Read),
    rule("GET", "/api/evaluation-history", Access::Read),
    rule("GET", "/api/review", Access::Read),
    rule("GET", "/api/diff", Access::Read),
    rule("GET", "/api/checkpoints", Access::Read),
    rule("GET", "/api/proofs/inclusion/{position}", Access::Read),
    rule("GET", "/api/proofs/consistency", Access::Read),
    rule("POST", "/api/commands/{command}", Access::Command),
    rule("GET", "/api/published-snapshots", Access::Signed),
    rule("GET", "/api/published-snapshots/{id}", Access::Signed),
];

/// Every web page with its rule. `Public` pages need no session; the others redirect to
/// `/sign-in` without one, and point a role they do not allow to what is published.
/// The page tests call every entry, and the pages' layer refuses a page without an entry.
pub const PAGES: [RouteRule; 26] = [
    rule("GET", "/sign-in", Access::Public),
    rule("POST", "/sign-in", Access::Public),
    rule("POST", "/sign-out", Access::Public),
    rule("GET", "/", Access::Signed),
    rule("GET", "/work-programme/{year}", Access::Read),
    rule("GET", "/activity/{id}", Access::Read),
    rule("GET", "/needs", Access::Read),
    rule("GET", "/counterparts", Access::Read),
    rule("GET", "/evaluation-history", Access::Read),
    rule("GET", "/review", Access::Read),
    rule("GET", "/public", Access::Public),
    rule("GET", "/public/events", Access::Public),
    rule("GET", "/public/snapshots/{id}", Access::Public),
    // The command forms (docs/web.md): the Secretariat only, like the API's commands.
    rule("GET", "/record/schedule-consultation", Access::Command),
    rule("POST", "/record/schedule-consultation", Access::Command),
    rule("GET", "/record/hold-consultation", Access::Command),
    rule("POST", "/record/hold-consultation", Access::Command),
    rule("GET", "/record/identify-need", Access::Command),
    rule("POST", "/record/identify-need", Access::Command),
    rule("GET", "/record/propose-activity", Access::Command),
    rule("POST", "/record/propose-activity", Access::Command),
    rule("GET", "/record/approve-activity", Access::Command),
    rule("POST", "/record/approve-activity", Access::Command),
    rule("GET", "/record/commit-to-activity", Access::Command),
    rule("POST", "/record/commit-to-activity", Access::Command),
    rule("GET", "/recorded/{command_id}", Access::Command),
];

/// The rule of a route, if it has one (HEAD follows the rule of GET, which answers it).
pub fn rule_for(method: &Method, path: &str) -> Option<RouteRule> {
    find(&ROUTES, method, path)
}

/// The rule of a web page, if it has one (HEAD follows GET).
pub fn page_rule_for(method: &Method, path: &str) -> Option<RouteRule> {
    find(&PAGES, method, path)
}

fn find(table: &[RouteRule], method: &Method, path: &str) -> Option<RouteRule> {
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    table
        .iter()
        .copied()
        .find(|rule| rule.method == method && rule.path == path)
}

/// The layer: finds the route's rule, checks the bearer token against the token table and the
/// role against the rule, and hands the caller to the handler as a request extension.
pub async fn authorize(State(api): State<Api>, matched: MatchedPath, mut request: Request, next: Next) -> Response {
    let Some(rule) = rule_for(request.method(), matched.as_str()) else {
        return Problem::forbidden(format!(
            "{} {} has no access rule, so nobody may call it",
            request.method(),
            matched.as_str()
        ))
        .into_response();
    };
    if rule.access == Access::Public {
        return next.run(request).await;
    }
    let token = match bearer(&request) {
        Ok(token) => token,
        Err(problem) => return problem.into_response(),
    };
    let caller = match api.tokens.authenticate(token).await {
        Ok(Some(caller)) => {
            crate::request_log::record_actor(&caller.actor);
            caller
        }
        Ok(None) => return Problem::unauthorized("the bearer token is unknown or revoked").into_response(),
        Err(error) => {
            crate::log_failure("checking the bearer token", &error);
            return Problem::internal().into_response();
        }
    };
    if !rule.access.allows(caller.role) {
        let allowed: Vec<&str> = rule.access.roles().iter().map(|role| role.as_str()).collect();
        return Problem::forbidden(format!(
            "role {} may not call {} {}; allowed: {}",
            caller.role,
            rule.method,
            rule.path,
            allowed.join(", ")
        ))
        .into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

fn bearer(request: &Request) -> Result<&str, Problem> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Err(Problem::unauthorized(
            "no bearer token; send the header Authorization: Bearer <token>",
        ));
    };
    let text = value
        .to_str()
        .map_err(|_| Problem::unauthorized("the Authorization header is not text"))?;
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(token.trim()),
        _ => Err(Problem::unauthorized(
            "the Authorization header is not a bearer token; send Authorization: Bearer <token>",
        )),
    }
}
