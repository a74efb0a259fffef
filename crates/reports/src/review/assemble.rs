//! From read models to a review pack: every figure of the pack is computed here, once, so the
//! renderers and the charts only lay out text and numbers already in the pack.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;
use smes_domain::activity::ParticipantCounts;
use smes_domain::ids::{ConsultationId, ReviewId};
use smes_domain::values::{MemberStateCode, Period, Sex, ThematicArea, WorkProgrammeYear};
use smes_projections::activities::{ActivityEntry, ActivityState, IndicatorEntry};
use smes_projections::evaluation::{EvaluationHistory, ReviewEntry};
use smes_projections::funding::FundingFigures;
use smes_projections::needs::{NeedLine, NeedStatus};
use smes_projections::participation::Participation;
use smes_projections::work_programme::{ActivityLine, Totals, WorkProgrammeModel};
use smes_projections::{FundingSource, LogSlice, ReadModels, fold_cut};

use super::{
    Achievements, AreaProgress, Changes, CitingActivity, CountRow, Coverage, CoverageCell, Funding, GapRow,
    IndicatorRow, NeedRow, Needs, Participants, ParticipationRow, PeriodRow, PreviousReview, ProgrammeRow, ReviewPack,
    ReviewRequest, ReviewRow, SourceRow,
};
use crate::diff;
use crate::error::Result;
use crate::format::{MoneyText, amounts, describe_cut};
use crate::options::{Point, status_name};
use crate::participants::ParticipantsRow;
use crate::snapshot::{Names, decision_row, source_names, year_status};

/// The review pack of a period, made from a log prefix.
pub fn build(log: &LogSlice, request: &ReviewRequest) -> Result<ReviewPack> {
    let cut = request.cut();
    let models: ReadModels = fold_cut(&log.envelopes, &cut);
    let names = Names {
        work_programme: &models.work_programme,
        counterparts: &models.counterparts,
        sources: source_names(log),
    };
    let mut work_programmes = Vec::new();
    let mut lines: Vec<ActivityLine> = Vec::new();
    for year in request.from.year()..=request.to.year() {
        let Ok(year) = WorkProgrammeYear::new(year) else {
            continue;
        };
        if !models.work_programme.years.contains_key(&year) {
            continue;
        }
        let view = models.work_programme.year(year, None);
        work_programmes.push(ProgrammeRow {
            year: year.get(),
            status: year_status(view.status).to_owned(),
            budget: view.budget.as_ref().map(MoneyText::of),
            adopted_by: view.adopted_by.as_ref().map(decision_row),
            activities: view.activities.len(),
        });
        lines.extend(view.activities);
    }
    let (reviews, previous_review) = reviews(&models, request);
    let changes = changes(log, request, previous_review.as_ref())?;
    Ok(ReviewPack {
        report: "programme-review",
        period: PeriodRow {
            from: request.from.to_string(),
            to: request.to.to_string(),
        },
        cut: describe_cut(&cut),
        known_at: request.known_at.map(|instant| instant.to_string()),
        at_position: request.at_position,
        anchor: log.anchor.clone(),
        work_programmes,
        reviews: reviews.iter().map(|(id, entry)| review_row(*id, entry)).collect(),
        previous_review: PreviousReview {
            rule: format!(
                "the latest programme review of a period that ended before {}, closed by {}",
                request.from, request.to
            ),
            review: previous_review.map(|(id, entry)| review_row(id, entry)),
        },
        achievements: achievements(&models, &lines),
        participants: participants(&models, request),
        coverage: coverage(&models, &lines, request),
        needs: needs(&models, &names),
        funding: funding(&lines, &names),
        changes,
    })
}

fn overlaps(period: &Period, request: &ReviewRequest) -> bool {
    period.start() <= request.to && period.end() >= request.from
}

/// A review with its id.
type Review<'a> = (ReviewId, &'a ReviewEntry);

/// The reviews of the period, and the previous closed review.
fn reviews<'a>(models: &'a ReadModels, request: &ReviewRequest) -> (Vec<Review<'a>>, Option<Review<'a>>) {
    let all = &models.evaluation_history.reviews;
    let mut of_period: Vec<(ReviewId, &ReviewEntry)> = all
        .iter()
        .filter(|(_, entry)| entry.period.is_some_and(|period| overlaps(&period, request)))
        .map(|(id, entry)| (*id, entry))
        .collect();
    of_period.sort_by_key(|(id, entry)| (entry.opened_on, *id));
    let previous = all
        .iter()
        .filter_map(|(id, entry)| {
            let period = entry.period?;
            let closed_on = entry.closed_on?;
            (period.end() < request.from && closed_on <= request.to).then_some((period.end(), closed_on, *id, entry))
        })
        .max_by_key(|(end, closed_on, id, _)| (*end, *closed_on, *id))
        .map(|(_, _, id, entry)| (id, entry));
    (of_period, previous)
}

