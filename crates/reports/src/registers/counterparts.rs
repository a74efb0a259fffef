//! The counterpart directory under a cut: national counterparts by Member State, regional and
//! international ones apart, counterparts by thematic area, the cooperation sources, and each
//! Member State's membership history. Organisations only: a focal point is personal data and is
//! not shown, not even by reference.
//!
//! An organisation is listed once, by its counterpart registration, with its roles and their
//! dates ("counterpart since 2013-02-01; cooperation source since 2013-05-10"); the cooperation
//! sources' list names the counterpart each source is the role of.

use std::collections::BTreeSet;

use serde::Serialize;
use smes_domain::values::{MemberStateCode, ThematicArea};
use smes_projections::counterparts::MembershipEvent;
use smes_projections::{Anchor, Cut, LogSlice, fold_cut};

use super::RegisterModels;
use crate::error::Result;
use crate::snapshot::Selection;

/// Which counterparts the directory lists: each set that is not empty must contain the
/// counterpart's value. The Member States' histories are filtered by `countries` only.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirectoryFilter {
    /// Thematic areas (a counterpart working in any of them).
    pub areas: BTreeSet<ThematicArea>,
    /// Member States (of national counterparts).
    pub countries: BTreeSet<MemberStateCode>,
}

impl DirectoryFilter {
    /// Parses the values of `--area` and `--country` (each value may be a comma-separated list).
    pub fn parse(areas: &[String], countries: &[String]) -> Result<DirectoryFilter> {
        let filter = crate::options::Filter::parse(areas, countries, &[])?;
        Ok(DirectoryFilter {
            areas: filter.areas,
            countries: filter.countries,
        })
    }
}

/// What a counterpart directory is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirectoryRequest {
    /// The cut of the log.
    pub cut: Cut,
    /// Which counterparts to list.
    pub filter: DirectoryFilter,
}

/// A correction of a counterpart's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionRow {
    /// The id of the event corrected.
    pub corrects: String,
    /// Why.
    pub reason: String,
    /// From when the corrected details hold.
    pub effective_from: String,
    /// The correcting event's log position.
    pub position: u64,
}

/// One counterpart: an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterpartRow {
    pub id: String,
    pub name: String,
    /// Its kind: `public`, `private`, `mixed`, `regional` or `international`.
    pub kind: String,
    /// Its Member State, for national counterparts.
    pub member_state: Option<String>,
    /// Its thematic areas, in the programme's order.
    pub thematic_areas: Vec<String>,
    /// `active` or `withdrawn`.
    pub status: String,
    /// When it joined.
    pub joined_on: Option<String>,
    /// When it withdrew.
    pub withdrew_on: Option<String>,
    /// Why it withdrew.
    pub withdrawal_reason: Option<String>,
    /// Corrections of its details, in log order.
    pub corrections: Vec<CorrectionRow>,
    /// The cooperation source that is its cooperation-source role, if it has one.
    pub cooperation_source: Option<String>,
    /// Its roles and their dates, such as `counterpart since 2013-02-01; cooperation source
    /// since 2013-05-10`.
    pub roles: String,
}

/// One cooperation source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    pub id: String,
    /// Its name: its counterpart's, when it is a counterpart's organisation.
    pub name: String,
    /// Its reach: `international`, `regional`, `subregional`, `bilateral` or `local`.
    pub kind: String,
    /// The country it belongs to, if any (any ISO 3166-1 code).
    pub country: Option<String>,
    /// When it was registered.
    pub registered_on: String,
    /// The counterpart whose organisation it is, if it is one's.
    pub counterpart: Option<String>,
    /// When it was linked to that counterpart, for a source registered on its own.
    pub linked_on: Option<String>,
}

/// Counterparts under one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// A Member State code, an area slug, or `regional-or-international`.
    pub key: String,
    /// The key in words: the Member State's name, or the area's slug.
    pub label: String,
    /// The counterparts' ids, in the order of [`DirectoryReport::counterparts`].
    pub counterparts: Vec<String>,
}

/// One change of a Member State's membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembershipRow {
    /// `joined` or `left`.
    pub change: String,
    /// When, if a source gives the date.
    pub on: Option<String>,
    /// The source of the fact.
    pub source: String,
    /// The log position.
    pub position: u64,
}

/// A Member State and its membership history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberStateRow {
    /// Its ISO code.
    pub code: String,
    /// Its name (its code when its joining is outside the cut).
    pub name: String,
    /// Whether the latest change under the cut is joining.
    pub member: bool,
    /// Its changes, in log order.
    pub history: Vec<MembershipRow>,
}

/// The counterpart directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectoryReport {
    /// Always `counterpart-directory`.
    pub report: &'static str,
    /// The cut and filter.
    pub selection: Selection,
    /// The log prefix it was made from.
    pub anchor: Anchor,
    /// The listed counterparts, by name then id.
    pub counterparts: Vec<CounterpartRow>,
    /// National counterparts by Member State, by code.
    pub by_member_state: Vec<Group>,
    /// Regional and international counterparts.
    pub regional_or_international: Vec<String>,
    /// Counterparts by thematic area, in the programme's order.
    pub by_thematic_area: Vec<Group>,
    /// The cooperation sources, by name then id; with a country filter, those of its countries.
    pub cooperation_sources: Vec<SourceRow>,
    /// Member States and their membership history, by code.
    pub member_states: Vec<MemberStateRow>,
}

impl DirectoryReport {
    /// The report as JSON.
    pub fn to_json(&self) -> Result<String> {
        crate::format_json(self)
    }
}

