//! Unit tests of each read model over the fixture, whole or cut.

use rust_decimal::Decimal;
use smes_domain::values::{Currency, ThematicArea};

use super::fixture::{self, history, ids, state, year};
use super::support::{day, money};
use crate::activities::ActivityState;
use crate::amounts::FundingSource;
use crate::counterparts::CounterpartDirectory;
use crate::cut::{Cut, fold_cut};
use crate::evaluation::{EvaluationHistory, HistoryEvent};
use crate::ledger::FundingLedger;
use crate::needs::{NeedStatus, NeedsRegister};
use crate::trace::{DecisionTrace, Stage, Subject};
use crate::work_programme::{WorkProgrammeModel, YearStatus};

#[test]
fn the_work_programme_lists_approved_activities_with_funding_and_gap() {
    let ids = ids();
    let model: WorkProgrammeModel = history().fold();
    let view = model.year(year(2013), None);
    assert_eq!(view.status, YearStatus::Adopted);
    assert_eq!(view.adopted_by, Some(fixture::council_decision()));
    assert_eq!(
        view.activities.len(),
        1,
        "the rejected activity is not in the programme"
    );
    let forum = &view.activities[0];
    assert_eq!(forum.activity, ids.forum);
    assert_eq!(forum.status, ActivityState::Held);
    assert_eq!(forum.answers_needs, vec![ids.financing_need]);
    let sela = &forum.funding[&FundingSource::SelaRegularBudget];
    assert_eq!(
        sela.committed.get(Currency::USD).unwrap().amount(),
        Decimal::from(20_000)
    );
    assert_eq!(
        sela.disbursed.get(Currency::USD).unwrap().amount(),
        Decimal::from(15_000)
    );
    assert_eq!(sela.spent.get(Currency::USD).unwrap().amount(), Decimal::from(12_500));
    let venezuela = &forum.funding[&FundingSource::MemberState(state("VE"))];
    let vef = Currency::new("VEF").unwrap();
    assert_eq!(
        venezuela.in_kind.get(vef).unwrap().amount(),
        Decimal::from(45_000),
        "revalued"
    );
    // 30,000 budget - 20,000 committed - 45,000 VEF × 0.159 = 7,155 in kind.
    assert_eq!(forum.funding_gap.as_ref().unwrap().amount(), Decimal::new(2_845_000, 3));
    assert!(forum.unconverted_funding.is_empty());
    let financing = &view.totals.by_thematic_area[&ThematicArea::Financing];
    assert_eq!(
        financing.budget.get(Currency::USD).unwrap().amount(),
        Decimal::from(30_000)
    );
    assert_eq!(
        financing.funding.in_kind.get(vef).unwrap().amount(),
        Decimal::from(45_000)
    );

    let in_dollars = model.year(year(2013), Some(Currency::USD));
    let in_kind = &in_dollars.totals.by_member_state[&state("VE")].funding.in_kind;
    assert_eq!(in_kind.iter().count(), 1, "converted with the recorded rate");
    assert_eq!(in_kind.get(Currency::USD).unwrap().amount(), Decimal::new(7_155_000, 3));
}

#[test]
fn currencies_stay_apart_when_no_rate_applies_before_the_value_date() {
    let mut history = history();
    history
        .envelopes
        .retain(|envelope| envelope.event_type != "ExchangeRateRecorded");
    let model: WorkProgrammeModel = history.fold();
    let forum = &model.year(year(2013), Some(Currency::USD)).activities[0];
    let vef = Currency::new("VEF").unwrap();
    assert_eq!(
        forum.unconverted_funding.get(vef).unwrap().amount(),
        Decimal::from(45_000)
    );
    assert_eq!(forum.funding_gap, Some(money(10_000, "USD", day(2012, 10, 12))));
}

#[test]
fn an_approval_without_its_proposal_is_a_partial_line() {
    let mut history = history();
    history
        .envelopes
        .retain(|envelope| envelope.event_type != "ActivityProposed");
    let model: WorkProgrammeModel = history.fold();
    let view = model.year(year(2013), None);
    assert_eq!(view.activities.len(), 1);
    assert!(!view.activities[0].proposal_known);
    assert_eq!(view.activities[0].title, None);
    assert_eq!(view.activities[0].funding_gap, None);
}

