//! The read side measured on a realistic log: a generated programme history (35 years,
//! thousands of activities, back-dated events and corrections; see
//! `smes_projections::generator`) written through the real SQLite store, then:
//!
//! - the full rebuild of every read model (`stream_all` + `smes_read::envelope` + the fold
//!   of `ReadModels`) against the raw scan-and-decode of the same records in the same run, with
//!   its peak memory, and the rebuild taken apart (read only, read and decode, everything);
//! - the link index: rebuilt from the whole log as `smes rebuild` does, and caught up with
//!   1,000 new events at a time, each catch-up one transaction;
//! - snapshots of a year's work programme as of random past business dates and decision traces
//!   of random activities, made as `smes snapshot` and `smes trace` make them: through the link
//!   index, reading only the streams each needs;
//! - catch-up of every read model in memory: 1,000 new events decoded and applied onto a model
//!   of the rest of the log (a reference).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use jiff::Timestamp;
use jiff::civil::Date;
use smes_domain::activity::ActivityEvent;
use smes_domain::ids::ActivityId;
use smes_domain::values::WorkProgrammeYear;
use smes_eventlog::{AppendRequest, EventStore, RecordedEvent, SqliteEventStore, SteppingClock};
use smes_projections::trace::Subject;
use smes_projections::{Cut, DomainEvent, Projection, ReadModels};
use smes_read::envelope::envelope;
use smes_read::{index, report};
use smes_reports::snapshot::SnapshotRequest;
use smes_reports::{Filter, Format};
use smes_simulate::{Generator, GeneratorConfig, GeneratorStats};

use crate::{BenchError, Measurement, peak_memory_mib, rate, raw_scan_decode, reset_peak_memory};

/// The seed of the generated log: the same log in every run.
const SEED: u64 = 2013;

/// The sizes of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    /// Events in the generated log.
    pub events: u64,
    /// Snapshots and traces to time, each.
    pub samples: usize,
    /// New events in a catch-up.
    pub catch_up: u64,
    /// Catch-ups to time.
    pub catch_up_runs: usize,
}

impl Sizes {
    pub(crate) fn new(events: u64, quick: bool) -> Self {
        if quick {
            Sizes {
                events: 4_000,
                samples: 5,
                catch_up: 500,
                catch_up_runs: 5,
            }
        } else {
            let events = events.max(10_000);
            Sizes {
                events,
                samples: 50,
                catch_up: 1_000,
                // The catch-ups hold back at most half the log, so that the index rebuild
                // before them has the other half to read.
                catch_up_runs: (events / 2 / 1_000).min(20) as usize,
            }
        }
    }

    /// Events held back from the generated log for the catch-ups.
    fn hold_back(&self) -> u64 {
        self.catch_up * self.catch_up_runs as u64
    }
}

