//! The needs register under a cut: every need identified in a consultation, whether it is
//! answered (and by which activities), open or unanswered, filtered by thematic area, Member
//! State and status, with counts by area and by Member State.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use smes_domain::values::{MemberStateCode, ThematicArea};
use smes_projections::needs::NeedStatus;
use smes_projections::{Anchor, Cut, LogSlice, fold_cut};

use super::{NeedStatusRow, RegisterModels, need_status_name};
use crate::error::{Error, Result};
use crate::options::{parse_area, parse_country, split};
use crate::snapshot::Selection;

/// The statuses a need can have, by name.
pub const STATUSES: [(NeedStatus, &str); 3] = [
    (NeedStatus::Answered, "answered"),
    (NeedStatus::Open, "open"),
    (NeedStatus::Unanswered, "unanswered"),
];

/// Which needs the register lists: each set that is not empty must contain the need's value
/// (for Member States, one of those the need concerns).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NeedsFilter {
    /// Thematic areas.
    pub areas: BTreeSet<ThematicArea>,
    /// Member States concerned.
    pub countries: BTreeSet<MemberStateCode>,
    pub statuses: BTreeSet<NeedStatus>,
}

impl NeedsFilter {
    /// Parses the values of `--area`, `--country` and `--status` (each value may be a
    /// comma-separated list); a need's status is `answered`, `open` or `unanswered`.
    pub fn parse(areas: &[String], countries: &[String], statuses: &[String]) -> Result<NeedsFilter> {
        let mut filter = NeedsFilter::default();
        for area in split(areas) {
            filter.areas.insert(parse_area(area)?);
        }
        for country in split(countries) {
            filter.countries.insert(parse_country(country)?);
        }
        for status in split(statuses) {
            filter.statuses.insert(parse_need_status(status)?);
        }
        Ok(filter)
    }

    fn admits(&self, area: ThematicArea, states: &[MemberStateCode], status: NeedStatus) -> bool {
        (self.areas.is_empty() || self.areas.contains(&area))
            && (self.countries.is_empty() || states.iter().any(|state| self.countries.contains(state)))
            && (self.statuses.is_empty() || self.statuses.contains(&status))
    }
}

/// Parses one need status: `answered`, `open` or `unanswered`.
pub fn parse_need_status(text: &str) -> Result<NeedStatus> {
    STATUSES
        .iter()
        .find(|(_, name)| *name == text)
        .map(|(status, _)| *status)
        .ok_or_else(|| Error::InvalidOption {
            option: "--status",
            value: text.to_owned(),
            allowed: "expected one of answered, open, unanswered".to_owned(),
        })
}

/// What a needs register is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NeedsRequest {
    /// The cut of the log.
    pub cut: Cut,
    /// Which needs to list.
    pub filter: NeedsFilter,
}

/// How many of the listed needs stand where, under one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCount {
    /// An area slug or a Member State code (`all` for the overall count).
    pub key: String,
    /// How many needs.
    pub needs: usize,
    /// Of those, answered.
    pub answered: usize,
    pub open: usize,
    pub unanswered: usize,
}

impl StatusCount {
    fn new(key: String) -> StatusCount {
        StatusCount {
            key,
            needs: 0,
            answered: 0,
            open: 0,
            unanswered: 0,
        }
    }

    fn add(&mut self, status: NeedStatus) {
        self.needs += 1;
        match status {
            NeedStatus::Answered => self.answered += 1,
            NeedStatus::Open => self.open += 1,
            NeedStatus::Unanswered => self.unanswered += 1,
        }
    }
}

/// The needs register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedsReport {
    /// Always `needs-register`.
    pub report: &'static str,
    /// The cut and filter.
    pub selection: Selection,
    /// The log prefix it was made from.
    pub anchor: Anchor,
    /// The listed needs by status.
    pub total: StatusCount,
    /// The listed needs by thematic area, in the programme's order of areas.
    pub by_thematic_area: Vec<StatusCount>,
    /// The listed needs by Member State concerned, by code (a need concerning several states
    /// is counted under each).
    pub by_member_state: Vec<StatusCount>,
    /// The listed needs, by priority (high first), the day identified, then id.
    pub needs: Vec<NeedStatusRow>,
}

impl NeedsReport {
    /// The report as JSON.
    pub fn to_json(&self) -> Result<String> {
        crate::format_json(self)
    }
}

/// The needs register of a log prefix under a request's cut and filter.
pub fn build(log: &LogSlice, request: &NeedsRequest) -> Result<NeedsReport> {
    let models: RegisterModels = fold_cut(&log.envelopes, &request.cut);
    let names = models.names(log);
    let filter = &request.filter;
    let mut lines = models.evaluation_history.needs.view().needs;
    lines.retain(|line| filter.admits(line.entry.thematic_area, &line.entry.member_states, line.status));
    lines.sort_by_key(|line| (line.entry.priority, line.entry.identified_at, line.need));
    let mut total = StatusCount::new("all".to_owned());
    let mut by_area: BTreeMap<ThematicArea, StatusCount> = BTreeMap::new();
    let mut by_state: BTreeMap<MemberStateCode, StatusCount> = BTreeMap::new();
    for line in &lines {
        total.add(line.status);
        let area = line.entry.thematic_area;
        by_area
            .entry(area)
            .or_insert_with(|| StatusCount::new(area.slug().to_owned()))
            .add(line.status);
        for state in &line.entry.member_states {
            by_state
                .entry(*state)
                .or_insert_with(|| StatusCount::new(state.to_string()))
                .add(line.status);
        }
    }
    let mut selection = Selection::of(&request.cut);
    selection.areas = filter.areas.iter().map(|area| area.slug().to_owned()).collect();
    selection.countries = filter.countries.iter().map(ToString::to_string).collect();
    selection.statuses = filter
        .statuses
        .iter()
        .map(|status| need_status_name(*status).to_owned())
        .collect();
    Ok(NeedsReport {
        report: "needs-register",
        selection,
        anchor: log.anchor.clone(),
        total,
        by_thematic_area: by_area.into_values().collect(),
        by_member_state: by_state.into_values().collect(),
        needs: lines.iter().map(|line| models.need_row(&names, line)).collect(),
    })
}
