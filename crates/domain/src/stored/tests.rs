use serde_json::json;

use super::*;
use crate::activity::{ActivityEvent, ActivityProposed, Proposer};
use crate::counterpart::{CounterpartDetails, CounterpartEvent, CounterpartJoined};
use crate::testing::fixtures::*;
use crate::values::{ActivityKind, CounterpartKind, ThematicArea};

fn proposed() -> ActivityEvent {
    ActivityEvent::Proposed(ActivityProposed {
        activity: activity_id(1),
        kind: ActivityKind::TrainingWorkshop,
        title: "Workshop on public policies for SMEs".to_owned(),
        thematic_area: ThematicArea::PublicPolicies,
        answers_needs: vec![need_id(20)],
        host: state("BO"),
        proposed_by: Proposer::Secretariat,
        planned: period(day(2013, 8, 5), day(2013, 8, 7)),
        estimated_cost: money(18_500, "USD"),
        proposed_on: day(2013, 2, 1),
    })
}

fn joined() -> CounterpartEvent {
    CounterpartEvent::Joined(CounterpartJoined {
        counterpart: counterpart_id(1),
        details: CounterpartDetails {
            name: "Cámara de Industria".to_owned(),
            kind: CounterpartKind::Private,
            member_state: Some(state("BO")),
            thematic_areas: vec![ThematicArea::Financing],
        },
        focal_point: sealed(10),
        joined_on: day(2012, 11, 5),
    })
}

#[test]
fn the_stored_shape_of_a_proposal_is_frozen() {
    let (event_type, schema_version, payload) = encode(&proposed());
    assert_eq!((event_type, schema_version), ("ActivityProposed", 1));
    insta::assert_json_snapshot!("activity_proposed_v1", payload);
}

#[test]
fn focal_points_are_stored_only_sealed() {
    let (event_type, _, payload) = encode(&joined());
    assert_eq!(event_type, "CounterpartJoined");
    assert_eq!(
        payload["focal_point"],
        json!({
            "person": person_id(10),
            "key_id": "key-10",
            "nonce": "bm9uY2U=",
            "ciphertext": "Y2lwaGVydGV4dA==",
        })
    );
}

#[test]
fn unknown_types_and_versions_are_refused_by_name() {
    let (_, _, payload) = encode(&proposed());
    assert_eq!(
        decode::<ActivityEvent>("ActivityPostponed", 1, &payload, STORED_ON),
        Err(DecodeError::UnknownEventType {
            aggregate: "activity",
            event_type: "ActivityPostponed".to_owned(),
        })
    );
    assert_eq!(
        decode::<ActivityEvent>("ActivityProposed", 2, &payload, STORED_ON),
        Err(DecodeError::UnsupportedSchemaVersion {
            event_type: "ActivityProposed",
            schema_version: 2,
            latest: 1,
        })
    );
    // An event of another aggregate is not an activity event.
    let (event_type, schema_version, payload) = encode(&joined());
    assert!(matches!(
        decode::<ActivityEvent>(event_type, schema_version, &payload, STORED_ON),
        Err(DecodeError::UnknownEventType { .. })
    ));
}

#[test]
fn payloads_are_checked_as_they_are_decoded() {
    let (event_type, schema_version, mut payload) = encode(&proposed());
    payload["host"] = json!("bo");
    let error = decode::<ActivityEvent>(event_type, schema_version, &payload, STORED_ON).unwrap_err();
    assert!(
        matches!(&error, DecodeError::InvalidPayload { event_type: "ActivityProposed", reason, .. } if reason.contains("upper-case")),
        "{error}"
    );
    let (_, _, mut payload) = encode(&proposed());
    payload["planned"] = json!({"start": "2013-08-07", "end": "2013-08-05"});
    assert!(decode::<ActivityEvent>(event_type, schema_version, &payload, STORED_ON).is_err());
    let (_, _, mut payload) = encode(&proposed());
    payload["unexpected"] = json!(true);
    assert!(decode::<ActivityEvent>(event_type, schema_version, &payload, STORED_ON).is_err());
}

