//! The programme's life cycles in the generator: activities, offers and contributions.

use jiff::ToSpan;
use rust_decimal::Decimal;
use smes_domain::activity::{
    Activity, ActivityCommand, ActivityDecider, ActivityStatus, ApproveActivity, CancelActivity, DecideAgainstActivity,
    DefineIndicator, HoldActivity, MemberStateShare, ParticipantCounts, ProposeActivity, Proposer, RecordResult,
    RescheduleActivity, SexShare,
};
use smes_domain::funding::{
    CommitToActivity, InKindContribution, InKindContributionCommand, InKindContributionDecider, InKindContributor,
    Offer, OfferCommand, OfferDecider, OfferSource, RecordDisbursement, RecordExpenditure, RecordOffer,
    RevalueInKindContribution, ValueInKindContribution,
};
use smes_domain::ids::{CommitmentId, IndicatorId};
use smes_domain::values::{
    ActivityKind, Correction, Currency, MemberStateCode, OfferKind, Period, Sex, ThematicArea, WorkProgrammeYear,
};
use uuid::Uuid;

use super::super::support::{id, start_of};
use super::{Intention, World, pick, run};
use crate::envelope::DomainEvent;

impl World {
    pub(super) fn attempt_activity(&mut self, intention: &Intention, host: MemberStateCode) {
        let today = self.today();
        let Intention {
            kind,
            pick: choice,
            value,
            ..
        } = *intention;
        if kind == 9 {
            let activity = self.new_uuid();
            let existing: Vec<_> = self.activities.values().filter_map(Activity::outline).collect();
            let start = today.checked_add(30.days()).unwrap();
            let command = ActivityCommand::Propose(ProposeActivity {
                activity: id(activity.as_u128()),
                kind: ActivityKind::Seminar,
                title: format!("Activity {activity}"),
                thematic_area: ThematicArea::ALL[usize::from(value % 3)],
                answers_needs: pick(&self.needs, choice).into_iter().collect(),
                host,
                proposed_by: Proposer::Secretariat,
                planned: Period::new(start, start.checked_add(2.days()).unwrap()).unwrap(),
                estimated_cost: self.money(value, Currency::USD),
                proposed_on: today,
                existing_activities: existing,
                duplicate_override: (value % 2 == 0).then(|| "different audience".to_owned()),
                membership: self.membership.clone(),
            });
            let mut state = Activity::default();
            let events = run::<ActivityDecider>(&mut state, command);
            self.activities.insert(activity, state);
            self.emit(events, DomainEvent::Activity, intention);
            return;
        }
        let wanted = match kind {
            10 | 11 | 23 => ActivityStatus::Proposed,
            12 | 13 => ActivityStatus::Approved,
            _ => ActivityStatus::Held,
        };
        let keys: Vec<Uuid> = self
            .activities
            .iter()
            .filter(|(_, state)| {
                state
                    .record
                    .as_ref()
                    .is_some_and(|record| record.status == wanted || kind == 14)
            })
            .map(|(key, _)| *key)
            .collect();
        let Some(activity) = pick(&keys, choice) else { return };
        let activity_id = id(activity.as_u128());
        let record = self.activities[&activity].record.clone().unwrap();
        let mut correction_effective = None;
        let mut new_result = None;
        let command = match kind {
            10 => {
                let open: Vec<(WorkProgrammeYear, _)> = self
                    .work_programmes
                    .iter()
                    .map(|(year, state)| (*year, state.status))
                    .collect();
                let Some((year, status)) = pick(&open, choice) else {
                    return;
                };
                ActivityCommand::Approve(ApproveActivity {
                    activity: activity_id,
                    work_programme: year,
                    work_programme_status: status,
                    decision: self.decision(),
                })
            }
            11 => {
                let against = DecideAgainstActivity {
                    activity: activity_id,
                    rationale: "not now".to_owned(),
                    decided_on: today,
                };
                if value % 2 == 0 {
                    ActivityCommand::Reject(against)
                } else {
                    ActivityCommand::Defer(against)
                }
            }
            23 => ActivityCommand::Reschedule(RescheduleActivity {
                activity: activity_id,
                planned: Period::single_day(today.checked_add(60.days()).unwrap()),
                reason: "venue unavailable".to_owned(),
                rescheduled_on: today,
                membership: self.membership.clone(),
            }),
            12 => ActivityCommand::Hold(HoldActivity {
                activity: activity_id,
                held: record.planned,
                participants: ParticipantCounts {
                    by_sex: vec![SexShare {
                        sex: Sex::Female,
                        value: u32::from(value % 50),
                    }],
                    by_member_state: vec![MemberStateShare {
                        member_state: record.host,
                        value: u32::from(value % 50),
                    }],
                },
                outputs: Vec::new(),
                membership: self.membership.clone(),
            }),
            13 => ActivityCommand::Cancel(CancelActivity {
                activity: activity_id,
                reason: "no funding".to_owned(),
                cancelled_on: today,
            }),
            14 => {
                let indicator: IndicatorId = self.new_id();
                self.indicators.entry(activity).or_default().push(indicator);
                ActivityCommand::DefineIndicator(DefineIndicator {
                    activity: activity_id,
                    indicator,
                    name: "people trained".to_owned(),
                    unit: "people".to_owned(),
                    baseline: Decimal::ZERO,
                    target: Decimal::from(50),
                    higher_is_better: true,
                    defined_on: today,
                })
            }
            _ => {
                let indicators = self.indicators.get(&activity).cloned().unwrap_or_default();
                let Some(indicator) = pick(&indicators, choice) else {
                    return;
                };
                let correction = self.results.get(&(activity, indicator)).map(|position| {
                    let effective_from = today.checked_sub(i64::from(value % 30).days()).unwrap_or(today);
                    correction_effective = Some(effective_from);
                    Correction {
                        corrects: Self::event_id(*position),
                        reason: "attendance sheets corrected".to_owned(),
                        effective_from,
                    }
                });
                if correction.is_none() {
                    new_result = Some((activity, indicator));
                }
                ActivityCommand::RecordResult(RecordResult {
                    activity: activity_id,
                    indicator,
                    period: record.planned,
                    value: Decimal::from(value % 100),
                    by_sex: Vec::new(),
                    by_member_state: Vec::new(),
                    correction,
                    membership: self.membership.clone(),
                })
            }
        };
        let state = self.activities.get_mut(&activity).unwrap();
        let events = run::<ActivityDecider>(state, command);
        if let (Some(_), Some(key)) = (&events, new_result) {
            self.results.insert(key, self.next_position());
        }
        // A correction happens on its own business date: the start of its effective date.
        let at = start_of(correction_effective.unwrap_or(today));
        self.emit_at(events, DomainEvent::Activity, at, intention);
    }

