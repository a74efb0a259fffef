//! Counterparts, consultations and the needs they identify, as PROV agents, activities and entities.

use serde_json::json;
use smes_domain::consultation::ConsultationEvent;
use smes_domain::counterpart::CounterpartEvent;
use smes_projections::Envelope;

use super::{Builder, day_time, qualified};

impl Builder<'_> {
    pub(super) fn counterpart_event(&mut self, event: &CounterpartEvent) {
        let (counterpart, joined_on) = match event {
            CounterpartEvent::Joined(joined) => (joined.counterpart, Some(joined.joined_on)),
            CounterpartEvent::DetailsCorrected(corrected) => (corrected.counterpart, None),
            CounterpartEvent::FocalPointChanged(changed) => (changed.counterpart, None),
            CounterpartEvent::Withdrew(withdrew) => (withdrew.counterpart, None),
        };
        let agent = self.counterpart(counterpart);
        if let Some(joined_on) = joined_on {
            self.agent(&agent, json!({"smes:joinedOn": joined_on.to_string()}));
        }
        if let CounterpartEvent::Withdrew(withdrew) = event {
            self.agent(&agent, json!({"smes:withdrewOn": withdrew.withdrew_on.to_string()}));
        }
    }

    pub(super) fn consultation_event(&mut self, envelope: &Envelope, event: &ConsultationEvent) {
        match event {
            ConsultationEvent::Scheduled(scheduled) => {
                let id = format!("smes:consultation-{}", scheduled.consultation);
                self.prov_activity(
                    &id,
                    json!({"prov:type": qualified("smes:Consultation"), "prov:label": scheduled.title, "prov:location": scheduled.venue}),
                );
                self.recorded_activity(envelope, &id);
            }
            ConsultationEvent::Held(held) => {
                let id = format!("smes:consultation-{}", held.consultation);
                self.held_on.insert(id.clone(), held.held_on);
                self.prov_activity(
                    &id,
                    json!({
                        "prov:type": qualified("smes:Consultation"),
                        "prov:startTime": day_time(held.held_on),
                        "prov:endTime": day_time(held.held_on),
                        "prov:location": held.venue,
                        "smes:minutes": held.minutes_reference,
                    }),
                );
                self.recorded_activity(envelope, &id);
                for participant in &held.participants {
                    let agent = self.counterpart(*participant);
                    self.traced(
                        "wasAssociatedWith",
                        envelope,
                        json!({"prov:activity": id, "prov:agent": agent, "prov:role": "participant"}),
                    );
                }
            }
            ConsultationEvent::NeedIdentified(identified) => {
                let need = format!("smes:need-{}", identified.need);
                let consultation = format!("smes:consultation-{}", identified.consultation);
                self.prov_activity(&consultation, json!({"prov:type": qualified("smes:Consultation")}));
                let member_states: Vec<&str> = identified.member_states.iter().map(|code| code.as_str()).collect();
                self.entity(
                    &need,
                    json!({
                        "prov:type": qualified("smes:Need"),
                        "prov:label": identified.description,
                        "smes:thematicArea": identified.thematic_area.slug(),
                        "smes:priority": identified.priority.slug(),
                        "smes:memberStates": member_states.join(" "),
                    }),
                );
                // A need is identified at its consultation; its own business time may be the
                // record time when the command gave no date.
                let time = self
                    .held_on
                    .get(&consultation)
                    .map_or_else(|| envelope.occurred_at.to_string(), |day| day_time(*day));
                self.traced(
                    "wasGeneratedBy",
                    envelope,
                    json!({"prov:entity": need, "prov:activity": consultation, "prov:time": time}),
                );
                for counterpart in &identified.raised_by {
                    let agent = self.counterpart(*counterpart);
                    self.traced(
                        "wasAttributedTo",
                        envelope,
                        json!({"prov:entity": need, "prov:agent": agent, "prov:role": "raised-by"}),
                    );
                }
                self.recorded_entity(envelope, &need);
            }
            ConsultationEvent::AchievementsEvaluated(_) | ConsultationEvent::Closed(_) => {}
        }
    }
}
