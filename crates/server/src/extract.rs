//! Extractors whose refusals are problem details: path parameters, the query string and the
//! body, read as text and checked by the handlers with the same parsers as the CLI.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// Path parameters, or a 400 problem.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-parameter",
                    "Invalid parameter",
                    rejection.body_text(),
                )
            })
    }
}

/// The query string as name and value pairs, in order, with the checks every route makes.
#[derive(Debug, Default)]
pub struct ApiQuery(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for ApiQuery {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|Query(pairs)| ApiQuery(pairs))
            .map_err(|rejection| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-parameter",
                    "Invalid parameter",
                    rejection.body_text(),
                )
            })
    }
}

impl ApiQuery {
    /// Refuses a parameter not in `allowed`, naming it and what is allowed.
    pub fn only(&self, allowed: &[&str]) -> Result<(), Problem> {
        match self.0.iter().find(|(name, _)| !allowed.contains(&name.as_str())) {
            Some((name, _)) => Err(Problem::invalid_parameter(
                name,
                format!(
                    "{name}: unknown query parameter; allowed: {}",
                    if allowed.is_empty() {
                        "none".to_owned()
                    } else {
                        allowed.join(", ")
                    }
                ),
            )),
            None => Ok(()),
        }
    }

    /// The value of a parameter given at most once.
    pub fn single(&self, name: &str) -> Result<Option<&str>, Problem> {
        let mut values = self
            .0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(Problem::invalid_parameter(
                name,
                format!("{name}: given more than once; give it once"),
            ));
        }
        Ok(first)
    }

    /// Every value of a parameter that may be repeated.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }
}

/// The raw body, at most the configured limit (413 beyond it), or a problem.
#[derive(Debug)]
pub struct ApiBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBody {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        Bytes::from_request(request, state)
            .await
            .map(ApiBody)
            .map_err(|rejection| {
                let status = rejection.status();
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    Problem::new(
                        status,
                        "too-large",
                        "Request body too large",
                        format!("the body is larger than the limit of {} bytes", crate::BODY_LIMIT),
                    )
                } else {
                    Problem::new(status, "unreadable-body", "Unreadable body", rejection.body_text())
                }
            })
    }
}
