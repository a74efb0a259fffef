use super::*;
use crate::testing::DeciderTesting;
use crate::testing::fixtures::*;

fn standing(number: u128, joined_on: Date, withdrew_on: Option<Date>) -> CounterpartStanding {
    CounterpartStanding {
        counterpart: counterpart_id(number),
        joined_on,
        withdrew_on,
    }
}

fn schedule() -> ConsultationCommand {
    ConsultationCommand::Schedule(ScheduleConsultation {
        consultation: consultation_id(1),
        title: "Regional consultation on SME financing".to_owned(),
        scheduled_for: day(2013, 3, 14),
        venue: "Caracas".to_owned(),
    })
}

fn scheduled() -> ConsultationEvent {
    ConsultationEvent::Scheduled(ConsultationScheduled {
        consultation: consultation_id(1),
        title: "Regional consultation on SME financing".to_owned(),
        scheduled_for: day(2013, 3, 14),
        venue: "Caracas".to_owned(),
    })
}

fn hold(participants: Vec<CounterpartStanding>) -> ConsultationCommand {
    ConsultationCommand::Hold(HoldConsultation {
        consultation: consultation_id(1),
        held_on: day(2013, 3, 14),
        venue: "Caracas".to_owned(),
        participants,
        minutes_reference: "SP/CRC-PYMES/Minutes 1".to_owned(),
    })
}

fn held() -> ConsultationEvent {
    ConsultationEvent::Held(ConsultationHeld {
        consultation: consultation_id(1),
        held_on: day(2013, 3, 14),
        venue: "Caracas".to_owned(),
        participants: vec![counterpart_id(1), counterpart_id(2)],
        minutes_reference: "SP/CRC-PYMES/Minutes 1".to_owned(),
    })
}

fn active_participants() -> Vec<CounterpartStanding> {
    vec![
        standing(1, day(2012, 11, 5), None),
        standing(2, day(2013, 1, 10), Some(day(2014, 1, 1))),
    ]
}

fn identify(need: u128, raised_by: Vec<CounterpartId>) -> IdentifyNeed {
    IdentifyNeed {
        consultation: consultation_id(1),
        need: need_id(need),
        raised_by,
        thematic_area: ThematicArea::Financing,
        member_states: vec![state("PE"), state("BO")],
        priority: Priority::High,
        description: "Guarantee systems for SME credit".to_owned(),
        identified_on: None,
        recorded_on: day(2020, 1, 1),
        membership: members(),
    }
}

fn identified(need: u128) -> ConsultationEvent {
    let command = identify(need, vec![counterpart_id(1)]);
    ConsultationEvent::NeedIdentified(NeedIdentified {
        consultation: command.consultation,
        need: command.need,
        raised_by: command.raised_by,
        thematic_area: command.thematic_area,
        member_states: command.member_states,
        priority: command.priority,
        description: command.description,
        identified_on: day(2013, 3, 14),
    })
}

fn evaluate(ratings: Vec<Rating>) -> ConsultationCommand {
    ConsultationCommand::EvaluateAchievements(EvaluateAchievements {
        consultation: consultation_id(1),
        subject: EvaluationSubject::Activity(activity_id(7)),
        findings: "The seminar reached 120 officials from 9 Member States".to_owned(),
        ratings,
        evaluated_on: None,
        recorded_on: day(2020, 1, 1),
    })
}

fn close(on: Date) -> ConsultationCommand {
    ConsultationCommand::Close(CloseConsultation {
        consultation: consultation_id(1),
        closed_on: on,
    })
}

fn closed() -> ConsultationEvent {
    ConsultationEvent::Closed(ConsultationClosed {
        consultation: consultation_id(1),
        closed_on: day(2013, 3, 20),
    })
}

#[test]
fn a_consultation_is_scheduled_once() {
    ConsultationDecider::given([]).when(schedule()).then([scheduled()]);
    ConsultationDecider::given([scheduled()])
        .when(schedule())
        .then_error(DomainError::ConsultationAlreadyScheduled {
            consultation: consultation_id(1),
        });
}