#[test]
fn the_needs_register_says_which_activities_answer_each_need() {
    let ids = ids();
    let register: NeedsRegister = history().fold();
    let financing = register.need(ids.financing_need).unwrap();
    assert_eq!(financing.status, NeedStatus::Answered);
    assert_eq!(financing.activities.get(&ids.forum), Some(&ActivityState::Held));
    assert_eq!(financing.activities.get(&ids.duplicate), Some(&ActivityState::Rejected));
    assert_eq!(financing.requests, vec![ids.request]);
    let view = register.view();
    assert_eq!(
        view.by_thematic_area[&ThematicArea::GenderEquality][&NeedStatus::Unanswered],
        vec![ids.gender_need]
    );
    assert_eq!(view.by_member_state[&state("JM")].values().flatten().count(), 2);

    let before_approval: NeedsRegister = fold_cut(&history().envelopes, &Cut::as_of(day(2012, 10, 15)));
    assert_eq!(
        before_approval.need(ids.financing_need).unwrap().status,
        NeedStatus::Open
    );
}

#[test]
fn the_evaluation_history_orders_consultations_and_reviews_by_date() {
    let ids = ids();
    let history: EvaluationHistory = history().fold();
    let items = history.history();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].date, Some(day(2012, 10, 2)));
    let HistoryEvent::Consultation { entry, needs, .. } = &items[0].event else {
        panic!("the consultation comes first")
    };
    assert_eq!(entry.participants, vec![ids.ministry, ids.network]);
    assert_eq!(entry.evaluations.len(), 1);
    assert_eq!(
        needs.iter().map(|line| (line.need, line.status)).collect::<Vec<_>>(),
        vec![
            (ids.financing_need, NeedStatus::Answered),
            (ids.gender_need, NeedStatus::Unanswered)
        ]
    );
    let HistoryEvent::Review { entry, .. } = &items[1].event else {
        panic!("the review comes second")
    };
    assert_eq!(entry.findings, vec!["the forum exceeded its target".to_owned()]);
    assert_eq!(entry.closed_on, Some(day(2013, 12, 2)));
}

#[test]
fn the_directory_groups_counterparts_and_keeps_membership_history() {
    let ids = ids();
    let directory: CounterpartDirectory = history().fold();
    let view = directory.view();
    assert_eq!(view.by_member_state[&state("VE")], vec![ids.ministry]);
    assert_eq!(view.regional_or_international, vec![ids.network]);
    assert_eq!(
        view.by_thematic_area[&ThematicArea::Internationalization],
        vec![ids.ministry]
    );
    assert_eq!(view.members, vec![state("VE")], "Jamaica left");
    assert_eq!(directory.member_states[&state("JM")].history.len(), 2);
    let json = serde_json::to_string(&directory).unwrap();
    assert!(!json.contains("Y2lwaGVydGV4dA=="), "no ciphertext in the directory");

    let before_correction: CounterpartDirectory = fold_cut(&history().envelopes, &Cut::as_of(day(2013, 6, 30)));
    assert!(
        !before_correction
            .view()
            .by_thematic_area
            .contains_key(&ThematicArea::Internationalization)
    );
}

#[test]
fn the_ledger_sums_each_source() {
    let ledger: FundingLedger = history().fold();
    let accounts = ledger.by_source();
    let sela = &accounts[&FundingSource::SelaRegularBudget];
    assert_eq!(
        sela.offered.get(Currency::USD),
        Some(&money(50_000, "USD", day(2013, 1, 15)))
    );
    assert_eq!(
        sela.funding.committed.get(Currency::USD).unwrap().amount(),
        Decimal::from(20_000)
    );
    assert_eq!(sela.offers, vec![ids().offer]);
    let venezuela = &accounts[&FundingSource::MemberState(state("VE"))];
    assert_eq!(venezuela.funding.in_kind.iter().count(), 1);
    assert!(venezuela.offered.is_empty());
}

