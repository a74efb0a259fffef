//! Which personal-data keys the record still needs, and removing the ones it never will.
//!
//! A key is needed while an envelope in the log or an actor's sealed name names it. A key that
//! nothing names sealed nothing the log holds: it was made for a command that was then refused
//! or found to be a retry, by code that did not yet delete such keys, or for a person named by
//! the caller whose command wrote nothing. Such keys hold no one's data, but they pile up;
//! [`audit_keys`] counts them and [`prune_keys`] deletes them. A key made only moments ago may
//! belong to a command still on its way to the log, so pruning spares keys younger than a given
//! age.

use std::collections::HashSet;
use std::fmt;

use futures_util::TryStreamExt;
use jiff::Timestamp;
use serde_json::Value;
use smes_domain::ids::PersonId;
use smes_eventlog::EventStore;

use crate::error::{Error, Result};
use crate::personal_data::KeyStore;

/// What the key store holds, against what the log and the actors name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyAudit {
    /// Keys held.
    pub held: usize,
    /// Held keys that an envelope in the log names.
    pub named_by_events: usize,
    /// Held keys that only an actor's sealed name names.
    pub named_by_actors_only: usize,
    /// Held keys that nothing names, by person.
    pub unnamed: Vec<UnnamedKey>,
}

/// A key that nothing names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnnamedKey {
    /// The person it was made for.
    pub person: PersonId,
    /// Its id.
    pub key_id: String,
}

/// Counts the keys held and those that nothing names. The keys are listed before the log is
/// read, so a key made while the log is read is not judged.
pub async fn audit_keys(store: &dyn EventStore, keys: &dyn KeyStore) -> Result<KeyAudit> {
    let contents = keys.export().await?;
    let mut in_events = HashSet::new();
    let mut events = store.stream_all(1);
    while let Some(event) = events.try_next().await? {
        let payload: Value = serde_json::from_str(event.payload.get()).map_err(|error| {
            Error::Store(smes_eventlog::Error::Payload {
                position: event.position,
                event_type: event.event_type.clone(),
                detail: error.to_string(),
            })
        })?;
        collect_key_ids(&payload, &mut in_events);
    }
    let by_actors: HashSet<&str> = contents.actors.iter().map(|(_, sealed)| sealed.key_id()).collect();
    let mut audit = KeyAudit {
        held: contents.keys.len(),
        ..KeyAudit::default()
    };
    for (person, key) in &contents.keys {
        if in_events.contains(key.key_id.as_str()) {
            audit.named_by_events += 1;
        } else if by_actors.contains(key.key_id.as_str()) {
            audit.named_by_actors_only += 1;
        } else {
            audit.unnamed.push(UnnamedKey {
                person: *person,
                key_id: key.key_id.clone(),
            });
        }
    }
    Ok(audit)
}

/// What pruning did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// The audit pruning acted on.
    pub audit: KeyAudit,
    /// Unnamed keys deleted.
    pub deleted: usize,
    /// Unnamed keys spared for being younger than the cut-off (or no longer the person's key).
    pub spared: usize,
}

/// Deletes the keys nothing names that were made before `made_before`.
pub async fn prune_keys(store: &dyn EventStore, keys: &dyn KeyStore, made_before: Timestamp) -> Result<Pruned> {
    let audit = audit_keys(store, keys).await?;
    let mut deleted = 0;
    for key in &audit.unnamed {
        if keys
            .discard_unused_key(key.person, &key.key_id, Some(made_before))
            .await?
        {
            deleted += 1;
        }
    }
    Ok(Pruned {
        spared: audit.unnamed.len() - deleted,
        deleted,
        audit,
    })
}

/// Adds the key id of every sealed envelope in `value` (an object with a `key_id`, a `nonce`
/// and a `ciphertext`, at any depth) to `found`.
fn collect_key_ids(value: &Value, found: &mut HashSet<String>) {
    match value {
        Value::Object(object) => {
            if let (Some(Value::String(key_id)), true, true) = (
                object.get("key_id"),
                object.contains_key("nonce"),
                object.contains_key("ciphertext"),
            ) {
                found.insert(key_id.clone());
            }
            for inner in object.values() {
                collect_key_ids(inner, found);
            }
        }
        Value::Array(items) => {
            for inner in items {
                collect_key_ids(inner, found);
            }
        }
        _ => {}
    }
}

impl fmt::Display for KeyAudit {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            formatter,
            "{} personal-data keys held: {} named by events, {} by actors only, {} named by nothing",
            self.held,
            self.named_by_events,
            self.named_by_actors_only,
            self.unnamed.len()
        )?;
        for key in &self.unnamed {
            writeln!(formatter, "  unnamed: person {} key {}", key.person, key.key_id)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn envelopes_are_found_at_any_depth_and_nothing_else() {
        let payload = json!({
            "focal_point": {"person": "p1", "key_id": "pdk-1", "nonce": "bg==", "ciphertext": "Yw=="},
            "earlier": [{"sealed": {"person": "p2", "key_id": "pdk-2", "nonce": "bg==", "ciphertext": "Yw=="}}],
            "key_id": "not-an-envelope",
        });
        let mut found = HashSet::new();
        collect_key_ids(&payload, &mut found);
        let mut found: Vec<_> = found.into_iter().collect();
        found.sort();
        assert_eq!(found, ["pdk-1", "pdk-2"]);
    }
}
