//! Business time: the date each event happened in the programme's world, decided here.
//!
//! Every event is filed in the log under a business date (its record's `occurred_at`), apart
//! from the record time at which the log learned it. The date is a field of the event itself
//! (`identified_on`, `decision.decided_on`, the start of the period held, ...), chosen in this
//! one table; nothing reads it back from the names of stored keys. An event that happens with
//! the one before it in the same decision (a duplicate warning overridden, or a reason noted, with its proposal)
//! has no date of its own and is filed with that event. Only a Member State's joining or leaving
//! whose date no source gives has none: the loader of the membership history files it under the
//! date the source knew it by.

use jiff::civil::Date;

use crate::activity::ActivityEvent;
use crate::consultation::ConsultationEvent;
use crate::cooperation_source::CooperationSourceEvent;
use crate::counterpart::CounterpartEvent;
use crate::erasure::ErasureEvent;
use crate::funding::{ExchangeRateEvent, InKindContributionEvent, OfferEvent};
use crate::member_state::MemberStateEvent;
use crate::programme_review::ProgrammeReviewEvent;
use crate::publication::PublicationEvent;
use crate::request::RequestEvent;
use crate::work_programme::WorkProgrammeEvent;

/// An event's business date.
pub trait OccurredOn {
    /// The date the event happened, or `None` for an event filed with the one before it in the
    /// same decision (or, for a Member State, with the date its source knew it by).
    fn occurred_on(&self) -> Option<Date>;
}

impl OccurredOn for MemberStateEvent {
    fn occurred_on(&self) -> Option<Date> {
        match self {
            MemberStateEvent::Joined(event) => event.joined_on,
            MemberStateEvent::Left(event) => event.left_on,
        }
    }
}

impl OccurredOn for CounterpartEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            CounterpartEvent::Joined(event) => event.joined_on,
            CounterpartEvent::DetailsCorrected(event) => event.correction.effective_from,
            CounterpartEvent::FocalPointChanged(event) => event.changed_on,
            CounterpartEvent::Withdrew(event) => event.withdrew_on,
        })
    }
}

impl OccurredOn for ConsultationEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            ConsultationEvent::Scheduled(event) => event.scheduled_for,
            ConsultationEvent::Held(event) => event.held_on,
            ConsultationEvent::NeedIdentified(event) => event.identified_on,
            ConsultationEvent::AchievementsEvaluated(event) => event.evaluated_on,
            ConsultationEvent::Closed(event) => event.closed_on,
        })
    }
}

impl OccurredOn for ActivityEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            ActivityEvent::Proposed(event) => event.proposed_on,
            ActivityEvent::DuplicateWarningOverridden(_) | ActivityEvent::DuplicateOverrideNoted(_) => return None,
            ActivityEvent::Approved(event) => event.decision.decided_on,
            ActivityEvent::Rejected(event) => event.decided_on,
            ActivityEvent::Deferred(event) => event.decided_on,
            ActivityEvent::Rescheduled(event) => event.rescheduled_on,
            ActivityEvent::Held(event) => event.held.start(),
            ActivityEvent::Cancelled(event) => event.cancelled_on,
            ActivityEvent::IndicatorDefined(event) => event.defined_on,
            ActivityEvent::ResultRecorded(event) => event.period.start(),
            ActivityEvent::ResultCorrected(event) => event.correction.effective_from,
        })
    }
}

impl OccurredOn for WorkProgrammeEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            WorkProgrammeEvent::Opened(event) => event.opened_on,
            WorkProgrammeEvent::Adopted(event) => event.decision.decided_on,
            WorkProgrammeEvent::Revised(event) => event.revised_on,
            WorkProgrammeEvent::Closed(event) => event.closed_on,
        })
    }
}

impl OccurredOn for OfferEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            OfferEvent::Recorded(event) => event.recorded_on,
            OfferEvent::DuplicateWarningOverridden(_) | OfferEvent::DuplicateOverrideNoted(_) => return None,
            OfferEvent::CommitmentMade(event) => event.committed_on,
            OfferEvent::DisbursementRecorded(event) => event.disbursed_on,
            OfferEvent::ExpenditureRecorded(event) => event.spent_on,
        })
    }
}

impl OccurredOn for InKindContributionEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            InKindContributionEvent::Valued(event) => event.valued_on,
            InKindContributionEvent::Revalued(event) => event.correction.effective_from,
        })
    }
}

impl OccurredOn for ExchangeRateEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            ExchangeRateEvent::Recorded(event) => event.rate.date(),
        })
    }
}

impl OccurredOn for CooperationSourceEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            CooperationSourceEvent::Registered(event) => event.registered_on,
            CooperationSourceEvent::AssistanceRequested(event) => event.requested_on,
            CooperationSourceEvent::AssistanceRequestAnswered(event) => event.answered_on,
            CooperationSourceEvent::LinkedToCounterpart(event) => event.linked_on,
        })
    }
}

impl OccurredOn for RequestEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            RequestEvent::Received(event) => event.received_on,
            RequestEvent::Linked(event) => event.linked_on,
            RequestEvent::Closed(event) => event.closed_on,
        })
    }
}

impl OccurredOn for ProgrammeReviewEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            ProgrammeReviewEvent::Opened(event) => event.opened_on,
            ProgrammeReviewEvent::FindingsRecorded(event) => event.recorded_on,
            ProgrammeReviewEvent::Closed(event) => event.closed_on,
        })
    }
}

impl OccurredOn for ErasureEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            ErasureEvent::Forgotten(event) => event.forgotten_on,
        })
    }
}

impl OccurredOn for PublicationEvent {
    fn occurred_on(&self) -> Option<Date> {
        Some(match self {
            PublicationEvent::SnapshotPublished(event) => event.snapshot.published_on,
        })
    }
}
