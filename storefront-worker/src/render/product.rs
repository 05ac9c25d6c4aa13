//! The product page: a gallery (a strip of images that scrolls, with thumbnails linking to each,
//! so it works without JavaScript) beside the buy box on wide screens, variants as pills, the
//! description and the store's shipping and returns pages in collapsible sections, related
//! products, a bar to add to the cart fixed to the bottom of a phone's screen, and Product and
//! BreadcrumbList structured data.

use super::{
    json_ld, layout_with_bar, lazy_card_grid, price_html, Delivery, Head, ImageSources, Product, Site,
};
use crate::urls::{page_path, product_path};
use domain::content::{truncate_words, META_DESCRIPTION_MAX};
use domain::shipping::country_name;
use domain::{Currency, Money};
use html::{html, Markup};

/// The `sizes` of a gallery image.
const GALLERY_SIZES: &str = "(max-width: 48rem) calc(100vw - 2rem), 40rem";

/// The id of the add-to-cart form, which the phone's bottom bar submits.
const BUY_FORM: &str = "buy";

/// The add-to-cart form: a plain POST (no JavaScript needed), with the variants as pills (radio
/// buttons) showing each price and stock state; sold-out variants cannot be chosen.
fn buy_form(product: &Product) -> Markup {
    let first_available = product.variants.iter().position(super::Variant::in_stock);
    html! {
        form id=(BUY_FORM) method="post" action="/cart/add" data-add {
            input type="hidden" name="product_id" value=(product.id);
            @if !product.variants.is_empty() {
                fieldset class="pills" {
                    legend { "Choose an option" }
                    @for (i, variant) in product.variants.iter().enumerate() {
                        label {
                            input type="radio" name="variant_id" value=(variant.id)
                                checked[Some(i) == first_available] disabled[!variant.in_stock()];
                            span {
                                @if let Some(colour) = swatch(&variant.title) {
                                    i class="sw" aria-hidden="true" style={ "background:" (colour) } {}
                                }
                                (variant.title) " · " (price_html(variant.price, variant.compare_at))
                                @match variant.stock {
                                    Some(i64::MIN..=0) => { " · " span class="out" { "Sold out" } }
                                    Some(n) if n <= 5 => { " · Only " (n) " left" }
                                    _ => {}
                                }
                            }
                        }
                    }
                }
            }
            @if product.in_stock() {
                p class="stock" { "In stock" }
                @if let Some(rate) = product.delivery.rates.first() {
                    p {
                        "Delivery in " (days(rate.days)) " with "
                        (if rate.amount_minor == 0 { "free shipping" } else { "standard shipping" })
                    }
                }
                div class="qty" {
                    label for="qty" { "Quantity" }
                    input id="qty" type="number" name="quantity" value="1" min="1" max="99" inputmode="numeric";
                    button type="submit" { "Add to cart" }
                }
                p role="status" {}
            } @else {
                p class="stock out" { "Sold out" }
                button type="submit" disabled { "Sold out" }
            }
        }
    }
}

/// Business days, fewest to most.
fn days((fewest, most): (u32, u32)) -> String {
    format!("{fewest}–{most} business days")
}

/// The Shipping section: each rate with its cost and delivery time, the free-shipping threshold
/// and the countries, as the store's checkout offers them for this product alone; the store's
/// shipping page for the rest.
fn shipping(delivery: &Delivery, currency: Currency) -> Markup {
    let countries: Vec<String> = delivery
        .countries
        .iter()
        .map(|code| country_name(code).map_or_else(|| code.clone(), str::to_owned))
        .collect();
    html! {
        @if !delivery.rates.is_empty() {
            ul {
                @for rate in &delivery.rates {
                    li {
                        (rate.display_name()) ": "
                        @if rate.amount_minor > 0 { (Money::from_minor(rate.amount_minor, currency)) ", " }
                        (days(rate.days)) " from the order"
                    }
                }
                @if let Some(over) = delivery.free_over {
                    li { "Free standard shipping on orders of " (over) " or more" }
                }
            }
        }
        @if let Some((last, rest)) = countries.split_last() {
            p {
                "Ships to "
                @if !rest.is_empty() { (rest.join(", ")) " and " }
                (last) "."
            }
        }
        p { "More about delivery on our " a href=(page_path("shipping")) { "shipping page" } "." }
    }
}

