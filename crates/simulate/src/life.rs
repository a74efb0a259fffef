//! The simulated programme: what each due command is, decided against the aggregates' states.

use std::collections::{BTreeMap, HashMap, VecDeque};

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;
use smes_domain::activity::{
    Activity, ActivityCommand, ActivityDecider, ActivityOutline, ApproveActivity, CancelActivity,
    DecideAgainstActivity, DefineIndicator, HoldActivity, MemberStateShare, Output, ParticipantCounts, ProposeActivity,
    Proposer, RecordResult, RescheduleActivity, SexShare, find_duplicate_activities,
};
use smes_domain::consultation::{
    CloseConsultation, Consultation, ConsultationCommand, ConsultationDecider, EvaluateAchievements, EvaluationSubject,
    HoldConsultation, IdentifyNeed, Rating, ScheduleConsultation,
};
use smes_domain::cooperation_source::{
    CooperationSource, CooperationSourceCommand, CooperationSourceDecider, RegisterCooperationSource,
};
use smes_domain::counterpart::{
    CorrectCounterpartDetails, Counterpart, CounterpartCommand, CounterpartDecider, CounterpartDetails, JoinCounterpart,
};
use smes_domain::funding::{
    CommitToActivity, ExchangeRateDecider, ExchangeRates, InKindContribution, InKindContributionCommand,
    InKindContributionDecider, InKindContributor, Offer, OfferCommand, OfferDecider, OfferOutline, OfferSource,
    RecordDisbursement, RecordExchangeRate, RecordExpenditure, RecordOffer, RevalueInKindContribution,
    ValueInKindContribution,
};
use smes_domain::ids::{
    ActivityId, CommitmentId, ConsultationId, ContributionId, CooperationSourceId, CounterpartId, EventId, IndicatorId,
    NeedId, OfferId, ReviewId,
};
use smes_domain::member_state::{
    JoinSystem, LeaveSystem, MemberState, MemberStateCommand, MemberStateDecider, MemberStateEvent, MemberStateJoined,
    MemberStateLeft,
};
use smes_domain::membership::MembershipHistory;
use smes_domain::personal_data::SealedPersonalData;
use smes_domain::programme_review::{
    CloseReview, OpenReview, ProgrammeReview, ProgrammeReviewCommand, ProgrammeReviewDecider, RecordReviewFindings,
};
use smes_domain::values::{
    ActivityKind, ApprovingBody, CooperationSourceKind, Correction, CounterpartKind, Currency, Decision, ExchangeRate,
    MemberStateCode, Money, OfferKind, OutputKind, Period, Priority, Sex, ThematicArea, WorkProgrammeYear,
};
use smes_domain::work_programme::{
    AdoptWorkProgramme, CloseWorkProgramme, OpenWorkProgramme, ReviseWorkProgramme, WorkProgramme,
    WorkProgrammeCommand, WorkProgrammeDecider,
};
use uuid::Uuid;

use super::{Context, Emitter, GeneratedIds, GeneratorConfig, SplitMix};

mod activities;

use activities::ActivityFile;

/// Events an activity's life writes, about, with the programme's other events per activity:
/// what the yearly activity rate is chosen from.
const EVENTS_PER_ACTIVITY: u64 = 36;

/// Commands recorded late: the percentage, and how late at most (days).
const LATE_PERCENT: u64 = 7;
const LATE_DAYS: i64 = 60;

