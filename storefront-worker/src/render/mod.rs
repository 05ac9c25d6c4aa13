//! HTML pages, rendered from plain data with the `html` crate's templates, which escape every
//! value they are given, so supplier and generated text can never inject markup.
//!
//! Each page has its own module; this one holds what they share: the data they are rendered
//! from, the layout (head with its SEO and social meta, header with the search form, landmarks)
//! and the error pages.

mod blog;
mod cart;
mod collection;
mod favicon;
mod home;
pub mod json_ld;
mod order_status;
mod product;
mod review;
mod search;
mod store_page;
pub mod theme;

pub use blog::{blog_index, post, PostCard, PostPage};
pub use cart::{cart, CartLineView, CartView};
pub use collection::{collection, CollectionPage, Filter, Sort};
pub use favicon::favicon;
pub use home::{home, HomePage};
pub use order_status::{order_status, OrderTracking, OrderView, Parcel};
pub use product::product;
pub use review::{review, ReviewItem, ReviewView};
pub use search::search;
pub use store_page::{store_page, StorePage};
pub use theme::{Look, Theme};

use crate::search::QUERY_MAX_CHARS;
use crate::urls::{collection_path, product_path, Origin, ALL_PRODUCTS, FAVICON_PATH, SEARCH_PATH};
use domain::Money;
use html::{html, Markup};
use serde_json::Value;

/// The store a page belongs to, as the shopper reached it.
#[derive(Debug, Clone)]
pub struct Site {
    /// The store's display name.
    pub name: String,
    /// The origin of the request, for absolute URLs.
    pub origin: Origin,
    /// Theme, brand colour and logo.
    pub look: Look,
}

/// What a product card shows.
#[derive(Debug, Clone)]
pub struct Card {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Price.
    pub price: Money,
    /// Compare-at price.
    pub compare_at: Option<Money>,
    /// Main image URL.
    pub image: Option<String>,
    /// Whether no variant of it can be bought (it has variants and all are out of stock).
    pub sold_out: bool,
}

impl Card {
    /// Whether it shows a sale: a compare-at price above its price, in its currency.
    pub fn on_sale(&self) -> bool {
        self.compare_at.is_some_and(|was| was.currency == self.price.currency && was.minor > self.price.minor)
    }
}

/// One variant a shopper can choose on a product page.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Its id (what the cart form sends).
    pub id: String,
    /// E.g. `Red / L`.
    pub title: String,
    /// Price.
    pub price: Money,
    /// Compare-at price.
    pub compare_at: Option<Money>,
    /// Units left; `None` when stock is not tracked.
    pub stock: Option<i64>,
}

impl Variant {
    /// Whether it can be bought.
    pub fn in_stock(&self) -> bool {
        self.stock.is_none_or(|s| s > 0)
    }
}

/// A full product page's content.
#[derive(Debug, Clone)]
pub struct Product {
    /// Product id: the SKU and product id of its structured data.
    pub id: String,
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Price.
    pub price: Money,
    /// Compare-at price.
    pub compare_at: Option<Money>,
    /// Image URLs, main image first.
    pub images: Vec<String>,
    /// Description paragraphs.
    pub description: Vec<String>,
    /// Feature bullets.
    pub features: Vec<String>,
    /// `<title>`; the title and store name when blank.
    pub meta_title: String,
    /// Meta description; the start of the description when blank.
    pub meta_description: String,
    /// Its variants, in order; empty when it has none.
    pub variants: Vec<Variant>,
    /// Other products, those sharing a collection with it first.
    pub related: Vec<Card>,
    /// Its approved reviews, newest first (at most [`crate::products::REVIEWS_SHOWN`]).
    pub reviews: Vec<Review>,
    /// The average of all its approved reviews' ratings, and how many there are.
    pub rating: Option<(f64, u32)>,
    /// How it ships, as the checkout would offer it on its own.
    pub delivery: Delivery,
}

/// What a product page says about shipping: the store's settings as its checkout applies them to
/// this product on its own (one unit, its supplier's delivery times).
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// The rates offered, standard first; empty when not known (the page then only links the
    /// store's shipping page).
    pub rates: Vec<domain::shipping::Rate>,
    /// Standard shipping is free from this cart subtotal on, when it is not free anyway.
    pub free_over: Option<Money>,
    /// The countries it ships to (ISO 3166-1 alpha-2); empty when not known.
    pub countries: Vec<String>,
}

/// A buyer's review as the product page shows it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Review {
    /// The name the buyer gave.
    pub author: String,
    /// 1 to 5 stars.
    pub rating: u8,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// When it was written (RFC 3339).
    pub created_at: String,
}

impl Product {
    /// Whether any of it can be bought.
    pub fn in_stock(&self) -> bool {
        self.variants.is_empty() || self.variants.iter().any(Variant::in_stock)
    }
}

/// Card images loaded eagerly, since they may be in the first row (four columns on a desktop);
/// the rest load lazily. Only the first is the likely largest paint: it is fetched first, and the
/// others in the row at low priority, so that on a phone (one column, where they are below the
/// fold) they do not share its bandwidth.
const EAGER_CARDS: usize = 4;