/// The colour a variant's name gives (its first option, as in `Navy Blue / L`), shown as a
/// swatch beside it; `None` for names that are not a plain colour.
fn swatch(variant: &str) -> Option<&'static str> {
    const COLOURS: [(&str, &str); 26] = [
        ("beige", "#d8c8a8"),
        ("black", "#111111"),
        ("blue", "#1d4ed8"),
        ("brown", "#7a4a24"),
        ("burgundy", "#7a1630"),
        ("cream", "#f3ead3"),
        ("gold", "#c9a227"),
        ("gray", "#8a8a8a"),
        ("green", "#15803d"),
        ("grey", "#8a8a8a"),
        ("khaki", "#b8a878"),
        ("navy", "#1e2a5a"),
        ("olive", "#6b7a2a"),
        ("orange", "#ea6a0c"),
        ("pink", "#f08cb4"),
        ("purple", "#7e3af2"),
        ("red", "#c81e1e"),
        ("rose", "#e8798f"),
        ("silver", "#c0c0c0"),
        ("tan", "#c8a27a"),
        ("teal", "#0f766e"),
        ("turquoise", "#2cc4c4"),
        ("violet", "#8b5cf6"),
        ("white", "#ffffff"),
        ("wine", "#6d1a36"),
        ("yellow", "#facc15"),
    ];
    let first = variant.split('/').next()?.trim().to_ascii_lowercase();
    let words: Vec<&str> = first.split_whitespace().collect();
    // A plain colour, perhaps with a shade word: `Blue`, `Navy Blue`, `Light Grey`; not `Blue Whale Plush`.
    if words.is_empty() || words.len() > 2 {
        return None;
    }
    let find = |name: &str| COLOURS.binary_search_by(|(c, _)| (*c).cmp(name)).ok().map(|i| COLOURS[i].1);
    find(words[0]).or_else(|| find(words[words.len() - 1]))
}

