//! The evaluation history under a cut: consultations and programme reviews over time, their
//! findings, the needs each consultation raised and what became of each need.

use serde::Serialize;
use smes_domain::consultation::EvaluationSubject;
use smes_projections::evaluation::{HistoryEvent, HistoryItem};
use smes_projections::needs::{NeedLine, NeedStatus};
use smes_projections::{Anchor, Cut, LogSlice, fold_cut};

use super::{NeedStatusRow, Organisation, RegisterModels};
use crate::error::Result;
use crate::review::{ReviewRow, review_row};
use crate::snapshot::Names;
use crate::snapshot::Selection;

/// A score on one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingRow {
    /// The criterion, such as `relevance`.
    pub criterion: String,
    /// From 1 (highly unsatisfactory) to 5 (highly satisfactory).
    pub score: u8,
    /// The score's label on the scale, such as `satisfactory`.
    pub label: String,
}

/// An evaluation of achievements made in a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationRow {
    /// `programme`, or the activity evaluated by id.
    pub subject: String,
    /// The activity's title, when an activity was evaluated and its proposal is under the cut.
    pub activity_title: Option<String>,
    pub findings: String,
    /// Scores by criterion.
    pub ratings: Vec<RatingRow>,
    /// The log position.
    pub position: u64,
}

/// A consultation in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsultationRow {
    pub id: String,
    /// Its title (empty when its scheduling is outside the cut).
    pub title: String,
    /// The planned date.
    pub scheduled_for: Option<String>,
    /// When it took place.
    pub held_on: Option<String>,
    /// Where.
    pub venue: Option<String>,
    /// The organisations that took part.
    pub participants: Vec<Organisation>,
    pub minutes_reference: Option<String>,
    /// When it was closed.
    pub closed_on: Option<String>,
    /// Its evaluations of achievements, in log order.
    pub evaluations: Vec<EvaluationRow>,
    /// The needs it raised, in log order, each with what became of it.
    pub needs: Vec<NeedStatusRow>,
}

/// One dated item of the history: a consultation or a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum HistoryRow {
    /// A consultation, dated by its meeting (else its planned date).
    Consultation {
        /// The date, if known.
        date: Option<String>,
        #[serde(flatten)]
        consultation: ConsultationRow,
    },
    /// A programme review, dated by its opening.
    Review {
        /// The date, if known.
        date: Option<String>,
        #[serde(flatten)]
        review: ReviewRow,
    },
}

/// How many consultations, reviews and needs the history holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryCounts {
    pub consultations: usize,
    /// Programme reviews.
    pub reviews: usize,
    /// Needs raised in the consultations listed.
    pub needs: usize,
    /// Of those, answered.
    pub answered: usize,
    pub open: usize,
    pub unanswered: usize,
}

/// The evaluation history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryReport {
    /// Always `evaluation-history`.
    pub report: &'static str,
    /// The cut.
    pub selection: Selection,
    /// The log prefix it was made from.
    pub anchor: Anchor,
    /// How many of each.
    pub counts: HistoryCounts,
    /// Consultations and reviews by date (undated ones last); on one date, consultations
    /// before reviews, each by id.
    pub items: Vec<HistoryRow>,
}

impl HistoryReport {
    /// The report as JSON.
    pub fn to_json(&self) -> Result<String> {
        crate::format_json(self)
    }
}

/// The evaluation history of a log prefix under a cut.
pub fn build(log: &LogSlice, cut: &Cut) -> Result<HistoryReport> {
    let models: RegisterModels = fold_cut(&log.envelopes, cut);
    let names = models.names(log);
    let history = models.evaluation_history.history();
    let mut counts = HistoryCounts {
        consultations: 0,
        reviews: 0,
        needs: 0,
        answered: 0,
        open: 0,
        unanswered: 0,
    };
    for item in &history {
        match &item.event {
            HistoryEvent::Consultation { needs, .. } => {
                counts.consultations += 1;
                for line in needs {
                    counts.needs += 1;
                    match line.status {
                        NeedStatus::Answered => counts.answered += 1,
                        NeedStatus::Open => counts.open += 1,
                        NeedStatus::Unanswered => counts.unanswered += 1,
                    }
                }
            }
            HistoryEvent::Review { .. } => counts.reviews += 1,
        }
    }
    let items = history.iter().map(|item| row(&models, &names, item)).collect();
    Ok(HistoryReport {
        report: "evaluation-history",
        selection: Selection::of(cut),
        anchor: log.anchor.clone(),
        counts,
        items,
    })
}

fn row(models: &RegisterModels, names: &Names<'_>, item: &HistoryItem) -> HistoryRow {
    let date = item.date.map(|date| date.to_string());
    match &item.event {
        HistoryEvent::Consultation {
            consultation,
            entry,
            needs,
        } => HistoryRow::Consultation {
            date,
            consultation: ConsultationRow {
                id: consultation.to_string(),
                title: entry.title.clone().unwrap_or_default(),
                scheduled_for: entry.scheduled_for.map(|date| date.to_string()),
                held_on: entry.held_on.map(|date| date.to_string()),
                venue: entry.venue.clone(),
                participants: entry
                    .participants
                    .iter()
                    .map(|counterpart| Organisation {
                        id: counterpart.to_string(),
                        name: names.funding_source(smes_projections::FundingSource::Counterpart(*counterpart)),
                    })
                    .collect(),
                minutes_reference: entry.minutes_reference.clone(),
                closed_on: entry.closed_on.map(|date| date.to_string()),
                evaluations: entry
                    .evaluations
                    .iter()
                    .map(|evaluation| EvaluationRow {
                        subject: match evaluation.subject {
                            EvaluationSubject::Programme => "programme".to_owned(),
                            EvaluationSubject::Activity(activity) => activity.to_string(),
                        },
                        activity_title: match evaluation.subject {
                            EvaluationSubject::Programme => None,
                            EvaluationSubject::Activity(activity) => models
                                .work_programme
                                .activities
                                .get(activity)
                                .and_then(|entry| entry.title.clone()),
                        },
                        findings: evaluation.findings.clone(),
                        ratings: evaluation
                            .ratings
                            .iter()
                            .map(|rating| RatingRow {
                                criterion: rating.criterion().to_owned(),
                                score: rating.score(),
                                label: rating.label().to_owned(),
                            })
                            .collect(),
                        position: evaluation.position,
                    })
                    .collect(),
                needs: needs
                    .iter()
                    .map(|line: &NeedLine| models.need_row(names, line))
                    .collect(),
            },
        },
        HistoryEvent::Review { review, entry } => HistoryRow::Review {
            date,
            review: review_row(*review, entry),
        },
    }
}
