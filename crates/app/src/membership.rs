//! Loading the Member States' membership history into a log.
//!
//! The history is data: the domain's sourced file (`crates/domain/data/member-states.csv`), one
//! row a change with its source and `unknown` where no source gives the date. Loading it records
//! one `MemberStateJoined` or `MemberStateLeft` a row, each under a command id derived from the
//! row itself, so loading into a log that already holds some or all of it records only what is
//! missing.

use jiff::civil::{Date, date};
use sha2::{Digest, Sha256};
use smes_domain::member_state::{MemberStateCommand, MemberStateDecider};
use smes_domain::membership::embedded_load_commands;
use uuid::Uuid;

use crate::app::App;
use crate::error::Result;
use crate::service::CommandContext;

/// What a load recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipLoaded {
    /// Changes recorded now.
    pub recorded: usize,
    /// Changes the log held already.
    pub already_recorded: usize,
}

/// The command id of a membership change: a UUID (version 8) made from the change itself.
pub fn command_id(command: &MemberStateCommand) -> Uuid {
    let text = match command {
        MemberStateCommand::Join(join) => format!("membership joined {} {:?}", join.code, join.joined_on),
        MemberStateCommand::Leave(leave) => format!("membership left {} {:?}", leave.code, leave.left_on),
    };
    let digest = Sha256::digest(text.as_bytes());
    let bytes: [u8; 16] = digest[..16].try_into().expect("16 bytes of a SHA-256");
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The business date of a membership change: its own date, or, where no source gives one, the
/// date by which the sources show it had happened (the event's payload keeps the date itself
/// unknown). Joining dates are bounded by the membership of October 2012 (SP/CL/XXXVIII.O/DT
/// N° 10); Grenada is absent from the list of November 2015, Costa Rica's denunciation decree was
/// published in March 2017, and Jamaica is absent by November 2021.
pub fn known_by(command: &MemberStateCommand) -> Date {
    match command {
        MemberStateCommand::Join(join) => join.joined_on.unwrap_or(date(2012, 10, 17)),
        MemberStateCommand::Leave(leave) => leave.left_on.unwrap_or(match leave.code.as_str() {
            "GD" => date(2015, 11, 30),
            "CR" => date(2017, 3, 31),
            _ => date(2021, 11, 30),
        }),
    }
}

/// Records the embedded membership history, each change under `command_id(index, change)`.
pub async fn load_with(
    app: &App,
    base: &CommandContext,
    command_id: impl Fn(usize, &MemberStateCommand) -> Uuid,
) -> Result<MembershipLoaded> {
    let mut loaded = MembershipLoaded {
        recorded: 0,
        already_recorded: 0,
    };
    for (index, command) in embedded_load_commands()?.into_iter().enumerate() {
        let mut context = base.clone().with_command_id(command_id(index, &command));
        context.business_date = Some(known_by(&command));
        let executed = app.service().execute::<MemberStateDecider>(&context, &command).await?;
        if executed.already_applied {
            loaded.already_recorded += 1;
        } else {
            loaded.recorded += 1;
        }
    }
    Ok(loaded)
}

/// Records the embedded membership history into any log; loading it again records nothing.
pub async fn load(app: &App, base: &CommandContext) -> Result<MembershipLoaded> {
    load_with(app, base, |_, command| command_id(command)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_ids_are_stable_and_distinct_per_change() {
        let commands = embedded_load_commands().unwrap();
        let ids: std::collections::BTreeSet<Uuid> = commands.iter().map(command_id).collect();
        assert_eq!(ids.len(), commands.len());
        assert_eq!(command_id(&commands[0]), command_id(&commands[0].clone()));
        assert!(ids.iter().all(|id| id.get_version_num() == 8));
    }
}
