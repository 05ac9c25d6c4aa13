//! The route table: method and path to a typed route.

use crate::error::ApiError;

/// A matched route with its path parameters (still unparsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /health`.
    Health,
    /// `POST /v1/auth/signup`.
    SignUp,
    /// `POST /v1/auth/login`.
    Login,
    /// `POST /v1/auth/refresh`.
    Refresh,
    /// `POST /v1/auth/logout`.
    Logout,
    /// `GET /v1/auth/sessions`.
    Sessions,
    /// `DELETE /v1/auth/sessions/{id}`.
    RevokeSession(String),
    /// `POST /v1/stores`.
    CreateStore,
    /// `GET /v1/stores/{id}`.
    GetStore(String),
    /// `POST /v1/stores/{id}/research-runs`.
    StartResearch(String),
    /// `GET /v1/stores/{id}/research-runs/{run}`.
    GetResearchRun(String, String),
    /// `GET /v1/stores/{id}/products`.
    ListProducts(String),
    /// `POST /internal/research-runs/due`.
    InternalClaimDue,
    /// `POST /internal/stores/{id}/products`.
    InternalPublish(String),
    /// `POST /internal/stores/{id}/research-runs/{run}/report`.
    InternalReport(String, String),
}

impl Route {
    /// Whether the route is reached without an access token (it is how one gets a token).
    pub fn is_public(&self) -> bool {
        matches!(self, Route::Health | Route::SignUp | Route::Login | Route::Refresh)
    }

    /// Whether the route belongs to the signed internal API.
    pub fn is_internal(&self) -> bool {
        matches!(self, Route::InternalClaimDue | Route::InternalPublish(_) | Route::InternalReport(..))
    }
}

/// Matches a request; 404 for an unknown path, 405 for a known path with another method.
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let s = |i: usize| segments[i].to_owned();
    let matched = match segments.as_slice() {
        ["health"] => Some(("GET", Route::Health)),
        ["v1", "auth", "signup"] => Some(("POST", Route::SignUp)),
        ["v1", "auth", "login"] => Some(("POST", Route::Login)),
        ["v1", "auth", "refresh"] => Some(("POST", Route::Refresh)),
        ["v1", "auth", "logout"] => Some(("POST", Route::Logout)),
        ["v1", "auth", "sessions"] => Some(("GET", Route::Sessions)),
        ["v1", "auth", "sessions", _] => Some(("DELETE", Route::RevokeSession(s(3)))),
        ["v1", "stores"] => Some(("POST", Route::CreateStore)),
        ["v1", "stores", _] => Some(("GET", Route::GetStore(s(2)))),
        ["v1", "stores", _, "research-runs"] => Some(("POST", Route::StartResearch(s(2)))),
        ["v1", "stores", _, "research-runs", _] => Some(("GET", Route::GetResearchRun(s(2), s(4)))),
        ["v1", "stores", _, "products"] => Some(("GET", Route::ListProducts(s(2)))),
        ["internal", "research-runs", "due"] => Some(("POST", Route::InternalClaimDue)),
        ["internal", "stores", _, "products"] => Some(("POST", Route::InternalPublish(s(2)))),
        ["internal", "stores", _, "research-runs", _, "report"] => {
            Some(("POST", Route::InternalReport(s(2), s(4))))
        }
        _ => None,
    };
    match matched {
        Some((expected, route)) if expected == method => Ok(route),
        Some((expected, _)) => {
            Err(ApiError::new(405, "method_not_allowed", format!("use {expected} on this path")))
        }
        None => Err(ApiError::not_found("route")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_routes_match_with_their_ids() {
        assert_eq!(route("POST", "/v1/stores").unwrap(), Route::CreateStore);
        assert_eq!(
            route("POST", "/v1/stores/abc/research-runs").unwrap(),
            Route::StartResearch("abc".into())
        );
        assert_eq!(route("GET", "/v1/stores/abc/products/").unwrap(), Route::ListProducts("abc".into()));
    }

    #[test]
    fn internal_routes_are_marked_internal() {
        assert!(route("POST", "/internal/stores/x/products").unwrap().is_internal());
        assert!(route("POST", "/internal/research-runs/due").unwrap().is_internal());
        assert!(!route("GET", "/v1/stores/x").unwrap().is_internal());
    }

    #[test]
    fn only_health_and_the_ways_to_get_a_token_are_public() {
        assert!(route("POST", "/v1/auth/login").unwrap().is_public());
        assert!(route("POST", "/v1/auth/refresh").unwrap().is_public());
        assert!(!route("POST", "/v1/auth/logout").unwrap().is_public());
        assert!(!route("POST", "/v1/stores").unwrap().is_public());
    }

    #[test]
    fn a_known_path_with_the_wrong_method_is_405() {
        assert_eq!(route("DELETE", "/v1/stores").unwrap_err().status, 405);
    }

    #[test]
    fn unknown_paths_are_404() {
        assert_eq!(route("GET", "/v2/stores").unwrap_err().status, 404);
        assert_eq!(route("GET", "/").unwrap_err().status, 404);
    }
}
