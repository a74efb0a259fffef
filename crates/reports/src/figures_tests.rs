//! One definition of a year's figures: on generated logs, the snapshot's totals of a year and
//! the review pack of that year give the same budget, funding and gap, cancelled activities
//! left out of both and their budget shown apart in both.

use jiff::civil::Date;
use smes_projections::{Cut, LogSlice};

use crate::options::Filter;
use crate::reach_tests::{anchor, generated};
use crate::review::{self, ReviewRequest};
use crate::snapshot::{self, Known, SnapshotRequest};

#[test]
fn the_snapshot_and_the_review_pack_count_a_year_alike() {
    let mut cancelled_seen = false;
    let mut declined_seen = false;
    for seed in [3_u64, 11, 29] {
        let log = generated(seed, 6_000);
        let slice = LogSlice {
            anchor: anchor(log.len() as u64),
            envelopes: log,
        };
        let known = Known::of(&slice);
        for year in &known.years {
            let first = Date::new(year.get(), 1, 1).expect("a valid date");
            let last = Date::new(year.get(), 12, 31).expect("a valid date");
            // The review pack is as of the period's last day; so is the snapshot compared.
            let snapshot = snapshot::build(
                &slice,
                &SnapshotRequest {
                    year: *year,
                    cut: Cut {
                        as_of: Some(last),
                        ..Cut::default()
                    },
                    filter: Filter::default(),
                },
            )
            .expect("a known year has a snapshot");
            let pack = review::build(
                &slice,
                &ReviewRequest {
                    from: first,
                    to: last,
                    known_at: None,
                    at_position: None,
                },
            )
            .expect("a review of a year");
            let overall = &snapshot.totals[0];
            assert_eq!(overall.group, "all");
            let funding = &pack.funding;
            assert_eq!(overall.budget, funding.budget, "budget of {year}, seed {seed}");
            assert_eq!(overall.committed, funding.committed, "committed in {year}");
            assert_eq!(overall.disbursed, funding.disbursed, "disbursed in {year}");
            assert_eq!(overall.spent, funding.spent, "spent in {year}");
            assert_eq!(overall.in_kind, funding.in_kind, "in kind in {year}");
            assert_eq!(overall.funding_gap, funding.funding_gap, "funding gap of {year}");
            assert_eq!(
                snapshot.cancelled_totals.budget, funding.cancelled_budget,
                "cancelled in {year}"
            );
            assert_eq!(overall.activities, snapshot.activities.len());
            assert!(snapshot.activities.iter().all(|row| row.status != "cancelled"));
            assert!(snapshot.cancelled.iter().all(|row| row.status == "cancelled"));
            cancelled_seen |= !snapshot.cancelled.is_empty();
            declined_seen |= !snapshot.declined.is_empty();
        }
    }
    assert!(cancelled_seen, "the generated logs have a cancelled activity");
    assert!(declined_seen, "the generated logs have a rejected or deferred proposal");
}
