//! What a store's shoppers reach on the edge without an account: the newsletter sign-up, and
//! the pages behind the confirmation and unsubscribe links of the store's mails.

pub mod pages;
pub mod subscriptions;

use crate::error::ApiResult;
use crate::http::{html, json, Ctx};
use crate::repo::stores::Store;
use crate::router::ShopperRoute;
use tenancy::shards::PlatformDb;
use worker::{Env, Response};

/// Whether `origin` (`scheme://host[:port]`) is one of the store's own hosts: its platform
/// sub-domain or a verified custom domain.
async fn own_origin(env: &Env, store: &Store, origin: &str) -> ApiResult<bool> {
    let Some(host) = origin.split_once("://").map(|(_, rest)| rest.split(':').next().unwrap_or(rest)) else {
        return Ok(false);
    };
    let hosts = crate::repo::domains::of_store(&PlatformDb::open(env)?, store.id).await?;
    Ok(hosts.iter().any(|d| {
        let name = d.host.split(':').next().unwrap_or(&d.host);
        name.eq_ignore_ascii_case(host) && (d.kind == "platform" || d.verified_at.is_some())
    }))
}

/// Runs a shopper's request.
pub async fn handle(route: ShopperRoute, ctx: &Ctx<'_>) -> ApiResult<Response> {
    let (env, config) = (ctx.env, &ctx.config);
    match route {
        ShopperRoute::Subscribe(store) => {
            let content_type = ctx.header("content-type").unwrap_or_default();
            let (subscribed, store) =
                subscriptions::subscribe(env, config, &store, &ctx.body, &content_type, &ctx.ip).await?;
            let mut response = json(200, &subscribed)?;
            // A script on the shop's own pages may read the answer; no other site's.
            if let Some(origin) = ctx.header("origin") {
                if own_origin(env, &store, &origin).await? {
                    response.headers_mut().set("access-control-allow-origin", &origin)?;
                    response.headers_mut().set("vary", "Origin")?;
                }
            }
            Ok(response)
        }
        ShopperRoute::ConfirmPage(store, token) => {
            let page = subscriptions::confirm_page(env, &store, &token).await?;
            html(page.status, page.html)
        }
        ShopperRoute::Confirm(store, token) => {
            let page = subscriptions::confirm(env, config, &store, &token).await?;
            html(page.status, page.html)
        }
        ShopperRoute::UnsubscribePage(store, token) => {
            let page = subscriptions::unsubscribe_page(env, config, &store, &token).await?;
            html(page.status, page.html)
        }
        ShopperRoute::Unsubscribe(store, token) => {
            let page = subscriptions::unsubscribe(env, config, &store, &token).await?;
            html(page.status, page.html)
        }
    }
}
