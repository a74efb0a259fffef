//! The offer decider: recording offers, and committing, paying and spending what they bring.

use jiff::civil::Date;

use super::offer::*;
use crate::decider::Decider;
use crate::error::{DomainError, DuplicateMatch, RecordRef, Result};
use crate::ids::OfferId;
use crate::values::{Money, require_text};

/// The cooperation offer decider.
#[derive(Debug, Clone, Copy)]
pub struct OfferDecider;

fn recorded(state: &Offer, offer: OfferId) -> Result<&OfferRecord> {
    state.record.as_ref().ok_or(DomainError::OfferNotRecorded { offer })
}

fn commitment_of(record: &OfferRecord, commitment: crate::ids::CommitmentId) -> Result<&CommitmentRecord> {
    record.commitment(commitment).ok_or(DomainError::CommitmentNotFound {
        offer: record.offer,
        commitment,
    })
}

fn not_before_recording(record: &OfferRecord, what: &'static str, date: Date) -> Result<()> {
    if date < record.recorded_on {
        return Err(DomainError::DateBeforeStart {
            what,
            date,
            record: format!("offer {}", record.offer),
            since: record.recorded_on,
        });
    }
    Ok(())
}

fn decide_record(state: &Offer, command: &RecordOffer) -> Result<Vec<OfferEvent>> {
    if state.record.is_some() {
        return Err(DomainError::OfferAlreadyRecorded { offer: command.offer });
    }
    require_text("offer purpose", &command.purpose)?;
    let recorded = OfferEvent::Recorded(OfferRecorded {
        offer: command.offer,
        source: command.source,
        kind: command.kind,
        amount: command.amount.clone(),
        purpose: command.purpose.clone(),
        recorded_on: command.recorded_on,
    });
    let duplicates = find_duplicate_offers(
        command.offer,
        command.source,
        &command.purpose,
        &command.existing_offers,
    );
    match (&command.duplicate_override, duplicates.is_empty()) {
        (None, true) => Ok(vec![recorded]),
        (None, false) => Err(DomainError::PossibleDuplicate {
            record: RecordRef::Offer(command.offer),
            duplicates: duplicates
                .iter()
                .map(|outline| DuplicateMatch {
                    record: RecordRef::Offer(outline.offer),
                    grounds: outline.grounds(),
                })
                .collect(),
        }),
        (Some(reason), no_duplicates) => {
            require_text("duplicate override reason", reason)?;
            // A reason is never dropped: it overrides the warning, or is kept as a note.
            let kept = if no_duplicates {
                OfferEvent::DuplicateOverrideNoted(OfferDuplicateOverrideNoted {
                    offer: command.offer,
                    reason: reason.clone(),
                })
            } else {
                OfferEvent::DuplicateWarningOverridden(OfferDuplicateWarningOverridden {
                    offer: command.offer,
                    duplicates: duplicates.iter().map(|outline| outline.offer).collect(),
                    reason: reason.clone(),
                })
            };
            Ok(vec![recorded, kept])
        }
    }
}

/// The commitment's amount in the offer's currency: as is when the currencies agree, else
/// through the rate the command carries, which must convert into the offer's currency.
fn in_offer_currency(record: &OfferRecord, command: &CommitToActivity) -> Result<Money> {
    let offer_currency = record.amount.currency();
    if command.amount.currency() == offer_currency {
        return Ok(command.amount.clone());
    }
    let rate = command.exchange_rate.as_ref().ok_or(DomainError::ExchangeRateMissing {
        offer: record.offer,
        given: command.amount.currency(),
        offer_currency,
    })?;
    if rate.to() != offer_currency {
        return Err(DomainError::ExchangeRateDoesNotApply {
            amount_currency: command.amount.currency(),
            rate_from: rate.from(),
            rate_to: rate.to(),
        });
    }
    rate.convert(&command.amount)
}

fn decide_commit(state: &Offer, command: &CommitToActivity) -> Result<OfferEvent> {
    let record = recorded(state, command.offer)?;
    if record.commitment(command.commitment).is_some() {
        return Err(DomainError::CommitmentAlreadyMade {
            offer: command.offer,
            commitment: command.commitment,
        });
    }
    not_before_recording(record, "commitment", command.committed_on)?;
    let converted = in_offer_currency(record, command)?;
    let available = record.available();
    if converted.exceeds(&available)? {
        return Err(DomainError::CommitmentExceedsOffer {
            offer: command.offer,
            requested: converted,
            available,
        });
    }
    // A rate given for amounts already in the offer's currency plays no part; it is not kept.
    let exchange_rate = if command.amount.currency() == record.amount.currency() {
        None
    } else {
        command.exchange_rate.clone()
    };
    Ok(OfferEvent::CommitmentMade(CommitmentMade {
        offer: command.offer,
        commitment: command.commitment,
        activity: command.activity,
        amount: command.amount.clone(),
        amount_in_offer_currency: converted,
        exchange_rate,
        committed_on: command.committed_on,
    }))
}

