//! The work programme of a year, as a snapshot under a cut, filtered, ready to render.
//!
//! [`build`] folds the read models under the cut and turns the year's view into rows of text:
//! every amount is already a [`MoneyText`], every list is in a fixed order (activities by id,
//! funding by source, totals by area and by Member State code), so the renderers only lay the
//! rows out and the JSON form is the same data serialised.

mod csv;
pub mod html;
mod markdown;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use smes_domain::Decider as _;
use smes_domain::activity::ActivityEvent;
use smes_domain::activity::Proposer;
use smes_domain::cooperation_source::{CooperationSourceDecider, CooperationSourceEvent};
use smes_domain::ids::CooperationSourceId;
use smes_domain::member_state::MemberStateEvent;
use smes_domain::values::{ApprovingBody, Decision, MemberStateCode, WorkProgrammeYear};
use smes_domain::work_programme::WorkProgrammeEvent;
use smes_projections::counterparts::CounterpartDirectory;
use smes_projections::funding::FundingFigures;
use smes_projections::participation::Participation;
use smes_projections::work_programme::{ActivityLine, Figures, ProposalLine, Totals, YearStatus};
use smes_projections::{Anchor, LogSlice};
use smes_projections::{Cut, DomainEvent, Envelope, FundingSource, Projection, Reach, WorkProgrammeModel, fold_cut};

use crate::error::{Error, Result};
use crate::format::{MoneyText, amounts, describe_cut};
use crate::options::{Filter, Format, status_name};
use crate::participants::ParticipantsRow;

/// What a snapshot is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRequest {
    /// The work programme's year.
    pub year: WorkProgrammeYear,
    /// The cut of the log.
    pub cut: Cut,
    /// Which activities to list.
    pub filter: Filter,
}

/// The cut and filter a snapshot (or a register) was made with, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// `as_of` (`--as-of`), if given.
    pub as_of: Option<String>,
    /// `known_at` (`--known-at`), if given.
    pub known_at: Option<String>,
    /// `at_position` (`--at-position`), if given.
    pub at_position: Option<u64>,
    /// The cut in words.
    pub cut: String,
    /// Thematic areas asked for, as slugs (empty: all).
    pub areas: Vec<String>,
    /// Member States asked for (empty: all).
    pub countries: Vec<String>,
    /// Statuses asked for (empty: all).
    pub statuses: Vec<String>,
}

impl Selection {
    /// The selection of `cut` with no filter.
    pub(crate) fn of(cut: &Cut) -> Selection {
        Selection {
            as_of: cut.as_of.map(|date| date.to_string()),
            known_at: cut.known_at.map(|instant| instant.to_string()),
            at_position: cut.at_position,
            cut: describe_cut(cut),
            areas: Vec::new(),
            countries: Vec::new(),
            statuses: Vec::new(),
        }
    }
}

/// The work programme itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Programme {
    /// `unknown`, `open`, `adopted` or `closed`.
    pub status: String,
    /// Its budget: the estimate or the latest revision.
    pub budget: Option<MoneyText>,
    /// The adopting decision.
    pub adopted_by: Option<DecisionRow>,
}

/// A decision, without personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRow {
    /// The document reference.
    pub reference: String,
    /// Who decided.
    pub body: String,
    /// When.
    pub decided_on: String,
}

/// Funding of one activity from one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundingRow {
    /// The source's key, such as `sela-regular-budget` or `counterpart:<id>`.
    pub source: String,
    /// The source's organisation name.
    pub name: String,
    pub committed: Vec<MoneyText>,
    /// Paid.
    pub disbursed: Vec<MoneyText>,
    pub spent: Vec<MoneyText>,
    /// Given in kind.
    pub in_kind: Vec<MoneyText>,
}