/// The activities citing a need, each with its title and status, as the pack and the needs
/// register list them.
pub(crate) fn citing_activities(work_programme: &WorkProgrammeModel, line: &NeedLine) -> Vec<CitingActivity> {
    line.activities
        .iter()
        .map(|(activity, state)| CitingActivity {
            id: activity.to_string(),
            title: work_programme
                .activities
                .get(*activity)
                .and_then(|entry| entry.title.clone())
                .unwrap_or_default(),
            status: status_name(*state).to_owned(),
        })
        .collect()
}

/// A review as the pack and the evaluation history list it.
pub(crate) fn review_row(id: ReviewId, entry: &ReviewEntry) -> ReviewRow {
    ReviewRow {
        id: id.to_string(),
        period_from: entry.period.map(|period| period.start().to_string()),
        period_to: entry.period.map(|period| period.end().to_string()),
        opened_on: entry.opened_on.map(|date| date.to_string()),
        closed_on: entry.closed_on.map(|date| date.to_string()),
        status: if entry.closed_on.is_some() { "closed" } else { "open" }.to_owned(),
        findings: entry.findings.clone(),
        recommendations: entry.recommendations.clone(),
    }
}

/// The work programme as it stood when the previous review closed, against the end of the
/// period.
fn changes(log: &LogSlice, request: &ReviewRequest, previous: Option<&(ReviewId, &ReviewEntry)>) -> Result<Changes> {
    let since = previous.and_then(|(_, entry)| entry.closed_on);
    let years = match since {
        Some(closed_on) => diff::build(log, Point::AsOf(closed_on), Point::AsOf(request.to), None)?.years,
        None => Vec::new(),
    };
    Ok(Changes {
        since: since.map(|date| date.to_string()),
        until: request.to.to_string(),
        years,
    })
}

fn area_slug(area: Option<ThematicArea>) -> &'static str {
    area.map_or("unknown", ThematicArea::slug)
}

fn progress(area: &str, lines: &[&ActivityLine]) -> AreaProgress {
    let count = |state: ActivityState| lines.iter().filter(|line| line.status == state).count();
    AreaProgress {
        thematic_area: area.to_owned(),
        approved: lines.len(),
        held: count(ActivityState::Held),
        to_be_held: count(ActivityState::Approved),
        cancelled: count(ActivityState::Cancelled),
    }
}

fn achievements(models: &ReadModels, lines: &[ActivityLine]) -> Achievements {
    let all: Vec<&ActivityLine> = lines.iter().collect();
    let mut by_thematic_area = Vec::new();
    let areas = ThematicArea::ALL.iter().map(|area| Some(*area)).chain([None]);
    for area in areas {
        let of_area: Vec<&ActivityLine> = lines.iter().filter(|line| line.thematic_area == area).collect();
        if !of_area.is_empty() {
            by_thematic_area.push(progress(area_slug(area), &of_area));
        }
    }
    let mut indicators = Vec::new();
    let mut ordered: Vec<&ActivityLine> = lines.iter().collect();
    ordered.sort_by_key(|line| line.activity);
    for line in ordered {
        let Some(entry) = models.work_programme.activities.get(line.activity) else {
            continue;
        };
        for indicator in entry.indicators.values() {
            if let Some(row) = indicator_row(line, indicator) {
                indicators.push(row);
            }
        }
    }
    Achievements {
        overall: progress("all", &all),
        by_thematic_area,
        indicators,
    }
}

/// A number as the pack writes it: no trailing zeros.
fn number(value: Decimal) -> String {
    let value = value.normalize();
    if value.is_zero() {
        "0".to_owned()
    } else {
        value.to_string()
    }
}

