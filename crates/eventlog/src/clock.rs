//! The store's clock and id source, injectable so that tests get fixed times, ids and hashes.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

/// Where the store's record times come from.
pub trait Clock: Send + Sync {
    /// The current time. The store never lets record time go backwards, whatever this returns.
    fn now(&self) -> Timestamp;
}

/// Where the store's event ids come from.
pub trait IdSource: Send + Sync {
    /// A new, unique event id.
    fn next_id(&self) -> Uuid;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Random (version 4) UUIDs.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn next_id(&self) -> Uuid {
        Uuid::new_v4()
    }
}

/// A clock for tests: starts at a fixed time and advances by a fixed step at every reading.
#[derive(Debug)]
pub struct SteppingClock {
    next: Mutex<Timestamp>,
    step: SignedDuration,
}

impl SteppingClock {
    /// A clock whose first reading is `start`, each later one `step` after the previous.
    pub fn new(start: Timestamp, step: SignedDuration) -> Self {
        SteppingClock {
            next: Mutex::new(start),
            step,
        }
    }

    /// Moves the clock to `time` (which may be earlier: the store must cope).
    pub fn set(&self, time: Timestamp) {
        *self.next.lock().expect("clock lock") = time;
    }
}

impl Clock for SteppingClock {
    fn now(&self) -> Timestamp {
        let mut next = self.next.lock().expect("clock lock");
        let now = *next;
        *next = now.saturating_add(self.step).expect("a step in range");
        now
    }
}

/// Ids for tests: 1, 2, 3, ... as UUIDs.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
}

impl IdSource for SequentialIds {
    fn next_id(&self) -> Uuid {
        Uuid::from_u128(u128::from(self.next.fetch_add(1, Ordering::Relaxed) + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_clock_steps() {
        let start: Timestamp = "2013-01-01T00:00:00Z".parse().unwrap();
        let clock = SteppingClock::new(start, SignedDuration::from_secs(1));
        assert_eq!(clock.now(), start);
        assert_eq!(clock.now().to_string(), "2013-01-01T00:00:01Z");
    }

    #[test]
    fn sequential_ids_count_from_one() {
        let ids = SequentialIds::default();
        assert_eq!(ids.next_id(), Uuid::from_u128(1));
        assert_eq!(ids.next_id(), Uuid::from_u128(2));
    }
}
