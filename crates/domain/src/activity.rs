//! The activity aggregate: a seminar, workshop, business meeting, mission, fair, technical
//! assistance, study or dissemination effort (`activity-<uuid>`).
//!
//! An activity is proposed, then approved into a work programme, rejected or deferred; it is
//! rescheduled, held or cancelled; indicators are defined for it and results recorded against
//! them, by period, broken down by sex and by Member State. Facts from other streams reach the
//! decider through commands: the work programme's status for approvals, and the existing
//! activities that a proposal may duplicate.

mod decide;
mod facts;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use decide::ActivityDecider;
pub use facts::{
    ActivityOutline, ActivityStatus, MemberStateShare, Output, ParticipantCounts, Proposer, SexShare,
    find_duplicate_activities,
};

use crate::ids::{ActivityId, IndicatorId, NeedId};
use crate::membership::MembershipHistory;
use crate::values::{
    ActivityKind, Correction, Decision, MemberStateCode, Money, Period, ThematicArea, WorkProgrammeYear,
};
use crate::work_programme::WorkProgrammeStatus;

/// Proposes a new activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposeActivity {
    /// The new activity's id.
    pub activity: ActivityId,
    /// What kind of activity.
    pub kind: ActivityKind,
    pub title: String,
    pub thematic_area: ThematicArea,
    /// The needs it answers, if any.
    pub answers_needs: Vec<NeedId>,
    /// The Member State hosting it.
    pub host: MemberStateCode,
    /// Who proposed it.
    pub proposed_by: Proposer,
    /// When it is planned.
    pub planned: Period,
    /// What it is estimated to cost.
    pub estimated_cost: Money,
    /// When it was proposed.
    pub proposed_on: Date,
    /// Look-up: the existing activities of the same thematic area and kind, wherever hosted.
    pub existing_activities: Vec<ActivityOutline>,
    /// Look-up: the log's membership history; the host must be a Member State on the planned
    /// period's start.
    pub membership: MembershipHistory,
    /// Why to record the proposal although it may duplicate others; without it a possible
    /// duplicate is refused with [`crate::DomainError::PossibleDuplicate`]. Given when no
    /// duplicate is found, it is kept as a note ([`DuplicateOverrideNoted`]).
    pub duplicate_override: Option<String>,
}

/// Approves an activity into a work programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveActivity {
    pub activity: ActivityId,
    /// The work programme's year.
    pub work_programme: WorkProgrammeYear,
    /// Look-up: that work programme's current status.
    #[serde(skip)]
    pub work_programme_status: WorkProgrammeStatus,
    /// The approving decision.
    pub decision: Decision,
}

/// Rejects or defers a proposed activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideAgainstActivity {
    pub activity: ActivityId,
    /// Why.
    pub rationale: String,
    /// When.
    pub decided_on: Date,
}

/// Moves an activity to new dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RescheduleActivity {
    pub activity: ActivityId,
    /// The new planned period.
    pub planned: Period,
    /// Why.
    pub reason: String,
    /// When it was rescheduled (the app gives the day it is recorded unless told).
    pub rescheduled_on: Date,
    /// Look-up: the log's membership history; the host must be a Member State on the new
    /// planned period's start.
    pub membership: MembershipHistory,
}

/// Records that an approved activity took place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldActivity {
    pub activity: ActivityId,
    /// When it actually took place.
    pub held: Period,
    /// Who took part.
    pub participants: ParticipantCounts,
    /// What it produced.
    #[serde(default)]
    pub outputs: Vec<Output>,
    /// Look-up: the log's membership history; each state of the breakdown by Member State
    /// must be a Member State on the first day the activity was held.
    #[serde(skip)]
    pub membership: MembershipHistory,
}

/// Calls off an activity that has not taken place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelActivity {
    pub activity: ActivityId,
    /// Why.
    pub reason: String,
    /// When.
    pub cancelled_on: Date,
}

/// Defines a results indicator for an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefineIndicator {
    pub activity: ActivityId,
    /// The new indicator's id.
    pub indicator: IndicatorId,
    /// What it measures, such as "officials trained".
    pub name: String,
    /// Its unit, such as "people" or "%".
    pub unit: String,
    /// The value before the activity.
    pub baseline: Decimal,
    /// The value aimed at.
    pub target: Decimal,
    /// Whether higher values are better.
    pub higher_is_better: bool,
    /// When it was defined (the app gives the day it is recorded unless told).
    pub defined_on: Date,
}

