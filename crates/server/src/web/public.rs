//! The public pages of the dissemination site: `/public` (the published snapshots and the
//! events held), `/public/events` and `/public/snapshots/{id}`, with no session. They are the
//! pages `smes publish site` writes, rendered by the same functions of `smes-reports` with the
//! server's links, so the site and the server show the same thing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use smes_reports::publication::{self, Links};

use super::{ApiPath, failed, render, words};
use crate::Api;
use crate::published;

/// `/public`: the published snapshots, newest first, and the events held.
pub(super) async fn index(State(api): State<Api>) -> Response {
    let store = api.app.service().store();
    match smes_read::publication::read_site(store.as_ref()).await {
        Ok(site) => render::respond_text(StatusCode::OK, publication::index_page(&site, Links::Server)),
        Err(error) => failed("GET /public", &error),
    }
}

/// `/public/events`: the events held with their presentations, reports and videos.
pub(super) async fn events(State(api): State<Api>) -> Response {
    let store = api.app.service().store();
    match smes_read::publication::read_site(store.as_ref()).await {
        Ok(site) => render::respond_text(StatusCode::OK, publication::events_page(&site, Links::Server)),
        Err(error) => failed("GET /public/events", &error),
    }
}

/// `/public/snapshots/{id}`: one published snapshot, made again from the log and checked
/// against what was published.
pub(super) async fn snapshot(State(api): State<Api>, ApiPath(id): ApiPath<String>) -> Response {
    let text = words();
    let refused = |problem: crate::problem::Problem| {
        let status = problem.status_code();
        let title = match status {
            StatusCode::BAD_REQUEST => text.invalid,
            StatusCode::NOT_FOUND => text.not_found,
            _ => text.refused,
        };
        render::message(text, status, title, &problem.detail, None)
    };
    let published = match published::find(&api, &id).await {
        Ok(published) => published,
        Err(problem) => return refused(problem),
    };
    let store = api.app.service().store();
    match smes_read::publication::reproduce(store.as_ref(), api.config.index_page, &published).await {
        Ok(reproduced) => render::respond_text(StatusCode::OK, publication::snapshot_page(&reproduced, Links::Server)),
        Err(error) => refused(published::mismatch(error)),
    }
}
