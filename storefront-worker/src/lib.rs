//! The shoppers' Worker: finds the store by host name, renders its pages, caches them at the edge,
//! keeps carts in signed cookies and hands checkouts and shopper events to the edge.
//!
//! A request costs one isolate-memory lookup for the host (KV only when the isolate has not seen
//! it for a few seconds) and, when the page is cached under the store's current cache version, no
//! database query at all. Search results, carts, checkouts and order pages are never cached.
//!
//! Staleness: every catalog write on the edge moves the store to a new cache version, so a cached
//! page is served after a change for at most the isolate's trust in the version it read
//! (`tenancy::routing::ISOLATE_TTL_MS`, 5 s) plus KV's propagation between locations (up to
//! ~60 s) plus the browser's own reuse ([`BROWSER_MAX_AGE_SECS`], 30 s): about 95 s at worst, a
//! few seconds in one location. Checkout always prices the cart from the database, so a stale
//! page can never make a shopper pay a stale price.

pub mod cart;
pub mod catalog;
pub mod crawlers;
pub mod edge_api;
pub mod events;
pub mod media;
pub mod products;
pub mod render;
pub mod route;
pub mod search;
pub mod shipping;
pub mod urls;

use catalog::Found;
use domain::{StoreHost, StoreStatus};
use edge_api::EdgeApi;
use queues::internal_api::calls::{self, InternalCall};
use render::{Filter, Look, Site, Sort};
use route::Route;
use search::SearchQuery;
use tenancy::routing::{Routing, RoutingRecord};
use tenancy::shards::StoreDb;
use urls::Origin;
use worker::{event, Cache, Context, Date, Env, Headers, Method, Request, Response, Url};

/// The KV namespace with routing records (bound in `wrangler.toml`).
const EDGE_KV: &str = "EDGE_KV";
/// How long a shopper's browser may reuse a page; the edge copy is versioned instead.
pub const BROWSER_MAX_AGE_SECS: u32 = 30;
/// Collection pages served at most (deeper pages are a 404 without a query).
const MAX_PAGE: u32 = 500;

const HTML: &str = "text/html; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Who may keep a response.
#[derive(Clone, Copy)]
enum Caching {
    /// Browsers briefly, the edge under the store's cache version.
    Shared,
    /// Nobody, and it is this shopper's own (cart, checkout, order).
    Private,
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let now = Date::now().as_millis() as f64;
    let response = handle(&mut req, &env, &ctx, now).await;
    flush_events(&env, &ctx, now);
    response
}

/// Hands the isolate's aggregated shopper events to the edge when a batch is due.
fn flush_events(env: &Env, ctx: &Context, now: f64) {
    let interval_secs: f64 =
        edge_api::setting_or(env, "SHOPPER_EVENTS_FLUSH_SECS", "30").parse().unwrap_or(30.0);
    let Some(counts) = events::take_due(now, interval_secs * 1_000.0) else { return };
    let Ok(api) = EdgeApi::from_env(env) else {
        worker::console_warn!("shopper events not handed over: the edge is not configured");
        return;
    };
    ctx.wait_until(async move {
        let events = queues::internal_api::ShopperEvents { counts: counts.clone() };
        match api.call::<calls::RecordShopperEvents>(&(), &events, now).await {
            Ok((200, _)) => {}
            Ok((status, text)) => {
                worker::console_warn!("shopper events refused ({status}): {text}");
                if status >= 500 {
                    events::restore(counts, now);
                }
            }
            Err(error) => {
                worker::console_warn!("shopper events not handed over: {error}");
                events::restore(counts, now);
            }
        }
    });
}

