//! Funding: cooperation offers and the money drawn on them, in-kind contributions, and the
//! exchange rates that are the only way across currencies.
//!
//! Three aggregates live here:
//! - [`OfferDecider`] (`offer-<uuid>`): a cooperation offer of money, expertise or in-kind
//!   support, the commitments to activities drawn on it, and their disbursements and
//!   expenditures. Commitments never exceed the offer, counted in the offer's currency;
//!   a commitment in another currency needs a recorded rate, carried by the command.
//! - [`InKindContributionDecider`] (`in-kind-contribution-<uuid>`): the valued, non-cash
//!   input of a host Member State to an activity.
//! - [`ExchangeRateDecider`] (`exchange-rate-<FROM>-<TO>`): rates recorded with their date
//!   and source, which reports and commitments convert with.

mod exchange_rates;
mod in_kind;
mod offer;
mod offer_decide;

pub use exchange_rates::{
    CurrencyPair, ExchangeRateDecider, ExchangeRateEvent, ExchangeRateRecorded, ExchangeRates, RecordExchangeRate,
};
pub use in_kind::{
    InKindContribution, InKindContributionCommand, InKindContributionDecider, InKindContributionEvent,
    InKindContributionRevalued, InKindContributionValued, InKindContributor, RevalueInKindContribution,
    ValueInKindContribution,
};
pub use offer::{
    CommitToActivity, CommitmentMade, CommitmentRecord, DisbursementRecorded, ExpenditureRecorded, Offer, OfferCommand,
    OfferDuplicateOverrideNoted, OfferDuplicateWarningOverridden, OfferEvent, OfferOutline, OfferRecord, OfferRecorded,
    OfferSource, RecordDisbursement, RecordExpenditure, RecordOffer, find_duplicate_offers,
};
pub use offer_decide::OfferDecider;

#[cfg(test)]
mod tests;
