//! The shoppers' Worker: finds the store by host name, renders its pages, caches them at the edge.
//!
//! A request costs one isolate-memory lookup for the host (KV only when the isolate has not seen
//! it for a few seconds) and, when the page is cached under the store's current cache version, no
//! database query at all.

pub mod render;

use domain::{Currency, Money, StoreHost, StoreStatus};
use render::{Card, ProductPage};
use serde::Deserialize;
use tenancy::routing::{Routing, RoutingRecord};
use tenancy::shards::StoreDb;
use worker::{event, Cache, Context, Date, Env, Headers, Method, Request, Response};

/// The KV namespace with routing records (bound in `wrangler.toml`).
const EDGE_KV: &str = "EDGE_KV";
/// How long a shopper's browser may reuse a page; the edge copy is versioned instead.
const BROWSER_MAX_AGE_SECS: u32 = 30;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return page(405, render::not_found(None), false);
    }
    let url = req.url()?;
    let host_header =
        req.headers().get("host")?.or_else(|| url.host_str().map(str::to_owned)).unwrap_or_default();
    let Ok(host) = StoreHost::parse(&host_header) else {
        return page(404, render::not_found(None), false);
    };
    let now = Date::now().as_millis() as f64;
    let routing = Routing::new(env.kv(EDGE_KV)?);
    let Some(store) = routing.resolve(&host, now).await? else {
        return page(404, render::not_found(None), false);
    };
    if store.status == StoreStatus::Suspended {
        let mut response = page(503, render::unavailable(&store.name), false)?;
        response.headers_mut().set("retry-after", "3600")?;
        return Ok(response);
    }

    let path = url.path().to_owned();
    if path == "/robots.txt" {
        let body = format!("User-agent: *\nAllow: /\nDisallow: /cart\nDisallow: /checkout\n\nSitemap: https://{host}/sitemap.xml\n");
        let mut response = Response::ok(body)?;
        response.headers_mut().set("content-type", "text/plain; charset=utf-8")?;
        return Ok(response);
    }

    let version = routing.cache_version(store.store_id, now).await?;
    let cache_key = format!("https://{host}{path}?v={version}");
    let cache = Cache::default();
    if let Some(mut hit) = cache.get(cache_key.as_str(), false).await? {
        hit.headers_mut().set("x-cache", "HIT").ok();
        return Ok(hit);
    }

    let mut response = render_path(&env, &store, &path).await?;
    if response.status_code() == 200 {
        let copy = response.cloned()?;
        ctx.wait_until(async move {
            if let Err(error) = cache.put(cache_key.as_str(), copy).await {
                worker::console_warn!("caching page: {error}");
            }
        });
    }
    response.headers_mut().set("x-cache", "MISS")?;
    Ok(response)
}

fn page(status: u16, html: String, cacheable: bool) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("vary", "accept-encoding")?;
    if cacheable {
        headers.set("cache-control", &format!("public, max-age={BROWSER_MAX_AGE_SECS}, s-maxage=86400"))?;
    } else {
        headers.set("cache-control", "no-store")?;
    }
    Ok(Response::from_html(html)?.with_status(status).with_headers(headers))
}

#[derive(Deserialize)]
struct ProductRow {
    slug: String,
    title: String,
    price_minor: i64,
    compare_at_minor: Option<i64>,
    currency: String,
    images: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    features: Option<String>,
    #[serde(default)]
    meta_title: Option<String>,
    #[serde(default)]
    meta_description: Option<String>,
}

impl ProductRow {
    fn card(&self, fallback: Currency) -> Card {
        let currency = self.currency.parse().unwrap_or(fallback);
        Card {
            slug: self.slug.clone(),
            title: self.title.clone(),
            price: Money::from_minor(self.price_minor, currency),
            compare_at: self.compare_at_minor.map(|m| Money::from_minor(m, currency)),
            image: serde_json::from_str::<Vec<String>>(&self.images).ok().and_then(|i| i.into_iter().next()),
        }
    }
}

fn json_list(text: Option<&str>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
}

async fn render_path(env: &Env, store: &RoutingRecord, path: &str) -> worker::Result<Response> {
    let db = StoreDb::open(env, store.shard, store.store_id)?;
    if path == "/" {
        let rows: Vec<ProductRow> = db
            .statement(
                "SELECT slug, title, price_minor, compare_at_minor, currency, images FROM products \
                 WHERE store_id = ?1 AND status = 'published' ORDER BY created_at DESC, id DESC LIMIT 24",
                &[],
            )?
            .all()
            .await?
            .results()?;
        let cards: Vec<Card> = rows.iter().map(|r| r.card(store.currency)).collect();
        return page(200, render::home(&store.name, &cards), true);
    }
    if let Some(slug) = path.strip_prefix("/products/").filter(|s| !s.is_empty() && !s.contains('/')) {
        let row: Option<ProductRow> = db
            .statement(
                "SELECT slug, title, price_minor, compare_at_minor, currency, images, description, features, \
                 meta_title, meta_description FROM products WHERE store_id = ?1 AND slug = ?2 AND status = 'published'",
                &[slug.into()],
            )?
            .first(None)
            .await?;
        if let Some(row) = row {
            let product = ProductPage {
                card: row.card(store.currency),
                description: json_list(row.description.as_deref()),
                features: json_list(row.features.as_deref()),
                meta_title: row.meta_title.clone().unwrap_or_else(|| row.title.clone()),
                meta_description: row.meta_description.clone().unwrap_or_default(),
            };
            return page(200, render::product(&store.name, &product), true);
        }
    }
    page(404, render::not_found(Some(&store.name)), false)
}
