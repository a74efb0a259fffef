//! The review page: a form for the period reviewed (and the record's bounds), then the
//! programme review pack as `smes review --format html` draws it, charts inline as SVG.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use smes_reports::review::{self, ReviewPack, ReviewRequest};

use super::registers::{Outcome, make};
use super::render::{input, layout, respond};
use super::text::Text;
use super::{Fields, Signed, failed, words};
use crate::Api;
use crate::extract::ApiQuery;

const REVIEW_FIELDS: [&str; 4] = ["from", "to", "known_at", "at_position"];

pub(super) async fn review_page(
    State(api): State<Api>,
    Extension(signed): Extension<Signed>,
    query: ApiQuery,
) -> Response {
    let text = words();
    let mut fields = Fields::read(&query, &REVIEW_FIELDS);
    // Opened without a period: the form alone.
    if REVIEW_FIELDS.iter().all(|name| fields.given(name).is_none()) {
        return view(text, StatusCode::OK, &signed, &fields, None);
    }
    for name in ["from", "to"] {
        if fields.given(name).is_none() {
            fields
                .errors
                .push((name, format!("{name}: missing; give a date as YYYY-MM-DD")));
        }
    }
    if !fields.errors.is_empty() {
        return view(text, StatusCode::BAD_REQUEST, &signed, &fields, None);
    }
    let request = ReviewRequest::parse(
        fields.value("from"),
        fields.value("to"),
        fields.given("known_at"),
        fields.given("at_position"),
    );
    let request = match request {
        Ok(request) => request,
        Err(error) => {
            return match super::registers::beside_field(&mut fields, &REVIEW_FIELDS, error) {
                Ok(()) => view(text, StatusCode::BAD_REQUEST, &signed, &fields, None),
                Err(error) => failed("GET /review", &error),
            };
        }
    };
    let outcome = make(
        &api,
        &signed,
        "GET /review",
        &mut fields,
        &REVIEW_FIELDS,
        &request.cut(),
        |log| {
            let pack = review::build(log, &request)?;
            let charts = review::charts::render(&pack)?;
            Ok((pack, charts))
        },
    )
    .await;
    match outcome {
        Outcome::Made((pack, charts)) => view(text, StatusCode::OK, &signed, &fields, Some((&pack, &charts))),
        Outcome::Invalid => view(text, StatusCode::BAD_REQUEST, &signed, &fields, None),
        Outcome::Failed(page) => page,
    }
}

fn view(
    text: &Text,
    status: StatusCode,
    signed: &Signed,
    fields: &Fields,
    pack: Option<(&ReviewPack, &[review::charts::Chart])>,
) -> Response {
    let body = html! {
        @if pack.is_none() {
            h1 { (text.review_pack) }
            p { (text.review_intro) }
        }
        form method="get" action="/review" {
            fieldset {
                legend { (text.period) }
                (input(fields, "from", text.period_from, "date", None))
                (input(fields, "to", text.period_to, "date", None))
            }
            fieldset {
                legend { (text.record_bounds) }
                (input(fields, "known_at", text.known_at, "text", None))
                (input(fields, "at_position", text.at_position, "number", None))
            }
            button type="submit" { (text.show) }
        }
        @if let Some((pack, charts)) = pack {
            // Wide charts scroll within the page rather than widen it.
            div.pack style="overflow-x:auto" { (review::html::fragment(pack, charts)) }
        }
    };
    let anchor = pack.map(|(pack, _)| &pack.anchor);
    respond(status, layout(text, text.review_pack, Some(signed), anchor, body))
}
