//! The programme review aggregate: a periodic assessment of achievements against the
//! objectives, with findings and recommendations (`programme-review-<uuid>`).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{DomainError, Result};
use crate::ids::ReviewId;
use crate::values::{Period, require_non_empty, require_text};

/// Opens a review of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenReview {
    /// The new review's id.
    pub review: ReviewId,
    /// The period reviewed.
    pub period: Period,
    /// When the review was opened.
    pub opened_on: Date,
}

/// Records findings and recommendations of a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordReviewFindings {
    pub review: ReviewId,
    /// The findings, at least one.
    pub findings: Vec<String>,
    #[serde(default)]
    pub recommendations: Vec<String>,
    /// When they were recorded.
    pub recorded_on: Date,
}

/// Closes a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseReview {
    pub review: ReviewId,
    /// When.
    pub closed_on: Date,
}

/// Commands of the programme review aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgrammeReviewCommand {
    /// See [`OpenReview`].
    Open(OpenReview),
    /// See [`RecordReviewFindings`].
    RecordFindings(RecordReviewFindings),
    /// See [`CloseReview`].
    Close(CloseReview),
}

/// A review was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewOpened {
    pub review: ReviewId,
    /// The period reviewed.
    pub period: Period,
    /// When.
    pub opened_on: Date,
}

/// Findings and recommendations were recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFindingsRecorded {
    pub review: ReviewId,
    pub findings: Vec<String>,
    pub recommendations: Vec<String>,
    /// When.
    pub recorded_on: Date,
}

/// A review was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewClosed {
    pub review: ReviewId,
    /// When.
    pub closed_on: Date,
}

/// Events of the programme review aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgrammeReviewEvent {
    /// See [`ReviewOpened`].
    Opened(ReviewOpened),
    /// See [`ReviewFindingsRecorded`].
    FindingsRecorded(ReviewFindingsRecorded),
    /// See [`ReviewClosed`].
    Closed(ReviewClosed),
}

/// The folded state of one review stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProgrammeReview {
    /// The period reviewed, once opened.
    pub period: Option<Period>,
    /// When it was opened.
    pub opened_on: Option<Date>,
    /// How many findings were recorded.
    pub findings: usize,
    /// When it was closed, if it was.
    pub closed_on: Option<Date>,
}

#[derive(Debug, Clone, Copy)]
pub struct ProgrammeReviewDecider;

/// Checks that the review is open and `date` is not before it was opened.
fn require_open(state: &ProgrammeReview, review: ReviewId, what: &'static str, date: Date) -> Result<()> {
    let opened_on = state.opened_on.ok_or(DomainError::ReviewNotOpened { review })?;
    if state.closed_on.is_some() {
        return Err(DomainError::ReviewClosed { review });
    }
    if date < opened_on {
        return Err(DomainError::DateBeforeStart {
            what,
            date,
            record: format!("programme review {review}"),
            since: opened_on,
        });
    }
    Ok(())
}

impl Decider for ProgrammeReviewDecider {
    type Id = ReviewId;
    type State = ProgrammeReview;
    type Command = ProgrammeReviewCommand;
    type Event = ProgrammeReviewEvent;

    const STREAM_PREFIX: &'static str = "programme-review";

    fn target(command: &ProgrammeReviewCommand) -> ReviewId {
        match command {
            ProgrammeReviewCommand::Open(command) => command.review,
            ProgrammeReviewCommand::RecordFindings(command) => command.review,
            ProgrammeReviewCommand::Close(command) => command.review,
        }
    }

