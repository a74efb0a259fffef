//! The commands callers send: one JSON object per command, in the form `smes import` reads
//! line by line and `smes ... --json` takes (docs/import.md).
//!
//! A command whose line carries just what the domain's command carries (or that plus look-ups
//! the app fills, kept out of the line with `#[serde(skip)]`) is read straight into the
//! domain's command type. The types here are the others: each says why it has its own shape
//! (personal data in clear, sealed by [`crate::App`] before the domain sees it; a look-up
//! named by an id; a date defaulted; an older field name). Every field reuses the domain's
//! value types, whose serde forms validate, so a bad value is refused with its field before
//! anything is written.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use smes_domain::DomainError;
use smes_domain::activity::Proposer;
use smes_domain::consultation::{EvaluationSubject, GivenScore};
use smes_domain::funding::{InKindContributor, OfferSource};
use smes_domain::ids::{
    ActivityId, ConsultationId, ContributionId, CooperationSourceId, CounterpartId, IndicatorId, NeedId, OfferId,
    PersonId, RequestId,
};
use smes_domain::request::RequestFollowUp;
use smes_domain::values::{
    ActivityKind, CooperationSourceKind, Correction, CounterpartKind, MemberStateCode, Money, OfferKind, Period,
    ThematicArea,
};
use smes_domain::{
    activity, consultation, cooperation_source, counterpart, funding, member_state, programme_review, request,
    work_programme,
};
use uuid::Uuid;

mod reading;

pub use reading::{LineError, fields as read_fields};

/// One command, tagged by its `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AppCommand {
    /// A Member State joined SELA.
    JoinSystem(member_state::JoinSystem),
    /// A Member State left SELA.
    LeaveSystem(member_state::LeaveSystem),
    /// Opens a year's work programme.
    OpenWorkProgramme(work_programme::OpenWorkProgramme),
    /// Adopts a work programme by a decision.
    AdoptWorkProgramme(work_programme::AdoptWorkProgramme),
    /// Registers a counterpart with its focal point.
    JoinCounterpart(JoinCounterpart),
    /// Names a counterpart's new focal point.
    ChangeFocalPoint(ChangeFocalPoint),
    /// Records that a counterpart withdrew.
    WithdrawCounterpart(counterpart::WithdrawCounterpart),
    /// Registers a cooperation source.
    RegisterCooperationSource(RegisterCooperationSource),
    /// Plans a consultation.
    ScheduleConsultation(consultation::ScheduleConsultation),
    /// Records that a consultation took place, with its participants.
    HoldConsultation(HoldConsultation),
    /// Records a need identified in a consultation.
    IdentifyNeed(consultation::IdentifyNeed),
    /// Records an evaluation of achievements made in a consultation.
    EvaluateAchievements(EvaluateAchievements),
    /// Closes a consultation.
    CloseConsultation(consultation::CloseConsultation),
    /// Proposes an activity (possible duplicates are looked up in the log).
    ProposeActivity(ProposeActivity),
    /// Approves an activity into a work programme.
    ApproveActivity(activity::ApproveActivity),
    /// Rejects a proposed activity.
    RejectActivity(activity::DecideAgainstActivity),
    /// Defers the decision on a proposed activity.
    DeferActivity(activity::DecideAgainstActivity),
    /// Records that an approved activity took place, with its participants and outputs.
    HoldActivity(activity::HoldActivity),
    /// Calls off an activity.
    CancelActivity(activity::CancelActivity),
    /// Defines a results indicator for an activity.
    DefineIndicator(DefineIndicator),
    /// Records a cooperation offer (possible duplicates are looked up in the log).
    RecordOffer(RecordOffer),
    /// Commits part of an offer to an activity (a recorded rate is looked up if needed).
    CommitToActivity(funding::CommitToActivity),
    /// Values an in-kind contribution to an activity.
    ValueInKindContribution(ValueInKindContribution),
    /// Records an exchange rate with its date and source.
    RecordExchangeRate(funding::RecordExchangeRate),
    /// Corrects a counterpart's details, naming the event corrected.
    CorrectCounterpartDetails(CorrectCounterpartDetails),
    /// Revises a work programme's budget.
    ReviseWorkProgramme(work_programme::ReviseWorkProgramme),
    /// Closes a work programme.
    CloseWorkProgramme(work_programme::CloseWorkProgramme),
    /// Records a request for assistance made to a cooperation source.
    RequestAssistance(cooperation_source::RequestAssistance),
    /// Records a cooperation source's answer to a request for assistance.
    AnswerAssistanceRequest(cooperation_source::AnswerAssistanceRequest),
    /// Records a national or subregional request for support.
    ReceiveRequest(request::ReceiveRequest),
    /// Links a request to a need or activity that follows it up.
    LinkRequest(LinkRequest),
    /// Closes a request.
    CloseRequest(request::CloseRequest),
    /// Opens a programme review for a period.
    OpenReview(programme_review::OpenReview),
    /// Records a review's findings and recommendations.
    RecordReviewFindings(programme_review::RecordReviewFindings),
    /// Closes a programme review.
    CloseReview(programme_review::CloseReview),
    /// Moves an activity to new dates.
    RescheduleActivity(RescheduleActivity),
    /// Records (or, with `correction`, corrects) an indicator's result for a period.
    RecordResult(activity::RecordResult),
    /// Records a payment made under a commitment.
    RecordDisbursement(funding::RecordDisbursement),
    /// Records money spent under a commitment.
    RecordExpenditure(funding::RecordExpenditure),
    /// Corrects the value of an in-kind contribution, naming the event corrected.
    RevalueInKindContribution(funding::RevalueInKindContribution),
    /// Ties a cooperation source to the counterpart registration of the same organisation.
    LinkOrganisation(LinkOrganisation),
}

