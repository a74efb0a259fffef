use super::*;
use crate::testing::DeciderTesting;
use crate::testing::fixtures::*;

fn request_id() -> RequestId {
    RequestId::new(uuid::Uuid::from_u128(80)).unwrap()
}

fn caricom() -> RequestingParty {
    RequestingParty::SubregionalBody {
        name: "CARICOM".to_owned(),
        member_states: vec![state("BB"), state("TT"), state("GY")],
    }
}

fn receive(from: RequestingParty) -> RequestCommand {
    RequestCommand::Receive(ReceiveRequest {
        request: request_id(),
        from,
        thematic_area: ThematicArea::BilateralTechnicalAssistance,
        description: "support for national SME incubation programmes".to_owned(),
        received_on: day(2013, 4, 2),
        membership: members(),
    })
}

fn received() -> RequestEvent {
    RequestEvent::Received(RequestReceived {
        request: request_id(),
        from: caricom(),
        thematic_area: ThematicArea::BilateralTechnicalAssistance,
        description: "support for national SME incubation programmes".to_owned(),
        received_on: day(2013, 4, 2),
    })
}

fn link(follow_up: RequestFollowUp) -> RequestCommand {
    RequestCommand::Link(LinkRequest {
        request: request_id(),
        follow_up,
        linked_on: day(2013, 4, 10),
    })
}

fn close(outcome: &str, closed_on: Date) -> RequestCommand {
    RequestCommand::Close(CloseRequest {
        request: request_id(),
        outcome: outcome.to_owned(),
        closed_on,
    })
}

fn closed() -> RequestEvent {
    RequestEvent::Closed(RequestClosed {
        request: request_id(),
        outcome: "answered by a technical assistance mission".to_owned(),
        closed_on: day(2013, 9, 1),
    })
}

#[test]
fn a_request_is_received_once_from_a_state_a_group_or_a_subregional_body() {
    RequestDecider::given([]).when(receive(caricom())).then([received()]);
    RequestDecider::given([])
        .when(receive(RequestingParty::MemberState {
            member_state: state("HT"),
        }))
        .then([RequestEvent::Received(RequestReceived {
            request: request_id(),
            from: RequestingParty::MemberState {
                member_state: state("HT"),
            },
            thematic_area: ThematicArea::BilateralTechnicalAssistance,
            description: "support for national SME incubation programmes".to_owned(),
            received_on: day(2013, 4, 2),
        })]);
    RequestDecider::given([received()])
        .when(receive(caricom()))
        .then_error(DomainError::RequestAlreadyReceived { request: request_id() });
}

#[test]
fn requesting_parties_are_well_formed() {
    RequestDecider::given([])
        .when(receive(RequestingParty::GroupOfMemberStates {
            member_states: vec![state("GT")],
        }))
        .then_error(DomainError::InvalidValue {
            field: "requesting member states",
            value: "1".to_owned(),
            reason: "a group names at least two Member States".to_owned(),
        });
    RequestDecider::given([])
        .when(receive(RequestingParty::SubregionalBody {
            name: " ".to_owned(),
            member_states: vec![state("BB")],
        }))
        .then_error(DomainError::EmptyField {
            field: "subregional body name",
        });
    RequestDecider::given([])
        .when(receive(RequestingParty::SubregionalBody {
            name: "CARICOM".to_owned(),
            member_states: vec![],
        }))
        .then_error(DomainError::EmptyField {
            field: "requesting member states",
        });
}

#[test]
fn a_request_is_linked_to_what_it_led_to_once_each() {
    let state = RequestDecider::given([received()])
        .when(link(RequestFollowUp::Need(need_id(20))))
        .then([RequestEvent::Linked(RequestLinked {
            request: request_id(),
            follow_up: RequestFollowUp::Need(need_id(20)),
            linked_on: day(2013, 4, 10),
        })]);
    assert_eq!(state.follow_ups, [RequestFollowUp::Need(need_id(20))]);
    let linked = RequestEvent::Linked(RequestLinked {
        request: request_id(),
        follow_up: RequestFollowUp::Activity(activity_id(7)),
        linked_on: day(2013, 4, 10),
    });
    RequestDecider::given([received(), linked])
        .when(link(RequestFollowUp::Activity(activity_id(7))))
        .then_error(DomainError::DuplicateEntry {
            field: "request follow-ups",
            value: format!("{:?}", RequestFollowUp::Activity(activity_id(7))),
        });
    RequestDecider::given([])
        .when(link(RequestFollowUp::Need(need_id(20))))
        .then_error(DomainError::RequestNotReceived { request: request_id() });
}

#[test]
fn a_request_closes_once_with_an_outcome() {
    RequestDecider::given([received()])
        .when(close("answered by a technical assistance mission", day(2013, 9, 1)))
        .then([closed()]);
    RequestDecider::given([received(), closed()])
        .when(link(RequestFollowUp::Need(need_id(20))))
        .then_error(DomainError::RequestClosed { request: request_id() });
    RequestDecider::given([received()])
        .when(close("", day(2013, 9, 1)))
        .then_error(DomainError::EmptyField {
            field: "request outcome",
        });
    RequestDecider::given([received()])
        .when(close("early", day(2013, 1, 1)))
        .then_error(DomainError::DateBeforeStart {
            what: "closing",
            date: day(2013, 1, 1),
            record: format!("request {}", request_id()),
            since: day(2013, 4, 2),
        });
}

#[test]
fn every_requesting_state_is_a_member_state_on_the_day_received() {
    let refused = RequestDecider::given([])
        .when(receive(RequestingParty::SubregionalBody {
            name: "CARICOM".to_owned(),
            member_states: vec![state("BB"), state("US")],
        }))
        .then_refused();
    assert!(
        refused
            .to_string()
            .starts_with("receive-request: from.member_states `US` is not a Member State of SELA on 2013-04-02"),
        "{refused}"
    );
    let refused = RequestDecider::given([])
        .when(receive(RequestingParty::MemberState {
            member_state: state("CA"),
        }))
        .then_refused();
    assert!(
        refused
            .to_string()
            .starts_with("receive-request: from.member_state `CA`"),
        "{refused}"
    );
}
