//! The counterpart aggregate: a national public or private body, or a regional or
//! international one, registered as a partner of the programme (`counterpart-<uuid>`).
//!
//! A counterpart's focal point is personal data and is only ever held sealed
//! ([`SealedPersonalData`]). Corrections of its details are new events naming the event they
//! correct.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::CounterpartId;
use crate::membership::MembershipHistory;
use crate::personal_data::SealedPersonalData;
use crate::values::{
    Correction, CounterpartKind, MemberStateCode, ThematicArea, require_distinct, require_non_empty, require_text,
};

/// What a counterpart is: name, kind, where it belongs and what it works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterpartDetails {
    /// The body's name.
    pub name: String,
    /// Public, private, mixed, regional or international.
    pub kind: CounterpartKind,
    /// The Member State a national counterpart belongs to; `None` for regional and
    /// international ones.
    pub member_state: Option<MemberStateCode>,
    /// The thematic areas it works on, at least one.
    pub thematic_areas: Vec<ThematicArea>,
}

impl CounterpartDetails {
    fn validate(&self, counterpart: CounterpartId) -> Result<()> {
        require_text("counterpart name", &self.name)?;
        if self.kind.is_national() != self.member_state.is_some() {
            return Err(DomainError::CounterpartMemberStateMismatch {
                counterpart,
                kind: self.kind.slug(),
                kind_is_national: self.kind.is_national(),
            });
        }
        require_non_empty("thematic areas", &self.thematic_areas)?;
        require_distinct("thematic areas", &self.thematic_areas)
    }

    /// A national counterpart's Member State must be one on `day`.
    fn require_member_state(&self, command: &'static str, membership: &MembershipHistory, day: Date) -> Result<()> {
        match self.member_state {
            Some(code) => membership.require_member(command, "member_state", code, day),
            None => Ok(()),
        }
    }
}

/// Registers a new counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinCounterpart {
    /// The new counterpart's id.
    pub counterpart: CounterpartId,
    pub details: CounterpartDetails,
    /// Its focal point, sealed by the app.
    pub focal_point: SealedPersonalData,
    /// When it joined the programme.
    pub joined_on: Date,
    /// Look-up: the log's membership history; a national counterpart's Member State must be
    /// one on the joining date.
    pub membership: MembershipHistory,
}

/// Replaces a counterpart's details with corrected ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectCounterpartDetails {
    pub counterpart: CounterpartId,
    /// The corrected details, in full.
    pub details: CounterpartDetails,
    /// Which event is corrected, why, and from when.
    pub correction: Correction,
    /// Look-up: the log's membership history; a national counterpart's Member State must be
    /// one on the date the correction applies from.
    pub membership: MembershipHistory,
}

/// Names a new focal point for a counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeFocalPoint {
    pub counterpart: CounterpartId,
    /// The new focal point, sealed by the app.
    pub focal_point: SealedPersonalData,
    /// When the change took effect.
    pub changed_on: Date,
}

/// Records that a counterpart withdrew from the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawCounterpart {
    pub counterpart: CounterpartId,
    /// When it withdrew.
    pub withdrew_on: Date,
    /// Why.
    pub reason: String,
}

/// Commands of the counterpart aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CounterpartCommand {
    /// See [`JoinCounterpart`].
    Join(JoinCounterpart),
    /// See [`CorrectCounterpartDetails`].
    CorrectDetails(CorrectCounterpartDetails),
    /// See [`ChangeFocalPoint`].
    ChangeFocalPoint(ChangeFocalPoint),
    /// See [`WithdrawCounterpart`].
    Withdraw(WithdrawCounterpart),
}

/// A counterpart joined the programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterpartJoined {
    pub counterpart: CounterpartId,
    pub details: CounterpartDetails,
    /// Its focal point, sealed.
    pub focal_point: SealedPersonalData,
    /// When it joined.
    pub joined_on: Date,
}

/// A counterpart's details were corrected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterpartDetailsCorrected {
    pub counterpart: CounterpartId,
    /// The corrected details.
    pub details: CounterpartDetails,
    /// What was corrected, why, and from when.
    pub correction: Correction,
}

/// A counterpart's focal point changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocalPointChanged {
    pub counterpart: CounterpartId,
    /// The new focal point, sealed.
    pub focal_point: SealedPersonalData,
    /// When.
    pub changed_on: Date,
}

/// A counterpart withdrew from the programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterpartWithdrew {
    pub counterpart: CounterpartId,
    /// When.
    pub withdrew_on: Date,
    /// Why.
    pub reason: String,
}

/// Events of the counterpart aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CounterpartEvent {
    /// See [`CounterpartJoined`].
    Joined(CounterpartJoined),
    /// See [`CounterpartDetailsCorrected`].
    DetailsCorrected(CounterpartDetailsCorrected),
    /// See [`FocalPointChanged`].
    FocalPointChanged(FocalPointChanged),
    /// See [`CounterpartWithdrew`].
    Withdrew(CounterpartWithdrew),
}

/// A counterpart's record as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterpartRecord {
    pub counterpart: CounterpartId,
    /// Its current details.
    pub details: CounterpartDetails,
    /// Its current focal point, sealed.
    pub focal_point: SealedPersonalData,
    /// When it joined.
    pub joined_on: Date,
    /// When it withdrew, if it did.
    pub withdrew_on: Option<Date>,
}

/// The folded state of one counterpart stream: `None` until it joined.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counterpart {
    /// The record, once the counterpart joined.
    pub record: Option<CounterpartRecord>,
}

