//! The request aggregate: a national or subregional request for support, from one Member
//! State, a group of them, or a subregional body such as CARICOM (`request-<uuid>`). A request
//! can lead to needs and activities, which are linked to it as they arise.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::{ActivityId, NeedId, RequestId};
use crate::membership::MembershipHistory;
use crate::values::{MemberStateCode, ThematicArea, require_distinct, require_non_empty, require_text};

/// Who asks for support.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "party", rename_all = "kebab-case")]
pub enum RequestingParty {
    /// One Member State.
    MemberState {
        /// The state.
        member_state: MemberStateCode,
    },
    /// Several Member States together.
    GroupOfMemberStates {
        /// The states, at least two.
        member_states: Vec<MemberStateCode>,
    },
    /// A subregional body on behalf of its members.
    SubregionalBody {
        /// Its name, such as "CARICOM".
        name: String,
        /// The Member States concerned.
        member_states: Vec<MemberStateCode>,
    },
}

impl RequestingParty {
    /// Checks that a group names at least two distinct states and a body is named with at
    /// least one state.
    pub fn validate(&self) -> Result<()> {
        match self {
            RequestingParty::MemberState { .. } => Ok(()),
            RequestingParty::GroupOfMemberStates { member_states } => {
                require_distinct("requesting member states", member_states)?;
                if member_states.len() < 2 {
                    return Err(DomainError::InvalidValue {
                        field: "requesting member states",
                        value: member_states.len().to_string(),
                        reason: "a group names at least two Member States".to_owned(),
                    });
                }
                Ok(())
            }
            RequestingParty::SubregionalBody { name, member_states } => {
                require_text("subregional body name", name)?;
                require_non_empty("requesting member states", member_states)?;
                require_distinct("requesting member states", member_states)
            }
        }
    }
}

impl RequestingParty {
    /// The Member States that ask.
    pub fn member_states(&self) -> &[MemberStateCode] {
        match self {
            RequestingParty::MemberState { member_state } => std::slice::from_ref(member_state),
            RequestingParty::GroupOfMemberStates { member_states }
            | RequestingParty::SubregionalBody { member_states, .. } => member_states,
        }
    }

    /// Checks that every state that asks was a Member State on `day`.
    fn require_members(&self, membership: &MembershipHistory, day: Date) -> Result<()> {
        let field = match self {
            RequestingParty::MemberState { .. } => "from.member_state",
            _ => "from.member_states",
        };
        membership.require_members("receive-request", field, self.member_states(), day)
    }
}

/// What a request leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "follow_up", content = "id", rename_all = "kebab-case")]
pub enum RequestFollowUp {
    /// A need identified in a consultation.
    Need(NeedId),
    /// An activity proposed.
    Activity(ActivityId),
}

/// Records a request for support received by the Secretariat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiveRequest {
    /// The new request's id.
    pub request: RequestId,
    /// Who asks.
    pub from: RequestingParty,
    /// The thematic area concerned.
    pub thematic_area: ThematicArea,
    /// What is asked for.
    pub description: String,
    /// When it was received.
    pub received_on: Date,
    /// Look-up: the log's membership history; each requesting state must be a Member State
    /// on the day the request was received.
    #[serde(skip)]
    pub membership: MembershipHistory,
}

/// Links a request to a need or activity it led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRequest {
    pub request: RequestId,
    /// The need or activity.
    pub follow_up: RequestFollowUp,
    /// When the link was made (the app gives the day it is recorded unless told).
    pub linked_on: Date,
}

/// Closes a request, answered or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    pub request: RequestId,
    /// How it ended, such as "answered by the 2013 guarantee systems seminar".
    pub outcome: String,
    /// When.
    pub closed_on: Date,
}

/// Commands of the request aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestCommand {
    /// See [`ReceiveRequest`].
    Receive(ReceiveRequest),
    /// See [`LinkRequest`].
    Link(LinkRequest),
    /// See [`CloseRequest`].
    Close(CloseRequest),
}

/// A request for support was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestReceived {
    pub request: RequestId,
    /// Who asks.
    pub from: RequestingParty,
    /// The thematic area concerned.
    pub thematic_area: ThematicArea,
    /// What is asked for.
    pub description: String,
    /// When.
    pub received_on: Date,
}

