//! Field-by-field conversion between domain event structs and their stored payload twins.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::ids::*;
use crate::personal_data::SealedPersonalData;
use crate::values::*;

/// Converts a value into its counterpart on the other side (domain to stored or back).
pub(super) trait Twin<T> {
    /// The conversion.
    fn twin(self) -> T;
}

impl<A: Twin<B>, B> Twin<Vec<B>> for Vec<A> {
    fn twin(self) -> Vec<B> {
        self.into_iter().map(Twin::twin).collect()
    }
}

impl<A: Twin<B>, B> Twin<Option<B>> for Option<A> {
    fn twin(self) -> Option<B> {
        self.map(Twin::twin)
    }
}

/// Value types whose frozen serde form is used as is in payloads.
macro_rules! same_shape {
    ($($type:ty),+ $(,)?) => {
        $(
            impl Twin<$type> for $type {
                fn twin(self) -> $type {
                    self
                }
            }
        )+
    };
}

same_shape!(
    String,
    bool,
    u8,
    u32,
    Decimal,
    Date,
    ActivityId,
    AssistanceRequestId,
    CommitmentId,
    ConsultationId,
    ContributionId,
    CooperationSourceId,
    CounterpartId,
    EventId,
    IndicatorId,
    NeedId,
    OfferId,
    PersonId,
    RequestId,
    ReviewId,
    PublicationId,
    MemberStateCode,
    Currency,
    ThematicArea,
    ActivityKind,
    Priority,
    Sex,
    CounterpartKind,
    CooperationSourceKind,
    OfferKind,
    OutputKind,
    AssistanceAnswer,
    Money,
    ExchangeRate,
    Period,
    WorkProgrammeYear,
    Decision,
    Correction,
    SealedPersonalData,
);

/// Implements both directions of [`Twin`] between a domain struct and a payload struct with the
/// same field names.
macro_rules! twin_struct {
    ($domain:ty => $stored:ty { $($field:ident),+ $(,)? }) => {
        impl From<&$domain> for $stored {
            fn from(domain: &$domain) -> Self {
                use $crate::stored::twin::Twin;
                Self { $($field: domain.$field.clone().twin(),)+ }
            }
        }

        impl From<$stored> for $domain {
            fn from(stored: $stored) -> Self {
                use $crate::stored::twin::Twin;
                Self { $($field: stored.$field.twin(),)+ }
            }
        }

        impl $crate::stored::twin::Twin<$stored> for $domain {
            fn twin(self) -> $stored {
                <$stored>::from(&self)
            }
        }

        impl $crate::stored::twin::Twin<$domain> for $stored {
            fn twin(self) -> $domain {
                <$domain>::from(self)
            }
        }
    };
}
pub(super) use twin_struct;