impl AppCommand {
    /// Every command's `kind`, in the order of the variants.
    pub const KINDS: [&'static str; 41] = [
        "join-system",
        "leave-system",
        "open-work-programme",
        "adopt-work-programme",
        "join-counterpart",
        "change-focal-point",
        "withdraw-counterpart",
        "register-cooperation-source",
        "schedule-consultation",
        "hold-consultation",
        "identify-need",
        "evaluate-achievements",
        "close-consultation",
        "propose-activity",
        "approve-activity",
        "reject-activity",
        "defer-activity",
        "hold-activity",
        "cancel-activity",
        "define-indicator",
        "record-offer",
        "commit-to-activity",
        "value-in-kind-contribution",
        "record-exchange-rate",
        "correct-counterpart-details",
        "revise-work-programme",
        "close-work-programme",
        "request-assistance",
        "answer-assistance-request",
        "receive-request",
        "link-request",
        "close-request",
        "open-review",
        "record-review-findings",
        "close-review",
        "reschedule-activity",
        "record-result",
        "record-disbursement",
        "record-expenditure",
        "revalue-in-kind-contribution",
        "link-organisation",
    ];

    /// The command's `kind`, as written in files.
    pub fn kind(&self) -> &'static str {
        match self {
            AppCommand::JoinSystem(_) => "join-system",
            AppCommand::LeaveSystem(_) => "leave-system",
            AppCommand::OpenWorkProgramme(_) => "open-work-programme",
            AppCommand::AdoptWorkProgramme(_) => "adopt-work-programme",
            AppCommand::JoinCounterpart(_) => "join-counterpart",
            AppCommand::ChangeFocalPoint(_) => "change-focal-point",
            AppCommand::WithdrawCounterpart(_) => "withdraw-counterpart",
            AppCommand::RegisterCooperationSource(_) => "register-cooperation-source",
            AppCommand::ScheduleConsultation(_) => "schedule-consultation",
            AppCommand::HoldConsultation(_) => "hold-consultation",
            AppCommand::IdentifyNeed(_) => "identify-need",
            AppCommand::EvaluateAchievements(_) => "evaluate-achievements",
            AppCommand::CloseConsultation(_) => "close-consultation",
            AppCommand::ProposeActivity(_) => "propose-activity",
            AppCommand::ApproveActivity(_) => "approve-activity",
            AppCommand::RejectActivity(_) => "reject-activity",
            AppCommand::DeferActivity(_) => "defer-activity",
            AppCommand::HoldActivity(_) => "hold-activity",
            AppCommand::CancelActivity(_) => "cancel-activity",
            AppCommand::DefineIndicator(_) => "define-indicator",
            AppCommand::RecordOffer(_) => "record-offer",
            AppCommand::CommitToActivity(_) => "commit-to-activity",
            AppCommand::ValueInKindContribution(_) => "value-in-kind-contribution",
            AppCommand::RecordExchangeRate(_) => "record-exchange-rate",
            AppCommand::CorrectCounterpartDetails(_) => "correct-counterpart-details",
            AppCommand::ReviseWorkProgramme(_) => "revise-work-programme",
            AppCommand::CloseWorkProgramme(_) => "close-work-programme",
            AppCommand::RequestAssistance(_) => "request-assistance",
            AppCommand::AnswerAssistanceRequest(_) => "answer-assistance-request",
            AppCommand::ReceiveRequest(_) => "receive-request",
            AppCommand::LinkRequest(_) => "link-request",
            AppCommand::CloseRequest(_) => "close-request",
            AppCommand::OpenReview(_) => "open-review",
            AppCommand::RecordReviewFindings(_) => "record-review-findings",
            AppCommand::CloseReview(_) => "close-review",
            AppCommand::RescheduleActivity(_) => "reschedule-activity",
            AppCommand::RecordResult(_) => "record-result",
            AppCommand::RecordDisbursement(_) => "record-disbursement",
            AppCommand::RecordExpenditure(_) => "record-expenditure",
            AppCommand::RevalueInKindContribution(_) => "revalue-in-kind-contribution",
            AppCommand::LinkOrganisation(_) => "link-organisation",
        }
    }

    /// Reads a command of the given kind from its fields (the object without `kind`). The
    /// error names the kind, the field, the value given and what is allowed; a key the command
    /// does not have is refused at any depth.
    fn from_fields(kind: &str, fields: &Value) -> Result<AppCommand, LineError> {
        let command = Self::read_kind(kind, fields)?;
        let read = serde_json::to_value(&command).expect("commands always serialise");
        reading::no_unknown_fields(kind, fields, &read)?;
        Ok(command)
    }

    fn read_kind(kind: &str, fields: &Value) -> Result<AppCommand, LineError> {
        Ok(match kind {
            "join-system" => AppCommand::JoinSystem(reading::fields(kind, fields)?),
            "leave-system" => AppCommand::LeaveSystem(reading::fields(kind, fields)?),
            "open-work-programme" => AppCommand::OpenWorkProgramme(reading::fields(kind, fields)?),
            "adopt-work-programme" => AppCommand::AdoptWorkProgramme(reading::fields(kind, fields)?),
            "join-counterpart" => AppCommand::JoinCounterpart(reading::fields(kind, fields)?),
            "change-focal-point" => AppCommand::ChangeFocalPoint(reading::fields(kind, fields)?),
            "withdraw-counterpart" => AppCommand::WithdrawCounterpart(reading::fields(kind, fields)?),
            "register-cooperation-source" => AppCommand::RegisterCooperationSource(reading::fields(kind, fields)?),
            "schedule-consultation" => AppCommand::ScheduleConsultation(reading::fields(kind, fields)?),
            "hold-consultation" => AppCommand::HoldConsultation(reading::fields(kind, fields)?),
            "identify-need" => AppCommand::IdentifyNeed(reading::fields(kind, fields)?),
            "evaluate-achievements" => AppCommand::EvaluateAchievements(reading::fields(kind, fields)?),
            "close-consultation" => AppCommand::CloseConsultation(reading::fields(kind, fields)?),
            "propose-activity" => AppCommand::ProposeActivity(reading::fields(kind, fields)?),
            "approve-activity" => AppCommand::ApproveActivity(reading::fields(kind, fields)?),
            "reject-activity" => AppCommand::RejectActivity(reading::fields(kind, fields)?),
            "defer-activity" => AppCommand::DeferActivity(reading::fields(kind, fields)?),
            "hold-activity" => AppCommand::HoldActivity(reading::fields(kind, fields)?),
            "cancel-activity" => AppCommand::CancelActivity(reading::fields(kind, fields)?),
            "define-indicator" => AppCommand::DefineIndicator(reading::fields(kind, fields)?),
            "record-offer" => AppCommand::RecordOffer(reading::fields(kind, fields)?),
            "commit-to-activity" => AppCommand::CommitToActivity(reading::fields(kind, fields)?),
            "value-in-kind-contribution" => AppCommand::ValueInKindContribution(reading::fields(kind, fields)?),
            "record-exchange-rate" => AppCommand::RecordExchangeRate(reading::fields(kind, fields)?),
            "correct-counterpart-details" => AppCommand::CorrectCounterpartDetails(reading::fields(kind, fields)?),
            "revise-work-programme" => AppCommand::ReviseWorkProgramme(reading::fields(kind, fields)?),
            "close-work-programme" => AppCommand::CloseWorkProgramme(reading::fields(kind, fields)?),
            "request-assistance" => AppCommand::RequestAssistance(reading::fields(kind, fields)?),
            "answer-assistance-request" => AppCommand::AnswerAssistanceRequest(reading::fields(kind, fields)?),
            "receive-request" => AppCommand::ReceiveRequest(reading::fields(kind, fields)?),
            "link-request" => AppCommand::LinkRequest(reading::fields(kind, fields)?),
            "close-request" => AppCommand::CloseRequest(reading::fields(kind, fields)?),
            "open-review" => AppCommand::OpenReview(reading::fields(kind, fields)?),
            "record-review-findings" => AppCommand::RecordReviewFindings(reading::fields(kind, fields)?),
            "close-review" => AppCommand::CloseReview(reading::fields(kind, fields)?),
            "reschedule-activity" => AppCommand::RescheduleActivity(reading::fields(kind, fields)?),
            "record-result" => AppCommand::RecordResult(reading::fields(kind, fields)?),
            "record-disbursement" => AppCommand::RecordDisbursement(reading::fields(kind, fields)?),
            "record-expenditure" => AppCommand::RecordExpenditure(reading::fields(kind, fields)?),
            "revalue-in-kind-contribution" => AppCommand::RevalueInKindContribution(reading::fields(kind, fields)?),
            "link-organisation" => AppCommand::LinkOrganisation(reading::fields(kind, fields)?),
            _ => {
                return Err(LineError::of(
                    "kind",
                    format!(
                        "kind {} is not a command; expected one of: {}",
                        Value::String(kind.to_owned()),
                        AppCommand::KINDS.join(", ")
                    ),
                ));
            }
        })
    }
}