/// The rules every theme shares; a theme sets the variables (`--cols`, `--card-ratio`,
/// `--hero-ratio`, `--hero-size`, `--radius`, `--pill`, `--gal`) and rearranges parts.
const STYLE: &str = "*{box-sizing:border-box}\
body{font-family:var(--font);margin:0;color:#1a1a1a;line-height:1.5}\
.wrap,main{max-width:75rem;margin:auto;padding:0 1rem}\
h1,h2{line-height:1.15}a{color:var(--link)}img{max-width:100%;height:auto;display:block}\
.announce{background:var(--brand);color:var(--on-brand);text-align:center;font-size:.875rem;margin:0;padding:.5rem}\
header{border-bottom:1px solid #ddd;margin-bottom:1.5rem}\
header .wrap{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;align-items:center;padding:.75rem 1rem}.cart{margin-left:auto}\
.brand{font-size:1.25rem;font-weight:700;text-decoration:none;display:flex;gap:.5rem;align-items:center}\
.brand img{height:2.5rem;width:auto}.menu{order:2;flex-basis:100%;overflow-x:auto}.menu ul{flex-wrap:nowrap;white-space:nowrap}\
@media(max-width:48rem){header .search{order:1;flex-basis:100%}header input{flex:1}}\
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:0 1.25rem;padding:0;margin:0}\
nav a,.brand,.cart{display:inline-block;padding:.5rem 0;color:inherit}\
:focus-visible{outline:3px solid var(--link);outline-offset:2px}\
.skip{position:absolute;top:-5rem;background:#fff;padding:.5rem}.skip:focus{top:1rem}\
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap}\
.search,.filters,.newsletter,.stepper,.qty,.pay{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}\
input,select,button,.button{font:inherit;min-height:2.75rem;padding:.5rem;border:1px solid #595959;border-radius:4px}\
input[type=search]{width:12rem}input[type=number]{width:6rem}\
button,.button{font-weight:600;padding:.5rem 1.25rem;border:0;border-radius:var(--radius);background:var(--brand);color:var(--on-brand);text-decoration:none;display:inline-block}\
button[disabled]{background:#767676;color:#fff}\
.hero{position:relative;margin-bottom:2.5rem;background:var(--brand);color:var(--on-brand);border-radius:var(--radius);overflow:hidden}\
.hero img{width:100%;aspect-ratio:var(--hero-ratio);object-fit:cover}.txt{padding:1.5rem;background:inherit}\
.hero h1{font-size:clamp(2rem,6vw,var(--hero-size));margin:0}.hero .button{background:var(--on-brand);color:var(--brand)}\
ul.tiles,ul.grid{list-style:none;padding:0;display:grid;gap:1rem .75rem;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr))}\
.tiles a{display:block;padding:1rem;border:2px solid var(--brand);border-radius:var(--radius);font-weight:700;color:inherit}\
ul.grid{grid-template-columns:1fr 1fr}@media(min-width:48rem){ul.grid{grid-template-columns:repeat(var(--cols),1fr);gap:1.5rem}}\
.card a{display:block;color:inherit;text-decoration:none}.media{position:relative;display:block;background:#eee}\
.card img{width:100%;aspect-ratio:var(--card-ratio);object-fit:cover}.t{display:block;margin:.5rem 0 .25rem}\
.badge{background:#fff;font-size:.75rem;font-weight:700;padding:0 .5rem}img+.badge{position:absolute;top:.5rem;left:.5rem}\
.sale{background:#a50e0e;color:#fff}.price{font-weight:700}s{color:#595959}.stock{font-weight:600}.out{color:#a50e0e}\
.pdp{display:grid;gap:1.5rem}@media(min-width:48rem){.pdp{grid-template-columns:var(--gal) 1fr;align-items:start}.buybox{position:sticky;top:1rem}}\
.slides,.thumbs{display:flex;overflow-x:auto;scroll-snap-type:x mandatory;list-style:none;padding:0;margin:0 0 .5rem;gap:.5rem}\
.slides li{flex:0 0 100%;scroll-snap-align:start}.slides img{width:100%;aspect-ratio:1;object-fit:cover}.thumbs img{width:4rem;height:4rem;object-fit:cover}\
.pills{display:flex;flex-wrap:wrap;gap:.5rem;border:0;padding:0;margin:0}\
.pills label{position:relative}.pills input{position:absolute;opacity:0}\
.pills label>span{display:inline-block;border:1px solid #595959;border-radius:var(--pill);padding:.4rem .9rem}\
.pills :checked+span{background:#1a1a1a;color:#fff}.pills :focus-visible+span{outline:3px solid var(--link)}\
.pills :disabled+span{border-style:dashed;text-decoration:line-through}.sw{display:inline-block;width:1em;height:1em;border-radius:50%;border:1px solid #595959;vertical-align:-.15em;margin-right:.4rem}.qty label{width:100%}\
details{border-top:1px solid #ddd;padding:.75rem 0}summary{cursor:pointer;font-weight:600}\
.stickybuy{position:fixed;inset:auto 0 0;background:#fff;border-top:1px solid #bbb;padding:.5rem 1rem;display:flex;justify-content:space-between;align-items:center}\
@media(max-width:48rem){.has-bar{padding-bottom:4.5rem}}@media(min-width:48rem){.stickybuy{display:none}}\
label{display:block}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.5rem;border-bottom:1px solid #ddd}\
.ship progress{display:block;width:100%;max-width:20rem;accent-color:var(--brand)}.dec{order:-1}.check{display:flex;gap:.5rem;align-items:center;min-height:2.75rem}\
.pager,.crumbs{display:flex;flex-wrap:wrap;gap:.5rem 1rem;list-style:none;padding:0}\
.crumbs li+li::before{content:\"\\203A\";margin-right:.5rem;color:#595959}\
footer{background:#f4f4f4;margin-top:3rem;padding:2rem 0 1rem}footer h2{font-size:1rem}\
.cols{display:grid;gap:1.5rem;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr))}.cols ul{flex-direction:column}\
.pay{list-style:none;padding:0;align-items:center}.pay li{line-height:0}.pay .by{line-height:inherit}";

