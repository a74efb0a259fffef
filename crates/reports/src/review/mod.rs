//! The programme review pack: what a review of a period needs on one page, with charts.
//!
//! [`build`] is a pure function of a log prefix and a [`ReviewRequest`]: it folds the read
//! models as of the end of the period (under the request's record-time and position bounds)
//! and turns them into a [`ReviewPack`] of text rows: the work programmes of the period's
//! years, the programme reviews of the period and the previous closed one, achievements
//! against the work programme and the indicators' targets, participants by sex and Member
//! State, coverage by thematic area × Member State, needs still unanswered, funding by source
//! and funding gaps, and what changed in the work programme since the previous closed review
//! (the diff of [`crate::diff`]). The renderers only lay the pack out: Markdown with the
//! charts as files beside it, one HTML page with the charts inline, or the pack itself as
//! JSON. Charts are drawn with `plotters` from the pack's own figures ([`charts`]).
//!
//! Like every report, the pack states its anchor and holds no personal data: counterparts
//! appear by organisation, and people not at all.

mod assemble;
pub(crate) use assemble::{citing_activities, consultation_title, review_row};
pub mod charts;
pub mod html;
mod markdown;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use smes_projections::{Anchor, Cut};

pub use self::assemble::build;
use crate::diff::YearDiff;
use crate::error::{Error, Result};
use crate::format::MoneyText;
use crate::options::{Format, parse_date, parse_position, parse_timestamp};
use crate::snapshot::DecisionRow;

/// The formats a review pack can be written in.
pub const FORMATS: [Format; 3] = [Format::Markdown, Format::Html, Format::Json];

/// What a review pack is asked for: the period reviewed and the log's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewRequest {
    /// The first day of the period.
    pub from: Date,
    /// The last day of the period, on or after `from`.
    pub to: Date,
    /// Only what was recorded at or before this time.
    pub known_at: Option<Timestamp>,
    /// Only the log up to this position.
    pub at_position: Option<u64>,
}

impl ReviewRequest {
    /// Parses `--from`, `--to` (dates, `--to` not before `--from`), `--known-at` and
    /// `--at-position`.
    pub fn parse(from: &str, to: &str, known_at: Option<&str>, at_position: Option<&str>) -> Result<ReviewRequest> {
        let first = parse_date("--from", from)?;
        let last = parse_date("--to", to)?;
        if last < first {
            return Err(Error::InvalidOption {
                option: "--to",
                value: to.to_owned(),
                allowed: format!("expected a date on or after --from ({first})"),
            });
        }
        Ok(ReviewRequest {
            from: first,
            to: last,
            known_at: known_at.map(|text| parse_timestamp("--known-at", text)).transpose()?,
            at_position: at_position
                .map(|text| parse_position("--at-position", text))
                .transpose()?,
        })
    }

    /// The cut the pack's read models are folded under: as of the period's last day, within
    /// the record-time and position bounds.
    pub fn cut(&self) -> Cut {
        Cut {
            as_of: Some(self.to),
            known_at: self.known_at,
            at_position: self.at_position,
        }
    }
}

/// The period reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodRow {
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
}

/// One work programme of a year the period touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgrammeRow {
    pub year: i16,
    /// `unknown`, `open`, `adopted` or `closed`.
    pub status: String,
    pub budget: Option<MoneyText>,
    /// The adopting decision.
    pub adopted_by: Option<DecisionRow>,
    /// How many activities were approved into it.
    pub activities: usize,
}

/// A programme review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRow {
    pub id: String,
    /// The first day of the period it reviews.
    pub period_from: Option<String>,
    /// The last day of that period.
    pub period_to: Option<String>,
    /// When it was opened.
    pub opened_on: Option<String>,
    /// When it was closed.
    pub closed_on: Option<String>,
    /// `open` or `closed`.
    pub status: String,
    /// Its findings, in the order recorded.
    pub findings: Vec<String>,
    /// Its recommendations, in the order recorded.
    pub recommendations: Vec<String>,
}

/// The previous closed review, and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviousReview {
    /// The rule, in words.
    pub rule: String,
    /// The review chosen, if any.
    pub review: Option<ReviewRow>,
}

/// Activities of the period's work programmes in one thematic area (or all), by where they
/// stand: the work programme is the target, holding the activities the achievement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaProgress {
    /// The area's slug, or `all`.
    pub thematic_area: String,
    /// Approved into the work programmes, whatever happened after.
    pub approved: usize,
    pub held: usize,
    /// Approved and not yet held.
    pub to_be_held: usize,
    /// Cancelled after approval.
    pub cancelled: usize,
}

