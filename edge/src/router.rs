//! The route table: a request's method and path to a typed route, grouped by audience.
//!
//! The audience decides how a request is authenticated, so it is part of the route's type:
//! - [`Route::Public`]: the merchant API's doors that need no token (sign-up, login, …);
//! - [`Route::Shopper`]: what a store's shoppers reach (newsletter sign-up, unsubscribe links);
//! - [`Route::Webhook`]: providers' signed callbacks (Stripe, Resend, SendGrid);
//! - [`Route::Account`]: a signed-in merchant (or API key) acting on their tenant;
//! - [`Route::Store`]: the same, on one store, with the role the action needs;
//! - [`Route::Internal`]: the pipelines and the storefront, through HMAC-signed requests; their
//!   calls are defined once, in `queues`, for the callers and this router alike.
//!
//! Path ids are parsed here into their newtypes. A malformed id earns a 404, but only once the
//! caller has been authenticated (and, for store routes, authorised), exactly as a well-formed id
//! of a resource that does not exist, so malformed ids disclose nothing more than others.

use crate::error::ApiError;
use domain::accounts::Action;
use domain::{CollectionId, OrderId, PostId, ProductId, RunId, StoreId};
use std::str::FromStr;

/// A matched route, by audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// No credential needed.
    Public(PublicRoute),
    /// A store's shoppers, without an account.
    Shopper(ShopperRoute),
    /// A provider's signed callback.
    Webhook(WebhookRoute),
    /// A merchant's token or API key, acting on their tenant.
    Account(AccountRoute),
    /// A merchant's token or API key, acting on one store of their tenant.
    Store(StoreId, StoreRoute),
    /// A signed request of the pipelines or the storefront, under `/internal/`. Which call it is
    /// is matched once the signature holds, against the calls `queues` defines
    /// ([`queues::internal_api::calls`]), so the internal API's paths are written once.
    Internal,
}

/// Merchant API routes reached without a token: how one gets a token, and a few others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicRoute {
    /// `GET /health`.
    Health,
    /// `GET /v1/openapi.json`.
    OpenApi,
    /// `POST /v1/auth/signup`.
    SignUp,
    /// `POST /v1/auth/login`.
    Login,
    /// `POST /v1/auth/login/second-factor`.
    LoginSecondFactor,
    /// `POST /v1/auth/refresh`.
    Refresh,
    /// `GET /v1/auth/verify-email?token=`.
    VerifyEmail,
    /// `POST /v1/auth/password-reset`.
    RequestPasswordReset,
    /// `POST /v1/auth/password-reset/confirm`.
    ConfirmPasswordReset,
    /// `POST /v1/invitations/accept`.
    AcceptInvitation,
    /// `GET /v1/gdpr/erasures/{id}` (the erasure id is the credential).
    ErasureStatus(String),
}

/// What a store's shoppers reach on the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopperRoute {
    /// `POST /v1/public/stores/{store}/subscribe` (store id or host).
    Subscribe(String),
    /// `GET /v1/public/stores/{store_id}/unsubscribe/{token}` (the page a mail's link opens).
    UnsubscribePage(String, String),
    /// `POST /v1/public/stores/{store_id}/unsubscribe/{token}` (RFC 8058 one-click).
    Unsubscribe(String, String),
    /// `GET /v1/public/stores/{store_id}/confirm/{token}` (the page a sign-up's link opens).
    ConfirmPage(String, String),
    /// `POST /v1/public/stores/{store_id}/confirm/{token}` (the page's button).
    Confirm(String, String),
}

/// Providers' signed callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookRoute {
    /// `POST /v1/billing/webhook` (Stripe).
    Stripe,
    /// `POST /v1/webhooks/resend` (Svix-signed bounce and complaint events).
    Resend,
    /// `POST /v1/webhooks/sendgrid` (signed Event Webhook).
    SendGrid,
    /// `POST /v1/webhooks/stripe-connect` (Stripe's Connect events, signed with the Connect
    /// endpoint's own secret).
    StripeConnect,
}

/// Routes on the caller's tenant, not on one store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRoute {
    /// `POST /v1/auth/logout`.
    Logout,
    /// `POST /v1/auth/verify-email/resend`.
    ResendVerification,
    /// `GET /v1/auth/sessions`.
    Sessions,
    /// `DELETE /v1/auth/sessions/{id}`.
    RevokeSession(String),
    /// `GET /v1/auth/two-factor`.
    TwoFactorStatus,
    /// `POST /v1/auth/two-factor/enrolment`.
    StartTwoFactor,
    /// `POST /v1/auth/two-factor/enrolment/confirm`.
    ConfirmTwoFactor,
    /// `POST /v1/auth/two-factor/disable`.
    DisableTwoFactor,
    /// `POST /v1/members/invitations`.
    Invite,
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
    /// `GET /v1/billing`.
    Billing,
    /// `POST /v1/billing/checkout`.
    Checkout,
    /// `POST /v1/billing/plan`.
    ChangePlan,
    /// `GET /v1/stores`.
    ListStores,
    /// `POST /v1/stores`.
    CreateStore,
    /// A store route whose store id is malformed: 404 once the caller is known.
    UnknownStore,
}

