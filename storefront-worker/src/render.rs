//! HTML pages, rendered from plain data. Every piece of text is escaped here, so supplier and
//! generated text can never inject markup.

use domain::Money;
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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
}

/// A full product page's content.
#[derive(Debug, Clone)]
pub struct ProductPage {
    /// The card data.
    pub card: Card,
    /// Description paragraphs.
    pub description: Vec<String>,
    /// Feature bullets.
    pub features: Vec<String>,
    /// `<title>`.
    pub meta_title: String,
    /// Meta description.
    pub meta_description: String,
}

fn layout(store_name: &str, title: &str, description: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><meta name=\"description\" content=\"{description}\">\
         <style>body{{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a}}header,main,footer{{max-width:72rem;margin:auto;padding:1rem}}\
         ul.grid{{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}}\
         .card img{{width:100%;height:auto;aspect-ratio:1;object-fit:cover}}a{{color:#0b5394}}s{{color:#595959}}</style>\
         </head><body><header><a href=\"/\"><strong>{store}</strong></a></header><main>{body}</main>\
         <footer><small>&copy; {store}</small></footer></body></html>",
        title = escape(title),
        description = escape(description),
        store = escape(store_name),
    )
}

fn price_html(price: Money, compare_at: Option<Money>) -> String {
    match compare_at {
        Some(was) if was.minor > price.minor => {
            format!("<span class=\"price\">{price}</span> <s aria-label=\"was\">{was}</s>")
        }
        _ => format!("<span class=\"price\">{price}</span>"),
    }
}

/// The home page: the newest published products.
pub fn home(store_name: &str, products: &[Card]) -> String {
    let mut body = format!("<h1>{}</h1>", escape(store_name));
    if products.is_empty() {
        body.push_str("<p>New products are on their way. Check back soon.</p>");
    } else {
        body.push_str("<h2>New arrivals</h2><ul class=\"grid\">");
        for p in products {
            let _ = write!(
                body,
                "<li class=\"card\"><a href=\"/products/{slug}\">{img}<span>{title}</span></a> {price}</li>",
                slug = escape(&p.slug),
                img = p
                    .image
                    .as_deref()
                    .map(|src| format!(
                        "<img src=\"{}\" alt=\"\" loading=\"lazy\" width=\"400\" height=\"400\">",
                        escape(src)
                    ))
                    .unwrap_or_default(),
                title = escape(&p.title),
                price = price_html(p.price, p.compare_at),
            );
        }
        body.push_str("</ul>");
    }
    layout(store_name, store_name, &format!("Shop {store_name}: new arrivals and best sellers."), &body)
}

/// A product page.
pub fn product(store_name: &str, page: &ProductPage) -> String {
    let mut body = format!("<h1>{}</h1>", escape(&page.card.title));
    if let Some(src) = &page.card.image {
        let _ = write!(
            body,
            "<img src=\"{}\" alt=\"{}\" width=\"600\" height=\"600\">",
            escape(src),
            escape(&page.card.title)
        );
    }
    let _ = write!(body, "<p>{}</p>", price_html(page.card.price, page.card.compare_at));
    for paragraph in &page.description {
        let _ = write!(body, "<p>{}</p>", escape(paragraph));
    }
    body.push_str("<ul>");
    for feature in &page.features {
        let _ = write!(body, "<li>{}</li>", escape(feature));
    }
    body.push_str("</ul>");
    layout(store_name, &page.meta_title, &page.meta_description, &body)
}

/// The page for an unknown host or path.
pub fn not_found(store_name: Option<&str>) -> String {
    let name = store_name.unwrap_or("Store not found");
    layout(
        name,
        "Page not found",
        "This page does not exist.",
        "<h1>Page not found</h1><p><a href=\"/\">Back to the shop</a></p>",
    )
}

/// The page of a suspended store.
pub fn unavailable(store_name: &str) -> String {
    layout(
        store_name,
        "Temporarily unavailable",
        "This store is temporarily unavailable.",
        "<h1>Temporarily unavailable</h1><p>This store is closed for now. Please come back later.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Currency;

    fn card(title: &str) -> Card {
        Card {
            slug: "brush".into(),
            title: title.into(),
            price: Money::from_minor(2999, Currency::Usd),
            compare_at: Some(Money::from_minor(3999, Currency::Usd)),
            image: Some("https://img.example/brush.jpg".into()),
        }
    }

    #[test]
    fn the_home_page_lists_products_with_prices() {
        let html = home("Cozy Pets", &[card("Slicker Brush")]);
        assert!(html.contains("<a href=\"/products/brush\">"));
        assert!(html.contains("Slicker Brush"));
        assert!(html.contains("$29.99"));
        assert!(html.contains("<s aria-label=\"was\">$39.99</s>"));
    }

    #[test]
    fn supplier_text_cannot_inject_markup() {
        let html = home("<b>Shop</b>", &[card("<script>alert(1)</script>")]);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<b>Shop</b>"));
    }

    #[test]
    fn an_empty_store_says_products_are_coming() {
        assert!(home("Cozy Pets", &[]).contains("New products are on their way"));
    }
}