async fn handle(req: &mut Request, env: &Env, ctx: &Context, now: f64) -> worker::Result<Response> {
    // A request whose Host is not a host name (`shop.example:8788@evil.example`) is the client's
    // mistake, and says so; a host name no store has answers 404 below.
    let bad_host =
        || respond(400, "Bad Request: the Host header is not a host name\n".into(), TEXT, Caching::Private);
    let Ok(url) = req.url() else { return bad_host() };
    let host_header =
        req.headers().get("host")?.or_else(|| url.host_str().map(str::to_owned)).unwrap_or_default();
    let Ok(host) = StoreHost::parse(&host_header) else { return bad_host() };
    let routing = Routing::new(env.kv(EDGE_KV)?);
    let Some(store) = routing.resolve(&host, now).await? else {
        return respond(404, render::not_found(None), HTML, Caching::Private);
    };
    if store.status == StoreStatus::Suspended {
        let mut response = respond(503, render::unavailable(&store.name), HTML, Caching::Private)?;
        response.headers_mut().set("retry-after", "3600")?;
        return Ok(response);
    }
    let look = Look::from_settings(&store.look);
    let site =
        Site { name: store.name.clone(), origin: Origin::new(url.scheme(), &host, &host_header), look };
    let route = Route::parse(url.path());
    let method = req.method();
    if let Route::Review(token) = route {
        return match method {
            Method::Post => review_post(req, env, &store, &site, token, now).await,
            Method::Get | Method::Head => {
                let sent = url.query_pairs().any(|(k, v)| k == "sent" && v == "1");
                let thanks = "Thank you! Your review will appear once the shop has read it.";
                review_page(env, &store, &site, token, sent.then(|| (true, thanks.to_owned())), 200).await
            }
            _ => not_allowed("GET, HEAD, POST"),
        };
    }
    if route.is_form() {
        if method != Method::Post {
            return not_allowed("POST");
        }
        return shopper_post(req, env, &store, &site, route, now).await;
    }
    if !matches!(method, Method::Get | Method::Head) {
        return not_allowed("GET, HEAD");
    }
    if !route.is_cacheable() {
        return match route {
            Route::Robots => respond(200, crawlers::robots(&site.origin), TEXT, Caching::Shared),
            Route::Search => search_page(env, &store, &site, &url).await,
            Route::Cart => {
                let notice = url
                    .query_pairs()
                    .any(|(k, v)| k == "cancelled" && v == "1")
                    .then(|| "Your payment was cancelled; your cart is still here.".to_owned());
                cart_page(req, env, &store, &site, notice, 200).await
            }
            Route::Order(token) => order_page(env, &store, &site, token, &url).await,
            Route::Media(name) => media_file(env, ctx, &store, &site, name, now).await,
            // The key is public by design: search engines fetch it from every host submitted.
            Route::IndexNowKey(key) if edge_api::setting_or(env, "INDEXNOW_KEY", "") == key => {
                respond(200, key.to_owned(), TEXT, Caching::Shared)
            }
            _ => respond(404, render::not_found(Some(&site)), HTML, Caching::Private),
        };
    }

    let CollectionQuery { sort, filter, page } = match route {
        Route::Collection(_) => match collection_query(&url) {
            Some(query) => query,
            None => return respond(404, render::not_found(Some(&site)), HTML, Caching::Private),
        },
        _ => CollectionQuery::default(),
    };
    if is_html(route) {
        events::record(store.store_id, "page_view", now);
        if matches!(route, Route::Product(_)) {
            events::record(store.store_id, "product_view", now);
        }
    }
    // The origin is part of the key because pages carry absolute URLs built from it; the query is
    // normalised so that only the orders and pages a collection has are keys.
    let version = routing.cache_version(store.store_id, now).await?;
    let mut cache_key = format!("{}{}?v={version}", site.origin, url.path());
    if let Some(sort) = sort {
        cache_key.push_str(&format!("&sort={}", sort.key()));
    }
    cache_key.push_str(&filter.query());
    if page > 1 {
        cache_key.push_str(&format!("&page={page}"));
    }
    let if_none_match = req.headers().get("if-none-match")?;
    let cache = Cache::default();
    if let Some(hit) = cache.get(cache_key.as_str(), false).await? {
        if let (Some(tag), Some(wanted)) = (hit.headers().get("etag")?, if_none_match.as_deref()) {
            if etag_matches(wanted, &tag) {
                return not_modified(&tag);
            }
        }
        // A response read from the cache has immutable headers: say it was a hit on a copy.
        let headers = Headers::new();
        for (name, value) in hit.headers().entries() {
            headers.append(&name, &value)?;
        }
        headers.set("x-cache", "HIT")?;
        return Ok(hit.with_headers(headers));
    }
    let query = CollectionQuery { sort, filter, page };
    let mut response = cacheable_page(env, &store, &site, route, query).await?;
    if response.status_code() == 200 {
        let tag = response.headers().get("etag")?.unwrap_or_default();
        let copy = response.cloned()?;
        ctx.wait_until(async move {
            if let Err(error) = cache.put(cache_key.as_str(), copy).await {
                worker::console_warn!("caching page: {error}");
            }
        });
        if if_none_match.as_deref().is_some_and(|wanted| etag_matches(wanted, &tag)) {
            return not_modified(&tag);
        }
    }
    response.headers_mut().set("x-cache", "MISS")?;
    Ok(response)
}