/// What an account route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    /// The role's action it needs, if any.
    pub action: Option<Action>,
    /// Whether a signed-in person is needed (API keys may not).
    pub session: bool,
}

impl AccountRoute {
    /// Whether a user with two-factor sign-in on must send a fresh code with the call
    /// ([`crate::v1::two_factor::step_up`]); payout onboarding, a store route, asks it too.
    pub fn needs_second_factor(&self) -> bool {
        matches!(self, Self::CreateApiKey | Self::GdprErase | Self::ChangeMemberRole(_))
    }

    /// The role and credential the route needs.
    pub fn guard(&self) -> Guard {
        use AccountRoute::*;
        let (action, session) = match self {
            Logout | ResendVerification | Sessions | RevokeSession(_) | Billing | GdprErase
            | UnknownStore => (None, false),
            ListMembers | ListApiKeys | AuditLog | CreateStore => (Some(Action::Administer), false),
            Invite | ChangeMemberRole(_) | RemoveMember(_) | CreateApiKey | RevokeApiKey(_) | Checkout
            | ChangePlan | GdprExport => (Some(Action::Administer), true),
            ListStores => (Some(Action::Read), false),
            TwoFactorStatus | StartTwoFactor | ConfirmTwoFactor | DisableTwoFactor => (None, true),
        };
        Guard { action, session }
    }
}

