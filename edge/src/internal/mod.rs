//! The signed internal API: how the pipelines and the storefront write to D1. Every request is
//! signed with HMAC over method, path, timestamp and body hash, fresh, and used once
//! ([`authenticate`]); [`handle`] dispatches it to its handler.

pub mod billing;
pub mod checkouts;
pub mod domains;
pub mod email;
pub mod erasures;
pub mod events;
pub mod fulfilment;
pub mod products;
pub mod research;
pub mod reviews;
pub mod seo;
pub mod supply;
pub mod tracking;

use crate::error::{parse_json, ApiError, ApiResult};
use crate::http::{json, Ctx};
use crate::repo::nonces;
use crate::repo::stores::{self, Store};
use domain::StoreId;
use queues::internal_api::calls::{
    ApplySupplierSync, ClaimResearchRuns, ClaimSeoRuns, ConfirmErasure, ImportProduct, InternalCall,
    LapsePlans, ListOpenSupplierOrders, ListSupplierListings, ListSyncStores, OpenCheckout,
    PlaceInternalLinks, PublishSeoPost, ReadFlowSettings, ReadFulfilmentOrder, ReadResearchContext,
    ReadSeoContext, RecheckDomains, RecordFlowSends, RecordShopperEvents, ReportFulfilment,
    ReportResearchRun, ReportSeoRun, ReportTracking, RewriteProductMeta, Route as Call, SubmitReview,
    SubscribeShopper, Unrouted,
};
use queues::internal_api::{
    verify, SignedHeaders, StorefrontSubscribe, Subscribed, MAX_SKEW_SECS, NONCE_HEADER, SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
};
use tenancy::shards::{platform, PlatformDb, StoreDb};
use worker::{Env, Response};

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

/// The store an internal call names: loaded from the platform database and its database opened,
/// once per request by [`handle`], so that no handler loads or opens a store itself. A store that
/// does not exist answers 404 `store not found`; each handler keeps its own checks (such as the
/// tenant the body names).
pub struct StoreAccess {
    /// The store, as the platform database holds it.
    pub store: Store,
    /// The store's rows, and only its rows.
    pub db: StoreDb,
}

impl StoreAccess {
    /// Loads store `id` and opens its database.
    pub async fn open(env: &Env, id: StoreId) -> ApiResult<Self> {
        let store = stores::load(&platform(env)?, id).await?;
        let db = store.db(env)?;
        Ok(Self { store, db })
    }
}

/// The body of call `C`, as its contract types it; a body that does not parse answers 400 and
/// names the field at fault.
fn body<C: InternalCall>(ctx: &Ctx<'_>) -> ApiResult<C::Request> {
    parse_json(&ctx.body)
}

/// Answers call `C` with its contract's answer type.
fn answer<C: InternalCall>(status: u16, value: &C::Response) -> ApiResult<Response> {
    json(status, value)
}

/// The body of store call `C`, checked by `check` (the checks a handler makes before it touches
/// the store), then the store it names: in this order, so a bad body for a missing store still
/// answers what the body got wrong.
async fn on_store<C: InternalCall>(
    ctx: &Ctx<'_>,
    id: StoreId,
    check: fn(&C::Request) -> ApiResult<()>,
) -> ApiResult<(C::Request, StoreAccess)> {
    let input = body::<C>(ctx)?;
    check(&input)?;
    Ok((input, StoreAccess::open(ctx.env, id).await?))
}