/// Runs the projection benchmarks and returns their figures, in order.
pub(crate) async fn run(dir: &Path, sizes: Sizes) -> Result<Vec<Measurement>, BenchError> {
    let mut measurements = Vec::new();
    let path = dir.join("programme.db");
    let started = Instant::now();
    let (store, clock, stats, held) = generate(&path, sizes.events, sizes.hold_back()).await?;
    let generated = stats.events;
    let generated_in = started.elapsed();

    // The link index of the log but its held-back tail, built as `smes rebuild` builds it, then
    // caught up as `smes snapshot` catches it up, `catch_up` new events at a time.
    reset_peak_memory();
    let started = Instant::now();
    let built = index::rebuild(&store, index::PAGE, &mut |_, _| {}).await?;
    let index_rebuild = rate(built.position, started.elapsed());
    let index_rebuild_peak = peak_memory_mib();
    let mut index_catch_up = Vec::new();
    let mut held = held.into_iter().peekable();
    while held.peek().is_some() {
        let mut chunk = Vec::new();
        let mut size = 0u64;
        while size < sizes.catch_up
            && let Some((request, recorded_at)) = held.next()
        {
            size += request.events.len() as u64;
            chunk.push((request, recorded_at));
        }
        append_in_order(&store, &clock, chunk).await?;
        let started = Instant::now();
        index::catch_up(&store, index::PAGE).await?;
        index_catch_up.push((started.elapsed(), size));
    }
    measurements.push(Measurement {
        name: "generate the programme log and append it (deciders, encoding, store)",
        value: rate(generated, generated_in),
        unit: "events/s",
        goal: None,
    });
    measurements.push(Measurement {
        name: "generated log: events (activities; back-dated; out of order; corrections)",
        value: generated as f64,
        unit: "events",
        goal: Some((
            format!(
                "≥ 5% back-dated ({} activities; {} back-dated, {:.1}%; {:.1}% out of order; {} corrections)",
                stats.activities,
                stats.back_dated,
                100.0 * stats.back_dated as f64 / generated as f64,
                100.0 * stats.out_of_order as f64 / generated as f64,
                stats.corrections
            ),
            stats.back_dated * 20 >= generated,
        )),
    });

    // The ceiling: raw scan and decode of the same records, then the rebuild and its parts.
    // The read-only pass first, so that every pass after it finds the file in the page cache.
    let read_only = timed_pass(&store, Pass::Read).await?;
    let raw = raw_scan_decode(&path)?;
    let decoded = timed_pass(&store, Pass::Decode).await?;
    reset_peak_memory();
    let rebuild = timed_pass(&store, Pass::Rebuild).await?;
    let rebuild_peak = peak_memory_mib();
    let ratio = rebuild.rate / raw;
    let per_event = |seconds: f64| seconds * 1e6 / rebuild.events.max(1) as f64;
    measurements.push(Measurement {
        name: "full rebuild of every read model (stream_all, decode, fold)",
        value: rebuild.rate,
        unit: "events/s",
        goal: Some((
            format!(
                "≥ 0.5 × raw scan and decode (ratio {ratio:.2}; {} events; per event: read {:.2} µs, decode {:.2} µs, \
                 fold {:.2} µs)",
                rebuild.events,
                per_event(read_only.seconds),
                per_event(decoded.seconds - read_only.seconds),
                per_event(rebuild.seconds - decoded.seconds)
            ),
            ratio >= 0.5 && rebuild.events == generated,
        )),
    });
    if let Some(peak) = rebuild_peak {
        measurements.push(Measurement {
            name: "peak memory (RSS) of the process while rebuilding",
            value: peak,
            unit: "MiB",
            goal: Some(("< 256 MiB".into(), peak < 256.0)),
        });
    }
    measurements.push(Measurement {
        name: "raw scan and decode of the same records (reference)",
        value: raw,
        unit: "events/s",
        goal: None,
    });
    measurements.push(Measurement {
        name: "rebuild, part: stream_all only",
        value: read_only.rate,
        unit: "events/s",
        goal: None,
    });
    measurements.push(Measurement {
        name: "rebuild, part: stream_all and smes_read::envelope",
        value: decoded.rate,
        unit: "events/s",
        goal: None,
    });
    // The link index is the read model kept in the database: its rebuild is the rebuild
    // `smes rebuild` runs, measured against the raw scan and decode of the same run.
    measurements.push(Measurement {
        name: "link index: rebuild from the whole log beside the live one (smes rebuild)",
        value: index_rebuild,
        unit: "events/s",
        goal: Some((
            format!(
                "≥ 0.5 × raw scan and decode (ratio {:.2}; {} events)",
                index_rebuild / raw,
                built.position
            ),
            index_rebuild / raw >= 0.5,
        )),
    });
    if let Some(peak) = index_rebuild_peak {
        measurements.push(Measurement {
            name: "peak memory (RSS) of the process while rebuilding the link index",
            value: peak,
            unit: "MiB",
            goal: Some((
                "< 256 MiB (the process's peak so far, reset before the rebuild)".into(),
                peak < 256.0,
            )),
        });
    }
    let mut catch_up_times: Vec<Duration> = index_catch_up.iter().map(|(time, _)| *time).collect();
    let caught_up = index_catch_up.first().map_or(0, |(_, size)| *size);
    let (median, slowest) = median_and_slowest(&mut catch_up_times);
    measurements.push(Measurement {
        name: "catch-up of new events into the persisted link index (read, decode, links, one transaction; median)",
        value: median,
        unit: "ms",
        goal: Some((
            format!(
                "< 50 ms for 1,000 (about {caught_up} events each, {} runs, slowest {slowest:.2} ms)",
                catch_up_times.len()
            ),
            median < 50.0 * caught_up.max(1) as f64 / 1_000.0,
        )),
    });

    // Catch-up: the model of all but the last events, then those decoded and applied.
    let (model, tail, activities, last_date) = model_and_tail(&store, generated, sizes.catch_up).await?;
    let mut catch_up_times = Vec::new();
    for _ in 0..sizes.catch_up_runs {
        let mut caught_up = model.clone();
        let started = Instant::now();
        for recorded in &tail {
            caught_up.apply(&envelope(recorded)?);
        }
        catch_up_times.push(started.elapsed());
        std::hint::black_box(&caught_up);
    }
    drop(model);
    let (median, slowest) = median_and_slowest(&mut catch_up_times);
    measurements.push(Measurement {
        name: "catch-up of new events onto every read model in memory (decode and apply; median)",
        value: median,
        unit: "ms",
        goal: Some((
            format!(
                "(reference) {} events, {} runs, slowest {slowest:.2} ms",
                tail.len(),
                catch_up_times.len()
            ),
            true,
        )),
    });

    // Snapshots as of random past business dates and traces of random activities, made as
    // `smes snapshot` and `smes trace` make them: through the link index (caught up first),
    // reading only the streams each needs, folding them under the cut and rendering Markdown.
    let mut random = Lcg(SEED);
    let first = Date::new(GeneratorConfig::new(SEED, 0).first_year, 1, 1).expect("a valid date");
    let span = (last_date - first).get_days().max(1);
    let mut questions = Vec::new();
    for _ in 0..sizes.samples {
        let date = first
            .checked_add(jiff::Span::new().days(random.below(span as u64) as i64))
            .unwrap_or(first);
        let year = WorkProgrammeYear::new(date.year()).map_err(|error| BenchError::Command(error.to_string()))?;
        let activity = *activities
            .get(random.below(activities.len() as u64) as usize)
            .ok_or_else(|| BenchError::Command("the generated log has no activity".to_owned()))?;
        questions.push((year, date, activity));
    }
    let mut snapshot_times = Vec::new();
    let mut trace_times = Vec::new();
    reset_peak_memory();
    for (year, date, activity) in &questions {
        snapshot_times.push(snapshot_of(&store, *year, *date).await?);
        trace_times.push(trace_of(&store, *activity).await?);
    }
    let report_peak = peak_memory_mib();
    let (median, slowest) = median_and_slowest(&mut snapshot_times);
    measurements.push(Measurement {
        name: "snapshot of a year's work programme as of a random past date (median)",
        value: median,
        unit: "ms",
        goal: Some((
            format!("< 50 ms ({} dates, slowest {slowest:.1} ms)", snapshot_times.len()),
            median < 50.0,
        )),
    });
    let (median, slowest) = median_and_slowest(&mut trace_times);
    measurements.push(Measurement {
        name: "trace of a random activity (median)",
        value: median,
        unit: "ms",
        goal: Some((
            format!("< 20 ms ({} activities, slowest {slowest:.1} ms)", trace_times.len()),
            median < 20.0,
        )),
    });
    if let Some(peak) = report_peak {
        measurements.push(Measurement {
            name: "peak memory (RSS) of the process while making snapshots and traces",
            value: peak,
            unit: "MiB",
            goal: None,
        });
    }
    Ok(measurements)
}