/// Routes on one store; the store id is in [`Route::Store`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreRoute {
    /// `GET /v1/stores/{id}`.
    Get,
    /// `PATCH /v1/stores/{id}`.
    Update,
    /// `DELETE /v1/stores/{id}`.
    Delete,
    /// `POST /v1/stores/{id}/suspend`.
    Suspend,
    /// `POST /v1/stores/{id}/resume`.
    Resume,
    /// `GET /v1/stores/{id}/domains`.
    ListDomains,
    /// `POST /v1/stores/{id}/domains`.
    AddDomain,
    /// `POST /v1/stores/{id}/domains/{host}/verify`.
    VerifyDomain(String),
    /// `DELETE /v1/stores/{id}/domains/{host}`.
    RemoveDomain(String),
    /// `GET /v1/stores/{id}/payouts`.
    Payouts,
    /// `POST /v1/stores/{id}/payouts/onboarding`.
    PayoutsOnboarding,
    /// `POST /v1/stores/{id}/research-runs`.
    StartResearch,
    /// `GET /v1/stores/{id}/research-runs`.
    ListResearchRuns,
    /// `GET /v1/stores/{id}/research-runs/{run}`.
    GetResearchRun(RunId),
    /// `GET /v1/stores/{id}/products`.
    ListProducts,
    /// `POST /v1/stores/{id}/products`.
    CreateProduct,
    /// `PATCH /v1/stores/{id}/products` (bulk, all or nothing).
    BulkUpdateProducts,
    /// `POST /v1/stores/{id}/products/import`.
    ImportProducts,
    /// `POST /v1/stores/{id}/products/from-urls`.
    ImportFromUrls,
    /// `GET /v1/stores/{id}/products/{product}`.
    GetProduct(ProductId),
    /// `PATCH /v1/stores/{id}/products/{product}`.
    UpdateProduct(ProductId),
    /// `DELETE /v1/stores/{id}/products/{product}`.
    DeleteProduct(ProductId),
    /// `GET /v1/stores/{id}/products/{product}/changes`.
    ProductChanges(ProductId),
    /// `GET /v1/stores/{id}/collections`.
    ListCollections,
    /// `POST /v1/stores/{id}/collections`.
    CreateCollection,
    /// `GET /v1/stores/{id}/collections/{collection}`.
    GetCollection(CollectionId),
    /// `PATCH /v1/stores/{id}/collections/{collection}`.
    UpdateCollection(CollectionId),
    /// `DELETE /v1/stores/{id}/collections/{collection}`.
    DeleteCollection(CollectionId),
    /// `GET /v1/stores/{id}/pages`.
    ListPages,
    /// `GET /v1/stores/{id}/pages/{slug}`.
    GetPage(String),
    /// `PATCH /v1/stores/{id}/pages/{slug}`.
    UpdatePage(String),
    /// `GET /v1/stores/{id}/posts`.
    ListPosts,
    /// `POST /v1/stores/{id}/posts`.
    CreatePost,
    /// `GET /v1/stores/{id}/posts/{post}`.
    GetPost(PostId),
    /// `PATCH /v1/stores/{id}/posts/{post}`.
    UpdatePost(PostId),
    /// `DELETE /v1/stores/{id}/posts/{post}`.
    DeletePost(PostId),
    /// `GET /v1/stores/{id}/orders`.
    ListOrders,
    /// `GET /v1/stores/{id}/orders/{order}`.
    GetOrder(OrderId),
    /// `GET /v1/stores/{id}/reviews`.
    ListReviews,
    /// `PATCH /v1/stores/{id}/reviews/{review}`.
    ModerateReview(String),
    /// `GET /v1/stores/{id}/orders/{order}/refunds`.
    ListRefunds(OrderId),
    /// `POST /v1/stores/{id}/orders/{order}/refunds`.
    Refund(OrderId),
    /// `GET /v1/stores/{id}/shipping`.
    GetShipping,
    /// `PUT /v1/stores/{id}/shipping`.
    PutShipping,
    /// `POST /v1/stores/{id}/orders/{order}/approve`.
    ApproveOrder(OrderId),
    /// `POST /v1/stores/{id}/orders/{order}/cancel`.
    CancelOrder(OrderId),
    /// `GET /v1/stores/{id}/fulfilment`.
    GetFulfilment,
    /// `PUT /v1/stores/{id}/fulfilment`.
    PutFulfilment,
    /// `GET /v1/stores/{id}/pricing`.
    GetPricing,
    /// `PUT /v1/stores/{id}/pricing`.
    PutPricing,
    /// `GET /v1/stores/{id}/analytics?from=&to=`.
    Analytics,
    /// `GET /v1/stores/{id}/watchlist`.
    ListWatchlist,
    /// `DELETE /v1/stores/{id}/watchlist/{item}`.
    RemoveWatchItem(String),
    /// `GET /v1/stores/{id}/contacts`.
    ListContacts,
    /// `POST /v1/stores/{id}/contacts/import`.
    ImportContacts,
    /// `GET /v1/stores/{id}/email/flows`.
    ListFlows,
    /// `PATCH /v1/stores/{id}/email/flows/{flow}`.
    UpdateFlow(String),
    /// `GET /v1/stores/{id}/email/flows/{flow}/sends`.
    FlowSends(String),
    /// `GET /v1/stores/{id}/email/segments`.
    Segments,
    /// `POST /v1/stores/{id}/seo/runs`.
    StartSeoRun,
    /// `GET /v1/stores/{id}/seo/runs`.
    ListSeoRuns,
    /// `GET /v1/stores/{id}/seo/posts`.
    SeoPosts,
    /// A path id that is not one (`what` names it): 404 once the caller may take `action`.
    Unknown {
        /// The resource the id names, for the message.
        what: &'static str,
        /// The action the route would have needed.
        action: Action,
    },
}

impl StoreRoute {
    /// What the caller's role must allow on the store.
    pub fn action(&self) -> Action {
        use StoreRoute::*;
        match self {
            Get | ListDomains | ListResearchRuns | GetResearchRun(_) | ListProducts | GetProduct(_)
            | ProductChanges(_) | ListCollections | GetCollection(_) | ListPages | GetPage(_) | ListPosts
            | GetPost(_) | ListOrders | GetOrder(_) | ListRefunds(_) | ListReviews | Analytics
            | ListWatchlist | ListContacts | ListFlows | FlowSends(_) | Segments | ListSeoRuns | SeoPosts
            | GetShipping | GetPricing | GetFulfilment => Action::Read,
            Update | StartResearch | CreateProduct | BulkUpdateProducts | ImportProducts | ImportFromUrls
            | UpdateProduct(_) | DeleteProduct(_) | CreateCollection | UpdateCollection(_)
            | DeleteCollection(_) | UpdatePage(_) | CreatePost | UpdatePost(_) | DeletePost(_)
            | RemoveWatchItem(_) | ImportContacts | UpdateFlow(_) | StartSeoRun | Refund(_)
            | ModerateReview(_) | PutShipping | PutPricing | ApproveOrder(_) | CancelOrder(_)
            | PutFulfilment => Action::Operate,
            Delete | Suspend | Resume | AddDomain | VerifyDomain(_) | RemoveDomain(_) | Payouts
            | PayoutsOnboarding => Action::Administer,
            Unknown { action, .. } => *action,
        }
    }
}

