//! Publishing through the binary: `smes publish snapshot` records what was published with its
//! anchor and digests, `smes publish site` writes the public site from the log (the same bytes
//! on every run, each published file checked against its digest), and a log whose publication
//! no longer matches what it gives is refused with a clear error.

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use std::path::Path;

use sha2::{Digest, Sha256};
use support::{DEMO_PERSONAL_DATA, smes, stderr, stdout};

const PUBLICATION: &str = "7e570000-0000-4000-8000-00000000b0b1";
const FORMATS: [&str; 4] = ["md", "json", "csv", "html"];

fn event_count(dir: &Path) -> usize {
    stdout(&smes(dir, &["log"])).lines().count()
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A demo log with one publication: the 2013 work programme as of mid-year.
fn published_demo() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let demo = smes(dir.path(), &["demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let published = smes(
        dir.path(),
        &[
            "publish",
            "snapshot",
            "--year",
            "2013",
            "--as-of",
            "2013-06-30",
            "--id",
            PUBLICATION,
            "--published-on",
            "2013-07-01",
            "--title",
            "Work programme 2013 at mid-year",
            "--note",
            "As approved by the Permanent Secretariat",
        ],
    );
    assert!(published.status.success(), "{}", stderr(&published));
    (dir, stdout(&published))
}

/// The value after `prefix` on the line that starts with it.
fn after<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in {text}"))
}

#[test]
fn a_published_snapshot_is_recorded_and_the_site_reproduces_it_byte_for_byte() {
    let (dir, printed) = published_demo();
    let dir = dir.path();
    assert!(
        printed.starts_with(&format!(
            "publish snapshot: SnapshotPublished written to publication-{PUBLICATION} (position "
        )),
        "{printed}"
    );
    assert!(
        printed.contains("work programme 2013, as of 2013-06-30, at position "),
        "{printed}"
    );
    let position: u64 = after(&printed, "work programme 2013, as of 2013-06-30, at position ")
        .parse()
        .unwrap();
    assert_eq!(event_count(dir), usize::try_from(position).unwrap() + 1);
    let history = stdout(&smes(dir, &["log", "--stream", &format!("publication-{PUBLICATION}")]));
    assert!(history.contains("\"SnapshotPublished\""), "{history}");

    let first = smes(dir, &["publish", "site", "--out", "site-a"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first), "wrote 7 files to site-a\n");
    let second = smes(dir, &["publish", "site", "--out", "site-b"]);
    assert!(second.status.success(), "{}", stderr(&second));

    let mut paths = vec![
        "index.html".to_owned(),
        "events.html".to_owned(),
        format!("snapshots/{PUBLICATION}/index.html"),
    ];
    for format in FORMATS {
        paths.push(format!("snapshots/{PUBLICATION}/work-programme-2013.{format}"));
    }
    for path in &paths {
        let a = std::fs::read(dir.join("site-a").join(path)).unwrap();
        let b = std::fs::read(dir.join("site-b").join(path)).unwrap();
        assert!(a == b, "{path} differs between two runs");
    }
    for format in FORMATS {
        let file =
            std::fs::read(dir.join(format!("site-a/snapshots/{PUBLICATION}/work-programme-2013.{format}"))).unwrap();
        let recorded = after(&printed, &format!("work-programme-2013.{format} sha256 "));
        assert_eq!(hex_sha256(&file), recorded, "{format}");
    }
    // The published file is the snapshot `smes snapshot` makes under the pinned cut.
    let made = smes(
        dir,
        &[
            "snapshot",
            "--year",
            "2013",
            "--as-of",
            "2013-06-30",
            "--at-position",
            &position.to_string(),
            "--format",
            "md",
        ],
    );
    let published_md =
        std::fs::read_to_string(dir.join(format!("site-a/snapshots/{PUBLICATION}/work-programme-2013.md"))).unwrap();
    assert_eq!(stdout(&made), published_md);

    let index = std::fs::read_to_string(dir.join("site-a/index.html")).unwrap();
    assert!(index.contains("Work programme 2013 at mid-year"), "{index}");
    assert!(index.contains(&format!("href=\"snapshots/{PUBLICATION}/index.html\"")));
    assert!(
        index.contains("href=\"https://sela-smes.example/events/2/1\""),
        "{index}"
    );
    let page = std::fs::read_to_string(dir.join(format!("site-a/snapshots/{PUBLICATION}/index.html"))).unwrap();
    assert!(page.contains("As approved by the Permanent Secretariat"));
    for file in paths
        .iter()
        .map(|path| std::fs::read_to_string(dir.join("site-a").join(path)).unwrap())
    {
        for personal in DEMO_PERSONAL_DATA {
            assert!(!file.contains(personal), "the site shows {personal:?}");
        }
    }
    let checkpoint_root = index
        .split("<code class=\"root\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    // The demo records at the time it runs, so the tree root differs between runs.
    let redacted = index.replace(&checkpoint_root, "[tree root]");
    insta::assert_snapshot!("site_index", redacted.replace('>', ">\n"));
}

#[test]
fn refused_publications_say_why_and_write_nothing() {
    let (dir, _) = published_demo();
    let dir = dir.path();
    let before = event_count(dir);
    let cases: [(&[&str], &str); 5] = [
        (
            &["--year", "2013", "--id", PUBLICATION],
            "error: publication 7e570000-0000-4000-8000-00000000b0b1 is already recorded",
        ),
        (
            &["--year", "2013", "--at-position", "99999"],
            "error: --at-position: \"99999\" is not allowed; the log holds ",
        ),
        (
            &["--year", "2013", "--as-of", "2012-01-01"],
            "error: work programme 2013 has not been opened",
        ),
        (
            &["--year", "2013", "--format", "pdf"],
            "error: --format: \"pdf\" is not allowed; expected one of md, json, csv, html",
        ),
        (
            &["--year", "2013", "--title", " "],
            "error: publication title must not be empty",
        ),
    ];
    for (args, message) in cases {
        let mut full = vec!["publish", "snapshot"];
        full.extend_from_slice(args);
        let output = smes(dir, &full);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).starts_with(message), "{args:?}: {}", stderr(&output));
        assert!(stdout(&output).is_empty());
    }
    assert_eq!(event_count(dir), before, "a refused publication writes nothing");
}

