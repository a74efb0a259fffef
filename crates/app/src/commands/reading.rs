//! Reading a command's fields and saying what was wrong in the programme's words.
//!
//! serde's own errors name Rust types (`expected u32`, `expected struct MoneyFields`) and no
//! field. Here the fields are read with the path of the failing field kept
//! (serde_path_to_error), and serde's message is put into words a programme officer can act
//! on: the command's kind, the field, the value given and what is allowed ("a whole number from
//! 0 to 4294967295", "a date as YYYY-MM-DD", "one of: seminar, training-workshop, ...").

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

/// Why a command line could not be read: what was wrong, in the programme's words, and the
/// field it concerns as written in the line (`participants.by_sex[0].value`), if one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LineError {
    /// The field, as a path into the line; `None` when the line as a whole is wrong.
    pub field: Option<String>,
    /// The whole message, starting with the command's kind when it is known.
    pub message: String,
}

impl LineError {
    /// A refusal of the line as a whole.
    pub fn whole(message: impl Into<String>) -> LineError {
        LineError {
            field: None,
            message: message.into(),
        }
    }

    /// A refusal of one field.
    pub fn of(field: &str, message: impl Into<String>) -> LineError {
        LineError {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }
}

/// Reads the fields of a command of the given kind (the object without `kind`) as `T`. The
/// message starts with the kind unless it is empty (for a value read on its own, such as an
/// amount of money).
pub fn fields<T: DeserializeOwned>(kind: &str, fields: &Value) -> Result<T, LineError> {
    serde_path_to_error::deserialize(fields).map_err(|error| {
        let mut path: Vec<String> = error.path().iter().filter_map(segment).collect();
        let mut message = error.inner().to_string();
        if let Some(words) = choice_words::<T>(&message, &path, fields) {
            message = format!(
                "invalid type: {}, expected {words}",
                given_value(value_at(fields, &path))
            );
        }
        let message = match explain(kind, &mut path, &message, fields) {
            text if kind.is_empty() => text,
            text => format!("{kind}: {text}"),
        };
        LineError {
            field: (!path.is_empty()).then(|| path_text(&path)),
            message,
        }
    })
}

/// Refuses a key of the line that the command read does not have. Some shapes inside a command
/// (an amount of money, a period, a share of participants) are the domain's stored shapes,
/// which let unknown keys pass so that they read whatever a log holds; a line must not, so a
/// misspelt key there is not silently dropped. `read` is the command as read, written back as
/// JSON: every key it has is a field.
pub(super) fn no_unknown_fields(kind: &str, given: &Value, read: &Value) -> Result<(), LineError> {
    let mut path = Vec::new();
    unknown_field(given, read, &mut path).map_or(Ok(()), |(name, allowed)| {
        let owner = if path.is_empty() {
            kind.to_owned()
        } else {
            path_text(&path)
        };
        path.push(name);
        let field = path_text(&path);
        Err(LineError {
            message: format!(
                "{kind}: {field} is not a field; the fields of {owner} are: {}",
                allowed.join(", ")
            ),
            field: Some(field),
        })
    })
}

/// The first key of `given` that `read` lacks, with the keys `read` has there; `path` is left
/// at the object holding it.
fn unknown_field(given: &Value, read: &Value, path: &mut Vec<String>) -> Option<(String, Vec<String>)> {
    match (given, read) {
        (Value::Object(given), Value::Object(read)) => {
            for (key, value) in given {
                let Some(known) = read.get(key) else {
                    let allowed = read
                        .keys()
                        .filter(|key| *key != "kind" || !path.is_empty())
                        .cloned()
                        .collect();
                    return Some((key.clone(), allowed));
                };
                path.push(key.clone());
                if let Some(found) = unknown_field(value, known, path) {
                    return Some(found);
                }
                path.pop();
            }
            None
        }
        (Value::Array(given), Value::Array(read)) => {
            for (index, (value, known)) in given.iter().zip(read).enumerate() {
                path.push(format!("[{index}]"));
                if let Some(found) = unknown_field(value, known, path) {
                    return Some(found);
                }
                path.pop();
            }
            None
        }
        _ => None,
    }
}

/// When the word naming a choice (such as `proposer` in `proposed_by`) is not a text, serde
/// says only "expected string or map". The words it accepts are found by reading the command
/// again with a word that is not one of them, which serde refuses with the list.
fn choice_words<T: DeserializeOwned>(message: &str, path: &[String], fields: &Value) -> Option<String> {
    if !(message.ends_with("expected string or map") || message.ends_with("expected map with a single key")) {
        return None;
    }
    let mut probe = fields.clone();
    let slot = path
        .iter()
        .try_fold(&mut probe, |value, part| match part.strip_prefix('[') {
            Some(index) => value.get_mut(index.trim_end_matches(']').parse::<usize>().ok()?),
            None => value.get_mut(part.as_str()),
        })?;
    *slot = Value::String(String::new());
    let error = serde_path_to_error::deserialize::<_, T>(&probe).err()?;
    let words = error
        .inner()
        .to_string()
        .strip_prefix("unknown variant ``, expected ")?
        .to_owned();
    Some(words)
}

/// A value as serde describes it in its messages, for [`given`] to read back.
fn given_value(value: Option<&Value>) -> String {
    match value {
        Some(Value::Number(number)) if number.is_f64() => format!("floating point `{number}`"),
        Some(Value::Number(number)) => format!("integer `{number}`"),
        Some(Value::Bool(boolean)) => format!("boolean `{boolean}`"),
        Some(Value::String(text)) => format!("string {}", Value::String(text.clone())),
        Some(Value::Array(_)) => "sequence".to_owned(),
        Some(Value::Object(_)) => "map".to_owned(),
        Some(Value::Null) | None => "null".to_owned(),
    }
}

/// The envelope keys every command line may carry besides its own fields, named when an
/// unknown field is refused.
pub(super) const ENVELOPE_NOTE: &str = "besides kind, command_id, why, correlation_id and causation_id";

fn segment(segment: &Segment) -> Option<String> {
    match segment {
        Segment::Seq { index } => Some(format!("[{index}]")),
        Segment::Map { key } => Some(key.clone()),
        Segment::Enum { .. } | Segment::Unknown => None,
    }
}

/// The path as written in the command: `participants.by_sex[0].count`.
fn path_text(path: &[String]) -> String {
    let mut text = String::new();
    for part in path {
        if !text.is_empty() && !part.starts_with('[') {
            text.push('.');
        }
        text.push_str(part);
    }
    text
}

/// The value at a path of the command's fields.
fn value_at<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(root, |value, part| match part.strip_prefix('[') {
        Some(index) => value.get(index.trim_end_matches(']').parse::<usize>().ok()?),
        None => value.get(part.as_str()),
    })
}

