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

    /// Digests are stored with the command ids: a retried command must keep its digest
    /// whatever shape the app reads the command into, so these are pinned byte for byte.
    #[test]
    fn digests_of_recorded_commands_do_not_change() {
        let lines = [
            r#"{"kind":"join-system","code":"VE","name":"Venezuela","joined_on":"1975-10-17","source":"Panama Convention"}"#,
            r#"{"kind":"leave-system","code":"VE","source":"Panama Convention"}"#,
            r#"{"kind":"open-work-programme","year":2013,"estimated_budget":{"amount":"200000","currency":"USD","value_date":"2012-10-17"},"opened_on":"2012-10-17"}"#,
            r#"{"kind":"adopt-work-programme","year":2013,"decision":{"body":{"body":"latin-american-council","decision_number":"N° 540"},"reference":"SP/CL/XXXVIII.O/DC N° 540","rationale":"Work programme 2013","decided_on":"2013-01-25"}}"#,
            r#"{"kind":"close-work-programme","year":2013,"closed_on":"2013-12-31"}"#,
            r#"{"kind":"record-review-findings","review":"5e1a0000-0000-4000-8000-000000000301","findings":["more seminars"],"recorded_on":"2014-02-01"}"#,
            r#"{"kind":"close-consultation","consultation":"5e1a0000-0000-4000-8000-000000000002","closed_on":"2013-03-01"}"#,
            r#"{"kind":"join-counterpart","counterpart":"5e1a0000-0000-4000-8000-000000000101","name":"SEBRAE","counterpart_kind":"mixed","member_state":"BR","thematic_areas":["financing"],"focal_point":{"name":"Ana","email":"ana@example.org"},"joined_on":"2013-01-10"}"#,
            r#"{"kind":"revise-work-programme","year":2013,"revised_budget":{"amount":"180000.50","currency":"USD","value_date":"2013-06-01"},"reason":"fewer seminars","revised_on":"2013-06-01"}"#,
            r#"{"kind":"open-review","review":"5e1a0000-0000-4000-8000-000000000301","period":{"start":"2013-01-01","end":"2013-12-31"},"opened_on":"2014-01-15"}"#,
        ];
        let expected = [
            "6e1be2b4e681a4d819334b66cd5a10be1bc40b9c3cfac2744f06e804adec45de",
            "520acdde61da99c7c0258980314cee8ed150949d40e43b83d0f02895969bc03f",
            "56dd49cc930f897378a92f6b5dbb9ddd2e846b2502403446297c12c1cfa89d51",
            "706fb4f8d2ade486d49914c84d225b9e6014c7b92b1501f18811217fa8ab1dbf",
            "5e735bb3c33daff886c4ac1514f584f3a478edbc72cde299ec1781c29f245840",
            "706f7564fee7dfb080c5da10167c63563c2b3bd15eb0de729300da62f05d0878",
            "f2c1277309cc5e8bd2639c46b6127d26c1bb503b672486ff06e634cd31a4f76e",
            "6b8cfb87b1beafae64be167f4db1508bd596852a697643b62d466e8c9c93133b",
            "e8fb4307b32e95055e41ff3301f811ea11e46b696aafdfc1979c2f53b36c31e8",
            "c8cf59bf4011b6d2a992e7b17acf3d36c653f205cde09319c9a480a488bf4776",
        ];
        let digests: Vec<String> = lines
            .iter()
            .map(|line| digest_of(line).iter().map(|byte| format!("{byte:02x}")).collect())
            .collect();
        assert_eq!(digests, expected);
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
