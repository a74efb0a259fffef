use super::*;
use crate::decider::Decider;
use crate::error::{DomainError, DuplicateMatch, RecordRef};
use crate::testing::DeciderTesting;
use crate::testing::fixtures::*;
use crate::values::{ApprovingBody, OutputKind, Sex};

mod decisions;
mod life_cycle;
mod results;

fn may_2013() -> Period {
    period(day(2013, 5, 20), day(2013, 5, 22))
}

fn year() -> WorkProgrammeYear {
    WorkProgrammeYear::new(2013).unwrap()
}

fn propose(existing: Vec<ActivityOutline>, duplicate_override: Option<&str>) -> ActivityCommand {
    ActivityCommand::Propose(ProposeActivity {
        activity: activity_id(1),
        kind: ActivityKind::Seminar,
        title: "Regional seminar on guarantee systems for SMEs".to_owned(),
        thematic_area: ThematicArea::Financing,
        answers_needs: vec![need_id(20)],
        host: state("PE"),
        proposed_by: Proposer::Counterpart(counterpart_id(1)),
        planned: may_2013(),
        estimated_cost: money(25_000, "USD"),
        proposed_on: day(2013, 1, 15),
        existing_activities: existing,
        duplicate_override: duplicate_override.map(str::to_owned),
    })
}

fn proposed() -> ActivityEvent {
    ActivityEvent::Proposed(ActivityProposed {
        activity: activity_id(1),
        kind: ActivityKind::Seminar,
        title: "Regional seminar on guarantee systems for SMEs".to_owned(),
        thematic_area: ThematicArea::Financing,
        answers_needs: vec![need_id(20)],
        host: state("PE"),
        proposed_by: Proposer::Counterpart(counterpart_id(1)),
        planned: may_2013(),
        estimated_cost: money(25_000, "USD"),
        proposed_on: day(2013, 1, 15),
    })
}

fn outline(number: u128, area: ThematicArea, host: &str, planned: Period) -> ActivityOutline {
    ActivityOutline {
        activity: activity_id(number),
        kind: ActivityKind::Seminar,
        title: format!("Seminar number {number}"),
        thematic_area: area,
        host: state(host),
        planned,
        status: ActivityStatus::Approved,
    }
}

fn decision(decided_on: Date) -> Decision {
    Decision {
        body: ApprovingBody::PermanentSecretariat,
        reference: "SP/Di N° 12-13".to_owned(),
        rationale: "answers the guarantee-systems need raised in March".to_owned(),
        decided_on,
    }
}

fn approve(status: WorkProgrammeStatus) -> ActivityCommand {
    ActivityCommand::Approve(ApproveActivity {
        activity: activity_id(1),
        work_programme: year(),
        work_programme_status: status,
        decision: decision(day(2013, 2, 1)),
    })
}

fn approved() -> ActivityEvent {
    ActivityEvent::Approved(ActivityApproved {
        activity: activity_id(1),
        work_programme: year(),
        decision: decision(day(2013, 2, 1)),
    })
}

fn against(rationale: &str, decided_on: Date) -> DecideAgainstActivity {
    DecideAgainstActivity {
        activity: activity_id(1),
        rationale: rationale.to_owned(),
        decided_on,
    }
}

fn rejected() -> ActivityEvent {
    ActivityEvent::Rejected(ActivityRejected {
        activity: activity_id(1),
        rationale: "no funding in 2013".to_owned(),
        decided_on: day(2013, 2, 1),
    })
}

fn deferred() -> ActivityEvent {
    ActivityEvent::Deferred(ActivityDeferred {
        activity: activity_id(1),
        rationale: "await the regional development bank's answer".to_owned(),
        decided_on: day(2013, 2, 1),
    })
}

fn cancel() -> ActivityCommand {
    ActivityCommand::Cancel(CancelActivity {
        activity: activity_id(1),
        reason: "host withdrew its offer of a venue".to_owned(),
        cancelled_on: day(2013, 4, 1),
    })
}

fn cancelled() -> ActivityEvent {
    ActivityEvent::Cancelled(ActivityCancelled {
        activity: activity_id(1),
        reason: "host withdrew its offer of a venue".to_owned(),
        cancelled_on: day(2013, 4, 1),
    })
}