/// A request led to a need or an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLinked {
    pub request: RequestId,
    /// The need or activity.
    pub follow_up: RequestFollowUp,
    /// When.
    pub linked_on: Date,
}

/// A request was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestClosed {
    pub request: RequestId,
    /// How it ended.
    pub outcome: String,
    /// When.
    pub closed_on: Date,
}

/// Events of the request aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestEvent {
    /// See [`RequestReceived`].
    Received(RequestReceived),
    /// See [`RequestLinked`].
    Linked(RequestLinked),
    /// See [`RequestClosed`].
    Closed(RequestClosed),
}

/// The folded state of one request stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// When it was received, once received.
    pub received_on: Option<Date>,
    /// What it led to, in order.
    pub follow_ups: Vec<RequestFollowUp>,
    /// When it was closed, if it was.
    pub closed_on: Option<Date>,
}

#[derive(Debug, Clone, Copy)]
pub struct RequestDecider;

/// The date a request was received, if it is received and not closed.
fn open_request(state: &Request, request: RequestId) -> Result<Date> {
    let received_on = state.received_on.ok_or(DomainError::RequestNotReceived { request })?;
    if state.closed_on.is_some() {
        return Err(DomainError::RequestClosed { request });
    }
    Ok(received_on)
}

impl Decider for RequestDecider {
    type Id = RequestId;
    type State = Request;
    type Command = RequestCommand;
    type Event = RequestEvent;

    const STREAM_PREFIX: &'static str = "request";

    fn target(command: &RequestCommand) -> RequestId {
        match command {
            RequestCommand::Receive(command) => command.request,
            RequestCommand::Link(command) => command.request,
            RequestCommand::Close(command) => command.request,
        }
    }

    fn decide(state: &Request, command: &RequestCommand) -> Result<Vec<RequestEvent>> {
        let event = match command {
            RequestCommand::Receive(receive) => {
                if state.received_on.is_some() {
                    return Err(DomainError::RequestAlreadyReceived {
                        request: receive.request,
                    });
                }
                receive.from.validate()?;
                receive.from.require_members(&receive.membership, receive.received_on)?;
                require_text("request description", &receive.description)?;
                RequestEvent::Received(RequestReceived {
                    request: receive.request,
                    from: receive.from.clone(),
                    thematic_area: receive.thematic_area,
                    description: receive.description.clone(),
                    received_on: receive.received_on,
                })
            }
            RequestCommand::Link(link) => {
                let received_on = open_request(state, link.request)?;
                if link.linked_on < received_on {
                    return Err(DomainError::DateBeforeStart {
                        what: "link",
                        date: link.linked_on,
                        record: format!("request {}", link.request),
                        since: received_on,
                    });
                }
                if state.follow_ups.contains(&link.follow_up) {
                    return Err(DomainError::DuplicateEntry {
                        field: "request follow-ups",
                        value: format!("{:?}", link.follow_up),
                    });
                }
                RequestEvent::Linked(RequestLinked {
                    request: link.request,
                    follow_up: link.follow_up,
                    linked_on: link.linked_on,
                })
            }
            RequestCommand::Close(close) => {
                let received_on = open_request(state, close.request)?;
                require_text("request outcome", &close.outcome)?;
                if close.closed_on < received_on {
                    return Err(DomainError::DateBeforeStart {
                        what: "closing",
                        date: close.closed_on,
                        record: format!("request {}", close.request),
                        since: received_on,
                    });
                }
                RequestEvent::Closed(RequestClosed {
                    request: close.request,
                    outcome: close.outcome.clone(),
                    closed_on: close.closed_on,
                })
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: Request, event: &RequestEvent) -> Request {
        match event {
            RequestEvent::Received(received) => state.received_on = Some(received.received_on),
            RequestEvent::Linked(linked) => {
                if !state.follow_ups.contains(&linked.follow_up) {
                    state.follow_ups.push(linked.follow_up);
                }
            }
            RequestEvent::Closed(closed) => state.closed_on = Some(closed.closed_on),
        }
        state
    }
}

#[cfg(test)]
mod tests;
