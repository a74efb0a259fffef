//! The review pack built from a small log made by hand: which review counts as the previous
//! one, achievements against indicators' targets, participants, coverage, funding and what
//! changed since the previous review, and how the period's end cuts them.

use jiff::civil::{Date, date};
use rust_decimal::Decimal;
use smes_domain::activity::{
    ActivityApproved, ActivityCancelled, ActivityEvent, ActivityHeld, ActivityProposed, ActivityRejected,
    IndicatorDefined, MemberStateShare, ParticipantCounts, Proposer, ResultRecorded, SexShare,
};
use smes_domain::ids::{ActivityId, IndicatorId, ReviewId};
use smes_domain::programme_review::{ProgrammeReviewEvent, ReviewClosed, ReviewFindingsRecorded, ReviewOpened};
use smes_domain::values::{
    ActivityKind, ApprovingBody, Currency, Decision, Money, Period, Sex, ThematicArea, WorkProgrammeYear,
};
use smes_domain::work_programme::{WorkProgrammeEvent, WorkProgrammeOpened};
use smes_projections::DomainEvent;

use super::*;
use crate::hand_log::{Log, state, uuid};

fn activity(number: u128) -> ActivityId {
    ActivityId::new(uuid(0xAC00 + number)).unwrap()
}

fn indicator(number: u128) -> IndicatorId {
    IndicatorId::new(uuid(0x1D00 + number)).unwrap()
}

fn review(number: u128) -> ReviewId {
    ReviewId::new(uuid(0xE500 + number)).unwrap()
}

fn period(start: Date, end: Date) -> Period {
    Period::new(start, end).unwrap()
}

fn usd(amount: i64, value_date: Date) -> Money {
    Money::new(Decimal::from(amount), Currency::new("USD").unwrap(), value_date).unwrap()
}

fn propose(number: u128, area: ThematicArea, host: &str, cost: i64, on: Date) -> DomainEvent {
    DomainEvent::Activity(ActivityEvent::Proposed(ActivityProposed {
        activity: activity(number),
        kind: ActivityKind::Seminar,
        title: format!("Activity {number}"),
        thematic_area: area,
        answers_needs: Vec::new(),
        host: state(host),
        proposed_by: Proposer::Secretariat,
        planned: period(date(2013, 4, 1), date(2013, 4, 2)),
        estimated_cost: usd(cost, on),
        proposed_on: on,
    }))
}

fn approve(number: u128, on: Date) -> DomainEvent {
    DomainEvent::Activity(ActivityEvent::Approved(ActivityApproved {
        activity: activity(number),
        work_programme: WorkProgrammeYear::new(2013).unwrap(),
        decision: Decision {
            body: ApprovingBody::PermanentSecretariat,
            reference: format!("SP/Di N° {number}-13"),
            rationale: "Answers a need of the consultation".to_owned(),
            decided_on: on,
        },
    }))
}

fn define(number: u128, name: &str, baseline: i64, target: i64, higher_is_better: bool) -> DomainEvent {
    DomainEvent::Activity(ActivityEvent::IndicatorDefined(IndicatorDefined {
        activity: activity(1),
        indicator: indicator(number),
        name: name.to_owned(),
        unit: "count".to_owned(),
        baseline: Decimal::from(baseline),
        target: Decimal::from(target),
        higher_is_better,
        defined_on: date(2012, 11, 12),
    }))
}

fn result(number: u128, value: i64) -> DomainEvent {
    DomainEvent::Activity(ActivityEvent::ResultRecorded(ResultRecorded {
        activity: activity(1),
        indicator: indicator(number),
        period: period(date(2013, 4, 1), date(2013, 6, 30)),
        value: Decimal::from(value),
        by_sex: Vec::new(),
        by_member_state: Vec::new(),
    }))
}