/// A focal point as given by the caller, in clear; sealed before it reaches the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocalPoint {
    /// The person's id; a new one is made when absent.
    #[serde(default)]
    pub person: Option<PersonId>,
    pub name: String,
    /// Their e-mail address.
    pub email: String,
}

/// See [`AppCommand::JoinCounterpart`]. Its own shape: the focal point comes in clear and is sealed before deciding, the
/// details the domain nests are flat here, and the membership history is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinCounterpart {
    /// The counterpart's id.
    pub counterpart: CounterpartId,
    /// The body's name.
    pub name: String,
    /// Public, private, mixed, regional or international.
    pub counterpart_kind: CounterpartKind,
    /// The Member State of a national counterpart.
    #[serde(default)]
    pub member_state: Option<MemberStateCode>,
    /// The thematic areas it works on.
    pub thematic_areas: Vec<ThematicArea>,
    pub focal_point: FocalPoint,
    /// When it joined.
    pub joined_on: Date,
}

/// See [`AppCommand::ChangeFocalPoint`]. Its own shape: the focal point comes in clear and is sealed before deciding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeFocalPoint {
    pub counterpart: CounterpartId,
    /// The new focal point.
    pub focal_point: FocalPoint,
    /// When the change took effect.
    pub changed_on: Date,
}

