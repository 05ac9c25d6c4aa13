//! The merchants' API Worker.
//!
//! `/v1/...` is the merchant API: `/v1/auth/...` signs merchants up and in, every other route
//! needs an access token and checks the caller's tenant and role. `/internal/...` is the signed
//! API through which the pipelines write to D1: the edge is the only writer of D1. Routes are matched in [`routes`], a pure function tested natively.

pub mod analytics;
pub mod auth;
pub mod billing;
pub mod collections;
pub mod config;
pub mod contacts;
pub mod content;
pub mod domains;
pub mod email_flows;
pub mod email_webhooks;
pub mod error;
pub mod gdpr;
pub mod internal;
pub mod orders;
pub mod products;
pub mod research;
pub mod routes;
pub mod runtime;
pub mod seo;
pub mod slugs;
pub mod sqs;
pub mod stores;
pub mod stripe;
pub mod supply;
pub mod variants;
pub mod watchlist;

use auth::Principal;
use config::Config;
use domain::accounts::Action;
use domain::StoreStatus;
use error::{ApiError, ApiResult};
use routes::Route;
use serde::Serialize;
use worker::{event, Context, Env, Headers, Request, Response};

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    match handle(&mut req, &env).await {
        Ok(response) => Ok(response),
        Err(error) => error.into_response(),
    }
}

fn json<T: Serialize>(status: u16, value: &T) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_json(value)?.with_status(status).with_headers(headers))
}

fn html(page: contacts::Page) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    headers.set(
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    )?;
    Ok(Response::ok(page.html)?.with_status(page.status).with_headers(headers))
}

fn empty(status: u16) -> ApiResult<Response> {
    Ok(Response::empty()?.with_status(status))
}

