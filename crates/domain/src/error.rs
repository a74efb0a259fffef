//! The domain's one error type.
//!
//! Every variant names what was wrong and where: the field, the record (by id) and the values
//! involved, so the caller can show it without more context. Value errors come from
//! constructors; the others are invariants enforced by deciders.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::ids::{
    ActivityId, AssistanceRequestId, CommitmentId, ConsultationId, ContributionId, CooperationSourceId, CounterpartId,
    IndicatorId, NeedId, OfferId, PersonId, PublicationId, RequestId, ReviewId,
};
use crate::values::{Currency, MemberStateCode, Money, Period, WorkProgrammeYear};
use crate::work_programme::WorkProgrammeStatus;

/// A result whose error is a [`DomainError`].
pub type Result<T, E = DomainError> = std::result::Result<T, E>;

/// A record that may duplicate another, named in duplicate warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRef {
    Activity(ActivityId),
    /// A cooperation offer.
    Offer(OfferId),
}

impl std::fmt::Display for RecordRef {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordRef::Activity(id) => write!(formatter, "activity {id}"),
            RecordRef::Offer(id) => write!(formatter, "offer {id}"),
        }
    }
}

/// An existing record a new one may duplicate, with the grounds: what they share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateMatch {
    /// The existing record.
    pub record: RecordRef,
    /// Why it may be a duplicate, such as `"Regional seminar" (same thematic area (financing) and
    /// kind (seminar), planned 2013-04-10 to 2013-04-11 overlapping 2013-04-11 to 2013-04-12,
    /// hosted in PE, approved)`.
    pub grounds: String,
}