/// See [`AppCommand::RegisterCooperationSource`]. Its own shape: `counterpart` names a registered counterpart whose organisation is
/// looked up, and the kind is `source_kind` in the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterCooperationSource {
    /// The source's id.
    pub cooperation_source: CooperationSourceId,
    /// Its name; may be left out when `counterpart` is given (the counterpart's name is taken),
    /// and must then be the counterpart's name if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// International, regional, subregional, bilateral or local.
    pub source_kind: CooperationSourceKind,
    /// The country it belongs to: any ISO 3166-1 alpha-2 code, or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<MemberStateCode>,
    /// The counterpart whose organisation takes the cooperation-source role, when the source
    /// is an organisation already registered as a counterpart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterpart: Option<CounterpartId>,
    /// When it was registered.
    pub registered_on: Date,
}

/// See [`AppCommand::LinkOrganisation`]. Its own shape: the counterpart's organisation is looked up, and `linked_on` is
/// defaulted to the day it is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkOrganisation {
    /// The counterpart registration, which stays the organisation.
    pub counterpart: CounterpartId,
    /// The cooperation source registered on its own, which becomes the organisation's
    /// cooperation-source role.
    pub cooperation_source: CooperationSourceId,
    /// From when the two are known to be one organisation: the day it is recorded unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_on: Option<Date>,
    /// Why they are one organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// See [`AppCommand::HoldConsultation`]. Its own shape: the participants are counterpart ids whose standing is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldConsultation {
    pub consultation: ConsultationId,
    /// When it took place.
    pub held_on: Date,
    /// Where.
    pub venue: String,
    /// The counterparts that took part (their standing is looked up in the log).
    pub participants: Vec<CounterpartId>,
    /// The reference of the minutes.
    pub minutes_reference: String,
}