/// Records, or corrects, the result of an indicator for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordResult {
    pub activity: ActivityId,
    pub indicator: IndicatorId,
    /// The period measured.
    pub period: Period,
    /// The measured value.
    pub value: Decimal,
    /// The value by sex, when measured (adds up to `value`).
    #[serde(default)]
    pub by_sex: Vec<SexShare<Decimal>>,
    /// The value by Member State, when measured (adds up to `value`).
    #[serde(default)]
    pub by_member_state: Vec<MemberStateShare<Decimal>>,
    /// For a correction of a recorded result: what is corrected, why, and from when.
    #[serde(default)]
    pub correction: Option<Correction>,
    /// Look-up: the log's membership history; each state of the breakdown by Member State
    /// must be a Member State on the first day of the period measured.
    #[serde(skip)]
    pub membership: MembershipHistory,
}

/// Commands of the activity aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityCommand {
    /// See [`ProposeActivity`].
    Propose(ProposeActivity),
    /// See [`ApproveActivity`].
    Approve(ApproveActivity),
    /// Rejects the activity; see [`DecideAgainstActivity`].
    Reject(DecideAgainstActivity),
    /// Defers the decision; see [`DecideAgainstActivity`].
    Defer(DecideAgainstActivity),
    /// See [`RescheduleActivity`].
    Reschedule(RescheduleActivity),
    /// See [`HoldActivity`].
    Hold(HoldActivity),
    /// See [`CancelActivity`].
    Cancel(CancelActivity),
    /// See [`DefineIndicator`].
    DefineIndicator(DefineIndicator),
    /// Records a new result, or corrects one when `correction` is set; see [`RecordResult`].
    RecordResult(RecordResult),
}

/// An activity was proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityProposed {
    pub activity: ActivityId,
    pub kind: ActivityKind,
    pub title: String,
    pub thematic_area: ThematicArea,
    /// The needs it answers.
    pub answers_needs: Vec<NeedId>,
    /// Its host Member State.
    pub host: MemberStateCode,
    /// Who proposed it.
    pub proposed_by: Proposer,
    /// When it is planned.
    pub planned: Period,
    pub estimated_cost: Money,
    /// When it was proposed.
    pub proposed_on: Date,
}

/// A proposal was recorded although it may duplicate other activities, for the reason given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateWarningOverridden {
    /// The activity proposed.
    pub activity: ActivityId,
    /// The existing activities it may duplicate.
    pub duplicates: Vec<ActivityId>,
    /// Why it was recorded anyway.
    pub reason: String,
}

/// A reason to record a proposal although it may duplicate others was given, but no possible
/// duplicate was found: the reason is kept as a note rather than dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateOverrideNoted {
    /// The activity proposed.
    pub activity: ActivityId,
    /// The reason given.
    pub reason: String,
}

/// An activity was approved into a work programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityApproved {
    pub activity: ActivityId,
    /// The work programme's year.
    pub work_programme: WorkProgrammeYear,
    /// The approving decision.
    pub decision: Decision,
}

/// An activity was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRejected {
    pub activity: ActivityId,
    /// Why.
    pub rationale: String,
    /// When.
    pub decided_on: Date,
}

/// The decision on an activity was deferred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDeferred {
    pub activity: ActivityId,
    /// Why.
    pub rationale: String,
    /// When.
    pub decided_on: Date,
}

/// An activity was moved to new dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRescheduled {
    pub activity: ActivityId,
    /// The new planned period.
    pub planned: Period,
    /// Why.
    pub reason: String,
    /// When.
    pub rescheduled_on: Date,
}

/// An activity took place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityHeld {
    pub activity: ActivityId,
    /// When.
    pub held: Period,
    /// Who took part.
    pub participants: ParticipantCounts,
    /// What it produced.
    pub outputs: Vec<Output>,
}

/// An activity was called off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityCancelled {
    pub activity: ActivityId,
    /// Why.
    pub reason: String,
    /// When.
    pub cancelled_on: Date,
}

/// A results indicator was defined for an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorDefined {
    pub activity: ActivityId,
    pub indicator: IndicatorId,
    /// What it measures.
    pub name: String,
    pub unit: String,
    /// The value before the activity.
    pub baseline: Decimal,
    /// The value aimed at.
    pub target: Decimal,
    /// Whether higher values are better.
    pub higher_is_better: bool,
    /// When.
    pub defined_on: Date,
}