fn is_html(route: Route<'_>) -> bool {
    matches!(
        route,
        Route::Home
            | Route::Product(_)
            | Route::Collection(_)
            | Route::Blog
            | Route::Post(_)
            | Route::Page(_)
    )
}

/// What the query of a collection URL chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CollectionQuery {
    /// The order; `None` for the collection's own.
    sort: Option<Sort>,
    /// The filter.
    filter: Filter,
    /// The page, from 1.
    page: u32,
}

impl Default for CollectionQuery {
    fn default() -> Self {
        Self { sort: None, filter: Filter::default(), page: 1 }
    }
}

/// The sort, filter and page of a collection URL; `None` for a sort or page no page has. A price
/// bound that is not a whole number (or blank, as the form sends an empty field) is no bound.
fn collection_query(url: &Url) -> Option<CollectionQuery> {
    let mut query = CollectionQuery::default();
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "sort" => query.sort = Some(Sort::parse(&value)?),
            "page" => query.page = value.parse().ok().filter(|p| (1..=MAX_PAGE).contains(p))?,
            "in_stock" => query.filter.in_stock = value == "1",
            "min" => query.filter.min = Filter::price(&value),
            "max" => query.filter.max = Filter::price(&value),
            _ => {}
        }
    }
    Some(query)
}

/// A strong validator of a body: 64-bit FNV-1a, quoted.
pub fn etag(body: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{hash:016x}\"")
}

/// Whether an `If-None-Match` header names `tag` (or `*`).
pub fn etag_matches(header: &str, tag: &str) -> bool {
    header.split(',').map(str::trim).any(|t| t == "*" || t == tag || t.strip_prefix("W/") == Some(tag))
}

fn not_modified(tag: &str) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("etag", tag)?;
    headers.set("cache-control", &format!("public, max-age={BROWSER_MAX_AGE_SECS}"))?;
    headers.set("vary", "accept-encoding")?;
    Ok(Response::empty()?.with_status(304).with_headers(headers))
}

fn not_allowed(allow: &str) -> worker::Result<Response> {
    let mut response = respond(405, render::not_found(None), HTML, Caching::Private)?;
    response.headers_mut().set("allow", allow)?;
    Ok(response)
}

fn respond(status: u16, body: String, content_type: &str, caching: Caching) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", content_type)?;
    headers.set("vary", "accept-encoding")?;
    headers.set("x-content-type-options", "nosniff")?;
    if content_type == HTML {
        headers.set("content-security-policy", render::CONTENT_SECURITY_POLICY)?;
        // For browsers that predate `frame-ancestors`.
        headers.set("x-frame-options", "DENY")?;
    }
    match caching {
        Caching::Shared => {
            headers
                .set("cache-control", &format!("public, max-age={BROWSER_MAX_AGE_SECS}, s-maxage=86400"))?;
            headers.set("etag", &etag(body.as_bytes()))?;
        }
        Caching::Private => headers.set("cache-control", "private, no-store")?,
    }
    Ok(Response::ok(body)?.with_status(status).with_headers(headers))
}

fn redirect(location: &str, status: u16, caching: Caching) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("location", location)?;
    match caching {
        Caching::Shared => headers.set("cache-control", "public, max-age=3600")?,
        Caching::Private => headers.set("cache-control", "private, no-store")?,
    }
    Ok(Response::empty()?.with_status(status).with_headers(headers))
}

