//! Typed identifiers: one newtype over a UUID per kind of record, so an activity id can never be
//! passed where a counterpart id is expected.
//!
//! Ids are made outside the domain (the app's id source) and reach deciders through commands.
//! The nil UUID is refused because it usually means "forgot to set the id".

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident, $label:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "Uuid", into = "Uuid")]
        pub struct $name(Uuid);

        impl $name {
            /// What this id names, as used in error messages and stream names.
            pub const LABEL: &'static str = $label;

            /// Wraps a UUID, refusing the nil UUID.
            pub fn new(uuid: Uuid) -> Result<Self, DomainError> {
                if uuid.is_nil() {
                    return Err(DomainError::NilId { kind: Self::LABEL });
                }
                Ok(Self(uuid))
            }

            /// The UUID inside.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl TryFrom<Uuid> for $name {
            type Error = DomainError;

            fn try_from(uuid: Uuid) -> Result<Self, DomainError> {
                Self::new(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), formatter)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;

            fn from_str(text: &str) -> Result<Self, DomainError> {
                let uuid = Uuid::parse_str(text).map_err(|error| DomainError::InvalidValue {
                    field: Self::LABEL,
                    value: text.to_owned(),
                    reason: error.to_string(),
                })?;
                Self::new(uuid)
            }
        }
    };
}

typed_id!(
    /// A counterpart: a national public or private body, or a regional or international one,
    /// registered as a partner of the programme.
    CounterpartId,
    "counterpart"
);
typed_id!(
    /// A consultation with counterparts.
    ConsultationId,
    "consultation"
);
typed_id!(
    /// A need identified in a consultation.
    NeedId,
    "need"
);
typed_id!(
    /// An activity (seminar, workshop, mission, ...).
    ActivityId,
    "activity"
);
typed_id!(
    /// A cooperation source (development bank, UN agency, country cooperation programme, ...).
    CooperationSourceId,
    "cooperation-source"
);
typed_id!(
    /// A cooperation offer of money, expertise or in-kind support.
    OfferId,
    "offer"
);
typed_id!(
    /// A commitment of money from an offer to an activity.
    CommitmentId,
    "commitment"
);
typed_id!(
    /// A national or subregional request for support.
    RequestId,
    "request"
);
typed_id!(
    /// A request for assistance made by the Secretariat to a cooperation source.
    AssistanceRequestId,
    "assistance-request"
);
typed_id!(
    /// A programme review.
    ReviewId,
    "review"
);
typed_id!(
    /// A person whose personal data is kept sealed (focal points, actors).
    PersonId,
    "person"
);
typed_id!(
    /// A results indicator defined for an activity.
    IndicatorId,
    "indicator"
);
typed_id!(
    /// An event already in the log, named by corrections. The event store assigns it.
    EventId,
    "event"
);
typed_id!(
    /// A publication: a work-programme snapshot the Secretariat made public.
    PublicationId,
    "publication"
);
typed_id!(
    /// An in-kind contribution valued for an activity.
    ContributionId,
    "in-kind-contribution"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nil_uuid_is_refused() {
        assert_eq!(
            ActivityId::new(Uuid::nil()),
            Err(DomainError::NilId { kind: "activity" })
        );
    }

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = CounterpartId::new(Uuid::from_u128(7)).unwrap();
        assert_eq!(id.to_string().parse::<CounterpartId>(), Ok(id));
        let json = serde_json::to_value(id).unwrap();
        assert_eq!(json, serde_json::json!("00000000-0000-0000-0000-000000000007"));
        assert_eq!(serde_json::from_value::<CounterpartId>(json).unwrap(), id);
        assert!(serde_json::from_value::<CounterpartId>(serde_json::json!(Uuid::nil())).is_err());
    }

    #[test]
    fn parsing_names_the_kind_of_id() {
        let error = "not-a-uuid".parse::<NeedId>().unwrap_err();
        assert!(matches!(error, DomainError::InvalidValue { field: "need", .. }));
    }
}