    pub(super) fn attempt_offer(&mut self, intention: &Intention) {
        let Intention {
            kind,
            pick: choice,
            value,
            ..
        } = *intention;
        let today = self.today();
        let command_and_key = match kind {
            16 => {
                let offer = self.new_uuid();
                let currency = if value % 3 == 0 {
                    Currency::new("VEF").unwrap()
                } else {
                    Currency::USD
                };
                let existing: Vec<_> = self.offers.values().filter_map(Offer::outline).collect();
                self.offers.insert(offer, Offer::default());
                let command = OfferCommand::Record(RecordOffer {
                    offer: id(offer.as_u128()),
                    source: OfferSource::SelaRegularBudget,
                    kind: OfferKind::Money,
                    amount: self.money(value.saturating_add(1000), currency),
                    purpose: format!("purpose {}", value % 3),
                    recorded_on: today,
                    existing_offers: existing,
                    duplicate_override: (value % 2 == 0).then(|| "separate call".to_owned()),
                });
                Some((offer, command))
            }
            17 => {
                let offers: Vec<Uuid> = self.offers.keys().copied().collect();
                let activities: Vec<Uuid> = self.activities.keys().copied().collect();
                let (Some(offer), Some(activity)) = (pick(&offers, choice), pick(&activities, value as u8)) else {
                    return;
                };
                let Some(record) = self.offers[&offer].record.clone() else {
                    return;
                };
                let commitment: CommitmentId = self.new_id();
                self.commitments.push((offer, commitment));
                Some((
                    offer,
                    OfferCommand::Commit(CommitToActivity {
                        offer: id(offer.as_u128()),
                        commitment,
                        activity: id(activity.as_u128()),
                        amount: self.money(value % 500, record.amount.currency()),
                        exchange_rate: None,
                        committed_on: today,
                    }),
                ))
            }
            _ => {
                let Some((offer, commitment)) = pick(&self.commitments, choice) else {
                    return;
                };
                let Some(record) = self.offers[&offer].record.clone() else {
                    return;
                };
                let Some(committed) = record.commitment(commitment) else {
                    return;
                };
                let amount = self.money(value % 200, committed.committed.currency());
                let command = if kind == 18 {
                    OfferCommand::Disburse(RecordDisbursement {
                        offer: id(offer.as_u128()),
                        commitment,
                        amount,
                        disbursed_on: today,
                    })
                } else {
                    OfferCommand::Spend(RecordExpenditure {
                        offer: id(offer.as_u128()),
                        commitment,
                        amount,
                        description: "travel".to_owned(),
                        spent_on: today,
                    })
                };
                Some((offer, command))
            }
        };
        if let Some((offer, command)) = command_and_key {
            let state = self.offers.get_mut(&offer).unwrap();
            let events = run::<OfferDecider>(state, command);
            self.emit(events, DomainEvent::Offer, intention);
        }
    }

