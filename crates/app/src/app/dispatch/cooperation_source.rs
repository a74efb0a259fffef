//! Running the cooperation source commands the app prepares (look-ups, sealing) before deciding.

use smes_domain::cooperation_source::{self, CooperationSourceCommand, CooperationSourceDecider};

use crate::commands;
use crate::error::Result;
use crate::service::{CommandContext, Executed};

use super::super::App;

impl App {
    /// Runs [`commands::AppCommand::RegisterCooperationSource`].
    pub(super) async fn register_cooperation_source(
        &self,
        context: &CommandContext,
        register: &commands::RegisterCooperationSource,
    ) -> Result<Executed> {
        self.execute::<CooperationSourceDecider>(
            context,
            CooperationSourceCommand::Register(cooperation_source::RegisterCooperationSource {
                cooperation_source: register.cooperation_source,
                name: register.name.clone(),
                kind: register.source_kind,
                country: register.country,
                counterpart: match register.counterpart {
                    Some(counterpart) => Some(self.counterpart_organisation(counterpart).await?),
                    None => None,
                },
                registered_on: register.registered_on,
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::LinkOrganisation`].
    pub(super) async fn link_organisation(
        &self,
        context: &CommandContext,
        link: &commands::LinkOrganisation,
    ) -> Result<Executed> {
        self.execute::<CooperationSourceDecider>(
            context,
            CooperationSourceCommand::LinkToCounterpart(cooperation_source::LinkToCounterpart {
                cooperation_source: link.cooperation_source,
                counterpart: self.counterpart_organisation(link.counterpart).await?,
                linked_on: self.dated(context, link.linked_on),
                reason: link.reason.clone(),
            }),
        )
        .await
    }
}
