//! Approval, rejection and deferral.

use super::*;

#[test]
fn a_proposed_or_deferred_activity_is_approved_into_an_open_work_programme() {
    for status in [WorkProgrammeStatus::Open, WorkProgrammeStatus::Adopted] {
        let state = ActivityDecider::given([proposed()])
            .when(approve(status))
            .then([approved()]);
        assert_eq!(state.record.unwrap().approved_into, Some(year()));
    }
    ActivityDecider::given([proposed(), deferred()])
        .when(approve(WorkProgrammeStatus::Open))
        .then([approved()]);
}

#[test]
fn approval_needs_an_open_work_programme() {
    for status in [WorkProgrammeStatus::NotOpened, WorkProgrammeStatus::Closed] {
        ActivityDecider::given([proposed()])
            .when(approve(status))
            .then_error(DomainError::WorkProgrammeNotOpen { year: year(), status });
    }
}

#[test]
fn an_activity_is_approved_only_once_and_only_after_it_was_proposed() {
    ActivityDecider::given([])
        .when(approve(WorkProgrammeStatus::Open))
        .then_error(DomainError::ActivityNotProposed {
            activity: activity_id(1),
        });
    ActivityDecider::given([proposed(), approved()])
        .when(approve(WorkProgrammeStatus::Open))
        .then_error(DomainError::ActivityAlreadyApproved {
            activity: activity_id(1),
            year: year(),
        });
}

#[test]
fn approval_is_not_dated_before_the_proposal_and_cites_a_full_decision() {
    let mut early = decision(day(2012, 12, 31));
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Approve(ApproveActivity {
            activity: activity_id(1),
            work_programme: year(),
            work_programme_status: WorkProgrammeStatus::Open,
            decision: early.clone(),
        }))
        .then_error(DomainError::DateBeforeStart {
            what: "approval",
            date: day(2012, 12, 31),
            record: format!("activity {}", activity_id(1)),
            since: day(2013, 1, 15),
        });
    early.rationale.clear();
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Approve(ApproveActivity {
            activity: activity_id(1),
            work_programme: year(),
            work_programme_status: WorkProgrammeStatus::Open,
            decision: early,
        }))
        .then_error(DomainError::EmptyField {
            field: "decision rationale",
        });
}

#[test]
fn a_pending_activity_is_rejected_or_deferred_with_a_rationale() {
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Reject(against("no funding in 2013", day(2013, 2, 1))))
        .then([rejected()]);
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Defer(against(
            "await the regional development bank's answer",
            day(2013, 2, 1),
        )))
        .then([deferred()]);
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Reject(against("", day(2013, 2, 1))))
        .then_error(DomainError::EmptyField {
            field: "rejection rationale",
        });
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Defer(against(" ", day(2013, 2, 1))))
        .then_error(DomainError::EmptyField {
            field: "deferral rationale",
        });
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Reject(against("late", day(2013, 1, 1))))
        .then_error(DomainError::DateBeforeStart {
            what: "rejection",
            date: day(2013, 1, 1),
            record: format!("activity {}", activity_id(1)),
            since: day(2013, 1, 15),
        });
}

#[test]
fn an_approved_activity_is_neither_rejected_nor_deferred() {
    ActivityDecider::given([proposed(), approved()])
        .when(ActivityCommand::Reject(against("changed mind", day(2013, 3, 1))))
        .then_error(DomainError::ActivityAlreadyApproved {
            activity: activity_id(1),
            year: year(),
        });
}
