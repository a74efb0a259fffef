//! What the folds read: one decoded domain event with the facts of its log record.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::Value;
use smes_domain::activity::ActivityEvent;
use smes_domain::consultation::ConsultationEvent;
use smes_domain::cooperation_source::CooperationSourceEvent;
use smes_domain::counterpart::CounterpartEvent;
use smes_domain::erasure::ErasureEvent;
use smes_domain::funding::{ExchangeRateEvent, InKindContributionEvent, OfferEvent};
use smes_domain::member_state::MemberStateEvent;
use smes_domain::programme_review::ProgrammeReviewEvent;
use smes_domain::publication::PublicationEvent;
use smes_domain::request::RequestEvent;
use smes_domain::stored::{self, StoredEvent};
use smes_domain::work_programme::WorkProgrammeEvent;
use uuid::Uuid;

use crate::error::{Error, Result};

/// A domain event of any aggregate.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainEvent {
    /// A Member State joined or left.
    MemberState(MemberStateEvent),
    /// A counterpart's event.
    Counterpart(CounterpartEvent),
    /// A consultation's event.
    Consultation(ConsultationEvent),
    /// An activity's event.
    Activity(ActivityEvent),
    /// A work programme's event.
    WorkProgramme(WorkProgrammeEvent),
    /// A cooperation offer's event.
    Offer(OfferEvent),
    /// An in-kind contribution's event.
    InKindContribution(InKindContributionEvent),
    /// An exchange rate was recorded.
    ExchangeRate(ExchangeRateEvent),
    /// A cooperation source's event.
    CooperationSource(CooperationSourceEvent),
    /// A request's event.
    Request(RequestEvent),
    /// A programme review's event.
    ProgrammeReview(ProgrammeReviewEvent),
    /// A person's personal data was forgotten.
    Erasure(ErasureEvent),
    /// A snapshot was published.
    Publication(PublicationEvent),
}

impl DomainEvent {
    /// Decodes a stored event of any aggregate. `Ok(None)` means no aggregate knows the type.
    pub fn decode(
        event_type: &str,
        schema_version: u32,
        payload: &Value,
        stored_on: Date,
    ) -> std::result::Result<Option<Self>, stored::DecodeError> {
        decode_any(event_type, schema_version, payload, stored_on).transpose()
    }

    /// [`DomainEvent::decode`] straight from the payload's JSON text (no [`Value`] built on
    /// the way): the same event wherever that decode succeeds. `None` when no aggregate knows
    /// the type; a failure's reason may be worded otherwise than `decode` words it.
    pub fn decode_text(
        event_type: &str,
        schema_version: u32,
        payload: &str,
        stored_on: Date,
    ) -> Option<std::result::Result<Self, stored::DecodeError>> {
        decode_any(event_type, schema_version, payload, stored_on)
    }

    /// Encodes the event into its stored type, schema version and payload.
    pub fn encode(&self) -> (&'static str, u32, Value) {
        match self {
            DomainEvent::MemberState(event) => stored::encode(event),
            DomainEvent::Counterpart(event) => stored::encode(event),
            DomainEvent::Consultation(event) => stored::encode(event),
            DomainEvent::Activity(event) => stored::encode(event),
            DomainEvent::WorkProgramme(event) => stored::encode(event),
            DomainEvent::Offer(event) => stored::encode(event),
            DomainEvent::InKindContribution(event) => stored::encode(event),
            DomainEvent::ExchangeRate(event) => stored::encode(event),
            DomainEvent::CooperationSource(event) => stored::encode(event),
            DomainEvent::Request(event) => stored::encode(event),
            DomainEvent::ProgrammeReview(event) => stored::encode(event),
            DomainEvent::Erasure(event) => stored::encode(event),
            DomainEvent::Publication(event) => stored::encode(event),
        }
    }
}

