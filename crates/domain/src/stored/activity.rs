//! Stored shapes of the activity events.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::twin::{Twin, twin_struct};
use super::{Upcast, stored_events};
use crate::activity::{
    ActivityApproved, ActivityCancelled, ActivityDeferred, ActivityEvent, ActivityHeld, ActivityProposed,
    ActivityRejected, ActivityRescheduled, DuplicateOverrideNoted, DuplicateWarningOverridden, IndicatorDefined,
    MemberStateShare, Output, ParticipantCounts, Proposer, ResultCorrected, ResultRecorded, SexShare,
};
use crate::ids::{ActivityId, IndicatorId, NeedId};
use crate::values::{
    ActivityKind, Correction, Decision, MemberStateCode, Money, Period, ThematicArea, WorkProgrammeYear,
};

impl Twin<Proposer> for Proposer {
    fn twin(self) -> Proposer {
        self
    }
}

impl Twin<Output> for Output {
    fn twin(self) -> Output {
        self
    }
}

impl Twin<ParticipantCounts> for ParticipantCounts {
    fn twin(self) -> ParticipantCounts {
        self
    }
}

impl<T> Twin<SexShare<T>> for SexShare<T> {
    fn twin(self) -> SexShare<T> {
        self
    }
}

impl<T> Twin<MemberStateShare<T>> for MemberStateShare<T> {
    fn twin(self) -> MemberStateShare<T> {
        self
    }
}

/// `ActivityProposed` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityProposedV1 {
    activity: ActivityId,
    kind: ActivityKind,
    title: String,
    thematic_area: ThematicArea,
    answers_needs: Vec<NeedId>,
    host: MemberStateCode,
    proposed_by: Proposer,
    planned: Period,
    estimated_cost: Money,
    proposed_on: Date,
}

/// `ActivityDuplicateWarningOverridden` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DuplicateWarningOverriddenV1 {
    activity: ActivityId,
    duplicates: Vec<ActivityId>,
    reason: String,
}

/// `ActivityDuplicateOverrideNoted` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DuplicateOverrideNotedV1 {
    activity: ActivityId,
    reason: String,
}

/// `ActivityApproved` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityApprovedV1 {
    activity: ActivityId,
    work_programme: WorkProgrammeYear,
    decision: Decision,
}

/// `ActivityRejected` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityRejectedV1 {
    activity: ActivityId,
    rationale: String,
    decided_on: Date,
}

/// `ActivityDeferred` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityDeferredV1 {
    activity: ActivityId,
    rationale: String,
    decided_on: Date,
}

/// `ActivityRescheduled` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityRescheduledV1 {
    activity: ActivityId,
    planned: Period,
    reason: String,
}

/// `ActivityRescheduled` v2: v1 with the date of the rescheduling.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityRescheduledV2 {
    activity: ActivityId,
    planned: Period,
    reason: String,
    rescheduled_on: Date,
}

impl Upcast<ActivityRescheduledV1> for ActivityRescheduledV2 {
    fn upcast(old: ActivityRescheduledV1, stored_on: Date) -> Self {
        Self {
            activity: old.activity,
            planned: old.planned,
            reason: old.reason,
            rescheduled_on: stored_on,
        }
    }
}

/// `ActivityHeld` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityHeldV1 {
    activity: ActivityId,
    held: Period,
    participants: ParticipantCounts,
    outputs: Vec<Output>,
}

/// `ActivityCancelled` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityCancelledV1 {
    activity: ActivityId,
    reason: String,
    cancelled_on: Date,
}

/// `IndicatorDefined` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorDefinedV1 {
    activity: ActivityId,
    indicator: IndicatorId,
    name: String,
    unit: String,
    baseline: Decimal,
    target: Decimal,
    higher_is_better: bool,
}