/// A page that is the same for every shopper until the store's cache version changes
/// ([`Route::is_cacheable`]).
async fn cacheable_page(
    env: &Env,
    store: &RoutingRecord,
    site: &Site,
    route: Route<'_>,
    query: CollectionQuery,
) -> worker::Result<Response> {
    let CollectionQuery { sort, filter, page } = query;
    let origin = &site.origin;
    let db = || StoreDb::open(env, store.shard, store.store_id);
    let not_found = || respond(404, render::not_found(Some(site)), HTML, Caching::Private);
    // A slug that changed answers with a 301 to the current one.
    let answer = |found: Found<String>, path: fn(&str) -> String| match found {
        Found::Page(html) => respond(200, html, HTML, Caching::Shared),
        Found::Moved(current) => redirect(&path(&current), 301, Caching::Shared),
        Found::Missing => not_found(),
    };
    match route {
        Route::Home => {
            let home = catalog::home(&db()?, store.currency).await?;
            respond(200, render::home(site, &home), HTML, Caching::Shared)
        }
        Route::Product(slug) => {
            let found = products::by_slug(&db()?, slug, store.currency, &store.market).await?;
            answer(found.map(|product| render::product(site, &product)), urls::product_path)
        }
        Route::Collection(slug) => {
            match catalog::collection(&db()?, slug, sort, filter, page, store.currency).await? {
                Found::Page(collection) if page > collection.pages() => not_found(),
                found => answer(
                    found.map(|collection| render::collection(site, &collection)),
                    urls::collection_path,
                ),
            }
        }
        Route::Blog => {
            respond(200, render::blog_index(site, &catalog::posts(&db()?).await?), HTML, Caching::Shared)
        }
        Route::Post(slug) => {
            let found = catalog::post(&db()?, slug).await?;
            answer(found.map(|post| render::post(site, &post)), urls::post_path)
        }
        Route::Page(slug) => {
            let found = catalog::page(&db()?, slug, &store.name).await?;
            answer(found.map(|page| render::store_page(site, &page)), urls::page_path)
        }
        Route::Favicon => respond(200, render::favicon(&site.name), SVG, Caching::Shared),
        Route::SitemapIndex => respond(200, crawlers::sitemap_index(origin), XML, Caching::Shared),
        Route::PagesSitemap => {
            let pages = catalog::sitemap_entries(&db()?, "pages").await?;
            respond(200, crawlers::pages_sitemap(origin, &pages), XML, Caching::Shared)
        }
        Route::ProductsSitemap => {
            let listed = products::for_sitemap(&db()?).await?;
            respond(200, crawlers::products_sitemap(origin, &listed), XML, Caching::Shared)
        }
        Route::CollectionsSitemap => {
            let listed = catalog::sitemap_entries(&db()?, "collections").await?;
            respond(
                200,
                crawlers::entries_sitemap(origin, &listed, urls::collection_path),
                XML,
                Caching::Shared,
            )
        }
        Route::PostsSitemap => {
            let listed = catalog::sitemap_entries(&db()?, "posts").await?;
            respond(200, crawlers::entries_sitemap(origin, &listed, urls::post_path), XML, Caching::Shared)
        }
        _ => not_found(),
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
    let mut response = respond(200, html, HTML, Caching::Shared)?;
    // The edge cache key has no query string: results are not kept there.
    response.headers_mut().set("cache-control", "public, max-age=60")?;
    Ok(response)
}

/// The shopper's cart from the signed cookie; a new empty one when there is none (or it was
/// tampered with).
fn current_cart(req: &Request, api: &EdgeApi, store: &RoutingRecord) -> worker::Result<domain::cart::Cart> {
    let header = req.headers().get("cookie")?.unwrap_or_default();
    let store_id = store.store_id.to_string();
    Ok(cart::cookie(&header, cart::COOKIE)
        .and_then(|value| cart::open(api.secret(), &store_id, value))
        .unwrap_or_else(|| domain::cart::Cart::new(hex::encode(edge_api::random_bytes::<12>()))))
}

/// The cart page (`GET /cart`, and a refused checkout).
async fn cart_page(
    req: &Request,
    env: &Env,
    store: &RoutingRecord,
    site: &Site,
    notice: Option<String>,
    status: u16,
) -> worker::Result<Response> {
    let api = EdgeApi::from_env(env)?;
    let cart = current_cart(req, &api, store)?;
    let db = StoreDb::open(env, store.shard, store.store_id)?;
    let mut view =
        render::CartView { notice, checkout_closed: !store.accepts_orders, ..render::CartView::default() };
    let wanted: Vec<(&str, Option<&str>)> =
        cart.lines.iter().map(|line| (line.product_id.as_str(), line.variant_id.as_deref())).collect();
    let (known, shipping) = catalog::cart(&db, &wanted, store.currency).await?;
    if !wanted.is_empty() {
        view.shipping = Some(shipping::settings(shipping, &store.market));
    }
    for (line, known) in cart.lines.iter().zip(known) {
        match known {
            Some(info) => view.lines.push(render::CartLineView {
                slug: info.slug,
                title: info.title,
                variant: info.variant,
                unit_price: info.price,
                quantity: line.quantity,
            }),
            None => view.dropped += 1,
        }
    }
    respond(status, render::cart(site, &view), HTML, Caching::Private)
}

/// The fields of a form body.
fn form_fields(body: &str) -> Vec<(String, String)> {
    worker::url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `POST /cart/add`, `/cart/update`, `/checkout` and `/subscribe`: plain HTML forms; `/cart/add`
/// answers JSON to the page script that asks for it.
async fn shopper_post(
    req: &mut Request,
    env: &Env,
    store: &RoutingRecord,
    site: &Site,
    route: Route<'_>,
    now: f64,
) -> worker::Result<Response> {
    let api = EdgeApi::from_env(env)?;
    let mut cart = current_cart(req, &api, store)?;
    let body = req.text().await?;
    if body.len() > 8_192 {
        return respond(413, render::not_found(Some(site)), HTML, Caching::Private);
    }
    let fields = form_fields(&body);
    let wants_json = req.headers().get("accept")?.is_some_and(|a| a.contains("application/json"));
    let secure = site.origin.as_str().starts_with("https://");
    let store_id = store.store_id.to_string();
    let with_cart = |mut response: Response, cart: &domain::cart::Cart| -> worker::Result<Response> {
        for cookie in cart::set_cookies(api.secret(), &store_id, cart, secure) {
            response.headers_mut().append("set-cookie", &cookie)?;
        }
        Ok(response)
    };
    match route {
        Route::CartAdd => {
            let product = field(&fields, "product_id").unwrap_or_default();
            let variant = field(&fields, "variant_id").filter(|v| !v.is_empty());
            let quantity: u32 = field(&fields, "quantity").and_then(|q| q.trim().parse().ok()).unwrap_or(1);
            let db = StoreDb::open(env, store.shard, store.store_id)?;
            let known = catalog::lines(&db, &[(product, variant)], store.currency).await?.pop().flatten();
            let outcome = match known {
                None => Err("Choose an option that is available.".to_owned()),
                Some(_) => cart.add(product, variant, quantity).map_err(|e| e.to_string()),
            };
            if outcome.is_ok() {
                events::record(store.store_id, "add_to_cart", now);
            }
            if wants_json {
                let (status, message) = match &outcome {
                    Ok(()) => (200, "Added to your cart.".to_owned()),
                    Err(message) => (409, message.clone()),
                };
                let mut response =
                    Response::from_json(&serde_json::json!({ "units": cart.units(), "message": message }))?
                        .with_status(status);
                response.headers_mut().set("cache-control", "private, no-store")?;
                return with_cart(response, &cart);
            }
            match outcome {
                Ok(()) => with_cart(redirect("/cart", 303, Caching::Private)?, &cart),
                Err(message) => cart_page(req, env, store, site, Some(message), 409).await,
            }
        }
        Route::CartUpdate => {
            let line: usize = field(&fields, "line").and_then(|l| l.parse().ok()).unwrap_or(usize::MAX);
            // A "Remove" button sends quantity twice (the input, then its own 0): the last wins.
            let quantity = fields
                .iter()
                .rev()
                .find(|(k, _)| k == "quantity")
                .and_then(|(_, q)| q.trim().parse::<u32>().ok())
                .unwrap_or(1);
            cart.set_quantity(line, quantity);
            with_cart(redirect("/cart", 303, Caching::Private)?, &cart)
        }
        Route::Checkout => {
            let email = field(&fields, "email").unwrap_or_default().trim().to_owned();
            if cart.lines.is_empty() {
                return redirect("/cart", 303, Caching::Private);
            }
            let start = queues::internal_api::StartCheckout {
                cart_id: cart.id.clone(),
                email,
                lines: cart
                    .lines
                    .iter()
                    .map(|l| queues::internal_api::CheckoutLine {
                        product_id: l.product_id.clone(),
                        variant_id: l.variant_id.clone(),
                        quantity: l.quantity,
                    })
                    .collect(),
                origin: site.origin.as_str().to_owned(),
                country: field(&fields, "country").map(str::to_owned),
                ip: req.headers().get("cf-connecting-ip")?,
            };
            let (status, text) =
                api.call_for_shopper::<calls::OpenCheckout>(&store.store_id, &start, now).await?;
            if status == 201 {
                let started: <calls::OpenCheckout as InternalCall>::Response = serde_json::from_str(&text)?;
                return with_cart(redirect(&started.checkout_url, 303, Caching::Private)?, &cart);
            }
            let problem: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let message = match (status, problem["field"].as_str()) {
                (400, Some("email")) => "Enter a valid email address for your receipt.".to_owned(),
                (429, _) => "Too many checkout attempts. Please wait a minute and try again.".to_owned(),
                (409, _) => problem["detail"]
                    .as_str()
                    .unwrap_or("Part of your cart is no longer available.")
                    .to_owned(),
                _ => {
                    worker::console_error!("checkout refused ({status}): {text}");
                    "We could not start the payment. Please try again in a moment.".to_owned()
                }
            };
            cart_page(req, env, store, site, Some(message), if status < 500 { status } else { 503 }).await
        }
        Route::Subscribe => {
            // The edge keeps the contact and mails the link that confirms it (the welcome series
            // starts once it is opened); the shopper's address goes along so that its rate limits
            // hold per shopper, not per storefront.
            let signup = queues::internal_api::StorefrontSubscribe {
                email: field(&fields, "email").unwrap_or_default().trim().to_owned(),
                first_name: field(&fields, "first_name").map(str::to_owned),
                ip: req.headers().get("cf-connecting-ip")?.unwrap_or_else(|| "local".to_owned()),
            };
            let (status, text) =
                api.call_for_shopper::<calls::SubscribeShopper>(&store.store_id, &signup, now).await?;
            let problem: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let detail = problem["detail"].as_str().unwrap_or("Please try again later.");
            let (ok, status, message) = match status {
                200 => (
                    true,
                    200,
                    "Thank you. Unless this address is on our list already, we have sent it a link to confirm \
                     your subscription: open it to start receiving our emails.",
                ),
                400 => (false, 400, "Enter a valid email address."),
                403 => (false, 403, "This shop is not taking new subscribers right now."),
                422 | 429 => (false, status, detail),
                _ => {
                    worker::console_error!("sign-up refused ({status}): {text}");
                    (false, 503, "We could not sign you up. Please try again in a moment.")
                }
            };
            respond(status, render::subscribed(site, ok, message), HTML, Caching::Private)
        }
        _ => respond(404, render::not_found(Some(site)), HTML, Caching::Private),
    }
}

/// `/orders/{token}`: the order, or its checkout while the payment is being confirmed.
async fn order_page(
    env: &Env,
    store: &RoutingRecord,
    site: &Site,
    token: &str,
    url: &Url,
) -> worker::Result<Response> {
    let db = StoreDb::open(env, store.shard, store.store_id)?;
    match catalog::order(&db, token, store.currency).await? {
        Some((mut view, tracking)) => {
            view.just_paid = url.query_pairs().any(|(k, v)| k == "paid" && v == "1");
            let page = render::order_status(site, &view, &tracking);
            let mut response = respond(200, page, HTML, Caching::Private)?;
            response.headers_mut().set("referrer-policy", "no-referrer")?;
            Ok(response)
        }
        None => respond(404, render::not_found(Some(site)), HTML, Caching::Private),
    }
}

/// `/orders/{token}/review`: a form per product of the paid order not reviewed from it yet.
async fn review_page(
    env: &Env,
    store: &RoutingRecord,
    site: &Site,
    token: &str,
    notice: Option<(bool, String)>,
    status: u16,
) -> worker::Result<Response> {
    let db = StoreDb::open(env, store.shard, store.store_id)?;
    match catalog::reviewable(&db, token).await? {
        Some(mut view) => {
            view.notice = notice;
            let mut response = respond(status, render::review(site, &view), HTML, Caching::Private)?;
            response.headers_mut().set("referrer-policy", "no-referrer")?;
            Ok(response)
        }
        None => respond(404, render::not_found(Some(site)), HTML, Caching::Private),
    }
}

/// `POST /orders/{token}/review`: hands the review to the edge, which checks that the order
/// holds the product; answers with the page again, thanked or told what to fix.
async fn review_post(
    req: &mut Request,
    env: &Env,
    store: &RoutingRecord,
    site: &Site,
    token: &str,
    now: f64,
) -> worker::Result<Response> {
    let body = req.text().await?;
    if body.len() > 32_768 {
        return respond(413, render::not_found(Some(site)), HTML, Caching::Private);
    }
    let fields = form_fields(&body);
    let text = |name: &str| field(&fields, name).unwrap_or_default().to_owned();
    let submission = queues::internal_api::ReviewSubmission {
        order_token: token.to_owned(),
        product_id: text("product_id"),
        rating: text("rating").parse().unwrap_or(0),
        title: text("title"),
        body: text("body"),
        author: text("author"),
    };
    let api = EdgeApi::from_env(env)?;
    let (status, answer) =
        api.call_for_shopper::<calls::SubmitReview>(&store.store_id, &submission, now).await?;
    if status == 201 {
        return redirect(&format!("/orders/{token}/review?sent=1"), 303, Caching::Private);
    }
    let problem: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
    let message = match (status, problem["field"].as_str()) {
        (400, Some("rating")) => "Choose a rating from 1 to 5 stars.".to_owned(),
        (400, _) => {
            "Fill in a title, your review and your name (at most 120, 4,000 and 60 characters).".to_owned()
        }
        (404, _) => return respond(404, render::not_found(Some(site)), HTML, Caching::Private),
        (409, _) => problem["detail"]
            .as_str()
            .unwrap_or("This product cannot be reviewed from this order.")
            .to_owned(),
        _ => {
            worker::console_error!("review refused ({status}): {answer}");
            "We could not save your review. Please try again in a moment.".to_owned()
        }
    };
    review_page(env, store, site, token, Some((false, message)), if status < 500 { status } else { 503 })
        .await
}

/// `/media/{name}.webp`, from the edge cache or the bucket.
async fn media_file(
    env: &Env,
    ctx: &Context,
    store: &RoutingRecord,
    site: &Site,
    name: &str,
    now: f64,
) -> worker::Result<Response> {
    let key = format!("{}/media/{}/{name}", site.origin, store.store_id);
    let cache = Cache::default();
    if let Some(hit) = cache.get(key.as_str(), false).await? {
        return Ok(hit);
    }
    let store_id = store.store_id.to_string();
    let mut found = media::fetch(env, &store_id, name, now).await?;
    if let (None, Some(other)) = (&found, media::stand_in(name)) {
        found = media::fetch(env, &store_id, &other, now).await?;
    }
    match found {
        Some(mut response) => {
            let copy = response.cloned()?;
            ctx.wait_until(async move {
                if let Err(error) = cache.put(key.as_str(), copy).await {
                    worker::console_warn!("caching media: {error}");
                }
            });
            Ok(response)
        }
        None => respond(404, render::not_found(Some(site)), HTML, Caching::Private),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_change_with_the_body_and_match_as_sent() {
        let tag = etag(b"<p>a</p>");
        assert_ne!(tag, etag(b"<p>b</p>"));
        assert!(tag.starts_with('"') && tag.ends_with('"'));
        assert!(etag_matches(&tag, &tag));
        assert!(etag_matches(&format!("\"x\", W/{tag}"), &tag));
        assert!(etag_matches("*", &tag));
        assert!(!etag_matches("\"other\"", &tag));
    }

    #[test]
    fn collection_queries_accept_only_known_orders_and_pages() {
        let url = |q: &str| Url::parse(&format!("http://s.example/collections/a{q}")).unwrap();
        let q = |sort, page| Some(CollectionQuery { sort, page, filter: Filter::default() });
        assert_eq!(collection_query(&url("")), q(None, 1));
        assert_eq!(collection_query(&url("?sort=price_asc&page=2")), q(Some(Sort::PriceAsc), 2));
        assert_eq!(collection_query(&url("?utm_source=x")), q(None, 1));
        let filtered = collection_query(&url("?min=&max=20&in_stock=1")).unwrap();
        assert_eq!(filtered.filter, Filter { in_stock: true, min: None, max: Some(20) });
        assert_eq!(collection_query(&url("?min=abc&max=-1")).unwrap().filter, Filter::default());
        assert_eq!(collection_query(&url("?sort=random")), None);
        assert_eq!(collection_query(&url("?page=0")), None);
        assert_eq!(collection_query(&url("?page=99999")), None);
    }
}