/// One event as the folds see it: the decoded domain event and the record facts that the
/// as-of cuts and the decision trace need. Personal data stays sealed inside the event.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// Global log position (from 1, gapless, commit order).
    pub position: u64,
    /// The stream, such as `activity-<uuid>`.
    pub stream: String,
    /// Version within the stream.
    pub version: u64,
    /// The event's id, which corrections name.
    pub event_id: Uuid,
    /// The stored type, such as `ActivityApproved`.
    pub event_type: String,
    /// Business time: when it happened.
    pub occurred_at: Timestamp,
    /// Record time: when the log learned it.
    pub recorded_at: Timestamp,
    /// Pseudonymous id of who recorded it.
    pub actor: String,
    /// Their role.
    pub role: String,
    /// Why, where the command gave a reason.
    pub reason: Option<String>,
    /// The hash of the stored record, as lower-case hex.
    pub hash: String,
    /// The decoded event.
    pub event: DomainEvent,
}

/// A stored event's payload with what decoding it needs, as the log holds them: plain data,
/// whichever store it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredPayload<'a> {
    /// The event's log position, which errors name.
    pub position: u64,
    /// The stored type, such as `ActivityApproved`.
    pub event_type: &'a str,
    /// The schema version the payload was stored under.
    pub schema_version: u32,
    /// The payload's JSON text, exactly as stored.
    pub text: &'a str,
    /// Business time: what an older payload shape without a date of its own is upcast with.
    pub occurred_at: Timestamp,
}

impl StoredPayload<'_> {
    /// Decodes the payload with the domain's stored shapes: straight from its text, or, when
    /// that fails, through a parsed [`Value`] as before, so that every error reads the same
    /// whichever way it is found. An event type no aggregate knows is an error naming the
    /// position.
    pub fn decode(&self) -> Result<DomainEvent> {
        let stored_on = stored_on(self.occurred_at);
        if let Some(Ok(event)) = DomainEvent::decode_text(self.event_type, self.schema_version, self.text, stored_on) {
            return Ok(event);
        }
        let payload: Value = serde_json::from_str(self.text).map_err(|error| Error::PayloadNotJson {
            position: self.position,
            event_type: self.event_type.to_owned(),
            detail: error.to_string(),
        })?;
        let event = DomainEvent::decode(self.event_type, self.schema_version, &payload, stored_on)
            .map_err(|source| Error::Decode {
                position: self.position,
                event_type: self.event_type.to_owned(),
                source,
            })?
            .ok_or_else(|| Error::UnknownEventType {
                position: self.position,
                event_type: self.event_type.to_owned(),
            })?;
        Ok(event)
    }
}

/// A payload in a form a stored event's decoder takes: parsed, or as its JSON text.
trait PayloadForm {
    fn decode_as<E: StoredEvent>(
        &self,
        event_type: &str,
        schema_version: u32,
        stored_on: Date,
    ) -> std::result::Result<E, stored::DecodeError>;
}

impl PayloadForm for Value {
    fn decode_as<E: StoredEvent>(
        &self,
        event_type: &str,
        schema_version: u32,
        stored_on: Date,
    ) -> std::result::Result<E, stored::DecodeError> {
        stored::decode::<E>(event_type, schema_version, self, stored_on)
    }
}

impl PayloadForm for str {
    fn decode_as<E: StoredEvent>(
        &self,
        event_type: &str,
        schema_version: u32,
        stored_on: Date,
    ) -> std::result::Result<E, stored::DecodeError> {
        stored::decode_text::<E>(event_type, schema_version, self, stored_on)
    }
}

