//! Decisions that approve things, and corrections that amend recorded facts.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::require_text;
use crate::error::DomainError;
use crate::ids::EventId;

/// Who approved: the Latin American Council by a numbered Decision, or the Permanent
/// Secretariat within its own authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "body", rename_all = "kebab-case")]
pub enum ApprovingBody {
    /// The Latin American Council, SELA's supreme body.
    LatinAmericanCouncil {
        /// The Decision's number, such as `N° 540`.
        decision_number: String,
    },
    PermanentSecretariat,
}

/// A numbered act that approves, with the document it is recorded in and its rationale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The body that decided.
    pub body: ApprovingBody,
    /// The document reference, such as `SP/CL/XXXVIII.O/DT N° 10`.
    pub reference: String,
    /// Why it was decided.
    pub rationale: String,
    /// The business date of the decision.
    pub decided_on: Date,
}

impl Decision {
    /// Checks that the reference, the rationale and any Decision number are filled in.
    pub fn validate(&self) -> Result<(), DomainError> {
        if let ApprovingBody::LatinAmericanCouncil { decision_number } = &self.body {
            require_text("decision number", decision_number)?;
        }
        require_text("decision reference", &self.reference)?;
        require_text("decision rationale", &self.rationale)
    }
}

/// What a correcting event amends: nothing in the log is edited, so a correction names the
/// event it corrects, why, and the business date from which the corrected facts hold.
///
/// The event id comes from the store's envelope; the app checks that it names an event of the
/// same stream before calling the decider, which cannot see envelopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// The event being corrected.
    pub corrects: EventId,
    /// Why the earlier record was wrong.
    pub reason: String,
    /// From which business date the corrected facts apply.
    pub effective_from: Date,
}

impl Correction {
    /// Checks that a reason is given.
    pub fn validate(&self) -> Result<(), DomainError> {
        require_text("correction reason", &self.reason)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use uuid::Uuid;

    use super::*;

    #[test]
    fn council_decisions_need_a_number_reference_and_rationale() {
        let mut decision = Decision {
            body: ApprovingBody::LatinAmericanCouncil {
                decision_number: "N° 540".to_owned(),
            },
            reference: "SP/CL/XXXVIII.O/DT N° 10".to_owned(),
            rationale: "answers needs raised in the 2012 consultation".to_owned(),
            decided_on: date(2012, 10, 19),
        };
        assert_eq!(decision.validate(), Ok(()));
        decision.body = ApprovingBody::LatinAmericanCouncil {
            decision_number: String::new(),
        };
        assert_eq!(
            decision.validate(),
            Err(DomainError::EmptyField {
                field: "decision number"
            })
        );
        decision.body = ApprovingBody::PermanentSecretariat;
        decision.rationale = " ".to_owned();
        assert_eq!(
            decision.validate(),
            Err(DomainError::EmptyField {
                field: "decision rationale"
            })
        );
    }

    #[test]
    fn corrections_need_a_reason() {
        let correction = Correction {
            corrects: EventId::new(Uuid::from_u128(1)).unwrap(),
            reason: String::new(),
            effective_from: date(2013, 1, 1),
        };
        assert_eq!(
            correction.validate(),
            Err(DomainError::EmptyField {
                field: "correction reason"
            })
        );
    }
}