#[test]
fn the_catalogue_names_every_event_once() {
    let catalogue = catalogue();
    let mut names: Vec<&str> = catalogue.iter().map(|(_, name, _)| *name).collect();
    names.sort_unstable();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "a stored name is used twice");
    let listing = catalogue
        .iter()
        .map(|(aggregate, name, version)| format!("{aggregate:<22} {name} v{version}"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("catalogue", listing);
}

#[test]
fn events_stored_before_they_had_a_date_read_the_date_they_were_filed_under() {
    use crate::OccurredOn;
    use crate::consultation::ConsultationEvent;
    use crate::request::RequestEvent;

    let stored_on = day(2013, 3, 14);
    let need = json!({
        "consultation": consultation_id(1), "need": need_id(2), "raised_by": [counterpart_id(3)],
        "thematic_area": "financing", "member_states": ["PE"], "priority": "high",
        "description": "Guarantee systems for SME credit",
    });
    let evaluation = json!({
        "consultation": consultation_id(1), "subject": {"subject": "programme"}, "findings": "Reached 9 Member States",
        "ratings": [{"criterion": "relevance", "score": 4}],
    });
    let rescheduled = json!({
        "activity": activity_id(1), "planned": {"start": "2013-06-10", "end": "2013-06-12"}, "reason": "venue",
    });
    let indicator = json!({
        "activity": activity_id(1), "indicator": indicator_id(4), "name": "officials trained", "unit": "people",
        "baseline": "0", "target": "50", "higher_is_better": true,
    });
    let request = crate::ids::RequestId::new(uuid::Uuid::from_u128(80)).unwrap();
    let linked = json!({"request": request, "follow_up": {"follow_up": "need", "id": need_id(2)}});

    let dates = [
        decode::<ConsultationEvent>("NeedIdentified", 1, &need, stored_on).map(|event| event.occurred_on()),
        decode::<ConsultationEvent>("AchievementsEvaluated", 1, &evaluation, stored_on).map(|e| e.occurred_on()),
        decode::<ActivityEvent>("ActivityRescheduled", 1, &rescheduled, stored_on).map(|e| e.occurred_on()),
        decode::<ActivityEvent>("IndicatorDefined", 1, &indicator, stored_on).map(|e| e.occurred_on()),
        decode::<RequestEvent>("RequestLinked", 1, &linked, stored_on).map(|e| e.occurred_on()),
    ];
    for date in dates {
        assert_eq!(date, Ok(Some(stored_on)));
    }
    // The same text decodes the same way without a parsed value.
    let text = serde_json::to_string(&need).unwrap();
    let from_text = decode_text::<ConsultationEvent>("NeedIdentified", 1, &text, stored_on).unwrap();
    assert_eq!(from_text.occurred_on(), Some(stored_on));
    // Version 2 carries its own date and ignores the one it was filed under.
    let (event_type, version, payload) = encode(&from_text);
    assert_eq!((event_type, version), ("NeedIdentified", 2));
    assert_eq!(payload["identified_on"], json!("2013-03-14"));
    let read = decode::<ConsultationEvent>(event_type, version, &payload, day(1999, 1, 1)).unwrap();
    assert_eq!(read, from_text);
    // A version 1 payload given the new field is refused: each version has its own shape.
    let mut with_date = need.clone();
    with_date["identified_on"] = json!("2013-03-14");
    assert!(decode::<ConsultationEvent>("NeedIdentified", 1, &with_date, stored_on).is_err());
}

#[test]
fn participants_held_as_earlier_written_keep_reading_and_new_ones_may_leave_out_member_states() {
    // `ActivityHeld` v1 as written before the breakdown by Member State became optional, with
    // a count above what a new holding accepts: what was recorded is read as it was.
    let written = json!({
        "activity": activity_id(1),
        "held": {"start": "2013-08-05", "end": "2013-08-07"},
        "participants": {
            "by_sex": [{"sex": "female", "value": 150000}, {"sex": "male", "value": 27}],
            "by_member_state": [{"member_state": "BO", "value": 150027}],
        },
        "outputs": [],
    });
    let ActivityEvent::Held(held) = decode::<ActivityEvent>("ActivityHeld", 1, &written, STORED_ON).unwrap() else {
        panic!("an ActivityHeld event")
    };
    assert_eq!(held.participants.total(), 150_027);
    assert_eq!(held.participants.by_member_state.len(), 1);
    let (_, _, payload) = encode(&ActivityEvent::Held(held));
    assert_eq!(payload, written);
    let mut by_sex_alone = written;
    by_sex_alone["participants"]
        .as_object_mut()
        .unwrap()
        .remove("by_member_state");
    let ActivityEvent::Held(held) = decode::<ActivityEvent>("ActivityHeld", 1, &by_sex_alone, STORED_ON).unwrap()
    else {
        panic!("an ActivityHeld event")
    };
    assert!(held.participants.by_member_state.is_empty());
    // Written back, the empty breakdown is kept as an empty list.
    let (_, _, payload) = encode(&ActivityEvent::Held(held));
    assert_eq!(payload["participants"]["by_member_state"], json!([]));
}

#[test]
fn in_kind_contributions_valued_before_organisations_could_give_read_as_given_by_their_host() {
    use crate::funding::{InKindContributionEvent, InKindContributor};

    // `InKindContributionValued` v1 as written when only the host Member State gave in kind.
    let contribution = crate::ids::ContributionId::new(uuid::Uuid::from_u128(1)).unwrap();
    let written = json!({
        "contribution": contribution, "activity": activity_id(2), "host": "SV",
        "what": "Conference room for two days", "value": {"amount": "4500", "currency": "USD", "value_date": "2013-04-18"},
        "valued_on": "2013-04-18",
    });
    let InKindContributionEvent::Valued(valued) =
        decode::<InKindContributionEvent>("InKindContributionValued", 1, &written, STORED_ON).unwrap()
    else {
        panic!("an InKindContributionValued event")
    };
    assert_eq!(
        valued.contributor,
        InKindContributor::MemberState {
            member_state: state("SV")
        }
    );
    assert_eq!(valued.what, "Conference room for two days");
    // The same text decodes the same way without a parsed value.
    let text = serde_json::to_string(&written).unwrap();
    let from_text = decode_text::<InKindContributionEvent>("InKindContributionValued", 1, &text, STORED_ON).unwrap();
    assert_eq!(from_text, InKindContributionEvent::Valued(valued.clone()));
    // Written again it takes version 2, naming the contributor.
    let (event_type, version, payload) = encode(&InKindContributionEvent::Valued(valued));
    assert_eq!((event_type, version), ("InKindContributionValued", 2));
    assert_eq!(
        payload["contributor"],
        json!({"contributor": "member-state", "member_state": "SV"})
    );
    assert!(payload.get("host").is_none());
    // Version 2 names an organisation as it was given, and refuses a v1 `host` beside it.
    let mut by_bank = payload.clone();
    by_bank["contributor"] = json!({"contributor": "counterpart", "id": counterpart_id(3)});
    let InKindContributionEvent::Valued(valued) =
        decode::<InKindContributionEvent>("InKindContributionValued", 2, &by_bank, STORED_ON).unwrap()
    else {
        panic!("an InKindContributionValued event")
    };
    assert_eq!(
        valued.contributor,
        InKindContributor::Counterpart { id: counterpart_id(3) }
    );
    by_bank["host"] = json!("SV");
    assert!(decode::<InKindContributionEvent>("InKindContributionValued", 2, &by_bank, STORED_ON).is_err());
}

#[test]
fn cooperation_sources_registered_before_roles_read_with_no_country_and_no_counterpart() {
    use crate::cooperation_source::{CooperationSourceEvent, CooperationSourceLinkedToCounterpart};

    // `CooperationSourceRegistered` v1 as written before a source had a country or a counterpart.
    let written = json!({
        "cooperation_source": source_id(3), "name": "Development Bank of Latin America",
        "kind": "regional", "registered_on": "2012-12-01",
    });
    let CooperationSourceEvent::Registered(registered) =
        decode::<CooperationSourceEvent>("CooperationSourceRegistered", 1, &written, STORED_ON).unwrap()
    else {
        panic!("a CooperationSourceRegistered event")
    };
    assert_eq!((registered.country, registered.counterpart), (None, None));
    assert_eq!(registered.name, "Development Bank of Latin America");
    let text = serde_json::to_string(&written).unwrap();
    let from_text = decode_text::<CooperationSourceEvent>("CooperationSourceRegistered", 1, &text, STORED_ON).unwrap();
    assert_eq!(from_text, CooperationSourceEvent::Registered(registered.clone()));
    // Written again it takes version 2, with both fields.
    let (event_type, version, payload) = encode(&CooperationSourceEvent::Registered(registered));
    assert_eq!((event_type, version), ("CooperationSourceRegistered", 2));
    assert_eq!(
        (&payload["country"], &payload["counterpart"]),
        (&json!(null), &json!(null))
    );
    // Version 2 keeps what it was given; v1 refuses the new fields.
    let mut named = payload.clone();
    named["country"] = json!("US");
    named["counterpart"] = json!(counterpart_id(4));
    let CooperationSourceEvent::Registered(registered) =
        decode::<CooperationSourceEvent>("CooperationSourceRegistered", 2, &named, STORED_ON).unwrap()
    else {
        panic!("a CooperationSourceRegistered event")
    };
    assert_eq!(registered.country, Some(state("US")));
    assert_eq!(registered.counterpart, Some(counterpart_id(4)));
    assert!(decode::<CooperationSourceEvent>("CooperationSourceRegistered", 1, &named, STORED_ON).is_err());
    // The link is its own event, read back as written.
    let linked = CooperationSourceEvent::LinkedToCounterpart(CooperationSourceLinkedToCounterpart {
        cooperation_source: source_id(3),
        counterpart: counterpart_id(4),
        linked_on: day(2014, 3, 1),
        reason: Some("registered twice in 2013".to_owned()),
    });
    let (event_type, version, payload) = encode(&linked);
    assert_eq!((event_type, version), ("CooperationSourceLinkedToCounterpart", 1));
    assert_eq!(
        decode::<CooperationSourceEvent>(event_type, version, &payload, STORED_ON).unwrap(),
        linked
    );
}
