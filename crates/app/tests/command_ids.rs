//! A command id is bound to its command, and retried or refused commands leave no key behind:
//! one body of checks run over a SQLite log and a PostgreSQL log, each with its own key store.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use smes_app::key_audit::{audit_keys, prune_keys};
use smes_app::{
    App, AppCommand, CommandContext, CommandLine, CommandService, Database, Error, KeyStore, Sealer, SeededRandom,
    Source,
};
use smes_domain::DomainError;
use smes_eventlog::{CommandEntry, EventStore, Head, SequentialIds, StoreOptions};
use sqlx::Connection as _;
use sqlx::postgres::PgConnection;
use uuid::Uuid;

const COUNTERPART: &str = "5e1a0000-0000-4000-8000-000000000001";

fn options() -> StoreOptions {
    StoreOptions {
        create: true,
        ..StoreOptions::default()
    }
}

/// An app over `database`, with the key store beside it.
async fn app_over(database: &Database) -> (App, Arc<dyn KeyStore>) {
    let keys = database.open_keys(Arc::new(SeededRandom::new(1))).await.unwrap();
    let service = CommandService::new(
        database.store(),
        Arc::new(smes_eventlog::SystemClock),
        Arc::new(SequentialIds::default()),
    );
    let sealer = Sealer::new(Arc::clone(&keys), Arc::new(SeededRandom::new(2)));
    let app = App::new(service, Arc::new(sealer));
    // Countries are checked against the membership history: the log starts with it.
    smes_app::membership::load(&app, &CommandContext::new("actor-test", "secretariat", Source::Cli))
        .await
        .unwrap();
    (app, keys)
}

fn context(command_id: u128) -> CommandContext {
    CommandContext::new("actor-test", "secretariat", Source::Import).with_command_id(Uuid::from_u128(command_id))
}

/// A counterpart joining with a focal point the caller names no person for: the app draws a
/// new person and makes their key.
fn join(name: &str) -> AppCommand {
    command(
        json!({"kind": "join-counterpart", "counterpart": COUNTERPART, "name": name,
        "counterpart_kind": "public", "member_state": "PE", "thematic_areas": ["financing"],
        "focal_point": {"name": "Rosa Quispe", "email": "rosa@example.org"}, "joined_on": "2012-11-05"}),
    )
}

fn command(value: Value) -> AppCommand {
    CommandLine::from_value(value).unwrap().command
}

async fn key_count(keys: &dyn KeyStore) -> usize {
    keys.export().await.unwrap().keys.len()
}

async fn head(store: &dyn EventStore) -> Head {
    store.head().await.unwrap()
}

