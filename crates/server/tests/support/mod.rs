//! A real SQLite log per test (empty or with the demo), tokens of every role, and requests
//! sent through the router as a client would send them.

#![allow(dead_code, reason = "each test file that includes this module uses only some of it")]

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use smes_app::demo::{self, DemoIds};
use smes_app::{App, CommandContext, CommandService, Database, Sealer, SeededRandom, Source};
use smes_domain::publication::{PublicationCommand, PublicationDecider};
use smes_domain::values::WorkProgrammeYear;
use smes_eventlog::{EventStore, StoreOptions, SystemClock};
use smes_projections::Cut;
use smes_reports::Filter;
use smes_reports::publication::PublishRequest;
use smes_reports::snapshot::{self, SnapshotRequest};
use smes_server::{Api, Role, ServerConfig, TokenStore};
use tempfile::TempDir;
use tower::ServiceExt;

/// The id of the publication [`Fixture::publish`] records.
pub const PUBLICATION: &str = "5e1a0000-0000-4000-8000-00000000b0b1";

/// One test's log, tokens and router.
pub struct Fixture {
    /// Holds the database file.
    pub dir: TempDir,
    /// The log.
    pub store: Arc<dyn EventStore>,
    /// The app over it.
    pub app: App,
    /// The token table.
    pub tokens: TokenStore,
    /// A valid token of each role.
    pub token: BTreeMap<&'static str, String>,
    /// A token that was revoked.
    pub revoked: String,
    /// The router.
    pub router: Router,
}

/// A response.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as JSON (`Null` when it is not JSON).
    pub json: Value,
    /// The body as text.
    pub text: String,
}

impl Answer {
    /// The content type.
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts a problem-details answer with `status`, and returns its JSON.
    pub fn assert_problem(&self, status: u16, what: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "{what}: {}", self.text);
        assert_eq!(self.content_type(), "application/problem+json", "{what}");
        for key in ["type", "title", "detail"] {
            assert!(self.json[key].is_string(), "{what}: no {key} in {}", self.text);
        }
        assert_eq!(self.json["status"], status, "{what}");
        &self.json
    }
}

impl Fixture {
    /// An empty log.
    pub async fn empty() -> Fixture {
        Self::open(false, ServerConfig::default()).await
    }

    /// The demo's log.
    pub async fn demo() -> Fixture {
        Self::open(true, ServerConfig::default()).await
    }

    /// A log, with the demo or not, served with `config`.
    pub async fn open(with_demo: bool, config: ServerConfig) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let location = dir.path().join("smes.db").display().to_string();
        let ids = Arc::new(DemoIds::default());
        let options = StoreOptions {
            create: true,
            ids: ids.clone(),
            ..StoreOptions::default()
        };
        let database = Database::open(&location, options).await.unwrap();
        let random = Arc::new(SeededRandom::new(7));
        let keys = database.open_keys(random.clone()).await.unwrap();
        let service = CommandService::new(database.store(), Arc::new(SystemClock), ids);
        let app = App::new(service, Arc::new(Sealer::new(keys, random)));
        if with_demo {
            demo::run(&app, &location).await.unwrap();
        }
        let tokens = TokenStore::open(&database).await.unwrap();
        let mut token = BTreeMap::new();
        for role in Role::ALL {
            let created = tokens.create(&format!("{role}-1"), role, None).await.unwrap();
            token.insert(role.as_str(), created.token);
        }
        let revoked = tokens.create("gone", Role::Secretariat, None).await.unwrap().token;
        assert!(tokens.revoke("gone").await.unwrap());
        let router = smes_server::router(Api::new(app.clone(), tokens.clone(), config));
        Fixture {
            dir,
            store: database.store(),
            app,
            tokens,
            token,
            revoked,
            router,
        }
    }

    /// The same log and tokens served with another configuration.
    pub fn serve_with(&self, config: ServerConfig) -> Router {
        smes_server::router(Api::new(self.app.clone(), self.tokens.clone(), config))
    }

    /// The log's head position and hash.
    pub async fn head(&self) -> (u64, [u8; 32]) {
        let head = self.store.head().await.unwrap();
        (head.position, head.hash)
    }

    /// Sends a request with an optional bearer token, body and extra headers.
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Answer {
        send(&self.router, method, uri, token, body, headers).await
    }

    /// Publishes the 2013 work programme as of mid-year, as `smes publish snapshot` does, with
    /// the id [`PUBLICATION`].
    pub async fn publish(&self) {
        let request = PublishRequest {
            publication: PUBLICATION.parse().unwrap(),
            snapshot: SnapshotRequest {
                year: WorkProgrammeYear::new(2013).unwrap(),
                cut: Cut::as_of(jiff::civil::date(2013, 6, 30)),
                filter: Filter::default(),
            },
            formats: snapshot::FORMATS.to_vec(),
            title: "Work programme 2013 at mid-year".to_owned(),
            note: Some("As approved by the Permanent Secretariat".to_owned()),
            published_on: jiff::civil::date(2013, 7, 1),
        };
        let command = smes_read::publication::prepare(self.store.as_ref(), smes_read::index::PAGE, &request)
            .await
            .unwrap();
        let context = CommandContext::new("actor-test", "secretariat", Source::Cli);
        self.app
            .service()
            .execute::<PublicationDecider>(&context, &PublicationCommand::PublishSnapshot(command))
            .await
            .unwrap();
    }

    /// A GET as the secretariat.
    pub async fn get(&self, uri: &str) -> Answer {
        self.call("GET", uri, Some(&self.token["secretariat"]), None, &[]).await
    }
}

/// Sends a request through `router`.
pub async fn send(
    router: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = match body {
        Some(text) => {
            request = request.header("content-type", "application/json");
            Body::from(text.to_owned())
        }
        None => Body::empty(),
    };
    let response = router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        json,
        text,
    }
}