/// Every route of the public API as (method, path template): exactly what `edge/openapi.json`
/// documents, which the tests below hold to.
pub const PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/v1/openapi.json"),
    ("POST", "/v1/auth/signup"),
    ("POST", "/v1/auth/login"),
    ("POST", "/v1/auth/login/second-factor"),
    ("POST", "/v1/auth/refresh"),
    ("POST", "/v1/auth/logout"),
    ("GET", "/v1/auth/verify-email"),
    ("POST", "/v1/auth/verify-email/resend"),
    ("POST", "/v1/auth/password-reset"),
    ("POST", "/v1/auth/password-reset/confirm"),
    ("GET", "/v1/auth/sessions"),
    ("DELETE", "/v1/auth/sessions/{session_id}"),
    ("GET", "/v1/auth/two-factor"),
    ("POST", "/v1/auth/two-factor/enrolment"),
    ("POST", "/v1/auth/two-factor/enrolment/confirm"),
    ("POST", "/v1/auth/two-factor/disable"),
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
    ("GET", "/v1/stores/{store_id}/payouts"),
    ("POST", "/v1/stores/{store_id}/payouts/onboarding"),
    ("GET", "/v1/stores/{store_id}/research-runs"),
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
    ("GET", "/v1/stores/{store_id}/orders/{order_id}/refunds"),
    ("GET", "/v1/stores/{store_id}/reviews"),
    ("PATCH", "/v1/stores/{store_id}/reviews/{review_id}"),
    ("POST", "/v1/stores/{store_id}/orders/{order_id}/refunds"),
    ("GET", "/v1/stores/{store_id}/shipping"),
    ("PUT", "/v1/stores/{store_id}/shipping"),
    ("GET", "/v1/stores/{store_id}/pricing"),
    ("PUT", "/v1/stores/{store_id}/pricing"),
    ("POST", "/v1/stores/{store_id}/orders/{order_id}/approve"),
    ("POST", "/v1/stores/{store_id}/orders/{order_id}/cancel"),
    ("GET", "/v1/stores/{store_id}/fulfilment"),
    ("PUT", "/v1/stores/{store_id}/fulfilment"),
    ("GET", "/v1/stores/{store_id}/analytics"),
    ("GET", "/v1/stores/{store_id}/watchlist"),
    ("DELETE", "/v1/stores/{store_id}/watchlist/{item_id}"),
    ("POST", "/v1/public/stores/{store}/subscribe"),
    ("GET", "/v1/public/stores/{store_id}/unsubscribe/{token}"),
    ("POST", "/v1/public/stores/{store_id}/unsubscribe/{token}"),
    ("GET", "/v1/public/stores/{store_id}/confirm/{token}"),
    ("POST", "/v1/public/stores/{store_id}/confirm/{token}"),
    ("POST", "/v1/webhooks/resend"),
    ("POST", "/v1/webhooks/sendgrid"),
    ("POST", "/v1/webhooks/stripe-connect"),
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

/// A store route: the store id and the route parsed, or the 404s malformed ids earn.
fn on_store(store: &str, route: Result<StoreRoute, StoreRoute>) -> Route {
    match store.parse::<StoreId>() {
        Err(_) => Route::Account(AccountRoute::UnknownStore),
        Ok(id) => Route::Store(id, route.unwrap_or_else(|unknown| unknown)),
    }
}

/// A store route that takes a second id, parsed into `T`.
fn with_id<T: FromStr>(
    raw: &str,
    what: &'static str,
    make: impl FnOnce(T) -> StoreRoute,
) -> Result<StoreRoute, StoreRoute> {
    raw.parse::<T>().map(make).map_err(|_| StoreRoute::Unknown { what, action: Action::Read })
}

/// Gives an [`StoreRoute::Unknown`] the action of the route it stands for.
fn needing(route: Result<StoreRoute, StoreRoute>, action: Action) -> Result<StoreRoute, StoreRoute> {
    route.map_err(|unknown| match unknown {
        StoreRoute::Unknown { what, .. } => StoreRoute::Unknown { what, action },
        other => other,
    })
}

