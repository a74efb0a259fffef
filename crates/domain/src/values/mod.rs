//! Value types: small, validated, immutable facts with stable text forms.
//!
//! Each type validates in its constructor and again when deserialised, so a value that exists
//! is a valid one. Their serde forms (codes, slugs, ISO dates, decimal strings) are part of the
//! stored event shapes and therefore frozen: change them only with a new schema version.

mod checks;
pub mod code_lists;
mod codes;
mod decision;
mod kinds;
mod money;
mod period;

pub use checks::{is_refused_control, refuse_control_characters, require_distinct, require_non_empty, require_text};
pub use codes::{Currency, MemberStateCode};
pub use decision::{ApprovingBody, Correction, Decision};
pub use kinds::closed_lists;
pub use kinds::{
    ActivityKind, AssistanceAnswer, CooperationSourceKind, CounterpartKind, OfferKind, OutputKind, Priority, Sex,
    ThematicArea,
};
pub use money::{ExchangeRate, Money};
pub use period::{Period, WorkProgrammeYear};
