//! Upcasting: stored payloads of an older schema version are converted when read, on every read
//! path, and never rewritten. Verification always hashes the stored bytes.

use std::collections::HashMap;
use std::fmt;

use crate::event::Payload;
use serde_json::Value;

/// Converts a payload of one schema version into the next.
pub type UpcastFn = Box<dyn Fn(Value) -> Result<Value, String> + Send + Sync>;

/// The upcasters of a store, keyed by event type and the version they convert from.
#[derive(Default)]
pub struct Upcasters {
    steps: HashMap<(String, u32), UpcastFn>,
}

impl fmt::Debug for Upcasters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<_> = self.steps.keys().collect();
        keys.sort();
        f.debug_struct("Upcasters").field("steps", &keys).finish()
    }
}

impl Upcasters {
    /// No upcasters: payloads are read as stored.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the step that turns `event_type` payloads of `from_version` into
    /// `from_version + 1`. Steps chain: v1 → v2 → v3.
    pub fn register(
        mut self,
        event_type: impl Into<String>,
        from_version: u32,
        step: impl Fn(Value) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Self {
        self.steps.insert((event_type.into(), from_version), Box::new(step));
        self
    }

    /// Whether no upcaster is registered (reads then skip the look-up entirely).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Brings a payload to the newest version this store knows. Returns `None` when no step
    /// applies (the payload is current), or the new version and payload.
    pub fn upcast(
        &self,
        event_type: &str,
        schema_version: u32,
        payload: &str,
    ) -> Result<Option<(u32, Payload)>, String> {
        if self.steps.is_empty() {
            return Ok(None);
        }
        let mut version = schema_version;
        let mut value: Option<Value> = None;
        while let Some(step) = self.steps.get(&(event_type.to_owned(), version)) {
            let current = match value.take() {
                Some(value) => value,
                None => serde_json::from_str(payload).map_err(|error| error.to_string())?,
            };
            let next = step(current).map_err(|reason| format!("v{version} → v{}: {reason}", version + 1))?;
            if !next.is_object() {
                return Err(format!("v{version} → v{} did not produce a JSON object", version + 1));
            }
            value = Some(next);
            version += 1;
        }
        match value {
            None => Ok(None),
            Some(value) => {
                let text = serde_json::to_string(&value).map_err(|error| error.to_string())?;
                Ok(Some((version, Payload::from_upcast(text))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> &str {
        text
    }

    #[test]
    fn steps_chain_until_the_newest_version() {
        let upcasters = Upcasters::new()
            .register("Renamed", 1, |mut v| {
                let old = v["nm"].take();
                v["name"] = old;
                v.as_object_mut().unwrap().remove("nm");
                Ok(v)
            })
            .register("Renamed", 2, |mut v| {
                v["kind"] = "public".into();
                Ok(v)
            });
        let (version, payload) = upcasters.upcast("Renamed", 1, raw(r#"{"nm":"x"}"#)).unwrap().unwrap();
        assert_eq!(version, 3);
        assert_eq!(payload.get(), r#"{"kind":"public","name":"x"}"#);
        assert!(upcasters.upcast("Renamed", 3, raw("{}")).unwrap().is_none());
        assert!(upcasters.upcast("Other", 1, raw("{}")).unwrap().is_none());
    }

    #[test]
    fn a_failing_step_says_which() {
        let upcasters = Upcasters::new().register("E", 1, |_| Err("missing field x".to_owned()));
        let error = upcasters.upcast("E", 1, raw("{}")).unwrap_err();
        assert_eq!(error, "v1 → v2: missing field x");
    }
}
