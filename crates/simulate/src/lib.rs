//! A simulator of the SELA-SMEs Programme: a deterministic generator of large, realistic,
//! domain-valid logs, for the benchmark and for tests. It is not part of the `smes` binary.
//!
//! The generator simulates the programme year by year: Member States join and leave,
//! counterparts join (and some have their details corrected), consultations are held and
//! identify needs, activities answering those needs are proposed, approved into the year's work
//! programme (or rejected, deferred, rescheduled, cancelled), funded by offers, commitments,
//! disbursements, expenditures and in-kind contributions, held, and measured by indicators
//! whose results are recorded and sometimes corrected; exchange rates are recorded monthly and
//! the programme is reviewed every year. Every command goes through the domain's own decider,
//! exactly as the app would send it (look-ups included: duplicate candidates, the work
//! programme's status, counterpart standings), and a command the decider refuses is dropped.
//!
//! Business dates are the commands' own dates and each event's `occurred_at` follows the app's
//! rule (the payload's date, else the previous event's, else the command's), so some events
//! arrive back-dated: results are dated by the period they measure, about one command in
//! fourteen is recorded weeks late, and corrections take effect from their own date.
//!
//! The generator is pure and streams: [`Generator::next_batch`] hands out about
//! [`GeneratorConfig::batch`] events at a time as [`AppendRequest`]s with the expected version
//! of each stream, to be appended in order, each batch whole, through
//! [`smes_eventlog::EventStore::append_batch`]. It never holds more than one batch of events,
//! and it forgets an activity's states once its life is over. Corrections name the event they
//! correct by id, so the store must give event ids from [`GeneratedIds`] (same seed), drawn in
//! log order: [`Generator::event_id_at`] then knows the id of every position in advance. The
//! same seed and configuration give the same events, payloads, business times and ids.

mod life;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use smes_domain::stored::{self, StoredEvent};
use smes_domain::{Decider, OccurredOn};
use smes_eventlog::{
    AppendRequest, ExpectedVersion, IdSource, Metadata, NewEvent, SteppingClock, StoreOptions, StreamName,
};
use uuid::Uuid;

use life::{Task, World};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// The seed: the same seed gives the same log.
    pub seed: u64,
    /// How many events in all. The log stops at the first command that would pass this number,
    /// so it holds this many or, when that command wrote several events, a few fewer.
    pub events: u64,
    /// The first year of the programme's history.
    pub first_year: i16,
    /// The year the history is planned to end in; the activity rate is chosen so that the log
    /// reaches `events` around then.
    pub last_year: i16,
    /// About how many events each batch holds (at least one request).
    pub batch: usize,
}

impl GeneratorConfig {
    /// 1990 to 2025, batches of 10,000 events.
    pub fn new(seed: u64, events: u64) -> Self {
        GeneratorConfig {
            seed,
            events,
            first_year: 1990,
            last_year: 2025,
            batch: 10_000,
        }
    }
}

/// One batch of appends, in log order.
#[derive(Debug, Clone)]
pub struct GeneratedBatch {
    /// The appends, to be passed whole and in order to `append_batch`.
    pub requests: Vec<AppendRequest>,
    /// How many events the requests hold.
    pub events: u64,
    /// A record time for the batch: the evening of the latest day the log learns of in it,
    /// for a store clock that lets the log's record times follow the simulated history.
    pub recorded_at: Timestamp,
}

/// Counts of what the generator did, for tests and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GeneratorStats {
    /// Events handed out.
    pub events: u64,
    /// Commands the deciders refused (dropped, as a user would drop them).
    pub refused: u64,
    /// Back-dated events: their business date is before the day the log learns of them
    /// (results dated by the period they measure, corrections, commands recorded late).
    pub back_dated: u64,
    /// Events whose business time is before that of an event earlier in the log: what a
    /// checkpoint taken at a position cannot answer a business-date question past. Besides the
    /// back-dated events, this counts every event dated before a consultation already
    /// scheduled for a later day (the app dates a scheduling by the day it is scheduled for).
    pub out_of_order: u64,
    /// Correcting events (counterpart details, results, in-kind values).
    pub corrections: u64,
    /// Activities proposed.
    pub activities: u64,
}

/// The generator: a simulated programme whose commands are decided as they fall due.
pub struct Generator {
    config: GeneratorConfig,
    queue: BinaryHeap<Reverse<Scheduled>>,
    next_sequence: u64,
    world: World,
    emitter: Emitter,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Generator")
            .field("config", &self.config)
            .field("stats", &self.emitter.stats)
            .finish_non_exhaustive()
    }
}

impl Generator {
    /// A generator at the start of `config.first_year`.
    pub fn new(config: GeneratorConfig) -> Self {
        let start = Date::new(config.first_year, 1, 1).expect("the first year is a valid year");
        let mut generator = Generator {
            config,
            queue: BinaryHeap::new(),
            next_sequence: 0,
            world: World::new(config),
            emitter: Emitter::new(config.seed, config.events),
        };
        generator.schedule_at(start, start, Task::Foundation);
        generator.schedule_at(start, start, Task::Year(config.first_year));
        generator
    }

