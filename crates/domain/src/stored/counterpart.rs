//! Stored shapes of the counterpart events.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::stored_events;
use super::twin::twin_struct;
use crate::counterpart::{
    CounterpartDetails, CounterpartDetailsCorrected, CounterpartEvent, CounterpartJoined, CounterpartWithdrew,
    FocalPointChanged,
};
use crate::ids::CounterpartId;
use crate::personal_data::SealedPersonalData;
use crate::values::{Correction, CounterpartKind, MemberStateCode, ThematicArea};

/// A counterpart's details inside v1 payloads.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CounterpartDetailsV1 {
    name: String,
    kind: CounterpartKind,
    member_state: Option<MemberStateCode>,
    thematic_areas: Vec<ThematicArea>,
}

/// `CounterpartJoined` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CounterpartJoinedV1 {
    counterpart: CounterpartId,
    details: CounterpartDetailsV1,
    focal_point: SealedPersonalData,
    joined_on: Date,
}

/// `CounterpartDetailsCorrected` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CounterpartDetailsCorrectedV1 {
    counterpart: CounterpartId,
    details: CounterpartDetailsV1,
    correction: Correction,
}

/// `FocalPointChanged` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FocalPointChangedV1 {
    counterpart: CounterpartId,
    focal_point: SealedPersonalData,
    changed_on: Date,
}

/// `CounterpartWithdrew` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CounterpartWithdrewV1 {
    counterpart: CounterpartId,
    withdrew_on: Date,
    reason: String,
}

twin_struct!(CounterpartDetails => CounterpartDetailsV1 { name, kind, member_state, thematic_areas });
twin_struct!(CounterpartJoined => CounterpartJoinedV1 { counterpart, details, focal_point, joined_on });
twin_struct!(CounterpartDetailsCorrected => CounterpartDetailsCorrectedV1 { counterpart, details, correction });
twin_struct!(FocalPointChanged => FocalPointChangedV1 { counterpart, focal_point, changed_on });
twin_struct!(CounterpartWithdrew => CounterpartWithdrewV1 { counterpart, withdrew_on, reason });

stored_events!("counterpart", CounterpartEvent {
    Joined => "CounterpartJoined" v 1 CounterpartJoinedV1,
    DetailsCorrected => "CounterpartDetailsCorrected" v 1 CounterpartDetailsCorrectedV1,
    FocalPointChanged => "FocalPointChanged" v 1 FocalPointChangedV1,
    Withdrew => "CounterpartWithdrew" v 1 CounterpartWithdrewV1,
});