/// An indicator of an activity against its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorRow {
    /// The activity's id.
    pub activity_id: String,
    /// The activity's title.
    pub activity: String,
    /// What the indicator measures.
    pub indicator: String,
    pub unit: String,
    /// The value before the activity.
    pub baseline: String,
    /// The value aimed at.
    pub target: String,
    /// Whether higher values are better.
    pub higher_is_better: bool,
    /// The latest measured value by the end of the period.
    pub actual: Option<String>,
    /// The period that value measures.
    pub measured: Option<String>,
    /// How far from the baseline to the target the actual value has come, in per cent
    /// (rounded to a whole number; absent when the target equals the baseline or nothing was
    /// measured).
    pub progress_percent: Option<String>,
    /// Whether the target is reached.
    pub met: Option<bool>,
}

/// Achievements against targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Achievements {
    /// All activities of the period's work programmes.
    pub overall: AreaProgress,
    /// By thematic area, in the programme's order of areas (areas with no activity left out).
    pub by_thematic_area: Vec<AreaProgress>,
    /// Indicators of those activities, by activity and indicator id.
    pub indicators: Vec<IndicatorRow>,
}

/// A count under a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountRow {
    /// The key: a sex slug or a Member State code.
    pub key: String,
    /// The key in words.
    pub label: String,
    pub count: u64,
}

/// Participants of one activity held in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParticipationRow {
    /// The activity's id.
    pub id: String,
    pub title: String,
    /// Its host Member State.
    pub host: Option<String>,
    /// When it was held.
    pub held: String,
    /// How many took part.
    pub total: u64,
    /// By sex, in the order female, male, other or not stated.
    pub by_sex: Vec<CountRow>,
    /// Women over everyone counted by sex, in percent to one decimal place; `None` when nobody
    /// was counted by sex.
    pub women_share_percent: Option<String>,
}

/// Participants of the activities held in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participants {
    /// All participants.
    pub total: u64,
    /// By sex, in the order female, male, other or not stated.
    pub by_sex: Vec<CountRow>,
    /// Women over everyone counted by sex, in percent to one decimal place; `None` when nobody
    /// was counted by sex.
    pub women_share_percent: Option<String>,
    /// By Member State, by code.
    pub by_member_state: Vec<CountRow>,
    /// By activity, by the day it began, then id.
    pub activities: Vec<ParticipationRow>,
}

/// One cell of the coverage table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageCell {
    /// The area's slug.
    pub thematic_area: String,
    /// The Member State's code.
    pub member_state: String,
    /// Activities of the period's work programmes there (not cancelled), by host.
    pub activities: usize,
    /// Of those, held.
    pub held: usize,
    /// Needs identified in the period concerning that state in that area.
    pub needs: usize,
}

/// Coverage by thematic area × Member State.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Every thematic area, in the programme's order.
    pub thematic_areas: Vec<String>,
    /// The Member States hosting an activity or concerned by a need, by code.
    pub member_states: Vec<String>,
    /// The cells with an activity or a need, by area then state.
    pub cells: Vec<CoverageCell>,
}

/// An activity citing a need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CitingActivity {
    pub id: String,
    /// Its title, when its proposal is known.
    pub title: String,
    /// Where it stands.
    pub status: String,
}

/// A need not yet answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedRow {
    pub id: String,
    /// The day it was identified.
    pub identified_on: String,
    /// The consultation that identified it, by title.
    pub consultation: String,
    /// The organisations that raised it.
    pub raised_by: Vec<String>,
    pub thematic_area: String,
    /// The Member States it concerns.
    pub member_states: Vec<String>,
    /// `high`, `medium` or `low`.
    pub priority: String,
    /// What is needed.
    pub description: String,
    /// The activities citing it (rejected, cancelled or awaiting a decision).
    pub activities: Vec<CitingActivity>,
}

/// The needs register at the end of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Needs {
    /// Needs identified by the end of the period.
    pub identified: usize,
    /// Of those, answered by an approved or held activity.
    pub answered: usize,
    /// Cited only by activities awaiting a decision, by priority, date and id.
    pub open: Vec<NeedRow>,
    /// Cited by no live activity, by priority, date and id.
    pub unanswered: Vec<NeedRow>,
}

/// Funding from one source of the period's activities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    /// The source's key.
    pub source: String,
    /// The organisation, or SELA's regular budget, or a Member State in kind.
    pub name: String,
    pub committed: Vec<MoneyText>,
    /// Paid.
    pub disbursed: Vec<MoneyText>,
    pub spent: Vec<MoneyText>,
    /// Given in kind.
    pub in_kind: Vec<MoneyText>,
}

/// An activity whose budget is not covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GapRow {
    pub id: String,
    pub title: String,
    pub thematic_area: Option<String>,
    pub host: Option<String>,
    /// Where it stands.
    pub status: String,
    pub budget: Option<MoneyText>,
    /// What commitments and in-kind contributions do not cover.
    pub gap: MoneyText,
}

