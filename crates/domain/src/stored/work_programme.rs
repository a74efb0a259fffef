//! Stored shapes of the work programme events.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::stored_events;
use super::twin::twin_struct;
use crate::values::{Decision, Money, WorkProgrammeYear};
use crate::work_programme::{
    WorkProgrammeAdopted, WorkProgrammeClosed, WorkProgrammeEvent, WorkProgrammeOpened, WorkProgrammeRevised,
};

/// `WorkProgrammeOpened` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkProgrammeOpenedV1 {
    year: WorkProgrammeYear,
    estimated_budget: Money,
    opened_on: Date,
}

/// `WorkProgrammeAdopted` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkProgrammeAdoptedV1 {
    year: WorkProgrammeYear,
    decision: Decision,
}

/// `WorkProgrammeRevised` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkProgrammeRevisedV1 {
    year: WorkProgrammeYear,
    revised_budget: Money,
    reason: String,
    revised_on: Date,
}

/// `WorkProgrammeClosed` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkProgrammeClosedV1 {
    year: WorkProgrammeYear,
    closed_on: Date,
}

twin_struct!(WorkProgrammeOpened => WorkProgrammeOpenedV1 { year, estimated_budget, opened_on });
twin_struct!(WorkProgrammeAdopted => WorkProgrammeAdoptedV1 { year, decision });
twin_struct!(WorkProgrammeRevised => WorkProgrammeRevisedV1 { year, revised_budget, reason, revised_on });
twin_struct!(WorkProgrammeClosed => WorkProgrammeClosedV1 { year, closed_on });

stored_events!("work-programme", WorkProgrammeEvent {
    Opened => "WorkProgrammeOpened" v 1 WorkProgrammeOpenedV1,
    Adopted => "WorkProgrammeAdopted" v 1 WorkProgrammeAdoptedV1,
    Revised => "WorkProgrammeRevised" v 1 WorkProgrammeRevisedV1,
    Closed => "WorkProgrammeClosed" v 1 WorkProgrammeClosedV1,
});
