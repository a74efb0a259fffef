//! Problem details (RFC 9457): every refusal and failure of the API is answered with a JSON
//! object of `type`, `title`, `status` and `detail`, and, where one input was wrong, the
//! `field` (a body field or header) or `parameter` (a path or query parameter) it names.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use smes_domain::DomainError;

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem, ready to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, such as `urn:smes:problem:unauthorized` (kept as its
    /// last part, `unauthorized`).
    #[serde(rename = "type", serialize_with = "urn")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// A short summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// What was wrong in this request, in words.
    pub detail: String,
    /// The body field or header that was wrong, where one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The path or query parameter that was wrong, where one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

impl Problem {
    /// A problem of kind `urn:smes:problem:<kind>`.
    pub fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            kind,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            parameter: None,
        }
    }

    /// The same problem, naming a body field or header.
    pub fn with_field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }

    /// The same problem, naming a path or query parameter.
    pub fn with_parameter(mut self, parameter: impl Into<String>) -> Problem {
        self.parameter = Some(parameter.into());
        self
    }

    /// 401: no token, or one that is unknown or revoked.
    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized", detail)
    }

    /// 403: the token's role may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    /// 404: nothing here.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not Found", detail)
    }

    /// 400: a path or query parameter is not allowed.
    pub fn invalid_parameter(parameter: &str, detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            "Invalid parameter",
            detail,
        )
        .with_parameter(parameter)
    }

    /// 422: a well-formed command that is not a valid command.
    pub fn invalid_command(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-command",
            "Invalid command",
            detail,
        )
    }

    /// 500: the server failed; the detail says no more than that (the cause is logged).
    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal Server Error",
            "the server failed to answer; the failure is logged on the server",
        )
    }

    /// The status code.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn urn<S: serde::Serializer>(kind: &&'static str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("urn:smes:problem:{kind}"))
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A domain refusal as a problem: a value that is not allowed is 422 naming its field; a
/// command the record's current state refuses is 409.
pub fn domain(error: &DomainError) -> Problem {
    use DomainError as E;
    let invalid = |field: Option<&str>| {
        let problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-value",
            "Invalid value",
            error.to_string(),
        );
        match field {
            Some(field) => problem.with_field(field),
            None => problem,
        }
    };
    match error {
        E::InvalidValue { field, .. } | E::EmptyField { field } | E::DuplicateEntry { field, .. } => {
            invalid(Some(field))
        }
        E::NilId { kind } => invalid(Some(kind)),
        E::PeriodEndsBeforeStart { .. } => invalid(Some("period")),
        E::NegativeAmount { .. } | E::AmountOverflow { .. } => invalid(Some("amount")),
        E::RatingOutOfRange { .. } => invalid(Some("ratings")),
        E::MembershipFile { .. } => invalid(None),
        E::UnknownCountry { field, .. } | E::UnknownCurrency { field, .. } | E::NotAMemberState { field, .. } => {
            invalid(Some(field))
        }
        _ => Problem::new(
            StatusCode::CONFLICT,
            "refused",
            "Refused by the programme's rules",
            error.to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use smes_domain::values::{Currency, MemberStateCode};

    use super::*;

    #[test]
    fn codes_outside_the_reference_data_are_invalid_values_naming_their_field() {
        let code = MemberStateCode::new("US").unwrap();
        let not_a_member = DomainError::NotAMemberState {
            command: "propose-activity",
            field: "host",
            code,
            on: jiff::civil::date(2013, 5, 1),
            members: Vec::new(),
        };
        let unknown_currency = DomainError::UnknownCurrency {
            command: "record-offer",
            field: "amount.currency",
            currency: Currency::new("XYZ").unwrap(),
            value_date: jiff::civil::date(2013, 5, 1),
            withdrawn: None,
        };
        for (error, field) in [(not_a_member, "host"), (unknown_currency, "amount.currency")] {
            let problem = domain(&error);
            assert_eq!((problem.status, problem.field.as_deref()), (422, Some(field)));
            assert_eq!(problem.detail, error.to_string());
        }
        let not_loaded = DomainError::MembershipNotLoaded {
            command: "propose-activity",
            field: "host",
            code,
        };
        assert_eq!(domain(&not_loaded).status, 409, "the record's state refuses it");
    }
}
