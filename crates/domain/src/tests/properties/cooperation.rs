//! Work programmes, cooperation sources, requests and programme reviews.

use proptest::prelude::*;

use super::*;
use crate::cooperation_source::*;
use crate::ids::{AssistanceRequestId, RequestId, ReviewId};
use crate::programme_review::*;
use crate::request::*;
use crate::testing::fixtures::*;
use crate::values::{ApprovingBody, AssistanceAnswer, CooperationSourceKind, Decision, WorkProgrammeYear};
use crate::work_programme::*;

fn year() -> impl Strategy<Value = WorkProgrammeYear> {
    (2013i16..2015).prop_map(|year| WorkProgrammeYear::new(year).expect("a valid year"))
}

fn work_programme_command() -> impl Strategy<Value = WorkProgrammeCommand> {
    let open = (year(), any_money(), any_day()).prop_map(|(year, estimated_budget, opened_on)| {
        WorkProgrammeCommand::Open(OpenWorkProgramme {
            year,
            estimated_budget,
            opened_on,
        })
    });
    let adopt = (year(), text(), any_day()).prop_map(|(year, rationale, decided_on)| {
        WorkProgrammeCommand::Adopt(AdoptWorkProgramme {
            year,
            decision: Decision {
                body: ApprovingBody::LatinAmericanCouncil {
                    decision_number: "N° 540".to_owned(),
                },
                reference: "XXXVIII Regular Meeting".to_owned(),
                rationale,
                decided_on,
            },
        })
    });
    let revise = (year(), any_money(), text(), any_day()).prop_map(|(year, revised_budget, reason, revised_on)| {
        WorkProgrammeCommand::Revise(ReviseWorkProgramme {
            year,
            revised_budget,
            reason,
            revised_on,
        })
    });
    let close = (year(), any_day())
        .prop_map(|(year, closed_on)| WorkProgrammeCommand::Close(CloseWorkProgramme { year, closed_on }));
    prop_oneof![open, adopt, revise, close]
}

fn assistance_request(number: u128) -> AssistanceRequestId {
    AssistanceRequestId::new(uuid::Uuid::from_u128(number)).expect("not nil")
}

fn cooperation_source_command() -> impl Strategy<Value = CooperationSourceCommand> {
    let register = (pick(), text(), any_day()).prop_map(|(id, name, registered_on)| {
        CooperationSourceCommand::Register(RegisterCooperationSource {
            cooperation_source: source_id(id),
            name: Some(name),
            kind: CooperationSourceKind::International,
            country: None,
            counterpart: None,
            registered_on,
        })
    });
    let request = (pick(), pick(), text(), proptest::option::of(any_money()), any_day()).prop_map(
        |(id, request, purpose, amount_sought, requested_on)| {
            CooperationSourceCommand::RequestAssistance(RequestAssistance {
                cooperation_source: source_id(id),
                request: assistance_request(request),
                purpose,
                activity: Some(activity_id(request)),
                amount_sought,
                requested_on,
            })
        },
    );
    let answer = (pick(), pick(), text(), any_day(), proptest::bool::ANY).prop_map(
        |(id, request, note, answered_on, granted)| {
            CooperationSourceCommand::AnswerRequest(AnswerAssistanceRequest {
                cooperation_source: source_id(id),
                request: assistance_request(request),
                answer: if granted {
                    AssistanceAnswer::Granted
                } else {
                    AssistanceAnswer::Declined
                },
                offer: granted.then(|| offer_id(request)),
                note,
                answered_on,
            })
        },
    );
    prop_oneof![register, request, answer]
}

fn request_command() -> impl Strategy<Value = RequestCommand> {
    let request_id = |number: u128| RequestId::new(uuid::Uuid::from_u128(number)).expect("not nil");
    let party = prop_oneof![
        member_state().prop_map(|member_state| RequestingParty::MemberState { member_state }),
        proptest::collection::vec(member_state(), 0..3)
            .prop_map(|member_states| RequestingParty::GroupOfMemberStates { member_states }),
        (text(), proptest::collection::vec(member_state(), 0..3))
            .prop_map(|(name, member_states)| RequestingParty::SubregionalBody { name, member_states }),
    ];
    let receive = (pick(), party, thematic_area(), text(), any_day()).prop_map(
        move |(id, from, thematic_area, description, received_on)| {
            RequestCommand::Receive(ReceiveRequest {
                request: request_id(id),
                from,
                thematic_area,
                description,
                received_on,
                membership: members(),
            })
        },
    );
    let link = (pick(), pick(), proptest::bool::ANY).prop_map(move |(id, other, need)| {
        RequestCommand::Link(LinkRequest {
            request: request_id(id),
            follow_up: if need {
                RequestFollowUp::Need(need_id(other))
            } else {
                RequestFollowUp::Activity(activity_id(other))
            },
            linked_on: day(2013, 4, 10),
        })
    });
    let close = (pick(), text(), any_day()).prop_map(move |(id, outcome, closed_on)| {
        RequestCommand::Close(CloseRequest {
            request: request_id(id),
            outcome,
            closed_on,
        })
    });
    prop_oneof![receive, link, close]
}

fn review_command() -> impl Strategy<Value = ProgrammeReviewCommand> {
    let review_id = |number: u128| ReviewId::new(uuid::Uuid::from_u128(number)).expect("not nil");
    let open = (pick(), any_period(), any_day()).prop_map(move |(id, period, opened_on)| {
        ProgrammeReviewCommand::Open(OpenReview {
            review: review_id(id),
            period,
            opened_on,
        })
    });
    let record = (
        pick(),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(text(), 0..2),
        any_day(),
    )
        .prop_map(move |(id, findings, recommendations, recorded_on)| {
            ProgrammeReviewCommand::RecordFindings(RecordReviewFindings {
                review: review_id(id),
                findings,
                recommendations,
                recorded_on,
            })
        });
    let close = (pick(), any_day()).prop_map(move |(id, closed_on)| {
        ProgrammeReviewCommand::Close(CloseReview {
            review: review_id(id),
            closed_on,
        })
    });
    prop_oneof![open, record, close]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn work_programme_histories_hold_the_properties(
        commands in proptest::collection::vec(work_programme_command(), 0..20)
    ) {
        run_commands::<WorkProgrammeDecider>(&commands);
    }

    #[test]
    fn cooperation_source_histories_hold_the_properties(
        commands in proptest::collection::vec(cooperation_source_command(), 0..24)
    ) {
        run_commands::<CooperationSourceDecider>(&commands);
    }

    #[test]
    fn request_histories_hold_the_properties(
        commands in proptest::collection::vec(request_command(), 0..20)
    ) {
        run_commands::<RequestDecider>(&commands);
    }

    #[test]
    fn review_histories_hold_the_properties(
        commands in proptest::collection::vec(review_command(), 0..20)
    ) {
        run_commands::<ProgrammeReviewDecider>(&commands);
    }
}