/// The Member States of 2012, with the founding date where sources give one.
const MEMBER_STATES: [(&str, &str, bool); 28] = [
    ("AR", "Argentina", true),
    ("BS", "Bahamas", false),
    ("BB", "Barbados", true),
    ("BZ", "Belize", false),
    ("BO", "Bolivia", true),
    ("BR", "Brazil", true),
    ("CL", "Chile", true),
    ("CO", "Colombia", true),
    ("CR", "Costa Rica", true),
    ("CU", "Cuba", true),
    ("EC", "Ecuador", true),
    ("SV", "El Salvador", true),
    ("GD", "Grenada", false),
    ("GT", "Guatemala", true),
    ("GY", "Guyana", true),
    ("HT", "Haiti", true),
    ("HN", "Honduras", true),
    ("JM", "Jamaica", true),
    ("MX", "Mexico", true),
    ("NI", "Nicaragua", true),
    ("PA", "Panama", true),
    ("PY", "Paraguay", true),
    ("PE", "Peru", true),
    ("DO", "Dominican Republic", true),
    ("SR", "Suriname", false),
    ("TT", "Trinidad and Tobago", true),
    ("UY", "Uruguay", true),
    ("VE", "Venezuela", true),
];

/// Who left, when (by year), and whether a source gives the date.
const DEPARTURES: [(&str, i16, i8, bool); 3] = [("GD", 2015, 11, false), ("CR", 2017, 3, true), ("JM", 2019, 6, false)];

/// Currencies with a monthly rate to the US dollar, and the rate they start from.
const RATE_CURRENCIES: [(&str, i64); 5] = [("EUR", 1_100), ("BRL", 250), ("MXN", 90), ("COP", 1), ("VES", 40)];

const SOURCE_NAMES: [(&str, CooperationSourceKind); 12] = [
    ("Inter-American Development Bank", CooperationSourceKind::Regional),
    ("CAF Development Bank of Latin America", CooperationSourceKind::Regional),
    ("Caribbean Development Bank", CooperationSourceKind::Subregional),
    (
        "European Union cooperation programme",
        CooperationSourceKind::International,
    ),
    ("UNIDO", CooperationSourceKind::International),
    ("ILO regional office", CooperationSourceKind::International),
    ("Spanish cooperation agency", CooperationSourceKind::Bilateral),
    ("Korean cooperation agency", CooperationSourceKind::Bilateral),
    ("Japanese cooperation agency", CooperationSourceKind::Bilateral),
    ("Central American Bank", CooperationSourceKind::Subregional),
    ("Caracas chamber of commerce", CooperationSourceKind::Local),
    ("Andean regional fund", CooperationSourceKind::Regional),
];

