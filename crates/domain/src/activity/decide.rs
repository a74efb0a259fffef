//! The activity decider: which events each command produces, and how events fold.

use jiff::civil::Date;

use super::facts::check_result_breakdowns;
use super::*;
use crate::decider::Decider;
use crate::error::{DomainError, DuplicateMatch, RecordRef, Result};
use crate::values::{require_distinct, require_text};

#[derive(Debug, Clone, Copy)]
pub struct ActivityDecider;

/// The record of a proposed activity.
fn proposed(state: &Activity, activity: ActivityId) -> Result<&ActivityRecord> {
    state
        .record
        .as_ref()
        .ok_or(DomainError::ActivityNotProposed { activity })
}

/// The record of an activity that was neither rejected nor cancelled.
fn live(state: &Activity, activity: ActivityId) -> Result<&ActivityRecord> {
    let record = proposed(state, activity)?;
    match record.status {
        ActivityStatus::Rejected => Err(DomainError::ActivityRejected { activity }),
        ActivityStatus::Cancelled => Err(DomainError::ActivityCancelled { activity }),
        _ => Ok(record),
    }
}

/// The record of a live activity that has not taken place.
fn not_yet_held(state: &Activity, activity: ActivityId) -> Result<&ActivityRecord> {
    let record = live(state, activity)?;
    if record.status == ActivityStatus::Held {
        return Err(DomainError::ActivityAlreadyHeld { activity });
    }
    Ok(record)
}

/// The record of a live activity still waiting for a decision.
fn pending(state: &Activity, activity: ActivityId) -> Result<&ActivityRecord> {
    let record = not_yet_held(state, activity)?;
    if let Some(year) = record.approved_into {
        return Err(DomainError::ActivityAlreadyApproved { activity, year });
    }
    Ok(record)
}

fn not_before_proposal(record: &ActivityRecord, what: &'static str, date: Date) -> Result<()> {
    if date < record.proposed_on {
        return Err(DomainError::DateBeforeStart {
            what,
            date,
            record: format!("activity {}", record.activity),
            since: record.proposed_on,
        });
    }
    Ok(())
}

fn decide_proposal(state: &Activity, propose: &ProposeActivity) -> Result<Vec<ActivityEvent>> {
    let activity = propose.activity;
    if state.record.is_some() {
        return Err(DomainError::ActivityAlreadyProposed { activity });
    }
    require_text("activity title", &propose.title)?;
    propose
        .membership
        .require_member("propose-activity", "host", propose.host, propose.planned.start())?;
    require_distinct("needs answered", &propose.answers_needs)?;
    let duplicates = find_duplicate_activities(
        activity,
        propose.kind,
        propose.thematic_area,
        &propose.planned,
        &propose.existing_activities,
    );
    let proposal = ActivityEvent::Proposed(ActivityProposed {
        activity,
        kind: propose.kind,
        title: propose.title.clone(),
        thematic_area: propose.thematic_area,
        answers_needs: propose.answers_needs.clone(),
        host: propose.host,
        proposed_by: propose.proposed_by,
        planned: propose.planned,
        estimated_cost: propose.estimated_cost.clone(),
        proposed_on: propose.proposed_on,
    });
    match (&propose.duplicate_override, duplicates.is_empty()) {
        (None, true) => Ok(vec![proposal]),
        (None, false) => Err(DomainError::PossibleDuplicate {
            record: RecordRef::Activity(activity),
            duplicates: duplicates
                .iter()
                .map(|outline| DuplicateMatch {
                    record: RecordRef::Activity(outline.activity),
                    grounds: outline.grounds(&propose.planned),
                })
                .collect(),
        }),
        (Some(reason), no_duplicates) => {
            require_text("duplicate override reason", reason)?;
            // A reason is never dropped: it overrides the warning, or is kept as a note.
            let kept = if no_duplicates {
                ActivityEvent::DuplicateOverrideNoted(DuplicateOverrideNoted {
                    activity,
                    reason: reason.clone(),
                })
            } else {
                ActivityEvent::DuplicateWarningOverridden(DuplicateWarningOverridden {
                    activity,
                    duplicates: duplicates.iter().map(|outline| outline.activity).collect(),
                    reason: reason.clone(),
                })
            };
            Ok(vec![proposal, kept])
        }
    }
}

fn decide_approval(state: &Activity, approve: &ApproveActivity) -> Result<ActivityEvent> {
    let record = pending(state, approve.activity)?;
    if !approve.work_programme_status.accepts_activities() {
        return Err(DomainError::WorkProgrammeNotOpen {
            year: approve.work_programme,
            status: approve.work_programme_status,
        });
    }
    approve.decision.validate()?;
    not_before_proposal(record, "approval", approve.decision.decided_on)?;
    Ok(ActivityEvent::Approved(ActivityApproved {
        activity: approve.activity,
        work_programme: approve.work_programme,
        decision: approve.decision.clone(),
    }))
}

