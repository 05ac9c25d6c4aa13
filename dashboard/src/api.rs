//! The dashboard's one way to data: the edge's `/v1` API, called with the merchant's own access
//! token, exactly as a merchant's script would. Every answer that is not a success becomes an
//! [`ApiError`] once, here, and each page shows it as a message rather than failing.

use serde_json::Value;

/// Why a call to the API did not succeed, as the pages tell the merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401: the session ended (expired, revoked, or the password changed).
    SignedOut,
    /// 403: the role (or the plan) does not allow it; the API's reason.
    Forbidden(String),
    /// 404.
    NotFound,
    /// 400, 402, 409, 413, 422: the input was refused; the API's reason and the field at fault.
    Refused {
        /// The API's `detail`.
        message: String,
        /// The API's `field`, when it named one.
        field: Option<String>,
    },
    /// 429.
    RateLimited,
    /// Anything else: the edge failed or could not be reached. The status, 0 when unreachable.
    Unavailable(u16),
}

/// The problem document's `detail`, or a generic text when the body is not one, and its `field`.
fn detail(body: &str) -> (String, Option<String>) {
    let problem: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let message = problem["detail"]
        .as_str()
        .filter(|d| !d.is_empty())
        .unwrap_or("The request was refused.")
        .chars()
        .take(500)
        .collect();
    (message, problem["field"].as_str().map(str::to_owned))
}

/// Whether a 403's problem document is about what was sent: it names a field, or a plan's limit.
fn refusal_of_input(body: &str) -> bool {
    let problem: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    problem["field"].is_string() || problem["code"] == "plan_limit"
}

/// The error for a non-success answer of the API.
pub fn error_from(status: u16, body: &str) -> ApiError {
    match status {
        401 => ApiError::SignedOut,
        // A 403 about the input (a password typed again, a plan's limit) is a refusal of the
        // form, not of the role: the merchant can change what they sent, or their plan.
        403 if refusal_of_input(body) => {
            let (message, field) = detail(body);
            ApiError::Refused { message, field }
        }
        403 => ApiError::Forbidden(detail(body).0),
        404 => ApiError::NotFound,
        400 | 402 | 409 | 413 | 422 => {
            let (message, field) = detail(body);
            ApiError::Refused { message, field }
        }
        429 => ApiError::RateLimited,
        other => ApiError::Unavailable(other),
    }
}

impl ApiError {
    /// What the merchant reads.
    pub fn message(&self) -> String {
        match self {
            ApiError::SignedOut => "Your session has ended. Please log in again.".into(),
            ApiError::Forbidden(reason) => format!("Your role does not allow this. {reason}"),
            ApiError::NotFound => "This no longer exists, or it is not yours.".into(),
            ApiError::Refused { message, .. } => message.clone(),
            ApiError::RateLimited => "Too many attempts. Please wait a minute and try again.".into(),
            ApiError::Unavailable(_) => "The service is not answering right now. Please try again.".into(),
        }
    }

    /// The HTTP status the dashboard answers with when this error ends a page.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::SignedOut => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound => 404,
            ApiError::Refused { .. } => 400,
            ApiError::RateLimited => 429,
            ApiError::Unavailable(_) => 502,
        }
    }
}

/// The result of a call: the answer's JSON (`null` for an empty body).
pub type ApiResult = Result<Value, ApiError>;

/// Reads a call's answer: its JSON on a 2xx, else the mapped error.
pub fn answer(status: u16, body: &str) -> ApiResult {
    if (200..300).contains(&status) {
        Ok(serde_json::from_str(body).unwrap_or(Value::Null))
    } else {
        Err(error_from(status, body))
    }
}

pub use client::Api;

mod client {
    use super::{answer, ApiError, ApiResult};
    use serde_json::Value;
    use worker::{Fetch, Headers, Method, Request, RequestInit};

    /// A client of the edge's `/v1` API for one browser request.
    pub struct Api {
        /// The edge's origin (`EDGE_URL`).
        pub base: String,
        /// The merchant's access token, once signed in.
        pub token: Option<String>,
        /// The browser's `User-Agent`, which the edge records on new sessions.
        pub user_agent: Option<String>,
        /// A code the merchant typed in a step-up prompt, sent as `X-Second-Factor` (the edge
        /// reads it only on sensitive actions).
        pub second_factor: Option<String>,
    }

