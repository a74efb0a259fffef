//! Which streams a view needs: the links between records, and the walk over them.
//!
//! A snapshot of one year or the trace of one activity depends on a few hundred streams of a
//! log that may hold a million events. Folding only those streams' events under a cut gives
//! the same answer as folding the whole log under it, provided every event the view's folds
//! look at lives in one of them. [`links`] names, for each event, the links between records
//! it asserts (an activity answering a need, a consultation with its participants, a
//! commitment drawing on an offer, ...); persisted as a link index, they let a [`Reach`] walk
//! from a view's root to exactly the streams it needs, whatever the cut, because links are
//! only ever added: a link asserted by an event the cut rejects leads to streams whose events
//! the cut then filters out as well.
//!
//! Nodes are stream names (`activity-<uuid>`, `consultation-<uuid>`, ...) and a few nodes
//! without a stream of their own: `need-<uuid>` (a need is identified inside its
//! consultation's stream), `decision-<reference>`, and the lists [`YEARS`] (every work
//! programme's stream), [`COUNTRIES`] (every Member State named as a member or a host) and
//! [`PROGRAMME`] (the small streams every view names things from: Member States, cooperation
//! sources, exchange rates; a cooperation source that is a counterpart's organisation leads on
//! to the counterpart, which names it).
//!
//! The walk is the fold's own dependency structure written out; the property tests of the
//! reports check it, on logs with back-dated events and corrections, by comparing every
//! answer with the fold of the whole log.

use std::collections::{BTreeMap, BTreeSet};

use smes_domain::Decider;
use smes_domain::activity::{ActivityDecider, ActivityEvent, Proposer};
use smes_domain::consultation::{ConsultationDecider, ConsultationEvent};
use smes_domain::cooperation_source::CooperationSourceDecider;
use smes_domain::counterpart::CounterpartDecider;
use smes_domain::funding::{
    InKindContributionDecider, InKindContributionEvent, InKindContributor, OfferDecider, OfferEvent, OfferSource,
};
use smes_domain::ids::{ActivityId, CounterpartId, NeedId};
use smes_domain::member_state::{MemberStateDecider, MemberStateEvent};
use smes_domain::values::{MemberStateCode, Period, WorkProgrammeYear};
use smes_domain::work_programme::{WorkProgrammeDecider, WorkProgrammeEvent};

use crate::envelope::{DomainEvent, Envelope};
use crate::trace::Subject;

/// The node listing every work programme's stream.
pub const YEARS: &str = "years";
/// The node listing every Member State named as a member or as a host.
pub const COUNTRIES: &str = "countries";
/// The node listing the streams every view names things from.
pub const PROGRAMME: &str = "programme";

const ACTIVITY: &str = "activity-";
const NEED: &str = "need-";
const CONSULTATION: &str = "consultation-";
const COUNTERPART: &str = "counterpart-";
const OFFER: &str = "offer-";
const CONTRIBUTION: &str = "in-kind-contribution-";
const WORK_PROGRAMME: &str = "work-programme-";
const MEMBER_STATE: &str = "member-state-";
const COOPERATION_SOURCE: &str = "cooperation-source-";

/// The node of a need.
pub fn need_node(need: NeedId) -> String {
    format!("{NEED}{need}")
}

/// The node of a decision, by its document reference.
pub fn decision_node(reference: &str) -> String {
    format!("decision-{reference}")
}

/// The stream of a year's work programme.
pub fn year_stream(year: WorkProgrammeYear) -> String {
    WorkProgrammeDecider::stream_name(&year)
}

/// The stream of a Member State.
pub fn member_state_stream(code: MemberStateCode) -> String {
    MemberStateDecider::stream_name(&code)
}

fn activity(id: ActivityId) -> String {
    ActivityDecider::stream_name(&id)
}

fn counterpart(id: CounterpartId) -> String {
    CounterpartDecider::stream_name(&id)
}

/// The stored event types whose events may assert links: every other event asserts none, so
/// building the index decodes only these (a property test holds [`links`] to this list).
pub const LINKING_EVENT_TYPES: [&str; 18] = [
    "ActivityProposed",
    "ActivityRescheduled",
    "ActivityDuplicateWarningOverridden",
    "ActivityApproved",
    "ConsultationHeld",
    "NeedIdentified",
    "OfferRecorded",
    "CommitmentMade",
    "InKindContributionValued",
    "WorkProgrammeOpened",
    "WorkProgrammeAdopted",
    "MemberStateJoined",
    "MemberStateLeft",
    "ExchangeRateRecorded",
    "CooperationSourceRegistered",
    "CooperationSourceLinkedToCounterpart",
    "AssistanceRequested",
    "AssistanceRequestAnswered",
];

