use super::*;
use crate::testing::DeciderTesting;
use crate::testing::fixtures::*;
use crate::values::ApprovingBody;

fn year() -> WorkProgrammeYear {
    WorkProgrammeYear::new(2013).unwrap()
}

fn opened() -> WorkProgrammeEvent {
    WorkProgrammeEvent::Opened(WorkProgrammeOpened {
        year: year(),
        estimated_budget: money(200_000, "USD"),
        opened_on: day(2012, 10, 19),
    })
}

fn decision(decided_on: Date) -> Decision {
    Decision {
        body: ApprovingBody::LatinAmericanCouncil {
            decision_number: "N° 540".to_owned(),
        },
        reference: "Work Programme of the Permanent Secretariat for 2013".to_owned(),
        rationale: "includes the SELA-SMEs Programme proposed in SP/CL/XXXVIII.O/DT N° 10".to_owned(),
        decided_on,
    }
}

fn adopt(decided_on: Date) -> WorkProgrammeCommand {
    WorkProgrammeCommand::Adopt(AdoptWorkProgramme {
        year: year(),
        decision: decision(decided_on),
    })
}

fn adopted() -> WorkProgrammeEvent {
    WorkProgrammeEvent::Adopted(WorkProgrammeAdopted {
        year: year(),
        decision: decision(day(2012, 10, 19)),
    })
}

fn revise(budget: Money, reason: &str) -> WorkProgrammeCommand {
    WorkProgrammeCommand::Revise(ReviseWorkProgramme {
        year: year(),
        revised_budget: budget,
        reason: reason.to_owned(),
        revised_on: day(2013, 6, 1),
    })
}

fn close() -> WorkProgrammeCommand {
    WorkProgrammeCommand::Close(CloseWorkProgramme {
        year: year(),
        closed_on: day(2013, 12, 31),
    })
}

fn closed() -> WorkProgrammeEvent {
    WorkProgrammeEvent::Closed(WorkProgrammeClosed {
        year: year(),
        closed_on: day(2013, 12, 31),
    })
}

#[test]
fn a_work_programme_opens_once_with_an_estimated_budget() {
    let state = WorkProgrammeDecider::given([])
        .when(WorkProgrammeCommand::Open(OpenWorkProgramme {
            year: year(),
            estimated_budget: money(200_000, "USD"),
            opened_on: day(2012, 10, 19),
        }))
        .then([opened()]);
    assert_eq!(state.status, WorkProgrammeStatus::Open);
    assert!(state.status.accepts_activities());
    assert_eq!(WorkProgrammeDecider::stream_name(&year()), "work-programme-2013");
    WorkProgrammeDecider::given([opened()])
        .when(WorkProgrammeCommand::Open(OpenWorkProgramme {
            year: year(),
            estimated_budget: money(1, "USD"),
            opened_on: day(2012, 10, 19),
        }))
        .then_error(DomainError::WorkProgrammeAlreadyOpened { year: year() });
}

#[test]
fn an_open_work_programme_is_adopted_once_by_a_decision() {
    let state = WorkProgrammeDecider::given([opened()])
        .when(adopt(day(2012, 10, 19)))
        .then([adopted()]);
    assert_eq!(state.status, WorkProgrammeStatus::Adopted);
    assert!(state.status.accepts_activities());
    WorkProgrammeDecider::given([opened(), adopted()])
        .when(adopt(day(2012, 10, 19)))
        .then_error(DomainError::WorkProgrammeAlreadyAdopted { year: year() });
    WorkProgrammeDecider::given([])
        .when(adopt(day(2012, 10, 19)))
        .then_error(DomainError::WorkProgrammeNotOpened { year: year() });
}

#[test]
fn adoption_is_not_dated_before_opening_and_cites_a_full_decision() {
    WorkProgrammeDecider::given([opened()])
        .when(adopt(day(2012, 1, 1)))
        .then_error(DomainError::DateBeforeStart {
            what: "adoption",
            date: day(2012, 1, 1),
            record: "work programme 2013".to_owned(),
            since: day(2012, 10, 19),
        });
    let mut without_reference = decision(day(2012, 10, 19));
    without_reference.reference.clear();
    WorkProgrammeDecider::given([opened()])
        .when(WorkProgrammeCommand::Adopt(AdoptWorkProgramme {
            year: year(),
            decision: without_reference,
        }))
        .then_error(DomainError::EmptyField {
            field: "decision reference",
        });
}

#[test]
fn the_budget_is_revised_with_a_reason_in_the_same_currency() {
    let state = WorkProgrammeDecider::given([opened(), adopted()])
        .when(revise(money(180_000, "USD"), "regular budget reduced"))
        .then([WorkProgrammeEvent::Revised(WorkProgrammeRevised {
            year: year(),
            revised_budget: money(180_000, "USD"),
            reason: "regular budget reduced".to_owned(),
            revised_on: day(2013, 6, 1),
        })]);
    assert_eq!(state.budget, Some(money(180_000, "USD")));
    WorkProgrammeDecider::given([opened()])
        .when(revise(money(180_000, "USD"), ""))
        .then_error(DomainError::EmptyField {
            field: "revision reason",
        });
    WorkProgrammeDecider::given([opened()])
        .when(revise(money(180_000, "EUR"), "in euros"))
        .then_error(DomainError::CurrencyMismatch {
            left: currency("USD"),
            right: currency("EUR"),
        });
}

#[test]
fn a_closed_work_programme_accepts_nothing_more() {
    let state = WorkProgrammeDecider::given([opened(), adopted()])
        .when(close())
        .then([closed()]);
    assert!(!state.status.accepts_activities());
    for command in [close(), adopt(day(2013, 1, 1)), revise(money(1, "USD"), "late")] {
        WorkProgrammeDecider::given([opened(), closed()])
            .when(command)
            .then_error(DomainError::WorkProgrammeClosed { year: year() });
    }
}
