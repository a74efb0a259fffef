//! What every export reads from a log prefix under a cut: the read models, the names of the
//! organisations that fund or take part, and the money movements of each activity one by one
//! (the read models keep totals; IATI wants each transaction with its date).

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use smes_domain::cooperation_source::CooperationSourceEvent;
use smes_domain::funding::OfferEvent;
use smes_domain::ids::{ActivityId, CommitmentId, CooperationSourceId, OfferId};
use smes_domain::values::{CooperationSourceKind, CounterpartKind, MemberStateCode, Money};
use smes_projections::envelope::DomainEvent;
use smes_projections::{Cut, FundingSource, LogSlice, ReadModels, fold_cut};
use smes_reports::format::describe_cut;

use crate::error::{Error, Result};

/// The name of the reporting organisation, as IATI files and PROV agents give it.
pub(crate) const SELA_NAME: &str = "Latin American and Caribbean Economic System (SELA), Permanent Secretariat";

/// What a money movement of an activity is, in the programme's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Movement {
    /// Money of an offer promised to the activity.
    Commitment,
    /// Money paid under a commitment.
    Disbursement,
    /// Money spent under a commitment.
    Expenditure,
}

/// One money movement of an activity.
#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub movement: Movement,
    /// Who the money comes from (the offer's source).
    pub source: FundingSource,
    pub amount: Money,
    pub date: Date,
    pub description: Option<String>,
}

/// An organisation as exports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Organisation {
    /// Its IATI organisation identifier, where one is known (only SELA's, configured).
    pub reference: Option<String>,
    /// IATI OrganisationType code.
    pub type_code: &'static str,
    pub name: String,
}

/// The facts of a log prefix under a cut.
pub(crate) struct Context {
    pub models: ReadModels,
    pub cooperation_sources: BTreeMap<CooperationSourceId, (String, CooperationSourceKind)>,
    pub transactions: BTreeMap<ActivityId, Vec<Transaction>>,
    /// The record time of the last event of each activity's own stream under the cut.
    pub last_updated: BTreeMap<ActivityId, Timestamp>,
    /// The record time of the last event read: the export's generation time.
    pub generated_at: Timestamp,
}

impl Context {
    /// Folds the events of `log` that `cut` admits. An empty prefix is an error.
    pub fn build(log: &LogSlice, cut: &Cut) -> Result<Context> {
        let generated_at = log
            .envelopes
            .last()
            .map(|envelope| envelope.recorded_at)
            .ok_or_else(|| Error::EmptyLog {
                cut: if cut == &Cut::everything() {
                    String::new()
                } else {
                    format!(" ({})", describe_cut(cut))
                },
            })?;
        let models: ReadModels = fold_cut(&log.envelopes, cut);
        let mut cooperation_sources = BTreeMap::new();
        let mut offers: BTreeMap<OfferId, FundingSource> = BTreeMap::new();
        let mut commitments: BTreeMap<CommitmentId, (ActivityId, FundingSource)> = BTreeMap::new();
        let mut transactions: BTreeMap<ActivityId, Vec<Transaction>> = BTreeMap::new();
        let mut last_updated = BTreeMap::new();
        for envelope in log.envelopes.iter().filter(|envelope| cut.admits(envelope)) {
            match &envelope.event {
                DomainEvent::CooperationSource(CooperationSourceEvent::Registered(registered)) => {
                    cooperation_sources.insert(
                        registered.cooperation_source,
                        (registered.name.clone(), registered.kind),
                    );
                }
                DomainEvent::Activity(event) => {
                    last_updated.insert(event.activity(), envelope.recorded_at);
                }
                DomainEvent::Offer(event) => match event {
                    OfferEvent::Recorded(recorded) => {
                        offers.insert(recorded.offer, recorded.source.into());
                    }
                    OfferEvent::DuplicateWarningOverridden(_) | OfferEvent::DuplicateOverrideNoted(_) => {}
                    OfferEvent::CommitmentMade(made) => {
                        let source = offers
                            .get(&made.offer)
                            .copied()
                            .unwrap_or(FundingSource::UnknownOffer(made.offer));
                        commitments.insert(made.commitment, (made.activity, source));
                        transactions.entry(made.activity).or_default().push(Transaction {
                            movement: Movement::Commitment,
                            source,
                            amount: made.amount.clone(),
                            date: made.committed_on,
                            description: None,
                        });
                    }
                    OfferEvent::DisbursementRecorded(recorded) => {
                        // A payment whose commitment was cut away funds no known activity.
                        if let Some((activity, source)) = commitments.get(&recorded.commitment) {
                            transactions.entry(*activity).or_default().push(Transaction {
                                movement: Movement::Disbursement,
                                source: *source,
                                amount: recorded.amount.clone(),
                                date: recorded.disbursed_on,
                                description: None,
                            });
                        }
                    }
                    OfferEvent::ExpenditureRecorded(recorded) => {
                        if let Some((activity, source)) = commitments.get(&recorded.commitment) {
                            transactions.entry(*activity).or_default().push(Transaction {
                                movement: Movement::Expenditure,
                                source: *source,
                                amount: recorded.amount.clone(),
                                date: recorded.spent_on,
                                description: Some(recorded.description.clone()),
                            });
                        }
                    }
                },
                _ => {}
            }
        }
        for list in transactions.values_mut() {
            // Stable: same-day movements stay in log order.
            list.sort_by_key(|transaction| transaction.date);
        }
        Ok(Context {
            models,
            cooperation_sources,
            transactions,
            last_updated,
            generated_at,
        })
    }

