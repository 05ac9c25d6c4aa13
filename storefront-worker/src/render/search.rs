//! The search page: a search form when there is no query, else the matching products. Never
//! indexed by search engines.

use super::{card_grid, layout, search_form, Card, Head, Site};
use crate::urls::search_path;
use html::html;

/// The search page for `query`, with `results` when the query is not empty (`None` shows the
/// search form only).
pub fn search(site: &Site, query: &str, results: Option<&[Card]>) -> String {
    let (title, description, body) = match results {
        Some(results) if !query.is_empty() => (
            format!("Search results for “{query}” | {}", site.name),
            format!("Products matching “{query}” at {}.", site.name),
            html! {
                h1 { "Search results for “" (query) "”" }
                @match results.len() {
                    0 => p role="status" { "No products match “" (query) "”. Try another word." },
                    1 => p role="status" { "1 product found." },
                    n => p role="status" { (n) " products found." },
                }
                @if !results.is_empty() {
                    (card_grid(results))
                }
            },
        ),
        _ => (
            format!("Search | {}", site.name),
            format!("Search the products of {}.", site.name),
            html! {
                h1 { "Search" }
                (search_form("search-q", "Search products", html! { "What are you looking for?" }, ""))
            },
        ),
    };
    let canonical = site.origin.url(&search_path(query));
    let head = Head {
        title: &title,
        description: &description,
        canonical: Some(&canonical),
        og_type: "website",
        image: None,
        price: None,
        noindex: true,
        json_ld: Vec::new(),
        icon: true,
        refresh: false,
    };
    layout(site, Some(query), &head, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{card, hostile_cards, hostile_site, site, snapshot};

    #[test]
    fn the_search_page_is_never_indexed() {
        for html in [search(&site("Cozy Pets"), "", None), search(&site("Cozy Pets"), "brush", Some(&[]))] {
            assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        }
    }

    #[test]
    fn an_empty_query_shows_a_labelled_search_form() {
        let html = search(&site("Cozy Pets"), "", None);
        assert!(html.contains("<title>Search | Cozy Pets</title>"));
        assert!(html.contains("<label for=\"search-q\">What are you looking for?</label>"));
        assert!(html.contains("<input id=\"search-q\" type=\"search\" name=\"q\""));
        assert!(html.contains("<link rel=\"canonical\" href=\"http://demo.localhost:8788/search\">"));
    }

    #[test]
    fn results_list_the_matching_products_and_keep_the_query_in_the_header_form() {
        let html = search(&site("Cozy Pets"), "brush", Some(&[card("Slicker Brush")]));
        assert!(html.contains("<h1>Search results for “brush”</h1>"));
        assert!(html.contains("<p role=\"status\">1 product found.</p>"));
        assert!(html.contains("<a href=\"/products/brush\">"));
        assert!(html
            .contains("<input id=\"site-q\" type=\"search\" name=\"q\" maxlength=\"100\" value=\"brush\" placeholder=\"Search\">"));
        assert!(html.contains("<title>Search results for “brush” | Cozy Pets</title>"));
        assert!(html.contains("href=\"http://demo.localhost:8788/search?q=brush\""));
        assert_eq!(html.matches("name=\"q\"").count(), 1, "one search form: the header's");
    }

    #[test]
    fn a_query_without_matches_says_so() {
        let html = search(&site("Cozy Pets"), "kayak", Some(&[]));
        assert!(html.contains("No products match “kayak”"));
        assert!(!html.contains("<ul class=\"grid\">"));
    }

    #[test]
    fn the_query_cannot_inject_markup() {
        let query = "\"><script>alert(1)</script>";
        let html = search(&site("Cozy Pets"), query, Some(&[]));
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
        assert!(html.contains("search?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"));
    }

    #[test]
    fn snapshot_of_search_results() {
        insta::assert_snapshot!(snapshot(&search(&hostile_site(), "brush & comb", Some(&hostile_cards()))));
    }

    #[test]
    fn snapshot_of_a_search_without_results() {
        insta::assert_snapshot!(snapshot(&search(&hostile_site(), "kayak", Some(&[]))));
    }

    #[test]
    fn snapshot_of_a_search_for_markup() {
        let query = "\"><script>alert('q')</script>&amp;";
        insta::assert_snapshot!(snapshot(&search(&hostile_site(), query, Some(&[]))));
    }

    #[test]
    fn snapshot_of_the_search_form_without_a_query() {
        insta::assert_snapshot!(snapshot(&search(&hostile_site(), "", None)));
    }
}
