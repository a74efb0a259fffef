//! The request log: one line per request through the router, with its method, route template,
//! status, latency and the checked caller's actor, and nothing secret or personal a request
//! carried (bearer tokens, session cookies, the sign-in form's token, query strings, ids in the
//! path).

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request};
use support::Fixture;
use tower::ServiceExt;
use tracing_subscriber::EnvFilter;

/// What the subscriber wrote, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// The lines written since the last call, emptied.
    fn take(&self) -> Vec<String> {
        let bytes = std::mem::take(&mut *self.0.lock().unwrap());
        String::from_utf8(bytes).unwrap().lines().map(str::to_owned).collect()
    }
}

/// A subscriber as `smes -v` installs it (the fmt layer at info level, without colours),
/// writing into the returned buffer on this thread for as long as the guard lives.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new("info"))
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

/// Sends a request with headers and a body; the status.
async fn send(router: &axum::Router, method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> u16 {
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    status
}

/// The one request line among `lines`, checked to carry the method, route and status given,
/// a latency in milliseconds, and the actor (or none).
fn request_line(lines: &[String], method: &str, route: &str, status: u16, actor: Option<&str>) -> String {
    let answered: Vec<&String> = lines.iter().filter(|line| line.contains(" answered ")).collect();
    assert_eq!(answered.len(), 1, "one line per request: {lines:#?}");
    let line = answered[0].clone();
    assert!(line.contains(" INFO request{"), "{line}");
    assert!(line.contains(&format!("method={method} ")), "{line}");
    assert!(
        line.contains(&format!("route={route} ")) || line.contains(&format!("route={route}}}")),
        "{line}"
    );
    assert!(line.contains(&format!("status={status} ")), "{line}");
    let latency = line
        .split("latency_ms=")
        .nth(1)
        .unwrap_or_else(|| panic!("no latency in {line}"));
    let latency: f64 = latency.trim().parse().unwrap_or_else(|_| panic!("latency {latency:?}"));
    assert!((0.0..30_000.0).contains(&latency), "{line}");
    match actor {
        Some(actor) => assert!(line.contains(&format!("actor={actor:?}")), "{line}"),
        None => assert!(!line.contains("actor="), "{line}"),
    }
    line
}

/// Every line of `lines` holds none of `secrets`.
fn assert_none_of(lines: &[String], secrets: &[&str]) {
    for line in lines {
        for secret in secrets {
            assert!(!line.contains(secret), "{secret:?} logged: {line}");
        }
    }
}

#[tokio::test]
async fn an_api_request_is_one_line_with_its_route_status_latency_and_actor_and_no_secret() {
    let fixture = Fixture::demo().await;
    let (captured, _guard) = capture();
    let token = fixture.token["secretariat"].clone();
    let bearer = format!("Bearer {token}");
    let status = send(
        &fixture.router,
        "GET",
        "/api/work-programme/2013?as_of=2013-06-30",
        &[
            ("authorization", &bearer),
            ("cookie", "smes_session=cookie-value-never-logged"),
        ],
        "",
    )
    .await;
    assert_eq!(status, 200);
    let lines = captured.take();
    request_line(&lines, "GET", "/api/work-programme/{year}", 200, Some("secretariat-1"));
    assert_none_of(
        &lines,
        &[&token, "cookie-value-never-logged", "as_of", "2013-06-30", "/2013"],
    );

    // A refused request is logged alike: the route, the status, the actor its token names.
    let status = send(
        &fixture.router,
        "POST",
        "/api/commands/identify-need?password=hunter2",
        &[
            ("authorization", &format!("Bearer {}", fixture.token["auditor"])),
            ("content-type", "application/json"),
        ],
        r#"{"password": "body-never-logged"}"#,
    )
    .await;
    assert_eq!(status, 403);
    let lines = captured.take();
    request_line(&lines, "POST", "/api/commands/{command}", 403, Some("auditor-1"));
    assert_none_of(
        &lines,
        &[
            &fixture.token["auditor"],
            "hunter2",
            "password",
            "body-never-logged",
            "identify-need",
        ],
    );

    // An unknown token names no actor, and is not logged either.
    let status = send(
        &fixture.router,
        "GET",
        "/api/log/head",
        &[("authorization", "Bearer not-a-token-of-this-log")],
        "",
    )
    .await;
    assert_eq!(status, 401);
    let lines = captured.take();
    request_line(&lines, "GET", "/api/log/head", 401, None);
    assert_none_of(&lines, &["not-a-token-of-this-log"]);
}

#[tokio::test]
async fn an_actor_id_cannot_end_its_line_or_forge_another() {
    let fixture = Fixture::empty().await;
    let forged = "someone\n2026-01-01T00:00:00Z  INFO request{method=GET route=/api/log/head actor=\"admin\"}";
    // A token is no longer made with such an actor id...
    assert!(
        fixture
            .tokens
            .create("odd", smes_server::Role::Auditor, Some(forged))
            .await
            .is_err()
    );
    // ...but a token table written before that rule may hold one: its line must stay one line.
    let created = fixture
        .tokens
        .create("odd", smes_server::Role::Auditor, Some("someone"))
        .await
        .unwrap();
    let smes_server::TokenStore::Sqlite(pool) = &fixture.tokens else {
        panic!("the fixture's log is a SQLite file");
    };
    sqlx::query("UPDATE api_tokens SET actor = ?1 WHERE name = 'odd'")
        .bind(forged)
        .execute(pool)
        .await
        .unwrap();
    let (captured, _guard) = capture();
    let bearer = format!("Bearer {}", created.token);
    assert_eq!(
        send(
            &fixture.router,
            "GET",
            "/api/log/head",
            &[("authorization", &bearer)],
            ""
        )
        .await,
        200
    );
    let lines = captured.take();
    let line = request_line(&lines, "GET", "/api/log/head", 200, Some(forged));
    assert!(line.contains(r#"actor="someone\n2026"#), "{line}");
}

#[tokio::test]
async fn a_path_no_route_matches_is_logged_as_unmatched_without_the_path() {
    let fixture = Fixture::empty().await;
    let (captured, _guard) = capture();
    let status = send(
        &fixture.router,
        "GET",
        "/api/no-such-thing/someone@example.org",
        &[],
        "",
    )
    .await;
    assert_eq!(status, 404);
    let lines = captured.take();
    request_line(&lines, "GET", "unmatched", 404, None);
    assert_none_of(&lines, &["no-such-thing", "someone@example.org"]);
}

#[tokio::test]
async fn a_page_request_names_the_sessions_actor_and_never_the_token_or_the_cookie() {
    let fixture = Fixture::demo().await;
    let (captured, _guard) = capture();
    let token = fixture.token["auditor"].clone();

    // Signing in: the form's token field is the password of the pages.
    let form = fixture
        .router
        .clone()
        .oneshot(Request::get("/sign-in").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let csrf = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find_map(|cookie| {
            let value = cookie.strip_prefix(&format!("{}=", smes_server::web::SIGN_IN_COOKIE))?;
            Some(value.split(';').next().unwrap().to_owned())
        })
        .expect("a sign-in form token");
    let response = fixture
        .router
        .clone()
        .oneshot(
            Request::post("/sign-in")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", format!("{}={csrf}", smes_server::web::SIGN_IN_COOKIE))
                .body(Body::from(format!("csrf={csrf}&token={token}")))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find_map(|cookie| {
            let value = cookie.strip_prefix(&format!("{}=", smes_server::web::SESSION_COOKIE))?;
            Some(value.split(';').next().unwrap().to_owned())
        })
        .expect("a session cookie");
    let lines = captured.take();
    assert_eq!(
        lines.iter().filter(|line| line.contains(" answered ")).count(),
        2,
        "{lines:#?}"
    );
    request_line(&lines[..1], "GET", "/sign-in", 200, None);
    // The sign-in checked the token: its actor is named, the token is not.
    request_line(&lines[1..], "POST", "/sign-in", 303, Some("auditor-1"));

    let cookie = format!("{}={session}", smes_server::web::SESSION_COOKIE);
    let status = send(&fixture.router, "GET", "/needs?status=open", &[("cookie", &cookie)], "").await;
    assert_eq!(status, 200);
    let page_lines = captured.take();
    request_line(&page_lines, "GET", "/needs", 200, Some("auditor-1"));

    let all: Vec<String> = lines.into_iter().chain(page_lines).collect();
    assert_none_of(&all, &[&token, &session, &csrf, "status=open"]);
}

#[tokio::test]
async fn nothing_is_logged_below_the_level_chosen() {
    let fixture = Fixture::empty().await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new("warn"))
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    assert_eq!(send(&fixture.router, "GET", "/api/health", &[], "").await, 200);
    assert_eq!(captured.take(), Vec::<String>::new());
}
