//! The pages every shop needs (about, contact, shipping, returns, privacy, terms), written for a
//! store when it is created or first read, and editable by the merchant afterwards.
//!
//! The bodies are maud templates, so the store name and niche are escaped like any value. This
//! crate uses maud directly: the `html` crate, where the storefront's shared templates live,
//! depends on this one for its sanitiser.

use maud::{html, Markup};

/// A page as generated, before the merchant edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultPage {
    /// `about`, `contact`, `shipping`, `returns`, `privacy` or `terms`.
    pub kind: &'static str,
    /// Its URL slug under `/pages/`.
    pub slug: &'static str,
    /// Its title.
    pub title: String,
    /// Its body, already safe HTML (the store name and niche are escaped).
    pub body_html: String,
    /// Its meta description.
    pub meta_description: String,
}

/// The kinds of page generated for every store, in footer order.
pub const KINDS: [&str; 6] = ["about", "contact", "shipping", "returns", "privacy", "terms"];

/// The six standard pages of a store.
pub fn defaults(store_name: &str, niche: &str) -> Vec<DefaultPage> {
    let niche = niche.trim();
    let about_niche = if niche.is_empty() { "products we love" } else { niche };
    let page = |kind, slug, title: &str, body: Markup, description: String| DefaultPage {
        kind,
        slug,
        title: title.to_owned(),
        body_html: body.into_string(),
        meta_description: description,
    };
    vec![
        page(
            "about",
            "about",
            "About us",
            html! {
                p {
                    (store_name) " is an independent shop for " (about_niche) ". We pick every product for \
                    quality and value, and test it before it reaches our shelves."
                }
                p { "Questions or ideas? We read every message: see our contact page." }
            },
            format!("Who we are at {store_name} and how we choose our products."),
        ),
        page(
            "contact",
            "contact",
            "Contact",
            html! {
                p { "Write to us with your order number and we answer within one working day." }
                p { "For returns, please read our returns policy first: it explains the quickest way." }
            },
            format!("How to reach {store_name} about an order, a product or a return."),
        ),
        page(
            "shipping",
            "shipping",
            "Shipping policy",
            html! {
                p {
                    "Orders are processed within 1 to 3 working days. Delivery usually takes 7 to 15 \
                    working days, and you receive a tracking link by email as soon as your parcel ships."
                }
                p { "Shipping costs, if any, are shown at checkout before you pay." }
            },
            format!("Processing and delivery times at {store_name}."),
        ),
        page(
            "returns",
            "returns",
            "Returns and refunds",
            html! {
                p {
                    "You may return an unused item within 30 days of delivery. Contact us with your order \
                    number and we send you the return instructions."
                }
                p {
                    "Refunds go back to your original payment method within 10 days of receiving the \
                    return."
                }
            },
            format!("How returns and refunds work at {store_name}."),
        ),
        page(
            "privacy",
            "privacy",
            "Privacy policy",
            html! {
                p {
                    (store_name) " collects only what it needs to take and deliver your order: your email \
                    address, delivery address and what you bought. Payments are handled by our payment \
                    provider; we never see your card number."
                }
                p {
                    "We send marketing email only when you ask for it, and every such email has a one-click \
                    unsubscribe link. You may ask us for a copy of your data or for its deletion at any \
                    time."
                }
            },
            format!("What data {store_name} keeps, why, and your rights."),
        ),
        page(
            "terms",
            "terms",
            "Terms of service",
            html! {
                p {
                    "These terms govern purchases from " (store_name) ". Prices include applicable taxes \
                    unless stated at checkout. An order is accepted when payment succeeds; we confirm it \
                    by email."
                }
                p { "If a product is unavailable after you pay, we refund you in full." }
            },
            format!("The terms that apply to purchases from {store_name}."),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_store_gets_the_six_standard_pages_in_footer_order() {
        let pages = defaults("Cozy Paws", "pet grooming");
        assert_eq!(pages.iter().map(|p| p.kind).collect::<Vec<_>>(), KINDS);
        assert!(pages[0].body_html.contains("Cozy Paws is an independent shop for pet grooming"));
        assert!(pages.iter().all(|p| !p.meta_description.is_empty() && p.slug == p.kind));
    }

    #[test]
    fn quotes_and_apostrophes_in_the_store_name_stay_text() {
        let pages = defaults("Rosie's \"Pets\" & Co", "cats' <toys>");
        assert_eq!(
            pages[0].body_html,
            r#"<p>Rosie's &quot;Pets&quot; &amp; Co is an independent shop for cats' &lt;toys&gt;. We pick every product for quality and value, and test it before it reaches our shelves.</p><p>Questions or ideas? We read every message: see our contact page.</p>"#
        );
        assert_eq!(crate::html::sanitize(&pages[0].body_html), pages[0].body_html);
        assert_eq!(
            crate::html::plain_text(&pages[4].body_html).split(" collects").next(),
            Some("Rosie's \"Pets\" & Co")
        );
    }

    #[test]
    fn the_store_name_cannot_inject_markup_into_a_page() {
        let pages = defaults("<script>x</script>", "<b>");
        assert!(pages.iter().all(|p| !p.body_html.contains("<script>") && !p.body_html.contains("<b>")));
        assert_eq!(crate::html::sanitize(&pages[0].body_html), pages[0].body_html);
    }
}
