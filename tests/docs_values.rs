//! docs/import.md against the code: the table of allowed values lists exactly the values each
//! closed list accepts, and a wrong value in any field of any documented example is refused in
//! the programme's words (the kind, the field, no Rust type names).

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use smes_app::CommandLine;
use smes_domain::activity::Proposer;
use smes_domain::consultation::{EvaluationSubject, Rating};
use smes_domain::funding::{InKindContributor, OfferSource};
use smes_domain::request::{RequestFollowUp, RequestingParty};
use smes_domain::values::{
    ActivityKind, ApprovingBody, AssistanceAnswer, CooperationSourceKind, CounterpartKind, OfferKind, OutputKind,
    Priority, Sex, ThematicArea,
};
use smes_projections::needs::NeedStatus;

fn docs() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/import.md")).unwrap()
}

/// The slugs of a closed list with an `ALL`.
fn slugs<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
    all.iter().map(ToString::to_string).collect()
}

/// The variants serde accepts for a choice, read from its refusal of an unknown one: the list
/// cannot drift from the type.
fn variants<T: DeserializeOwned + std::fmt::Debug>(unknown: Value) -> Vec<String> {
    let error = serde_json::from_value::<T>(unknown).unwrap_err().to_string();
    let expected = error
        .split_once("expected ")
        .unwrap_or_else(|| panic!("not an unknown-variant error: {error}"))
        .1;
    expected.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

/// Every closed list a command (or a read) accepts, by its name in docs/import.md: every list
/// of slugs the domain defines (so a new one must be documented), the choices of tagged fields
/// as serde reads them, the rating scale as the domain checks it, the tokens' roles and the
/// needs register's statuses.
fn closed_lists() -> BTreeMap<&'static str, Vec<String>> {
    let unknown = "not-a-value";
    let mut lists: BTreeMap<&'static str, Vec<String>> = smes_domain::values::closed_lists()
        .into_iter()
        .map(|(name, values)| (name, values.into_iter().map(str::to_owned).collect()))
        .collect();
    lists.extend([
        ("proposer", variants::<Proposer>(json!({"proposer": unknown}))),
        ("offer source", variants::<OfferSource>(json!({"source": unknown}))),
        (
            "in-kind contributor",
            variants::<InKindContributor>(json!({"contributor": unknown})),
        ),
        ("approving body", variants::<ApprovingBody>(json!({"body": unknown}))),
        (
            "requesting party",
            variants::<RequestingParty>(json!({"party": unknown})),
        ),
        (
            "follow-up",
            variants::<RequestFollowUp>(json!({"follow_up": unknown, "id": unknown})),
        ),
        (
            "evaluation subject",
            variants::<EvaluationSubject>(json!({"subject": unknown})),
        ),
        (
            "rating score",
            (0..=u8::MAX)
                .filter(|score| Rating::new("relevance".to_owned(), *score).is_ok())
                .map(|score| score.to_string())
                .collect(),
        ),
        ("role", slugs(&smes_server::Role::ALL)),
        ("need status", variants::<NeedStatus>(json!(unknown))),
    ]);
    lists
}

#[test]
fn the_slug_lists_are_every_closed_list_of_the_domain() {
    let by_hand = [
        ("thematic area", slugs(ThematicArea::ALL)),
        ("activity kind", slugs(ActivityKind::ALL)),
        ("priority", slugs(Priority::ALL)),
        ("sex", slugs(Sex::ALL)),
        ("counterpart kind", slugs(CounterpartKind::ALL)),
        ("cooperation source kind", slugs(CooperationSourceKind::ALL)),
        ("offer kind", slugs(OfferKind::ALL)),
        ("output kind", slugs(OutputKind::ALL)),
        ("assistance answer", slugs(AssistanceAnswer::ALL)),
    ];
    let lists = closed_lists();
    for (name, values) in by_hand {
        assert_eq!(lists[name], values, "{name}");
    }
}

/// The rows of the table under `## Allowed values`: the list's name and its values.
fn documented_lists() -> BTreeMap<String, Vec<String>> {
    let docs = docs();
    let section = docs
        .split("\n## Allowed values\n")
        .nth(1)
        .expect("an Allowed values section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    section
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| list |"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 3, "a row of three cells: {line}");
            let values = cells[2].split('`').skip(1).step_by(2).map(str::to_owned).collect();
            (cells[0].to_owned(), values)
        })
        .collect()
}