fn review_events(number: u128, reviewed: Period, opened_on: Date, closed_on: Option<Date>) -> Vec<(Date, DomainEvent)> {
    let mut events = vec![
        (
            opened_on,
            DomainEvent::ProgrammeReview(ProgrammeReviewEvent::Opened(ReviewOpened {
                review: review(number),
                period: reviewed,
                opened_on,
            })),
        ),
        (
            opened_on,
            DomainEvent::ProgrammeReview(ProgrammeReviewEvent::FindingsRecorded(ReviewFindingsRecorded {
                review: review(number),
                findings: vec![format!("finding of review {number}")],
                recommendations: vec![format!("recommendation of review {number}")],
                recorded_on: opened_on,
            })),
        ),
    ];
    if let Some(closed_on) = closed_on {
        events.push((
            closed_on,
            DomainEvent::ProgrammeReview(ProgrammeReviewEvent::Closed(ReviewClosed {
                review: review(number),
                closed_on,
            })),
        ));
    }
    events
}

/// 2013 with three activities (one held with two indicators, one approved after the previous
/// review closed, one cancelled) and a rejected proposal, and reviews of 2011 and 2012 (closed) and of late 2012 (open).
fn log() -> Log {
    let mut log = Log::default();
    log.on(
        date(2012, 10, 17),
        DomainEvent::WorkProgramme(WorkProgrammeEvent::Opened(WorkProgrammeOpened {
            year: WorkProgrammeYear::new(2013).unwrap(),
            estimated_budget: usd(100_000, date(2012, 10, 17)),
            opened_on: date(2012, 10, 17),
        })),
    );
    let mut dated: Vec<(Date, DomainEvent)> = vec![
        (
            date(2012, 11, 1),
            propose(1, ThematicArea::Financing, "PE", 10_000, date(2012, 11, 1)),
        ),
        (date(2012, 11, 10), approve(1, date(2012, 11, 10))),
        (
            date(2012, 11, 1),
            propose(3, ThematicArea::Financing, "PE", 5_000, date(2012, 11, 1)),
        ),
        (date(2012, 11, 10), approve(3, date(2012, 11, 10))),
        (date(2012, 11, 12), define(1, "guarantee funds advised", 2, 6, true)),
        (
            date(2012, 11, 12),
            define(2, "days to a credit decision", 30, 20, false),
        ),
        (
            date(2013, 3, 1),
            propose(2, ThematicArea::GenderEquality, "MX", 20_000, date(2013, 3, 1)),
        ),
        (date(2013, 3, 10), approve(2, date(2013, 3, 10))),
        (
            date(2013, 4, 10),
            DomainEvent::Activity(ActivityEvent::Held(ActivityHeld {
                activity: activity(1),
                held: period(date(2013, 4, 10), date(2013, 4, 11)),
                participants: ParticipantCounts {
                    by_sex: vec![
                        SexShare {
                            sex: Sex::Female,
                            value: 6,
                        },
                        SexShare {
                            sex: Sex::Male,
                            value: 4,
                        },
                    ],
                    by_member_state: vec![MemberStateShare {
                        member_state: state("PE"),
                        value: 10,
                    }],
                },
                outputs: Vec::new(),
            })),
        ),
        (
            date(2013, 5, 1),
            DomainEvent::Activity(ActivityEvent::Cancelled(ActivityCancelled {
                activity: activity(3),
                reason: "No host".to_owned(),
                cancelled_on: date(2013, 5, 1),
            })),
        ),
        (date(2013, 7, 1), result(1, 5)),
        (date(2013, 7, 1), result(2, 18)),
        (
            date(2012, 11, 2),
            propose(4, ThematicArea::Internationalization, "PA", 7_000, date(2012, 11, 2)),
        ),
        (
            date(2012, 11, 10),
            DomainEvent::Activity(ActivityEvent::Rejected(ActivityRejected {
                activity: activity(4),
                rationale: "Duplicates a CAF business mission".to_owned(),
                decided_on: date(2012, 11, 10),
            })),
        ),
    ];
    dated.extend(review_events(
        1,
        period(date(2011, 1, 1), date(2011, 12, 31)),
        date(2012, 1, 10),
        Some(date(2012, 2, 1)),
    ));
    dated.extend(review_events(
        2,
        period(date(2012, 1, 1), date(2012, 12, 31)),
        date(2013, 1, 5),
        Some(date(2013, 1, 20)),
    ));
    dated.extend(review_events(
        3,
        period(date(2012, 6, 1), date(2012, 12, 31)),
        date(2013, 1, 6),
        None,
    ));
    dated.extend(review_events(
        4,
        period(date(2013, 1, 1), date(2013, 12, 31)),
        date(2013, 12, 1),
        None,
    ));
    dated.sort_by_key(|(day, _)| *day);
    for (day, event) in dated {
        log.on(day, event);
    }
    log
}