/// The Content Security Policy of every shop page. Scripts run only if they are the one inline
/// script below (by its SHA-256, held to the script by a test); no page may be framed (clickjacking
/// of the cart and checkout forms); no plugin, no `<base>`, fetches only to the shop itself.
/// Styles are inline (each store's theme is part of its page, for the first paint), images come
/// from the shop and from suppliers' image hosts. JSON-LD blocks are data, not scripts, so the
/// policy does not need to name them.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'sha256-PH5jMtCzSMrEsIEt2mU9iT8ucfiGfeXfbDAwx1Koz5s='; style-src 'unsafe-inline'; img-src * data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Progressive enhancement: adds to cart without leaving the page, and shows the cart's size
/// (kept in the `cart_n` cookie) on pages that are cached for everyone.
const SCRIPT: &str = "(function(){var n=document.cookie.match(/(?:^|; )cart_n=(\\d+)/);\
var c=document.querySelector('[data-cart-count]');if(c&&n)c.textContent=' ('+n[1]+')';\
var f=document.querySelector('form[data-add]');if(!f||!window.fetch)return;\
f.addEventListener('submit',function(e){e.preventDefault();var s=f.querySelector('[role=status]');\
fetch(f.action,{method:'POST',body:new URLSearchParams(new FormData(f)),headers:{accept:'application/json'},credentials:'same-origin'})\
.then(function(r){return r.json()}).then(function(j){if(c&&j.units!=null)c.textContent=' ('+j.units+')';if(s)s.textContent=j.message})\
.catch(function(){f.submit()})})})();";

/// The footer's sign-up to the store's mail (welcome series, offers); works without JavaScript.
fn newsletter_form() -> Markup {
    html! {
        form class="newsletter" method="post" action="/subscribe" {
            label for="nl-email" { "News and offers by email" }
            input id="nl-email" type="email" name="email" autocomplete="email" required;
            button type="submit" { "Subscribe" }
        }
    }
}

/// The answer to the newsletter form: `ok` says whether the sign-up went through (a confirmation
/// link is on its way), `message` is plain text.
pub fn subscribed(site: &Site, ok: bool, message: &str) -> String {
    let heading = if ok { "Check your inbox" } else { "We could not sign you up" };
    let title = format!("{heading} | {}", site.name);
    let body = html! {
        h1 { (heading) }
        p role="status" { (message) }
        p { a href="/" { "Back to the shop" } }
    };
    layout(site, Some(""), &Head::plain(&title, heading), body)
}

/// The footer's links to the store's standard pages.
const FOOTER_PAGES: [(&str, &str); 6] = [
    ("about", "About us"),
    ("contact", "Contact"),
    ("shipping", "Shipping"),
    ("returns", "Returns"),
    ("privacy", "Privacy"),
    ("terms", "Terms"),
];

/// The `src`, `srcset` and `sizes` attributes of an image. Images of the media pipeline
/// (`/media/<name>.webp`) have 480, 800 and 960 pixel wide variants next to them, so phones
/// download a small one; other URLs are used as they are.
pub struct ImageSources<'a> {
    /// `src`: the 960 pixel variant of a media image, else the URL itself.
    pub src: String,
    /// `srcset`, for media images.
    pub srcset: Option<String>,
    /// `sizes`, with `srcset`.
    pub sizes: Option<&'a str>,
}

impl<'a> ImageSources<'a> {
    /// The sources of the image at `src`, shown at `sizes`.
    pub fn new(src: &str, sizes: &'a str) -> Self {
        match src.strip_prefix("/media/").and_then(|name| name.strip_suffix(".webp")) {
            Some(n) if !n.is_empty() && !n.contains('/') => ImageSources {
                src: format!("/media/{n}-960.webp"),
                srcset: Some(format!(
                    "/media/{n}-480.webp 480w, /media/{n}-800.webp 800w, /media/{n}-960.webp 960w, /media/{n}.webp 1600w"
                )),
                sizes: Some(sizes),
            },
            _ => ImageSources { src: src.to_owned(), srcset: None, sizes: None },
        }
    }
}

/// The `sizes` of a card image: half the width on a phone (two cards to a row), a grid column
/// otherwise.
const CARD_SIZES: &str = "(max-width: 48rem) calc(50vw - 1.5rem), 18rem";