/// Requests held back from the generated log, each with the record time of its batch.
type HeldBack = Vec<(AppendRequest, Timestamp)>;

/// Writes the generated log through the store, one batch of about 10,000 events at a time, with
/// the generator's event ids and record times that follow the simulated history, but for the
/// last requests holding at least `hold_back` events, which are returned to be appended later.
async fn generate(
    path: &Path,
    events: u64,
    hold_back: u64,
) -> Result<(SqliteEventStore, Arc<SteppingClock>, GeneratorStats, HeldBack), BenchError> {
    let mut generator = Generator::new(GeneratorConfig::new(SEED, events));
    let (options, clock) = generator.store_options();
    let store = SqliteEventStore::open(&path.display().to_string(), options).await?;
    let mut held: std::collections::VecDeque<(AppendRequest, Timestamp)> = std::collections::VecDeque::new();
    let mut held_events = 0u64;
    while let Some(batch) = generator.next_batch() {
        for request in batch.requests {
            held_events += request.events.len() as u64;
            held.push_back((request, batch.recorded_at));
        }
        let mut ready = Vec::new();
        while let Some((front, _)) = held.front() {
            let size = front.events.len() as u64;
            if held_events - size < hold_back {
                break;
            }
            held_events -= size;
            ready.extend(held.pop_front());
        }
        append_in_order(&store, &clock, ready).await?;
    }
    Ok((store, clock, generator.stats(), held.into_iter().collect()))
}

