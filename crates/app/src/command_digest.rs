//! The digest a command id is bound to: SHA-256 over the caller's command in one canonical form.
//!
//! The digest is taken of the app's [`AppCommand`] as parsed, before its personal data is
//! sealed: the CLI's flags, its `--json`, an import line and an API body that say the same
//! thing parse to the same command and so give the same digest, whatever their key order,
//! spacing or defaults written out. Sealing draws a fresh nonce (and, for a new person, a fresh
//! key) every time, so a digest of the sealed events could never tell a retry from another
//! command; this one can. Only the digest is stored, never the command, so no personal data in
//! clear reaches the log.

use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::commands::AppCommand;

/// Tells this form from any other the digest might take later.
const FORM: &[u8] = b"smes app command v1\0";

/// SHA-256 of the command in canonical JSON (object keys sorted, no spaces), after a tag naming
/// the form.
pub fn command_digest(command: &AppCommand) -> [u8; 32] {
    let value = serde_json::to_value(command).expect("an app command always serialises");
    let mut canonical = String::new();
    write_canonical(&value, &mut canonical);
    let mut hasher = Sha256::new();
    hasher.update(FORM);
    hasher.update(canonical.as_bytes());
    hasher.finalize().into()
}

/// The id of a record a caller did not name (a new counterpart, a new need), made from the
/// command's id and the field it fills, so that the command retried under the same id names the
/// same record and is the same command. A version-4 UUID like a drawn one.
pub fn id_from_command_id(command_id: Uuid, field: &str) -> Uuid {
    let mut hasher = Sha256::new();
    hasher.update(b"smes id from command id v1\0");
    hasher.update(command_id.as_bytes());
    hasher.update(field.as_bytes());
    let digest: [u8; 32] = hasher.finalize().into();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Writes `value` with every object's keys in sorted order, whatever order the map keeps.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&object[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::CommandLine;

    fn digest_of(line: &str) -> [u8; 32] {
        command_digest(&CommandLine::parse(line).unwrap().command)
    }

    #[test]
    fn the_same_command_written_differently_has_one_digest() {
        let join = r#"{"kind":"join-system","code":"VE","name":"Venezuela","joined_on":"1975-10-17","source":"Panama Convention"}"#;
        let reordered = r#"{ "name": "Venezuela", "source": "Panama Convention", "joined_on": "1975-10-17", "code": "VE", "kind": "join-system" }"#;
        assert_eq!(digest_of(join), digest_of(reordered));
        // The envelope (command id, reason) is not the command.
        let with_envelope = r#"{"kind":"join-system","code":"VE","name":"Venezuela","joined_on":"1975-10-17","source":"Panama Convention","command_id":"00000000-0000-0000-0000-000000000001","why":"backfill"}"#;
        assert_eq!(digest_of(join), digest_of(with_envelope));
    }

    #[test]
    fn another_command_has_another_digest() {
        let join = r#"{"kind":"join-system","code":"VE","name":"Venezuela","joined_on":"1975-10-17","source":"Panama Convention"}"#;
        let other_date = join.replace("1975-10-17", "1975-10-18");
        let other_source = join.replace("Panama Convention", "Panama Convention, article 2");
        assert_ne!(digest_of(join), digest_of(&other_date));
        assert_ne!(digest_of(join), digest_of(&other_source));
    }

    #[test]
    fn ids_made_from_a_command_id_are_stable_distinct_and_version_4() {
        let command = Uuid::from_u128(1);
        let counterpart = id_from_command_id(command, "counterpart");
        assert_eq!(counterpart, id_from_command_id(command, "counterpart"));
        assert_ne!(counterpart, id_from_command_id(command, "need"));
        assert_ne!(counterpart, id_from_command_id(Uuid::from_u128(2), "counterpart"));
        assert_eq!(counterpart.get_version_num(), 4);
    }

    #[test]
    fn keys_are_sorted_at_every_depth() {
        let mut out = String::new();
        let value: Value = serde_json::from_str(r#"{"b":[{"z":1,"a":"x"}],"a":null}"#).unwrap();
        write_canonical(&value, &mut out);
        assert_eq!(out, r#"{"a":null,"b":[{"a":"x","z":1}]}"#);
    }
}
