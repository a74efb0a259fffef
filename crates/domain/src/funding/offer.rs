//! Commands, events and state of the cooperation offer aggregate.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ids::{ActivityId, CommitmentId, CooperationSourceId, CounterpartId, OfferId};
use crate::values::{ExchangeRate, Money, OfferKind};

/// Who makes an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "source", content = "id", rename_all = "kebab-case")]
pub enum OfferSource {
    /// A counterpart, such as a national development bank.
    Counterpart(CounterpartId),
    /// A cooperation source, such as a UN agency.
    CooperationSource(CooperationSourceId),
    /// SELA's own regular budget.
    SelaRegularBudget,
}

/// What the duplicate rule needs of an existing offer; the app looks these up and passes them
/// in [`RecordOffer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferOutline {
    /// The existing offer.
    pub offer: OfferId,
    /// Who made it.
    pub source: OfferSource,
    /// What it is for.
    pub purpose: String,
}

impl OfferOutline {
    /// Why this offer may duplicate a new one: its purpose and who made it.
    pub fn grounds(&self) -> String {
        format!("\"{}\" (same source ({}) and purpose)", self.purpose, self.source)
    }
}

impl std::fmt::Display for OfferSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OfferSource::Counterpart(id) => write!(formatter, "counterpart {id}"),
            OfferSource::CooperationSource(id) => write!(formatter, "cooperation source {id}"),
            OfferSource::SelaRegularBudget => formatter.write_str("SELA's regular budget"),
        }
    }
}

/// The existing offers a new one may duplicate: those from the same source for the same
/// purpose (compared ignoring case and runs of white space). An offer never duplicates itself.
pub fn find_duplicate_offers<'a>(
    offer: OfferId,
    source: OfferSource,
    purpose: &str,
    existing: &'a [OfferOutline],
) -> Vec<&'a OfferOutline> {
    let purpose = normalised(purpose);
    existing
        .iter()
        .filter(|outline| outline.offer != offer && outline.source == source && normalised(&outline.purpose) == purpose)
        .collect()
}

fn normalised(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Records a cooperation offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOffer {
    /// The new offer's id.
    pub offer: OfferId,
    /// Who makes it.
    pub source: OfferSource,
    /// Money, expertise or in kind.
    pub kind: OfferKind,
    /// Its amount or value.
    pub amount: Money,
    /// What it is for.
    pub purpose: String,
    /// When it was recorded.
    pub recorded_on: Date,
    /// Look-up: existing offers from the same source.
    pub existing_offers: Vec<OfferOutline>,
    /// Why to record the offer although it may duplicate others; without it a possible
    /// duplicate is refused with [`crate::DomainError::PossibleDuplicate`]. Given when no
    /// duplicate is found, it is kept as a note ([`OfferDuplicateOverrideNoted`]).
    pub duplicate_override: Option<String>,
}

/// Commits part of an offer to an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitToActivity {
    /// The offer drawn on.
    pub offer: OfferId,
    /// The new commitment's id.
    pub commitment: CommitmentId,
    /// The activity funded.
    pub activity: ActivityId,
    /// The amount committed, in any currency.
    pub amount: Money,
    /// Look-up: a recorded rate from the amount's currency to the offer's, needed when they
    /// differ.
    #[serde(skip)]
    pub exchange_rate: Option<ExchangeRate>,
    /// When.
    pub committed_on: Date,
}

/// Records a payment made under a commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordDisbursement {
    pub offer: OfferId,
    /// The commitment paid.
    pub commitment: CommitmentId,
    /// The amount paid, in the commitment's currency.
    pub amount: Money,
    /// When.
    pub disbursed_on: Date,
}

/// Records money spent from what was disbursed under a commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordExpenditure {
    pub offer: OfferId,
    /// The commitment spent from.
    pub commitment: CommitmentId,
    /// The amount spent, in the commitment's currency.
    pub amount: Money,
    /// What it was spent on.
    pub description: String,
    /// When.
    pub spent_on: Date,
}

/// Commands of the offer aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferCommand {
    /// See [`RecordOffer`].
    Record(RecordOffer),
    /// See [`CommitToActivity`].
    Commit(CommitToActivity),
    /// See [`RecordDisbursement`].
    Disburse(RecordDisbursement),
    /// See [`RecordExpenditure`].
    Spend(RecordExpenditure),
}

