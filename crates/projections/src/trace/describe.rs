//! What a step says: each event of a chain, its link in the chain and a few words without
//! personal data. Computed when a trace is asked for, from the events themselves.

use smes_domain::activity::ActivityEvent;
use smes_domain::consultation::ConsultationEvent;
use smes_domain::counterpart::CounterpartEvent;
use smes_domain::funding::{InKindContributionEvent, OfferEvent};
use smes_domain::values::{ApprovingBody, Money};
use smes_domain::work_programme::WorkProgrammeEvent;

use super::{Stage, Step};
use crate::envelope::{DomainEvent, Envelope};

/// The step an event makes in a trace, or `None` for events that belong to no chain.
pub fn step(envelope: &Envelope) -> Option<Step> {
    let (stage, summary) = describe(&envelope.event)?;
    Some(Step {
        stage,
        position: envelope.position,
        stream: envelope.stream.clone(),
        event_type: envelope.event_type.clone(),
        summary,
        actor: envelope.actor.clone(),
        role: envelope.role.clone(),
        reason: envelope.reason.clone(),
        occurred_at: envelope.occurred_at,
        recorded_at: envelope.recorded_at,
        hash: envelope.hash.clone(),
    })
}

fn describe(event: &DomainEvent) -> Option<(Stage, String)> {
    match event {
        DomainEvent::Activity(event) => Some(activity(event)),
        DomainEvent::Consultation(event) => consultation(event),
        DomainEvent::Counterpart(event) => Some((Stage::Counterpart, counterpart(event))),
        DomainEvent::Offer(event) => Some(offer(event)),
        DomainEvent::InKindContribution(event) => Some((Stage::Funding, contribution(event))),
        DomainEvent::WorkProgramme(WorkProgrammeEvent::Adopted(adopted)) => Some((
            Stage::Decision,
            format!(
                "work programme {} adopted by {}",
                adopted.year.get(),
                adopted.decision.reference
            ),
        )),
        _ => None,
    }
}

