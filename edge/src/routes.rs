//! The route table: method and path to a typed route.

use crate::error::ApiError;

/// A matched route with its path parameters (still unparsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /health`.
    Health,
    /// `GET /v1/openapi.json`.
    OpenApi,
    /// `POST /v1/auth/signup`.
    SignUp,
    /// `POST /v1/auth/login`.
    Login,
    /// `POST /v1/auth/refresh`.
    Refresh,
    /// `POST /v1/auth/logout`.
    Logout,
    /// `GET /v1/auth/verify-email?token=`.
    VerifyEmail,
    /// `POST /v1/auth/verify-email/resend`.
    ResendVerification,
    /// `POST /v1/auth/password-reset`.
    RequestPasswordReset,
    /// `POST /v1/auth/password-reset/confirm`.
    ConfirmPasswordReset,
    /// `GET /v1/auth/sessions`.
    Sessions,
    /// `DELETE /v1/auth/sessions/{id}`.
    RevokeSession(String),
    /// `POST /v1/members/invitations`.
    Invite,
    /// `POST /v1/invitations/accept`.
    AcceptInvitation,
    /// `GET /v1/members`.
    ListMembers,
    /// `PATCH /v1/members/{user}`.
    ChangeMemberRole(String),
    /// `DELETE /v1/members/{user}`.
    RemoveMember(String),
    /// `POST /v1/api-keys`.
    CreateApiKey,
    /// `GET /v1/api-keys`.
    ListApiKeys,
    /// `DELETE /v1/api-keys/{id}`.
    RevokeApiKey(String),
    /// `GET /v1/audit-log`.
    AuditLog,
    /// `GET /v1/gdpr/export`.
    GdprExport,
    /// `POST /v1/gdpr/erasure`.
    GdprErase,
    /// `GET /v1/gdpr/erasures/{id}`.
    GdprErasureStatus(String),
    /// `GET /v1/stores`.
    ListStores,
    /// `GET /v1/billing`.
    Billing,
    /// `POST /v1/billing/checkout`.
    Checkout,
    /// `POST /v1/billing/plan`.
    ChangePlan,
    /// `POST /v1/billing/webhook` (Stripe, signed).
    StripeWebhook,
    /// `POST /v1/stores`.
    CreateStore,
    /// `GET /v1/stores/{id}`.
    GetStore(String),
    /// `POST /v1/stores/{id}/research-runs`.
    StartResearch(String),
    /// `GET /v1/stores/{id}/research-runs/{run}`.
    GetResearchRun(String, String),
    /// `PATCH /v1/stores/{id}`.
    UpdateStore(String),
    /// `DELETE /v1/stores/{id}`.
    DeleteStore(String),
    /// `POST /v1/stores/{id}/suspend`.
    SuspendStore(String),
    /// `POST /v1/stores/{id}/resume`.
    ResumeStore(String),
    /// `GET /v1/stores/{id}/domains`.
    ListDomains(String),
    /// `POST /v1/stores/{id}/domains`.
    AddDomain(String),
    /// `POST /v1/stores/{id}/domains/{host}/verify`.
    VerifyDomain(String, String),
    /// `DELETE /v1/stores/{id}/domains/{host}`.
    RemoveDomain(String, String),
    /// `GET /v1/stores/{id}/products`.
    ListProducts(String),
    /// `POST /v1/stores/{id}/products`.
    CreateProduct(String),
    /// `POST /v1/stores/{id}/products/import`.
    ImportProducts(String),
    /// `GET /v1/stores/{id}/products/{product}`.
    GetProduct(String, String),
    /// `PATCH /v1/stores/{id}/products/{product}`.
    UpdateProduct(String, String),
    /// `DELETE /v1/stores/{id}/products/{product}`.
    DeleteProduct(String, String),
    /// `PATCH /v1/stores/{id}/products` (bulk, all or nothing).
    BulkUpdateProducts(String),
    /// `GET /v1/stores/{id}/collections`.
    ListCollections(String),
    /// `POST /v1/stores/{id}/collections`.
    CreateCollection(String),
    /// `GET /v1/stores/{id}/collections/{collection}`.
    GetCollection(String, String),
    /// `PATCH /v1/stores/{id}/collections/{collection}`.
    UpdateCollection(String, String),
    /// `DELETE /v1/stores/{id}/collections/{collection}`.
    DeleteCollection(String, String),
    /// `GET /v1/stores/{id}/pages`.
    ListPages(String),
    /// `GET /v1/stores/{id}/pages/{slug}`.
    GetPage(String, String),
    /// `PATCH /v1/stores/{id}/pages/{slug}`.
    UpdatePage(String, String),
    /// `GET /v1/stores/{id}/posts`.
    ListPosts(String),
    /// `POST /v1/stores/{id}/posts`.
    CreatePost(String),
    /// `GET /v1/stores/{id}/posts/{post}`.
    GetPost(String, String),
    /// `PATCH /v1/stores/{id}/posts/{post}`.
    UpdatePost(String, String),
    /// `DELETE /v1/stores/{id}/posts/{post}`.
    DeletePost(String, String),
    /// `GET /v1/stores/{id}/orders`.
    ListOrders(String),
    /// `GET /v1/stores/{id}/orders/{order}`.
    GetOrder(String, String),
    /// `GET /v1/stores/{id}/analytics?from=&to=`.
    Analytics(String),
    /// `POST /internal/stores/{id}/checkouts` (the storefront).
    InternalCheckout(String),
    /// `POST /internal/shopper-events` (the storefront).
    InternalShopperEvents,
    /// `POST /v1/public/stores/{store}/subscribe` (a shopper's sign-up; store id or host).
    Subscribe(String),
    /// `GET /v1/public/stores/{store_id}/unsubscribe/{token}` (the page the mail's link opens).
    UnsubscribePage(String, String),
    /// `POST /v1/public/stores/{store_id}/unsubscribe/{token}` (RFC 8058 one-click).
    Unsubscribe(String, String),
    /// `POST /v1/webhooks/resend` (Svix-signed bounce and complaint events).
    ResendWebhook,
    /// `POST /v1/webhooks/sendgrid` (signed Event Webhook).
    SendGridWebhook,
    /// `GET /v1/stores/{id}/contacts`.
    ListContacts(String),
    /// `POST /v1/stores/{id}/contacts/import`.
    ImportContacts(String),
    /// `GET /v1/stores/{id}/email/flows`.
    ListFlows(String),
    /// `PATCH /v1/stores/{id}/email/flows/{flow}`.
    UpdateFlow(String, String),
    /// `GET /v1/stores/{id}/email/flows/{flow}/sends`.
    FlowSends(String, String),
    /// `GET /v1/stores/{id}/email/segments`.
    Segments(String),
    /// `POST /internal/stores/{id}/email/flows`.
    InternalFlowSettings(String),
    /// `POST /internal/stores/{id}/email/sends`.
    InternalFlowSends(String),
    /// `POST /v1/stores/{id}/seo/runs`.
    StartSeoRun(String),
    /// `GET /v1/stores/{id}/seo/runs`.
    ListSeoRuns(String),
    /// `GET /v1/stores/{id}/seo/posts`.
    SeoPosts(String),
    /// `POST /internal/seo/due`.
    InternalSeoDue,
    /// `POST /internal/stores/{id}/seo/context`.
    InternalSeoContext(String),
    /// `POST /internal/stores/{id}/seo/posts`.
    InternalSeoPost(String),
    /// `POST /internal/stores/{id}/seo/products`.
    InternalSeoProducts(String),
    /// `POST /internal/stores/{id}/seo/links`.
    InternalSeoLinks(String),
    /// `POST /internal/stores/{id}/seo/runs/{run}/report`.
    InternalSeoReport(String, String),
    /// `POST /internal/research-runs/due`.
    InternalClaimDue,
    /// `POST /internal/stores/{id}/products`.
    InternalPublish(String),
    /// `POST /internal/stores/{id}/research-runs/{run}/report`.
    InternalReport(String, String),
    /// `POST /internal/erasures/{id}/confirm`.
    InternalConfirmErasure(String),
    /// `GET /v1/stores/{id}/watchlist`.
    ListWatchlist(String),
    /// `DELETE /v1/stores/{id}/watchlist/{item}`.
    RemoveWatchItem(String, String),
    /// `POST /internal/stores/{id}/research-runs/{run}/context`.
    InternalResearchContext(String, String),
    /// `GET /v1/stores/{id}/products/{product}/changes`.
    ProductChanges(String, String),
    /// `POST /v1/stores/{id}/products/from-urls`.
    ImportFromUrls(String),
    /// `POST /internal/supplier-sync/stores`.
    InternalSyncStores,
    /// `POST /internal/stores/{id}/supplier-listings`.
    InternalSupplierListings(String),
    /// `POST /internal/stores/{id}/supplier-sync`.
    InternalSupplierSync(String),
    /// `POST /internal/stores/{id}/subscribe`.
    InternalSubscribe(String),
}

