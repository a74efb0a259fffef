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
use smes_domain::ids::{CounterpartId, OfferId};
use smes_domain::values::{ApprovingBody, Decision, Money};
use smes_domain::work_programme::WorkProgrammeEvent;
use smes_projections::envelope::DomainEvent;
use smes_projections::trace::Subject;
use smes_projections::{Cut, DecisionTrace, Envelope, FundingSource, LogSlice, fold_cut};
use smes_reports::format::decimal;

use crate::context::{Context, SELA_NAME};
use crate::error::{Error, Result};

mod activities;
mod consultations;
mod funding;

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
