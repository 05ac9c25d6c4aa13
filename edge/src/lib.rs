//! The merchants' API Worker, and the only writer of D1.
//!
//! A request is matched by [`router`] to a route of one audience, which decides how it is
//! authenticated; the audience's folder holds its handlers:
//! - [`v1`]: the merchant API (`/v1`): tenant-wide routes, and store routes run inside a
//!   [`scope::StoreScope`];
//! - [`shoppers`]: what a store's shoppers reach here (newsletter sign-up, unsubscribe pages);
//! - [`webhooks`]: Stripe's, Resend's and SendGrid's signed callbacks;
//! - [`internal`]: the signed API through which the pipelines and the storefront write.
//!
//! [`repo`] holds the D1 access the handlers share.

pub mod auth;
pub mod cloudflare;
pub mod config;
pub mod error;
pub mod http;
pub mod internal;
pub mod json_integers;
pub mod launch;
pub mod repo;
pub mod router;
pub mod runtime;
pub mod scope;
pub mod shoppers;
pub mod sqs;
pub mod stripe;
pub mod v1;
pub mod webhooks;

use auth::Principal;
use error::ApiResult;
use http::Ctx;
use router::{PublicRoute, Route};
use scope::StoreScope;
use worker::{event, Context, Env, Request, Response};

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    match handle(&mut req, &env).await {
        Ok(response) => Ok(response),
        Err(error) => error.into_response(),
    }
}

/// Routes a request to its audience, authenticating it as the audience requires.
async fn handle(req: &mut Request, env: &Env) -> ApiResult<Response> {
    let route = router::route(req.method().as_ref(), req.url()?.path())?;
    match route {
        Route::Public(PublicRoute::Health) => http::json(200, &serde_json::json!({ "status": "ok" })),
        Route::Public(PublicRoute::OpenApi) => openapi(req, env).await,
        Route::Public(route) => v1::public(route, &Ctx::read(req, env).await?).await,
        Route::Shopper(route) => shoppers::handle(route, &Ctx::read(req, env).await?).await,
        Route::Webhook(route) => webhooks::handle(route, &Ctx::read(req, env).await?).await,
        Route::Internal => {
            let ctx = Ctx::read(req, env).await?;
            internal::authenticate(&ctx).await?;
            internal::handle(&ctx).await
        }
        Route::Account(route) => {
            let ctx = Ctx::read(req, env).await?;
            let principal = Principal::from_ctx(&ctx).await?;
            v1::account(route, &ctx, principal).await
        }
        Route::Store(store, route) => {
            let ctx = Ctx::read(req, env).await?;
            let principal = Principal::from_ctx(&ctx).await?;
            let scope = StoreScope::authorize(env, principal, store, route.action()).await?;
            v1::store(route, &ctx, &scope).await
        }
    }
}

/// The API's OpenAPI document. It is a static asset of the Worker (`[assets]` in wrangler.toml,
/// copied there by the build), which Cloudflare serves before the Worker runs: embedded in the
/// script it was a twentieth of it. A request that reaches the Worker anyway is answered from
/// the same assets.
async fn openapi(req: &Request, env: &Env) -> ApiResult<Response> {
    Ok(env.assets("ASSETS")?.fetch_request(req.clone()?).await?)
}
