//! The work programme aggregate: the activities the Secretariat runs in one year, with the
//! estimated budget (`work-programme-2013`).
//!
//! A work programme is opened with an estimated budget, adopted by a decision, revised with a
//! reason, and closed. Activities are approved into it while it is open or adopted; the
//! activity decider gets its [`WorkProgrammeStatus`] from the app through the command.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::values::{Decision, Money, WorkProgrammeYear, require_text};

/// Where a work programme stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkProgrammeStatus {
    /// Never opened.
    #[default]
    NotOpened,
    /// Opened, not yet adopted.
    Open,
    /// Adopted by a decision.
    Adopted,
    /// Closed: nothing more is approved into it.
    Closed,
}

impl WorkProgrammeStatus {
    /// Whether activities can be approved into a work programme with this status.
    pub fn accepts_activities(self) -> bool {
        matches!(self, Self::Open | Self::Adopted)
    }
}

impl fmt::Display for WorkProgrammeStatus {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::NotOpened => "not opened",
            Self::Open => "open",
            Self::Adopted => "adopted",
            Self::Closed => "closed",
        })
    }
}

/// Opens the work programme of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenWorkProgramme {
    pub year: WorkProgrammeYear,
    /// The estimated budget (2013: about US$ 200,000).
    pub estimated_budget: Money,
    /// When it was opened.
    pub opened_on: Date,
}

/// Records the decision adopting a work programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdoptWorkProgramme {
    pub year: WorkProgrammeYear,
    /// The adopting decision.
    pub decision: Decision,
}

/// Revises a work programme's budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviseWorkProgramme {
    pub year: WorkProgrammeYear,
    /// The revised budget, in the currency of the estimate.
    pub revised_budget: Money,
    /// Why.
    pub reason: String,
    /// When.
    pub revised_on: Date,
}

/// Closes a work programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseWorkProgramme {
    pub year: WorkProgrammeYear,
    /// When.
    pub closed_on: Date,
}

/// Commands of the work programme aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkProgrammeCommand {
    /// See [`OpenWorkProgramme`].
    Open(OpenWorkProgramme),
    /// See [`AdoptWorkProgramme`].
    Adopt(AdoptWorkProgramme),
    /// See [`ReviseWorkProgramme`].
    Revise(ReviseWorkProgramme),
    /// See [`CloseWorkProgramme`].
    Close(CloseWorkProgramme),
}

/// A work programme was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkProgrammeOpened {
    pub year: WorkProgrammeYear,
    pub estimated_budget: Money,
    /// When.
    pub opened_on: Date,
}

/// A work programme was adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkProgrammeAdopted {
    pub year: WorkProgrammeYear,
    /// The adopting decision.
    pub decision: Decision,
}

/// A work programme's budget was revised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkProgrammeRevised {
    pub year: WorkProgrammeYear,
    pub revised_budget: Money,
    /// Why.
    pub reason: String,
    /// When.
    pub revised_on: Date,
}

/// A work programme was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkProgrammeClosed {
    pub year: WorkProgrammeYear,
    /// When.
    pub closed_on: Date,
}

/// Events of the work programme aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkProgrammeEvent {
    /// See [`WorkProgrammeOpened`].
    Opened(WorkProgrammeOpened),
    /// See [`WorkProgrammeAdopted`].
    Adopted(WorkProgrammeAdopted),
    /// See [`WorkProgrammeRevised`].
    Revised(WorkProgrammeRevised),
    /// See [`WorkProgrammeClosed`].
    Closed(WorkProgrammeClosed),
}

/// The folded state of one work programme stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkProgramme {
    /// Where it stands.
    pub status: WorkProgrammeStatus,
    /// When it was opened.
    pub opened_on: Option<Date>,
    /// The current budget: the estimate, or the latest revision.
    pub budget: Option<Money>,
    /// The adopting decision, once adopted.
    pub adopted_by: Option<Decision>,
}

#[derive(Debug, Clone, Copy)]
pub struct WorkProgrammeDecider;