impl Route {
    /// Whether the route is reached without an access token (it is how one gets a token).
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            Route::Health
                | Route::OpenApi
                | Route::SignUp
                | Route::Login
                | Route::Refresh
                | Route::VerifyEmail
                | Route::StripeWebhook
                | Route::AcceptInvitation
                | Route::RequestPasswordReset
                | Route::ConfirmPasswordReset
                | Route::GdprErasureStatus(_)
                | Route::Subscribe(_)
                | Route::UnsubscribePage(..)
                | Route::Unsubscribe(..)
                | Route::ResendWebhook
                | Route::SendGridWebhook
        )
    }

    /// Whether the route belongs to the signed internal API.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            Route::InternalClaimDue
                | Route::InternalPublish(_)
                | Route::InternalReport(..)
                | Route::InternalConfirmErasure(_)
                | Route::InternalCheckout(_)
                | Route::InternalShopperEvents
                | Route::InternalResearchContext(..)
                | Route::InternalFlowSettings(_)
                | Route::InternalFlowSends(_)
                | Route::InternalSeoDue
                | Route::InternalSeoContext(_)
                | Route::InternalSeoPost(_)
                | Route::InternalSeoProducts(_)
                | Route::InternalSeoLinks(_)
                | Route::InternalSeoReport(..)
                | Route::InternalSyncStores
                | Route::InternalSupplierListings(_)
                | Route::InternalSupplierSync(_)
                | Route::InternalSubscribe(_)
        )
    }
}