/// Routes of the public and of the caller's tenant (accounts, members, keys, billing, the list
/// of stores), which need no store.
fn tenant_routes(segments: &[&str]) -> Option<Vec<(&'static str, Route)>> {
    use AccountRoute as A;
    use PublicRoute as P;
    let public = Route::Public;
    let account = Route::Account;
    Some(match segments {
        ["health"] => vec![("GET", public(P::Health))],
        ["v1", "openapi.json"] => vec![("GET", public(P::OpenApi))],
        ["v1", "auth", "signup"] => vec![("POST", public(P::SignUp))],
        ["v1", "auth", "login"] => vec![("POST", public(P::Login))],
        ["v1", "auth", "login", "second-factor"] => vec![("POST", public(P::LoginSecondFactor))],
        ["v1", "auth", "two-factor"] => vec![("GET", account(A::TwoFactorStatus))],
        ["v1", "auth", "two-factor", "enrolment"] => vec![("POST", account(A::StartTwoFactor))],
        ["v1", "auth", "two-factor", "enrolment", "confirm"] => vec![("POST", account(A::ConfirmTwoFactor))],
        ["v1", "auth", "two-factor", "disable"] => vec![("POST", account(A::DisableTwoFactor))],
        ["v1", "auth", "refresh"] => vec![("POST", public(P::Refresh))],
        ["v1", "auth", "logout"] => vec![("POST", account(A::Logout))],
        ["v1", "auth", "verify-email"] => vec![("GET", public(P::VerifyEmail))],
        ["v1", "auth", "verify-email", "resend"] => vec![("POST", account(A::ResendVerification))],
        ["v1", "auth", "password-reset"] => vec![("POST", public(P::RequestPasswordReset))],
        ["v1", "auth", "password-reset", "confirm"] => vec![("POST", public(P::ConfirmPasswordReset))],
        ["v1", "auth", "sessions"] => vec![("GET", account(A::Sessions))],
        ["v1", "auth", "sessions", id] => vec![("DELETE", account(A::RevokeSession((*id).to_owned())))],
        ["v1", "members"] => vec![("GET", account(A::ListMembers))],
        ["v1", "members", "invitations"] => vec![("POST", account(A::Invite))],
        ["v1", "members", user] => vec![
            ("PATCH", account(A::ChangeMemberRole((*user).to_owned()))),
            ("DELETE", account(A::RemoveMember((*user).to_owned()))),
        ],
        ["v1", "invitations", "accept"] => vec![("POST", public(P::AcceptInvitation))],
        ["v1", "api-keys"] => vec![("POST", account(A::CreateApiKey)), ("GET", account(A::ListApiKeys))],
        ["v1", "api-keys", id] => vec![("DELETE", account(A::RevokeApiKey((*id).to_owned())))],
        ["v1", "audit-log"] => vec![("GET", account(A::AuditLog))],
        ["v1", "gdpr", "export"] => vec![("GET", account(A::GdprExport))],
        ["v1", "gdpr", "erasure"] => vec![("POST", account(A::GdprErase))],
        ["v1", "gdpr", "erasures", id] => vec![("GET", public(P::ErasureStatus((*id).to_owned())))],
        ["v1", "billing"] => vec![("GET", account(A::Billing))],
        ["v1", "billing", "checkout"] => vec![("POST", account(A::Checkout))],
        ["v1", "billing", "plan"] => vec![("POST", account(A::ChangePlan))],
        ["v1", "stores"] => vec![("GET", account(A::ListStores)), ("POST", account(A::CreateStore))],
        _ => return None,
    })
}

/// Providers' signed callbacks and the links shoppers follow from their mails.
fn callback_routes(segments: &[&str]) -> Option<Vec<(&'static str, Route)>> {
    Some(match segments {
        ["v1", "billing", "webhook"] => vec![("POST", Route::Webhook(WebhookRoute::Stripe))],
        ["v1", "webhooks", "resend"] => vec![("POST", Route::Webhook(WebhookRoute::Resend))],
        ["v1", "webhooks", "sendgrid"] => vec![("POST", Route::Webhook(WebhookRoute::SendGrid))],
        ["v1", "webhooks", "stripe-connect"] => vec![("POST", Route::Webhook(WebhookRoute::StripeConnect))],
        ["v1", "public", "stores", store, "subscribe"] => {
            vec![("POST", Route::Shopper(ShopperRoute::Subscribe((*store).to_owned())))]
        }
        ["v1", "public", "stores", store, "unsubscribe", token] => {
            let (store, token) = ((*store).to_owned(), (*token).to_owned());
            vec![
                ("GET", Route::Shopper(ShopperRoute::UnsubscribePage(store.clone(), token.clone()))),
                ("POST", Route::Shopper(ShopperRoute::Unsubscribe(store, token))),
            ]
        }
        ["v1", "public", "stores", store, "confirm", token] => {
            let (store, token) = ((*store).to_owned(), (*token).to_owned());
            vec![
                ("GET", Route::Shopper(ShopperRoute::ConfirmPage(store.clone(), token.clone()))),
                ("POST", Route::Shopper(ShopperRoute::Confirm(store, token))),
            ]
        }
        _ => return None,
    })
}

/// Routes on one store (`/v1/stores/{st}/...`, `rest` after the store id): each runs in the
/// store's scope, with the action its role must allow.
fn store_routes(st: &str, rest: &[&str]) -> Option<Vec<(&'static str, Route)>> {
    store_settings_routes(st, rest)
        .or_else(|| store_catalog_routes(st, rest))
        .or_else(|| store_commerce_routes(st, rest))
}

