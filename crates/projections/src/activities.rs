//! What the read models know of each activity, folded from the activity events alone.
//!
//! Shared by the work programme, the needs register and the evaluation history. An event
//! whose activity was never proposed in the events folded (an as-of cut can leave the
//! proposal out) creates a *partial* record: the fields only the proposal gives stay empty
//! and `proposal_known` is false. Such records are kept, not dropped, so that an approval or a
//! result is never lost from an answer.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smes_domain::activity::{ActivityEvent, MemberStateShare, Output, ParticipantCounts, Proposer, SexShare};
use smes_domain::ids::{ActivityId, EventId, IndicatorId, NeedId};
use smes_domain::values::{
    ActivityKind, Correction, Decision, MemberStateCode, Money, Period, ThematicArea, WorkProgrammeYear,
};

use crate::envelope::Envelope;

/// Where an activity stands, as the read models report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ActivityState {
    /// Only later events of it were folded.
    #[default]
    Unknown,
    /// Proposed, not yet decided.
    Proposed,
    /// Decision postponed.
    Deferred,
    /// Approved into a work programme.
    Approved,
    Rejected,
    /// Took place.
    Held,
    /// Called off.
    Cancelled,
}

impl ActivityState {
    /// Whether the activity was approved (and so answers the needs it cites), whatever
    /// happened after.
    pub fn is_approved_or_held(self) -> bool {
        matches!(self, ActivityState::Approved | ActivityState::Held)
    }

    /// Whether the activity may still take place or took place.
    pub fn is_live(self) -> bool {
        !matches!(self, ActivityState::Rejected | ActivityState::Cancelled)
    }
}

/// A correction applied to a record: which event it corrects, why, from which business date,
/// and where it stands in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionNote {
    /// The event corrected.
    pub corrects: EventId,
    /// Why.
    pub reason: String,
    /// From when the corrected facts hold.
    pub effective_from: Date,
    /// The correcting event's log position.
    pub position: u64,
}

impl CorrectionNote {
    pub(crate) fn new(correction: &Correction, position: u64) -> Self {
        CorrectionNote {
            corrects: correction.corrects,
            reason: correction.reason.clone(),
            effective_from: correction.effective_from,
            position,
        }
    }
}

/// An indicator's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorDefinition {
    /// What it measures.
    pub name: String,
    pub unit: String,
    /// The value before the activity.
    pub baseline: Decimal,
    /// The value aimed at.
    pub target: Decimal,
    /// Whether higher values are better.
    pub higher_is_better: bool,
}

/// One result of an indicator for a period, as last recorded or corrected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultFigure {
    /// The period measured.
    pub period: Period,
    pub value: Decimal,
    /// The value by sex.
    pub by_sex: Vec<SexShare<Decimal>>,
    /// The value by Member State.
    pub by_member_state: Vec<MemberStateShare<Decimal>>,
    /// The value first recorded, when a correction replaced it (`None` when the original is
    /// not among the events folded or nothing was corrected).
    pub originally: Option<Decimal>,
    /// The corrections applied, in log order.
    pub corrections: Vec<CorrectionNote>,
}

/// An indicator with its results.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IndicatorEntry {
    /// The definition, when its event was folded.
    pub definition: Option<IndicatorDefinition>,
    /// The results, sorted by period.
    pub results: Vec<ResultFigure>,
}

/// A duplicate warning that was overridden when the activity was proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverriddenWarning {
    /// The activities it may duplicate.
    pub duplicates: Vec<ActivityId>,
    /// Why it was recorded anyway.
    pub reason: String,
    /// The log position.
    pub position: u64,
}

/// Everything known of one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub activity: ActivityId,
    /// Whether its proposal is among the events folded.
    pub proposal_known: bool,
    pub title: Option<String>,
    pub kind: Option<ActivityKind>,
    pub thematic_area: Option<ThematicArea>,
    /// Its host Member State.
    pub host: Option<MemberStateCode>,
    /// Who proposed it.
    pub proposed_by: Option<Proposer>,
    /// When it was proposed.
    pub proposed_on: Option<Date>,
    /// The needs it answers, sorted.
    pub answers_needs: Vec<NeedId>,
    /// Its planned period, after any rescheduling.
    pub planned: Option<Period>,
    /// Its estimated cost: the budget of the activity.
    pub budget: Option<Money>,
    /// Where it stands.
    pub status: ActivityState,
    /// The work programme it was approved into.
    pub work_programme: Option<WorkProgrammeYear>,
    /// The approving decision.
    pub decision: Option<Decision>,
    /// Why it was rejected, deferred or cancelled, the latest such.
    pub rationale: Option<String>,
    /// When it was rejected or deferred, the latest such.
    pub decided_on: Option<Date>,
    /// When it was cancelled.
    pub cancelled_on: Option<Date>,
    /// When it actually took place.
    pub held: Option<Period>,
    /// Who took part.
    pub participants: Option<ParticipantCounts>,
    /// What it produced.
    pub outputs: Vec<Output>,
    /// Duplicate warnings overridden.
    pub overridden_warnings: Vec<OverriddenWarning>,
    /// Indicators and results.
    pub indicators: BTreeMap<IndicatorId, IndicatorEntry>,
}

impl ActivityEntry {
    fn partial(activity: ActivityId) -> Self {
        ActivityEntry {
            activity,
            proposal_known: false,
            title: None,
            kind: None,
            thematic_area: None,
            host: None,
            proposed_by: None,
            proposed_on: None,
            answers_needs: Vec::new(),
            planned: None,
            budget: None,
            status: ActivityState::Unknown,
            work_programme: None,
            decision: None,
            rationale: None,
            decided_on: None,
            cancelled_on: None,
            held: None,
            participants: None,
            outputs: Vec::new(),
            overridden_warnings: Vec::new(),
            indicators: BTreeMap::new(),
        }
    }
}