fn explain(kind: &str, path: &mut Vec<String>, message: &str, root: &Value) -> String {
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        path.push(name.to_owned());
        return format!("{} is missing", path_text(path));
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        // The path already ends with the unknown key.
        if path.last().is_some_and(|last| last == name) {
            path.pop();
        }
        let owner = match (path.is_empty(), kind.is_empty()) {
            (false, _) => path_text(path),
            (true, false) => kind.to_owned(),
            (true, true) => "this".to_owned(),
        };
        path.push(name.to_owned());
        let allowed = match names(expected) {
            names if names.is_empty() => format!("{owner} takes no fields"),
            names if path.len() == 1 => format!("the fields of {owner} are: {} ({ENVELOPE_NOTE})", names.join(", ")),
            names => format!("the fields of {owner} are: {}", names.join(", ")),
        };
        return format!("{} is not a field; {allowed}", path_text(path));
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        return format!(
            "{} is {}, which is not allowed; expected one of: {}",
            path_text(path),
            Value::String(name.to_owned()),
            names(expected).join(", ")
        );
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((unexpected, expected)) = rest.rsplit_once(", expected ")
        {
            let given = given(unexpected);
            narrow(path, root, |value| {
                serde_json::to_string(value).is_ok_and(|text| text == given)
            });
            return format!(
                "{} is {given}, which is not allowed; expected {}",
                path_text(path),
                allowed(expected)
            );
        }
    }
    if let Some(rest) = message.strip_prefix("invalid length ")
        && let Some((length, expected)) = rest.split_once(", expected ")
    {
        return format!(
            "{} has {length} entries; expected {}",
            path_text(path),
            allowed(expected)
        );
    }
    custom(path, message, root)
}

/// Errors raised by a value's own parser: a date or a UUID that does not read, or a programme
/// value's check (which already names the value and what is allowed).
fn custom(path: &mut Vec<String>, message: &str, root: &Value) -> String {
    let is_date = |text: &str| {
        text.parse::<jiff::civil::Date>()
            .is_err_and(|error| message == error.to_string())
    };
    let is_uuid = |text: &str| uuid::Uuid::parse_str(text).is_err_and(|error| message.ends_with(&error.to_string()));
    for (test, expected) in [
        (&is_date as &dyn Fn(&str) -> bool, DATE),
        (&is_uuid as &dyn Fn(&str) -> bool, UUID),
    ] {
        if narrow(path, root, |value| value.as_str().is_some_and(test)) {
            let value = value_at(root, path).map(ToString::to_string).unwrap_or_default();
            return format!(
                "{} is {value}, which is not allowed; expected {expected}",
                path_text(path)
            );
        }
    }
    if path.is_empty() {
        message.to_owned()
    } else {
        format!("{}: {message}", path_text(path))
    }
}