/// Whether events of a stored type may assert links.
pub fn may_link(event_type: &str) -> bool {
    LINKING_EVENT_TYPES.contains(&event_type)
}

/// The links an event asserts, as `(from, to)` node pairs, each passed to `emit`.
pub fn links(envelope: &Envelope, mut emit: impl FnMut(String, String)) {
    let mut both = |a: String, b: String| {
        emit(a.clone(), b.clone());
        emit(b, a);
    };
    match &envelope.event {
        DomainEvent::Activity(event) => activity_links(event, &mut both),
        DomainEvent::Consultation(ConsultationEvent::Held(held)) => {
            let consultation = ConsultationDecider::stream_name(&held.consultation);
            for participant in &held.participants {
                both(consultation.clone(), counterpart(*participant));
            }
        }
        DomainEvent::Consultation(ConsultationEvent::NeedIdentified(identified)) => {
            let need = need_node(identified.need);
            both(need.clone(), ConsultationDecider::stream_name(&identified.consultation));
            for raiser in &identified.raised_by {
                both(need.clone(), counterpart(*raiser));
            }
        }
        DomainEvent::Offer(OfferEvent::Recorded(recorded)) => {
            if let OfferSource::Counterpart(source) = recorded.source {
                both(OfferDecider::stream_name(&recorded.offer), counterpart(source));
            }
        }
        DomainEvent::Offer(OfferEvent::CommitmentMade(made)) => {
            both(activity(made.activity), OfferDecider::stream_name(&made.offer));
        }
        DomainEvent::InKindContribution(InKindContributionEvent::Valued(valued)) => {
            both(
                activity(valued.activity),
                InKindContributionDecider::stream_name(&valued.contribution),
            );
            // A counterpart that gives in kind is named from its own stream, which the activity
            // leads to as it does to its proposer (sources and Member States are in every
            // view's programme streams already).
            if let InKindContributor::Counterpart { id } = valued.contributor {
                both(activity(valued.activity), counterpart(id));
            }
        }
        DomainEvent::WorkProgramme(WorkProgrammeEvent::Opened(opened)) => {
            both(YEARS.to_owned(), year_stream(opened.year));
        }
        DomainEvent::WorkProgramme(WorkProgrammeEvent::Adopted(adopted)) => {
            both(decision_node(&adopted.decision.reference), year_stream(adopted.year));
        }
        DomainEvent::MemberState(event) => {
            both(PROGRAMME.to_owned(), envelope.stream.clone());
            if let MemberStateEvent::Joined(joined) = event {
                both(COUNTRIES.to_owned(), member_state_stream(joined.code));
            }
        }
        DomainEvent::ExchangeRate(_) => {
            both(PROGRAMME.to_owned(), envelope.stream.clone());
        }
        DomainEvent::CooperationSource(event) => {
            both(PROGRAMME.to_owned(), envelope.stream.clone());
            // A source that is a counterpart's organisation is named by the counterpart.
            if let Some(organisation) = event.counterpart() {
                both(
                    CooperationSourceDecider::stream_name(&event.cooperation_source()),
                    counterpart(organisation),
                );
            }
        }
        _ => {}
    }
}

fn activity_links(event: &ActivityEvent, both: &mut impl FnMut(String, String)) {
    let own = activity(event.activity());
    match event {
        ActivityEvent::Proposed(proposed) => {
            for need in &proposed.answers_needs {
                both(own.clone(), need_node(*need));
            }
            if let Proposer::Counterpart(proposer) = proposed.proposed_by {
                both(own.clone(), counterpart(proposer));
            }
            both(COUNTRIES.to_owned(), member_state_stream(proposed.host));
            // A proposal rejected or deferred is listed in the year its planned period starts
            // in, so that year's programme leads to it.
            planned_in(proposed.planned, &own, both);
        }
        ActivityEvent::Rescheduled(rescheduled) => planned_in(rescheduled.planned, &own, both),
        ActivityEvent::DuplicateWarningOverridden(overridden) => {
            for duplicate in &overridden.duplicates {
                both(activity(*duplicate), own.clone());
            }
        }
        ActivityEvent::Approved(approved) => {
            both(year_stream(approved.work_programme), own.clone());
            both(decision_node(&approved.decision.reference), own.clone());
            both(YEARS.to_owned(), year_stream(approved.work_programme));
        }
        _ => {}
    }
}

/// Links an activity to the year its planned period starts in.
fn planned_in(planned: Period, own: &str, both: &mut impl FnMut(String, String)) {
    if let Ok(year) = WorkProgrammeYear::new(planned.start().year()) {
        both(year_stream(year), own.to_owned());
    }
}