/// Decodes with the aggregate whose stored types include `event_type`: the one list of
/// aggregates both decodes go through. `None` when no aggregate knows the type.
fn decode_any<P: PayloadForm + ?Sized>(
    event_type: &str,
    schema_version: u32,
    payload: &P,
    stored_on: Date,
) -> Option<std::result::Result<DomainEvent, stored::DecodeError>> {
    fn attempt<E: StoredEvent, P: PayloadForm + ?Sized>(
        event_type: &str,
        schema_version: u32,
        payload: &P,
        stored_on: Date,
        wrap: fn(E) -> DomainEvent,
    ) -> Option<std::result::Result<DomainEvent, stored::DecodeError>> {
        E::EVENT_TYPES
            .iter()
            .any(|(name, _)| *name == event_type)
            .then(|| payload.decode_as::<E>(event_type, schema_version, stored_on).map(wrap))
    }

    attempt(event_type, schema_version, payload, stored_on, DomainEvent::MemberState)
        .or_else(|| attempt(event_type, schema_version, payload, stored_on, DomainEvent::Counterpart))
        .or_else(|| {
            attempt(
                event_type,
                schema_version,
                payload,
                stored_on,
                DomainEvent::Consultation,
            )
        })
        .or_else(|| attempt(event_type, schema_version, payload, stored_on, DomainEvent::Activity))
        .or_else(|| {
            attempt(
                event_type,
                schema_version,
                payload,
                stored_on,
                DomainEvent::WorkProgramme,
            )
        })
        .or_else(|| attempt(event_type, schema_version, payload, stored_on, DomainEvent::Offer))
        .or_else(|| {
            attempt(
                event_type,
                schema_version,
                payload,
                stored_on,
                DomainEvent::InKindContribution,
            )
        })
        .or_else(|| {
            attempt(
                event_type,
                schema_version,
                payload,
                stored_on,
                DomainEvent::ExchangeRate,
            )
        })
        .or_else(|| {
            attempt(
                event_type,
                schema_version,
                payload,
                stored_on,
                DomainEvent::CooperationSource,
            )
        })
        .or_else(|| attempt(event_type, schema_version, payload, stored_on, DomainEvent::Request))
        .or_else(|| {
            attempt(
                event_type,
                schema_version,
                payload,
                stored_on,
                DomainEvent::ProgrammeReview,
            )
        })
        .or_else(|| attempt(event_type, schema_version, payload, stored_on, DomainEvent::Erasure))
        .or_else(|| attempt(event_type, schema_version, payload, stored_on, DomainEvent::Publication))
}

impl smes_domain::OccurredOn for DomainEvent {
    fn occurred_on(&self) -> Option<Date> {
        match self {
            DomainEvent::MemberState(event) => event.occurred_on(),
            DomainEvent::Counterpart(event) => event.occurred_on(),
            DomainEvent::Consultation(event) => event.occurred_on(),
            DomainEvent::Activity(event) => event.occurred_on(),
            DomainEvent::WorkProgramme(event) => event.occurred_on(),
            DomainEvent::Offer(event) => event.occurred_on(),
            DomainEvent::InKindContribution(event) => event.occurred_on(),
            DomainEvent::ExchangeRate(event) => event.occurred_on(),
            DomainEvent::CooperationSource(event) => event.occurred_on(),
            DomainEvent::Request(event) => event.occurred_on(),
            DomainEvent::ProgrammeReview(event) => event.occurred_on(),
            DomainEvent::Erasure(event) => event.occurred_on(),
            DomainEvent::Publication(event) => event.occurred_on(),
        }
    }
}

/// The business date an event that occurred at `occurred_at` was filed under (that instant's
/// day in UTC): what an older payload shape without a date of its own is upcast with.
pub fn stored_on(occurred_at: Timestamp) -> Date {
    jiff::tz::TimeZone::UTC.to_datetime(occurred_at).date()
}

