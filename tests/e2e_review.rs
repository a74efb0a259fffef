//! End-to-end tests of `smes review`, the programme review pack, through the real binary: the
//! demo year's pack in Markdown and JSON, the pack after a previous review was closed, the
//! charts (inline in HTML, files beside the Markdown, well-formed SVG), byte-identical output
//! from separate processes, and the errors of bad options.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use support::{DEMO_PERSONAL_DATA, smes, stderr, stdout};

/// The review of the 2012 preparation, closed early in 2013.
const REVIEW_2012: &str = "5e1a0000-00e5-4000-8000-000000000001";
/// The review of 2013 itself, open at the end of the year.
const REVIEW_2013: &str = "5e1a0000-00e5-4000-8000-000000000002";

const YEAR: [&str; 4] = ["--from", "2013-01-01", "--to", "2013-12-31"];

fn demo(dir: &Path) {
    let output = smes(dir, &["demo"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// Runs `smes` and returns its standard output, failing the test on a non-zero exit.
fn run(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert!(output.status.success(), "smes {args:?} failed: {}", stderr(&output));
    stdout(&output)
}

/// `smes review` for 2013 with more arguments.
fn review(dir: &Path, more: &[&str]) -> String {
    let mut args = vec!["review"];
    args.extend(YEAR);
    args.extend(more);
    run(dir, &args)
}

/// Records a review through the `smes review` subcommands.
fn record_review(dir: &Path, command: &str, fields: Value) {
    run(dir, &["review", command, "--json", &fields.to_string()]);
}

/// Adds the programme reviews: 2012's, closed on 2013-01-20, and 2013's, still open.
fn add_reviews(dir: &Path) {
    let period = |start: &str, end: &str| json!({"start": start, "end": end});
    record_review(
        dir,
        "open",
        json!({"review": REVIEW_2012, "period": period("2012-10-01", "2012-12-31"), "opened_on": "2013-01-08"}),
    );
    record_review(
        dir,
        "record-findings",
        json!({"review": REVIEW_2012,
               "findings": ["The 2013 work programme was adopted with a budget of about US$ 200,000"],
               "recommendations": ["Seek a second source for the financing area"],
               "recorded_on": "2013-01-15"}),
    );
    record_review(dir, "close", json!({"review": REVIEW_2012, "closed_on": "2013-01-20"}));
    record_review(
        dir,
        "open",
        json!({"review": REVIEW_2013, "period": period("2013-01-01", "2013-12-31"), "opened_on": "2013-12-10"}),
    );
    record_review(
        dir,
        "record-findings",
        json!({"review": REVIEW_2013, "findings": ["Four of ten approved activities were held by June"],
               "recommendations": [], "recorded_on": "2013-12-15"}),
    );
}

/// Replaces what differs between two demo runs (record times and the hashes and Merkle roots
/// that cover them) with placeholders.
fn redact(dir: &Path, text: &str) -> String {
    let mut text = text.to_owned();
    for line in run(dir, &["log"]).lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        let hash = event["hash"].as_str().unwrap();
        text = text.replace(hash, &format!("[hash {}]", event["position"]));
        text = text.replace(event["recorded_at"].as_str().unwrap(), "[recorded at]");
    }
    let pack: Value = serde_json::from_str(&review(dir, &["--format", "json"])).unwrap();
    text.replace(pack["anchor"]["tree_root"].as_str().unwrap(), "[tree root]")
}

fn assert_no_personal_data(report: &str) {
    for personal in DEMO_PERSONAL_DATA {
        assert!(!report.contains(personal), "a review shows {personal:?}");
    }
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                found.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

#[test]
fn the_demo_years_review_in_markdown_and_json() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let markdown = review(dir.path(), &[]);
    let json = review(dir.path(), &["--format", "json"]);
    for text in [&markdown, &json] {
        assert_no_personal_data(text);
    }
    // Without --out the Markdown says where its charts are, and links none.
    assert!(
        markdown.contains("`smes review --out DIR` writes them as SVG files"),
        "{markdown}"
    );
    assert!(!markdown.contains("]("), "{markdown}");
    let pack: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(pack["report"], "programme-review");
    assert_eq!(pack["anchor"]["log_position"], 102);
    assert_eq!(pack["previous_review"]["review"], Value::Null);
    assert_eq!(pack["changes"]["since"], Value::Null);
    // The demo: ten activities approved into 2013, four held, 98 women and 96 men taking part.
    assert_eq!(pack["achievements"]["overall"]["approved"], 10);
    assert_eq!(pack["achievements"]["overall"]["held"], 4);
    assert_eq!(pack["participants"]["total"], 194);
    assert_eq!(
        pack["participants"]["by_sex"][0],
        json!({"key": "female", "label": "women", "count": 98})
    );
    insta::assert_snapshot!("review_2013_md", redact(dir.path(), &markdown));
    insta::assert_snapshot!("review_2013_json", redact(dir.path(), &json));
}

#[test]
fn a_review_compares_with_the_previous_closed_review() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    add_reviews(dir.path());
    let pack: Value = serde_json::from_str(&review(dir.path(), &["--format", "json"])).unwrap();
    assert_eq!(pack["previous_review"]["review"]["id"], REVIEW_2012);
    assert_eq!(pack["previous_review"]["review"]["closed_on"], "2013-01-20");
    assert_eq!(pack["reviews"][0]["id"], REVIEW_2013);
    assert_eq!(pack["reviews"][0]["status"], "open");
    assert_eq!(pack["changes"]["since"], "2013-01-20");
    // Between 20 January and the end of 2013, activities were approved into the programme.
    let added = pack["changes"]["years"][0]["added"].as_array().unwrap();
    assert!(!added.is_empty(), "{pack:#}");
    // A pack is as of the end of its period: the review of late 2012, opened in 2013, is not in
    // the pack of late 2012.
    let early: Value = serde_json::from_str(&run(
        dir.path(),
        &[
            "review",
            "--from",
            "2012-10-01",
            "--to",
            "2012-12-31",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(early["reviews"], json!([]), "2012's review was opened only in 2013");
    assert_eq!(early["previous_review"]["review"], Value::Null);
    let markdown = review(dir.path(), &[]);
    assert_no_personal_data(&markdown);
    insta::assert_snapshot!("review_2013_after_2012_review_md", redact(dir.path(), &markdown));
}

#[test]
fn html_has_the_charts_inline_and_markdown_links_them_as_files() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let html = review(dir.path(), &["--format", "html"]);
    assert_no_personal_data(&html);
    for outside in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(outside), "the page holds {outside:?}");
    }
    let out = dir.path().join("pack");
    let written = review(dir.path(), &["--out", out.to_str().unwrap()]);
    let on_disk = files(&out);
    let charts: Vec<&String> = on_disk.keys().filter(|path| path.starts_with("charts/")).collect();
    assert_eq!(
        charts,
        [
            "charts/activities.svg",
            "charts/coverage.svg",
            "charts/funding-sources.svg",
            "charts/participants-by-member-state.svg",
            "charts/participants-by-sex.svg",
        ]
    );
    assert_eq!(written.lines().count(), on_disk.len(), "{written}");
    let markdown = String::from_utf8(on_disk["review.md"].clone()).unwrap();
    for chart in &charts {
        let svg = String::from_utf8(on_disk[*chart].clone()).unwrap();
        // Each chart is linked from the Markdown, drawn inline in the page, and well-formed.
        assert!(markdown.contains(&format!("]({chart})")), "{chart} is not linked");
        assert!(html.contains(svg.trim_end()), "{chart} is not inline in the page");
        let document = roxmltree::Document::parse(&svg).unwrap_or_else(|error| panic!("{chart}: {error}"));
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
        // Text is text for the viewer's fonts to set, never glyph outlines of a local font.
        assert!(root.descendants().any(|node| node.has_tag_name("text")), "{chart}");
        assert!(root.descendants().all(|node| !node.has_tag_name("font")), "{chart}");
    }
    assert_eq!(html.matches("<svg ").count(), charts.len());
    // The coverage chart has one labelled column per host or concerned Member State.
    let coverage = String::from_utf8(on_disk["charts/coverage.svg"].clone()).unwrap();
    for state in ["BR", "CL", "CO", "MX", "PA", "PE", "TT", "VE"] {
        assert!(coverage.contains(&format!("\n{state}\n</text>")), "no column {state}");
    }
}

#[test]
fn two_processes_write_byte_identical_packs() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    add_reviews(dir.path());
    for format in ["md", "html", "json"] {
        let first = dir.path().join(format!("first-{format}"));
        let second = dir.path().join(format!("second-{format}"));
        review(dir.path(), &["--format", format, "--out", first.to_str().unwrap()]);
        review(dir.path(), &["--format", format, "--out", second.to_str().unwrap()]);
        let (first, second) = (files(&first), files(&second));
        assert!(!first.is_empty());
        assert_eq!(first, second, "{format} differs between two runs");
        assert_eq!(
            review(dir.path(), &["--format", format]),
            review(dir.path(), &["--format", format])
        );
    }
}

