//! Checking records copied from another log, before a backend writes them: the checks every
//! backend's [`crate::EventStore::append_raw`] shares. A backend reads its head, the current
//! versions of the streams the records touch and the command ids already held, inside its
//! write transaction, and hands them here; whatever is refused leaves the log as it was.

use std::collections::{HashMap, HashSet};

use smes_verify::{ChainVerifier, EventRecord, Hash, StoredRow};

use crate::codec::{checked_micros, format_micros, parse_time};
use crate::error::{Error, Result};
use crate::event::{CommandEntry, Head, RawRecord};

/// One copied record, checked, with the columns a backend stores beside it.
#[derive(Debug)]
pub(crate) struct CheckedRecord<'a> {
    pub(crate) position: u64,
    pub(crate) stream: String,
    pub(crate) version: u64,
    pub(crate) event_type: String,
    pub(crate) occurred_at_micros: i64,
    pub(crate) recorded_at_micros: i64,
    pub(crate) record: &'a str,
    pub(crate) hash: Hash,
}

fn refused(position: u64, detail: impl Into<String>) -> Error {
    Error::CopyRefused {
        position,
        detail: detail.into(),
    }
}

fn micros(position: u64, field: &str, text: &str) -> Result<i64> {
    parse_time(text)
        .and_then(checked_micros)
        .ok_or_else(|| refused(position, format!("{field} {text:?} is not a time the log can hold")))
}

/// Checks that `records` extend the chain whose head is `head` (position, hash, record time in
/// microseconds; `None` for an empty log) and returns them with their columns.
pub(crate) fn check_chain<'a>(
    head: Option<(u64, Hash, i64)>,
    records: &'a [RawRecord],
) -> Result<Vec<CheckedRecord<'a>>> {
    let mut verifier = match head {
        Some((position, hash, recorded_at)) => ChainVerifier::after(position, hash, &format_micros(recorded_at)),
        None => ChainVerifier::new(),
    };
    let mut checked = Vec::with_capacity(records.len());
    for raw in records {
        let position = raw.position;
        let record = EventRecord::decode(&raw.record)
            .map_err(|error| refused(position, format!("the record is malformed: {error}")))?;
        verifier.check(&StoredRow {
            position,
            stream: &record.stream,
            version: record.version,
            record: &raw.record,
            hash: &raw.hash,
        })?;
        if record.version == 0 {
            return Err(refused(position, "stream versions start at 1"));
        }
        checked.push(CheckedRecord {
            position,
            occurred_at_micros: micros(position, "occurred_at", &record.occurred_at)?,
            recorded_at_micros: micros(position, "recorded_at", &record.recorded_at)?,
            stream: record.stream.into_owned(),
            version: record.version,
            event_type: record.event_type.into_owned(),
            record: &raw.record,
            hash: raw.hash,
        });
    }
    Ok(checked)
}

