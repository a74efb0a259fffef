//! Stored shapes of the consultation events.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::twin::{Twin, twin_struct};
use super::{Upcast, stored_events};
use crate::consultation::{
    AchievementsEvaluated, ConsultationClosed, ConsultationEvent, ConsultationHeld, ConsultationScheduled,
    EvaluationSubject, NeedIdentified, Rating,
};
use crate::ids::{ConsultationId, CounterpartId, NeedId};
use crate::values::{MemberStateCode, Priority, ThematicArea};

impl Twin<Rating> for Rating {
    fn twin(self) -> Rating {
        self
    }
}

impl Twin<EvaluationSubject> for EvaluationSubject {
    fn twin(self) -> EvaluationSubject {
        self
    }
}

/// `ConsultationScheduled` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsultationScheduledV1 {
    consultation: ConsultationId,
    title: String,
    scheduled_for: Date,
    venue: String,
}

/// `ConsultationHeld` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsultationHeldV1 {
    consultation: ConsultationId,
    held_on: Date,
    venue: String,
    participants: Vec<CounterpartId>,
    minutes_reference: String,
}

/// `NeedIdentified` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NeedIdentifiedV1 {
    consultation: ConsultationId,
    need: NeedId,
    raised_by: Vec<CounterpartId>,
    thematic_area: ThematicArea,
    member_states: Vec<MemberStateCode>,
    priority: Priority,
    description: String,
}

/// `NeedIdentified` v2: v1 with the date the need was identified.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NeedIdentifiedV2 {
    consultation: ConsultationId,
    need: NeedId,
    raised_by: Vec<CounterpartId>,
    thematic_area: ThematicArea,
    member_states: Vec<MemberStateCode>,
    priority: Priority,
    description: String,
    identified_on: Date,
}

impl Upcast<NeedIdentifiedV1> for NeedIdentifiedV2 {
    fn upcast(old: NeedIdentifiedV1, stored_on: Date) -> Self {
        Self {
            consultation: old.consultation,
            need: old.need,
            raised_by: old.raised_by,
            thematic_area: old.thematic_area,
            member_states: old.member_states,
            priority: old.priority,
            description: old.description,
            identified_on: stored_on,
        }
    }
}

/// `AchievementsEvaluated` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AchievementsEvaluatedV1 {
    consultation: ConsultationId,
    subject: EvaluationSubject,
    findings: String,
    ratings: Vec<Rating>,
}

/// `AchievementsEvaluated` v2: v1 with the date of the evaluation.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AchievementsEvaluatedV2 {
    consultation: ConsultationId,
    subject: EvaluationSubject,
    findings: String,
    ratings: Vec<Rating>,
    evaluated_on: Date,
}

impl Upcast<AchievementsEvaluatedV1> for AchievementsEvaluatedV2 {
    fn upcast(old: AchievementsEvaluatedV1, stored_on: Date) -> Self {
        Self {
            consultation: old.consultation,
            subject: old.subject,
            findings: old.findings,
            ratings: old.ratings,
            evaluated_on: stored_on,
        }
    }
}

/// `ConsultationClosed` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsultationClosedV1 {
    consultation: ConsultationId,
    closed_on: Date,
}

twin_struct!(ConsultationScheduled => ConsultationScheduledV1 { consultation, title, scheduled_for, venue });
twin_struct!(ConsultationHeld => ConsultationHeldV1 { consultation, held_on, venue, participants, minutes_reference });
twin_struct!(NeedIdentified => NeedIdentifiedV2 {
    consultation, need, raised_by, thematic_area, member_states, priority, description, identified_on
});
twin_struct!(AchievementsEvaluated => AchievementsEvaluatedV2 {
    consultation, subject, findings, ratings, evaluated_on
});
twin_struct!(ConsultationClosed => ConsultationClosedV1 { consultation, closed_on });

stored_events!("consultation", ConsultationEvent {
    Scheduled => "ConsultationScheduled" v 1 ConsultationScheduledV1,
    Held => "ConsultationHeld" v 1 ConsultationHeldV1,
    NeedIdentified => "NeedIdentified" v 2 NeedIdentifiedV2 [upcast 1 NeedIdentifiedV1],
    AchievementsEvaluated => "AchievementsEvaluated" v 2 AchievementsEvaluatedV2 [upcast 1 AchievementsEvaluatedV1],
    Closed => "ConsultationClosed" v 1 ConsultationClosedV1,
});
