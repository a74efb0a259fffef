//! Canonical JSON: a payload as every backend stores it (compact, object keys sorted, as
//! serde_json writes the parsed value), with two fast paths that spare most payloads the parse
//! and write: recognising text that is canonical already, and putting members in key order
//! without building a value.

use serde_json::value::RawValue;

use crate::error::InvalidInput;
use crate::event::MAX_PAYLOAD_BYTES;

/// A payload as every backend stores it: the JSON text of an object in canonical form (compact,
/// object keys sorted, as serde_json writes the parsed value). This is the payload step of
/// validating an append, alone, so that it can be checked on any input without a store: its
/// fast paths (`is_canonical_json`, `reorder_to_canonical`) must always give what parsing
/// and writing again would. Errors name the field `payload`.
pub fn canonical_payload(payload: &str) -> Result<String, InvalidInput> {
    canonical_payload_of("payload".to_owned(), payload)
}

/// [`canonical_payload`], with errors naming `field`.
pub(super) fn canonical_payload_of(field: String, payload: &str) -> Result<String, InvalidInput> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(InvalidInput::new(
            field,
            format!(
                "the payload is {} bytes; at most {MAX_PAYLOAD_BYTES} are accepted",
                payload.len()
            ),
        ));
    }
    let raw: &RawValue = match serde_json::from_str(payload) {
        Ok(raw) => raw,
        Err(error) => {
            return Err(InvalidInput::new(
                field,
                format!("the payload is not valid JSON: {error}"),
            ));
        }
    };
    if !raw.get().starts_with('{') {
        return Err(InvalidInput::new(field, "the payload must be a JSON object"));
    }
    // Most payloads arrive canonical already (serialised from a serde_json::Value); the others
    // are parsed and written again.
    let canonical = if is_canonical_json(raw.get()) {
        raw.get().to_owned()
    } else if let Some(text) = reorder_to_canonical(raw.get()) {
        // Only the members' order (or white space) was not canonical.
        text
    } else {
        let value: serde_json::Value = match serde_json::from_str(raw.get()) {
            Ok(value) => value,
            Err(error) => {
                return Err(InvalidInput::new(
                    field,
                    format!("the payload is not valid JSON: {error}"),
                ));
            }
        };
        match serde_json::to_string(&value) {
            Ok(text) => text,
            Err(error) => return Err(InvalidInput::new(field, error.to_string())),
        }
    };
    if canonical.len() > MAX_PAYLOAD_BYTES {
        return Err(InvalidInput::new(field, "the canonical payload is larger than 1 MiB"));
    }
    Ok(canonical)
}

/// Whether valid JSON `text` is already in canonical form, byte for byte what serde_json writes
/// for the same value: no white space, object keys in strictly increasing byte order, integers
/// only (floats may print differently), and strings without escapes (serde_json may escape
/// differently than the input did). Anything it is unsure of is "not canonical", which only
/// costs a round trip.
fn is_canonical_json(text: &str) -> bool {
    let bytes = text.as_bytes();
    // For each open object: the last key seen and whether the next string is a key.
    let mut objects: Vec<(Option<&[u8]>, bool)> = Vec::new();
    let mut in_array_or_value = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'{' => {
                objects.push((None, true));
                in_array_or_value.push(b'{');
                index += 1;
            }
            b'}' => {
                objects.pop();
                in_array_or_value.pop();
                index += 1;
            }
            b'[' => {
                in_array_or_value.push(b'[');
                index += 1;
            }
            b']' => {
                in_array_or_value.pop();
                index += 1;
            }
            b',' => {
                if in_array_or_value.last() == Some(&b'{')
                    && let Some(object) = objects.last_mut()
                {
                    object.1 = true;
                }
                index += 1;
            }
            b':' => index += 1,
            b'"' => {
                let start = index + 1;
                let Some(length) = unescaped_string(bytes, index) else {
                    return false;
                };
                let string = &bytes[start..start + length];
                if in_array_or_value.last() == Some(&b'{')
                    && let Some(object) = objects.last_mut()
                    && object.1
                {
                    if object.0.is_some_and(|previous| previous >= string) {
                        return false;
                    }
                    *object = (Some(string), false);
                }
                index = start + length + 1;
            }
            b'-' | b'0'..=b'9' => {
                let Some(length) = plain_integer(bytes, index) else {
                    return false;
                };
                index += length;
            }
            b't' | b'f' | b'n' => {
                index += bytes[index..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            }
            _ => return false,
        }
    }
    true
}