fn participants() -> ParticipantCounts {
    ParticipantCounts {
        by_sex: vec![
            SexShare {
                sex: Sex::Female,
                value: 31,
            },
            SexShare {
                sex: Sex::Male,
                value: 27,
            },
        ],
        by_member_state: vec![
            MemberStateShare {
                member_state: state("PE"),
                value: 40,
            },
            MemberStateShare {
                member_state: state("BO"),
                value: 18,
            },
        ],
    }
}

fn report() -> Output {
    Output {
        kind: OutputKind::Report,
        title: "Final report".to_owned(),
        link: "https://www.sela.org/pymes/2013/garantias".to_owned(),
    }
}

fn hold(participants: ParticipantCounts, outputs: Vec<Output>) -> ActivityCommand {
    ActivityCommand::Hold(HoldActivity {
        activity: activity_id(1),
        held: may_2013(),
        participants,
        outputs,
    })
}

fn held() -> ActivityEvent {
    ActivityEvent::Held(ActivityHeld {
        activity: activity_id(1),
        held: may_2013(),
        participants: participants(),
        outputs: vec![report()],
    })
}

#[test]
fn an_activity_is_proposed_once() {
    let state = ActivityDecider::given([])
        .when(propose(vec![], None))
        .then([proposed()]);
    assert_eq!(state.outline().unwrap().status, ActivityStatus::Proposed);
    ActivityDecider::given([proposed()])
        .when(propose(vec![], None))
        .then_error(DomainError::ActivityAlreadyProposed {
            activity: activity_id(1),
        });
}

#[test]
fn a_proposal_needs_a_title_and_distinct_needs() {
    let ActivityCommand::Propose(mut command) = propose(vec![], None) else {
        unreachable!()
    };
    command.answers_needs = vec![need_id(20), need_id(20)];
    ActivityDecider::given([])
        .when(ActivityCommand::Propose(command.clone()))
        .then_error(DomainError::DuplicateEntry {
            field: "needs answered",
            value: need_id(20).to_string(),
        });
    command.title = String::new();
    ActivityDecider::given([])
        .when(ActivityCommand::Propose(command))
        .then_error(DomainError::EmptyField {
            field: "activity title",
        });
}

#[test]
fn an_overlapping_activity_of_the_same_area_and_kind_is_a_possible_duplicate_wherever_hosted() {
    let mut workshop = outline(4, ThematicArea::Financing, "PE", may_2013());
    workshop.kind = ActivityKind::TrainingWorkshop;
    let existing = vec![
        outline(
            2,
            ThematicArea::Financing,
            "PE",
            period(day(2013, 5, 22), day(2013, 5, 23)),
        ),
        // Another host does not make it another activity.
        outline(6, ThematicArea::Financing, "BO", may_2013()),
        // Different area, different kind, no overlap: not duplicates.
        outline(3, ThematicArea::PublicPolicies, "PE", may_2013()),
        workshop,
        outline(
            5,
            ThematicArea::Financing,
            "PE",
            period(day(2013, 6, 1), day(2013, 6, 2)),
        ),
    ];
    let refused = DomainError::PossibleDuplicate {
        record: RecordRef::Activity(activity_id(1)),
        duplicates: vec![
            DuplicateMatch {
                record: RecordRef::Activity(activity_id(2)),
                grounds: "\"Seminar number 2\" (same thematic area (financing) and kind (seminar), planned \
                              2013-05-22 to 2013-05-23 overlapping 2013-05-20 to 2013-05-22, hosted in PE, approved)"
                    .to_owned(),
            },
            DuplicateMatch {
                record: RecordRef::Activity(activity_id(6)),
                grounds: "\"Seminar number 6\" (same thematic area (financing) and kind (seminar), planned \
                              2013-05-20 to 2013-05-22 overlapping 2013-05-20 to 2013-05-22, hosted in BO, approved)"
                    .to_owned(),
            },
        ],
    };
    ActivityDecider::given([])
        .when(propose(existing, None))
        .then_error(refused.clone());
    assert!(
        refused.to_string().starts_with(&format!(
            "activity {} may duplicate activity {} \"Seminar number 2\" (same thematic area",
            activity_id(1),
            activity_id(2)
        )),
        "{refused}"
    );
    assert!(
        refused.to_string().ends_with("; give a reason to record it anyway"),
        "{refused}"
    );
}

