//! A collection page: its products sorted and filtered (price, availability) as the shopper chose
//! with a plain GET form, a page at a time, with breadcrumbs and an item list as structured data.

use super::{card_grid, layout, Card, Head, Site};
use crate::urls::{collection_path, product_path};
use html::{html, Sanitized};
use serde_json::json;

/// How a collection's products are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// The merchant's order.
    Manual,
    /// Most units sold first.
    BestSelling,
    /// Newest first.
    Newest,
    /// Cheapest first.
    PriceAsc,
    /// Dearest first.
    PriceDesc,
}

impl Sort {
    /// Every order, as the sort menu lists them.
    pub const ALL: [Sort; 5] =
        [Sort::Manual, Sort::BestSelling, Sort::Newest, Sort::PriceAsc, Sort::PriceDesc];

    /// The order of a query value or setting.
    pub fn parse(text: &str) -> Option<Self> {
        Sort::ALL.into_iter().find(|s| s.key() == text)
    }

    /// Its query value.
    pub fn key(self) -> &'static str {
        match self {
            Sort::Manual => "manual",
            Sort::BestSelling => "best_selling",
            Sort::Newest => "newest",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Sort::Manual => "Featured",
            Sort::BestSelling => "Best selling",
            Sort::Newest => "Newest",
            Sort::PriceAsc => "Price, low to high",
            Sort::PriceDesc => "Price, high to low",
        }
    }
}

/// The shopper's narrowing of a collection: query `in_stock=1`, `min` and `max` (whole units of
/// the store's currency, inclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only products that can be bought.
    pub in_stock: bool,
    /// The lowest price.
    pub min: Option<u32>,
    /// The highest price.
    pub max: Option<u32>,
}

impl Filter {
    /// Highest price a filter accepts (whole units).
    pub const MAX_PRICE: u32 = 1_000_000;

    /// The filter's part of a query of a collection URL: `&name=value` each, in a fixed order.
    pub fn query(self) -> String {
        let mut query = String::new();
        if self.in_stock {
            query.push_str("&in_stock=1");
        }
        for (name, bound) in [("&min=", self.min), ("&max=", self.max)] {
            if let Some(bound) = bound {
                query.push_str(name);
                query.push_str(&bound.to_string());
            }
        }
        query
    }

    /// A price bound of a query value: blank is none, and so is anything but a whole number up to
    /// [`Filter::MAX_PRICE`].
    pub fn price(value: &str) -> Option<u32> {
        value.trim().parse().ok().filter(|p| *p <= Self::MAX_PRICE)
    }
}

/// What a collection page shows.
#[derive(Debug, Clone)]
pub struct CollectionPage {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Description, HTML (sanitised again here).
    pub description_html: String,
    /// `<title>`; the title and store name when blank.
    pub meta_title: String,
    /// Meta description; the description's text when blank.
    pub meta_description: String,
    /// The collection's own order.
    pub default_sort: Sort,
    /// The order shown.
    pub sort: Sort,
    /// The filter applied.
    pub filter: Filter,
    /// The page shown, from 1.
    pub page: u32,
    /// Products in the collection.
    pub total: u32,
    /// Products per page.
    pub per_page: u32,
    /// This page's products.
    pub cards: Vec<Card>,
}

impl CollectionPage {
    /// Pages in all (at least one).
    pub fn pages(&self) -> u32 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }

    /// The path of page `n` in the order shown.
    pub fn path(&self, n: u32) -> String {
        let mut query = String::new();
        if self.sort != self.default_sort {
            query.push_str("&sort=");
            query.push_str(self.sort.key());
        }
        query.push_str(&self.filter.query());
        if n > 1 {
            query.push_str("&page=");
            query.push_str(&n.to_string());
        }
        let mut path = collection_path(&self.slug);
        if let Some(query) = query.strip_prefix('&') {
            path.push('?');
            path.push_str(query);
        }
        path
    }
}

