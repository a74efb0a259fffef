//! Holding, rescheduling and cancelling.

use super::*;

#[test]
fn a_rejected_activity_cannot_be_held_approved_or_rescheduled() {
    let rejected_error = DomainError::ActivityRejected {
        activity: activity_id(1),
    };
    ActivityDecider::given([proposed(), rejected()])
        .when(hold(participants(), vec![report()]))
        .then_error(rejected_error.clone());
    ActivityDecider::given([proposed(), rejected()])
        .when(approve(WorkProgrammeStatus::Open))
        .then_error(rejected_error.clone());
    ActivityDecider::given([proposed(), rejected()])
        .when(ActivityCommand::Reschedule(RescheduleActivity {
            activity: activity_id(1),
            planned: may_2013(),
            reason: "try again".to_owned(),
            rescheduled_on: day(2013, 2, 1),
            membership: members(),
        }))
        .then_error(rejected_error);
}

#[test]
fn an_activity_not_yet_approved_cannot_be_held() {
    ActivityDecider::given([proposed()])
        .when(hold(participants(), vec![]))
        .then_error(DomainError::ActivityNotApproved {
            activity: activity_id(1),
        });
}

#[test]
fn an_approved_activity_is_held_once_with_participants_and_outputs() {
    let state = ActivityDecider::given([proposed(), approved()])
        .when(hold(participants(), vec![report()]))
        .then([held()]);
    assert_eq!(state.record.unwrap().status, ActivityStatus::Held);
    assert_eq!(participants().total(), 58);
    ActivityDecider::given([proposed(), approved(), held()])
        .when(hold(participants(), vec![report()]))
        .then_error(DomainError::ActivityAlreadyHeld {
            activity: activity_id(1),
        });
}

#[test]
fn participant_totals_by_sex_and_by_member_state_agree() {
    let mut counts = participants();
    counts.by_member_state[0].value = 39;
    ActivityDecider::given([proposed(), approved()])
        .when(hold(counts, vec![]))
        .then_error(DomainError::ParticipantTotalsDisagree {
            activity: activity_id(1),
            by_sex: 58,
            by_member_state: 57,
        });
    let mut repeated = participants();
    repeated.by_sex[1].sex = Sex::Female;
    ActivityDecider::given([proposed(), approved()])
        .when(hold(repeated, vec![]))
        .then_error(DomainError::DuplicateEntry {
            field: "participants by sex",
            value: "female".to_owned(),
        });
}

#[test]
fn participants_by_sex_alone_are_enough() {
    let mut by_sex_alone = participants();
    by_sex_alone.by_member_state.clear();
    ActivityDecider::given([proposed(), approved()])
        .when(hold(by_sex_alone.clone(), vec![]))
        .then([ActivityEvent::Held(ActivityHeld {
            activity: activity_id(1),
            held: may_2013(),
            participants: by_sex_alone,
            outputs: vec![],
        })]);
}

#[test]
fn no_participants_or_implausibly_many_are_refused_by_field_and_value() {
    let mut nobody = participants();
    nobody.by_member_state.clear();
    for share in &mut nobody.by_sex {
        share.value = 0;
    }
    ActivityDecider::given([proposed(), approved()])
        .when(hold(nobody, vec![]))
        .then_error(DomainError::InvalidValue {
            field: "participants by sex",
            value: "0".to_owned(),
            reason: "an activity that took place had at least one participant; give the count of each sex".to_owned(),
        });
    let mut crowd = participants();
    crowd.by_sex[0].value = 350_000;
    ActivityDecider::given([proposed(), approved()])
        .when(hold(crowd, vec![]))
        .then_error(DomainError::InvalidValue {
            field: "participants by sex",
            value: "female: 350000".to_owned(),
            reason: "at most 100000 people take part in one activity".to_owned(),
        });
    let mut two_crowds = participants();
    two_crowds.by_member_state.clear();
    two_crowds.by_sex[0].value = 60_000;
    two_crowds.by_sex[1].value = 60_000;
    ActivityDecider::given([proposed(), approved()])
        .when(hold(two_crowds, vec![]))
        .then_error(DomainError::InvalidValue {
            field: "participants by sex",
            value: "120000 in all".to_owned(),
            reason: "at most 100000 people take part in one activity".to_owned(),
        });
    let mut one_country_crowd = participants();
    one_country_crowd.by_member_state[0].value = 200_000;
    ActivityDecider::given([proposed(), approved()])
        .when(hold(one_country_crowd, vec![]))
        .then_error(DomainError::InvalidValue {
            field: "participants by Member State",
            value: "PE: 200000".to_owned(),
            reason: "at most 100000 people take part in one activity".to_owned(),
        });
}