/// One activity of the work programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityRow {
    pub id: String,
    /// Its title (empty when its proposal is outside the cut).
    pub title: String,
    pub kind: Option<String>,
    /// Where it stands.
    pub status: String,
    pub thematic_area: Option<String>,
    /// Its host Member State.
    pub host: Option<String>,
    /// Who proposed it: an organisation or the Permanent Secretariat.
    pub proposed_by: Option<String>,
    /// Planned first day.
    pub planned_start: Option<String>,
    /// Planned last day.
    pub planned_end: Option<String>,
    /// First day held.
    pub held_start: Option<String>,
    /// Last day held.
    pub held_end: Option<String>,
    /// The needs it answers.
    pub answers_needs: Vec<String>,
    /// The approving decision.
    pub decision: Option<DecisionRow>,
    /// Its budget (estimated cost).
    pub budget: Option<MoneyText>,
    /// Funding by source.
    pub funding: Vec<FundingRow>,
    /// Committed, all sources.
    pub committed: Vec<MoneyText>,
    /// Paid, all sources.
    pub disbursed: Vec<MoneyText>,
    /// Spent, all sources.
    pub spent: Vec<MoneyText>,
    /// In kind, all sources.
    pub in_kind: Vec<MoneyText>,
    /// What commitments and in-kind contributions do not yet cover.
    pub funding_gap: Option<MoneyText>,
    /// Funding in currencies with no recorded rate into the budget's, left out of the gap.
    pub unconverted_funding: Vec<MoneyText>,
    /// Who took part, once it was held.
    pub participants: Option<ParticipantsRow>,
    /// When it was called off (cancelled activities only).
    pub cancelled_on: Option<String>,
    /// Why it was called off (cancelled activities only).
    pub cancellation_reason: Option<String>,
}

/// A proposal for the year that was rejected or deferred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalRow {
    pub id: String,
    /// Its title (empty when its proposal is outside the cut).
    pub title: String,
    pub kind: Option<String>,
    pub thematic_area: Option<String>,
    /// Its host Member State.
    pub host: Option<String>,
    /// Planned first day.
    pub planned_start: Option<String>,
    /// Planned last day.
    pub planned_end: Option<String>,
    /// The budget it asked for.
    pub budget: Option<MoneyText>,
    /// `rejected` or `deferred`.
    pub decision: String,
    /// When that was decided.
    pub decided_on: Option<String>,
    /// Why.
    pub rationale: Option<String>,
}

/// Totals of a group of the listed activities, by currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalRow {
    /// `all`, `thematic-area` or `member-state`.
    pub group: String,
    /// The area slug or Member State code (`all` for the overall row).
    pub key: String,
    /// How many activities.
    pub activities: usize,
    /// Budgets.
    pub budget: Vec<MoneyText>,
    pub committed: Vec<MoneyText>,
    /// Paid.
    pub disbursed: Vec<MoneyText>,
    pub spent: Vec<MoneyText>,
    pub in_kind: Vec<MoneyText>,
    /// Funding gaps.
    pub funding_gap: Vec<MoneyText>,
    /// Who took part in those held.
    pub participants: ParticipantsRow,
}

/// A work programme snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// Always `work-programme-snapshot`.
    pub report: &'static str,
    pub year: i16,
    /// The cut and filter.
    pub selection: Selection,
    /// The log prefix it was made from.
    pub anchor: Anchor,
    /// The work programme itself.
    pub programme: Programme,
    /// Its approved activities (approved or held), by id, as filtered.
    pub activities: Vec<ActivityRow>,
    /// Totals of the listed approved activities: overall, by thematic area, by host Member
    /// State. Cancelled activities are in none of them.
    pub totals: Vec<TotalRow>,
    /// The activities approved into the year and then cancelled, by id, as filtered.
    pub cancelled: Vec<ActivityRow>,
    /// The listed cancelled activities' figures, apart from the totals (group `cancelled`).
    pub cancelled_totals: TotalRow,
    /// Proposals for the year rejected or deferred, by id, as filtered.
    pub declined: Vec<ProposalRow>,
}

/// The formats a snapshot can be written in.
pub const FORMATS: [Format; 4] = [Format::Markdown, Format::Json, Format::Csv, Format::Html];

impl Snapshot {
    /// Writes the snapshot in a format (md, json, csv or html).
    pub fn render(&self, format: Format) -> Result<String> {
        match format {
            Format::Markdown => Ok(markdown::render(self)),
            Format::Json => crate::format_json(self),
            Format::Csv => csv::render(self),
            Format::Html => Ok(html::render(self)),
            Format::Dot => Err(Error::InvalidOption {
                option: "--format",
                value: "dot".to_owned(),
                allowed: "expected one of md, json, csv, html".to_owned(),
            }),
        }
    }
}

/// Years with a work programme and the countries (Member States and hosts) the prefix names,
/// whatever the business-date cut: what `--year` and `--country` may name.
/// The work programmes and Member States a log prefix names, against which a request's year
/// and countries are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// Years opened or approved into.
    pub years: BTreeSet<WorkProgrammeYear>,
    /// Member States that joined or hosted an activity.
    pub countries: BTreeSet<MemberStateCode>,
}

impl Known {
    /// What a whole log prefix names.
    pub fn of(log: &LogSlice) -> Self {
        let (years, countries) = known_values(log);
        Known { years, countries }
    }

