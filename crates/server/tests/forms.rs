//! The command forms end to end, on real SQLite demo logs, through the router as a browser
//! would send them: each form recorded with the session's actor and role, a resent form applied
//! once, wrong values and refusals shown beside their fields with nothing written, possible
//! duplicates shown beside the title and recorded with the domain's override, and forms refused
//! without the session's form token or to any role but the Secretariat.
//!
//! (`pages.rs` calls every page of `access::PAGES`, these forms included, with and without a
//! session and for every role.)

mod support;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Method, Request};
use smes_server::web::{SESSION_COOKIE, SIGN_IN_COOKIE};
use support::Fixture;
use tower::ServiceExt;

/// A page as the browser gets it.
#[derive(Debug)]
struct Page {
    status: u16,
    location: String,
    text: String,
}

impl Page {
    /// The value of the first `<input … name="NAME" value="…">` of the page.
    fn input(&self, name: &str) -> String {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no field {name} in {}", self.text))
            + marker.len();
        let end = self.text[start..].find('"').unwrap() + start;
        self.text[start..end].to_owned()
    }

    /// The error shown beside a field, if any (as maud escapes it).
    fn error(&self, name: &str) -> Option<String> {
        let marker = format!(r#"<p class="error" id="{name}-error">"#);
        let start = self.text.find(&marker)? + marker.len();
        let end = self.text[start..].find("</p>").unwrap() + start;
        Some(self.text[start..end].to_owned())
    }
}

/// A form value as `application/x-www-form-urlencoded` writes it.
fn encoded(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A browser signed in with one token.
struct Browser<'a> {
    fixture: &'a Fixture,
    session: String,
}

impl<'a> Browser<'a> {
    async fn send(router: &axum::Router, method: &str, uri: &str, cookie: &str, form: &[(String, String)]) -> Page {
        let mut request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(uri);
        if !cookie.is_empty() {
            request = request.header("cookie", cookie);
        }
        let body = if method == "POST" {
            request = request.header("content-type", "application/x-www-form-urlencoded");
            let pairs: Vec<String> = form
                .iter()
                .map(|(name, value)| format!("{name}={}", encoded(value)))
                .collect();
            Body::from(pairs.join("&"))
        } else {
            Body::empty()
        };
        let response = router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map_or(String::new(), |value| value.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Page {
            status,
            location,
            text: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// Signs in with the token of `role`.
    async fn sign_in(fixture: &'a Fixture, role: &str) -> Browser<'a> {
        let session = session_of(&fixture.router, &fixture.token[role]).await;
        Browser { fixture, session }
    }

    async fn get(&self, uri: &str) -> Page {
        let cookie = format!("{SESSION_COOKIE}={}", self.session);
        Self::send(&self.fixture.router, "GET", uri, &cookie, &[]).await
    }

    async fn post(&self, uri: &str, form: &BTreeMap<String, String>) -> Page {
        let cookie = format!("{SESSION_COOKIE}={}", self.session);
        let pairs: Vec<(String, String)> = form.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Self::send(&self.fixture.router, "POST", uri, &cookie, &pairs).await
    }

    /// Opens a form and returns its hidden and drawn values (form token, command id, new ids)
    /// with `fields` over them.
    async fn fill(&self, path: &str, fields: &[(&str, &str)]) -> BTreeMap<String, String> {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.text);
        let mut form = BTreeMap::new();
        for hidden in ["csrf", "command_id"] {
            form.insert(hidden.to_owned(), page.input(hidden));
        }
        for drawn in ["consultation", "need", "activity", "commitment", "currency"] {
            if page.text.contains(&format!(r#"name="{drawn}" value=""#)) {
                let value = page.input(drawn);
                if !value.is_empty() {
                    form.insert(drawn.to_owned(), value);
                }
            }
        }
        for (name, value) in fields {
            form.insert((*name).to_owned(), (*value).to_owned());
        }
        form
    }
}

/// Signs in with `token` through the sign-in form; returns the session id the server sets.
async fn session_of(router: &axum::Router, token: &str) -> String {
    let form = Browser::send(router, "GET", "/sign-in", "", &[]).await;
    let csrf = form.input("csrf");
    let request = Request::builder()
        .method("POST")
        .uri("/sign-in")
        .header("cookie", format!("{SIGN_IN_COOKIE}={csrf}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}&token={}", encoded(token))))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with(&format!("{SESSION_COOKIE}=")))
        .expect("a session cookie");
    cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned()
}

/// The ids of the demo's streams with a prefix whose events include `with` and none of
/// `without`.
async fn streams(fixture: &Fixture, prefix: &str, with: &str, without: &str) -> Vec<String> {
    let events = fixture.store.read_all(1, 100_000).await.unwrap();
    let mut found: Vec<String> = events
        .iter()
        .filter(|event| event.stream.starts_with(prefix) && event.event_type == with)
        .map(|event| event.stream[prefix.len()..].to_owned())
        .collect();
    found.retain(|id| {
        !events
            .iter()
            .any(|event| event.stream == format!("{prefix}{id}") && event.event_type == without)
    });
    found
}

/// The forms this file tests, in the order of the access table.
const FORM_PATHS: [&str; 6] = [
    "/record/schedule-consultation",
    "/record/hold-consultation",
    "/record/identify-need",
    "/record/propose-activity",
    "/record/approve-activity",
    "/record/commit-to-activity",
];

/// Every form page of the access table.
fn form_paths() -> Vec<&'static str> {
    smes_server::access::PAGES
        .iter()
        .filter(|rule| rule.method == "GET" && rule.path.starts_with("/record/"))
        .map(|rule| rule.path)
        .collect()
}

/// Follows a form's 303 to what was recorded.
async fn recorded(browser: &Browser<'_>, page: &Page, what: &str) -> Page {
    assert_eq!(page.status, 303, "{what}: {}", page.text);
    assert!(page.location.starts_with("/recorded/"), "{what}: {}", page.location);
    let shown = browser.get(&page.location).await;
    assert_eq!(shown.status, 200, "{what}: {}", shown.text);
    shown
}

#[tokio::test]
async fn each_form_records_its_command_with_the_sessions_actor_and_role() {
    let fixture = Fixture::demo().await;
    let browser = Browser::sign_in(&fixture, "secretariat").await;
    let home = browser.get("/").await;
    // Every form of the access table is on the home page and sent below.
    assert_eq!(form_paths(), FORM_PATHS, "a new form needs its case in each test here");
    for path in form_paths() {
        assert!(
            home.text.contains(&format!(r#"href="{path}""#)),
            "{path} on the home page"
        );
    }
    let counterparts = streams(&fixture, "counterpart-", "CounterpartJoined", "CounterpartWithdrew").await;
    let participants = format!("{}, {}", counterparts[0], counterparts[1]);

    // Schedule a consultation, then record it held. A form's own actor and role fields are
    // not the session's and are ignored.
    let form = browser
        .fill(
            "/record/schedule-consultation",
            &[
                ("title", "Consultation on export credit for SMEs"),
                ("scheduled_for", "2013-05-20"),
                ("venue", "Caracas, Venezuela"),
                ("actor", "someone-else"),
                ("role", "auditor"),
            ],
        )
        .await;
    let consultation = form["consultation"].clone();
    let page = browser.post("/record/schedule-consultation", &form).await;
    let shown = recorded(&browser, &page, "schedule").await;
    assert!(shown.text.contains("<h2>ConsultationScheduled</h2>"), "{}", shown.text);
    assert!(shown.text.contains("Consultation on export credit for SMEs"));

    let form = browser
        .fill(
            "/record/hold-consultation",
            &[
                ("consultation", &consultation),
                ("held_on", "2013-05-20"),
                ("venue", "Caracas, Venezuela"),
                ("participants", &participants),
                ("minutes_reference", "SP/CR-PYMES/Acta 9-13"),
                ("why", "minutes circulated"),
            ],
        )
        .await;
    let page = browser.post("/record/hold-consultation", &form).await;
    let shown = recorded(&browser, &page, "hold").await;
    assert!(shown.text.contains("<h2>ConsultationHeld</h2>"));
    assert!(shown.text.contains("reason: minutes circulated"), "{}", shown.text);

    let form = browser
        .fill(
            "/record/identify-need",
            &[
                ("consultation", &consultation),
                ("raised_by", &counterparts[0]),
                ("thematic_area", "financing"),
                ("member_states", "ve, pe"),
                ("priority", "high"),
                ("description", "Export credit insurance for first-time exporters"),
            ],
        )
        .await;
    let need = form["need"].clone();
    let page = browser.post("/record/identify-need", &form).await;
    let shown = recorded(&browser, &page, "identify").await;
    assert!(shown.text.contains("<h2>NeedIdentified</h2>"));
    assert!(shown.text.contains("VE, PE"), "{}", shown.text);

    let form = browser
        .fill(
            "/record/propose-activity",
            &[
                ("activity_kind", "training-workshop"),
                ("title", "Workshop on export credit insurance"),
                ("thematic_area", "internationalization"),
                ("answers_needs", &need),
                ("host", "GT"),
                ("planned_start", "2013-09-10"),
                ("planned_end", "2013-09-11"),
                ("estimated_cost", "12500.5"),
                ("proposed_on", "2013-05-27"),
            ],
        )
        .await;
    let activity = form["activity"].clone();
    let page = browser.post("/record/propose-activity", &form).await;
    let shown = recorded(&browser, &page, "propose").await;
    assert!(shown.text.contains("<h2>ActivityProposed</h2>"));
    // Money and periods written for people.
    assert!(shown.text.contains("12,500.50 USD (2013-05-27)"), "{}", shown.text);
    assert!(shown.text.contains("2013-09-10 to 2013-09-11"));
    assert!(shown.text.contains(&format!(r#"href="/activity/{activity}""#)));

    let form = browser
        .fill(
            &format!("/record/approve-activity?activity={activity}"),
            &[
                ("work_programme", "2013"),
                ("body", "permanent-secretariat"),
                ("reference", "SP/Di N° 9-13"),
                ("rationale", "Answers the export-credit need raised in Caracas"),
                ("decided_on", "2013-06-03"),
            ],
        )
        .await;
    assert_eq!(form["activity"], activity, "the activity is filled in from the query");
    let page = browser.post("/record/approve-activity", &form).await;
    let shown = recorded(&browser, &page, "approve").await;
    assert!(shown.text.contains("<h2>ActivityApproved</h2>"));

    let offers = streams(&fixture, "offer-", "OfferRecorded", "").await;
    let form = browser
        .fill(
            "/record/commit-to-activity",
            &[
                ("offer", &offers[0]),
                ("activity", &activity),
                ("amount", "1000"),
                ("committed_on", "2013-06-10"),
            ],
        )
        .await;
    let page = browser.post("/record/commit-to-activity", &form).await;
    let shown = recorded(&browser, &page, "commit").await;
    assert!(shown.text.contains("<h2>CommitmentMade</h2>"), "{}", shown.text);
    assert!(shown.text.contains("1,000.00 USD (2013-06-10)"), "{}", shown.text);
    assert!(shown.text.contains(&format!(r#"href="/activity/{activity}""#)));

    // Every event written by the forms carries the session token's actor and role.
    let events = fixture.store.read_all(1, 100_000).await.unwrap();
    let written: Vec<_> = events.iter().filter(|event| event.metadata.source == "http").collect();
    assert_eq!(written.len(), 6, "one event per form");
    let actor = fixture.tokens.list().await.unwrap();
    let secretariat = actor.iter().find(|token| token.name == "secretariat-1").unwrap();
    for event in written {
        assert_eq!(event.metadata.role, "secretariat", "{}", event.event_type);
        assert_eq!(event.metadata.actor, secretariat.actor, "{}", event.event_type);
        assert!(event.metadata.command_id.is_some());
    }
    // The trace of the new activity shows the chain from the need.
    let trace = browser.get(&format!("/activity/{activity}")).await;
    for step in [
        "NeedIdentified",
        "ActivityProposed",
        "ActivityApproved",
        "CommitmentMade",
    ] {
        assert!(trace.text.contains(step), "{step} in the trace");
    }
}

#[tokio::test]
async fn a_form_sent_twice_is_recorded_once() {
    let fixture = Fixture::demo().await;
    let browser = Browser::sign_in(&fixture, "secretariat").await;
    let form = browser
        .fill(
            "/record/schedule-consultation",
            &[
                ("title", "Consultation on women entrepreneurs"),
                ("scheduled_for", "2013-10-02"),
                ("venue", "Panama City"),
            ],
        )
        .await;
    let first = browser.post("/record/schedule-consultation", &form).await;
    assert_eq!(first.status, 303, "{}", first.text);
    let head = fixture.head().await;
    let again = browser.post("/record/schedule-consultation", &form).await;
    assert_eq!(again.status, 303, "{}", again.text);
    assert_eq!(again.location, format!("{}?again=true", first.location));
    assert_eq!(fixture.head().await, head, "nothing written the second time");
    let shown = browser.get(&again.location).await;
    assert!(
        shown.text.contains("had already been sent and recorded"),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("<h2>ConsultationScheduled</h2>"));
    // The same command id for another record is refused, beside no one field.
    let mut changed = form.clone();
    changed.insert(
        "consultation".to_owned(),
        "5e1a0000-0000-4000-8000-0000000eeeee".to_owned(),
    );
    let page = browser.post("/record/schedule-consultation", &changed).await;
    assert_eq!(page.status, 409, "{}", page.text);
    assert!(
        page.error("form").unwrap().contains("Nothing was recorded:"),
        "{}",
        page.text
    );
    assert_eq!(fixture.head().await, head);
    // An unknown command id is not found.
    let unknown = browser.get("/recorded/5e1a0000-0000-4000-8000-0000000fffff").await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let malformed = browser.get("/recorded/seven").await;
    assert_eq!(malformed.status, 400, "{}", malformed.text);
}

/// A form, the fields sent, the status expected, the field the error is beside and part of its
/// message.
type ErrorCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16, &'a str, &'a str);

#[tokio::test]
async fn wrong_values_and_refusals_are_shown_beside_their_fields_and_write_nothing() {
    let fixture = Fixture::demo().await;
    let browser = Browser::sign_in(&fixture, "secretariat").await;
    let before = fixture.head().await;
    let unknown = "5e1a0000-0000-4000-8000-0000000fffff";
    let cases: [ErrorCase; 9] = [
        (
            "/record/schedule-consultation",
            vec![("title", ""), ("scheduled_for", "2013-05-20"), ("venue", "Lima")],
            422,
            "title",
            "This field is required.",
        ),
        (
            "/record/hold-consultation",
            vec![
                ("consultation", unknown),
                ("held_on", "2013-05-20"),
                ("venue", "Lima"),
                ("participants", unknown),
                ("minutes_reference", "Acta 1"),
            ],
            409,
            "participants",
            "has not joined",
        ),
        (
            "/record/identify-need",
            vec![
                ("consultation", unknown),
                ("raised_by", "not-an-id"),
                ("thematic_area", "financing"),
                ("member_states", "PE"),
                ("priority", "urgent"),
                ("description", "Credit"),
            ],
            422,
            "priority",
            "expected one of high, medium, low",
        ),
        (
            "/record/identify-need",
            vec![
                ("consultation", unknown),
                ("raised_by", unknown),
                ("thematic_area", "financing"),
                ("member_states", "PE"),
                ("priority", "high"),
                ("description", "Credit"),
            ],
            409,
            "consultation",
            "is not in the record: it was never scheduled",
        ),
        (
            "/record/propose-activity",
            vec![
                ("activity_kind", "seminar"),
                ("title", "Seminar on factoring"),
                ("thematic_area", "financing"),
                ("host", "PE"),
                ("planned_start", "2014-03-11"),
                ("planned_end", "2014-03-10"),
                ("estimated_cost", "8000"),
                ("proposed_on", "2013-11-02"),
            ],
            422,
            "planned_end",
            "ends earlier",
        ),
        (
            "/record/propose-activity",
            vec![
                ("activity_kind", "seminar"),
                ("title", "Seminar on factoring"),
                ("thematic_area", "financing"),
                ("host", "PE"),
                ("planned_start", "2014-03-10"),
                ("planned_end", "2014-03-11"),
                ("estimated_cost", "8,000"),
                ("proposed_on", "10/11/2013"),
            ],
            422,
            "estimated_cost",
            "is not an amount",
        ),
        (
            "/record/approve-activity",
            vec![
                ("activity", unknown),
                ("work_programme", "2013"),
                ("body", "permanent-secretariat"),
                ("reference", "SP/Di 1"),
                ("rationale", "Because"),
                ("decided_on", "2013-06-03"),
            ],
            409,
            "activity",
            "has not been proposed",
        ),
        (
            "/record/commit-to-activity",
            vec![
                ("offer", unknown),
                ("activity", unknown),
                ("amount", "1000"),
                ("committed_on", "2013-06-10"),
            ],
            409,
            "activity",
            "is not in the record (an activity proposed in the log)",
        ),
        (
            "/record/commit-to-activity",
            vec![
                ("offer", unknown),
                ("activity", unknown),
                ("amount", "1000"),
                ("currency", "dollars"),
                ("committed_on", "2013-06-10"),
            ],
            422,
            "currency",
            "invalid currency",
        ),
    ];
    for path in form_paths() {
        assert!(cases.iter().any(|case| case.0 == path), "{path} has an error case");
    }
    for (path, fields, status, field, message) in cases {
        let form = browser.fill(path, &fields).await;
        let page = browser.post(path, &form).await;
        let what = format!("{path} {field}");
        assert_eq!(page.status, status, "{what}: {}", page.text);
        let error = page
            .error(field)
            .unwrap_or_else(|| panic!("{what}: no error in {}", page.text));
        assert!(error.contains(message), "{what}: {error}");
        assert!(
            page.text
                .contains(&format!(r#"aria-invalid="true" aria-describedby="{field}-error""#))
        );
        // What was typed is kept, with the same command id and form token.
        assert_eq!(page.input("command_id"), form["command_id"], "{what}");
        for (name, value) in &fields {
            let kept = match *name {
                "thematic_area" | "priority" | "body" | "activity_kind" => {
                    format!(r#"<option value="{value}" selected>"#)
                }
                "description" | "rationale" => format!(r#"name="{name}" rows="3" required>{value}</textarea>"#),
                _ => format!(r#"name="{name}" value="{value}""#),
            };
            if !value.is_empty() && *name != "priority" {
                assert!(page.text.contains(&kept), "{what}: {kept}");
            }
        }
    }
    // Several wrong fields at once: each beside its own.
    let form = browser
        .fill(
            "/record/propose-activity",
            &[("host", "Peru"), ("planned_start", "soon"), ("estimated_cost", "-5")],
        )
        .await;
    let page = browser.post("/record/propose-activity", &form).await;
    assert_eq!(page.status, 422);
    for field in ["host", "planned_start", "estimated_cost", "title", "proposed_on"] {
        assert!(page.error(field).is_some(), "{field}: {}", page.text);
    }
    assert!(page.error("answers_needs").is_none() && page.error("proposed_by").is_none());
    insta::assert_snapshot!("propose_activity_field_errors", redact(&page, &form));
    assert_eq!(fixture.head().await, before, "nothing was written");
}

#[tokio::test]
async fn an_amount_too_large_is_said_in_the_programmes_words() {
    let fixture = Fixture::demo().await;
    let browser = Browser::sign_in(&fixture, "secretariat").await;
    let before = fixture.head().await;
    let path = "/record/propose-activity";
    let too_large = "99999999999999999999999999999999";
    let fields = [
        ("activity_kind", "seminar"),
        ("title", "Seminar on factoring"),
        ("thematic_area", "financing"),
        ("host", "PE"),
        ("planned_start", "2014-03-10"),
        ("planned_end", "2014-03-11"),
        ("estimated_cost", too_large),
        ("proposed_on", "2013-11-02"),
    ];
    let form = browser.fill(path, &fields).await;
    let page = browser.post(path, &form).await;
    assert_eq!(page.status, 422, "{}", page.text);
    let error = page.error("estimated_cost").expect("an error beside the cost");
    assert!(
        error.contains("which is not allowed; expected a decimal number as text"),
        "{error}"
    );
    assert!(
        !error.contains("Decimal") && !error.contains("invalid value"),
        "{error}"
    );
    assert_eq!(fixture.head().await, before, "nothing was written");
}

#[tokio::test]
async fn a_possible_duplicate_is_shown_beside_the_title_and_recorded_with_a_reason() {
    let fixture = Fixture::demo().await;
    let browser = Browser::sign_in(&fixture, "secretariat").await;
    let proposal = [
        ("activity_kind", "seminar"),
        ("title", "Seminar on guarantee funds in Uruguay"),
        ("thematic_area", "financing"),
        ("host", "UY"),
        ("planned_start", "2014-03-10"),
        ("planned_end", "2014-03-11"),
        ("estimated_cost", "8000"),
        ("proposed_on", "2013-11-02"),
    ];
    let form = browser.fill("/record/propose-activity", &proposal).await;
    let first = form["activity"].clone();
    let page = browser.post("/record/propose-activity", &form).await;
    assert_eq!(page.status, 303, "{}", page.text);

    // A second one in the same area and host over overlapping dates.
    let mut second = proposal.to_vec();
    second[1] = ("title", "Seminar on counter-guarantees in Uruguay");
    second[5] = ("planned_end", "2014-03-12");
    let form = browser.fill("/record/propose-activity", &second).await;
    let before = fixture.head().await;
    let page = browser.post("/record/propose-activity", &form).await;
    assert_eq!(page.status, 409, "{}", page.text);
    let error = page.error("title").unwrap();
    assert!(error.contains("may duplicate activities"), "{error}");
    let listed = format!(
        r#"<a href="/activity/{first}">Seminar on guarantee funds in Uruguay</a>, planned 2014-03-10 to 2014-03-11, hosted by UY"#
    );
    assert!(page.text.contains(&listed), "{listed} in {}", page.text);
    assert!(
        page.text
            .contains(r#"<textarea id="duplicate_override" name="duplicate_override""#),
        "the override is offered"
    );
    assert_eq!(fixture.head().await, before, "nothing written");
    insta::assert_snapshot!("propose_activity_possible_duplicate", redact(&page, &form));

    // Sent again with a reason, it is recorded with the warning and the reason.
    let mut form = form;
    form.insert(
        "duplicate_override".to_owned(),
        "For guarantee-fund managers, back to back to share travel costs".to_owned(),
    );
    let page = browser.post("/record/propose-activity", &form).await;
    let shown = recorded(&browser, &page, "override").await;
    assert!(shown.text.contains("<h2>ActivityProposed</h2>"));
    assert!(
        shown.text.contains("<h2>ActivityDuplicateWarningOverridden</h2>"),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("back to back to share travel costs"));
    assert!(shown.text.contains(&first), "the duplicate is named");
}

/// Replaces what differs between runs (the form token, the command id, the drawn ids).
fn redact(page: &Page, form: &BTreeMap<String, String>) -> String {
    let mut text = page.text.clone();
    for name in ["csrf", "command_id", "activity"] {
        text = text.replace(&form[name], &format!("[{name}]"));
    }
    let first = text
        .find(r#"<a href="/activity/"#)
        .map(|at| at + r#"<a href="/activity/"#.len());
    if let Some(at) = first {
        let id = text[at..at + 36].to_owned();
        text = text.replace(&id, "[duplicate]");
    }
    text.replace("><", ">\n<")
}

#[tokio::test]
async fn forms_are_refused_without_the_sessions_form_token_and_to_other_roles() {
    let fixture = Fixture::demo().await;
    let before = fixture.head().await;
    let secretariat = Browser::sign_in(&fixture, "secretariat").await;
    let other = Browser::sign_in(&fixture, "secretariat").await;
    let auditor = Browser::sign_in(&fixture, "auditor").await;
    for path in form_paths() {
        let form = secretariat.fill(path, &[("title", "x")]).await;
        // Another session's form token, an empty one, or none.
        let foreign = other.fill(path, &[]).await["csrf"].clone();
        for csrf in [Some(foreign.as_str()), Some(""), None] {
            let mut sent = form.clone();
            match csrf {
                Some(csrf) => sent.insert("csrf".to_owned(), csrf.to_owned()),
                None => sent.remove("csrf"),
            };
            let page = secretariat.post(path, &sent).await;
            assert_eq!(page.status, 403, "{path} {csrf:?}: {}", page.text);
            assert!(page.text.contains("did not come from this site"), "{path}");
        }
        // An auditor may neither open nor send it, even with its own form token.
        let page = auditor.get(path).await;
        assert_eq!(page.status, 403, "{path}: {}", page.text);
        assert!(page.text.contains("Only the Secretariat records commands"));
        let own = auditor.get("/").await;
        let mut sent = form.clone();
        let marker = r#"name="csrf" value=""#;
        let at = own.text.find(marker).unwrap() + marker.len();
        sent.insert("csrf".to_owned(), own.text[at..at + 64].to_owned());
        let page = auditor.post(path, &sent).await;
        assert_eq!(page.status, 403, "{path}: {}", page.text);
        assert!(page.text.contains("Only the Secretariat records commands"));
        // Without a session, to the sign-in page.
        let page = Browser::send(&fixture.router, "POST", path, "", &[]).await;
        assert_eq!((page.status, page.location.as_str()), (303, "/sign-in"));
    }
    assert_eq!(fixture.head().await, before, "nothing was written");
    let home = auditor.get("/").await;
    assert!(
        !home.text.contains(r#"href="/record/"#),
        "auditors are not offered the forms"
    );
}

#[tokio::test]
async fn control_characters_are_refused_beside_their_field_and_a_text_areas_line_breaks_kept() {
    let fixture = Fixture::demo().await;
    let browser = Browser::sign_in(&fixture, "secretariat").await;
    let mut form = browser
        .fill(
            "/record/schedule-consultation",
            &[
                ("title", "Consultation on export credit\u{1b}[2J"),
                ("scheduled_for", "2013-05-20"),
                ("venue", "Caracas, Venezuela"),
                // Browsers send a text area's line breaks as CR LF.
                ("why", "agreed at the\r\nLatin American Council"),
            ],
        )
        .await;
    let before = fixture.head().await;
    let page = browser.post("/record/schedule-consultation", &form).await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(
        page.text
            .contains("control character U+001B is not allowed in text (only newline and tab are)"),
        "{}",
        page.text
    );
    assert!(page.text.contains(r#"id="title-error""#), "{}", page.text);
    // The value typed is drawn again, with the control character made harmless.
    assert!(!page.text.contains('\u{1b}'), "{}", page.text);
    assert!(
        page.text.contains("Consultation on export credit\u{fffd}[2J"),
        "{}",
        page.text
    );
    assert_eq!(fixture.head().await, before, "a refused form wrote nothing");

    form.insert("title".to_owned(), "Consultation on export credit".to_owned());
    let page = browser.post("/record/schedule-consultation", &form).await;
    recorded(&browser, &page, "schedule").await;
    let events = fixture.store.read_all(before.0 + 1, 10).await.unwrap();
    let reason = events.last().and_then(|event| event.metadata.reason.clone());
    assert_eq!(reason.as_deref(), Some("agreed at the\nLatin American Council"));
}