/// What a page's `<head>` says about it.
struct Head<'a> {
    /// The `<title>`, unique to the page.
    title: &'a str,
    /// The meta description.
    description: &'a str,
    /// The page's absolute URL; with it come Open Graph and Twitter card meta.
    canonical: Option<&'a str>,
    /// `og:type`.
    og_type: &'static str,
    /// The main image, for `og:image` and `twitter:image`.
    image: Option<&'a str>,
    /// The product price, for `product:price:*`.
    price: Option<Money>,
    /// Asks search engines not to index the page.
    noindex: bool,
    /// Structured data, one `<script type="application/ld+json">` each.
    json_ld: Vec<Value>,
    /// Links the store's icon ([`FAVICON_PATH`]); without it browsers ask for `/favicon.ico`,
    /// which is a 404 and an error in the console.
    icon: bool,
    /// Reloads the page every three seconds (an order waiting for its payment).
    refresh: bool,
}

impl<'a> Head<'a> {
    /// A head with a title and description only; the page is not indexed.
    fn plain(title: &'a str, description: &'a str) -> Self {
        Head {
            title,
            description,
            canonical: None,
            og_type: "website",
            image: None,
            price: None,
            noindex: true,
            json_ld: Vec::new(),
            icon: true,
            refresh: false,
        }
    }

    fn markup(&self, store_name: &str) -> Markup {
        html! {
            @if self.refresh {
                meta http-equiv="refresh" content="3";
            }
            title { (self.title) }
            meta name="description" content=(self.description);
            @if self.icon {
                link rel="icon" href=(FAVICON_PATH) type="image/svg+xml";
            }
            @if self.noindex {
                meta name="robots" content="noindex";
            }
            @if let Some(url) = self.canonical {
                link rel="canonical" href=(url);
                meta property="og:type" content=(self.og_type);
                meta property="og:site_name" content=(store_name);
                meta property="og:title" content=(self.title);
                meta property="og:description" content=(self.description);
                meta property="og:url" content=(url);
                meta name="twitter:card" content=(if self.image.is_some() { "summary_large_image" } else { "summary" });
                meta name="twitter:title" content=(self.title);
                meta name="twitter:description" content=(self.description);
                @if let Some(image) = self.image {
                    // The image shows what the page is about, so the page's title describes it.
                    meta property="og:image" content=(image);
                    meta property="og:image:alt" content=(self.title);
                    meta name="twitter:image" content=(image);
                    meta name="twitter:image:alt" content=(self.title);
                }
                @if let Some(price) = self.price {
                    meta property="product:price:amount" content=(json_ld::decimal_amount(price));
                    meta property="product:price:currency" content=(price.currency.code());
                }
            }
            @for data in &self.json_ld {
                (html::json_ld(data))
            }
        }
    }
}

/// The page around `body`, with the store's theme. `search` is the query shown in the header's
/// search form, `None` for no form (the store cannot be searched).
fn layout(site: &Site, search: Option<&str>, head: &Head, body: Markup) -> String {
    themed_layout(&site.name, &site.look, search, head, body, Chrome::Shop)
}

/// [`layout`] for a page with a bar fixed to the bottom of a phone's screen, which the page's end
/// makes room for.
fn layout_with_bar(site: &Site, head: &Head, body: Markup) -> String {
    themed_layout(&site.name, &site.look, Some(""), head, body, Chrome::ShopWithBar)
}

/// What surrounds a page's content.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chrome {
    /// The store's name only: no store to browse (an unknown host, a suspended store).
    Bare,
    /// Announcement, header with menu, search and cart, footer with menus and newsletter.
    Shop,
    /// [`Chrome::Shop`], on a page with a bar fixed to the bottom of a phone's screen.
    ShopWithBar,
}

/// The collections a shopper can browse from the header and footer: all products, then the
/// merchant's menu.
fn menu_links(look: &Look) -> Markup {
    html! {
        li { a href=(collection_path(ALL_PRODUCTS)) { "All products" } }
        @for (slug, title) in look.menu_items() {
            li { a href=(collection_path(slug)) { (title) } }
        }
    }
}

/// How shoppers pay: the edge's Checkout Session takes cards only (`payment_method_types`), so
/// the shop shows the marks of the card networks Stripe takes, each an image named for its
/// network, and the checkout's provider in words. The marks are inline SVG (no request), drawn
/// in the networks' colours.
fn payment_marks() -> Markup {
    let card = |name: &str, body: Markup| {
        html! {
            li {
                svg role="img" aria-label=(name) width="46" height="30" viewBox="0 0 46 30" { (body) }
            }
        }
    };
    let frame = html! { rect x=".5" y=".5" width="45" height="29" rx="4" fill="#fff" stroke="#767676" {} };
    let visa = html! {
        (frame)
        text x="23" y="20" text-anchor="middle" font-family="Arial,sans-serif" font-size="14" font-weight="700"
            font-style="italic" fill="#1a1f71" { "VISA" }
    };
    let mastercard = html! {
        (frame)
        circle cx="18.5" cy="15" r="9" fill="#eb001b" {}
        circle cx="27.5" cy="15" r="9" fill="#f79e1b" {}
        path d="M23 7.3a9 9 0 0 1 0 15.4a9 9 0 0 1 0-15.4z" fill="#ff5f00" {}
    };
    let amex = html! {
        rect width="46" height="30" rx="4" fill="#016fd0" {}
        text x="23" y="19" text-anchor="middle" font-family="Arial,sans-serif" font-size="11" font-weight="700"
            fill="#fff" { "AMEX" }
    };
    html! {
        ul class="pay" aria-label="Payment" {
            (card("Visa", visa))
            (card("Mastercard", mastercard))
            (card("American Express", amex))
            li class="by" { "Secure checkout by Stripe" }
        }
    }
}

