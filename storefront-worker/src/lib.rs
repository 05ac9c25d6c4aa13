//! The shoppers' Worker: finds the store by host name, renders its pages, caches them at the edge.
//!
//! A request costs one isolate-memory lookup for the host (KV only when the isolate has not seen
//! it for a few seconds) and, when the page is cached under the store's current cache version, no
//! database query at all. Search results are the exception: they are never cached.

pub mod crawlers;
pub mod products;
pub mod render;
pub mod route;
pub mod search;
pub mod urls;

use domain::{StoreHost, StoreStatus};
use render::Site;
use route::Route;
use search::SearchQuery;
use tenancy::routing::{Routing, RoutingRecord};
use tenancy::shards::StoreDb;
use urls::Origin;
use worker::{event, Cache, Context, Date, Env, Headers, Method, Request, Response, Url};

/// The KV namespace with routing records (bound in `wrangler.toml`).
const EDGE_KV: &str = "EDGE_KV";
/// How long a shopper's browser may reuse a page; the edge copy is versioned instead.
const BROWSER_MAX_AGE_SECS: u32 = 30;

const HTML: &str = "text/html; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Who may keep a response.
#[derive(Clone, Copy)]
enum Caching {
    /// Browsers briefly, the edge under the store's cache version.
    Shared,
    /// Nobody.
    NoStore,
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    if !matches!(req.method(), Method::Get | Method::Head) {
        let mut response = respond(405, render::not_found(None), HTML, Caching::NoStore)?;
        response.headers_mut().set("allow", "GET, HEAD")?;
        return Ok(response);
    }
    let url = req.url()?;
    let host_header =
        req.headers().get("host")?.or_else(|| url.host_str().map(str::to_owned)).unwrap_or_default();
    let Ok(host) = StoreHost::parse(&host_header) else {
        return respond(404, render::not_found(None), HTML, Caching::NoStore);
    };
    let now = Date::now().as_millis() as f64;
    let routing = Routing::new(env.kv(EDGE_KV)?);
    let Some(store) = routing.resolve(&host, now).await? else {
        return respond(404, render::not_found(None), HTML, Caching::NoStore);
    };
    if store.status == StoreStatus::Suspended {
        let mut response = respond(503, render::unavailable(&store.name), HTML, Caching::NoStore)?;
        response.headers_mut().set("retry-after", "3600")?;
        return Ok(response);
    }

    let site = Site { name: store.name.clone(), origin: Origin::new(url.scheme(), &host, &host_header) };
    let route = Route::parse(url.path());
    if !route.is_cacheable() {
        return match route {
            Route::Robots => respond(200, crawlers::robots(&site.origin), TEXT, Caching::Shared),
            Route::Search => search_page(&env, &store, &site, &url).await,
            _ => respond(404, render::not_found(Some(&site)), HTML, Caching::NoStore),
        };
    }

    // The origin is part of the key because pages carry absolute URLs built from it.
    let version = routing.cache_version(store.store_id, now).await?;
    let cache_key = format!("{}{}?v={version}", site.origin, url.path());
    let cache = Cache::default();
    if let Some(mut hit) = cache.get(cache_key.as_str(), false).await? {
        hit.headers_mut().set("x-cache", "HIT").ok();
        return Ok(hit);
    }
    let mut response = cacheable_page(&env, &store, &site, route).await?;
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

fn respond(status: u16, body: String, content_type: &str, caching: Caching) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", content_type)?;
    headers.set("vary", "accept-encoding")?;
    match caching {
        Caching::Shared => headers
            .set("cache-control", &format!("public, max-age={BROWSER_MAX_AGE_SECS}, s-maxage=86400"))?,
        Caching::NoStore => headers.set("cache-control", "no-store")?,
    }
    Ok(Response::ok(body)?.with_status(status).with_headers(headers))
}

/// A page that is the same for every shopper until the store's cache version changes
/// ([`Route::is_cacheable`]).
async fn cacheable_page(
    env: &Env,
    store: &RoutingRecord,
    site: &Site,
    route: Route<'_>,
) -> worker::Result<Response> {
    let origin = &site.origin;
    match route {
        Route::Home => {
            let db = StoreDb::open(env, store.shard, store.store_id)?;
            let cards = products::newest(&db, store.currency).await?;
            respond(200, render::home(site, &cards), HTML, Caching::Shared)
        }
        Route::Product(slug) => {
            let db = StoreDb::open(env, store.shard, store.store_id)?;
            match products::by_slug(&db, slug, store.currency).await? {
                Some(product) => respond(200, render::product(site, &product), HTML, Caching::Shared),
                None => respond(404, render::not_found(Some(site)), HTML, Caching::NoStore),
            }
        }
        Route::Favicon => respond(200, render::favicon(&site.name), SVG, Caching::Shared),
        Route::SitemapIndex => respond(200, crawlers::sitemap_index(origin), XML, Caching::Shared),
        Route::PagesSitemap => respond(200, crawlers::pages_sitemap(origin), XML, Caching::Shared),
        Route::ProductsSitemap => {
            let db = StoreDb::open(env, store.shard, store.store_id)?;
            let listed = products::for_sitemap(&db).await?;
            respond(200, crawlers::products_sitemap(origin, &listed), XML, Caching::Shared)
        }
        Route::Robots | Route::Search | Route::NotFound => {
            respond(404, render::not_found(Some(site)), HTML, Caching::NoStore)
        }
    }
}

/// `/search?q=...`: results depend on the query, so they are neither cached nor indexed.
async fn search_page(env: &Env, store: &RoutingRecord, site: &Site, url: &Url) -> worker::Result<Response> {
    let raw = url.query_pairs().find(|(name, _)| name == "q").map(|(_, value)| value).unwrap_or_default();
    let query = SearchQuery::parse(&raw);
    let html = if query.is_empty() {
        render::search(site, "", None)
    } else {
        let db = StoreDb::open(env, store.shard, store.store_id)?;
        let results = products::search(&db, &query, store.currency).await?;
        render::search(site, query.as_str(), Some(&results))
    };
    respond(200, html, HTML, Caching::NoStore)
}