/// `IndicatorDefined` v2: v1 with the date the indicator was defined.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorDefinedV2 {
    activity: ActivityId,
    indicator: IndicatorId,
    name: String,
    unit: String,
    baseline: Decimal,
    target: Decimal,
    higher_is_better: bool,
    defined_on: Date,
}

impl Upcast<IndicatorDefinedV1> for IndicatorDefinedV2 {
    fn upcast(old: IndicatorDefinedV1, stored_on: Date) -> Self {
        Self {
            activity: old.activity,
            indicator: old.indicator,
            name: old.name,
            unit: old.unit,
            baseline: old.baseline,
            target: old.target,
            higher_is_better: old.higher_is_better,
            defined_on: stored_on,
        }
    }
}

/// `ResultRecorded` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultRecordedV1 {
    activity: ActivityId,
    indicator: IndicatorId,
    period: Period,
    value: Decimal,
    by_sex: Vec<SexShare<Decimal>>,
    by_member_state: Vec<MemberStateShare<Decimal>>,
}

/// `ResultCorrected` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultCorrectedV1 {
    activity: ActivityId,
    indicator: IndicatorId,
    period: Period,
    value: Decimal,
    by_sex: Vec<SexShare<Decimal>>,
    by_member_state: Vec<MemberStateShare<Decimal>>,
    correction: Correction,
}

twin_struct!(ActivityProposed => ActivityProposedV1 {
    activity, kind, title, thematic_area, answers_needs, host, proposed_by, planned,
    estimated_cost, proposed_on
});
twin_struct!(DuplicateWarningOverridden => DuplicateWarningOverriddenV1 { activity, duplicates, reason });
twin_struct!(DuplicateOverrideNoted => DuplicateOverrideNotedV1 { activity, reason });
twin_struct!(ActivityApproved => ActivityApprovedV1 { activity, work_programme, decision });
twin_struct!(ActivityRejected => ActivityRejectedV1 { activity, rationale, decided_on });
twin_struct!(ActivityDeferred => ActivityDeferredV1 { activity, rationale, decided_on });
twin_struct!(ActivityRescheduled => ActivityRescheduledV2 { activity, planned, reason, rescheduled_on });
twin_struct!(ActivityHeld => ActivityHeldV1 { activity, held, participants, outputs });
twin_struct!(ActivityCancelled => ActivityCancelledV1 { activity, reason, cancelled_on });
twin_struct!(IndicatorDefined => IndicatorDefinedV2 {
    activity, indicator, name, unit, baseline, target, higher_is_better, defined_on
});
twin_struct!(ResultRecorded => ResultRecordedV1 {
    activity, indicator, period, value, by_sex, by_member_state
});
twin_struct!(ResultCorrected => ResultCorrectedV1 {
    activity, indicator, period, value, by_sex, by_member_state, correction
});

stored_events!("activity", ActivityEvent {
    Proposed => "ActivityProposed" v 1 ActivityProposedV1,
    DuplicateWarningOverridden => "ActivityDuplicateWarningOverridden" v 1 DuplicateWarningOverriddenV1,
    DuplicateOverrideNoted => "ActivityDuplicateOverrideNoted" v 1 DuplicateOverrideNotedV1,
    Approved => "ActivityApproved" v 1 ActivityApprovedV1,
    Rejected => "ActivityRejected" v 1 ActivityRejectedV1,
    Deferred => "ActivityDeferred" v 1 ActivityDeferredV1,
    Rescheduled => "ActivityRescheduled" v 2 ActivityRescheduledV2 [upcast 1 ActivityRescheduledV1],
    Held => "ActivityHeld" v 1 ActivityHeldV1,
    Cancelled => "ActivityCancelled" v 1 ActivityCancelledV1,
    IndicatorDefined => "IndicatorDefined" v 2 IndicatorDefinedV2 [upcast 1 IndicatorDefinedV1],
    ResultRecorded => "ResultRecorded" v 1 ResultRecordedV1,
    ResultCorrected => "ResultCorrected" v 1 ResultCorrectedV1,
});
