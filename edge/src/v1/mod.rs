//! The merchant API (`/v1`): its handlers, one module per resource, and the dispatch of its
//! routes. Authentication and authorisation follow from the route's type: public routes need
//! nothing, account routes the [`Guard`](crate::router::Guard) they name, store routes a
//! [`StoreScope`] authorised for their action.

pub mod accounts;
pub mod analytics;
pub mod api_keys;
pub mod approval;
pub mod billing;
pub mod collections;
pub mod contacts;
pub mod content;
pub mod domains;
pub mod email_flows;
pub mod email_tokens;
pub mod gdpr;
pub mod members;
pub mod orders;
pub mod payouts;
pub mod pricing;
pub mod products;
pub mod refunds;
pub mod research;
pub mod reviews;
pub mod seo;
pub mod shipping;
pub mod slugs;
pub mod stores;
pub mod supply;
pub mod two_factor;
pub mod variants;
pub mod watchlist;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::http::{empty, json, Ctx};
use crate::router::{AccountRoute, PublicRoute, StoreRoute};
use crate::scope::StoreScope;
use domain::StoreStatus;
use serde_json::json as value;
use worker::Response;

/// Routes reached without a token.
pub async fn public(route: PublicRoute, ctx: &Ctx<'_>) -> ApiResult<Response> {
    let user_agent = ctx.header("user-agent");
    match route {
        PublicRoute::SignUp => json(
            201,
            &accounts::signup(ctx.env, &ctx.config, &ctx.body, &ctx.ip, user_agent.as_deref()).await?,
        ),
        PublicRoute::Login => json(
            200,
            &accounts::login(ctx.env, &ctx.config, &ctx.body, &ctx.ip, user_agent.as_deref()).await?,
        ),
        PublicRoute::LoginSecondFactor => json(
            200,
            &two_factor::complete_login(ctx.env, &ctx.config, &ctx.body, &ctx.ip, user_agent.as_deref())
                .await?,
        ),
        PublicRoute::Refresh => json(200, &accounts::refresh(ctx.env, &ctx.config, &ctx.body).await?),
        PublicRoute::VerifyEmail => {
            json(200, &email_tokens::verify_email(ctx.env, ctx.query("token").as_deref()).await?)
        }
        PublicRoute::RequestPasswordReset => {
            email_tokens::request_reset(ctx.env, &ctx.config, &ctx.body, &ctx.ip).await?;
            json(202, &value!({ "status": "if the address has an account, a reset link is on its way" }))
        }
        PublicRoute::ConfirmPasswordReset => {
            email_tokens::confirm_reset(ctx.env, &ctx.body).await?;
            empty(204)
        }
        PublicRoute::AcceptInvitation => {
            json(200, &members::accept(ctx.env, &ctx.config, &ctx.body, user_agent.as_deref()).await?)
        }
        PublicRoute::ErasureStatus(id) => json(200, &gdpr::erasure_status(ctx.env, &id).await?),
        PublicRoute::Health | PublicRoute::OpenApi => {
            Err(ApiError::internal("routing", "health and the OpenAPI document are answered by the entry"))
        }
    }
}

