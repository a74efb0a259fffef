//! `POST /api/commands/{command}`: every domain command of `smes import` and the CLI's
//! `--json`, in the same JSON shape (docs/import.md; `kind` is the path's last segment), run
//! through the same [`App`](smes_app::App); `publish-snapshot` makes the snapshot through
//! `smes-reports` and runs the publication decider, as `smes publish snapshot` does. The actor and role recorded are the token's, never
//! the body's; the `Idempotency-Key` header is the command id.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use smes_app::commands::{LineError, read_fields};
use smes_app::{AppCommand, CommandContext, CommandLine, Executed, ForgetSubject, Source};
use smes_domain::ids::{CounterpartId, PersonId, PublicationId};
use smes_domain::publication::{PublicationCommand, PublicationDecider, PublishSnapshot};
use smes_domain::values::WorkProgrammeYear;
use smes_projections::Cut;
use smes_reports::publication::{self, PublishRequest};
use smes_reports::snapshot::{self, SnapshotRequest};
use smes_reports::{Filter, Format};
use uuid::Uuid;

use crate::Api;
use crate::extract::{ApiBody, ApiPath};
use crate::problem::{self, Problem};
use crate::tokens::Caller;

/// The header that carries the command id.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The commands of `smes forget`, which record an erasure and destroy the person's key.
pub const FORGET_KINDS: [&str; 2] = ["forget-focal-point", "forget-actor"];

/// The command of `smes publish snapshot`, which makes the snapshot and records its publication.
pub const PUBLISH_KINDS: [&str; 1] = ["publish-snapshot"];

/// Every command the route takes: the domain commands of docs/import.md, then forgetting, then
/// publishing.
pub fn kinds() -> impl Iterator<Item = &'static str> {
    AppCommand::KINDS.into_iter().chain(FORGET_KINDS).chain(PUBLISH_KINDS)
}

/// `publish-snapshot`: as `smes publish snapshot`, with the options as fields (lists as JSON
/// arrays of the command line's values).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishSnapshotBody {
    year: WorkProgrammeYear,
    #[serde(default)]
    as_of: Option<Date>,
    #[serde(default)]
    known_at: Option<Timestamp>,
    #[serde(default)]
    at_position: Option<u64>,
    #[serde(default)]
    area: Vec<String>,
    #[serde(default)]
    country: Vec<String>,
    #[serde(default)]
    status: Vec<String>,
    #[serde(default)]
    format: Vec<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    publication: Option<PublicationId>,
    #[serde(default)]
    published_on: Option<Date>,
    #[serde(default)]
    why: Option<String>,
}

/// `forget-focal-point`: as `smes forget focal-point`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForgetFocalPoint {
    person: PersonId,
    #[serde(default)]
    counterpart: Option<CounterpartId>,
    reason: String,
    #[serde(default)]
    on: Option<Date>,
}

/// `forget-actor`: as `smes forget actor`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForgetActor {
    actor: String,
    reason: String,
    #[serde(default)]
    on: Option<Date>,
}

/// What the body asks for, read by its kind.
enum Request {
    Domain(Box<CommandLine>),
    Forget {
        command_id: Option<Uuid>,
        subject: ForgetSubject,
        reason: String,
        on: Option<Date>,
    },
    Publish {
        command_id: Option<Uuid>,
        body: Box<PublishSnapshotBody>,
    },
}

/// Reads an optional `command_id` of a body that is not a command line.
fn take_command_id(kind: &str, object: &mut Map<String, Value>) -> Result<Option<Uuid>, LineError> {
    match object.remove("command_id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if Uuid::parse_str(&text).is_ok() => Ok(Uuid::parse_str(&text).ok()),
        Some(other) => Err(LineError::of(
            "command_id",
            format!(
                "{kind}: command_id is {other}, which is not allowed; expected a UUID, such as \"5e1a0000-0000-4000-8000-000000000101\""
            ),
        )),
    }
}

impl Request {
    fn read(kind: &str, mut object: Map<String, Value>) -> Result<Request, LineError> {
        if PUBLISH_KINDS.contains(&kind) {
            object.remove("kind");
            let command_id = take_command_id(kind, &mut object)?;
            let body: PublishSnapshotBody = read_fields(kind, &Value::Object(object))?;
            return Ok(Request::Publish {
                command_id,
                body: Box::new(body),
            });
        }
        if !FORGET_KINDS.contains(&kind) {
            object.insert("kind".to_owned(), Value::String(kind.to_owned()));
            return CommandLine::read_value(Value::Object(object)).map(|line| Request::Domain(Box::new(line)));
        }
        object.remove("kind");
        let command_id = take_command_id(kind, &mut object)?;
        let value = Value::Object(object);
        let (subject, reason, on) = if kind == "forget-actor" {
            let forget: ForgetActor = read_fields(kind, &value)?;
            (ForgetSubject::Actor { actor: forget.actor }, forget.reason, forget.on)
        } else {
            let forget: ForgetFocalPoint = read_fields(kind, &value)?;
            let subject = ForgetSubject::FocalPoint {
                person: forget.person,
                counterpart: forget.counterpart,
            };
            (subject, forget.reason, forget.on)
        };
        Ok(Request::Forget {
            command_id,
            subject,
            reason,
            on,
        })
    }

