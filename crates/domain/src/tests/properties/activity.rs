//! Activities.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::activity::*;
use crate::testing::fixtures::*;
use crate::values::{ActivityKind, ApprovingBody, Correction, Decision, OutputKind, Sex, WorkProgrammeYear};
use crate::work_programme::WorkProgrammeStatus;

fn status() -> impl Strategy<Value = ActivityStatus> {
    prop_oneof![
        Just(ActivityStatus::Proposed),
        Just(ActivityStatus::Approved),
        Just(ActivityStatus::Rejected),
        Just(ActivityStatus::Cancelled),
    ]
}

/// Two kinds only, so that proposals often meet an activity of their kind.
fn kind() -> impl Strategy<Value = ActivityKind> {
    prop_oneof![Just(ActivityKind::Seminar), Just(ActivityKind::TrainingWorkshop)]
}

fn outline() -> impl Strategy<Value = ActivityOutline> {
    // Other activities than the ones proposed, so that they can be duplicates.
    (
        4u128..7,
        kind(),
        thematic_area(),
        member_state(),
        any_period(),
        status(),
    )
        .prop_map(|(id, kind, thematic_area, host, planned, status)| ActivityOutline {
            activity: activity_id(id),
            kind,
            title: format!("Activity {id}"),
            thematic_area,
            host,
            planned,
            status,
        })
}

fn propose() -> impl Strategy<Value = ActivityCommand> {
    (
        (pick(), kind(), text(), thematic_area(), member_state(), any_period()),
        (any_money(), any_day(), proptest::collection::vec(outline(), 0..5)),
        proptest::option::of(text()),
    )
        .prop_map(
            |(
                (id, kind, title, thematic_area, host, planned),
                (estimated_cost, proposed_on, existing_activities),
                duplicate_override,
            )| {
                ActivityCommand::Propose(ProposeActivity {
                    activity: activity_id(id),
                    kind,
                    title,
                    thematic_area,
                    answers_needs: vec![need_id(id)],
                    host,
                    proposed_by: Proposer::Secretariat,
                    planned,
                    estimated_cost,
                    proposed_on,
                    existing_activities,
                    duplicate_override,
                    membership: members(),
                })
            },
        )
}

fn approve() -> impl Strategy<Value = ActivityCommand> {
    let work_programme_status = prop_oneof![
        3 => Just(WorkProgrammeStatus::Open),
        2 => Just(WorkProgrammeStatus::Adopted),
        1 => Just(WorkProgrammeStatus::Closed),
    ];
    (pick(), work_programme_status, text(), late_day()).prop_map(
        |(id, work_programme_status, rationale, decided_on)| {
            ActivityCommand::Approve(ApproveActivity {
                activity: activity_id(id),
                work_programme: WorkProgrammeYear::new(2013).expect("a valid year"),
                work_programme_status,
                decision: Decision {
                    body: ApprovingBody::PermanentSecretariat,
                    reference: "SP/Di N° 12-13".to_owned(),
                    rationale,
                    decided_on,
                },
            })
        },
    )
}

fn decide_against() -> impl Strategy<Value = ActivityCommand> {
    (pick(), text(), any_day(), proptest::bool::ANY).prop_map(|(id, rationale, decided_on, reject)| {
        let decision = DecideAgainstActivity {
            activity: activity_id(id),
            rationale,
            decided_on,
        };
        if reject {
            ActivityCommand::Reject(decision)
        } else {
            ActivityCommand::Defer(decision)
        }
    })
}

fn hold() -> impl Strategy<Value = ActivityCommand> {
    (
        pick(),
        any_period(),
        0u32..40,
        0u32..40,
        prop_oneof![4 => Just(0u32), 1 => Just(1u32)],
        any::<bool>(),
    )
        .prop_map(|(id, held, women, men, extra, by_member_state_known)| {
            ActivityCommand::Hold(HoldActivity {
                activity: activity_id(id),
                held,
                participants: ParticipantCounts {
                    by_sex: vec![
                        SexShare {
                            sex: Sex::Female,
                            value: women,
                        },
                        SexShare {
                            sex: Sex::Male,
                            value: men,
                        },
                    ],
                    // Often only the count by sex is known.
                    by_member_state: if by_member_state_known {
                        vec![MemberStateShare {
                            member_state: state("PE"),
                            value: women + men + extra,
                        }]
                    } else {
                        Vec::new()
                    },
                },
                outputs: vec![Output {
                    kind: OutputKind::Video,
                    title: "Opening session".to_owned(),
                    link: "https://www.sela.org/pymes/video".to_owned(),
                }],
                membership: members(),
            })
        })
}

/// One of two measurement periods, so results meet their corrections.
fn result_period() -> impl Strategy<Value = Period> {
    prop_oneof![
        Just(period(day(2013, 1, 1), day(2013, 6, 30))),
        Just(period(day(2013, 7, 1), day(2013, 12, 31))),
    ]
}