/// The checks every backend passes.
async fn check(database: &Database) {
    let (app, keys) = app_over(database).await;
    let store = database.events();

    let first = app.run(&context(1), &join("Agency")).await.unwrap();
    assert!(!first.already_applied);
    assert_eq!(key_count(keys.as_ref()).await, 1);
    let after_first = head(store).await;

    // The same command under the same id: the first outcome, nothing written, no new key.
    for _ in 0..3 {
        let again = app.run(&context(1), &join("Agency")).await.unwrap();
        assert!(again.already_applied);
        assert_eq!(again.outcome.last_position, first.outcome.last_position);
    }
    assert_eq!(head(store).await, after_first);
    assert_eq!(key_count(keys.as_ref()).await, 1, "a retry creates no key");

    // Another command under the same id: refused, naming the id; the log and the keys as they were.
    let refused = app.run(&context(1), &join("Agency renamed")).await.unwrap_err();
    assert!(
        matches!(&refused, Error::CommandIdUsedForAnotherCommand { command_id, .. } if *command_id == Uuid::from_u128(1)),
        "{refused:?}"
    );
    let message = refused.to_string();
    assert!(
        message.contains(&Uuid::from_u128(1).to_string()) && message.contains("already used for a different command"),
        "{message}"
    );
    assert_eq!(head(store).await, after_first);
    assert_eq!(key_count(keys.as_ref()).await, 1);

    // A command the domain refuses leaves no key for its new person.
    let error = app.run(&context(2), &join("Agency")).await.unwrap_err();
    assert!(
        matches!(error, Error::Domain(DomainError::CounterpartAlreadyJoined { .. })),
        "{error:?}"
    );
    assert_eq!(key_count(keys.as_ref()).await, 1, "a refused command leaves no key");
    assert_eq!(head(store).await, after_first);

    // A person the caller names keeps the key the refused command made for them (another
    // command may be sealing with it); the audit finds it named by nothing and pruning removes
    // it once it is old enough.
    let mut named = serde_json::to_value(join("Agency")).unwrap();
    named["focal_point"]["person"] = json!("5e1a0000-0000-4000-8000-0000000000f1");
    let named = command(named);
    assert!(app.run(&context(3), &named).await.is_err());
    let audit = audit_keys(store, keys.as_ref()).await.unwrap();
    assert_eq!(
        (audit.held, audit.named_by_events, audit.unnamed.len()),
        (2, 1, 1),
        "{audit}"
    );
    assert_eq!(
        audit.unnamed[0].person.to_string(),
        "5e1a0000-0000-4000-8000-0000000000f1"
    );
    let an_hour_ago = Timestamp::now() - SignedDuration::from_hours(1);
    let spared = prune_keys(store, keys.as_ref(), an_hour_ago).await.unwrap();
    assert_eq!((spared.deleted, spared.spared), (0, 1), "a young key is spared");
    let pruned = prune_keys(store, keys.as_ref(), Timestamp::now() + SignedDuration::from_secs(1))
        .await
        .unwrap();
    assert_eq!((pruned.deleted, pruned.spared), (1, 0));
    let audit = audit_keys(store, keys.as_ref()).await.unwrap();
    assert_eq!((audit.held, audit.named_by_events, audit.unnamed.len()), (1, 1, 0));
    assert_eq!(head(store).await, after_first);

    // Its id was not used up: the id names nothing yet, so a new command may take it.
    let other =
        command(json!({"kind": "join-system", "code": "ES", "name": "Spain", "source": "a test of a free command id"}));
    assert!(!app.run(&context(2), &other).await.unwrap().already_applied);
}

/// A log whose register entries were written before ids were bound keeps the earlier rule: the
/// same id on the same stream is a retry. Such a retry still leaves no key behind.
async fn check_earlier_entries(source: &Database, target: &Database) {
    let (app, _) = app_over(source).await;
    app.run(&context(7), &join("Agency")).await.unwrap();
    let records = source.events().read_raw(1, 100).await.unwrap();
    let unbound: Vec<CommandEntry> = source
        .events()
        .read_commands(1, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| CommandEntry {
            binds_command: false,
            ..entry
        })
        .collect();
    target.events().append_raw(records, unbound).await.unwrap();
    let (app, keys) = app_over(target).await;
    let before = head(target.events()).await;
    let again = app.run(&context(7), &join("Agency")).await.unwrap();
    assert!(again.already_applied);
    assert_eq!(head(target.events()).await, before);
    assert_eq!(
        key_count(keys.as_ref()).await,
        0,
        "the retry's new key is deleted again"
    );
}

#[tokio::test]
async fn command_ids_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    check(&Database::open(&path("log.db"), options()).await.unwrap()).await;
    check_earlier_entries(
        &Database::open(&path("source.db"), options()).await.unwrap(),
        &Database::open(&path("target.db"), options()).await.unwrap(),
    )
    .await;
}

async fn postgres_database(prefix: &str) -> Database {
    let admin =
        std::env::var("SMES_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let mut connection = PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|error| panic!("PostgreSQL is not reachable at {admin}: {error}"));
    let name = format!("smes_{prefix}_{}", Uuid::new_v4().simple());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut connection)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    Database::open(&format!("{base}/{name}"), options()).await.unwrap()
}

#[tokio::test]
async fn command_ids_on_postgres() {
    check(&postgres_database("command_ids").await).await;
    check_earlier_entries(
        &postgres_database("command_ids_source").await,
        &postgres_database("command_ids_target").await,
    )
    .await;
}