/// One rating of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    /// The criterion, such as `relevance`.
    pub criterion: String,
    /// 1 to 5, or its label on the scale: `highly unsatisfactory`, `unsatisfactory`,
    /// `moderately satisfactory`, `satisfactory`, `highly satisfactory` (kebab-case or words,
    /// any case).
    pub score: GivenScore,
}

/// See [`AppCommand::EvaluateAchievements`]. Its own shape: each score is given as a number or a label ([`GivenScore`]) and read
/// into the domain's rating before deciding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateAchievements {
    pub consultation: ConsultationId,
    /// What was evaluated.
    pub subject: EvaluationSubject,
    pub findings: String,
    /// Scores by criterion.
    #[serde(default)]
    pub ratings: Vec<RatingInput>,
    /// When it was made: the day the consultation was held unless given (not before it, not
    /// after today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_on: Option<Date>,
}

/// See [`AppCommand::ProposeActivity`]. Its own shape: the kind is `activity_kind` in the line, and the possible duplicates
/// and the membership history are looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposeActivity {
    /// The activity's id.
    pub activity: ActivityId,
    /// Seminar, training workshop, ...
    pub activity_kind: ActivityKind,
    pub title: String,
    pub thematic_area: ThematicArea,
    /// The needs it answers.
    #[serde(default)]
    pub answers_needs: Vec<NeedId>,
    /// The host Member State.
    pub host: MemberStateCode,
    /// `{"proposer": "secretariat"}` or `{"proposer": "counterpart", "counterpart": "<id>"}`.
    pub proposed_by: Proposer,
    /// When it is planned.
    pub planned: Period,
    /// What it is estimated to cost.
    pub estimated_cost: Money,
    /// When it was proposed.
    pub proposed_on: Date,
    /// Why to record it although it may duplicate other activities.
    #[serde(default)]
    pub duplicate_override: Option<String>,
}

/// See [`AppCommand::DefineIndicator`]. Its own shape: `defined_on` is defaulted to the day it is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefineIndicator {
    pub activity: ActivityId,
    /// The indicator's id.
    pub indicator: IndicatorId,
    /// What it measures.
    pub name: String,
    pub unit: String,
    /// The value before the activity.
    pub baseline: Decimal,
    /// The value aimed at.
    pub target: Decimal,
    /// Whether higher values are better.
    pub higher_is_better: bool,
    /// When it was defined: the day it is recorded unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defined_on: Option<Date>,
}

/// See [`AppCommand::RecordOffer`]. Its own shape: the kind is `offer_kind` in the line, and the possible duplicates are
/// looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordOffer {
    /// The offer's id.
    pub offer: OfferId,
    /// `{"source": "sela-regular-budget"}`, `{"source": "counterpart", "id": ...}` or
    /// `{"source": "cooperation-source", "id": ...}`.
    pub source: OfferSource,
    /// Money, expertise or in kind.
    pub offer_kind: OfferKind,
    /// Its amount or value.
    pub amount: Money,
    /// What it is for.
    pub purpose: String,
    /// When it was recorded.
    pub recorded_on: Date,
    /// Why to record it although it may duplicate other offers.
    #[serde(default)]
    pub duplicate_override: Option<String>,
}