#[test]
fn scheduling_needs_a_title_and_venue() {
    ConsultationDecider::given([])
        .when(ConsultationCommand::Schedule(ScheduleConsultation {
            consultation: consultation_id(1),
            title: String::new(),
            scheduled_for: day(2013, 3, 14),
            venue: "Caracas".to_owned(),
        }))
        .then_error(DomainError::EmptyField {
            field: "consultation title",
        });
}

#[test]
fn a_scheduled_consultation_is_held_once_with_active_counterparts() {
    let state = ConsultationDecider::given([scheduled()])
        .when(hold(active_participants()))
        .then([held()]);
    assert_eq!(state.held.unwrap().held_on, day(2013, 3, 14));
    ConsultationDecider::given([scheduled(), held()])
        .when(hold(active_participants()))
        .then_error(DomainError::ConsultationAlreadyHeld {
            consultation: consultation_id(1),
            held_on: day(2013, 3, 14),
        });
    ConsultationDecider::given([])
        .when(hold(active_participants()))
        .then_error(DomainError::ConsultationNotScheduled {
            consultation: consultation_id(1),
        });
}

#[test]
fn participants_must_have_joined_and_not_withdrawn_on_the_day() {
    let not_yet_joined = standing(3, day(2013, 3, 15), None);
    let already_withdrawn = standing(4, day(2012, 1, 1), Some(day(2013, 3, 14)));
    for (participant, number) in [(not_yet_joined, 3), (already_withdrawn, 4)] {
        let mut participants = active_participants();
        participants.push(participant);
        ConsultationDecider::given([scheduled()])
            .when(hold(participants))
            .then_error(DomainError::ParticipantNotActive {
                consultation: consultation_id(1),
                counterpart: counterpart_id(number),
                on: day(2013, 3, 14),
            });
    }
}

#[test]
fn participants_are_listed_once_and_at_least_one_takes_part() {
    ConsultationDecider::given([scheduled()])
        .when(hold(vec![]))
        .then_error(DomainError::EmptyField { field: "participants" });
    let mut repeated = active_participants();
    repeated.push(active_participants()[0]);
    ConsultationDecider::given([scheduled()])
        .when(hold(repeated))
        .then_error(DomainError::DuplicateEntry {
            field: "participants",
            value: counterpart_id(1).to_string(),
        });
}

#[test]
fn holding_needs_a_minutes_reference() {
    ConsultationDecider::given([scheduled()])
        .when(ConsultationCommand::Hold(HoldConsultation {
            consultation: consultation_id(1),
            held_on: day(2013, 3, 14),
            venue: "Caracas".to_owned(),
            participants: active_participants(),
            minutes_reference: " ".to_owned(),
        }))
        .then_error(DomainError::EmptyField {
            field: "minutes reference",
        });
}

#[test]
fn needs_are_identified_by_participants_in_a_held_open_consultation() {
    let state = ConsultationDecider::given([scheduled(), held()])
        .when(ConsultationCommand::IdentifyNeed(identify(20, vec![counterpart_id(1)])))
        .then([identified(20)]);
    assert_eq!(state.needs, [need_id(20)]);
}

#[test]
fn a_need_is_only_identified_in_a_held_consultation_that_is_not_closed() {
    let command = ConsultationCommand::IdentifyNeed(identify(20, vec![counterpart_id(1)]));
    ConsultationDecider::given([scheduled()])
        .when(command.clone())
        .then_error(DomainError::ConsultationNotHeld {
            consultation: consultation_id(1),
        });
    ConsultationDecider::given([scheduled(), held(), closed()])
        .when(command)
        .then_error(DomainError::ConsultationClosed {
            consultation: consultation_id(1),
        });
}

