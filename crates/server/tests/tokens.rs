//! The token table on both backends: a token is shown once, kept only as its hash, listed
//! without it, refused once revoked, and its name is never reused.
//!
//! The PostgreSQL half needs a server at 127.0.0.1:5432 with trust auth and a database `test`
//! (`SMES_TEST_POSTGRES` names another admin URL); it fails, never skips, without one.

use std::sync::Arc;

use smes_app::Database;
use smes_eventlog::{RandomIds, StoreOptions};
use smes_server::{Error, Role, TokenStore};
use sqlx::{Connection, PgConnection};

fn options() -> StoreOptions {
    StoreOptions {
        create: true,
        ids: Arc::new(RandomIds::default()),
        ..StoreOptions::default()
    }
}

/// Everything a token table must do, on an opened log.
async fn check(database: &Database, raw_rows: impl AsyncFn() -> Vec<String>) {
    let tokens = TokenStore::open(database).await.unwrap();
    let created = tokens.create("ops", Role::Auditor, None).await.unwrap();
    assert!(
        created.token.starts_with("smes_") && created.token.len() == 5 + 64,
        "{}",
        created.token
    );
    assert_eq!(created.info.actor, "ops", "the name is the actor without one");
    let second = tokens.create("desk", Role::Secretariat, Some("actor-7")).await.unwrap();
    assert_ne!(created.token, second.token);

    let caller = tokens.authenticate(&created.token).await.unwrap().unwrap();
    assert_eq!(
        (caller.name.as_str(), caller.role, caller.actor.as_str()),
        ("ops", Role::Auditor, "ops")
    );
    assert_eq!(
        tokens.authenticate(&second.token).await.unwrap().unwrap().actor,
        "actor-7"
    );
    assert_eq!(tokens.authenticate("smes_guess").await.unwrap(), None);

    // The table holds no token, only hashes of them.
    let rows = raw_rows().await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(!row.contains(&created.token) && !row.contains(&second.token), "{row}");
    }
    assert!(
        rows.iter()
            .any(|row| row.contains(&smes_server::tokens::token_hash(&created.token)))
    );

    let listed = tokens.list().await.unwrap();
    assert_eq!(
        listed.iter().map(|info| info.name.as_str()).collect::<Vec<_>>(),
        ["desk", "ops"]
    );
    assert!(listed.iter().all(|info| info.revoked_at.is_none()));

    assert!(matches!(
        tokens.create("ops", Role::Observer, None).await,
        Err(Error::TokenExists(_))
    ));
    assert!(matches!(
        tokens.create("two words", Role::Observer, None).await,
        Err(Error::InvalidTokenName(_))
    ));

    assert!(tokens.revoke("ops").await.unwrap());
    assert!(!tokens.revoke("ops").await.unwrap(), "revoking again changes nothing");
    assert!(matches!(tokens.revoke("nobody").await, Err(Error::UnknownToken(_))));
    assert_eq!(tokens.authenticate(&created.token).await.unwrap(), None);
    assert!(tokens.authenticate(&second.token).await.unwrap().is_some());
    let ops = tokens
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|info| info.name == "ops")
        .unwrap();
    assert!(ops.revoked_at.is_some());
    assert!(
        matches!(
            tokens.create("ops", Role::Auditor, None).await,
            Err(Error::TokenExists(_))
        ),
        "a revoked name is not reused"
    );
}

#[tokio::test]
async fn tokens_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smes.db");
    let database = Database::open(&path.display().to_string(), options()).await.unwrap();
    let url = format!("sqlite://{}", path.display());
    check(&database, async || {
        let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_scalar("SELECT name || ' ' || token_hash || ' ' || role || ' ' || actor FROM api_tokens")
            .fetch_all(&mut connection)
            .await
            .unwrap()
    })
    .await;
}

fn admin_url() -> String {
    std::env::var("SMES_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

#[tokio::test]
async fn tokens_on_postgres() {
    let admin = admin_url();
    let mut connection = PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|error| panic!("PostgreSQL is not reachable at {admin}: {error}"));
    let name = format!("smes_tokens_{}", uuid::Uuid::new_v4().simple());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut connection)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    let url = format!("{base}/{name}");
    let database = Database::open(&url, options()).await.unwrap();
    check(&database, async || {
        let mut connection = PgConnection::connect(&url).await.unwrap();
        sqlx::query_scalar("SELECT name || ' ' || token_hash || ' ' || role || ' ' || actor FROM api_tokens")
            .fetch_all(&mut connection)
            .await
            .unwrap()
    })
    .await;
    if let TokenStore::Postgres(pool) = TokenStore::open(&database).await.unwrap() {
        pool.close().await;
    }
    drop(database);
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut connection)
    .await
    .unwrap();
}
