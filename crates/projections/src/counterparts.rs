//! The counterpart directory: counterparts by Member State and thematic area, the cooperation
//! sources with the counterpart whose organisation each is, and each Member State's membership
//! history.
//!
//! An organisation is registered once: a counterpart whose organisation is also a cooperation
//! source (a registration naming it, or a later link) is one organisation with two roles, each
//! with its date ([`CounterpartDirectory::cooperation_source_of`]).
//!
//! Focal points are personal data: the directory keeps only the reference of the sealed
//! envelope (whose person and which key), never the ciphertext, and decrypts nothing. A
//! correction of a counterpart's details replaces them from the correction's business date
//! (the as-of cut decides whether it is in) and is listed with the record. An event of a
//! counterpart whose joining is not among the events folded creates a partial record with no
//! details; such a record is listed under neither a state nor an area.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use smes_domain::cooperation_source::CooperationSourceEvent;
use smes_domain::counterpart::{CounterpartDetails, CounterpartEvent};
use smes_domain::ids::{CooperationSourceId, CounterpartId, PersonId};
use smes_domain::member_state::MemberStateEvent;
use smes_domain::personal_data::SealedPersonalData;
use smes_domain::values::{CooperationSourceKind, CounterpartKind, MemberStateCode, ThematicArea};

use crate::activities::CorrectionNote;
use crate::envelope::{DomainEvent, Envelope};
use crate::projection::Projection;

/// Where a focal point's personal data is sealed: the person and the key, nothing readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedReference {
    pub person: PersonId,
    /// The key that seals their data.
    pub key_id: String,
}

impl From<&SealedPersonalData> for SealedReference {
    fn from(sealed: &SealedPersonalData) -> Self {
        SealedReference {
            person: sealed.person(),
            key_id: sealed.key_id().to_owned(),
        }
    }
}

/// A counterpart's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    /// The body's name.
    pub name: String,
    pub kind: CounterpartKind,
    /// Its Member State, for national counterparts.
    pub member_state: Option<MemberStateCode>,
    /// Its thematic areas, sorted.
    pub thematic_areas: Vec<ThematicArea>,
}

impl From<&CounterpartDetails> for Details {
    fn from(details: &CounterpartDetails) -> Self {
        let mut thematic_areas = details.thematic_areas.clone();
        thematic_areas.sort();
        Details {
            name: details.name.clone(),
            kind: details.kind,
            member_state: details.member_state,
            thematic_areas,
        }
    }
}

/// One counterpart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CounterpartEntry {
    /// Its current details.
    pub details: Option<Details>,
    /// Its current focal point, by reference.
    pub focal_point: Option<SealedReference>,
    /// When it joined.
    pub joined_on: Option<Date>,
    /// When it withdrew, and why.
    pub withdrew: Option<(Date, String)>,
    /// Corrections of its details, in log order.
    pub corrections: Vec<CorrectionNote>,
}

/// One cooperation source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceEntry {
    /// Its name as registered.
    pub name: String,
    /// Its reach.
    pub kind: CooperationSourceKind,
    /// The country it belongs to, if any.
    pub country: Option<MemberStateCode>,
    /// When it was registered: the day its organisation became a cooperation source.
    pub registered_on: Date,
    /// The counterpart whose organisation it is, if tied to one.
    pub counterpart: Option<CounterpartId>,
    /// When it was linked to that counterpart, for a source registered on its own and linked
    /// later (`None` when the registration named the counterpart).
    pub linked_on: Option<Date>,
}

/// One change of a state's membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipChange {
    /// Joined or left.
    pub change: MembershipEvent,
    /// When, if a source gives the date.
    pub on: Option<Date>,
    /// The source of the fact.
    pub source: String,
    /// The log position.
    pub position: u64,
}

/// Joining or leaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MembershipEvent {
    /// Joined the system.
    Joined,
    /// Left the system.
    Left,
}

/// A Member State and its membership history.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemberStateEntry {
    /// Its English name, once it joined in the events folded.
    pub name: Option<String>,
    /// Its changes, in log order.
    pub history: Vec<MembershipChange>,
}

impl MemberStateEntry {
    /// Whether the last change folded was joining.
    pub fn is_member(&self) -> bool {
        self.history
            .last()
            .is_some_and(|change| change.change == MembershipEvent::Joined)
    }
}

/// The counterpart directory read model.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CounterpartDirectory {
    /// The counterparts, by id.
    pub counterparts: BTreeMap<CounterpartId, CounterpartEntry>,
    /// The Member States, by code.
    pub member_states: BTreeMap<MemberStateCode, MemberStateEntry>,
    /// The cooperation sources, by id.
    #[serde(default)]
    pub sources: BTreeMap<CooperationSourceId, SourceEntry>,
}

