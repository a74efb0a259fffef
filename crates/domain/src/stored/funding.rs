//! Stored shapes of the funding events: offers, in-kind contributions and exchange rates.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::twin::{Twin, twin_struct};
use super::{Upcast, stored_events};
use crate::funding::{
    CommitmentMade, DisbursementRecorded, ExchangeRateEvent, ExchangeRateRecorded, ExpenditureRecorded,
    InKindContributionEvent, InKindContributionRevalued, InKindContributionValued, InKindContributor,
    OfferDuplicateOverrideNoted, OfferDuplicateWarningOverridden, OfferEvent, OfferRecorded, OfferSource,
};
use crate::ids::{ActivityId, CommitmentId, ContributionId, OfferId};
use crate::values::{Correction, ExchangeRate, MemberStateCode, Money, OfferKind};

impl Twin<InKindContributor> for InKindContributor {
    fn twin(self) -> InKindContributor {
        self
    }
}

impl Twin<OfferSource> for OfferSource {
    fn twin(self) -> OfferSource {
        self
    }
}

/// `OfferRecorded` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferRecordedV1 {
    offer: OfferId,
    source: OfferSource,
    kind: OfferKind,
    amount: Money,
    purpose: String,
    recorded_on: Date,
}

/// `OfferDuplicateWarningOverridden` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferDuplicateWarningOverriddenV1 {
    offer: OfferId,
    duplicates: Vec<OfferId>,
    reason: String,
}

/// `OfferDuplicateOverrideNoted` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferDuplicateOverrideNotedV1 {
    offer: OfferId,
    reason: String,
}

/// `CommitmentMade` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitmentMadeV1 {
    offer: OfferId,
    commitment: CommitmentId,
    activity: ActivityId,
    amount: Money,
    amount_in_offer_currency: Money,
    exchange_rate: Option<ExchangeRate>,
    committed_on: Date,
}

/// `DisbursementRecorded` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DisbursementRecordedV1 {
    offer: OfferId,
    commitment: CommitmentId,
    amount: Money,
    disbursed_on: Date,
}

/// `ExpenditureRecorded` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpenditureRecordedV1 {
    offer: OfferId,
    commitment: CommitmentId,
    amount: Money,
    description: String,
    spent_on: Date,
}

/// `InKindContributionValued` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InKindContributionValuedV1 {
    contribution: ContributionId,
    activity: ActivityId,
    host: MemberStateCode,
    what: String,
    value: Money,
    valued_on: Date,
}

/// `InKindContributionValued` v2: v1 with who gives it, a Member State or an organisation, in
/// place of the host Member State.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InKindContributionValuedV2 {
    contribution: ContributionId,
    activity: ActivityId,
    contributor: InKindContributor,
    what: String,
    value: Money,
    valued_on: Date,
}

/// A v1 contribution was given by its host Member State.
impl Upcast<InKindContributionValuedV1> for InKindContributionValuedV2 {
    fn upcast(old: InKindContributionValuedV1, _stored_on: Date) -> Self {
        Self {
            contribution: old.contribution,
            activity: old.activity,
            contributor: InKindContributor::MemberState { member_state: old.host },
            what: old.what,
            value: old.value,
            valued_on: old.valued_on,
        }
    }
}

/// `InKindContributionRevalued` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InKindContributionRevaluedV1 {
    contribution: ContributionId,
    value: Money,
    correction: Correction,
}

/// `ExchangeRateRecorded` v1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExchangeRateRecordedV1 {
    rate: ExchangeRate,
}

twin_struct!(OfferRecorded => OfferRecordedV1 { offer, source, kind, amount, purpose, recorded_on });
twin_struct!(OfferDuplicateWarningOverridden => OfferDuplicateWarningOverriddenV1 { offer, duplicates, reason });
twin_struct!(OfferDuplicateOverrideNoted => OfferDuplicateOverrideNotedV1 { offer, reason });
twin_struct!(CommitmentMade => CommitmentMadeV1 {
    offer, commitment, activity, amount, amount_in_offer_currency, exchange_rate, committed_on
});
twin_struct!(DisbursementRecorded => DisbursementRecordedV1 { offer, commitment, amount, disbursed_on });
twin_struct!(ExpenditureRecorded => ExpenditureRecordedV1 { offer, commitment, amount, description, spent_on });
twin_struct!(InKindContributionValued => InKindContributionValuedV2 {
    contribution, activity, contributor, what, value, valued_on
});
twin_struct!(InKindContributionRevalued => InKindContributionRevaluedV1 { contribution, value, correction });
twin_struct!(ExchangeRateRecorded => ExchangeRateRecordedV1 { rate });

stored_events!("offer", OfferEvent {
    Recorded => "OfferRecorded" v 1 OfferRecordedV1,
    DuplicateWarningOverridden => "OfferDuplicateWarningOverridden" v 1 OfferDuplicateWarningOverriddenV1,
    DuplicateOverrideNoted => "OfferDuplicateOverrideNoted" v 1 OfferDuplicateOverrideNotedV1,
    CommitmentMade => "CommitmentMade" v 1 CommitmentMadeV1,
    DisbursementRecorded => "DisbursementRecorded" v 1 DisbursementRecordedV1,
    ExpenditureRecorded => "ExpenditureRecorded" v 1 ExpenditureRecordedV1,
});

stored_events!("in-kind-contribution", InKindContributionEvent {
    Valued => "InKindContributionValued" v 2 InKindContributionValuedV2 [upcast 1 InKindContributionValuedV1],
    Revalued => "InKindContributionRevalued" v 1 InKindContributionRevaluedV1,
});

stored_events!("exchange-rate", ExchangeRateEvent {
    Recorded => "ExchangeRateRecorded" v 1 ExchangeRateRecordedV1,
});
