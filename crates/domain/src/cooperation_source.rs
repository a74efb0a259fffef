//! The cooperation source aggregate: an international, regional, subregional, bilateral or
//! local funder, and the Secretariat's requests for assistance to it with their answers
//! (`cooperation-source-<uuid>`).

use jiff::civil::Date;

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::{ActivityId, AssistanceRequestId, CooperationSourceId, OfferId};
use crate::values::{AssistanceAnswer, CooperationSourceKind, Money, require_text};

/// Registers a cooperation source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterCooperationSource {
    /// The new source's id.
    pub cooperation_source: CooperationSourceId,
    /// Its name, such as "Development Bank of Latin America".
    pub name: String,
    /// Its reach.
    pub kind: CooperationSourceKind,
    /// When it was registered.
    pub registered_on: Date,
}

/// Records the Secretariat's request for assistance to a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAssistance {
    /// The source asked.
    pub cooperation_source: CooperationSourceId,
    /// The new request's id.
    pub request: AssistanceRequestId,
    /// What the assistance is for.
    pub purpose: String,
    /// The activity it would fund, if one.
    pub activity: Option<ActivityId>,
    /// The amount sought, if stated.
    pub amount_sought: Option<Money>,
    /// When it was sent.
    pub requested_on: Date,
}

/// Records a source's answer to a request for assistance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerAssistanceRequest {
    /// The source.
    pub cooperation_source: CooperationSourceId,
    /// The request answered.
    pub request: AssistanceRequestId,
    /// Granted, partly granted or declined.
    pub answer: AssistanceAnswer,
    /// The offer recorded as a result, if any.
    pub offer: Option<OfferId>,
    /// What the source said.
    pub note: String,
    /// When it answered.
    pub answered_on: Date,
}

/// Commands of the cooperation source aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CooperationSourceCommand {
    /// See [`RegisterCooperationSource`].
    Register(RegisterCooperationSource),
    /// See [`RequestAssistance`].
    RequestAssistance(RequestAssistance),
    /// See [`AnswerAssistanceRequest`].
    AnswerRequest(AnswerAssistanceRequest),
}

/// A cooperation source was registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CooperationSourceRegistered {
    /// The source.
    pub cooperation_source: CooperationSourceId,
    /// Its name.
    pub name: String,
    /// Its reach.
    pub kind: CooperationSourceKind,
    /// When.
    pub registered_on: Date,
}

/// The Secretariat asked a source for assistance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistanceRequested {
    /// The source.
    pub cooperation_source: CooperationSourceId,
    /// The request.
    pub request: AssistanceRequestId,
    /// What for.
    pub purpose: String,
    /// The activity it would fund, if one.
    pub activity: Option<ActivityId>,
    /// The amount sought, if stated.
    pub amount_sought: Option<Money>,
    /// When.
    pub requested_on: Date,
}

/// A source answered a request for assistance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistanceRequestAnswered {
    /// The source.
    pub cooperation_source: CooperationSourceId,
    /// The request.
    pub request: AssistanceRequestId,
    /// Granted, partly granted or declined.
    pub answer: AssistanceAnswer,
    /// The offer recorded as a result, if any.
    pub offer: Option<OfferId>,
    /// What the source said.
    pub note: String,
    /// When.
    pub answered_on: Date,
}

/// Events of the cooperation source aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CooperationSourceEvent {
    /// See [`CooperationSourceRegistered`].
    Registered(CooperationSourceRegistered),
    /// See [`AssistanceRequested`].
    AssistanceRequested(AssistanceRequested),
    /// See [`AssistanceRequestAnswered`].
    AssistanceRequestAnswered(AssistanceRequestAnswered),
}

/// A request for assistance as folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistanceRequestRecord {
    /// The request.
    pub request: AssistanceRequestId,
    /// When it was sent.
    pub requested_on: Date,
    /// The answer, once given.
    pub answer: Option<AssistanceAnswer>,
}

/// The folded state of one cooperation source stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CooperationSource {
    /// Its reach, once registered.
    pub kind: Option<CooperationSourceKind>,
    /// When it was registered.
    pub registered_on: Option<Date>,
    /// The requests for assistance, in order.
    pub requests: Vec<AssistanceRequestRecord>,
}

/// The cooperation source decider.
#[derive(Debug, Clone, Copy)]
pub struct CooperationSourceDecider;