#[test]
fn a_commitment_without_its_offer_counts_under_the_offer() {
    let mut history = history();
    history
        .envelopes
        .retain(|envelope| envelope.event_type != "OfferRecorded");
    let ledger: FundingLedger = history.fold();
    let accounts = ledger.by_source();
    assert!(accounts.contains_key(&FundingSource::UnknownOffer(ids().offer)));
    assert!(!accounts.contains_key(&FundingSource::SelaRegularBudget));
}

#[test]
fn the_trace_of_an_activity_runs_from_need_to_results() {
    let ids = ids();
    let history = history();
    let log = &history.envelopes;
    let trace: DecisionTrace = history.fold();
    let forum = trace.trace(Subject::Activity(ids.forum), log);
    assert_eq!(forum.subject, Subject::Activity(ids.forum));
    let stages: Vec<Stage> = forum.steps.iter().map(|step| step.stage).collect();
    let mut sorted = stages.clone();
    sorted.sort();
    assert_eq!(stages, sorted, "steps come in chain order");
    for stage in [
        Stage::Need,
        Stage::Consultation,
        Stage::Counterpart,
        Stage::Proposal,
        Stage::DuplicateWarning,
        Stage::Decision,
        Stage::Funding,
        Stage::Results,
    ] {
        assert!(stages.contains(&stage), "{stage:?} is in the trace");
    }
    assert!(
        forum.steps.iter().all(|step| step.event_type != "ActivityRejected"),
        "the other activity's rejection is not"
    );
    let step = &forum.steps[0];
    assert_eq!(
        (
            step.position,
            step.actor.as_str(),
            step.role.as_str(),
            step.hash.as_str()
        ),
        (7, "actor-2", "secretariat", "0000000000000007"),
        "each step says where, who and which record"
    );

    let need = trace.trace(Subject::Need(ids.financing_need), log);
    assert!(need.steps.iter().any(|step| step.event_type == "ActivityRejected"));
    let decision = trace.trace(Subject::Decision(ids.decision_reference.to_owned()), log);
    assert!(
        decision
            .steps
            .iter()
            .any(|step| step.event_type == "WorkProgrammeAdopted")
    );
    assert!(decision.steps.iter().any(|step| step.event_type == "ActivityHeld"));
    let counterpart = trace.trace(Subject::Counterpart(ids.network), log);
    assert!(
        counterpart
            .steps
            .iter()
            .any(|step| step.event_type == "ConsultationHeld")
    );
    let unknown = Subject::Activity(smes_domain::ids::ActivityId::new(uuid::Uuid::from_u128(999)).unwrap());
    assert!(trace.positions(&unknown).is_empty());
}

#[test]
fn a_trace_as_of_a_date_leaves_out_what_came_later() {
    let ids = ids();
    let log = &history().envelopes;
    let before_funding: DecisionTrace = fold_cut(log, &Cut::as_of(day(2012, 12, 31)));
    let trace = before_funding.trace(Subject::Activity(ids.forum), log);
    assert!(trace.steps.iter().any(|step| step.stage == Stage::Decision));
    assert!(trace.steps.iter().all(|step| step.stage != Stage::Funding));
    assert!(
        trace
            .steps
            .iter()
            .all(|step| step.occurred_at < super::support::start_of(day(2013, 1, 1)))
    );
}

#[test]
fn a_correction_applies_from_its_own_business_date() {
    let ids = ids();
    let figure = |cut: Cut| {
        let model: WorkProgrammeModel = fold_cut(&history().envelopes, &cut);
        model.activities.get(ids.forum).and_then(|entry| {
            entry.indicators[&ids.indicator]
                .results
                .first()
                .map(|result| (result.value, result.originally))
        })
    };
    assert_eq!(figure(Cut::as_of(day(2013, 5, 31))), None);
    // The correction (effective 1 June) is in, the original result (30 June) not yet.
    assert_eq!(figure(Cut::as_of(day(2013, 6, 15))), Some((Decimal::from(85), None)));
    assert_eq!(
        figure(Cut::everything()),
        Some((Decimal::from(85), Some(Decimal::from(75))))
    );
    let known_before_correction = history().envelopes[27].recorded_at;
    assert_eq!(
        figure(Cut::known_at(known_before_correction)),
        Some((Decimal::from(75), None)),
        "as known before the correction was recorded"
    );
}
