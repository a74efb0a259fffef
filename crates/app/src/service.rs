//! The command service: load, fold, decide, append, retry.
//!
//! One generic path serves every aggregate of the domain: [`CommandService::execute`] reads
//! the command's stream, folds it with the decider's `evolve`, calls `decide`, encodes the
//! events into their stored shapes and appends them with the stream version it loaded as the
//! expected version. A version conflict means another command changed the stream in between:
//! the service reloads and decides again, a bounded number of times. Nothing here serialises
//! commands: concurrent calls run side by side and the store's single writer commits whatever
//! is queued together (group commit), each append keeping its own version check.

use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::Value;
use smes_domain::stored::{self, StoredEvent};
use smes_domain::{Decider, OccurredOn};
use smes_eventlog::{
    AppendOutcome, AppendRequest, Clock, EventStore, ExpectedVersion, IdSource, Metadata, NewEvent, RecordedEvent,
    StreamName,
};
use uuid::Uuid;

use crate::error::{Error, Result};

/// How many times a command is decided before the service gives up on a busy stream.
pub const DEFAULT_MAX_ATTEMPTS: usize = 10;

/// Rows read per page when a stream is loaded.
const LOAD_PAGE: usize = 1_000;

/// Where a command came from; stored in every event's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A `smes` subcommand.
    Cli,
    /// A line of a `smes import` file.
    Import,
    /// The HTTP API.
    Http,
    /// `smes demo`.
    Demo,
}

impl Source {
    /// The text stored in metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Cli => "cli",
            Source::Import => "import",
            Source::Http => "http",
            Source::Demo => "demo",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Who issues a command, under which id, and why: everything the log records besides the
/// events themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandContext {
    /// The actor's pseudonymous id (never a name: names live sealed in the key store).
    pub actor: String,
    /// The actor's role, such as `secretariat`.
    pub role: String,
    /// Where the command came from.
    pub source: Source,
    /// The command's id: a command that already committed under this id is not applied again.
    pub command_id: Option<Uuid>,
    /// Groups the commands of one piece of work.
    pub correlation_id: Option<Uuid>,
    /// The command or event that caused this one.
    pub causation_id: Option<Uuid>,
    /// Why, where a decision was made.
    pub reason: Option<String>,
    /// The caller's business date for the command: the date a fact whose command may leave its
    /// date out is filed under (an indicator defined, an activity rescheduled, a request
    /// linked, a Member State's change whose date no source gives) instead of the day it is
    /// recorded. Every other event's date is its own (`smes_domain::OccurredOn`).
    pub business_date: Option<Date>,
    /// The digest of the command as its caller sent it ([`crate::command_digest`]), set by
    /// [`crate::App::run`]: stored with the command id, it binds the id to the command.
    pub command_digest: Option<[u8; 32]>,
}

impl CommandContext {
    /// A context with an actor, a role and a source, and nothing else.
    pub fn new(actor: impl Into<String>, role: impl Into<String>, source: Source) -> Self {
        CommandContext {
            actor: actor.into(),
            role: role.into(),
            source,
            command_id: None,
            correlation_id: None,
            causation_id: None,
            reason: None,
            business_date: None,
            command_digest: None,
        }
    }

    /// The same context under another command id.
    pub fn with_command_id(mut self, command_id: Uuid) -> Self {
        self.command_id = Some(command_id);
        self
    }

    /// The same context bound to the digest of its command.
    pub fn with_command_digest(mut self, digest: [u8; 32]) -> Self {
        self.command_digest = Some(digest);
        self
    }

    /// The metadata every event of the append carries.
    pub fn metadata(&self) -> Metadata {
        Metadata {
            actor: self.actor.clone(),
            role: self.role.clone(),
            command_id: self.command_id,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            reason: self.reason.clone(),
            source: self.source.as_str().to_owned(),
        }
    }
}

/// What executing a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    /// The stream the command was for.
    pub stream: String,
    /// What the append wrote, or what the first append under the same command id wrote.
    pub outcome: AppendOutcome,
    /// True when the command id had already been applied and nothing new was written.
    pub already_applied: bool,
    /// The stored names of the events written (empty when already applied).
    pub event_types: Vec<&'static str>,
    /// How many times the command was decided (more than one after version conflicts).
    pub attempts: usize,
}

/// A stream folded into its aggregate's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded<S> {
    /// The state after every event.
    pub state: S,
    /// The stream's version: 0 when it has no events.
    pub version: u64,
    /// The business time of the last event, if any.
    pub last_occurred_at: Option<Timestamp>,
}

/// Runs domain commands against an event store.
///
/// Cheap to clone; clones share the store, the clock and the id source. The clock gives the
/// business time of events whose payload and context carry no date, and "today" for callers;
/// the id source gives new ids for records a caller did not name.
#[derive(Clone)]
pub struct CommandService {
    store: Arc<dyn EventStore>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    max_attempts: usize,
}