/// Appends requests in order, each group of one record time in one batch.
async fn append_in_order(
    store: &SqliteEventStore,
    clock: &SteppingClock,
    requests: HeldBack,
) -> Result<(), BenchError> {
    let mut requests = requests.into_iter().peekable();
    while let Some((first, recorded_at)) = requests.next() {
        let mut group = vec![first];
        while let Some((request, _)) = requests.next_if(|(_, at)| *at == recorded_at) {
            group.push(request);
        }
        clock.set(recorded_at);
        for outcome in store.append_batch(group).await? {
            outcome?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// `stream_all` only.
    Read,
    /// `stream_all` and `smes_read::envelope`.
    Decode,
    /// Both, and the fold of every read model.
    Rebuild,
}

struct Timed {
    events: u64,
    seconds: f64,
    rate: f64,
}

async fn timed_pass(store: &SqliteEventStore, pass: Pass) -> Result<Timed, BenchError> {
    let started = Instant::now();
    let mut models = ReadModels::default();
    let mut events = 0u64;
    let mut stream = store.stream_all(1);
    while let Some(recorded) = stream.try_next().await? {
        events += 1;
        match pass {
            Pass::Read => {
                std::hint::black_box(&recorded);
            }
            Pass::Decode => {
                std::hint::black_box(envelope(&recorded)?);
            }
            Pass::Rebuild => models.apply(&envelope(&recorded)?),
        }
    }
    drop(stream);
    let elapsed = started.elapsed();
    std::hint::black_box(&models);
    Ok(Timed {
        events,
        seconds: elapsed.as_secs_f64(),
        rate: rate(events, elapsed),
    })
}

/// The model of the log but its last `tail` events, those events as read, the activities
/// proposed, and the latest business date of the log.
async fn model_and_tail(
    store: &SqliteEventStore,
    events: u64,
    tail: u64,
) -> Result<(ReadModels, Vec<RecordedEvent>, Vec<ActivityId>, Date), BenchError> {
    let first_new = events.saturating_sub(tail) + 1;
    let mut model = ReadModels::default();
    let mut new_events = Vec::new();
    let mut activities = Vec::new();
    let mut latest = Timestamp::UNIX_EPOCH;
    let mut stream = store.stream_all(1);
    while let Some(recorded) = stream.try_next().await? {
        latest = latest.max(recorded.occurred_at);
        if recorded.position >= first_new {
            new_events.push(recorded);
            continue;
        }
        let envelope = envelope(&recorded)?;
        if let DomainEvent::Activity(ActivityEvent::Proposed(proposed)) = &envelope.event {
            activities.push(proposed.activity);
        }
        model.apply(&envelope);
    }
    drop(stream);
    let last_date = jiff::tz::TimeZone::UTC.to_datetime(latest).date();
    Ok((model, new_events, activities, last_date))
}

/// A snapshot of a year as of a date, rendered in Markdown, as `smes snapshot` makes it.
async fn snapshot_of(store: &SqliteEventStore, year: WorkProgrammeYear, date: Date) -> Result<Duration, BenchError> {
    let started = Instant::now();
    let request = SnapshotRequest {
        year,
        cut: Cut::as_of(date),
        filter: Filter::default(),
    };
    let built = report::snapshot(store, index::PAGE, &request).await?;
    std::hint::black_box(built.render(Format::Markdown)?);
    Ok(started.elapsed())
}

/// The decision trace of an activity, rendered in Markdown, as `smes trace` makes it.
async fn trace_of(store: &SqliteEventStore, activity: ActivityId) -> Result<Duration, BenchError> {
    let started = Instant::now();
    let built = report::trace(store, index::PAGE, Subject::Activity(activity), &Cut::everything()).await?;
    std::hint::black_box(built.render(Format::Markdown)?);
    Ok(started.elapsed())
}

/// Sorts the times and returns the median and the slowest, in milliseconds.
fn median_and_slowest(times: &mut [Duration]) -> (f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0);
    }
    times.sort();
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[times.len() - 1]))
}