    fn command_id(&self) -> Option<Uuid> {
        match self {
            Request::Domain(line) => line.command_id,
            Request::Forget { command_id, .. } | Request::Publish { command_id, .. } => *command_id,
        }
    }
}

/// What a command did: the same for a retried request as for the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CommandOutcome {
    /// The command's `kind`.
    pub kind: String,
    /// The command id (the `Idempotency-Key`, or one drawn by the server).
    #[schema(value_type = String)]
    pub command_id: Uuid,
    /// The stream the command was for.
    pub stream: String,
    /// The stored types of the events written, in order (empty when the decision recorded
    /// nothing).
    pub events: Vec<String>,
    /// The first log position written (0 when nothing was).
    pub first_position: u64,
    /// The last log position written (0 when nothing was).
    pub last_position: u64,
    /// The stream's first version written.
    pub first_version: u64,
    /// The stream's version after the command.
    pub last_version: u64,
    /// When the events were recorded.
    pub recorded_at: String,
    /// True when this command id had been applied before and nothing new was written.
    pub replayed: bool,
}

/// Runs one domain command.
#[utoipa::path(
    post,
    path = "/api/commands/{command}",
    tag = "commands",
    security(("bearer" = [])),
    params(
        ("command" = String, Path, description = "The command's kind: a `kind` of docs/import.md (such as open-work-programme, join-counterpart, approve-activity), forget-focal-point or forget-actor (as `smes forget`), or publish-snapshot (as `smes publish snapshot`)"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, description = "A UUID, the command's id: a request retried with the same key is applied once and answered with the same outcome; the same key with another body is refused (409)"),
    ),
    request_body(
        content = Object,
        content_type = "application/json",
        description = "The command's fields as a JSON object, as a line of an import file (docs/import.md) without `kind`, with the optional `why`, `correlation_id` and `causation_id`; for forget-focal-point `person`, `reason` and the optional `counterpart` and `on`, for forget-actor `actor`, `reason` and the optional `on`; for publish-snapshot `year` and the optional `as_of`, `known_at`, `at_position`, `area`, `country`, `status`, `format` (lists as arrays), `title`, `note`, `publication` (its id), `published_on` and `why`",
    ),
    responses(
        (status = 200, description = "The command was applied (or had been, under the same key)", body = CommandOutcome),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, unknown or revoked token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role may not record commands", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such command", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The programme's rules refuse the command in the record's current state, or the key was used for another command", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The command is not valid; the problem names the field", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn command(
    State(api): State<Api>,
    Extension(caller): Extension<Caller>,
    ApiPath(kind): ApiPath<String>,
    headers: HeaderMap,
    ApiBody(body): ApiBody,
) -> Result<Json<CommandOutcome>, Problem> {
    if !kinds().any(|known| known == kind) {
        return Err(Problem::not_found(format!(
            "no command {kind:?}; the commands are {}",
            kinds().collect::<Vec<_>>().join(", ")
        ))
        .with_parameter("command"));
    }
    let key = idempotency_key(&headers)?;
    let value: Value = serde_json::from_slice(&body).map_err(|error| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            format!("the body is not JSON: {error}"),
        )
    })?;
    let Value::Object(object) = value else {
        return Err(Problem::invalid_command(
            "the body must be a JSON object of the command's fields",
        ));
    };
    match object.get("kind") {
        None => {}
        Some(Value::String(given)) if *given == kind => {}
        Some(given) => {
            return Err(
                Problem::invalid_command(format!("kind: the body names {given}, but the path names {kind:?}"))
                    .with_field("kind"),
            );
        }
    }
    let request = Request::read(&kind, object).map_err(|error| {
        let problem = Problem::invalid_command(error.message);
        match error.field {
            Some(field) => problem.with_field(field),
            None => problem,
        }
    })?;
    let command_id = match (key, request.command_id()) {
        (Some(key), Some(body)) if key != body => {
            return Err(Problem::invalid_command(format!(
                "command_id: the body's {body} differs from the Idempotency-Key {key}; give one of them"
            ))
            .with_field("command_id"));
        }
        (Some(key), _) => key,
        (None, Some(body)) => body,
        (None, None) => api.app.service().new_id(),
    };
    let mut context = CommandContext::new(caller.actor.clone(), caller.role.as_str(), Source::Http);
    context.command_id = Some(command_id);
    let executed = match request {
        Request::Domain(line) => {
            context.reason = line.reason.clone();
            context.correlation_id = line.correlation_id;
            context.causation_id = line.causation_id;
            api.app.run(&context, &line.command).await
        }
        Request::Forget {
            subject, reason, on, ..
        } => {
            let on = on.unwrap_or_else(|| api.app.service().today());
            api.app.forget(&context, &subject, &reason, on).await
        }
        Request::Publish { body, .. } => {
            context.reason = body.why.clone();
            let command = publish_command(&api, *body).await?;
            api.app
                .service()
                .execute::<PublicationDecider>(&context, &PublicationCommand::PublishSnapshot(command))
                .await
        }
    }
    .map_err(app_problem)?;
    outcome(&api, kind, command_id, executed).await.map(Json)
}

