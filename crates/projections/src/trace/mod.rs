//! The decision trace: for any activity, need, counterpart or decision, the chain need →
//! consultation → counterparts → proposal → duplicate warnings and overrides → decision →
//! funding → results, each step with its log position, actor, role, reason, business and
//! record time, and hash.
//!
//! The fold keeps only log positions and the links between records (which needs an activity
//! answers, who raised a need, which offer a commitment draws on, ...), so it stays small and
//! fast however long the log. A trace is asked for in two moves: [`DecisionTrace::positions`]
//! says which events make it up, the caller reads them from the log (the log is immutable, so
//! they are the very events folded), and [`Trace::from_events`] turns them into steps, in
//! chain order; [`DecisionTrace::trace`] does both over a log slice. Links are kept whichever
//! side arrives first, so a filtered history (an approval without its proposal, a commitment
//! without its offer) gives the steps that are there and leaves out those that are not.
//! Steps carry no personal data: counterparts appear by id and organisation name, actors by
//! pseudonymous id and role.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use smes_domain::ids::{ActivityId, CommitmentId, ConsultationId, ContributionId, CounterpartId, NeedId, OfferId};

mod describe;
mod fold;

use crate::envelope::Envelope;

/// The links of the chain, in the order a trace lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// A need was identified.
    Need,
    /// The consultation that identified it.
    Consultation,
    /// The counterparts that raised the need, took part or proposed.
    Counterpart,
    /// The activity was proposed or rescheduled.
    Proposal,
    /// A possible duplicate was recorded anyway.
    DuplicateWarning,
    /// The activity or work programme was decided on.
    Decision,
    /// Offers, commitments, payments, expenditure and in-kind contributions.
    Funding,
    /// What happened: held or cancelled, indicators and results.
    Results,
}

/// One step of a trace: an event and who recorded it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Its link in the chain.
    pub stage: Stage,
    /// The log position.
    pub position: u64,
    pub stream: String,
    /// The stored event type.
    pub event_type: String,
    /// What happened, in a few words, without personal data.
    pub summary: String,
    /// Pseudonymous id of who recorded it.
    pub actor: String,
    pub role: String,
    /// Why, where given.
    pub reason: Option<String>,
    /// Business time.
    pub occurred_at: Timestamp,
    /// Record time.
    pub recorded_at: Timestamp,
    /// The record's hash, hex.
    pub hash: String,
}

/// What an activity's trace reaches.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActivityLinks {
    /// Its own steps.
    pub steps: BTreeSet<u64>,
    /// The needs it answers.
    pub needs: BTreeSet<NeedId>,
    /// The counterpart that proposed it.
    pub proposed_by: Option<CounterpartId>,
    /// The commitments funding it.
    pub commitments: BTreeSet<CommitmentId>,
    /// The in-kind contributions to it.
    pub contributions: BTreeSet<ContributionId>,
    /// The references of the decisions on it.
    pub decisions: BTreeSet<String>,
    /// Overridden duplicate warnings of other activities that named this one.
    pub named_as_duplicate: BTreeSet<u64>,
}

/// What a need's trace reaches.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NeedLinks {
    /// Its identification.
    pub step: Option<u64>,
    pub consultation: Option<ConsultationId>,
    /// Who raised it.
    pub raised_by: BTreeSet<CounterpartId>,
    /// The activities answering it.
    pub activities: BTreeSet<ActivityId>,
}

/// What a consultation's steps and participants are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConsultationLinks {
    pub steps: BTreeSet<u64>,
    /// Who took part.
    pub participants: BTreeSet<CounterpartId>,
}

/// What a counterpart's trace reaches.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CounterpartLinks {
    /// Its own steps.
    pub steps: BTreeSet<u64>,
    /// Consultations it took part in.
    pub consultations: BTreeSet<ConsultationId>,
    /// Needs it raised.
    pub needs: BTreeSet<NeedId>,
    /// Activities it proposed.
    pub activities: BTreeSet<ActivityId>,
    /// Offers it made.
    pub offers: BTreeSet<OfferId>,
}

/// A commitment's offer, activity and steps.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CommitmentLinks {
    /// The offer drawn on.
    pub offer: Option<OfferId>,
    /// Its steps (commitment, payments, expenditure).
    pub steps: BTreeSet<u64>,
}

/// What a decision's trace reaches.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DecisionLinks {
    /// Its steps (approvals and adoptions citing it).
    pub steps: BTreeSet<u64>,
    /// The activities it decided on.
    pub activities: BTreeSet<ActivityId>,
}

/// The decision trace read model.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DecisionTrace {
    pub activities: BTreeMap<ActivityId, ActivityLinks>,
    pub needs: BTreeMap<NeedId, NeedLinks>,
    pub consultations: BTreeMap<ConsultationId, ConsultationLinks>,
    pub counterparts: BTreeMap<CounterpartId, CounterpartLinks>,
    /// Offers' own steps (recording and overridden duplicate warnings).
    pub offers: BTreeMap<OfferId, BTreeSet<u64>>,
    pub commitments: BTreeMap<CommitmentId, CommitmentLinks>,
    /// In-kind contributions' steps.
    pub contributions: BTreeMap<ContributionId, BTreeSet<u64>>,
    /// Decisions, by document reference.
    pub decisions: BTreeMap<String, DecisionLinks>,
}

/// What a trace is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum Subject {
    Activity(ActivityId),
    Need(NeedId),
    Counterpart(CounterpartId),
    /// A decision, by document reference.
    Decision(String),
}

/// A trace: its steps sorted by stage, then log position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// What it is about.
    pub subject: Subject,
    pub steps: Vec<Step>,
}