fn pack(from: &str, to: &str) -> ReviewPack {
    build(&log().slice(), &ReviewRequest::parse(from, to, None, None).unwrap()).unwrap()
}

#[test]
fn the_previous_review_is_the_latest_closed_one_of_an_earlier_period() {
    let pack = pack("2013-01-01", "2013-12-31");
    let previous = pack.previous_review.review.as_ref().unwrap();
    // Review 1 closed earlier, review 3 never closed: review 2 is the one.
    assert_eq!(previous.id, review(2).to_string());
    assert_eq!(previous.closed_on.as_deref(), Some("2013-01-20"));
    assert_eq!(previous.findings, ["finding of review 2"]);
    // The review of 2013 itself is listed as the review of the period, still open.
    let reviews: Vec<&str> = pack.reviews.iter().map(|row| row.id.as_str()).collect();
    assert_eq!(reviews, [review(4).to_string()]);
    assert_eq!(pack.reviews[0].status, "open");
    // What changed: the activity approved in March, and the held and cancelled ones.
    assert_eq!(pack.changes.since.as_deref(), Some("2013-01-20"));
    let year = &pack.changes.years[0];
    let added: Vec<&str> = year.added.iter().map(|mention| mention.id.as_str()).collect();
    assert_eq!(added, [activity(2).to_string()]);
    let changed: Vec<(&str, &str)> = year
        .changed
        .iter()
        .flat_map(|activity| {
            activity
                .changes
                .iter()
                .map(move |change| (activity.title.as_str(), change.field.as_str()))
        })
        .filter(|(_, field)| *field == "status")
        .collect();
    assert_eq!(changed, [("Activity 1", "status"), ("Activity 3", "status")]);
    // Reviewing 2012, review 1 is the previous one, and the pack is as of the end of 2012.
    let earlier = super::tests::pack("2012-01-01", "2012-12-31");
    assert_eq!(earlier.previous_review.review.unwrap().id, review(1).to_string());
    assert_eq!(earlier.changes.since.as_deref(), Some("2012-02-01"));
    // Reviewing 2011, no review of an earlier period exists.
    let first = super::tests::pack("2011-01-01", "2011-12-31");
    assert_eq!(first.previous_review.review, None);
    assert_eq!(first.changes.since, None);
    assert!(first.changes.years.is_empty());
}

