//! Proposals, decisions, the programme activity itself, its outputs, indicators and results.

use serde_json::json;
use smes_domain::activity::{ActivityEvent, Proposer};
use smes_domain::values::{Decision, Period};
use smes_projections::Envelope;
use smes_reports::format::decimal;

use super::{Builder, day_time, money_text, qualified};

impl Builder<'_> {
    pub(super) fn decision(&mut self, envelope: &Envelope, decision: &str, deciding: &str, details: &Decision) {
        self.entity(
            decision,
            json!({
                "prov:type": qualified("smes:Decision"),
                "prov:label": details.reference,
                "smes:rationale": details.rationale,
                "smes:decidedOn": details.decided_on.to_string(),
            }),
        );
        self.prov_activity(
            deciding,
            json!({
                "prov:type": qualified("smes:Approval"),
                "prov:startTime": day_time(details.decided_on),
                "prov:endTime": day_time(details.decided_on),
            }),
        );
        self.traced(
            "wasGeneratedBy",
            envelope,
            json!({"prov:entity": decision, "prov:activity": deciding, "prov:time": day_time(details.decided_on)}),
        );
        let body = self.approving_body(details);
        self.traced(
            "wasAssociatedWith",
            envelope,
            json!({"prov:activity": deciding, "prov:agent": body, "prov:role": "approving-body"}),
        );
        self.recorded_activity(envelope, deciding);
    }

    pub(super) fn activity_event(&mut self, envelope: &Envelope, event: &ActivityEvent) {
        let activity_id = event.activity().to_string();
        let programme_activity = format!("smes:activity-{activity_id}");
        let proposal = format!("smes:proposal-{activity_id}");
        match event {
            ActivityEvent::Proposed(proposed) => {
                let proposing = format!("smes:proposing-{activity_id}");
                self.entity(
                    &proposal,
                    json!({
                        "prov:type": qualified("smes:Proposal"),
                        "prov:label": proposed.title,
                        "smes:activityKind": proposed.kind.slug(),
                        "smes:thematicArea": proposed.thematic_area.slug(),
                        "smes:host": proposed.host.as_str(),
                        "smes:plannedStart": proposed.planned.start().to_string(),
                        "smes:plannedEnd": proposed.planned.end().to_string(),
                        "smes:estimatedCost": money_text(&proposed.estimated_cost),
                    }),
                );
                self.prov_activity(
                    &proposing,
                    json!({
                        "prov:type": qualified("smes:Proposing"),
                        "prov:startTime": day_time(proposed.proposed_on),
                        "prov:endTime": day_time(proposed.proposed_on),
                    }),
                );
                self.traced(
                    "wasGeneratedBy",
                    envelope,
                    json!({"prov:entity": proposal, "prov:activity": proposing, "prov:time": day_time(proposed.proposed_on)}),
                );
                for need in &proposed.answers_needs {
                    let need = format!("smes:need-{need}");
                    self.entity(&need, json!({"prov:type": qualified("smes:Need")}));
                    self.traced(
                        "used",
                        envelope,
                        json!({"prov:activity": proposing, "prov:entity": need}),
                    );
                    self.traced(
                        "wasDerivedFrom",
                        envelope,
                        json!({"prov:generatedEntity": proposal, "prov:usedEntity": need}),
                    );
                }
                let proposer = match proposed.proposed_by {
                    Proposer::Counterpart(counterpart) => self.counterpart(counterpart),
                    Proposer::Secretariat => self.secretariat().to_owned(),
                };
                self.traced(
                    "wasAssociatedWith",
                    envelope,
                    json!({"prov:activity": proposing, "prov:agent": proposer, "prov:role": "proposer"}),
                );
                self.recorded_activity(envelope, &proposing);
            }
            ActivityEvent::DuplicateWarningOverridden(overridden) => {
                let id = format!("smes:duplicate-override-{}", envelope.position);
                let duplicates: Vec<String> = overridden.duplicates.iter().map(ToString::to_string).collect();
                self.entity(
                    &id,
                    json!({
                        "prov:type": qualified("smes:DuplicateWarningOverride"),
                        "prov:label": overridden.reason,
                        "smes:duplicates": duplicates.join(" "),
                    }),
                );
                let proposal = format!("smes:proposal-{}", overridden.activity);
                self.entity(&proposal, json!({"prov:type": qualified("smes:Proposal")}));
                self.traced(
                    "wasDerivedFrom",
                    envelope,
                    json!({"prov:generatedEntity": id, "prov:usedEntity": proposal}),
                );
                self.recorded_entity(envelope, &id);
            }
            ActivityEvent::DuplicateOverrideNoted(noted) => {
                let id = format!("smes:duplicate-override-note-{}", envelope.position);
                self.entity(
                    &id,
                    json!({"prov:type": qualified("smes:DuplicateOverrideNote"), "prov:label": noted.reason}),
                );
                let proposal = format!("smes:proposal-{}", noted.activity);
                self.entity(&proposal, json!({"prov:type": qualified("smes:Proposal")}));
                self.traced(
                    "wasDerivedFrom",
                    envelope,
                    json!({"prov:generatedEntity": id, "prov:usedEntity": proposal}),
                );
                self.recorded_entity(envelope, &id);
            }
            ActivityEvent::Approved(approved) => {
                let decision = format!("smes:decision-{}", envelope.position);
                let deciding = format!("smes:deciding-{}", envelope.position);
                self.decision(envelope, &decision, &deciding, &approved.decision);
                self.entity(
                    &decision,
                    json!({"smes:outcome": "approved", "smes:workProgramme": approved.work_programme.get()}),
                );
                self.entity(&proposal, json!({"prov:type": qualified("smes:Proposal")}));
                self.traced(
                    "used",
                    envelope,
                    json!({"prov:activity": deciding, "prov:entity": proposal}),
                );
                self.traced(
                    "wasDerivedFrom",
                    envelope,
                    json!({"prov:generatedEntity": decision, "prov:usedEntity": proposal}),
                );
                self.programme_activity(&programme_activity);
                self.traced(
                    "used",
                    envelope,
                    json!({"prov:activity": programme_activity, "prov:entity": decision, "prov:role": "approval"}),
                );
            }
            ActivityEvent::Rejected(rejected) => {
                self.decision_against(
                    envelope,
                    &proposal,
                    "rejected",
                    &rejected.rationale,
                    rejected.decided_on,
                );
            }
            ActivityEvent::Deferred(deferred) => {
                self.decision_against(
                    envelope,
                    &proposal,
                    "deferred",
                    &deferred.rationale,
                    deferred.decided_on,
                );
            }
            ActivityEvent::Rescheduled(rescheduled) => {
                self.programme_activity(&programme_activity);
                self.prov_activity(
                    &programme_activity,
                    json!({
                        "smes:plannedStart": rescheduled.planned.start().to_string(),
                        "smes:plannedEnd": rescheduled.planned.end().to_string(),
                    }),
                );
                self.recorded_activity(envelope, &programme_activity);
            }
            ActivityEvent::Held(held) => {
                self.prov_activity(
                    &programme_activity,
                    json!({
                        "prov:startTime": day_time(held.held.start()),
                        "prov:endTime": day_time(held.held.end()),
                        "smes:status": "held",
                        "smes:participants": held.participants.by_sex.iter().map(|share| u64::from(share.value)).sum::<u64>(),
                    }),
                );
                self.programme_activity(&programme_activity);
                self.recorded_activity(envelope, &programme_activity);
                for (index, output) in held.outputs.iter().enumerate() {
                    let id = format!("smes:output-{activity_id}-{}", index + 1);
                    self.entity(
                        &id,
                        json!({
                            "prov:type": qualified("smes:Output"),
                            "prov:label": output.title,
                            "smes:outputKind": output.kind.slug(),
                            "smes:link": {"$": output.link, "type": "xsd:anyURI"},
                        }),
                    );
                    self.traced(
                        "wasGeneratedBy",
                        envelope,
                        json!({"prov:entity": id, "prov:activity": programme_activity, "prov:time": day_time(held.held.end())}),
                    );
                }
            }
            ActivityEvent::Cancelled(cancelled) => {
                self.prov_activity(
                    &programme_activity,
                    json!({"smes:status": "cancelled", "smes:cancelledOn": cancelled.cancelled_on.to_string(), "smes:cancellationReason": cancelled.reason}),
                );
                self.programme_activity(&programme_activity);
                self.recorded_activity(envelope, &programme_activity);
            }
            ActivityEvent::IndicatorDefined(defined) => {
                let id = format!("smes:indicator-{}", defined.indicator);
                self.entity(
                    &id,
                    json!({
                        "prov:type": qualified("smes:Indicator"),
                        "prov:label": defined.name,
                        "smes:unit": defined.unit,
                        "smes:baseline": decimal(defined.baseline),
                        "smes:target": decimal(defined.target),
                    }),
                );
                self.recorded_entity(envelope, &id);
            }
            ActivityEvent::ResultRecorded(recorded) => {
                self.result(
                    envelope,
                    &programme_activity,
                    &recorded.indicator.to_string(),
                    recorded.period,
                    recorded.value,
                    None,
                );
            }
            ActivityEvent::ResultCorrected(corrected) => {
                self.result(
                    envelope,
                    &programme_activity,
                    &corrected.indicator.to_string(),
                    corrected.period,
                    corrected.value,
                    Some(corrected.correction.corrects.to_string()),
                );
            }
        }
    }

    pub(super) fn programme_activity(&mut self, id: &str) {
        self.prov_activity(id, json!({"prov:type": qualified("smes:ProgrammeActivity")}));
        // The Secretariat runs every activity of the work programme: said once per activity.
        if self.run_by_secretariat.insert(id.to_owned()) {
            let secretariat = self.secretariat();
            self.relation(
                "wasAssociatedWith",
                json!({"prov:activity": id, "prov:agent": secretariat, "prov:role": "runs"}),
            );
        }
    }

    pub(super) fn decision_against(
        &mut self,
        envelope: &Envelope,
        proposal: &str,
        outcome: &str,
        rationale: &str,
        on: jiff::civil::Date,
    ) {
        let decision = format!("smes:decision-{}", envelope.position);
        let deciding = format!("smes:deciding-{}", envelope.position);
        self.entity(
            &decision,
            json!({
                "prov:type": qualified("smes:Decision"),
                "prov:label": format!("{outcome}: {rationale}"),
                "smes:outcome": outcome,
                "smes:decidedOn": on.to_string(),
            }),
        );
        self.prov_activity(
            &deciding,
            json!({"prov:type": qualified("smes:Approval"), "prov:startTime": day_time(on), "prov:endTime": day_time(on)}),
        );
        self.entity(proposal, json!({"prov:type": qualified("smes:Proposal")}));
        self.traced(
            "used",
            envelope,
            json!({"prov:activity": deciding, "prov:entity": proposal}),
        );
        self.traced(
            "wasGeneratedBy",
            envelope,
            json!({"prov:entity": decision, "prov:activity": deciding, "prov:time": day_time(on)}),
        );
        self.traced(
            "wasDerivedFrom",
            envelope,
            json!({"prov:generatedEntity": decision, "prov:usedEntity": proposal}),
        );
        let secretariat = self.secretariat();
        self.traced(
            "wasAssociatedWith",
            envelope,
            json!({"prov:activity": deciding, "prov:agent": secretariat, "prov:role": "approving-body"}),
        );
        self.recorded_activity(envelope, &deciding);
    }

    pub(super) fn result(
        &mut self,
        envelope: &Envelope,
        programme_activity: &str,
        indicator: &str,
        period: Period,
        value: rust_decimal::Decimal,
        corrects: Option<String>,
    ) {
        let id = format!("smes:result-{}", envelope.position);
        let mut attributes = json!({
            "prov:type": qualified("smes:Result"),
            "prov:value": decimal(value),
            "smes:indicator": indicator,
            "smes:periodStart": period.start().to_string(),
            "smes:periodEnd": period.end().to_string(),
        });
        if let Some(corrects) = &corrects {
            attributes["smes:corrects"] = json!(corrects);
        }
        self.entity(&id, attributes);
        self.programme_activity(programme_activity);
        self.traced(
            "wasGeneratedBy",
            envelope,
            json!({"prov:entity": id, "prov:activity": programme_activity, "prov:time": envelope.occurred_at.to_string()}),
        );
        let indicator_entity = format!("smes:indicator-{indicator}");
        self.entity(&indicator_entity, json!({"prov:type": qualified("smes:Indicator")}));
        self.traced(
            "wasDerivedFrom",
            envelope,
            json!({"prov:generatedEntity": id, "prov:usedEntity": indicator_entity}),
        );
        let corrected_position = corrects
            .as_deref()
            .and_then(|corrects| self.positions.get(corrects).copied());
        if let Some(position) = corrected_position {
            let corrected = format!("smes:result-{position}");
            if self.entity.contains_key(&corrected) {
                self.traced(
                    "wasDerivedFrom",
                    envelope,
                    json!({"prov:generatedEntity": id, "prov:usedEntity": corrected, "prov:type": qualified("prov:Revision")}),
                );
            }
        }
        self.recorded_entity(envelope, &id);
    }
}
