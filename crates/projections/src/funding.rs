//! What the read models know of offers, commitments and in-kind contributions, folded from
//! the funding events alone. Shared by the funding ledger and the work programme.
//!
//! A commitment whose offer is not among the events folded is attributed to
//! [`FundingSource::UnknownOffer`]; a payment or expenditure whose commitment is not folded
//! creates a partial commitment with no activity. A revaluation of a contribution not folded
//! creates it with the corrected value and no activity. Nothing is dropped.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use smes_domain::funding::{InKindContributionEvent, InKindContributor, OfferEvent};
use smes_domain::ids::{ActivityId, CommitmentId, ContributionId, OfferId};
use smes_domain::values::{MemberStateCode, Money, OfferKind};

use crate::activities::CorrectionNote;
use crate::amounts::{Amounts, FundingSource};
use crate::envelope::Envelope;

/// One cooperation offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferEntry {
    /// Who made it.
    pub source: FundingSource,
    /// Money, expertise or in kind.
    pub kind: OfferKind,
    /// Its amount or value.
    pub amount: Money,
    /// What it is for.
    pub purpose: String,
    /// When it was recorded.
    pub recorded_on: Date,
    /// Duplicate warnings overridden when it was recorded: the offers it may duplicate and
    /// why it was recorded anyway.
    pub overridden_duplicates: Vec<(Vec<OfferId>, String)>,
}

/// One commitment of an offer to an activity, with what was paid and spent under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentEntry {
    /// The offer drawn on.
    pub offer: OfferId,
    /// Who funds it.
    pub source: FundingSource,
    /// The activity funded, when the commitment event was folded.
    pub activity: Option<ActivityId>,
    /// The amount committed.
    pub committed: Amounts,
    /// The total paid.
    pub disbursed: Amounts,
    /// The total spent.
    pub spent: Amounts,
}

/// One in-kind contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionEntry {
    /// The activity supported, when the valuation was folded.
    pub activity: Option<ActivityId>,
    /// The contributing Member State, when the valuation was folded and a Member State gave it.
    pub host: Option<MemberStateCode>,
    /// The contributing organisation (a counterpart or cooperation source), when the valuation
    /// was folded and an organisation gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<FundingSource>,
    /// What is given.
    pub what: Option<String>,
    /// Its current value: the valuation, or the latest revaluation.
    pub value: Money,
    /// The value first recorded, when a revaluation replaced it.
    pub originally: Option<Money>,
    /// The revaluations applied, in log order.
    pub corrections: Vec<CorrectionNote>,
}

impl ContributionEntry {
    /// Who gives it.
    pub fn source(&self) -> Option<FundingSource> {
        self.organisation.or(self.host.map(FundingSource::MemberState))
    }
}

/// Offers, commitments and contributions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FundingBook {
    /// The offers, by id.
    pub offers: BTreeMap<OfferId, OfferEntry>,
    /// The commitments, by id.
    pub commitments: BTreeMap<CommitmentId, CommitmentEntry>,
    /// The in-kind contributions, by id.
    pub contributions: BTreeMap<ContributionId, ContributionEntry>,
    /// What funds each activity, so that a work programme view reads only its activities'
    /// funding.
    pub by_activity: BTreeMap<ActivityId, ActivityFunding>,
}

/// The commitments and contributions of one activity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActivityFunding {
    pub commitments: BTreeSet<CommitmentId>,
    /// Its in-kind contributions.
    pub contributions: BTreeSet<ContributionId>,
}

impl FundingBook {
    /// Applies an offer event.
    pub fn apply_offer(&mut self, event: &OfferEvent) {
        match event {
            OfferEvent::Recorded(recorded) => {
                let overridden = self
                    .offers
                    .remove(&recorded.offer)
                    .map(|earlier| earlier.overridden_duplicates)
                    .unwrap_or_default();
                self.offers.insert(
                    recorded.offer,
                    OfferEntry {
                        source: recorded.source.into(),
                        kind: recorded.kind,
                        amount: recorded.amount.clone(),
                        purpose: recorded.purpose.clone(),
                        recorded_on: recorded.recorded_on,
                        overridden_duplicates: overridden,
                    },
                );
            }
            OfferEvent::DuplicateWarningOverridden(overridden) => {
                // An override is stored right after its offer; without it there is nothing to
                // attach it to, and the decision trace still shows the step.
                if let Some(offer) = self.offers.get_mut(&overridden.offer) {
                    offer
                        .overridden_duplicates
                        .push((overridden.duplicates.clone(), overridden.reason.clone()));
                }
            }
            // A reason kept as a note overrode nothing; the decision trace shows it.
            OfferEvent::DuplicateOverrideNoted(_) => {}
            OfferEvent::CommitmentMade(made) => {
                let source = self.source_of(made.offer);
                let entry = self.commitment(made.commitment, made.offer);
                entry.source = source;
                entry.activity = Some(made.activity);
                entry.committed.add(&made.amount);
                self.by_activity
                    .entry(made.activity)
                    .or_default()
                    .commitments
                    .insert(made.commitment);
            }
            OfferEvent::DisbursementRecorded(recorded) => {
                self.commitment(recorded.commitment, recorded.offer)
                    .disbursed
                    .add(&recorded.amount);
            }
            OfferEvent::ExpenditureRecorded(recorded) => {
                self.commitment(recorded.commitment, recorded.offer)
                    .spent
                    .add(&recorded.amount);
            }
        }
    }