fn require_registered(state: &CooperationSource, cooperation_source: CooperationSourceId) -> Result<()> {
    if state.kind.is_none() {
        return Err(DomainError::CooperationSourceNotRegistered { cooperation_source });
    }
    Ok(())
}

fn decide_answer(state: &CooperationSource, answer: &AnswerAssistanceRequest) -> Result<CooperationSourceEvent> {
    let cooperation_source = answer.cooperation_source;
    require_registered(state, cooperation_source)?;
    let request = state
        .requests
        .iter()
        .find(|request| request.request == answer.request)
        .ok_or(DomainError::AssistanceRequestNotFound {
            cooperation_source,
            request: answer.request,
        })?;
    if request.answer.is_some() {
        return Err(DomainError::AssistanceRequestAlreadyAnswered {
            cooperation_source,
            request: answer.request,
        });
    }
    if answer.answered_on < request.requested_on {
        return Err(DomainError::DateBeforeStart {
            what: "answer",
            date: answer.answered_on,
            record: format!("assistance request {}", answer.request),
            since: request.requested_on,
        });
    }
    require_text("answer note", &answer.note)?;
    Ok(CooperationSourceEvent::AssistanceRequestAnswered(
        AssistanceRequestAnswered {
            cooperation_source,
            request: answer.request,
            answer: answer.answer,
            offer: answer.offer,
            note: answer.note.clone(),
            answered_on: answer.answered_on,
        },
    ))
}

impl Decider for CooperationSourceDecider {
    type Id = CooperationSourceId;
    type State = CooperationSource;
    type Command = CooperationSourceCommand;
    type Event = CooperationSourceEvent;

    const STREAM_PREFIX: &'static str = "cooperation-source";

    fn target(command: &CooperationSourceCommand) -> CooperationSourceId {
        match command {
            CooperationSourceCommand::Register(command) => command.cooperation_source,
            CooperationSourceCommand::RequestAssistance(command) => command.cooperation_source,
            CooperationSourceCommand::AnswerRequest(command) => command.cooperation_source,
        }
    }

    fn decide(state: &CooperationSource, command: &CooperationSourceCommand) -> Result<Vec<CooperationSourceEvent>> {
        let event = match command {
            CooperationSourceCommand::Register(register) => {
                if state.kind.is_some() {
                    return Err(DomainError::CooperationSourceAlreadyRegistered {
                        cooperation_source: register.cooperation_source,
                    });
                }
                require_text("cooperation source name", &register.name)?;
                CooperationSourceEvent::Registered(CooperationSourceRegistered {
                    cooperation_source: register.cooperation_source,
                    name: register.name.clone(),
                    kind: register.kind,
                    registered_on: register.registered_on,
                })
            }
            CooperationSourceCommand::RequestAssistance(request) => {
                require_registered(state, request.cooperation_source)?;
                if state
                    .requests
                    .iter()
                    .any(|existing| existing.request == request.request)
                {
                    return Err(DomainError::AssistanceRequestAlreadyMade {
                        cooperation_source: request.cooperation_source,
                        request: request.request,
                    });
                }
                require_text("assistance purpose", &request.purpose)?;
                CooperationSourceEvent::AssistanceRequested(AssistanceRequested {
                    cooperation_source: request.cooperation_source,
                    request: request.request,
                    purpose: request.purpose.clone(),
                    activity: request.activity,
                    amount_sought: request.amount_sought.clone(),
                    requested_on: request.requested_on,
                })
            }
            CooperationSourceCommand::AnswerRequest(answer) => decide_answer(state, answer)?,
        };
        Ok(vec![event])
    }

    fn evolve(mut state: CooperationSource, event: &CooperationSourceEvent) -> CooperationSource {
        match event {
            CooperationSourceEvent::Registered(registered) => {
                state.kind = Some(registered.kind);
                state.registered_on = Some(registered.registered_on);
            }
            CooperationSourceEvent::AssistanceRequested(requested) => {
                state.requests.push(AssistanceRequestRecord {
                    request: requested.request,
                    requested_on: requested.requested_on,
                    answer: None,
                });
            }
            CooperationSourceEvent::AssistanceRequestAnswered(answered) => {
                if let Some(request) = state
                    .requests
                    .iter_mut()
                    .find(|request| request.request == answered.request)
                {
                    request.answer = Some(answered.answer);
                }
            }
        }
        state
    }
}

#[cfg(test)]
mod tests;