/// A small linear congruential generator: enough to pick dates and activities reproducibly.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catch_ups_leave_most_of_a_small_log_to_the_rebuild() {
        for events in [0, 10_000, 20_000, 39_999, 40_000, 1_000_000] {
            let sizes = Sizes::new(events, false);
            assert!(sizes.catch_up_runs >= 1, "{events}: {sizes:?}");
            assert!(sizes.hold_back() * 2 <= sizes.events, "{events}: {sizes:?}");
        }
        assert_eq!(Sizes::new(1_000_000, false).hold_back(), 20_000);
        let quick = Sizes::new(1_000_000, true);
        assert!(quick.hold_back() < quick.events, "{quick:?}");
    }

    #[test]
    fn medians_and_slowest_are_in_milliseconds() {
        let mut times = [3, 1, 2, 10].map(Duration::from_millis);
        assert_eq!(median_and_slowest(&mut times), (3.0, 10.0));
        assert_eq!(median_and_slowest(&mut []), (0.0, 0.0));
    }

    #[test]
    fn the_random_picks_stay_in_range_and_repeat() {
        let mut first = Lcg(1);
        let mut second = Lcg(1);
        for _ in 0..1_000 {
            let pick = first.below(37);
            assert!(pick < 37);
            assert_eq!(pick, second.below(37));
        }
    }

    /// The generator dates events as the app does: each event is filed under the business date
    /// the domain gives it, or, without one, the date of the event before it in its command.
    #[test]
    fn generated_business_dates_are_the_domains() {
        use smes_domain::OccurredOn;
        use smes_projections::DomainEvent;

        let mut generator = Generator::new(GeneratorConfig {
            batch: 500,
            ..GeneratorConfig::new(5, 3_000)
        });
        let mut checked = 0;
        while let Some(batch) = generator.next_batch() {
            for request in batch.requests {
                let mut previous = None;
                for event in request.events {
                    let filed_on = jiff::tz::TimeZone::UTC.to_datetime(event.occurred_at).date();
                    let decoded =
                        DomainEvent::decode_text(&event.event_type, event.schema_version, &event.payload, filed_on)
                            .expect("a known type")
                            .expect("a valid payload");
                    // Only a Member State's change whose date no source gives has none of its
                    // own: it is filed under the day the simulation records it.
                    let expected = decoded.occurred_on().or(previous).unwrap_or_else(|| {
                        assert!(matches!(decoded, DomainEvent::MemberState(_)), "{}", event.payload);
                        filed_on
                    });
                    assert_eq!(filed_on, expected, "{}", event.payload);
                    assert_eq!(
                        jiff::tz::TimeZone::UTC.to_timestamp(filed_on.at(0, 0, 0, 0)).unwrap(),
                        event.occurred_at
                    );
                    previous = Some(expected);
                    checked += 1;
                }
            }
        }
        assert!(checked > 2_900, "{checked}");
    }
}
