//! Product links in free text (post URLs, markdown, feed URLs): AliExpress item ids and Amazon
//! ASINs, so that a post or listing can be tied to a supplier's product by id rather than by title.

/// A product named by a link.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProductLink {
    /// An AliExpress item id, e.g. `1005006100000000` from `/item/1005006100000000.html`.
    AliExpress(String),
    /// An Amazon ASIN, e.g. `B0C1XJ4Q2M` from `/dp/B0C1XJ4Q2M`.
    Amazon(String),
}

/// Every product link in `text`, in order of appearance, each once.
///
/// Recognises `aliexpress.*/item/<id>.html` and `/i/<id>.html`, and `amazon.*/dp/<asin>`,
/// `/gp/product/<asin>` and `/gp/aw/d/<asin>`, with or without a scheme, inside markdown or
/// angle brackets. Short links (`amzn.to`, `s.click.aliexpress.com`) name no product and are
/// ignored: resolving them would mean following redirects to third parties.
pub fn product_links(text: &str) -> Vec<ProductLink> {
    let mut found = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || "()[]<>\"'|\\".contains(c)) {
        if let Some(link) = parse(token) {
            if !found.contains(&link) {
                found.push(link);
            }
        }
    }
    found
}

/// The AliExpress item id a URL names, if any.
pub fn aliexpress_id(url: &str) -> Option<String> {
    match parse(url) {
        Some(ProductLink::AliExpress(id)) => Some(id),
        _ => None,
    }
}

fn parse(token: &str) -> Option<ProductLink> {
    let rest = token.split_once("://").map_or(token, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..end].to_ascii_lowercase();
    let path = rest[end..].split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    if labels.contains(&"aliexpress") {
        return segments
            .windows(2)
            .find(|w| w[0] == "item" || w[0] == "i")
            .and_then(|w| {
                let digits: String = w[1].chars().take_while(char::is_ascii_digit).collect();
                (digits.len() >= 6 && w[1][digits.len()..].starts_with(".htm")).then_some(digits)
            })
            .map(ProductLink::AliExpress);
    }
    if labels.contains(&"amazon") {
        let asin = segments.iter().enumerate().find_map(|(i, s)| {
            let after = match (*s, segments.get(i + 1).copied()) {
                ("dp", _) => segments.get(i + 1),
                ("gp", Some("product")) => segments.get(i + 2),
                ("gp", Some("aw")) if segments.get(i + 2) == Some(&"d") => segments.get(i + 3),
                _ => None,
            }?;
            (after.len() == 10 && after.bytes().all(|b| b.is_ascii_alphanumeric()))
                .then(|| after.to_ascii_uppercase())
        });
        return asin.map(ProductLink::Amazon);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ali(id: &str) -> ProductLink {
        ProductLink::AliExpress(id.into())
    }

    fn amazon(asin: &str) -> ProductLink {
        ProductLink::Amazon(asin.into())
    }

    #[test]
    fn an_aliexpress_item_url_gives_its_id() {
        assert_eq!(
            product_links("https://www.aliexpress.com/item/1005006100000000.html?spm=a2g0o.detail"),
            vec![ali("1005006100000000")]
        );
        assert_eq!(
            product_links("https://m.aliexpress.us/item/3256806100000000.html"),
            vec![ali("3256806100000000")]
        );
        assert_eq!(product_links("aliexpress.com/i/32812345678.html"), vec![ali("32812345678")]);
    }

    #[test]
    fn amazon_product_urls_give_their_asin_in_upper_case() {
        assert_eq!(
            product_links("https://www.amazon.com/Slicker-Brush-Shedding/dp/B0C1XJ4Q2M/ref=sr_1_3?th=1"),
            vec![amazon("B0C1XJ4Q2M")]
        );
        assert_eq!(product_links("https://amazon.co.uk/gp/product/b07pgl2n7j"), vec![amazon("B07PGL2N7J")]);
        assert_eq!(product_links("https://www.amazon.com/gp/aw/d/B09XYZ1234"), vec![amazon("B09XYZ1234")]);
    }

    #[test]
    fn links_inside_markdown_are_found_once_each_in_order() {
        let text = "Got it [here](https://www.amazon.com/dp/B0C1XJ4Q2M) and cheaper \
                    <https://www.aliexpress.com/item/1005006100000000.html>, again \
                    https://www.amazon.com/dp/B0C1XJ4Q2M?tag=x";
        assert_eq!(product_links(text), vec![amazon("B0C1XJ4Q2M"), ali("1005006100000000")]);
    }

    #[test]
    fn short_links_search_pages_and_other_hosts_name_no_product() {
        for text in [
            "https://amzn.to/3xYzAbC",
            "https://s.click.aliexpress.com/e/_DdQ1xYz",
            "https://www.aliexpress.com/w/wholesale-slicker-brush.html",
            "https://www.amazon.com/s?k=slicker+brush",
            "https://example.com/item/1005006100000000.html",
            "https://www.amazon.com/dp/SHORT",
            "https://i.redd.it/abc123.jpeg",
        ] {
            assert_eq!(product_links(text), vec![], "{text}");
        }
    }

    #[test]
    fn the_aliexpress_id_of_a_product_page_is_read_alone() {
        assert_eq!(
            aliexpress_id("https://www.aliexpress.com/item/1005006100000000.html").as_deref(),
            Some("1005006100000000")
        );
        assert_eq!(aliexpress_id("https://www.amazon.com/dp/B0C1XJ4Q2M"), None);
    }

    proptest! {
        #[test]
        fn any_text_is_scanned_without_panicking(text in "\\PC{0,200}") {
            let _ = product_links(&text);
        }

        #[test]
        fn an_item_link_is_found_wherever_it_sits(
            before in "[a-zA-Z ,.!]{0,40}",
            after in "[a-zA-Z ,.!]{0,40}",
            id in "[1-9][0-9]{9,15}",
        ) {
            let text = format!("{before} https://www.aliexpress.com/item/{id}.html {after}");
            prop_assert_eq!(product_links(&text), vec![ali(&id)]);
        }
    }
}