#[test]
fn achievements_participants_coverage_and_funding_of_the_period() {
    let pack = pack("2013-01-01", "2013-12-31");
    let overall = &pack.achievements.overall;
    assert_eq!(
        (overall.approved, overall.held, overall.to_be_held, overall.cancelled),
        (3, 1, 1, 1)
    );
    let areas: Vec<&str> = pack
        .achievements
        .by_thematic_area
        .iter()
        .map(|area| area.thematic_area.as_str())
        .collect();
    assert_eq!(areas, ["financing", "gender-equality"]);
    let indicators: Vec<_> = pack
        .achievements
        .indicators
        .iter()
        .map(|row| {
            (
                row.indicator.as_str(),
                row.actual.as_deref(),
                row.progress_percent.as_deref(),
                row.met,
            )
        })
        .collect();
    assert_eq!(
        indicators,
        [
            ("guarantee funds advised", Some("5"), Some("75"), Some(false)),
            ("days to a credit decision", Some("18"), Some("120"), Some(true)),
        ]
    );
    assert_eq!(
        pack.achievements.indicators[0].measured.as_deref(),
        Some("2013-04-01 to 2013-06-30")
    );
    assert_eq!(pack.participants.total, 10);
    let by_sex: Vec<(&str, u64)> = pack
        .participants
        .by_sex
        .iter()
        .map(|row| (row.key.as_str(), row.count))
        .collect();
    assert_eq!(by_sex, [("female", 6), ("male", 4), ("other-or-unspecified", 0)]);
    assert_eq!(pack.participants.by_member_state[0].count, 10);
    // The cancelled activity covers nothing and costs nothing.
    let cells: Vec<(&str, &str, usize, usize)> = pack
        .coverage
        .cells
        .iter()
        .map(|cell| {
            (
                cell.thematic_area.as_str(),
                cell.member_state.as_str(),
                cell.activities,
                cell.held,
            )
        })
        .collect();
    assert_eq!(cells, [("financing", "PE", 1, 1), ("gender-equality", "MX", 1, 0)]);
    assert_eq!(pack.coverage.thematic_areas.len(), 10);
    assert_eq!(pack.funding.budget[0].to_string(), "USD 30000.00");
    // Nothing is committed: each live activity's whole budget is its gap, largest first.
    let gaps: Vec<String> = pack.funding.gaps.iter().map(|gap| gap.gap.to_string()).collect();
    assert_eq!(gaps, ["USD 20000.00", "USD 10000.00"]);
    // Every chart with data is drawn, the indicators' among them.
    let names: Vec<&str> = charts::render(&pack).unwrap().iter().map(|chart| chart.name).collect();
    assert_eq!(
        names,
        [
            "activities",
            "indicators",
            "participants-by-sex",
            "participants-by-member-state",
            "coverage",
            "funding-gaps"
        ]
    );
}

#[test]
fn the_end_of_the_period_cuts_everything_after_it() {
    let pack = pack("2013-01-01", "2013-03-31");
    assert_eq!(pack.achievements.overall.approved, 3);
    assert_eq!(pack.achievements.overall.held, 0);
    assert_eq!(pack.achievements.overall.cancelled, 0);
    // The indicators are defined; nothing is measured yet.
    assert!(
        pack.achievements
            .indicators
            .iter()
            .all(|row| row.actual.is_none() && row.met.is_none())
    );
    assert!(pack.participants.activities.is_empty());
    assert_eq!(pack.changes.until, "2013-03-31");
    // Held in April: a pack of March has no one taking part, and says so in Markdown.
    let markdown = pack.render(Format::Markdown).unwrap();
    assert!(markdown.contains("No activity was held in the period."), "{markdown}");
    let files = pack.files(Format::Markdown).unwrap();
    assert_eq!(files[0].path, "review.md");
    assert!(files[0].text.contains("](charts/activities.svg)"), "{}", files[0].text);
    assert!(
        files
            .iter()
            .skip(1)
            .all(|file| file.path.starts_with("charts/") && file.text.starts_with("<svg"))
    );
}