/// What a node is visited for, which says which of its links the walk follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    /// A year's programme: its stream and its activities' funding.
    Year,
    /// An activity whose lines are shown: its stream, funding and proposer.
    FundedActivity,
    /// An offer whose source is named.
    NamedOffer,
    /// The streams every view names things from.
    Programme,
    /// A cooperation source named in a view: by its counterpart, when it is one's organisation.
    NamedSource,
    /// An activity's whole chain: needs, consultations, counterparts, funding, overrides.
    Activity,
    /// A need's identification, consultation and raisers.
    Need,
    /// A need and the activities answering it.
    NeedAndAnswers,
    /// A consultation and its participants.
    Consultation,
    /// A counterpart's reach: consultations, needs, activities and offers.
    CounterpartReach,
    /// A decision: what it approved and adopted.
    Decision,
}

impl Role {
    /// The role a link leads to, if the walk follows it.
    fn follow(self, to: &str) -> Option<Step> {
        let kind = Kind::of(to);
        match (self, kind) {
            (Role::Year, Kind::Activity) => Some(Step::Visit(Role::FundedActivity)),
            (Role::FundedActivity, Kind::Offer) => Some(Step::Visit(Role::NamedOffer)),
            (Role::Programme, Kind::CooperationSource) => Some(Step::Visit(Role::NamedSource)),
            (Role::FundedActivity, Kind::Contribution | Kind::Counterpart)
            | (Role::NamedOffer | Role::NamedSource, Kind::Counterpart)
            | (Role::Programme, _)
            | (Role::Activity, Kind::Offer | Kind::Contribution | Kind::Counterpart | Kind::Activity)
            | (Role::Need | Role::NeedAndAnswers | Role::Consultation, Kind::Counterpart)
            | (Role::CounterpartReach, Kind::Offer)
            | (Role::Decision, Kind::WorkProgramme) => Some(Step::Read),
            (Role::Activity, Kind::Need) => Some(Step::Visit(Role::Need)),
            (Role::Need | Role::NeedAndAnswers | Role::CounterpartReach, Kind::Consultation) => {
                Some(Step::Visit(Role::Consultation))
            }
            (Role::NeedAndAnswers | Role::CounterpartReach | Role::Decision, Kind::Activity) => {
                Some(Step::Visit(Role::Activity))
            }
            (Role::CounterpartReach, Kind::Need) => Some(Step::Visit(Role::NeedAndAnswers)),
            _ => None,
        }
    }
}

/// What the walk does with a link's target.
enum Step {
    /// Read its stream; follow nothing from it.
    Read,
    /// Read its stream (if it is one) and follow its links in this role.
    Visit(Role),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Activity,
    Need,
    Consultation,
    Counterpart,
    Offer,
    Contribution,
    WorkProgramme,
    CooperationSource,
    Other,
}

impl Kind {
    fn of(node: &str) -> Kind {
        [
            (ACTIVITY, Kind::Activity),
            (NEED, Kind::Need),
            (CONSULTATION, Kind::Consultation),
            (COUNTERPART, Kind::Counterpart),
            (OFFER, Kind::Offer),
            (CONTRIBUTION, Kind::Contribution),
            (WORK_PROGRAMME, Kind::WorkProgramme),
            (COOPERATION_SOURCE, Kind::CooperationSource),
        ]
        .into_iter()
        .find(|(prefix, _)| node.starts_with(prefix))
        .map_or(Kind::Other, |(_, kind)| kind)
    }

    /// Whether the node is a stream (needs and decisions are not).
    fn is_stream(node: &str) -> bool {
        !node.starts_with(NEED) && !node.starts_with("decision-") && ![YEARS, COUNTRIES, PROGRAMME].contains(&node)
    }
}

/// A walk over the link index from a view's root to the streams the view needs.
///
/// The caller asks the index, level by level, for the links of [`Reach::frontier`] and hands
/// them to [`Reach::follow`] until the frontier is empty; [`Reach::streams`] then names every
/// stream to read. The lists [`YEARS`] and [`COUNTRIES`] are asked for along with a year's
/// root, and their targets kept in [`Reach::listed`].
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pending: BTreeMap<String, BTreeSet<Role>>,
    asked: BTreeMap<String, BTreeSet<Role>>,
    visited: BTreeSet<(String, Role)>,
    streams: BTreeSet<String>,
    listed: BTreeMap<String, Vec<String>>,
}