/// A collection page.
pub fn collection(site: &Site, page: &CollectionPage) -> String {
    let description = Sanitized::from_untrusted(&page.description_html);
    let body = html! {
        nav aria-label="Breadcrumb" {
            ol class="crumbs" {
                li { a href="/" { "Home" } }
                li { span aria-current="page" { (page.title) } }
            }
        }
        h1 { (page.title) }
        @if !description.is_blank() {
            div class="description" { (description) }
        }
        form method="get" action=(collection_path(&page.slug)) class="filters" aria-label="Sort and filter" {
            div {
                label for="sort" { "Sort by" }
                select id="sort" name="sort" {
                    @for sort in Sort::ALL {
                        option value=(sort.key()) selected[sort == page.sort] { (sort.label()) }
                    }
                }
            }
            div {
                label for="min" { "Price from" }
                input id="min" type="number" name="min" min="0" max=(Filter::MAX_PRICE) step="1" inputmode="numeric"
                    value=[page.filter.min];
            }
            div {
                label for="max" { "Price to" }
                input id="max" type="number" name="max" min="0" max=(Filter::MAX_PRICE) step="1" inputmode="numeric"
                    value=[page.filter.max];
            }
            label class="check" {
                input type="checkbox" name="in_stock" value="1" checked[page.filter.in_stock];
                "In stock only"
            }
            button type="submit" { "Apply" }
        }
        p role="status" { (page.total) " product" @if page.total != 1 { "s" } }
        @if page.cards.is_empty() && page.filter != Filter::default() {
            p { "No products match these filters. " a href=(collection_path(&page.slug)) { "Show all of " (page.title) } }
        } @else if page.cards.is_empty() {
            p { "There is nothing in this collection yet." }
        } @else {
            (card_grid(&page.cards))
        }
        @if page.pages() > 1 {
            nav aria-label="Pages" {
                ul class="pager" {
                    @if page.page > 1 {
                        li { a rel="prev" href=(page.path(page.page - 1)) { "Previous page" } }
                    }
                    li { "Page " (page.page) " of " (page.pages()) }
                    @if page.page < page.pages() {
                        li { a rel="next" href=(page.path(page.page + 1)) { "Next page" } }
                    }
                }
            }
        }
    };

    let mut head_title = if page.meta_title.trim().is_empty() {
        format!("{} | {}", page.title, site.name)
    } else {
        page.meta_title.clone()
    };
    if page.page > 1 {
        head_title = format!("{head_title} (page {})", page.page);
    }
    let description = if !page.meta_description.trim().is_empty() {
        page.meta_description.clone()
    } else {
        let text = domain::html::plain_text(&page.description_html);
        if text.is_empty() {
            format!("Shop {} at {}.", page.title, site.name)
        } else {
            domain::content::truncate_words(&text, domain::content::META_DESCRIPTION_MAX)
        }
    };
    // Sorted and filtered views share the collection's canonical page; later pages are their own.
    let canonical_path = if page.page > 1 {
        format!("{}?page={}", collection_path(&page.slug), page.page)
    } else {
        collection_path(&page.slug)
    };
    let canonical = site.origin.url(&canonical_path);
    let crumbs = json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            { "@type": "ListItem", "position": 1, "name": "Home", "item": site.origin.url("/") },
            { "@type": "ListItem", "position": 2, "name": page.title, "item": site.origin.url(&collection_path(&page.slug)) },
        ],
    });
    let offset = (page.page.saturating_sub(1) * page.per_page) as usize;
    let items = json!({
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": page.title,
        "itemListElement": page.cards.iter().enumerate().map(|(i, card)| json!({
            "@type": "ListItem", "position": offset + i + 1, "url": site.origin.url(&product_path(&card.slug)),
        })).collect::<Vec<_>>(),
    });
    let image = page.cards.iter().find_map(|c| c.image.as_deref()).map(|src| {
        if src.starts_with('/') {
            site.origin.url(src)
        } else {
            src.to_owned()
        }
    });
    let head = Head {
        title: &head_title,
        description: &description,
        canonical: Some(&canonical),
        og_type: "website",
        image: image.as_deref(),
        price: None,
        noindex: false,
        json_ld: vec![crumbs, items],
        icon: true,
        refresh: false,
    };
    layout(site, Some(""), &head, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{card, hostile_cards, hostile_site, site, snapshot, tags};

    fn page(total: u32, page: u32, sort: Sort) -> CollectionPage {
        CollectionPage {
            slug: "brushes".into(),
            title: "Brushes".into(),
            description_html: "<p>Soft <em>and</em> firm.</p><script>alert(1)</script>".into(),
            meta_title: String::new(),
            meta_description: String::new(),
            default_sort: Sort::BestSelling,
            sort,
            filter: Filter::default(),
            page,
            total,
            per_page: 24,
            cards: vec![card("Slicker Brush")],
        }
    }

    #[test]
    fn a_collection_shows_its_sanitised_description_sort_menu_and_products() {
        let html = collection(&site("Cozy Pets"), &page(1, 1, Sort::BestSelling));
        assert!(html.contains("<h1>Brushes</h1>"));
        assert!(html.contains("<div class=\"description\"><p>Soft <em>and</em> firm.</p></div>"));
        assert!(!html.contains("alert(1)"));
        assert!(html.contains("<label for=\"sort\">Sort by</label>"));
        assert!(html.contains("<option value=\"best_selling\" selected>Best selling</option>"));
        assert!(html.contains("<p role=\"status\">1 product</p>"));
        assert!(html.contains("<meta name=\"description\" content=\"Soft and firm.\">"));
        assert!(!html.contains("rel=\"next\""));
    }

    #[test]
    fn pages_link_to_their_neighbours_keeping_the_chosen_order() {
        let html = collection(&site("Cozy Pets"), &page(60, 2, Sort::PriceAsc));
        assert!(html.contains("<a rel=\"prev\" href=\"/collections/brushes?sort=price_asc\">"));
        assert!(html.contains("<a rel=\"next\" href=\"/collections/brushes?sort=price_asc&amp;page=3\">"));
        assert!(html.contains("<li>Page 2 of 3</li>"));
        assert!(html.contains(
            "<link rel=\"canonical\" href=\"http://demo.localhost:8788/collections/brushes?page=2\">"
        ));
        assert!(html.contains("<title>Brushes | Cozy Pets (page 2)</title>"));
    }

    #[test]
    fn a_collection_carries_breadcrumbs_and_an_item_list() {
        let html = collection(&site("Cozy Pets"), &page(1, 1, Sort::BestSelling));
        assert_eq!(tags(&html, "script").len(), 2, "two JSON-LD scripts");
        assert!(html.contains("\"@type\":\"ItemList\""));
        assert!(html.contains("\"url\":\"http://demo.localhost:8788/products/brush\""));
    }

    #[test]
    fn sort_keys_round_trip() {
        for sort in Sort::ALL {
            assert_eq!(Sort::parse(sort.key()), Some(sort));
        }
        assert_eq!(Sort::parse("random"), None);
    }

    #[test]
    fn snapshot_of_a_sorted_collection_on_its_second_page() {
        let page = CollectionPage {
            title: "Brushes & <Combs>".into(),
            description_html:
                "<p>Soft <em>and</em> \"firm\" & <a href=\"/pages/about\" onclick=\"x()\">ours</a>.</p>\
                               <script>alert('x')</script><img src=x onerror=alert(1)>"
                    .into(),
            cards: hostile_cards(),
            ..page(60, 2, Sort::PriceAsc)
        };
        insta::assert_snapshot!(snapshot(&collection(&hostile_site(), &page)));
    }

    #[test]
    fn snapshot_of_an_empty_collection() {
        let page = CollectionPage {
            description_html: String::new(),
            meta_title: "Brushes for <cats>".into(),
            meta_description: "Every brush we sell: 'soft' & \"firm\".".into(),
            cards: vec![],
            ..page(0, 1, Sort::BestSelling)
        };
        insta::assert_snapshot!(snapshot(&collection(&hostile_site(), &page)));
    }
}