fn themed_layout(
    store_name: &str,
    look: &Look,
    search: Option<&str>,
    head: &Head,
    body: Markup,
    chrome: Chrome,
) -> String {
    let shop = chrome != Chrome::Bare;
    let head = html! {
        (head.markup(store_name))
        // The regular weight of a font the shop serves is fetched at once, so that the first
        // paint can use it.
        @if let Some((url, _)) = look.font.files().first() {
            link rel="preload" href=(url) as="font" type="font/woff2" crossorigin;
        }
        (html::style(&format!("{STYLE}{}", look.css())))
    };
    let body = html! {
        body class={ (look.theme.name()) @if chrome == Chrome::ShopWithBar { " has-bar" } } {
            a class="skip" href="#main" { "Skip to content" }
            @if shop && !look.announcement.is_empty() {
                p class="announce" { (look.announcement) }
            }
            header class="site" {
                div class="wrap" {
                    a class="brand" href="/" {
                        @if let Some(logo) = &look.logo {
                            img src=(logo) alt="" width="40" height="40";
                        }
                        (store_name)
                    }
                    @if shop {
                        nav class="menu" aria-label="Main" {
                            ul {
                                (menu_links(look))
                                li { a href="/blog" { "Blog" } }
                            }
                        }
                    }
                    @if let Some(query) = search {
                        (search_form("site-q", "Site search", html! { span class="vh" { "Search products" } }, query))
                    }
                    @if shop {
                        a class="cart" href="/cart" { "Cart" span data-cart-count {} }
                    }
                }
            }
            main id="main" tabindex="-1" { (body) }
            footer class="site" {
                div class="wrap" {
                    @if shop {
                        div class="cols" {
                            nav aria-labelledby="f-info" {
                                h2 id="f-info" { "Information" }
                                ul {
                                    @for (slug, title) in FOOTER_PAGES {
                                        li { a href={ "/pages/" (slug) } { (title) } }
                                    }
                                    li { a href="/blog" { "Blog" } }
                                }
                            }
                            div {
                                h2 { "Newsletter" }
                                (newsletter_form())
                            }
                        }
                        (payment_marks())
                    }
                    small { "© " (store_name) }
                }
            }
            @if shop {
                (html::inline_script(SCRIPT))
            }
        }
    };
    html::document(head, body).into_string()
}

/// A GET search form labelled with `label`, showing `query`.
fn search_form(id: &str, landmark: &str, label: Markup, query: &str) -> Markup {
    html! {
        form class="search" role="search" aria-label=(landmark) action=(SEARCH_PATH) method="get" {
            label for=(id) { (label) }
            input id=(id) type="search" name="q" maxlength=(QUERY_MAX_CHARS) value=(query) placeholder="Search";
            button type="submit" { "Search" }
        }
    }
}

/// A price, with the compare-at price struck through when it is higher. Screen readers do not
/// announce strike-through, so both amounts say what they are in visually hidden text.
fn price_html(price: Money, compare_at: Option<Money>) -> Markup {
    html! {
        @match compare_at {
            Some(was) if was.currency == price.currency && was.minor > price.minor => {
                span class="price" { span class="vh" { "Sale price: " } (price) }
                " "
                s { span class="vh" { "Regular price: " } (was) }
            }
            _ => span class="price" { (price) },
        }
    }
}

/// A grid of product cards that leads the page: its first image is the likely largest paint and
/// loads first, the rest of its first row eagerly at low priority, the others lazily.
fn card_grid(cards: &[Card]) -> Markup {
    grid_of(cards, true)
}

/// A grid of product cards under something else that is the largest paint (below the fold on a
/// phone): every image loads lazily, so none takes bandwidth from that paint.
fn lazy_card_grid(cards: &[Card]) -> Markup {
    grid_of(cards, false)
}

fn grid_of(cards: &[Card], lead: bool) -> Markup {
    let first_image = cards.iter().position(|card| card.image.is_some()).filter(|_| lead);
    html! {
        ul class="grid" {
            @for (i, card) in cards.iter().enumerate() {
                li class="card" {
                    a href=(product_path(&card.slug)) {
                        span class="media" {
                        @if let Some(src) = &card.image {
                            @let (loading, priority) = if Some(i) == first_image {
                                ("eager", Some("high"))
                            } else if lead && i < EAGER_CARDS {
                                ("eager", Some("low"))
                            } else {
                                ("lazy", None)
                            };
                            @let sources = ImageSources::new(src, CARD_SIZES);
                            img src=(sources.src) srcset=[sources.srcset] sizes=[sources.sizes] alt="" width="400" height="400"
                                loading=(loading) fetchpriority=[priority] decoding="async";
                        }
                        @if card.sold_out {
                            span class="badge" { "Sold out" }
                        } @else if card.on_sale() {
                            span class="badge sale" { "Sale" }
                        }
                        }
                        span class="t" { (card.title) }
                    }
                    " "
                    (price_html(card.price, card.compare_at))
                }
            }
        }
    }
}

