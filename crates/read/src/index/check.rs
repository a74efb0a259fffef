//! Checking the live link index against the links the log gives.

use smes_eventlog::{EventStore, Link};

use super::{PAGE, check_belongs};
use crate::decode::decode;
use crate::error::{Error, Result};

/// What [`check`] found: the links the live index should hold but does not, and those it holds
/// with another first position than the log gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexCheck {
    /// The position the live index covers.
    pub position: u64,
    /// Links the log asserts up to that position that the index lacks.
    pub missing: Vec<Link>,
    /// Links the index holds with a first position other than the log's, or that no event of
    /// the log up to that position asserts (among the nodes the log names).
    pub wrong: Vec<Link>,
}

impl IndexCheck {
    /// Whether the index is exactly what the log gives.
    pub fn is_sound(&self) -> bool {
        self.missing.is_empty() && self.wrong.is_empty()
    }
}

/// Compares the live index with the links the log gives up to the position it covers: every
/// link the log asserts must be there with its first position, and every link the index holds
/// from a node the log names must be one of them. Reads the whole log; `None` when no index
/// is live.
pub async fn check(store: &dyn EventStore) -> Result<Option<IndexCheck>> {
    let Some(head) = store.link_index_head().await? else {
        return Ok(None);
    };
    check_belongs(store, &head).await?;
    let mut expected = smes_projections::LinkMap::default();
    let mut next = 1;
    while next <= head.position {
        let events = store.read_all(next, PAGE).await?;
        let Some(last) = events.last() else { break };
        next = last.position + 1;
        for envelope in decode(events)? {
            if envelope.position <= head.position {
                expected.add(&envelope);
            }
        }
    }
    let expected: Vec<Link> = expected
        .iter()
        .map(|(from, to, position)| Link {
            from: from.to_owned(),
            to: to.to_owned(),
            position,
        })
        .collect();
    let mut nodes: Vec<String> = expected.iter().map(|link| link.from.clone()).collect();
    nodes.dedup();
    let Some(found) = store.links_from(&nodes, head.position).await? else {
        return Err(Error::IndexBusy { attempts: 1 });
    };
    let found_set: std::collections::BTreeSet<&Link> = found.iter().collect();
    let expected_set: std::collections::BTreeSet<&Link> = expected.iter().collect();
    Ok(Some(IndexCheck {
        position: head.position,
        missing: expected
            .iter()
            .filter(|link| !found_set.contains(link))
            .cloned()
            .collect(),
        wrong: found
            .iter()
            .filter(|link| !expected_set.contains(link))
            .cloned()
            .collect(),
    }))
}