    fn decide(state: &ProgrammeReview, command: &ProgrammeReviewCommand) -> Result<Vec<ProgrammeReviewEvent>> {
        let event = match command {
            ProgrammeReviewCommand::Open(open) => {
                if state.opened_on.is_some() {
                    return Err(DomainError::ReviewAlreadyOpened { review: open.review });
                }
                ProgrammeReviewEvent::Opened(ReviewOpened {
                    review: open.review,
                    period: open.period,
                    opened_on: open.opened_on,
                })
            }
            ProgrammeReviewCommand::RecordFindings(record) => {
                require_open(state, record.review, "findings", record.recorded_on)?;
                require_non_empty("findings", &record.findings)?;
                for text in record.findings.iter().chain(&record.recommendations) {
                    require_text("finding or recommendation", text)?;
                }
                ProgrammeReviewEvent::FindingsRecorded(ReviewFindingsRecorded {
                    review: record.review,
                    findings: record.findings.clone(),
                    recommendations: record.recommendations.clone(),
                    recorded_on: record.recorded_on,
                })
            }
            ProgrammeReviewCommand::Close(close) => {
                require_open(state, close.review, "closing", close.closed_on)?;
                if state.findings == 0 {
                    return Err(DomainError::ReviewWithoutFindings { review: close.review });
                }
                ProgrammeReviewEvent::Closed(ReviewClosed {
                    review: close.review,
                    closed_on: close.closed_on,
                })
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: ProgrammeReview, event: &ProgrammeReviewEvent) -> ProgrammeReview {
        match event {
            ProgrammeReviewEvent::Opened(opened) => {
                state.period = Some(opened.period);
                state.opened_on = Some(opened.opened_on);
            }
            ProgrammeReviewEvent::FindingsRecorded(recorded) => {
                state.findings += recorded.findings.len();
            }
            ProgrammeReviewEvent::Closed(closed) => state.closed_on = Some(closed.closed_on),
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::DeciderTesting;
    use crate::testing::fixtures::*;

    fn review_id() -> ReviewId {
        ReviewId::new(uuid::Uuid::from_u128(90)).unwrap()
    }

    fn opened() -> ProgrammeReviewEvent {
        ProgrammeReviewEvent::Opened(ReviewOpened {
            review: review_id(),
            period: period(day(2013, 1, 1), day(2013, 12, 31)),
            opened_on: day(2014, 1, 15),
        })
    }

    fn record(findings: &[&str], recorded_on: Date) -> ProgrammeReviewCommand {
        ProgrammeReviewCommand::RecordFindings(RecordReviewFindings {
            review: review_id(),
            findings: findings.iter().map(|text| (*text).to_owned()).collect(),
            recommendations: vec!["seek a second source for the financing area".to_owned()],
            recorded_on,
        })
    }

    fn findings_recorded() -> ProgrammeReviewEvent {
        ProgrammeReviewEvent::FindingsRecorded(ReviewFindingsRecorded {
            review: review_id(),
            findings: vec!["9 of 12 activities held".to_owned()],
            recommendations: vec!["seek a second source for the financing area".to_owned()],
            recorded_on: day(2014, 2, 1),
        })
    }

    fn close(closed_on: Date) -> ProgrammeReviewCommand {
        ProgrammeReviewCommand::Close(CloseReview {
            review: review_id(),
            closed_on,
        })
    }

    #[test]
    fn a_review_opens_once_for_a_period() {
        ProgrammeReviewDecider::given([])
            .when(ProgrammeReviewCommand::Open(OpenReview {
                review: review_id(),
                period: period(day(2013, 1, 1), day(2013, 12, 31)),
                opened_on: day(2014, 1, 15),
            }))
            .then([opened()]);
        ProgrammeReviewDecider::given([opened()])
            .when(ProgrammeReviewCommand::Open(OpenReview {
                review: review_id(),
                period: period(day(2013, 1, 1), day(2013, 12, 31)),
                opened_on: day(2014, 1, 15),
            }))
            .then_error(DomainError::ReviewAlreadyOpened { review: review_id() });
    }

    #[test]
    fn findings_and_recommendations_are_recorded_in_an_open_review() {
        let state = ProgrammeReviewDecider::given([opened()])
            .when(record(&["9 of 12 activities held"], day(2014, 2, 1)))
            .then([findings_recorded()]);
        assert_eq!(state.findings, 1);
        ProgrammeReviewDecider::given([])
            .when(record(&["x"], day(2014, 2, 1)))
            .then_error(DomainError::ReviewNotOpened { review: review_id() });
        ProgrammeReviewDecider::given([opened()])
            .when(record(&[], day(2014, 2, 1)))
            .then_error(DomainError::EmptyField { field: "findings" });
        ProgrammeReviewDecider::given([opened()])
            .when(record(&[" "], day(2014, 2, 1)))
            .then_error(DomainError::EmptyField {
                field: "finding or recommendation",
            });
        ProgrammeReviewDecider::given([opened()])
            .when(record(&["early"], day(2014, 1, 1)))
            .then_error(DomainError::DateBeforeStart {
                what: "findings",
                date: day(2014, 1, 1),
                record: format!("programme review {}", review_id()),
                since: day(2014, 1, 15),
            });
    }

    #[test]
    fn a_review_closes_once_after_findings() {
        ProgrammeReviewDecider::given([opened()])
            .when(close(day(2014, 3, 1)))
            .then_error(DomainError::ReviewWithoutFindings { review: review_id() });
        let closed = ProgrammeReviewEvent::Closed(ReviewClosed {
            review: review_id(),
            closed_on: day(2014, 3, 1),
        });
        ProgrammeReviewDecider::given([opened(), findings_recorded()])
            .when(close(day(2014, 3, 1)))
            .then([closed.clone()]);
        ProgrammeReviewDecider::given([opened(), findings_recorded(), closed])
            .when(record(&["late"], day(2014, 3, 2)))
            .then_error(DomainError::ReviewClosed { review: review_id() });
    }
}
