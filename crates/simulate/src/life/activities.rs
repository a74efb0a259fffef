//! An activity's life in the simulation: proposal (with the duplicate look-up), decision,
//! indicators, funding, holding or cancelling, results and their corrections.

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::*;

pub(super) struct ActivityFile {
    id: ActivityId,
    title: String,
    state: Activity,
    version: u64,
    host: MemberStateCode,
    planned: Period,
    cost: Decimal,
    currency: Currency,
    indicators: Vec<IndicatorId>,
    results: Vec<Option<(Period, u64)>>,
    held: Option<Period>,
    offer: Option<OfferFile>,
    contribution: Option<(ContributionId, InKindContribution, u64, u64)>,
    decided_twice: bool,
    pub(super) open_tasks: u32,
}

struct OfferFile {
    id: OfferId,
    state: Offer,
    version: u64,
    commitment: Option<CommitmentId>,
    committed_on: Option<Date>,
    disbursed: Decimal,
    spent: Decimal,
    committed: Decimal,
}

impl World {
    fn outlines(&mut self, area: ThematicArea, kind: ActivityKind) -> Vec<ActivityOutline> {
        let Some(keys) = self.by_area_and_kind.get_mut(&(area, kind)) else {
            return Vec::new();
        };
        keys.retain(|key| self.activities.contains_key(key));
        keys.iter()
            .filter_map(|key| self.activities.get(key).and_then(|file| file.state.outline()))
            .collect()
    }

    pub(super) fn propose(&mut self, emitter: &mut Emitter) -> Vec<(Date, Task)> {
        let today = emitter.today;
        let id: ActivityId = typed(&mut self.rng);
        let (needs, area, host) = match (self.rng.chance(75), self.needs.len()) {
            (true, count) if count > 0 => {
                let index = count - 1 - self.rng.below(count.min(300) as u64) as usize;
                let (need, area, host) = self.needs[index];
                (vec![need], area, host)
            }
            _ => {
                let area = *self.rng.pick(ThematicArea::ALL).expect("areas exist");
                (Vec::new(), area, self.member_state(today))
            }
        };
        let kind = *self.rng.pick(ActivityKind::ALL).expect("kinds exist");
        let start = self.later(today, 30, 240);
        let planned = Period::new(start, self.later(start, 0, 4)).expect("end after start");
        let currency = if self.rng.chance(80) {
            usd()
        } else {
            Currency::new("EUR").expect("a valid currency")
        };
        let cost = Decimal::from(5_000 + 500 * self.rng.below(300));
        let proposed_by = if self.rng.chance(30) && !self.counterparts.is_empty() {
            let index = self.rng.below(self.counterparts.len() as u64) as usize;
            Proposer::Counterpart(self.counterparts[index].id)
        } else {
            Proposer::Secretariat
        };
        let existing = self.outlines(area, kind);
        let has_duplicates = !find_duplicate_activities(id, kind, area, &planned, &existing).is_empty();
        let title = format!("{} on {} in {}", kind.slug(), area.slug(), host.as_str());
        let command = ActivityCommand::Propose(ProposeActivity {
            activity: id,
            kind,
            title: title.clone(),
            thematic_area: area,
            answers_needs: needs,
            host,
            proposed_by,
            planned,
            estimated_cost: money(cost, currency, today),
            proposed_on: today,
            existing_activities: existing,
            duplicate_override: has_duplicates.then(|| "a different audience and host city".to_owned()),
            membership: self.membership.clone(),
        });
        let context = if has_duplicates {
            Context::secretariat().because("not a duplicate: a different audience")
        } else {
            Context::secretariat()
        };
        let mut state = Activity::default();
        let mut version = 0;
        if emitter
            .decide::<ActivityDecider>(&mut state, &mut version, &command, context)
            .is_none()
        {
            return Vec::new();
        }
        emitter.stats.activities += 1;
        let key = self.key();
        self.by_area_and_kind.entry((area, kind)).or_default().push(key);
        self.activities.insert(
            key,
            ActivityFile {
                id,
                title,
                state,
                version,
                host,
                planned,
                cost,
                currency,
                indicators: Vec::new(),
                results: Vec::new(),
                held: None,
                offer: None,
                contribution: None,
                decided_twice: false,
                open_tasks: 1,
            },
        );
        let decide = self.later(today, 7, 25).min(start);
        vec![(decide, Task::Activity(key, ActivityStep::Decide))]
    }

