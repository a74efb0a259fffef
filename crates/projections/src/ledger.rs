//! The funding ledger: per source, what was offered, committed, disbursed, spent and given in
//! kind, by currency.
//!
//! Offers count under their source; commitments, payments and expenditure under the source
//! of the offer they draw on (or [`FundingSource::UnknownOffer`] when that offer's recording
//! is not among the events folded); in-kind contributions under the contributing Member State
//! at their current value (a revaluation replaces the value from its business date; the
//! original stays in the contribution's record). A revaluation whose valuation is not among
//! the events folded has no known contributor and is kept in the book but under no source.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use smes_domain::ids::OfferId;

use crate::amounts::{Amounts, FundingSource};
use crate::envelope::{DomainEvent, Envelope};
use crate::funding::{FundingBook, FundingFigures};
use crate::projection::Projection;

/// The funding ledger read model.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FundingLedger {
    /// Offers, commitments and contributions.
    pub book: FundingBook,
}

impl Projection for FundingLedger {
    fn apply(&mut self, envelope: &Envelope) {
        match &envelope.event {
            DomainEvent::Offer(event) => self.book.apply_offer(event),
            DomainEvent::InKindContribution(event) => self.book.apply_contribution(envelope, event),
            _ => {}
        }
    }
}

/// One source's account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourceAccount {
    pub offered: Amounts,
    /// Committed, paid, spent and given in kind.
    #[serde(flatten)]
    pub funding: FundingFigures,
    /// Its offers, sorted.
    pub offers: Vec<OfferId>,
}

impl FundingLedger {
    /// The accounts, by source.
    pub fn by_source(&self) -> BTreeMap<FundingSource, SourceAccount> {
        let mut accounts: BTreeMap<FundingSource, SourceAccount> = BTreeMap::new();
        for (id, offer) in &self.book.offers {
            let account = accounts.entry(offer.source).or_default();
            account.offered.add(&offer.amount);
            account.offers.push(*id);
        }
        for commitment in self.book.commitments.values() {
            let funding = &mut accounts.entry(commitment.source).or_default().funding;
            funding.committed.add_all(&commitment.committed);
            funding.disbursed.add_all(&commitment.disbursed);
            funding.spent.add_all(&commitment.spent);
        }
        for contribution in self.book.contributions.values() {
            if let Some(source) = contribution.source() {
                accounts
                    .entry(source)
                    .or_default()
                    .funding
                    .in_kind
                    .add(&contribution.value);
            }
        }
        accounts
    }
}