#[test]
fn a_need_is_identified_once_and_raised_by_participants() {
    ConsultationDecider::given([scheduled(), held(), identified(20)])
        .when(ConsultationCommand::IdentifyNeed(identify(20, vec![counterpart_id(1)])))
        .then_error(DomainError::NeedAlreadyIdentified {
            consultation: consultation_id(1),
            need: need_id(20),
        });
    ConsultationDecider::given([scheduled(), held()])
        .when(ConsultationCommand::IdentifyNeed(identify(
            20,
            vec![counterpart_id(1), counterpart_id(9)],
        )))
        .then_error(DomainError::NeedRaisedByNonParticipant {
            consultation: consultation_id(1),
            need: need_id(20),
            counterpart: counterpart_id(9),
        });
    ConsultationDecider::given([scheduled(), held()])
        .when(ConsultationCommand::IdentifyNeed(identify(20, vec![])))
        .then_error(DomainError::EmptyField { field: "raised by" });
}

#[test]
fn a_need_concerns_member_states_and_says_what_is_needed() {
    let mut no_states = identify(20, vec![counterpart_id(1)]);
    no_states.member_states.clear();
    ConsultationDecider::given([scheduled(), held()])
        .when(ConsultationCommand::IdentifyNeed(no_states))
        .then_error(DomainError::EmptyField {
            field: "need member states",
        });
    let mut undescribed = identify(20, vec![counterpart_id(1)]);
    undescribed.description.clear();
    ConsultationDecider::given([scheduled(), held()])
        .when(ConsultationCommand::IdentifyNeed(undescribed))
        .then_error(DomainError::EmptyField {
            field: "need description",
        });
}

#[test]
fn achievements_are_evaluated_with_ratings_from_one_to_five() {
    let ratings = vec![
        Rating::new("relevance".to_owned(), 5).unwrap(),
        Rating::new("reach".to_owned(), 3).unwrap(),
    ];
    let state = ConsultationDecider::given([scheduled(), held()])
        .when(evaluate(ratings.clone()))
        .then([ConsultationEvent::AchievementsEvaluated(AchievementsEvaluated {
            consultation: consultation_id(1),
            subject: EvaluationSubject::Activity(activity_id(7)),
            findings: "The seminar reached 120 officials from 9 Member States".to_owned(),
            ratings,
            evaluated_on: day(2013, 3, 14),
        })]);
    assert_eq!(state.evaluations, 1);
    assert_eq!(
        Rating::new("reach".to_owned(), 6),
        Err(DomainError::RatingOutOfRange {
            criterion: "reach".to_owned(),
            score: 6
        })
    );
    assert!(Rating::new("reach".to_owned(), 0).is_err());
}

#[test]
fn ratings_are_given_by_number_or_by_label_and_keep_the_number() {
    let cases = [
        (GivenScore::Number(4), 4),
        (GivenScore::Label("satisfactory".to_owned()), 4),
        (GivenScore::Label("Highly Satisfactory".to_owned()), 5),
        (GivenScore::Label("moderately-satisfactory".to_owned()), 3),
        (GivenScore::Label(" HIGHLY_unsatisfactory ".to_owned()), 1),
        (GivenScore::Label("2".to_owned()), 2),
    ];
    for (given, score) in cases {
        let rating = Rating::given("relevance".to_owned(), &given).unwrap();
        assert_eq!(rating.score(), score, "{given:?}");
        assert_eq!(rating.label(), Rating::SCALE[usize::from(score) - 1]);
        // The log keeps the number, as before.
        assert_eq!(
            serde_json::to_value(&rating).unwrap(),
            serde_json::json!({"criterion": "relevance", "score": score})
        );
    }
    assert_eq!(
        Rating::given("relevance".to_owned(), &GivenScore::Label("satisfactory".to_owned()))
            .unwrap()
            .label(),
        "satisfactory"
    );
}