fn decide_hold(state: &Activity, hold: &HoldActivity) -> Result<ActivityEvent> {
    let record = not_yet_held(state, hold.activity)?;
    if record.approved_into.is_none() {
        return Err(DomainError::ActivityNotApproved {
            activity: hold.activity,
        });
    }
    hold.participants.validate(hold.activity)?;
    let states: Vec<MemberStateCode> = hold
        .participants
        .by_member_state
        .iter()
        .map(|share| share.member_state)
        .collect();
    hold.membership.require_members(
        "hold-activity",
        "participants.by_member_state",
        &states,
        hold.held.start(),
    )?;
    for output in &hold.outputs {
        output.validate()?;
    }
    Ok(ActivityEvent::Held(ActivityHeld {
        activity: hold.activity,
        held: hold.held,
        participants: hold.participants.clone(),
        outputs: hold.outputs.clone(),
    }))
}

fn decide_indicator(state: &Activity, define: &DefineIndicator) -> Result<ActivityEvent> {
    let record = live(state, define.activity)?;
    if record.indicators.contains(&define.indicator) {
        return Err(DomainError::IndicatorAlreadyDefined {
            activity: define.activity,
            indicator: define.indicator,
        });
    }
    require_text("indicator name", &define.name)?;
    require_text("indicator unit", &define.unit)?;
    not_before_proposal(record, "definition of the indicator", define.defined_on)?;
    Ok(ActivityEvent::IndicatorDefined(IndicatorDefined {
        activity: define.activity,
        indicator: define.indicator,
        name: define.name.clone(),
        unit: define.unit.clone(),
        baseline: define.baseline,
        target: define.target,
        higher_is_better: define.higher_is_better,
        defined_on: define.defined_on,
    }))
}

fn decide_result(state: &Activity, record_result: &RecordResult) -> Result<ActivityEvent> {
    let RecordResult {
        activity,
        indicator,
        period,
        ..
    } = *record_result;
    let record = proposed(state, activity)?;
    if !record.indicators.contains(&indicator) {
        return Err(DomainError::IndicatorNotDefined { activity, indicator });
    }
    if record.status != ActivityStatus::Held {
        return Err(DomainError::ActivityNotHeld { activity });
    }
    check_result_breakdowns(
        activity,
        indicator,
        record_result.value,
        &record_result.by_sex,
        &record_result.by_member_state,
    )?;
    let states: Vec<MemberStateCode> = record_result
        .by_member_state
        .iter()
        .map(|share| share.member_state)
        .collect();
    record_result
        .membership
        .require_members("record-result", "by_member_state", &states, period.start())?;
    let already_recorded = record.results.contains(&(indicator, period));
    match &record_result.correction {
        None if already_recorded => Err(DomainError::ResultAlreadyRecorded {
            activity,
            indicator,
            period,
        }),
        None => Ok(ActivityEvent::ResultRecorded(ResultRecorded {
            activity,
            indicator,
            period,
            value: record_result.value,
            by_sex: record_result.by_sex.clone(),
            by_member_state: record_result.by_member_state.clone(),
        })),
        Some(_) if !already_recorded => Err(DomainError::ResultNotRecorded {
            activity,
            indicator,
            period,
        }),
        Some(correction) => {
            correction.validate()?;
            Ok(ActivityEvent::ResultCorrected(ResultCorrected {
                activity,
                indicator,
                period,
                value: record_result.value,
                by_sex: record_result.by_sex.clone(),
                by_member_state: record_result.by_member_state.clone(),
                correction: correction.clone(),
            }))
        }
    }
}

impl Decider for ActivityDecider {
    type Id = ActivityId;
    type State = Activity;
    type Command = ActivityCommand;
    type Event = ActivityEvent;

    const STREAM_PREFIX: &'static str = "activity";

    fn target(command: &ActivityCommand) -> ActivityId {
        match command {
            ActivityCommand::Propose(command) => command.activity,
            ActivityCommand::Approve(command) => command.activity,
            ActivityCommand::Reject(command) | ActivityCommand::Defer(command) => command.activity,
            ActivityCommand::Reschedule(command) => command.activity,
            ActivityCommand::Hold(command) => command.activity,
            ActivityCommand::Cancel(command) => command.activity,
            ActivityCommand::DefineIndicator(command) => command.activity,
            ActivityCommand::RecordResult(command) => command.activity,
        }
    }