impl Trace {
    /// A trace from the events named by [`DecisionTrace::positions`]; events that belong to
    /// no chain are left out.
    pub fn from_events<'a>(subject: Subject, events: impl IntoIterator<Item = &'a Envelope>) -> Trace {
        let mut steps: Vec<Step> = events.into_iter().filter_map(describe::step).collect();
        steps.sort_by_key(|step| (step.stage, step.position));
        steps.dedup_by_key(|step| step.position);
        Trace { subject, steps }
    }
}

/// The positions a trace collects, before they are turned into steps.
#[derive(Default)]
struct Collector {
    positions: BTreeSet<u64>,
    activities: BTreeSet<ActivityId>,
    needs: BTreeSet<NeedId>,
    counterparts: BTreeSet<CounterpartId>,
}

impl DecisionTrace {
    /// The log positions of the events that make up a subject's trace, in order.
    ///
    /// An activity's trace holds the needs it answers with their consultations and the
    /// counterparts behind them, its proposal, the duplicate warnings overridden for it or
    /// naming it, decisions, funding and results. A need's holds its identification,
    /// consultation and counterparts, and the trace of every activity answering it. A
    /// counterpart's holds its own record, the consultations it took part in, the needs it
    /// raised, the activities it proposed or that answer those needs, and the offers it made.
    /// A decision's holds the approvals and adoptions citing it and the traces of the
    /// activities it approved.
    pub fn positions(&self, subject: &Subject) -> Vec<u64> {
        let mut collector = Collector::default();
        match subject {
            Subject::Activity(activity) => self.collect_activity(*activity, &mut collector),
            Subject::Need(need) => self.collect_need_and_answers(*need, &mut collector),
            Subject::Counterpart(counterpart) => self.collect_counterpart_reach(*counterpart, &mut collector),
            Subject::Decision(reference) => self.collect_decision(reference, &mut collector),
        }
        collector.positions.into_iter().collect()
    }

    /// A subject's trace, its events read from `log`: events in position order that include
    /// every event of the trace (the whole log, or the streams a [`crate::Reach`] names).
    pub fn trace(&self, subject: Subject, log: &[Envelope]) -> Trace {
        let events = self.positions(&subject).into_iter().filter_map(|position| {
            let index = log.binary_search_by_key(&position, |envelope| envelope.position).ok()?;
            log.get(index)
        });
        Trace::from_events(subject, events)
    }

    fn collect_need_and_answers(&self, need: NeedId, collector: &mut Collector) {
        self.collect_need(need, collector);
        if let Some(links) = self.needs.get(&need) {
            for activity in &links.activities {
                self.collect_activity(*activity, collector);
            }
        }
    }

    fn collect_counterpart_reach(&self, counterpart: CounterpartId, collector: &mut Collector) {
        self.collect_counterpart(counterpart, collector);
        if let Some(links) = self.counterparts.get(&counterpart) {
            for consultation in &links.consultations {
                self.collect_consultation(*consultation, collector);
            }
            for need in &links.needs {
                self.collect_need_and_answers(*need, collector);
            }
            for activity in &links.activities {
                self.collect_activity(*activity, collector);
            }
            for offer in &links.offers {
                collector.positions.extend(self.offers.get(offer).into_iter().flatten());
            }
        }
    }

    fn collect_decision(&self, reference: &str, collector: &mut Collector) {
        if let Some(links) = self.decisions.get(reference) {
            collector.positions.extend(links.steps.iter().copied());
            for activity in &links.activities {
                self.collect_activity(*activity, collector);
            }
        }
    }

    fn collect_activity(&self, activity: ActivityId, collector: &mut Collector) {
        if !collector.activities.insert(activity) {
            return;
        }
        let Some(links) = self.activities.get(&activity) else {
            return;
        };
        collector.positions.extend(links.steps.iter().copied());
        collector.positions.extend(links.named_as_duplicate.iter().copied());
        for need in &links.needs {
            self.collect_need(*need, collector);
        }
        if let Some(counterpart) = links.proposed_by {
            self.collect_counterpart(counterpart, collector);
        }
        for commitment in &links.commitments {
            if let Some(commitment_links) = self.commitments.get(commitment) {
                collector.positions.extend(commitment_links.steps.iter().copied());
                if let Some(offer) = commitment_links.offer {
                    collector
                        .positions
                        .extend(self.offers.get(&offer).into_iter().flatten());
                }
            }
        }
        for contribution in &links.contributions {
            collector
                .positions
                .extend(self.contributions.get(contribution).into_iter().flatten());
        }
    }

    fn collect_need(&self, need: NeedId, collector: &mut Collector) {
        if !collector.needs.insert(need) {
            return;
        }
        let Some(links) = self.needs.get(&need) else { return };
        collector.positions.extend(links.step);
        if let Some(consultation) = links.consultation {
            self.collect_consultation(consultation, collector);
        }
        for counterpart in &links.raised_by {
            self.collect_counterpart(*counterpart, collector);
        }
    }

    fn collect_consultation(&self, consultation: ConsultationId, collector: &mut Collector) {
        if let Some(links) = self.consultations.get(&consultation) {
            collector.positions.extend(links.steps.iter().copied());
            for counterpart in &links.participants {
                self.collect_counterpart(*counterpart, collector);
            }
        }
    }

    fn collect_counterpart(&self, counterpart: CounterpartId, collector: &mut Collector) {
        if !collector.counterparts.insert(counterpart) {
            return;
        }
        if let Some(links) = self.counterparts.get(&counterpart) {
            collector.positions.extend(links.steps.iter().copied());
        }
    }
}