fn other_steps() -> impl Strategy<Value = ActivityCommand> {
    let reschedule = (pick(), any_period(), text()).prop_map(|(id, planned, reason)| {
        ActivityCommand::Reschedule(RescheduleActivity {
            activity: activity_id(id),
            planned,
            reason,
            rescheduled_on: day(2013, 2, 1),
            membership: members(),
        })
    });
    let cancel = (pick(), text(), any_day()).prop_map(|(id, reason, cancelled_on)| {
        ActivityCommand::Cancel(CancelActivity {
            activity: activity_id(id),
            reason,
            cancelled_on,
        })
    });
    let define = (pick(), pick(), text(), -5i64..50, proptest::bool::ANY).prop_map(
        |(id, indicator, name, target, higher_is_better)| {
            ActivityCommand::DefineIndicator(DefineIndicator {
                activity: activity_id(id),
                indicator: indicator_id(indicator),
                name,
                unit: "people".to_owned(),
                baseline: Decimal::ZERO,
                target: Decimal::from(target),
                higher_is_better,
                defined_on: day(2013, 2, 1),
            })
        },
    );
    let record = (
        (pick(), pick(), result_period(), 0i64..30, 0i64..30),
        proptest::bool::ANY,
        proptest::option::weighted(0.3, text()),
    )
        .prop_map(|((id, indicator, period, women, men), with_breakdown, correction)| {
            let by_sex = if with_breakdown {
                vec![
                    SexShare {
                        sex: Sex::Female,
                        value: Decimal::from(women),
                    },
                    SexShare {
                        sex: Sex::Male,
                        value: Decimal::from(men),
                    },
                ]
            } else {
                Vec::new()
            };
            ActivityCommand::RecordResult(RecordResult {
                activity: activity_id(id),
                indicator: indicator_id(indicator),
                period,
                value: Decimal::from(women + men),
                by_sex,
                by_member_state: Vec::new(),
                correction: correction.map(|reason| Correction {
                    corrects: event_id(id),
                    reason,
                    effective_from: period.start(),
                }),
                membership: members(),
            })
        });
    prop_oneof![1 => reschedule, 1 => cancel, 2 => define, 4 => record]
}

fn activity_command() -> impl Strategy<Value = ActivityCommand> {
    prop_oneof![
        2 => propose(),
        2 => approve(),
        1 => decide_against(),
        3 => hold(),
        4 => other_steps(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn activity_histories_hold_the_properties(
        commands in proptest::collection::vec(activity_command(), 0..40)
    ) {
        run_commands::<ActivityDecider>(&commands);
    }

    #[test]
    fn participants_are_accepted_exactly_when_plausible_and_agreeing(
        women in prop_oneof![Just(0u32), 0u32..50, 99_990u32..100_010],
        men in prop_oneof![Just(0u32), 0u32..50],
        by_member_state in proptest::option::of(prop_oneof![0u32..100, 99_990u32..100_100]),
    ) {
        let counts = ParticipantCounts {
            by_sex: vec![
                SexShare { sex: Sex::Female, value: women },
                SexShare { sex: Sex::Male, value: men },
            ],
            by_member_state: by_member_state
                .map(|value| vec![MemberStateShare { member_state: state("PE"), value }])
                .unwrap_or_default(),
        };
        let total = women + men;
        let plausible = (1..=ParticipantCounts::MOST_AT_ONE_ACTIVITY).contains(&total)
            && by_member_state.is_none_or(|value| value == total);
        prop_assert_eq!(counts.validate(activity_id(1)).is_ok(), plausible, "{:?}", counts);
    }

    #[test]
    fn a_reason_given_with_a_proposal_is_never_dropped_and_the_host_plays_no_part(
        command in propose(),
        other_host in member_state(),
    ) {
        let ActivityCommand::Propose(proposal) = &command else { unreachable!() };
        let decided = ActivityDecider::decide(&Activity::default(), &command);
        if let (Ok(events), Some(reason)) = (&decided, &proposal.duplicate_override) {
            let kept: Vec<&String> = events
                .iter()
                .filter_map(|event| match event {
                    ActivityEvent::DuplicateWarningOverridden(overridden) => Some(&overridden.reason),
                    ActivityEvent::DuplicateOverrideNoted(noted) => Some(&noted.reason),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(kept, vec![reason]);
        }
        // Moving every existing activity to another host changes nothing but the grounds'
        // words.
        let mut elsewhere = proposal.clone();
        for outline in &mut elsewhere.existing_activities {
            outline.host = other_host;
        }
        let moved = ActivityDecider::decide(&Activity::default(), &ActivityCommand::Propose(elsewhere));
        prop_assert_eq!(outcome(moved), outcome(decided));
    }
}

/// What a decision came to, leaving out the words of a duplicate warning's grounds.
fn outcome(decided: crate::Result<Vec<ActivityEvent>>) -> Result<Vec<ActivityEvent>, String> {
    decided.map_err(|error| match error {
        crate::DomainError::PossibleDuplicate { duplicates, .. } => {
            let records: Vec<String> = duplicates.iter().map(|found| found.record.to_string()).collect();
            records.join(", ")
        }
        other => other.to_string(),
    })
}