#[test]
fn a_score_off_the_scale_is_refused_with_the_scale() {
    let scale = "a number from 1 to 5 or its label: 1 highly unsatisfactory, 2 unsatisfactory, \
                 3 moderately satisfactory, 4 satisfactory, 5 highly satisfactory";
    assert_eq!(
        Rating::given("reach".to_owned(), &GivenScore::Label("very good".to_owned())),
        Err(DomainError::InvalidValue {
            field: "rating score",
            value: "very good".to_owned(),
            reason: format!("the rating of \"reach\" is {scale}"),
        })
    );
    assert_eq!(
        Rating::given("reach".to_owned(), &GivenScore::Number(-1)),
        Err(DomainError::InvalidValue {
            field: "rating score",
            value: "-1".to_owned(),
            reason: format!("the rating of \"reach\" is {scale}"),
        })
    );
    let error = Rating::given("reach".to_owned(), &GivenScore::Number(7)).unwrap_err();
    assert_eq!(
        error,
        DomainError::RatingOutOfRange {
            criterion: "reach".to_owned(),
            score: 7
        }
    );
    assert!(error.to_string().contains("4 satisfactory"), "{error}");
    let error = serde_json::from_value::<GivenScore>(serde_json::json!(4.5)).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("invalid type: floating point `4.5`, expected a rating score: {scale}")
    );
    assert_eq!(
        serde_json::from_value::<GivenScore>(serde_json::json!("satisfactory")).unwrap(),
        GivenScore::Label("satisfactory".to_owned())
    );
    assert_eq!(
        serde_json::from_value::<GivenScore>(serde_json::json!(4)).unwrap(),
        GivenScore::Number(4)
    );
}

#[test]
fn each_criterion_is_rated_once_in_a_held_consultation() {
    let repeated = vec![
        Rating::new("reach".to_owned(), 4).unwrap(),
        Rating::new("reach".to_owned(), 3).unwrap(),
    ];
    ConsultationDecider::given([scheduled(), held()])
        .when(evaluate(repeated))
        .then_error(DomainError::DuplicateEntry {
            field: "rating criteria",
            value: "reach".to_owned(),
        });
    ConsultationDecider::given([scheduled()])
        .when(evaluate(vec![]))
        .then_error(DomainError::ConsultationNotHeld {
            consultation: consultation_id(1),
        });
}

#[test]
fn a_held_consultation_closes_once_after_it_was_held() {
    let state = ConsultationDecider::given([scheduled(), held()])
        .when(close(day(2013, 3, 20)))
        .then([closed()]);
    assert_eq!(state.closed_on, Some(day(2013, 3, 20)));
    ConsultationDecider::given([scheduled(), held(), closed()])
        .when(close(day(2013, 3, 21)))
        .then_error(DomainError::ConsultationClosed {
            consultation: consultation_id(1),
        });
    ConsultationDecider::given([scheduled(), held()])
        .when(close(day(2013, 3, 1)))
        .then_error(DomainError::DateBeforeStart {
            what: "closing",
            date: day(2013, 3, 1),
            record: format!("consultation {}", consultation_id(1)),
            since: day(2013, 3, 14),
        });
}

#[test]
fn evaluation_subjects_have_a_readable_stored_form() {
    let json = serde_json::to_value(EvaluationSubject::Activity(activity_id(7))).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"subject": "activity", "activity": activity_id(7)})
    );
    let json = serde_json::to_value(EvaluationSubject::Programme).unwrap();
    assert_eq!(json, serde_json::json!({"subject": "programme"}));
}

