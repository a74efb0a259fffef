//! [`App::dispatch`]: one arm a command, each handing it to its aggregate.

mod activity;
mod consultation;
mod cooperation_source;
mod counterpart;
mod funding;
mod request;

use smes_domain::activity::{ActivityCommand, ActivityDecider};
use smes_domain::consultation::{ConsultationCommand, ConsultationDecider};
use smes_domain::cooperation_source::{CooperationSourceCommand, CooperationSourceDecider};
use smes_domain::counterpart::{CounterpartCommand, CounterpartDecider};
use smes_domain::funding::{ExchangeRateDecider, OfferCommand, OfferDecider};
use smes_domain::member_state::{MemberStateCommand, MemberStateDecider};
use smes_domain::programme_review::{ProgrammeReviewCommand, ProgrammeReviewDecider};
use smes_domain::request::{RequestCommand, RequestDecider};
use smes_domain::work_programme::{WorkProgrammeCommand, WorkProgrammeDecider};

use crate::commands::AppCommand;
use crate::error::Result;
use crate::service::{CommandContext, Executed};

use super::{App, NewPeople};

impl App {
    /// Turns the caller's command into its aggregate's command and runs it: a command whose
    /// shape is the domain's own is run as it is, the others through the function of their
    /// aggregate's module, which seals personal data and gathers look-ups.
    pub(super) async fn dispatch(
        &self,
        context: &CommandContext,
        command: &AppCommand,
        new_people: &NewPeople,
    ) -> Result<Executed> {
        match command {
            AppCommand::JoinSystem(join) => {
                self.execute::<MemberStateDecider>(context, MemberStateCommand::Join(join.clone()))
                    .await
            }
            AppCommand::LeaveSystem(leave) => {
                self.execute::<MemberStateDecider>(context, MemberStateCommand::Leave(leave.clone()))
                    .await
            }
            AppCommand::OpenWorkProgramme(open) => {
                self.execute::<WorkProgrammeDecider>(context, WorkProgrammeCommand::Open(open.clone()))
                    .await
            }
            AppCommand::AdoptWorkProgramme(adopt) => {
                self.execute::<WorkProgrammeDecider>(context, WorkProgrammeCommand::Adopt(adopt.clone()))
                    .await
            }
            AppCommand::JoinCounterpart(join) => self.join_counterpart(context, join, new_people).await,
            AppCommand::ChangeFocalPoint(change) => self.change_focal_point(context, change, new_people).await,
            AppCommand::WithdrawCounterpart(withdraw) => {
                self.execute::<CounterpartDecider>(context, CounterpartCommand::Withdraw(withdraw.clone()))
                    .await
            }
            AppCommand::RegisterCooperationSource(register) => {
                self.register_cooperation_source(context, register).await
            }
            AppCommand::ScheduleConsultation(schedule) => {
                self.execute::<ConsultationDecider>(context, ConsultationCommand::Schedule(schedule.clone()))
                    .await
            }
            AppCommand::HoldConsultation(hold) => self.hold_consultation(context, hold).await,
            AppCommand::IdentifyNeed(identify) => self.identify_need(context, identify).await,
            AppCommand::EvaluateAchievements(evaluate) => self.evaluate_achievements(context, evaluate).await,
            AppCommand::CloseConsultation(close) => {
                self.execute::<ConsultationDecider>(context, ConsultationCommand::Close(close.clone()))
                    .await
            }
            AppCommand::ProposeActivity(propose) => self.propose_activity(context, propose).await,
            AppCommand::ApproveActivity(approve) => self.approve_activity(context, approve).await,
            AppCommand::RejectActivity(reject) => {
                self.execute::<ActivityDecider>(context, ActivityCommand::Reject(reject.clone()))
                    .await
            }
            AppCommand::DeferActivity(defer) => {
                self.execute::<ActivityDecider>(context, ActivityCommand::Defer(defer.clone()))
                    .await
            }
            AppCommand::HoldActivity(hold) => self.hold_activity(context, hold).await,
            AppCommand::CancelActivity(cancel) => {
                self.execute::<ActivityDecider>(context, ActivityCommand::Cancel(cancel.clone()))
                    .await
            }
            AppCommand::DefineIndicator(define) => self.define_indicator(context, define).await,
            AppCommand::RecordOffer(record) => self.record_offer(context, record).await,
            AppCommand::CommitToActivity(commit) => self.commit_to_activity(context, commit).await,
            AppCommand::ValueInKindContribution(value) => self.value_in_kind_contribution(context, value).await,
            AppCommand::CorrectCounterpartDetails(correct) => self.correct_counterpart_details(context, correct).await,
            AppCommand::ReviseWorkProgramme(revise) => {
                self.execute::<WorkProgrammeDecider>(context, WorkProgrammeCommand::Revise(revise.clone()))
                    .await
            }
            AppCommand::CloseWorkProgramme(close) => {
                self.execute::<WorkProgrammeDecider>(context, WorkProgrammeCommand::Close(close.clone()))
                    .await
            }
            AppCommand::RequestAssistance(request) => {
                self.execute::<CooperationSourceDecider>(
                    context,
                    CooperationSourceCommand::RequestAssistance(request.clone()),
                )
                .await
            }
            AppCommand::AnswerAssistanceRequest(answer) => {
                self.execute::<CooperationSourceDecider>(
                    context,
                    CooperationSourceCommand::AnswerRequest(answer.clone()),
                )
                .await
            }
            AppCommand::ReceiveRequest(receive) => self.receive_request(context, receive).await,
            AppCommand::LinkRequest(link) => self.link_request(context, link).await,
            AppCommand::CloseRequest(close) => {
                self.execute::<RequestDecider>(context, RequestCommand::Close(close.clone()))
                    .await
            }
            AppCommand::OpenReview(open) => {
                self.execute::<ProgrammeReviewDecider>(context, ProgrammeReviewCommand::Open(open.clone()))
                    .await
            }
            AppCommand::RecordReviewFindings(record) => {
                self.execute::<ProgrammeReviewDecider>(context, ProgrammeReviewCommand::RecordFindings(record.clone()))
                    .await
            }
            AppCommand::CloseReview(close) => {
                self.execute::<ProgrammeReviewDecider>(context, ProgrammeReviewCommand::Close(close.clone()))
                    .await
            }
            AppCommand::RescheduleActivity(reschedule) => self.reschedule_activity(context, reschedule).await,
            AppCommand::RecordResult(record) => self.record_result(context, record).await,
            AppCommand::RecordDisbursement(disburse) => {
                self.execute::<OfferDecider>(context, OfferCommand::Disburse(disburse.clone()))
                    .await
            }
            AppCommand::RecordExpenditure(spend) => {
                self.execute::<OfferDecider>(context, OfferCommand::Spend(spend.clone()))
                    .await
            }
            AppCommand::RevalueInKindContribution(revalue) => self.revalue_in_kind_contribution(context, revalue).await,
            AppCommand::LinkOrganisation(link) => self.link_organisation(context, link).await,
            AppCommand::RecordExchangeRate(record) => {
                self.execute::<ExchangeRateDecider>(context, record.clone()).await
            }
        }
    }
}