/// Routes on the caller's tenant, after the route's [`Guard`](crate::router::Guard) has passed.
pub async fn account(route: AccountRoute, ctx: &Ctx<'_>, principal: Principal) -> ApiResult<Response> {
    let guard = route.guard();
    if let Some(action) = guard.action {
        principal.require(action)?;
    }
    if guard.session {
        principal.session()?;
    }
    let (env, config, body) = (ctx.env, &ctx.config, ctx.body.as_str());
    if route.needs_second_factor() {
        let given = ctx.header(two_factor::HEADER);
        two_factor::step_up(env, config, &principal, given.as_deref(), &ctx.ip).await?;
    }
    match route {
        AccountRoute::Logout => {
            accounts::logout(env, &principal).await?;
            empty(204)
        }
        AccountRoute::ResendVerification => {
            email_tokens::resend_verification(env, config, &principal).await?;
            json(202, &value!({ "status": "sent" }))
        }
        AccountRoute::Sessions => {
            json(200, &value!({ "sessions": accounts::sessions(env, &principal).await? }))
        }
        AccountRoute::RevokeSession(id) => {
            accounts::revoke_session(env, &principal, &id).await?;
            empty(204)
        }
        AccountRoute::TwoFactorStatus => json(200, &two_factor::status(env, &principal).await?),
        AccountRoute::StartTwoFactor => json(201, &two_factor::start(env, config, &principal).await?),
        AccountRoute::ConfirmTwoFactor => {
            json(200, &two_factor::confirm(env, config, &principal, body, &ctx.ip).await?)
        }
        AccountRoute::DisableTwoFactor => {
            two_factor::disable(env, config, &principal, body, &ctx.ip).await?;
            empty(204)
        }
        AccountRoute::Invite => json(202, &members::invite(env, config, &principal, body).await?),
        AccountRoute::ListMembers => json(200, &value!({ "members": members::list(env, &principal).await? })),
        AccountRoute::ChangeMemberRole(user) => {
            members::change_role(env, &principal, &user, body).await?;
            empty(204)
        }
        AccountRoute::RemoveMember(user) => {
            members::remove(env, &principal, &user).await?;
            empty(204)
        }
        AccountRoute::CreateApiKey => json(201, &api_keys::create(env, &principal, body).await?),
        AccountRoute::ListApiKeys => {
            json(200, &value!({ "api_keys": api_keys::list(env, &principal).await? }))
        }
        AccountRoute::RevokeApiKey(id) => {
            api_keys::revoke(env, &principal, &id).await?;
            empty(204)
        }
        AccountRoute::AuditLog => json(
            200,
            &api_keys::audit_log(
                env,
                &principal,
                ctx.query("before").as_deref(),
                ctx.query("limit").as_deref(),
            )
            .await?,
        ),
        AccountRoute::GdprExport => {
            let archive = gdpr::export(env, &principal).await?;
            let mut response = json(200, &archive)?;
            response.headers_mut().set(
                "content-disposition",
                &format!("attachment; filename=\"dropship-export-{}.json\"", principal.tenant_id),
            )?;
            Ok(response)
        }
        AccountRoute::GdprErase => json(202, &gdpr::erase(env, config, &principal, body).await?),
        AccountRoute::Billing => json(200, &billing::overview(env, &principal).await?),
        AccountRoute::Checkout => json(201, &billing::checkout(env, config, &principal, body).await?),
        AccountRoute::ChangePlan => json(202, &billing::change_plan(env, config, &principal, body).await?),
        AccountRoute::ListStores => {
            json(200, &value!({ "stores": stores::list(env, config, principal.tenant_id).await? }))
        }
        AccountRoute::CreateStore => {
            let (created, store) = stores::create(env, config, body, &principal).await?;
            let mut response = json(201, &created)?;
            response.headers_mut().set("location", &format!("/v1/stores/{}", store.id))?;
            Ok(response)
        }
        AccountRoute::UnknownStore => Err(ApiError::not_found("store")),
    }
}