#[test]
fn a_need_is_dated_on_the_consultation_unless_given_and_never_outside_it() {
    let given_date = |identified_on| {
        ConsultationCommand::IdentifyNeed(IdentifyNeed {
            identified_on,
            ..identify(1, vec![counterpart_id(1)])
        })
    };
    let on = |date: Date| {
        let ConsultationEvent::NeedIdentified(mut need) = identified(1) else {
            unreachable!()
        };
        need.identified_on = date;
        ConsultationEvent::NeedIdentified(need)
    };
    ConsultationDecider::given([scheduled(), held()])
        .when(given_date(None))
        .then([on(day(2013, 3, 14))]);
    ConsultationDecider::given([scheduled(), held()])
        .when(given_date(Some(day(2013, 3, 15))))
        .then([on(day(2013, 3, 15))]);
    ConsultationDecider::given([scheduled(), held()])
        .when(given_date(Some(day(2013, 3, 13))))
        .then_error(DomainError::DateBeforeStart {
            what: "need identification",
            date: day(2013, 3, 13),
            record: format!("consultation {}", consultation_id(1)),
            since: day(2013, 3, 14),
        });
    ConsultationDecider::given([scheduled(), held()])
        .when(given_date(Some(day(2020, 1, 2))))
        .then_error(DomainError::DateInFuture {
            field: "identified_on",
            date: day(2020, 1, 2),
            today: day(2020, 1, 1),
        });
}

#[test]
fn an_evaluation_is_dated_on_the_consultation_unless_given() {
    let ratings = vec![Rating::new("relevance".to_owned(), 4).unwrap()];
    let dated = |evaluated_on| {
        let ConsultationCommand::EvaluateAchievements(command) = evaluate(ratings.clone()) else {
            unreachable!()
        };
        ConsultationCommand::EvaluateAchievements(EvaluateAchievements {
            evaluated_on,
            ..command
        })
    };
    let evaluated = |date| {
        ConsultationEvent::AchievementsEvaluated(AchievementsEvaluated {
            consultation: consultation_id(1),
            subject: EvaluationSubject::Activity(activity_id(7)),
            findings: "The seminar reached 120 officials from 9 Member States".to_owned(),
            ratings: ratings.clone(),
            evaluated_on: date,
        })
    };
    ConsultationDecider::given([scheduled(), held()])
        .when(dated(None))
        .then([evaluated(day(2013, 3, 14))]);
    ConsultationDecider::given([scheduled(), held()])
        .when(dated(Some(day(2013, 3, 16))))
        .then([evaluated(day(2013, 3, 16))]);
    ConsultationDecider::given([scheduled(), held()])
        .when(dated(Some(day(2013, 3, 1))))
        .then_error(DomainError::DateBeforeStart {
            what: "evaluation",
            date: day(2013, 3, 1),
            record: format!("consultation {}", consultation_id(1)),
            since: day(2013, 3, 14),
        });
}

#[test]
fn a_consultation_is_not_closed_before_the_needs_it_identified() {
    let ConsultationEvent::NeedIdentified(mut need) = identified(1) else {
        unreachable!()
    };
    need.identified_on = day(2013, 3, 20);
    ConsultationDecider::given([scheduled(), held(), ConsultationEvent::NeedIdentified(need)])
        .when(close(day(2013, 3, 18)))
        .then_error(DomainError::DateBeforeStart {
            what: "closing",
            date: day(2013, 3, 18),
            record: format!("consultation {}", consultation_id(1)),
            since: day(2013, 3, 20),
        });
}

#[test]
fn a_need_concerns_member_states_on_the_day_the_consultation_was_held() {
    let mut outside = identify(20, vec![counterpart_id(1)]);
    outside.member_states = vec![state("PE"), state("XX")];
    ConsultationDecider::given([scheduled(), held()])
        .when(ConsultationCommand::IdentifyNeed(outside))
        .then_error(DomainError::NotAMemberState {
            command: "identify-need",
            field: "member_states",
            code: state("XX"),
            on: day(2013, 3, 14),
            members: members().members_on(day(2013, 3, 14)),
        });
    let mut unloaded = identify(20, vec![counterpart_id(1)]);
    unloaded.membership = crate::membership::MembershipHistory::default();
    ConsultationDecider::given([scheduled(), held()])
        .when(ConsultationCommand::IdentifyNeed(unloaded))
        .then_error(DomainError::MembershipNotLoaded {
            command: "identify-need",
            field: "member_states",
            code: state("PE"),
        });
}