fn indicator_row(line: &ActivityLine, indicator: &IndicatorEntry) -> Option<IndicatorRow> {
    let definition = indicator.definition.as_ref()?;
    let latest = indicator.results.iter().max_by_key(|result| result.period.end());
    let actual = latest.map(|result| result.value);
    let span = definition.target - definition.baseline;
    let progress = actual.and_then(|actual| {
        let moved = actual.checked_sub(definition.baseline)?;
        let ratio = moved.checked_div(span)?;
        ratio
            .checked_mul(Decimal::ONE_HUNDRED)
            .map(|percent| percent.round_dp(0))
    });
    let met = actual.map(|actual| {
        if definition.higher_is_better {
            actual >= definition.target
        } else {
            actual <= definition.target
        }
    });
    Some(IndicatorRow {
        activity_id: line.activity.to_string(),
        activity: line.title.clone().unwrap_or_default(),
        indicator: definition.name.clone(),
        unit: definition.unit.clone(),
        baseline: number(definition.baseline),
        target: number(definition.target),
        higher_is_better: definition.higher_is_better,
        actual: actual.map(number),
        measured: latest.map(|result| result.period.to_string()),
        progress_percent: progress.map(number),
        met,
    })
}

/// How a report names a sex: the counts are of people, so in plain words.
pub(crate) fn sex_label(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "women",
        Sex::Male => "men",
        Sex::OtherOrUnspecified => "other or not stated",
    }
}

fn state_label(models: &ReadModels, code: MemberStateCode) -> String {
    models
        .counterparts
        .member_states
        .get(&code)
        .and_then(|entry| entry.name.clone())
        .map_or_else(|| code.to_string(), |name| format!("{code} {name}"))
}

fn sex_rows(counts: &BTreeMap<Sex, u64>) -> Vec<CountRow> {
    Sex::ALL
        .iter()
        .map(|sex| CountRow {
            key: sex.slug().to_owned(),
            label: sex_label(*sex).to_owned(),
            count: counts.get(sex).copied().unwrap_or(0),
        })
        .collect()
}

fn participants(models: &ReadModels, request: &ReviewRequest) -> Participants {
    let mut held: Vec<(Period, &ParticipantCounts, &ActivityEntry)> = models
        .work_programme
        .activities
        .iter()
        .filter_map(|entry| Some((entry.held?, entry.participants.as_ref()?, entry)))
        .filter(|(period, _, _)| overlaps(period, request))
        .collect();
    held.sort_by_key(|(period, _, entry)| (period.start(), entry.activity));
    let mut all = Participation::default();
    let mut by_state: BTreeMap<MemberStateCode, u64> = BTreeMap::new();
    let mut activities = Vec::new();
    for (period, counts, entry) in held {
        let own = Participation::of(counts);
        all.add_all(&own);
        for share in &counts.by_member_state {
            *by_state.entry(share.member_state).or_default() += u64::from(share.value);
        }
        activities.push(ParticipationRow {
            id: entry.activity.to_string(),
            title: entry.title.clone().unwrap_or_default(),
            host: entry.host.map(|host| host.to_string()),
            held: period.to_string(),
            total: own.total(),
            by_sex: sex_rows(&own.by_sex),
            women_share_percent: ParticipantsRow::of(&own).women_share_percent,
        });
    }
    Participants {
        total: all.total(),
        by_sex: sex_rows(&all.by_sex),
        women_share_percent: ParticipantsRow::of(&all).women_share_percent,
        by_member_state: by_state
            .iter()
            .map(|(code, count)| CountRow {
                key: code.to_string(),
                label: state_label(models, *code),
                count: *count,
            })
            .collect(),
        activities,
    }
}

fn coverage(models: &ReadModels, lines: &[ActivityLine], request: &ReviewRequest) -> Coverage {
    let mut cells: BTreeMap<(ThematicArea, MemberStateCode), CoverageCell> = BTreeMap::new();
    for line in lines.iter().filter(|line| line.status != ActivityState::Cancelled) {
        let (Some(area), Some(host)) = (line.thematic_area, line.host) else {
            continue;
        };
        let entry = cells.entry((area, host)).or_insert_with(|| empty_cell(area, host));
        entry.activities += 1;
        if line.status == ActivityState::Held {
            entry.held += 1;
        }
    }
    for need in models.needs().view().needs {
        let identified_on = utc_date(need.entry.identified_at);
        if identified_on < request.from || identified_on > request.to {
            continue;
        }
        for state in &need.entry.member_states {
            let area = need.entry.thematic_area;
            cells
                .entry((area, *state))
                .or_insert_with(|| empty_cell(area, *state))
                .needs += 1;
        }
    }
    let mut member_states: Vec<String> = cells.values().map(|cell| cell.member_state.clone()).collect();
    member_states.sort();
    member_states.dedup();
    Coverage {
        thematic_areas: ThematicArea::ALL.iter().map(|area| area.slug().to_owned()).collect(),
        member_states,
        cells: cells.into_values().collect(),
    }
}

