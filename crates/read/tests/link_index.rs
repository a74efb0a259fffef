//! The link index on a real SQLite log: reports read through it equal reports of the whole
//! log, catch-up applies each event once however many processes run it, and readers never see
//! a partly built index while it is rebuilt.

use std::sync::Arc;

use jiff::SignedDuration;
use smes_domain::activity::ActivityEvent;
use smes_domain::values::WorkProgrammeYear;
use smes_eventlog::{EventStore, SqliteEventStore, SteppingClock};
use smes_projections::trace::Subject;
use smes_projections::{Cut, DomainEvent, LinkMap};
use smes_read::index::{self, IndexCheck};
use smes_read::{read_log, report};
use smes_reports::options::Filter;
use smes_reports::snapshot::{self, SnapshotRequest};
use smes_reports::{Format, trace};
use smes_simulate::{Generator, GeneratorConfig};

const SEED: u64 = 77;

/// A log of about `events` generated events, appended in `parts` goes; the store, and a
/// function appending the next part (returns false when there is none).
struct Generated {
    store: Arc<SqliteEventStore>,
    clock: Arc<SteppingClock>,
    generator: Generator,
    _dir: tempfile::TempDir,
}

impl Generated {
    async fn new(events: u64) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let generator = Generator::new(GeneratorConfig {
            seed: SEED,
            events,
            first_year: 2010,
            last_year: 2014,
            batch: 300,
        });
        let (options, clock) = generator.store_options();
        let path = dir.path().join("programme.db");
        let store = SqliteEventStore::open(&path.display().to_string(), options)
            .await
            .expect("the store opens");
        Generated {
            store: Arc::new(store),
            clock,
            generator,
            _dir: dir,
        }
    }

    /// Appends the next batch; false when the log is complete.
    async fn append_next(&mut self) -> bool {
        let Some(batch) = self.generator.next_batch() else {
            return false;
        };
        self.clock.set(batch.recorded_at);
        for outcome in self
            .store
            .append_batch(batch.requests)
            .await
            .expect("the batch appends")
        {
            outcome.expect("each append succeeds");
        }
        true
    }

    async fn append_all(&mut self) {
        while self.append_next().await {}
    }
}

async fn whole_log_index(store: &SqliteEventStore) -> LinkMap {
    let log = read_log(store, None, None).await.expect("the log reads");
    LinkMap::of(&log.envelopes)
}

async fn assert_sound(store: &SqliteEventStore) -> IndexCheck {
    let check = index::check(store)
        .await
        .expect("the check runs")
        .expect("an index is live");
    assert!(check.is_sound(), "the live index differs from the log: {check:?}");
    check
}

/// The questions asked of a log: each year, under several cuts, and some activities' traces.
async fn questions(store: &SqliteEventStore) -> (Vec<SnapshotRequest>, Vec<(Subject, Cut)>) {
    let log = read_log(store, None, None).await.expect("the log reads");
    let head = log.anchor.log_position;
    let middle = &log.envelopes[log.envelopes.len() / 2];
    let date = middle.occurred_at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let cuts = [
        Cut::everything(),
        Cut::as_of(date),
        Cut::known_at(middle.recorded_at),
        Cut::at_position(head / 3),
        Cut::as_of(date).and_known_at(middle.recorded_at + SignedDuration::from_hours(24 * 40)),
    ];
    let mut snapshots = Vec::new();
    for year in 2010..=2014 {
        for cut in cuts {
            snapshots.push(SnapshotRequest {
                year: WorkProgrammeYear::new(year).expect("a year"),
                cut,
                filter: Filter::default(),
            });
        }
    }
    let activities: Vec<_> = log
        .envelopes
        .iter()
        .filter_map(|envelope| match &envelope.event {
            DomainEvent::Activity(ActivityEvent::Proposed(proposed)) => Some(proposed.activity),
            _ => None,
        })
        .collect();
    let mut traces = Vec::new();
    for activity in activities.iter().step_by((activities.len() / 8).max(1)) {
        for cut in cuts {
            traces.push((Subject::Activity(*activity), cut));
        }
    }
    (snapshots, traces)
}

/// The reports made from the whole log, as JSON (or the error's text).
async fn expected(store: &SqliteEventStore, snapshots: &[SnapshotRequest], traces: &[(Subject, Cut)]) -> Vec<String> {
    let mut answers = Vec::new();
    for request in snapshots {
        let log = read_log(store, request.cut.known_at, request.cut.at_position)
            .await
            .expect("the log reads");
        answers.push(render(
            snapshot::build(&log, request)
                .and_then(|report| report.render(Format::Json))
                .map_err(smes_read::Error::from),
        ));
    }
    for (subject, cut) in traces {
        let log = read_log(store, cut.known_at, cut.at_position)
            .await
            .expect("the log reads");
        answers.push(render(
            trace::build(&log, subject.clone(), cut)
                .and_then(|report| report.render(Format::Json))
                .map_err(smes_read::Error::from),
        ));
    }
    answers
}

