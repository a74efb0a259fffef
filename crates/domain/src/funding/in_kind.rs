//! The in-kind contribution aggregate: a valued, non-cash input to an activity, usually the
//! venue and local costs given by the host Member State, or by an organisation: a counterpart
//! or a cooperation source (`in-kind-contribution-<uuid>`).

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::{ActivityId, ContributionId, CooperationSourceId, CounterpartId};
use crate::membership::MembershipHistory;
use crate::values::{Correction, MemberStateCode, Money, require_text};

/// Who gives an in-kind contribution: a Member State (usually the host) or an organisation in
/// one of its roles, such as a national development bank that lends its venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "contributor", rename_all = "kebab-case", deny_unknown_fields)]
pub enum InKindContributor {
    MemberState {
        /// Its code.
        member_state: MemberStateCode,
    },
    /// An organisation in its counterpart role.
    Counterpart {
        /// The counterpart.
        id: CounterpartId,
    },
    /// An organisation in its cooperation source role.
    CooperationSource {
        /// The cooperation source.
        id: CooperationSourceId,
    },
}

impl fmt::Display for InKindContributor {
    /// The Member State's code, or the organisation's role and id.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InKindContributor::MemberState { member_state } => formatter.write_str(member_state.as_str()),
            InKindContributor::Counterpart { id } => write!(formatter, "counterpart {id}"),
            InKindContributor::CooperationSource { id } => write!(formatter, "cooperation source {id}"),
        }
    }
}

/// Values an in-kind contribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueInKindContribution {
    /// The new contribution's id.
    pub contribution: ContributionId,
    /// The activity it supports.
    pub activity: ActivityId,
    /// Who gives it: a Member State, usually the host, or an organisation.
    pub contributor: InKindContributor,
    /// What is given, such as "conference venue and interpretation".
    pub what: String,
    pub value: Money,
    /// When it was valued.
    pub valued_on: Date,
    /// Look-up: the log's membership history; a Member State that gives must be one on the
    /// day the contribution was valued.
    pub membership: MembershipHistory,
}

/// Corrects the value of an in-kind contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevalueInKindContribution {
    pub contribution: ContributionId,
    /// The corrected value.
    pub value: Money,
    /// Which event is corrected, why, and from when.
    pub correction: Correction,
}

/// Commands of the in-kind contribution aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InKindContributionCommand {
    /// See [`ValueInKindContribution`].
    Value(ValueInKindContribution),
    /// See [`RevalueInKindContribution`].
    Revalue(RevalueInKindContribution),
}

/// An in-kind contribution was valued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InKindContributionValued {
    pub contribution: ContributionId,
    /// The activity it supports.
    pub activity: ActivityId,
    /// Who gives it: a Member State or an organisation.
    pub contributor: InKindContributor,
    /// What is given.
    pub what: String,
    pub value: Money,
    /// When it was valued.
    pub valued_on: Date,
}

/// The value of an in-kind contribution was corrected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InKindContributionRevalued {
    pub contribution: ContributionId,
    /// The corrected value.
    pub value: Money,
    /// What was corrected, why, and from when.
    pub correction: Correction,
}

/// Events of the in-kind contribution aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InKindContributionEvent {
    /// See [`InKindContributionValued`].
    Valued(InKindContributionValued),
    /// See [`InKindContributionRevalued`].
    Revalued(InKindContributionRevalued),
}

/// The folded state of one in-kind contribution stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InKindContribution {
    /// The activity supported, once valued.
    pub activity: Option<ActivityId>,
    /// The current value, once valued.
    pub value: Option<Money>,
}

#[derive(Debug, Clone, Copy)]
pub struct InKindContributionDecider;

impl Decider for InKindContributionDecider {
    type Id = ContributionId;
    type State = InKindContribution;
    type Command = InKindContributionCommand;
    type Event = InKindContributionEvent;

    const STREAM_PREFIX: &'static str = "in-kind-contribution";

    fn target(command: &InKindContributionCommand) -> ContributionId {
        match command {
            InKindContributionCommand::Value(command) => command.contribution,
            InKindContributionCommand::Revalue(command) => command.contribution,
        }
    }

    fn decide(state: &InKindContribution, command: &InKindContributionCommand) -> Result<Vec<InKindContributionEvent>> {
        let event = match command {
            InKindContributionCommand::Value(value) => {
                if state.value.is_some() {
                    return Err(DomainError::ContributionAlreadyValued {
                        contribution: value.contribution,
                    });
                }
                require_text("in-kind contribution description", &value.what)?;
                if let InKindContributor::MemberState { member_state } = value.contributor {
                    value.membership.require_member(
                        "value-in-kind-contribution",
                        "contributor.member_state",
                        member_state,
                        value.valued_on,
                    )?;
                }
                InKindContributionEvent::Valued(InKindContributionValued {
                    contribution: value.contribution,
                    activity: value.activity,
                    contributor: value.contributor,
                    what: value.what.clone(),
                    value: value.value.clone(),
                    valued_on: value.valued_on,
                })
            }
            InKindContributionCommand::Revalue(revalue) => {
                if state.value.is_none() {
                    return Err(DomainError::ContributionNotValued {
                        contribution: revalue.contribution,
                    });
                }
                revalue.correction.validate()?;
                InKindContributionEvent::Revalued(InKindContributionRevalued {
                    contribution: revalue.contribution,
                    value: revalue.value.clone(),
                    correction: revalue.correction.clone(),
                })
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: InKindContribution, event: &InKindContributionEvent) -> InKindContribution {
        match event {
            InKindContributionEvent::Valued(valued) => {
                state.activity = Some(valued.activity);
                state.value = Some(valued.value.clone());
            }
            InKindContributionEvent::Revalued(revalued) => {
                if state.value.is_some() {
                    state.value = Some(revalued.value.clone());
                }
            }
        }
        state
    }
}
