//! Stored event shapes: what the log holds, separate from the domain's event types.
//!
//! Every domain event has a stored name (its past-tense type, such as `CounterpartJoined`), a
//! schema version, and a payload struct of its own (`CounterpartJoinedV1`) that is the only
//! thing serialised. Domain events can then change shape without breaking the log: a new shape
//! gets a new payload struct and version, and `decode` keeps reading the old version by parsing
//! its struct and *upcasting* it (filling or deriving the new fields) before turning it into
//! the domain event. Old payloads are never rewritten.
//!
//! When an event changes shape, its entry in the aggregate's `stored_events!` list moves to the
//! next version with a new `...V2` payload struct and names the older one
//! (`NeedIdentified => "NeedIdentified" v 2 NeedIdentifiedV2 [upcast 1 NeedIdentifiedV1],`);
//! `NeedIdentifiedV2` implements [`Upcast`]`<NeedIdentifiedV1>` (the upcaster), so both
//! versions reach the same domain event. The `...V1` struct then stays, unchanged, for as long
//! as a log may hold such events. An upcaster is given the business date the old event was
//! stored with, so a shape that gains a date of its own (the five events of version 2 today:
//! `NeedIdentified`, `AchievementsEvaluated`, `ActivityRescheduled`, `IndicatorDefined`,
//! `RequestLinked`) reads the date it has always been filed under. This is the one upcasting
//! path of the programme's events (docs/eventlog.md, "Upcasting").
//!
//! Payload fields reuse the crate's value types (ids, codes, slugs, [`crate::values::Money`],
//! [`crate::values::Period`], ...), whose serde forms are frozen and validated on the way in,
//! so decoding a payload re-checks every value. Payload structs also refuse unknown fields, so
//! a payload that does not match its declared type and version is reported, not half read.

use jiff::civil::Date;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

mod activity;
mod consultation;
mod cooperation;
mod counterpart;
mod erasure;
mod funding;
mod member_state;
mod publication;
mod twin;
mod work_programme;

/// One event as the log stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedEvent {
    /// The stored name, such as `ActivityApproved`.
    pub event_type: &'static str,
    /// The payload's schema version.
    pub schema_version: u32,
    /// The payload, as JSON.
    pub payload: Value,
}

/// Why a stored event could not be turned back into a domain event.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// No event of this aggregate has that stored name.
    #[error("unknown {aggregate} event type {event_type:?}")]
    UnknownEventType {
        /// The aggregate whose events were being decoded.
        aggregate: &'static str,
        /// The stored name found.
        event_type: String,
    },
    /// The stored name is known but not this schema version.
    #[error("{event_type} has no schema version {schema_version} (known: 1 to {latest})")]
    UnsupportedSchemaVersion {
        /// The stored name.
        event_type: &'static str,
        /// The version found.
        schema_version: u32,
        /// The latest version this build reads.
        latest: u32,
    },
    /// The payload does not match its declared type and version.
    #[error("{event_type} v{schema_version} payload is invalid: {reason}")]
    InvalidPayload {
        /// The stored name.
        event_type: &'static str,
        /// The version.
        schema_version: u32,
        /// What serde reported.
        reason: String,
    },
}

/// A domain event type that has stored shapes.
pub trait StoredEvent: Sized {
    /// The aggregate, for error messages.
    const AGGREGATE: &'static str;
    /// Every stored name with its latest schema version: the event catalogue.
    const EVENT_TYPES: &'static [(&'static str, u32)];

    /// Turns a domain event into its latest stored shape.
    fn encode(&self) -> EncodedEvent;

    /// Reads a stored event of any known version back into a domain event. `stored_on` is the
    /// business date the event was stored with (its record's `occurred_at`): an older shape that
    /// lacked a date of its own is upcast with it.
    fn decode(event_type: &str, schema_version: u32, payload: &Value, stored_on: Date) -> Result<Self, DecodeError>;

    /// [`StoredEvent::decode`] straight from the payload's JSON text, without building a
    /// [`Value`] first. Gives the same event wherever `decode` of the parsed text succeeds; its
    /// errors may word serde's reason differently (they name a line and column), so callers
    /// that report errors decode through [`StoredEvent::decode`] again when this fails.
    fn decode_text(event_type: &str, schema_version: u32, payload: &str, stored_on: Date) -> Result<Self, DecodeError>;
}

