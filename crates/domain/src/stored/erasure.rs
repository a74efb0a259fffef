//! Stored shapes of the erasure aggregate.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::stored_events;
use super::twin::{Twin, twin_struct};
use crate::erasure::{ErasureEvent, ForgottenRole, PersonalDataForgotten};
use crate::ids::PersonId;

impl Twin<ForgottenRole> for ForgottenRole {
    fn twin(self) -> ForgottenRole {
        self
    }
}

/// `PersonalDataForgotten` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonalDataForgottenV1 {
    person: PersonId,
    role: ForgottenRole,
    reason: String,
    forgotten_on: Date,
}

twin_struct!(PersonalDataForgotten => PersonalDataForgottenV1 { person, role, reason, forgotten_on });

stored_events!("erasure", ErasureEvent {
    Forgotten => "PersonalDataForgotten" v 1 PersonalDataForgottenV1,
});