impl Counterpart {
    /// The facts other aggregates need about this counterpart, once it joined: the app looks
    /// them up and passes them in commands such as [`crate::consultation::HoldConsultation`].
    pub fn standing(&self) -> Option<CounterpartStanding> {
        self.record.as_ref().map(|record| CounterpartStanding {
            counterpart: record.counterpart,
            joined_on: record.joined_on,
            withdrew_on: record.withdrew_on,
        })
    }
}

/// When a counterpart joined and withdrew: the look-up other deciders check participation
/// against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterpartStanding {
    pub counterpart: CounterpartId,
    /// When it joined.
    pub joined_on: Date,
    /// When it withdrew, if it did.
    pub withdrew_on: Option<Date>,
}

impl CounterpartStanding {
    /// Whether the counterpart had joined, and not yet withdrawn, on `day`. A counterpart
    /// that withdrew on a day is no longer active that day.
    pub fn is_active_on(&self, day: Date) -> bool {
        self.joined_on <= day && self.withdrew_on.is_none_or(|withdrew_on| day < withdrew_on)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct CounterpartDecider;

/// The record of a counterpart that joined and has not withdrawn.
fn active_record(state: &Counterpart, counterpart: CounterpartId) -> Result<&CounterpartRecord> {
    let record = state
        .record
        .as_ref()
        .ok_or(DomainError::CounterpartNotJoined { counterpart })?;
    if let Some(withdrew_on) = record.withdrew_on {
        return Err(DomainError::CounterpartWithdrawn {
            counterpart,
            withdrew_on,
        });
    }
    Ok(record)
}

fn not_before_joining(record: &CounterpartRecord, what: &'static str, date: Date) -> Result<()> {
    if date < record.joined_on {
        return Err(DomainError::DateBeforeStart {
            what,
            date,
            record: format!("counterpart {}", record.counterpart),
            since: record.joined_on,
        });
    }
    Ok(())
}

impl Decider for CounterpartDecider {
    type Id = CounterpartId;
    type State = Counterpart;
    type Command = CounterpartCommand;
    type Event = CounterpartEvent;

    const STREAM_PREFIX: &'static str = "counterpart";

    fn target(command: &CounterpartCommand) -> CounterpartId {
        match command {
            CounterpartCommand::Join(command) => command.counterpart,
            CounterpartCommand::CorrectDetails(command) => command.counterpart,
            CounterpartCommand::ChangeFocalPoint(command) => command.counterpart,
            CounterpartCommand::Withdraw(command) => command.counterpart,
        }
    }

    fn decide(state: &Counterpart, command: &CounterpartCommand) -> Result<Vec<CounterpartEvent>> {
        let event = match command {
            CounterpartCommand::Join(join) => {
                if state.record.is_some() {
                    return Err(DomainError::CounterpartAlreadyJoined {
                        counterpart: join.counterpart,
                    });
                }
                join.details.validate(join.counterpart)?;
                join.details
                    .require_member_state("join-counterpart", &join.membership, join.joined_on)?;
                CounterpartEvent::Joined(CounterpartJoined {
                    counterpart: join.counterpart,
                    details: join.details.clone(),
                    focal_point: join.focal_point.clone(),
                    joined_on: join.joined_on,
                })
            }
            CounterpartCommand::CorrectDetails(correct) => {
                active_record(state, correct.counterpart)?;
                correct.details.validate(correct.counterpart)?;
                correct.correction.validate()?;
                correct.details.require_member_state(
                    "correct-counterpart-details",
                    &correct.membership,
                    correct.correction.effective_from,
                )?;
                CounterpartEvent::DetailsCorrected(CounterpartDetailsCorrected {
                    counterpart: correct.counterpart,
                    details: correct.details.clone(),
                    correction: correct.correction.clone(),
                })
            }
            CounterpartCommand::ChangeFocalPoint(change) => {
                let record = active_record(state, change.counterpart)?;
                not_before_joining(record, "focal point change", change.changed_on)?;
                if record.focal_point.person() == change.focal_point.person() {
                    return Err(DomainError::FocalPointUnchanged {
                        counterpart: change.counterpart,
                    });
                }
                CounterpartEvent::FocalPointChanged(FocalPointChanged {
                    counterpart: change.counterpart,
                    focal_point: change.focal_point.clone(),
                    changed_on: change.changed_on,
                })
            }
            CounterpartCommand::Withdraw(withdraw) => {
                let record = active_record(state, withdraw.counterpart)?;
                not_before_joining(record, "withdrawal", withdraw.withdrew_on)?;
                require_text("withdrawal reason", &withdraw.reason)?;
                CounterpartEvent::Withdrew(CounterpartWithdrew {
                    counterpart: withdraw.counterpart,
                    withdrew_on: withdraw.withdrew_on,
                    reason: withdraw.reason.clone(),
                })
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: Counterpart, event: &CounterpartEvent) -> Counterpart {
        match (event, state.record.as_mut()) {
            (CounterpartEvent::Joined(joined), None) => {
                state.record = Some(CounterpartRecord {
                    counterpart: joined.counterpart,
                    details: joined.details.clone(),
                    focal_point: joined.focal_point.clone(),
                    joined_on: joined.joined_on,
                    withdrew_on: None,
                });
            }
            (CounterpartEvent::DetailsCorrected(corrected), Some(record)) => {
                record.details = corrected.details.clone();
            }
            (CounterpartEvent::FocalPointChanged(changed), Some(record)) => {
                record.focal_point = changed.focal_point.clone();
            }
            (CounterpartEvent::Withdrew(withdrew), Some(record)) => {
                record.withdrew_on = Some(withdrew.withdrew_on);
            }
            // An event that does not fit the state is a fact recorded out of order; replay
            // keeps going without it.
            _ => {}
        }
        state
    }
}

#[cfg(test)]
mod tests;
