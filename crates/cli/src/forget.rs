//! `smes forget`: a person's personal data made unreadable everywhere, the erasure recorded.

use anyhow::{Context, Result};
use clap::Subcommand;
use smes_app::{App, ForgetSubject, Source};
use smes_domain::ids::{CounterpartId, PersonId};
use uuid::Uuid;

use crate::flags;
use crate::wiring::Actor;

/// `smes forget ...`
#[derive(Debug, Subcommand)]
pub enum ForgetCommand {
    /// Forget a focal point: their name and contact details become unreadable.
    FocalPoint {
        /// The person's id (as `smes history counterpart-…` shows it).
        #[arg(value_parser = flags::id("forget-focal-point"))]
        person: Uuid,
        /// The counterpart they represent (found from the log when not given).
        #[arg(long, value_parser = flags::id("forget-focal-point"))]
        counterpart: Option<Uuid>,
        /// Why (recorded in the log).
        #[arg(long)]
        reason: String,
        /// The business date of the erasure (YYYY-MM-DD; default today).
        #[arg(long, value_parser = flags::day("forget-focal-point"))]
        on: Option<jiff::civil::Date>,
    },
    /// Forget an actor: the name behind the pseudonymous id becomes unreadable.
    Actor {
        /// The actor id, `actor-<uuid>`.
        actor: String,
        /// Why (recorded in the log).
        #[arg(long)]
        reason: String,
        /// The business date of the erasure (YYYY-MM-DD; default today).
        #[arg(long, value_parser = flags::day("forget-actor"))]
        on: Option<jiff::civil::Date>,
    },
}

/// Runs `smes forget` and returns what to print.
pub async fn run(app: &App, actor: &Actor, command: ForgetCommand) -> Result<String> {
    let (subject, reason, on) = match command {
        ForgetCommand::FocalPoint {
            person,
            counterpart,
            reason,
            on,
        } => {
            let person = PersonId::new(person).context("the person id")?;
            let counterpart = counterpart
                .map(CounterpartId::new)
                .transpose()
                .context("the counterpart id")?;
            (ForgetSubject::FocalPoint { person, counterpart }, reason, on)
        }
        ForgetCommand::Actor { actor, reason, on } => (ForgetSubject::Actor { actor }, reason, on),
    };
    let mut context = actor.context(Source::Cli);
    context.command_id = Some(app.service().new_id());
    let on = on.unwrap_or_else(|| app.service().today());
    let executed = app.forget(&context, &subject, &reason, on).await?;
    Ok(format!(
        "forgotten: recorded in {} at position {}; the person's key is destroyed and their sealed data reads as erased\n",
        executed.stream, executed.outcome.last_position
    ))
}
