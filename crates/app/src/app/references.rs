//! Every record a command names must be in the log, and must exist on the command's business
//! date: a need answered, an activity evaluated or funded, a counterpart or cooperation source
//! that offers or proposes, the need or activity a request led to, the counterpart whose
//! organisation a cooperation source is, and both records a link of organisations names. The deciders cannot see
//! other streams, so the app looks each one up before the command is decided and refuses it,
//! naming the field and the record, when one is missing or younger than the fact
//! (docs/events.md, "References").

use jiff::civil::Date;
use smes_domain::DomainError;
use smes_domain::activity::{ActivityDecider, Proposer};
use smes_domain::consultation::{ConsultationDecider, ConsultationEvent, EvaluationSubject};
use smes_domain::cooperation_source::CooperationSourceDecider;
use smes_domain::counterpart::CounterpartDecider;
use smes_domain::funding::{InKindContributor, OfferSource};
use smes_domain::ids::{ActivityId, ConsultationId, CooperationSourceId, CounterpartId, NeedId};
use smes_domain::request::RequestFollowUp;
use smes_domain::stored::StoredEvent;

use super::App;
use crate::commands::AppCommand;
use crate::error::Result;
use crate::service::{CommandContext, stored_on};

/// What a referring field must point to, for the refusal's words.
const NEED: &str = "a need identified in a consultation";
const ACTIVITY: &str = "an activity proposed in the log";
const COUNTERPART: &str = "a counterpart that joined the programme";
const SOURCE: &str = "a registered cooperation source";

impl App {
    /// Refuses `command` when a record it names is not in the log or came into being after the
    /// command's business date.
    pub(super) async fn check_references(&self, context: &CommandContext, command: &AppCommand) -> Result<()> {
        match command {
            AppCommand::ProposeActivity(propose) => {
                self.needs_exist("answers_needs", &propose.answers_needs, propose.proposed_on)
                    .await?;
                if let Proposer::Counterpart(counterpart) = propose.proposed_by {
                    self.counterpart_exists("proposed_by", counterpart, propose.proposed_on)
                        .await?;
                }
            }
            AppCommand::EvaluateAchievements(evaluate) => {
                if let EvaluationSubject::Activity(activity) = evaluate.subject {
                    let on = match evaluate.evaluated_on {
                        Some(on) => on,
                        None => self
                            .held_on(evaluate.consultation)
                            .await?
                            .unwrap_or_else(|| self.service.today()),
                    };
                    self.activity_exists("subject", activity, on).await?;
                }
            }
            AppCommand::RecordOffer(record) => {
                self.offer_source_exists("source", record.source, record.recorded_on)
                    .await?;
            }
            AppCommand::CommitToActivity(commit) => {
                self.activity_exists("activity", commit.activity, commit.committed_on)
                    .await?;
            }
            AppCommand::ValueInKindContribution(value) => {
                self.activity_exists("activity", value.activity, value.valued_on)
                    .await?;
                match value.contributor()? {
                    InKindContributor::MemberState { .. } => {}
                    InKindContributor::Counterpart { id } => {
                        self.counterpart_exists("contributor", id, value.valued_on).await?;
                    }
                    InKindContributor::CooperationSource { id } => {
                        self.cooperation_source_exists("contributor", id, value.valued_on)
                            .await?;
                    }
                }
            }
            AppCommand::RegisterCooperationSource(register) => {
                if let Some(counterpart) = register.counterpart {
                    self.counterpart_exists("counterpart", counterpart, register.registered_on)
                        .await?;
                }
            }
            AppCommand::LinkOrganisation(link) => {
                let on = self.dated(context, link.linked_on);
                self.counterpart_exists("counterpart", link.counterpart, on).await?;
                self.cooperation_source_exists("cooperation_source", link.cooperation_source, on)
                    .await?;
            }
            AppCommand::LinkRequest(link) => {
                let on = self.dated(context, link.linked_on);
                match link.follow_up {
                    RequestFollowUp::Need(need) => self.needs_exist("follow_up", &[need], on).await?,
                    RequestFollowUp::Activity(activity) => self.activity_exists("follow_up", activity, on).await?,
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn offer_source_exists(&self, field: &'static str, source: OfferSource, on: Date) -> Result<()> {
        match source {
            OfferSource::Counterpart(counterpart) => self.counterpart_exists(field, counterpart, on).await,
            OfferSource::CooperationSource(source) => self.cooperation_source_exists(field, source, on).await,
            OfferSource::SelaRegularBudget => Ok(()),
        }
    }

    /// The day a consultation was held, if it was.
    async fn held_on(&self, consultation: ConsultationId) -> Result<Option<Date>> {
        let state = self.service.load::<ConsultationDecider>(&consultation).await?.state;
        Ok(state.held.map(|held| held.held_on))
    }

    async fn activity_exists(&self, field: &'static str, activity: ActivityId, on: Date) -> Result<()> {
        let state = self.service.load::<ActivityDecider>(&activity).await?.state;
        let since = state.record.map(|record| record.proposed_on);
        found(field, format!("activity {activity}"), ACTIVITY, since, on)
    }

    async fn counterpart_exists(&self, field: &'static str, counterpart: CounterpartId, on: Date) -> Result<()> {
        let state = self.service.load::<CounterpartDecider>(&counterpart).await?.state;
        let since = state.standing().map(|standing| standing.joined_on);
        found(field, format!("counterpart {counterpart}"), COUNTERPART, since, on)
    }

    async fn cooperation_source_exists(
        &self,
        field: &'static str,
        source: CooperationSourceId,
        on: Date,
    ) -> Result<()> {
        let state = self.service.load::<CooperationSourceDecider>(&source).await?.state;
        found(
            field,
            format!("cooperation source {source}"),
            SOURCE,
            state.registered_on,
            on,
        )
    }

    /// A need lives in the stream of the consultation that identified it: the needs are found by
    /// one read of the log's `NeedIdentified` events, whatever their number.
    async fn needs_exist(&self, field: &'static str, needs: &[NeedId], on: Date) -> Result<()> {
        if needs.is_empty() {
            return Ok(());
        }
        let store = self.service.store();
        let head = store.head().await?.position;
        let mut identified_on: Vec<Option<Date>> = vec![None; needs.len()];
        for recorded in store.read_range_of_types(1, head, &["NeedIdentified"]).await? {
            let event = ConsultationEvent::decode_text(
                &recorded.event_type,
                recorded.schema_version,
                recorded.payload.get(),
                stored_on(&recorded),
            );
            if let Ok(ConsultationEvent::NeedIdentified(identified)) = event
                && let Some(index) = needs.iter().position(|need| *need == identified.need)
            {
                identified_on[index].get_or_insert(identified.identified_on);
            }
        }
        for (need, since) in needs.iter().zip(identified_on) {
            found(field, format!("need {need}"), NEED, since, on)?;
        }
        Ok(())
    }
}

/// The refusal for a record that is missing (`since` is `None`) or younger than `on`.
fn found(field: &'static str, record: String, expected: &'static str, since: Option<Date>, on: Date) -> Result<()> {
    match since {
        None => Err(DomainError::UnknownRecord {
            field,
            record,
            expected,
        }
        .into()),
        Some(since) if since > on => Err(DomainError::RecordNotYet {
            field,
            record,
            since,
            on,
        }
        .into()),
        Some(_) => Ok(()),
    }
}
