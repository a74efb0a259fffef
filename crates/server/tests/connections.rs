//! The server over a real socket: a client that does not finish sending its headers is cut
//! off after the header timeout, connections beyond the limit wait for one to end, and every
//! answer, API or page, carries the protective headers.

mod support;

use std::time::{Duration, Instant};

use smes_server::connections::Limits;
use smes_server::{Api, ServerConfig};
use support::Fixture;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_millis(300);

/// Serves the fixture's log on a free local port with `limits`; the address.
async fn serve(fixture: &Fixture, limits: Limits) -> std::net::SocketAddr {
    let config = ServerConfig {
        limits,
        ..ServerConfig::default()
    };
    let api = Api::new(fixture.app.clone(), fixture.tokens.clone(), config);
    let listener = smes_server::listen("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(smes_server::serve(listener, api));
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
    tokio::spawn(smes_server::serve(listener, api));

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
