//! The server over a real socket: a client that does not finish sending its headers is cut
//! off after the header timeout, connections beyond the limit wait for one to end (and the
//! limit is logged once), every answer, API or page, carries the protective headers, and a
//! server asked to stop lets the request under way finish and then returns.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smes_server::connections::Limits;
use smes_server::{Api, ServerConfig};
use support::Fixture;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_millis(300);

/// What a subscriber at info level wrote on this test's thread, for as long as the guard
/// lives; what the server spawns runs on that thread too (tokio's tests run on one).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn start() -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .with_writer(move || writer.clone())
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// How many lines hold `what`.
    fn count(&self, what: &str) -> usize {
        self.text().lines().filter(|line| line.contains(what)).count()
    }
}

/// Serves the fixture's log on a free local port with `limits`; the address.
async fn serve(fixture: &Fixture, limits: Limits) -> std::net::SocketAddr {
    let config = ServerConfig {
        limits,
        ..ServerConfig::default()
    };
    let api = Api::new(fixture.app.clone(), fixture.tokens.clone(), config);
    let listener = smes_server::listen("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(smes_server::serve(listener, api, std::future::pending()));
    address
}

/// Reads until the server closes the connection (at most 10 s); what it sent.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_half_sent_request_and_a_silent_connection_are_closed_after_the_header_timeout() {
    let fixture = Fixture::empty().await;
    let address = serve(
        &fixture,
        Limits {
            header_read_timeout: HEADER_TIMEOUT,
            ..Limits::default()
        },
    )
    .await;
    let started = Instant::now();
    let mut half_sent = TcpStream::connect(address).await.unwrap();
    half_sent
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: smes\r\nX-Slow: 1\r\n")
        .await
        .unwrap();
    let mut silent = TcpStream::connect(address).await.unwrap();
    assert_eq!(read_to_close(&mut half_sent).await, "");
    assert_eq!(read_to_close(&mut silent).await, "");
    let waited = started.elapsed();
    assert!(waited >= HEADER_TIMEOUT, "closed after {waited:?}");

    // A whole request in time is answered, and the connection kept alive is closed when no
    // next request starts within the timeout.
    let mut prompt = TcpStream::connect(address).await.unwrap();
    prompt
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: smes\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut prompt).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_one_ends() {
    let fixture = Fixture::empty().await;
    let address = serve(
        &fixture,
        Limits {
            header_read_timeout: Duration::from_secs(1),
            max_connections: 1,
        },
    )
    .await;
    let started = Instant::now();
    let mut holding = TcpStream::connect(address).await.unwrap();
    holding.write_all(b"GET /api/hea").await.unwrap();
    // Give the server the time to accept the first connection before the second arrives.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut waiting = TcpStream::connect(address).await.unwrap();
    waiting
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: smes\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut waiting).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1),
        "answered after {waited:?}, before the first connection was closed"
    );
    assert_eq!(read_to_close(&mut holding).await, "");
}

#[tokio::test]
async fn reaching_the_connection_limit_is_logged_once_and_room_again_once() {
    let (captured, _guard) = Captured::start();
    let fixture = Fixture::empty().await;
    let address = serve(
        &fixture,
        Limits {
            header_read_timeout: Duration::from_millis(500),
            max_connections: 2,
        },
    )
    .await;
    let mut holding = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(b"GET /api/hea").await.unwrap();
        holding.push(stream);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Three more wait while the first two hold their places.
    let mut waiting = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /api/health HTTP/1.1\r\nHost: smes\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        waiting.push(stream);
    }
    for stream in &mut waiting {
        let answer = read_to_close(stream).await;
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    }
    for stream in &mut holding {
        assert_eq!(read_to_close(stream).await, "");
    }
    // Every place is free again: the next connection is taken without waiting.
    let mut later = TcpStream::connect(address).await.unwrap();
    later
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: smes\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(read_to_close(&mut later).await.starts_with("HTTP/1.1 200 OK\r\n"));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let text = captured.text();
    assert_eq!(captured.count(" WARN "), 1, "{text}");
    assert_eq!(
        captured.count(
            "connection limit reached: new connections wait in the listener's queue until one ends max_connections=2"
        ),
        1,
        "{text}"
    );
    assert_eq!(
        captured.count("below the connection limit again max_connections=2"),
        1,
        "{text}"
    );
    assert_eq!(captured.count(" answered status=200 "), 4, "{text}");
}