    /// What the link index lists for a year's walk.
    pub fn listed(reach: &Reach) -> Self {
        Known {
            years: reach
                .listed(smes_projections::reach::YEARS)
                .iter()
                .filter_map(|stream| smes_projections::reach::year_of_stream(stream))
                .collect(),
            countries: reach
                .listed(smes_projections::reach::COUNTRIES)
                .iter()
                .filter_map(|stream| smes_projections::reach::member_state_of_stream(stream))
                .collect(),
        }
    }
}

fn known_values(log: &LogSlice) -> (BTreeSet<WorkProgrammeYear>, BTreeSet<MemberStateCode>) {
    let mut years = BTreeSet::new();
    let mut countries = BTreeSet::new();
    for envelope in &log.envelopes {
        match &envelope.event {
            DomainEvent::WorkProgramme(WorkProgrammeEvent::Opened(opened)) => {
                years.insert(opened.year);
            }
            DomainEvent::Activity(ActivityEvent::Approved(approved)) => {
                years.insert(approved.work_programme);
            }
            DomainEvent::Activity(ActivityEvent::Proposed(proposed)) => {
                countries.insert(proposed.host);
            }
            DomainEvent::MemberState(MemberStateEvent::Joined(joined)) => {
                countries.insert(joined.code);
            }
            _ => {}
        }
    }
    (years, countries)
}

