//! What a store's shoppers reach on the edge without an account: the newsletter sign-up, and
//! the pages behind the unsubscribe links of the store's mails.

pub mod pages;
pub mod subscriptions;

use crate::error::ApiResult;
use crate::http::{html, json, Ctx};
use crate::router::ShopperRoute;
use worker::Response;

/// Runs a shopper's request.
pub async fn handle(route: ShopperRoute, ctx: &Ctx<'_>) -> ApiResult<Response> {
    let (env, config) = (ctx.env, &ctx.config);
    match route {
        ShopperRoute::Subscribe(store) => {
            let content_type = ctx.header("content-type").unwrap_or_default();
            let subscribed =
                subscriptions::subscribe(env, config, &store, &ctx.body, &content_type, &ctx.ip).await?;
            let mut response = json(200, &subscribed)?;
            // The storefront's form posts from the shop's own origin.
            response.headers_mut().set("access-control-allow-origin", "*")?;
            Ok(response)
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
