//! The cooperation source aggregate: an international, regional, subregional, bilateral or
//! local funder, and the Secretariat's requests for assistance to it with their answers
//! (`cooperation-source-<uuid>`).
//!
//! An organisation is registered once: when it is also a counterpart, its counterpart
//! registration is the organisation and this stream is its cooperation-source role. The role is
//! tied to the counterpart when the source is registered (`counterpart`) or, for an organisation
//! registered twice before roles were tied, by a later link; a link is never undone silently.
//! Whether a counterpart already holds the role lives in other streams, so the app looks it up
//! and passes it in ([`CounterpartOrganisation`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::{ActivityId, AssistanceRequestId, CooperationSourceId, CounterpartId, OfferId};
use crate::values::{AssistanceAnswer, CooperationSourceKind, MemberStateCode, Money, require_text};

/// The command kind of a registration, as refusals name it.
const REGISTER: &str = "register-cooperation-source";

/// A counterpart whose organisation takes the cooperation-source role, as the app found it in
/// the log: the look-up a registration naming a counterpart, and a link, are decided with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterpartOrganisation {
    pub counterpart: CounterpartId,
    /// Its current name.
    pub name: String,
    /// The cooperation source that already holds the counterpart's cooperation-source role, if
    /// one does.
    pub cooperation_source: Option<CooperationSourceId>,
}

/// Registers a cooperation source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterCooperationSource {
    /// The new source's id.
    pub cooperation_source: CooperationSourceId,
    /// Its name, such as "Development Bank of Latin America". May be left out when the source
    /// is a counterpart's organisation: the counterpart's name is then taken; given, it must be
    /// the counterpart's name.
    pub name: Option<String>,
    /// Its reach.
    pub kind: CooperationSourceKind,
    /// The country it belongs to, any ISO 3166-1 country (not only Member States), or none.
    pub country: Option<MemberStateCode>,
    /// Look-up: the counterpart whose organisation this source is, when the caller named one.
    pub counterpart: Option<CounterpartOrganisation>,
    /// When it was registered.
    pub registered_on: Date,
}

/// Ties a cooperation source registered on its own to the counterpart registration of the same
/// organisation (for logs that hold both registrations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkToCounterpart {
    /// The source.
    pub cooperation_source: CooperationSourceId,
    /// Look-up: the counterpart, with the source that already holds its role, if any.
    pub counterpart: CounterpartOrganisation,
    /// From when the two are known to be one organisation.
    pub linked_on: Date,
    /// Why they are one organisation, if said.
    pub reason: Option<String>,
}

/// Records the Secretariat's request for assistance to a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestAssistance {
    /// The source asked.
    pub cooperation_source: CooperationSourceId,
    /// The new request's id.
    pub request: AssistanceRequestId,
    /// What the assistance is for.
    pub purpose: String,
    /// The activity it would fund, if one.
    #[serde(default)]
    pub activity: Option<ActivityId>,
    /// The amount sought, if stated.
    #[serde(default)]
    pub amount_sought: Option<Money>,
    /// When it was sent.
    pub requested_on: Date,
}

/// Records a source's answer to a request for assistance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerAssistanceRequest {
    /// The source.
    pub cooperation_source: CooperationSourceId,
    /// The request answered.
    pub request: AssistanceRequestId,
    /// Granted, partly granted or declined.
    pub answer: AssistanceAnswer,
    /// The offer recorded as a result, if any.
    #[serde(default)]
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
    /// See [`LinkToCounterpart`].
    LinkToCounterpart(LinkToCounterpart),
}

/// A cooperation source was registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CooperationSourceRegistered {
    /// The source.
    pub cooperation_source: CooperationSourceId,
    pub name: String,
    /// Its reach.
    pub kind: CooperationSourceKind,
    /// The country it belongs to, if any.
    pub country: Option<MemberStateCode>,
    /// The counterpart whose organisation it is, if it was registered as one.
    pub counterpart: Option<CounterpartId>,
    /// When.
    pub registered_on: Date,
}

/// A cooperation source was found to be the same organisation as a counterpart: from now on
/// the counterpart registration is the organisation and the source its cooperation-source role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CooperationSourceLinkedToCounterpart {
    /// The source.
    pub cooperation_source: CooperationSourceId,
    pub counterpart: CounterpartId,
    /// When.
    pub linked_on: Date,
    /// Why, if said.
    pub reason: Option<String>,
}

/// The Secretariat asked a source for assistance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistanceRequested {
    /// The source.
    pub cooperation_source: CooperationSourceId,
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
    /// See [`CooperationSourceLinkedToCounterpart`].
    LinkedToCounterpart(CooperationSourceLinkedToCounterpart),
}

impl CooperationSourceEvent {
    /// The source the event belongs to.
    pub fn cooperation_source(&self) -> CooperationSourceId {
        match self {
            CooperationSourceEvent::Registered(event) => event.cooperation_source,
            CooperationSourceEvent::AssistanceRequested(event) => event.cooperation_source,
            CooperationSourceEvent::AssistanceRequestAnswered(event) => event.cooperation_source,
            CooperationSourceEvent::LinkedToCounterpart(event) => event.cooperation_source,
        }
    }