/// Cooperation sources' names, as registered in the prefix.
pub(crate) fn source_names(log: &LogSlice) -> BTreeMap<CooperationSourceId, String> {
    log.envelopes
        .iter()
        .filter_map(|envelope| match &envelope.event {
            DomainEvent::CooperationSource(CooperationSourceEvent::Registered(registered)) => {
                Some((registered.cooperation_source, registered.name.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Which events a snapshot under `cut` may go without: those its business-date bound never
/// admits, except in the cooperation sources' streams, whose names it takes whatever the cut
/// ([`source_names`]). `None` without a business-date bound.
pub fn occurred(cut: &Cut) -> Option<smes_projections::Occurred> {
    fn cooperation_source(stream: &str) -> bool {
        stream
            .strip_prefix(CooperationSourceDecider::STREAM_PREFIX)
            .is_some_and(|rest| rest.starts_with('-'))
    }
    cut.occurred_before().map(|before| smes_projections::Occurred {
        before,
        whole: cooperation_source,
    })
}

/// Builds the snapshot of a year from a log prefix. A year or country the prefix never names is
/// an error listing those it does.
pub fn build(log: &LogSlice, request: &SnapshotRequest) -> Result<Snapshot> {
    build_known(log, &Known::of(log), request)
}

/// [`build`] from the events of the streams a year's [`Reach`] names rather than the whole
/// prefix, with what the link index lists as `known`.
pub fn build_known(log: &LogSlice, known: &Known, request: &SnapshotRequest) -> Result<Snapshot> {
    let Known { years, countries } = known;
    if !years.contains(&request.year) {
        return Err(Error::InvalidOption {
            option: "--year",
            value: request.year.to_string(),
            allowed: if years.is_empty() {
                format!(
                    "the log up to position {} has no work programme",
                    log.anchor.log_position
                )
            } else {
                format!(
                    "the log up to position {} has work programmes for {}",
                    log.anchor.log_position,
                    list_or_none(years.iter().map(ToString::to_string))
                )
            },
        });
    }
    if let Some(unknown) = request.filter.countries.iter().find(|code| !countries.contains(code)) {
        return Err(Error::InvalidOption {
            option: "--country",
            value: unknown.to_string(),
            allowed: format!(
                "expected a Member State or host named in the log: {}",
                list_or_none(countries.iter().map(ToString::to_string))
            ),
        });
    }
    let models: SnapshotModels = fold_cut(&log.envelopes, &request.cut);
    let names = Names {
        work_programme: &models.work_programme,
        counterparts: &models.counterparts,
        sources: source_names(log),
    };
    let view = models.work_programme.year(request.year, None);
    let lines: Vec<&ActivityLine> = view
        .activities
        .iter()
        .filter(|line| request.filter.admits(line.thematic_area, line.host, line.status))
        .collect();
    let figures = Totals::of(lines.iter().copied());
    let activities: Vec<ActivityRow> = lines
        .iter()
        .filter(|line| line.counts_in_totals())
        .map(|line| activity_row(line, &names))
        .collect();
    let cancelled: Vec<ActivityRow> = lines
        .iter()
        .filter(|line| !line.counts_in_totals())
        .map(|line| activity_row(line, &names))
        .collect();
    let declined: Vec<ProposalRow> = view
        .declined
        .iter()
        .filter(|line| {
            request
                .filter
                .admits(line.thematic_area, line.host, line.decision.status())
        })
        .map(proposal_row)
        .collect();
    Ok(Snapshot {
        report: "work-programme-snapshot",
        year: request.year.get(),
        selection: Selection {
            areas: request.filter.areas.iter().map(|area| area.slug().to_owned()).collect(),
            countries: request.filter.countries.iter().map(ToString::to_string).collect(),
            statuses: request
                .filter
                .statuses
                .iter()
                .map(|status| status_name(*status).to_owned())
                .collect(),
            ..Selection::of(&request.cut)
        },
        anchor: log.anchor.clone(),
        programme: Programme {
            status: year_status(view.status).to_owned(),
            budget: view.budget.as_ref().map(MoneyText::of),
            adopted_by: view.adopted_by.as_ref().map(decision_row),
        },
        totals: total_rows(&figures),
        cancelled_totals: total_row("cancelled", "all".to_owned(), &figures.cancelled),
        activities,
        cancelled,
        declined,
    })
}

fn list_or_none(values: impl Iterator<Item = String>) -> String {
    let values: Vec<String> = values.collect();
    if values.is_empty() {
        "none".to_owned()
    } else {
        values.join(", ")
    }
}

pub(crate) fn year_status(status: YearStatus) -> &'static str {
    match status {
        YearStatus::Unknown => "unknown",
        YearStatus::Open => "open",
        YearStatus::Adopted => "adopted",
        YearStatus::Closed => "closed",
    }
}

/// A decision's row.
pub(crate) fn decision_row(decision: &Decision) -> DecisionRow {
    DecisionRow {
        reference: decision.reference.clone(),
        body: match &decision.body {
            ApprovingBody::LatinAmericanCouncil { decision_number } => {
                format!("Latin American Council, Decision {decision_number}")
            }
            ApprovingBody::PermanentSecretariat => "Permanent Secretariat".to_owned(),
        },
        decided_on: decision.decided_on.to_string(),
    }
}

/// Organisation names, from the directory under the cut and the sources registered.
/// The read models a snapshot shows: the work programme, and the directory it names
/// counterparts and Member States from. Folding only these keeps a snapshot's fold to what it
/// needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
struct SnapshotModels {
    work_programme: WorkProgrammeModel,
    counterparts: CounterpartDirectory,
}

impl Projection for SnapshotModels {
    fn apply(&mut self, envelope: &Envelope) {
        self.work_programme.apply(envelope);
        self.counterparts.apply(envelope);
    }
}

pub(crate) struct Names<'a> {
    pub(crate) work_programme: &'a WorkProgrammeModel,
    pub(crate) counterparts: &'a CounterpartDirectory,
    pub(crate) sources: BTreeMap<CooperationSourceId, String>,
}

impl Names<'_> {
    pub(crate) fn funding_source(&self, source: FundingSource) -> String {
        match source {
            FundingSource::SelaRegularBudget => "SELA regular budget".to_owned(),
            FundingSource::Counterpart(id) => self
                .counterparts
                .counterparts
                .get(&id)
                .and_then(|entry| entry.details.as_ref())
                .map_or_else(|| format!("counterpart {id}"), |details| details.name.clone()),
            // An organisation that is also a counterpart is named once, by its counterpart
            // registration, from the day the two are one organisation under the cut.
            FundingSource::CooperationSource(id) => self
                .counterparts
                .sources
                .get(&id)
                .and_then(|source| source.counterpart)
                .and_then(|counterpart| self.counterparts.counterparts.get(&counterpart))
                .and_then(|entry| entry.details.as_ref())
                .map(|details| details.name.clone())
                .or_else(|| self.sources.get(&id).cloned())
                .unwrap_or_else(|| format!("cooperation source {id}")),
            FundingSource::MemberState(code) => {
                let name = self
                    .counterparts
                    .member_states
                    .get(&code)
                    .and_then(|entry| entry.name.clone())
                    .unwrap_or_else(|| code.to_string());
                format!("{name} (in kind)")
            }
            FundingSource::UnknownOffer(id) => format!("offer {id} (its source is outside the cut)"),
        }
    }

    fn proposer(&self, proposer: Proposer) -> String {
        match proposer {
            Proposer::Secretariat => "Permanent Secretariat".to_owned(),
            Proposer::Counterpart(id) => self.funding_source(FundingSource::Counterpart(id)),
        }
    }
}

fn activity_row(line: &ActivityLine, names: &Names<'_>) -> ActivityRow {
    let entry = names.work_programme.activities.get(line.activity);
    let mut all = FundingFigures::default();
    for figures in line.funding.values() {
        all.add_all(figures);
    }
    ActivityRow {
        id: line.activity.to_string(),
        title: line.title.clone().unwrap_or_default(),
        kind: line.kind.map(|kind| kind.slug().to_owned()),
        status: status_name(line.status).to_owned(),
        thematic_area: line.thematic_area.map(|area| area.slug().to_owned()),
        host: line.host.map(|host| host.to_string()),
        proposed_by: entry
            .and_then(|entry| entry.proposed_by)
            .map(|proposer| names.proposer(proposer)),
        planned_start: line.planned.map(|period| period.start().to_string()),
        planned_end: line.planned.map(|period| period.end().to_string()),
        held_start: line.held.map(|period| period.start().to_string()),
        held_end: line.held.map(|period| period.end().to_string()),
        answers_needs: line.answers_needs.iter().map(ToString::to_string).collect(),
        decision: line.decision.as_ref().map(decision_row),
        budget: line.budget.as_ref().map(MoneyText::of),
        funding: line
            .funding
            .iter()
            .map(|(source, figures)| FundingRow {
                source: source.to_string(),
                name: names.funding_source(*source),
                committed: amounts(&figures.committed),
                disbursed: amounts(&figures.disbursed),
                spent: amounts(&figures.spent),
                in_kind: amounts(&figures.in_kind),
            })
            .collect(),
        committed: amounts(&all.committed),
        disbursed: amounts(&all.disbursed),
        spent: amounts(&all.spent),
        in_kind: amounts(&all.in_kind),
        funding_gap: line.funding_gap.as_ref().map(MoneyText::of),
        unconverted_funding: amounts(&line.unconverted_funding),
        participants: line
            .participants
            .as_ref()
            .map(|counts| ParticipantsRow::of(&Participation::of(counts))),
        cancelled_on: line
            .cancellation
            .as_ref()
            .map(|cancellation| cancellation.cancelled_on.to_string()),
        cancellation_reason: line
            .cancellation
            .as_ref()
            .map(|cancellation| cancellation.reason.clone()),
    }
}

fn proposal_row(line: &ProposalLine) -> ProposalRow {
    ProposalRow {
        id: line.activity.to_string(),
        title: line.title.clone().unwrap_or_default(),
        kind: line.kind.map(|kind| kind.slug().to_owned()),
        thematic_area: line.thematic_area.map(|area| area.slug().to_owned()),
        host: line.host.map(|host| host.to_string()),
        planned_start: line.planned.map(|period| period.start().to_string()),
        planned_end: line.planned.map(|period| period.end().to_string()),
        budget: line.budget.as_ref().map(MoneyText::of),
        decision: status_name(line.decision.status()).to_owned(),
        decided_on: line.decided_on.map(|date| date.to_string()),
        rationale: line.rationale.clone(),
    }
}

/// A row of figures.
pub(crate) fn total_row(group: &str, key: String, figures: &Figures) -> TotalRow {
    TotalRow {
        group: group.to_owned(),
        key,
        activities: figures.activities,
        budget: amounts(&figures.budget),
        committed: amounts(&figures.funding.committed),
        disbursed: amounts(&figures.funding.disbursed),
        spent: amounts(&figures.funding.spent),
        in_kind: amounts(&figures.funding.in_kind),
        funding_gap: amounts(&figures.funding_gap),
        participants: ParticipantsRow::of(&figures.participants),
    }
}

/// The rows of the totals: overall, by thematic area (slug order), by host Member State.
fn total_rows(totals: &Totals) -> Vec<TotalRow> {
    let mut by_area: BTreeMap<&'static str, &Figures> = totals
        .by_thematic_area
        .iter()
        .map(|(area, figures)| (area.slug(), figures))
        .collect();
    let mut rows = vec![total_row("all", "all".to_owned(), &totals.overall)];
    if totals.area_unknown.activities > 0 {
        by_area.insert("unknown", &totals.area_unknown);
    }
    rows.extend(
        by_area
            .iter()
            .map(|(area, figures)| total_row("thematic-area", (*area).to_owned(), figures)),
    );
    let mut by_state: Vec<(String, &Figures)> = totals
        .by_member_state
        .iter()
        .map(|(state, figures)| (state.to_string(), figures))
        .collect();
    if totals.host_unknown.activities > 0 {
        by_state.push(("unknown".to_owned(), &totals.host_unknown));
        by_state.sort_by(|a, b| a.0.cmp(&b.0));
    }
    rows.extend(
        by_state
            .iter()
            .map(|(state, figures)| total_row("member-state", state.clone(), figures)),
    );
    rows
}
