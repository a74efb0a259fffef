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
        membership: members(),
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
        membership: members(),
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

/// A membership history in which Costa Rica left on 1 March 2017 and Jamaica at an unknown
/// date recorded under 30 November 2021.
fn membership_with_departures() -> crate::membership::MembershipHistory {
    use crate::member_state::{MemberStateEvent, MemberStateLeft};
    let mut history = members();
    for (code, left_on, known_by) in [
        ("CR", Some(day(2017, 3, 1)), day(2017, 3, 1)),
        ("JM", None, day(2021, 11, 30)),
    ] {
        let event = MemberStateEvent::Left(MemberStateLeft {
            code: state(code),
            left_on,
            source: "a source".to_owned(),
        });
        history.record(&event, Some(known_by));
    }
    history
}

#[test]
fn the_host_must_be_a_member_state_on_the_planned_start() {
    let with_host = |host: &str, planned: Period, membership| {
        let ActivityCommand::Propose(mut command) = propose(vec![], None) else {
            unreachable!()
        };
        command.host = state(host);
        command.planned = planned;
        command.membership = membership;
        ActivityCommand::Propose(command)
    };
    let error = ActivityDecider::given([])
        .when(with_host("US", may_2013(), members()))
        .then_refused();
    let DomainError::NotAMemberState {
        command,
        field,
        code,
        on,
        members: then,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(
        (*command, *field, *code, *on),
        ("propose-activity", "host", state("US"), day(2013, 5, 20))
    );
    assert_eq!(then.len(), 28);
    assert!(error.to_string().starts_with(
        "propose-activity: host `US` is not a Member State of SELA on 2013-05-20 (Member States then: AR, BB, BO,"
    ));
    // Costa Rica hosts in 2013, not after it left; Jamaica until the log knows it left.
    let in_2018 = period(day(2018, 5, 1), day(2018, 5, 2));
    ActivityDecider::given([])
        .when(with_host("CR", may_2013(), membership_with_departures()))
        .then_accepted();
    ActivityDecider::given([])
        .when(with_host("CR", in_2018, membership_with_departures()))
        .then_refused();
    ActivityDecider::given([])
        .when(with_host("JM", in_2018, membership_with_departures()))
        .then_accepted();
    ActivityDecider::given([])
        .when(with_host(
            "JM",
            period(day(2022, 1, 10), day(2022, 1, 11)),
            membership_with_departures(),
        ))
        .then_refused();
}

#[test]
fn a_log_without_membership_history_says_how_to_load_it() {
    let ActivityCommand::Propose(mut command) = propose(vec![], None) else {
        unreachable!()
    };
    command.membership = crate::membership::MembershipHistory::default();
    ActivityDecider::given([])
        .when(ActivityCommand::Propose(command))
        .then_error(DomainError::MembershipNotLoaded {
            command: "propose-activity",
            field: "host",
            code: state("PE"),
        });
}

#[test]
fn a_proposal_recorded_before_codes_were_checked_still_decodes_and_folds() {
    // As an older log holds it: hosted in `XX`, costed in `XYZ`.
    let (event_type, schema_version, mut payload) = crate::stored::encode(&proposed());
    payload["host"] = serde_json::json!("XX");
    payload["estimated_cost"]["currency"] = serde_json::json!("XYZ");
    let decoded: ActivityEvent = crate::stored::decode(event_type, schema_version, &payload, STORED_ON).unwrap();
    let ActivityEvent::Proposed(old) = &decoded else {
        panic!("{decoded:?}")
    };
    assert_eq!(
        (old.host.as_str(), old.estimated_cost.currency().as_str()),
        ("XX", "XYZ")
    );
    let folded = ActivityDecider::evolve(Activity::default(), &decoded);
    assert_eq!(folded.outline().unwrap().host, state("XX"));
}

#[test]
fn an_activity_is_rescheduled_only_to_dates_when_its_host_is_a_member_state() {
    let ActivityEvent::Proposed(mut in_costa_rica) = proposed() else {
        unreachable!()
    };
    in_costa_rica.host = state("CR");
    let reschedule = |planned| {
        ActivityCommand::Reschedule(RescheduleActivity {
            activity: activity_id(1),
            planned,
            reason: "the host asked for other dates".to_owned(),
            membership: membership_with_departures(),
            rescheduled_on: day(2013, 2, 1),
        })
    };
    ActivityDecider::given([ActivityEvent::Proposed(in_costa_rica.clone())])
        .when(reschedule(period(day(2013, 9, 1), day(2013, 9, 2))))
        .then_accepted();
    let refused = ActivityDecider::given([ActivityEvent::Proposed(in_costa_rica)])
        .when(reschedule(period(day(2018, 3, 1), day(2018, 3, 2))))
        .then_refused();
    assert!(
        refused
            .to_string()
            .starts_with("reschedule-activity: host `CR` is not a Member State of SELA on 2018-03-01"),
        "{refused}"
    );
}

#[test]
fn participants_by_member_state_come_from_member_states_on_the_day_held() {
    let mut from_abroad = participants();
    from_abroad.by_member_state[1].member_state = state("ES");
    let refused = ActivityDecider::given([proposed(), approved()])
        .when(hold(from_abroad, vec![report()]))
        .then_refused();
    assert!(
        refused
            .to_string()
            .starts_with("hold-activity: participants.by_member_state `ES` is not a Member State of SELA on 2013-05-"),
        "{refused}"
    );
    // Counts by sex alone need no membership history.
    let mut by_sex_alone = participants();
    by_sex_alone.by_member_state.clear();
    let ActivityCommand::Hold(mut command) = hold(by_sex_alone, vec![report()]) else {
        unreachable!()
    };
    command.membership = crate::membership::MembershipHistory::default();
    ActivityDecider::given([proposed(), approved()])
        .when(ActivityCommand::Hold(command))
        .then_accepted();
}