/// The store itself: settings, status, domains, payouts and research runs.
fn store_settings_routes(st: &str, rest: &[&str]) -> Option<Vec<(&'static str, Route)>> {
    use StoreRoute as S;
    let plain = |route: StoreRoute| Ok::<_, StoreRoute>(route);
    Some(match rest {
        [] => vec![
            ("GET", on_store(st, plain(S::Get))),
            ("PATCH", on_store(st, plain(S::Update))),
            ("DELETE", on_store(st, plain(S::Delete))),
        ],
        ["suspend"] => vec![("POST", on_store(st, plain(S::Suspend)))],
        ["resume"] => vec![("POST", on_store(st, plain(S::Resume)))],
        ["domains"] => {
            vec![("GET", on_store(st, plain(S::ListDomains))), ("POST", on_store(st, plain(S::AddDomain)))]
        }
        ["domains", host] => {
            vec![("DELETE", on_store(st, plain(S::RemoveDomain((*host).to_owned()))))]
        }
        ["payouts"] => vec![("GET", on_store(st, plain(S::Payouts)))],
        ["payouts", "onboarding"] => {
            vec![("POST", on_store(st, plain(S::PayoutsOnboarding)))]
        }
        ["domains", host, "verify"] => {
            vec![("POST", on_store(st, plain(S::VerifyDomain((*host).to_owned()))))]
        }
        ["research-runs"] => vec![
            ("GET", on_store(st, plain(S::ListResearchRuns))),
            ("POST", on_store(st, plain(S::StartResearch))),
        ],
        ["research-runs", run] => {
            vec![("GET", on_store(st, with_id(run, "research run", S::GetResearchRun)))]
        }
        _ => return None,
    })
}

/// What the shop shows: products, collections, pages and posts.
fn store_catalog_routes(st: &str, rest: &[&str]) -> Option<Vec<(&'static str, Route)>> {
    use StoreRoute as S;
    let plain = |route: StoreRoute| Ok::<_, StoreRoute>(route);
    Some(match rest {
        ["products"] => vec![
            ("GET", on_store(st, plain(S::ListProducts))),
            ("POST", on_store(st, plain(S::CreateProduct))),
            ("PATCH", on_store(st, plain(S::BulkUpdateProducts))),
        ],
        ["products", "import"] => vec![("POST", on_store(st, plain(S::ImportProducts)))],
        ["products", "from-urls"] => {
            vec![("POST", on_store(st, plain(S::ImportFromUrls)))]
        }
        ["products", p, "changes"] => {
            vec![("GET", on_store(st, with_id(p, "product", S::ProductChanges)))]
        }
        ["products", p] => vec![
            ("GET", on_store(st, with_id(p, "product", S::GetProduct))),
            ("PATCH", on_store(st, needing(with_id(p, "product", S::UpdateProduct), Action::Operate))),
            ("DELETE", on_store(st, needing(with_id(p, "product", S::DeleteProduct), Action::Operate))),
        ],
        ["collections"] => vec![
            ("GET", on_store(st, plain(S::ListCollections))),
            ("POST", on_store(st, plain(S::CreateCollection))),
        ],
        ["collections", c] => vec![
            ("GET", on_store(st, with_id(c, "collection", S::GetCollection))),
            ("PATCH", on_store(st, needing(with_id(c, "collection", S::UpdateCollection), Action::Operate))),
            ("DELETE", on_store(st, needing(with_id(c, "collection", S::DeleteCollection), Action::Operate))),
        ],
        ["pages"] => vec![("GET", on_store(st, plain(S::ListPages)))],
        ["pages", slug] => vec![
            ("GET", on_store(st, plain(S::GetPage((*slug).to_owned())))),
            ("PATCH", on_store(st, plain(S::UpdatePage((*slug).to_owned())))),
        ],
        ["posts"] => {
            vec![("GET", on_store(st, plain(S::ListPosts))), ("POST", on_store(st, plain(S::CreatePost)))]
        }
        ["posts", post] => vec![
            ("GET", on_store(st, with_id(post, "post", S::GetPost))),
            ("PATCH", on_store(st, needing(with_id(post, "post", S::UpdatePost), Action::Operate))),
            ("DELETE", on_store(st, needing(with_id(post, "post", S::DeletePost), Action::Operate))),
        ],
        _ => return None,
    })
}

