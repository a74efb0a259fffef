//! The in-kind contribution aggregate: a valued, non-cash input to an activity, usually the
//! venue and local costs given by the host Member State (`in-kind-contribution-<uuid>`).

use jiff::civil::Date;

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::{ActivityId, ContributionId};
use crate::values::{Correction, MemberStateCode, Money, require_text};

/// Values an in-kind contribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueInKindContribution {
    /// The new contribution's id.
    pub contribution: ContributionId,
    /// The activity it supports.
    pub activity: ActivityId,
    /// The Member State contributing, usually the host.
    pub host: MemberStateCode,
    /// What is given, such as "conference venue and interpretation".
    pub what: String,
    /// Its value.
    pub value: Money,
    /// When it was valued.
    pub valued_on: Date,
}

/// Corrects the value of an in-kind contribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevalueInKindContribution {
    /// The contribution.
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
    /// The contribution.
    pub contribution: ContributionId,
    /// The activity it supports.
    pub activity: ActivityId,
    /// The contributing Member State.
    pub host: MemberStateCode,
    /// What is given.
    pub what: String,
    /// Its value.
    pub value: Money,
    /// When it was valued.
    pub valued_on: Date,
}

/// The value of an in-kind contribution was corrected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InKindContributionRevalued {
    /// The contribution.
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

/// The in-kind contribution decider.
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
                InKindContributionEvent::Valued(InKindContributionValued {
                    contribution: value.contribution,
                    activity: value.activity,
                    host: value.host,
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