    /// What was generated so far.
    pub fn stats(&self) -> GeneratorStats {
        self.emitter.stats
    }

    /// The id the store gives the event at `position` when it draws its ids from
    /// [`GeneratedIds`] with this generator's seed.
    pub fn event_id_at(&self, position: u64) -> Uuid {
        GeneratedIds::id(self.config.seed, position)
    }

    /// The event-id source a store must use for the log this generator describes.
    pub fn ids(&self) -> GeneratedIds {
        GeneratedIds::new(self.config.seed)
    }

    /// Options for a store (created if missing) that writes this generator's log as it was
    /// simulated: event ids from [`Generator::ids`], and a clock starting at the epoch that the
    /// writer sets to each batch's [`GeneratedBatch::recorded_at`] before appending it.
    pub fn store_options(&self) -> (StoreOptions, Arc<SteppingClock>) {
        let clock = Arc::new(SteppingClock::new(
            Timestamp::UNIX_EPOCH,
            SignedDuration::from_millis(1),
        ));
        let options = StoreOptions {
            clock: clock.clone(),
            ids: Arc::new(self.ids()),
            create: true,
        };
        (options, clock)
    }

    /// The next batch, or `None` once `config.events` events were handed out.
    pub fn next_batch(&mut self) -> Option<GeneratedBatch> {
        let batch = self.config.batch.max(1);
        while !self.emitter.full() && self.emitter.pending_events < batch {
            let Some(Reverse(scheduled)) = self.queue.pop() else {
                break;
            };
            self.emitter.today = scheduled.on;
            self.emitter.known = scheduled.known;
            let follow_ups = self.world.run(scheduled.task, &mut self.emitter);
            for (on, task) in follow_ups {
                let known = self.world.record_date(on, scheduled.known);
                self.schedule_at(on, known, task);
            }
        }
        self.emitter.take_batch()
    }

    fn schedule_at(&mut self, on: Date, known: Date, task: Task) {
        self.next_sequence += 1;
        self.queue.push(Reverse(Scheduled {
            known,
            sequence: self.next_sequence,
            on,
            task,
        }));
    }
}

/// A command due: decided when the log learns of it (`known`), dated `on`.
struct Scheduled {
    known: Date,
    sequence: u64,
    on: Date,
    task: Task,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.known, self.sequence) == (other.known, other.sequence)
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.known, self.sequence).cmp(&(other.known, other.sequence))
    }
}

/// Turns decided events into append requests, as the app's command service encodes them.
pub(crate) struct Emitter {
    rng: SplitMix,
    target: u64,
    /// Events handed out in earlier batches or waiting in this one.
    emitted: u64,
    pending: Vec<AppendRequest>,
    pending_events: usize,
    latest_occurred_at: Option<Timestamp>,
    /// The business date of the command being decided.
    pub(crate) today: Date,
    /// The day the log learns of it.
    pub(crate) known: Date,
    latest_known: Option<Date>,
    pub(crate) stats: GeneratorStats,
}

/// Who records a command, and why.
pub(crate) struct Context {
    pub(crate) role: &'static str,
    pub(crate) reason: Option<String>,
    pub(crate) correction: bool,
}

impl Context {
    pub(crate) fn secretariat() -> Self {
        Context {
            role: "secretariat",
            reason: None,
            correction: false,
        }
    }

    pub(crate) fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub(crate) fn correcting(mut self) -> Self {
        self.correction = true;
        self
    }
}

/// Pseudonymous ids of the people who record commands.
const ACTORS: [&str; 12] = [
    "actor-0b7e41d2",
    "actor-19c2a7f0",
    "actor-2f5d8e13",
    "actor-3a90c6b4",
    "actor-4e12f7a9",
    "actor-5c6b0d38",
    "actor-6d8a2e51",
    "actor-7f3c9b06",
    "actor-8a41e5c7",
    "actor-9b2d6f80",
    "actor-a3e7c912",
    "actor-b5f08d2e",
];

impl Emitter {
    fn new(seed: u64, target: u64) -> Self {
        let start = Date::new(1990, 1, 1).expect("a valid date");
        Emitter {
            rng: SplitMix::new(seed ^ 0x6d65_7461_6461_7461),
            target,
            emitted: 0,
            pending: Vec::new(),
            pending_events: 0,
            latest_occurred_at: None,
            today: start,
            known: start,
            latest_known: None,
            stats: GeneratorStats::default(),
        }
    }

    fn full(&self) -> bool {
        self.emitted >= self.target
    }

