//! The signed internal API: how the pipelines and the storefront write to D1. Every request is
//! signed with HMAC over method, path, timestamp and body hash, fresh, and used once
//! ([`authenticate`]); [`handle`] dispatches it to its handler.

pub mod checkouts;
pub mod email;
pub mod erasures;
pub mod events;
pub mod products;
pub mod research;
pub mod seo;
pub mod supply;

use crate::error::{parse_json, ApiError, ApiResult};
use crate::http::{json, Ctx};
use crate::repo::nonces;
use queues::internal_api::calls::{Route as Call, Unrouted};
use queues::internal_api::{
    verify, SignedHeaders, MAX_SKEW_SECS, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use tenancy::shards::PlatformDb;
use worker::Response;

/// Verifies the signature of an internal request and records its nonce, refusing replays.
pub async fn authenticate(ctx: &Ctx<'_>) -> ApiResult<()> {
    let (env, secret) = (ctx.env, &ctx.config.internal_secret);
    let (timestamp, nonce, signature) =
        (ctx.header(TIMESTAMP_HEADER), ctx.header(NONCE_HEADER), ctx.header(SIGNATURE_HEADER));
    let now = (crate::runtime::now_ms() / 1_000) as i64;
    let signed = SignedHeaders {
        timestamp: timestamp.as_deref(),
        nonce: nonce.as_deref(),
        signature: signature.as_deref(),
    };
    let nonce =
        verify(secret.as_bytes(), &ctx.method, &ctx.path_and_query(), ctx.body.as_bytes(), signed, now)
            .map_err(|e| ApiError::unauthorized(e.to_string()))?;

    let db = PlatformDb::open(env)?;
    if !nonces::record(&db, nonce, now + 2 * MAX_SKEW_SECS).await? {
        return Err(ApiError::unauthorized("request was already used (replay)"));
    }
    // Nonces older than the freshness window can never be replayed: expired requests are stale.
    nonces::prune(&db, now).await?;
    Ok(())
}

/// Runs an authenticated internal request: matches it to its call, then to its handler.
pub async fn handle(ctx: &Ctx<'_>) -> ApiResult<Response> {
    let route = Call::parse(&ctx.method, ctx.url.path()).map_err(|unrouted| match unrouted {
        Unrouted::NotFound => ApiError::not_found("route"),
        Unrouted::MethodNotAllowed { allowed } => {
            ApiError::new(405, "method_not_allowed", format!("use {allowed} on this path"))
        }
    })?;
    let (env, config, body) = (ctx.env, &ctx.config, ctx.body.as_str());
    match route {
        Call::ClaimResearchRuns(()) => json(200, &research::claim_due(env, body).await?),
        Call::ReadResearchContext((store, run)) => {
            let origin = ctx.url.origin().ascii_serialization();
            json(200, &research::context(env, &origin, store, run, body).await?)
        }
        Call::ReportResearchRun((store, run)) => json(200, &research::report(env, store, run, body).await?),
        Call::ImportProduct(store) => {
            let (status, published) = products::publish(env, store, body).await?;
            json(status, &published)
        }
        Call::ConfirmErasure(id) => json(200, &erasures::confirm_erasure(env, &id, body).await?),
        Call::OpenCheckout(store) => json(201, &checkouts::start_checkout(env, config, store, body).await?),
        Call::RecordShopperEvents(()) => json(200, &events::record(env, body).await?),
        Call::SubscribeShopper(store) => {
            let input: queues::internal_api::StorefrontSubscribe = parse_json(body)?;
            let signup = serde_json::json!({ "email": input.email, "first_name": input.first_name });
            let subscribed = crate::shoppers::subscriptions::subscribe(
                env,
                config,
                &store.to_string(),
                &signup.to_string(),
                "application/json",
                &input.ip,
            )
            .await?;
            json(200, &subscribed)
        }
        Call::ReadFlowSettings(store) => json(200, &email::internal_settings(env, store).await?),
        Call::RecordFlowSends(store) => json(200, &email::internal_record(env, store, body).await?),
        Call::ClaimSeoRuns(()) => json(200, &seo::claim_due(env, body).await?),
        Call::ReadSeoContext(store) => json(200, &seo::context(env, config, store).await?),
        Call::PublishSeoPost(store) => {
            let (status, post) = seo::publish(env, store, body).await?;
            json(status, &post)
        }
        Call::RewriteProductMeta(store) => json(200, &seo::rewrite_products(env, store, body).await?),
        Call::PlaceInternalLinks(store) => json(200, &seo::links(env, store, body).await?),
        Call::ReportSeoRun((store, run)) => json(200, &seo::report(env, store, run, body).await?),
        Call::ListSyncStores(()) => json(200, &supply::stores(env, body).await?),
        Call::ListSupplierListings(store) => json(200, &supply::listings(env, store, body).await?),
        Call::ApplySupplierSync(store) => json(200, &supply::apply(env, store, body).await?),
    }
}