/// See [`AppCommand::ValueInKindContribution`]. Its own shape: it accepts the older field `host` beside `contributor`, and the
/// membership history is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueInKindContribution {
    /// The contribution's id.
    pub contribution: ContributionId,
    /// The activity supported.
    pub activity: ActivityId,
    /// The contributing Member State, as earlier lines name it; give `contributor` instead to
    /// name an organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<MemberStateCode>,
    /// Who gives it: a Member State or an organisation (a counterpart or cooperation source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contributor: Option<InKindContributor>,
    /// What is given.
    pub what: String,
    pub value: Money,
    /// When it was valued.
    pub valued_on: Date,
}

impl ValueInKindContribution {
    /// Who gives the contribution: `contributor`, or the Member State `host` names; exactly one
    /// of the two is given.
    pub fn contributor(&self) -> Result<InKindContributor, DomainError> {
        match (self.contributor, self.host) {
            (Some(contributor), None) => Ok(contributor),
            (None, Some(member_state)) => Ok(InKindContributor::MemberState { member_state }),
            (Some(contributor), Some(host)) => Err(DomainError::InvalidValue {
                field: "value-in-kind-contribution contributor",
                value: contributor.to_string(),
                reason: format!(
                    "host `{host}` is given too; name who gives the contribution once, in contributor \
                     (a member-state, counterpart or cooperation-source) or, for a Member State, in host"
                ),
            }),
            (None, None) => Err(DomainError::InvalidValue {
                field: "value-in-kind-contribution contributor",
                value: String::new(),
                reason: "name who gives the contribution: contributor (a member-state, counterpart or \
                         cooperation-source) or, for a Member State, host"
                    .to_owned(),
            }),
        }
    }
}

/// See [`AppCommand::CorrectCounterpartDetails`]. Its own shape: the details the domain nests are flat here, and the membership
/// history is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectCounterpartDetails {
    pub counterpart: CounterpartId,
    /// The corrected name.
    pub name: String,
    /// The corrected kind.
    pub counterpart_kind: CounterpartKind,
    /// The corrected Member State.
    #[serde(default)]
    pub member_state: Option<MemberStateCode>,
    /// The corrected thematic areas.
    pub thematic_areas: Vec<ThematicArea>,
    /// The event corrected (an event of this counterpart's stream), why, and from when.
    pub correction: Correction,
}

/// See [`AppCommand::LinkRequest`]. Its own shape: `linked_on` is defaulted to the day it is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    pub request: RequestId,
    /// `{"follow_up": "need", "id": ...}` or `{"follow_up": "activity", "id": ...}`.
    pub follow_up: RequestFollowUp,
    /// When the link was made: the day it is recorded unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_on: Option<Date>,
}

/// See [`AppCommand::RescheduleActivity`]. Its own shape: `rescheduled_on` is defaulted to the day it is recorded, and the
/// membership history is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RescheduleActivity {
    pub activity: ActivityId,
    /// The new planned period.
    pub planned: Period,
    /// Why.
    pub reason: String,
    /// When it was rescheduled: the day it is recorded unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rescheduled_on: Option<Date>,
}

/// A command with the envelope fields of an import line: its id and why it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// The command's id: a line whose id already committed is not applied again.
    pub command_id: Option<Uuid>,
    /// Why the command was issued (the `why` key; kept as the events' metadata reason).
    pub reason: Option<String>,
    /// Groups commands of one piece of work.
    pub correlation_id: Option<Uuid>,
    /// What caused this command.
    pub causation_id: Option<Uuid>,
    pub command: AppCommand,
}

/// The envelope keys of a command line; every other key belongs to the command.
/// (`why` rather than `reason`, because several commands have a `reason` field of their own.)
const ENVELOPE_KEYS: [&str; 4] = ["command_id", "why", "correlation_id", "causation_id"];

impl CommandLine {
    /// Reads one command line: a JSON object with `kind`, the command's fields and the
    /// optional envelope fields `command_id`, `why`, `correlation_id`, `causation_id`.
    /// The error says which field was wrong, the value given and what is allowed.
    pub fn parse(text: &str) -> Result<CommandLine, String> {
        Self::read(text).map_err(|error| error.message)
    }