    fn decide(state: &Activity, command: &ActivityCommand) -> Result<Vec<ActivityEvent>> {
        let event = match command {
            ActivityCommand::Propose(propose) => return decide_proposal(state, propose),
            ActivityCommand::Approve(approve) => decide_approval(state, approve)?,
            ActivityCommand::Reject(reject) => {
                let record = pending(state, reject.activity)?;
                require_text("rejection rationale", &reject.rationale)?;
                not_before_proposal(record, "rejection", reject.decided_on)?;
                ActivityEvent::Rejected(ActivityRejected {
                    activity: reject.activity,
                    rationale: reject.rationale.clone(),
                    decided_on: reject.decided_on,
                })
            }
            ActivityCommand::Defer(defer) => {
                let record = pending(state, defer.activity)?;
                require_text("deferral rationale", &defer.rationale)?;
                not_before_proposal(record, "deferral", defer.decided_on)?;
                ActivityEvent::Deferred(ActivityDeferred {
                    activity: defer.activity,
                    rationale: defer.rationale.clone(),
                    decided_on: defer.decided_on,
                })
            }
            ActivityCommand::Reschedule(reschedule) => {
                let record = not_yet_held(state, reschedule.activity)?;
                require_text("rescheduling reason", &reschedule.reason)?;
                not_before_proposal(record, "rescheduling", reschedule.rescheduled_on)?;
                reschedule.membership.require_member(
                    "reschedule-activity",
                    "host",
                    record.host,
                    reschedule.planned.start(),
                )?;
                ActivityEvent::Rescheduled(ActivityRescheduled {
                    activity: reschedule.activity,
                    planned: reschedule.planned,
                    reason: reschedule.reason.clone(),
                    rescheduled_on: reschedule.rescheduled_on,
                })
            }
            ActivityCommand::Hold(hold) => decide_hold(state, hold)?,
            ActivityCommand::Cancel(cancel) => {
                let record = not_yet_held(state, cancel.activity)?;
                require_text("cancellation reason", &cancel.reason)?;
                not_before_proposal(record, "cancellation", cancel.cancelled_on)?;
                ActivityEvent::Cancelled(ActivityCancelled {
                    activity: cancel.activity,
                    reason: cancel.reason.clone(),
                    cancelled_on: cancel.cancelled_on,
                })
            }
            ActivityCommand::DefineIndicator(define) => decide_indicator(state, define)?,
            ActivityCommand::RecordResult(record_result) => decide_result(state, record_result)?,
        };
        Ok(vec![event])
    }

    fn evolve(mut state: Activity, event: &ActivityEvent) -> Activity {
        let record = match (event, state.record.as_mut()) {
            (ActivityEvent::Proposed(proposed), None) => {
                state.record = Some(ActivityRecord {
                    activity: proposed.activity,
                    kind: proposed.kind,
                    title: proposed.title.clone(),
                    thematic_area: proposed.thematic_area,
                    host: proposed.host,
                    proposed_on: proposed.proposed_on,
                    planned: proposed.planned,
                    status: ActivityStatus::Proposed,
                    approved_into: None,
                    indicators: Vec::new(),
                    results: Vec::new(),
                });
                return state;
            }
            (_, Some(record)) => record,
            // Anything but a proposal before the proposal does not fit; replay goes on.
            (_, None) => return state,
        };
        match event {
            ActivityEvent::Proposed(_)
            | ActivityEvent::DuplicateWarningOverridden(_)
            | ActivityEvent::DuplicateOverrideNoted(_) => {}
            ActivityEvent::Approved(approved) => {
                record.status = ActivityStatus::Approved;
                record.approved_into = Some(approved.work_programme);
            }
            ActivityEvent::Rejected(_) => record.status = ActivityStatus::Rejected,
            ActivityEvent::Deferred(_) => record.status = ActivityStatus::Deferred,
            ActivityEvent::Rescheduled(rescheduled) => record.planned = rescheduled.planned,
            ActivityEvent::Held(_) => record.status = ActivityStatus::Held,
            ActivityEvent::Cancelled(_) => record.status = ActivityStatus::Cancelled,
            ActivityEvent::IndicatorDefined(defined) => {
                if !record.indicators.contains(&defined.indicator) {
                    record.indicators.push(defined.indicator);
                }
            }
            ActivityEvent::ResultRecorded(recorded) => {
                let key = (recorded.indicator, recorded.period);
                if !record.results.contains(&key) {
                    record.results.push(key);
                }
            }
            ActivityEvent::ResultCorrected(_) => {}
        }
        state
    }
}