    /// Applies an in-kind contribution event.
    pub fn apply_contribution(&mut self, envelope: &Envelope, event: &InKindContributionEvent) {
        match event {
            InKindContributionEvent::Valued(valued) => {
                self.by_activity
                    .entry(valued.activity)
                    .or_default()
                    .contributions
                    .insert(valued.contribution);
                self.contributions.insert(
                    valued.contribution,
                    ContributionEntry {
                        activity: Some(valued.activity),
                        host: match valued.contributor {
                            InKindContributor::MemberState { member_state } => Some(member_state),
                            _ => None,
                        },
                        organisation: match valued.contributor {
                            InKindContributor::MemberState { .. } => None,
                            organisation => Some(FundingSource::from(organisation)),
                        },
                        what: Some(valued.what.clone()),
                        value: valued.value.clone(),
                        originally: None,
                        corrections: Vec::new(),
                    },
                );
            }
            InKindContributionEvent::Revalued(revalued) => {
                let note = CorrectionNote::new(&revalued.correction, envelope.position);
                match self.contributions.get_mut(&revalued.contribution) {
                    Some(entry) => {
                        if entry.originally.is_none() {
                            entry.originally = Some(entry.value.clone());
                        }
                        entry.value = revalued.value.clone();
                        entry.corrections.push(note);
                    }
                    None => {
                        self.contributions.insert(
                            revalued.contribution,
                            ContributionEntry {
                                activity: None,
                                host: None,
                                organisation: None,
                                what: None,
                                value: revalued.value.clone(),
                                originally: None,
                                corrections: vec![note],
                            },
                        );
                    }
                }
            }
        }
    }

    fn source_of(&self, offer: OfferId) -> FundingSource {
        self.offers
            .get(&offer)
            .map_or(FundingSource::UnknownOffer(offer), |entry| entry.source)
    }

    fn commitment(&mut self, commitment: CommitmentId, offer: OfferId) -> &mut CommitmentEntry {
        let source = self.source_of(offer);
        self.commitments.entry(commitment).or_insert_with(|| CommitmentEntry {
            offer,
            source,
            activity: None,
            committed: Amounts::new(),
            disbursed: Amounts::new(),
            spent: Amounts::new(),
        })
    }
}

/// Funding figures: committed, disbursed, spent and in kind, each by currency.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FundingFigures {
    pub committed: Amounts,
    /// Paid.
    pub disbursed: Amounts,
    pub spent: Amounts,
    /// Valued in kind.
    pub in_kind: Amounts,
}

impl FundingFigures {
    /// Adds every figure of `other`.
    pub fn add_all(&mut self, other: &FundingFigures) {
        self.committed.add_all(&other.committed);
        self.disbursed.add_all(&other.disbursed);
        self.spent.add_all(&other.spent);
        self.in_kind.add_all(&other.in_kind);
    }
}

impl FundingBook {
    /// An activity's funding, by source. Contributions whose valuation is not among the
    /// events folded have no known source and are left out.
    pub fn for_activity(&self, activity: ActivityId) -> BTreeMap<FundingSource, FundingFigures> {
        let mut by_source: BTreeMap<FundingSource, FundingFigures> = BTreeMap::new();
        let Some(funding) = self.by_activity.get(&activity) else {
            return by_source;
        };
        for commitment in funding.commitments.iter().filter_map(|id| self.commitments.get(id)) {
            let figures = by_source.entry(commitment.source).or_default();
            figures.committed.add_all(&commitment.committed);
            figures.disbursed.add_all(&commitment.disbursed);
            figures.spent.add_all(&commitment.spent);
        }
        for contribution in funding.contributions.iter().filter_map(|id| self.contributions.get(id)) {
            if let Some(source) = contribution.source() {
                by_source.entry(source).or_default().in_kind.add(&contribution.value);
            }
        }
        by_source
    }
}