    impl Api {
        /// Calls `method path` with an optional JSON body.
        pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> ApiResult {
            let headers = Headers::new();
            let unavailable = |_| ApiError::Unavailable(0);
            headers.set("accept", "application/json").map_err(unavailable)?;
            if let Some(token) = &self.token {
                headers.set("authorization", &format!("Bearer {token}")).map_err(unavailable)?;
            }
            if let Some(agent) = &self.user_agent {
                headers.set("user-agent", agent).map_err(unavailable)?;
            }
            if let Some(code) = &self.second_factor {
                headers.set("x-second-factor", code).map_err(unavailable)?;
            }
            if body.is_some() {
                headers.set("content-type", "application/json").map_err(unavailable)?;
            }
            let mut init = RequestInit::new();
            init.with_method(method).with_headers(headers);
            if let Some(body) = body {
                init.with_body(Some(body.to_string().into()));
            }
            let url = format!("{}{path}", self.base.trim_end_matches('/'));
            let request = Request::new_with_init(&url, &init).map_err(unavailable)?;
            let mut response = Fetch::Request(request).send().await.map_err(unavailable)?;
            let status = response.status_code();
            let text = response.text().await.unwrap_or_default();
            answer(status, &text)
        }

        /// `GET path`.
        pub async fn get(&self, path: &str) -> ApiResult {
            self.call(Method::Get, path, None).await
        }

        /// `POST path` with a JSON body.
        pub async fn post(&self, path: &str, body: &Value) -> ApiResult {
            self.call(Method::Post, path, Some(body)).await
        }

        /// `PATCH path` with a JSON body.
        pub async fn patch(&self, path: &str, body: &Value) -> ApiResult {
            self.call(Method::Patch, path, Some(body)).await
        }

        /// `PUT path` with a JSON body.
        pub async fn put(&self, path: &str, body: &Value) -> ApiResult {
            self.call(Method::Put, path, Some(body)).await
        }

        /// `DELETE path`.
        pub async fn delete(&self, path: &str) -> ApiResult {
            self.call(Method::Delete, path, None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(status: u16, code: &str, detail: &str, field: Option<&str>) -> String {
        serde_json::json!({"type": "about:blank", "title": "t", "status": status, "code": code,
                           "detail": detail, "field": field})
        .to_string()
    }

    #[test]
    fn each_status_maps_to_what_the_merchant_is_told() {
        assert_eq!(error_from(401, "{}"), ApiError::SignedOut);
        assert_eq!(
            error_from(403, &problem(403, "forbidden", "needs the owner role", None)),
            ApiError::Forbidden("needs the owner role".into())
        );
        assert_eq!(error_from(404, ""), ApiError::NotFound);
        assert_eq!(
            error_from(409, &problem(409, "slug_taken", "that address is taken", Some("slug"))),
            ApiError::Refused { message: "that address is taken".into(), field: Some("slug".into()) }
        );
        assert_eq!(error_from(429, ""), ApiError::RateLimited);
        assert_eq!(error_from(500, "stack trace"), ApiError::Unavailable(500));
        assert_eq!(error_from(503, ""), ApiError::Unavailable(503));
    }

    #[test]
    fn a_403_about_the_input_or_the_plan_is_a_refusal_of_the_form() {
        assert_eq!(
            error_from(403, &problem(403, "wrong_password", "the password is not right", Some("password"))),
            ApiError::Refused { message: "the password is not right".into(), field: Some("password".into()) }
        );
        assert_eq!(
            error_from(403, &problem(403, "plan_limit", "the starter plan has no API access", None)),
            ApiError::Refused { message: "the starter plan has no API access".into(), field: None }
        );
        assert_eq!(
            error_from(403, &problem(403, "forbidden", "needs the owner role", None)),
            ApiError::Forbidden("needs the owner role".into())
        );
    }

    #[test]
    fn a_refusal_without_a_problem_body_still_reads_as_a_sentence() {
        assert_eq!(
            error_from(400, "<html>bad</html>"),
            ApiError::Refused { message: "The request was refused.".into(), field: None }
        );
    }

    #[test]
    fn a_server_error_shows_no_internals() {
        let e = error_from(500, &problem(500, "internal", "D1_ERROR: no such table", None));
        assert!(!e.message().contains("D1"), "{}", e.message());
        assert_eq!(e.status(), 502);
    }

    #[test]
    fn a_forbidden_answer_explains_the_role() {
        let e = error_from(403, &problem(403, "forbidden", "This needs the owner role.", None));
        assert_eq!(e.message(), "Your role does not allow this. This needs the owner role.");
        assert_eq!(e.status(), 403);
    }

    #[test]
    fn a_success_answer_is_its_json_and_an_empty_one_is_null() {
        assert_eq!(answer(200, r#"{"a":1}"#).unwrap()["a"], 1);
        assert_eq!(answer(204, "").unwrap(), Value::Null);
        assert_eq!(answer(401, ""), Err(ApiError::SignedOut));
    }
}