/// The business day (UTC) of an instant, as the cuts count days.
fn utc_date(instant: Timestamp) -> Date {
    TimeZone::UTC.to_datetime(instant).date()
}

fn empty_cell(area: ThematicArea, state: MemberStateCode) -> CoverageCell {
    CoverageCell {
        thematic_area: area.slug().to_owned(),
        member_state: state.to_string(),
        activities: 0,
        held: 0,
        needs: 0,
    }
}

/// A consultation's title, or `consultation <id>` when it has none in the cut.
pub(crate) fn consultation_title(history: &EvaluationHistory, consultation: ConsultationId) -> String {
    history
        .consultations
        .get(&consultation)
        .and_then(|consultation| consultation.title.clone())
        .unwrap_or_else(|| format!("consultation {consultation}"))
}

fn need_row(models: &ReadModels, names: &Names<'_>, line: &NeedLine) -> NeedRow {
    let entry = &line.entry;
    NeedRow {
        id: line.need.to_string(),
        identified_on: utc_date(entry.identified_at).to_string(),
        consultation: consultation_title(&models.evaluation_history, entry.consultation),
        raised_by: entry
            .raised_by
            .iter()
            .map(|counterpart| names.funding_source(FundingSource::Counterpart(*counterpart)))
            .collect(),
        thematic_area: entry.thematic_area.slug().to_owned(),
        member_states: entry.member_states.iter().map(ToString::to_string).collect(),
        priority: entry.priority.slug().to_owned(),
        description: entry.description.clone(),
        activities: citing_activities(&models.work_programme, line),
    }
}

fn needs(models: &ReadModels, names: &Names<'_>) -> Needs {
    let mut view = models.needs().view().needs;
    view.sort_by_key(|line| (line.entry.priority, line.entry.identified_at, line.need));
    let rows = |status: NeedStatus| {
        view.iter()
            .filter(|line| line.status == status)
            .map(|line| need_row(models, names, line))
            .collect::<Vec<_>>()
    };
    Needs {
        identified: view.len(),
        answered: view.iter().filter(|line| line.status == NeedStatus::Answered).count(),
        open: rows(NeedStatus::Open),
        unanswered: rows(NeedStatus::Unanswered),
    }
}

fn funding(lines: &[ActivityLine], names: &Names<'_>) -> Funding {
    // The period's figures are the sum of its years' as every report counts them.
    let totals = Totals::of(lines);
    let mut by_source: BTreeMap<FundingSource, FundingFigures> = BTreeMap::new();
    let mut gaps = Vec::new();
    for line in lines.iter().filter(|line| line.counts_in_totals()) {
        for (source, figures) in &line.funding {
            by_source.entry(*source).or_default().add_all(figures);
        }
        if let Some(amount) = &line.funding_gap
            && amount.amount() > Decimal::ZERO
        {
            gaps.push((amount.clone(), line));
        }
    }
    let all = &totals.overall.funding;
    gaps.sort_by_key(|(amount, line)| (amount.currency(), Reverse(amount.amount()), line.activity));
    Funding {
        budget: amounts(&totals.overall.budget),
        committed: amounts(&all.committed),
        disbursed: amounts(&all.disbursed),
        spent: amounts(&all.spent),
        in_kind: amounts(&all.in_kind),
        funding_gap: amounts(&totals.overall.funding_gap),
        cancelled_budget: amounts(&totals.cancelled.budget),
        by_source: by_source
            .iter()
            .map(|(source, figures)| SourceRow {
                source: source.to_string(),
                name: names.funding_source(*source),
                committed: amounts(&figures.committed),
                disbursed: amounts(&figures.disbursed),
                spent: amounts(&figures.spent),
                in_kind: amounts(&figures.in_kind),
            })
            .collect(),
        gaps: gaps
            .into_iter()
            .map(|(amount, line)| GapRow {
                id: line.activity.to_string(),
                title: line.title.clone().unwrap_or_default(),
                thematic_area: line.thematic_area.map(|area| area.slug().to_owned()),
                host: line.host.map(|host| host.to_string()),
                status: status_name(line.status).to_owned(),
                budget: line.budget.as_ref().map(MoneyText::of),
                gap: MoneyText::of(&amount),
            })
            .collect(),
    }
}
