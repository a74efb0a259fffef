//! One log line per request: its method, the route it matched, its status, how long it took and,
//! when a token or session was checked, the actor it names (docs/api.md, "The request log").
//!
//! Built on tower-http's `TraceLayer`, which opens a span around each request and calls back
//! when the answer is ready. The span is made here with the route's template (never the path a
//! client sent, nor its query string) and an empty `actor` field, which the access layers fill
//! once they have checked the caller ([`record_actor`]); the line is the event written when the
//! answer is ready, inside that span, so it carries all five. Every other event of the request
//! (a failure of the log, say) is written inside the same span and names the same request.
//! Headers, cookies, bodies and query strings are never read here, so tokens, passwords and
//! personal data cannot reach the log through it.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

/// The route logged for a request that matched none (its path, which a client chose, is not
/// logged).
const UNMATCHED: &str = "unmatched";

/// The layer that logs every request, as [`crate::router`] applies it outermost.
pub(crate) type Layer = TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), Answered, (), (), ()>;

/// The layer: a span per request, and one event when the answer is ready; nothing when the
/// request starts, for body chunks or at the end of a body, and no second line for a failure
/// (the status says it, and the failure itself is logged where it happens).
pub(crate) fn layer() -> Layer {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(Answered)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// Makes each request's span: `request` with its method, its route and an empty actor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or(UNMATCHED, |matched| matched.as_str());
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            actor = tracing::field::Empty
        )
    }
}

/// Writes the request's line when its answer is ready: the status and the latency in
/// milliseconds (to the microsecond), inside the request's span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answered;

impl<B> OnResponse<B> for Answered {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        tracing::info!(
            status = response.status().as_u16(),
            latency_ms = latency_ms(latency),
            "answered"
        );
    }
}

/// A duration in milliseconds, to the microsecond.
fn latency_ms(latency: Duration) -> f64 {
    // Micro-seconds fit an f64 exactly for any latency a request can have (2^53 µs is 285 years).
    latency.as_micros() as f64 / 1000.0
}

/// Names the checked caller's actor on the current request's line. Only the pseudonymous actor
/// id: never the token, the token's name, nor anything the caller sent. It is written quoted
/// and escaped (it is free text of the token table), so it cannot end the line or forge another.
pub(crate) fn record_actor(actor: &str) {
    Span::current().record("actor", actor);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_is_in_milliseconds_to_the_microsecond() {
        assert_eq!(latency_ms(Duration::from_micros(1_532)), 1.532);
        assert_eq!(latency_ms(Duration::from_millis(30_000)), 30_000.0);
        assert_eq!(latency_ms(Duration::from_nanos(999)), 0.0);
    }
}