/// Of the string whose opening quote is at `quote`: the length of its text, if it holds no
/// escape (serde_json may escape differently than the input did).
fn unescaped_string(bytes: &[u8], quote: usize) -> Option<usize> {
    let start = quote + 1;
    let length = bytes.get(start..)?.iter().position(|&b| b == b'"' || b == b'\\')?;
    (bytes[start + length] == b'"').then_some(length)
}

/// Of the number starting at `start`: its length, if it is an integer serde_json writes as it
/// stands (at most 18 digits, and not `-0`; floats may print differently).
fn plain_integer(bytes: &[u8], start: usize) -> Option<usize> {
    let sign = usize::from(bytes[start] == b'-');
    let digits = bytes[start + sign..].iter().take_while(|b| b.is_ascii_digit()).count();
    let end = start + sign + digits;
    let is_integer = digits > 0 && !matches!(bytes.get(end), Some(b'.' | b'e' | b'E'));
    (is_integer && digits <= 18 && &bytes[start..end] != b"-0").then_some(end - start)
}

/// Valid JSON `text` in canonical form, by putting every object's members in key order and
/// leaving out white space, when everything else in it is already written as serde_json writes
/// it (what [`is_canonical_json`] is sure of: integers of at most 18 digits, strings and keys
/// without escapes) and no object has a key twice. `None` otherwise: the payload is then parsed
/// into a value and written again, which costs about twice as much.
fn reorder_to_canonical(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut reader = Reorder {
        text,
        at: 0,
        members: Vec::new(),
    };
    reader.value(Some(&mut out))?;
    reader.skip_white();
    (reader.at == text.len()).then_some(out)
}

/// The reader of [`reorder_to_canonical`]: a position in the text, and the members of the
/// objects being read (those of nested objects above those of the objects holding them).
struct Reorder<'a> {
    text: &'a str,
    at: usize,
    /// Each member's key and where its value starts in the text.
    members: Vec<(&'a str, usize)>,
}