#[test]
fn the_warning_names_kinds_and_areas_in_words() {
    let mut workshop = outline(2, ThematicArea::PublicPolicies, "HN", may_2013());
    workshop.kind = ActivityKind::TrainingWorkshop;
    workshop.status = ActivityStatus::Proposed;
    assert_eq!(
        workshop.grounds(&period(day(2013, 5, 21), day(2013, 5, 24))),
        "\"Seminar number 2\" (same thematic area (public policies) and kind (training workshop), planned \
         2013-05-20 to 2013-05-22 overlapping 2013-05-21 to 2013-05-24, hosted in HN, proposed)"
    );
}

#[test]
fn rejected_and_cancelled_activities_are_not_duplicates() {
    for status in [ActivityStatus::Rejected, ActivityStatus::Cancelled] {
        let mut gone = outline(2, ThematicArea::Financing, "PE", may_2013());
        gone.status = status;
        ActivityDecider::given([])
            .when(propose(vec![gone], None))
            .then([proposed()]);
    }
    let itself = outline(1, ThematicArea::Financing, "PE", may_2013());
    ActivityDecider::given([])
        .when(propose(vec![itself], None))
        .then([proposed()]);
}

#[test]
fn a_reason_given_without_a_possible_duplicate_is_kept_as_a_note() {
    let elsewhere = outline(3, ThematicArea::PublicPolicies, "BO", may_2013());
    ActivityDecider::given([])
        .when(propose(
            vec![elsewhere],
            Some("Bolivia holds a workshop on policies the same week"),
        ))
        .then([
            proposed(),
            ActivityEvent::DuplicateOverrideNoted(DuplicateOverrideNoted {
                activity: activity_id(1),
                reason: "Bolivia holds a workshop on policies the same week".to_owned(),
            }),
        ]);
    ActivityDecider::given([])
        .when(propose(vec![], Some(" ")))
        .then_error(DomainError::EmptyField {
            field: "duplicate override reason",
        });
}

#[test]
fn an_override_reason_records_the_proposal_and_the_overridden_warning() {
    let existing = vec![outline(2, ThematicArea::Financing, "PE", may_2013())];
    ActivityDecider::given([])
        .when(propose(existing.clone(), Some("second seminar for Andean SMEs")))
        .then([
            proposed(),
            ActivityEvent::DuplicateWarningOverridden(DuplicateWarningOverridden {
                activity: activity_id(1),
                duplicates: vec![activity_id(2)],
                reason: "second seminar for Andean SMEs".to_owned(),
            }),
        ]);
    ActivityDecider::given([])
        .when(propose(existing, Some("  ")))
        .then_error(DomainError::EmptyField {
            field: "duplicate override reason",
        });
}

#[test]
fn the_duplicate_rule_is_a_pure_function_of_outlines() {
    let existing = [outline(2, ThematicArea::Financing, "PE", may_2013())];
    let overlapping = period(day(2013, 5, 22), day(2013, 5, 30));
    let found = find_duplicate_activities(
        activity_id(1),
        ActivityKind::Seminar,
        ThematicArea::Financing,
        &overlapping,
        &existing,
    );
    assert_eq!(found, [&existing[0]]);
    let later = period(day(2013, 5, 23), day(2013, 5, 30));
    assert!(
        find_duplicate_activities(
            activity_id(1),
            ActivityKind::Seminar,
            ThematicArea::Financing,
            &later,
            &existing
        )
        .is_empty()
    );
    assert!(
        find_duplicate_activities(
            activity_id(1),
            ActivityKind::BusinessFair,
            ThematicArea::Financing,
            &overlapping,
            &existing
        )
        .is_empty()
    );
    assert_eq!(
        ActivityDecider::stream_name(&activity_id(1)),
        "activity-00000000-0000-0000-0000-000000000001"
    );
}
