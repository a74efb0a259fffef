use super::*;
use crate::testing::DeciderTesting;
use crate::testing::fixtures::*;

fn request_id() -> AssistanceRequestId {
    AssistanceRequestId::new(uuid::Uuid::from_u128(70)).unwrap()
}

fn registered() -> CooperationSourceEvent {
    CooperationSourceEvent::Registered(CooperationSourceRegistered {
        cooperation_source: source_id(3),
        name: "Development Bank of Latin America".to_owned(),
        kind: CooperationSourceKind::Regional,
        registered_on: day(2012, 12, 1),
    })
}

fn request_assistance() -> CooperationSourceCommand {
    CooperationSourceCommand::RequestAssistance(RequestAssistance {
        cooperation_source: source_id(3),
        request: request_id(),
        purpose: "co-finance the guarantee systems seminar".to_owned(),
        activity: Some(activity_id(7)),
        amount_sought: Some(money(30_000, "USD")),
        requested_on: day(2013, 1, 20),
    })
}

fn requested() -> CooperationSourceEvent {
    CooperationSourceEvent::AssistanceRequested(AssistanceRequested {
        cooperation_source: source_id(3),
        request: request_id(),
        purpose: "co-finance the guarantee systems seminar".to_owned(),
        activity: Some(activity_id(7)),
        amount_sought: Some(money(30_000, "USD")),
        requested_on: day(2013, 1, 20),
    })
}

fn answer(answered_on: Date, note: &str) -> CooperationSourceCommand {
    CooperationSourceCommand::AnswerRequest(AnswerAssistanceRequest {
        cooperation_source: source_id(3),
        request: request_id(),
        answer: AssistanceAnswer::PartlyGranted,
        offer: Some(offer_id(1)),
        note: note.to_owned(),
        answered_on,
    })
}

fn answered() -> CooperationSourceEvent {
    CooperationSourceEvent::AssistanceRequestAnswered(AssistanceRequestAnswered {
        cooperation_source: source_id(3),
        request: request_id(),
        answer: AssistanceAnswer::PartlyGranted,
        offer: Some(offer_id(1)),
        note: "US$ 20,000 granted".to_owned(),
        answered_on: day(2013, 2, 1),
    })
}

#[test]
fn a_source_is_registered_once_with_a_name() {
    CooperationSourceDecider::given([])
        .when(CooperationSourceCommand::Register(RegisterCooperationSource {
            cooperation_source: source_id(3),
            name: "Development Bank of Latin America".to_owned(),
            kind: CooperationSourceKind::Regional,
            registered_on: day(2012, 12, 1),
        }))
        .then([registered()]);
    CooperationSourceDecider::given([registered()])
        .when(CooperationSourceCommand::Register(RegisterCooperationSource {
            cooperation_source: source_id(3),
            name: "again".to_owned(),
            kind: CooperationSourceKind::Regional,
            registered_on: day(2012, 12, 1),
        }))
        .then_error(DomainError::CooperationSourceAlreadyRegistered {
            cooperation_source: source_id(3),
        });
    CooperationSourceDecider::given([])
        .when(CooperationSourceCommand::Register(RegisterCooperationSource {
            cooperation_source: source_id(3),
            name: String::new(),
            kind: CooperationSourceKind::Local,
            registered_on: day(2012, 12, 1),
        }))
        .then_error(DomainError::EmptyField {
            field: "cooperation source name",
        });
}

#[test]
fn the_secretariat_asks_a_registered_source_once_per_request() {
    CooperationSourceDecider::given([registered()])
        .when(request_assistance())
        .then([requested()]);
    CooperationSourceDecider::given([])
        .when(request_assistance())
        .then_error(DomainError::CooperationSourceNotRegistered {
            cooperation_source: source_id(3),
        });
    CooperationSourceDecider::given([registered(), requested()])
        .when(request_assistance())
        .then_error(DomainError::AssistanceRequestAlreadyMade {
            cooperation_source: source_id(3),
            request: request_id(),
        });
}

#[test]
fn a_request_for_assistance_says_what_it_is_for() {
    let CooperationSourceCommand::RequestAssistance(mut command) = request_assistance() else {
        unreachable!()
    };
    command.purpose.clear();
    CooperationSourceDecider::given([registered()])
        .when(CooperationSourceCommand::RequestAssistance(command))
        .then_error(DomainError::EmptyField {
            field: "assistance purpose",
        });
}

#[test]
fn a_request_is_answered_once_after_it_was_made() {
    let state = CooperationSourceDecider::given([registered(), requested()])
        .when(answer(day(2013, 2, 1), "US$ 20,000 granted"))
        .then([answered()]);
    assert_eq!(state.requests[0].answer, Some(AssistanceAnswer::PartlyGranted));
    CooperationSourceDecider::given([registered(), requested(), answered()])
        .when(answer(day(2013, 2, 2), "again"))
        .then_error(DomainError::AssistanceRequestAlreadyAnswered {
            cooperation_source: source_id(3),
            request: request_id(),
        });
    CooperationSourceDecider::given([registered()])
        .when(answer(day(2013, 2, 1), "granted"))
        .then_error(DomainError::AssistanceRequestNotFound {
            cooperation_source: source_id(3),
            request: request_id(),
        });
    CooperationSourceDecider::given([registered(), requested()])
        .when(answer(day(2013, 1, 1), "granted"))
        .then_error(DomainError::DateBeforeStart {
            what: "answer",
            date: day(2013, 1, 1),
            record: format!("assistance request {}", request_id()),
            since: day(2013, 1, 20),
        });
    CooperationSourceDecider::given([registered(), requested()])
        .when(answer(day(2013, 2, 1), " "))
        .then_error(DomainError::EmptyField { field: "answer note" });
}