/// The activities, by id. Entries are boxed: they are large, and the map moves its values
/// as it grows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActivityBook(pub BTreeMap<ActivityId, Box<ActivityEntry>>);

impl ActivityBook {
    /// One activity.
    pub fn get(&self, activity: ActivityId) -> Option<&ActivityEntry> {
        self.0.get(&activity).map(Box::as_ref)
    }

    /// Every activity, by id.
    pub fn iter(&self) -> impl Iterator<Item = &ActivityEntry> {
        self.0.values().map(Box::as_ref)
    }

    /// Applies an activity event; other events are ignored.
    pub fn apply(&mut self, envelope: &Envelope, event: &ActivityEvent) {
        let activity = event.activity();
        let entry = self
            .0
            .entry(activity)
            .or_insert_with(|| Box::new(ActivityEntry::partial(activity)));
        match event {
            ActivityEvent::Proposed(proposed) => {
                entry.proposal_known = true;
                entry.title = Some(proposed.title.clone());
                entry.kind = Some(proposed.kind);
                entry.thematic_area = Some(proposed.thematic_area);
                entry.host = Some(proposed.host);
                entry.proposed_by = Some(proposed.proposed_by);
                entry.proposed_on = Some(proposed.proposed_on);
                let mut needs = proposed.answers_needs.clone();
                needs.sort();
                needs.dedup();
                entry.answers_needs = needs;
                entry.planned = Some(proposed.planned);
                entry.budget = Some(proposed.estimated_cost.clone());
                if entry.status == ActivityState::Unknown {
                    entry.status = ActivityState::Proposed;
                }
            }
            ActivityEvent::DuplicateWarningOverridden(overridden) => {
                entry.overridden_warnings.push(OverriddenWarning {
                    duplicates: overridden.duplicates.clone(),
                    reason: overridden.reason.clone(),
                    position: envelope.position,
                });
            }
            // A reason kept as a note overrode nothing; the decision trace shows it.
            ActivityEvent::DuplicateOverrideNoted(_) => {}
            ActivityEvent::Approved(approved) => {
                entry.status = ActivityState::Approved;
                entry.work_programme = Some(approved.work_programme);
                entry.decision = Some(approved.decision.clone());
            }
            ActivityEvent::Rejected(rejected) => {
                entry.status = ActivityState::Rejected;
                entry.rationale = Some(rejected.rationale.clone());
                entry.decided_on = Some(rejected.decided_on);
            }
            ActivityEvent::Deferred(deferred) => {
                entry.status = ActivityState::Deferred;
                entry.rationale = Some(deferred.rationale.clone());
                entry.decided_on = Some(deferred.decided_on);
            }
            ActivityEvent::Rescheduled(rescheduled) => entry.planned = Some(rescheduled.planned),
            ActivityEvent::Held(held) => {
                entry.status = ActivityState::Held;
                entry.held = Some(held.held);
                entry.participants = Some(held.participants.clone());
                entry.outputs = held.outputs.clone();
            }
            ActivityEvent::Cancelled(cancelled) => {
                entry.status = ActivityState::Cancelled;
                entry.rationale = Some(cancelled.reason.clone());
                entry.cancelled_on = Some(cancelled.cancelled_on);
            }
            ActivityEvent::IndicatorDefined(defined) => {
                entry.indicators.entry(defined.indicator).or_default().definition = Some(IndicatorDefinition {
                    name: defined.name.clone(),
                    unit: defined.unit.clone(),
                    baseline: defined.baseline,
                    target: defined.target,
                    higher_is_better: defined.higher_is_better,
                });
            }
            ActivityEvent::ResultRecorded(recorded) => {
                let indicator = entry.indicators.entry(recorded.indicator).or_default();
                upsert_result(
                    &mut indicator.results,
                    ResultFigure {
                        period: recorded.period,
                        value: recorded.value,
                        by_sex: recorded.by_sex.clone(),
                        by_member_state: recorded.by_member_state.clone(),
                        originally: None,
                        corrections: Vec::new(),
                    },
                    None,
                );
            }
            ActivityEvent::ResultCorrected(corrected) => {
                let indicator = entry.indicators.entry(corrected.indicator).or_default();
                upsert_result(
                    &mut indicator.results,
                    ResultFigure {
                        period: corrected.period,
                        value: corrected.value,
                        by_sex: corrected.by_sex.clone(),
                        by_member_state: corrected.by_member_state.clone(),
                        originally: None,
                        corrections: Vec::new(),
                    },
                    Some(CorrectionNote::new(&corrected.correction, envelope.position)),
                );
            }
        }
    }
}

/// Puts a result in its place (sorted by period). A correction replaces the figures of the
/// same period, remembering the first value and adding its note; a correction of a result
/// not among the events folded is kept as the period's figure.
fn upsert_result(results: &mut Vec<ResultFigure>, mut figure: ResultFigure, correction: Option<CorrectionNote>) {
    let key = |result: &ResultFigure| (result.period.start(), result.period.end());
    match results.binary_search_by_key(&key(&figure), key) {
        Ok(index) => {
            let existing = &mut results[index];
            match correction {
                Some(note) => {
                    figure.originally = existing.originally.or(Some(existing.value));
                    figure.corrections = std::mem::take(&mut existing.corrections);
                    figure.corrections.push(note);
                }
                None => {
                    figure.originally = existing.originally;
                    figure.corrections = std::mem::take(&mut existing.corrections);
                }
            }
            *existing = figure;
        }
        Err(index) => {
            figure.corrections.extend(correction);
            results.insert(index, figure);
        }
    }
}
