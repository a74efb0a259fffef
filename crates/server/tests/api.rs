//! The HTTP API end to end, on real SQLite logs, through the router: every route the OpenAPI
//! document names is called with success, without a token, with an unknown and a revoked
//! token, with every role it refuses, and with bad parameters or bodies; the log must be
//! exactly as it was after every refused request.

mod support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use smes_app::AppCommand;
use smes_server::access::{self, Access};
use smes_server::{Role, ServerConfig};
use support::{Fixture, PUBLICATION, send};

/// A request expected to be refused: its status and the parameter or field the problem names.
struct Bad {
    uri: String,
    body: Option<String>,
    headers: Vec<(&'static str, String)>,
    status: u16,
    names: Option<(&'static str, &'static str)>,
}

fn bad(uri: impl Into<String>, status: u16, names: Option<(&'static str, &'static str)>) -> Bad {
    Bad {
        uri: uri.into(),
        body: None,
        headers: Vec::new(),
        status,
        names,
    }
}

fn bad_body(uri: &str, body: &str, status: u16, names: Option<(&'static str, &'static str)>) -> Bad {
    Bad {
        body: Some(body.to_owned()),
        ..bad(uri, status, names)
    }
}

/// How a route is called in the tests: who may call it (none: anyone, without a token), a
/// request that succeeds and requests that are refused.
struct Case {
    roles: &'static [Role],
    uri: String,
    body: Option<String>,
    bad: Vec<Bad>,
}

fn open_2014() -> String {
    json!({"year": 2014, "estimated_budget": {"amount": "1000", "currency": "USD", "value_date": "2013-11-01"},
           "opened_on": "2013-11-01"})
    .to_string()
}

/// The test case of a documented route; a route without one fails the suite.
fn case(method: &str, path: &str, activity: &str) -> Option<Case> {
    const READERS: &[Role] = &[Role::Secretariat, Role::Auditor];
    let plain = |uri: &str, bad: Vec<Bad>| {
        Some(Case {
            roles: READERS,
            uri: uri.to_owned(),
            body: None,
            bad,
        })
    };
    let wp = "/api/work-programme/2013";
    let trace = format!("/api/trace/activity/{activity}");
    match (method, path) {
        ("GET", "/api/health") => Some(Case {
            roles: &[],
            uri: "/api/health".to_owned(),
            body: None,
            bad: vec![],
        }),
        ("GET", "/api/openapi.json") => plain(
            "/api/openapi.json",
            vec![bad("/api/openapi.json?x=1", 400, Some(("parameter", "x")))],
        ),
        ("GET", "/api/work-programme/{year}") => plain(
            "/api/work-programme/2013?as_of=2013-06-30&status=approved,held&area=financing",
            vec![
                bad("/api/work-programme/1800", 400, Some(("parameter", "year"))),
                bad("/api/work-programme/twenty", 400, Some(("parameter", "year"))),
                bad(format!("{wp}?as_of=2013-13-01"), 400, Some(("parameter", "as_of"))),
                bad(format!("{wp}?known_at=yesterday"), 400, Some(("parameter", "known_at"))),
                bad(format!("{wp}?at_position=0"), 400, Some(("parameter", "at_position"))),
                bad(format!("{wp}?area=finance"), 400, Some(("parameter", "area"))),
                bad(format!("{wp}?country=XX1"), 400, Some(("parameter", "country"))),
                bad(format!("{wp}?status=done"), 400, Some(("parameter", "status"))),
                bad(
                    format!("{wp}?as_of=2013-01-01&as_of=2013-02-01"),
                    400,
                    Some(("parameter", "as_of")),
                ),
                bad(format!("{wp}?format=html"), 400, Some(("parameter", "format"))),
                // Well formed, but not in the log: not found.
                bad("/api/work-programme/2099", 404, Some(("parameter", "year"))),
                bad(
                    format!("{wp}?at_position=99999999"),
                    404,
                    Some(("parameter", "at_position")),
                ),
            ],
        ),
        ("GET", "/api/trace/{kind}/{id}") => plain(
            &trace,
            vec![
                bad("/api/trace/planet/x", 400, Some(("parameter", "kind"))),
                // An id that is not a UUID names no activity the log holds.
                bad("/api/trace/activity/not-a-uuid", 404, Some(("parameter", "id"))),
                bad("/api/trace/activity/5e1a0000-0000-4000-8000-0000000fffff", 404, None),
                bad(format!("{trace}?as_of=30/06/2013"), 400, Some(("parameter", "as_of"))),
                bad(format!("{trace}?area=financing"), 400, Some(("parameter", "area"))),
            ],
        ),
        ("GET", "/api/streams/{stream}/events") => plain(
            "/api/streams/work-programme-2013/events?from=1&limit=2",
            vec![
                // A name no stream can have names nothing in the log.
                bad("/api/streams/%01/events", 404, Some(("parameter", "stream"))),
                bad(
                    "/api/streams/work-programme-2013/events?limit=0",
                    400,
                    Some(("parameter", "limit")),
                ),
                bad(
                    "/api/streams/work-programme-2013/events?limit=1001",
                    400,
                    Some(("parameter", "limit")),
                ),
                bad(
                    "/api/streams/work-programme-2013/events?from=first",
                    400,
                    Some(("parameter", "from")),
                ),
                // Past the largest version a log can hold (found by schemathesis: it was a 500).
                bad(
                    "/api/streams/work-programme-2013/events?from=9223372036854775808",
                    400,
                    Some(("parameter", "from")),
                ),
            ],
        ),
        ("GET", "/api/log/head") => plain(
            "/api/log/head",
            vec![bad("/api/log/head?size=3", 400, Some(("parameter", "size")))],
        ),
        ("GET", "/api/log/verify") => plain(
            "/api/log/verify",
            vec![bad("/api/log/verify?from=3", 400, Some(("parameter", "from")))],
        ),
        ("GET", "/api/checkpoints") => plain(
            "/api/checkpoints",
            vec![bad(
                "/api/checkpoints?tree_size=3",
                400,
                Some(("parameter", "tree_size")),
            )],
        ),
        ("GET", "/api/proofs/inclusion/{position}") => plain(
            "/api/proofs/inclusion/3?tree_size=10",
            vec![
                bad("/api/proofs/inclusion/third", 400, Some(("parameter", "position"))),
                bad("/api/proofs/inclusion/0", 400, Some(("parameter", "position"))),
                bad(
                    "/api/proofs/inclusion/11?tree_size=10",
                    404,
                    Some(("parameter", "position")),
                ),
                bad(
                    "/api/proofs/inclusion/3?tree_size=100000",
                    404,
                    Some(("parameter", "tree_size")),
                ),
                bad(
                    "/api/proofs/inclusion/3?tree_size=0",
                    400,
                    Some(("parameter", "tree_size")),
                ),
                bad("/api/proofs/inclusion/3?size=10", 400, Some(("parameter", "size"))),
            ],
        ),
        ("GET", "/api/proofs/consistency") => plain(
            "/api/proofs/consistency?from=10&to=50",
            vec![
                bad("/api/proofs/consistency", 400, Some(("parameter", "from"))),
                bad("/api/proofs/consistency?from=ten", 400, Some(("parameter", "from"))),
                bad(
                    "/api/proofs/consistency?from=50&to=10",
                    400,
                    Some(("parameter", "from")),
                ),
                bad(
                    "/api/proofs/consistency?from=1&to=100000",
                    404,
                    Some(("parameter", "to")),
                ),
                bad(
                    "/api/proofs/consistency?from=1&from=2",
                    400,
                    Some(("parameter", "from")),
                ),
            ],
        ),
        ("GET", "/api/needs") => plain(
            "/api/needs?as_of=2013-12-31&status=answered,open&status=unanswered",
            vec![
                bad("/api/needs?as_of=2013-13-01", 400, Some(("parameter", "as_of"))),
                bad("/api/needs?known_at=yesterday", 400, Some(("parameter", "known_at"))),
                bad("/api/needs?at_position=0", 400, Some(("parameter", "at_position"))),
                // Beyond the log's head: the register names how many events the log holds.
                bad(
                    "/api/needs?at_position=99999999",
                    404,
                    Some(("parameter", "at_position")),
                ),
                bad("/api/needs?area=finance", 400, Some(("parameter", "area"))),
                bad("/api/needs?country=XX1", 400, Some(("parameter", "country"))),
                // An activity's status is not a need's.
                bad("/api/needs?status=approved", 400, Some(("parameter", "status"))),
                bad(
                    "/api/needs?as_of=2013-01-01&as_of=2013-02-01",
                    400,
                    Some(("parameter", "as_of")),
                ),
                bad("/api/needs?year=2013", 400, Some(("parameter", "year"))),
            ],
        ),
        ("GET", "/api/counterparts") => plain(
            "/api/counterparts?as_of=2013-12-31&area=financing,2",
            vec![
                bad("/api/counterparts?as_of=31/12/2013", 400, Some(("parameter", "as_of"))),
                bad("/api/counterparts?known_at=never", 400, Some(("parameter", "known_at"))),
                bad(
                    "/api/counterparts?at_position=99999999",
                    404,
                    Some(("parameter", "at_position")),
                ),
                bad("/api/counterparts?area=11", 400, Some(("parameter", "area"))),
                bad(
                    "/api/counterparts?country=Venezuela",
                    400,
                    Some(("parameter", "country")),
                ),
                bad("/api/counterparts?status=active", 400, Some(("parameter", "status"))),
            ],
        ),
        ("GET", "/api/evaluation-history") => plain(
            "/api/evaluation-history?as_of=2013-12-31",
            vec![
                bad(
                    "/api/evaluation-history?as_of=2013-02-30",
                    400,
                    Some(("parameter", "as_of")),
                ),
                bad(
                    "/api/evaluation-history?at_position=-1",
                    400,
                    Some(("parameter", "at_position")),
                ),
                bad(
                    "/api/evaluation-history?at_position=99999999",
                    404,
                    Some(("parameter", "at_position")),
                ),
                bad(
                    "/api/evaluation-history?area=financing",
                    400,
                    Some(("parameter", "area")),
                ),
            ],
        ),
        ("GET", "/api/review") => plain(
            "/api/review?from=2013-01-01&to=2013-12-31",
            vec![
                bad("/api/review?to=2013-12-31", 400, Some(("parameter", "from"))),
                bad("/api/review?from=2013-01-01", 400, Some(("parameter", "to"))),
                bad(
                    "/api/review?from=2013-13-01&to=2013-12-31",
                    400,
                    Some(("parameter", "from")),
                ),
                // The period's end before its start.
                bad(
                    "/api/review?from=2013-12-31&to=2013-01-01",
                    400,
                    Some(("parameter", "to")),
                ),
                bad(
                    "/api/review?from=2013-01-01&to=2013-12-31&known_at=later",
                    400,
                    Some(("parameter", "known_at")),
                ),
                bad(
                    "/api/review?from=2013-01-01&to=2013-12-31&at_position=99999999",
                    404,
                    Some(("parameter", "at_position")),
                ),
                // The pack is as of the period's end: no other business date.
                bad(
                    "/api/review?from=2013-01-01&to=2013-12-31&as_of=2013-06-30",
                    400,
                    Some(("parameter", "as_of")),
                ),
            ],
        ),
        ("GET", "/api/diff") => plain(
            "/api/diff?from=2013-03-31&to=2013-12-31&year=2013",
            vec![
                bad("/api/diff?to=2013-12-31", 400, Some(("parameter", "from"))),
                bad("/api/diff?from=2013-03-31", 400, Some(("parameter", "to"))),
                bad(
                    "/api/diff?from=yesterday&to=2013-12-31",
                    400,
                    Some(("parameter", "from")),
                ),
                bad(
                    "/api/diff?from=2013-03-31&to=known:soon",
                    400,
                    Some(("parameter", "to")),
                ),
                // A position beyond the log's head.
                bad(
                    "/api/diff?from=position:1&to=position:99999999",
                    404,
                    Some(("parameter", "to")),
                ),
                bad(
                    "/api/diff?from=2013-03-31&to=2013-12-31&year=1800",
                    400,
                    Some(("parameter", "year")),
                ),
                // A year the log has no work programme for.
                bad(
                    "/api/diff?from=2013-03-31&to=2013-12-31&year=2099",
                    404,
                    Some(("parameter", "year")),
                ),
                bad(
                    "/api/diff?from=2013-03-31&to=2013-12-31&as_of=2013-06-30",
                    400,
                    Some(("parameter", "as_of")),
                ),
            ],
        ),
        ("POST", "/api/commands/{command}") => {
            let uri = "/api/commands/open-work-programme";
            let negative = json!({"year": 2015, "estimated_budget": {"amount": "-5", "currency": "USD", "value_date": "2013-11-01"},
                                  "opened_on": "2013-11-01"});
            let mut bad_key = bad_body(uri, &open_2014(), 400, Some(("field", "Idempotency-Key")));
            bad_key.headers.push(("idempotency-key", "not-a-uuid".to_owned()));
            Some(Case {
                roles: &[Role::Secretariat],
                uri: uri.to_owned(),
                body: Some(open_2014()),
                bad: vec![
                    bad_body(uri, r#"{"year": 2014"#, 400, None),
                    bad_body(uri, "", 400, None),
                    bad_body(uri, "[1, 2]", 422, None),
                    bad_body(uri, r#"{"year": 2016}"#, 422, Some(("field", "estimated_budget"))),
                    bad_body(uri, r#"{"year": 2016, "colour": "red"}"#, 422, Some(("field", "colour"))),
                    bad_body(uri, r#"{"kind": "close-review"}"#, 422, Some(("field", "kind"))),
                    bad_body(uri, &negative.to_string(), 422, None),
                    bad_body("/api/commands/fly-to-the-moon", "{}", 404, Some(("parameter", "command"))),
                    // The demo opened 2013 already: the programme's rules refuse it.
                    bad_body(
                        uri,
                        &json!({"year": 2013, "estimated_budget": {"amount": "1", "currency": "USD", "value_date": "2012-01-01"},
                                "opened_on": "2012-01-01"})
                        .to_string(),
                        409,
                        None,
                    ),
                    bad_key,
                ],
            })
        }
        ("GET", "/api/published-snapshots") => Some(Case {
            roles: &Role::ALL,
            uri: "/api/published-snapshots".to_owned(),
            body: None,
            bad: vec![bad(
                "/api/published-snapshots?year=2013",
                400,
                Some(("parameter", "year")),
            )],
        }),
        ("GET", "/api/published-snapshots/{id}") => Some(Case {
            roles: &Role::ALL,
            uri: format!("/api/published-snapshots/{PUBLICATION}"),
            body: None,
            bad: vec![
                bad("/api/published-snapshots/not-a-uuid", 400, Some(("parameter", "id"))),
                // The nil UUID is a UUID that names no publication.
                bad(
                    "/api/published-snapshots/00000000-0000-0000-0000-000000000000",
                    404,
                    Some(("parameter", "id")),
                ),
                bad(
                    "/api/published-snapshots/5e1a0000-0000-4000-8000-0000000fffff",
                    404,
                    None,
                ),
                bad(
                    format!("/api/published-snapshots/{PUBLICATION}?as_of=2013-01-01"),
                    400,
                    Some(("parameter", "as_of")),
                ),
            ],
        }),
        _ => None,
    }
}

/// The routes the OpenAPI document describes, as (method, path).
fn documented_routes() -> BTreeSet<(String, String)> {
    let document = serde_json::to_value(smes_server::openapi()).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete", "head", "options", "trace"].contains(&method.as_str()) {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

async fn first_activity(fixture: &Fixture) -> String {
    let events = fixture.store.read_all(1, 10_000).await.unwrap();
    let stream = events
        .iter()
        .find_map(|event| event.stream.strip_prefix("activity-"))
        .expect("the demo has activities");
    stream.to_owned()
}

#[test]
fn the_document_the_access_table_and_the_router_name_the_same_routes() {
    let documented = documented_routes();
    let ruled: BTreeSet<(String, String)> = access::ROUTES
        .iter()
        .map(|rule| (rule.method.to_owned(), rule.path.to_owned()))
        .collect();
    assert_eq!(documented, ruled, "the OpenAPI document and the access table differ");
    assert_eq!(ruled.len(), access::ROUTES.len(), "a route has two rules");
    // Each route documents the refusals of its rule: a bearer token, 401 and 403 unless public.
    let document = serde_json::to_value(smes_server::openapi()).unwrap();
    for rule in access::ROUTES {
        let operation = &document["paths"][rule.path][rule.method.to_lowercase()];
        let public = rule.access == Access::Public;
        assert_eq!(operation["security"].is_null(), public, "{} {}", rule.method, rule.path);
        for status in ["401", "403"] {
            assert_eq!(
                operation["responses"][status].is_null(),
                public,
                "{} {}: {status}",
                rule.method,
                rule.path
            );
        }
        assert!(
            !operation["responses"]["200"].is_null(),
            "{} {}",
            rule.method,
            rule.path
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_refuses_without_a_valid_token_or_role_and_checks_its_input() {
    let fixture = Fixture::demo().await;
    fixture.publish().await;
    let activity = first_activity(&fixture).await;
    let mut key = 0u32;
    let mut next_key = || {
        key += 1;
        format!("5e1a0000-0000-4000-8000-{key:012x}")
    };
    for (method, path) in documented_routes() {
        let what = format!("{method} {path}");
        let case = case(&method, &path, &activity).unwrap_or_else(|| panic!("{what} has no test case"));
        let rule = access::rule_for(&method.parse().unwrap(), &path).unwrap();
        let public = case.roles.is_empty();
        assert_eq!(public, rule.access == Access::Public, "{what}: public or not");
        if !public {
            assert_eq!(case.roles, rule.access.roles(), "{what}: the roles allowed");
        }

        // Success, for every role allowed (and without a token where none is needed).
        let allowed: &[Role] = if public { &Role::ALL } else { case.roles };
        for role in allowed {
            let before = fixture.head().await;
            let key = next_key();
            let answer = fixture
                .call(
                    &method,
                    &case.uri,
                    Some(&fixture.token[role.as_str()]),
                    case.body.as_deref(),
                    &[("idempotency-key", &key)],
                )
                .await;
            assert_eq!(answer.status, 200, "{what} as {role}: {}", answer.text);
            assert!(answer.content_type().starts_with("application/json"), "{what}");
            assert!(answer.json.is_object(), "{what}: {}", answer.text);
            if method == "POST" {
                assert_eq!(fixture.head().await.0, before.0 + 1, "{what} wrote one event");
                // The next success must be a new command: the year is taken now.
                continue;
            }
            assert_eq!(fixture.head().await, before, "{what}: a read changed the log");
        }
        if public {
            let answer = fixture.call(&method, &case.uri, None, None, &[]).await;
            assert_eq!(answer.status, 200, "{what} without a token");
        }

        // Refusals: none changes the log.
        let before = fixture.head().await;
        if !public {
            let body = case.body.as_deref();
            let missing = fixture.call(&method, &case.uri, None, body, &[]).await;
            missing.assert_problem(401, &format!("{what} without a token"));
            assert_eq!(missing.headers["www-authenticate"], "Bearer");
            let unknown = fixture.call(&method, &case.uri, Some("smes_0000"), body, &[]).await;
            unknown.assert_problem(401, &format!("{what} with an unknown token"));
            let revoked = fixture
                .call(&method, &case.uri, Some(&fixture.revoked), body, &[])
                .await;
            revoked.assert_problem(401, &format!("{what} with a revoked token"));
            let basic = fixture
                .call(
                    &method,
                    &case.uri,
                    None,
                    body,
                    &[("authorization", "Basic c2VjOnNlYw==")],
                )
                .await;
            basic.assert_problem(401, &format!("{what} with basic authentication"));
            // A refused caller is refused before the input is read: a bad body is still 401.
            if body.is_some() {
                let early = fixture.call(&method, &case.uri, None, Some("{"), &[]).await;
                early.assert_problem(401, &format!("{what} without a token and with a bad body"));
            }
            for role in Role::ALL.into_iter().filter(|role| !case.roles.contains(role)) {
                let answer = fixture
                    .call(&method, &case.uri, Some(&fixture.token[role.as_str()]), body, &[])
                    .await;
                let problem = answer.assert_problem(403, &format!("{what} as {role}"));
                assert!(problem["detail"].as_str().unwrap().contains(role.as_str()), "{what}");
            }
        }
        for bad in &case.bad {
            let headers: Vec<(&str, &str)> = bad
                .headers
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            let answer = fixture
                .call(
                    &method,
                    &bad.uri,
                    Some(&fixture.token["secretariat"]),
                    bad.body.as_deref(),
                    &headers,
                )
                .await;
            let label = format!("{what}: {} {:?}", bad.uri, bad.body);
            let problem = answer.assert_problem(bad.status, &label);
            if let Some((key, name)) = bad.names {
                assert_eq!(problem[key], name, "{label}: {}", answer.text);
            }
        }
        // Methods the route does not have are 405 problems.
        for other in ["GET", "POST", "PUT", "DELETE", "PATCH"]
            .into_iter()
            .filter(|other| *other != method)
        {
            let answer = fixture
                .call(other, &case.uri, Some(&fixture.token["secretariat"]), None, &[])
                .await;
            answer.assert_problem(405, &format!("{other} {path}"));
        }
        assert_eq!(
            fixture.head().await,
            before,
            "{what}: a refused request changed the log"
        );
    }
}

#[tokio::test]
async fn unknown_routes_are_404_problems() {
    let fixture = Fixture::empty().await;
    for uri in ["/api/nothing", "/nothing", "/api/log", "/api/commands"] {
        let answer = fixture.get(uri).await;
        answer.assert_problem(404, uri);
    }
}

#[tokio::test]
async fn every_command_of_the_cli_has_its_route() {
    let fixture = Fixture::empty().await;
    let before = fixture.head().await;
    let kinds: Vec<&str> = smes_server::kinds().collect();
    assert_eq!(
        kinds.len(),
        AppCommand::KINDS.len() + smes_server::FORGET_KINDS.len() + smes_server::PUBLISH_KINDS.len()
    );
    for kind in kinds.iter().copied() {
        let answer = fixture
            .call(
                "POST",
                &format!("/api/commands/{kind}"),
                Some(&fixture.token["secretariat"]),
                Some("{}"),
                &[],
            )
            .await;
        // Known, so refused for its missing fields, not as an unknown command.
        let problem = answer.assert_problem(422, kind);
        assert!(
            problem["detail"].as_str().unwrap().contains(" is missing"),
            "{kind}: {}",
            answer.text
        );
        assert!(problem["field"].is_string(), "{kind}: {}", answer.text);
    }
    assert_eq!(fixture.head().await, before);
    let document = serde_json::to_value(smes_server::openapi()).unwrap();
    let parameters = &document["paths"]["/api/commands/{command}"]["post"]["parameters"];
    let command = parameters
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "command")
        .unwrap();
    let listed: Vec<&str> = command["schema"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(listed, kinds, "the document lists the commands");
}

#[tokio::test]
async fn a_command_retried_with_the_same_key_is_applied_once_with_the_same_outcome() {
    let fixture = Fixture::empty().await;
    let key = "5e1a0000-0000-4000-8000-00000000abcd";
    let token = fixture.token["secretariat"].clone();
    let uri = "/api/commands/open-work-programme";
    let body = open_2014();
    let first = fixture
        .call("POST", uri, Some(&token), Some(&body), &[("idempotency-key", key)])
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let head = fixture.head().await;
    assert_eq!(head.0, 1);
    let second = fixture
        .call("POST", uri, Some(&token), Some(&body), &[("idempotency-key", key)])
        .await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(fixture.head().await, head, "the retry wrote nothing");
    assert_eq!(first.json["replayed"], false);
    assert_eq!(second.json["replayed"], true);
    let without_flag = |answer: &support::Answer| {
        let mut value = answer.json.clone();
        value.as_object_mut().unwrap().remove("replayed");
        value
    };
    assert_eq!(without_flag(&first), without_flag(&second));
    assert_eq!(first.json["command_id"], key);
    assert_eq!(first.json["events"], json!(["WorkProgrammeOpened"]));

    // The key in the body as `command_id` is the same key.
    let mut in_body: Value = serde_json::from_str(&body).unwrap();
    in_body["command_id"] = json!(key);
    let third = fixture
        .call("POST", uri, Some(&token), Some(&in_body.to_string()), &[])
        .await;
    assert_eq!(third.json["replayed"], true, "{}", third.text);
    // A key and a body naming different commands are refused.
    let other = fixture
        .call(
            "POST",
            uri,
            Some(&token),
            Some(&in_body.to_string()),
            &[("idempotency-key", "5e1a0000-0000-4000-8000-00000000abce")],
        )
        .await;
    other.assert_problem(422, "two command ids");
    assert_eq!(other.json["field"], "command_id");
    // The same key for a command on another stream is a conflict naming the key.
    let reused = fixture
        .call(
            "POST",
            uri,
            Some(&token),
            Some(&open_2014().replace("2014", "2015")),
            &[("idempotency-key", key)],
        )
        .await;
    reused.assert_problem(409, "a key reused for another command");
    assert_eq!(reused.json["field"], "Idempotency-Key");
    assert_eq!(fixture.head().await, head);
}

#[tokio::test]
async fn a_key_retried_with_another_body_on_the_same_stream_is_refused() {
    let fixture = Fixture::empty().await;
    let key = "5e1a0000-0000-4000-8000-00000000abcf";
    let token = fixture.token["secretariat"].clone();
    let uri = "/api/commands/open-work-programme";
    let first = fixture
        .call(
            "POST",
            uri,
            Some(&token),
            Some(&open_2014()),
            &[("idempotency-key", key)],
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let head = fixture.head().await;
    // The same work programme with another budget: the same stream, another command.
    let changed = open_2014().replace("\"1000\"", "\"2500\"");
    assert_ne!(changed, open_2014());
    let reused = fixture
        .call("POST", uri, Some(&token), Some(&changed), &[("idempotency-key", key)])
        .await;
    reused.assert_problem(409, "a key reused with another body");
    assert_eq!(reused.json["type"], "urn:smes:problem:command-id-reused");
    assert_eq!(reused.json["field"], "Idempotency-Key");
    let detail = reused.json["detail"].as_str().unwrap();
    assert!(
        detail.contains(key) && detail.contains("already used for a different command"),
        "{detail}"
    );
    assert_eq!(fixture.head().await, head, "nothing written");
    // The first body again is still a retry.
    let retry = fixture
        .call(
            "POST",
            uri,
            Some(&token),
            Some(&open_2014()),
            &[("idempotency-key", key)],
        )
        .await;
    assert_eq!(
        (retry.status.as_u16(), retry.json["replayed"].as_bool()),
        (200, Some(true))
    );
}

#[tokio::test]
async fn the_actor_and_role_recorded_are_the_tokens() {
    let fixture = Fixture::empty().await;
    let created = fixture
        .tokens
        .create(
            "desk-7",
            Role::Secretariat,
            Some("actor-5e1a0000-0000-4000-8000-000000000777"),
        )
        .await
        .unwrap();
    let uri = "/api/commands/open-work-programme";
    // The body cannot name an actor or a role: they are not fields of any command.
    let mut body: Value = serde_json::from_str(&open_2014()).unwrap();
    body["actor"] = json!("mallory");
    let answer = fixture
        .call("POST", uri, Some(&created.token), Some(&body.to_string()), &[])
        .await;
    answer.assert_problem(422, "an actor in the body");
    assert_eq!(answer.json["field"], "actor");

    let answer = fixture
        .call("POST", uri, Some(&created.token), Some(&open_2014()), &[])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let event = &fixture.store.read_all(1, 1).await.unwrap()[0];
    assert_eq!(event.metadata.actor, "actor-5e1a0000-0000-4000-8000-000000000777");
    assert_eq!(event.metadata.role, "secretariat");
    assert_eq!(event.metadata.source, "http");
    assert_eq!(
        event.metadata.command_id.unwrap().to_string(),
        answer.json["command_id"]
    );
}

#[tokio::test]
async fn a_wrong_value_in_a_command_is_named_in_the_programmes_words() {
    let fixture = Fixture::empty().await;
    let token = fixture.token["secretariat"].clone();
    let body = json!({"activity": "5e1a0000-0000-4000-8000-000000000004",
                      "held": {"start": "2013-04-17", "end": "2013-04-18"},
                      "participants": {"by_sex": [{"sex": "female", "value": -5}], "by_member_state": []}})
    .to_string();
    let answer = fixture
        .call("POST", "/api/commands/hold-activity", Some(&token), Some(&body), &[])
        .await;
    answer.assert_problem(422, "a negative count");
    assert_eq!(answer.json["field"], "participants");
    assert_eq!(
        answer.json["detail"],
        "hold-activity: participants: invalid participants by sex \"female: -5\": a count of people is a whole number from 0 to 100000"
    );
    let answer = fixture
        .call(
            "POST",
            "/api/commands/forget-actor",
            Some(&token),
            Some(&json!({"actor": "actor-x", "reason": "x", "on": "2014-02-30"}).to_string()),
            &[],
        )
        .await;
    answer.assert_problem(422, "a date that is not one");
    assert_eq!(answer.json["field"], "on");
    assert_eq!(
        answer.json["detail"],
        "forget-actor: on is \"2014-02-30\", which is not allowed; expected a date as YYYY-MM-DD, such as \"2013-04-10\""
    );
    assert_eq!(fixture.head().await.0, 0);
}

#[tokio::test]
async fn a_focal_point_is_forgotten_once_and_an_unknown_actor_is_refused() {
    let fixture = Fixture::demo().await;
    let events = fixture.store.read_all(1, 10_000).await.unwrap();
    let joined = events
        .iter()
        .find(|event| event.event_type == "CounterpartJoined")
        .unwrap();
    let payload: Value = serde_json::from_str(joined.payload.get()).unwrap();
    let person = payload["focal_point"]["person"].as_str().unwrap().to_owned();
    let token = fixture.token["secretariat"].clone();
    let uri = "/api/commands/forget-focal-point";
    let body = json!({"person": person, "reason": "Asked by the person", "on": "2014-02-01"}).to_string();
    let key = ("idempotency-key", "5e1a0000-0000-4000-8000-0000000f0f0f");
    let before = fixture.head().await;
    let first = fixture.call("POST", uri, Some(&token), Some(&body), &[key]).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["events"], json!(["PersonalDataForgotten"]));
    assert_eq!(fixture.head().await.0, before.0 + 1);
    let event = fixture.store.read_all(before.0 + 1, 1).await.unwrap().remove(0);
    assert_eq!(event.metadata.reason.as_deref(), Some("Asked by the person"));
    assert_eq!(event.metadata.source, "http");
    let retry = fixture.call("POST", uri, Some(&token), Some(&body), &[key]).await;
    assert_eq!(
        (retry.status.as_u16(), retry.json["replayed"].as_bool()),
        (200, Some(true)),
        "{}",
        retry.text
    );
    assert_eq!(retry.json["last_position"], first.json["last_position"]);
    let head = fixture.head().await;
    let again = fixture.call("POST", uri, Some(&token), Some(&body), &[]).await;
    again.assert_problem(409, "forgetting a person twice");
    let actor = fixture
        .call(
            "POST",
            "/api/commands/forget-actor",
            Some(&token),
            Some(&json!({"actor": "actor-nobody", "reason": "x"}).to_string()),
            &[],
        )
        .await;
    actor.assert_problem(422, "an unknown actor");
    assert!(
        actor.json["detail"].as_str().unwrap().contains("not registered"),
        "{}",
        actor.text
    );
    assert_eq!(fixture.head().await, head);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let fixture = Fixture::empty().await;
    let big = format!(
        r#"{{"year": 2014, "padding": "{}"}}"#,
        "x".repeat(smes_server::BODY_LIMIT)
    );
    let answer = fixture
        .call(
            "POST",
            "/api/commands/open-work-programme",
            Some(&fixture.token["secretariat"]),
            Some(&big),
            &[],
        )
        .await;
    answer.assert_problem(413, "a large body");
    assert_eq!(fixture.head().await.0, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_time_limit_is_503_and_its_retry_applies_once() {
    use sqlx::Connection;

    let fixture = Fixture::empty().await;
    let hasty = fixture.serve_with(ServerConfig {
        timeout: std::time::Duration::from_millis(200),
        ..ServerConfig::default()
    });
    let key = "5e1a0000-0000-4000-8000-00000000dead";
    let token = fixture.token["secretariat"].clone();
    let uri = "/api/commands/open-work-programme";
    // Another writer holds the database's write lock, so the command's append waits for it
    // past the time limit: the request is cut off whatever the machine's speed.
    let location = format!("sqlite://{}", fixture.dir.path().join("smes.db").display());
    let mut blocker = sqlx::SqliteConnection::connect(&location).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut blocker).await.unwrap();
    let answer = send(
        &hasty,
        "POST",
        uri,
        Some(&token),
        Some(&open_2014()),
        &[("idempotency-key", key)],
    )
    .await;
    sqlx::raw_sql("ROLLBACK").execute(&mut blocker).await.unwrap();
    blocker.close().await.unwrap();
    answer.assert_problem(503, "a command cut off");
    assert!(answer.json["detail"].as_str().unwrap().contains("Idempotency-Key"));
    let retry = fixture
        .call(
            "POST",
            uri,
            Some(&token),
            Some(&open_2014()),
            &[("idempotency-key", key)],
        )
        .await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(
        fixture.head().await.0,
        1,
        "applied once, whether or not the first attempt committed"
    );
}

#[tokio::test]
async fn proofs_from_the_api_verify_against_the_logs_tree_heads() {
    use smes_verify::checkpoint::{ConsistencyProofDocument, InclusionProofDocument, decode_proof};
    use smes_verify::merkle::leaf_hash;
    use smes_verify::{record_hash, verify_consistency, verify_inclusion};

    let fixture = Fixture::demo().await;
    let (head, _) = fixture.head().await;
    let now = fixture.store.tree_head(None).await.unwrap();
    for (position, tree_size) in [(1, head), (head, head), (7, 7), (7, 64), (50, 99)] {
        let answer = fixture
            .get(&format!("/api/proofs/inclusion/{position}?tree_size={tree_size}"))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let document: InclusionProofDocument = serde_json::from_str(&answer.text).unwrap();
        assert_eq!((document.position, document.tree_size), (position, tree_size));
        let stored = fixture.store.stored_record(position).await.unwrap().unwrap();
        assert_eq!(document.record, stored, "the record exactly as stored");
        let root = fixture.store.tree_head(Some(tree_size)).await.unwrap().root;
        let leaf = leaf_hash(&record_hash(document.record.as_bytes()));
        let proof = decode_proof(&document.proof).unwrap();
        verify_inclusion(&leaf, position - 1, tree_size, &proof, &root)
            .unwrap_or_else(|error| panic!("position {position} in {tree_size}: {error}"));
        // The same proof does not place another record there.
        let other = leaf_hash(&record_hash(
            fixture
                .store
                .stored_record(position % head + 1)
                .await
                .unwrap()
                .unwrap()
                .as_bytes(),
        ));
        assert!(verify_inclusion(&other, position - 1, tree_size, &proof, &root).is_err());
    }
    let without_size = fixture.get("/api/proofs/inclusion/3").await;
    assert_eq!(
        without_size.json["tree_size"].as_u64(),
        Some(now.size),
        "the head by default"
    );

    for (from, to) in [(1, head), (10, 50), (64, head), (head, head)] {
        let answer = fixture
            .get(&format!("/api/proofs/consistency?from={from}&to={to}"))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let document: ConsistencyProofDocument = serde_json::from_str(&answer.text).unwrap();
        let old = fixture.store.tree_head(Some(from)).await.unwrap().root;
        let new = fixture.store.tree_head(Some(to)).await.unwrap().root;
        let proof = decode_proof(&document.proof).unwrap();
        verify_consistency(from, to, &old, &new, &proof).unwrap_or_else(|error| panic!("{from} to {to}: {error}"));
    }
    let to_head = fixture.get("/api/proofs/consistency?from=10").await;
    assert_eq!(to_head.json["new_size"].as_u64(), Some(now.size), "the head by default");

    assert_eq!(fixture.get("/api/checkpoints").await.json, json!({"checkpoints": []}));
    assert!(
        fixture
            .store
            .store_checkpoint("sela.int/smes", 40, "note at 40\n")
            .await
            .unwrap()
    );
    assert!(
        fixture
            .store
            .store_checkpoint("sela.int/smes", 7, "note at 7\n")
            .await
            .unwrap()
    );
    let kept = fixture.get("/api/checkpoints").await;
    assert_eq!(kept.status, 200, "{}", kept.text);
    let listed: Vec<(u64, &str, &str)> = kept.json["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|checkpoint| {
            assert!(
                checkpoint["stored_at"]
                    .as_str()
                    .unwrap()
                    .parse::<jiff::Timestamp>()
                    .is_ok()
            );
            (
                checkpoint["tree_size"].as_u64().unwrap(),
                checkpoint["origin"].as_str().unwrap(),
                checkpoint["note"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (7, "sela.int/smes", "note at 7\n"),
            (40, "sela.int/smes", "note at 40\n")
        ]
    );
}

#[tokio::test]
async fn a_stream_read_from_the_largest_version_is_an_empty_page() {
    let fixture = Fixture::demo().await;
    let uri = format!("/api/streams/work-programme-2013/events?from={}", i64::MAX);
    let answer = fixture.get(&uri).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["events"], json!([]));
    assert_eq!(answer.json["next"], Value::Null);
}

#[tokio::test]
async fn observers_may_only_check_health() {
    let fixture = Fixture::demo().await;
    let observer = fixture.token["observer"].clone();
    assert_eq!(
        fixture
            .call("GET", "/api/health", Some(&observer), None, &[])
            .await
            .status,
        200
    );
    for uri in [
        "/api/log/head",
        "/api/work-programme/2013",
        "/api/openapi.json",
        "/api/proofs/inclusion/1",
        "/api/needs",
        "/api/counterparts",
        "/api/evaluation-history",
        "/api/review?from=2013-01-01&to=2013-12-31",
        "/api/diff?from=2013-01-01&to=2013-12-31",
    ] {
        fixture
            .call("GET", uri, Some(&observer), None, &[])
            .await
            .assert_problem(403, uri);
    }
}

/// Replaces what differs between two demo logs (record times, and the hashes and Merkle roots
/// over them) with placeholders.
async fn redact(fixture: &Fixture, value: &Value) -> Value {
    let mut text = value.to_string();
    for event in fixture.store.read_all(1, 100_000).await.unwrap() {
        text = text.replace(&hex::encode(event.hash), &format!("[hash {}]", event.position));
        text = text.replace(&event.recorded_at.to_string(), "[recorded at]");
    }
    let head = fixture.get("/api/log/head").await;
    text = text.replace(head.json["tree_root"].as_str().unwrap(), "[tree root]");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn responses_on_the_demo_log() {
    let fixture = Fixture::demo().await;
    let head = fixture.get("/api/log/head").await;
    insta::assert_json_snapshot!("demo_log_head", redact(&fixture, &head.json).await);
    let verify = fixture.get("/api/log/verify").await;
    insta::assert_json_snapshot!("demo_log_verify", redact(&fixture, &verify.json).await);
    let snapshot = fixture
        .get("/api/work-programme/2013?as_of=2013-06-30&status=held&area=financing")
        .await;
    insta::assert_json_snapshot!(
        "demo_work_programme_2013_held_financing",
        redact(&fixture, &snapshot.json).await
    );
    let events = fixture.get("/api/streams/work-programme-2013/events?limit=2").await;
    insta::assert_json_snapshot!("demo_stream_work_programme_2013", redact(&fixture, &events.json).await);
    let needs = fixture.get("/api/needs?as_of=2013-12-31").await;
    insta::assert_json_snapshot!("demo_needs_2013_12_31", redact(&fixture, &needs.json).await);
    let unauthorized = fixture.call("GET", "/api/log/head", None, None, &[]).await;
    insta::assert_json_snapshot!("problem_401", unauthorized.json);
    let invalid = fixture.get("/api/work-programme/2013?area=finance").await;
    insta::assert_json_snapshot!("problem_invalid_area", invalid.json);
}

#[tokio::test]
async fn the_snapshot_and_trace_are_the_cli_reports() {
    let fixture = Fixture::demo().await;
    let activity = first_activity(&fixture).await;
    let store = fixture.store.as_ref();
    let page = smes_read::index::PAGE;
    let cut = smes_reports::options::parse_cut(Some("2013-06-30"), None, None).unwrap();
    let request = smes_reports::snapshot::SnapshotRequest {
        year: smes_reports::options::parse_year("2013").unwrap(),
        cut,
        filter: smes_reports::Filter::default(),
    };
    let expected = smes_read::report::snapshot(store, page, &request).await.unwrap();
    let answer = fixture.get("/api/work-programme/2013?as_of=2013-06-30").await;
    assert_eq!(answer.text, expected.render(smes_reports::Format::Json).unwrap());
    let subject = smes_reports::trace::parse_subject("activity", &activity).unwrap();
    let expected = smes_read::report::trace(store, page, subject, &cut).await.unwrap();
    let answer = fixture
        .get(&format!("/api/trace/activity/{activity}?as_of=2013-06-30"))
        .await;
    assert_eq!(answer.text, expected.render(smes_reports::Format::Json).unwrap());
}

#[tokio::test]
async fn the_review_pack_the_diff_and_the_registers_are_the_cli_reports() {
    let fixture = Fixture::demo().await;
    let store = fixture.store.as_ref();
    let request = smes_reports::review::ReviewRequest::parse("2013-01-01", "2013-12-31", None, Some("40")).unwrap();
    let log = smes_read::read_log(store, None, Some(40)).await.unwrap();
    let expected = smes_reports::review::build(&log, &request).unwrap();
    let answer = fixture
        .get("/api/review?from=2013-01-01&to=2013-12-31&at_position=40")
        .await;
    assert_eq!(answer.text, expected.render(smes_reports::Format::Json).unwrap());
    assert_eq!(answer.json["anchor"]["log_position"], 40);

    let log = smes_read::read_log(store, None, None).await.unwrap();
    let from = smes_reports::Point::parse("--from", "2013-03-31").unwrap();
    let to = smes_reports::Point::parse("--to", "position:60").unwrap();
    let expected = smes_reports::diff::build(&log, from, to, None).unwrap();
    let answer = fixture.get("/api/diff?from=2013-03-31&to=position:60").await;
    assert_eq!(answer.text, expected.render(smes_reports::Format::Json).unwrap());
    assert!(!answer.json["years"].as_array().unwrap().is_empty(), "{}", answer.text);

    // The registers, as `smes needs`, `smes counterparts` and `smes evaluation-history` write them.
    use smes_reports::registers::{counterparts, history, needs};
    let cut = smes_reports::options::parse_cut(Some("2013-06-30"), None, Some("80")).unwrap();
    let log = smes_read::read_log(store, None, Some(80)).await.unwrap();
    let filter = needs::NeedsFilter::parse(&["financing".to_owned()], &[], &["answered".to_owned()]).unwrap();
    let expected = needs::build(&log, &needs::NeedsRequest { cut, filter }).unwrap();
    let answer = fixture
        .get("/api/needs?as_of=2013-06-30&at_position=80&area=financing&status=answered")
        .await;
    assert_eq!(answer.text, expected.to_json().unwrap());
    let filter = counterparts::DirectoryFilter::parse(&[], &["co".to_owned()]).unwrap();
    let expected = counterparts::build(&log, &counterparts::DirectoryRequest { cut, filter }).unwrap();
    let answer = fixture
        .get("/api/counterparts?as_of=2013-06-30&at_position=80&country=co")
        .await;
    assert_eq!(answer.text, expected.to_json().unwrap());
    let expected = history::build(&log, &cut).unwrap();
    let answer = fixture
        .get("/api/evaluation-history?as_of=2013-06-30&at_position=80")
        .await;
    assert_eq!(answer.text, expected.to_json().unwrap());
}

#[tokio::test]
async fn the_registers_follow_the_log_and_hold_no_personal_data() {
    let fixture = Fixture::demo().await;
    let events = fixture.store.read_all(1, 100_000).await.unwrap();
    let identified = events
        .iter()
        .filter(|event| event.event_type == "NeedIdentified")
        .count();
    let needs = fixture.get("/api/needs").await;
    assert_eq!(needs.status, 200, "{}", needs.text);
    assert_eq!(needs.json["total"]["needs"], identified, "{}", needs.text);
    assert!(identified > 0);
    // Each status filter lists exactly the needs with that status, and together they are all.
    let mut listed = 0;
    for status in ["answered", "open", "unanswered"] {
        let answer = fixture.get(&format!("/api/needs?status={status}")).await;
        let rows = answer.json["needs"].as_array().unwrap();
        assert!(rows.iter().all(|row| row["status"] == status), "{status}");
        assert_eq!(rows.len(), needs.json["total"][status].as_u64().unwrap() as usize);
        listed += rows.len();
    }
    assert_eq!(listed, identified);
    // An area filter keeps only that area.
    let financing = fixture.get("/api/needs?area=financing").await;
    let rows = financing.json["needs"].as_array().unwrap();
    assert!(rows.iter().all(|row| row["thematic_area"] == "financing"));

    // Cut at the first need: the register then holds that need only, and says so.
    let first = events
        .iter()
        .find(|event| event.event_type == "NeedIdentified")
        .unwrap();
    let cut = fixture.get(&format!("/api/needs?at_position={}", first.position)).await;
    assert_eq!(cut.json["total"]["needs"], 1, "{}", cut.text);
    assert_eq!(cut.json["anchor"]["log_position"], first.position);
    assert_eq!(cut.json["selection"]["at_position"], first.position);

    // The directory names organisations, never a focal point (not even by reference).
    let joined: Vec<&smes_eventlog::RecordedEvent> = events
        .iter()
        .filter(|event| event.event_type == "CounterpartJoined")
        .collect();
    let directory = fixture.get("/api/counterparts").await;
    assert_eq!(directory.status, 200, "{}", directory.text);
    assert_eq!(directory.json["counterparts"].as_array().unwrap().len(), joined.len());
    for event in &joined {
        let payload: Value = serde_json::from_str(event.payload.get()).unwrap();
        let person = payload["focal_point"]["person"].as_str().unwrap();
        let name = payload["details"]["name"].as_str().unwrap();
        assert!(directory.text.contains(name), "{name}");
        for uri in ["/api/counterparts", "/api/needs", "/api/evaluation-history"] {
            let answer = fixture.get(uri).await;
            assert!(!answer.text.contains(person), "{uri} names a focal point");
            assert!(!answer.text.contains("focal_point"), "{uri}");
        }
    }
    let members = directory.json["member_states"].as_array().unwrap();
    let joined_states = events
        .iter()
        .filter(|event| event.event_type == "MemberStateJoined")
        .count();
    assert_eq!(members.len(), joined_states);
    assert!(
        members
            .iter()
            .all(|state| !state["history"].as_array().unwrap().is_empty())
    );

    // The history lists every consultation and review of the log, by date.
    let history = fixture.get("/api/evaluation-history").await;
    let items = history.json["items"].as_array().unwrap();
    let scheduled = events
        .iter()
        .filter(|event| event.event_type == "ConsultationScheduled")
        .count();
    let opened = events.iter().filter(|event| event.event_type == "ReviewOpened").count();
    assert_eq!(history.json["counts"]["consultations"], scheduled, "{}", history.text);
    assert_eq!(history.json["counts"]["reviews"], opened);
    assert_eq!(items.len(), scheduled + opened);
    let dates: Vec<&str> = items.iter().filter_map(|item| item["date"].as_str()).collect();
    assert!(dates.windows(2).all(|pair| pair[0] <= pair[1]), "{dates:?}");
    assert_eq!(history.json["counts"]["needs"], identified);
}

#[tokio::test]
async fn observers_read_what_is_published_and_only_that() {
    let fixture = Fixture::demo().await;
    let observer = fixture.token["observer"].clone();
    let list = fixture
        .call("GET", "/api/published-snapshots", Some(&observer), None, &[])
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json, json!({"publications": []}));
    fixture.publish().await;

    let list = fixture
        .call("GET", "/api/published-snapshots", Some(&observer), None, &[])
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    let row = &list.json["publications"][0];
    assert_eq!(row["id"], PUBLICATION);
    let position = row["cut"]["at_position"].as_u64().unwrap();
    assert_eq!(row["anchor"]["log_position"], position);
    insta::assert_json_snapshot!("published_snapshots", list.json, {
        ".publications[].anchor.head_hash" => "[hash]",
        ".publications[].anchor.tree_root" => "[tree root]",
        ".publications[].files[].sha256" => "[digest]",
    });

    let one = fixture
        .call(
            "GET",
            &format!("/api/published-snapshots/{PUBLICATION}"),
            Some(&observer),
            None,
            &[],
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["publication"], *row);
    // The snapshot shown is the one the work-programme route makes under the pinned cut.
    let made = fixture
        .get(&format!(
            "/api/work-programme/2013?as_of=2013-06-30&at_position={position}"
        ))
        .await;
    assert_eq!(one.json["snapshot"], made.json);
    // The work programme itself, unpublished, stays closed to observers.
    let closed = fixture
        .call("GET", "/api/work-programme/2013", Some(&observer), None, &[])
        .await;
    closed.assert_problem(403, "the work programme as an observer");
}

#[tokio::test]
async fn the_secretariat_publishes_a_snapshot_through_the_command_route_once() {
    let fixture = Fixture::demo().await;
    let secretariat = fixture.token["secretariat"].clone();
    let uri = "/api/commands/publish-snapshot";
    let body = json!({"year": 2013, "as_of": "2013-06-30", "status": ["approved", "held"],
                      "title": "Work programme 2013 at mid-year", "publication": PUBLICATION,
                      "published_on": "2013-07-01", "why": "mid-year report"})
    .to_string();
    let key = [("idempotency-key", "5e1a0000-0000-4000-8000-00000000c0de")];
    let first = fixture.call("POST", uri, Some(&secretariat), Some(&body), &key).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["events"], json!(["SnapshotPublished"]));
    assert_eq!(first.json["stream"], format!("publication-{PUBLICATION}"));
    let head = fixture.head().await;
    let again = fixture.call("POST", uri, Some(&secretariat), Some(&body), &key).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["replayed"], true);
    assert_eq!(fixture.head().await, head, "a retried publication is recorded once");

    let list = fixture.get("/api/published-snapshots").await;
    let row = &list.json["publications"][0];
    assert_eq!(row["title"], "Work programme 2013 at mid-year");
    assert_eq!(row["filter"]["statuses"], json!(["approved", "held"]));
    assert_eq!(row["cut"]["at_position"], head.0 - 1);
    let events = fixture
        .get(&format!("/api/streams/publication-{PUBLICATION}/events"))
        .await;
    assert_eq!(
        events.json["events"][0]["metadata"]["reason"], "mid-year report",
        "{}",
        events.text
    );
    assert_eq!(events.json["events"][0]["metadata"]["role"], "secretariat");

    let refusals = [
        (json!({"year": 2013, "area": ["finance"]}), 422, Some("area")),
        (json!({"year": 2020}), 422, Some("year")),
        (json!({"year": 2013, "at_position": 0}), 422, Some("at_position")),
        (json!({"year": 2013, "format": ["pdf"]}), 422, Some("format")),
        (json!({"year": 2013, "colour": "red"}), 422, Some("colour")),
        (json!({"year": 2013, "as_of": "2012-01-01"}), 409, None),
        (json!({"year": 2013, "publication": PUBLICATION}), 409, None),
    ];
    for (body, status, field) in refusals {
        let answer = fixture
            .call("POST", uri, Some(&secretariat), Some(&body.to_string()), &[])
            .await;
        let problem = answer.assert_problem(status, &body.to_string());
        if let Some(field) = field {
            assert_eq!(problem["field"], field, "{body}: {}", answer.text);
        }
    }
    let auditor = fixture
        .call("POST", uri, Some(&fixture.token["auditor"]), Some(&body), &[])
        .await;
    auditor.assert_problem(403, "publishing as an auditor");
    assert_eq!(fixture.head().await, head, "refused publications write nothing");
}

#[tokio::test]
async fn verify_reports_a_kept_checkpoint_the_log_does_not_contain() {
    let fixture = Fixture::demo().await;
    let signer = smes_verify::NoteSigner::from_seed("sela.int/smes", [5; 32]).unwrap();
    let note = smes_verify::Checkpoint {
        origin: "sela.int/smes".into(),
        size: 10,
        root: [0; 32],
    }
    .sign(&signer)
    .unwrap();
    assert!(
        fixture
            .store
            .store_checkpoint("sela.int/smes", 10, &note)
            .await
            .unwrap()
    );
    let verify = fixture.get("/api/log/verify").await;
    assert_eq!(verify.status, 200, "{}", verify.text);
    assert_eq!(verify.json["verified"], false);
    let detail = verify.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("(sela.int/smes at size 10, root 0000") && detail.contains("a position from 1 to 10"),
        "{detail}"
    );
}

#[tokio::test]
async fn ratings_are_taken_by_label_or_number_and_a_score_off_the_scale_is_refused() {
    let fixture = Fixture::demo().await;
    let token = fixture.token["secretariat"].clone();
    let uri = "/api/commands/evaluate-achievements";
    let evaluation = |score: Value| {
        json!({"consultation": "5e1a0000-00c5-4000-8000-000000000002", "subject": {"subject": "programme"},
               "findings": "The seminars reached their audience",
               "ratings": [{"criterion": "relevance", "score": score}, {"criterion": "reach", "score": 2}]})
        .to_string()
    };
    let head = fixture.head().await;
    let refused = fixture
        .call("POST", uri, Some(&token), Some(&evaluation(json!("rather good"))), &[])
        .await;
    refused.assert_problem(422, "a label off the scale");
    assert_eq!(refused.json["field"], "rating score");
    assert!(
        refused.text.contains("4 satisfactory"),
        "the refusal states the scale: {}",
        refused.text
    );
    assert_eq!(fixture.head().await, head, "nothing written");
    let accepted = fixture
        .call(
            "POST",
            uri,
            Some(&token),
            Some(&evaluation(json!("Highly satisfactory"))),
            &[],
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.json["events"], json!(["AchievementsEvaluated"]));
}