/// A cooperation offer was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferRecorded {
    pub offer: OfferId,
    /// Who made it.
    pub source: OfferSource,
    /// Money, expertise or in kind.
    pub kind: OfferKind,
    /// Its amount or value.
    pub amount: Money,
    /// What it is for.
    pub purpose: String,
    /// When it was recorded.
    pub recorded_on: Date,
}

/// An offer was recorded although it may duplicate others, for the reason given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferDuplicateWarningOverridden {
    /// The offer recorded.
    pub offer: OfferId,
    /// The existing offers it may duplicate.
    pub duplicates: Vec<OfferId>,
    /// Why it was recorded anyway.
    pub reason: String,
}

/// A reason to record an offer although it may duplicate others was given, but no possible
/// duplicate was found: the reason is kept as a note rather than dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferDuplicateOverrideNoted {
    /// The offer recorded.
    pub offer: OfferId,
    /// The reason given.
    pub reason: String,
}

/// Part of an offer was committed to an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentMade {
    pub offer: OfferId,
    pub commitment: CommitmentId,
    /// The activity funded.
    pub activity: ActivityId,
    /// The amount committed.
    pub amount: Money,
    /// The same amount in the offer's currency, as counted against the offer.
    pub amount_in_offer_currency: Money,
    /// The rate used, when the currencies differ.
    pub exchange_rate: Option<ExchangeRate>,
    /// When.
    pub committed_on: Date,
}

/// Money was paid under a commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisbursementRecorded {
    pub offer: OfferId,
    pub commitment: CommitmentId,
    /// The amount paid.
    pub amount: Money,
    /// When.
    pub disbursed_on: Date,
}

/// Money was spent under a commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenditureRecorded {
    pub offer: OfferId,
    pub commitment: CommitmentId,
    /// The amount spent.
    pub amount: Money,
    /// What it was spent on.
    pub description: String,
    /// When.
    pub spent_on: Date,
}

/// Events of the offer aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferEvent {
    /// See [`OfferRecorded`].
    Recorded(OfferRecorded),
    /// See [`OfferDuplicateWarningOverridden`].
    DuplicateWarningOverridden(OfferDuplicateWarningOverridden),
    /// See [`OfferDuplicateOverrideNoted`].
    DuplicateOverrideNoted(OfferDuplicateOverrideNoted),
    /// See [`CommitmentMade`].
    CommitmentMade(CommitmentMade),
    /// See [`DisbursementRecorded`].
    DisbursementRecorded(DisbursementRecorded),
    /// See [`ExpenditureRecorded`].
    ExpenditureRecorded(ExpenditureRecorded),
}

/// One commitment drawn on an offer, with what was paid and spent under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentRecord {
    pub commitment: CommitmentId,
    /// The activity funded.
    pub activity: ActivityId,
    /// The amount committed, in its own currency.
    pub committed: Money,
    /// The total paid.
    pub disbursed: Money,
    /// The total spent.
    pub spent: Money,
}

/// What is known of an offer once recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferRecord {
    pub offer: OfferId,
    /// Who made it.
    pub source: OfferSource,
    /// What it is for.
    pub purpose: String,
    /// Its amount or value.
    pub amount: Money,
    /// When it was recorded.
    pub recorded_on: Date,
    /// The total committed, in the offer's currency.
    pub committed: Money,
    /// The commitments, in order.
    pub commitments: Vec<CommitmentRecord>,
}

impl OfferRecord {
    /// What is left to commit, in the offer's currency.
    pub fn available(&self) -> Money {
        self.amount
            .checked_sub(&self.committed)
            .ok()
            .flatten()
            .unwrap_or_else(|| Money::zero(self.amount.currency(), self.amount.value_date()))
    }

    /// The commitment with the given id.
    pub fn commitment(&self, commitment: CommitmentId) -> Option<&CommitmentRecord> {
        self.commitments.iter().find(|record| record.commitment == commitment)
    }
}

/// The folded state of one offer stream: `None` until recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    /// The record, once the offer is recorded.
    pub record: Option<OfferRecord>,
}

impl Offer {
    /// What the duplicate rule needs of this offer, for the app's look-ups.
    pub fn outline(&self) -> Option<OfferOutline> {
        self.record.as_ref().map(|record| OfferOutline {
            offer: record.offer,
            source: record.source,
            purpose: record.purpose.clone(),
        })
    }
}
