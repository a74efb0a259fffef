//! A decision trace as a W3C PROV-JSON document: the needs, proposals, decisions and funds as
//! entities, the consultations, proposals, decisions and the programme's activities as PROV
//! activities, and counterparts (by organisation), the approving bodies, funders and the
//! Secretariat staff who recorded each step (by pseudonymous actor id, never by name) as
//! agents, linked by the standard relations.
//!
//! The events are the very ones the decision trace of `smes trace` reads
//! ([`DecisionTrace::positions`]). Every relation made from an event carries that event's log
//! position and hash (`smes:position`, `smes:hash`), so a PROV consumer can go back to the
//! verifiable log. Record ids are derived from the programme's ids (a record made from one
//! event, such as a decision, by that event's log position: `smes:decision-36`), relation ids
//! are numbered in log order, and JSON objects are written with sorted keys: the same prefix
//! gives the same bytes.

use serde_json::{Map, Value, json};
use smes_domain::activity::{ActivityEvent, Proposer};
use smes_domain::consultation::ConsultationEvent;
use smes_domain::counterpart::CounterpartEvent;
use smes_domain::funding::{InKindContributionEvent, OfferEvent};
use smes_domain::ids::{CounterpartId, OfferId};
use smes_domain::values::{ApprovingBody, Decision, Money};
use smes_domain::work_programme::WorkProgrammeEvent;
use smes_projections::envelope::DomainEvent;
use smes_projections::trace::Subject;
use smes_projections::{Cut, DecisionTrace, Envelope, FundingSource, fold_cut};
use smes_reports::LogSlice;
use smes_reports::format::decimal;

use crate::context::{Context, SELA_NAME};
use crate::error::{Error, Result};

/// The namespace of the document's own identifiers.
pub const NAMESPACE: &str = "urn:smes:";

/// The agent standing for SELA's Permanent Secretariat.
const SECRETARIAT: &str = "smes:sela-permanent-secretariat";
/// The agent standing for the Latin American Council.
const COUNCIL: &str = "smes:latin-american-council";

/// The kinds of PROV relation written, in the document's order.
const RELATIONS: [&str; 6] = [
    "wasGeneratedBy",
    "used",
    "wasAssociatedWith",
    "wasDerivedFrom",
    "wasAttributedTo",
    "actedOnBehalfOf",
];

/// The PROV-JSON document of a subject's decision trace in a log prefix under a cut. A subject
/// with no event under the cut is an error, as for `smes trace`.
pub fn document(log: &LogSlice, subject: Subject, cut: &Cut) -> Result<String> {
    // The same check and message as the other trace formats.
    smes_reports::trace::build(log, subject.clone(), cut)?;
    let context = Context::build(log, cut)?;
    let model: DecisionTrace = fold_cut(&log.envelopes, cut);
    let mut builder = Builder::new(&context, log);
    for position in model.positions(&subject) {
        let Some(envelope) = usize::try_from(position)
            .ok()
            .and_then(|position| position.checked_sub(1))
            .and_then(|index| log.envelopes.get(index))
            .filter(|envelope| envelope.position == position)
        else {
            continue;
        };
        builder.event(envelope);
    }
    let mut text =
        serde_json::to_string_pretty(&builder.finish()).map_err(|error| Error::render("prov-json", error))?;
    text.push('\n');
    Ok(text)
}

/// A qualified name as a typed PROV-JSON value.
fn qualified(name: &str) -> Value {
    json!({"$": name, "type": "prov:QUALIFIED_NAME"})
}

/// A business date as an `xsd:dateTime` at 00:00 UTC.
fn day_time(day: jiff::civil::Date) -> String {
    format!("{day}T00:00:00Z")
}

/// An id made safe for a qualified name's local part.
fn local(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.') {
                character
            } else {
                '_'
            }
        })
        .collect()
}

fn money_text(money: &Money) -> String {
    format!("{} {}", money.currency(), decimal(money.amount()))
}

struct Builder<'a> {
    context: &'a Context,
    /// The log position of each event, by event id, for corrections that name the event.
    positions: std::collections::BTreeMap<String, u64>,
    /// The day each consultation was held, as read so far.
    held_on: std::collections::BTreeMap<String, jiff::civil::Date>,
    /// The programme activities already said to be run by the Secretariat.
    run_by_secretariat: std::collections::BTreeSet<String>,
    entity: Map<String, Value>,
    activity: Map<String, Value>,
    agent: Map<String, Value>,
    relations: Vec<(&'static str, Map<String, Value>)>,
}

