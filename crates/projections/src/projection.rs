//! The one shape every read model has.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::envelope::Envelope;

/// A read model: one pure, total fold over envelopes in log order.
///
/// `apply` never fails and never panics, whatever subset of the log it is given: as-of
/// questions fold filtered histories in which an event's predecessors may be missing. Each
/// model documents what it keeps of such orphans. Models serialise deterministically (maps
/// are ordered, lists sorted or in log order) and deserialise back, so a stored model can be
/// resumed.
pub trait Projection: Default + Clone + Serialize + DeserializeOwned {
    /// Applies one event.
    fn apply(&mut self, envelope: &Envelope);

    /// Folds events, in order, into the model.
    fn fold<'a, I>(mut self, events: I) -> Self
    where
        I: IntoIterator<Item = &'a Envelope>,
    {
        for envelope in events {
            self.apply(envelope);
        }
        self
    }
}