async fn handle(req: &mut Request, env: &Env) -> ApiResult<Response> {
    let url = req.url()?;
    let method = req.method().to_string();
    let route = routes::route(&method, url.path())?;
    if route == Route::Health {
        return json(200, &serde_json::json!({ "status": "ok" }));
    }
    if route == Route::OpenApi {
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        headers.set("cache-control", "public, max-age=300")?;
        return Ok(Response::ok(routes::OPENAPI)?.with_headers(headers));
    }
    let config = Config::from_env(env).map_err(|e| ApiError::internal("configuration", e))?;
    let body = match method.as_str() {
        "POST" | "PUT" | "PATCH" => req.text().await?,
        _ => String::new(),
    };
    let query = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let ip = req.headers().get("cf-connecting-ip")?.unwrap_or_else(|| "local".to_owned());
    let user_agent = req.headers().get("user-agent")?;
    let content_type = req.headers().get("content-type")?;

    if route.is_internal() {
        let path_and_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        internal::authenticate(env, &config.internal_secret, req, &path_and_query, body.as_bytes()).await?;
        return match route {
            Route::InternalClaimDue => json(200, &research::claim_due(env, &body).await?),
            Route::InternalPublish(id) => {
                let (status, published) =
                    products::publish(env, runtime::path_id(&id, "store")?, &body).await?;
                json(status, &published)
            }
            Route::InternalReport(id, run) => {
                let view = research::report(
                    env,
                    runtime::path_id(&id, "store")?,
                    runtime::path_id(&run, "research run")?,
                    &body,
                )
                .await?;
                json(200, &view)
            }
            Route::InternalConfirmErasure(id) => json(200, &gdpr::confirm_erasure(env, &id, &body).await?),
            Route::InternalCheckout(id) => json(
                201,
                &orders::start_checkout(env, &config, runtime::path_id(&id, "store")?, &body).await?,
            ),
            Route::InternalShopperEvents => json(200, &analytics::record(env, &body).await?),
            Route::InternalResearchContext(id, run) => {
                let context = research::context(
                    env,
                    &url.origin().ascii_serialization(),
                    runtime::path_id(&id, "store")?,
                    runtime::path_id(&run, "research run")?,
                    &body,
                )
                .await?;
                json(200, &context)
            }
            Route::InternalFlowSettings(id) => {
                json(200, &email_flows::internal_settings(env, runtime::path_id(&id, "store")?).await?)
            }
            Route::InternalFlowSends(id) => {
                json(200, &email_flows::internal_record(env, runtime::path_id(&id, "store")?, &body).await?)
            }
            Route::InternalSeoDue => json(200, &seo::claim_due(env, &body).await?),
            Route::InternalSeoContext(id) => {
                json(200, &seo::context(env, &config, runtime::path_id(&id, "store")?).await?)
            }
            Route::InternalSeoPost(id) => {
                let (status, post) = seo::publish(env, runtime::path_id(&id, "store")?, &body).await?;
                json(status, &post)
            }
            Route::InternalSeoProducts(id) => {
                json(200, &seo::rewrite_products(env, runtime::path_id(&id, "store")?, &body).await?)
            }
            Route::InternalSeoLinks(id) => {
                json(200, &seo::links(env, runtime::path_id(&id, "store")?, &body).await?)
            }
            Route::InternalSeoReport(id, run) => json(
                200,
                &seo::report(env, runtime::path_id(&id, "store")?, runtime::path_id(&run, "seo run")?, &body)
                    .await?,
            ),
            Route::InternalSyncStores => json(200, &supply::stores(env, &body).await?),
            Route::InternalSupplierListings(id) => {
                json(200, &supply::listings(env, runtime::path_id(&id, "store")?, &body).await?)
            }
            Route::InternalSupplierSync(id) => {
                json(200, &supply::apply(env, runtime::path_id(&id, "store")?, &body).await?)
            }
            Route::InternalSubscribe(id) => {
                let input: queues::internal_api::StorefrontSubscribe = error::parse_json(&body)?;
                let signup = serde_json::json!({ "email": input.email, "first_name": input.first_name });
                let store = runtime::path_id::<domain::StoreId>(&id, "store")?.to_string();
                json(
                    200,
                    &contacts::subscribe(
                        env,
                        &config,
                        &store,
                        &signup.to_string(),
                        "application/json",
                        &input.ip,
                    )
                    .await?,
                )
            }
            _ => unreachable!("only internal routes are internal"),
        };
    }

    match route {
        Route::SignUp => {
            return json(201, &auth::accounts::signup(env, &config, &body, &ip, user_agent.as_deref()).await?)
        }
        Route::Login => {
            return json(200, &auth::accounts::login(env, &config, &body, &ip, user_agent.as_deref()).await?)
        }
        Route::Refresh => return json(200, &auth::accounts::refresh(env, &config, &body).await?),
        Route::VerifyEmail => {
            return json(200, &auth::mail::verify_email(env, query("token").as_deref()).await?)
        }
        Route::RequestPasswordReset => {
            auth::mail::request_reset(env, &config, &body, &ip).await?;
            return json(
                202,
                &serde_json::json!({ "status": "if the address has an account, a reset link is on its way" }),
            );
        }
        Route::ConfirmPasswordReset => {
            auth::mail::confirm_reset(env, &body).await?;
            return empty(204);
        }
        Route::AcceptInvitation => {
            return json(200, &auth::members::accept(env, &config, &body, user_agent.as_deref()).await?);
        }
        Route::GdprErasureStatus(id) => return json(200, &gdpr::erasure_status(env, &id).await?),
        Route::StripeWebhook => {
            let signature = req.headers().get("stripe-signature")?;
            return json(200, &billing::webhook(env, &config, signature.as_deref(), &body).await?);
        }
        Route::Subscribe(store) => {
            let subscribed =
                contacts::subscribe(env, &config, &store, &body, content_type.as_deref().unwrap_or(""), &ip)
                    .await?;
            let mut response = json(200, &subscribed)?;
            // The storefront's form posts from the shop's own origin.
            response.headers_mut().set("access-control-allow-origin", "*")?;
            return Ok(response);
        }
        Route::UnsubscribePage(store, token) => {
            return html(contacts::unsubscribe_page(env, &config, &store, &token).await?);
        }
        Route::Unsubscribe(store, token) => {
            return html(contacts::unsubscribe(env, &config, &store, &token).await?);
        }
        Route::ResendWebhook => {
            let header = |name: &str| req.headers().get(name).ok().flatten();
            let headers = [
                header("svix-id").or_else(|| header("webhook-id")),
                header("svix-timestamp").or_else(|| header("webhook-timestamp")),
                header("svix-signature").or_else(|| header("webhook-signature")),
            ];
            return json(200, &email_webhooks::resend(env, &config, headers, &body).await?);
        }
        Route::SendGridWebhook => {
            let signature = req.headers().get("x-twilio-email-event-webhook-signature")?;
            let timestamp = req.headers().get("x-twilio-email-event-webhook-timestamp")?;
            return json(200, &email_webhooks::sendgrid(env, &config, signature, timestamp, &body).await?);
        }
        // Every route reached without a token is answered above; one that is not would be
        // silently asked for a token below, so it fails loudly instead.
        public if public.is_public() => {
            return Err(ApiError::internal("routing", format!("public route {public:?} has no handler")));
        }
        _ => {}
    }

    let principal = Principal::from_request(req, env, &config, (runtime::now_ms() / 1_000) as i64).await?;
    let actor = principal.actor();
    let load_store = |id: String| async move {
        stores::load(&tenancy::shards::platform(env)?, runtime::path_id(&id, "store")?).await
    };
    match route {
        Route::Logout => {
            auth::accounts::logout(env, &principal).await?;
            empty(204)
        }
        Route::Invite => {
            principal.require(Action::Administer)?;
            principal.session()?;
            json(202, &auth::members::invite(env, &config, &principal, &body).await?)
        }
        Route::ListMembers => {
            principal.require(Action::Administer)?;
            json(200, &serde_json::json!({ "members": auth::members::list(env, &principal).await? }))
        }
        Route::ChangeMemberRole(user) => {
            principal.require(Action::Administer)?;
            principal.session()?;
            auth::members::change_role(env, &principal, &user, &body).await?;
            empty(204)
        }
        Route::RemoveMember(user) => {
            principal.require(Action::Administer)?;
            principal.session()?;
            auth::members::remove(env, &principal, &user).await?;
            empty(204)
        }
        Route::CreateApiKey => {
            principal.require(Action::Administer)?;
            principal.session()?;
            json(201, &auth::api_keys::create(env, &principal, &body).await?)
        }
        Route::ListApiKeys => {
            principal.require(Action::Administer)?;
            json(200, &serde_json::json!({ "api_keys": auth::api_keys::list(env, &principal).await? }))
        }
        Route::RevokeApiKey(id) => {
            principal.require(Action::Administer)?;
            principal.session()?;
            auth::api_keys::revoke(env, &principal, &id).await?;
            empty(204)
        }
        Route::Billing => json(200, &billing::overview(env, &principal).await?),
        Route::Checkout => {
            principal.require(Action::Administer)?;
            principal.session()?;
            json(201, &billing::checkout(env, &config, &principal, &body).await?)
        }
        Route::ChangePlan => {
            principal.require(Action::Administer)?;
            principal.session()?;
            json(202, &billing::change_plan(env, &config, &principal, &body).await?)
        }
        Route::GdprExport => {
            principal.require(Action::Administer)?;
            principal.session()?;
            let archive = gdpr::export(env, &principal).await?;
            let mut response = json(200, &archive)?;
            response.headers_mut().set(
                "content-disposition",
                &format!("attachment; filename=\"dropship-export-{}.json\"", principal.tenant_id),
            )?;
            Ok(response)
        }
        Route::GdprErase => json(202, &gdpr::erase(env, &config, &principal, &body).await?),
        Route::ListStores => {
            principal.require(Action::Read)?;
            json(
                200,
                &serde_json::json!({ "stores": stores::list(env, &config, principal.tenant_id).await? }),
            )
        }
        Route::AuditLog => {
            principal.require(Action::Administer)?;
            json(
                200,
                &auth::api_keys::audit_log(
                    env,
                    &principal,
                    query("before").as_deref(),
                    query("limit").as_deref(),
                )
                .await?,
            )
        }
        Route::ResendVerification => {
            auth::mail::resend_verification(env, &config, &principal).await?;
            json(202, &serde_json::json!({ "status": "sent" }))
        }
        Route::Sessions => {
            json(200, &serde_json::json!({ "sessions": auth::accounts::sessions(env, &principal).await? }))
        }
        Route::RevokeSession(id) => {
            auth::accounts::revoke_session(env, &principal, &id).await?;
            empty(204)
        }
        Route::CreateStore => {
            principal.require(Action::Administer)?;
            let (view, store) = stores::create(env, &config, &body, &principal).await?;
            let mut response = json(201, &view)?;
            response.headers_mut().set("location", &format!("/v1/stores/{}", store.id))?;
            Ok(response)
        }
        Route::GetStore(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &stores::StoreView::of(&store.row, &config))
        }
        Route::StartResearch(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(202, &research::start(env, &config, store, &principal.actor()).await?)
        }
        Route::GetResearchRun(id, run) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &research::get_run(env, &store, runtime::path_id(&run, "research run")?).await?)
        }
        Route::UpdateStore(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(200, &stores::update(env, &config, store, &body, &principal).await?)
        }
        Route::SuspendStore(id) => {
            let store = principal.store(load_store(id).await?, Action::Administer)?;
            json(200, &stores::set_status(env, &config, store, StoreStatus::Suspended, &principal).await?)
        }
        Route::ResumeStore(id) => {
            let status = StoreStatus::Active;
            let store = principal.store(load_store(id).await?, Action::Administer)?;
            json(200, &stores::set_status(env, &config, store, status, &principal).await?)
        }
        Route::DeleteStore(id) => {
            let store = principal.store(load_store(id).await?, Action::Administer)?;
            stores::delete(env, store, &principal).await?;
            empty(204)
        }
        Route::ListDomains(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &serde_json::json!({ "domains": domains::list(env, &store).await? }))
        }
        Route::AddDomain(id) => {
            let store = principal.store(load_store(id).await?, Action::Administer)?;
            json(201, &domains::add(env, &config, &store, &body, &principal).await?)
        }
        Route::VerifyDomain(id, host) => {
            let store = principal.store(load_store(id).await?, Action::Administer)?;
            json(200, &domains::verify(env, &config, &store, &host, &principal).await?)
        }
        Route::RemoveDomain(id, host) => {
            let store = principal.store(load_store(id).await?, Action::Administer)?;
            domains::remove(env, &store, &host, &principal).await?;
            empty(204)
        }
        Route::ListProducts(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            let filters = products::ListQuery {
                limit: query("limit"),
                cursor: query("cursor"),
                status: query("status"),
                q: query("q"),
            };
            json(200, &products::list(env, &store, filters).await?)
        }
        Route::CreateProduct(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(201, &products::create(env, &store, &body, &actor).await?)
        }
        Route::ImportProducts(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(
                200,
                &products::import(env, &store, &body, content_type.as_deref().unwrap_or(""), &actor).await?,
            )
        }
        Route::GetProduct(id, product) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &products::get(env, &store, runtime::path_id(&product, "product")?).await?)
        }
        Route::UpdateProduct(id, product) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(
                200,
                &products::update(env, &store, runtime::path_id(&product, "product")?, &body, &actor).await?,
            )
        }
        Route::DeleteProduct(id, product) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            products::delete(env, &store, runtime::path_id(&product, "product")?, &actor).await?;
            empty(204)
        }
        Route::BulkUpdateProducts(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            match products::bulk_update(env, &store, &body, &actor).await? {
                Ok(report) => json(200, &report),
                Err(errors) => {
                    let problem = serde_json::json!({
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
            }
        }
        Route::ListCollections(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &collections::list(env, &store).await?)
        }
        Route::CreateCollection(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(201, &collections::create(env, &store, &body, &actor).await?)
        }
        Route::GetCollection(id, collection) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &collections::get(env, &store, runtime::path_id(&collection, "collection")?).await?)
        }
        Route::UpdateCollection(id, collection) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            let collection = runtime::path_id(&collection, "collection")?;
            json(200, &collections::update(env, &store, collection, &body, &actor).await?)
        }
        Route::DeleteCollection(id, collection) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            collections::delete(env, &store, runtime::path_id(&collection, "collection")?, &actor).await?;
            empty(204)
        }
        Route::ListPages(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &content::list_pages(env, &store).await?)
        }
        Route::GetPage(id, slug) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &content::get_page(env, &store, &slug).await?)
        }
        Route::UpdatePage(id, slug) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(200, &content::update_page(env, &store, &slug, &body, &actor).await?)
        }
        Route::ListPosts(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &content::list_posts(env, &store).await?)
        }
        Route::CreatePost(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(201, &content::create_post(env, &store, &body, &actor).await?)
        }
        Route::GetPost(id, post) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &content::get_post(env, &store, runtime::path_id(&post, "post")?).await?)
        }
        Route::UpdatePost(id, post) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(
                200,
                &content::update_post(env, &store, runtime::path_id(&post, "post")?, &body, &actor).await?,
            )
        }
        Route::DeletePost(id, post) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            content::delete_post(env, &store, runtime::path_id(&post, "post")?, &actor).await?;
            empty(204)
        }
        Route::ListOrders(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(
                200,
                &orders::list(env, &store, query("limit").as_deref(), query("before").as_deref()).await?,
            )
        }
        Route::GetOrder(id, order) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &orders::get(env, &store, runtime::path_id(&order, "order")?).await?)
        }
        Route::Analytics(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(
                200,
                &analytics::report(env, &store, query("from").as_deref(), query("to").as_deref()).await?,
            )
        }
        Route::ImportFromUrls(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(202, &products::import_from_urls(env, &config, &store, &body, &actor).await?)
        }
        Route::ProductChanges(id, product) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &supply::history(env, &store, runtime::path_id(&product, "product")?).await?)
        }
        Route::ListWatchlist(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &serde_json::json!({ "items": watchlist::list(env, &store).await? }))
        }
        Route::RemoveWatchItem(id, item) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            watchlist::remove(env, &store, &item).await?;
            empty(204)
        }
        Route::ListContacts(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &contacts::list(env, &store, query("status").as_deref()).await?)
        }
        Route::ImportContacts(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(200, &contacts::import(env, &store, &body).await?)
        }
        Route::ListFlows(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &email_flows::list(env, &store).await?)
        }
        Route::UpdateFlow(id, flow) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(200, &email_flows::update(env, &store, &flow, &body, &actor).await?)
        }
        Route::FlowSends(id, flow) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &email_flows::sends(env, &store, &flow, query("status").as_deref()).await?)
        }
        Route::Segments(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &email_flows::segments(env, &store).await?)
        }
        Route::StartSeoRun(id) => {
            let store = principal.store(load_store(id).await?, Action::Operate)?;
            json(202, &seo::start(env, &config, &store, &actor).await?)
        }
        Route::ListSeoRuns(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &seo::runs(env, &store).await?)
        }
        Route::SeoPosts(id) => {
            let store = principal.store(load_store(id).await?, Action::Read)?;
            json(200, &seo::posts(env, &store).await?)
        }
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
        | Route::SendGridWebhook => {
            unreachable!("answered above")
        }
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
        | Route::InternalSubscribe(_) => {
            unreachable!("answered above")
        }
    }
}
