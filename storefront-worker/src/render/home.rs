//! The home page: a banner (the merchant's hero image, if any), collection tiles, the featured
//! collection, best sellers and new arrivals, and the store itself as structured data.

use super::{card_grid, json_ld, layout, Card, Head, ImageSources, Site};
use crate::urls::{collection_path, ALL_PRODUCTS};
use html::{html, Markup};

/// What the home page shows.
#[derive(Debug, Clone, Default)]
pub struct HomePage {
    /// The featured collection: title, slug and its first products.
    pub featured: Option<(String, String, Vec<Card>)>,
    /// The most bought products.
    pub best_sellers: Vec<Card>,
    /// The newest products.
    pub newest: Vec<Card>,
}

/// The home page.
pub fn home(site: &Site, page: &HomePage) -> String {
    let hero = site.look.hero.as_deref();
    // Only the page's first grid may lead it, and not under a banner: the banner is the largest
    // paint, and the cards below it load lazily so that they take none of its bandwidth.
    let mut first_grid = hero.is_none();
    let mut grid = |cards: &[Card]| -> Markup {
        let html = if first_grid { card_grid(cards) } else { super::lazy_card_grid(cards) };
        first_grid = false;
        html
    };
    let featured = page.featured.as_ref().filter(|(_, _, cards)| !cards.is_empty());
    let featured_grid = featured.map(|(_, _, cards)| grid(cards));
    let best_grid = (!page.best_sellers.is_empty()).then(|| grid(&page.best_sellers));
    let newest_grid = (!page.newest.is_empty()).then(|| grid(&page.newest));
    let body = html! {
        section class="hero" {
            @if let Some(src) = hero {
                // A media image of the shop's own host comes in the sizes the media pipeline made.
                @let own = src.strip_prefix(site.origin.as_str()).filter(|path| path.starts_with('/'));
                @let sources = ImageSources::new(own.unwrap_or(src), site.look.theme.hero_sizes());
                img src=(sources.src) srcset=[sources.srcset.as_deref()] sizes=[sources.sizes] alt=""
                    width="1600" height="700" fetchpriority="high" decoding="async";
            }
            div class="txt" {
                h1 { (site.name) }
                p { "New arrivals and best sellers." }
                @match &page.featured {
                    Some((title, slug, _)) => p { a class="button" href=(collection_path(slug)) { "Shop " (title) } },
                    None => p { a class="button" href=(collection_path(ALL_PRODUCTS)) { "Shop all products" } },
                }
            }
        }
        section aria-labelledby="tiles" {
            h2 id="tiles" { "Shop by collection" }
            ul class="tiles" {
                @for (slug, title) in site.look.menu_items() {
                    li { a href=(collection_path(slug)) { (title) } }
                }
                @if let (true, Some((title, slug, _))) = (site.look.menu.is_empty(), &page.featured) {
                    li { a href=(collection_path(slug)) { (title) } }
                }
                li { a href=(collection_path(ALL_PRODUCTS)) { "All products" } }
            }
        }
        @if let (Some((title, slug, _)), Some(cards)) = (featured, featured_grid) {
            section aria-labelledby="featured" {
                h2 id="featured" { (title) }
                (cards)
                p { a href=(collection_path(slug)) { "See all of " (title) } }
            }
        }
        @if let Some(cards) = best_grid {
            section aria-labelledby="best" {
                h2 id="best" { "Best sellers" }
                (cards)
            }
        }
        @match newest_grid {
            None => p { "New products are on their way. Check back soon." },
            Some(cards) => section aria-labelledby="new" {
                h2 id="new" { "New arrivals" }
                (cards)
            },
        }
    };
    let title = format!("{} | Shop new arrivals", site.name);
    let description = format!("Shop {}: new arrivals and best sellers.", site.name);
    let canonical = site.origin.url("/");
    let image = page
        .featured
        .iter()
        .flat_map(|(_, _, cards)| cards.iter())
        .chain(page.newest.iter())
        .find_map(|p| p.image.as_deref())
        .map(|src| if src.starts_with('/') { site.origin.url(src) } else { src.to_owned() });
    let head = Head {
        title: &title,
        description: &description,
        canonical: Some(&canonical),
        og_type: "website",
        image: image.as_deref(),
        price: None,
        noindex: false,
        json_ld: vec![json_ld::organization(site), json_ld::website(site)],
        icon: true,
        refresh: false,
    };
    layout(site, Some(""), &head, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{card, hostile_cards, hostile_site, site, snapshot, tags};

    fn newest(cards: Vec<Card>) -> HomePage {
        HomePage { newest: cards, ..HomePage::default() }
    }

    #[test]
    fn the_home_page_lists_products_with_prices() {
        let html = home(&site("Cozy Pets"), &newest(vec![card("Slicker Brush")]));
        assert!(html.contains("<a href=\"/products/brush\">"));
        assert!(html.contains("Slicker Brush"));
        assert!(html.contains("$29.99"));
        assert!(html.contains("Regular price: </span>$39.99</s>"));
    }

    #[test]
    fn the_home_page_has_a_hero_the_featured_collection_and_best_sellers() {
        let page = HomePage {
            featured: Some(("Summer Grooming".into(), "summer".into(), vec![card("Comb")])),
            best_sellers: vec![card("Brush")],
            newest: vec![card("Bowl")],
        };
        let html = home(&site("Cozy Pets"), &page);
        assert!(html.contains("<section class=\"hero\"><div class=\"txt\"><h1>Cozy Pets</h1>"));
        assert!(html.contains("<a class=\"button\" href=\"/collections/summer\">Shop Summer Grooming</a>"));
        assert!(html.contains("<h2 id=\"featured\">Summer Grooming</h2>"));
        assert!(html.contains("<h2 id=\"best\">Best sellers</h2>"));
        let images = tags(&html, "img");
        assert_eq!(images.iter().filter(|i| i.contains("fetchpriority=\"high\"")).count(), 1);
        assert!(images[1].contains("loading=\"lazy\""));
    }

    #[test]
    fn supplier_text_cannot_inject_markup() {
        let html = home(&site("<b>Shop</b>"), &newest(vec![card("<script>alert(1)</script>")]));
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<b>Shop</b>"));
    }

    #[test]
    fn an_empty_store_says_products_are_coming() {
        let html = home(&site("Cozy Pets"), &HomePage::default());
        assert!(html.contains("Cozy Pets"));
        assert!(html.contains("New products are on their way"));
    }

    #[test]
    fn the_home_page_has_a_canonical_url_and_social_meta_on_the_request_origin() {
        let html = home(&site("Cozy Pets"), &newest(vec![card("Slicker Brush")]));
        assert!(html.contains("<title>Cozy Pets | Shop new arrivals</title>"));
        assert!(html.contains("<link rel=\"canonical\" href=\"http://demo.localhost:8788/\">"));
        assert!(html.contains("<meta property=\"og:url\" content=\"http://demo.localhost:8788/\">"));
        assert!(html.contains("<meta property=\"og:image\" content=\"https://img.example/brush.jpg\">"));
        assert!(html.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
        assert!(!html.contains("noindex"));
    }

    #[test]
    fn the_home_page_describes_the_organization_and_its_site_search() {
        let html = home(&site("Cozy Pets"), &HomePage::default());
        assert!(html.contains("\"@type\":\"Organization\""));
        assert!(html.contains("\"urlTemplate\":\"http://demo.localhost:8788/search?q={search_term_string}\""));
        assert!(!html.contains("og:image"));
    }

    #[test]
    fn card_images_have_a_size_and_only_the_first_row_loads_eagerly() {
        let cards: Vec<Card> = (0..6).map(|i| card(&format!("Brush {i}"))).collect();
        let html = home(&site("Cozy Pets"), &newest(cards));
        let images = tags(&html, "img");
        assert_eq!(images.len(), 6);
        assert!(images
            .iter()
            .all(|img| img.contains("width=\"400\" height=\"400\"") && img.contains("alt=\"\"")));
        assert_eq!(images.iter().filter(|img| img.contains("loading=\"lazy\"")).count(), 2);
    }

    #[test]
    fn under_a_banner_the_banner_loads_first_and_every_card_image_waits() {
        let mut site = site("Cozy Pets");
        site.look.hero = Some("/media/banner.webp".into());
        let cards: Vec<Card> = (0..6).map(|i| card(&format!("Brush {i}"))).collect();
        let html = home(&site, &newest(cards));
        let images = tags(&html, "img");
        assert_eq!(images.len(), 7);
        assert!(images[0].contains("src=\"/media/banner-960.webp\""), "{}", images[0]);
        assert!(images[0].contains("/media/banner-800.webp 800w"), "{}", images[0]);
        assert!(
            images[0].contains("sizes=\"(min-width: 75rem) 73rem, calc(100vw - 2rem)\""),
            "{}",
            images[0]
        );
        assert!(images[0].contains("fetchpriority=\"high\""));
        for card in &images[1..] {
            assert!(card.contains("loading=\"lazy\"") && !card.contains("fetchpriority"), "{card}");
        }
    }

    #[test]
    fn snapshot_of_the_home_page_with_products() {
        let page = HomePage {
            featured: Some(("Summer <Grooming> & \"Care\"".into(), "summer".into(), hostile_cards())),
            best_sellers: vec![card("Best <b>Brush</b>")],
            newest: hostile_cards(),
        };
        insta::assert_snapshot!(snapshot(&home(&hostile_site(), &page)));
    }

    #[test]
    fn snapshot_of_the_home_page_of_an_empty_store() {
        insta::assert_snapshot!(snapshot(&home(&hostile_site(), &HomePage::default())));
    }
}