#[test]
fn a_negative_count_is_refused_as_it_is_read() {
    let error = serde_json::from_value::<ParticipantCounts>(serde_json::json!({
        "by_sex": [{"sex": "female", "value": 12}, {"sex": "male", "value": -3}]
    }))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid participants by sex \"male: -3\": a count of people is a whole number from 0 to 100000"
    );
    let error = serde_json::from_value::<ParticipantCounts>(serde_json::json!({
        "by_sex": [{"sex": "female", "value": 12}],
        "by_member_state": [{"member_state": "BO", "value": -12}]
    }))
    .unwrap_err();
    assert!(
        error.to_string().contains("participants by Member State \"BO: -12\""),
        "{error}"
    );
    // Without a breakdown by Member State, the counts read as an empty one.
    let read: ParticipantCounts =
        serde_json::from_value(serde_json::json!({"by_sex": [{"sex": "female", "value": 12}]})).unwrap();
    assert!(read.by_member_state.is_empty());
    assert_eq!(read.total(), 12);
}

#[test]
fn outputs_have_a_title_and_a_web_link() {
    let mut bad_link = report();
    bad_link.link = "www.sela.org/report".to_owned();
    ActivityDecider::given([proposed(), approved()])
        .when(hold(participants(), vec![bad_link]))
        .then_error(DomainError::InvalidValue {
            field: "output link",
            value: "www.sela.org/report".to_owned(),
            reason: "expected an http:// or https:// link without spaces".to_owned(),
        });
    let mut untitled = report();
    untitled.title.clear();
    ActivityDecider::given([proposed(), approved()])
        .when(hold(participants(), vec![untitled]))
        .then_error(DomainError::EmptyField { field: "output title" });
}

#[test]
fn an_activity_not_yet_held_is_rescheduled_with_a_reason() {
    let june = period(day(2013, 6, 10), day(2013, 6, 12));
    let state = ActivityDecider::given([proposed(), approved()])
        .when(ActivityCommand::Reschedule(RescheduleActivity {
            activity: activity_id(1),
            planned: june,
            reason: "venue unavailable in May".to_owned(),
            rescheduled_on: day(2013, 2, 1),
            membership: members(),
        }))
        .then([ActivityEvent::Rescheduled(ActivityRescheduled {
            activity: activity_id(1),
            planned: june,
            reason: "venue unavailable in May".to_owned(),
            rescheduled_on: day(2013, 2, 1),
        })]);
    assert_eq!(state.outline().unwrap().planned, june);
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Reschedule(RescheduleActivity {
            activity: activity_id(1),
            planned: june,
            reason: String::new(),
            rescheduled_on: day(2013, 2, 1),
            membership: members(),
        }))
        .then_error(DomainError::EmptyField {
            field: "rescheduling reason",
        });
    ActivityDecider::given([proposed(), approved(), held()])
        .when(ActivityCommand::Reschedule(RescheduleActivity {
            activity: activity_id(1),
            planned: june,
            reason: "too late".to_owned(),
            rescheduled_on: day(2013, 2, 1),
            membership: members(),
        }))
        .then_error(DomainError::ActivityAlreadyHeld {
            activity: activity_id(1),
        });
}

#[test]
fn an_activity_not_yet_held_is_cancelled_once_with_a_reason() {
    ActivityDecider::given([proposed(), approved()])
        .when(cancel())
        .then([cancelled()]);
    ActivityDecider::given([proposed(), approved(), cancelled()])
        .when(cancel())
        .then_error(DomainError::ActivityCancelled {
            activity: activity_id(1),
        });
    ActivityDecider::given([proposed(), approved(), held()])
        .when(cancel())
        .then_error(DomainError::ActivityAlreadyHeld {
            activity: activity_id(1),
        });
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Cancel(CancelActivity {
            activity: activity_id(1),
            reason: " ".to_owned(),
            cancelled_on: day(2013, 4, 1),
        }))
        .then_error(DomainError::EmptyField {
            field: "cancellation reason",
        });
    ActivityDecider::given([proposed()])
        .when(ActivityCommand::Cancel(CancelActivity {
            activity: activity_id(1),
            reason: "early".to_owned(),
            cancelled_on: day(2013, 1, 1),
        }))
        .then_error(DomainError::DateBeforeStart {
            what: "cancellation",
            date: day(2013, 1, 1),
            record: format!("activity {}", activity_id(1)),
            since: day(2013, 1, 15),
        });
}