/// Checks that the work programme is opened and not closed, and that `date` is not before it
/// was opened.
fn require_running(state: &WorkProgramme, year: WorkProgrammeYear, what: &'static str, date: Date) -> Result<()> {
    match (state.status, state.opened_on) {
        (WorkProgrammeStatus::NotOpened, _) | (_, None) => Err(DomainError::WorkProgrammeNotOpened { year }),
        (WorkProgrammeStatus::Closed, _) => Err(DomainError::WorkProgrammeClosed { year }),
        (_, Some(opened_on)) if date < opened_on => Err(DomainError::DateBeforeStart {
            what,
            date,
            record: format!("work programme {year}"),
            since: opened_on,
        }),
        _ => Ok(()),
    }
}

impl Decider for WorkProgrammeDecider {
    type Id = WorkProgrammeYear;
    type State = WorkProgramme;
    type Command = WorkProgrammeCommand;
    type Event = WorkProgrammeEvent;

    const STREAM_PREFIX: &'static str = "work-programme";

    fn target(command: &WorkProgrammeCommand) -> WorkProgrammeYear {
        match command {
            WorkProgrammeCommand::Open(command) => command.year,
            WorkProgrammeCommand::Adopt(command) => command.year,
            WorkProgrammeCommand::Revise(command) => command.year,
            WorkProgrammeCommand::Close(command) => command.year,
        }
    }

    fn decide(state: &WorkProgramme, command: &WorkProgrammeCommand) -> Result<Vec<WorkProgrammeEvent>> {
        let event = match command {
            WorkProgrammeCommand::Open(open) => {
                if state.status != WorkProgrammeStatus::NotOpened {
                    return Err(DomainError::WorkProgrammeAlreadyOpened { year: open.year });
                }
                WorkProgrammeEvent::Opened(WorkProgrammeOpened {
                    year: open.year,
                    estimated_budget: open.estimated_budget.clone(),
                    opened_on: open.opened_on,
                })
            }
            WorkProgrammeCommand::Adopt(adopt) => {
                require_running(state, adopt.year, "adoption", adopt.decision.decided_on)?;
                if state.status == WorkProgrammeStatus::Adopted {
                    return Err(DomainError::WorkProgrammeAlreadyAdopted { year: adopt.year });
                }
                adopt.decision.validate()?;
                WorkProgrammeEvent::Adopted(WorkProgrammeAdopted {
                    year: adopt.year,
                    decision: adopt.decision.clone(),
                })
            }
            WorkProgrammeCommand::Revise(revise) => {
                require_running(state, revise.year, "revision", revise.revised_on)?;
                require_text("revision reason", &revise.reason)?;
                if let Some(budget) = &state.budget
                    && budget.currency() != revise.revised_budget.currency()
                {
                    return Err(DomainError::CurrencyMismatch {
                        left: budget.currency(),
                        right: revise.revised_budget.currency(),
                    });
                }
                WorkProgrammeEvent::Revised(WorkProgrammeRevised {
                    year: revise.year,
                    revised_budget: revise.revised_budget.clone(),
                    reason: revise.reason.clone(),
                    revised_on: revise.revised_on,
                })
            }
            WorkProgrammeCommand::Close(close) => {
                require_running(state, close.year, "closing", close.closed_on)?;
                WorkProgrammeEvent::Closed(WorkProgrammeClosed {
                    year: close.year,
                    closed_on: close.closed_on,
                })
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: WorkProgramme, event: &WorkProgrammeEvent) -> WorkProgramme {
        match event {
            WorkProgrammeEvent::Opened(opened) => {
                state.status = WorkProgrammeStatus::Open;
                state.opened_on = Some(opened.opened_on);
                state.budget = Some(opened.estimated_budget.clone());
            }
            WorkProgrammeEvent::Adopted(adopted) => {
                state.status = WorkProgrammeStatus::Adopted;
                state.adopted_by = Some(adopted.decision.clone());
            }
            WorkProgrammeEvent::Revised(revised) => {
                state.budget = Some(revised.revised_budget.clone());
            }
            WorkProgrammeEvent::Closed(_) => state.status = WorkProgrammeStatus::Closed,
        }
        state
    }
}

#[cfg(test)]
mod tests;