#[test]
fn the_allowed_values_are_the_codes() {
    let documented = documented_lists();
    let code = closed_lists();
    let documented_names: Vec<&str> = documented.keys().map(String::as_str).collect();
    let code_names: Vec<&str> = code.keys().copied().collect();
    assert_eq!(documented_names, code_names, "the lists of docs/import.md");
    for (name, values) in code {
        assert_eq!(documented[name], values, "the {name} values of docs/import.md");
    }
}

/// The example lines of docs/import.md, a correction's event id filled in.
fn example_lines() -> Vec<Value> {
    docs()
        .split("```jsonl\n")
        .skip(1)
        .flat_map(|block| {
            block
                .split("```")
                .next()
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let line = line.replace("EVENT-ID", "5e1a0000-0000-4000-8000-0000000009ff");
            serde_json::from_str(&line).unwrap()
        })
        .collect()
}

/// Every path to a value in a command's fields (not its kind or envelope).
fn field_paths(value: &Value, prefix: &mut Vec<Value>, paths: &mut Vec<Vec<Value>>) {
    let children: Vec<(Value, &Value)> = match value {
        Value::Object(object) => object.iter().map(|(key, value)| (json!(key), value)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, value)| (json!(index), value))
            .collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        if prefix.is_empty()
            && ["kind", "command_id", "why", "correlation_id", "causation_id"]
                .contains(&key.as_str().unwrap_or_default())
        {
            continue;
        }
        prefix.push(key);
        paths.push(prefix.clone());
        field_paths(child, prefix, paths);
        prefix.pop();
    }
}

fn replace(value: &mut Value, path: &[Value], with: Value) {
    let target = path.iter().fold(value, |value, key| match key {
        Value::String(key) => &mut value[key.as_str()],
        other => &mut value[other.as_u64().unwrap() as usize],
    });
    *target = with;
}

/// What must never reach a programme officer: Rust's type names and serde's own words.
const LEAKS: [&str; 18] = [
    "u8",
    "u16",
    "u32",
    "u64",
    "i16",
    "i32",
    "i64",
    "usize",
    "Decimal",
    "struct",
    "enum ",
    "sequence",
    "unit value",
    "map",
    "payload",
    "events[",
    "invalid type",
    "`",
];

#[test]
fn a_wrong_value_in_any_field_is_refused_in_the_programmes_words() {
    let wrong = [
        json!(-5),
        json!("x"),
        json!(1.5),
        json!(true),
        json!(null),
        json!([]),
        json!({}),
        json!(300),
    ];
    let mut refusals = 0;
    let mut leaks = Vec::new();
    for line in example_lines() {
        let kind = line["kind"].as_str().unwrap().to_owned();
        let mut paths = Vec::new();
        field_paths(&line, &mut Vec::new(), &mut paths);
        for path in paths {
            for value in &wrong {
                let mut bad = line.clone();
                replace(&mut bad, &path, value.clone());
                let Err(error) = CommandLine::from_value(bad) else {
                    continue;
                };
                refusals += 1;
                if let Some(leak) = leak(&kind, path[0].as_str().unwrap(), &error) {
                    leaks.push(format!("{kind}, {path:?} = {value}: {error:?} ({leak})"));
                }
            }
        }
    }
    leaks.sort();
    leaks.dedup();
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
    assert!(refusals > 1000, "only {refusals} refusals tried");
}

/// What is wrong with a refusal's words, if anything: it must start with the command's kind,
/// name the field and hold no Rust type name, serde word or CamelCase identifier.
fn leak(kind: &str, field: &str, error: &str) -> Option<String> {
    if !error.starts_with(&format!("{kind}: ")) {
        return Some("does not start with the kind".to_owned());
    }
    if !error.contains(field) {
        return Some("does not name the field".to_owned());
    }
    if let Some(leak) = LEAKS.iter().find(|leak| error.contains(*leak)) {
        return Some(format!("says {leak:?}"));
    }
    error
        .split(|character: char| !character.is_alphanumeric())
        .find(|word| {
            word.chars()
                .zip(word.chars().skip(1))
                .any(|(a, b)| a.is_lowercase() && b.is_uppercase())
        })
        .map(|word| format!("says {word:?}"))
}