/// Edits the stored record of the publication, as someone changing the database behind the
/// log's back would.
fn tamper(dir: &Path, from: &str, to: &str) {
    let raw = rusqlite::Connection::open(dir.join("smes.db")).unwrap();
    raw.execute_batch("DROP TRIGGER IF EXISTS events_refuse_update;")
        .unwrap();
    let changed = raw
        .execute(
            "UPDATE events SET record = replace(record, ?1, ?2) WHERE event_type = 'SnapshotPublished'",
            [from, to],
        )
        .unwrap();
    assert_eq!(changed, 1);
}

#[test]
fn a_publication_the_log_no_longer_gives_stops_the_site_with_a_clear_error() {
    let (dir, printed) = published_demo();
    let head_hash = after(&printed, "made from log position ")
        .split(", ")
        .nth(1)
        .and_then(|part| part.strip_prefix("head hash "))
        .unwrap()
        .to_owned();
    let edited: String = head_hash.chars().rev().collect();
    tamper(dir.path(), &head_hash, &edited);
    let output = smes(dir.path(), &["publish", "site", "--out", "site"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!(
            "error: publication {PUBLICATION} (log position {}) cannot be reproduced from the log: its anchor's head hash is {edited} but the log gives {head_hash}",
            event_count(dir.path())
        )),
        "{message}"
    );

    let (dir, printed) = published_demo();
    let digest = after(&printed, "work-programme-2013.json sha256 ").to_owned();
    let edited = "0".repeat(64);
    tamper(dir.path(), &digest, &edited);
    let output = smes(dir.path(), &["publish", "site", "--out", "site"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "its json file has SHA-256 {digest}, not the published {edited}"
        )),
        "{message}"
    );
    assert!(!dir.path().join("site/index.html").exists(), "nothing is written");
}

/// The page without its footer's Merkle root, which covers record times.
fn without_root(page: &str) -> String {
    let start = page.find("<code class=\"root\">").expect("a footer root");
    let end = start + page[start..].find("</code>").unwrap();
    format!("{}{}", &page[..start], &page[end..])
}

#[test]
fn publishing_runs_on_postgres_and_gives_the_site_it_gives_on_sqlite() {
    let database = postgres::Database::fresh();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut pages = Vec::new();
    for url in [database.url.as_str(), "sqlite://demo.db"] {
        let run = |args: &[&str]| {
            let mut all = vec!["--database", url];
            all.extend_from_slice(args);
            let output = smes(d, &all);
            assert!(output.status.success(), "smes {args:?} on {url}: {}", stderr(&output));
            stdout(&output)
        };
        run(&["demo"]);
        run(&[
            "publish",
            "snapshot",
            "--year",
            "2013",
            "--as-of",
            "2013-06-30",
            "--id",
            PUBLICATION,
            "--published-on",
            "2013-07-01",
        ]);
        let out = if url.starts_with("postgres") {
            "site-pg"
        } else {
            "site-sqlite"
        };
        assert_eq!(
            run(&["publish", "site", "--out", out]),
            format!("wrote 7 files to {out}\n")
        );
        let read = |path: &str| std::fs::read_to_string(d.join(out).join(path)).unwrap();
        pages.push([read("index.html"), read("events.html")].map(|page| without_root(&page)));
    }
    assert_eq!(pages[0], pages[1], "the same site on both backends");
}