impl<'a> Builder<'a> {
    fn new(context: &'a Context, log: &LogSlice) -> Self {
        Builder {
            context,
            positions: log
                .envelopes
                .iter()
                .map(|envelope| (envelope.event_id.to_string(), envelope.position))
                .collect(),
            held_on: std::collections::BTreeMap::new(),
            run_by_secretariat: std::collections::BTreeSet::new(),
            entity: Map::new(),
            activity: Map::new(),
            agent: Map::new(),
            relations: Vec::new(),
        }
    }

    /// Adds attributes to a record, creating it when new; attributes already set stay.
    fn record(map: &mut Map<String, Value>, id: &str, attributes: Value) {
        let record = map.entry(id.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        if let (Value::Object(record), Value::Object(attributes)) = (record, attributes) {
            for (key, value) in attributes {
                record.entry(key).or_insert(value);
            }
        }
    }

    fn entity(&mut self, id: &str, attributes: Value) {
        Self::record(&mut self.entity, id, attributes);
    }

    fn prov_activity(&mut self, id: &str, attributes: Value) {
        Self::record(&mut self.activity, id, attributes);
    }

    fn agent(&mut self, id: &str, attributes: Value) {
        Self::record(&mut self.agent, id, attributes);
    }

    fn relation(&mut self, kind: &'static str, attributes: Value) {
        if let Value::Object(attributes) = attributes {
            self.relations.push((kind, attributes));
        }
    }

    /// A relation carrying the event it was made from.
    fn traced(&mut self, kind: &'static str, envelope: &Envelope, attributes: Value) {
        let mut attributes = attributes;
        if let Value::Object(map) = &mut attributes {
            map.insert("smes:position".to_owned(), json!(envelope.position));
            map.insert("smes:hash".to_owned(), json!(envelope.hash));
        }
        self.relation(kind, attributes);
    }

    fn secretariat(&mut self) -> &'static str {
        self.agent(
            SECRETARIAT,
            json!({"prov:type": qualified("prov:Organization"), "prov:label": SELA_NAME}),
        );
        SECRETARIAT
    }

    /// The Secretariat staff member (or other user) who recorded an event, by pseudonymous id.
    fn recorder(&mut self, envelope: &Envelope) -> String {
        let id = format!("smes:{}", local(&envelope.actor));
        let is_new = !self.agent.contains_key(&id);
        self.agent(
            &id,
            json!({"prov:type": qualified("prov:Person"), "smes:role": envelope.role}),
        );
        if is_new && envelope.role == "secretariat" {
            let secretariat = self.secretariat();
            self.relation(
                "actedOnBehalfOf",
                json!({"prov:delegate": id, "prov:responsible": secretariat}),
            );
        }
        id
    }

    /// Says who recorded the event that made an entity.
    fn recorded_entity(&mut self, envelope: &Envelope, entity: &str) {
        let recorder = self.recorder(envelope);
        self.traced(
            "wasAttributedTo",
            envelope,
            json!({"prov:entity": entity, "prov:agent": recorder, "smes:recordedAt": envelope.recorded_at.to_string()}),
        );
    }

    /// Says who recorded the event about a PROV activity.
    fn recorded_activity(&mut self, envelope: &Envelope, activity: &str) {
        let recorder = self.recorder(envelope);
        self.traced(
            "wasAssociatedWith",
            envelope,
            json!({"prov:activity": activity, "prov:agent": recorder, "prov:role": "recorder", "smes:recordedAt": envelope.recorded_at.to_string()}),
        );
    }

    fn counterpart(&mut self, counterpart: CounterpartId) -> String {
        let id = format!("smes:counterpart-{counterpart}");
        let details = self
            .context
            .models
            .counterparts
            .counterparts
            .get(&counterpart)
            .and_then(|entry| entry.details.as_ref());
        let mut attributes = json!({"prov:type": qualified("prov:Organization")});
        if let Some(details) = details {
            attributes["prov:label"] = json!(details.name);
            attributes["smes:counterpartKind"] = json!(details.kind.slug());
            if let Some(member_state) = details.member_state {
                attributes["smes:memberState"] = json!(member_state.as_str());
            }
        }
        self.agent(&id, attributes);
        id
    }

    fn funder(&mut self, source: FundingSource) -> String {
        let id = match source {
            FundingSource::SelaRegularBudget => return self.secretariat().to_owned(),
            FundingSource::Counterpart(id) => return self.counterpart(id),
            FundingSource::CooperationSource(id) => format!("smes:cooperation-source-{id}"),
            FundingSource::MemberState(code) => format!("smes:member-state-{code}"),
            FundingSource::UnknownOffer(offer) => format!("smes:source-of-offer-{offer}"),
        };
        let organisation = self.context.organisation(source, "");
        self.agent(
            &id,
            json!({"prov:type": qualified("prov:Organization"), "prov:label": organisation.name}),
        );
        id
    }