/// Encodes a domain event: its stored name, schema version and JSON payload.
pub fn encode<E: StoredEvent>(event: &E) -> (&'static str, u32, Value) {
    let encoded = event.encode();
    (encoded.event_type, encoded.schema_version, encoded.payload)
}

/// Decodes a stored event into a domain event of type `E` from its payload's JSON text; see
/// [`StoredEvent::decode_text`].
pub fn decode_text<E: StoredEvent>(
    event_type: &str,
    schema_version: u32,
    payload: &str,
    stored_on: Date,
) -> Result<E, DecodeError> {
    E::decode_text(event_type, schema_version, payload, stored_on)
}

/// Decodes a stored event into a domain event of type `E`.
pub fn decode<E: StoredEvent>(
    event_type: &str,
    schema_version: u32,
    payload: &Value,
    stored_on: Date,
) -> Result<E, DecodeError> {
    E::decode(event_type, schema_version, payload, stored_on)
}

/// Turns an older payload shape into a newer one (an upcaster). `stored_on` is the business date
/// the older event was stored with, for shapes that gain a date of their own.
pub(crate) trait Upcast<Old> {
    /// The conversion.
    fn upcast(old: Old, stored_on: Date) -> Self;
}

fn to_payload<P: Serialize>(payload: &P) -> Value {
    // Payload structs hold only strings, numbers, booleans, lists and structs of them, which
    // serde_json always serialises.
    serde_json::to_value(payload).expect("stored payloads always serialise to JSON")
}

fn from_payload<P: DeserializeOwned>(
    event_type: &'static str,
    schema_version: u32,
    payload: &Value,
) -> Result<P, DecodeError> {
    P::deserialize(payload).map_err(|error| DecodeError::InvalidPayload {
        event_type,
        schema_version,
        reason: error.to_string(),
    })
}

fn from_payload_text<P: DeserializeOwned>(
    event_type: &'static str,
    schema_version: u32,
    payload: &str,
) -> Result<P, DecodeError> {
    serde_json::from_str(payload).map_err(|error| DecodeError::InvalidPayload {
        event_type,
        schema_version,
        reason: error.to_string(),
    })
}

fn require_version(event_type: &'static str, schema_version: u32, latest: u32) -> Result<(), DecodeError> {
    if schema_version != latest {
        return Err(DecodeError::UnsupportedSchemaVersion {
            event_type,
            schema_version,
            latest,
        });
    }
    Ok(())
}