const DATE: &str = "a date as YYYY-MM-DD, such as \"2013-04-10\"";
const UUID: &str = "a UUID, such as \"5e1a0000-0000-4000-8000-000000000001\"";

/// Points the path at the value that failed: the value at the path itself, or, when the path
/// stops at an object (the fields of a tagged choice such as `proposed_by` are read as a
/// whole), the one field of that object that matches. Says whether it found one.
fn narrow(path: &mut Vec<String>, root: &Value, matches: impl Fn(&Value) -> bool) -> bool {
    let Some(value) = value_at(root, path) else {
        return false;
    };
    if matches(value) {
        return true;
    }
    let Value::Object(object) = value else {
        return false;
    };
    let mut found = object.iter().filter(|(_, field)| matches(field));
    match (found.next(), found.next()) {
        (Some((key, _)), None) => {
            path.push(key.clone());
            true
        }
        _ => false,
    }
}

/// The names in serde's "expected one of `a`, `b`" or "expected `a` or `b`".
fn names(expected: &str) -> Vec<String> {
    expected.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The value given, from serde's description of it, as JSON.
fn given(unexpected: &str) -> String {
    let quoted = |text: &str| text.trim_matches('`').to_owned();
    if let Some(number) = unexpected.strip_prefix("integer ") {
        quoted(number)
    } else if let Some(number) = unexpected.strip_prefix("floating point ") {
        quoted(number)
    } else if let Some(boolean) = unexpected.strip_prefix("boolean ") {
        quoted(boolean)
    } else if let Some(text) = unexpected.strip_prefix("string ") {
        text.to_owned()
    } else {
        match unexpected {
            "unit value" | "null" => "null".to_owned(),
            "sequence" => "a list".to_owned(),
            "map" => "an object".to_owned(),
            other => other.to_owned(),
        }
    }
}

/// What is allowed, in words, from serde's "expected ...".
fn allowed(expected: &str) -> String {
    let whole = |low: &str, high: &str| format!("a whole number from {low} to {high}");
    match expected {
        "u8" => whole("0", "255"),
        "u16" => whole("0", "65535"),
        "u32" => whole("0", "4294967295"),
        "u64" | "usize" => whole("0", "18446744073709551615"),
        "i8" => whole("-128", "127"),
        "i16" => whole("-32768", "32767"),
        "i32" => whole("-2147483648", "2147483647"),
        "i64" | "isize" => whole("-9223372036854775808", "9223372036854775807"),
        "f32" | "f64" => "a number".to_owned(),
        "a boolean" => "true or false".to_owned(),
        "a string" => "a text in double quotes".to_owned(),
        "a sequence" => "a list in square brackets".to_owned(),
        "a date string" => DATE.to_owned(),
        "a formatted UUID string" => UUID.to_owned(),
        "a Decimal type representing a fixed-point number" => {
            "a decimal number as text, such as \"1250.50\"".to_owned()
        }
        "a map" => "an object in curly braces".to_owned(),
        other if other.starts_with("one of `") || other.contains("` or `") || other.starts_with('`') => {
            format!("one of: {}", names(other).join(", "))
        }
        other if is_object(other) => "an object in curly braces".to_owned(),
        other => other.to_owned(),
    }
}

/// serde's names for the shapes written as JSON objects: `struct Money`, `internally tagged
/// enum Proposer`, `adjacently tagged enum EvaluationSubject`, ...
fn is_object(expected: &str) -> bool {
    [
        "struct ",
        "tuple struct ",
        "enum ",
        "internally tagged enum ",
        "adjacently tagged enum ",
    ]
    .iter()
    .any(|prefix| expected.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_written_as_in_the_command() {
        let path = ["participants", "by_sex", "[0]", "count"].map(str::to_owned);
        assert_eq!(path_text(&path), "participants.by_sex[0].count");
        let root = serde_json::json!({"participants": {"by_sex": [{"count": 3}]}});
        assert_eq!(value_at(&root, &path), Some(&serde_json::json!(3)));
    }

    #[test]
    fn serde_words_become_the_programme_words() {
        assert_eq!(allowed("u32"), "a whole number from 0 to 4294967295");
        assert_eq!(allowed("struct MoneyFields"), "an object in curly braces");
        assert_eq!(given("integer `-5`"), "-5");
        assert_eq!(given("string \"x\""), "\"x\"");
        assert_eq!(names("one of `a`, `b`, `c`"), ["a", "b", "c"]);
        assert_eq!(names("`a` or `b`"), ["a", "b"]);
    }
}
