//! The merchants' API Worker.
//!
//! `/v1/...` is the merchant API (authorised, until accounts arrive, by the bootstrap admin
//! token). `/internal/...` is the signed API through which the pipelines write to D1: the edge is
//! the only writer of D1. Routes are matched in [`routes`], a pure function tested natively.

pub mod config;
pub mod error;
pub mod internal;
pub mod products;
pub mod research;
pub mod routes;
pub mod runtime;
pub mod sqs;
pub mod stores;

use config::Config;
use error::{ApiError, ApiResult};
use routes::Route;
use serde::Serialize;
use sha2::{Digest, Sha256};
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

/// Compares the bearer token with the admin token in constant time (over their digests).
fn authorise_admin(req: &Request, config: &Config) -> ApiResult<&'static str> {
    let header = req.headers().get("authorization")?.unwrap_or_default();
    let token =
        header.strip_prefix("Bearer ").ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
    let (given, expected) = (Sha256::digest(token.as_bytes()), Sha256::digest(config.admin_token.as_bytes()));
    let differs = given.iter().zip(expected.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if differs != 0 || config.admin_token.is_empty() {
        return Err(ApiError::unauthorized("the token is not valid"));
    }
    Ok("admin")
}

async fn handle(req: &mut Request, env: &Env) -> ApiResult<Response> {
    let url = req.url()?;
    let method = req.method().to_string();
    let route = routes::route(&method, url.path())?;
    if route == Route::Health {
        return json(200, &serde_json::json!({ "status": "ok" }));
    }
    let config = Config::from_env(env).map_err(|e| ApiError::internal("configuration", e))?;
    let body = match method.as_str() {
        "POST" | "PUT" | "PATCH" => req.text().await?,
        _ => String::new(),
    };
    let query = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());

    if route.is_internal() {
        let path_and_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        internal::authenticate(env, &config.internal_secret, req, &path_and_query, body.as_bytes()).await?;
    } else {
        authorise_admin(req, &config)?;
    }
    let actor = if route.is_internal() { "pipeline" } else { "admin" };

    match route {
        Route::Health => unreachable!("answered above"),
        Route::CreateStore => {
            let (view, store) = stores::create(env, &config, &body, actor).await?;
            let mut response = json(201, &view)?;
            response.headers_mut().set("location", &format!("/v1/stores/{}", store.id))?;
            Ok(response)
        }
        Route::GetStore(id) => {
            let store =
                stores::load(&tenancy::shards::platform(env)?, runtime::path_id(&id, "store")?).await?;
            json(200, &stores::StoreView::of(&store.row, &config))
        }
        Route::StartResearch(id) => {
            let run = research::start(env, &config, runtime::path_id(&id, "store")?, actor).await?;
            json(202, &run)
        }
        Route::GetResearchRun(id, run) => {
            let store =
                stores::load(&tenancy::shards::platform(env)?, runtime::path_id(&id, "store")?).await?;
            json(200, &research::get_run(env, &store, runtime::path_id(&run, "research run")?).await?)
        }
        Route::ListProducts(id) => {
            let page = products::list(
                env,
                runtime::path_id(&id, "store")?,
                query("limit").as_deref(),
                query("cursor").as_deref(),
            )
            .await?;
            json(200, &page)
        }
        Route::InternalClaimDue => json(200, &research::claim_due(env, &body).await?),
        Route::InternalPublish(id) => {
            let (status, published) = products::publish(env, runtime::path_id(&id, "store")?, &body).await?;
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
    }
}
