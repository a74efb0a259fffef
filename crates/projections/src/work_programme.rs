//! The work programme of a year: its activities with their status, area, host, dates, the
//! needs they answer, the approving decision, budget, funding by source and funding gap, and
//! totals per thematic area and per Member State.
//!
//! The fold keeps every year, every activity and all funding, so one model answers for any
//! year; [`WorkProgrammeModel::year`] is the view of one. Money stays apart by currency;
//! a view asked for in a report currency converts an amount only with a rate recorded in the
//! log and dated on or before the amount's value date, and leaves the rest in its currency.
//! Activities appear in the year they were approved into; an approval whose proposal is not
//! among the events folded appears as a partial line (`proposal_known: false`).
//!
//! The year's figures are defined here once ([`Totals::of`]) and every report takes them:
//! they count the activities approved into the year (approved or held) and leave a cancelled
//! one out, its figures kept apart ([`Totals::cancelled`]). Proposals rejected or deferred are
//! listed apart ([`WorkProgrammeView::declined`]) in the year their planned period starts in,
//! and count in no total.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smes_domain::activity::{ActivityEvent, ParticipantCounts};
use smes_domain::funding::ExchangeRateEvent;
use smes_domain::ids::{ActivityId, NeedId};
use smes_domain::values::{
    ActivityKind, Currency, Decision, MemberStateCode, Money, Period, ThematicArea, WorkProgrammeYear,
};
use smes_domain::work_programme::WorkProgrammeEvent;

use crate::activities::{ActivityBook, ActivityEntry, ActivityState};
use crate::amounts::{Amounts, FundingSource, RateTable};
use crate::envelope::{DomainEvent, Envelope};
use crate::funding::FundingFigures;
use crate::ledger::FundingLedger;
use crate::participation::Participation;
use crate::projection::Projection;

/// Where a work programme stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum YearStatus {
    /// Only later events of it were folded, or activities were approved into it before it
    /// was opened in the events folded.
    #[default]
    Unknown,
    /// Open for proposals and approvals.
    Open,
    /// Adopted by a decision.
    Adopted,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetRevision {
    /// The revised budget.
    pub budget: Money,
    /// Why.
    pub reason: String,
    /// When.
    pub revised_on: Date,
}

/// What is known of one year's work programme itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct YearRecord {
    /// Where it stands.
    pub status: YearStatus,
    /// When it was opened.
    pub opened_on: Option<Date>,
    /// The current budget: the estimate or the latest revision.
    pub budget: Option<Money>,
    /// The revisions, in log order.
    pub revisions: Vec<BudgetRevision>,
    /// The adopting decision.
    pub adopted_by: Option<Decision>,
    /// When it was closed.
    pub closed_on: Option<Date>,
}

/// The work programme read model: every year, activity, funding fact and exchange rate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkProgrammeModel {
    /// The years, with their own records.
    pub years: BTreeMap<WorkProgrammeYear, YearRecord>,
    /// Every activity.
    pub activities: ActivityBook,
    /// Every offer, commitment and contribution: the funding ledger.
    pub funding: FundingLedger,
    /// The exchange rates recorded.
    pub rates: RateTable,
}

impl Projection for WorkProgrammeModel {
    fn apply(&mut self, envelope: &Envelope) {
        match &envelope.event {
            DomainEvent::WorkProgramme(event) => self.apply_year(event),
            DomainEvent::Activity(event) => {
                self.activities.apply(envelope, event);
                if let ActivityEvent::Approved(approved) = event {
                    self.years.entry(approved.work_programme).or_default();
                }
            }
            DomainEvent::Offer(_) | DomainEvent::InKindContribution(_) => self.funding.apply(envelope),
            DomainEvent::ExchangeRate(ExchangeRateEvent::Recorded(recorded)) => self.rates.record(&recorded.rate),
            _ => {}
        }
    }
}

