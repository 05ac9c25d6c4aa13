//! The review page of an order, reached from its review link: a form per product the buyer has
//! not reviewed yet. Per shopper, never cached, never indexed; works with plain HTML forms.

use super::{layout, Head, Site};
use html::{html, Markup};

/// A product of the order, as the review page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ReviewItem {
    /// The product.
    pub product_id: String,
    /// Its title when ordered.
    pub title: String,
    /// 1 once the buyer reviewed it from this order.
    pub reviewed: i64,
}

/// The review page.
#[derive(Debug, Clone, Default)]
pub struct ReviewView {
    /// The order's number.
    pub number: i64,
    /// The order page's token, for the forms' address.
    pub token: String,
    /// The order's products.
    pub items: Vec<ReviewItem>,
    /// A notice: thanks after a review, or why one was refused.
    pub notice: Option<(bool, String)>,
}

fn form(token: &str, item: &ReviewItem, n: usize) -> Markup {
    let id = |name: &str| format!("{name}-{n}");
    html! {
        form method="post" action=(format!("/orders/{token}/review")) {
            input type="hidden" name="product_id" value=(item.product_id);
            fieldset {
                legend { "Your rating" }
                @for stars in (1..=5).rev() {
                    label {
                        input type="radio" name="rating" value=(stars) required;
                        " " (stars) (if stars == 1 { " star" } else { " stars" })
                    }
                    " "
                }
            }
            p {
                label for=(id("title")) { "Title" }
                br;
                input id=(id("title")) name="title" required maxlength="120";
            }
            p {
                label for=(id("body")) { "Your review" }
                br;
                textarea id=(id("body")) name="body" required maxlength="4000" rows="5" {}
            }
            p {
                label for=(id("author")) { "Your name, as shown with the review" }
                br;
                input id=(id("author")) name="author" required maxlength="60" autocomplete="given-name";
            }
            button type="submit" { "Send review" }
        }
    }
}

/// The review page of an order.
pub fn review(site: &Site, view: &ReviewView) -> String {
    let body = html! {
        h1 { "Review your order #" (view.number) }
        @if let Some((ok, notice)) = &view.notice {
            @if *ok { p role="status" { (notice) } } @else { p role="alert" { (notice) } }
        }
        p { "Reviews appear on the shop once the shop has read them, with your name and the words " em { "verified buyer" } "." }
        @for (n, item) in view.items.iter().enumerate() {
            section {
                h2 { (item.title) }
                @if item.reviewed > 0 {
                    p { "Thank you: your review of this product is in." }
                } @else {
                    (form(&view.token, item, n))
                }
            }
        }
    };
    let title = format!("Review your order | {}", site.name);
    layout(site, None, &Head::plain(&title, "Review your order."), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::site;

    #[test]
    fn each_product_not_yet_reviewed_gets_a_form_that_works_without_javascript() {
        let item = |id: &str, title: &str, reviewed: i64| ReviewItem {
            product_id: id.into(),
            title: title.into(),
            reviewed,
        };
        let view = ReviewView {
            number: 1001,
            token: "ab".repeat(24),
            items: vec![item("p1", "Mug <b>", 0), item("p2", "Brush", 1)],
            notice: Some((true, "Thank you!".into())),
        };
        let html = review(&site("Cozy Pets"), &view);
        assert!(html.contains("<h1>Review your order #1001</h1>"));
        assert!(
            html.contains(&format!("<form method=\"post\" action=\"/orders/{}/review\">", "ab".repeat(24)))
        );
        assert!(html.contains("<input type=\"hidden\" name=\"product_id\" value=\"p1\">"));
        assert!(html.contains("<h2>Mug &lt;b&gt;</h2>"));
        assert_eq!(html.matches("name=\"product_id\"").count(), 1, "the reviewed product has no form");
        assert!(html.contains("your review of this product is in"));
        assert!(html.contains("<p role=\"status\">Thank you!</p>"));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    }
}
