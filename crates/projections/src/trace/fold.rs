//! How the decision trace is folded: the position of each event of a chain under the records
//! it concerns, and the links between records, kept whichever side arrives first.

use smes_domain::activity::{ActivityEvent, Proposer};
use smes_domain::consultation::ConsultationEvent;
use smes_domain::counterpart::CounterpartEvent;
use smes_domain::funding::{InKindContributionEvent, OfferEvent, OfferSource};
use smes_domain::ids::{CommitmentId, OfferId};
use smes_domain::work_programme::WorkProgrammeEvent;

use super::DecisionTrace;
use crate::envelope::{DomainEvent, Envelope};
use crate::projection::Projection;

impl Projection for DecisionTrace {
    fn apply(&mut self, envelope: &Envelope) {
        let position = envelope.position;
        match &envelope.event {
            DomainEvent::Activity(event) => self.apply_activity(position, event),
            DomainEvent::Consultation(event) => self.apply_consultation(position, event),
            DomainEvent::Counterpart(event) => {
                let counterpart = match event {
                    CounterpartEvent::Joined(joined) => joined.counterpart,
                    CounterpartEvent::DetailsCorrected(corrected) => corrected.counterpart,
                    CounterpartEvent::FocalPointChanged(changed) => changed.counterpart,
                    CounterpartEvent::Withdrew(withdrew) => withdrew.counterpart,
                };
                self.counterparts.entry(counterpart).or_default().steps.insert(position);
            }
            DomainEvent::Offer(event) => self.apply_offer(position, event),
            DomainEvent::InKindContribution(event) => {
                let contribution = match event {
                    InKindContributionEvent::Valued(valued) => {
                        self.activities
                            .entry(valued.activity)
                            .or_default()
                            .contributions
                            .insert(valued.contribution);
                        valued.contribution
                    }
                    InKindContributionEvent::Revalued(revalued) => revalued.contribution,
                };
                self.contributions.entry(contribution).or_default().insert(position);
            }
            DomainEvent::WorkProgramme(WorkProgrammeEvent::Adopted(adopted)) => {
                self.decisions
                    .entry(adopted.decision.reference.clone())
                    .or_default()
                    .steps
                    .insert(position);
            }
            _ => {}
        }
    }
}

impl DecisionTrace {
    fn apply_activity(&mut self, position: u64, event: &ActivityEvent) {
        let activity = event.activity();
        match event {
            ActivityEvent::Proposed(proposed) => {
                for need in &proposed.answers_needs {
                    self.needs.entry(*need).or_default().activities.insert(activity);
                }
                let links = self.activities.entry(activity).or_default();
                links.needs.extend(proposed.answers_needs.iter().copied());
                if let Proposer::Counterpart(counterpart) = proposed.proposed_by {
                    links.proposed_by = Some(counterpart);
                    self.counterparts
                        .entry(counterpart)
                        .or_default()
                        .activities
                        .insert(activity);
                }
            }
            ActivityEvent::DuplicateWarningOverridden(overridden) => {
                for duplicate in &overridden.duplicates {
                    self.activities
                        .entry(*duplicate)
                        .or_default()
                        .named_as_duplicate
                        .insert(position);
                }
            }
            ActivityEvent::Approved(approved) => {
                let reference = &approved.decision.reference;
                if !self.decisions.contains_key(reference) {
                    self.decisions.insert(reference.clone(), Default::default());
                }
                if let Some(links) = self.decisions.get_mut(reference) {
                    links.steps.insert(position);
                    links.activities.insert(activity);
                }
                let decisions = &mut self.activities.entry(activity).or_default().decisions;
                if !decisions.contains(reference) {
                    decisions.insert(reference.clone());
                }
            }
            _ => {}
        }
        self.activities.entry(activity).or_default().steps.insert(position);
    }

    fn apply_consultation(&mut self, position: u64, event: &ConsultationEvent) {
        match event {
            ConsultationEvent::Scheduled(scheduled) => {
                self.consultations
                    .entry(scheduled.consultation)
                    .or_default()
                    .steps
                    .insert(position);
            }
            ConsultationEvent::Held(held) => {
                for counterpart in &held.participants {
                    self.counterparts
                        .entry(*counterpart)
                        .or_default()
                        .consultations
                        .insert(held.consultation);
                }
                let links = self.consultations.entry(held.consultation).or_default();
                links.steps.insert(position);
                links.participants.extend(held.participants.iter().copied());
            }
            ConsultationEvent::NeedIdentified(identified) => {
                for counterpart in &identified.raised_by {
                    self.counterparts
                        .entry(*counterpart)
                        .or_default()
                        .needs
                        .insert(identified.need);
                }
                let links = self.needs.entry(identified.need).or_default();
                links.step = Some(position);
                links.consultation = Some(identified.consultation);
                links.raised_by.extend(identified.raised_by.iter().copied());
            }
            ConsultationEvent::AchievementsEvaluated(_) | ConsultationEvent::Closed(_) => {}
        }
    }

    fn apply_offer(&mut self, position: u64, event: &OfferEvent) {
        match event {
            OfferEvent::Recorded(recorded) => {
                if let OfferSource::Counterpart(counterpart) = recorded.source {
                    self.counterparts
                        .entry(counterpart)
                        .or_default()
                        .offers
                        .insert(recorded.offer);
                }
                self.offers.entry(recorded.offer).or_default().insert(position);
            }
            OfferEvent::DuplicateWarningOverridden(overridden) => {
                self.offers.entry(overridden.offer).or_default().insert(position);
            }
            OfferEvent::DuplicateOverrideNoted(noted) => {
                self.offers.entry(noted.offer).or_default().insert(position);
            }
            OfferEvent::CommitmentMade(made) => {
                self.activities
                    .entry(made.activity)
                    .or_default()
                    .commitments
                    .insert(made.commitment);
                self.commitment_step(made.commitment, made.offer, position);
            }
            OfferEvent::DisbursementRecorded(recorded) => {
                self.commitment_step(recorded.commitment, recorded.offer, position);
            }
            OfferEvent::ExpenditureRecorded(recorded) => {
                self.commitment_step(recorded.commitment, recorded.offer, position);
            }
        }
    }

    fn commitment_step(&mut self, commitment: CommitmentId, offer: OfferId, position: u64) {
        let links = self.commitments.entry(commitment).or_default();
        links.offer = Some(offer);
        links.steps.insert(position);
    }
}
