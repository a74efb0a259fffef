//! A PostgreSQL database of a test's own, for the end-to-end tests that run `smes` on
//! PostgreSQL. The server must answer at 127.0.0.1:5432 (trust auth, user `postgres`, database
//! `test`); `SMES_TEST_POSTGRES` overrides the admin URL. The tests fail, never skip, without it.

// Shared by several test binaries; not all of them use every item.
#![allow(dead_code, reason = "each test file that includes this module uses only some of it")]

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{Connection, PgConnection};

/// The URL of the admin database on the test server.
pub fn admin_url() -> String {
    std::env::var("SMES_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A runtime for the few queries a test makes itself.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A connection to `url`, or a panic that says what the tests need.
pub async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.unwrap_or_else(|error| {
        panic!(
            "PostgreSQL is not reachable at {url}: {error}. The PostgreSQL tests need a server at \
             127.0.0.1:5432 with trust auth and a database `test` (README, Tests); they never skip."
        )
    })
}

/// A database of the test's own, dropped when the value is.
pub struct Database {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl Database {
    /// Creates an empty database.
    pub fn fresh() -> Self {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        let name = format!("smes_e2e_{seconds}_{}", uuid::Uuid::new_v4().simple());
        runtime().block_on(async {
            let mut admin = connect(&admin_url()).await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                .execute(&mut admin)
                .await
                .expect("create a test database");
        });
        let admin = admin_url();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
        Database {
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// Runs `run` on a connection of its own to the database.
    pub fn query<T>(&self, run: impl AsyncFnOnce(&mut PgConnection) -> T) -> T {
        runtime().block_on(async {
            let mut connection = connect(&self.url).await;
            let value = run(&mut connection).await;
            let _ = connection.close().await;
            value
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let name = self.name.clone();
        runtime().block_on(async {
            let mut admin = connect(&admin_url()).await;
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await;
        });
    }
}
