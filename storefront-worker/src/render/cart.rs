//! The cart and the order status page: per shopper, never cached, never indexed. Both work with
//! plain HTML forms.

use super::{layout, Head, Site};
use crate::urls::product_path;
use domain::shipping::ShippingSettings;
use domain::Money;
use html::{html, Markup};

/// A cart line as shown.
#[derive(Debug, Clone)]
pub struct CartLineView {
    /// The product's slug, for its link.
    pub slug: String,
    /// The product's title.
    pub title: String,
    /// The variant's title, if any.
    pub variant: Option<String>,
    /// Current unit price.
    pub unit_price: Money,
    /// Units.
    pub quantity: u32,
}

/// The cart as shown.
#[derive(Debug, Clone, Default)]
pub struct CartView {
    /// Lines still sold, in cart order (`index` in the forms is the position here).
    pub lines: Vec<CartLineView>,
    /// Lines dropped because their product is no longer sold.
    pub dropped: usize,
    /// A notice for the shopper (a refused checkout, a cancelled payment).
    pub notice: Option<String>,
    /// Whether the shop is not taking orders (its payouts are not set up): no checkout form.
    pub checkout_closed: bool,
    /// The store's shipping settings, as its checkout applies them (none for an empty cart).
    pub shipping: Option<ShippingSettings>,
}

/// What the cart says about standard shipping for this subtotal: free, how much more makes it
/// free (with a bar of the way there), or its cost. Express and tax are chosen and shown at
/// checkout.
fn shipping_note(subtotal: Money, shipping: &ShippingSettings) -> Markup {
    let standard = Money::from_minor(shipping.standard_minor, subtotal.currency);
    html! {
        @match shipping.free_over_minor {
            _ if shipping.standard_minor == 0 => p class="ship" { "Standard shipping is free." },
            Some(over) if subtotal.minor >= over => {
                p class="ship" { "Your order qualifies for free standard shipping." }
            }
            Some(over) => {
                p class="ship" {
                    label for="to-free" {
                        "Add " (Money::from_minor(over - subtotal.minor, subtotal.currency)) " more for free standard shipping."
                    }
                    progress id="to-free" max=(over) value=(subtotal.minor) {}
                }
            }
            None => p class="ship" { "Standard shipping: " (standard) ", chosen at checkout." },
        }
    }
}

fn head<'a>(title: &'a str, description: &'a str) -> Head<'a> {
    Head::plain(title, description)
}

/// A line's product, with its variant in brackets.
fn line_name(title: &str, variant: Option<&str>) -> Markup {
    html! {
        (title)
        @if let Some(variant) = variant {
            " (" (variant) ")"
        }
    }
}