fn money(amount: &Money) -> String {
    format!("{} {}", amount.amount(), amount.currency().as_str())
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn activity(event: &ActivityEvent) -> (Stage, String) {
    match event {
        ActivityEvent::Proposed(proposed) => (
            Stage::Proposal,
            format!(
                "proposed {} \"{}\" in {}, hosted by {}, {} to {}, estimated {}",
                proposed.kind.slug(),
                proposed.title,
                proposed.thematic_area.slug(),
                proposed.host.as_str(),
                proposed.planned.start(),
                proposed.planned.end(),
                money(&proposed.estimated_cost)
            ),
        ),
        ActivityEvent::DuplicateWarningOverridden(overridden) => (
            Stage::DuplicateWarning,
            format!(
                "possible duplicate of {} recorded anyway: {}",
                join(&overridden.duplicates),
                overridden.reason
            ),
        ),
        ActivityEvent::DuplicateOverrideNoted(noted) => (
            Stage::DuplicateWarning,
            format!(
                "no possible duplicate found; the reason given is kept as a note: {}",
                noted.reason
            ),
        ),
        ActivityEvent::Approved(approved) => (
            Stage::Decision,
            format!(
                "approved into work programme {} by {} ({}, {}): {}",
                approved.work_programme.get(),
                approved.decision.reference,
                approved.decision.decided_on,
                match &approved.decision.body {
                    ApprovingBody::LatinAmericanCouncil { decision_number } =>
                        format!("Latin American Council Decision {decision_number}"),
                    ApprovingBody::PermanentSecretariat => "Permanent Secretariat".to_owned(),
                },
                approved.decision.rationale
            ),
        ),
        ActivityEvent::Rejected(rejected) => (
            Stage::Decision,
            format!("rejected on {}: {}", rejected.decided_on, rejected.rationale),
        ),
        ActivityEvent::Deferred(deferred) => (
            Stage::Decision,
            format!("deferred on {}: {}", deferred.decided_on, deferred.rationale),
        ),
        ActivityEvent::Rescheduled(rescheduled) => (
            Stage::Proposal,
            format!(
                "rescheduled to {} to {}: {}",
                rescheduled.planned.start(),
                rescheduled.planned.end(),
                rescheduled.reason
            ),
        ),
        ActivityEvent::Held(held) => (
            Stage::Results,
            format!(
                "held {} to {} with {} participants and {} outputs",
                held.held.start(),
                held.held.end(),
                held.participants.total(),
                held.outputs.len()
            ),
        ),
        ActivityEvent::Cancelled(cancelled) => (
            Stage::Results,
            format!("cancelled on {}: {}", cancelled.cancelled_on, cancelled.reason),
        ),
        ActivityEvent::IndicatorDefined(defined) => (
            Stage::Results,
            format!(
                "indicator \"{}\" ({}): baseline {}, target {}",
                defined.name, defined.unit, defined.baseline, defined.target
            ),
        ),
        ActivityEvent::ResultRecorded(recorded) => (
            Stage::Results,
            format!(
                "result {} for {} to {}",
                recorded.value,
                recorded.period.start(),
                recorded.period.end()
            ),
        ),
        ActivityEvent::ResultCorrected(corrected) => (
            Stage::Results,
            format!(
                "result for {} to {} corrected to {} from {}: {}",
                corrected.period.start(),
                corrected.period.end(),
                corrected.value,
                corrected.correction.effective_from,
                corrected.correction.reason
            ),
        ),
    }
}

fn consultation(event: &ConsultationEvent) -> Option<(Stage, String)> {
    match event {
        ConsultationEvent::Scheduled(scheduled) => Some((
            Stage::Consultation,
            format!(
                "consultation \"{}\" scheduled for {} at {}",
                scheduled.title, scheduled.scheduled_for, scheduled.venue
            ),
        )),
        ConsultationEvent::Held(held) => Some((
            Stage::Consultation,
            format!(
                "consultation held on {} at {} with {} counterparts, minutes {}",
                held.held_on,
                held.venue,
                held.participants.len(),
                held.minutes_reference
            ),
        )),
        ConsultationEvent::NeedIdentified(identified) => Some((
            Stage::Need,
            format!(
                "need identified in {} for {} ({} priority): {}",
                identified.thematic_area.slug(),
                identified
                    .member_states
                    .iter()
                    .map(|state| state.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                identified.priority.slug(),
                identified.description
            ),
        )),
        ConsultationEvent::AchievementsEvaluated(_) | ConsultationEvent::Closed(_) => None,
    }
}

fn counterpart(event: &CounterpartEvent) -> String {
    match event {
        CounterpartEvent::Joined(joined) => format!(
            "counterpart \"{}\" ({}{}) joined on {}",
            joined.details.name,
            joined.details.kind.slug(),
            joined
                .details
                .member_state
                .map(|state| format!(", {}", state.as_str()))
                .unwrap_or_default(),
            joined.joined_on
        ),
        CounterpartEvent::DetailsCorrected(corrected) => format!(
            "details corrected to \"{}\" from {}: {}",
            corrected.details.name, corrected.correction.effective_from, corrected.correction.reason
        ),
        // Focal points are personal data: the trace only says that one changed.
        CounterpartEvent::FocalPointChanged(changed) => format!("focal point changed on {}", changed.changed_on),
        CounterpartEvent::Withdrew(withdrew) => {
            format!("withdrew on {}: {}", withdrew.withdrew_on, withdrew.reason)
        }
    }
}

fn offer(event: &OfferEvent) -> (Stage, String) {
    match event {
        OfferEvent::Recorded(recorded) => (
            Stage::Funding,
            format!(
                "{} offer of {} recorded on {} for \"{}\"",
                recorded.kind.slug(),
                money(&recorded.amount),
                recorded.recorded_on,
                recorded.purpose
            ),
        ),
        OfferEvent::DuplicateWarningOverridden(overridden) => (
            Stage::DuplicateWarning,
            format!(
                "offer may duplicate {}, recorded anyway: {}",
                join(&overridden.duplicates),
                overridden.reason
            ),
        ),
        OfferEvent::DuplicateOverrideNoted(noted) => (
            Stage::DuplicateWarning,
            format!(
                "no possible duplicate found; the reason given is kept as a note: {}",
                noted.reason
            ),
        ),
        OfferEvent::CommitmentMade(made) => (
            Stage::Funding,
            format!("committed {} on {}", money(&made.amount), made.committed_on),
        ),
        OfferEvent::DisbursementRecorded(recorded) => (
            Stage::Funding,
            format!("disbursed {} on {}", money(&recorded.amount), recorded.disbursed_on),
        ),
        OfferEvent::ExpenditureRecorded(recorded) => (
            Stage::Funding,
            format!(
                "spent {} on {}: {}",
                money(&recorded.amount),
                recorded.spent_on,
                recorded.description
            ),
        ),
    }
}

fn contribution(event: &InKindContributionEvent) -> String {
    match event {
        InKindContributionEvent::Valued(valued) => format!(
            "{} gives in kind \"{}\" valued {} on {}",
            valued.contributor,
            valued.what,
            money(&valued.value),
            valued.valued_on
        ),
        InKindContributionEvent::Revalued(revalued) => format!(
            "in-kind contribution revalued to {} from {}: {}",
            money(&revalued.value),
            revalued.correction.effective_from,
            revalued.correction.reason
        ),
    }
}

#[cfg(test)]
mod tests {
    use smes_domain::activity::DuplicateOverrideNoted;
    use smes_domain::funding::OfferDuplicateOverrideNoted;

    use super::*;

    fn id<T: TryFrom<uuid::Uuid>>(number: u128) -> T
    where
        T::Error: std::fmt::Debug,
    {
        T::try_from(uuid::Uuid::from_u128(number)).expect("test ids are not nil")
    }

    #[test]
    fn a_reason_kept_as_a_note_is_a_step_beside_the_overrides() {
        let noted = DomainEvent::Activity(ActivityEvent::DuplicateOverrideNoted(DuplicateOverrideNoted {
            activity: id(1),
            reason: "Bolivia asked for its own workshop".to_owned(),
        }));
        assert_eq!(
            describe(&noted),
            Some((
                Stage::DuplicateWarning,
                "no possible duplicate found; the reason given is kept as a note: Bolivia asked for its own workshop"
                    .to_owned()
            ))
        );
        let noted = DomainEvent::Offer(OfferEvent::DuplicateOverrideNoted(OfferDuplicateOverrideNoted {
            offer: id(2),
            reason: "a second tranche".to_owned(),
        }));
        assert_eq!(
            describe(&noted).map(|(stage, summary)| (stage, summary.ends_with(": a second tranche"))),
            Some((Stage::DuplicateWarning, true))
        );
    }
}
