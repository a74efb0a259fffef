//! Running the activity commands the app prepares (look-ups, sealing) before deciding.

use smes_domain::activity::{self, ActivityCommand, ActivityDecider};
use smes_domain::values::MemberStateCode;

use crate::commands;
use crate::error::Result;
use crate::service::{CommandContext, Executed};

use super::super::App;

impl App {
    /// Runs [`commands::AppCommand::ProposeActivity`].
    pub(super) async fn propose_activity(
        &self,
        context: &CommandContext,
        propose: &commands::ProposeActivity,
    ) -> Result<Executed> {
        let existing_activities = self
            .activity_outlines()
            .await?
            .into_iter()
            .filter(|outline| outline.thematic_area == propose.thematic_area && outline.kind == propose.activity_kind)
            .collect();
        self.execute::<ActivityDecider>(
            context,
            ActivityCommand::Propose(activity::ProposeActivity {
                activity: propose.activity,
                kind: propose.activity_kind,
                title: propose.title.clone(),
                thematic_area: propose.thematic_area,
                answers_needs: propose.answers_needs.clone(),
                host: propose.host,
                proposed_by: propose.proposed_by,
                planned: propose.planned,
                estimated_cost: propose.estimated_cost.clone(),
                proposed_on: propose.proposed_on,
                existing_activities,
                duplicate_override: propose.duplicate_override.clone(),
                membership: self.membership_history().await?,
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::ApproveActivity`].
    pub(super) async fn approve_activity(
        &self,
        context: &CommandContext,
        approve: &activity::ApproveActivity,
    ) -> Result<Executed> {
        let work_programme_status = self.work_programme_status(approve.work_programme).await?;
        self.execute::<ActivityDecider>(
            context,
            ActivityCommand::Approve(activity::ApproveActivity {
                work_programme_status,
                ..approve.clone()
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::HoldActivity`].
    pub(super) async fn hold_activity(
        &self,
        context: &CommandContext,
        hold: &activity::HoldActivity,
    ) -> Result<Executed> {
        let named: Vec<MemberStateCode> = hold
            .participants
            .by_member_state
            .iter()
            .map(|share| share.member_state)
            .collect();
        self.execute_naming_states::<ActivityDecider>(context, &named, |membership| {
            ActivityCommand::Hold(activity::HoldActivity {
                membership,
                ..hold.clone()
            })
        })
        .await
    }

    /// Runs [`commands::AppCommand::DefineIndicator`].
    pub(super) async fn define_indicator(
        &self,
        context: &CommandContext,
        define: &commands::DefineIndicator,
    ) -> Result<Executed> {
        self.execute::<ActivityDecider>(
            context,
            ActivityCommand::DefineIndicator(activity::DefineIndicator {
                activity: define.activity,
                indicator: define.indicator,
                name: define.name.clone(),
                unit: define.unit.clone(),
                baseline: define.baseline,
                target: define.target,
                higher_is_better: define.higher_is_better,
                defined_on: self.dated(context, define.defined_on),
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::RescheduleActivity`].
    pub(super) async fn reschedule_activity(
        &self,
        context: &CommandContext,
        reschedule: &commands::RescheduleActivity,
    ) -> Result<Executed> {
        self.execute::<ActivityDecider>(
            context,
            ActivityCommand::Reschedule(activity::RescheduleActivity {
                activity: reschedule.activity,
                planned: reschedule.planned,
                reason: reschedule.reason.clone(),
                rescheduled_on: self.dated(context, reschedule.rescheduled_on),
                membership: self.membership_history().await?,
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::RecordResult`].
    pub(super) async fn record_result(
        &self,
        context: &CommandContext,
        record: &activity::RecordResult,
    ) -> Result<Executed> {
        if let Some(correction) = &record.correction {
            self.check_correction::<ActivityDecider>(&record.activity, correction)
                .await?;
        }
        let named: Vec<MemberStateCode> = record.by_member_state.iter().map(|share| share.member_state).collect();
        self.execute_naming_states::<ActivityDecider>(context, &named, |membership| {
            ActivityCommand::RecordResult(activity::RecordResult {
                membership,
                ..record.clone()
            })
        })
        .await
    }
}
