//! Stored shapes of the cooperation source, request and programme review events.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::twin::{Twin, twin_struct};
use super::{Upcast, stored_events};
use crate::cooperation_source::{
    AssistanceRequestAnswered, AssistanceRequested, CooperationSourceEvent, CooperationSourceLinkedToCounterpart,
    CooperationSourceRegistered,
};
use crate::ids::{ActivityId, AssistanceRequestId, CooperationSourceId, CounterpartId, OfferId, RequestId, ReviewId};
use crate::programme_review::{ProgrammeReviewEvent, ReviewClosed, ReviewFindingsRecorded, ReviewOpened};
use crate::request::{RequestClosed, RequestEvent, RequestFollowUp, RequestLinked, RequestReceived, RequestingParty};
use crate::values::{AssistanceAnswer, CooperationSourceKind, MemberStateCode, Money, Period, ThematicArea};

impl Twin<RequestingParty> for RequestingParty {
    fn twin(self) -> RequestingParty {
        self
    }
}

impl Twin<RequestFollowUp> for RequestFollowUp {
    fn twin(self) -> RequestFollowUp {
        self
    }
}

/// `CooperationSourceRegistered` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CooperationSourceRegisteredV1 {
    cooperation_source: CooperationSourceId,
    name: String,
    kind: CooperationSourceKind,
    registered_on: Date,
}

/// `CooperationSourceRegistered` v2: v1 with the source's country and the counterpart whose
/// organisation it is, both optional.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CooperationSourceRegisteredV2 {
    cooperation_source: CooperationSourceId,
    name: String,
    kind: CooperationSourceKind,
    country: Option<MemberStateCode>,
    counterpart: Option<CounterpartId>,
    registered_on: Date,
}

impl Upcast<CooperationSourceRegisteredV1> for CooperationSourceRegisteredV2 {
    fn upcast(old: CooperationSourceRegisteredV1, _stored_on: Date) -> Self {
        Self {
            cooperation_source: old.cooperation_source,
            name: old.name,
            kind: old.kind,
            country: None,
            counterpart: None,
            registered_on: old.registered_on,
        }
    }
}

/// `CooperationSourceLinkedToCounterpart` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CooperationSourceLinkedToCounterpartV1 {
    cooperation_source: CooperationSourceId,
    counterpart: CounterpartId,
    linked_on: Date,
    reason: Option<String>,
}

/// `AssistanceRequested` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssistanceRequestedV1 {
    cooperation_source: CooperationSourceId,
    request: AssistanceRequestId,
    purpose: String,
    activity: Option<ActivityId>,
    amount_sought: Option<Money>,
    requested_on: Date,
}

/// `AssistanceRequestAnswered` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssistanceRequestAnsweredV1 {
    cooperation_source: CooperationSourceId,
    request: AssistanceRequestId,
    answer: AssistanceAnswer,
    offer: Option<OfferId>,
    note: String,
    answered_on: Date,
}

/// `RequestReceived` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestReceivedV1 {
    request: RequestId,
    from: RequestingParty,
    thematic_area: ThematicArea,
    description: String,
    received_on: Date,
}

/// `RequestLinked` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestLinkedV1 {
    request: RequestId,
    follow_up: RequestFollowUp,
}

/// `RequestLinked` v2: v1 with the date of the link.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestLinkedV2 {
    request: RequestId,
    follow_up: RequestFollowUp,
    linked_on: Date,
}

impl Upcast<RequestLinkedV1> for RequestLinkedV2 {
    fn upcast(old: RequestLinkedV1, stored_on: Date) -> Self {
        Self {
            request: old.request,
            follow_up: old.follow_up,
            linked_on: stored_on,
        }
    }
}

/// `RequestClosed` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestClosedV1 {
    request: RequestId,
    outcome: String,
    closed_on: Date,
}

/// `ReviewOpened` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewOpenedV1 {
    review: ReviewId,
    period: Period,
    opened_on: Date,
}

/// `ReviewFindingsRecorded` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewFindingsRecordedV1 {
    review: ReviewId,
    findings: Vec<String>,
    recommendations: Vec<String>,
    recorded_on: Date,
}

/// `ReviewClosed` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewClosedV1 {
    review: ReviewId,
    closed_on: Date,
}

twin_struct!(CooperationSourceRegistered => CooperationSourceRegisteredV2 {
    cooperation_source, name, kind, country, counterpart, registered_on
});
twin_struct!(CooperationSourceLinkedToCounterpart => CooperationSourceLinkedToCounterpartV1 {
    cooperation_source, counterpart, linked_on, reason
});
twin_struct!(AssistanceRequested => AssistanceRequestedV1 {
    cooperation_source, request, purpose, activity, amount_sought, requested_on
});
twin_struct!(AssistanceRequestAnswered => AssistanceRequestAnsweredV1 {
    cooperation_source, request, answer, offer, note, answered_on
});
twin_struct!(RequestReceived => RequestReceivedV1 { request, from, thematic_area, description, received_on });
twin_struct!(RequestLinked => RequestLinkedV2 { request, follow_up, linked_on });
twin_struct!(RequestClosed => RequestClosedV1 { request, outcome, closed_on });
twin_struct!(ReviewOpened => ReviewOpenedV1 { review, period, opened_on });
twin_struct!(ReviewFindingsRecorded => ReviewFindingsRecordedV1 { review, findings, recommendations, recorded_on });
twin_struct!(ReviewClosed => ReviewClosedV1 { review, closed_on });

stored_events!("cooperation-source", CooperationSourceEvent {
    Registered => "CooperationSourceRegistered" v 2 CooperationSourceRegisteredV2
        [upcast 1 CooperationSourceRegisteredV1],
    AssistanceRequested => "AssistanceRequested" v 1 AssistanceRequestedV1,
    AssistanceRequestAnswered => "AssistanceRequestAnswered" v 1 AssistanceRequestAnsweredV1,
    LinkedToCounterpart => "CooperationSourceLinkedToCounterpart" v 1 CooperationSourceLinkedToCounterpartV1,
});

stored_events!("request", RequestEvent {
    Received => "RequestReceived" v 1 RequestReceivedV1,
    Linked => "RequestLinked" v 2 RequestLinkedV2 [upcast 1 RequestLinkedV1],
    Closed => "RequestClosed" v 1 RequestClosedV1,
});

stored_events!("programme-review", ProgrammeReviewEvent {
    Opened => "ReviewOpened" v 1 ReviewOpenedV1,
    FindingsRecorded => "ReviewFindingsRecorded" v 1 ReviewFindingsRecordedV1,
    Closed => "ReviewClosed" v 1 ReviewClosedV1,
});
