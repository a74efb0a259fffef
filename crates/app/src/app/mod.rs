//! [`App`]: turns the callers' commands into domain commands (sealing personal data and
//! gathering look-ups from the log) and runs them through the [`CommandService`].

mod codes;
mod dispatch;
mod forgetting;
mod lookups;
mod references;

pub use forgetting::ForgetSubject;

use std::sync::{Arc, Mutex};

use smes_domain::ids::PersonId;
use smes_domain::membership::MembershipHistory;
use smes_domain::personal_data::SealedPersonalData;
use smes_domain::values::MemberStateCode;
use smes_domain::{Decider, DomainError};
use smes_eventlog::RecordedEvent;

use crate::command_digest::command_digest;
use crate::commands::{AppCommand, FocalPoint};
use crate::error::{Error, Result};
use crate::personal_data::{PersonalData, Sealer};
use crate::service::{CommandContext, CommandService, Executed};

/// The write side: the command service with personal-data sealing and look-ups.
#[derive(Debug, Clone)]
pub struct App {
    service: CommandService,
    sealer: Arc<Sealer>,
}

impl App {
    /// An app over a command service and a sealer.
    pub fn new(service: CommandService, sealer: Arc<Sealer>) -> Self {
        App { service, sealer }
    }

    /// The command service.
    pub fn service(&self) -> &CommandService {
        &self.service
    }

    /// The business date of a fact whose command may leave it out: the date given, else the
    /// caller's business date for the command, else the day it is recorded.
    fn dated(&self, context: &CommandContext, given: Option<jiff::civil::Date>) -> jiff::civil::Date {
        given.or(context.business_date).unwrap_or_else(|| self.service.today())
    }

    /// The sealer (and through it the key store).
    pub fn sealer(&self) -> &Arc<Sealer> {
        &self.sealer
    }

    /// Runs one command: binds its command id to the command's digest, seals its personal
    /// data, gathers its look-ups, decides and appends.
    ///
    /// A command id already recorded for this very command answers with the first outcome, for
    /// a command that seals personal data before anything is sealed, so a retry creates no
    /// key; one recorded for another command is refused
    /// ([`crate::Error::CommandIdUsedForAnotherCommand`]). A key made for a new person
    /// whose command then writes nothing (refused, or found to be a retry) is deleted again.
    pub async fn run(&self, context: &CommandContext, command: &AppCommand) -> Result<Executed> {
        let context = context.clone().with_command_digest(command_digest(command));
        // Only a command that seals personal data needs the look-up before it is prepared (it
        // would make a key); for the others the store answers a recorded id at the append, and
        // the service when deciding again fails, with no read on the common path.
        if seals_personal_data(command)
            && let Some(executed) = self.service.recorded(&context).await?
        {
            return Ok(executed);
        }
        self.check_references(&context, command).await?;
        codes::check_currencies(command)?;
        let new_people = NewPeople::default();
        let result = self.dispatch(&context, command, &new_people).await;
        let written = matches!(&result, Ok(executed) if !executed.already_applied && !executed.event_types.is_empty());
        if !written {
            let discarded = self.discard_keys(new_people).await;
            // The command's own error says more than a failure to tidy up after it.
            if result.is_ok() {
                discarded?;
            }
        }
        result
    }

    /// Deletes the keys made for the new people of a command that wrote nothing: nobody else
    /// knows these people, so no envelope of theirs can be in the log.
    async fn discard_keys(&self, new_people: NewPeople) -> Result<()> {
        for (person, key_id) in new_people.into_keys() {
            self.sealer.keys().discard_unused_key(person, &key_id, None).await?;
        }
        Ok(())
    }

    /// Executes a command that names Member States to check, with the membership history of
    /// those states only (`App::membership_history_of`, none read when it names none). A
    /// refusal on membership is decided again with the whole history, so that its message
    /// lists the Member States on the day and a log without any history says how to load it;
    /// nothing is appended by a refused command, so deciding it twice writes nothing twice.
    async fn execute_naming_states<D>(
        &self,
        context: &CommandContext,
        named: &[MemberStateCode],
        command: impl Fn(MembershipHistory) -> D::Command,
    ) -> Result<Executed>
    where
        D: Decider,
        D::Event: smes_domain::stored::StoredEvent + smes_domain::OccurredOn,
    {
        let membership = if named.is_empty() {
            MembershipHistory::default()
        } else {
            self.membership_history_of(named).await?
        };
        match self.execute::<D>(context, command(membership)).await {
            Err(Error::Domain(DomainError::NotAMemberState { .. } | DomainError::MembershipNotLoaded { .. })) => {
                self.execute::<D>(context, command(self.membership_history().await?))
                    .await
            }
            executed => executed,
        }
    }

    async fn execute<D>(&self, context: &CommandContext, command: D::Command) -> Result<Executed>
    where
        D: Decider,
        D::Event: smes_domain::stored::StoredEvent + smes_domain::OccurredOn,
    {
        self.service.execute::<D>(context, &command).await
    }

    /// Seals a focal point's name and e-mail under their person's key. A person the caller did
    /// not name is new: their id is drawn here and noted in `new_people`, so that their key
    /// goes again if the command writes nothing. A named person's key is left alone, even when
    /// this command made it: another command may be sealing with it at the same moment
    /// (`smes personal-keys prune` removes it later if no event ever names it).
    async fn seal_focal_point(&self, focal_point: &FocalPoint, new_people: &NewPeople) -> Result<SealedPersonalData> {
        let (person, new) = match focal_point.person {
            Some(person) => (person, false),
            None => (PersonId::new(self.service.new_id())?, true),
        };
        let sealed = self
            .sealer
            .seal(
                person,
                &PersonalData {
                    name: focal_point.name.clone(),
                    email: Some(focal_point.email.clone()),
                },
            )
            .await?;
        if new {
            new_people.note(person, sealed.key_id());
        }
        Ok(sealed)
    }
}

/// Whether preparing `command` seals personal data (and so may make a key).
fn seals_personal_data(command: &AppCommand) -> bool {
    matches!(
        command,
        AppCommand::JoinCounterpart(_) | AppCommand::ChangeFocalPoint(_)
    )
}

/// The people a command drew new ids for, with the keys it made for them.
#[derive(Debug, Default)]
struct NewPeople(Mutex<Vec<(PersonId, String)>>);

impl NewPeople {
    fn note(&self, person: PersonId, key_id: &str) {
        self.0
            .lock()
            .expect("new people lock")
            .push((person, key_id.to_owned()));
    }

    fn into_keys(self) -> Vec<(PersonId, String)> {
        self.0.into_inner().expect("new people lock")
    }
}

/// Whether a recorded event belongs to a stream of the given decider.
pub fn is_stream_of<D: Decider>(recorded: &RecordedEvent) -> bool {
    recorded
        .stream
        .strip_prefix(D::STREAM_PREFIX)
        .is_some_and(|rest| rest.starts_with('-'))
}