    fn approving_body(&mut self, decision: &Decision) -> &'static str {
        match &decision.body {
            ApprovingBody::LatinAmericanCouncil { .. } => {
                self.agent(
                    COUNCIL,
                    json!({"prov:type": qualified("prov:Organization"), "prov:label": "Latin American Council of SELA"}),
                );
                COUNCIL
            }
            ApprovingBody::PermanentSecretariat => self.secretariat(),
        }
    }

    fn event(&mut self, envelope: &Envelope) {
        match &envelope.event {
            DomainEvent::Counterpart(event) => self.counterpart_event(event),
            DomainEvent::Consultation(event) => self.consultation_event(envelope, event),
            DomainEvent::Activity(event) => self.activity_event(envelope, event),
            DomainEvent::Offer(event) => self.offer_event(envelope, event),
            DomainEvent::InKindContribution(event) => self.contribution_event(envelope, event),
            DomainEvent::WorkProgramme(WorkProgrammeEvent::Adopted(adopted)) => {
                let decision = format!("smes:decision-{}", envelope.position);
                let deciding = format!("smes:deciding-{}", envelope.position);
                self.decision(envelope, &decision, &deciding, &adopted.decision);
                self.entity(
                    &decision,
                    json!({"smes:adopts": format!("work programme {}", adopted.year.get())}),
                );
            }
            _ => {}
        }
    }

    fn counterpart_event(&mut self, event: &CounterpartEvent) {
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

    fn consultation_event(&mut self, envelope: &Envelope, event: &ConsultationEvent) {
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

    fn decision(&mut self, envelope: &Envelope, decision: &str, deciding: &str, details: &Decision) {
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

    fn activity_event(&mut self, envelope: &Envelope, event: &ActivityEvent) {
        let activity_id = smes_activity_id(event);
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

    fn programme_activity(&mut self, id: &str) {
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

    fn decision_against(
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

    fn result(
        &mut self,
        envelope: &Envelope,
        programme_activity: &str,
        indicator: &str,
        period: smes_domain::values::Period,
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

    fn offer_event(&mut self, envelope: &Envelope, event: &OfferEvent) {
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

    fn drawn_on_commitment(&mut self, envelope: &Envelope, id: &str, commitment: String) {
        let commitment = format!("smes:commitment-{commitment}");
        self.entity(&commitment, json!({"prov:type": qualified("smes:Commitment")}));
        self.traced(
            "wasDerivedFrom",
            envelope,
            json!({"prov:generatedEntity": id, "prov:usedEntity": commitment}),
        );
        self.recorded_entity(envelope, id);
    }

    fn contribution_event(&mut self, envelope: &Envelope, event: &InKindContributionEvent) {
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
                let funder = self.funder(FundingSource::MemberState(valued.host));
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

    fn finish(self) -> Value {
        let mut document = Map::new();
        document.insert("prefix".to_owned(), json!({"smes": NAMESPACE}));
        document.insert("entity".to_owned(), Value::Object(self.entity));
        document.insert("activity".to_owned(), Value::Object(self.activity));
        document.insert("agent".to_owned(), Value::Object(self.agent));
        for kind in RELATIONS {
            let mut records = Map::new();
            for (index, (_, relation)) in self.relations.iter().filter(|(each, _)| *each == kind).enumerate() {
                records.insert(format!("_:{kind}-{:04}", index + 1), Value::Object(relation.clone()));
            }
            if !records.is_empty() {
                document.insert(kind.to_owned(), Value::Object(records));
            }
        }
        Value::Object(document)
    }
}

fn offer_id(offer: OfferId) -> String {
    format!("smes:offer-{offer}")
}

fn smes_activity_id(event: &ActivityEvent) -> String {
    match event {
        ActivityEvent::Proposed(event) => event.activity,
        ActivityEvent::DuplicateWarningOverridden(event) => event.activity,
        ActivityEvent::Approved(event) => event.activity,
        ActivityEvent::Rejected(event) => event.activity,
        ActivityEvent::Deferred(event) => event.activity,
        ActivityEvent::Rescheduled(event) => event.activity,
        ActivityEvent::Held(event) => event.activity,
        ActivityEvent::Cancelled(event) => event.activity,
        ActivityEvent::IndicatorDefined(event) => event.activity,
        ActivityEvent::ResultRecorded(event) => event.activity,
        ActivityEvent::ResultCorrected(event) => event.activity,
    }
    .to_string()
}