/// The log's head once the records are appended after `head`.
pub(crate) fn new_head(head: Option<(u64, Hash, i64)>, records: &[CheckedRecord<'_>]) -> Head {
    match (records.last(), head) {
        (Some(last), _) => Head {
            position: last.position,
            hash: last.hash,
        },
        (None, Some((position, hash, _))) => Head { position, hash },
        (None, None) => Head {
            position: 0,
            hash: smes_verify::GENESIS_HASH,
        },
    }
}

/// The streams the records touch, each once, in order of first appearance.
pub(crate) fn streams<'a>(records: &'a [CheckedRecord<'_>]) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    records
        .iter()
        .map(|record| record.stream.as_str())
        .filter(|stream| seen.insert(*stream))
        .collect()
}

/// Checks that each stream continues without a gap from its current version in the log
/// (`current`, 0 or absent for a new stream).
pub(crate) fn check_versions(records: &[CheckedRecord<'_>], current: &HashMap<String, u64>) -> Result<()> {
    let mut versions: HashMap<&str, u64> = HashMap::new();
    for record in records {
        let last = versions
            .get(record.stream.as_str())
            .copied()
            .unwrap_or_else(|| current.get(&record.stream).copied().unwrap_or(0));
        if record.version != last + 1 {
            return Err(refused(
                record.position,
                format!(
                    "stream {} is at version {last} here, so the next event is version {}, not {}",
                    record.stream,
                    last + 1,
                    record.version
                ),
            ));
        }
        versions.insert(&record.stream, record.version);
    }
    Ok(())
}

/// The facts of a stored event a command entry is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventFacts {
    pub(crate) stream: String,
    pub(crate) version: u64,
    pub(crate) recorded_at_micros: i64,
}

/// The first positions of the command entries that start before the records (an append split
/// between two batches of a copy): the backend looks their events up in the log.
pub(crate) fn starts_before(records: &[CheckedRecord<'_>], commands: &[CommandEntry]) -> Vec<u64> {
    let first = records.first().map_or(u64::MAX, |record| record.position);
    commands
        .iter()
        .map(|entry| entry.first_position)
        .filter(|position| *position < first)
        .collect()
}

/// Checks that each command entry describes one append whose last event is among `records` and
/// whose first is among them or in the log already (`earlier`, by position), with their stream,
/// versions and record time, and names a command id that neither the log (`held`) nor another
/// entry holds.
pub(crate) fn check_commands(
    records: &[CheckedRecord<'_>],
    commands: &[CommandEntry],
    earlier: &HashMap<u64, EventFacts>,
    held: &HashSet<String>,
) -> Result<()> {
    let Some(first) = records.first().map(|record| record.position) else {
        return match commands.first() {
            Some(entry) => Err(refused(
                entry.first_position,
                "a command entry without the records it wrote",
            )),
            None => Ok(()),
        };
    };
    let at = |position: u64| {
        position
            .checked_sub(first)
            .and_then(|index| records.get(usize::try_from(index).ok()?))
            .map(|record| EventFacts {
                stream: record.stream.clone(),
                version: record.version,
                recorded_at_micros: record.recorded_at_micros,
            })
            .or_else(|| earlier.get(&position).cloned())
    };
    let mut seen = HashSet::new();
    for entry in commands {
        let position = entry.first_position;
        let what = |detail: &str| refused(position, format!("command {}: {detail}", entry.command_id));
        let (Some(start), Some(end)) = (
            at(entry.first_position),
            (entry.last_position >= first)
                .then(|| at(entry.last_position))
                .flatten(),
        ) else {
            return Err(what(
                "its positions are not those of an append ending among the records copied with it",
            ));
        };
        if entry.last_position < entry.first_position
            || entry.last_version < entry.first_version
            || entry.last_position - entry.first_position != entry.last_version - entry.first_version
        {
            return Err(what("its positions and versions do not describe one append"));
        }
        if start.stream != entry.stream || end.stream != entry.stream {
            return Err(what("its stream is not the stream of the records at its positions"));
        }
        if start.version != entry.first_version || end.version != entry.last_version {
            return Err(what("its versions are not those of the records at its positions"));
        }
        if start.recorded_at_micros != entry.recorded_at_micros {
            return Err(what("its record time is not that of its records"));
        }
        if held.contains(&entry.command_id) || !seen.insert(entry.command_id.as_str()) {
            return Err(what("the command id is already held"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use smes_verify::record_hash;

    fn record(position: u64, stream: &str, version: u64, prev: &Hash, recorded_at: &str) -> RawRecord {
        let text = format!(
            r#"{{"format":1,"position":{position},"stream":"{stream}","version":{version},"id":"00000000-0000-4000-8000-{position:012}","type":"Happened","schema_version":1,"occurred_at":"2013-01-01T00:00:00.000000Z","recorded_at":"{recorded_at}","metadata":{{"actor":"a","role":"r","source":"test"}},"payload":{{}},"prev_hash":"{}"}}"#,
            hex::encode(prev)
        );
        EventRecord::decode(&text).expect("a valid record");
        RawRecord {
            position,
            hash: record_hash(text.as_bytes()),
            record: text,
        }
    }

    fn log() -> Vec<RawRecord> {
        let mut prev = smes_verify::GENESIS_HASH;
        let mut records = Vec::new();
        for (position, (stream, version)) in [("a", 1), ("b", 1), ("a", 2), ("a", 3)].into_iter().enumerate() {
            let raw = record(
                position as u64 + 1,
                stream,
                version,
                &prev,
                "2013-01-01T00:00:01.000000Z",
            );
            prev = raw.hash;
            records.push(raw);
        }
        records
    }

    fn entry(first: u64, last: u64, stream: &str, versions: (u64, u64)) -> CommandEntry {
        CommandEntry {
            command_id: format!("command-{first}"),
            stream: stream.to_owned(),
            first_position: first,
            last_position: last,
            first_version: versions.0,
            last_version: versions.1,
            recorded_at_micros: 1_356_998_401_000_000,
            request_digest: vec![1; 32],
            binds_command: true,
        }
    }

    #[test]
    fn a_valid_copy_passes_every_check() {
        let records = log();
        let checked = check_chain(None, &records).unwrap();
        assert_eq!(streams(&checked), ["a", "b"]);
        check_versions(&checked, &HashMap::new()).unwrap();
        check_commands(
            &checked,
            &[entry(3, 4, "a", (2, 3)), entry(2, 2, "b", (1, 1))],
            &HashMap::new(),
            &HashSet::new(),
        )
        .unwrap();

        // The tail of the same log continues from its head.
        let head = Some((2, records[1].hash, 1_356_998_401_000_000));
        let tail = check_chain(head, &records[2..]).unwrap();
        check_versions(&tail, &HashMap::from([("a".to_owned(), 1)])).unwrap();
        // An append split between batches: its first event is in the log already.
        let split = entry(2, 3, "b", (1, 2));
        assert_eq!(starts_before(&tail, std::slice::from_ref(&split)), [2]);
        let mut earlier = HashMap::from([(
            2,
            EventFacts {
                stream: "b".to_owned(),
                version: 1,
                recorded_at_micros: 1_356_998_401_000_000,
            },
        )]);
        let wrong = CommandEntry {
            stream: "b".to_owned(),
            first_version: 1,
            last_version: 2,
            ..entry(2, 3, "b", (1, 2))
        };
        // Position 3 holds stream a, version 2: the entry does not describe it.
        let error = check_commands(&tail, &[wrong], &earlier, &HashSet::new()).unwrap_err();
        assert!(error.to_string().contains("its stream"), "{error}");
        earlier.get_mut(&2).unwrap().stream = "a".to_owned();
        check_commands(&tail, &[entry(2, 3, "a", (1, 2))], &earlier, &HashSet::new()).unwrap();
    }

    #[test]
    fn what_does_not_extend_the_log_is_refused_with_its_position() {
        let records = log();
        let mut altered = records.clone();
        altered[2].record = altered[2].record.replace("Happened", "Happenex");
        assert!(matches!(check_chain(None, &altered), Err(Error::Chain(error)) if error.position() == 3));
        let head = Some((1, records[0].hash, 0));
        assert!(matches!(check_chain(head, &records[2..]), Err(Error::Chain(error)) if error.position() == 3));

        let checked = check_chain(None, &records).unwrap();
        let error = check_versions(&checked, &HashMap::from([("b".to_owned(), 4)])).unwrap_err();
        assert!(error.to_string().contains("stream b is at version 4 here"), "{error}");

        for (bad, why) in [
            (entry(3, 5, "a", (2, 4)), "not those of an append"),
            (entry(3, 4, "b", (2, 3)), "its stream"),
            (entry(3, 4, "a", (1, 2)), "its versions"),
            (entry(3, 4, "a", (2, 2)), "do not describe one append"),
        ] {
            let error = check_commands(&checked, &[bad], &HashMap::new(), &HashSet::new()).unwrap_err();
            assert!(error.to_string().contains(why), "{why}: {error}");
        }
        let held = HashSet::from(["command-3".to_owned()]);
        let error = check_commands(&checked, &[entry(3, 4, "a", (2, 3))], &HashMap::new(), &held).unwrap_err();
        assert!(error.to_string().contains("already held"), "{error}");
    }
}