#[tokio::test]
async fn a_server_asked_to_stop_finishes_the_request_under_way_then_returns() {
    let (captured, _guard) = Captured::start();
    let fixture = Fixture::empty().await;
    let api = Api::new(fixture.app.clone(), fixture.tokens.clone(), ServerConfig::default());
    let listener = smes_server::listen("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(smes_server::serve(listener, api, async {
        let _ = stopped.await;
    }));

    // A connection kept alive and idle, and a command whose body is still on its way.
    let mut idle = TcpStream::connect(address).await.unwrap();
    idle.write_all(b"GET /api/health HTTP/1.1\r\nHost: smes\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 12];
    idle.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200");
    let body = r#"{"year": 2014, "estimated_budget": {"amount": "150000", "currency": "USD", "value_date": "2013-11-01"}, "opened_on": "2013-11-01"}"#;
    let (first, rest) = body.split_at(20);
    let mut under_way = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/commands/open-work-programme HTTP/1.1\r\nHost: smes\r\nAuthorization: Bearer {}\r\n\
         Idempotency-Key: 0b6c4a9e-3f1d-4c55-9a1e-6d2f8e7b5a41\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{first}",
        fixture.token["secretariat"],
        body.len()
    );
    under_way.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!server.is_finished(), "the server waits for the request under way");
    assert!(
        TcpStream::connect(address).await.is_err(),
        "no new connection is accepted once stopping"
    );
    under_way.write_all(rest.as_bytes()).await.unwrap();
    let answer = read_to_close(&mut under_way).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    assert_eq!(fixture.head().await.0, 1, "the command under way was recorded");

    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server returns once its connections closed")
        .unwrap()
        .unwrap();
    let mut rest_of_idle = Vec::new();
    idle.read_to_end(&mut rest_of_idle).await.unwrap();
    let text = captured.text();
    assert_eq!(
        captured.count(&format!(" serving address={address} max_connections=512")),
        1,
        "{text}"
    );
    assert_eq!(
        captured.count("stopping: no new connections accepted open_connections=2"),
        1,
        "{text}"
    );
    assert_eq!(captured.count("stopped: every connection closed"), 1, "{text}");
}

#[tokio::test]
async fn api_answers_and_pages_carry_the_protective_headers() {
    let fixture = Fixture::empty().await;
    let token = fixture.token["auditor"].clone();
    let cases = [
        fixture.get("/api/health").await,
        fixture.call("GET", "/api/log/head", Some(&token), None, &[]).await,
        fixture.get("/api/nothing").await,
        fixture.call("GET", "/sign-in", None, None, &[]).await,
        fixture.call("GET", "/needs", None, None, &[]).await,
    ];
    for answer in cases {
        for (name, value) in [
            ("cache-control", "no-store"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
            ("x-frame-options", "DENY"),
        ] {
            assert_eq!(
                answer.headers.get(name).and_then(|value| value.to_str().ok()),
                Some(value),
                "{name} of {answer:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_answered_503_after_the_request_timeout() {
    let fixture = Fixture::empty().await;
    let config = ServerConfig {
        timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    };
    let api = Api::new(fixture.app.clone(), fixture.tokens.clone(), config);
    let listener = smes_server::listen("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(smes_server::serve(listener, api, std::future::pending()));

    let token = &fixture.token["secretariat"];
    let mut slow = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/commands/open-work-programme HTTP/1.1\r\nHost: smes\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"year\": 20"
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let answer = read_to_close(&mut slow).await;
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    assert!(answer.contains("took longer than 300 ms"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        started.elapsed()
    );
    assert_eq!(fixture.head().await.0, 0, "nothing was recorded");
}