    pub(super) fn attempt_contribution(&mut self, intention: &Intention, host: MemberStateCode) {
        let today = self.today();
        let Intention {
            kind,
            pick: choice,
            value,
            ..
        } = *intention;
        if kind == 20 {
            let activities: Vec<Uuid> = self.activities.keys().copied().collect();
            let Some(activity) = pick(&activities, choice) else {
                return;
            };
            let contribution = self.new_uuid();
            let position = self.next_position();
            let mut state = InKindContribution::default();
            let events = run::<InKindContributionDecider>(
                &mut state,
                InKindContributionCommand::Value(ValueInKindContribution {
                    contribution: id(contribution.as_u128()),
                    activity: id(activity.as_u128()),
                    contributor: InKindContributor::MemberState { member_state: host },
                    what: "venue".to_owned(),
                    value: self.money(value, Currency::new("VEF").unwrap()),
                    valued_on: today,
                    membership: self.membership.clone(),
                }),
            );
            self.contributions.insert(contribution, (state, position));
            self.emit(events, DomainEvent::InKindContribution, intention);
        } else {
            let keys: Vec<Uuid> = self.contributions.keys().copied().collect();
            let Some(contribution) = pick(&keys, choice) else {
                return;
            };
            let effective_from = today.checked_sub(i64::from(value % 45).days()).unwrap_or(today);
            let amount = self.money(value / 2, Currency::new("VEF").unwrap());
            let (state, valued_at) = self.contributions.get_mut(&contribution).unwrap();
            let events = run::<InKindContributionDecider>(
                state,
                InKindContributionCommand::Revalue(RevalueInKindContribution {
                    contribution: id(contribution.as_u128()),
                    value: amount,
                    correction: Correction {
                        corrects: Self::event_id(*valued_at),
                        reason: "revalued".to_owned(),
                        effective_from,
                    },
                }),
            );
            self.emit_at(
                events,
                DomainEvent::InKindContribution,
                start_of(effective_from),
                intention,
            );
        }
    }
}