/// Routes on one store, inside a scope authorised for the route's action.
pub async fn store(route: StoreRoute, ctx: &Ctx<'_>, scope: &StoreScope) -> ApiResult<Response> {
    let (env, config, body) = (ctx.env, &ctx.config, ctx.body.as_str());
    let query = |name: &str| ctx.query(name);
    match route {
        StoreRoute::Get => json(200, &stores::StoreView::of(&scope.store.row, config)),
        StoreRoute::Update => json(200, &stores::update(env, scope, config, body).await?),
        StoreRoute::Delete => {
            stores::delete(env, scope, config).await?;
            empty(204)
        }
        StoreRoute::Suspend => {
            json(200, &stores::set_status(env, scope, config, StoreStatus::Suspended).await?)
        }
        StoreRoute::Resume => json(200, &stores::set_status(env, scope, config, StoreStatus::Active).await?),
        StoreRoute::Payouts => json(200, &payouts::get(env, config, scope).await?),
        StoreRoute::PayoutsOnboarding => {
            let given = ctx.header(two_factor::HEADER);
            two_factor::step_up(env, config, &scope.principal, given.as_deref(), &ctx.ip).await?;
            json(201, &payouts::onboard(env, config, scope).await?)
        }
        StoreRoute::ListDomains => json(200, &value!({ "domains": domains::list(env, scope).await? })),
        StoreRoute::AddDomain => json(201, &domains::add(env, scope, config, body).await?),
        StoreRoute::VerifyDomain(host) => json(200, &domains::verify(env, scope, config, &host).await?),
        StoreRoute::RemoveDomain(host) => {
            domains::remove(env, scope, config, &host).await?;
            empty(204)
        }
        StoreRoute::StartResearch => json(202, &research::start(env, scope, config).await?),
        StoreRoute::GetResearchRun(run) => json(200, &research::get_run(scope, run).await?),
        StoreRoute::ListResearchRuns => json(200, &value!({ "runs": research::list(scope).await? })),
        StoreRoute::ListProducts => {
            let filters = products::ListQuery {
                limit: query("limit"),
                cursor: query("cursor"),
                status: query("status"),
                q: query("q"),
            };
            json(200, &products::list(scope, filters).await?)
        }
        StoreRoute::CreateProduct => json(201, &products::create(env, scope, body).await?),
        StoreRoute::BulkUpdateProducts => match products::bulk_update(env, scope, body).await? {
            Ok(report) => json(200, &report),
            Err(errors) => bulk_rejected(errors),
        },
        StoreRoute::ImportProducts => {
            let content_type = ctx.header("content-type").unwrap_or_default();
            json(200, &products::import(env, scope, body, &content_type).await?)
        }
        StoreRoute::ImportFromUrls => json(202, &products::import_from_urls(env, scope, config, body).await?),
        StoreRoute::GetProduct(product) => json(200, &products::get(scope, product).await?),
        StoreRoute::UpdateProduct(product) => json(200, &products::update(env, scope, product, body).await?),
        StoreRoute::DeleteProduct(product) => {
            products::delete(env, scope, product).await?;
            empty(204)
        }
        StoreRoute::ProductChanges(product) => json(200, &supply::history(scope, product).await?),
        StoreRoute::ListCollections => json(200, &collections::list(scope).await?),
        StoreRoute::CreateCollection => json(201, &collections::create(env, scope, body).await?),
        StoreRoute::GetCollection(collection) => json(200, &collections::get(scope, collection).await?),
        StoreRoute::UpdateCollection(collection) => {
            json(200, &collections::update(env, scope, collection, body).await?)
        }
        StoreRoute::DeleteCollection(collection) => {
            collections::delete(env, scope, collection).await?;
            empty(204)
        }
        StoreRoute::ListPages => json(200, &content::list_pages(scope).await?),
        StoreRoute::GetPage(slug) => json(200, &content::get_page(scope, &slug).await?),
        StoreRoute::UpdatePage(slug) => json(200, &content::update_page(env, scope, &slug, body).await?),
        StoreRoute::ListPosts => json(200, &content::list_posts(scope).await?),
        StoreRoute::CreatePost => json(201, &content::create_post(env, scope, body).await?),
        StoreRoute::GetPost(post) => json(200, &content::get_post(scope, post).await?),
        StoreRoute::UpdatePost(post) => json(200, &content::update_post(env, scope, post, body).await?),
        StoreRoute::DeletePost(post) => {
            content::delete_post(env, scope, post).await?;
            empty(204)
        }
        StoreRoute::ListOrders => {
            let (limit, before, state, flag) =
                (query("limit"), query("before"), query("state"), query("flag"));
            let (limit, before) = (limit.as_deref(), before.as_deref());
            json(200, &orders::list(scope, limit, before, state.as_deref(), flag.as_deref()).await?)
        }
        StoreRoute::GetOrder(order) => json(200, &orders::get(scope, order).await?),
        StoreRoute::ListReviews => {
            json(200, &value!({ "reviews": reviews::list(scope, query("status").as_deref()).await? }))
        }
        StoreRoute::ModerateReview(review) => json(200, &reviews::moderate(env, scope, &review, body).await?),
        StoreRoute::ListRefunds(order) => {
            json(200, &value!({ "refunds": refunds::list(scope, &order.to_string()).await? }))
        }
        StoreRoute::Refund(order) => {
            json(201, &refunds::create(env, config, scope, &order.to_string(), body).await?)
        }
        StoreRoute::GetShipping => json(200, &shipping::get(scope).await?),
        StoreRoute::PutShipping => json(200, &shipping::put(env, scope, body).await?),
        StoreRoute::ApproveOrder(order) => json(200, &approval::approve(env, config, scope, order).await?),
        StoreRoute::CancelOrder(order) => json(200, &approval::cancel(env, config, scope, order).await?),
        StoreRoute::GetFulfilment => json(200, &approval::settings(scope).await?),
        StoreRoute::PutFulfilment => json(200, &approval::put_settings(scope, body).await?),
        StoreRoute::GetPricing => json(200, &pricing::get(scope).await?),
        StoreRoute::PutPricing => json(200, &pricing::put(env, scope, body).await?),
        StoreRoute::Analytics => {
            json(200, &analytics::report(scope, query("from").as_deref(), query("to").as_deref()).await?)
        }
        StoreRoute::ListWatchlist => json(200, &value!({ "items": watchlist::list(scope).await? })),
        StoreRoute::RemoveWatchItem(item) => {
            watchlist::remove(scope, &item).await?;
            empty(204)
        }
        StoreRoute::ListContacts => json(200, &contacts::list(env, scope, query("status").as_deref()).await?),
        StoreRoute::ImportContacts => json(200, &contacts::import(env, scope, body).await?),
        StoreRoute::ListFlows => json(200, &email_flows::list(scope).await?),
        StoreRoute::UpdateFlow(flow) => json(200, &email_flows::update(env, scope, &flow, body).await?),
        StoreRoute::FlowSends(flow) => {
            json(200, &email_flows::sends(scope, &flow, query("status").as_deref()).await?)
        }
        StoreRoute::Segments => json(200, &email_flows::segments(scope).await?),
        StoreRoute::StartSeoRun => json(202, &seo::start(env, scope, config).await?),
        StoreRoute::ListSeoRuns => json(200, &seo::runs(scope).await?),
        StoreRoute::SeoPosts => json(200, &seo::posts(scope).await?),
        StoreRoute::Unknown { what, .. } => Err(ApiError::not_found(what)),
    }
}

/// The 422 of a bulk update that nothing was written for, with every product's refusal.
fn bulk_rejected(errors: Vec<products::BulkError>) -> ApiResult<Response> {
    let problem = value!({
        "type": "https://docs.dropship.local/problems/bulk_rejected",
        "title": "Unprocessable Content",
        "status": 422,
        "code": "bulk_rejected",
        "detail": format!("{} product(s) cannot take these changes; nothing was changed", errors.len()),
        "errors": errors,
    });
    let mut response = json(422, &problem)?;
    response.headers_mut().set("content-type", "application/problem+json")?;
    Ok(response)
}
