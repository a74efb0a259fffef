//! End-to-end tests of `smes export` (IATI 2.03 activity and organisation XML, indicator
//! tables, raw events) and `smes trace --format prov-json`, through the real binary, on the demo
//! log and on a log with edge cases built with `smes member-state load` and `smes import`
//! (tests/data/exports_edge_cases.jsonl): two currencies, a cancelled, a rejected and a deferred
//! activity, an activity hosted by a Member State that later left, results with a correction.
//!
//! The IATI files are validated with libxml2's `xmllint` against the official schemas, and
//! every code they use is looked up in the official codelists, both read from
//! `SMES_VECTORS_DIR` (relative paths from the workspace root). If the variable is set and the
//! files are missing the tests fail; if it is unset and there is no `../shared/vectors`, they
//! say on stderr what they did not check. PROV-JSON is loaded with the `prov` Python library.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::civil::Date;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::Value;
use support::{smes, smes_binary, stderr, stdout};

const WORKSPACE_ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The demo's focal points: none may appear in an export.
const PERSONAL_DATA: [&str; 6] = [
    "Rosa Quispe Mamani",
    "rosa.quispe@produce.example",
    "Keisha Baptiste",
    "Sample Person One",
    "one@jbdc.example",
    "two@camara.example",
];

/// Runs `smes` and returns its standard output, failing the test on a non-zero exit.
fn run(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert!(output.status.success(), "smes {args:?} failed: {}", stderr(&output));
    stdout(&output)
}

/// Runs `smes` expecting exit code 1 with nothing on standard output; returns standard error.
fn refused(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert_eq!(
        output.status.code(),
        Some(1),
        "smes {args:?} should fail: {}",
        stdout(&output)
    );
    assert!(output.stdout.is_empty(), "smes {args:?} printed {}", stdout(&output));
    stderr(&output)
}

fn demo(dir: &Path) {
    run(dir, &["demo"]);
}