/// The counterpart directory of a log prefix under a request's cut and filter. Counterparts
/// whose joining is outside the cut (so whose details are unknown) are not listed.
pub fn build(log: &LogSlice, request: &DirectoryRequest) -> Result<DirectoryReport> {
    let models: RegisterModels = fold_cut(&log.envelopes, &request.cut);
    let filter = &request.filter;
    let mut counterparts: Vec<CounterpartRow> = Vec::new();
    let mut listed = Vec::new();
    for (id, entry) in &models.counterparts.counterparts {
        let Some(details) = &entry.details else { continue };
        let in_area = filter.areas.is_empty() || details.thematic_areas.iter().any(|area| filter.areas.contains(area));
        let in_country = filter.countries.is_empty()
            || details
                .member_state
                .is_some_and(|state| filter.countries.contains(&state));
        if !(in_area && in_country) {
            continue;
        }
        listed.push((details.member_state, details.thematic_areas.clone(), id.to_string()));
        let source_role = models.counterparts.cooperation_source_of(*id);
        let mut roles = Vec::new();
        if let Some(joined_on) = entry.joined_on {
            roles.push(format!("counterpart since {joined_on}"));
        }
        if let Some((_, source)) = source_role {
            roles.push(format!("cooperation source since {}", source.registered_on));
        }
        counterparts.push(CounterpartRow {
            id: id.to_string(),
            name: details.name.clone(),
            kind: details.kind.slug().to_owned(),
            member_state: details.member_state.map(|state| state.to_string()),
            thematic_areas: details
                .thematic_areas
                .iter()
                .map(|area| area.slug().to_owned())
                .collect(),
            status: if entry.withdrew.is_some() {
                "withdrawn"
            } else {
                "active"
            }
            .to_owned(),
            joined_on: entry.joined_on.map(|date| date.to_string()),
            withdrew_on: entry.withdrew.as_ref().map(|(date, _)| date.to_string()),
            withdrawal_reason: entry.withdrew.as_ref().map(|(_, reason)| reason.clone()),
            corrections: entry
                .corrections
                .iter()
                .map(|note| CorrectionRow {
                    corrects: note.corrects.to_string(),
                    reason: note.reason.clone(),
                    effective_from: note.effective_from.to_string(),
                    position: note.position,
                })
                .collect(),
            cooperation_source: source_role.map(|(source, _)| source.to_string()),
            roles: roles.join("; "),
        });
    }
    counterparts.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let order = |id: &String| counterparts.iter().position(|row| &row.id == id);
    let mut by_member_state: Vec<Group> = Vec::new();
    let mut by_thematic_area: Vec<Group> = Vec::new();
    let mut regional_or_international = Vec::new();
    let states: BTreeSet<MemberStateCode> = listed.iter().filter_map(|(state, _, _)| *state).collect();
    for state in states {
        let mut ids: Vec<String> = listed
            .iter()
            .filter(|(of, _, _)| *of == Some(state))
            .map(|(_, _, id)| id.clone())
            .collect();
        ids.sort_by_key(order);
        by_member_state.push(Group {
            key: state.to_string(),
            label: models.state_name(state),
            counterparts: ids,
        });
    }
    for (state, _, id) in &listed {
        if state.is_none() {
            regional_or_international.push(id.clone());
        }
    }
    regional_or_international.sort_by_key(order);
    for area in ThematicArea::ALL {
        let mut ids: Vec<String> = listed
            .iter()
            .filter(|(_, areas, _)| areas.contains(area))
            .map(|(_, _, id)| id.clone())
            .collect();
        if ids.is_empty() {
            continue;
        }
        ids.sort_by_key(order);
        by_thematic_area.push(Group {
            key: area.slug().to_owned(),
            label: area.slug().to_owned(),
            counterparts: ids,
        });
    }
    let member_states = models
        .counterparts
        .member_states
        .iter()
        .filter(|(code, _)| filter.countries.is_empty() || filter.countries.contains(code))
        .map(|(code, entry)| MemberStateRow {
            code: code.to_string(),
            name: entry.name.clone().unwrap_or_else(|| code.to_string()),
            member: entry.is_member(),
            history: entry
                .history
                .iter()
                .map(|change| MembershipRow {
                    change: match change.change {
                        MembershipEvent::Joined => "joined",
                        MembershipEvent::Left => "left",
                    }
                    .to_owned(),
                    on: change.on.map(|date| date.to_string()),
                    source: change.source.clone(),
                    position: change.position,
                })
                .collect(),
        })
        .collect();
    let mut cooperation_sources: Vec<SourceRow> = models
        .counterparts
        .sources
        .iter()
        .filter(|(_, source)| {
            filter.countries.is_empty()
                || source
                    .country
                    .is_some_and(|country| filter.countries.contains(&country))
        })
        .map(|(id, source)| SourceRow {
            id: id.to_string(),
            name: source
                .counterpart
                .and_then(|counterpart| models.counterparts.counterparts.get(&counterpart))
                .and_then(|entry| entry.details.as_ref())
                .map_or_else(|| source.name.clone(), |details| details.name.clone()),
            kind: source.kind.slug().to_owned(),
            country: source.country.map(|country| country.to_string()),
            registered_on: source.registered_on.to_string(),
            counterpart: source.counterpart.map(|counterpart| counterpart.to_string()),
            linked_on: source.linked_on.map(|date| date.to_string()),
        })
        .collect();
    cooperation_sources.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let mut selection = Selection::of(&request.cut);
    selection.areas = filter.areas.iter().map(|area| area.slug().to_owned()).collect();
    selection.countries = filter.countries.iter().map(ToString::to_string).collect();
    Ok(DirectoryReport {
        report: "counterpart-directory",
        selection,
        anchor: log.anchor.clone(),
        counterparts,
        by_member_state,
        regional_or_international,
        by_thematic_area,
        cooperation_sources,
        member_states,
    })
}
