use super::*;
use crate::testing::DeciderTesting;
use crate::testing::fixtures::*;

fn details() -> CounterpartDetails {
    CounterpartDetails {
        name: "Instituto Nacional de la Pequeña y Mediana Empresa".to_owned(),
        kind: CounterpartKind::Public,
        member_state: Some(state("PE")),
        thematic_areas: vec![ThematicArea::Financing, ThematicArea::PublicPolicies],
    }
}

fn join_command(details: CounterpartDetails) -> CounterpartCommand {
    CounterpartCommand::Join(JoinCounterpart {
        counterpart: counterpart_id(1),
        details,
        focal_point: sealed(10),
        joined_on: day(2012, 11, 5),
        membership: members(),
    })
}

fn joined() -> CounterpartEvent {
    CounterpartEvent::Joined(CounterpartJoined {
        counterpart: counterpart_id(1),
        details: details(),
        focal_point: sealed(10),
        joined_on: day(2012, 11, 5),
    })
}

fn withdraw(on: Date) -> CounterpartCommand {
    CounterpartCommand::Withdraw(WithdrawCounterpart {
        counterpart: counterpart_id(1),
        withdrew_on: on,
        reason: "merged into the ministry".to_owned(),
    })
}

fn withdrew(on: Date) -> CounterpartEvent {
    CounterpartEvent::Withdrew(CounterpartWithdrew {
        counterpart: counterpart_id(1),
        withdrew_on: on,
        reason: "merged into the ministry".to_owned(),
    })
}

fn change_focal_point(person: u128, on: Date) -> CounterpartCommand {
    CounterpartCommand::ChangeFocalPoint(ChangeFocalPoint {
        counterpart: counterpart_id(1),
        focal_point: sealed(person),
        changed_on: on,
    })
}

fn correction() -> Correction {
    Correction {
        corrects: event_id(500),
        reason: "name misspelt at registration".to_owned(),
        effective_from: day(2012, 11, 5),
    }
}

#[test]
fn a_counterpart_joins_with_a_sealed_focal_point() {
    let state = CounterpartDecider::given([])
        .when(join_command(details()))
        .then([joined()]);
    let standing = state.standing().unwrap();
    assert!(standing.is_active_on(day(2012, 11, 5)));
    assert!(!standing.is_active_on(day(2012, 11, 4)));
    assert_eq!(
        CounterpartDecider::stream_name(&counterpart_id(1)),
        "counterpart-00000000-0000-0000-0000-000000000001"
    );
}

#[test]
fn a_counterpart_joins_once() {
    CounterpartDecider::given([joined()])
        .when(join_command(details()))
        .then_error(DomainError::CounterpartAlreadyJoined {
            counterpart: counterpart_id(1),
        });
}

#[test]
fn national_counterparts_belong_to_a_member_state_and_others_do_not() {
    let mut without_state = details();
    without_state.member_state = None;
    CounterpartDecider::given([])
        .when(join_command(without_state))
        .then_error(DomainError::CounterpartMemberStateMismatch {
            counterpart: counterpart_id(1),
            kind: "public",
            kind_is_national: true,
        });
    let mut regional = details();
    regional.kind = CounterpartKind::Regional;
    CounterpartDecider::given([])
        .when(join_command(regional.clone()))
        .then_error(DomainError::CounterpartMemberStateMismatch {
            counterpart: counterpart_id(1),
            kind: "regional",
            kind_is_national: false,
        });
    regional.member_state = None;
    CounterpartDecider::given([])
        .when(join_command(regional.clone()))
        .then([CounterpartEvent::Joined(CounterpartJoined {
            counterpart: counterpart_id(1),
            details: regional,
            focal_point: sealed(10),
            joined_on: day(2012, 11, 5),
        })]);
}

#[test]
fn details_need_a_name_and_distinct_thematic_areas() {
    let mut unnamed = details();
    unnamed.name = " ".to_owned();
    CounterpartDecider::given([])
        .when(join_command(unnamed))
        .then_error(DomainError::EmptyField {
            field: "counterpart name",
        });
    let mut no_areas = details();
    no_areas.thematic_areas.clear();
    CounterpartDecider::given([])
        .when(join_command(no_areas))
        .then_error(DomainError::EmptyField {
            field: "thematic areas",
        });
    let mut repeated = details();
    repeated.thematic_areas.push(ThematicArea::Financing);
    CounterpartDecider::given([])
        .when(join_command(repeated))
        .then_error(DomainError::DuplicateEntry {
            field: "thematic areas",
            value: "financing".to_owned(),
        });
}

#[test]
fn details_are_corrected_by_a_new_event_naming_the_corrected_one() {
    let mut corrected = details();
    corrected.name = "Instituto Nacional de la Pequeña y Mediana Empresa (INPYME)".to_owned();
    let state = CounterpartDecider::given([joined()])
        .when(CounterpartCommand::CorrectDetails(CorrectCounterpartDetails {
            counterpart: counterpart_id(1),
            details: corrected.clone(),
            correction: correction(),
            membership: members(),
        }))
        .then([CounterpartEvent::DetailsCorrected(CounterpartDetailsCorrected {
            counterpart: counterpart_id(1),
            details: corrected.clone(),
            correction: correction(),
        })]);
    assert_eq!(state.record.unwrap().details, corrected);
}

