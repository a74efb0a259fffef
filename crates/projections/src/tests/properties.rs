//! Property tests on generated valid logs: as-of answers equal refolds of the filtered log,
//! and the fold law (one pass = chunks = resumed from a serialised snapshot).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::generator;
use crate::as_of::AsOfIndex;
use crate::cut::{Cut, fold_cut};
use crate::envelope::Envelope;
use crate::models::ReadModels;
use crate::projection::Projection;

/// The refold every answer must equal: the events the cut admits, in log order, from empty.
fn refold(log: &[Envelope], cut: &Cut) -> ReadModels {
    let admitted: Vec<&Envelope> = log.iter().filter(|envelope| cut.admits(envelope)).collect();
    ReadModels::default().fold(admitted)
}

fn business_date(instant: Timestamp) -> Date {
    instant.to_zoned_datetime(TimeZone::UTC).date()
}

/// Events whose business time is earlier than that of an event recorded before them.
fn back_dated(log: &[Envelope]) -> usize {
    let mut latest: Option<Timestamp> = None;
    let mut count = 0;
    for envelope in log {
        if latest.is_some_and(|latest| envelope.occurred_at < latest) {
            count += 1;
        }
        latest = Some(latest.map_or(envelope.occurred_at, |latest| latest.max(envelope.occurred_at)));
    }
    count
}

/// A cut built from picks into the log: a business date, a record time, a position, or a mix.
fn cut(log: &[Envelope], kind: u8, picks: (usize, usize, usize)) -> Cut {
    let at = |pick: usize| &log[pick % log.len()];
    let date = business_date(at(picks.0).occurred_at);
    let known_at = at(picks.1).recorded_at + SignedDuration::from_secs(if picks.1.is_multiple_of(2) { 0 } else { 30 });
    let position = at(picks.2).position;
    match kind % 5 {
        0 => Cut::as_of(date),
        1 => Cut::known_at(known_at),
        2 => Cut::at_position(position),
        3 => Cut::as_of(date).and_known_at(known_at),
        _ => Cut::as_of(date).and_at_position(position),
    }
}

fn json(models: &ReadModels) -> String {
    serde_json::to_string(models).expect("models serialise")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn as_of_answers_equal_refolds_of_the_filtered_log(
        log in generator::log(),
        every in 1u64..12,
        dated_picks in prop::collection::vec(any::<usize>(), 0..4),
        cuts in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), any::<usize>()), 6),
    ) {
        prop_assume!(log.len() >= 20);
        prop_assert!(back_dated(&log) * 20 >= log.len(), "at least 5% back-dated events");
        let dates: Vec<Date> = dated_picks
            .iter()
            .map(|pick| business_date(log[pick % log.len()].occurred_at))
            .collect();
        let mut index = AsOfIndex::<ReadModels>::new(every, dates.iter().copied());
        for envelope in &log {
            index.append(envelope);
        }
        prop_assert_eq!(index.head(), &refold(&log, &Cut::everything()));
        for date in &dates {
            let cut = Cut::as_of(*date);
            prop_assert_eq!(index.answer(&cut, &log), refold(&log, &cut), "dated model for {}", date);
        }
        for (kind, first, second, third) in cuts {
            let cut = cut(&log, kind, (first, second, third));
            let expected = refold(&log, &cut);
            prop_assert_eq!(&index.answer(&cut, &log), &expected, "index answer for {:?}", cut);
            prop_assert_eq!(&fold_cut::<ReadModels, _>(&log, &cut), &expected, "fold_cut for {:?}", cut);
        }
    }

    #[test]
    fn folding_in_one_pass_in_chunks_or_from_a_snapshot_gives_the_same_models(
        log in generator::log(),
        splits in prop::collection::vec(any::<usize>(), 1..6),
    ) {
        let one_pass: ReadModels = ReadModels::default().fold(&log);
        let mut splits: Vec<usize> = splits.into_iter().map(|split| split % (log.len() + 1)).collect();
        splits.push(log.len());
        splits.sort_unstable();
        let mut chunked = ReadModels::default();
        let mut from_snapshots = ReadModels::default();
        let mut start = 0;
        for end in splits {
            chunked = chunked.fold(&log[start..end]);
            let snapshot = json(&from_snapshots);
            from_snapshots = serde_json::from_str::<ReadModels>(&snapshot)
                .expect("a snapshot reads back")
                .fold(&log[start..end]);
            start = end;
        }
        prop_assert_eq!(&chunked, &one_pass);
        prop_assert_eq!(&from_snapshots, &one_pass);
        prop_assert_eq!(json(&from_snapshots), json(&one_pass));
    }
}