#[test]
fn the_cut_options_bound_the_pack_and_its_anchor() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let pack: Value = serde_json::from_str(&review(dir.path(), &["--format", "json", "--at-position", "60"])).unwrap();
    assert_eq!(pack["anchor"]["log_position"], 60);
    assert_eq!(pack["anchor"]["tree_size"], 60);
    assert_eq!(pack["at_position"], 60);
    let checkpoint_root = {
        run(dir.path(), &["key", "generate", "--origin", "sela.int/smes"]);
        let checkpoint = run(dir.path(), &["checkpoint", "--size", "60"]);
        checkpoint.lines().nth(2).unwrap().to_owned()
    };
    assert_eq!(pack["anchor"]["tree_root"], checkpoint_root.as_str());
    let first: Value = serde_json::from_str(&run(dir.path(), &["log", "--limit", "1"])).unwrap();
    let known_at = first["recorded_at"].as_str().unwrap();
    let pack: Value = serde_json::from_str(&review(dir.path(), &["--format", "json", "--known-at", known_at])).unwrap();
    assert!(
        pack["anchor"]["log_position"].as_u64().unwrap() < 102,
        "{}",
        pack["anchor"]
    );
    assert_eq!(pack["known_at"], known_at);
}

#[test]
fn bad_options_are_refused_with_what_was_wrong_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let events = run(dir.path(), &["log"]).lines().count();
    let out = dir.path().join("never");
    let out = out.to_str().unwrap();
    for (args, expected) in [
        (
            vec!["review", "--from", "2013-12-31", "--to", "2013-01-01", "--out", out],
            "--to: \"2013-01-01\" is not allowed; expected a date on or after --from (2013-12-31)",
        ),
        (
            vec!["review", "--from", "2013-02-30", "--to", "2013-12-31", "--out", out],
            "--from: \"2013-02-30\" is not allowed; expected a date as YYYY-MM-DD",
        ),
        (
            vec![
                "review",
                "--from",
                "2013-01-01",
                "--to",
                "2013-12-31",
                "--format",
                "csv",
                "--out",
                out,
            ],
            "--format: \"csv\" is not allowed; expected one of md, html, json",
        ),
        (
            vec![
                "review",
                "--from",
                "2013-01-01",
                "--to",
                "2013-12-31",
                "--at-position",
                "500",
                "--out",
                out,
            ],
            "--at-position: \"500\" is not allowed; the log holds 102 events",
        ),
        (
            vec![
                "review",
                "--from",
                "2013-01-01",
                "--to",
                "2013-12-31",
                "--known-at",
                "2013-06-30",
                "--out",
                out,
            ],
            "--known-at: \"2013-06-30\" is not allowed; expected an RFC 3339 time",
        ),
        (vec!["review", "--from", "2013-01-01"], "--to <TO>"),
    ] {
        let output = smes(dir.path(), &args);
        assert!(!output.status.success(), "{args:?} succeeded");
        let error = stderr(&output);
        assert!(error.contains(expected), "{args:?}: {error}");
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
    assert!(!Path::new(out).exists(), "a refused review wrote files");
    assert_eq!(run(dir.path(), &["log"]).lines().count(), events);
    // A missing log is named, not created.
    let empty = tempfile::tempdir().unwrap();
    let output = smes(empty.path(), &["review", "--from", "2013-01-01", "--to", "2013-12-31"]);
    assert!(stderr(&output).contains("no event log at"), "{}", stderr(&output));
    assert!(!empty.path().join("smes.db").exists());
}

#[test]
fn the_user_guide_excerpt_is_what_the_pack_says_of_the_demo() {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/user-guide.md")).unwrap();
    let lines: Vec<&str> = guide.lines().collect();
    let index = lines
        .iter()
        .position(|line| line.starts_with("For the demo year, `smes review "))
        .expect("the guide shows the demo's pack");
    let command = lines[index].split('`').nth(1).unwrap();
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    assert_eq!(args.last(), Some(&"pack"), "{command}");
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    run(dir.path(), &args);
    let pack = std::fs::read_to_string(dir.path().join("pack/review.md")).unwrap();
    let printed: Vec<&str> = pack.lines().collect();
    let start = index + lines[index..].iter().position(|line| *line == "```markdown").unwrap() + 1;
    let end = start + lines[start..].iter().position(|line| *line == "```").unwrap();
    assert!(end - start > 20, "the excerpt is a real one");
    for shown in &lines[start..end] {
        if *shown == "…" {
            continue;
        }
        assert!(
            printed.contains(shown),
            "docs/user-guide.md shows a line the pack does not have:\n{shown}"
        );
    }
}
