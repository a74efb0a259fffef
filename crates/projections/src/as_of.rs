//! Fast as-of answers: a model kept at checkpoints along the log, and models kept per
//! business date, that answer any [`Cut`] exactly as the fold of the events it admits.
//!
//! A checkpoint at log position `c` is the fold of the first `c` events. It answers a cut
//! only if the cut admits all of them; record-time and position cuts admit a prefix of the
//! log, so the latest checkpoint inside that prefix plus the few events after it give the
//! answer. A business-date cut does not admit a prefix once back-dated events exist: an
//! event recorded late but back-dated lies after positions the cut rejects. A checkpoint can
//! still be used up to the first event the cut rejects (everything before it is admitted),
//! and the rest of the log is folded through the cut; for a recent date that is cheap, for
//! an old one it is most of the log. So the index also keeps, for chosen business dates
//! (month ends, say), the model of exactly the events that occurred by then: a new event,
//! always the last in log order, is applied to every dated model whose date admits it, which
//! keeps each one equal to the fold of its filtered log. Asked for such a date, the index
//! answers at once.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::cut::{Cut, resume_cut};
use crate::envelope::Envelope;
use crate::projection::Projection;

/// Checkpoints and dated models of one read model, fed the log in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsOfIndex<P> {
    every: u64,
    head: P,
    head_position: u64,
    checkpoints: BTreeMap<u64, P>,
    dated: BTreeMap<Date, P>,
}

impl<P: Projection> AsOfIndex<P> {
    /// An empty index that keeps a checkpoint every `every` events (at least 1) and a model
    /// for each of `business_dates`.
    pub fn new(every: u64, business_dates: impl IntoIterator<Item = Date>) -> Self {
        AsOfIndex {
            every: every.max(1),
            head: P::default(),
            head_position: 0,
            checkpoints: BTreeMap::new(),
            dated: business_dates.into_iter().map(|date| (date, P::default())).collect(),
        }
    }

    /// The model of the whole log fed so far.
    pub fn head(&self) -> &P {
        &self.head
    }

    /// The position of the last event fed.
    pub fn head_position(&self) -> u64 {
        self.head_position
    }

    /// Feeds the next event of the log. Events must come in log order, each once: an event
    /// at or before the head position is ignored, so a repeated catch-up applies nothing
    /// twice.
    pub fn append(&mut self, envelope: &Envelope) {
        if envelope.position <= self.head_position {
            return;
        }
        self.head.apply(envelope);
        self.head_position = envelope.position;
        if self.head_position.is_multiple_of(self.every) {
            self.checkpoints.insert(self.head_position, self.head.clone());
        }
        for (date, model) in &mut self.dated {
            if Cut::as_of(*date).admits(envelope) {
                model.apply(envelope);
            }
        }
    }

    /// The answer to a cut, equal to folding the events of `log` the cut admits. `log` is
    /// the log fed so far, in order (position `n` at index `n - 1`).
    pub fn answer(&self, cut: &Cut, log: &[Envelope]) -> P {
        if let (Some(date), None, None) = (cut.as_of, cut.known_at, cut.at_position)
            && let Some(model) = self.dated.get(&date)
        {
            return model.clone();
        }
        // Every event before `admitted` is admitted by the cut. Without a business date the
        // cut admits a prefix (positions are in commit order and record time never
        // decreases along them, an invariant of the log), so nothing after it is admitted.
        let admitted = if cut.as_of.is_none() {
            log.partition_point(|envelope| cut.admits(envelope))
        } else {
            log.iter()
                .position(|envelope| !cut.admits(envelope))
                .unwrap_or(log.len())
        };
        let end = if cut.as_of.is_none() { admitted } else { log.len() };
        let admitted = u64::try_from(admitted).unwrap_or(u64::MAX);
        let (start, model) = self
            .checkpoints
            .range(..=admitted)
            .next_back()
            .map_or((0, P::default()), |(position, model)| (*position, model.clone()));
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(end);
        resume_cut(model, &log[start..end], cut)
    }
}