/// For store calls whose handler checks nothing before it reads the store.
fn unchecked<T>(_: &T) -> ApiResult<()> {
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
    let (env, config) = (ctx.env, &ctx.config);
    match route {
        Call::ClaimResearchRuns(()) => {
            let input = body::<ClaimResearchRuns>(ctx)?;
            answer::<ClaimResearchRuns>(200, &research::claim_due(env, input).await?)
        }
        Call::ReadResearchContext((store, run)) => {
            let (input, access) = on_store::<ReadResearchContext>(ctx, store, unchecked).await?;
            let origin = ctx.url.origin().ascii_serialization();
            answer::<ReadResearchContext>(200, &research::context(env, &origin, &access, run, input).await?)
        }
        Call::ReportResearchRun((store, run)) => {
            let (input, access) = on_store::<ReportResearchRun>(ctx, store, unchecked).await?;
            let view = research::report(&access, run, input).await?;
            crate::launch::advance(env, config, &access.store, &access.db, run).await?;
            answer::<ReportResearchRun>(200, &view)
        }
        Call::ImportProduct(store) => {
            let (input, access) = on_store::<ImportProduct>(ctx, store, unchecked).await?;
            let run = input.research_run_id;
            let (status, published) = products::publish(env, &access, input).await?;
            if let Some(run) = run {
                crate::launch::advance(env, config, &access.store, &access.db, run).await?;
            }
            answer::<ImportProduct>(status, &published)
        }
        Call::ConfirmErasure(id) => {
            let input = body::<ConfirmErasure>(ctx)?;
            answer::<ConfirmErasure>(200, &erasures::confirm_erasure(env, &id, input).await?)
        }
        Call::OpenCheckout(store) => {
            let (input, access) = on_store::<OpenCheckout>(ctx, store, unchecked).await?;
            checkouts::rate_limit(env, &access, &input).await?;
            answer::<OpenCheckout>(201, &checkouts::start_checkout(config, &access, input).await?)
        }
        Call::RecordShopperEvents(()) => {
            let input = body::<RecordShopperEvents>(ctx)?;
            answer::<RecordShopperEvents>(200, &events::record(env, input).await?)
        }
        Call::SubscribeShopper(store) => {
            // The public sign-up finds the store by its own rules (and rate-limits first), so this
            // call opens no store access.
            let input = body::<SubscribeShopper>(ctx)?;
            answer::<SubscribeShopper>(200, &subscribe(env, config, store, input).await?)
        }
        Call::SubmitReview(store) => {
            let (input, access) = on_store::<SubmitReview>(ctx, store, reviews::check).await?;
            answer::<SubmitReview>(201, &reviews::submit(&access, input).await?)
        }
        Call::ReadFlowSettings(store) => {
            // The body is `{}` and has never been read: it is not parsed now either.
            let access = StoreAccess::open(env, store).await?;
            answer::<ReadFlowSettings>(200, &email::internal_settings(&access).await?)
        }
        Call::RecordFlowSends(store) => {
            let (input, access) = on_store::<RecordFlowSends>(ctx, store, email::check_sends).await?;
            answer::<RecordFlowSends>(200, &email::internal_record(&access, input).await?)
        }
        Call::ClaimSeoRuns(()) => {
            let input = body::<ClaimSeoRuns>(ctx)?;
            answer::<ClaimSeoRuns>(200, &seo::claim_due(env, input).await?)
        }
        Call::ReadSeoContext(store) => {
            // The body is `{}` and has never been read: it is not parsed now either.
            let access = StoreAccess::open(env, store).await?;
            answer::<ReadSeoContext>(200, &seo::context(config, &access).await?)
        }
        Call::PublishSeoPost(store) => {
            let (input, access) = on_store::<PublishSeoPost>(ctx, store, seo::check_post).await?;
            let (status, post) = seo::publish(env, &access, input).await?;
            answer::<PublishSeoPost>(status, &post)
        }
        Call::RewriteProductMeta(store) => {
            let (input, access) = on_store::<RewriteProductMeta>(ctx, store, unchecked).await?;
            answer::<RewriteProductMeta>(200, &seo::rewrite_products(env, &access, input).await?)
        }
        Call::PlaceInternalLinks(store) => {
            let (input, access) = on_store::<PlaceInternalLinks>(ctx, store, unchecked).await?;
            answer::<PlaceInternalLinks>(200, &seo::links(env, &access, input).await?)
        }
        Call::ReportSeoRun((store, run)) => {
            let (input, access) = on_store::<ReportSeoRun>(ctx, store, unchecked).await?;
            let recorded = seo::report(&access, run, input).await?;
            crate::launch::finish(env, config, &access.store, &access.db, run).await?;
            answer::<ReportSeoRun>(200, &recorded)
        }
        Call::ListSyncStores(()) => {
            let input = body::<ListSyncStores>(ctx)?;
            answer::<ListSyncStores>(200, &supply::stores(env, input).await?)
        }
        Call::ReadFulfilmentOrder(store) => {
            let (input, access) = on_store::<ReadFulfilmentOrder>(ctx, store, unchecked).await?;
            answer::<ReadFulfilmentOrder>(200, &fulfilment::order(&access, input).await?)
        }
        Call::ReportFulfilment(store) => {
            let (input, access) = on_store::<ReportFulfilment>(ctx, store, fulfilment::check_report).await?;
            answer::<ReportFulfilment>(200, &fulfilment::report(env, config, &access, input).await?)
        }
        Call::ListOpenSupplierOrders(store) => {
            let (input, access) = on_store::<ListOpenSupplierOrders>(ctx, store, unchecked).await?;
            answer::<ListOpenSupplierOrders>(200, &tracking::open(&access, input).await?)
        }
        Call::ReportTracking(store) => {
            let (input, access) = on_store::<ReportTracking>(ctx, store, tracking::check_report).await?;
            answer::<ReportTracking>(200, &tracking::report(config, &access, input).await?)
        }
        Call::ListSupplierListings(store) => {
            let (input, access) = on_store::<ListSupplierListings>(ctx, store, unchecked).await?;
            answer::<ListSupplierListings>(200, &supply::listings(&access, input).await?)
        }
        Call::ApplySupplierSync(store) => {
            let (input, access) = on_store::<ApplySupplierSync>(ctx, store, supply::check_sync).await?;
            answer::<ApplySupplierSync>(200, &supply::apply(env, &access, input).await?)
        }
        Call::LapsePlans(()) => {
            let input = body::<LapsePlans>(ctx)?;
            answer::<LapsePlans>(200, &billing::lapse(env, config, input).await?)
        }
        Call::RecheckDomains(()) => {
            let input = body::<RecheckDomains>(ctx)?;
            answer::<RecheckDomains>(200, &domains::recheck(env, config, input).await?)
        }
    }
}

/// `POST /internal/stores/{id}/subscribe`: the storefront's sign-up, run as the public one (which
/// answers its own view of [`Subscribed`]; it is read back as the contract's, field for field).
async fn subscribe(
    env: &Env,
    config: &crate::config::Config,
    store: StoreId,
    input: StorefrontSubscribe,
) -> ApiResult<Subscribed> {
    let signup = serde_json::json!({ "email": input.email, "first_name": input.first_name });
    crate::shoppers::subscriptions::subscribe(
        env,
        config,
        &store.to_string(),
        &signup.to_string(),
        "application/json",
        &input.ip,
    )
    .await
    .map(|(answer, _)| answer)
}