/// Every route of the public API as (method, path template): exactly what `edge/openapi.json`
/// documents, which the tests below hold to.
pub const PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/v1/openapi.json"),
    ("POST", "/v1/auth/signup"),
    ("POST", "/v1/auth/login"),
    ("POST", "/v1/auth/refresh"),
    ("POST", "/v1/auth/logout"),
    ("GET", "/v1/auth/verify-email"),
    ("POST", "/v1/auth/verify-email/resend"),
    ("POST", "/v1/auth/password-reset"),
    ("POST", "/v1/auth/password-reset/confirm"),
    ("GET", "/v1/auth/sessions"),
    ("DELETE", "/v1/auth/sessions/{session_id}"),
    ("GET", "/v1/members"),
    ("POST", "/v1/members/invitations"),
    ("PATCH", "/v1/members/{user_id}"),
    ("DELETE", "/v1/members/{user_id}"),
    ("POST", "/v1/invitations/accept"),
    ("POST", "/v1/api-keys"),
    ("GET", "/v1/api-keys"),
    ("DELETE", "/v1/api-keys/{key_id}"),
    ("GET", "/v1/audit-log"),
    ("GET", "/v1/gdpr/export"),
    ("POST", "/v1/gdpr/erasure"),
    ("GET", "/v1/gdpr/erasures/{erasure_id}"),
    ("GET", "/v1/billing"),
    ("POST", "/v1/billing/checkout"),
    ("POST", "/v1/billing/plan"),
    ("POST", "/v1/billing/webhook"),
    ("GET", "/v1/stores"),
    ("POST", "/v1/stores"),
    ("GET", "/v1/stores/{store_id}"),
    ("PATCH", "/v1/stores/{store_id}"),
    ("DELETE", "/v1/stores/{store_id}"),
    ("POST", "/v1/stores/{store_id}/suspend"),
    ("POST", "/v1/stores/{store_id}/resume"),
    ("GET", "/v1/stores/{store_id}/domains"),
    ("POST", "/v1/stores/{store_id}/domains"),
    ("DELETE", "/v1/stores/{store_id}/domains/{host}"),
    ("POST", "/v1/stores/{store_id}/domains/{host}/verify"),
    ("POST", "/v1/stores/{store_id}/research-runs"),
    ("GET", "/v1/stores/{store_id}/research-runs/{run_id}"),
    ("GET", "/v1/stores/{store_id}/products"),
    ("POST", "/v1/stores/{store_id}/products"),
    ("POST", "/v1/stores/{store_id}/products/import"),
    ("GET", "/v1/stores/{store_id}/products/{product_id}"),
    ("PATCH", "/v1/stores/{store_id}/products/{product_id}"),
    ("DELETE", "/v1/stores/{store_id}/products/{product_id}"),
    ("GET", "/v1/stores/{store_id}/products/{product_id}/changes"),
    ("POST", "/v1/stores/{store_id}/products/from-urls"),
    ("PATCH", "/v1/stores/{store_id}/products"),
    ("GET", "/v1/stores/{store_id}/collections"),
    ("POST", "/v1/stores/{store_id}/collections"),
    ("GET", "/v1/stores/{store_id}/collections/{collection_id}"),
    ("PATCH", "/v1/stores/{store_id}/collections/{collection_id}"),
    ("DELETE", "/v1/stores/{store_id}/collections/{collection_id}"),
    ("GET", "/v1/stores/{store_id}/pages"),
    ("GET", "/v1/stores/{store_id}/pages/{slug}"),
    ("PATCH", "/v1/stores/{store_id}/pages/{slug}"),
    ("GET", "/v1/stores/{store_id}/posts"),
    ("POST", "/v1/stores/{store_id}/posts"),
    ("GET", "/v1/stores/{store_id}/posts/{post_id}"),
    ("PATCH", "/v1/stores/{store_id}/posts/{post_id}"),
    ("DELETE", "/v1/stores/{store_id}/posts/{post_id}"),
    ("GET", "/v1/stores/{store_id}/orders"),
    ("GET", "/v1/stores/{store_id}/orders/{order_id}"),
    ("GET", "/v1/stores/{store_id}/analytics"),
    ("GET", "/v1/stores/{store_id}/watchlist"),
    ("DELETE", "/v1/stores/{store_id}/watchlist/{item_id}"),
    ("POST", "/v1/public/stores/{store}/subscribe"),
    ("GET", "/v1/public/stores/{store_id}/unsubscribe/{token}"),
    ("POST", "/v1/public/stores/{store_id}/unsubscribe/{token}"),
    ("POST", "/v1/webhooks/resend"),
    ("POST", "/v1/webhooks/sendgrid"),
    ("GET", "/v1/stores/{store_id}/contacts"),
    ("POST", "/v1/stores/{store_id}/contacts/import"),
    ("GET", "/v1/stores/{store_id}/email/flows"),
    ("PATCH", "/v1/stores/{store_id}/email/flows/{flow}"),
    ("GET", "/v1/stores/{store_id}/email/flows/{flow}/sends"),
    ("GET", "/v1/stores/{store_id}/email/segments"),
    ("POST", "/v1/stores/{store_id}/seo/runs"),
    ("GET", "/v1/stores/{store_id}/seo/runs"),
    ("GET", "/v1/stores/{store_id}/seo/posts"),
];