impl WorkProgrammeModel {
    fn apply_year(&mut self, event: &WorkProgrammeEvent) {
        match event {
            WorkProgrammeEvent::Opened(opened) => {
                let record = self.years.entry(opened.year).or_default();
                record.opened_on = Some(opened.opened_on);
                record.budget = Some(opened.estimated_budget.clone());
                if record.status == YearStatus::Unknown {
                    record.status = YearStatus::Open;
                }
            }
            WorkProgrammeEvent::Adopted(adopted) => {
                let record = self.years.entry(adopted.year).or_default();
                record.adopted_by = Some(adopted.decision.clone());
                record.status = YearStatus::Adopted;
            }
            WorkProgrammeEvent::Revised(revised) => {
                let record = self.years.entry(revised.year).or_default();
                record.budget = Some(revised.revised_budget.clone());
                record.revisions.push(BudgetRevision {
                    budget: revised.revised_budget.clone(),
                    reason: revised.reason.clone(),
                    revised_on: revised.revised_on,
                });
            }
            WorkProgrammeEvent::Closed(closed) => {
                let record = self.years.entry(closed.year).or_default();
                record.closed_on = Some(closed.closed_on);
                record.status = YearStatus::Closed;
            }
        }
    }

    /// The work programme of one year; amounts are converted into `report_currency` where a
    /// recorded rate applies, or all kept in their own currencies when it is `None`.
    pub fn year(&self, year: WorkProgrammeYear, report_currency: Option<Currency>) -> WorkProgrammeView {
        let record = self.years.get(&year).cloned().unwrap_or_default();
        let activities: Vec<ActivityLine> = self
            .activities
            .iter()
            .filter(|entry| entry.work_programme == Some(year))
            .map(|entry| self.line(entry, self.funding.book.for_activity(entry.activity), report_currency))
            .collect();
        let totals = Totals::of(&activities);
        let declined = self
            .activities
            .iter()
            .filter(|entry| entry.work_programme.is_none())
            .filter(|entry| {
                entry
                    .planned
                    .is_some_and(|planned| planned.start().year() == year.get())
            })
            .filter_map(|entry| {
                let decision = match entry.status {
                    ActivityState::Rejected => ProposalDecision::Rejected,
                    ActivityState::Deferred => ProposalDecision::Deferred,
                    _ => return None,
                };
                Some(ProposalLine {
                    activity: entry.activity,
                    title: entry.title.clone(),
                    kind: entry.kind,
                    thematic_area: entry.thematic_area,
                    host: entry.host,
                    planned: entry.planned,
                    budget: entry.budget.as_ref().map(|budget| {
                        report_currency
                            .and_then(|currency| self.rates.convert(budget, currency))
                            .unwrap_or_else(|| budget.clone())
                    }),
                    decision,
                    decided_on: entry.decided_on,
                    rationale: entry.rationale.clone(),
                })
            })
            .collect();
        WorkProgrammeView {
            year,
            report_currency,
            status: record.status,
            budget: record.budget,
            adopted_by: record.adopted_by,
            activities,
            declined,
            totals,
        }
    }

