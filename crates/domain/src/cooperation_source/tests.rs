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
        country: None,
        counterpart: None,
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
            name: Some("Development Bank of Latin America".to_owned()),
            kind: CooperationSourceKind::Regional,
            country: None,
            counterpart: None,
            registered_on: day(2012, 12, 1),
        }))
        .then([registered()]);
    CooperationSourceDecider::given([registered()])
        .when(CooperationSourceCommand::Register(RegisterCooperationSource {
            cooperation_source: source_id(3),
            name: Some("again".to_owned()),
            kind: CooperationSourceKind::Regional,
            country: None,
            counterpart: None,
            registered_on: day(2012, 12, 1),
        }))
        .then_error(DomainError::CooperationSourceAlreadyRegistered {
            cooperation_source: source_id(3),
        });
    CooperationSourceDecider::given([])
        .when(CooperationSourceCommand::Register(RegisterCooperationSource {
            cooperation_source: source_id(3),
            name: Some(String::new()),
            kind: CooperationSourceKind::Local,
            country: None,
            counterpart: None,
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

fn bank(holds_role: Option<CooperationSourceId>) -> CounterpartOrganisation {
    CounterpartOrganisation {
        counterpart: counterpart_id(5),
        name: "Banco de Desarrollo Productivo".to_owned(),
        cooperation_source: holds_role,
    }
}

fn register(
    name: Option<&str>,
    country: Option<&str>,
    counterpart: Option<CounterpartOrganisation>,
) -> CooperationSourceCommand {
    CooperationSourceCommand::Register(RegisterCooperationSource {
        cooperation_source: source_id(3),
        name: name.map(str::to_owned),
        kind: CooperationSourceKind::Regional,
        country: country.map(|code| MemberStateCode::new(code).unwrap()),
        counterpart,
        registered_on: day(2013, 5, 10),
    })
}

fn registered_as_bank(name: &str, country: Option<&str>) -> CooperationSourceEvent {
    CooperationSourceEvent::Registered(CooperationSourceRegistered {
        cooperation_source: source_id(3),
        name: name.to_owned(),
        kind: CooperationSourceKind::Regional,
        country: country.map(|code| MemberStateCode::new(code).unwrap()),
        counterpart: Some(counterpart_id(5)),
        registered_on: day(2013, 5, 10),
    })
}

#[test]
fn a_counterparts_organisation_takes_the_role_under_the_counterparts_name() {
    // Left out, the name is the counterpart's; given, it must be the counterpart's.
    CooperationSourceDecider::given([])
        .when(register(None, None, Some(bank(None))))
        .then([registered_as_bank("Banco de Desarrollo Productivo", None)]);
    let state = CooperationSourceDecider::given([])
        .when(register(
            Some("Banco de Desarrollo Productivo"),
            Some("BO"),
            Some(bank(None)),
        ))
        .then([registered_as_bank("Banco de Desarrollo Productivo", Some("BO"))]);
    assert_eq!(state.counterpart, Some(counterpart_id(5)));
    CooperationSourceDecider::given([])
        .when(register(Some("BDP"), None, Some(bank(None))))
        .then_error(DomainError::OrganisationNameDiffers {
            command: "register-cooperation-source",
            counterpart: counterpart_id(5),
            given: "BDP".to_owned(),
            registered: "Banco de Desarrollo Productivo".to_owned(),
        });
    // Without a counterpart a name is needed.
    let refused = CooperationSourceDecider::given([])
        .when(register(None, None, None))
        .then_refused();
    assert!(
        matches!(refused, DomainError::InvalidValue { field: "name", .. }),
        "{refused:?}"
    );
}

#[test]
fn a_counterpart_holds_one_cooperation_source_role() {
    CooperationSourceDecider::given([])
        .when(register(None, None, Some(bank(Some(source_id(9))))))
        .then_error(DomainError::CounterpartAlreadyCooperationSource {
            counterpart: counterpart_id(5),
            cooperation_source: source_id(9),
        });
}

#[test]
fn a_source_belongs_to_any_iso_country_or_none() {
    // Not a Member State, still a country.
    CooperationSourceDecider::given([])
        .when(register(Some("Agency for International Development"), Some("US"), None))
        .then_accepted();
    CooperationSourceDecider::given([])
        .when(register(Some("Agency"), Some("XX"), None))
        .then_error(DomainError::UnknownCountry {
            command: "register-cooperation-source",
            field: "country",
            code: MemberStateCode::new("XX").unwrap(),
        });
}

fn link(on: Date, holds_role: Option<CooperationSourceId>) -> CooperationSourceCommand {
    CooperationSourceCommand::LinkToCounterpart(LinkToCounterpart {
        cooperation_source: source_id(3),
        counterpart: bank(holds_role),
        linked_on: on,
        reason: Some("one bank, registered twice".to_owned()),
    })
}

fn linked() -> CooperationSourceEvent {
    CooperationSourceEvent::LinkedToCounterpart(CooperationSourceLinkedToCounterpart {
        cooperation_source: source_id(3),
        counterpart: counterpart_id(5),
        linked_on: day(2014, 1, 15),
        reason: Some("one bank, registered twice".to_owned()),
    })
}

#[test]
fn two_registrations_of_one_organisation_are_linked_once() {
    let state = CooperationSourceDecider::given([registered()])
        .when(link(day(2014, 1, 15), None))
        .then([linked()]);
    assert_eq!(state.counterpart, Some(counterpart_id(5)));
    CooperationSourceDecider::given([registered(), linked()])
        .when(link(day(2014, 2, 1), None))
        .then_error(DomainError::CooperationSourceAlreadyLinked {
            cooperation_source: source_id(3),
            counterpart: counterpart_id(5),
        });
    CooperationSourceDecider::given([registered_as_bank("Banco de Desarrollo Productivo", None)])
        .when(link(day(2014, 2, 1), None))
        .then_error(DomainError::CooperationSourceAlreadyLinked {
            cooperation_source: source_id(3),
            counterpart: counterpart_id(5),
        });
    CooperationSourceDecider::given([registered()])
        .when(link(day(2014, 1, 15), Some(source_id(9))))
        .then_error(DomainError::CounterpartAlreadyCooperationSource {
            counterpart: counterpart_id(5),
            cooperation_source: source_id(9),
        });
}

#[test]
fn a_link_needs_a_registered_source_and_a_date_after_its_registration() {
    CooperationSourceDecider::given([])
        .when(link(day(2014, 1, 15), None))
        .then_error(DomainError::CooperationSourceNotRegistered {
            cooperation_source: source_id(3),
        });
    CooperationSourceDecider::given([registered()])
        .when(link(day(2012, 11, 30), None))
        .then_error(DomainError::DateBeforeStart {
            what: "link to a counterpart",
            date: day(2012, 11, 30),
            record: format!("cooperation source {}", source_id(3)),
            since: day(2012, 12, 1),
        });
}
