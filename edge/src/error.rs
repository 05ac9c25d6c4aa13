//! API errors, mapped once to `application/problem+json` (RFC 9457).
//!
//! Clients get a stable `code`, a message, and the `field` at fault when there is one. Internal
//! failures are logged with their detail and answered with a generic 500 or 503.

use serde::Serialize;
use worker::{Headers, Response};

/// An error answered to the client.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable explanation, safe to show.
    pub detail: String,
    /// The request field at fault.
    pub field: Option<String>,
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    code: &'a str,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// An error with a status, code and detail.
    pub fn new(status: u16, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), field: None }
    }

    /// Names the request field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 400 for a field that breaks a rule.
    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        Self::new(400, "invalid_field", detail).field(field)
    }

    /// 422 for fields each valid alone that break a rule together, or together with what is
    /// stored: the rules across fields that the API document can state only in words.
    pub fn unprocessable(field: &str, detail: impl Into<String>) -> Self {
        Self::new(422, "invalid_combination", detail).field(field)
    }

    /// 401.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", detail)
    }

    /// 404 for a resource the caller may not see or that does not exist: the two are not told
    /// apart, so ids of other tenants disclose nothing.
    pub fn not_found(what: &str) -> Self {
        Self::new(404, "not_found", format!("{what} not found"))
    }

    /// 500, with the cause logged and hidden from the client.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        worker::console_error!("{context}: {cause}");
        Self::new(500, "internal", "an internal error occurred")
    }

    /// The problem+json response.
    pub fn into_response(self) -> worker::Result<Response> {
        let title = reason(self.status);
        let body = serde_json::to_string(&Problem {
            kind: format!("https://docs.dropship.local/problems/{}", self.code),
            title,
            status: self.status,
            code: self.code,
            detail: &self.detail,
            field: self.field.as_deref(),
        })?;
        let headers = Headers::new();
        headers.set("content-type", "application/problem+json")?;
        headers.set("cache-control", "no-store")?;
        if self.status == 401 {
            headers.set("www-authenticate", "Bearer")?;
        }
        Ok(Response::ok(body)?.with_status(self.status).with_headers(headers))
    }
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        ApiError::internal("worker", error)
    }
}

impl From<tenancy::sql::SqlError> for ApiError {
    fn from(error: tenancy::sql::SqlError) -> Self {
        ApiError::internal("database", error)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// Parses a JSON body, naming the field serde stopped at. Integers may be written as JSON Schema
/// allows them (`3.0`, `1e2`; see [`crate::json_integers`]).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &str) -> ApiResult<T> {
    if body.len() > 256 * 1024 {
        return Err(ApiError::new(413, "body_too_large", "request body must be at most 256 KiB"));
    }
    serde_json::from_str(&crate::json_integers::plain_integers(body)).map_err(|e| {
        let message = e.to_string();
        let field = message.split('`').nth(1).map(str::to_owned);
        let detail = message.split(" at line").next().unwrap_or("invalid JSON").to_owned();
        let error = ApiError::new(400, "invalid_body", detail);
        match field {
            Some(f) => error.field(f),
            None => error,
        }
    })
}

/// For `#[serde(default, deserialize_with = "crate::error::present")]` on an `Option<Option<T>>`:
/// tells a field sent as `null` (`Some(None)`, which clears a value) from one left out (`None`,
/// which keeps it). Without it serde reads both as `None`.
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Body {
        name: String,
        count: u8,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Change {
        #[serde(default, deserialize_with = "present")]
        image: Option<Option<String>>,
    }

    #[test]
    fn a_field_sent_as_null_is_told_from_one_left_out() {
        assert_eq!(parse_json::<Change>(r#"{"image": null}"#).unwrap(), Change { image: Some(None) });
        assert_eq!(parse_json::<Change>("{}").unwrap(), Change { image: None });
        assert_eq!(
            parse_json::<Change>(r#"{"image": "/media/a.webp"}"#).unwrap(),
            Change { image: Some(Some("/media/a.webp".into())) }
        );
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = parse_json::<Body>(r#"{"count": 1}"#).unwrap_err();
        assert_eq!(err.status, 400);
        assert_eq!(err.field.as_deref(), Some("name"));
        assert_eq!(err.detail, "missing field `name`");
    }

    #[test]
    fn an_integer_written_with_a_zero_fraction_or_an_exponent_is_read() {
        let body = parse_json::<Body>(r#"{"name": "2.0", "count": 2.0e1}"#).unwrap();
        assert_eq!((body.name.as_str(), body.count), ("2.0", 20));
        let err = parse_json::<Body>(r#"{"name": "x", "count": 2.5}"#).unwrap_err();
        assert_eq!((err.status, err.code), (400, "invalid_body"));
        assert!(err.detail.contains("floating point"), "{}", err.detail);
    }

    #[test]
    fn a_wrong_type_is_reported_without_positions() {
        let err = parse_json::<Body>(r#"{"name": "x", "count": 300}"#).unwrap_err();
        assert_eq!(err.code, "invalid_body");
        assert!(!err.detail.contains("line"), "{}", err.detail);
    }
}