/// What the shop does: orders, refunds, reviews, shipping, analytics, watchlist, mail and SEO.
fn store_commerce_routes(st: &str, rest: &[&str]) -> Option<Vec<(&'static str, Route)>> {
    use StoreRoute as S;
    let plain = |route: StoreRoute| Ok::<_, StoreRoute>(route);
    Some(match rest {
        ["orders"] => vec![("GET", on_store(st, plain(S::ListOrders)))],
        ["orders", order] => {
            vec![("GET", on_store(st, with_id(order, "order", S::GetOrder)))]
        }
        ["reviews"] => vec![("GET", on_store(st, plain(S::ListReviews)))],
        ["reviews", review] => {
            vec![("PATCH", on_store(st, plain(S::ModerateReview((*review).to_owned()))))]
        }
        ["orders", order, "refunds"] => vec![
            ("GET", on_store(st, with_id(order, "order", S::ListRefunds))),
            ("POST", on_store(st, needing(with_id(order, "order", S::Refund), Action::Operate))),
        ],
        ["shipping"] => {
            vec![("GET", on_store(st, plain(S::GetShipping))), ("PUT", on_store(st, plain(S::PutShipping)))]
        }
        ["pricing"] => {
            vec![("GET", on_store(st, plain(S::GetPricing))), ("PUT", on_store(st, plain(S::PutPricing)))]
        }
        ["orders", order, "approve"] => {
            vec![("POST", on_store(st, needing(with_id(order, "order", S::ApproveOrder), Action::Operate)))]
        }
        ["orders", order, "cancel"] => {
            vec![("POST", on_store(st, needing(with_id(order, "order", S::CancelOrder), Action::Operate)))]
        }
        ["fulfilment"] => vec![
            ("GET", on_store(st, plain(S::GetFulfilment))),
            ("PUT", on_store(st, plain(S::PutFulfilment))),
        ],
        ["analytics"] => vec![("GET", on_store(st, plain(S::Analytics)))],
        ["watchlist"] => vec![("GET", on_store(st, plain(S::ListWatchlist)))],
        ["watchlist", item] => {
            vec![("DELETE", on_store(st, plain(S::RemoveWatchItem((*item).to_owned()))))]
        }
        ["contacts"] => vec![("GET", on_store(st, plain(S::ListContacts)))],
        ["contacts", "import"] => vec![("POST", on_store(st, plain(S::ImportContacts)))],
        ["email", "flows"] => vec![("GET", on_store(st, plain(S::ListFlows)))],
        ["email", "flows", flow] => {
            vec![("PATCH", on_store(st, plain(S::UpdateFlow((*flow).to_owned()))))]
        }
        ["email", "flows", flow, "sends"] => {
            vec![("GET", on_store(st, plain(S::FlowSends((*flow).to_owned()))))]
        }
        ["email", "segments"] => vec![("GET", on_store(st, plain(S::Segments)))],
        ["seo", "runs"] => {
            vec![("POST", on_store(st, plain(S::StartSeoRun))), ("GET", on_store(st, plain(S::ListSeoRuns)))]
        }
        ["seo", "posts"] => vec![("GET", on_store(st, plain(S::SeoPosts)))],
        _ => return None,
    })
}

/// Matches a request; 404 for an unknown path, 405 for a known path with another method.
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let candidates = match segments.as_slice() {
        ["internal", ..] => return Ok(Route::Internal),
        ["v1", "stores", st, rest @ ..] => store_routes(st, rest),
        other => tenant_routes(other).or_else(|| callback_routes(other)),
    }
    .ok_or_else(|| ApiError::not_found("route"))?;
    let allowed: Vec<&str> = candidates.iter().map(|(m, _)| *m).collect();
    candidates.into_iter().find(|(m, _)| *m == method).map(|(_, route)| route).ok_or_else(|| {
        ApiError::new(405, "method_not_allowed", format!("use {} on this path", allowed.join(" or ")))
    })
}

#[cfg(test)]
mod tests {
    /// The OpenAPI 3.1 document of the public API, served at `/v1/openapi.json` as a static
    /// asset of the Worker (wrangler.toml's `[assets]`).
    const OPENAPI: &str = include_str!("../openapi.json");
    use super::*;

    const STORE: &str = "00000000-0000-4000-8000-000000000001";
    const OTHER: &str = "00000000-0000-4000-8000-000000000002";

    fn store() -> StoreId {
        STORE.parse().unwrap()
    }

    #[test]
    fn merchant_routes_match_with_their_ids_parsed() {
        assert_eq!(route("POST", "/v1/stores").unwrap(), Route::Account(AccountRoute::CreateStore));
        assert_eq!(
            route("POST", &format!("/v1/stores/{STORE}/research-runs")).unwrap(),
            Route::Store(store(), StoreRoute::StartResearch)
        );
        assert_eq!(
            route("GET", &format!("/v1/stores/{STORE}/products/")).unwrap(),
            Route::Store(store(), StoreRoute::ListProducts)
        );
        assert_eq!(
            route("GET", &format!("/v1/stores/{STORE}/products/{OTHER}/changes")).unwrap(),
            Route::Store(store(), StoreRoute::ProductChanges(OTHER.parse().unwrap()))
        );
    }

