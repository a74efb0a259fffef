//! The web pages in a real browser: headless Chromium driven through WebDriver (chromedriver)
//! signs in to `smes serve --plain-http` on the demo log, opens the 2013 work programme,
//! changes the as-of date, opens an activity's trace, and sends the proposal form first with an
//! error (shown beside its field, what was typed kept) and then right (what was recorded shown).
//!
//! Needs `chromedriver` and `chromium` on the PATH (Debian packages chromium-driver and
//! chromium; `.ci/run` installs them). Without them the test fails under CI and otherwise
//! prints what it did not check.

#[path = "support/server.rs"]
mod server;
mod support;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use server::{Server, token};
use support::{smes, stderr};

/// A program on the PATH.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(program: &Path) -> Driver {
        // A port the system says is free; chromedriver binds it a moment later.
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session with a fresh profile in `profile`.
async fn browser(driver: &Driver, chromium: &Path, profile: &Path) -> Client {
    let arguments = [
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({"binary": chromium, "args": arguments}),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session in headless Chromium")
}

/// The page's text as the reader sees it.
async fn text(client: &Client) -> String {
    client.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
}

/// The path and query of the current page.
async fn at(client: &Client) -> String {
    let url = client.current_url().await.unwrap();
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Sets a field's value as the browser's own date picker or keyboard would.
async fn set(client: &Client, id: &str, value: &str) {
    let field = client.find(Locator::Id(id)).await.unwrap();
    client
        .execute(
            "arguments[0].value = arguments[1];",
            vec![serde_json::to_value(&field).unwrap(), json!(value)],
        )
        .await
        .unwrap();
}

/// Clicks what `locator` finds and waits for the next page: until the current page's root
/// element is gone (WebDriver answers a click before the navigation it starts has ended).
async fn follow(client: &Client, locator: Locator<'_>) {
    let page = client.find(Locator::Css("html")).await.unwrap();
    client.find(locator).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while page.tag_name().await.is_ok() {
        assert!(Instant::now() < deadline, "no new page within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The new page's body, once it is there.
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body"))
        .await
        .unwrap();
}

async fn click(client: &Client, css: &str) {
    follow(client, Locator::Css(css)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretariat_works_through_the_pages_in_chromium() {
    let driver = on_path(&["chromedriver"]);
    let chromium = on_path(&["chromium", "chromium-browser"]);
    let (Some(driver_program), Some(chromium)) = (driver, chromium) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser test: install chromium and chromium-driver"
        );
        println!(
            "e2e_browser: NOT CHECKED: no chromedriver or chromium on the PATH, so the pages were not driven in a real browser (install the Debian packages chromium and chromium-driver)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = smes(d, &["demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let desk = token(d, "secretariat", "desk");
    let server = Server::start_with(d, &["--plain-http"]);
    let origin = server.origin();
    let driver = Driver::start(&driver_program);
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, &chromium, profile.path()).await;
    let outcome = walk(&client, &origin, &desk).await;
    client.close().await.unwrap();
    outcome.unwrap_or_else(|error: String| panic!("{error}"));
}

/// The walk through the pages; an error says where it went wrong.
async fn walk(client: &Client, origin: &str, desk: &str) -> Result<(), String> {
    // Sign in with the token.
    client.goto(&format!("{origin}/sign-in")).await.unwrap();
    client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(desk)
        .await
        .unwrap();
    click(client, "main form button[type=submit]").await;
    check(at(client).await == "/", "signed in, at home", client).await?;
    check(
        text(client).await.contains("Signed in as desk (secretariat)"),
        "who is signed in",
        client,
    )
    .await?;

    // The work programme, then as of the end of June 2013.
    follow(client, Locator::LinkText("Work programme 2013")).await;
    check(at(client).await == "/work-programme/2013", "the work programme", client).await?;
    check(
        text(client).await.contains("SELA-SMEs work programme 2013"),
        "its snapshot",
        client,
    )
    .await?;
    set(client, "as_of", "2013-06-30").await;
    click(client, "main form[method=get] button[type=submit]").await;
    check(
        at(client).await == "/work-programme/2013?area=&country=&status=&as_of=2013-06-30&known_at=&at_position=",
        "the as-of date sent",
        client,
    )
    .await?;
    let as_of = client
        .find(Locator::Id("as_of"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    check(as_of.as_deref() == Some("2013-06-30"), "the as-of date kept", client).await?;
    check(text(client).await.contains("2013-06-30"), "the cut stated", client).await?;

    // An activity's decision trace, under the same cut.
    follow(client, Locator::Css("main ul a[href^='/activity/']")).await;
    let page = at(client).await;
    check(
        page.starts_with("/activity/") && page.ends_with("?as_of=2013-06-30"),
        "the trace under the cut",
        client,
    )
    .await?;
    let shown = text(client).await;
    check(
        shown.contains("Decision trace of activity"),
        "the trace's title",
        client,
    )
    .await?;
    check(shown.contains("ActivityProposed"), "the proposal in the trace", client).await?;

    // The proposal form from the home page: first with a period that ends before it starts.
    client.goto(&format!("{origin}/")).await.unwrap();
    follow(client, Locator::LinkText("Propose an activity")).await;
    check(at(client).await == "/record/propose-activity", "the form", client).await?;
    client
        .find(Locator::Id("activity_kind"))
        .await
        .unwrap()
        .select_by_value("training-workshop")
        .await
        .unwrap();
    client
        .find(Locator::Id("thematic_area"))
        .await
        .unwrap()
        .select_by_value("gender-equality")
        .await
        .unwrap();
    for (id, value) in [
        ("title", "Workshop for women exporters"),
        ("host", "HN"),
        ("estimated_cost", "8000"),
    ] {
        client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    set(client, "planned_start", "2014-02-12").await;
    set(client, "planned_end", "2014-02-10").await;
    set(client, "proposed_on", "2013-11-04").await;
    let send = "form[action='/record/propose-activity'] button[type=submit]";
    click(client, send).await;
    let error = client.find(Locator::Id("planned_end-error")).await;
    let error = match error {
        Ok(error) => error.text().await.unwrap(),
        Err(_) => String::new(),
    };
    check(
        error.contains("ends earlier"),
        "the error beside the planned end",
        client,
    )
    .await?;
    let title = client
        .find(Locator::Id("title"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    check(
        title.as_deref() == Some("Workshop for women exporters"),
        "what was typed kept",
        client,
    )
    .await?;

    // Then right: recorded, and what was recorded shown.
    set(client, "planned_end", "2014-02-13").await;
    click(client, send).await;
    check(
        at(client).await.starts_with("/recorded/"),
        "the confirmation page",
        client,
    )
    .await?;
    let shown = text(client).await;
    for expected in [
        "Recorded at log position",
        "ActivityProposed",
        "Workshop for women exporters",
        "8,000.00 USD (2013-11-04)",
        "2014-02-12 to 2014-02-13",
        "role: secretariat",
    ] {
        check(shown.contains(expected), expected, client).await?;
    }
    Ok(())
}

/// `Ok` when `condition` holds; otherwise what was expected, where the browser is and what the
/// page says.
async fn check(condition: bool, what: &str, client: &Client) -> Result<(), String> {
    if condition {
        return Ok(());
    }
    let url = client
        .current_url()
        .await
        .map(|url| url.to_string())
        .unwrap_or_default();
    let page = client.source().await.unwrap_or_default();
    Err(format!("{what}: not so at {url}:\n{page}"))
}