fn decide_disbursement(state: &Offer, command: &RecordDisbursement) -> Result<OfferEvent> {
    let record = recorded(state, command.offer)?;
    let commitment = commitment_of(record, command.commitment)?;
    not_before_recording(record, "disbursement", command.disbursed_on)?;
    let remaining = commitment
        .committed
        .checked_sub(&commitment.disbursed)?
        .unwrap_or_else(|| Money::zero(commitment.committed.currency(), commitment.committed.value_date()));
    if command.amount.exceeds(&remaining)? {
        return Err(DomainError::DisbursementExceedsCommitment {
            commitment: command.commitment,
            requested: command.amount.clone(),
            available: remaining,
        });
    }
    Ok(OfferEvent::DisbursementRecorded(DisbursementRecorded {
        offer: command.offer,
        commitment: command.commitment,
        amount: command.amount.clone(),
        disbursed_on: command.disbursed_on,
    }))
}

fn decide_expenditure(state: &Offer, command: &RecordExpenditure) -> Result<OfferEvent> {
    let record = recorded(state, command.offer)?;
    let commitment = commitment_of(record, command.commitment)?;
    not_before_recording(record, "expenditure", command.spent_on)?;
    require_text("expenditure description", &command.description)?;
    let unspent = commitment
        .disbursed
        .checked_sub(&commitment.spent)?
        .unwrap_or_else(|| Money::zero(commitment.disbursed.currency(), commitment.disbursed.value_date()));
    if command.amount.exceeds(&unspent)? {
        return Err(DomainError::ExpenditureExceedsDisbursement {
            commitment: command.commitment,
            requested: command.amount.clone(),
            available: unspent,
        });
    }
    Ok(OfferEvent::ExpenditureRecorded(ExpenditureRecorded {
        offer: command.offer,
        commitment: command.commitment,
        amount: command.amount.clone(),
        description: command.description.clone(),
        spent_on: command.spent_on,
    }))
}

/// Adds `amount` to `total` when the currencies agree; events are facts already checked by
/// `decide`, so a mismatch can only come from a damaged log and is left out of the total.
fn add_to(total: &mut Money, amount: &Money) {
    if let Ok(sum) = total.checked_add(amount) {
        *total = sum;
    }
}

impl Decider for OfferDecider {
    type Id = OfferId;
    type State = Offer;
    type Command = OfferCommand;
    type Event = OfferEvent;

    const STREAM_PREFIX: &'static str = "offer";

    fn target(command: &OfferCommand) -> OfferId {
        match command {
            OfferCommand::Record(command) => command.offer,
            OfferCommand::Commit(command) => command.offer,
            OfferCommand::Disburse(command) => command.offer,
            OfferCommand::Spend(command) => command.offer,
        }
    }

    fn decide(state: &Offer, command: &OfferCommand) -> Result<Vec<OfferEvent>> {
        let event = match command {
            OfferCommand::Record(record) => return decide_record(state, record),
            OfferCommand::Commit(commit) => decide_commit(state, commit)?,
            OfferCommand::Disburse(disburse) => decide_disbursement(state, disburse)?,
            OfferCommand::Spend(spend) => decide_expenditure(state, spend)?,
        };
        Ok(vec![event])
    }

    fn evolve(mut state: Offer, event: &OfferEvent) -> Offer {
        let record = match (event, state.record.as_mut()) {
            (OfferEvent::Recorded(recorded), None) => {
                state.record = Some(OfferRecord {
                    offer: recorded.offer,
                    source: recorded.source,
                    purpose: recorded.purpose.clone(),
                    amount: recorded.amount.clone(),
                    recorded_on: recorded.recorded_on,
                    committed: Money::zero(recorded.amount.currency(), recorded.amount.value_date()),
                    commitments: Vec::new(),
                });
                return state;
            }
            (_, Some(record)) => record,
            // Anything before the offer was recorded does not fit; replay goes on.
            (_, None) => return state,
        };
        match event {
            OfferEvent::Recorded(_)
            | OfferEvent::DuplicateWarningOverridden(_)
            | OfferEvent::DuplicateOverrideNoted(_) => {}
            OfferEvent::CommitmentMade(made) => {
                if record.commitment(made.commitment).is_none() {
                    add_to(&mut record.committed, &made.amount_in_offer_currency);
                    let zero = Money::zero(made.amount.currency(), made.amount.value_date());
                    record.commitments.push(CommitmentRecord {
                        commitment: made.commitment,
                        activity: made.activity,
                        committed: made.amount.clone(),
                        disbursed: zero.clone(),
                        spent: zero,
                    });
                }
            }
            OfferEvent::DisbursementRecorded(disbursed) => {
                if let Some(commitment) = record
                    .commitments
                    .iter_mut()
                    .find(|commitment| commitment.commitment == disbursed.commitment)
                {
                    add_to(&mut commitment.disbursed, &disbursed.amount);
                }
            }
            OfferEvent::ExpenditureRecorded(spent) => {
                if let Some(commitment) = record
                    .commitments
                    .iter_mut()
                    .find(|commitment| commitment.commitment == spent.commitment)
                {
                    add_to(&mut commitment.spent, &spent.amount);
                }
            }
        }
        state
    }
}