/// Lower-case hex of a hash.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The date a test's stored event was filed under.
    const FILED_ON: Date = jiff::civil::date(2013, 1, 1);

    /// A payload stored at position 7 with the given type and text.
    fn stored<'a>(event_type: &'a str, text: &'a str) -> StoredPayload<'a> {
        StoredPayload {
            position: 7,
            event_type,
            schema_version: 1,
            text,
            occurred_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn stored_payloads_decode_and_unknown_types_name_their_position() {
        let joined = r#"{"code":"VE","name":"Venezuela","joined_on":"1975-10-17","source":"Panama Convention"}"#;
        assert!(matches!(
            stored("MemberStateJoined", joined).decode(),
            Ok(DomainEvent::MemberState(_))
        ));

        let unknown = stored("CometSighted", "{}").decode().unwrap_err();
        assert_eq!(
            unknown,
            Error::UnknownEventType {
                position: 7,
                event_type: "CometSighted".to_owned()
            }
        );
        assert!(unknown.to_string().contains("position 7"));
        let invalid = stored("MemberStateJoined", r#"{"code":"ve"}"#).decode().unwrap_err();
        assert!(matches!(invalid, Error::Decode { position: 7, .. }));
        let not_json = stored("MemberStateJoined", "{").decode().unwrap_err();
        assert!(matches!(not_json, Error::PayloadNotJson { position: 7, .. }));
    }

    #[test]
    fn payloads_are_filed_under_their_day_in_utc() {
        let late: Timestamp = "2013-03-14T23:59:59Z".parse().unwrap();
        assert_eq!(stored_on(late), jiff::civil::date(2013, 3, 14));
        assert_eq!(stored_on(Timestamp::UNIX_EPOCH), jiff::civil::date(1970, 1, 1));
    }

    /// Every aggregate's events decode from their text as through a [`Value`]: here the
    /// publication's, whose events the generated logs do not hold.
    #[test]
    fn a_publication_decodes_from_its_text_as_through_a_value() {
        use smes_domain::ids::PublicationId;
        use smes_domain::publication::{
            PublishedAnchor, PublishedCut, PublishedFile, PublishedFilter, PublishedSnapshot, SnapshotPublished,
        };
        use smes_domain::values::WorkProgrammeYear;

        let event = DomainEvent::Publication(PublicationEvent::SnapshotPublished(SnapshotPublished {
            snapshot: PublishedSnapshot {
                publication: PublicationId::new(Uuid::from_u128(0x9b)).unwrap(),
                year: WorkProgrammeYear::new(2013).unwrap(),
                cut: PublishedCut {
                    as_of: Some(jiff::civil::date(2013, 6, 30)),
                    known_at: None,
                    at_position: 101,
                },
                filter: PublishedFilter::default(),
                anchor: PublishedAnchor {
                    log_position: 101,
                    head_hash: "ab".repeat(32),
                    tree_size: 101,
                    tree_root: "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=".to_owned(),
                },
                files: vec![PublishedFile {
                    format: "md".to_owned(),
                    sha256: "01".repeat(32),
                }],
                title: "Work programme 2013".to_owned(),
                note: None,
                published_on: jiff::civil::date(2013, 7, 1),
            },
        }));
        let (event_type, schema_version, payload) = event.encode();
        let text = payload.to_string();
        assert_eq!(
            DomainEvent::decode(event_type, schema_version, &payload, FILED_ON).unwrap(),
            Some(event.clone())
        );
        assert_eq!(
            DomainEvent::decode_text(event_type, schema_version, &text, FILED_ON),
            Some(Ok(event))
        );
    }

    #[test]
    fn payloads_decoded_from_their_text_fail_as_through_a_value() {
        assert_eq!(DomainEvent::decode_text("NoSuchEvent", 1, "{}", FILED_ON), None);
        // A failure found from the text is reported as the parsed value's decode reports it.
        for (event_type, payload) in [
            ("MemberStateJoined", r#"{"code":"ve"}"#),
            (
                "MemberStateJoined",
                r#"{"code":"VE","name":"Venezuela","joined_on":"1975-10-17","source":"x","extra":1}"#,
            ),
        ] {
            assert!(matches!(
                DomainEvent::decode_text(event_type, 1, payload, FILED_ON),
                Some(Err(_))
            ));
            let value: Value = serde_json::from_str(payload).unwrap();
            let expected = DomainEvent::decode(event_type, 1, &value, FILED_ON).unwrap_err();
            let found = stored(event_type, payload).decode().unwrap_err();
            assert_eq!(
                found,
                Error::Decode {
                    position: 7,
                    event_type: event_type.to_owned(),
                    source: expected
                }
            );
        }
    }

    #[test]
    fn hex_is_lower_case_and_two_digits_per_byte() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn unknown_types_decode_to_none_and_bad_payloads_to_errors() {
        assert_eq!(DomainEvent::decode("NoSuchEvent", 1, &Value::Null, FILED_ON), Ok(None));
        assert!(DomainEvent::decode("ActivityApproved", 1, &Value::Null, FILED_ON).is_err());
    }
}