impl<'a> Reorder<'a> {
    fn next(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_white(&mut self) {
        while matches!(self.next(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Reads one value, writing it in canonical form to `out`, or only reading past it (and
    /// checking it is of the kind this reader accepts) when `out` is `None`.
    fn value(&mut self, out: Option<&mut String>) -> Option<()> {
        self.skip_white();
        let bytes = self.text.as_bytes();
        let start = self.at;
        match self.next()? {
            b'{' => return self.object(out),
            b'[' => return self.array(out),
            b'"' => {
                self.string()?;
            }
            b'-' | b'0'..=b'9' => self.at += plain_integer(bytes, start)?,
            b't' | b'f' | b'n' => {
                self.at += bytes[start..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            }
            _ => return None,
        }
        // A string, number or literal is written as it stands.
        if let Some(out) = out {
            out.push_str(&self.text[start..self.at]);
        }
        Some(())
    }

    /// A string without escapes (the reader is at its opening quote), as its text.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.at + 1;
        let length = unescaped_string(self.text.as_bytes(), self.at)?;
        self.at = start + length + 1;
        Some(&self.text[start..start + length])
    }

    fn array(&mut self, mut out: Option<&mut String>) -> Option<()> {
        self.at += 1;
        push(&mut out, "[");
        self.skip_white();
        if self.next()? == b']' {
            self.at += 1;
            push(&mut out, "]");
            return Some(());
        }
        loop {
            self.value(out.as_deref_mut())?;
            self.skip_white();
            match self.next()? {
                b',' => push(&mut out, ","),
                b']' => {
                    self.at += 1;
                    push(&mut out, "]");
                    return Some(());
                }
                _ => return None,
            }
            self.at += 1;
        }
    }

    /// An object: its members are read past first, noting each key and where its value starts,
    /// then, when writing, written in key order by reading each value again from there.
    fn object(&mut self, mut out: Option<&mut String>) -> Option<()> {
        self.at += 1;
        self.skip_white();
        if self.next()? == b'}' {
            self.at += 1;
            push(&mut out, "{}");
            return Some(());
        }
        let first = self.members.len();
        loop {
            self.skip_white();
            if self.next()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.skip_white();
            if self.next()? != b':' {
                return None;
            }
            self.at += 1;
            self.skip_white();
            if out.is_some() {
                self.members.push((key, self.at));
            }
            self.value(None)?;
            self.skip_white();
            match self.next()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    break;
                }
                _ => return None,
            }
        }
        let Some(out) = out else {
            return Some(());
        };
        let end = self.at;
        let last = self.members.len();
        // Keys compare as serde_json's map orders them: byte by byte.
        self.members[first..].sort_unstable_by(|a, b| a.0.cmp(b.0));
        if self.members[first..].windows(2).any(|pair| pair[0].0 == pair[1].0) {
            return None;
        }
        out.push('{');
        for index in first..last {
            let (key, value) = self.members[index];
            if index > first {
                out.push(',');
            }
            out.push('"');
            out.push_str(key);
            out.push_str("\":");
            self.at = value;
            // A nested object notes its members above this one's, and takes them off again.
            self.value(Some(&mut *out))?;
        }
        out.push('}');
        self.members.truncate(first);
        self.at = end;
        Some(())
    }
}

/// Writes `text` to `out` when there is one.
fn push(out: &mut Option<&mut String>, text: &str) {
    if let Some(out) = out.as_deref_mut() {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::test_support::{any_text, request, validate_with_ids};
    use super::*;

    /// Found by the fuzz harness: without correctly rounded float parsing, a number too large
    /// for an integer was written as a float that read back as another float, so the canonical
    /// form of a canonical payload differed from it.
    #[test]
    fn canonical_payloads_with_floats_are_their_own_canonical_form() {
        for payload in [
            r#"{"big":123456789012345678901,"float":1.50,"exp":1e3,"neg":-0}"#,
            r#"{"a":1.2345678901234568e+20,"b":0.30000000000000004,"c":2.2250738585072014e-308}"#,
        ] {
            let canonical = canonical_payload(payload).unwrap();
            assert_eq!(canonical_payload(&canonical).unwrap(), canonical, "{payload}");
        }
        assert_eq!(
            canonical_payload(r#"{"big":123456789012345678901}"#).unwrap(),
            r#"{"big":1.2345678901234568e+20}"#
        );
    }

    /// Whether a value holds only what [`is_canonical_json`] is sure of: integers of at most 18
    /// digits, no floats, strings and keys without characters that need escaping.
    fn only_plain_scalars(value: &serde_json::Value) -> bool {
        let plain = |text: &str| !text.chars().any(|c| c == '"' || c == '\\' || c.is_control());
        match value {
            serde_json::Value::Number(number) => number
                .as_i64()
                .is_some_and(|n| n.unsigned_abs() < 1_000_000_000_000_000_000),
            serde_json::Value::String(text) => plain(text),
            serde_json::Value::Array(items) => items.iter().all(only_plain_scalars),
            serde_json::Value::Object(map) => map.iter().all(|(key, item)| plain(key) && only_plain_scalars(item)),
            serde_json::Value::Null | serde_json::Value::Bool(_) => true,
        }
    }

    /// `value` as JSON with every object's members in reverse key order, with white space
    /// between tokens when `pretty`; scalars as serde_json writes them.
    fn members_reversed(value: &serde_json::Value, pretty: bool) -> String {
        let gap = if pretty { " \n\t" } else { "" };
        match value {
            serde_json::Value::Array(items) => {
                let items: Vec<String> = items.iter().map(|item| members_reversed(item, pretty)).collect();
                format!("[{gap}{}{gap}]", items.join(&format!("{gap},{gap}")))
            }
            serde_json::Value::Object(map) => {
                let members: Vec<String> = map
                    .iter()
                    .rev()
                    .map(|(key, item)| {
                        format!(
                            "{}{gap}:{gap}{}",
                            serde_json::to_string(key).unwrap(),
                            members_reversed(item, pretty)
                        )
                    })
                    .collect();
                format!("{{{gap}{}{gap}}}", members.join(&format!("{gap},{gap}")))
            }
            scalar => serde_json::to_string(scalar).unwrap(),
        }
    }

    #[test]
    fn reordering_refuses_what_it_cannot_be_sure_of() {
        let reorder = |text: &str| reorder_to_canonical(text);
        assert_eq!(
            reorder(
                r#"{ "title": "Seminar", "planned": {"start": "2013-04-01", "end": "2013-04-03"}, "cost": 12500 }"#
            )
            .as_deref(),
            Some(r#"{"cost":12500,"planned":{"end":"2013-04-03","start":"2013-04-01"},"title":"Seminar"}"#)
        );
        assert_eq!(
            reorder("[3, {}, [], true, null]").as_deref(),
            Some("[3,{},[],true,null]")
        );
        // A key twice (the value keeps the last), an escape, a float, a large or negative zero
        // integer: parsed and written again instead.
        for text in [
            r#"{"b":1,"a":2,"b":3}"#,
            r#"{"b":"x\u0041","a":1}"#,
            r#"{"b":1.5,"a":1}"#,
            r#"{"b":12345678901234567890,"a":1}"#,
            r#"{"b":-0,"a":1}"#,
        ] {
            assert_eq!(reorder(text), None, "{text}");
            let validated = validate_with_ids(request(text)).unwrap();
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                validated.events[0].payload.as_str(),
                serde_json::to_string(&value).unwrap()
            );
        }
    }

    /// Values of what reordering alone makes canonical: short plain keys and strings, small
    /// integers, literals.
    fn plain_json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            (-1_000_000i64..1_000_000).prop_map(serde_json::Value::from),
            "[a-zé ,:{}\\[\\]-]{0,8}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-zA-Z_é]{0,3}", inner, 0..6)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            any_text().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(any_text(), inner, 0..4)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_canonical_check_agrees_with_a_round_trip(value in json_value()) {
            let canonical = serde_json::to_string(&value).unwrap();
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            for text in [canonical.clone(), pretty] {
                let round_trip = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap();
                if is_canonical_json(&text) {
                    prop_assert_eq!(&text, &round_trip);
                }
            }
            // Integers, plain strings and sorted keys: what serde_json writes is recognised.
            if only_plain_scalars(&value) {
                prop_assert!(is_canonical_json(&canonical), "{}", canonical);
            }
        }

        #[test]
        fn reordering_plain_members_gives_what_a_round_trip_gives(value in plain_json_value(), pretty in any::<bool>()) {
            let text = members_reversed(&value, pretty);
            let canonical = serde_json::to_string(&value).unwrap();
            prop_assert_eq!(reorder_to_canonical(&text), Some(canonical.clone()));
            if value.is_object() {
                let validated = validate_with_ids(request(&text)).unwrap();
                prop_assert_eq!(validated.events[0].payload.as_str(), canonical.as_str());
            }
        }

        #[test]
        fn reordering_members_gives_what_a_round_trip_gives(value in json_value(), pretty in any::<bool>()) {
            let text = members_reversed(&value, pretty);
            let round_trip = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&text).unwrap()).unwrap();
            let reordered = reorder_to_canonical(&text);
            if let Some(reordered) = &reordered {
                prop_assert_eq!(reordered, &round_trip);
            }
            // Integers, plain strings: reordering is enough, and it is what validation keeps.
            if only_plain_scalars(&value) {
                prop_assert!(reordered.is_some(), "{}", text);
            }
            if value.is_object() {
                let validated = validate_with_ids(request(&text)).unwrap();
                prop_assert_eq!(validated.events[0].payload.as_str(), round_trip.as_str());
            }
        }

        #[test]
        fn the_canonical_check_never_accepts_a_text_that_would_change(text in r#"\{("[a-c]{0,2}":(-?[0-9]{1,3}|"[a-c\\\\]{0,2}"|\[\]|null|true|1\.0) ?,?){0,4}\}"#) {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text)
                && is_canonical_json(&text)
            {
                prop_assert_eq!(serde_json::to_string(&value).unwrap(), text);
            }
        }
    }
}