impl std::fmt::Display for DuplicateMatch {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} {}", self.record, self.grounds)
    }
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// Everything the domain can refuse.
///
/// Deliberately exhaustive (not `#[non_exhaustive]`): the CLI's end-to-end tests match every
/// variant, so that a new refusal cannot be added without a test that the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    // Values.
    /// A value did not have the expected form.
    #[error("invalid {field} {value:?}: {reason}")]
    InvalidValue {
        /// The field or kind of value.
        field: &'static str,
        /// The text given.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// An id was the nil UUID.
    #[error("the {kind} id must not be the nil UUID")]
    NilId {
        /// The kind of id.
        kind: &'static str,
    },
    /// Required free text was empty.
    #[error("{field} must not be empty")]
    EmptyField { field: &'static str },
    /// A list held the same value twice.
    #[error("{field} lists {value} more than once")]
    DuplicateEntry {
        field: &'static str,
        /// The repeated value.
        value: String,
    },
    /// A period ended before it started.
    #[error("period starts on {start} but ends earlier, on {end}")]
    PeriodEndsBeforeStart {
        /// First day given.
        start: Date,
        /// Last day given.
        end: Date,
    },
    /// A negative amount of money.
    #[error("amount {amount} {currency} is negative")]
    NegativeAmount { amount: Decimal, currency: Currency },
    /// An amount grew beyond what a decimal holds.
    #[error("amount in {currency} is too large")]
    AmountOverflow { currency: Currency },
    /// Two amounts in different currencies were combined without a rate.
    #[error("cannot combine {left} with {right} without a recorded exchange rate")]
    CurrencyMismatch {
        /// The first currency.
        left: Currency,
        /// The second currency.
        right: Currency,
    },
    /// An exchange rate was applied to an amount in another currency.
    #[error("exchange rate {rate_from}->{rate_to} cannot convert an amount in {amount_currency}")]
    ExchangeRateDoesNotApply {
        /// The amount's currency.
        amount_currency: Currency,
        /// The rate's source currency.
        rate_from: Currency,
        /// The rate's target currency.
        rate_to: Currency,
    },
    /// A line of the Member State membership file could not be read.
    #[error("member-states file, line {line}: {reason}")]
    MembershipFile {
        /// The 1-based line number.
        line: usize,
        /// What was wrong.
        reason: String,
    },

    // Member State.
    /// A state joined the system while already a member.
    #[error("Member State {code} is already a member of the system")]
    AlreadyMember {
        /// The state.
        code: MemberStateCode,
    },
    /// A state left the system while not a member.
    #[error("{code} cannot leave the system: it is not a member")]
    NotMember {
        /// The state.
        code: MemberStateCode,
    },
    /// A command named a country that was not a Member State on the date that counts.
    #[error(
        "{command}: {field} `{code}` is not a Member State of SELA on {on} (Member States then: {})",
        if members.is_empty() { "none".to_owned() } else { list(members) }
    )]
    NotAMemberState {
        /// The command's kind, such as `propose-activity`.
        command: &'static str,
        /// The field naming the country.
        field: &'static str,
        /// The country.
        code: MemberStateCode,
        /// The date that counts.
        on: Date,
        /// The Member States on that date.
        members: Vec<MemberStateCode>,
    },
    /// A command named a country, but the log holds no membership history to check it against.
    #[error(
        "{command}: {field} `{code}` cannot be checked: the log holds no membership history \
         (load the Member States first: smes member-state load)"
    )]
    MembershipNotLoaded {
        /// The command's kind.
        command: &'static str,
        /// The field naming the country.
        field: &'static str,
        /// The country.
        code: MemberStateCode,
    },
    /// A country code ISO 3166-1 does not assign.
    #[error("{command}: {field} `{code}` is not an ISO 3166-1 alpha-2 country code")]
    UnknownCountry {
        /// The command's kind.
        command: &'static str,
        /// The field naming the country.
        field: &'static str,
        /// The code given.
        code: MemberStateCode,
    },
    /// A currency ISO 4217 does not list, or one withdrawn before the amount's value date.
    #[error(
        "{command}: {field} `{currency}` {}",
        match withdrawn {
            None => "is not an ISO 4217 currency code (a three-letter code such as USD, EUR or VES)".to_owned(),
            Some(withdrawn) => format!(
                "was withdrawn from ISO 4217 on {withdrawn} and is not in use on the value date {value_date}; use the code that replaced it"
            ),
        }
    )]
    UnknownCurrency {
        /// The command's kind.
        command: &'static str,
        /// The field holding the currency, such as `estimated_cost.currency`.
        field: &'static str,
        /// The currency given.
        currency: Currency,
        /// The value date of the amount (or the rate's date).
        value_date: Date,
        /// When the currency was withdrawn, for a withdrawn one.
        withdrawn: Option<Date>,
    },
    /// A membership change dated before the previous one.
    #[error("Member State {code}: change dated {date} comes before the previous change on {previous}")]
    MembershipChangeOutOfOrder {
        /// The state.
        code: MemberStateCode,
        /// The date given.
        date: Date,
        /// The date of the previous change.
        previous: Date,
    },
    /// A command named a different state than the stream holds.
    #[error("command is for Member State {given} but the stream holds {recorded}")]
    MemberStateMismatch {
        /// The state named by the command.
        given: MemberStateCode,
        /// The state recorded in the stream.
        recorded: MemberStateCode,
    },

    // Counterpart.
    /// A counterpart joined twice.
    #[error("counterpart {counterpart} has already joined")]
    CounterpartAlreadyJoined { counterpart: CounterpartId },
    /// A command for a counterpart that never joined.
    #[error("counterpart {counterpart} has not joined")]
    CounterpartNotJoined { counterpart: CounterpartId },
    /// A command for a counterpart that withdrew.
    #[error("counterpart {counterpart} withdrew on {withdrew_on}")]
    CounterpartWithdrawn {
        counterpart: CounterpartId,
        /// When it withdrew.
        withdrew_on: Date,
    },
    /// A national counterpart without a Member State, or a regional or international one with.
    #[error(
        "counterpart {counterpart}: a {kind} counterpart {}",
        if *kind_is_national { "must belong to a Member State" } else { "must not belong to a Member State" }
    )]
    CounterpartMemberStateMismatch {
        counterpart: CounterpartId,
        /// Its kind, as a slug.
        kind: &'static str,
        /// Whether that kind is national.
        kind_is_national: bool,
    },
    /// A dated fact placed before the record it belongs to began.
    #[error("{what} on {date} is before {since}, when {record} began")]
    DateBeforeStart {
        /// What was being dated.
        what: &'static str,
        /// The date given.
        date: Date,
        /// The record, such as `counterpart <id>`.
        record: String,
        /// When the record began.
        since: Date,
    },
    /// A command names a record the log does not hold.
    #[error("{field}: {record} is not in the record ({expected})")]
    UnknownRecord {
        /// The command's field, such as `answers_needs`.
        field: &'static str,
        /// The record named, such as `need <id>`.
        record: String,
        /// What the field must point to, such as `a need identified in a consultation`.
        expected: &'static str,
    },
    /// A command names a record that came into being after the fact it records.
    #[error("{field}: {record} dates from {since}, after {on}, the date of this fact")]
    RecordNotYet {
        /// The command's field.
        field: &'static str,
        /// The record named.
        record: String,
        /// When the record came into being.
        since: Date,
        /// The business date of the command.
        on: Date,
    },
    /// A business date after the day the fact is being recorded.
    #[error("{field} {date} is after today ({today}): a fact is recorded on or after the day it happened")]
    DateInFuture {
        /// The field dated, such as `identified_on`.
        field: &'static str,
        /// The date given.
        date: Date,
        /// The day the command is recorded.
        today: Date,
    },
    /// A focal point change naming the person already in the role.
    #[error("counterpart {counterpart}: the new focal point is the current one")]
    FocalPointUnchanged { counterpart: CounterpartId },

    // Consultation.
    /// A consultation scheduled twice.
    #[error("consultation {consultation} is already scheduled")]
    ConsultationAlreadyScheduled { consultation: ConsultationId },
    /// A command for a consultation never scheduled.
    #[error("consultation {consultation} is not in the record: it was never scheduled")]
    ConsultationNotScheduled { consultation: ConsultationId },
    /// A consultation held twice.
    #[error("consultation {consultation} was already held on {held_on}")]
    ConsultationAlreadyHeld {
        consultation: ConsultationId,
        /// When it was held.
        held_on: Date,
    },
    /// Needs or evaluations recorded for a consultation not yet held.
    #[error("consultation {consultation} has not been held yet")]
    ConsultationNotHeld { consultation: ConsultationId },
    /// A command for a closed consultation.
    #[error("consultation {consultation} is closed")]
    ConsultationClosed { consultation: ConsultationId },
    /// A participant that had not joined, or had withdrawn, on the consultation's date.
    #[error("consultation {consultation}: counterpart {counterpart} was not an active counterpart on {on}")]
    ParticipantNotActive {
        consultation: ConsultationId,
        counterpart: CounterpartId,
        /// The consultation date.
        on: Date,
    },
    /// A need identified twice in the same consultation.
    #[error("consultation {consultation}: need {need} is already identified")]
    NeedAlreadyIdentified { consultation: ConsultationId, need: NeedId },
    /// A need raised by a counterpart that did not take part.
    #[error("consultation {consultation}: need {need} is raised by counterpart {counterpart}, which did not take part")]
    NeedRaisedByNonParticipant {
        consultation: ConsultationId,
        need: NeedId,
        counterpart: CounterpartId,
    },
    /// A rating outside 1 to 5.
    #[error(
        "rating of {criterion:?} is {score}; ratings run from 1 to 5: 1 highly unsatisfactory, 2 unsatisfactory, \
         3 moderately satisfactory, 4 satisfactory, 5 highly satisfactory (by number or label)"
    )]
    RatingOutOfRange {
        /// The criterion rated.
        criterion: String,
        /// The score given.
        score: u8,
    },

    // Activity.
    /// An activity proposed twice.
    #[error("activity {activity} is already proposed")]
    ActivityAlreadyProposed { activity: ActivityId },
    /// A command for an activity never proposed.
    #[error("activity {activity} has not been proposed")]
    ActivityNotProposed { activity: ActivityId },
    /// An activity approved twice.
    #[error("activity {activity} is already approved into the {year} work programme")]
    ActivityAlreadyApproved {
        activity: ActivityId,
        /// The work programme it was approved into.
        year: WorkProgrammeYear,
    },
    /// A command that needs an approved activity.
    #[error("activity {activity} has not been approved")]
    ActivityNotApproved { activity: ActivityId },
    /// A command for a rejected activity.
    #[error("activity {activity} was rejected")]
    ActivityRejected { activity: ActivityId },
    /// A command for a cancelled activity.
    #[error("activity {activity} was cancelled")]
    ActivityCancelled { activity: ActivityId },
    /// A command for an activity already held.
    #[error("activity {activity} was already held")]
    ActivityAlreadyHeld { activity: ActivityId },
    /// Results recorded for an activity not yet held.
    #[error("activity {activity} has not been held yet")]
    ActivityNotHeld { activity: ActivityId },
    /// Approval into a work programme that is not open.
    #[error("work programme {year} is {status}, not open for approvals")]
    WorkProgrammeNotOpen {
        /// The work programme.
        year: WorkProgrammeYear,
        /// Its status, as looked up by the app.
        status: WorkProgrammeStatus,
    },
    /// A new record looks like existing ones and no override reason was given.
    #[error("{record} may duplicate {}; give a reason to record it anyway", list(duplicates))]
    PossibleDuplicate {
        /// The record being created.
        record: RecordRef,
        /// The existing records it may duplicate, each with the grounds.
        duplicates: Vec<DuplicateMatch>,
    },
    /// Participant counts by sex and by Member State give different totals.
    #[error("activity {activity}: participants by sex total {by_sex} but by Member State total {by_member_state}")]
    ParticipantTotalsDisagree {
        activity: ActivityId,
        /// The total by sex.
        by_sex: u32,
        /// The total by Member State.
        by_member_state: u32,
    },
    /// An indicator defined twice.
    #[error("activity {activity}: indicator {indicator} is already defined")]
    IndicatorAlreadyDefined {
        activity: ActivityId,
        indicator: IndicatorId,
    },
    /// A result for an indicator never defined.
    #[error("activity {activity}: indicator {indicator} is not defined")]
    IndicatorNotDefined {
        activity: ActivityId,
        indicator: IndicatorId,
    },
    /// A result whose breakdown does not add up to its value.
    #[error("activity {activity}, indicator {indicator}: {breakdown} totals {total} but the value is {value}")]
    BreakdownDoesNotAddUp {
        activity: ActivityId,
        indicator: IndicatorId,
        /// Which breakdown: `by sex` or `by Member State`.
        breakdown: &'static str,
        /// The breakdown's total.
        total: Decimal,
        /// The value recorded.
        value: Decimal,
    },
    /// A result for the same indicator and period recorded twice (correct it instead).
    #[error("activity {activity}, indicator {indicator}: a result for {period} is already recorded")]
    ResultAlreadyRecorded {
        activity: ActivityId,
        indicator: IndicatorId,
        period: Period,
    },
    /// A correction of a result never recorded.
    #[error("activity {activity}, indicator {indicator}: no result for {period} to correct")]
    ResultNotRecorded {
        activity: ActivityId,
        indicator: IndicatorId,
        period: Period,
    },

    // Work programme.
    /// A work programme opened twice.
    #[error("work programme {year} is already opened")]
    WorkProgrammeAlreadyOpened { year: WorkProgrammeYear },
    /// A command for a work programme never opened.
    #[error("work programme {year} has not been opened")]
    WorkProgrammeNotOpened { year: WorkProgrammeYear },
    /// A work programme adopted twice.
    #[error("work programme {year} is already adopted")]
    WorkProgrammeAlreadyAdopted { year: WorkProgrammeYear },
    /// A command for a closed work programme.
    #[error("work programme {year} is closed")]
    WorkProgrammeClosed { year: WorkProgrammeYear },

    // Funding.
    /// An offer recorded twice.
    #[error("offer {offer} is already recorded")]
    OfferAlreadyRecorded { offer: OfferId },
    /// A command for an offer never recorded.
    #[error("offer {offer} has not been recorded")]
    OfferNotRecorded { offer: OfferId },
    /// A commitment made twice.
    #[error("offer {offer}: commitment {commitment} already exists")]
    CommitmentAlreadyMade { offer: OfferId, commitment: CommitmentId },
    /// A payment or expense against an unknown commitment.
    #[error("offer {offer}: no commitment {commitment}")]
    CommitmentNotFound { offer: OfferId, commitment: CommitmentId },
    /// A commitment larger than what is left of the offer.
    #[error("offer {offer}: commitment of {requested} exceeds the {available} still available")]
    CommitmentExceedsOffer {
        offer: OfferId,
        /// The commitment, in the offer's currency.
        requested: Money,
        /// What is left of the offer.
        available: Money,
    },
    /// An amount in another currency than the offer's without a rate to convert it.
    #[error("offer {offer}: amount in {given} needs a recorded {given}->{offer_currency} rate")]
    ExchangeRateMissing {
        offer: OfferId,
        /// The amount's currency.
        given: Currency,
        /// The offer's currency.
        offer_currency: Currency,
    },
    /// A disbursement larger than what is left of the commitment.
    #[error("commitment {commitment}: disbursement of {requested} exceeds the {available} not yet disbursed")]
    DisbursementExceedsCommitment {
        commitment: CommitmentId,
        /// The disbursement.
        requested: Money,
        /// What is left to disburse.
        available: Money,
    },
    /// An expenditure larger than what was disbursed and not yet spent.
    #[error("commitment {commitment}: expenditure of {requested} exceeds the {available} disbursed and not yet spent")]
    ExpenditureExceedsDisbursement {
        commitment: CommitmentId,
        /// The expenditure.
        requested: Money,
        /// What is disbursed and unspent.
        available: Money,
    },
    /// An in-kind contribution valued twice (revalue it instead).
    #[error("in-kind contribution {contribution} is already valued")]
    ContributionAlreadyValued { contribution: ContributionId },
    /// A revaluation of an in-kind contribution never valued.
    #[error("in-kind contribution {contribution} has not been valued")]
    ContributionNotValued { contribution: ContributionId },
    /// The same source's rate for the same date recorded twice.
    #[error("a {from}->{to} rate for {date} from {rate_source:?} is already recorded")]
    ExchangeRateAlreadyRecorded {
        /// The currency converted from.
        from: Currency,
        /// The currency converted to.
        to: Currency,
        /// The rate's date.
        date: Date,
        /// The rate's source.
        rate_source: String,
    },

    // Cooperation source.
    /// A cooperation source registered twice.
    #[error("cooperation source {cooperation_source} is already registered")]
    CooperationSourceAlreadyRegistered { cooperation_source: CooperationSourceId },
    /// A command for a cooperation source never registered.
    #[error("cooperation source {cooperation_source} has not been registered")]
    CooperationSourceNotRegistered { cooperation_source: CooperationSourceId },
    /// A cooperation source linked to a counterpart a second time (a link is never replaced).
    #[error(
        "cooperation source {cooperation_source} is already the cooperation-source role of counterpart {counterpart}; \
         a link is not replaced"
    )]
    CooperationSourceAlreadyLinked {
        cooperation_source: CooperationSourceId,
        /// The counterpart it is linked to.
        counterpart: CounterpartId,
    },
    /// A counterpart's organisation given a second cooperation-source role.
    #[error(
        "counterpart {counterpart} already holds the cooperation-source role, as cooperation source \
         {cooperation_source}; an organisation is a cooperation source once"
    )]
    CounterpartAlreadyCooperationSource {
        counterpart: CounterpartId,
        /// The cooperation source that holds its role.
        cooperation_source: CooperationSourceId,
    },
    /// A source registered as a counterpart's organisation under another name.
    #[error(
        "{command}: name `{given}` is not the name of counterpart {counterpart} (`{registered}`); leave name out \
         to take the counterpart's name, or correct the counterpart's details first"
    )]
    OrganisationNameDiffers {
        /// The command's kind.
        command: &'static str,
        /// The counterpart named.
        counterpart: CounterpartId,
        /// The name given.
        given: String,
        /// The counterpart's name.
        registered: String,
    },
    /// A request for assistance made twice.
    #[error("cooperation source {cooperation_source}: request {request} was already made")]
    AssistanceRequestAlreadyMade {
        cooperation_source: CooperationSourceId,
        request: AssistanceRequestId,
    },
    /// An answer to a request for assistance never made.
    #[error("cooperation source {cooperation_source}: no request {request}")]
    AssistanceRequestNotFound {
        cooperation_source: CooperationSourceId,
        request: AssistanceRequestId,
    },
    /// A request for assistance answered twice.
    #[error("cooperation source {cooperation_source}: request {request} was already answered")]
    AssistanceRequestAlreadyAnswered {
        cooperation_source: CooperationSourceId,
        request: AssistanceRequestId,
    },

    // Request.
    /// A person forgotten twice.
    #[error("person {person} was already forgotten on {forgotten_on}")]
    PersonAlreadyForgotten {
        person: PersonId,
        /// When they were forgotten.
        forgotten_on: Date,
    },
    /// A request for support received twice.
    #[error("request {request} is already received")]
    RequestAlreadyReceived { request: RequestId },
    /// A command for a request never received.
    #[error("request {request} has not been received")]
    RequestNotReceived { request: RequestId },
    /// A command for a closed request.
    #[error("request {request} is closed")]
    RequestClosed { request: RequestId },

    // Programme review.
    /// A review opened twice.
    #[error("programme review {review} is already opened")]
    ReviewAlreadyOpened { review: ReviewId },
    /// A command for a review never opened.
    #[error("programme review {review} has not been opened")]
    ReviewNotOpened { review: ReviewId },
    /// A command for a closed review.
    #[error("programme review {review} is closed")]
    ReviewClosed { review: ReviewId },
    /// A review closed before any findings were recorded.
    #[error("programme review {review} has no findings yet and cannot be closed")]
    ReviewWithoutFindings { review: ReviewId },

    // Publications.
    /// A publication id used twice.
    #[error("publication {publication} is already recorded")]
    PublicationAlreadyRecorded { publication: PublicationId },
    /// A snapshot anchored beyond the log's head.
    #[error("a snapshot anchored at log position {position} cannot be published: the log holds {head} events")]
    PublicationBeyondHead {
        /// The anchor's position.
        position: u64,
        /// The head's position when publishing.
        head: u64,
    },
}