/// The OpenAPI 3.1 document of the public API, served at `/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Matches a request; 404 for an unknown path, 405 for a known path with another method.
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let s = |i: usize| segments[i].to_owned();
    let matched: Option<Vec<(&str, Route)>> = match segments.as_slice() {
        ["health"] => Some(vec![("GET", Route::Health)]),
        ["v1", "openapi.json"] => Some(vec![("GET", Route::OpenApi)]),
        ["v1", "auth", "signup"] => Some(vec![("POST", Route::SignUp)]),
        ["v1", "auth", "login"] => Some(vec![("POST", Route::Login)]),
        ["v1", "auth", "refresh"] => Some(vec![("POST", Route::Refresh)]),
        ["v1", "auth", "logout"] => Some(vec![("POST", Route::Logout)]),
        ["v1", "auth", "verify-email"] => Some(vec![("GET", Route::VerifyEmail)]),
        ["v1", "auth", "verify-email", "resend"] => Some(vec![("POST", Route::ResendVerification)]),
        ["v1", "auth", "password-reset"] => Some(vec![("POST", Route::RequestPasswordReset)]),
        ["v1", "auth", "password-reset", "confirm"] => Some(vec![("POST", Route::ConfirmPasswordReset)]),
        ["v1", "auth", "sessions"] => Some(vec![("GET", Route::Sessions)]),
        ["v1", "auth", "sessions", _] => Some(vec![("DELETE", Route::RevokeSession(s(3)))]),
        ["v1", "members"] => Some(vec![("GET", Route::ListMembers)]),
        ["v1", "members", "invitations"] => Some(vec![("POST", Route::Invite)]),
        ["v1", "members", _] => {
            Some(vec![("PATCH", Route::ChangeMemberRole(s(2))), ("DELETE", Route::RemoveMember(s(2)))])
        }
        ["v1", "invitations", "accept"] => Some(vec![("POST", Route::AcceptInvitation)]),
        ["v1", "api-keys"] => Some(vec![("POST", Route::CreateApiKey), ("GET", Route::ListApiKeys)]),
        ["v1", "api-keys", _] => Some(vec![("DELETE", Route::RevokeApiKey(s(2)))]),
        ["v1", "audit-log"] => Some(vec![("GET", Route::AuditLog)]),
        ["v1", "gdpr", "export"] => Some(vec![("GET", Route::GdprExport)]),
        ["v1", "gdpr", "erasure"] => Some(vec![("POST", Route::GdprErase)]),
        ["v1", "gdpr", "erasures", _] => Some(vec![("GET", Route::GdprErasureStatus(s(3)))]),
        ["v1", "billing"] => Some(vec![("GET", Route::Billing)]),
        ["v1", "billing", "checkout"] => Some(vec![("POST", Route::Checkout)]),
        ["v1", "billing", "plan"] => Some(vec![("POST", Route::ChangePlan)]),
        ["v1", "billing", "webhook"] => Some(vec![("POST", Route::StripeWebhook)]),
        ["v1", "stores"] => Some(vec![("GET", Route::ListStores), ("POST", Route::CreateStore)]),
        ["v1", "stores", _] => Some(vec![
            ("GET", Route::GetStore(s(2))),
            ("PATCH", Route::UpdateStore(s(2))),
            ("DELETE", Route::DeleteStore(s(2))),
        ]),
        ["v1", "stores", _, "suspend"] => Some(vec![("POST", Route::SuspendStore(s(2)))]),
        ["v1", "stores", _, "resume"] => Some(vec![("POST", Route::ResumeStore(s(2)))]),
        ["v1", "stores", _, "domains"] => {
            Some(vec![("GET", Route::ListDomains(s(2))), ("POST", Route::AddDomain(s(2)))])
        }
        ["v1", "stores", _, "domains", _] => Some(vec![("DELETE", Route::RemoveDomain(s(2), s(4)))]),
        ["v1", "stores", _, "domains", _, "verify"] => Some(vec![("POST", Route::VerifyDomain(s(2), s(4)))]),
        ["v1", "stores", _, "research-runs"] => Some(vec![("POST", Route::StartResearch(s(2)))]),
        ["v1", "stores", _, "research-runs", _] => Some(vec![("GET", Route::GetResearchRun(s(2), s(4)))]),
        ["v1", "stores", _, "products"] => Some(vec![
            ("GET", Route::ListProducts(s(2))),
            ("POST", Route::CreateProduct(s(2))),
            ("PATCH", Route::BulkUpdateProducts(s(2))),
        ]),
        ["v1", "stores", _, "products", "import"] => Some(vec![("POST", Route::ImportProducts(s(2)))]),
        ["v1", "stores", _, "products", "from-urls"] => Some(vec![("POST", Route::ImportFromUrls(s(2)))]),
        ["v1", "stores", _, "products", _, "changes"] => {
            Some(vec![("GET", Route::ProductChanges(s(2), s(4)))])
        }
        ["v1", "stores", _, "products", _] => Some(vec![
            ("GET", Route::GetProduct(s(2), s(4))),
            ("PATCH", Route::UpdateProduct(s(2), s(4))),
            ("DELETE", Route::DeleteProduct(s(2), s(4))),
        ]),
        ["v1", "stores", _, "collections"] => {
            Some(vec![("GET", Route::ListCollections(s(2))), ("POST", Route::CreateCollection(s(2)))])
        }
        ["v1", "stores", _, "collections", _] => Some(vec![
            ("GET", Route::GetCollection(s(2), s(4))),
            ("PATCH", Route::UpdateCollection(s(2), s(4))),
            ("DELETE", Route::DeleteCollection(s(2), s(4))),
        ]),
        ["v1", "stores", _, "pages"] => Some(vec![("GET", Route::ListPages(s(2)))]),
        ["v1", "stores", _, "pages", _] => {
            Some(vec![("GET", Route::GetPage(s(2), s(4))), ("PATCH", Route::UpdatePage(s(2), s(4)))])
        }
        ["v1", "stores", _, "posts"] => {
            Some(vec![("GET", Route::ListPosts(s(2))), ("POST", Route::CreatePost(s(2)))])
        }
        ["v1", "stores", _, "posts", _] => Some(vec![
            ("GET", Route::GetPost(s(2), s(4))),
            ("PATCH", Route::UpdatePost(s(2), s(4))),
            ("DELETE", Route::DeletePost(s(2), s(4))),
        ]),
        ["v1", "stores", _, "orders"] => Some(vec![("GET", Route::ListOrders(s(2)))]),
        ["v1", "stores", _, "orders", _] => Some(vec![("GET", Route::GetOrder(s(2), s(4)))]),
        ["v1", "stores", _, "analytics"] => Some(vec![("GET", Route::Analytics(s(2)))]),
        ["internal", "stores", _, "checkouts"] => Some(vec![("POST", Route::InternalCheckout(s(2)))]),
        ["internal", "shopper-events"] => Some(vec![("POST", Route::InternalShopperEvents)]),
        ["v1", "public", "stores", _, "subscribe"] => Some(vec![("POST", Route::Subscribe(s(3)))]),
        ["v1", "public", "stores", _, "unsubscribe", _] => {
            Some(vec![("GET", Route::UnsubscribePage(s(3), s(5))), ("POST", Route::Unsubscribe(s(3), s(5)))])
        }
        ["v1", "webhooks", "resend"] => Some(vec![("POST", Route::ResendWebhook)]),
        ["v1", "webhooks", "sendgrid"] => Some(vec![("POST", Route::SendGridWebhook)]),
        ["v1", "stores", _, "contacts"] => Some(vec![("GET", Route::ListContacts(s(2)))]),
        ["v1", "stores", _, "contacts", "import"] => Some(vec![("POST", Route::ImportContacts(s(2)))]),
        ["v1", "stores", _, "email", "flows"] => Some(vec![("GET", Route::ListFlows(s(2)))]),
        ["v1", "stores", _, "email", "flows", _] => Some(vec![("PATCH", Route::UpdateFlow(s(2), s(5)))]),
        ["v1", "stores", _, "email", "flows", _, "sends"] => {
            Some(vec![("GET", Route::FlowSends(s(2), s(5)))])
        }
        ["v1", "stores", _, "email", "segments"] => Some(vec![("GET", Route::Segments(s(2)))]),
        ["internal", "stores", _, "email", "flows"] => {
            Some(vec![("POST", Route::InternalFlowSettings(s(2)))])
        }
        ["internal", "stores", _, "email", "sends"] => Some(vec![("POST", Route::InternalFlowSends(s(2)))]),
        ["v1", "stores", _, "seo", "runs"] => {
            Some(vec![("POST", Route::StartSeoRun(s(2))), ("GET", Route::ListSeoRuns(s(2)))])
        }
        ["v1", "stores", _, "seo", "posts"] => Some(vec![("GET", Route::SeoPosts(s(2)))]),
        ["internal", "seo", "due"] => Some(vec![("POST", Route::InternalSeoDue)]),
        ["internal", "stores", _, "seo", "context"] => Some(vec![("POST", Route::InternalSeoContext(s(2)))]),
        ["internal", "stores", _, "seo", "posts"] => Some(vec![("POST", Route::InternalSeoPost(s(2)))]),
        ["internal", "stores", _, "seo", "products"] => {
            Some(vec![("POST", Route::InternalSeoProducts(s(2)))])
        }
        ["internal", "stores", _, "seo", "links"] => Some(vec![("POST", Route::InternalSeoLinks(s(2)))]),
        ["internal", "stores", _, "seo", "runs", _, "report"] => {
            Some(vec![("POST", Route::InternalSeoReport(s(2), s(5)))])
        }
        ["internal", "research-runs", "due"] => Some(vec![("POST", Route::InternalClaimDue)]),
        ["internal", "supplier-sync", "stores"] => Some(vec![("POST", Route::InternalSyncStores)]),
        ["internal", "stores", _, "supplier-listings"] => {
            Some(vec![("POST", Route::InternalSupplierListings(s(2)))])
        }
        ["internal", "stores", _, "supplier-sync"] => Some(vec![("POST", Route::InternalSupplierSync(s(2)))]),
        ["internal", "stores", _, "subscribe"] => Some(vec![("POST", Route::InternalSubscribe(s(2)))]),
        ["internal", "erasures", _, "confirm"] => Some(vec![("POST", Route::InternalConfirmErasure(s(2)))]),
        ["internal", "stores", _, "products"] => Some(vec![("POST", Route::InternalPublish(s(2)))]),
        ["internal", "stores", _, "research-runs", _, "report"] => {
            Some(vec![("POST", Route::InternalReport(s(2), s(4)))])
        }
        ["v1", "stores", _, "watchlist"] => Some(vec![("GET", Route::ListWatchlist(s(2)))]),
        ["v1", "stores", _, "watchlist", _] => Some(vec![("DELETE", Route::RemoveWatchItem(s(2), s(4)))]),
        ["internal", "stores", _, "research-runs", _, "context"] => {
            Some(vec![("POST", Route::InternalResearchContext(s(2), s(4)))])
        }
        _ => None,
    };
    let Some(candidates) = matched else {
        return Err(ApiError::not_found("route"));
    };
    let allowed: Vec<&str> = candidates.iter().map(|(m, _)| *m).collect();
    candidates.into_iter().find(|(m, _)| *m == method).map(|(_, route)| route).ok_or_else(|| {
        ApiError::new(405, "method_not_allowed", format!("use {} on this path", allowed.join(" or ")))
    })
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
        assert!(route("POST", "/internal/stores/x/checkouts").unwrap().is_internal());
        assert!(route("POST", "/internal/shopper-events").unwrap().is_internal());
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
    fn one_path_serves_several_methods() {
        assert_eq!(route("PATCH", "/v1/stores/a").unwrap(), Route::UpdateStore("a".into()));
        assert_eq!(
            route("DELETE", "/v1/stores/a/products/b").unwrap(),
            Route::DeleteProduct("a".into(), "b".into())
        );
        assert_eq!(
            route("PUT", "/v1/stores/a").unwrap_err().detail,
            "use GET or PATCH or DELETE on this path"
        );
    }

    fn sample(template: &str) -> String {
        template
            .split('/')
            .map(|seg| if seg.starts_with('{') { "00000000-0000-4000-8000-000000000000" } else { seg })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn every_public_route_is_served_and_none_is_internal() {
        for (method, template) in PUBLIC_ROUTES {
            let matched = route(method, &sample(template))
                .unwrap_or_else(|e| panic!("{method} {template}: {}", e.detail));
            assert!(!matched.is_internal(), "{method} {template}");
        }
    }

    #[test]
    fn the_openapi_document_describes_exactly_the_public_routes() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                documented.push((method.to_ascii_uppercase(), path.clone()));
            }
        }
        let mut served: Vec<(String, String)> =
            PUBLIC_ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
        documented.sort();
        served.sort();
        assert_eq!(documented, served);
    }

    #[test]
    fn every_schema_the_document_references_exists() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for reference in OPENAPI.split("\"#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap();
            assert!(schemas.contains_key(name), "missing schema {name}");
        }
    }

    #[test]
    fn unknown_paths_are_404() {
        assert_eq!(route("GET", "/v2/stores").unwrap_err().status, 404);
        assert_eq!(route("GET", "/").unwrap_err().status, 404);
    }
}