impl Projection for CounterpartDirectory {
    fn apply(&mut self, envelope: &Envelope) {
        match &envelope.event {
            DomainEvent::Counterpart(event) => self.apply_counterpart(envelope, event),
            DomainEvent::MemberState(event) => self.apply_member_state(envelope, event),
            DomainEvent::CooperationSource(event) => self.apply_cooperation_source(event),
            _ => {}
        }
    }
}

impl CounterpartDirectory {
    fn apply_counterpart(&mut self, envelope: &Envelope, event: &CounterpartEvent) {
        match event {
            CounterpartEvent::Joined(joined) => {
                let entry = self.counterparts.entry(joined.counterpart).or_default();
                entry.details = Some((&joined.details).into());
                entry.focal_point = Some((&joined.focal_point).into());
                entry.joined_on = Some(joined.joined_on);
            }
            CounterpartEvent::DetailsCorrected(corrected) => {
                let entry = self.counterparts.entry(corrected.counterpart).or_default();
                entry.details = Some((&corrected.details).into());
                entry
                    .corrections
                    .push(CorrectionNote::new(&corrected.correction, envelope.position));
            }
            CounterpartEvent::FocalPointChanged(changed) => {
                self.counterparts.entry(changed.counterpart).or_default().focal_point =
                    Some((&changed.focal_point).into());
            }
            CounterpartEvent::Withdrew(withdrew) => {
                self.counterparts.entry(withdrew.counterpart).or_default().withdrew =
                    Some((withdrew.withdrew_on, withdrew.reason.clone()));
            }
        }
    }

    fn apply_cooperation_source(&mut self, event: &CooperationSourceEvent) {
        match event {
            CooperationSourceEvent::Registered(registered) => {
                self.sources
                    .entry(registered.cooperation_source)
                    .or_insert_with(|| SourceEntry {
                        name: registered.name.clone(),
                        kind: registered.kind,
                        country: registered.country,
                        registered_on: registered.registered_on,
                        counterpart: registered.counterpart,
                        linked_on: None,
                    });
            }
            CooperationSourceEvent::LinkedToCounterpart(linked) => {
                // A link of a source whose registration is outside the cut waits for it: the
                // role's date is the registration's.
                if let Some(source) = self.sources.get_mut(&linked.cooperation_source)
                    && source.counterpart.is_none()
                {
                    source.counterpart = Some(linked.counterpart);
                    source.linked_on = Some(linked.linked_on);
                }
            }
            CooperationSourceEvent::AssistanceRequested(_) | CooperationSourceEvent::AssistanceRequestAnswered(_) => {}
        }
    }

    /// The cooperation source that holds a counterpart's cooperation-source role, if one does:
    /// the earliest registered (then the smallest id) should the log hold more than one.
    pub fn cooperation_source_of(&self, counterpart: CounterpartId) -> Option<(CooperationSourceId, &SourceEntry)> {
        self.sources
            .iter()
            .filter(|(_, source)| source.counterpart == Some(counterpart))
            .min_by_key(|(id, source)| (source.registered_on, **id))
            .map(|(id, source)| (*id, source))
    }

    fn apply_member_state(&mut self, envelope: &Envelope, event: &MemberStateEvent) {
        let (code, change) = match event {
            MemberStateEvent::Joined(joined) => {
                self.member_states.entry(joined.code).or_default().name = Some(joined.name.clone());
                (
                    joined.code,
                    MembershipChange {
                        change: MembershipEvent::Joined,
                        on: joined.joined_on,
                        source: joined.source.clone(),
                        position: envelope.position,
                    },
                )
            }
            MemberStateEvent::Left(left) => (
                left.code,
                MembershipChange {
                    change: MembershipEvent::Left,
                    on: left.left_on,
                    source: left.source.clone(),
                    position: envelope.position,
                },
            ),
        };
        self.member_states.entry(code).or_default().history.push(change);
    }

    /// The directory: active and withdrawn counterparts by Member State (regional and
    /// international ones apart) and by thematic area, each list sorted by id.
    pub fn view(&self) -> DirectoryView {
        let mut view = DirectoryView::default();
        for (id, entry) in &self.counterparts {
            let Some(details) = &entry.details else { continue };
            match details.member_state {
                Some(state) => view.by_member_state.entry(state).or_default().push(*id),
                None => view.regional_or_international.push(*id),
            }
            for area in &details.thematic_areas {
                view.by_thematic_area.entry(*area).or_default().push(*id);
            }
        }
        view.members = self
            .member_states
            .iter()
            .filter(|(_, entry)| entry.is_member())
            .map(|(code, _)| *code)
            .collect();
        view
    }
}

/// The directory's groupings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DirectoryView {
    /// National counterparts by Member State.
    pub by_member_state: BTreeMap<MemberStateCode, Vec<CounterpartId>>,
    /// Regional and international counterparts.
    pub regional_or_international: Vec<CounterpartId>,
    /// Counterparts by thematic area.
    pub by_thematic_area: BTreeMap<ThematicArea, Vec<CounterpartId>>,
    /// The states whose latest change folded is joining.
    pub members: Vec<MemberStateCode>,
}
