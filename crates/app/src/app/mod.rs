//! [`App`]: turns the callers' commands into domain commands (sealing personal data and
//! gathering look-ups from the log) and runs them through the [`CommandService`].

mod codes;
mod forgetting;
mod lookups;
mod references;

pub use forgetting::ForgetSubject;

use std::sync::{Arc, Mutex};

use smes_domain::activity::{self, ActivityCommand, ActivityDecider};
use smes_domain::consultation::{self, ConsultationCommand, ConsultationDecider, Rating};
use smes_domain::cooperation_source::{self, CooperationSourceCommand, CooperationSourceDecider};
use smes_domain::counterpart::{self, CounterpartCommand, CounterpartDecider, CounterpartDetails};
use smes_domain::funding::{
    self, CurrencyPair, ExchangeRateDecider, InKindContributionCommand, InKindContributionDecider, OfferCommand,
    OfferDecider,
};
use smes_domain::ids::PersonId;
use smes_domain::member_state::{self, MemberStateCommand, MemberStateDecider};
use smes_domain::membership::MembershipHistory;
use smes_domain::personal_data::SealedPersonalData;
use smes_domain::programme_review::{self, ProgrammeReviewCommand, ProgrammeReviewDecider};
use smes_domain::request::{self, RequestCommand, RequestDecider};
use smes_domain::values::MemberStateCode;
use smes_domain::work_programme::{self, WorkProgrammeCommand, WorkProgrammeDecider};
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

    async fn dispatch(
        &self,
        context: &CommandContext,
        command: &AppCommand,
        new_people: &NewPeople,
    ) -> Result<Executed> {
        match command {
            AppCommand::JoinSystem(join) => {
                self.execute::<MemberStateDecider>(
                    context,
                    MemberStateCommand::Join(member_state::JoinSystem {
                        code: join.code,
                        name: join.name.clone(),
                        joined_on: join.joined_on,
                        source: join.source.clone(),
                    }),
                )
                .await
            }
            AppCommand::LeaveSystem(leave) => {
                self.execute::<MemberStateDecider>(
                    context,
                    MemberStateCommand::Leave(member_state::LeaveSystem {
                        code: leave.code,
                        left_on: leave.left_on,
                        source: leave.source.clone(),
                    }),
                )
                .await
            }
            AppCommand::OpenWorkProgramme(open) => {
                self.execute::<WorkProgrammeDecider>(
                    context,
                    WorkProgrammeCommand::Open(work_programme::OpenWorkProgramme {
                        year: open.year,
                        estimated_budget: open.estimated_budget.clone(),
                        opened_on: open.opened_on,
                    }),
                )
                .await
            }
            AppCommand::AdoptWorkProgramme(adopt) => {
                self.execute::<WorkProgrammeDecider>(
                    context,
                    WorkProgrammeCommand::Adopt(work_programme::AdoptWorkProgramme {
                        year: adopt.year,
                        decision: adopt.decision.clone(),
                    }),
                )
                .await
            }
            AppCommand::JoinCounterpart(join) => {
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
            AppCommand::ChangeFocalPoint(change) => {
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
            AppCommand::WithdrawCounterpart(withdraw) => {
                self.execute::<CounterpartDecider>(
                    context,
                    CounterpartCommand::Withdraw(counterpart::WithdrawCounterpart {
                        counterpart: withdraw.counterpart,
                        withdrew_on: withdraw.withdrew_on,
                        reason: withdraw.reason.clone(),
                    }),
                )
                .await
            }
            AppCommand::RegisterCooperationSource(register) => {
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
            AppCommand::ScheduleConsultation(schedule) => {
                self.execute::<ConsultationDecider>(
                    context,
                    ConsultationCommand::Schedule(consultation::ScheduleConsultation {
                        consultation: schedule.consultation,
                        title: schedule.title.clone(),
                        scheduled_for: schedule.scheduled_for,
                        venue: schedule.venue.clone(),
                    }),
                )
                .await
            }
            AppCommand::HoldConsultation(hold) => {
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
            AppCommand::IdentifyNeed(identify) => {
                self.execute::<ConsultationDecider>(
                    context,
                    ConsultationCommand::IdentifyNeed(consultation::IdentifyNeed {
                        consultation: identify.consultation,
                        need: identify.need,
                        raised_by: identify.raised_by.clone(),
                        thematic_area: identify.thematic_area,
                        member_states: identify.member_states.clone(),
                        priority: identify.priority,
                        description: identify.description.clone(),
                        identified_on: identify.identified_on,
                        recorded_on: self.service.today(),
                        membership: self.membership_history().await?,
                    }),
                )
                .await
            }
            AppCommand::EvaluateAchievements(evaluate) => {
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
            AppCommand::CloseConsultation(close) => {
                self.execute::<ConsultationDecider>(
                    context,
                    ConsultationCommand::Close(consultation::CloseConsultation {
                        consultation: close.consultation,
                        closed_on: close.closed_on,
                    }),
                )
                .await
            }
            AppCommand::ProposeActivity(propose) => {
                let existing_activities = self
                    .activity_outlines()
                    .await?
                    .into_iter()
                    .filter(|outline| {
                        outline.thematic_area == propose.thematic_area && outline.kind == propose.activity_kind
                    })
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
            AppCommand::ApproveActivity(approve) => {
                let work_programme_status = self.work_programme_status(approve.work_programme).await?;
                self.execute::<ActivityDecider>(
                    context,
                    ActivityCommand::Approve(activity::ApproveActivity {
                        activity: approve.activity,
                        work_programme: approve.work_programme,
                        work_programme_status,
                        decision: approve.decision.clone(),
                    }),
                )
                .await
            }
            AppCommand::RejectActivity(reject) => {
                self.execute::<ActivityDecider>(context, ActivityCommand::Reject(decide_against(reject)))
                    .await
            }
            AppCommand::DeferActivity(defer) => {
                self.execute::<ActivityDecider>(context, ActivityCommand::Defer(decide_against(defer)))
                    .await
            }
            AppCommand::HoldActivity(hold) => {
                let named: Vec<MemberStateCode> = hold
                    .participants
                    .by_member_state
                    .iter()
                    .map(|share| share.member_state)
                    .collect();
                self.execute_naming_states::<ActivityDecider>(context, &named, |membership| {
                    ActivityCommand::Hold(activity::HoldActivity {
                        activity: hold.activity,
                        held: hold.held,
                        participants: hold.participants.clone(),
                        outputs: hold.outputs.clone(),
                        membership,
                    })
                })
                .await
            }
            AppCommand::CancelActivity(cancel) => {
                self.execute::<ActivityDecider>(
                    context,
                    ActivityCommand::Cancel(activity::CancelActivity {
                        activity: cancel.activity,
                        reason: cancel.reason.clone(),
                        cancelled_on: cancel.cancelled_on,
                    }),
                )
                .await
            }
            AppCommand::DefineIndicator(define) => {
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
            AppCommand::RecordOffer(record) => {
                let existing_offers = self
                    .offer_outlines()
                    .await?
                    .into_iter()
                    .filter(|outline| outline.source == record.source)
                    .collect();
                self.execute::<OfferDecider>(
                    context,
                    OfferCommand::Record(funding::RecordOffer {
                        offer: record.offer,
                        source: record.source,
                        kind: record.offer_kind,
                        amount: record.amount.clone(),
                        purpose: record.purpose.clone(),
                        recorded_on: record.recorded_on,
                        existing_offers,
                        duplicate_override: record.duplicate_override.clone(),
                    }),
                )
                .await
            }
            AppCommand::CommitToActivity(commit) => {
                let offer = self.service.load::<OfferDecider>(&commit.offer).await?.state;
                let exchange_rate = match offer.record.as_ref().map(|record| record.amount.currency()) {
                    Some(offer_currency) if offer_currency != commit.amount.currency() => {
                        self.rate(
                            CurrencyPair {
                                from: commit.amount.currency(),
                                to: offer_currency,
                            },
                            commit.amount.value_date(),
                        )
                        .await?
                    }
                    _ => None,
                };
                self.execute::<OfferDecider>(
                    context,
                    OfferCommand::Commit(funding::CommitToActivity {
                        offer: commit.offer,
                        commitment: commit.commitment,
                        activity: commit.activity,
                        amount: commit.amount.clone(),
                        exchange_rate,
                        committed_on: commit.committed_on,
                    }),
                )
                .await
            }
            AppCommand::ValueInKindContribution(value) => {
                let contributor = value.contributor()?;
                let named: Vec<MemberStateCode> = match contributor {
                    funding::InKindContributor::MemberState { member_state } => vec![member_state],
                    _ => Vec::new(),
                };
                self.execute_naming_states::<InKindContributionDecider>(context, &named, |membership| {
                    InKindContributionCommand::Value(funding::ValueInKindContribution {
                        contribution: value.contribution,
                        activity: value.activity,
                        contributor,
                        what: value.what.clone(),
                        value: value.value.clone(),
                        valued_on: value.valued_on,
                        membership,
                    })
                })
                .await
            }
            AppCommand::CorrectCounterpartDetails(correct) => {
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
            AppCommand::ReviseWorkProgramme(revise) => {
                self.execute::<WorkProgrammeDecider>(
                    context,
                    WorkProgrammeCommand::Revise(work_programme::ReviseWorkProgramme {
                        year: revise.year,
                        revised_budget: revise.revised_budget.clone(),
                        reason: revise.reason.clone(),
                        revised_on: revise.revised_on,
                    }),
                )
                .await
            }
            AppCommand::CloseWorkProgramme(close) => {
                self.execute::<WorkProgrammeDecider>(
                    context,
                    WorkProgrammeCommand::Close(work_programme::CloseWorkProgramme {
                        year: close.year,
                        closed_on: close.closed_on,
                    }),
                )
                .await
            }
            AppCommand::RequestAssistance(request) => {
                self.execute::<CooperationSourceDecider>(
                    context,
                    CooperationSourceCommand::RequestAssistance(cooperation_source::RequestAssistance {
                        cooperation_source: request.cooperation_source,
                        request: request.request,
                        purpose: request.purpose.clone(),
                        activity: request.activity,
                        amount_sought: request.amount_sought.clone(),
                        requested_on: request.requested_on,
                    }),
                )
                .await
            }
            AppCommand::AnswerAssistanceRequest(answer) => {
                self.execute::<CooperationSourceDecider>(
                    context,
                    CooperationSourceCommand::AnswerRequest(cooperation_source::AnswerAssistanceRequest {
                        cooperation_source: answer.cooperation_source,
                        request: answer.request,
                        answer: answer.answer,
                        offer: answer.offer,
                        note: answer.note.clone(),
                        answered_on: answer.answered_on,
                    }),
                )
                .await
            }
            AppCommand::ReceiveRequest(receive) => {
                self.execute_naming_states::<RequestDecider>(context, receive.from.member_states(), |membership| {
                    RequestCommand::Receive(request::ReceiveRequest {
                        request: receive.request,
                        from: receive.from.clone(),
                        thematic_area: receive.thematic_area,
                        description: receive.description.clone(),
                        received_on: receive.received_on,
                        membership,
                    })
                })
                .await
            }
            AppCommand::LinkRequest(link) => {
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
            AppCommand::CloseRequest(close) => {
                self.execute::<RequestDecider>(
                    context,
                    RequestCommand::Close(request::CloseRequest {
                        request: close.request,
                        outcome: close.outcome.clone(),
                        closed_on: close.closed_on,
                    }),
                )
                .await
            }
            AppCommand::OpenReview(open) => {
                self.execute::<ProgrammeReviewDecider>(
                    context,
                    ProgrammeReviewCommand::Open(programme_review::OpenReview {
                        review: open.review,
                        period: open.period,
                        opened_on: open.opened_on,
                    }),
                )
                .await
            }
            AppCommand::RecordReviewFindings(record) => {
                self.execute::<ProgrammeReviewDecider>(
                    context,
                    ProgrammeReviewCommand::RecordFindings(programme_review::RecordReviewFindings {
                        review: record.review,
                        findings: record.findings.clone(),
                        recommendations: record.recommendations.clone(),
                        recorded_on: record.recorded_on,
                    }),
                )
                .await
            }
            AppCommand::CloseReview(close) => {
                self.execute::<ProgrammeReviewDecider>(
                    context,
                    ProgrammeReviewCommand::Close(programme_review::CloseReview {
                        review: close.review,
                        closed_on: close.closed_on,
                    }),
                )
                .await
            }
            AppCommand::RescheduleActivity(reschedule) => {
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
            AppCommand::RecordResult(record) => {
                if let Some(correction) = &record.correction {
                    self.check_correction::<ActivityDecider>(&record.activity, correction)
                        .await?;
                }
                let named: Vec<MemberStateCode> =
                    record.by_member_state.iter().map(|share| share.member_state).collect();
                self.execute_naming_states::<ActivityDecider>(context, &named, |membership| {
                    ActivityCommand::RecordResult(activity::RecordResult {
                        activity: record.activity,
                        indicator: record.indicator,
                        period: record.period,
                        value: record.value,
                        by_sex: record.by_sex.clone(),
                        by_member_state: record.by_member_state.clone(),
                        correction: record.correction.clone(),
                        membership,
                    })
                })
                .await
            }
            AppCommand::RecordDisbursement(disburse) => {
                self.execute::<OfferDecider>(
                    context,
                    OfferCommand::Disburse(funding::RecordDisbursement {
                        offer: disburse.offer,
                        commitment: disburse.commitment,
                        amount: disburse.amount.clone(),
                        disbursed_on: disburse.disbursed_on,
                    }),
                )
                .await
            }
            AppCommand::RecordExpenditure(spend) => {
                self.execute::<OfferDecider>(
                    context,
                    OfferCommand::Spend(funding::RecordExpenditure {
                        offer: spend.offer,
                        commitment: spend.commitment,
                        amount: spend.amount.clone(),
                        description: spend.description.clone(),
                        spent_on: spend.spent_on,
                    }),
                )
                .await
            }
            AppCommand::RevalueInKindContribution(revalue) => {
                self.check_correction::<InKindContributionDecider>(&revalue.contribution, &revalue.correction)
                    .await?;
                self.execute::<InKindContributionDecider>(
                    context,
                    InKindContributionCommand::Revalue(funding::RevalueInKindContribution {
                        contribution: revalue.contribution,
                        value: revalue.value.clone(),
                        correction: revalue.correction.clone(),
                    }),
                )
                .await
            }
            AppCommand::LinkOrganisation(link) => {
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
            AppCommand::RecordExchangeRate(record) => {
                self.execute::<ExchangeRateDecider>(
                    context,
                    funding::RecordExchangeRate {
                        rate: record.rate.clone(),
                    },
                )
                .await
            }
        }
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

fn decide_against(input: &crate::commands::DecideAgainstActivity) -> activity::DecideAgainstActivity {
    activity::DecideAgainstActivity {
        activity: input.activity,
        rationale: input.rationale.clone(),
        decided_on: input.decided_on,
    }
}

/// Whether a recorded event belongs to a stream of the given decider.
pub fn is_stream_of<D: Decider>(recorded: &RecordedEvent) -> bool {
    recorded
        .stream
        .strip_prefix(D::STREAM_PREFIX)
        .is_some_and(|rest| rest.starts_with('-'))
}