/// The cart page.
pub fn cart(site: &Site, view: &CartView) -> String {
    let priced: Vec<(Money, u32)> = view.lines.iter().map(|l| (l.unit_price, l.quantity)).collect();
    let body = html! {
        h1 { "Your cart" }
        @if let Some(notice) = &view.notice {
            p role="alert" { (notice) }
        }
        @if view.dropped > 0 {
            p role="status" { "Some items are no longer sold and were removed from your cart." }
        }
        @if view.lines.is_empty() {
            p { "Your cart is empty." }
            p { a class="button" href="/" { "Continue shopping" } }
        } @else {
            table {
                caption class="vh" { "Items in your cart" }
                thead {
                    tr {
                        th scope="col" { "Item" }
                        th scope="col" { "Price" }
                        th scope="col" { "Quantity" }
                        th scope="col" { "Total" }
                    }
                }
                tbody {
                    @for (i, line) in view.lines.iter().enumerate() {
                        @let name = line_name(&line.title, line.variant.as_deref());
                        tr {
                            td { a href=(product_path(&line.slug)) { (name) } }
                            td { (line.unit_price) }
                            td {
                                // A form sends its clicked button after the fields before it, and the
                                // last quantity wins: the steppers follow the input (the minus is
                                // shown before it by the style).
                                form method="post" action="/cart/update" class="stepper" {
                                    input type="hidden" name="line" value=(i);
                                    label class="vh" for={ "q" (i) } { "Quantity of " (name) }
                                    input id={ "q" (i) } type="number" name="quantity" value=(line.quantity)
                                        min="0" max="99" inputmode="numeric";
                                    button class="dec" type="submit" name="quantity" value=(line.quantity.saturating_sub(1)) {
                                        span aria-hidden="true" { "−" } span class="vh" { "One fewer " (name) }
                                    }
                                    @if line.quantity < 99 {
                                        button type="submit" name="quantity" value=(line.quantity + 1) {
                                            span aria-hidden="true" { "+" } span class="vh" { "One more " (name) }
                                        }
                                    }
                                    " "
                                    button type="submit" { "Update" }
                                    " "
                                    button type="submit" name="quantity" value="0" {
                                        "Remove" span class="vh" { " " (name) }
                                    }
                                }
                            }
                            td {
                                @if let Some(total) = domain::cart::total(&[(line.unit_price, line.quantity)]) {
                                    (total)
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(subtotal) = domain::cart::total(&priced) {
                p class="price" { "Subtotal: " (subtotal) }
                @if let Some(shipping) = &view.shipping {
                    (shipping_note(subtotal, shipping))
                }
            }
            @if view.checkout_closed {
                p role="status" { "This shop is not taking orders yet." }
            } @else {
                form method="post" action="/checkout" {
                    label for="email" { "Email for your receipt" }
                    input id="email" type="email" name="email" autocomplete="email" required maxlength="254";
                    " "
                    button type="submit" { "Check out" }
                }
            }
        }
    };
    let title = format!("Cart | {}", site.name);
    layout(site, None, &head(&title, "Your cart."), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{hostile_site, site, snapshot};
    use domain::Currency;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Usd)
    }

    #[test]
    fn the_cart_lists_lines_with_forms_that_work_without_javascript() {
        let view = CartView {
            lines: vec![CartLineView {
                slug: "brush".into(),
                title: "Brush".into(),
                variant: Some("Red".into()),
                unit_price: usd(1999),
                quantity: 2,
            }],
            ..CartView::default()
        };
        let html = cart(&site("Cozy Pets"), &view);
        assert!(html.contains("<a href=\"/products/brush\">Brush (Red)</a>"));
        assert!(html.contains("<form method=\"post\" action=\"/cart/update\" class=\"stepper\">"));
        assert!(html.contains("<button class=\"dec\" type=\"submit\" name=\"quantity\" value=\"1\"><span aria-hidden=\"true\">−</span><span class=\"vh\">One fewer Brush (Red)</span></button>"));
        assert!(html.contains("<button type=\"submit\" name=\"quantity\" value=\"3\"><span aria-hidden=\"true\">+</span><span class=\"vh\">One more Brush (Red)</span></button>"));
        assert!(html.contains("<td>$39.98</td>"));
        assert!(html.contains("Subtotal: $39.98"));
        assert!(html.contains("<form method=\"post\" action=\"/checkout\"><label for=\"email\">"));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    }

    #[test]
    fn the_cart_says_how_far_it_is_from_free_shipping_as_the_checkout_would_charge_it() {
        let view = |quantity: u32, standard_minor: i64, free_over_minor: Option<i64>| CartView {
            lines: vec![CartLineView {
                slug: "brush".into(),
                title: "Brush".into(),
                variant: None,
                unit_price: usd(1999),
                quantity,
            }],
            shipping: Some(ShippingSettings {
                countries: vec!["US".into()],
                standard_minor,
                express_minor: None,
                free_over_minor,
                automatic_tax: false,
            }),
            ..CartView::default()
        };
        let html = cart(&site("Cozy Pets"), &view(1, 499, Some(5000)));
        assert!(html.contains(
            "<p class=\"ship\"><label for=\"to-free\">Add $30.01 more for free standard shipping.</label>\
             <progress id=\"to-free\" max=\"5000\" value=\"1999\"></progress></p>"
        ));
        let html = cart(&site("Cozy Pets"), &view(3, 499, Some(5000)));
        assert!(html.contains("<p class=\"ship\">Your order qualifies for free standard shipping.</p>"));
        let html = cart(&site("Cozy Pets"), &view(1, 499, None));
        assert!(html.contains("<p class=\"ship\">Standard shipping: $4.99, chosen at checkout.</p>"));
        let html = cart(&site("Cozy Pets"), &view(1, 0, Some(5000)));
        assert!(html.contains("<p class=\"ship\">Standard shipping is free.</p>"));
        let empty = cart(&site("Cozy Pets"), &CartView::default());
        assert!(!empty.contains("class=\"ship\""));
    }

    #[test]
    fn a_shop_not_taking_orders_says_so_instead_of_offering_checkout() {
        let view = CartView {
            lines: vec![CartLineView {
                slug: "brush".into(),
                title: "Brush".into(),
                variant: None,
                unit_price: usd(1999),
                quantity: 1,
            }],
            checkout_closed: true,
            ..CartView::default()
        };
        let html = cart(&site("Cozy Pets"), &view);
        assert!(html.contains("This shop is not taking orders yet."));
        assert!(!html.contains("action=\"/checkout\""));
        assert!(html.contains("Subtotal: $19.99"), "the cart itself still shows");
    }

    #[test]
    fn an_empty_cart_offers_to_keep_shopping() {
        let html = cart(&site("Cozy Pets"), &CartView::default());
        assert!(html.contains("Your cart is empty."));
        assert!(!html.contains("action=\"/checkout\""));
    }

    #[test]
    fn snapshot_of_an_empty_cart() {
        insta::assert_snapshot!(snapshot(&cart(&hostile_site(), &CartView::default())));
    }

    #[test]
    fn snapshot_of_a_cart_with_lines_a_notice_and_dropped_items() {
        let view = CartView {
            lines: vec![
                CartLineView {
                    slug: "slicker-brush".into(),
                    title: "Slicker <Brush> & \"Comb\"".into(),
                    variant: Some("Rosie's <red>".into()),
                    unit_price: usd(1999),
                    quantity: 2,
                },
                CartLineView {
                    slug: "bowl".into(),
                    title: "Bowl".into(),
                    variant: None,
                    unit_price: usd(650),
                    quantity: 1,
                },
            ],
            dropped: 1,
            notice: Some("Payment <cancelled> & \"not\" taken.".into()),
            checkout_closed: false,
            shipping: Some(ShippingSettings {
                countries: vec!["US".into()],
                standard_minor: 499,
                express_minor: Some(1499),
                free_over_minor: Some(7500),
                automatic_tax: false,
            }),
        };
        insta::assert_snapshot!(snapshot(&cart(&hostile_site(), &view)));
    }
}