/// A command due.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Task {
    /// Member States, cooperation sources and the first work programme.
    Foundation,
    /// Plans a year.
    Year(i16),
    Programme(i16, ProgrammeStep),
    Depart(usize),
    JoinCounterpart,
    CorrectCounterpart,
    ScheduleConsultation,
    Consultation(u64, ConsultationStep),
    Rate(usize),
    OpenReview,
    Review(u64, ReviewStep),
    Propose,
    Activity(u64, ActivityStep),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ProgrammeStep {
    Open,
    Adopt,
    Revise,
    Close,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ConsultationStep {
    Hold,
    IdentifyNeeds,
    Evaluate,
    Close,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ReviewStep {
    Findings,
    Close,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ActivityStep {
    Decide,
    Indicators,
    Reschedule,
    Offer,
    Commit,
    Disburse(u8),
    Spend,
    ValueInKind,
    Revalue,
    Hold,
    Cancel,
    Result(usize),
    CorrectResult(usize),
}

/// Everything the app would look up, and the state and version of every live stream.
pub(crate) struct World {
    rng: SplitMix,
    config: GeneratorConfig,
    next_key: u64,
    member_states: BTreeMap<MemberStateCode, (MemberState, u64)>,
    /// The membership history recorded so far: the look-up of the countries commands name.
    membership: MembershipHistory,
    sources: Vec<(CooperationSourceId, CooperationSource, u64)>,
    source_offers: HashMap<usize, VecDeque<OfferOutline>>,
    counterparts: Vec<CounterpartFile>,
    consultations: HashMap<u64, (ConsultationId, Consultation, u64)>,
    needs: VecDeque<(NeedId, ThematicArea, MemberStateCode)>,
    programmes: BTreeMap<i16, (WorkProgramme, u64)>,
    rates: Vec<(ExchangeRates, u64, Decimal)>,
    reviews: HashMap<u64, (ReviewId, ProgrammeReview, u64)>,
    activities: HashMap<u64, ActivityFile>,
    /// Live activities by thematic area and kind: the duplicate look-up.
    by_area_and_kind: HashMap<(ThematicArea, ActivityKind), Vec<u64>>,
    decisions: u64,
}

struct CounterpartFile {
    id: CounterpartId,
    state: Counterpart,
    version: u64,
    joined_at: u64,
}

fn typed<T: TryFrom<Uuid>>(rng: &mut SplitMix) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(rng.uuid()).expect("random ids are not nil")
}

fn usd() -> Currency {
    Currency::USD
}

fn money(amount: Decimal, currency: Currency, on: Date) -> Money {
    Money::new(amount, currency, on).expect("generated amounts are positive")
}

impl World {
    pub(crate) fn new(config: GeneratorConfig) -> Self {
        World {
            rng: SplitMix::new(config.seed),
            config,
            next_key: 0,
            member_states: BTreeMap::new(),
            membership: MembershipHistory::default(),
            sources: Vec::new(),
            source_offers: HashMap::new(),
            counterparts: Vec::new(),
            consultations: HashMap::new(),
            needs: VecDeque::new(),
            programmes: BTreeMap::new(),
            rates: RATE_CURRENCIES
                .iter()
                .map(|(_, start)| (ExchangeRates::default(), 0, Decimal::new(*start, 3)))
                .collect(),
            reviews: HashMap::new(),
            activities: HashMap::new(),
            by_area_and_kind: HashMap::new(),
            decisions: 0,
        }
    }

    /// When the log learns of a command dated `on`, scheduled while deciding one learnt on
    /// `now`: never before either, and for a few commands weeks late.
    pub(crate) fn record_date(&mut self, on: Date, now: Date) -> Date {
        let known = on.max(now);
        if self.rng.chance(LATE_PERCENT) {
            known
                .checked_add(self.rng.between(3, LATE_DAYS).days())
                .unwrap_or(known)
        } else {
            known
        }
    }

    fn key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key
    }

    fn day_in(&mut self, year: i16) -> Date {
        let start = Date::new(year, 1, 1).expect("a valid year");
        start.checked_add(self.rng.between(0, 364).days()).unwrap_or(start)
    }

    fn later(&mut self, from: Date, low: i64, high: i64) -> Date {
        from.checked_add(self.rng.between(low, high).days()).unwrap_or(from)
    }

    /// Runs one task; returns the tasks it schedules.
    pub(crate) fn run(&mut self, task: Task, emitter: &mut Emitter) -> Vec<(Date, Task)> {
        let today = emitter.today;
        match task {
            Task::Foundation => self.foundation(emitter),
            Task::Year(year) => self.plan_year(year, emitter),
            Task::Programme(year, step) => {
                self.programme(year, step, emitter);
                Vec::new()
            }
            Task::Depart(index) => {
                let (code, _, _, dated) = DEPARTURES[index];
                let code = MemberStateCode::new(code).expect("a valid code");
                let command = MemberStateCommand::Leave(LeaveSystem {
                    code,
                    left_on: dated.then_some(today),
                    source: "SELA list of Member States".to_owned(),
                });
                if let Some((state, version)) = self.member_states.get_mut(&code)
                    && emitter
                        .decide::<MemberStateDecider>(state, version, &command, Context::secretariat())
                        .is_some()
                {
                    let left = MemberStateEvent::Left(MemberStateLeft {
                        code,
                        left_on: dated.then_some(today),
                        source: "SELA list of Member States".to_owned(),
                    });
                    self.membership.record(&left, Some(today));
                }
                Vec::new()
            }
            Task::JoinCounterpart => {
                self.join_counterpart(emitter);
                Vec::new()
            }
            Task::CorrectCounterpart => {
                self.correct_counterpart(emitter);
                Vec::new()
            }
            Task::ScheduleConsultation => self.schedule_consultation(emitter),
            Task::Consultation(key, step) => self.consultation(key, step, emitter),
            Task::Rate(index) => {
                self.rate(index, emitter);
                Vec::new()
            }
            Task::OpenReview => self.open_review(emitter),
            Task::Review(key, step) => {
                self.review(key, step, emitter);
                Vec::new()
            }
            Task::Propose => self.propose(emitter),
            Task::Activity(key, step) => {
                let follow_ups = self.activity(key, step, emitter);
                let Some(file) = self.activities.get_mut(&key) else {
                    return Vec::new();
                };
                file.open_tasks = file.open_tasks.saturating_sub(1) + follow_ups.len() as u32;
                if file.open_tasks == 0 {
                    // The activity's life is over: nothing will look it up again.
                    self.activities.remove(&key);
                }
                follow_ups
                    .into_iter()
                    .map(|(on, step)| (on, Task::Activity(key, step)))
                    .collect()
            }
        }
    }

    fn foundation(&mut self, emitter: &mut Emitter) -> Vec<(Date, Task)> {
        let today = emitter.today;
        let founded = Date::new(1975, 10, 17).expect("a valid date");
        for (code, name, dated) in MEMBER_STATES {
            let code = MemberStateCode::new(code).expect("a valid code");
            let command = MemberStateCommand::Join(JoinSystem {
                code,
                name: name.to_owned(),
                joined_on: dated.then_some(founded),
                source: "Panama Convention and SELA lists of Member States".to_owned(),
            });
            let (state, version) = self.member_states.entry(code).or_default();
            if emitter
                .decide::<MemberStateDecider>(state, version, &command, Context::secretariat())
                .is_some()
            {
                let joined = MemberStateEvent::Joined(MemberStateJoined {
                    code,
                    name: name.to_owned(),
                    joined_on: dated.then_some(founded),
                    source: "Panama Convention and SELA lists of Member States".to_owned(),
                });
                self.membership.record(&joined, Some(today));
            }
        }
        for (name, kind) in SOURCE_NAMES {
            let id: CooperationSourceId = typed(&mut self.rng);
            let mut state = CooperationSource::default();
            let mut version = 0;
            let command = CooperationSourceCommand::Register(RegisterCooperationSource {
                cooperation_source: id,
                name: Some(name.to_owned()),
                kind,
                country: None,
                counterpart: None,
                registered_on: today,
            });
            emitter.decide::<CooperationSourceDecider>(&mut state, &mut version, &command, Context::secretariat());
            self.sources.push((id, state, version));
        }
        let year = self.config.first_year;
        vec![
            (today, Task::Programme(year, ProgrammeStep::Open)),
            (today, Task::Programme(year, ProgrammeStep::Adopt)),
        ]
    }

    fn plan_year(&mut self, year: i16, emitter: &mut Emitter) -> Vec<(Date, Task)> {
        let mut tasks = Vec::new();
        let remaining = emitter.target.saturating_sub(emitter.emitted);
        if remaining == 0 {
            return tasks;
        }
        let years_left = u64::try_from(i64::from(self.config.last_year) - i64::from(year) + 1)
            .unwrap_or(1)
            .max(1);
        let activities = (remaining / years_left / EVENTS_PER_ACTIVITY).max(2);
        let next_year = Date::new(year + 1, 1, 1).expect("a valid year");
        tasks.push((next_year, Task::Year(year + 1)));
        let date = |month: i8, day: i8| Date::new(year, month, day).expect("a valid date");
        tasks.push((date(10, 1), Task::Programme(year + 1, ProgrammeStep::Open)));
        let adopt = self.later(date(11, 10), 0, 20);
        tasks.push((adopt, Task::Programme(year + 1, ProgrammeStep::Adopt)));
        if self.rng.chance(50) {
            tasks.push((date(6, 30), Task::Programme(year, ProgrammeStep::Revise)));
        }
        tasks.push((date(3, 31), Task::Programme(year - 2, ProgrammeStep::Close)));
        for (index, (_, left_in, month, _)) in DEPARTURES.iter().enumerate() {
            if *left_in == year {
                tasks.push((date(*month, 15), Task::Depart(index)));
            }
        }
        for _ in 0..activities / 6 + 5 {
            let day = self.day_in(year);
            tasks.push((day, Task::JoinCounterpart));
        }
        for _ in 0..(self.counterparts.len() as u64 / 30).max(1) {
            let day = self.day_in(year);
            tasks.push((day, Task::CorrectCounterpart));
        }
        for _ in 0..(activities / 40).max(3) {
            let day = self.day_in(year);
            tasks.push((day, Task::ScheduleConsultation));
        }
        for month in 1..=12 {
            for index in 0..RATE_CURRENCIES.len() {
                tasks.push((date(month, 1), Task::Rate(index)));
            }
        }
        if year > self.config.first_year {
            let day = self.later(date(2, 1), 0, 27);
            tasks.push((day, Task::OpenReview));
        }
        for _ in 0..activities {
            let day = self.day_in(year);
            tasks.push((day, Task::Propose));
        }
        tasks
    }

    fn decision(&mut self, on: Date, council: bool) -> Decision {
        self.decisions += 1;
        if council {
            Decision {
                body: ApprovingBody::LatinAmericanCouncil {
                    decision_number: format!("{}", 400 + self.decisions % 600),
                },
                reference: format!("SP/CL/{}.O/Dec. N° {}", on.year(), 400 + self.decisions % 600),
                rationale: "approved by the Latin American Council at its regular meeting".to_owned(),
                decided_on: on,
            }
        } else {
            Decision {
                body: ApprovingBody::PermanentSecretariat,
                reference: format!("SP/DA/{}/{}", on.year(), self.decisions),
                rationale: "within the Secretariat's authority and budget".to_owned(),
                decided_on: on,
            }
        }
    }

    fn programme(&mut self, year: i16, step: ProgrammeStep, emitter: &mut Emitter) {
        let today = emitter.today;
        let Ok(programme_year) = WorkProgrammeYear::new(year) else {
            return;
        };
        let command = match step {
            ProgrammeStep::Open => WorkProgrammeCommand::Open(OpenWorkProgramme {
                year: programme_year,
                estimated_budget: money(Decimal::from(200_000 + 1_000 * self.rng.below(400)), usd(), today),
                opened_on: today,
            }),
            ProgrammeStep::Adopt => WorkProgrammeCommand::Adopt(AdoptWorkProgramme {
                year: programme_year,
                decision: self.decision(today, true),
            }),
            ProgrammeStep::Revise => WorkProgrammeCommand::Revise(ReviseWorkProgramme {
                year: programme_year,
                revised_budget: money(Decimal::from(250_000 + 1_000 * self.rng.below(600)), usd(), today),
                reason: "contributions received from cooperation sources".to_owned(),
                revised_on: today,
            }),
            ProgrammeStep::Close => WorkProgrammeCommand::Close(CloseWorkProgramme {
                year: programme_year,
                closed_on: today,
            }),
        };
        let context = match step {
            ProgrammeStep::Revise => Context::secretariat().because("revised budget"),
            _ => Context::secretariat(),
        };
        let (state, version) = self.programmes.entry(year).or_default();
        emitter.decide::<WorkProgrammeDecider>(state, version, &command, context);
        if matches!(step, ProgrammeStep::Close) {
            self.programmes.remove(&year);
        }
    }

    /// A Member State on `day`, drawn at random (any of the founding list while the history
    /// holds none, which only a log cut before its foundation meets).
    fn member_state(&mut self, day: Date) -> MemberStateCode {
        let members = self.membership.members_on(day);
        if members.is_empty() {
            let index = self.rng.below(MEMBER_STATES.len() as u64) as usize;
            return MemberStateCode::new(MEMBER_STATES[index].0).expect("a valid code");
        }
        members[self.rng.below(members.len() as u64) as usize]
    }

    fn join_counterpart(&mut self, emitter: &mut Emitter) {
        let today = emitter.today;
        let id: CounterpartId = typed(&mut self.rng);
        let kind = *self.rng.pick(CounterpartKind::ALL).expect("kinds exist");
        let member_state = kind.is_national().then(|| self.member_state(today));
        let area = *self.rng.pick(ThematicArea::ALL).expect("areas exist");
        let command = CounterpartCommand::Join(JoinCounterpart {
            counterpart: id,
            details: CounterpartDetails {
                name: format!("SME promotion body {}", &id.to_string()[..8]),
                kind,
                member_state,
                thematic_areas: vec![area],
            },
            focal_point: SealedPersonalData::new(
                typed(&mut self.rng),
                format!("key-{}", self.rng.below(1 << 32)),
                "bm9uY2Vub25jZW5vbmNlbm9uY2U=".to_owned(),
                "c2VhbGVkIGZvY2FsIHBvaW50IGRldGFpbHM=".to_owned(),
            )
            .expect("valid sealed data"),
            joined_on: today,
            membership: self.membership.clone(),
        });
        let mut state = Counterpart::default();
        let mut version = 0;
        if let Some(joined_at) =
            emitter.decide::<CounterpartDecider>(&mut state, &mut version, &command, Context::secretariat())
        {
            self.counterparts.push(CounterpartFile {
                id,
                state,
                version,
                joined_at,
            });
        }
    }

    fn correct_counterpart(&mut self, emitter: &mut Emitter) {
        let today = emitter.today;
        if self.counterparts.is_empty() {
            return;
        }
        let index = self.rng.below(self.counterparts.len() as u64) as usize;
        let effective_from = today.checked_sub(self.rng.between(0, 90).days()).unwrap_or(today);
        let area = *self.rng.pick(ThematicArea::ALL).expect("areas exist");
        let member_state = self.member_state(effective_from);
        let seed = self.config.seed;
        let file = &mut self.counterparts[index];
        if file
            .state
            .record
            .as_ref()
            .is_none_or(|record| record.joined_on > effective_from)
        {
            return;
        }
        let kind = if file
            .state
            .record
            .as_ref()
            .is_some_and(|record| record.details.member_state.is_some())
        {
            CounterpartKind::Public
        } else {
            CounterpartKind::Regional
        };
        let command = CounterpartCommand::CorrectDetails(CorrectCounterpartDetails {
            counterpart: file.id,
            details: CounterpartDetails {
                name: format!("SME promotion agency {}", &file.id.to_string()[..8]),
                kind,
                member_state: kind.is_national().then_some(member_state),
                thematic_areas: vec![area],
            },
            correction: Correction {
                corrects: EventId::new(GeneratedIds::id(seed, file.joined_at)).expect("not nil"),
                reason: "name and areas as in the counterpart's statutes".to_owned(),
                effective_from,
            },
            membership: self.membership.clone(),
        });
        emitter.decide::<CounterpartDecider>(
            &mut file.state,
            &mut file.version,
            &command,
            Context::secretariat()
                .because("corrected from the statutes")
                .correcting(),
        );
    }

    fn schedule_consultation(&mut self, emitter: &mut Emitter) -> Vec<(Date, Task)> {
        let today = emitter.today;
        let id: ConsultationId = typed(&mut self.rng);
        let scheduled_for = self.later(today, 20, 45);
        let command = ConsultationCommand::Schedule(ScheduleConsultation {
            consultation: id,
            title: format!("Regional consultation on SME support {}", today.year()),
            scheduled_for,
            venue: "Caracas".to_owned(),
        });
        let mut state = Consultation::default();
        let mut version = 0;
        if emitter
            .decide::<ConsultationDecider>(&mut state, &mut version, &command, Context::secretariat())
            .is_none()
        {
            return Vec::new();
        }
        let key = self.key();
        self.consultations.insert(key, (id, state, version));
        let needs_on = self.later(scheduled_for, 1, 3);
        vec![
            (scheduled_for, Task::Consultation(key, ConsultationStep::Hold)),
            (needs_on, Task::Consultation(key, ConsultationStep::IdentifyNeeds)),
            (needs_on, Task::Consultation(key, ConsultationStep::Evaluate)),
            (
                scheduled_for.checked_add(30.days()).unwrap_or(scheduled_for),
                Task::Consultation(key, ConsultationStep::Close),
            ),
        ]
    }

    fn consultation(&mut self, key: u64, step: ConsultationStep, emitter: &mut Emitter) -> Vec<(Date, Task)> {
        let today = emitter.today;
        let participants: Vec<_> = if matches!(step, ConsultationStep::Hold) {
            let mut participants = Vec::new();
            for _ in 0..12 {
                if self.counterparts.is_empty() {
                    break;
                }
                let index = self.rng.below(self.counterparts.len() as u64) as usize;
                if let Some(standing) = self.counterparts[index].state.standing()
                    && standing.is_active_on(today)
                    && !participants.contains(&standing)
                {
                    participants.push(standing);
                }
            }
            participants
        } else {
            Vec::new()
        };
        let Some((id, state, version)) = self.consultations.get_mut(&key) else {
            return Vec::new();
        };
        let id = *id;
        match step {
            ConsultationStep::Hold => {
                let command = ConsultationCommand::Hold(HoldConsultation {
                    consultation: id,
                    held_on: today,
                    venue: "SELA, Caracas".to_owned(),
                    participants,
                    minutes_reference: format!("SP/RC-PYMES/{}/DT", today.year()),
                });
                emitter.decide::<ConsultationDecider>(state, version, &command, Context::secretariat());
            }
            ConsultationStep::IdentifyNeeds => {
                let raised: Vec<CounterpartId> = state
                    .held
                    .as_ref()
                    .map(|held| held.participants.clone())
                    .unwrap_or_default();
                if raised.is_empty() {
                    return Vec::new();
                }
                let held_on = state.held.as_ref().map_or(today, |held| held.held_on);
                let members = self.membership.members_on(held_on);
                if members.is_empty() {
                    return Vec::new();
                }
                for _ in 0..self.rng.between(3, 9) {
                    let need: NeedId = typed(&mut self.rng);
                    let raised_by = *self.rng.pick(&raised).expect("not empty");
                    let area = *self.rng.pick(ThematicArea::ALL).expect("areas exist");
                    let code = members[self.rng.below(members.len() as u64) as usize];
                    let command = ConsultationCommand::IdentifyNeed(IdentifyNeed {
                        consultation: id,
                        need,
                        raised_by: vec![raised_by],
                        thematic_area: area,
                        member_states: vec![code],
                        priority: *self.rng.pick(Priority::ALL).expect("priorities exist"),
                        description: format!("support for SMEs in {}", area.slug()),
                        identified_on: Some(today),
                        recorded_on: emitter.known.max(today),
                        membership: self.membership.clone(),
                    });
                    if emitter
                        .decide::<ConsultationDecider>(state, version, &command, Context::secretariat())
                        .is_some()
                    {
                        self.needs.push_back((need, area, code));
                        if self.needs.len() > 2_000 {
                            self.needs.pop_front();
                        }
                    }
                }
            }
            ConsultationStep::Evaluate => {
                let command = ConsultationCommand::EvaluateAchievements(EvaluateAchievements {
                    consultation: id,
                    subject: EvaluationSubject::Programme,
                    findings: "the programme reached more focal points than planned".to_owned(),
                    ratings: vec![
                        Rating::new("relevance".to_owned(), 1 + self.rng.below(5) as u8).expect("a valid rating"),
                        Rating::new("effectiveness".to_owned(), 1 + self.rng.below(5) as u8).expect("a valid rating"),
                    ],
                    evaluated_on: Some(today),
                    recorded_on: emitter.known.max(today),
                });
                emitter.decide::<ConsultationDecider>(state, version, &command, Context::secretariat());
            }
            ConsultationStep::Close => {
                let command = ConsultationCommand::Close(CloseConsultation {
                    consultation: id,
                    closed_on: today,
                });
                emitter.decide::<ConsultationDecider>(state, version, &command, Context::secretariat());
                self.consultations.remove(&key);
            }
        }
        Vec::new()
    }

    fn rate(&mut self, index: usize, emitter: &mut Emitter) {
        let today = emitter.today;
        let (code, _) = RATE_CURRENCIES[index];
        let step = self.rng.between(-30, 30);
        let (state, version, value) = &mut self.rates[index];
        // A random walk of a few percent a month, never below a thousandth.
        let next = (*value * Decimal::new(1000 + step, 3) / Decimal::from(1000)).round_dp(6);
        *value = next.max(Decimal::new(1, 3));
        let Ok(rate) = ExchangeRate::new(
            Currency::new(code).expect("a valid currency"),
            Currency::USD,
            *value,
            today,
            "central bank reference rate".to_owned(),
        ) else {
            return;
        };
        emitter.decide::<ExchangeRateDecider>(state, version, &RecordExchangeRate { rate }, Context::secretariat());
    }

    fn open_review(&mut self, emitter: &mut Emitter) -> Vec<(Date, Task)> {
        let today = emitter.today;
        let id: ReviewId = typed(&mut self.rng);
        let start = Date::new(today.year() - 1, 1, 1).expect("a valid date");
        let end = Date::new(today.year() - 1, 12, 31).expect("a valid date");
        let command = ProgrammeReviewCommand::Open(OpenReview {
            review: id,
            period: Period::new(start, end).expect("a valid period"),
            opened_on: today,
        });
        let mut state = ProgrammeReview::default();
        let mut version = 0;
        if emitter
            .decide::<ProgrammeReviewDecider>(&mut state, &mut version, &command, Context::secretariat())
            .is_none()
        {
            return Vec::new();
        }
        let key = self.key();
        self.reviews.insert(key, (id, state, version));
        let findings = self.later(today, 40, 90);
        let close = self.later(findings, 20, 60);
        vec![
            (findings, Task::Review(key, ReviewStep::Findings)),
            (close, Task::Review(key, ReviewStep::Close)),
        ]
    }

    fn review(&mut self, key: u64, step: ReviewStep, emitter: &mut Emitter) {
        let today = emitter.today;
        let Some((id, state, version)) = self.reviews.get_mut(&key) else {
            return;
        };
        let command = match step {
            ReviewStep::Findings => ProgrammeReviewCommand::RecordFindings(RecordReviewFindings {
                review: *id,
                findings: vec![
                    "coverage of the Caribbean Member States remains below target".to_owned(),
                    "most activities were co-financed".to_owned(),
                ],
                recommendations: vec!["seek more in-kind contributions from host countries".to_owned()],
                recorded_on: today,
            }),
            ReviewStep::Close => ProgrammeReviewCommand::Close(CloseReview {
                review: *id,
                closed_on: today,
            }),
        };
        emitter.decide::<ProgrammeReviewDecider>(state, version, &command, Context::secretariat());
        if matches!(step, ReviewStep::Close) {
            self.reviews.remove(&key);
        }
    }
}