async fn outcome(api: &Api, kind: String, command_id: Uuid, executed: Executed) -> Result<CommandOutcome, Problem> {
    let result = &executed.outcome;
    let events = if !executed.already_applied {
        executed.event_types.iter().map(|name| (*name).to_owned()).collect()
    } else if result.first_position == 0 {
        Vec::new()
    } else {
        // The types of the events the first request wrote, so a retry is answered alike.
        let count = (result.last_position - result.first_position + 1) as usize;
        api.app
            .service()
            .store()
            .read_all(result.first_position, count)
            .await
            .map_err(|error| {
                crate::log_failure(&format!("POST /api/commands/{kind}"), &error);
                Problem::internal()
            })?
            .into_iter()
            .map(|event| event.event_type)
            .collect()
    };
    Ok(CommandOutcome {
        kind,
        command_id,
        stream: executed.stream,
        events,
        first_position: result.first_position,
        last_position: result.last_position,
        first_version: result.first_version,
        last_version: result.last_version,
        recorded_at: timestamp(result.recorded_at),
        replayed: executed.already_applied,
    })
}

/// Makes the snapshot a `publish-snapshot` body asks for and the command recording it; a bad
/// option is a 422 naming its field.
async fn publish_command(api: &Api, body: PublishSnapshotBody) -> Result<PublishSnapshot, Problem> {
    let invalid = |error: smes_read::Error| match error {
        smes_read::Error::Report(smes_reports::Error::InvalidOption { option, value, allowed }) => {
            let field = crate::reads::parameter_of(option);
            Problem::invalid_command(format!("{field}: {value:?} is not allowed; {allowed}")).with_field(field)
        }
        error => crate::reads::report(error),
    };
    let year = body.year;
    if body.at_position == Some(0) {
        return Err(Problem::invalid_command(
            "at_position: 0 is not allowed; expected a log position, a whole number from 1",
        )
        .with_field("at_position"));
    }
    let cut = Cut {
        as_of: body.as_of,
        known_at: body.known_at,
        at_position: body.at_position,
    };
    let filter = Filter::parse(&body.area, &body.country, &body.status).map_err(|error| invalid(error.into()))?;
    let mut formats = Vec::new();
    for name in &body.format {
        let format = Format::parse(name, &snapshot::FORMATS).map_err(|error| invalid(error.into()))?;
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    if formats.is_empty() {
        formats = snapshot::FORMATS.to_vec();
    }
    let publication = match body.publication {
        Some(publication) => publication,
        None => PublicationId::new(api.app.service().new_id()).map_err(|error| problem::domain(&error))?,
    };
    let request = PublishRequest {
        publication,
        snapshot: SnapshotRequest { year, cut, filter },
        formats,
        title: body.title.unwrap_or_else(|| publication::default_title(year)),
        note: body.note,
        published_on: body.published_on.unwrap_or_else(|| api.app.service().today()),
    };
    let store = api.app.service().store();
    smes_read::publication::prepare(store.as_ref(), api.config.index_page, &request)
        .await
        .map_err(invalid)
}

fn timestamp(at: Timestamp) -> String {
    at.to_string()
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<Uuid>, Problem> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = |detail: String| {
        Problem::new(StatusCode::BAD_REQUEST, "invalid-header", "Invalid header", detail).with_field("Idempotency-Key")
    };
    if values.next().is_some() {
        return Err(invalid(
            "Idempotency-Key: given more than once; give one UUID".to_owned(),
        ));
    }
    let text = value
        .to_str()
        .map_err(|_| invalid("Idempotency-Key: not text; expected a UUID".to_owned()))?;
    Uuid::parse_str(text.trim()).map(Some).map_err(|_| {
        invalid(format!(
            "Idempotency-Key: {text:?} is not allowed; expected a UUID, such as 5e1a0000-0000-4000-8000-000000000101"
        ))
    })
}

/// An app error as a problem.
fn app_problem(error: smes_app::Error) -> Problem {
    use smes_app::Error as E;
    match &error {
        E::Domain(domain) => problem::domain(domain),
        E::CommandIdReused { .. } | E::CommandIdUsedForAnotherCommand { .. } => Problem::new(
            StatusCode::CONFLICT,
            "command-id-reused",
            "Command id reused",
            error.to_string(),
        )
        .with_field("Idempotency-Key"),
        E::TooManyConflicts { .. } => {
            Problem::new(StatusCode::CONFLICT, "busy-stream", "Busy stream", error.to_string())
        }
        E::InvalidCommand(detail) => Problem::invalid_command(detail.clone()),
        E::Store(smes_eventlog::Error::InvalidInput(input)) => {
            Problem::invalid_command(error.to_string()).with_field(input.field.clone())
        }
        _ => {
            crate::log_failure("command", &error);
            Problem::internal()
        }
    }
}