    /// The counterpart whose organisation the source is, when this event ties them.
    pub fn counterpart(&self) -> Option<CounterpartId> {
        match self {
            CooperationSourceEvent::Registered(registered) => registered.counterpart,
            CooperationSourceEvent::LinkedToCounterpart(linked) => Some(linked.counterpart),
            CooperationSourceEvent::AssistanceRequested(_) | CooperationSourceEvent::AssistanceRequestAnswered(_) => {
                None
            }
        }
    }
}

/// A request for assistance as folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistanceRequestRecord {
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
    /// The counterpart whose organisation it is, once tied to one.
    pub counterpart: Option<CounterpartId>,
    /// The requests for assistance, in order.
    pub requests: Vec<AssistanceRequestRecord>,
}

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

/// A counterpart's organisation may hold one cooperation-source role: refused when another
/// source (or this one) already holds it.
fn require_role_free(organisation: &CounterpartOrganisation) -> Result<()> {
    match organisation.cooperation_source {
        Some(cooperation_source) => Err(DomainError::CounterpartAlreadyCooperationSource {
            counterpart: organisation.counterpart,
            cooperation_source,
        }),
        None => Ok(()),
    }
}

fn decide_register(state: &CooperationSource, register: &RegisterCooperationSource) -> Result<CooperationSourceEvent> {
    if state.kind.is_some() {
        return Err(DomainError::CooperationSourceAlreadyRegistered {
            cooperation_source: register.cooperation_source,
        });
    }
    let name = match (&register.name, &register.counterpart) {
        (Some(name), Some(organisation)) if *name != organisation.name => {
            return Err(DomainError::OrganisationNameDiffers {
                command: REGISTER,
                counterpart: organisation.counterpart,
                given: name.clone(),
                registered: organisation.name.clone(),
            });
        }
        (Some(name), _) => name.clone(),
        (None, Some(organisation)) => organisation.name.clone(),
        (None, None) => {
            return Err(DomainError::InvalidValue {
                field: "name",
                value: String::new(),
                reason: format!(
                    "{REGISTER} needs a name unless it names a counterpart, whose name is then the source's"
                ),
            });
        }
    };
    require_text("cooperation source name", &name)?;
    if let Some(country) = register.country {
        country.require_iso_3166(REGISTER, "country")?;
    }
    if let Some(organisation) = &register.counterpart {
        require_role_free(organisation)?;
    }
    Ok(CooperationSourceEvent::Registered(CooperationSourceRegistered {
        cooperation_source: register.cooperation_source,
        name,
        kind: register.kind,
        country: register.country,
        counterpart: register
            .counterpart
            .as_ref()
            .map(|organisation| organisation.counterpart),
        registered_on: register.registered_on,
    }))
}

fn decide_link(state: &CooperationSource, link: &LinkToCounterpart) -> Result<CooperationSourceEvent> {
    let cooperation_source = link.cooperation_source;
    require_registered(state, cooperation_source)?;
    if let Some(counterpart) = state.counterpart {
        return Err(DomainError::CooperationSourceAlreadyLinked {
            cooperation_source,
            counterpart,
        });
    }
    if let Some(registered_on) = state.registered_on
        && link.linked_on < registered_on
    {
        return Err(DomainError::DateBeforeStart {
            what: "link to a counterpart",
            date: link.linked_on,
            record: format!("cooperation source {cooperation_source}"),
            since: registered_on,
        });
    }
    require_role_free(&link.counterpart)?;
    if let Some(reason) = &link.reason {
        require_text("link reason", reason)?;
    }
    Ok(CooperationSourceEvent::LinkedToCounterpart(
        CooperationSourceLinkedToCounterpart {
            cooperation_source,
            counterpart: link.counterpart.counterpart,
            linked_on: link.linked_on,
            reason: link.reason.clone(),
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
            CooperationSourceCommand::LinkToCounterpart(command) => command.cooperation_source,
        }
    }

    fn decide(state: &CooperationSource, command: &CooperationSourceCommand) -> Result<Vec<CooperationSourceEvent>> {
        let event = match command {
            CooperationSourceCommand::Register(register) => decide_register(state, register)?,
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
            CooperationSourceCommand::LinkToCounterpart(link) => decide_link(state, link)?,
        };
        Ok(vec![event])
    }

    fn evolve(mut state: CooperationSource, event: &CooperationSourceEvent) -> CooperationSource {
        match event {
            CooperationSourceEvent::Registered(registered) => {
                state.kind = Some(registered.kind);
                state.registered_on = Some(registered.registered_on);
                state.counterpart = registered.counterpart;
            }
            CooperationSourceEvent::LinkedToCounterpart(linked) => {
                state.counterpart.get_or_insert(linked.counterpart);
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
