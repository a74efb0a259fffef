//! The link index: a small read model kept beside the log, rebuildable from it.
//!
//! A row `(from, to, position)` says that node `from` reaches node `to`, first asserted by the
//! event at `position`. Nodes are plain strings: stream names (`activity-<uuid>`) or pseudo-nodes
//! (`need-<uuid>`, `years`). Reports look up which streams a view needs and then read only those
//! ([`crate::EventStore::read_streams`]). The index is derived data: it is not part of the hash
//! chain, may be deleted and rebuilt at any time, and holds ids only, never personal data.
//!
//! The index lives in numbered generations. One generation is live, with a head: the log
//! position (and that event's hash) whose links it holds. Readers read the live generation as it
//! stood in one snapshot; writers extend it in one transaction that first checks the head
//! ([`crate::EventStore::extend_link_index`]), or build a whole new generation beside it and
//! make that live in one transaction ([`crate::EventStore::finish_link_index_build`]). See
//! docs/eventlog.md, "The link index".

use std::collections::{BTreeMap, BTreeSet};

use smes_verify::Hash;

use crate::error::{Error, Result};

/// One link of the link index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Link {
    /// The node that reaches `to`.
    pub from: String,
    /// The node reached.
    pub to: String,
    /// The log position of the event that first asserted the link.
    pub position: u64,
}

impl Link {
    /// The link `from` → `to`, first asserted at `position`.
    pub fn new(from: impl Into<String>, to: impl Into<String>, position: u64) -> Self {
        Link {
            from: from.into(),
            to: to.into(),
            position,
        }
    }
}

/// Where the live link index stands: its generation and the log position (with that event's
/// hash) it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkIndexHead {
    /// The live generation.
    pub generation: u64,
    /// The last log position whose links the generation holds.
    pub position: u64,
    /// The hash of the event at `position`.
    pub hash: Hash,
}

/// The one row that says where the link index stands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoredHead {
    /// The live generation and its head, if a generation was made live.
    pub(crate) live: Option<LinkIndexHead>,
    /// The greatest generation number handed out so far (0 before the first).
    pub(crate) last_generation: u64,
}

impl StoredHead {
    /// Whether the live head is the one the caller expected (same generation and position).
    pub(crate) fn is_expected(&self, expected: Option<LinkIndexHead>) -> bool {
        match (self.live, expected) {
            (None, None) => true,
            (Some(live), Some(expected)) => {
                live.generation == expected.generation && live.position == expected.position
            }
            _ => false,
        }
    }

    /// The generation an extend writes into: the live one, or a new one when none is live.
    pub(crate) fn extended_generation(&self) -> u64 {
        self.live.map_or(self.last_generation + 1, |live| live.generation)
    }

    /// Refuses to write into or finish `generation` unless it is the build begun last and is
    /// not live.
    pub(crate) fn check_building(&self, generation: u64) -> Result<()> {
        if self.live.is_some_and(|live| live.generation == generation) {
            return Err(link_error(format!(
                "generation {generation} is live; a live generation is only extended, never written as a build"
            )));
        }
        if generation > self.last_generation || generation == 0 {
            return Err(link_error(format!(
                "generation {generation} was never begun (the last generation handed out is {})",
                self.last_generation
            )));
        }
        if generation < self.last_generation {
            return Err(link_error(format!(
                "generation {generation} was superseded by generation {}, begun later; begin the build again",
                self.last_generation
            )));
        }
        Ok(())
    }
}

/// A link-index error with `detail`.
pub(crate) fn link_error(detail: String) -> Error {
    Error::LinkIndex { detail }
}

/// Refuses an extend whose `through` lies before the head it expects.
pub(crate) fn check_through(expected: Option<LinkIndexHead>, through: u64) -> Result<()> {
    match expected {
        Some(expected) if through < expected.position => Err(link_error(format!(
            "cannot extend the index through position {through}: it already covers position {}",
            expected.position
        ))),
        _ => Ok(()),
    }
}

/// Each `(from, to)` once, with the smallest position given for it, in `(from, to)` order.
pub(crate) fn first_positions(links: Vec<Link>) -> Vec<Link> {
    let mut first: BTreeMap<(String, String), u64> = BTreeMap::new();
    for link in links {
        first
            .entry((link.from, link.to))
            .and_modify(|position| *position = (*position).min(link.position))
            .or_insert(link.position);
    }
    first
        .into_iter()
        .map(|((from, to), position)| Link { from, to, position })
        .collect()
}

/// Each name once, sorted.
pub(crate) fn distinct<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names.into_iter().collect::<BTreeSet<_>>().into_iter().collect()
}

/// The smallest whole number of microseconds since 1970 at or after `instant`: records hold
/// their business time in whole microseconds, so an event occurred before `instant` exactly
/// when its stored microseconds are below this.
pub(crate) fn micros_from(instant: jiff::Timestamp) -> i64 {
    let micros = instant.as_microsecond();
    match jiff::Timestamp::from_microsecond(micros) {
        Ok(whole) if whole < instant => micros.saturating_add(1),
        _ => micros,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_time_bounds_round_up_to_whole_microseconds() {
        let whole: jiff::Timestamp = "2013-03-01T00:00:00Z".parse().unwrap();
        assert_eq!(micros_from(whole), whole.as_microsecond());
        let later = whole + jiff::SignedDuration::from_nanos(1);
        assert_eq!(micros_from(later), whole.as_microsecond() + 1);
        let before_1970: jiff::Timestamp = "1969-12-31T23:59:59.9999995Z".parse().unwrap();
        assert_eq!(micros_from(before_1970), 0);
    }

    #[test]
    fn first_positions_keep_the_smallest_and_sort() {
        let links = vec![
            Link::new("b", "x", 7),
            Link::new("a", "y", 3),
            Link::new("b", "x", 2),
            Link::new("b", "x", 9),
        ];
        assert_eq!(
            first_positions(links),
            vec![Link::new("a", "y", 3), Link::new("b", "x", 2)]
        );
    }

    #[test]
    fn building_checks_name_what_is_wrong() {
        let head = StoredHead {
            live: Some(LinkIndexHead {
                generation: 2,
                position: 5,
                hash: [0; 32],
            }),
            last_generation: 4,
        };
        assert!(head.check_building(4).is_ok());
        assert!(head.check_building(2).unwrap_err().to_string().contains("is live"));
        assert!(head.check_building(3).unwrap_err().to_string().contains("superseded"));
        assert!(head.check_building(5).unwrap_err().to_string().contains("never begun"));
        assert!(head.is_expected(Some(LinkIndexHead {
            generation: 2,
            position: 5,
            hash: [1; 32],
        })));
        assert!(!head.is_expected(None));
        assert!(check_through(head.live, 4).is_err());
        assert!(check_through(head.live, 5).is_ok());
    }
}
