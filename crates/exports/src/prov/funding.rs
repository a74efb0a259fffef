//! Offers, commitments, payments, expenditure and in-kind contributions.

use serde_json::json;
use smes_domain::funding::{InKindContributionEvent, OfferEvent};
use smes_projections::{Envelope, FundingSource};

use super::{Builder, money_text, offer_id, qualified};

impl Builder<'_> {
    pub(super) fn offer_event(&mut self, envelope: &Envelope, event: &OfferEvent) {
        match event {
            OfferEvent::Recorded(recorded) => {
                let id = offer_id(recorded.offer);
                self.entity(
                    &id,
                    json!({
                        "prov:type": qualified("smes:Offer"),
                        "prov:label": recorded.purpose,
                        "smes:offerKind": recorded.kind.slug(),
                        "smes:amount": money_text(&recorded.amount),
                    }),
                );
                let funder = self.funder(recorded.source.into());
                self.traced(
                    "wasAttributedTo",
                    envelope,
                    json!({"prov:entity": id, "prov:agent": funder, "prov:role": "offered-by"}),
                );
                self.recorded_entity(envelope, &id);
            }
            OfferEvent::DuplicateWarningOverridden(overridden) => {
                let id = format!("smes:duplicate-override-{}", envelope.position);
                self.entity(
                    &id,
                    json!({"prov:type": qualified("smes:DuplicateWarningOverride"), "prov:label": overridden.reason}),
                );
                let offer = offer_id(overridden.offer);
                self.entity(&offer, json!({"prov:type": qualified("smes:Offer")}));
                self.traced(
                    "wasDerivedFrom",
                    envelope,
                    json!({"prov:generatedEntity": id, "prov:usedEntity": offer}),
                );
                self.recorded_entity(envelope, &id);
            }
            OfferEvent::DuplicateOverrideNoted(noted) => {
                let id = format!("smes:duplicate-override-note-{}", envelope.position);
                self.entity(
                    &id,
                    json!({"prov:type": qualified("smes:DuplicateOverrideNote"), "prov:label": noted.reason}),
                );
                let offer = offer_id(noted.offer);
                self.entity(&offer, json!({"prov:type": qualified("smes:Offer")}));
                self.traced(
                    "wasDerivedFrom",
                    envelope,
                    json!({"prov:generatedEntity": id, "prov:usedEntity": offer}),
                );
                self.recorded_entity(envelope, &id);
            }
            OfferEvent::CommitmentMade(made) => {
                let id = format!("smes:commitment-{}", made.commitment);
                self.entity(
                    &id,
                    json!({
                        "prov:type": qualified("smes:Commitment"),
                        "smes:amount": money_text(&made.amount),
                        "smes:committedOn": made.committed_on.to_string(),
                    }),
                );
                let offer = offer_id(made.offer);
                self.entity(&offer, json!({"prov:type": qualified("smes:Offer")}));
                self.traced(
                    "wasDerivedFrom",
                    envelope,
                    json!({"prov:generatedEntity": id, "prov:usedEntity": offer}),
                );
                let source = self
                    .context
                    .models
                    .funding_ledger()
                    .book
                    .offers
                    .get(&made.offer)
                    .map_or(FundingSource::UnknownOffer(made.offer), |offer| offer.source);
                let funder = self.funder(source);
                self.traced(
                    "wasAttributedTo",
                    envelope,
                    json!({"prov:entity": id, "prov:agent": funder, "prov:role": "funder"}),
                );
                let programme_activity = format!("smes:activity-{}", made.activity);
                self.programme_activity(&programme_activity);
                self.traced(
                    "used",
                    envelope,
                    json!({"prov:activity": programme_activity, "prov:entity": id, "prov:role": "funding"}),
                );
                self.recorded_entity(envelope, &id);
            }
            OfferEvent::DisbursementRecorded(recorded) => {
                let id = format!("smes:disbursement-{}", envelope.position);
                self.entity(
                    &id,
                    json!({
                        "prov:type": qualified("smes:Disbursement"),
                        "smes:amount": money_text(&recorded.amount),
                        "smes:disbursedOn": recorded.disbursed_on.to_string(),
                    }),
                );
                self.drawn_on_commitment(envelope, &id, recorded.commitment.to_string());
            }
            OfferEvent::ExpenditureRecorded(recorded) => {
                let id = format!("smes:expenditure-{}", envelope.position);
                self.entity(
                    &id,
                    json!({
                        "prov:type": qualified("smes:Expenditure"),
                        "prov:label": recorded.description,
                        "smes:amount": money_text(&recorded.amount),
                        "smes:spentOn": recorded.spent_on.to_string(),
                    }),
                );
                self.drawn_on_commitment(envelope, &id, recorded.commitment.to_string());
            }
        }
    }

    pub(super) fn drawn_on_commitment(&mut self, envelope: &Envelope, id: &str, commitment: String) {
        let commitment = format!("smes:commitment-{commitment}");
        self.entity(&commitment, json!({"prov:type": qualified("smes:Commitment")}));
        self.traced(
            "wasDerivedFrom",
            envelope,
            json!({"prov:generatedEntity": id, "prov:usedEntity": commitment}),
        );
        self.recorded_entity(envelope, id);
    }

    pub(super) fn contribution_event(&mut self, envelope: &Envelope, event: &InKindContributionEvent) {
        match event {
            InKindContributionEvent::Valued(valued) => {
                let id = format!("smes:contribution-{}", valued.contribution);
                self.entity(
                    &id,
                    json!({
                        "prov:type": qualified("smes:InKindContribution"),
                        "prov:label": valued.what,
                        "smes:value": money_text(&valued.value),
                    }),
                );
                let funder = self.funder(FundingSource::from(valued.contributor));
                self.traced(
                    "wasAttributedTo",
                    envelope,
                    json!({"prov:entity": id, "prov:agent": funder, "prov:role": "contributor"}),
                );
                let programme_activity = format!("smes:activity-{}", valued.activity);
                self.programme_activity(&programme_activity);
                self.traced(
                    "used",
                    envelope,
                    json!({"prov:activity": programme_activity, "prov:entity": id, "prov:role": "in-kind"}),
                );
                self.recorded_entity(envelope, &id);
            }
            InKindContributionEvent::Revalued(revalued) => {
                let id = format!("smes:contribution-{}", revalued.contribution);
                let revision = format!(
                    "smes:contribution-{}-revalued-{}",
                    revalued.contribution, envelope.position
                );
                self.entity(&id, json!({"prov:type": qualified("smes:InKindContribution")}));
                self.entity(
                    &revision,
                    json!({
                        "prov:type": qualified("smes:InKindContribution"),
                        "smes:value": money_text(&revalued.value),
                        "smes:reason": revalued.correction.reason,
                    }),
                );
                self.traced(
                    "wasDerivedFrom",
                    envelope,
                    json!({"prov:generatedEntity": revision, "prov:usedEntity": id, "prov:type": qualified("prov:Revision")}),
                );
                self.recorded_entity(envelope, &revision);
            }
        }
    }
}