/// Funding of the live activities (not cancelled) of the period's work programmes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Funding {
    /// Budgets, by currency.
    pub budget: Vec<MoneyText>,
    /// Committed, by currency.
    pub committed: Vec<MoneyText>,
    /// Paid, by currency.
    pub disbursed: Vec<MoneyText>,
    /// Spent, by currency.
    pub spent: Vec<MoneyText>,
    /// Given in kind, by currency.
    pub in_kind: Vec<MoneyText>,
    /// Funding gaps, by currency.
    pub funding_gap: Vec<MoneyText>,
    /// Budgets of the activities cancelled, outside the figures above, by currency.
    pub cancelled_budget: Vec<MoneyText>,
    /// By source, by the source's key.
    pub by_source: Vec<SourceRow>,
    /// Activities with a gap, largest first within each currency.
    pub gaps: Vec<GapRow>,
}

/// What changed in the work programme since the previous closed review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// The business date compared from: the day the previous review was closed.
    pub since: Option<String>,
    /// The business date compared to: the end of the period.
    pub until: String,
    /// What changed, by year (empty when nothing did or there is no previous review).
    pub years: Vec<YearDiff>,
}

/// A programme review pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewPack {
    /// Always `programme-review`.
    pub report: &'static str,
    /// The period reviewed.
    pub period: PeriodRow,
    /// The cut in words.
    pub cut: String,
    /// `--known-at`, if given.
    pub known_at: Option<String>,
    /// `--at-position`, if given.
    pub at_position: Option<u64>,
    /// The log prefix it was made from.
    pub anchor: Anchor,
    /// The work programmes of the years the period touches.
    pub work_programmes: Vec<ProgrammeRow>,
    /// Programme reviews whose period overlaps this one, by opening date then id.
    pub reviews: Vec<ReviewRow>,
    /// The previous closed review.
    pub previous_review: PreviousReview,
    /// Achievements against targets.
    pub achievements: Achievements,
    /// Participants by sex and Member State.
    pub participants: Participants,
    /// Coverage by thematic area × Member State.
    pub coverage: Coverage,
    /// Needs still to be answered.
    pub needs: Needs,
    /// Funding by source and funding gaps.
    pub funding: Funding,
    /// What changed since the previous closed review.
    pub changes: Changes,
}

/// One file of a pack written to a directory: its path relative to the directory and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    /// Such as `review.md` or `charts/coverage.svg`.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// Where a Markdown pack finds its charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartLinks {
    /// Linked as `charts/<name>.svg`, written beside the Markdown.
    Files,
    /// Not written: the Markdown says how to get them.
    Omitted,
}

impl ReviewPack {
    /// Writes the pack as one text: Markdown (its charts not written, as said in the text),
    /// HTML with the charts inline, or JSON.
    pub fn render(&self, format: Format) -> Result<String> {
        match format {
            Format::Markdown => Ok(markdown::render(self, &charts::render(self)?, ChartLinks::Omitted)),
            Format::Html => Ok(html::render(self, &charts::render(self)?)),
            Format::Json => crate::format_json(self),
            other => Err(Error::InvalidOption {
                option: "--format",
                value: other.name().to_owned(),
                allowed: "expected one of md, html, json".to_owned(),
            }),
        }
    }

    /// The files of the pack in a format, to be written into one directory: `review.md` and
    /// `charts/*.svg`, `review.html` (charts inline) or `review.json`.
    pub fn files(&self, format: Format) -> Result<Vec<PackFile>> {
        match format {
            Format::Markdown => {
                let charts = charts::render(self)?;
                let mut files = vec![PackFile {
                    path: "review.md".to_owned(),
                    text: markdown::render(self, &charts, ChartLinks::Files),
                }];
                files.extend(charts.into_iter().map(|chart| PackFile {
                    path: chart.path(),
                    text: chart.svg,
                }));
                Ok(files)
            }
            Format::Html => Ok(vec![PackFile {
                path: "review.html".to_owned(),
                text: self.render(format)?,
            }]),
            Format::Json => Ok(vec![PackFile {
                path: "review.json".to_owned(),
                text: self.render(format)?,
            }]),
            other => self.render(other).map(|_| Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests;

/// The sentence on what became of the activities approved, counts and verbs in their number.
pub(crate) fn achievements_sentence(overall: &AreaProgress) -> String {
    use crate::format::{count_of, is_or_are, was_or_were};
    let approved = overall.approved as u64;
    let held = overall.held as u64;
    let to_be_held = overall.to_be_held as u64;
    let cancelled = overall.cancelled as u64;
    format!(
        "The work programmes are the targets: of {} approved, {held} {} held, {to_be_held} {} still to be \
         held and {cancelled} {} cancelled.",
        count_of(approved, "activity", "activities"),
        was_or_were(held),
        is_or_are(to_be_held),
        was_or_were(cancelled)
    )
}

/// The sentence on who took part in the period, with the share of women.
pub(crate) fn participants_sentence(participants: &Participants) -> String {
    use crate::format::count_of;
    let share = participants.women_share_percent.as_ref().map_or_else(
        || " None was counted by sex.".to_owned(),
        |share| format!(" Women were {share}% of them."),
    );
    format!(
        "{} took part in {} held in the period.{share}",
        count_of(participants.total, "person", "people"),
        count_of(participants.activities.len() as u64, "activity", "activities"),
    )
}