/// The log's events as JSON, from `smes log`.
fn log(dir: &Path) -> Vec<Value> {
    run(dir, &["log"])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The edge-case log: the sourced membership history, the import file, then a correction of
/// the recorded result (which names the id the log gave that result) and the year's closing.
fn edge_log(dir: &Path) {
    run(dir, &["init"]);
    run(dir, &["member-state", "load"]);
    let file = Path::new(WORKSPACE_ROOT).join("tests/data/exports_edge_cases.jsonl");
    let summary = run(dir, &["import", file.to_str().unwrap()]);
    assert!(summary.contains("32 applied, 0 already applied, 0 failed"), "{summary}");
    let result = log(dir)
        .into_iter()
        .find(|event| event["type"] == "ResultRecorded")
        .expect("the import records a result");
    let correction = serde_json::json!({
        "command_id": "e0000000-0000-4000-8000-000000000033", "kind": "record-result",
        "activity": "e0000000-0000-4000-8000-0000000000a1", "indicator": "e0000000-0000-4000-8000-000000000301",
        "period": {"start": "2014-05-12", "end": "2014-05-14"}, "value": "34",
        "by_sex": [{"sex": "female", "value": "31"}, {"sex": "male", "value": "3"}],
        "by_member_state": [{"member_state": "JM", "value": "25"}, {"member_state": "TT", "value": "9"}],
        "correction": {"corrects": result["id"], "reason": "a late attendance sheet", "effective_from": "2014-06-30"}
    });
    let closing = serde_json::json!({
        "command_id": "e0000000-0000-4000-8000-000000000034", "kind": "close-work-programme",
        "year": 2014, "closed_on": "2015-01-31"
    });
    let path = dir.join("later.jsonl");
    std::fs::write(&path, format!("{correction}\n{closing}\n")).unwrap();
    let summary = run(dir, &["import", path.to_str().unwrap()]);
    assert!(summary.contains("2 applied"), "{summary}");
}

/// Replaces what differs between two runs (record times, the hashes that cover them, and the
/// event ids a log assigns at random) with placeholders.
fn redact(dir: &Path, text: &str) -> String {
    let mut text = text.to_owned();
    for event in log(dir) {
        let position = &event["position"];
        text = text.replace(event["hash"].as_str().unwrap(), &format!("[hash {position}]"));
        text = text.replace(event["recorded_at"].as_str().unwrap(), "[recorded at]");
        text = text.replace(event["id"].as_str().unwrap(), &format!("[event {position}]"));
    }
    text
}

fn assert_no_personal_data(export: &str) {
    for personal in PERSONAL_DATA {
        assert!(!export.contains(personal), "an export shows {personal:?}");
    }
}

/// Writes a line straight to the process's stderr, which the harness does not capture.
fn announce(line: std::fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    writeln!(stderr, "{line}").expect("writing to stderr");
}

/// The `iati-2.03` folder of the vectors, or `None` (after saying so) when there is none.
fn iati_vectors() -> Option<PathBuf> {
    let workspace = Path::new(WORKSPACE_ROOT);
    let vectors = match std::env::var_os("SMES_VECTORS_DIR") {
        Some(dir) => workspace.join(dir),
        None => {
            let default = workspace.join("../shared/vectors");
            if !default.is_dir() {
                announce(format_args!(
                    "IATI 2.03 schemas and codelists not found: set SMES_VECTORS_DIR; \
                     schema validation and codelist checks NOT done"
                ));
                return None;
            }
            default
        }
    };
    let iati = std::fs::canonicalize(&vectors).unwrap_or(vectors).join("iati-2.03");
    for needed in [
        "iati-activities-schema.xsd",
        "iati-organisations-schema.xsd",
        "iati-common.xsd",
        "xml.xsd",
        "codelists/xml",
    ] {
        assert!(
            iati.join(needed).exists(),
            "the IATI 2.03 vectors are missing: no {}",
            iati.join(needed).display()
        );
    }
    Some(iati)
}

/// Validates a file against an official schema with xmllint.
fn assert_schema_valid(iati: &Path, schema: &str, file: &Path) {
    let output = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(iati.join(schema))
        .arg(file)
        .output()
        .unwrap_or_else(|error| panic!("xmllint could not run ({error}); install libxml2-utils"));
    assert!(
        output.status.success(),
        "{} does not validate against {schema}:\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every codelist, by name, with its codes.
fn codelists(iati: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut lists = BTreeMap::new();
    for entry in std::fs::read_dir(iati.join("codelists/xml")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut reader = Reader::from_str(&text);
        let mut codes = BTreeSet::new();
        let mut in_code = false;
        loop {
            match reader.read_event().unwrap() {
                Event::Start(start) if start.name().as_ref() == b"code" => in_code = true,
                Event::End(end) if end.name().as_ref() == b"code" => in_code = false,
                Event::Text(text) if in_code => {
                    codes.insert(text.decode().unwrap().trim().to_owned());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        lists.insert(name, codes);
    }
    assert!(
        lists.len() > 50,
        "the codelists folder holds only {} lists",
        lists.len()
    );
    lists
}

/// An element as the checks see it: name, attributes, text, and the names of its ancestors.
#[derive(Debug, Clone)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    ancestors: Vec<String>,
}

fn attributes(start: &BytesStart<'_>) -> BTreeMap<String, String> {
    start
        .attributes()
        .map(|attribute| {
            let attribute = attribute.unwrap();
            (
                String::from_utf8(attribute.key.as_ref().to_vec()).unwrap(),
                attribute.unescape_value().unwrap().into_owned(),
            )
        })
        .collect()
}

/// Every element of a document, in order.
fn elements(xml: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(start) => {
                let name = String::from_utf8(start.name().as_ref().to_vec()).unwrap();
                found.push(Element {
                    name: name.clone(),
                    attributes: attributes(&start),
                    ancestors: stack.clone(),
                });
                stack.push(name);
            }
            Event::Empty(start) => found.push(Element {
                name: String::from_utf8(start.name().as_ref().to_vec()).unwrap(),
                attributes: attributes(&start),
                ancestors: stack.clone(),
            }),
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// The codelist an attribute's value must come from, for every coded attribute the exports
/// write; `None` for free values (dates, amounts, names, links, identifiers).
fn codelist_of(element: &Element, attribute: &str) -> Option<&'static str> {
    let parent = element.ancestors.last().map(String::as_str).unwrap_or("");
    Some(match (element.name.as_str(), attribute) {
        ("iati-activities" | "iati-organisations", "version") => "Version",
        ("iati-activity" | "iati-organisation", "default-currency") | ("value", "currency") => "Currency",
        ("iati-activity" | "iati-organisation", "xml:lang") | ("language", "code") => "Language",
        ("reporting-org" | "participating-org" | "provider-org", "type") => "OrganisationType",
        ("participating-org", "role") => "OrganisationRole",
        ("activity-status", "code") => "ActivityStatus",
        ("activity-date", "type") => "ActivityDateType",
        ("recipient-country", "code") => "Country",
        ("sector", "vocabulary") => "SectorVocabulary",
        ("sector", "code") if element.attributes.get("vocabulary").map(String::as_str) == Some("1") => "Sector",
        ("description", "type") if parent == "iati-activity" => "DescriptionType",
        ("budget", "type") => "BudgetType",
        ("budget" | "total-budget" | "recipient-country-budget", "status") => "BudgetStatus",
        ("transaction-type", "code") => "TransactionType",
        ("document-link", "format") => "FileFormat",
        ("category", "code") => "DocumentCategory",
        ("result", "type") => "ResultType",
        ("indicator", "measure") => "IndicatorMeasure",
        _ => return None,
    })
}

/// Checks every coded attribute of a document against the official codelists; the publisher
/// vocabulary (99) of the ten thematic areas uses the areas' numbers. Returns what was checked.
fn assert_codes_listed(xml: &str, lists: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<(String, String)> {
    let mut checked = BTreeSet::new();
    for element in elements(xml) {
        for (attribute, value) in &element.attributes {
            if element.name == "sector" && attribute == "code" && element.attributes["vocabulary"] == "99" {
                let area: u8 = value.parse().expect("a thematic area number");
                assert!((1..=10).contains(&area), "thematic area {value} is not 1 to 10");
                continue;
            }
            if let Some(list) = codelist_of(&element, attribute) {
                let codes = lists.get(list).unwrap_or_else(|| panic!("no codelist {list}"));
                assert!(
                    codes.contains(value),
                    "<{} {attribute}=\"{value}\">: {value} is not in the {list} codelist",
                    element.name
                );
                checked.insert((list.to_owned(), value.clone()));
            }
        }
    }
    checked
}

fn date(text: &str) -> Date {
    text[..10].parse().unwrap_or_else(|_| panic!("{text} is not a date"))
}

/// The standard's rules that need no registry: budget periods of one year at most, sector and
/// country percentages summing to 100 within each vocabulary, and no actual date (actual
/// start and end, transaction dates, document dates) after the file's generation day.
fn assert_iati_rules(xml: &str) {
    let all = elements(xml);
    let generated = all
        .iter()
        .find_map(|element| element.attributes.get("generated-datetime"))
        .map(|text| date(text))
        .expect("a generated-datetime");
    let mut percentages: BTreeMap<(usize, String), f64> = BTreeMap::new();
    let mut activity = 0;
    let mut period_start: Option<Date> = None;
    for element in &all {
        let parent = element.ancestors.last().map(String::as_str).unwrap_or("");
        match element.name.as_str() {
            "iati-activity" => activity += 1,
            "sector" => {
                let vocabulary = element.attributes["vocabulary"].clone();
                let share: f64 = element.attributes["percentage"].parse().unwrap();
                *percentages
                    .entry((activity, format!("sector {vocabulary}")))
                    .or_default() += share;
            }
            "recipient-country" if parent == "iati-activity" => {
                let share: f64 = element.attributes["percentage"].parse().unwrap();
                *percentages.entry((activity, "country".to_owned())).or_default() += share;
            }
            "period-start" => period_start = Some(date(&element.attributes["iso-date"])),
            "period-end"
                if matches!(
                    parent,
                    "budget" | "total-budget" | "recipient-country-budget" | "total-expenditure"
                ) =>
            {
                let start = period_start.take().expect("a period start before its end");
                let end = date(&element.attributes["iso-date"]);
                assert!(start <= end, "a {parent} period ends before it starts");
                assert!(
                    end <= start
                        .checked_add(jiff::Span::new().years(1))
                        .unwrap()
                        .yesterday()
                        .unwrap(),
                    "a {parent} period of {start} to {end} is longer than a year"
                );
            }
            "activity-date" if matches!(element.attributes["type"].as_str(), "2" | "4") => {
                let day = date(&element.attributes["iso-date"]);
                assert!(
                    day <= generated,
                    "actual date {day} after the generation day {generated}"
                );
            }
            "transaction-date" | "document-date" => {
                let day = date(&element.attributes["iso-date"]);
                assert!(
                    day <= generated,
                    "{} {day} after the generation day {generated}",
                    element.name
                );
            }
            _ => {}
        }
    }
    for ((activity, what), total) in percentages {
        assert!(
            (total - 100.0).abs() < 1e-9,
            "activity {activity}: {what} percentages sum to {total}"
        );
    }
}

/// Exports the IATI files of a year twice (checking they are byte-identical), validates them,
/// checks their codes and rules, and returns them.
fn iati_files(dir: &Path, year: &str) -> (String, String) {
    let activities = run(dir, &["export", "iati", "--year", year]);
    assert_eq!(
        activities,
        run(dir, &["export", "iati", "--year", year]),
        "two runs differ"
    );
    let organisation = run(dir, &["export", "iati-organisation", "--year", year]);
    assert_eq!(
        organisation,
        run(dir, &["export", "iati-organisation", "--year", year]),
        "two runs differ"
    );
    assert_iati_rules(&activities);
    assert_no_personal_data(&activities);
    if let Some(iati) = iati_vectors() {
        let activities_file = dir.join("activities.xml");
        let organisation_file = dir.join("organisation.xml");
        std::fs::write(&activities_file, &activities).unwrap();
        std::fs::write(&organisation_file, &organisation).unwrap();
        assert_schema_valid(&iati, "iati-activities-schema.xsd", &activities_file);
        assert_schema_valid(&iati, "iati-organisations-schema.xsd", &organisation_file);
        let lists = codelists(&iati);
        let checked = assert_codes_listed(&activities, &lists);
        for list in [
            "OrganisationRole",
            "TransactionType",
            "ActivityStatus",
            "Sector",
            "Currency",
            "Country",
        ] {
            assert!(
                checked.iter().any(|(name, _)| name == list),
                "no {list} code was checked"
            );
        }
        assert_codes_listed(&organisation, &lists);
    }
    (activities, organisation)
}

/// The values of one attribute over the elements of one name.
fn values(xml: &str, element: &str, attribute: &str) -> Vec<String> {
    elements(xml)
        .into_iter()
        .filter(|each| each.name == element)
        .filter_map(|each| each.attributes.get(attribute).cloned())
        .collect()
}

#[test]
fn the_demo_as_iati_validates_uses_official_codes_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let (activities, organisation) = iati_files(dir.path(), "2013");
    // The ten approved activities of 2013; the rejected and the deferred one are no part of it.
    assert_eq!(activities.matches("<iati-activity ").count(), 10);
    assert_eq!(
        values(&activities, "participating-org", "role")
            .iter()
            .filter(|role| *role == "2")
            .count(),
        10
    );
    // The generation time is the record time of the last event.
    let last = log(dir.path()).pop().unwrap();
    assert!(activities.contains(&format!(
        "generated-datetime=\"{}\"",
        last["recorded_at"].as_str().unwrap()
    )));
    insta::assert_snapshot!("iati_demo_2013_activities", redact(dir.path(), &activities));
    insta::assert_snapshot!("iati_demo_2013_organisation", redact(dir.path(), &organisation));
}

#[test]
fn the_edge_cases_as_iati_validate_with_two_currencies_cancellation_and_a_state_that_left() {
    let dir = tempfile::tempdir().unwrap();
    edge_log(dir.path());
    let (activities, organisation) = iati_files(dir.path(), "2014");
    let identifiers: Vec<&str> = activities
        .lines()
        .filter_map(|line| line.trim().strip_prefix("<iati-identifier>"))
        .collect();
    assert_eq!(
        identifiers,
        [
            "XI-IATI-SELA-e0000000-0000-4000-8000-0000000000a1</iati-identifier>",
            "XI-IATI-SELA-e0000000-0000-4000-8000-0000000000a2</iati-identifier>"
        ],
        "the rejected (a3) and deferred (a4) proposals are not exported"
    );
    // Held in Jamaica, which later left SELA, in a closed year: closed (4); cancelled: 5.
    assert_eq!(values(&activities, "activity-status", "code"), ["4", "5"]);
    assert_eq!(values(&activities, "recipient-country", "code"), ["JM", "CR"]);
    let currencies: BTreeSet<String> = values(&activities, "value", "currency").into_iter().collect();
    assert_eq!(currencies, BTreeSet::from(["EUR".to_owned(), "USD".to_owned()]));
    assert_eq!(
        values(&activities, "transaction-type", "code"),
        ["13", "2", "1", "3", "4", "4"],
        "pledge and payment of the bilateral source, SELA's commitment and payment, two expenditures"
    );
    assert!(activities.contains("<dimension name=\"sex\" value=\"female\"/>"));
    assert!(
        activities.contains("<actual value=\"34.00\"/>"),
        "the corrected value is reported"
    );
    assert!(
        organisation.contains(">165000.00</value>"),
        "the revised budget is the total"
    );
    insta::assert_snapshot!("iati_edge_2014_activities", redact(dir.path(), &activities));
    insta::assert_snapshot!("iati_edge_2014_organisation", redact(dir.path(), &organisation));

    // As of a date before the cancellation and the workshop, the same activities stand as
    // approved, with no actual dates.
    let earlier = run(
        dir.path(),
        &["export", "iati", "--year", "2014", "--as-of", "2014-03-31"],
    );
    assert_eq!(values(&earlier, "activity-status", "code"), ["2", "2"]);
    assert!(
        values(&earlier, "activity-date", "type")
            .iter()
            .all(|kind| kind == "1" || kind == "3")
    );
}

#[test]
fn a_transaction_dated_after_the_generation_day_is_left_out_of_iati() {
    let dir = tempfile::tempdir().unwrap();
    edge_log(dir.path());
    let ahead = serde_json::json!({
        "command_id": "e0000000-0000-4000-8000-000000000035", "kind": "commit-to-activity",
        "offer": "e0000000-0000-4000-8000-0000000000f1", "commitment": "e0000000-0000-4000-8000-000000000103",
        "activity": "e0000000-0000-4000-8000-0000000000a1",
        "amount": {"amount": "1000", "currency": "USD", "value_date": "2099-01-01"}, "committed_on": "2099-01-01"
    });
    let path = dir.path().join("ahead.jsonl");
    std::fs::write(&path, format!("{ahead}\n")).unwrap();
    run(dir.path(), &["import", path.to_str().unwrap()]);
    let trace = run(
        dir.path(),
        &["trace", "activity", "e0000000-0000-4000-8000-0000000000a1"],
    );
    assert!(trace.contains("2099-01-01"), "the log holds the commitment");
    // The rules checked by iati_files include "no transaction date after the generation day".
    let (activities, _) = iati_files(dir.path(), "2014");
    assert!(!activities.contains("2099-01-01"));
    assert_eq!(values(&activities, "transaction-type", "code").len(), 6);
}

#[test]
fn the_reporting_organisation_is_configurable_by_option_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let by_option = run(
        dir.path(),
        &[
            "export",
            "iati",
            "--year",
            "2013",
            "--reporting-org-ref",
            "XM-DAC-47000",
        ],
    );
    assert!(by_option.contains("<reporting-org ref=\"XM-DAC-47000\" type=\"40\">"));
    assert!(by_option.contains("<iati-identifier>XM-DAC-47000-5e1a0000-00ac-4000-8000-000000000001</iati-identifier>"));
    let by_environment = Command::new(smes_binary())
        .args(["export", "iati-organisation", "--year", "2013"])
        .current_dir(dir.path())
        .env_remove("SMES_DATABASE_URL")
        .env("SMES_IATI_REPORTING_ORG_REF", "XI-IATI-TEST")
        .output()
        .unwrap();
    assert!(by_environment.status.success(), "{}", stderr(&by_environment));
    assert!(stdout(&by_environment).contains("<organisation-identifier>XI-IATI-TEST</organisation-identifier>"));
}

/// Loads a PROV-JSON document with the `prov` library, serialises and loads it again, and
/// checks that both loads are equal and hold as many records as the file.
const PROV_ROUND_TRIP: &str = r#"
import json, sys
from prov.model import ProvDocument
text = open(sys.argv[1], encoding="utf-8").read()
first = ProvDocument.deserialize(content=text, format="json")
again = ProvDocument.deserialize(content=first.serialize(format="json"), format="json")
assert first == again, "deserialise, serialise, deserialise changed the document"
in_file = sum(len(records) for key, records in json.loads(text).items() if key != "prefix")
loaded = len(list(first.get_records()))
assert loaded == in_file, f"{loaded} records loaded, {in_file} in the file"
assert loaded == len(list(again.get_records()))
print(loaded)
"#;

fn assert_prov_round_trips(dir: &Path, document: &str) -> usize {
    let path = dir.join("trace.prov.json");
    std::fs::write(&path, document).unwrap();
    let output = Command::new("python3")
        .args(["-c", PROV_ROUND_TRIP])
        .arg(&path)
        .output()
        .unwrap_or_else(|error| panic!("python3 could not run ({error})"));
    assert!(
        output.status.success(),
        "the prov library refused the document (install it with python3 -m pip install prov):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(&output).trim().parse().unwrap()
}

#[test]
fn prov_json_traces_round_trip_through_the_prov_library() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let subjects: [[&str; 2]; 4] = [
        ["activity", "5e1a0000-00ac-4000-8000-000000000002"],
        ["need", "5e1a0000-004e-4000-8000-000000000001"],
        ["counterpart", "5e1a0000-00c0-4000-8000-000000000001"],
        ["decision", "SP/CL/XXXVIII.O/DT N° 10"],
    ];
    for [kind, id] in subjects {
        let document = run(dir.path(), &["trace", kind, id, "--format", "prov-json"]);
        assert_eq!(document, run(dir.path(), &["trace", kind, id, "--format", "prov-json"]));
        assert_no_personal_data(&document);
        let records = assert_prov_round_trips(dir.path(), &document);
        assert!(records > 10, "the {kind} trace has only {records} records");
        let json: Value = serde_json::from_str(&document).unwrap();
        for relation in [
            "wasGeneratedBy",
            "used",
            "wasAssociatedWith",
            "wasAttributedTo",
            "actedOnBehalfOf",
        ] {
            assert!(json.get(relation).is_some(), "the {kind} trace has no {relation}");
        }
    }
    let activity = run(
        dir.path(),
        &[
            "trace",
            "activity",
            "5e1a0000-00ac-4000-8000-000000000002",
            "--format",
            "prov-json",
        ],
    );
    insta::assert_snapshot!("prov_demo_activity_2", redact(dir.path(), &activity));

    let edge = tempfile::tempdir().unwrap();
    edge_log(edge.path());
    let document = run(
        edge.path(),
        &[
            "trace",
            "activity",
            "e0000000-0000-4000-8000-0000000000a1",
            "--format",
            "prov-json",
        ],
    );
    assert_prov_round_trips(edge.path(), &document);
    assert_no_personal_data(&document);
    assert!(
        document.contains("prov:Revision"),
        "the corrected result is a revision of the first"
    );
    insta::assert_snapshot!("prov_edge_activity_a1", redact(edge.path(), &document));
}

#[test]
fn indicator_tables_have_one_row_per_disaggregation_in_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    edge_log(dir.path());
    let csv = run(dir.path(), &["export", "indicators", "--year", "2014"]);
    assert_eq!(
        csv,
        run(
            dir.path(),
            &["export", "indicators", "--year", "2014", "--format", "csv"]
        )
    );
    let json = run(
        dir.path(),
        &["export", "indicators", "--year", "2014", "--format", "json"],
    );
    let rows: Vec<BTreeMap<String, String>> = serde_json::from_str(&json).unwrap();
    assert_eq!(
        csv.lines().count(),
        rows.len() + 1,
        "the CSV has a header and the same rows"
    );
    // Entrepreneurs trained: total, two sexes, two states; plans drafted: no result yet;
    // participants: total, two sexes, two states.
    assert_eq!(rows.len(), 5 + 1 + 5);
    let corrected = &rows[0];
    assert_eq!(corrected["disaggregation"], "total");
    assert_eq!(corrected["actual"], "34.00");
    assert_eq!(corrected["originally"], "33.00");
    assert_eq!(corrected["target"], "30.00");
    assert_eq!(rows[1]["disaggregation_value"], "female");
    assert_eq!(
        rows[5]["actual"], "",
        "an indicator without results keeps its target row"
    );
    assert_eq!(rows[10]["disaggregation_value"], "TT");
    insta::assert_snapshot!("indicators_edge_2014_csv", csv);
    insta::assert_snapshot!("indicators_edge_2014_json", json);

    let filtered = run(dir.path(), &["export", "indicators", "--area", "financing"]);
    assert_eq!(
        filtered.lines().count(),
        1,
        "only the header: no financing activity was held"
    );

    let demo_dir = tempfile::tempdir().unwrap();
    demo(demo_dir.path());
    let demo_csv = run(demo_dir.path(), &["export", "indicators", "--year", "2013"]);
    insta::assert_snapshot!("indicators_demo_2013_csv", demo_csv);
}

#[test]
fn raw_events_are_json_lines_in_a_fixed_field_order() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let export = run(dir.path(), &["export", "events", "--format", "jsonl"]);
    assert_eq!(export, run(dir.path(), &["export", "events"]));
    let events = log(dir.path());
    let lines: Vec<&str> = export.lines().collect();
    assert_eq!(lines.len(), events.len());
    for (line, event) in lines.iter().zip(&events) {
        assert!(line.starts_with("{\"position\":"), "{line}");
        assert!(line.ends_with(&format!("\"hash\":\"{}\"}}", event["hash"].as_str().unwrap())));
        let parsed: Value = serde_json::from_str(line).unwrap();
        for key in [
            "position",
            "stream",
            "version",
            "id",
            "type",
            "schema_version",
            "occurred_at",
            "recorded_at",
            "payload",
        ] {
            assert_eq!(parsed[key], event[key], "{key} of position {}", event["position"]);
        }
        assert_eq!(parsed["metadata"], event["metadata"]);
        let order = [
            "\"position\":",
            "\"stream\":",
            "\"version\":",
            "\"id\":",
            "\"type\":",
            "\"schema_version\":",
            "\"occurred_at\":",
            "\"recorded_at\":",
            "\"metadata\":",
            "\"payload\":",
        ];
        let offsets: Vec<usize> = order.iter().map(|key| line.find(key).unwrap()).collect();
        assert!(
            offsets.windows(2).all(|pair| pair[0] < pair[1]),
            "fields out of order: {line}"
        );
    }
    let first_lines = lines[..3].join("\n");
    insta::assert_snapshot!("events_demo_first_lines", redact(dir.path(), &first_lines));
}

#[test]
fn bad_options_are_refused_with_clear_errors_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let before = log(dir.path()).len();
    let cases: [(&[&str], &str); 11] = [
        (
            &["export", "iati", "--year", "2099"],
            "--year: \"2099\" is not allowed; the log (the whole log) holds no work programme 2099; it holds 2013",
        ),
        (
            &["export", "iati-organisation", "--year", "twenty"],
            "--year: \"twenty\" is not allowed; expected a year from 1975 to 9999",
        ),
        (
            &["export", "indicators", "--year", "2012"],
            "holds no work programme 2012",
        ),
        (
            &["export", "indicators", "--area", "finance"],
            "--area: \"finance\" is not allowed",
        ),
        (
            &["export", "iati", "--year", "2013", "--country", "XYZ"],
            "--country: \"XYZ\" is not allowed",
        ),
        (
            &["export", "indicators", "--format", "xlsx"],
            "--format: \"xlsx\" is not allowed; expected one of csv, json",
        ),
        (
            &["export", "events", "--format", "csv"],
            "--format: \"csv\" is not allowed; expected one of jsonl",
        ),
        (
            &["export", "iati", "--year", "2013", "--as-of", "2013-02-30"],
            "--as-of: \"2013-02-30\" is not allowed; expected a date as YYYY-MM-DD",
        ),
        (
            &["export", "iati", "--year", "2013", "--reporting-org-ref", "SELA"],
            "--reporting-org-ref: \"SELA\" is not allowed",
        ),
        (
            &[
                "trace",
                "activity",
                "5e1a0000-00ac-4000-8000-000000000002",
                "--format",
                "provjson",
            ],
            "expected one of md, json, dot, prov-json",
        ),
        (
            &[
                "trace",
                "activity",
                "5e1a0000-00ac-4000-8000-0000000000ff",
                "--format",
                "prov-json",
            ],
            "no activity 5e1a0000-00ac-4000-8000-0000000000ff in the log",
        ),
    ];
    for (args, expected) in cases {
        let error = refused(dir.path(), args);
        assert!(error.contains(expected), "smes {args:?}: {error}");
    }
    assert_eq!(log(dir.path()).len(), before, "a refused export wrote to the log");

    let empty = tempfile::tempdir().unwrap();
    run(empty.path(), &["init"]);
    let error = refused(empty.path(), &["export", "iati", "--year", "2013"]);
    assert!(
        error.contains("the event log holds no event; nothing to export"),
        "{error}"
    );
    let missing = tempfile::tempdir().unwrap();
    let error = refused(missing.path(), &["export", "events"]);
    assert!(error.contains("no event log at"), "{error}");
}
