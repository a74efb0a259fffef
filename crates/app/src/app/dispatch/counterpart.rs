//! Running the counterpart commands the app prepares (look-ups, sealing) before deciding.

use smes_domain::counterpart::{self, CounterpartCommand, CounterpartDecider, CounterpartDetails};

use crate::commands;
use crate::error::Result;
use crate::service::{CommandContext, Executed};

use super::super::{App, NewPeople};

impl App {
    /// Runs [`commands::AppCommand::JoinCounterpart`].
    pub(super) async fn join_counterpart(
        &self,
        context: &CommandContext,
        join: &commands::JoinCounterpart,
        new_people: &NewPeople,
    ) -> Result<Executed> {
        let focal_point = self.seal_focal_point(&join.focal_point, new_people).await?;
        self.execute::<CounterpartDecider>(
            context,
            CounterpartCommand::Join(counterpart::JoinCounterpart {
                counterpart: join.counterpart,
                details: CounterpartDetails {
                    name: join.name.clone(),
                    kind: join.counterpart_kind,
                    member_state: join.member_state,
                    thematic_areas: join.thematic_areas.clone(),
                },
                focal_point,
                joined_on: join.joined_on,
                membership: self.membership_history().await?,
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::ChangeFocalPoint`].
    pub(super) async fn change_focal_point(
        &self,
        context: &CommandContext,
        change: &commands::ChangeFocalPoint,
        new_people: &NewPeople,
    ) -> Result<Executed> {
        let focal_point = self.seal_focal_point(&change.focal_point, new_people).await?;
        self.execute::<CounterpartDecider>(
            context,
            CounterpartCommand::ChangeFocalPoint(counterpart::ChangeFocalPoint {
                counterpart: change.counterpart,
                focal_point,
                changed_on: change.changed_on,
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::CorrectCounterpartDetails`].
    pub(super) async fn correct_counterpart_details(
        &self,
        context: &CommandContext,
        correct: &commands::CorrectCounterpartDetails,
    ) -> Result<Executed> {
        self.check_correction::<CounterpartDecider>(&correct.counterpart, &correct.correction)
            .await?;
        self.execute::<CounterpartDecider>(
            context,
            CounterpartCommand::CorrectDetails(counterpart::CorrectCounterpartDetails {
                counterpart: correct.counterpart,
                details: CounterpartDetails {
                    name: correct.name.clone(),
                    kind: correct.counterpart_kind,
                    member_state: correct.member_state,
                    thematic_areas: correct.thematic_areas.clone(),
                },
                correction: correct.correction.clone(),
                membership: self.membership_history().await?,
            }),
        )
        .await
    }
}