    /// The years known, in order.
    pub fn years(&self) -> impl Iterator<Item = WorkProgrammeYear> + '_ {
        self.years.keys().copied()
    }

    fn line(
        &self,
        entry: &ActivityEntry,
        funding: BTreeMap<FundingSource, FundingFigures>,
        report_currency: Option<Currency>,
    ) -> ActivityLine {
        let convert = |amounts: &Amounts| match report_currency {
            Some(currency) => amounts.converted(&self.rates, currency),
            None => amounts.clone(),
        };
        let funding: BTreeMap<FundingSource, FundingFigures> = funding
            .into_iter()
            .map(|(source, figures)| {
                let figures = FundingFigures {
                    committed: convert(&figures.committed),
                    disbursed: convert(&figures.disbursed),
                    spent: convert(&figures.spent),
                    in_kind: convert(&figures.in_kind),
                };
                (source, figures)
            })
            .collect();
        let budget = entry.budget.as_ref().map(|budget| {
            report_currency
                .and_then(|currency| self.rates.convert(budget, currency))
                .unwrap_or_else(|| budget.clone())
        });
        let (funding_gap, unconverted_funding) = self.gap(budget.as_ref(), &funding);
        ActivityLine {
            activity: entry.activity,
            proposal_known: entry.proposal_known,
            title: entry.title.clone(),
            kind: entry.kind,
            status: entry.status,
            thematic_area: entry.thematic_area,
            host: entry.host,
            planned: entry.planned,
            held: entry.held,
            answers_needs: entry.answers_needs.clone(),
            decision: entry.decision.clone(),
            cancellation: match (entry.status, entry.cancelled_on) {
                (ActivityState::Cancelled, Some(cancelled_on)) => Some(Cancellation {
                    cancelled_on,
                    reason: entry.rationale.clone().unwrap_or_default(),
                }),
                _ => None,
            },
            participants: entry.participants.clone(),
            budget,
            funding,
            funding_gap,
            unconverted_funding,
        }
    }

    /// The budget less what is committed and given in kind, counted in the budget's currency
    /// (other currencies converted where a recorded rate applies), never below zero; and the
    /// funding that could not be counted for lack of a rate.
    fn gap(
        &self,
        budget: Option<&Money>,
        funding: &BTreeMap<FundingSource, FundingFigures>,
    ) -> (Option<Money>, Amounts) {
        let mut unconverted = Amounts::new();
        let Some(budget) = budget else {
            return (None, unconverted);
        };
        let mut covered = Decimal::ZERO;
        for figures in funding.values() {
            for money in figures.committed.iter().chain(figures.in_kind.iter()) {
                match self.rates.convert(money, budget.currency()) {
                    Some(converted) => covered = covered.checked_add(converted.amount()).unwrap_or(covered),
                    None => unconverted.add(money),
                }
            }
        }
        let remaining = (budget.amount() - covered).max(Decimal::ZERO);
        let gap = Money::new(remaining, budget.currency(), budget.value_date()).ok();
        (gap, unconverted)
    }
}

/// One activity of a year's work programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLine {
    pub activity: ActivityId,
    /// Whether its proposal is among the events folded.
    pub proposal_known: bool,
    pub title: Option<String>,
    pub kind: Option<ActivityKind>,
    /// Where it stands.
    pub status: ActivityState,
    pub thematic_area: Option<ThematicArea>,
    pub host: Option<MemberStateCode>,
    /// When it is planned.
    pub planned: Option<Period>,
    /// When it took place.
    pub held: Option<Period>,
    /// The needs it answers.
    pub answers_needs: Vec<NeedId>,
    /// The approving decision.
    pub decision: Option<Decision>,
    /// When and why it was called off, if it was.
    pub cancellation: Option<Cancellation>,
    /// Who took part, once it was held.
    pub participants: Option<ParticipantCounts>,
    /// Its budget (estimated cost).
    pub budget: Option<Money>,
    /// Its funding, by source.
    pub funding: BTreeMap<FundingSource, FundingFigures>,
    /// What is not yet covered by commitments and in-kind contributions.
    pub funding_gap: Option<Money>,
    /// Funding in currencies with no rate into the budget's currency, left out of the gap.
    pub unconverted_funding: Amounts,
}

/// An activity's cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    /// When it was called off.
    pub cancelled_on: Date,
    /// Why.
    pub reason: String,
}

/// What was decided on a proposal that was not approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProposalDecision {
    /// Turned down.
    Rejected,
    /// Decision postponed.
    Deferred,
}

impl ProposalDecision {
    /// The status it gives the activity.
    pub fn status(self) -> ActivityState {
        match self {
            ProposalDecision::Rejected => ActivityState::Rejected,
            ProposalDecision::Deferred => ActivityState::Deferred,
        }
    }
}