    /// The day the export was generated (UTC): actual dates after it are not written.
    pub fn generated_on(&self) -> Date {
        jiff::tz::TimeZone::UTC.to_datetime(self.generated_at).date()
    }

    /// The name a Member State has in the log, or its code.
    pub fn member_state_name(&self, code: MemberStateCode) -> String {
        self.models
            .counterparts
            .member_states
            .get(&code)
            .and_then(|entry| entry.name.clone())
            .unwrap_or_else(|| code.as_str().to_owned())
    }

    /// The organisation behind a funding source.
    pub fn organisation(&self, source: FundingSource, sela_reference: &str) -> Organisation {
        match source {
            FundingSource::SelaRegularBudget => Organisation {
                reference: Some(sela_reference.to_owned()),
                type_code: "40",
                name: SELA_NAME.to_owned(),
            },
            FundingSource::Counterpart(id) => {
                let details = self
                    .models
                    .counterparts
                    .counterparts
                    .get(&id)
                    .and_then(|entry| entry.details.as_ref());
                Organisation {
                    reference: None,
                    type_code: details.map_or("90", |details| counterpart_type(details.kind)),
                    name: details.map_or_else(|| format!("Counterpart {id}"), |details| details.name.clone()),
                }
            }
            FundingSource::CooperationSource(id) => match self.cooperation_sources.get(&id) {
                Some((name, kind)) => Organisation {
                    reference: None,
                    type_code: cooperation_source_type(*kind),
                    name: name.clone(),
                },
                None => Organisation {
                    reference: None,
                    type_code: "90",
                    name: format!("Cooperation source {id}"),
                },
            },
            FundingSource::MemberState(code) => Organisation {
                reference: None,
                type_code: "10",
                name: format!("Government of {}", self.member_state_name(code)),
            },
            FundingSource::UnknownOffer(offer) => Organisation {
                reference: None,
                type_code: "90",
                name: format!("The source of offer {offer}"),
            },
        }
    }
}

/// IATI OrganisationType of a counterpart: national public bodies are government (10),
/// private ones private sector in the recipient country (72), mixed ones public-private
/// partnerships (30), regional and international bodies multilateral (40).
pub(crate) fn counterpart_type(kind: CounterpartKind) -> &'static str {
    match kind {
        CounterpartKind::Public => "10",
        CounterpartKind::Private => "72",
        CounterpartKind::Mixed => "30",
        CounterpartKind::Regional | CounterpartKind::International => "40",
    }
}

/// IATI OrganisationType of a cooperation source: international, regional and subregional
/// agencies and banks are multilateral (40), a country's bilateral programme is government (10),
/// a local source is other (90).
pub(crate) fn cooperation_source_type(kind: CooperationSourceKind) -> &'static str {
    match kind {
        CooperationSourceKind::International | CooperationSourceKind::Regional | CooperationSourceKind::Subregional => {
            "40"
        }
        CooperationSourceKind::Bilateral => "10",
        CooperationSourceKind::Local => "90",
    }
}
