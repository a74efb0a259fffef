//! Business date against record time: an event recorded late but back-dated.

use jiff::SignedDuration;
use smes_domain::consultation::{ConsultationEvent, NeedIdentified};
use smes_domain::values::{Priority, ThematicArea};

use super::fixture::state;
use super::support::{History, day, id, start_of};
use crate::as_of::AsOfIndex;
use crate::cut::{Cut, fold_cut};
use crate::envelope::DomainEvent;
use crate::needs::NeedsRegister;

fn need(number: u128, description: &str, identified_on: jiff::civil::Date) -> DomainEvent {
    DomainEvent::Consultation(ConsultationEvent::NeedIdentified(NeedIdentified {
        consultation: id(1),
        need: id(number),
        raised_by: vec![id(2)],
        thematic_area: ThematicArea::Financing,
        member_states: vec![state("VE")],
        priority: Priority::Low,
        description: description.to_owned(),
        identified_on,
    }))
}

#[test]
fn a_back_dated_event_recorded_late_is_in_as_of_but_not_in_as_known_before_its_record_time() {
    let mut history = History::starting(start_of(day(2013, 3, 1)));
    history
        .on(day(2013, 3, 1), need(10, "recorded on the day", day(2013, 3, 1)))
        .wait_until(start_of(day(2014, 1, 15)))
        .on(
            day(2013, 2, 20),
            need(11, "minutes found a year later", day(2013, 2, 20)),
        );
    let late = &history.envelopes[1];
    let before_it_was_recorded = late.recorded_at - SignedDuration::from_secs(1);
    let needs = |cut: Cut| {
        let register: NeedsRegister = fold_cut(&history.envelopes, &cut);
        register
            .needs
            .keys()
            .copied()
            .collect::<Vec<smes_domain::ids::NeedId>>()
    };

    assert_eq!(needs(Cut::as_of(day(2013, 3, 1))), vec![id(10), id(11)]);
    assert_eq!(needs(Cut::as_of(day(2013, 2, 20))), vec![id(11)], "it happened then");
    assert_eq!(needs(Cut::known_at(before_it_was_recorded)), vec![id(10)]);
    assert_eq!(
        needs(Cut::as_of(day(2013, 3, 1)).and_known_at(before_it_was_recorded)),
        vec![id(10)],
        "what we knew in 2013 about March 2013"
    );
    assert_eq!(needs(Cut::known_at(late.recorded_at)), vec![id(10), id(11)]);

    // A checkpoint taken after the first event cannot answer "as of 20 February" by itself:
    // the index must not use it, and gives the refold's answer.
    let mut index = AsOfIndex::<NeedsRegister>::new(1, []);
    for envelope in &history.envelopes {
        index.append(envelope);
    }
    let answer = index.answer(&Cut::as_of(day(2013, 2, 20)), &history.envelopes);
    assert_eq!(answer.needs.keys().copied().collect::<Vec<_>>(), vec![id(11)]);
}

#[test]
fn catching_up_again_applies_nothing_twice_and_checkpoints_answer_prefix_cuts() {
    let history = super::fixture::history();
    let log = &history.envelopes;
    let mut index = AsOfIndex::<crate::models::ReadModels>::new(4, [day(2013, 3, 31)]);
    for envelope in &log[..20] {
        index.append(envelope);
    }
    // A catch-up that starts again from the beginning skips what was applied.
    for envelope in log {
        index.append(envelope);
    }
    let once: crate::models::ReadModels = history.fold();
    assert_eq!(index.head(), &once);
    assert_eq!(index.head_position(), log.len() as u64);
    for position in [0, 1, 7, 8, 9, 33] {
        let cut = Cut::at_position(position);
        assert_eq!(index.answer(&cut, log), fold_cut(log, &cut), "at position {position}");
    }
    let cut = Cut::as_of(day(2013, 3, 31));
    assert_eq!(index.answer(&cut, log), fold_cut(log, &cut));
}

#[test]
fn only_prefix_cuts_may_resume_from_a_stored_model() {
    let history = super::fixture::history();
    let log = &history.envelopes;
    let stored_at = 20;
    let last_recorded_at = log[stored_at - 1].recorded_at;
    let stored: crate::models::ReadModels = crate::projection::Projection::fold(Default::default(), &log[..stored_at]);
    for cut in [
        Cut::known_at(last_recorded_at),
        Cut::known_at(log[25].recorded_at),
        Cut::at_position(30),
        Cut::everything(),
    ] {
        assert!(cut.resumable_from(stored_at as u64, last_recorded_at), "{cut:?}");
        let resumed = crate::cut::resume_cut(stored.clone(), &log[stored_at..], &cut);
        assert_eq!(resumed, fold_cut(log, &cut), "{cut:?}");
    }
    for cut in [
        Cut::as_of(day(2014, 1, 1)),
        Cut::at_position(10),
        Cut::known_at(log[10].recorded_at),
    ] {
        assert!(!cut.resumable_from(stored_at as u64, last_recorded_at), "{cut:?}");
    }
}
