//! The needs register: every need identified in a consultation, whether it is answered (and by
//! which activities), still open, or unanswered, by thematic area and by Member State.
//!
//! A need is *answered* when an approved (or held) activity cites it, *open* when only
//! activities still awaiting a decision (proposed or deferred) cite it, and *unanswered*
//! otherwise, including when every activity citing it was rejected or cancelled. Needs and
//! the activities citing them are kept apart and joined in the view, so an activity citing a
//! need whose identification is not among the events folded is kept and shows up as soon as
//! the need does, in whatever order the events come.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use smes_domain::activity::ActivityEvent;
use smes_domain::consultation::ConsultationEvent;
use smes_domain::ids::{ActivityId, ConsultationId, CounterpartId, NeedId, RequestId};
use smes_domain::request::{RequestEvent, RequestFollowUp};
use smes_domain::values::{MemberStateCode, Priority, ThematicArea};

use crate::activities::ActivityState;
use crate::envelope::{DomainEvent, Envelope};
use crate::projection::Projection;

/// A need as identified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedEntry {
    /// The consultation that identified it.
    pub consultation: ConsultationId,
    /// The counterparts that raised it, sorted.
    pub raised_by: Vec<CounterpartId>,
    pub thematic_area: ThematicArea,
    /// The Member States it concerns, sorted.
    pub member_states: Vec<MemberStateCode>,
    /// How urgent it is.
    pub priority: Priority,
    /// What is needed.
    pub description: String,
    /// When it was identified (business time).
    pub identified_at: Timestamp,
}

/// What the register knows of an activity: where it stands and the needs it cites.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActivityLink {
    /// Where it stands.
    pub status: ActivityState,
    /// The needs it answers, sorted.
    pub answers_needs: Vec<NeedId>,
}

/// The needs register read model.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NeedsRegister {
    /// The needs, by id.
    pub needs: BTreeMap<NeedId, NeedEntry>,
    /// The activities, by id.
    pub activities: BTreeMap<ActivityId, ActivityLink>,
    /// The requests that led to each need.
    pub requests: BTreeMap<NeedId, BTreeSet<RequestId>>,
}

impl Projection for NeedsRegister {
    fn apply(&mut self, envelope: &Envelope) {
        match &envelope.event {
            DomainEvent::Consultation(ConsultationEvent::NeedIdentified(identified)) => {
                let mut raised_by = identified.raised_by.clone();
                raised_by.sort();
                let mut member_states = identified.member_states.clone();
                member_states.sort();
                self.needs.insert(
                    identified.need,
                    NeedEntry {
                        consultation: identified.consultation,
                        raised_by,
                        thematic_area: identified.thematic_area,
                        member_states,
                        priority: identified.priority,
                        description: identified.description.clone(),
                        identified_at: envelope.occurred_at,
                    },
                );
            }
            DomainEvent::Activity(event) => {
                let link = self.activities.entry(event.activity()).or_default();
                apply_link(link, event);
            }
            DomainEvent::Request(RequestEvent::Linked(linked)) => {
                if let RequestFollowUp::Need(need) = linked.follow_up {
                    self.requests.entry(need).or_default().insert(linked.request);
                }
            }
            _ => {}
        }
    }
}

/// Follows an activity's status and cited needs.
pub(crate) fn apply_link(link: &mut ActivityLink, event: &ActivityEvent) {
    match event {
        ActivityEvent::Proposed(proposed) => {
            let mut needs = proposed.answers_needs.clone();
            needs.sort();
            needs.dedup();
            link.answers_needs = needs;
            if link.status == ActivityState::Unknown {
                link.status = ActivityState::Proposed;
            }
        }
        ActivityEvent::Approved(_) => link.status = ActivityState::Approved,
        ActivityEvent::Rejected(_) => link.status = ActivityState::Rejected,
        ActivityEvent::Deferred(_) => link.status = ActivityState::Deferred,
        ActivityEvent::Held(_) => link.status = ActivityState::Held,
        ActivityEvent::Cancelled(_) => link.status = ActivityState::Cancelled,
        _ => {}
    }
}

/// Where a need stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NeedStatus {
    /// An approved or held activity answers it.
    Answered,
    /// Only activities awaiting a decision cite it.
    Open,
    /// No live activity cites it.
    Unanswered,
}

/// One need in the register's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedLine {
    pub need: NeedId,
    /// What was identified.
    #[serde(flatten)]
    pub entry: NeedEntry,
    /// Where it stands.
    pub status: NeedStatus,
    /// The activities citing it and where each stands.
    pub activities: BTreeMap<ActivityId, ActivityState>,
    /// The requests that led to it.
    pub requests: Vec<RequestId>,
}

/// The needs register's view: every need, and the needs by status per area and per state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NeedsView {
    /// Every need, by id.
    pub needs: Vec<NeedLine>,
    /// Needs by thematic area and status.
    pub by_thematic_area: BTreeMap<ThematicArea, BTreeMap<NeedStatus, Vec<NeedId>>>,
    /// Needs by Member State and status (a need concerning several states is under each).
    pub by_member_state: BTreeMap<MemberStateCode, BTreeMap<NeedStatus, Vec<NeedId>>>,
}

impl NeedsRegister {
    /// One need with its status.
    pub fn need(&self, need: NeedId) -> Option<NeedLine> {
        let activities: BTreeMap<ActivityId, ActivityState> = self
            .activities
            .iter()
            .filter(|(_, link)| link.answers_needs.binary_search(&need).is_ok())
            .map(|(activity, link)| (*activity, link.status))
            .collect();
        self.line(need, activities)
    }

    fn line(&self, need: NeedId, activities: BTreeMap<ActivityId, ActivityState>) -> Option<NeedLine> {
        let entry = self.needs.get(&need)?;
        let status = if activities.values().any(|state| state.is_approved_or_held()) {
            NeedStatus::Answered
        } else if activities
            .values()
            .any(|state| matches!(state, ActivityState::Proposed | ActivityState::Deferred))
        {
            NeedStatus::Open
        } else {
            NeedStatus::Unanswered
        };
        Some(NeedLine {
            need,
            entry: entry.clone(),
            status,
            activities,
            requests: self
                .requests
                .get(&need)
                .map(|requests| requests.iter().copied().collect())
                .unwrap_or_default(),
        })
    }

    /// The register: every need with its status, by area and by Member State.
    pub fn view(&self) -> NeedsView {
        let mut view = NeedsView::default();
        let mut citing: BTreeMap<NeedId, BTreeMap<ActivityId, ActivityState>> = BTreeMap::new();
        for (activity, link) in &self.activities {
            for need in &link.answers_needs {
                citing.entry(*need).or_default().insert(*activity, link.status);
            }
        }
        for need in self.needs.keys() {
            let activities = citing.remove(need).unwrap_or_default();
            let Some(line) = self.line(*need, activities) else {
                continue;
            };
            view.by_thematic_area
                .entry(line.entry.thematic_area)
                .or_default()
                .entry(line.status)
                .or_default()
                .push(*need);
            for state in &line.entry.member_states {
                view.by_member_state
                    .entry(*state)
                    .or_default()
                    .entry(line.status)
                    .or_default()
                    .push(*need);
            }
            view.needs.push(line);
        }
        view
    }
}