#[test]
fn the_period_must_be_two_dates_in_order() {
    let request = ReviewRequest::parse("2013-01-01", "2013-12-31", None, Some("40")).unwrap();
    assert_eq!(request.cut().as_of, Some(jiff::civil::date(2013, 12, 31)));
    assert_eq!(request.cut().at_position, Some(40));
    let error = ReviewRequest::parse("2013-12-31", "2013-01-01", None, None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "--to: \"2013-01-01\" is not allowed; expected a date on or after --from (2013-12-31)"
    );
    let error = ReviewRequest::parse("2013-02-30", "2013-12-31", None, None)
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("--from: \"2013-02-30\""), "{error}");
    let error = ReviewRequest::parse("2013-01-01", "2013-12-31", Some("yesterday"), None)
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("--known-at: \"yesterday\""), "{error}");
    let error = ReviewRequest::parse("2013-01-01", "2013-12-31", None, Some("0"))
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("--at-position: \"0\""), "{error}");
    // One day is a period.
    assert!(ReviewRequest::parse("2013-06-30", "2013-06-30", None, None).is_ok());
}

#[test]
fn the_snapshot_lists_rejected_and_cancelled_apart_and_counts_neither() {
    use crate::options::Filter;
    use crate::snapshot::{SnapshotRequest, build as snapshot};
    use smes_projections::Cut;

    let request = |statuses: Vec<smes_projections::activities::ActivityState>| SnapshotRequest {
        year: WorkProgrammeYear::new(2013).unwrap(),
        cut: Cut::default(),
        filter: Filter {
            statuses: statuses.into_iter().collect(),
            ..Filter::default()
        },
    };
    let whole = snapshot(&log().slice(), &request(Vec::new())).unwrap();
    let listed: Vec<&str> = whole.activities.iter().map(|row| row.title.as_str()).collect();
    assert_eq!(listed, ["Activity 1", "Activity 2"]);
    assert_eq!(whole.cancelled.len(), 1);
    assert_eq!(whole.cancelled[0].cancelled_on.as_deref(), Some("2013-05-01"));
    assert_eq!(whole.cancelled[0].cancellation_reason.as_deref(), Some("No host"));
    assert_eq!(whole.cancelled_totals.budget[0].amount, "5000.00");
    assert_eq!(whole.totals[0].budget[0].amount, "30000.00");
    assert_eq!(whole.totals[0].participants.women, 6);
    assert_eq!(
        whole.totals[0].participants.women_share_percent.as_deref(),
        Some("60.0")
    );
    let rejected = snapshot(
        &log().slice(),
        &request(vec![smes_projections::activities::ActivityState::Rejected]),
    )
    .unwrap();
    assert!(rejected.activities.is_empty());
    assert_eq!(rejected.declined.len(), 1);
    let proposal = &rejected.declined[0];
    assert_eq!(proposal.title, "Activity 4");
    assert_eq!(proposal.decision, "rejected");
    assert_eq!(proposal.decided_on.as_deref(), Some("2012-11-10"));
    assert_eq!(proposal.rationale.as_deref(), Some("Duplicates a CAF business mission"));
    let markdown = rejected.render(crate::options::Format::Markdown).unwrap();
    assert!(markdown.contains("## Proposals rejected or deferred (1)"), "{markdown}");
    assert!(markdown.contains("Duplicates a CAF business mission"), "{markdown}");
    let csv = rejected.render(crate::options::Format::Csv).unwrap();
    assert!(csv.contains(",rejected,"), "{csv}");
    assert!(
        csv.contains(",false,2012-11-10,Duplicates a CAF business mission,"),
        "{csv}"
    );
}

#[test]
fn the_pack_writes_counts_in_their_number_and_the_share_of_women() {
    let pack = pack("2013-01-01", "2013-12-31");
    let markdown = pack.render(Format::Markdown).unwrap();
    assert!(
        markdown.contains(
            "The work programmes are the targets: of 3 activities approved, 1 was held, 1 is still to be held and \
             1 was cancelled."
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains("10 people took part in 1 activity held in the period. Women were 60.0% of them."),
        "{markdown}"
    );
    assert_eq!(pack.participants.women_share_percent.as_deref(), Some("60.0"));
    assert_eq!(
        pack.participants.activities[0].women_share_percent.as_deref(),
        Some("60.0")
    );
    assert_eq!(pack.funding.cancelled_budget[0].amount, "5000.00");
}
