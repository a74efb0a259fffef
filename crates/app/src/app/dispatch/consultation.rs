//! Running the consultation commands the app prepares (look-ups, sealing) before deciding.

use smes_domain::DomainError;
use smes_domain::consultation::{self, ConsultationCommand, ConsultationDecider, Rating};

use crate::commands;
use crate::error::Result;
use crate::service::{CommandContext, Executed};

use super::super::App;

impl App {
    /// Runs [`commands::AppCommand::HoldConsultation`].
    pub(super) async fn hold_consultation(
        &self,
        context: &CommandContext,
        hold: &commands::HoldConsultation,
    ) -> Result<Executed> {
        let mut participants = Vec::with_capacity(hold.participants.len());
        for counterpart in &hold.participants {
            participants.push(self.standing(*counterpart).await?);
        }
        self.execute::<ConsultationDecider>(
            context,
            ConsultationCommand::Hold(consultation::HoldConsultation {
                consultation: hold.consultation,
                held_on: hold.held_on,
                venue: hold.venue.clone(),
                participants,
                minutes_reference: hold.minutes_reference.clone(),
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::IdentifyNeed`].
    pub(super) async fn identify_need(
        &self,
        context: &CommandContext,
        identify: &consultation::IdentifyNeed,
    ) -> Result<Executed> {
        self.execute::<ConsultationDecider>(
            context,
            ConsultationCommand::IdentifyNeed(consultation::IdentifyNeed {
                recorded_on: self.service.today(),
                membership: self.membership_history().await?,
                ..identify.clone()
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::EvaluateAchievements`].
    pub(super) async fn evaluate_achievements(
        &self,
        context: &CommandContext,
        evaluate: &commands::EvaluateAchievements,
    ) -> Result<Executed> {
        let ratings = evaluate
            .ratings
            .iter()
            .map(|rating| Rating::given(rating.criterion.clone(), &rating.score))
            .collect::<Result<Vec<_>, DomainError>>()?;
        self.execute::<ConsultationDecider>(
            context,
            ConsultationCommand::EvaluateAchievements(consultation::EvaluateAchievements {
                consultation: evaluate.consultation,
                subject: evaluate.subject,
                findings: evaluate.findings.clone(),
                ratings,
                evaluated_on: evaluate.evaluated_on,
                recorded_on: self.service.today(),
            }),
        )
        .await
    }
}