#[test]
fn a_correction_needs_a_reason() {
    let mut without_reason = correction();
    without_reason.reason.clear();
    CounterpartDecider::given([joined()])
        .when(CounterpartCommand::CorrectDetails(CorrectCounterpartDetails {
            counterpart: counterpart_id(1),
            details: details(),
            correction: without_reason,
            membership: members(),
        }))
        .then_error(DomainError::EmptyField {
            field: "correction reason",
        });
}

#[test]
fn the_focal_point_changes_to_another_person() {
    let state = CounterpartDecider::given([joined()])
        .when(change_focal_point(11, day(2013, 3, 1)))
        .then([CounterpartEvent::FocalPointChanged(FocalPointChanged {
            counterpart: counterpart_id(1),
            focal_point: sealed(11),
            changed_on: day(2013, 3, 1),
        })]);
    assert_eq!(state.record.unwrap().focal_point, sealed(11));
    CounterpartDecider::given([joined()])
        .when(change_focal_point(10, day(2013, 3, 1)))
        .then_error(DomainError::FocalPointUnchanged {
            counterpart: counterpart_id(1),
        });
    CounterpartDecider::given([joined()])
        .when(change_focal_point(11, day(2012, 1, 1)))
        .then_error(DomainError::DateBeforeStart {
            what: "focal point change",
            date: day(2012, 1, 1),
            record: format!("counterpart {}", counterpart_id(1)),
            since: day(2012, 11, 5),
        });
}

#[test]
fn a_counterpart_withdraws_once_and_then_refuses_changes() {
    let state = CounterpartDecider::given([joined()])
        .when(withdraw(day(2015, 6, 30)))
        .then([withdrew(day(2015, 6, 30))]);
    let standing = state.standing().unwrap();
    assert!(standing.is_active_on(day(2015, 6, 29)));
    assert!(!standing.is_active_on(day(2015, 6, 30)));
    let withdrawn = DomainError::CounterpartWithdrawn {
        counterpart: counterpart_id(1),
        withdrew_on: day(2015, 6, 30),
    };
    CounterpartDecider::given([joined(), withdrew(day(2015, 6, 30))])
        .when(withdraw(day(2015, 7, 1)))
        .then_error(withdrawn.clone());
    CounterpartDecider::given([joined(), withdrew(day(2015, 6, 30))])
        .when(change_focal_point(11, day(2015, 7, 1)))
        .then_error(withdrawn);
}

#[test]
fn withdrawal_is_dated_after_joining_and_explained() {
    CounterpartDecider::given([joined()])
        .when(withdraw(day(2012, 1, 1)))
        .then_error(DomainError::DateBeforeStart {
            what: "withdrawal",
            date: day(2012, 1, 1),
            record: format!("counterpart {}", counterpart_id(1)),
            since: day(2012, 11, 5),
        });
    CounterpartDecider::given([joined()])
        .when(CounterpartCommand::Withdraw(WithdrawCounterpart {
            counterpart: counterpart_id(1),
            withdrew_on: day(2015, 6, 30),
            reason: String::new(),
        }))
        .then_error(DomainError::EmptyField {
            field: "withdrawal reason",
        });
}

#[test]
fn nothing_happens_to_a_counterpart_that_never_joined() {
    CounterpartDecider::given([])
        .when(withdraw(day(2015, 6, 30)))
        .then_error(DomainError::CounterpartNotJoined {
            counterpart: counterpart_id(1),
        });
}

#[test]
fn a_national_counterpart_belongs_to_a_member_state_on_the_day_it_joins_or_its_correction_applies() {
    let mut outside = details();
    outside.member_state = Some(state("US"));
    let CounterpartCommand::Join(mut join) = join_command(outside.clone()) else {
        unreachable!()
    };
    let refused = CounterpartDecider::given([])
        .when(CounterpartCommand::Join(join.clone()))
        .then_refused();
    assert!(
        matches!(
            &refused,
            DomainError::NotAMemberState { command: "join-counterpart", field: "member_state", code, on, .. }
                if *code == state("US") && *on == day(2012, 11, 5)
        ),
        "{refused:?}"
    );
    join.membership = crate::membership::MembershipHistory::default();
    join.details = details();
    CounterpartDecider::given([])
        .when(CounterpartCommand::Join(join))
        .then_error(DomainError::MembershipNotLoaded {
            command: "join-counterpart",
            field: "member_state",
            code: state("PE"),
        });
    let refused = CounterpartDecider::given([joined()])
        .when(CounterpartCommand::CorrectDetails(CorrectCounterpartDetails {
            counterpart: counterpart_id(1),
            details: outside,
            correction: correction(),
            membership: members(),
        }))
        .then_refused();
    assert!(
        matches!(
            &refused,
            DomainError::NotAMemberState { command: "correct-counterpart-details", field: "member_state", on, .. }
                if *on == correction().effective_from
        ),
        "{refused:?}"
    );
    // Regional and international counterparts name no Member State and need no history.
    let mut regional = details();
    regional.kind = CounterpartKind::Regional;
    regional.member_state = None;
    let CounterpartCommand::Join(mut join) = join_command(regional) else {
        unreachable!()
    };
    join.membership = crate::membership::MembershipHistory::default();
    CounterpartDecider::given([])
        .when(CounterpartCommand::Join(join))
        .then_accepted();
}