    #[test]
    fn a_malformed_store_id_is_a_404_for_a_known_caller() {
        assert_eq!(route("GET", "/v1/stores/abc").unwrap(), Route::Account(AccountRoute::UnknownStore));
        assert_eq!(
            route("GET", "/v1/stores/abc/products").unwrap(),
            Route::Account(AccountRoute::UnknownStore)
        );
    }

    #[test]
    fn a_malformed_inner_id_keeps_the_action_its_route_needs() {
        assert_eq!(
            route("DELETE", &format!("/v1/stores/{STORE}/products/nope")).unwrap(),
            Route::Store(store(), StoreRoute::Unknown { what: "product", action: Action::Operate })
        );
        assert_eq!(
            route("GET", &format!("/v1/stores/{STORE}/orders/nope")).unwrap(),
            Route::Store(store(), StoreRoute::Unknown { what: "order", action: Action::Read })
        );
    }

    #[test]
    fn every_internal_path_is_its_own_audience_whatever_follows() {
        for (method, template) in queues::internal_api::calls::ALL {
            assert_eq!(route(method, &sample(template)).unwrap(), Route::Internal, "{template}");
        }
        assert_eq!(route("GET", "/internal/anything").unwrap(), Route::Internal);
    }

    #[test]
    fn only_health_and_the_ways_to_get_a_token_need_no_credential() {
        assert_eq!(route("POST", "/v1/auth/login").unwrap(), Route::Public(PublicRoute::Login));
        assert_eq!(route("POST", "/v1/auth/refresh").unwrap(), Route::Public(PublicRoute::Refresh));
        assert_eq!(route("POST", "/v1/auth/logout").unwrap(), Route::Account(AccountRoute::Logout));
        assert_eq!(route("POST", "/v1/billing/webhook").unwrap(), Route::Webhook(WebhookRoute::Stripe));
    }

    #[test]
    fn account_routes_that_change_who_may_act_need_a_person() {
        assert!(AccountRoute::CreateApiKey.guard().session);
        assert!(AccountRoute::RemoveMember("u".into()).guard().session);
        assert!(!AccountRoute::ListApiKeys.guard().session);
        assert_eq!(AccountRoute::ListStores.guard().action, Some(Action::Read));
        assert_eq!(AccountRoute::Logout.guard().action, None);
    }

    #[test]
    fn sensitive_actions_ask_for_the_second_factor_and_the_rest_do_not() {
        assert!(AccountRoute::CreateApiKey.needs_second_factor());
        assert!(AccountRoute::GdprErase.needs_second_factor());
        assert!(AccountRoute::ChangeMemberRole("u".into()).needs_second_factor());
        assert!(!AccountRoute::ListApiKeys.needs_second_factor());
        assert!(!AccountRoute::RevokeApiKey("k".into()).needs_second_factor());
        assert!(AccountRoute::DisableTwoFactor.guard().session);
        assert_eq!(
            route("POST", "/v1/auth/login/second-factor").unwrap(),
            Route::Public(PublicRoute::LoginSecondFactor)
        );
    }

    #[test]
    fn store_routes_need_the_role_their_action_names() {
        assert_eq!(StoreRoute::Get.action(), Action::Read);
        assert_eq!(StoreRoute::CreateProduct.action(), Action::Operate);
        assert_eq!(StoreRoute::Delete.action(), Action::Administer);
        assert_eq!(StoreRoute::RemoveDomain("h".into()).action(), Action::Administer);
    }

    #[test]
    fn a_known_path_with_the_wrong_method_is_405() {
        assert_eq!(route("DELETE", "/v1/stores").unwrap_err().status, 405);
    }

    #[test]
    fn one_path_serves_several_methods() {
        assert_eq!(
            route("PATCH", &format!("/v1/stores/{STORE}")).unwrap(),
            Route::Store(store(), StoreRoute::Update)
        );
        assert_eq!(
            route("DELETE", &format!("/v1/stores/{STORE}/products/{OTHER}")).unwrap(),
            Route::Store(store(), StoreRoute::DeleteProduct(OTHER.parse().unwrap()))
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
    fn every_public_route_is_served_with_its_ids_and_none_is_internal() {
        for (method, template) in PUBLIC_ROUTES {
            let matched = route(method, &sample(template))
                .unwrap_or_else(|e| panic!("{method} {template}: {}", e.detail));
            assert!(matched != Route::Internal, "{method} {template}");
            assert!(
                !matches!(
                    matched,
                    Route::Account(AccountRoute::UnknownStore) | Route::Store(_, StoreRoute::Unknown { .. })
                ),
                "{method} {template}: a well-formed id was refused"
            );
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
