//! The erasure aggregate: a person's personal data forgotten (`erasure-<person uuid>`).
//!
//! Forgetting is done at the app's edge by destroying the person's key (crypto-shredding); this
//! aggregate records that it was done, by whom (the event's metadata) and why, so that the
//! record shows the erasure as plainly as everything else. A person is forgotten once.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::{CounterpartId, PersonId};
use crate::values::require_text;

/// Whose data a forgotten person's key sealed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "as", rename_all = "kebab-case")]
pub enum ForgottenRole {
    /// A counterpart's focal point (name and contact details).
    FocalPoint {
        /// The counterpart the person represented.
        counterpart: CounterpartId,
    },
    /// An actor who recorded commands (the name behind the pseudonymous id).
    Actor {
        /// The pseudonymous actor id, `actor-<uuid>`.
        actor: String,
    },
}

/// Records that a person's personal data was forgotten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgetPerson {
    pub person: PersonId,
    /// What their data was.
    pub role: ForgottenRole,
    /// Why (a request by the person, the end of a retention period, ...).
    pub reason: String,
    /// When.
    pub forgotten_on: Date,
}

/// Commands of the erasure aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErasureCommand {
    /// See [`ForgetPerson`].
    Forget(ForgetPerson),
}

/// A person's personal data was forgotten: their key is destroyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalDataForgotten {
    pub person: PersonId,
    /// What their data was.
    pub role: ForgottenRole,
    /// Why.
    pub reason: String,
    /// When.
    pub forgotten_on: Date,
}

/// Events of the erasure aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErasureEvent {
    /// See [`PersonalDataForgotten`].
    Forgotten(PersonalDataForgotten),
}

/// The folded state of one erasure stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Erasure {
    /// When the person was forgotten, once they were.
    pub forgotten_on: Option<Date>,
}

#[derive(Debug, Clone, Copy)]
pub struct ErasureDecider;

impl Decider for ErasureDecider {
    type Id = PersonId;
    type State = Erasure;
    type Command = ErasureCommand;
    type Event = ErasureEvent;

    const STREAM_PREFIX: &'static str = "erasure";

    fn target(command: &ErasureCommand) -> PersonId {
        match command {
            ErasureCommand::Forget(forget) => forget.person,
        }
    }

    fn decide(state: &Erasure, command: &ErasureCommand) -> Result<Vec<ErasureEvent>> {
        match command {
            ErasureCommand::Forget(forget) => {
                if let Some(forgotten_on) = state.forgotten_on {
                    return Err(DomainError::PersonAlreadyForgotten {
                        person: forget.person,
                        forgotten_on,
                    });
                }
                require_text("reason for forgetting", &forget.reason)?;
                if let ForgottenRole::Actor { actor } = &forget.role
                    && !actor.starts_with("actor-")
                {
                    return Err(DomainError::InvalidValue {
                        field: "actor",
                        value: actor.clone(),
                        reason: "an actor id has the form actor-<uuid>".to_owned(),
                    });
                }
                Ok(vec![ErasureEvent::Forgotten(PersonalDataForgotten {
                    person: forget.person,
                    role: forget.role.clone(),
                    reason: forget.reason.clone(),
                    forgotten_on: forget.forgotten_on,
                })])
            }
        }
    }

    fn evolve(state: Erasure, event: &ErasureEvent) -> Erasure {
        match event {
            ErasureEvent::Forgotten(forgotten) => Erasure {
                forgotten_on: state.forgotten_on.or(Some(forgotten.forgotten_on)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use uuid::Uuid;

    use super::*;
    use crate::testing::DeciderTesting;

    fn person() -> PersonId {
        PersonId::new(Uuid::from_u128(7)).unwrap()
    }

    fn forget(reason: &str) -> ErasureCommand {
        ErasureCommand::Forget(ForgetPerson {
            person: person(),
            role: ForgottenRole::FocalPoint {
                counterpart: CounterpartId::new(Uuid::from_u128(3)).unwrap(),
            },
            reason: reason.to_owned(),
            forgotten_on: date(2014, 2, 1),
        })
    }

    fn forgotten() -> ErasureEvent {
        ErasureEvent::Forgotten(PersonalDataForgotten {
            person: person(),
            role: ForgottenRole::FocalPoint {
                counterpart: CounterpartId::new(Uuid::from_u128(3)).unwrap(),
            },
            reason: "asked by the person".to_owned(),
            forgotten_on: date(2014, 2, 1),
        })
    }

    #[test]
    fn a_person_is_forgotten_once_and_with_a_reason() {
        ErasureDecider::given([])
            .when(forget("asked by the person"))
            .then([forgotten()]);
        ErasureDecider::given([forgotten()])
            .when(forget("again"))
            .then_error(DomainError::PersonAlreadyForgotten {
                person: person(),
                forgotten_on: date(2014, 2, 1),
            });
        ErasureDecider::given([])
            .when(forget("  "))
            .then_error(DomainError::EmptyField {
                field: "reason for forgetting",
            });
    }

    #[test]
    fn an_actor_is_named_by_a_pseudonymous_id() {
        let command = ErasureCommand::Forget(ForgetPerson {
            person: person(),
            role: ForgottenRole::Actor {
                actor: "Luis Pérez".to_owned(),
            },
            reason: "asked by the person".to_owned(),
            forgotten_on: date(2014, 2, 1),
        });
        ErasureDecider::given([])
            .when(command)
            .then_error(DomainError::InvalidValue {
                field: "actor",
                value: "Luis Pérez".to_owned(),
                reason: "an actor id has the form actor-<uuid>".to_owned(),
            });
    }
}