/// The same reports read through the link index.
async fn through_index(
    store: &SqliteEventStore,
    snapshots: &[SnapshotRequest],
    traces: &[(Subject, Cut)],
) -> Vec<String> {
    let mut answers = Vec::new();
    for request in snapshots {
        answers.push(render(
            report::snapshot(store, index::PAGE, request)
                .await
                .and_then(|report| Ok(report.render(Format::Json)?)),
        ));
    }
    for (subject, cut) in traces {
        answers.push(render(
            report::trace(store, index::PAGE, subject.clone(), cut)
                .await
                .and_then(|report| Ok(report.render(Format::Json)?)),
        ));
    }
    answers
}

fn render(result: smes_read::Result<String>) -> String {
    result.unwrap_or_else(|error| format!("error: {error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_through_the_index_equal_reports_of_the_whole_log() {
    let mut log = Generated::new(4_000).await;
    log.append_all().await;
    let (snapshots, traces) = questions(&log.store).await;
    let expected = expected(&log.store, &snapshots, &traces).await;
    assert!(
        expected.iter().filter(|answer| !answer.starts_with("error")).count() > expected.len() / 2,
        "most questions have an answer"
    );
    let found = through_index(&log.store, &snapshots, &traces).await;
    for (index, (found, expected)) in found.iter().zip(&expected).enumerate() {
        assert_eq!(found, expected, "answer {index}");
    }
    assert_sound(&log.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_applies_each_event_once_however_many_run_it() {
    let mut log = Generated::new(3_000).await;
    let store = log.store.clone();
    let mut rounds = 0;
    while log.append_next().await {
        rounds += 1;
        // Four catch-ups at once, in pages of 37 events: they race for every page.
        let racers: Vec<_> = (0..4)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { index::catch_up(store.as_ref(), 37).await })
            })
            .collect();
        let mut positions = Vec::new();
        for racer in racers {
            positions.push(
                racer
                    .await
                    .expect("the task runs")
                    .expect("the catch-up succeeds")
                    .position,
            );
        }
        let head = store.head().await.expect("the head reads").position;
        assert!(
            positions.iter().all(|position| *position >= head),
            "every catch-up reached the head"
        );
        assert_eq!(assert_sound(&store).await.position, head);
    }
    assert!(rounds > 3);
    // The index holds exactly the links of the whole log, each with its first position.
    let expected = whole_log_index(&store).await;
    let nodes: Vec<String> = expected.iter().map(|(from, _, _)| from.to_owned()).collect();
    let head = store.head().await.expect("the head reads").position;
    let found = store
        .links_from(&nodes, head)
        .await
        .expect("the links read")
        .expect("the index covers the head");
    let found: Vec<(&str, &str, u64)> = found
        .iter()
        .map(|link| (link.from.as_str(), link.to.as_str(), link.position))
        .collect();
    assert_eq!(found, expected.iter().collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_never_see_a_partly_built_index_during_rebuilds() {
    let mut log = Generated::new(3_000).await;
    log.append_all().await;
    let (snapshots, traces) = questions(&log.store).await;
    let snapshots: Vec<_> = snapshots.into_iter().step_by(3).collect();
    let traces: Vec<_> = traces.into_iter().step_by(4).collect();
    let expected = expected(&log.store, &snapshots, &traces).await;
    let store = log.store.clone();
    index::catch_up(store.as_ref(), index::PAGE)
        .await
        .expect("the first catch-up");
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (store, done, expected) = (store.clone(), done.clone(), expected.clone());
        tokio::spawn(async move {
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) || reads == 0 {
                let found = through_index(store.as_ref(), &snapshots, &traces).await;
                assert_eq!(found, expected, "a reader during a rebuild");
                reads += 1;
            }
            reads
        })
    };
    let mut generations = Vec::new();
    for _ in 0..4 {
        // Small pages make each rebuild many transactions long.
        let state = index::rebuild(store.as_ref(), 50, &mut |_, _| {})
            .await
            .expect("the rebuild succeeds");
        generations.push(state.generation);
        tokio::task::yield_now().await;
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let reads = reader.await.expect("the reader never failed");
    assert!(reads >= 1);
    assert!(generations.windows(2).all(|pair| pair[0] < pair[1]), "{generations:?}");
    assert_sound(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_from_another_log_is_refused_naming_the_position() {
    let mut log = Generated::new(1_000).await;
    log.append_all().await;
    // An index whose head names a hash the log does not hold at that position.
    log.store
        .extend_link_index(None, (10, [7; 32]), Vec::new())
        .await
        .expect("the index is written")
        .expect("it was not live");
    let error = index::catch_up(log.store.as_ref(), index::PAGE)
        .await
        .expect_err("the index is refused");
    assert!(
        matches!(error, smes_read::Error::IndexMismatch { position: 10 }),
        "{error}"
    );
    assert!(error.to_string().contains("smes rebuild"), "{error}");
    let request = SnapshotRequest {
        year: WorkProgrammeYear::new(2010).expect("a year"),
        cut: Cut::everything(),
        filter: Filter::default(),
    };
    assert!(
        report::snapshot(log.store.as_ref(), index::PAGE, &request)
            .await
            .is_err()
    );
    // A rebuild replaces it, and reports answer again.
    index::rebuild(log.store.as_ref(), index::PAGE, &mut |_, _| {})
        .await
        .expect("the rebuild succeeds");
    assert_sound(&log.store).await;
    report::snapshot(log.store.as_ref(), index::PAGE, &request)
        .await
        .expect("a snapshot after the rebuild");
}
