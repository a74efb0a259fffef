//! The web pages end to end, on real SQLite demo logs, through the router as a browser would
//! call them: signing in and out with the form tokens, every page in `access::PAGES` with and
//! without a session and for every role, the pages' content, their field errors, and the log
//! unchanged by all of it.

mod support;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use smes_server::access::{self, Access, RouteRule};
use smes_server::web::{SESSION_COOKIE, SIGN_IN_COOKIE};
use smes_server::{Role, ServerConfig};
use support::{Fixture, PUBLICATION};
use tower::ServiceExt;

/// Name and value pairs: cookies or form fields.
type Pairs<'a> = &'a [(&'a str, &'a str)];

/// A page as the browser gets it.
#[derive(Debug)]
struct Page {
    status: u16,
    headers: HeaderMap,
    text: String,
}

impl Page {
    /// The `Set-Cookie` headers.
    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect()
    }

    /// The `Set-Cookie` header of a cookie, if any.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|value| value.starts_with(&format!("{name}=")))
    }

    fn location(&self) -> &str {
        self.headers.get("location").map_or("", |value| value.to_str().unwrap())
    }

    /// The value of the first hidden form token of the page.
    fn csrf(&self) -> String {
        let marker = r#"name="csrf" value=""#;
        let start = self.text.find(marker).expect("a form token") + marker.len();
        self.text[start..start + 64].to_owned()
    }
}