/// Implements [`StoredEvent`] for an aggregate's event enum whose variants each wrap one event
/// struct, given each variant's stored name, latest version and payload struct, and for a shape
/// that changed, each older version with its payload struct (`upcast 1 NeedIdentifiedV1`), which
/// the latest payload struct turns into its own shape through [`Upcast`].
macro_rules! stored_events {
    ($aggregate:literal, $event:ty { $($variant:ident => $name:literal v $version:literal $payload:ty
        $([upcast $old_version:literal $old_payload:ty])* ,)+ }) => {
        impl $crate::stored::StoredEvent for $event {
            const AGGREGATE: &'static str = $aggregate;
            const EVENT_TYPES: &'static [(&'static str, u32)] = &[$(($name, $version),)+];

            fn encode(&self) -> $crate::stored::EncodedEvent {
                match self {
                    $(
                        Self::$variant(event) => $crate::stored::EncodedEvent {
                            event_type: $name,
                            schema_version: $version,
                            payload: $crate::stored::to_payload(&<$payload>::from(event)),
                        },
                    )+
                }
            }

            fn decode(
                event_type: &str,
                schema_version: u32,
                payload: &serde_json::Value,
                stored_on: jiff::civil::Date,
            ) -> Result<Self, $crate::stored::DecodeError> {
                // Only an aggregate with an upcast shape reads the date.
                let _ = stored_on;
                match event_type {
                    $(
                        $name => {
                            $(
                                if schema_version == $old_version {
                                    let old: $old_payload =
                                        $crate::stored::from_payload($name, schema_version, payload)?;
                                    let payload = <$payload as $crate::stored::Upcast<$old_payload>>::upcast(old, stored_on);
                                    return Ok(Self::$variant(payload.into()));
                                }
                            )*
                            $crate::stored::require_version($name, schema_version, $version)?;
                            let payload: $payload =
                                $crate::stored::from_payload($name, schema_version, payload)?;
                            Ok(Self::$variant(payload.into()))
                        }
                    )+
                    _ => Err($crate::stored::DecodeError::UnknownEventType {
                        aggregate: $aggregate,
                        event_type: event_type.to_owned(),
                    }),
                }
            }

            fn decode_text(
                event_type: &str,
                schema_version: u32,
                payload: &str,
                stored_on: jiff::civil::Date,
            ) -> Result<Self, $crate::stored::DecodeError> {
                // Only an aggregate with an upcast shape reads the date.
                let _ = stored_on;
                match event_type {
                    $(
                        $name => {
                            $(
                                if schema_version == $old_version {
                                    let old: $old_payload =
                                        $crate::stored::from_payload_text($name, schema_version, payload)?;
                                    let payload = <$payload as $crate::stored::Upcast<$old_payload>>::upcast(old, stored_on);
                                    return Ok(Self::$variant(payload.into()));
                                }
                            )*
                            $crate::stored::require_version($name, schema_version, $version)?;
                            let payload: $payload =
                                $crate::stored::from_payload_text($name, schema_version, payload)?;
                            Ok(Self::$variant(payload.into()))
                        }
                    )+
                    _ => Err($crate::stored::DecodeError::UnknownEventType {
                        aggregate: $aggregate,
                        event_type: event_type.to_owned(),
                    }),
                }
            }
        }
    };
}
use stored_events;

/// Every stored event type of every aggregate, with its schema version, for the event
/// catalogue.
pub fn catalogue() -> Vec<(&'static str, &'static str, u32)> {
    use crate::activity::ActivityEvent;
    use crate::consultation::ConsultationEvent;
    use crate::cooperation_source::CooperationSourceEvent;
    use crate::counterpart::CounterpartEvent;
    use crate::erasure::ErasureEvent;
    use crate::funding::{ExchangeRateEvent, InKindContributionEvent, OfferEvent};
    use crate::member_state::MemberStateEvent;
    use crate::programme_review::ProgrammeReviewEvent;
    use crate::publication::PublicationEvent;
    use crate::request::RequestEvent;
    use crate::work_programme::WorkProgrammeEvent;

    fn of<E: StoredEvent>() -> impl Iterator<Item = (&'static str, &'static str, u32)> {
        E::EVENT_TYPES
            .iter()
            .map(|(name, version)| (E::AGGREGATE, *name, *version))
    }

    of::<MemberStateEvent>()
        .chain(of::<CounterpartEvent>())
        .chain(of::<ConsultationEvent>())
        .chain(of::<ActivityEvent>())
        .chain(of::<WorkProgrammeEvent>())
        .chain(of::<OfferEvent>())
        .chain(of::<InKindContributionEvent>())
        .chain(of::<ExchangeRateEvent>())
        .chain(of::<CooperationSourceEvent>())
        .chain(of::<RequestEvent>())
        .chain(of::<ProgrammeReviewEvent>())
        .chain(of::<ErasureEvent>())
        .chain(of::<PublicationEvent>())
        .collect()
}

#[cfg(test)]
mod tests;
