//! The export refuses codes its codelists do not take, naming the record and the field, and
//! writes no file: a log may hold such codes from before the commands checked them.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use rust_decimal::Decimal;
use smes_domain::activity::{ActivityApproved, ActivityEvent, ActivityProposed, Proposer};
use smes_domain::ids::ActivityId;
use smes_domain::values::{
    ActivityKind, ApprovingBody, Currency, Decision, MemberStateCode, Money, Period, ThematicArea, WorkProgrammeYear,
};
use smes_domain::work_programme::{WorkProgrammeEvent, WorkProgrammeOpened};
use smes_projections::envelope::DomainEvent;
use smes_projections::{Anchor, Cut, Envelope, LogSlice};
use smes_reports::Filter;

use super::{DEFAULT_REPORTING_ORG_REF, IatiOptions, activities, organisation};
use crate::error::Error;

const ACTIVITY: &str = "5e1a0000-00ac-4000-8000-000000000001";

fn usd(amount: i64, on: Date) -> Money {
    Money::new(Decimal::from(amount), Currency::USD, on).unwrap()
}

/// A log of three events, as stored: the 2013 work programme opened, an activity hosted in
/// `host` costing an amount in `currency` proposed, and approved into it.
fn log(host: &str, currency: &str) -> LogSlice {
    let activity: ActivityId = ACTIVITY.parse().unwrap();
    let year = WorkProgrammeYear::new(2013).unwrap();
    let on = date(2013, 2, 1);
    let events = [
        (
            "work-programme-2013".to_owned(),
            DomainEvent::WorkProgramme(WorkProgrammeEvent::Opened(WorkProgrammeOpened {
                year,
                estimated_budget: usd(200_000, on),
                opened_on: on,
            })),
        ),
        (
            format!("activity-{ACTIVITY}"),
            DomainEvent::Activity(ActivityEvent::Proposed(ActivityProposed {
                activity,
                kind: ActivityKind::Seminar,
                title: "Seminar on guarantee systems".to_owned(),
                thematic_area: ThematicArea::Financing,
                answers_needs: Vec::new(),
                host: MemberStateCode::new(host).unwrap(),
                proposed_by: Proposer::Secretariat,
                planned: Period::new(date(2013, 5, 1), date(2013, 5, 2)).unwrap(),
                estimated_cost: Money::new(Decimal::from(25_000), Currency::new(currency).unwrap(), on).unwrap(),
                proposed_on: on,
            })),
        ),
        (
            format!("activity-{ACTIVITY}"),
            DomainEvent::Activity(ActivityEvent::Approved(ActivityApproved {
                activity,
                work_programme: year,
                decision: Decision {
                    body: ApprovingBody::PermanentSecretariat,
                    reference: "SP/Di 1".to_owned(),
                    rationale: "needed".to_owned(),
                    decided_on: on,
                },
            })),
        ),
    ];
    let time: Timestamp = "2013-02-01T00:00:00Z".parse().unwrap();
    let envelopes = events
        .into_iter()
        .enumerate()
        .map(|(index, (stream, event))| Envelope {
            position: index as u64 + 1,
            version: if index == 2 { 2 } else { 1 },
            stream,
            event_id: uuid::Uuid::from_u128(index as u128 + 1),
            event_type: String::new(),
            occurred_at: time,
            recorded_at: time,
            actor: "secretariat".to_owned(),
            role: "secretariat".to_owned(),
            reason: None,
            hash: format!("{index:064}"),
            event,
        })
        .collect();
    LogSlice {
        envelopes,
        anchor: Anchor {
            log_position: 3,
            head_hash: format!("{:064}", 2),
            tree_size: 3,
            tree_root: String::new(),
        },
    }
}

fn options() -> IatiOptions {
    IatiOptions {
        year: WorkProgrammeYear::new(2013).unwrap(),
        cut: Cut::everything(),
        filter: Filter::default(),
        reporting_org_ref: DEFAULT_REPORTING_ORG_REF.to_owned(),
    }
}

#[test]
fn a_country_outside_the_codelist_is_refused_naming_the_activity_and_field() {
    let error = activities(&log("XX", "USD"), &options()).unwrap_err();
    assert!(matches!(
        error,
        Error::CodeNotInCodelist {
            codelist: "Country",
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        format!(
            "IATI export: activity {ACTIVITY}: recipient-country/@code `XX` is not in the IATI Country codelist \
             (ISO 3166-1 alpha-2 country codes); no file is written"
        )
    );
    let error = organisation(&log("XX", "USD"), &options()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "IATI export: work programme 2013: recipient-country-budget/recipient-country/@code `XX` is not in the IATI \
         Country codelist (ISO 3166-1 alpha-2 country codes); no file is written"
    );
}

#[test]
fn a_currency_outside_the_codelist_is_refused_naming_the_activity_and_field() {
    let error = activities(&log("PE", "XYZ"), &options()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "IATI export: activity {ACTIVITY}: default-currency `XYZ` is not in the IATI Currency codelist \
             (ISO 4217 currency codes); no file is written"
        )
    );
    assert!(organisation(&log("PE", "XAU"), &options()).is_err());
}

#[test]
fn codes_in_the_codelists_are_written() {
    let file = activities(&log("PE", "USD"), &options()).unwrap();
    assert!(file.contains("<recipient-country code=\"PE\""), "{file}");
    // A state that is no longer a member, or never was one, is still a country of the codelist:
    // the export checks codes, the commands check membership.
    assert!(activities(&log("US", "VEF"), &options()).is_ok());
}
