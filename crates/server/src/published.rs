//! The published snapshots as JSON: the list of publications and one publication with its
//! snapshot, made again from the log and checked against the published digests. Every role
//! may read them: they are what the Secretariat made public.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use smes_domain::ids::PublicationId;
use smes_reports::publication::{self, Published};

use crate::Api;
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::Problem;
use crate::reads::{json_text, report};

/// The publications, in log order.
#[utoipa::path(
    get,
    path = "/api/published-snapshots",
    tag = "published",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Each publication: id, position, title, note, date, year, the cut pinned to a position, filter, anchor and the SHA-256 digest of each file", body = Object),
        (status = 400, description = "A query parameter was given; none is taken", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Never: every role may read what is published", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn published_snapshots(State(api): State<Api>, query: ApiQuery) -> Result<Response, Problem> {
    query.only(&[])?;
    let store = api.app.service().store();
    let publications = smes_read::publication::publications(store.as_ref())
        .await
        .map_err(report)?;
    Ok(json_text(publication::list_json(&publications).map_err(report)?))
}

/// One publication and its snapshot, made again from the log and checked against what was
/// published.
#[utoipa::path(
    get,
    path = "/api/published-snapshots/{id}",
    tag = "published",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", description = "The publication's id (a UUID)")),
    responses(
        (status = 200, description = "`publication` (as in the list) and `snapshot` (as `smes snapshot --format json` writes it)", body = Object),
        (status = 400, description = "The id is not a UUID, or a query parameter was given", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Never: every role may read what is published", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No publication with that id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The log no longer gives what was published: its anchor or a digest differs", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn published_snapshot(
    State(api): State<Api>,
    ApiPath(id): ApiPath<String>,
    query: ApiQuery,
) -> Result<Response, Problem> {
    query.only(&[])?;
    let published = find(&api, &id).await?;
    let store = api.app.service().store();
    let reproduced = smes_read::publication::reproduce(store.as_ref(), api.config.index_page, &published)
        .await
        .map_err(mismatch)?;
    Ok(json_text(publication::reproduced_json(&reproduced).map_err(report)?))
}

/// The publication with the id given in a path: 400 when it is not a UUID, 404 when unknown
/// (the nil UUID names no publication).
pub(crate) async fn find(api: &Api, id: &str) -> Result<Published, Problem> {
    let publication = match id.parse::<PublicationId>() {
        Ok(publication) => publication,
        Err(_) if id.parse::<uuid::Uuid>().is_ok() => {
            return Err(Problem::not_found(format!("no publication {id} in the log")).with_parameter("id"));
        }
        Err(error) => return Err(Problem::invalid_parameter("id", format!("id: {error}"))),
    };
    let store = api.app.service().store();
    let publications = smes_read::publication::publications(store.as_ref())
        .await
        .map_err(report)?;
    publications
        .into_iter()
        .find(|published| published.snapshot.publication == publication)
        .ok_or_else(|| Problem::not_found(format!("no publication {publication} in the log")))
}

/// A publication the log no longer reproduces is a conflict between the log and what was
/// published; other failures as every report's.
pub(crate) fn mismatch(error: smes_read::Error) -> Problem {
    match error {
        smes_read::Error::Report(error @ smes_reports::Error::PublicationMismatch { .. }) => Problem::new(
            StatusCode::CONFLICT,
            "publication-mismatch",
            "Publication mismatch",
            error.to_string(),
        ),
        error => report(error),
    }
}