/// A proposal for a year that was rejected or deferred: listed apart, counted in no total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalLine {
    pub activity: ActivityId,
    pub title: Option<String>,
    pub kind: Option<ActivityKind>,
    pub thematic_area: Option<ThematicArea>,
    /// Its host Member State.
    pub host: Option<MemberStateCode>,
    /// When it was planned.
    pub planned: Option<Period>,
    /// The budget it asked for (estimated cost).
    pub budget: Option<Money>,
    /// Rejected or deferred.
    pub decision: ProposalDecision,
    /// When that was decided.
    pub decided_on: Option<Date>,
    /// Why.
    pub rationale: Option<String>,
}

impl ActivityLine {
    /// Whether its figures count in the year's totals: every activity approved into the year
    /// does, except a cancelled one, whose figures are kept apart.
    pub fn counts_in_totals(&self) -> bool {
        self.status != ActivityState::Cancelled
    }

    /// Its own figures, as the totals add them.
    pub fn figures(&self) -> Figures {
        let mut figures = Figures {
            activities: 1,
            ..Figures::default()
        };
        if let Some(participants) = &self.participants {
            figures.participants.add(participants);
        }
        if let Some(budget) = &self.budget {
            figures.budget.add(budget);
        }
        if let Some(gap) = &self.funding_gap {
            figures.funding_gap.add(gap);
        }
        for funding in self.funding.values() {
            figures.funding.add_all(funding);
        }
        figures
    }
}

/// Summed figures of several activities, money by currency.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Figures {
    /// How many activities.
    pub activities: usize,
    /// Who took part in those held.
    pub participants: Participation,
    /// Budgets.
    pub budget: Amounts,
    pub funding: FundingFigures,
    /// Funding gaps.
    pub funding_gap: Amounts,
}

impl Figures {
    /// Adds another group's figures.
    pub fn add_all(&mut self, other: &Figures) {
        self.activities += other.activities;
        self.participants.add_all(&other.participants);
        self.budget.add_all(&other.budget);
        self.funding.add_all(&other.funding);
        self.funding_gap.add_all(&other.funding_gap);
    }
}

/// A year's totals (or those of any set of its activities): the one definition of the
/// figures every report shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// The activities that count (see [`ActivityLine::counts_in_totals`]).
    pub overall: Figures,
    /// Those, by thematic area.
    pub by_thematic_area: BTreeMap<ThematicArea, Figures>,
    /// Those whose thematic area is outside the cut.
    pub area_unknown: Figures,
    /// Those, by host Member State.
    pub by_member_state: BTreeMap<MemberStateCode, Figures>,
    /// Those whose host is outside the cut.
    pub host_unknown: Figures,
    /// The cancelled activities, apart: in none of the figures above.
    pub cancelled: Figures,
}

impl Totals {
    /// The totals of some activities.
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a ActivityLine>) -> Totals {
        let mut totals = Totals::default();
        for line in lines {
            let figures = line.figures();
            if !line.counts_in_totals() {
                totals.cancelled.add_all(&figures);
                continue;
            }
            totals.overall.add_all(&figures);
            match line.thematic_area {
                Some(area) => totals.by_thematic_area.entry(area).or_default().add_all(&figures),
                None => totals.area_unknown.add_all(&figures),
            }
            match line.host {
                Some(host) => totals.by_member_state.entry(host).or_default().add_all(&figures),
                None => totals.host_unknown.add_all(&figures),
            }
        }
        totals
    }
}

/// The work programme of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkProgrammeView {
    pub year: WorkProgrammeYear,
    /// The currency amounts were converted into, where a rate applied.
    pub report_currency: Option<Currency>,
    /// Where it stands.
    pub status: YearStatus,
    pub budget: Option<Money>,
    /// The adopting decision.
    pub adopted_by: Option<Decision>,
    /// The activities approved into it, by id, whatever happened after (held, cancelled).
    pub activities: Vec<ActivityLine>,
    /// Proposals planned to start in the year that were rejected or deferred, by id.
    pub declined: Vec<ProposalLine>,
    /// Its figures.
    pub totals: Totals,
}