impl fmt::Debug for CommandService {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("CommandService")
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

impl CommandService {
    /// A service over `store`, with an injected clock and id source.
    pub fn new(store: Arc<dyn EventStore>, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Self {
        CommandService {
            store,
            clock,
            ids,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// The same service, deciding a command at most `attempts` times (at least once).
    pub fn with_max_attempts(mut self, attempts: usize) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The event store.
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// A new id from the injected id source.
    pub fn new_id(&self) -> Uuid {
        self.ids.next_id()
    }

    /// Today's date (UTC) by the injected clock.
    pub fn today(&self) -> Date {
        TimeZone::UTC.to_datetime(self.clock.now()).date()
    }

    /// Reads and folds the stream of one aggregate instance.
    pub async fn load<D>(&self, id: &D::Id) -> Result<Loaded<D::State>>
    where
        D: Decider,
        D::Event: StoredEvent,
    {
        let stream = StreamName::new(D::stream_name(id)).map_err(smes_eventlog::Error::from)?;
        self.load_stream::<D>(&stream).await
    }

    /// Reads and folds a stream, page by page.
    pub async fn load_stream<D>(&self, stream: &StreamName) -> Result<Loaded<D::State>>
    where
        D: Decider,
        D::Event: StoredEvent,
    {
        let mut loaded = Loaded {
            state: D::initial(),
            version: 0,
            last_occurred_at: None,
        };
        loop {
            let page = self.store.read_stream(stream, loaded.version + 1, LOAD_PAGE).await?;
            for recorded in &page {
                let event: D::Event = decode_recorded(recorded)?;
                loaded.state = D::evolve(loaded.state, &event);
                loaded.version = recorded.version;
                loaded.last_occurred_at = Some(recorded.occurred_at);
            }
            if page.len() < LOAD_PAGE {
                return Ok(loaded);
            }
        }
    }

    /// Executes one command: load, fold, decide, append with the loaded version, and on a
    /// version conflict reload and decide again (at most [`DEFAULT_MAX_ATTEMPTS`] times unless
    /// set otherwise). A command whose id already committed returns that earlier outcome,
    /// without deciding again, so a retried command is applied once.
    pub async fn execute<D>(&self, context: &CommandContext, command: &D::Command) -> Result<Executed>
    where
        D: Decider,
        D::Event: StoredEvent + OccurredOn,
    {
        // The metadata's free text is held to the same rule as the command's own text.
        smes_domain::values::refuse_control_characters("actor", &context.actor)?;
        if let Some(reason) = &context.reason {
            smes_domain::values::refuse_control_characters("why", reason)?;
        }
        let stream = StreamName::new(D::stream_name(&D::target(command))).map_err(smes_eventlog::Error::from)?;
        // A command id already applied is recognised by the store when the same events come
        // again (the append is replayed), and looked up here when deciding again gives an error
        // (the state now reflects the command) or other events: no look-up on the common path.
        for attempt in 1..=self.max_attempts {
            let loaded = self.load_stream::<D>(&stream).await?;
            let events = match D::decide(&loaded.state, command) {
                Ok(events) => events,
                Err(error) => {
                    if let Some(executed) = self.earlier_outcome(context, &stream).await? {
                        return Ok(executed);
                    }
                    return Err(error.into());
                }
            };
            let (event_types, new_events) = self.encode_events::<D>(context, &events);
            if new_events.is_empty() {
                if let Some(executed) = self.earlier_outcome(context, &stream).await? {
                    return Ok(executed);
                }
                // A decision with nothing to record: nothing to append, nothing changed.
                return Ok(Executed {
                    stream: stream.to_string(),
                    outcome: AppendOutcome {
                        stream: stream.to_string(),
                        first_position: 0,
                        last_position: 0,
                        first_version: loaded.version,
                        last_version: loaded.version,
                        recorded_at: self.clock.now(),
                        replayed: false,
                    },
                    already_applied: false,
                    event_types,
                    attempts: attempt,
                });
            }
            let mut request = AppendRequest::new(
                stream.clone(),
                ExpectedVersion::Exact(loaded.version),
                new_events,
                context.metadata(),
            );
            if let Some(digest) = context.command_digest {
                request = request.with_command_digest(digest);
            }
            match self.store.append(request).await {
                Ok(outcome) => {
                    let already_applied = outcome.replayed;
                    return Ok(Executed {
                        stream: stream.to_string(),
                        outcome,
                        already_applied,
                        event_types: if already_applied { Vec::new() } else { event_types },
                        attempts: attempt,
                    });
                }
                Err(error) if error.is_version_conflict() => continue,
                Err(smes_eventlog::Error::InvalidInput(input)) => return Err(Error::not_recordable(&input)),
                Err(smes_eventlog::Error::CommandIdReused {
                    command_id,
                    stream: applied_to,
                }) => {
                    // Another caller committed this command id first. Bound to the same command,
                    // the store replays it; bound to another, it is refused here. Under the
                    // earlier rule (an entry or a request without a command digest) it is the
                    // same command when it went to the same stream: the events may differ only
                    // in their sealed (randomly encrypted) parts.
                    if let Some(executed) = self.earlier_outcome(context, &stream).await? {
                        return Ok(executed);
                    }
                    return Err(Error::CommandIdReused {
                        command_id,
                        applied_to,
                        requested: stream.to_string(),
                    });
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(Error::TooManyConflicts {
            stream: stream.to_string(),
            attempts: self.max_attempts,
        })
    }

    /// What the command id of `context` already did, before anything is decided or sealed:
    /// the earlier outcome when the id is bound to this very command (a retry), a refusal when
    /// it is bound to another, and `None` when the id is new, or recorded before ids were bound
    /// (the earlier rule then applies once the command's stream is known).
    pub async fn recorded(&self, context: &CommandContext) -> Result<Option<Executed>> {
        let (Some(command_id), Some(digest)) = (context.command_id, context.command_digest) else {
            return Ok(None);
        };
        let Some(record) = self.store.command_record(command_id).await? else {
            return Ok(None);
        };
        match record.command_digest {
            None => Ok(None),
            Some(recorded) if recorded == digest => Ok(Some(replayed(record.outcome))),
            Some(_) => Err(Error::CommandIdUsedForAnotherCommand {
                command_id,
                applied_to: record.outcome.stream,
            }),
        }
    }

    async fn earlier_outcome(&self, context: &CommandContext, stream: &StreamName) -> Result<Option<Executed>> {
        let Some(command_id) = context.command_id else {
            return Ok(None);
        };
        let Some(record) = self.store.command_record(command_id).await? else {
            return Ok(None);
        };
        if let (Some(digest), Some(recorded)) = (context.command_digest, record.command_digest) {
            if digest != recorded {
                return Err(Error::CommandIdUsedForAnotherCommand {
                    command_id,
                    applied_to: record.outcome.stream,
                });
            }
            return Ok(Some(replayed(record.outcome)));
        }
        if record.outcome.stream != stream.as_str() {
            return Err(Error::CommandIdReused {
                command_id,
                applied_to: record.outcome.stream,
                requested: stream.to_string(),
            });
        }
        Ok(Some(replayed(record.outcome)))
    }

    fn encode_events<D>(&self, context: &CommandContext, events: &[D::Event]) -> (Vec<&'static str>, Vec<NewEvent>)
    where
        D: Decider,
        D::Event: StoredEvent + OccurredOn,
    {
        let mut previous: Option<Timestamp> = None;
        let mut types = Vec::with_capacity(events.len());
        let mut new_events = Vec::with_capacity(events.len());
        for event in events {
            let (event_type, schema_version, payload) = stored::encode(event);
            // An event without a date of its own happens with the one before it; only a Member
            // State's change of unknown date comes first without one.
            let occurred_at = event
                .occurred_on()
                .and_then(start_of_day)
                .or(previous)
                .or_else(|| context.business_date.and_then(start_of_day))
                .or_else(|| start_of_day(self.today()))
                .unwrap_or_else(|| self.clock.now());
            previous = Some(occurred_at);
            // serde_json writes a Value's object keys in sorted order: the canonical payload.
            let text = serde_json::to_string(&payload).expect("a JSON value always serialises");
            types.push(event_type);
            new_events.push(NewEvent::new(event_type, schema_version, text, occurred_at));
        }
        (types, new_events)
    }
}

/// What answering a retried command with its first outcome reports.
fn replayed(outcome: AppendOutcome) -> Executed {
    Executed {
        stream: outcome.stream.clone(),
        outcome,
        already_applied: true,
        event_types: Vec::new(),
        attempts: 0,
    }
}

/// Decodes a recorded event into a domain event of type `E`.
pub fn decode_recorded<E: StoredEvent>(recorded: &RecordedEvent) -> Result<E> {
    let payload: Value = serde_json::from_str(recorded.payload.get()).map_err(|error| {
        Error::Store(smes_eventlog::Error::Payload {
            position: recorded.position,
            event_type: recorded.event_type.clone(),
            detail: error.to_string(),
        })
    })?;
    stored::decode(
        &recorded.event_type,
        recorded.schema_version,
        &payload,
        stored_on(recorded),
    )
    .map_err(|source| Error::Decode {
        stream: recorded.stream.clone(),
        version: recorded.version,
        source,
    })
}

fn start_of_day(date: Date) -> Option<Timestamp> {
    TimeZone::UTC.to_timestamp(date.at(0, 0, 0, 0)).ok()
}

/// The business date an event was filed under (its record's `occurred_at`, a day's start in UTC).
pub fn stored_on(recorded: &RecordedEvent) -> Date {
    TimeZone::UTC.to_datetime(recorded.occurred_at).date()
}