/// The images: a strip of slides and, for more than one, thumbnails that link to each slide.
fn gallery(product: &Product) -> Markup {
    let thumbnails: Vec<ImageSources> =
        product.images.iter().map(|src| ImageSources::new(src, GALLERY_SIZES)).collect();
    html! {
        div class="gallery" {
            ul class="slides" {
                @for (i, sources) in thumbnails.iter().enumerate() {
                    li id={ "img-" (i + 1) } {
                        // The main image is the likely largest paint: load it first, the rest on scroll
                        // and at low priority (Chrome raises images in view to high, and they would
                        // share the main image's bandwidth).
                        @if i == 0 {
                            img src=(sources.src) srcset=[sources.srcset.as_deref()] sizes=[sources.sizes] alt=(product.title)
                                width="600" height="600" loading="eager" fetchpriority="high" decoding="async";
                        } @else {
                            img src=(sources.src) srcset=[sources.srcset.as_deref()] sizes=[sources.sizes]
                                alt={ (product.title) ", image " (i + 1) }
                                width="600" height="600" loading="lazy" fetchpriority="low" decoding="async";
                        }
                    }
                }
            }
            @if product.images.len() > 1 {
                ul class="thumbs" aria-label="Images" {
                    @for (i, sources) in thumbnails.iter().enumerate() {
                        li {
                            a href={ "#img-" (i + 1) } {
                                img src=(sources.src) srcset=[sources.srcset.as_deref()] sizes=[sources.srcset.as_ref().map(|_| "4rem")]
                                    alt={ "Show image " (i + 1) } width="64" height="64" loading="lazy" fetchpriority="low" decoding="async";
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A rating as five stars, the text for screen readers given next to it.
fn stars(rating: u8) -> Markup {
    let full = usize::from(rating.min(5));
    html! { span aria-hidden="true" class="stars" { (format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))) } }
}

/// A product page.
pub fn product(site: &Site, product: &Product) -> String {
    let body = html! {
        nav aria-label="Breadcrumb" {
            ol class="crumbs" {
                li { a href="/" { "Home" } }
                li { span aria-current="page" { (product.title) } }
            }
        }
        div class="pdp" {
            @if !product.images.is_empty() {
                (gallery(product))
            }
            div class="buybox" {
                h1 { (product.title) }
                p { (price_html(product.price, product.compare_at)) }
                (buy_form(product))
                @if !product.description.is_empty() || !product.features.is_empty() {
                    details open {
                        summary { "Description" }
                        @for paragraph in &product.description {
                            p { (paragraph) }
                        }
                        @if !product.features.is_empty() {
                            h2 { "Features" }
                            ul {
                                @for feature in &product.features {
                                    li { (feature) }
                                }
                            }
                        }
                    }
                }
                details {
                    summary { "Shipping" }
                    (shipping(&product.delivery, product.price.currency))
                }
                details {
                    summary { "Returns" }
                    p { "How to return an item is on our " a href=(page_path("returns")) { "returns page" } "." }
                }
            }
        }
        @if let Some((average, count)) = product.rating {
            section aria-labelledby="reviews" {
                h2 id="reviews" { "Reviews" }
                p { (stars(average.round() as u8)) " " (format!("{average:.1}")) " out of 5, from " (count) (if count == 1 { " review" } else { " reviews" }) }
                @for review in &product.reviews {
                    article class="review" {
                        h3 { (review.title) }
                        p { (stars(review.rating)) span class="vh" { (review.rating) " out of 5" } }
                        p { (review.body) }
                        p class="byline" { (review.author) ", verified buyer, " (review.created_at.get(..10).unwrap_or_default()) }
                    }
                }
            }
        }
        @if !product.related.is_empty() {
            section aria-labelledby="related" {
                h2 id="related" { "You may also like" }
                (lazy_card_grid(&product.related))
            }
        }
        @if product.in_stock() {
            div class="stickybuy" {
                span { span class="vh" { (product.title) ": " } (price_html(product.price, product.compare_at)) }
                button type="submit" form=(BUY_FORM) { "Add to cart" }
            }
        }
    };

    let page_title = if product.meta_title.trim().is_empty() {
        format!("{} | {}", product.title, site.name)
    } else {
        product.meta_title.clone()
    };
    let description = if !product.meta_description.trim().is_empty() {
        product.meta_description.clone()
    } else if let Some(first) = product.description.first() {
        truncate_words(first, META_DESCRIPTION_MAX)
    } else {
        format!("{} at {}.", product.title, site.name)
    };
    let canonical = site.origin.url(&product_path(&product.slug));
    let social_image =
        product
            .images
            .first()
            .map(|src| if src.starts_with('/') { site.origin.url(src) } else { src.clone() });
    let head = Head {
        title: &page_title,
        description: &description,
        canonical: Some(&canonical),
        og_type: "product",
        image: social_image.as_deref(),
        price: Some(product.price),
        noindex: false,
        json_ld: vec![json_ld::product(site, product), json_ld::breadcrumbs(site, product)],
        icon: true,
        refresh: false,
    };
    layout_with_bar(site, &head, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{hostile_site, site, snapshot, tags};
    use domain::{Currency, Money};

    fn brush() -> Product {
        Product {
            id: "prd_123".into(),
            slug: "slicker-brush".into(),
            title: "Slicker Brush".into(),
            price: Money::from_minor(2999, Currency::Usd),
            compare_at: Some(Money::from_minor(3999, Currency::Usd)),
            images: vec![
                "https://img.example/1.jpg".into(),
                "https://img.example/2.jpg".into(),
                "https://img.example/3.jpg".into(),
            ],
            description: vec!["Soft pins lift loose fur.".into(), "One click cleans it.".into()],
            features: vec!["Self-cleaning".into(), "Anti-slip handle".into()],
            meta_title: "Slicker Brush | Cozy Pets".into(),
            meta_description: "Groom in minutes.".into(),
            variants: vec![],
            related: vec![],
            reviews: vec![],
            rating: None,
            delivery: Delivery::default(),
        }
    }

    #[test]
    fn approved_reviews_show_with_their_average_and_in_the_structured_data() {
        let review = |author: &str, rating: u8| crate::render::Review {
            author: author.into(),
            rating,
            title: format!("<b>{author}</b> says"),
            body: "Lifts fur & \"dust\".".into(),
            created_at: "2026-12-07T10:00:00Z".into(),
        };
        let page =
            Product { reviews: vec![review("Ada", 5), review("Bo", 4)], rating: Some((4.5, 2)), ..brush() };
        let html = product(&site("Cozy Pets"), &page);
        assert!(html.contains("<h2 id=\"reviews\">Reviews</h2>"));
        assert!(html.contains("4.5 out of 5, from 2 reviews"));
        assert!(html.contains("<h3>&lt;b&gt;Ada&lt;/b&gt; says</h3>"), "review text is escaped");
        assert!(html.contains("Ada, verified buyer, 2026-12-07"));
        let data = json_ld::product(&site("Cozy Pets"), &page);
        assert_eq!(data["aggregateRating"]["ratingValue"], 4.5);
        assert_eq!(data["aggregateRating"]["reviewCount"], 2);
        assert_eq!(data["review"][1]["reviewRating"]["ratingValue"], 4);
        assert_eq!(data["review"][0]["author"]["name"], "Ada");
        let none = json_ld::product(&site("Cozy Pets"), &brush());
        assert!(
            none.get("aggregateRating").is_none() && none.get("review").is_none(),
            "no rating without reviews"
        );
        assert!(!product(&site("Cozy Pets"), &brush()).contains("id=\"reviews\""));
    }

    fn variant(id: &str, title: &str, stock: Option<i64>) -> crate::render::Variant {
        crate::render::Variant {
            id: id.into(),
            title: title.into(),
            price: Money::from_minor(2499, Currency::Usd),
            compare_at: Some(Money::from_minor(3499, Currency::Usd)),
            stock,
        }
    }

    #[test]
    fn variants_are_chosen_with_radio_buttons_and_sold_out_ones_are_disabled() {
        let page = Product {
            variants: vec![
                variant("v1", "Red", Some(0)),
                variant("v2", "Blue", Some(3)),
                variant("v3", "Green", None),
            ],
            ..brush()
        };
        let html = product(&site("Cozy Pets"), &page);
        assert!(html.contains("<form id=\"buy\" method=\"post\" action=\"/cart/add\" data-add>"));
        assert!(html.contains("<fieldset class=\"pills\"><legend>Choose an option</legend>"));
        assert!(html.contains("<input type=\"radio\" name=\"variant_id\" value=\"v1\" disabled><span><i class=\"sw\" aria-hidden=\"true\" style=\"background:#c81e1e\"></i>Red · "));
        assert!(html.contains("<input type=\"radio\" name=\"variant_id\" value=\"v2\" checked><span><i class=\"sw\" aria-hidden=\"true\" style=\"background:#1d4ed8\"></i>Blue · "));
        assert!(html.contains(" · Only 3 left</span>"));
        assert!(html.contains("<span class=\"out\">Sold out</span>"));
        assert!(html.contains("<button type=\"submit\">Add to cart</button>"));
        assert!(html.contains("<label for=\"qty\">Quantity</label>"));
        // The phone's bottom bar submits the same form, with the variant chosen in it.
        assert!(html.contains("<button type=\"submit\" form=\"buy\">Add to cart</button>"));
        assert!(html.contains("<body class=\"classic has-bar\">"));
    }

    #[test]
    fn the_description_shipping_and_returns_fold_and_only_link_the_stores_own_pages() {
        let html = product(&site("Cozy Pets"), &brush());
        assert!(html.contains("<details open><summary>Description</summary><p>Soft pins lift loose fur.</p>"));
        // Without the store's settings, only its own shipping page.
        assert!(html.contains(
            "<details><summary>Shipping</summary><p>More about delivery on our <a href=\"/pages/shipping\">"
        ));
        assert!(html.contains("<details><summary>Returns</summary><p>How to return an item is on our <a href=\"/pages/returns\">"));
    }

    #[test]
    fn the_shipping_section_states_the_rates_delivery_times_threshold_and_countries_of_the_checkout() {
        use domain::shipping::{Rate, RateKind};
        let delivery = Delivery {
            rates: vec![
                Rate { kind: RateKind::Standard, amount_minor: 499, days: (10, 20) },
                Rate { kind: RateKind::Express, amount_minor: 1499, days: (5, 10) },
            ],
            free_over: Some(Money::from_minor(5000, Currency::Usd)),
            countries: vec!["US".into(), "CA".into(), "XK".into()],
        };
        let html = product(&site("Cozy Pets"), &Product { delivery, ..brush() });
        assert!(html.contains(
            "<p class=\"stock\">In stock</p><p>Delivery in 10–20 business days with standard shipping</p>"
        ));
        assert!(html.contains(
            "<summary>Shipping</summary><ul><li>Standard shipping: $4.99, 10–20 business days from the order</li>\
             <li>Express shipping: $14.99, 5–10 business days from the order</li>\
             <li>Free standard shipping on orders of $50.00 or more</li></ul>\
             <p>Ships to the United States, Canada and XK.</p>"
        ));
        let free = Delivery {
            rates: vec![Rate { kind: RateKind::Standard, amount_minor: 0, days: (3, 7) }],
            free_over: None,
            countries: vec!["GB".into()],
        };
        let html = product(&site("Cozy Pets"), &Product { delivery: free, ..brush() });
        assert!(html.contains("<li>Free shipping: 3–7 business days from the order</li></ul><p>Ships to the United Kingdom.</p>"));
        assert!(html.contains("<p>Delivery in 3–7 business days with free shipping</p>"));
    }

    #[test]
    fn plain_colour_variants_get_a_swatch_and_other_names_do_not() {
        assert_eq!(swatch("Navy Blue / L"), Some("#1e2a5a"));
        assert_eq!(swatch("grey"), Some("#8a8a8a"));
        assert_eq!(swatch("Light Grey"), Some("#8a8a8a"));
        assert_eq!(swatch("Blue Whale Plush"), None);
        assert_eq!(swatch("XL"), None);
        assert_eq!(swatch(""), None);
    }

    #[test]
    fn related_products_follow_as_lazy_cards_and_a_sold_out_product_has_no_bottom_bar() {
        let related = Product { related: vec![crate::render::tests::card("Comb")], ..brush() };
        let html = product(&site("Cozy Pets"), &related);
        assert!(html.contains("<h2 id=\"related\">You may also like</h2><ul class=\"grid\">"));
        assert!(tags(&html, "img").last().unwrap().contains("loading=\"lazy\""));
        let sold_out = Product { variants: vec![variant("v1", "Red", Some(0))], ..brush() };
        assert!(!product(&site("Cozy Pets"), &sold_out).contains("class=\"stickybuy\""));
    }

    #[test]
    fn a_product_with_every_variant_sold_out_cannot_be_added() {
        let page = Product { variants: vec![variant("v1", "Red", Some(0))], ..brush() };
        let html = product(&site("Cozy Pets"), &page);
        assert!(html.contains("<button type=\"submit\" disabled>Sold out</button>"));
        assert!(html.contains("\"availability\":\"https://schema.org/OutOfStock\""));
    }

    #[test]
    fn media_images_come_in_sizes_for_small_screens() {
        let page = Product { images: vec!["/media/brush.webp".into()], ..brush() };
        let html = product(&site("Cozy Pets"), &page);
        assert!(html.contains(
            "srcset=\"/media/brush-480.webp 480w, /media/brush-800.webp 800w, /media/brush-960.webp 960w, \
             /media/brush.webp 1600w\""
        ));
        assert!(html.contains(
            "<meta property=\"og:image\" content=\"http://demo.localhost:8788/media/brush.webp\">"
        ));
    }

    #[test]
    fn the_product_page_shows_its_title_price_description_and_features() {
        let html = product(&site("Cozy Pets"), &brush());
        assert!(html.contains("<h1>Slicker Brush</h1>"));
        assert!(html.contains("Sale price: </span>$29.99</span>"));
        assert!(html.contains("<s><span class=\"vh\">Regular price: </span>$39.99</s>"));
        assert!(html.contains("<p>Soft pins lift loose fur.</p><p>One click cleans it.</p>"));
        assert!(html.contains("<h2>Features</h2><ul><li>Self-cleaning</li><li>Anti-slip handle</li></ul>"));
    }

    #[test]
    fn the_gallery_shows_every_image_loading_only_the_first_eagerly() {
        let html = product(&site("Cozy Pets"), &brush());
        let all = tags(&html, "img");
        assert_eq!(all.len(), 6, "three slides, three thumbnails");
        let (images, thumbnails) = all.split_at(3);
        assert!(thumbnails
            .iter()
            .all(|img| img.contains("loading=\"lazy\"") && img.contains("width=\"64\"")));
        assert!(html.contains("<li id=\"img-2\">") && html.contains("<a href=\"#img-2\"><img"));
        assert!(images[0].contains("loading=\"eager\" fetchpriority=\"high\""));
        assert!(images[0].contains("alt=\"Slicker Brush\""));
        assert!(images[1..].iter().all(|img| img.contains("loading=\"lazy\"")));
        assert!(images[2].contains("alt=\"Slicker Brush, image 3\""));
        assert!(images.iter().all(|img| img.contains("width=\"600\" height=\"600\"")));
    }

    #[test]
    fn a_breadcrumb_nav_leads_home() {
        let html = product(&site("Cozy Pets"), &brush());
        assert!(html.contains(
            "<nav aria-label=\"Breadcrumb\"><ol class=\"crumbs\"><li><a href=\"/\">Home</a></li>\
             <li><span aria-current=\"page\">Slicker Brush</span></li></ol></nav>"
        ));
    }

    #[test]
    fn the_product_head_has_its_own_title_canonical_url_and_product_social_meta() {
        let html = product(&site("Cozy Pets"), &brush());
        assert!(html.contains("<title>Slicker Brush | Cozy Pets</title>"));
        assert!(html.contains("<meta name=\"description\" content=\"Groom in minutes.\">"));
        let url = "http://demo.localhost:8788/products/slicker-brush";
        assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")));
        assert!(html.contains(&format!("<meta property=\"og:url\" content=\"{url}\">")));
        assert!(html.contains("<meta property=\"og:type\" content=\"product\">"));
        assert!(html.contains("<meta property=\"og:image\" content=\"https://img.example/1.jpg\">"));
        assert!(html.contains("<meta name=\"twitter:image\" content=\"https://img.example/1.jpg\">"));
        assert!(html.contains("<meta property=\"product:price:amount\" content=\"29.99\">"));
        assert!(html.contains("<meta property=\"product:price:currency\" content=\"USD\">"));
    }

    #[test]
    fn the_product_page_carries_product_and_breadcrumb_structured_data() {
        let html = product(&site("Cozy Pets"), &brush());
        assert_eq!(tags(&html, "script").len(), 2);
        assert!(html.contains("\"@type\":\"Product\""));
        assert!(html.contains("\"price\":\"29.99\""));
        assert!(html.contains("\"@type\":\"BreadcrumbList\""));
    }

    #[test]
    fn blank_meta_text_falls_back_to_the_title_and_description() {
        let page = Product { meta_title: " ".into(), meta_description: String::new(), ..brush() };
        let html = product(&site("Cozy Pets"), &page);
        assert!(html.contains("<title>Slicker Brush | Cozy Pets</title>"));
        assert!(html.contains("<meta name=\"description\" content=\"Soft pins lift loose fur.\">"));
    }

    #[test]
    fn a_product_without_images_has_no_gallery_or_social_image() {
        let html = product(&site("Cozy Pets"), &Product { images: vec![], ..brush() });
        assert!(!html.contains("<img"));
        assert!(!html.contains("og:image"));
    }

    #[test]
    fn product_text_cannot_inject_markup() {
        let evil = "<img src=x onerror=alert(1)>";
        let page = Product {
            title: evil.into(),
            description: vec![evil.into()],
            features: vec![evil.into()],
            meta_title: evil.into(),
            meta_description: evil.into(),
            images: vec!["https://img.example/\"><script>".into()],
            ..brush()
        };
        let html = product(&site("Cozy Pets"), &page);
        assert!(!html.contains(evil));
        assert!(!html.contains("\"><script>"));
        assert_eq!(tags(&html, "img").len(), 1);
    }

    fn hostile_product() -> Product {
        Product {
            title: "Slicker <Brush> & \"Comb\" for Rosie's cat".into(),
            images: vec!["/media/brush.webp".into(), "https://img.example/2.jpg?w=600&h=600".into()],
            description: vec![
                "Soft pins <b>lift</b> loose fur & \"dander\".".into(),
                "It's easy to clean.".into(),
            ],
            features: vec!["Self-cleaning <button>".into(), "Anti-slip & 'soft' handle".into()],
            meta_title: String::new(),
            meta_description: String::new(),
            variants: vec![
                variant("v-red", "Red <small>", Some(0)),
                variant("v-blue", "Blue & \"Navy\"", Some(3)),
                variant("v-green", "Green", None),
            ],
            ..brush()
        }
    }

    #[test]
    fn snapshot_of_a_product_with_variants_and_a_compare_at_price() {
        insta::assert_snapshot!(snapshot(&product(&hostile_site(), &hostile_product())));
    }

    #[test]
    fn snapshot_of_a_sold_out_product_without_images_or_variants() {
        let page = Product {
            images: vec![],
            compare_at: None,
            variants: vec![],
            meta_title: "<Brush> 'meta' & \"title\"".into(),
            meta_description: "Meta <description> & more.".into(),
            ..hostile_product()
        };
        let page = Product { variants: vec![variant("v1", "Only one", Some(0))], ..page };
        insta::assert_snapshot!(snapshot(&product(&hostile_site(), &page)));
    }
}
