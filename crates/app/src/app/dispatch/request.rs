//! Running the request commands the app prepares (look-ups, sealing) before deciding.

use smes_domain::request::{self, RequestCommand, RequestDecider};

use crate::commands;
use crate::error::Result;
use crate::service::{CommandContext, Executed};

use super::super::App;

impl App {
    /// Runs [`commands::AppCommand::ReceiveRequest`].
    pub(super) async fn receive_request(
        &self,
        context: &CommandContext,
        receive: &request::ReceiveRequest,
    ) -> Result<Executed> {
        self.execute_naming_states::<RequestDecider>(context, receive.from.member_states(), |membership| {
            RequestCommand::Receive(request::ReceiveRequest {
                membership,
                ..receive.clone()
            })
        })
        .await
    }

    /// Runs [`commands::AppCommand::LinkRequest`].
    pub(super) async fn link_request(
        &self,
        context: &CommandContext,
        link: &commands::LinkRequest,
    ) -> Result<Executed> {
        self.execute::<RequestDecider>(
            context,
            RequestCommand::Link(request::LinkRequest {
                request: link.request,
                follow_up: link.follow_up,
                linked_on: self.dated(context, link.linked_on),
            }),
        )
        .await
    }
}