    /// Reads a command line from a JSON value.
    pub fn from_value(value: Value) -> Result<CommandLine, String> {
        Self::read_value(value).map_err(|error| error.message)
    }

    /// [`CommandLine::parse`], with the field the error concerns apart.
    pub fn read(text: &str) -> Result<CommandLine, LineError> {
        let value: Value =
            serde_json::from_str(text).map_err(|error| LineError::whole(format!("not JSON: {error}")))?;
        Self::read_value(value)
    }

    /// [`CommandLine::from_value`], with the field the error concerns apart.
    pub fn read_value(value: Value) -> Result<CommandLine, LineError> {
        let Value::Object(mut object) = value else {
            return Err(LineError::whole("a command is a JSON object"));
        };
        let kind = match object.remove("kind") {
            Some(Value::String(kind)) => kind,
            Some(other) => {
                return Err(LineError::of(
                    "kind",
                    format!(
                        "kind is {other}, which is not allowed; expected a command's kind in double quotes, such as \"join-counterpart\""
                    ),
                ));
            }
            None => {
                return Err(LineError::of(
                    "kind",
                    "kind is missing (the command's kind, such as \"join-counterpart\")",
                ));
            }
        };
        let mut envelope = Map::new();
        for key in ENVELOPE_KEYS {
            if let Some(value) = object.remove(key) {
                envelope.insert(key.to_owned(), value);
            }
        }
        let uuid = |key: &str| -> Result<Option<Uuid>, LineError> {
            match envelope.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) if Uuid::parse_str(text).is_ok() => Ok(Uuid::parse_str(text).ok()),
                Some(other) => Err(LineError::of(
                    key,
                    format!(
                        "{kind}: {key} is {other}, which is not allowed; expected a UUID, such as \"5e1a0000-0000-4000-8000-000000000101\""
                    ),
                )),
            }
        };
        let reason = match envelope.get("why") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => {
                return Err(LineError::of(
                    "why",
                    format!("{kind}: why is {other}, which is not allowed; expected a text in double quotes"),
                ));
            }
        };
        let command = AppCommand::from_fields(&kind, &Value::Object(object))?;
        Ok(CommandLine {
            command_id: uuid("command_id")?,
            reason,
            correlation_id: uuid("correlation_id")?,
            causation_id: uuid("causation_id")?,
            command,
        })
    }

    /// The line as JSON: the command's fields with the envelope fields that are set.
    pub fn to_value(&self) -> Value {
        let mut value = serde_json::to_value(&self.command).expect("commands always serialise");
        if let Value::Object(object) = &mut value {
            if let Some(id) = self.command_id {
                object.insert("command_id".to_owned(), Value::String(id.to_string()));
            }
            if let Some(reason) = &self.reason {
                object.insert("why".to_owned(), Value::String(reason.clone()));
            }
            if let Some(id) = self.correlation_id {
                object.insert("correlation_id".to_owned(), Value::String(id.to_string()));
            }
            if let Some(id) = self.causation_id {
                object.insert("causation_id".to_owned(), Value::String(id.to_string()));
            }
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_its_envelope_and_its_command() {
        let line = CommandLine::parse(
            r#"{"command_id":"00000000-0000-4000-8000-000000000001","kind":"close-consultation",
                "consultation":"00000000-0000-4000-8000-000000000002","closed_on":"2013-03-01","why":"done"}"#,
        )
        .unwrap();
        assert_eq!(line.reason.as_deref(), Some("done"));
        assert!(matches!(line.command, AppCommand::CloseConsultation(_)));
        assert_eq!(line.command.kind(), "close-consultation");
        assert_eq!(CommandLine::from_value(line.to_value()).unwrap(), line);
    }

    #[test]
    fn kinds_lists_every_variant_and_nothing_else() {
        // Each listed kind is read: its error is about its fields, not an unknown kind.
        for kind in AppCommand::KINDS {
            let error = CommandLine::parse(&format!(r#"{{"kind":"{kind}"}}"#)).unwrap_err();
            assert!(error.starts_with(&format!("{kind}: ")), "{kind}: {error}");
            assert!(error.contains(" is missing"), "{kind}: {error}");
        }
        // serde's list of the variants is exactly the listed kinds.
        let error = serde_json::from_value::<AppCommand>(serde_json::json!({"kind": "fly-to-the-moon"})).unwrap_err();
        let expected = error.to_string();
        let expected = expected.split("expected one of ").nth(1).unwrap();
        let variants: Vec<&str> = expected.split(", ").map(|name| name.trim_matches('`')).collect();
        assert_eq!(variants, AppCommand::KINDS);
        // And an unknown kind is refused with the list.
        let error = CommandLine::parse(r#"{"kind":"fly-to-the-moon"}"#).unwrap_err();
        assert!(
            error.starts_with(r#"kind "fly-to-the-moon" is not a command; expected one of: join-system, "#),
            "{error}"
        );
    }

    #[test]
    fn the_error_names_the_field_apart() {
        let line = serde_json::json!({"kind": "hold-activity", "activity": "5e1a0000-0000-4000-8000-000000000004",
            "held": {"start": "2013-04-17", "end": "2013-04-18"},
            "participants": {"by_sex": [{"sex": "female", "value": -5}], "by_member_state": []}});
        let error = CommandLine::read_value(line).unwrap_err();
        // Counts of people are checked as the participants are read: the refusal names them.
        assert_eq!(error.field.as_deref(), Some("participants"));
        assert!(
            error.message.starts_with("hold-activity: participants"),
            "{}",
            error.message
        );
        assert!(
            error.message.contains("\"female: -5\"") && error.message.contains("a whole number from 0 to 100000"),
            "{}",
            error.message
        );
        // A field deeper in the line is named by its path.
        let line = serde_json::json!({"kind": "hold-activity", "activity": "5e1a0000-0000-4000-8000-000000000004",
            "held": {"start": "2013-04-17", "end": 5},
            "participants": {"by_sex": [{"sex": "female", "value": 5}]}});
        let error = CommandLine::read_value(line).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("held.end"), "{}", error.message);
        assert_eq!(CommandLine::read("[]").unwrap_err().field, None);
    }

    #[test]
    fn an_unknown_key_inside_a_field_is_refused() {
        let line = serde_json::json!({"kind": "hold-activity", "activity": "5e1a0000-0000-4000-8000-000000000004",
            "held": {"start": "2013-04-17", "end": "2013-04-18"},
            "participants": {"by_sex": [{"sex": "female", "value": 5, "count": 5}], "by_member_state": []}});
        let error = CommandLine::read_value(line).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("participants.by_sex[0].count"));
        assert_eq!(
            error.message,
            "hold-activity: participants.by_sex[0].count is not a field; the fields of participants.by_sex[0] are: sex, value"
        );
        let line = serde_json::json!({"kind": "open-work-programme", "year": 2013, "opened_on": "2012-10-17",
            "estimated_budget": {"amount": "1", "currency": "USD", "value_date": "2012-10-17", "note": "x"}});
        let error = CommandLine::read_value(line).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("estimated_budget.note"));
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            ("[]", "a command is a JSON object"),
            ("{", "not JSON"),
            (r#"{"consultation":"x"}"#, "kind is missing"),
            (
                r#"{"kind":"fly-to-the-moon"}"#,
                "kind \"fly-to-the-moon\" is not a command",
            ),
            (
                r#"{"kind":"close-consultation","consultation":"00000000-0000-4000-8000-000000000002","closed_on":"2013-02-30"}"#,
                "close-consultation: closed_on is \"2013-02-30\", which is not allowed; expected a date as YYYY-MM-DD",
            ),
            (
                r#"{"kind":"close-consultation","consultation":"00000000-0000-4000-8000-000000000002","closed_on":"2013-02-03","colour":"red"}"#,
                "close-consultation: colour is not a field; the fields of close-consultation are: consultation, closed_on",
            ),
            (
                r#"{"kind":"close-consultation","command_id":"nope","consultation":"00000000-0000-4000-8000-000000000002","closed_on":"2013-02-03"}"#,
                "close-consultation: command_id is \"nope\", which is not allowed; expected a UUID",
            ),
        ];
        for (text, expected) in cases {
            let error = CommandLine::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