    pub(super) fn activity(
        &mut self,
        key: u64,
        step: ActivityStep,
        emitter: &mut Emitter,
    ) -> Vec<(Date, ActivityStep)> {
        let today = emitter.today;
        let roll = self.rng.below(100);
        let council = self.rng.chance(30);
        let decision = self.decision(today, council);
        let Some(file) = self.activities.get_mut(&key) else {
            return Vec::new();
        };
        let rng = &mut self.rng;
        let counterparts = &self.counterparts;
        let mut follow_ups = Vec::new();
        let later = |rng: &mut SplitMix, from: Date, low: i64, high: i64| {
            from.checked_add(rng.between(low, high).days()).unwrap_or(from)
        };
        let activity_command = |file: &mut ActivityFile, emitter: &mut Emitter, command: ActivityCommand, context| {
            emitter.decide::<ActivityDecider>(&mut file.state, &mut file.version, &command, context)
        };
        match step {
            ActivityStep::Decide => {
                if roll < 80 || file.decided_twice {
                    let Ok(year) = WorkProgrammeYear::new(today.year()) else {
                        return follow_ups;
                    };
                    let status = self
                        .programmes
                        .get(&today.year())
                        .map(|(programme, _)| programme.status)
                        .unwrap_or_default();
                    let command = ActivityCommand::Approve(ApproveActivity {
                        activity: file.id,
                        work_programme: year,
                        work_programme_status: status,
                        decision,
                    });
                    if activity_command(file, emitter, command, Context::secretariat()).is_none() {
                        return follow_ups;
                    }
                    follow_ups.push((later(rng, today, 1, 10), ActivityStep::Indicators));
                    if rng.chance(85) {
                        follow_ups.push((later(rng, today, 3, 20), ActivityStep::Offer));
                    }
                    if rng.chance(35) {
                        follow_ups.push((later(rng, today, 10, 40), ActivityStep::ValueInKind));
                    }
                    if rng.chance(6) {
                        follow_ups.push((later(rng, today, 5, 15), ActivityStep::Reschedule));
                    }
                    if rng.chance(92) {
                        follow_ups.push((file.planned.start().max(today), ActivityStep::Hold));
                    } else {
                        let cancel = file.planned.start().checked_sub(5.days()).unwrap_or(today).max(today);
                        follow_ups.push((cancel, ActivityStep::Cancel));
                    }
                } else {
                    let against = DecideAgainstActivity {
                        activity: file.id,
                        rationale: "outside the year's priorities".to_owned(),
                        decided_on: today,
                    };
                    let (command, reason) = if roll < 88 {
                        (ActivityCommand::Reject(against), "outside the year's priorities")
                    } else {
                        (ActivityCommand::Defer(against), "no funding yet")
                    };
                    let deferred = matches!(command, ActivityCommand::Defer(_));
                    activity_command(file, emitter, command, Context::secretariat().because(reason));
                    if deferred && rng.chance(60) {
                        file.decided_twice = true;
                        follow_ups.push((later(rng, today, 60, 150), ActivityStep::Decide));
                    }
                }
            }
            ActivityStep::Indicators => {
                let names = [
                    ("people trained", "people"),
                    ("SMEs assisted", "enterprises"),
                    ("agreements signed", "agreements"),
                ];
                for (name, unit) in names.iter().take(rng.between(2, 3) as usize) {
                    let indicator: IndicatorId = typed(rng);
                    let command = ActivityCommand::DefineIndicator(DefineIndicator {
                        activity: file.id,
                        indicator,
                        name: (*name).to_owned(),
                        unit: (*unit).to_owned(),
                        baseline: Decimal::ZERO,
                        target: Decimal::from(rng.between(10, 200)),
                        higher_is_better: true,
                        defined_on: today,
                    });
                    if activity_command(file, emitter, command, Context::secretariat()).is_some() {
                        file.indicators.push(indicator);
                        file.results.push(None);
                    }
                }
            }
            ActivityStep::Reschedule => {
                let start = later(rng, file.planned.start().max(today), 20, 90);
                let planned = Period::new(start, later(rng, start, 0, 3)).expect("end after start");
                let command = ActivityCommand::Reschedule(RescheduleActivity {
                    activity: file.id,
                    planned,
                    reason: "the host asked for a later date".to_owned(),
                    rescheduled_on: today,
                    membership: self.membership.clone(),
                });
                if activity_command(file, emitter, command, Context::secretariat().because("host's request")).is_some()
                {
                    file.planned = planned;
                }
            }
            ActivityStep::Hold => {
                if file.planned.start() > today {
                    // Rescheduled since: hold it on the new date.
                    follow_ups.push((file.planned.start(), ActivityStep::Hold));
                    return follow_ups;
                }
                let women = rng.between(5, 120) as u32;
                let men = rng.between(5, 120) as u32;
                let guests = rng.between(0, (women + men) as i64 / 3) as u32;
                let guest_state =
                    MemberStateCode::new(if file.host.as_str() == "VE" { "CO" } else { "VE" }).expect("a valid code");
                let mut by_member_state = vec![MemberStateShare {
                    member_state: file.host,
                    value: women + men - guests,
                }];
                if guests > 0 {
                    by_member_state.push(MemberStateShare {
                        member_state: guest_state,
                        value: guests,
                    });
                }
                let outputs = if rng.chance(50) {
                    vec![Output {
                        kind: OutputKind::Report,
                        title: format!("Final report: {}", file.title),
                        link: format!("https://www.sela.org/pymes/{}", file.id),
                    }]
                } else {
                    Vec::new()
                };
                let command = ActivityCommand::Hold(HoldActivity {
                    activity: file.id,
                    held: file.planned,
                    participants: ParticipantCounts {
                        by_sex: vec![
                            SexShare {
                                sex: Sex::Female,
                                value: women,
                            },
                            SexShare {
                                sex: Sex::Male,
                                value: men,
                            },
                        ],
                        by_member_state,
                    },
                    outputs,
                    membership: self.membership.clone(),
                });
                if activity_command(file, emitter, command, Context::secretariat()).is_none() {
                    return follow_ups;
                }
                file.held = Some(file.planned);
                for index in 0..file.indicators.len() {
                    follow_ups.push((later(rng, today, 15, 150), ActivityStep::Result(index)));
                }
            }
            ActivityStep::Cancel => {
                let command = ActivityCommand::Cancel(CancelActivity {
                    activity: file.id,
                    reason: "the host withdrew".to_owned(),
                    cancelled_on: today,
                });
                activity_command(
                    file,
                    emitter,
                    command,
                    Context::secretariat().because("the host withdrew"),
                );
            }
            ActivityStep::Result(index) | ActivityStep::CorrectResult(index) => {
                let (Some(held), Some(indicator)) = (file.held, file.indicators.get(index).copied()) else {
                    return follow_ups;
                };
                let value = rng.between(5, 200);
                let women = rng.between(0, value);
                let correction = match step {
                    ActivityStep::CorrectResult(_) => {
                        let Some(Some((_, position))) = file.results.get(index).copied() else {
                            return follow_ups;
                        };
                        Some(Correction {
                            corrects: EventId::new(GeneratedIds::id(self.config.seed, position)).expect("not nil"),
                            reason: "attendance sheets recounted".to_owned(),
                            effective_from: today.checked_sub(rng.between(0, 30).days()).unwrap_or(today),
                        })
                    }
                    _ => None,
                };
                let correcting = correction.is_some();
                let command = ActivityCommand::RecordResult(RecordResult {
                    activity: file.id,
                    indicator,
                    period: held,
                    value: Decimal::from(value),
                    by_sex: vec![
                        SexShare {
                            sex: Sex::Female,
                            value: Decimal::from(women),
                        },
                        SexShare {
                            sex: Sex::Male,
                            value: Decimal::from(value - women),
                        },
                    ],
                    by_member_state: vec![MemberStateShare {
                        member_state: file.host,
                        value: Decimal::from(value),
                    }],
                    correction,
                    membership: self.membership.clone(),
                });
                let context = if correcting {
                    Context::secretariat().because("recounted").correcting()
                } else {
                    Context::secretariat()
                };
                if let Some(position) = activity_command(file, emitter, command, context)
                    && !correcting
                {
                    file.results[index] = Some((held, position));
                    if rng.chance(6) {
                        follow_ups.push((later(rng, today, 20, 200), ActivityStep::CorrectResult(index)));
                    }
                }
            }
            ActivityStep::Offer => {
                let source_index = rng.below(100);
                let (source, source_key) = if source_index < 40 {
                    (OfferSource::SelaRegularBudget, usize::MAX)
                } else if source_index < 85 || self.counterparts.is_empty() {
                    let index = rng.below(self.sources.len() as u64) as usize;
                    (OfferSource::CooperationSource(self.sources[index].0), index)
                } else {
                    let index = rng.below(self.counterparts.len() as u64) as usize;
                    (OfferSource::Counterpart(self.counterparts[index].id), usize::MAX - 1)
                };
                let id: OfferId = typed(rng);
                let amount = file.cost * Decimal::new(100 + rng.between(0, 50), 2);
                let existing = self.source_offers.entry(source_key).or_default();
                let command = OfferCommand::Record(RecordOffer {
                    offer: id,
                    source,
                    kind: OfferKind::Money,
                    amount: money(amount, file.currency, today),
                    purpose: format!("funding of {}", file.id),
                    recorded_on: today,
                    existing_offers: existing.iter().cloned().collect(),
                    duplicate_override: None,
                });
                let mut offer = OfferFile {
                    id,
                    state: Offer::default(),
                    version: 0,
                    commitment: None,
                    committed_on: None,
                    disbursed: Decimal::ZERO,
                    spent: Decimal::ZERO,
                    committed: Decimal::ZERO,
                };
                if emitter
                    .decide::<OfferDecider>(&mut offer.state, &mut offer.version, &command, Context::secretariat())
                    .is_some()
                {
                    if let Some(outline) = offer.state.outline() {
                        existing.push_back(outline);
                        if existing.len() > 40 {
                            existing.pop_front();
                        }
                    }
                    file.offer = Some(offer);
                    follow_ups.push((later(rng, today, 3, 15), ActivityStep::Commit));
                }
            }
            ActivityStep::Commit => {
                let Some(offer) = file.offer.as_mut() else {
                    return follow_ups;
                };
                let commitment: CommitmentId = typed(rng);
                let command = OfferCommand::Commit(CommitToActivity {
                    offer: offer.id,
                    commitment,
                    activity: file.id,
                    amount: money(file.cost, file.currency, today),
                    exchange_rate: None,
                    committed_on: today,
                });
                if emitter
                    .decide::<OfferDecider>(&mut offer.state, &mut offer.version, &command, Context::secretariat())
                    .is_some()
                {
                    offer.commitment = Some(commitment);
                    offer.committed_on = Some(today);
                    offer.committed = file.cost;
                    let tranches = rng.between(2, 4) as u8;
                    for tranche in 0..tranches {
                        let on = later(rng, today, 5 + 60 * i64::from(tranche), 40 + 60 * i64::from(tranche));
                        follow_ups.push((on, ActivityStep::Disburse(tranches - tranche)));
                    }
                }
            }
            ActivityStep::Disburse(left) => {
                let Some(offer) = file.offer.as_mut() else {
                    return follow_ups;
                };
                let Some(commitment) = offer.commitment else {
                    return follow_ups;
                };
                let remaining = offer.committed - offer.disbursed;
                let amount = if left <= 1 {
                    remaining
                } else {
                    (remaining / Decimal::from(left)).round_dp(2)
                };
                if amount <= Decimal::ZERO {
                    return follow_ups;
                }
                let command = OfferCommand::Disburse(RecordDisbursement {
                    offer: offer.id,
                    commitment,
                    amount: money(amount, file.currency, today),
                    disbursed_on: today,
                });
                if emitter
                    .decide::<OfferDecider>(&mut offer.state, &mut offer.version, &command, Context::secretariat())
                    .is_some()
                {
                    offer.disbursed += amount;
                    for _ in 0..rng.between(3, 6) {
                        follow_ups.push((later(rng, today, 1, 45), ActivityStep::Spend));
                    }
                }
            }
            ActivityStep::Spend => {
                let Some(offer) = file.offer.as_mut() else {
                    return follow_ups;
                };
                let Some(commitment) = offer.commitment else {
                    return follow_ups;
                };
                let available = offer.disbursed - offer.spent;
                let amount = (available * Decimal::new(rng.between(10, 40), 2)).round_dp(2);
                if amount <= Decimal::ZERO {
                    return follow_ups;
                }
                let descriptions = ["travel of experts", "venue and interpretation", "materials", "fees"];
                let command = OfferCommand::Spend(RecordExpenditure {
                    offer: offer.id,
                    commitment,
                    amount: money(amount, file.currency, today),
                    description: (*rng.pick(&descriptions).expect("not empty")).to_owned(),
                    spent_on: today,
                });
                if emitter
                    .decide::<OfferDecider>(&mut offer.state, &mut offer.version, &command, Context::secretariat())
                    .is_some()
                {
                    offer.spent += amount;
                }
            }
            ActivityStep::ValueInKind => {
                let id: ContributionId = typed(rng);
                let mut state = InKindContribution::default();
                let mut version = 0;
                let command = InKindContributionCommand::Value(ValueInKindContribution {
                    contribution: id,
                    activity: file.id,
                    // One contribution in four comes from a counterpart (an organisation
                    // lending its venue), the rest from the host; the step's roll decides, so
                    // no draw is added to the generator's sequence.
                    contributor: match counterparts.get(roll as usize / 4 % counterparts.len().max(1)) {
                        Some(counterpart) if roll.is_multiple_of(4) => {
                            InKindContributor::Counterpart { id: counterpart.id }
                        }
                        _ => InKindContributor::MemberState {
                            member_state: file.host,
                        },
                    },
                    what: "venue, interpretation and local transport".to_owned(),
                    value: money(Decimal::from(rng.between(2, 40) * 500), usd(), today),
                    valued_on: today,
                    membership: self.membership.clone(),
                });
                if let Some(position) = emitter.decide::<InKindContributionDecider>(
                    &mut state,
                    &mut version,
                    &command,
                    Context::secretariat(),
                ) {
                    file.contribution = Some((id, state, version, position));
                    if rng.chance(15) {
                        follow_ups.push((later(rng, today, 30, 120), ActivityStep::Revalue));
                    }
                }
            }
            ActivityStep::Revalue => {
                let Some((id, state, version, position)) = file.contribution.as_mut() else {
                    return follow_ups;
                };
                let effective_from = today.checked_sub(rng.between(0, 30).days()).unwrap_or(today);
                let command = InKindContributionCommand::Revalue(RevalueInKindContribution {
                    contribution: *id,
                    value: money(Decimal::from(rng.between(2, 40) * 500), usd(), effective_from),
                    correction: Correction {
                        corrects: EventId::new(GeneratedIds::id(self.config.seed, *position)).expect("not nil"),
                        reason: "valued at the host's audited costs".to_owned(),
                        effective_from,
                    },
                });
                emitter.decide::<InKindContributionDecider>(
                    state,
                    version,
                    &command,
                    Context::secretariat().because("audited costs").correcting(),
                );
            }
        }
        follow_ups
    }
}
