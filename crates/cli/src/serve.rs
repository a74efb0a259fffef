//! `smes serve` and `smes token ...`: the HTTP API on a listening address, and the bearer
//! tokens that reach it.

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use smes_eventlog::RandomIds;
use smes_server::connections::Limits;
use smes_server::{Api, Role, ServerConfig, TokenStore};

use crate::{keeper, wiring};

/// `smes serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on (port 0: any free port, printed on start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// How many seconds a request may take before it is answered 503.
    #[arg(long, default_value_t = smes_server::DEFAULT_TIMEOUT.as_secs())]
    timeout: u64,
    /// How many seconds a client may take to send a request's headers (or, on a kept-alive
    /// connection, to start its next request) before its connection is closed.
    #[arg(long, default_value_t = smes_server::connections::DEFAULT_HEADER_READ_TIMEOUT.as_secs())]
    header_timeout: u64,
    /// How many connections are served at once; more wait until one ends.
    #[arg(long, default_value_t = smes_server::connections::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// The web pages' session cookie without `Secure`, so a browser on this machine can sign
    /// in over plain http://127.0.0.1; without it the cookie is sent over HTTPS only (behind a
    /// TLS-terminating proxy).
    #[arg(long)]
    plain_http: bool,
    #[command(flatten)]
    keep: keeper::KeepArgs,
}

/// `smes token ...`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (once: only its hash is kept).
    Create {
        /// What it lets its holder do: secretariat, auditor or observer.
        #[arg(long)]
        role: String,
        /// Its name (unique, never reused): letters, digits, '.', '_' or '-'.
        #[arg(long)]
        name: String,
        /// The pseudonymous actor id recorded for its commands (`smes actor register`);
        /// without it, the token's name.
        #[arg(long = "token-actor")]
        token_actor: Option<String>,
    },
    /// List the tokens: names, roles, actors, when created and revoked (never the tokens).
    List,
    /// Revoke a token by name: from now on it is refused.
    Revoke {
        /// The token's name.
        name: String,
    },
}

/// Runs `smes serve`: opens the log, its key store and the token table, and serves until the
/// process is interrupted or sent SIGTERM; then lets the requests under way finish.
pub async fn serve(database: &str, index_page: usize, args: ServeArgs) -> Result<()> {
    let (app, _keys) = wiring::open_app(database, false, Arc::new(RandomIds::default())).await?;
    let log = wiring::open_store(database, false).await?;
    let tokens = TokenStore::open(&log).await?;
    let keeper = keeper::Keeper::new(&args.keep, log.events()).await?;
    let config = ServerConfig {
        index_page,
        timeout: std::time::Duration::from_secs(args.timeout),
        secure_cookies: !args.plain_http,
        limits: Limits {
            header_read_timeout: std::time::Duration::from_secs(args.header_timeout.max(1)),
            max_connections: args.max_connections.max(1),
        },
    };
    let listener = smes_server::listen(&args.listen).await?;
    let address = listener.local_addr()?;
    println!(
        "smes API listening on http://{address}/api, pages on http://{address}/ (log at {})",
        log.describe()
    );
    tracing::info!(log = %log.describe(), "smes serve started");
    keeper::alongside(keeper, log.events(), async {
        smes_server::serve(listener, Api::new(app, tokens, config), stop_requested()).await?;
        Ok(())
    })
    .await?;
    tracing::info!("smes serve stopped");
    Ok(())
}

/// Completes when the process is asked to stop: an interrupt (Ctrl-C, SIGINT) or, on Unix,
/// SIGTERM. If the signals cannot be watched, never completes (the process is stopped the way
/// it would be without this).
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = match signal(SignalKind::terminate()) {
            Ok(terminate) => terminate,
            Err(error) => {
                tracing::warn!(%error, "SIGTERM cannot be watched: it stops the server without letting requests finish");
                return interrupted().await;
            }
        };
        tokio::select! {
            () = interrupted() => {}
            _ = terminate.recv() => tracing::info!("SIGTERM received: stopping"),
        }
    }
    #[cfg(not(unix))]
    interrupted().await;
}

/// Completes on an interrupt (Ctrl-C).
async fn interrupted() {
    match tokio::signal::ctrl_c().await {
        Ok(()) => tracing::info!("interrupted: stopping"),
        Err(error) => {
            tracing::warn!(%error, "interrupts cannot be watched: one stops the server without letting requests finish");
            std::future::pending::<()>().await;
        }
    }
}

/// Runs `smes token ...` and returns what to print.
pub async fn token(database: &str, command: TokenCommand) -> Result<String> {
    let log = wiring::open_store(database, false).await?;
    let tokens = TokenStore::open(&log).await?;
    Ok(match command {
        TokenCommand::Create {
            role,
            name,
            token_actor,
        } => {
            let role: Role = role.parse().context("--role")?;
            let created = tokens.create(&name, role, token_actor.as_deref()).await?;
            format!(
                "{}\n\ntoken {name} ({role}, actor {}) created; it is shown only this once: keep it now\n",
                created.token, created.info.actor
            )
        }
        TokenCommand::List => {
            let mut text = String::from("name\trole\tactor\tcreated\trevoked\n");
            for info in tokens.list().await? {
                let revoked = info.revoked_at.map_or_else(|| "-".to_owned(), |at| at.to_string());
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{revoked}\n",
                    info.name, info.role, info.actor, info.created_at
                ));
            }
            text
        }
        TokenCommand::Revoke { name } => {
            if tokens.revoke(&name).await? {
                format!("token {name} revoked\n")
            } else {
                format!("token {name} was already revoked; nothing changed\n")
            }
        }
    })
}