/// Sends a request with cookies and, for a POST, a form body.
async fn browse(
    router: &axum::Router,
    method: &str,
    uri: &str,
    cookies: &[(&str, &str)],
    form: &[(&str, &str)],
) -> Page {
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri);
    if !cookies.is_empty() {
        let header: Vec<String> = cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
        request = request.header("cookie", header.join("; "));
    }
    let body = if method == "POST" {
        request = request.header("content-type", "application/x-www-form-urlencoded");
        let pairs: Vec<String> = form.iter().map(|(name, value)| format!("{name}={value}")).collect();
        Body::from(pairs.join("&"))
    } else {
        Body::empty()
    };
    let response = router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Page {
        status,
        headers,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// The value of a `Set-Cookie` header's cookie.
fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

/// Opens the sign-in page: its form token (also set as a cookie).
async fn sign_in_token(router: &axum::Router) -> String {
    let page = browse(router, "GET", "/sign-in", &[], &[]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let cookie = cookie_value(&page.set_cookie(SIGN_IN_COOKIE).expect("the sign-in form token cookie"));
    assert_eq!(page.csrf(), cookie, "the form and the cookie carry the same form token");
    cookie
}

/// Signs in with `token`; returns the session id.
async fn sign_in(router: &axum::Router, token: &str) -> String {
    let csrf = sign_in_token(router).await;
    let page = browse(
        router,
        "POST",
        "/sign-in",
        &[(SIGN_IN_COOKIE, &csrf)],
        &[("csrf", &csrf), ("token", token)],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.text);
    cookie_value(&page.set_cookie(SESSION_COOKIE).expect("a session cookie"))
}

/// What maud writes for a text.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn first_activity(fixture: &Fixture) -> String {
    let events = fixture.store.read_all(1, 10_000).await.unwrap();
    events
        .iter()
        .find_map(|event| event.stream.strip_prefix("activity-"))
        .expect("the demo has activities")
        .to_owned()
}

/// The command id of the demo's first command.
async fn demo_command_id(fixture: &Fixture) -> String {
    let events = fixture.store.read_all(1, 10_000).await.unwrap();
    events
        .iter()
        .find_map(|event| event.metadata.command_id)
        .expect("the demo's commands carry ids")
        .to_string()
}

#[tokio::test]
async fn signing_in_with_a_good_token_sets_a_session_cookie_and_redirects_home() {
    let fixture = Fixture::demo().await;
    let csrf = sign_in_token(&fixture.router).await;
    let form_cookie = browse(&fixture.router, "GET", "/sign-in", &[], &[]).await;
    let form_cookie = form_cookie.set_cookie(SIGN_IN_COOKIE).unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/sign-in"] {
        assert!(form_cookie.contains(attribute), "{form_cookie}: {attribute}");
    }
    let token = fixture.token["auditor"].clone();
    let page = browse(
        &fixture.router,
        "POST",
        "/sign-in",
        &[(SIGN_IN_COOKIE, &csrf)],
        &[("csrf", &csrf), ("token", &token)],
    )
    .await;
    assert_eq!((page.status, page.location()), (303, "/"), "{}", page.text);
    let session = page.set_cookie(SESSION_COOKIE).unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(attribute), "{session}: {attribute}");
    }
    let id = cookie_value(&session);
    assert_eq!(id.len(), 64);
    assert!(!session.contains(&token) && !session.contains(&smes_server::tokens::token_hash(&token)));
    // The sign-in form token is spent.
    assert!(page.set_cookie(SIGN_IN_COOKIE).unwrap().contains("Max-Age=0"));
    let home = browse(&fixture.router, "GET", "/", &[(SESSION_COOKIE, &id)], &[]).await;
    assert_eq!(home.status, 200, "{}", home.text);
    assert!(home.text.contains(r#"href="/work-programme/2013""#), "{}", home.text);
    assert!(home.text.contains("auditor-1 (auditor)"));

    // Started for plain-HTTP local use, the cookies are not Secure.
    let plain = fixture.serve_with(ServerConfig {
        secure_cookies: false,
        ..ServerConfig::default()
    });
    let page = browse(&plain, "GET", "/sign-in", &[], &[]).await;
    let cookie = page.set_cookie(SIGN_IN_COOKIE).unwrap();
    assert!(cookie.contains("HttpOnly") && !cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_bad_token_shows_an_error_and_sets_nothing() {
    let fixture = Fixture::demo().await;
    let before = fixture.head().await;
    let csrf = sign_in_token(&fixture.router).await;
    for token in ["smes_0000", "", fixture.revoked.as_str()] {
        let page = browse(
            &fixture.router,
            "POST",
            "/sign-in",
            &[(SIGN_IN_COOKIE, &csrf)],
            &[("csrf", &csrf), ("token", token)],
        )
        .await;
        assert_eq!(page.status, 401, "{token}: {}", page.text);
        assert!(page.set_cookies().is_empty(), "{token}: {:?}", page.set_cookies());
        assert!(
            page.text
                .contains(r#"<p class="error" id="token-error">This token is unknown or revoked.</p>"#),
            "{}",
            page.text
        );
        assert_eq!(page.csrf(), csrf, "the form can be sent again");
    }
    assert_eq!(fixture.head().await, before);
}

#[tokio::test]
async fn a_post_without_its_form_token_is_refused_and_changes_nothing() {
    let fixture = Fixture::demo().await;
    let before = fixture.head().await;
    let token = fixture.token["secretariat"].clone();
    let csrf = sign_in_token(&fixture.router).await;
    let other = "ab".repeat(32);
    // Sign-in: no field, no cookie, or the two differ.
    let attempts: [(Pairs, Pairs); 3] = [
        (&[(SIGN_IN_COOKIE, &csrf)], &[("token", &token)]),
        (&[], &[("csrf", &csrf), ("token", &token)]),
        (&[(SIGN_IN_COOKIE, &other)], &[("csrf", &csrf), ("token", &token)]),
    ];
    for (cookies, form) in attempts {
        let page = browse(&fixture.router, "POST", "/sign-in", cookies, form).await;
        assert_eq!(page.status, 403, "{cookies:?} {form:?}: {}", page.text);
        assert!(page.set_cookies().is_empty(), "{:?}", page.set_cookies());
        assert!(page.text.contains("did not come from this site"), "{}", page.text);
    }
    // Sign-out: without the session's form token, or with the sign-in one, the session lives on.
    let id = sign_in(&fixture.router, &token).await;
    let session = [(SESSION_COOKIE, id.as_str())];
    for form in [&[][..], &[("csrf", other.as_str())][..]] {
        let page = browse(&fixture.router, "POST", "/sign-out", &session, form).await;
        assert_eq!(page.status, 403, "{form:?}: {}", page.text);
        assert!(page.set_cookies().is_empty());
    }
    let home = browse(&fixture.router, "GET", "/", &session, &[]).await;
    assert_eq!(home.status, 200, "the session lives on");
    // With it, the session ends and its cookie is cleared.
    let out = browse(
        &fixture.router,
        "POST",
        "/sign-out",
        &session,
        &[("csrf", &home.csrf())],
    )
    .await;
    assert_eq!((out.status, out.location()), (303, "/sign-in"), "{}", out.text);
    assert!(out.set_cookie(SESSION_COOKIE).unwrap().contains("Max-Age=0"));
    let after = browse(&fixture.router, "GET", "/", &session, &[]).await;
    assert_eq!((after.status, after.location()), (303, "/sign-in"));
    assert_eq!(fixture.head().await, before);
}

/// A page's test: a URI, the status a role it allows gets without sending anything more than
/// the URI (a form sent without its form token is refused), and what its page must contain.
struct Case {
    uri: String,
    status: u16,
    contains: Vec<String>,
}

/// The test case of a page; a page without one fails the suite.
fn case(rule: &RouteRule, activity: &str, command_id: &str) -> Option<Case> {
    let case = |uri: &str, contains: &[&str]| {
        Some(Case {
            uri: uri.to_owned(),
            status: 200,
            contains: contains.iter().map(|text| (*text).to_owned()).collect(),
        })
    };
    if let Some(kind) = rule.path.strip_prefix("/record/") {
        // Every form: its page, and refused when sent without its form token (the form tests
        // below send each with it).
        return match rule.method {
            "GET" => case(
                rule.path,
                &[
                    &format!(r#"<form method="post" action="/record/{kind}">"#),
                    r#"<input type="hidden" name="command_id" value=""#,
                ],
            ),
            _ => Some(Case {
                uri: rule.path.to_owned(),
                status: 403,
                contains: vec!["did not come from this site".to_owned()],
            }),
        };
    }
    match (rule.method, rule.path) {
        ("GET", "/sign-in") => case("/sign-in", &[r#"<form method="post" action="/sign-in">"#]),
        // Tested by the sign-in and sign-out tests above.
        ("POST", "/sign-in") | ("POST", "/sign-out") => case(rule.path, &[]),
        ("GET", "/") => case(
            "/",
            &[
                "Work programme 2013",
                r#"<a href="/needs">Needs register</a>"#,
                r#"<a href="/counterparts">Counterpart directory</a>"#,
                r#"<a href="/evaluation-history">Evaluation history</a>"#,
                r#"<a href="/review">Programme review pack</a>"#,
                "Made from log position",
            ],
        ),
        ("GET", "/work-programme/{year}") => case(
            "/work-programme/2013?as_of=2013-06-30",
            &[
                "<h1>SELA-SMEs work programme 2013</h1>",
                r#"<input id="as_of" type="date" name="as_of" value="2013-06-30">"#,
                "Made from log position",
                &format!(r#"href="/activity/{activity}?as_of=2013-06-30""#),
            ],
        ),
        ("GET", "/activity/{id}") => case(
            &format!("/activity/{activity}?as_of=2013-06-30"),
            &[
                &format!("Decision trace of activity <code>{activity}</code>"),
                r#"value="2013-06-30""#,
                "<h2>proposal</h2>",
                "ActivityProposed",
                "Made from log position",
            ],
        ),
        ("GET", "/needs") => case(
            "/needs?as_of=2013-12-31&status=answered",
            &[
                "<h1>Needs register</h1>",
                r#"<input id="status" type="text" name="status" value="answered">"#,
                "<h2>By thematic area</h2>",
                "Strengthen national guarantee systems",
                "Made from log position",
            ],
        ),
        ("GET", "/counterparts") => case(
            "/counterparts?as_of=2013-12-31",
            &[
                "<h1>Counterpart directory</h1>",
                "Fondo Nacional de Garantías",
                "<h2>Membership history of the Member States</h2>",
                "Made from log position",
            ],
        ),
        ("GET", "/evaluation-history") => case(
            "/evaluation-history?as_of=2013-12-31",
            &[
                "<h1>Evaluation history</h1>",
                "Regional consultation on SME financing and guarantee systems",
                "<h3>Needs raised</h3>",
                "Made from log position",
            ],
        ),
        ("GET", "/review") => case(
            "/review?from=2013-01-01&to=2013-12-31",
            &[
                "<h1>SELA-SMEs programme review, 2013-01-01 to 2013-12-31</h1>",
                r#"<input id="from" type="date" name="from" value="2013-01-01">"#,
                "<svg",
                "<figcaption>",
                "Made from log position",
            ],
        ),
        ("GET", "/public") => case(
            "/public",
            &[
                "<h2>Published work-programme snapshots</h2>",
                &format!(r#"<a href="/public/snapshots/{PUBLICATION}">Work programme 2013 at mid-year</a>"#),
                r#"href="https://sela-smes.example/events/2/1""#,
                "Made from log position",
            ],
        ),
        ("GET", "/public/events") => case(
            "/public/events",
            &["<h1>Events held</h1>", r#"href="https://sela-smes.example/events/2/1""#],
        ),
        ("GET", "/public/snapshots/{id}") => case(
            &format!("/public/snapshots/{PUBLICATION}"),
            &[
                "<h1>Work programme 2013 at mid-year</h1>",
                "As approved by the Permanent Secretariat",
                "<h1>SELA-SMEs work programme 2013</h1>",
                "Cut: as of 2013-06-30, at position 102.",
            ],
        ),
        ("GET", "/recorded/{command_id}") => case(
            &format!("/recorded/{command_id}"),
            &["<h1>Recorded</h1>", "Recorded at log position"],
        ),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_redirects_without_a_session_and_answers_each_role_with_one() {
    let fixture = Fixture::demo().await;
    fixture.publish().await;
    let activity = first_activity(&fixture).await;
    let command_id = demo_command_id(&fixture).await;
    let before = fixture.head().await;
    let mut sessions = std::collections::HashMap::new();
    for role in Role::ALL {
        sessions.insert(role, sign_in(&fixture.router, &fixture.token[role.as_str()]).await);
    }
    for rule in access::PAGES {
        let what = format!("{} {}", rule.method, rule.path);
        let case = case(&rule, &activity, &command_id).unwrap_or_else(|| panic!("{what} has no test case"));
        if rule.access == Access::Public {
            let page = browse(&fixture.router, rule.method, &case.uri, &[], &[]).await;
            assert_ne!(page.status, 404, "{what} is served");
            assert_ne!(page.status, 405, "{what} is served");
            for text in &case.contains {
                assert!(page.text.contains(text.as_str()), "{what}: {text} in {}", page.text);
            }
            continue;
        }
        // No session, an unknown one, or one whose token was revoked since: to the sign-in page.
        let page = browse(&fixture.router, rule.method, &case.uri, &[], &[]).await;
        assert_eq!(
            (page.status, page.location()),
            (303, "/sign-in"),
            "{what} without a session"
        );
        let unknown = "cd".repeat(32);
        let page = browse(
            &fixture.router,
            rule.method,
            &case.uri,
            &[(SESSION_COOKIE, &unknown)],
            &[],
        )
        .await;
        assert_eq!(
            (page.status, page.location()),
            (303, "/sign-in"),
            "{what} with an unknown session"
        );
        assert!(page.set_cookie(SESSION_COOKIE).unwrap().contains("Max-Age=0"));
        for role in Role::ALL {
            let session = [(SESSION_COOKIE, sessions[&role].as_str())];
            let page = browse(&fixture.router, rule.method, &case.uri, &session, &[]).await;
            assert_eq!(page.headers["content-type"], "text/html; charset=utf-8", "{what}");
            if rule.access.allows(role) && role != Role::Observer {
                assert_eq!(page.status, case.status, "{what} as {role}: {}", page.text);
                for text in &case.contains {
                    assert!(
                        page.text.contains(text.as_str()),
                        "{what} as {role}: {text} in {}",
                        page.text
                    );
                }
            } else if rule.access == Access::Command {
                // Only the Secretariat records: the others are refused before anything is read.
                assert_eq!(page.status, 403, "{what} as {role}: {}", page.text);
                assert!(
                    page.text
                        .contains("Only the Secretariat records commands; nothing was written."),
                    "{what} as {role}: {}",
                    page.text
                );
                assert!(!page.text.contains("<form method=\"post\" action=\"/record/"), "{what}");
            } else if rule.access.allows(role) {
                // Observers' home lists what is published, and only that.
                assert_eq!(page.status, 200, "{what} as {role}: {}", page.text);
                assert!(
                    page.text
                        .contains(&format!(r#"href="/public/snapshots/{PUBLICATION}""#)),
                    "{what} as {role}: {}",
                    page.text
                );
                assert!(page.text.contains(r#"href="/public""#), "{what} as {role}");
                assert!(!page.text.contains("Made from log position"), "{what} as {role}");
            } else {
                // Elsewhere observers are told where what is published is.
                assert_eq!(page.status, 403, "{what} as {role}: {}", page.text);
                assert!(
                    page.text.contains("Observers may read only what is published"),
                    "{what}"
                );
                assert!(!page.text.contains("Made from log position"), "{what} as {role}");
            }
        }
    }
    // A session ends at the next page once its token is revoked.
    let desk = fixture.tokens.create("desk-9", Role::Secretariat, None).await.unwrap();
    let id = sign_in(&fixture.router, &desk.token).await;
    let session = [(SESSION_COOKIE, id.as_str())];
    assert_eq!(browse(&fixture.router, "GET", "/", &session, &[]).await.status, 200);
    fixture.tokens.revoke("desk-9").await.unwrap();
    let page = browse(&fixture.router, "GET", "/", &session, &[]).await;
    assert_eq!((page.status, page.location()), (303, "/sign-in"));
    assert_eq!(fixture.head().await, before, "pages changed the log");
}

#[tokio::test]
async fn the_work_programme_page_lists_the_snapshot_and_shows_field_errors() {
    let fixture = Fixture::demo().await;
    let id = sign_in(&fixture.router, &fixture.token["secretariat"]).await;
    let session = [(SESSION_COOKIE, id.as_str())];
    let page = browse(
        &fixture.router,
        "GET",
        "/work-programme/2013?as_of=2013-06-30",
        &session,
        &[],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let api = fixture.get("/api/work-programme/2013?as_of=2013-06-30").await;
    let activities = api.json["activities"].as_array().unwrap();
    assert!(!activities.is_empty());
    for activity in activities {
        let title = escaped(activity["title"].as_str().unwrap());
        assert!(page.text.contains(&title), "{title} in the page");
    }
    assert!(page.text.contains(&format!(
        r#"<span class="position">{}</span>"#,
        api.json["anchor"]["log_position"]
    )));
    assert!(page.text.contains(api.json["anchor"]["tree_root"].as_str().unwrap()));
    // Each bad field is shown next to it, with the API's message; the others keep their values.
    let bad = [
        ("as_of", "2013-13-01"),
        ("known_at", "yesterday"),
        ("at_position", "0"),
        ("area", "finance"),
        ("country", "XX1"),
        ("status", "done"),
    ];
    for (name, value) in bad {
        let uri = format!("/work-programme/2013?{name}={value}&as_of=2013-06-30");
        let uri = if name == "as_of" {
            format!("/work-programme/2013?as_of={value}&area=financing")
        } else {
            uri
        };
        let page = browse(&fixture.router, "GET", &uri, &session, &[]).await;
        assert_eq!(page.status, 400, "{uri}: {}", page.text);
        let problem = fixture.get(&format!("/api/work-programme/2013?{name}={value}")).await;
        let detail = escaped(problem.json["detail"].as_str().unwrap());
        let expected = format!(r#"<p class="error" id="{name}-error">{detail}</p>"#);
        assert!(page.text.contains(&expected), "{uri}: {expected} in {}", page.text);
        assert!(
            page.text.contains(&format!(r#"value="{value}""#)),
            "{uri}: the value is kept"
        );
        assert!(!page.text.contains("Made from log position"), "{uri}: no snapshot");
    }
    // Two bad fields: both errors.
    let page = browse(
        &fixture.router,
        "GET",
        "/work-programme/2013?as_of=x&status=y",
        &session,
        &[],
    )
    .await;
    assert!(page.text.contains(r#"id="as_of-error""#) && page.text.contains(r#"id="status-error""#));
    let page = browse(&fixture.router, "GET", "/work-programme/1800", &session, &[]).await;
    assert_eq!(page.status, 400);
    assert!(
        page.text.contains("year: &quot;1800&quot; is not allowed"),
        "{}",
        page.text
    );
}

#[tokio::test]
async fn the_activity_page_draws_the_trace_and_refuses_unknown_activities() {
    let fixture = Fixture::demo().await;
    let activity = first_activity(&fixture).await;
    let id = sign_in(&fixture.router, &fixture.token["auditor"]).await;
    let session = [(SESSION_COOKIE, id.as_str())];
    let page = browse(&fixture.router, "GET", &format!("/activity/{activity}"), &session, &[]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let api = fixture.get(&format!("/api/trace/activity/{activity}")).await;
    let steps = api.json["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    let mut last = 0;
    for step in steps {
        // Each step, in the trace's order, with its position, actor, role and short hash.
        let marker = format!(
            "<strong>log position {}: {}</strong>",
            step["position"],
            step["event_type"].as_str().unwrap()
        );
        let at = page
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("{marker} in {}", page.text));
        assert!(at > last, "{marker} out of order");
        last = at;
        let hash = step["hash"].as_str().unwrap();
        assert!(page.text[at..].contains(&format!(r#"<code title="{hash}">{}</code>"#, &hash[..16])));
        assert!(page.text[at..].contains(&format!(
            "actor: {}, role: {}",
            step["actor"].as_str().unwrap(),
            step["role"].as_str().unwrap()
        )));
    }
    let bad = browse(
        &fixture.router,
        "GET",
        &format!("/activity/{activity}?known_at=never"),
        &session,
        &[],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.text
            .contains(r#"<p class="error" id="known_at-error">known_at: &quot;never&quot; is not allowed"#),
        "{}",
        bad.text
    );
    let unknown = browse(
        &fixture.router,
        "GET",
        "/activity/5e1a0000-0000-4000-8000-0000000fffff",
        &session,
        &[],
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let malformed = browse(&fixture.router, "GET", "/activity/not-a-uuid", &session, &[]).await;
    assert_eq!(malformed.status, 400, "{}", malformed.text);
    assert!(
        malformed.text.contains("id: &quot;not-a-uuid&quot; is not allowed"),
        "{}",
        malformed.text
    );
}

/// Replaces what differs between two demo logs (record times, hashes, the tree root) and
/// between two sessions (the form token) with placeholders.
async fn redact(fixture: &Fixture, page: &Page) -> String {
    let mut text = page.text.replace(&page.csrf(), "[form token]");
    for event in fixture.store.read_all(1, 100_000).await.unwrap() {
        let hash = hex::encode(event.hash);
        text = text.replace(&hash, &format!("[hash {}]", event.position));
        text = text.replace(&hash[..16], &format!("[short hash {}]", event.position));
        text = text.replace(&event.recorded_at.to_string(), "[recorded at]");
    }
    let head = fixture.get("/api/log/head").await;
    // One element a line, for readable diffs.
    text.replace(head.json["tree_root"].as_str().unwrap(), "[tree root]")
        .replace("><", ">\n<")
}

#[tokio::test]
async fn pages_on_the_demo_log() {
    let fixture = Fixture::demo().await;
    let activity = first_activity(&fixture).await;
    let id = sign_in(&fixture.router, &fixture.token["secretariat"]).await;
    let session = [(SESSION_COOKIE, id.as_str())];
    let page = browse(
        &fixture.router,
        "GET",
        "/work-programme/2013?as_of=2013-06-30&status=held&area=financing",
        &session,
        &[],
    )
    .await;
    insta::assert_snapshot!("work_programme_2013_held_financing", redact(&fixture, &page).await);
    let page = browse(
        &fixture.router,
        "GET",
        &format!("/activity/{activity}?as_of=2013-06-30"),
        &session,
        &[],
    )
    .await;
    insta::assert_snapshot!("activity_trace", redact(&fixture, &page).await);
    let page = browse(
        &fixture.router,
        "GET",
        "/needs?as_of=2013-12-31&area=financing,productive-articulation",
        &session,
        &[],
    )
    .await;
    insta::assert_snapshot!("needs_2013_12_31_two_areas", redact(&fixture, &page).await);
}

#[tokio::test]
async fn the_register_pages_show_the_api_registers_and_field_errors() {
    let fixture = Fixture::demo().await;
    let id = sign_in(&fixture.router, &fixture.token["auditor"]).await;
    let session = [(SESSION_COOKIE, id.as_str())];
    let before = fixture.head().await;
    // Every need of the register, each activity citing one linked to its trace under the cut.
    let page = browse(&fixture.router, "GET", "/needs?as_of=2013-12-31", &session, &[]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let api = fixture.get("/api/needs?as_of=2013-12-31").await;
    for need in api.json["needs"].as_array().unwrap() {
        let description = escaped(need["description"].as_str().unwrap());
        assert!(page.text.contains(&description), "{description} in the page");
        for activity in need["activities"].as_array().unwrap() {
            let link = format!(
                r#"href="/activity/{}?as_of=2013-12-31""#,
                activity["id"].as_str().unwrap()
            );
            assert!(page.text.contains(&link), "{link} in the page");
        }
    }
    assert!(page.text.contains(api.json["anchor"]["tree_root"].as_str().unwrap()));
    // The directory lists each counterpart of the API's directory.
    let page = browse(&fixture.router, "GET", "/counterparts", &session, &[]).await;
    let api = fixture.get("/api/counterparts").await;
    for counterpart in api.json["counterparts"].as_array().unwrap() {
        let name = escaped(counterpart["name"].as_str().unwrap());
        assert!(page.text.contains(&name), "{name} in the page");
    }

    // Each bad field is said next to it with the API's message; the others keep their values.
    let bad = [
        ("/needs", "status", "approved", "/api/needs"),
        ("/needs", "area", "finance", "/api/needs"),
        ("/needs", "country", "XX1", "/api/needs"),
        ("/needs", "at_position", "99999999", "/api/needs"),
        ("/counterparts", "area", "11", "/api/counterparts"),
        ("/counterparts", "as_of", "2013-02-30", "/api/counterparts"),
        ("/evaluation-history", "known_at", "never", "/api/evaluation-history"),
        (
            "/evaluation-history",
            "at_position",
            "99999999",
            "/api/evaluation-history",
        ),
    ];
    for (path, name, value, api) in bad {
        let uri = format!("{path}?{name}={value}");
        let page = browse(&fixture.router, "GET", &uri, &session, &[]).await;
        assert_eq!(page.status, 400, "{uri}: {}", page.text);
        let problem = fixture.get(&format!("{api}?{name}={value}")).await;
        // A position beyond the log is not found in the API, a field error on the page.
        let status = if name == "at_position" { 404 } else { 400 };
        assert_eq!(problem.status, status, "{api}?{name}={value}");
        let detail = escaped(problem.json["detail"].as_str().unwrap());
        let expected = format!(r#"<p class="error" id="{name}-error">{detail}</p>"#);
        assert!(page.text.contains(&expected), "{uri}: {expected} in {}", page.text);
        assert!(
            page.text.contains(&format!(r#"value="{value}""#)),
            "{uri}: the value is kept"
        );
        assert!(!page.text.contains("Made from log position"), "{uri}: no register");
    }
    assert_eq!(fixture.head().await, before, "pages changed the log");
}

#[tokio::test]
async fn the_review_page_asks_for_a_period_and_draws_the_pack_with_its_charts() {
    let fixture = Fixture::demo().await;
    let id = sign_in(&fixture.router, &fixture.token["secretariat"]).await;
    let session = [(SESSION_COOKIE, id.as_str())];
    // Without a period: the form alone, no error.
    let page = browse(&fixture.router, "GET", "/review", &session, &[]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(r#"<form method="get" action="/review">"#));
    assert!(!page.text.contains(r#"class="error""#) && !page.text.contains("<svg"));
    // The pack as `smes review --format html` draws it, charts inline.
    let page = browse(
        &fixture.router,
        "GET",
        "/review?from=2013-01-01&to=2013-12-31",
        &session,
        &[],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let store = fixture.store.as_ref();
    let request = smes_reports::review::ReviewRequest::parse("2013-01-01", "2013-12-31", None, None).unwrap();
    let log = smes_read::read_log(store, None, None).await.unwrap();
    let pack = smes_reports::review::build(&log, &request).unwrap();
    let charts = smes_reports::review::charts::render(&pack).unwrap();
    let fragment = smes_reports::review::html::fragment(&pack, &charts).into_string();
    assert!(page.text.contains(&fragment), "the pack's own HTML in the page");
    assert!(!charts.is_empty());
    for chart in &charts {
        assert!(page.text.contains(&chart.svg), "{} inline", chart.name);
    }
    // Wrong or missing fields, each said next to it.
    let bad = [
        ("/review?to=2013-12-31", "from", "from: missing"),
        ("/review?from=2013-01-01", "to", "to: missing"),
        (
            "/review?from=2013-13-01&to=2013-12-31",
            "from",
            "from: &quot;2013-13-01&quot; is not allowed",
        ),
        (
            "/review?from=2013-12-31&to=2013-01-01",
            "to",
            "expected a date on or after",
        ),
        (
            "/review?from=2013-01-01&to=2013-12-31&at_position=99999999",
            "at_position",
            "at_position: &quot;99999999&quot; is not allowed",
        ),
    ];
    for (uri, name, message) in bad {
        let page = browse(&fixture.router, "GET", uri, &session, &[]).await;
        assert_eq!(page.status, 400, "{uri}: {}", page.text);
        let marker = format!(r#"<p class="error" id="{name}-error">"#);
        let at = page
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("{uri}: {marker} in {}", page.text));
        assert!(page.text[at..].contains(message), "{uri}: {message} in {}", page.text);
        assert!(!page.text.contains("<svg"), "{uri}: no pack");
    }
}

#[tokio::test]
async fn the_public_pages_need_no_session_and_refuse_unknown_publications() {
    let fixture = Fixture::demo().await;
    let before_publishing = browse(&fixture.router, "GET", "/public", &[], &[]).await;
    assert_eq!(before_publishing.status, 200);
    assert!(before_publishing.text.contains("Nothing is published yet."));
    fixture.publish().await;
    let before = fixture.head().await;
    let page = browse(&fixture.router, "GET", "/public", &[], &[]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    for personal in ["Rosa Quispe Mamani", "rosa.quispe@produce.example"] {
        assert!(!page.text.contains(personal), "the public page shows {personal:?}");
    }
    let malformed = browse(&fixture.router, "GET", "/public/snapshots/not-a-uuid", &[], &[]).await;
    assert_eq!(malformed.status, 400, "{}", malformed.text);
    assert!(malformed.text.contains("id: invalid publication"), "{}", malformed.text);
    let unknown = browse(
        &fixture.router,
        "GET",
        "/public/snapshots/5e1a0000-0000-4000-8000-0000000fffff",
        &[],
        &[],
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert!(
        unknown
            .text
            .contains("no publication 5e1a0000-0000-4000-8000-0000000fffff in the log")
    );
    assert_eq!(fixture.head().await, before, "public pages changed the log");

    // One element a line, the record times and the hashes over them as placeholders.
    let mut text = page.text.clone();
    let head = fixture.get("/api/log/head").await;
    text = text.replace(head.json["tree_root"].as_str().unwrap(), "[tree root]");
    insta::assert_snapshot!("public_index", text.replace("><", ">\n<"));
    let snapshot = browse(
        &fixture.router,
        "GET",
        &format!("/public/snapshots/{PUBLICATION}"),
        &[],
        &[],
    )
    .await;
    let listed = fixture.get("/api/published-snapshots").await;
    let mut text = snapshot.text.clone();
    for file in listed.json["publications"][0]["files"].as_array().unwrap() {
        text = text.replace(
            file["sha256"].as_str().unwrap(),
            &format!("[{} digest]", file["format"].as_str().unwrap()),
        );
    }
    let anchor = &listed.json["publications"][0]["anchor"];
    text = text
        .replace(anchor["head_hash"].as_str().unwrap(), "[head hash]")
        .replace(anchor["tree_root"].as_str().unwrap(), "[tree root]");
    insta::assert_snapshot!("public_snapshot", text.replace("><", ">\n<"));
}

#[tokio::test]
async fn the_directory_page_lists_an_organisation_once_with_its_roles_and_the_sources_with_their_counterpart() {
    let fixture = Fixture::demo().await;
    let counterpart = "5e1a0000-00c0-4000-8000-000000000001";
    let source = "5e1a0000-00b0-4000-8000-000000000001";
    let id = sign_in(&fixture.router, &fixture.token["auditor"]).await;
    let session = [(SESSION_COOKIE, id.as_str())];
    let page = browse(&fixture.router, "GET", "/counterparts", &session, &[]).await;
    assert!(
        page.text.contains(&format!(r#"<tr id="cooperation-source-{source}">"#)),
        "{}",
        page.text
    );
    // Only the development bank registered with both roles holds two before the link.
    assert_eq!(
        page.text.matches("; cooperation source since").count(),
        1,
        "{}",
        page.text
    );
    // Linked through the API, as `smes organisation link` does.
    let body =
        format!(r#"{{"counterpart": "{counterpart}", "cooperation_source": "{source}", "linked_on": "2013-12-31"}}"#);
    let linked = fixture
        .call(
            "POST",
            "/api/commands/link-organisation",
            Some(&fixture.token["secretariat"]),
            Some(&body),
            &[("content-type", "application/json")],
        )
        .await;
    assert!(linked.status.is_success(), "{:?}", linked.json);
    let api = fixture.get("/api/counterparts").await;
    let row = api.json["counterparts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == counterpart)
        .unwrap()
        .clone();
    let roles = row["roles"].as_str().unwrap();
    assert!(roles.contains("; cooperation source since "), "{roles}");
    let page = browse(&fixture.router, "GET", "/counterparts", &session, &[]).await;
    assert!(page.text.contains(&escaped(roles)), "{}", page.text);
    assert_eq!(
        page.text.matches("; cooperation source since").count(),
        2,
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(&format!(r##"<a href="#counterpart-{counterpart}">"##)),
        "{}",
        page.text
    );
    assert!(page.text.contains("linked on 2013-12-31"), "{}", page.text);
}