/// A result was recorded against an indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRecorded {
    pub activity: ActivityId,
    pub indicator: IndicatorId,
    /// The period measured.
    pub period: Period,
    /// The measured value.
    pub value: Decimal,
    /// The value by sex.
    pub by_sex: Vec<SexShare<Decimal>>,
    /// The value by Member State.
    pub by_member_state: Vec<MemberStateShare<Decimal>>,
}

/// A recorded result was corrected: the new figures replace the old from the correction's
/// effective date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultCorrected {
    pub activity: ActivityId,
    pub indicator: IndicatorId,
    /// The period measured.
    pub period: Period,
    /// The corrected value.
    pub value: Decimal,
    /// The corrected value by sex.
    pub by_sex: Vec<SexShare<Decimal>>,
    /// The corrected value by Member State.
    pub by_member_state: Vec<MemberStateShare<Decimal>>,
    /// What is corrected, why, and from when.
    pub correction: Correction,
}

/// Events of the activity aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityEvent {
    /// See [`ActivityProposed`].
    Proposed(ActivityProposed),
    /// See [`DuplicateWarningOverridden`].
    DuplicateWarningOverridden(DuplicateWarningOverridden),
    /// See [`DuplicateOverrideNoted`].
    DuplicateOverrideNoted(DuplicateOverrideNoted),
    /// See [`ActivityApproved`].
    Approved(ActivityApproved),
    /// See [`ActivityRejected`].
    Rejected(ActivityRejected),
    /// See [`ActivityDeferred`].
    Deferred(ActivityDeferred),
    /// See [`ActivityRescheduled`].
    Rescheduled(ActivityRescheduled),
    /// See [`ActivityHeld`].
    Held(ActivityHeld),
    /// See [`ActivityCancelled`].
    Cancelled(ActivityCancelled),
    /// See [`IndicatorDefined`].
    IndicatorDefined(IndicatorDefined),
    /// See [`ResultRecorded`].
    ResultRecorded(ResultRecorded),
    /// See [`ResultCorrected`].
    ResultCorrected(ResultCorrected),
}

impl ActivityEvent {
    /// The activity the event is about.
    pub fn activity(&self) -> ActivityId {
        match self {
            ActivityEvent::Proposed(event) => event.activity,
            ActivityEvent::DuplicateWarningOverridden(event) => event.activity,
            ActivityEvent::DuplicateOverrideNoted(event) => event.activity,
            ActivityEvent::Approved(event) => event.activity,
            ActivityEvent::Rejected(event) => event.activity,
            ActivityEvent::Deferred(event) => event.activity,
            ActivityEvent::Rescheduled(event) => event.activity,
            ActivityEvent::Held(event) => event.activity,
            ActivityEvent::Cancelled(event) => event.activity,
            ActivityEvent::IndicatorDefined(event) => event.activity,
            ActivityEvent::ResultRecorded(event) => event.activity,
            ActivityEvent::ResultCorrected(event) => event.activity,
        }
    }
}

/// What is known of an activity once proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    pub activity: ActivityId,
    pub kind: ActivityKind,
    pub title: String,
    pub thematic_area: ThematicArea,
    /// Its host Member State.
    pub host: MemberStateCode,
    /// When it was proposed.
    pub proposed_on: Date,
    /// Its current planned period.
    pub planned: Period,
    /// Where it stands.
    pub status: ActivityStatus,
    /// The work programme it was approved into.
    pub approved_into: Option<WorkProgrammeYear>,
    /// The indicators defined, in order.
    pub indicators: Vec<IndicatorId>,
    /// The (indicator, period) pairs with a recorded result.
    pub results: Vec<(IndicatorId, Period)>,
}

/// The folded state of one activity stream: `None` until proposed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Activity {
    /// The record, once proposed.
    pub record: Option<ActivityRecord>,
}

impl Activity {
    /// What the duplicate rule needs of this activity, for the app's look-ups.
    pub fn outline(&self) -> Option<ActivityOutline> {
        self.record.as_ref().map(|record| ActivityOutline {
            activity: record.activity,
            kind: record.kind,
            title: record.title.clone(),
            thematic_area: record.thematic_area,
            host: record.host,
            planned: record.planned,
            status: record.status,
        })
    }
}

#[cfg(test)]
mod tests;