/// The page for an unknown path of a store (`Some`) or an unknown host (`None`).
pub fn not_found(site: Option<&Site>) -> String {
    match site {
        Some(site) => {
            let body = html! {
                h1 { "Page not found" }
                p { "This page does not exist, or it has moved. Search the shop or browse its collections:" }
                (search_form("nf-q", "Search the shop", html! { "Search products" }, ""))
                ul class="tiles" {
                    (menu_links(&site.look))
                    li { a href="/" { "Home page" } }
                }
            };
            let title = format!("Page not found | {}", site.name);
            let description = format!("This page does not exist at {}.", site.name);
            layout(site, Some(""), &Head::plain(&title, &description), body)
        }
        // No store, so no icon to link.
        None => themed_layout(
            "Store not found",
            &Look::default(),
            None,
            &Head { icon: false, ..Head::plain("Page not found", "This page does not exist.") },
            html! { h1 { "Page not found" } p { "There is no store at this address." } },
            Chrome::Bare,
        ),
    }
}

/// The page of a suspended store.
pub fn unavailable(store_name: &str) -> String {
    let title = format!("Temporarily unavailable | {store_name}");
    // A suspended store answers every path with this page, its icon too.
    themed_layout(
        store_name,
        &Look::default(),
        None,
        &Head { icon: false, ..Head::plain(&title, "This store is temporarily unavailable.") },
        html! {
            h1 { "Temporarily unavailable" }
            p { "This store is closed for now. Please come back later." }
        },
        Chrome::Bare,
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use domain::{Currency, StoreHost};

    pub(crate) fn site(name: &str) -> Site {
        let host = StoreHost::parse("demo.localhost:8788").unwrap();
        Site {
            name: name.into(),
            origin: Origin::new("http", &host, "demo.localhost:8788"),
            look: Look::default(),
        }
    }

    #[test]
    fn every_shop_page_offers_the_newsletter_and_its_answer_is_escaped_and_not_indexed() {
        let page = not_found(Some(&site("Cozy Pets")));
        assert!(page.contains("<form class=\"newsletter\" method=\"post\" action=\"/subscribe\">"), "{page}");
        assert!(page.contains("<label for=\"nl-email\">") && page.contains("id=\"nl-email\" type=\"email\""));
        let answer = subscribed(&site("Cozy Pets"), false, "Mail to <b>x</b> bounced");
        assert!(answer.contains("<h1>We could not sign you up</h1>"));
        assert!(answer.contains("Mail to &lt;b&gt;x&lt;/b&gt; bounced"));
        assert!(answer.contains("<meta name=\"robots\" content=\"noindex"), "{answer}");
    }

    pub(crate) fn card(title: &str) -> Card {
        Card {
            slug: "brush".into(),
            title: title.into(),
            price: Money::from_minor(2999, Currency::Usd),
            compare_at: Some(Money::from_minor(3999, Currency::Usd)),
            image: Some("https://img.example/brush.jpg".into()),
            sold_out: false,
        }
    }

    /// Every `<tag ...>` opening tag of `html` with that name.
    pub(crate) fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
        let open = format!("<{name} ");
        html.match_indices(&open).map(|(i, _)| &html[i..i + html[i..].find('>').unwrap() + 1]).collect()
    }

    #[test]
    fn compare_at_prices_are_struck_with_words_for_screen_readers() {
        let html =
            price_html(Money::from_minor(2999, Currency::Usd), Some(Money::from_minor(3999, Currency::Usd)))
                .into_string();
        assert!(html.contains("<span class=\"vh\">Sale price: </span>$29.99"));
        assert!(html.contains("<s><span class=\"vh\">Regular price: </span>$39.99</s>"));
    }

    #[test]
    fn a_compare_at_price_that_is_not_higher_is_not_shown() {
        let usd = |minor| Money::from_minor(minor, Currency::Usd);
        assert_eq!(
            price_html(usd(2999), Some(usd(2999))).into_string(),
            "<span class=\"price\">$29.99</span>"
        );
        assert_eq!(price_html(usd(2999), None).into_string(), "<span class=\"price\">$29.99</span>");
    }

    #[test]
    fn every_page_has_a_language_a_skip_link_and_landmarks() {
        let html = not_found(Some(&site("Cozy Pets")));
        assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"));
        assert!(html.contains("<a class=\"skip\" href=\"#main\">Skip to content</a>"));
        for landmark in ["<header class=\"site\">", "<main id=\"main\"", "<footer class=\"site\">"] {
            assert!(html.contains(landmark), "{landmark}");
        }
        assert!(html.contains(":focus-visible{outline:3px solid"));
    }

    #[test]
    fn the_header_has_the_announcement_logo_menu_search_and_cart_the_merchant_set() {
        let html = not_found(Some(&hostile_site()));
        assert!(
            html.contains("<p class=\"announce\">Free returns &lt;30 days&gt; &amp; &quot;more&quot;</p>")
        );
        assert!(html.contains(
            "<img src=\"https://cdn.example/logo.png?v=2&amp;size=64\" alt=\"\" width=\"40\" height=\"40\">"
        ));
        assert!(html.contains(
            "<nav class=\"menu\" aria-label=\"Main\"><ul><li><a href=\"/collections/all\">All products</a></li>\
             <li><a href=\"/collections/toys\">Toys &amp; &lt;Games&gt;</a></li><li><a href=\"/collections/beds\">Beds</a></li>"
        ));
        assert!(html.contains("<a class=\"cart\" href=\"/cart\">Cart<span data-cart-count></span></a>"));
        assert!(html.contains("--font:Charter,"), "the chosen font stack");
        let plain = not_found(Some(&site("Cozy Pets")));
        assert!(!plain.contains("class=\"announce\""), "no announcement, no bar");
    }

    #[test]
    fn the_footer_has_menus_the_newsletter_and_the_card_networks_of_a_card_checkout() {
        let html = not_found(Some(&hostile_site()));
        assert!(html.contains("<h2>Newsletter</h2>") && html.contains("<h2 id=\"f-info\">Information</h2>"));
        assert!(html.contains("<li><a href=\"/pages/returns\">Returns</a></li>"));
        let marks = html
            .split("<ul class=\"pay\" aria-label=\"Payment\">")
            .nth(1)
            .unwrap()
            .split("</ul>")
            .next()
            .unwrap();
        let named: Vec<&str> =
            marks.split("role=\"img\" aria-label=\"").skip(1).map(|m| m.split('"').next().unwrap()).collect();
        assert_eq!(
            named,
            ["Visa", "Mastercard", "American Express"],
            "each mark an image named for its network"
        );
        assert!(marks.ends_with("<li class=\"by\">Secure checkout by Stripe</li>"), "{marks}");
    }

    #[test]
    fn a_font_the_shop_serves_is_declared_and_its_regular_weight_preloaded() {
        let mut site = site("Cozy Pets");
        site.look.font = theme::Font::Lora;
        let html = not_found(Some(&site));
        assert!(html.contains(
            "<link rel=\"preload\" href=\"/fonts/lora-5.3.0-latin-400.woff2\" as=\"font\" type=\"font/woff2\" crossorigin>"
        ));
        assert!(html.contains("@font-face{font-family:Lora;src:url(/fonts/lora-5.3.0-latin-700.woff2) format('woff2');font-weight:700;font-display:swap}"));
        assert!(html.contains("--font:Lora,Charter,"));
        let system = not_found(Some(&self::tests::site("Cozy Pets")));
        assert!(!system.contains("@font-face") && !system.contains("rel=\"preload\""));
        // Every file it names is in the assets Cloudflare serves.
        for font in [theme::Font::Inter, theme::Font::Lora] {
            for (url, _) in font.files() {
                let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(&url[1..]);
                assert!(file.is_file(), "{} is missing", file.display());
            }
        }
    }

    #[test]
    fn cards_show_a_sale_or_sold_out_badge() {
        let cards = [
            card("On sale"),
            Card { compare_at: None, ..card("Full price") },
            Card { sold_out: true, ..card("Gone") },
        ];
        let html = card_grid(&cards).into_string();
        assert_eq!(html.matches("<span class=\"badge sale\">Sale</span>").count(), 1);
        assert_eq!(html.matches("<span class=\"badge\">Sold out</span>").count(), 1);
    }

    #[test]
    fn the_not_found_page_of_a_store_offers_search_and_its_collections() {
        let html = not_found(Some(&hostile_site()));
        assert!(html.contains("<label for=\"nf-q\">Search products</label>"));
        assert!(html.contains("<ul class=\"tiles\"><li><a href=\"/collections/all\">All products</a></li>"));
    }

    #[test]
    fn each_theme_is_its_class_on_the_body() {
        for theme in [Theme::Classic, Theme::Bold, Theme::Minimal] {
            let site = Site { look: Look { theme, ..Look::default() }, ..site("Cozy Pets") };
            assert!(not_found(Some(&site)).contains(&format!("<body class=\"{}\">", theme.name())));
        }
    }

    #[test]
    fn the_header_search_form_is_a_labelled_get_form() {
        let html = not_found(Some(&site("Cozy Pets")));
        assert!(html.contains("<form class=\"search\" role=\"search\" aria-label=\"Site search\" action=\"/search\" method=\"get\">"));
        assert!(html.contains("<label for=\"site-q\">"));
        assert!(html.contains("<input id=\"site-q\" type=\"search\" name=\"q\" maxlength=\"100\""));
    }

    #[test]
    fn error_pages_are_not_indexed_and_have_no_canonical_url() {
        for html in [not_found(None), not_found(Some(&site("Cozy Pets"))), unavailable("Cozy Pets")] {
            assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
            assert!(!html.contains("rel=\"canonical\""));
        }
    }

    #[test]
    fn store_pages_link_the_store_icon_so_browsers_do_not_ask_for_a_missing_favicon_ico() {
        let icon = "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">";
        assert!(not_found(Some(&site("Cozy Pets"))).contains(icon));
        assert!(!not_found(None).contains("rel=\"icon\""), "no store, no icon");
        assert!(!unavailable("Cozy Pets").contains("rel=\"icon\""), "a suspended store serves no icon");
    }

    #[test]
    fn only_the_first_card_image_is_fetched_first_and_the_rest_of_its_row_waits() {
        let cards: Vec<Card> = (0..6).map(|i| card(&format!("Brush {i}"))).collect();
        let html = card_grid(&cards).into_string();
        let images = tags(&html, "img");
        assert!(images[0].contains("loading=\"eager\" fetchpriority=\"high\""));
        for image in &images[1..EAGER_CARDS] {
            assert!(image.contains("loading=\"eager\" fetchpriority=\"low\""), "{image}");
        }
        for image in &images[EAGER_CARDS..] {
            assert!(image.contains("loading=\"lazy\"") && !image.contains("fetchpriority"), "{image}");
        }
    }

    #[test]
    fn the_first_card_with_an_image_is_the_one_fetched_first() {
        let cards = [Card { image: None, ..card("No photo") }, card("Brush"), card("Comb")];
        let html = card_grid(&cards).into_string();
        let images = tags(&html, "img");
        assert_eq!(images.len(), 2);
        assert!(images[0].contains("fetchpriority=\"high\""));
        assert!(images[1].contains("fetchpriority=\"low\""));
    }

    #[test]
    fn a_suspended_store_offers_no_search() {
        assert!(!unavailable("Cozy Pets").contains("<form"));
    }

    /// A store whose name holds every character HTML escapes, on the bold theme with a logo whose
    /// URL has a query string.
    pub(crate) fn hostile_site() -> Site {
        Site {
            look: Look {
                theme: super::Theme::Bold,
                brand: (0xd9, 0x46, 0x0f),
                logo: Some("https://cdn.example/logo.png?v=2&size=64".into()),
                font: super::theme::Font::Serif,
                hero: Some("https://cdn.example/hero.jpg?w=1600&h=640".into()),
                announcement: "Free returns <30 days> & \"more\"".into(),
                menu: vec!["toys Toys & <Games>".into(), "beds Beds".into()],
            },
            ..site("Rosie's <Pets> & \"Co\"")
        }
    }

    /// Cards as a grid shows them: a hostile title, a media image (with sizes), one without an
    /// image, a compare-at price that is not higher, and more than a row's worth.
    pub(crate) fn hostile_cards() -> Vec<Card> {
        let usd = |minor| Money::from_minor(minor, Currency::Usd);
        vec![
            Card {
                slug: "slicker-brush".into(),
                image: Some("/media/brush.webp".into()),
                ..card("Slicker Brush")
            },
            Card {
                slug: "bowl".into(),
                title: "<script>alert('bowl')</script> Bowl & \"Mat\"".into(),
                price: usd(1250),
                compare_at: Some(usd(1250)),
                image: Some("https://img.example/bowl.jpg?w=400&h=400".into()),
                sold_out: false,
            },
            Card {
                slug: "no-photo".into(),
                title: "Ball".into(),
                price: usd(499),
                compare_at: None,
                image: None,
                sold_out: true,
            },
            Card { slug: "comb".into(), ..card("Comb") },
            Card { slug: "lead".into(), ..card("Lead") },
        ]
    }

    /// A page as its snapshot shows it: a line break between adjacent tags, and the stylesheet and
    /// script every page shares named instead of repeated.
    pub(crate) fn snapshot(html: &str) -> String {
        html.replace(STYLE, "/* STYLE */").replace(SCRIPT, "/* SCRIPT */").replace("><", ">\n<")
    }

    #[test]
    fn the_security_policy_lets_the_pages_one_inline_script_run_and_no_other() {
        use base64::Engine;
        use sha2::Digest;
        let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT));
        assert!(CONTENT_SECURITY_POLICY.contains(&format!("script-src 'sha256-{digest}';")));
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-eval"));
        assert!(!CONTENT_SECURITY_POLICY
            .split("; ")
            .any(|d| d.starts_with("script-src") && d.contains("unsafe-inline")));
        // Every script a page carries is that one or a JSON-LD data block.
        let page = home(&hostile_site(), &HomePage { newest: hostile_cards(), ..HomePage::default() });
        for script in page.split("<script").skip(1) {
            let (attributes, rest) = script.split_once('>').unwrap();
            let body = rest.split("</script>").next().unwrap();
            assert!(
                attributes.contains("application/ld+json") || body == SCRIPT,
                "an unlisted script: {script}"
            );
        }
    }

    #[test]
    fn snapshot_of_the_not_found_page_of_a_store() {
        insta::assert_snapshot!(snapshot(&not_found(Some(&hostile_site()))));
    }

    #[test]
    fn snapshot_of_the_not_found_page_of_an_unknown_host() {
        insta::assert_snapshot!(snapshot(&not_found(None)));
    }

    #[test]
    fn snapshot_of_the_page_of_a_suspended_store() {
        insta::assert_snapshot!(snapshot(&unavailable("Rosie's <Pets> & \"Co\"")));
    }

    #[test]
    fn snapshot_of_the_newsletter_answers() {
        let site = hostile_site();
        insta::assert_snapshot!(
            "subscribed",
            snapshot(&subscribed(&site, true, "Check <your> inbox & confirm."))
        );
        insta::assert_snapshot!(
            "not_subscribed",
            snapshot(&subscribed(&site, false, "\"x@<example>\" is not an address."))
        );
    }

    #[test]
    fn store_names_cannot_inject_markup() {
        let html = unavailable("<b>Shop</b>");
        assert!(!html.contains("<b>Shop</b>"));
        assert!(html.contains("&lt;b&gt;Shop&lt;/b&gt;"));
    }
}