impl Reach {
    /// The walk for the work programme of `year`: its stream, the activities approved into it
    /// with their funding and proposers, the programme's shared streams, and the lists of
    /// years and countries known.
    pub fn for_year(year: WorkProgrammeYear) -> Self {
        let mut reach = Reach::default();
        reach.visit(year_stream(year), Role::Year);
        reach.visit(PROGRAMME.to_owned(), Role::Programme);
        reach.pending.entry(YEARS.to_owned()).or_default();
        reach.pending.entry(COUNTRIES.to_owned()).or_default();
        reach
    }

    /// The walk for a decision trace.
    pub fn for_trace(subject: &Subject) -> Self {
        let mut reach = Reach::default();
        match subject {
            Subject::Activity(id) => reach.visit(activity(*id), Role::Activity),
            Subject::Need(id) => reach.visit(need_node(*id), Role::NeedAndAnswers),
            Subject::Counterpart(id) => reach.visit(counterpart(*id), Role::CounterpartReach),
            Subject::Decision(reference) => reach.visit(decision_node(reference), Role::Decision),
        }
        reach
    }

    fn visit(&mut self, node: String, role: Role) {
        if self.visited.insert((node.clone(), role)) {
            if Kind::is_stream(&node) {
                self.streams.insert(node.clone());
            }
            self.pending.entry(node).or_default().insert(role);
        }
    }

    /// The nodes whose links the walk needs next, taken off the frontier; empty when the walk
    /// is over.
    pub fn frontier(&mut self) -> Vec<String> {
        let pending = std::mem::take(&mut self.pending);
        let nodes = pending.keys().cloned().collect();
        self.asked = pending;
        nodes
    }

    /// Follows the links of the nodes last taken from the frontier (links of other nodes are
    /// ignored).
    pub fn follow<'a>(&mut self, links: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let asked = std::mem::take(&mut self.asked);
        for (from, to) in links {
            let Some(roles) = asked.get(from) else { continue };
            if from == YEARS || from == COUNTRIES {
                self.listed.entry(from.to_owned()).or_default().push(to.to_owned());
            }
            for role in roles {
                match role.follow(to) {
                    Some(Step::Read) if Kind::is_stream(to) => {
                        self.streams.insert(to.to_owned());
                    }
                    Some(Step::Visit(next)) => self.visit(to.to_owned(), next),
                    Some(Step::Read) | None => {}
                }
            }
        }
    }

    /// Every stream the view needs, sorted.
    pub fn streams(&self) -> Vec<String> {
        self.streams.iter().cloned().collect()
    }

    /// The targets of a list node ([`YEARS`] or [`COUNTRIES`]) as the index gave them.
    pub fn listed(&self, list: &str) -> &[String] {
        self.listed.get(list).map_or(&[], Vec::as_slice)
    }
}

/// The year of a work programme's stream name.
pub fn year_of_stream(stream: &str) -> Option<WorkProgrammeYear> {
    WorkProgrammeYear::new(stream.strip_prefix(WORK_PROGRAMME)?.parse().ok()?).ok()
}

/// The Member State of a Member State's stream name.
pub fn member_state_of_stream(stream: &str) -> Option<MemberStateCode> {
    stream.strip_prefix(MEMBER_STATE)?.parse().ok()
}

/// The link index of a log held in memory: each link with the first position that asserted
/// it. The persisted index holds the same links; this one serves tests and checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkMap {
    links: BTreeMap<String, BTreeMap<String, u64>>,
}

impl LinkMap {
    /// The index of a log, its events in order.
    pub fn of<'a>(log: impl IntoIterator<Item = &'a Envelope>) -> Self {
        let mut map = LinkMap::default();
        for envelope in log {
            map.add(envelope);
        }
        map
    }

    /// Adds the links of the next event of the log.
    pub fn add(&mut self, envelope: &Envelope) {
        links(envelope, |from, to| {
            self.links
                .entry(from)
                .or_default()
                .entry(to)
                .or_insert(envelope.position);
        });
    }

    /// Every link as `(from, to, first position)`, sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, u64)> {
        self.links.iter().flat_map(|(from, targets)| {
            targets
                .iter()
                .map(move |(to, position)| (from.as_str(), to.as_str(), *position))
        })
    }

    /// Walks `reach` to its end over the links first asserted at or before `up_to`.
    pub fn walk(&self, mut reach: Reach, up_to: u64) -> Reach {
        loop {
            let nodes = reach.frontier();
            if nodes.is_empty() {
                return reach;
            }
            let found: Vec<(&str, &str)> = nodes
                .iter()
                .filter_map(|node| self.links.get_key_value(node.as_str()))
                .flat_map(|(from, targets)| {
                    targets
                        .iter()
                        .filter(|(_, position)| **position <= up_to)
                        .map(move |(to, _)| (from.as_str(), to.as_str()))
                })
                .collect();
            reach.follow(found);
        }
    }
}
