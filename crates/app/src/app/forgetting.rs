//! Forgetting a person: the erasure recorded in the log, then the person's key destroyed.

use jiff::civil::Date;
use smes_domain::counterpart::CounterpartDecider;
use smes_domain::erasure::{ErasureCommand, ErasureDecider, ForgetPerson, ForgottenRole};
use smes_domain::error::DomainError;
use smes_domain::ids::{CounterpartId, PersonId};

use super::App;
use crate::error::{Error, Result};
use crate::service::{CommandContext, Executed};

/// Whose personal data to forget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForgetSubject {
    /// The person who is (or was) a counterpart's focal point; the counterpart is found from the
    /// log when not given.
    FocalPoint {
        /// The person.
        person: PersonId,
        /// The counterpart they represent, if known.
        counterpart: Option<CounterpartId>,
    },
    /// The person behind a pseudonymous actor id.
    Actor {
        /// The actor id, `actor-<uuid>`.
        actor: String,
    },
}

impl App {
    /// Forgets a person: records `PersonalDataForgotten` (who and why, in the metadata and the
    /// payload), then destroys the person's key, after which every envelope sealed with it reads
    /// as erased while the log still verifies. A person already forgotten is refused with
    /// [`DomainError::PersonAlreadyForgotten`], but their key is destroyed all the same, so that
    /// an erasure interrupted after its event was recorded is completed by running it again.
    pub async fn forget(
        &self,
        context: &CommandContext,
        subject: &ForgetSubject,
        reason: &str,
        forgotten_on: Date,
    ) -> Result<Executed> {
        let (person, role) = match subject {
            ForgetSubject::FocalPoint { person, counterpart } => {
                let counterpart = match counterpart {
                    Some(counterpart) => *counterpart,
                    None => self.counterpart_of_focal_point(*person).await?,
                };
                (*person, ForgottenRole::FocalPoint { counterpart })
            }
            ForgetSubject::Actor { actor } => {
                let sealed = self.sealer().keys().actor(actor).await?.ok_or_else(|| {
                    Error::InvalidCommand(format!("actor {actor} is not registered (see `smes actor register`)"))
                })?;
                (sealed.person(), ForgottenRole::Actor { actor: actor.clone() })
            }
        };
        let command = ErasureCommand::Forget(ForgetPerson {
            person,
            role,
            reason: reason.to_owned(),
            forgotten_on,
        });
        let mut context = context.clone();
        context.business_date = Some(forgotten_on);
        if context.reason.is_none() {
            context.reason = Some(reason.to_owned());
        }
        let executed = self.service().execute::<ErasureDecider>(&context, &command).await;
        if matches!(
            executed,
            Ok(_) | Err(Error::Domain(DomainError::PersonAlreadyForgotten { .. }))
        ) {
            self.sealer().keys().forget(person).await?;
        }
        executed
    }

    /// The counterpart whose current focal point `person` is, from the counterparts in the log.
    async fn counterpart_of_focal_point(&self, person: PersonId) -> Result<CounterpartId> {
        let counterparts = self.fold_prefix::<CounterpartDecider>().await?;
        counterparts
            .values()
            .filter_map(|counterpart| counterpart.record.as_ref())
            .find(|record| record.focal_point.person() == person)
            .map(|record| record.counterpart)
            .ok_or_else(|| {
                Error::InvalidCommand(format!(
                    "person {person} is not the focal point of any counterpart; name the counterpart with --counterpart"
                ))
            })
    }
}
