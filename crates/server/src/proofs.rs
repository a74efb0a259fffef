//! The proof routes: the signed checkpoints kept with the log, an event's inclusion proof and
//! the consistency proof between two tree sizes, as the same documents `smes checkpoint --list`
//! and `smes prove` print, so an auditor checks them offline against
//! a signed checkpoint with `smes audit verify-inclusion` and `verify-consistency`
//! (docs/audit.md) without trusting the server.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use smes_verify::checkpoint::encode_proof;
use smes_verify::{ConsistencyProofDocument, InclusionProofDocument};

use crate::Api;
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::Problem;
use crate::reads::{internal, number};

/// The largest position or tree size asked about: both backends keep positions as signed
/// 64-bit integers.
const MAX_SIZE: u64 = i64::MAX as u64;

/// A signed checkpoint kept with the log, as `smes checkpoint --list` prints it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeptCheckpoint {
    /// The log's name the checkpoint states.
    pub origin: String,
    /// The tree size it commits to.
    pub tree_size: u64,
    /// When it was kept with the log (RFC 3339).
    pub stored_at: String,
    /// The signed note (C2SP checkpoint), exactly as signed: check it offline with
    /// `smes audit verify-checkpoint` and the log's public key.
    pub note: String,
}

/// The checkpoints kept with the log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeptCheckpoints {
    /// Every kept checkpoint, by tree size, then by when it was kept (none if none was kept).
    pub checkpoints: Vec<KeptCheckpoint>,
}

/// The signed checkpoints kept with the log (`smes checkpoint --store`), by tree size.
#[utoipa::path(
    get,
    path = "/api/checkpoints",
    tag = "audit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every kept checkpoint, by tree size (none if none was kept)", body = KeptCheckpoints),
        (status = 400, description = "A query parameter was given; none is taken", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn checkpoints(State(api): State<Api>, query: ApiQuery) -> Result<Json<KeptCheckpoints>, Problem> {
    query.only(&[])?;
    let kept = api
        .app
        .service()
        .store()
        .checkpoints()
        .await
        .map_err(|error| internal("GET /api/checkpoints", &error))?;
    Ok(Json(KeptCheckpoints {
        checkpoints: kept
            .into_iter()
            .map(|kept| KeptCheckpoint {
                origin: kept.origin,
                tree_size: kept.tree_size,
                stored_at: kept.stored_at.to_string(),
                note: kept.note,
            })
            .collect(),
    }))
}

/// The inclusion proof of the event at a position, with its stored record.
#[utoipa::path(
    get,
    path = "/api/proofs/inclusion/{position}",
    tag = "audit",
    security(("bearer" = [])),
    params(
        ("position" = u64, Path, minimum = 1, description = "The event's position (from 1)"),
        ("tree_size" = Option<u64>, Query, minimum = 1, description = "The size of the tree the proof is for, such as a signed checkpoint's (default: the log's head)"),
    ),
    responses(
        (status = 200, description = "The proof document of `smes prove inclusion`: the record exactly as stored and hashed, and the proof hashes (base64), nearest sibling first", body = Object),
        (status = 400, description = "The position or tree size is not a number from 1; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "What the parameter names is not in the log: a position beyond its head, a year without a work programme; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn inclusion(
    State(api): State<Api>,
    ApiPath(position): ApiPath<String>,
    query: ApiQuery,
) -> Result<Json<InclusionProofDocument>, Problem> {
    query.only(&["tree_size"])?;
    let position = whole("position", &position)?;
    let store = api.app.service().store();
    let head = head(&api).await?;
    let tree_size = number(&query, "tree_size", 1, MAX_SIZE)?.unwrap_or(head);
    beyond("tree_size", tree_size, head, "the log has")?;
    beyond("position", position, tree_size, "the tree has")?;
    let proof = store
        .inclusion_proof(position, tree_size)
        .await
        .map_err(|error| internal("GET /api/proofs/inclusion/{position}", &error))?;
    let record = store
        .stored_record(position)
        .await
        .map_err(|error| internal("GET /api/proofs/inclusion/{position}", &error))?
        .ok_or_else(|| Problem::not_found(format!("no event at position {position}")))?;
    Ok(Json(InclusionProofDocument {
        kind: "inclusion".into(),
        position,
        tree_size,
        record,
        proof: encode_proof(&proof),
    }))
}

/// The consistency proof between two tree sizes: that the log of `to` events extends the log
/// of `from` events unchanged.
#[utoipa::path(
    get,
    path = "/api/proofs/consistency",
    tag = "audit",
    security(("bearer" = [])),
    params(
        ("from" = u64, Query, minimum = 1, description = "The older tree size, such as an earlier signed checkpoint's (from 1)"),
        ("to" = Option<u64>, Query, minimum = 1, description = "The newer tree size, at least `from` (default: the log's head)"),
    ),
    responses(
        (status = 200, description = "The proof document of `smes prove consistency`: the sizes and the proof hashes (base64)", body = Object),
        (status = 400, description = "A size is missing, not a number from 1, or out of order; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "What the parameter names is not in the log: a position beyond its head, a year without a work programme; the problem names the parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn consistency(State(api): State<Api>, query: ApiQuery) -> Result<Json<ConsistencyProofDocument>, Problem> {
    query.only(&["from", "to"])?;
    let from = number(&query, "from", 1, MAX_SIZE)?
        .ok_or_else(|| Problem::invalid_parameter("from", "from: missing; give the older tree size"))?;
    let head = head(&api).await?;
    let to = number(&query, "to", 1, MAX_SIZE)?.unwrap_or(head);
    beyond("to", to, head, "the log has")?;
    if from > to {
        return Err(Problem::invalid_parameter(
            "from",
            format!("from: {from} is larger than to ({to}); the older size comes first"),
        ));
    }
    let proof = api
        .app
        .service()
        .store()
        .consistency_proof(from, to)
        .await
        .map_err(|error| internal("GET /api/proofs/consistency", &error))?;
    Ok(Json(ConsistencyProofDocument {
        kind: "consistency".into(),
        old_size: from,
        new_size: to,
        proof: encode_proof(&proof),
    }))
}

async fn head(api: &Api) -> Result<u64, Problem> {
    Ok(api
        .app
        .service()
        .store()
        .head()
        .await
        .map_err(|error| internal("proof", &error))?
        .position)
}

/// A path parameter that must be a whole number from 1.
fn whole(name: &str, text: &str) -> Result<u64, Problem> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|value| (1..=MAX_SIZE).contains(value))
        .ok_or_else(|| {
            Problem::invalid_parameter(
                name,
                format!("{name}: {text:?} is not allowed; expected a whole number from 1 to {MAX_SIZE}"),
            )
        })
}

/// Refuses `value` of `name` beyond `limit` (what `whose` holds) as not found: the log does
/// not hold it (yet).
fn beyond(name: &str, value: u64, limit: u64, whose: &str) -> Result<(), Problem> {
    if value > limit {
        return Err(
            Problem::not_found(format!("{name}: {value} is beyond the end; {whose} {limit} events"))
                .with_parameter(name),
        );
    }
    Ok(())
}
