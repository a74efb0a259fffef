//! Running the offer, in-kind contribution and exchange rate commands the app prepares (look-ups, sealing) before deciding.

use smes_domain::funding::{
    self, CurrencyPair, InKindContributionCommand, InKindContributionDecider, OfferCommand, OfferDecider,
};
use smes_domain::values::MemberStateCode;

use crate::commands;
use crate::error::Result;
use crate::service::{CommandContext, Executed};

use super::super::App;

impl App {
    /// Runs [`commands::AppCommand::RecordOffer`].
    pub(super) async fn record_offer(
        &self,
        context: &CommandContext,
        record: &commands::RecordOffer,
    ) -> Result<Executed> {
        let existing_offers = self
            .offer_outlines()
            .await?
            .into_iter()
            .filter(|outline| outline.source == record.source)
            .collect();
        self.execute::<OfferDecider>(
            context,
            OfferCommand::Record(funding::RecordOffer {
                offer: record.offer,
                source: record.source,
                kind: record.offer_kind,
                amount: record.amount.clone(),
                purpose: record.purpose.clone(),
                recorded_on: record.recorded_on,
                existing_offers,
                duplicate_override: record.duplicate_override.clone(),
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::CommitToActivity`].
    pub(super) async fn commit_to_activity(
        &self,
        context: &CommandContext,
        commit: &funding::CommitToActivity,
    ) -> Result<Executed> {
        let offer = self.service.load::<OfferDecider>(&commit.offer).await?.state;
        let exchange_rate = match offer.record.as_ref().map(|record| record.amount.currency()) {
            Some(offer_currency) if offer_currency != commit.amount.currency() => {
                self.rate(
                    CurrencyPair {
                        from: commit.amount.currency(),
                        to: offer_currency,
                    },
                    commit.amount.value_date(),
                )
                .await?
            }
            _ => None,
        };
        self.execute::<OfferDecider>(
            context,
            OfferCommand::Commit(funding::CommitToActivity {
                exchange_rate,
                ..commit.clone()
            }),
        )
        .await
    }

    /// Runs [`commands::AppCommand::ValueInKindContribution`].
    pub(super) async fn value_in_kind_contribution(
        &self,
        context: &CommandContext,
        value: &commands::ValueInKindContribution,
    ) -> Result<Executed> {
        let contributor = value.contributor()?;
        let named: Vec<MemberStateCode> = match contributor {
            funding::InKindContributor::MemberState { member_state } => vec![member_state],
            _ => Vec::new(),
        };
        self.execute_naming_states::<InKindContributionDecider>(context, &named, |membership| {
            InKindContributionCommand::Value(funding::ValueInKindContribution {
                contribution: value.contribution,
                activity: value.activity,
                contributor,
                what: value.what.clone(),
                value: value.value.clone(),
                valued_on: value.valued_on,
                membership,
            })
        })
        .await
    }

    /// Runs [`commands::AppCommand::RevalueInKindContribution`].
    pub(super) async fn revalue_in_kind_contribution(
        &self,
        context: &CommandContext,
        revalue: &funding::RevalueInKindContribution,
    ) -> Result<Executed> {
        self.check_correction::<InKindContributionDecider>(&revalue.contribution, &revalue.correction)
            .await?;
        self.execute::<InKindContributionDecider>(context, InKindContributionCommand::Revalue(revalue.clone()))
            .await
    }
}