    /// Decides a command on an aggregate's state and, unless refused, evolves the state,
    /// advances its version and queues the append. Returns the position of the first event
    /// written, or `None` when refused, when the decision wrote nothing or when the log is full.
    pub(crate) fn decide<D>(
        &mut self,
        state: &mut D::State,
        version: &mut u64,
        command: &D::Command,
        context: Context,
    ) -> Option<u64>
    where
        D: Decider,
        D::Event: StoredEvent + OccurredOn,
    {
        if self.full() {
            return None;
        }
        let events = match D::decide(state, command) {
            Ok(events) => events,
            Err(_) => {
                self.stats.refused += 1;
                return None;
            }
        };
        if events.is_empty() || self.emitted + events.len() as u64 > self.target {
            if !events.is_empty() {
                // The log is full: nothing more is written.
                self.target = self.emitted;
            }
            return None;
        }
        let stream = StreamName::new(D::stream_name(&D::target(command))).expect("stream names from ids are valid");
        let mut previous: Option<Timestamp> = None;
        let mut new_events = Vec::with_capacity(events.len());
        for event in &events {
            let (event_type, schema_version, payload) = stored::encode(event);
            let occurred_at = event
                .occurred_on()
                .map(start_of)
                .or(previous)
                .unwrap_or_else(|| start_of(self.today));
            previous = Some(occurred_at);
            if self.latest_occurred_at.is_some_and(|latest| occurred_at < latest) {
                self.stats.out_of_order += 1;
            }
            if occurred_at < start_of(self.known) {
                self.stats.back_dated += 1;
            }
            self.latest_occurred_at = Some(
                self.latest_occurred_at
                    .map_or(occurred_at, |latest| latest.max(occurred_at)),
            );
            let text = serde_json::to_string(&payload).expect("a JSON value always serialises");
            new_events.push(NewEvent::new(event_type, schema_version, text, occurred_at));
        }
        for event in &events {
            *state = D::evolve(std::mem::take(state), event);
        }
        let first_position = self.emitted + 1;
        let expected_version = ExpectedVersion::Exact(*version);
        *version += events.len() as u64;
        self.emitted += events.len() as u64;
        self.pending_events += events.len();
        self.stats.events += events.len() as u64;
        if context.correction {
            self.stats.corrections += events.len() as u64;
        }
        let metadata = self.metadata(context);
        self.latest_known = Some(self.latest_known.map_or(self.known, |latest| latest.max(self.known)));
        self.pending
            .push(AppendRequest::new(stream, expected_version, new_events, metadata));
        Some(first_position)
    }

    /// Metadata as the app writes it: a pseudonymous actor, a role, the command's id, the
    /// source (most commands typed at the command line, some imported) and the reason.
    fn metadata(&mut self, context: Context) -> Metadata {
        let actor = ACTORS[self.rng.below(ACTORS.len() as u64) as usize];
        let source = if self.rng.chance(20) { "import" } else { "cli" };
        let mut metadata = Metadata::new(actor, context.role, source).with_command_id(self.rng.uuid());
        metadata.reason = context.reason;
        metadata
    }

    fn take_batch(&mut self) -> Option<GeneratedBatch> {
        if self.pending.is_empty() {
            return None;
        }
        let requests = std::mem::take(&mut self.pending);
        let events = std::mem::take(&mut self.pending_events) as u64;
        let known = self.latest_known.unwrap_or(self.known);
        let recorded_at = start_of(known) + jiff::SignedDuration::from_hours(18);
        Some(GeneratedBatch {
            requests,
            events,
            recorded_at,
        })
    }
}

/// The first instant of a date, UTC.
pub(crate) fn start_of(date: Date) -> Timestamp {
    TimeZone::UTC
        .to_timestamp(date.at(0, 0, 0, 0))
        .expect("generated dates are in range")
}

/// Event ids for a generated log: the `n`-th id drawn is a fixed function of the seed and `n`,
/// so that, drawn in log order, the id of each position is known before it is written.
#[derive(Debug)]
pub struct GeneratedIds {
    seed: u64,
    drawn: AtomicU64,
}

impl GeneratedIds {
    /// Ids for the log of `seed`.
    pub fn new(seed: u64) -> Self {
        GeneratedIds {
            seed,
            drawn: AtomicU64::new(0),
        }
    }

    /// The id of the event at `position` (from 1).
    pub fn id(seed: u64, position: u64) -> Uuid {
        let mut rng = SplitMix::new(seed ^ position.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x1d5);
        rng.uuid()
    }
}

impl IdSource for GeneratedIds {
    fn next_id(&self) -> Uuid {
        let position = self.drawn.fetch_add(1, Ordering::Relaxed) + 1;
        GeneratedIds::id(self.seed, position)
    }
}

/// SplitMix64: a small, fast, well-mixed generator, plenty for choosing what to simulate (not
/// for anything secret).
#[derive(Debug, Clone)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `bound` (0 when `bound` is 0).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 { 0 } else { self.next() % bound }
    }

    /// A number from `low` to `high`, both included.
    pub(crate) fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1).max(1) as u64) as i64
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A random (version 4) UUID.
    pub(crate) fn uuid(&mut self) -> Uuid {
        let high = self.next().to_be_bytes();
        let low = self.next().to_be_bytes();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&high);
        bytes[8..].copy_from_slice(&low);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len() as u64) as usize])
    }
}

#[cfg(test)]
mod tests;
