//! The evaluation history: consultations and programme reviews over time, their findings, the
//! needs they raised and what became of each need.
//!
//! A need, evaluation or closing of a consultation whose scheduling or meeting is not among
//! the events folded creates a partial consultation (no title, no date); likewise for
//! reviews. The history lists consultations by their meeting date (else their planned
//! date) and reviews by their opening date; undated partial records come last.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use smes_domain::consultation::{ConsultationEvent, EvaluationSubject, Rating};
use smes_domain::ids::{ConsultationId, CounterpartId, NeedId, ReviewId};
use smes_domain::programme_review::ProgrammeReviewEvent;
use smes_domain::values::Period;

use crate::envelope::{DomainEvent, Envelope};
use crate::needs::{NeedLine, NeedsRegister};
use crate::projection::Projection;

/// An evaluation of achievements made in a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationEntry {
    /// What was evaluated.
    pub subject: EvaluationSubject,
    pub findings: String,
    /// Scores by criterion.
    pub ratings: Vec<Rating>,
    /// The log position.
    pub position: u64,
}

/// A consultation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConsultationEntry {
    /// What it is.
    pub title: Option<String>,
    /// The planned date.
    pub scheduled_for: Option<Date>,
    /// When it took place.
    pub held_on: Option<Date>,
    /// Where (planned, then actual).
    pub venue: Option<String>,
    /// The counterparts that took part, sorted.
    pub participants: Vec<CounterpartId>,
    pub minutes_reference: Option<String>,
    /// The evaluations, in log order.
    pub evaluations: Vec<EvaluationEntry>,
    /// The needs identified, in log order.
    pub needs: Vec<NeedId>,
    /// When it was closed.
    pub closed_on: Option<Date>,
}

/// A programme review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReviewEntry {
    /// The period reviewed.
    pub period: Option<Period>,
    /// When it was opened.
    pub opened_on: Option<Date>,
    /// The findings, in log order.
    pub findings: Vec<String>,
    /// The recommendations, in log order.
    pub recommendations: Vec<String>,
    /// When it was closed.
    pub closed_on: Option<Date>,
}

/// The evaluation history read model.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EvaluationHistory {
    /// The consultations, by id.
    pub consultations: BTreeMap<ConsultationId, ConsultationEntry>,
    /// The reviews, by id.
    pub reviews: BTreeMap<ReviewId, ReviewEntry>,
    /// The needs and what became of them.
    pub needs: NeedsRegister,
}

impl Projection for EvaluationHistory {
    fn apply(&mut self, envelope: &Envelope) {
        self.needs.apply(envelope);
        match &envelope.event {
            DomainEvent::Consultation(event) => self.apply_consultation(envelope, event),
            DomainEvent::ProgrammeReview(event) => self.apply_review(event),
            _ => {}
        }
    }
}

impl EvaluationHistory {
    fn apply_consultation(&mut self, envelope: &Envelope, event: &ConsultationEvent) {
        match event {
            ConsultationEvent::Scheduled(scheduled) => {
                let entry = self.consultations.entry(scheduled.consultation).or_default();
                entry.title = Some(scheduled.title.clone());
                entry.scheduled_for = Some(scheduled.scheduled_for);
                entry.venue.get_or_insert_with(|| scheduled.venue.clone());
            }
            ConsultationEvent::Held(held) => {
                let entry = self.consultations.entry(held.consultation).or_default();
                entry.held_on = Some(held.held_on);
                entry.venue = Some(held.venue.clone());
                let mut participants = held.participants.clone();
                participants.sort();
                entry.participants = participants;
                entry.minutes_reference = Some(held.minutes_reference.clone());
            }
            ConsultationEvent::NeedIdentified(identified) => {
                self.consultations
                    .entry(identified.consultation)
                    .or_default()
                    .needs
                    .push(identified.need);
            }
            ConsultationEvent::AchievementsEvaluated(evaluated) => {
                self.consultations
                    .entry(evaluated.consultation)
                    .or_default()
                    .evaluations
                    .push(EvaluationEntry {
                        subject: evaluated.subject,
                        findings: evaluated.findings.clone(),
                        ratings: evaluated.ratings.clone(),
                        position: envelope.position,
                    });
            }
            ConsultationEvent::Closed(closed) => {
                self.consultations.entry(closed.consultation).or_default().closed_on = Some(closed.closed_on);
            }
        }
    }

    fn apply_review(&mut self, event: &ProgrammeReviewEvent) {
        match event {
            ProgrammeReviewEvent::Opened(opened) => {
                let entry = self.reviews.entry(opened.review).or_default();
                entry.period = Some(opened.period);
                entry.opened_on = Some(opened.opened_on);
            }
            ProgrammeReviewEvent::FindingsRecorded(recorded) => {
                let entry = self.reviews.entry(recorded.review).or_default();
                entry.findings.extend(recorded.findings.iter().cloned());
                entry.recommendations.extend(recorded.recommendations.iter().cloned());
            }
            ProgrammeReviewEvent::Closed(closed) => {
                self.reviews.entry(closed.review).or_default().closed_on = Some(closed.closed_on);
            }
        }
    }

    /// Consultations and reviews over time, each consultation with the fate of its needs.
    pub fn history(&self) -> Vec<HistoryItem> {
        let lines: BTreeMap<NeedId, NeedLine> = self
            .needs
            .view()
            .needs
            .into_iter()
            .map(|line| (line.need, line))
            .collect();
        let mut items: Vec<HistoryItem> = self
            .consultations
            .iter()
            .map(|(id, entry)| HistoryItem {
                date: entry.held_on.or(entry.scheduled_for),
                event: HistoryEvent::Consultation {
                    consultation: *id,
                    entry: entry.clone(),
                    needs: entry.needs.iter().filter_map(|need| lines.get(need).cloned()).collect(),
                },
            })
            .chain(self.reviews.iter().map(|(id, entry)| HistoryItem {
                date: entry.opened_on,
                event: HistoryEvent::Review {
                    review: *id,
                    entry: entry.clone(),
                },
            }))
            .collect();
        // Stable sort on the date alone keeps consultations (by id) before reviews (by id)
        // on the same date; undated items go last.
        items.sort_by_key(|item| (item.date.is_none(), item.date));
        items
    }
}

/// One dated item of the evaluation history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryItem {
    /// The meeting or planned date of a consultation; the opening date of a review.
    pub date: Option<Date>,
    /// What it is.
    #[serde(flatten)]
    pub event: HistoryEvent,
}

/// A consultation or a review in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum HistoryEvent {
    /// A consultation, with what became of the needs it raised.
    Consultation {
        consultation: ConsultationId,
        /// What is known of it.
        entry: ConsultationEntry,
        /// Its needs, with their status (needs whose identification is not folded are left
        /// out).
        needs: Vec<NeedLine>,
    },
    /// A programme review.
    Review {
        review: ReviewId,
        /// What is known of it.
        entry: ReviewEntry,
    },
}
