//! Accepting connections: HTTP/1.1 over hyper, with the limits a server facing the network
//! needs. A client has [`Limits::header_read_timeout`] to send a request's headers (and, on a
//! kept-alive connection, to start the next request) before its connection is closed, and at
//! most [`Limits::max_connections`] connections are served at once; past that, new ones wait
//! in the listener's queue until one ends (logged at warning level when it happens, and again
//! when there is room). The time to send a body and have it answered is bounded by the request
//! timeout of the router ([`crate::ServerConfig::timeout`]). Asked to stop, the server accepts
//! no more connections, closes each open one once its request under way is answered, and waits
//! for them for at most the request timeout.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// How long a client may take to send a request's headers, by default.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How many connections are served at once, by default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The limits on connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's headers (or, between requests on a
    /// kept-alive connection, to start the next one) before the connection is closed.
    pub header_read_timeout: Duration,
    /// How many connections are served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Serves `router` on every connection `listener` accepts, within `limits`, until `shutdown`
/// completes; then stops accepting, asks every open connection to close once its request under
/// way is answered, and waits for them for at most `grace`.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
    grace: Duration,
) -> std::io::Result<()> {
    let max_connections = limits.max_connections.max(1);
    let permits = Arc::new(Semaphore::new(max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let (closing, closing_seen) = watch::channel(false);
    let mut at_limit = false;
    tracing::info!(
        address = %listener.local_addr()?,
        max_connections,
        header_read_timeout_ms = limits.header_read_timeout.as_millis() as u64,
        "serving"
    );
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => None,
            accepted = accept(&listener, &permits, max_connections, &mut at_limit) => accepted,
        };
        let Some((stream, permit)) = accepted else { break };
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router.clone()));
        let mut closing_seen = closing_seen.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            // A client that goes away or breaks the protocol ends only its own connection.
            let closing = tokio::select! {
                _ = connection.as_mut() => false,
                seen = closing_seen.wait_for(|closing| *closing) => seen.is_ok(),
            };
            if closing {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = max_connections - permits.available_permits();
    tracing::info!(open_connections = open, "stopping: no new connections accepted");
    let _ = closing.send(true);
    let all_closed = u32::try_from(max_connections).unwrap_or(u32::MAX);
    match tokio::time::timeout(grace, permits.acquire_many(all_closed)).await {
        Ok(_) => tracing::info!("stopped: every connection closed"),
        Err(_) => tracing::warn!(
            open_connections = max_connections - permits.available_permits(),
            grace_ms = grace.as_millis() as u64,
            "stopped with connections still open after the grace period"
        ),
    }
    Ok(())
}

/// Waits for a free place among the connections served at once, then for a connection; logs
/// when the limit is reached and when there is room again (once each, not for every connection).
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
    max_connections: usize,
    at_limit: &mut bool,
) -> Option<(TcpStream, OwnedSemaphorePermit)> {
    let permit = match Arc::clone(permits).try_acquire_owned() {
        Ok(permit) => {
            if *at_limit {
                *at_limit = false;
                tracing::info!(max_connections, "below the connection limit again");
            }
            permit
        }
        Err(_) => {
            if !*at_limit {
                *at_limit = true;
                tracing::warn!(
                    max_connections,
                    "connection limit reached: new connections wait in the listener's queue until one ends"
                );
            }
            // Waits until a connection ends (the semaphore is never closed).
            Arc::clone(permits).acquire_owned().await.ok()?
        }
    };
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => return Some((stream, permit)),
            Err(error) if is_per_connection(&error) => {
                tracing::debug!(%error, "a connection failed while it was accepted");
            }
            Err(error) => {
                // Out of file descriptors or memory: wait a little rather than spin.
                tracing::error!(%error, "accepting a connection failed; trying again in 100 ms");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Whether an accept error concerns only the connection being accepted.
fn is_per_connection(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}
