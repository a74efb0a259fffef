//! Member States, counterparts and consultations.

use proptest::prelude::*;

use super::*;
use crate::consultation::*;
use crate::counterpart::*;
use crate::member_state::*;
use crate::testing::fixtures::*;
use crate::values::{Correction, CounterpartKind, Priority};

fn member_state_command() -> impl Strategy<Value = MemberStateCommand> {
    let join = (member_state(), text(), proptest::option::of(any_day()), text()).prop_map(
        |(code, name, joined_on, source)| {
            MemberStateCommand::Join(JoinSystem {
                code,
                name,
                joined_on,
                source,
            })
        },
    );
    let leave = (member_state(), proptest::option::of(any_day()), text())
        .prop_map(|(code, left_on, source)| MemberStateCommand::Leave(LeaveSystem { code, left_on, source }));
    prop_oneof![join, leave]
}

fn details() -> impl Strategy<Value = CounterpartDetails> {
    (
        text(),
        prop_oneof![Just(CounterpartKind::Public), Just(CounterpartKind::Regional)],
        proptest::option::of(member_state()),
        proptest::collection::vec(thematic_area(), 0..3),
    )
        .prop_map(|(name, kind, member_state, thematic_areas)| CounterpartDetails {
            name,
            kind,
            member_state,
            thematic_areas,
        })
}

fn counterpart_command() -> impl Strategy<Value = CounterpartCommand> {
    let join = (pick(), details(), pick(), any_day()).prop_map(|(id, details, person, joined_on)| {
        CounterpartCommand::Join(JoinCounterpart {
            counterpart: counterpart_id(id),
            details,
            focal_point: sealed(person),
            joined_on,
            membership: members(),
        })
    });
    let correct = (pick(), details(), text(), any_day()).prop_map(|(id, details, reason, from)| {
        CounterpartCommand::CorrectDetails(CorrectCounterpartDetails {
            counterpart: counterpart_id(id),
            details,
            correction: Correction {
                corrects: event_id(id),
                reason,
                effective_from: from,
            },
            membership: members(),
        })
    });
    let change = (pick(), pick(), any_day()).prop_map(|(id, person, changed_on)| {
        CounterpartCommand::ChangeFocalPoint(ChangeFocalPoint {
            counterpart: counterpart_id(id),
            focal_point: sealed(person),
            changed_on,
        })
    });
    let withdraw = (pick(), any_day(), text()).prop_map(|(id, withdrew_on, reason)| {
        CounterpartCommand::Withdraw(WithdrawCounterpart {
            counterpart: counterpart_id(id),
            withdrew_on,
            reason,
        })
    });
    prop_oneof![join, correct, change, withdraw]
}

fn participants() -> impl Strategy<Value = Vec<CounterpartStanding>> {
    let joined_on = prop_oneof![3 => Just(day(2012, 11, 1)), 1 => any_day()];
    let withdrew_on = proptest::option::weighted(0.2, any_day());
    (distinct_picks(0..=3), joined_on, withdrew_on).prop_map(|(ids, joined_on, withdrew_on)| {
        ids.into_iter()
            .map(|id| CounterpartStanding {
                counterpart: counterpart_id(id),
                joined_on,
                withdrew_on,
            })
            .collect()
    })
}

fn consultation_command() -> impl Strategy<Value = ConsultationCommand> {
    let schedule = (pick(), text(), any_day(), text()).prop_map(|(id, title, scheduled_for, venue)| {
        ConsultationCommand::Schedule(ScheduleConsultation {
            consultation: consultation_id(id),
            title,
            scheduled_for,
            venue,
        })
    });
    let hold = (pick(), any_day(), text(), participants(), text()).prop_map(
        |(id, held_on, venue, participants, minutes_reference)| {
            ConsultationCommand::Hold(HoldConsultation {
                consultation: consultation_id(id),
                held_on,
                venue,
                participants,
                minutes_reference,
            })
        },
    );
    let identify = (
        pick(),
        pick(),
        distinct_picks(0..=2).prop_map(|ids| ids.into_iter().map(counterpart_id).collect()),
        thematic_area(),
        proptest::collection::vec(member_state(), 0..2),
        text(),
    )
        .prop_map(|(id, need, raised_by, thematic_area, member_states, description)| {
            ConsultationCommand::IdentifyNeed(IdentifyNeed {
                consultation: consultation_id(id),
                need: need_id(need),
                raised_by,
                thematic_area,
                member_states,
                priority: Priority::High,
                description,
                identified_on: None,
                recorded_on: day(2020, 1, 1),
                membership: members(),
            })
        });
    let evaluate = (pick(), text(), 1u8..6, proptest::bool::ANY).prop_map(|(id, findings, score, about_programme)| {
        ConsultationCommand::EvaluateAchievements(EvaluateAchievements {
            consultation: consultation_id(id),
            subject: if about_programme {
                EvaluationSubject::Programme
            } else {
                EvaluationSubject::Activity(activity_id(id))
            },
            findings,
            ratings: vec![Rating::new("relevance".to_owned(), score).expect("1 to 5")],
            evaluated_on: None,
            recorded_on: day(2020, 1, 1),
        })
    });
    let close = (pick(), any_day()).prop_map(|(id, closed_on)| {
        ConsultationCommand::Close(CloseConsultation {
            consultation: consultation_id(id),
            closed_on,
        })
    });
    prop_oneof![1 => schedule, 2 => hold, 3 => identify, 1 => evaluate, 1 => close]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn member_state_histories_hold_the_properties(
        commands in proptest::collection::vec(member_state_command(), 0..24)
    ) {
        run_commands::<MemberStateDecider>(&commands);
    }

    #[test]
    fn counterpart_histories_hold_the_properties(
        commands in proptest::collection::vec(counterpart_command(), 0..24)
    ) {
        run_commands::<CounterpartDecider>(&commands);
    }

    #[test]
    fn consultation_histories_hold_the_properties(
        commands in proptest::collection::vec(consultation_command(), 0..30)
    ) {
        run_commands::<ConsultationDecider>(&commands);
    }
}
