//! Store pages about selling: orders (narrowed by state; each with its items, delivery, supplier
//! orders, timeline and refunds), payouts (the Stripe account the money goes to) and the shipping
//! settings the checkout applies.

use super::account::Refusal;
use super::{csrf_field, day, money, page, text, Field, Shell};
use html::{html, Markup};
use serde_json::Value;

/// The fulfilment states an order list can be narrowed to (the API's `state`), as merchants read
/// them.
pub const STATES: [(&str, &str); 7] = [
    ("paid", "Paid, not placed yet"),
    ("awaiting_approval", "Waiting for your approval"),
    ("placed", "Placed with the supplier"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
];

/// The words for a state; the API's own name for one this list does not know.
fn state_label(state: &str) -> &str {
    STATES.iter().find(|(s, _)| *s == state).map_or(state, |(_, label)| label)
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key].as_array().map_or(&[], Vec::as_slice)
}

fn int(v: &Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or(0)
}

/// The orders, newest first, narrowed to `state` when one is chosen.
pub fn orders(shell: &Shell, store_id: &str, state: &str, answer: &Value) -> Markup {
    let orders = list(answer, "orders");
    page(
        shell,
        html! {
            form.filters method="get" action={ "/stores/" (store_id) "/orders" } {
                div.field {
                    label for="state" { "State" }
                    select #state name="state" {
                        option value="" { "Every order" }
                        @for (value, label) in STATES {
                            option value=(value) selected[value == state] { (label) }
                        }
                    }
                }
                button type="submit" { "Show" }
            }
            @if orders.is_empty() {
                p #no-orders { @if state.is_empty() { "No orders yet." } @else { "No orders in this state." } }
            } @else {
                table #orders {
                    caption { "Orders, newest first" }
                    thead { tr { th scope="col" { "Order" } th scope="col" { "Date" } th scope="col" { "Customer" } th scope="col" { "Total" } th scope="col" { "State" } } }
                    tbody {
                        @for o in orders {
                            tr {
                                td { a href={ "/stores/" (store_id) "/orders/" (text(o, "id")) } { "#" (int(o, "number")) } }
                                td { (day(text(o, "created_at"))) }
                                td { (text(o, "email")) }
                                td { (money(int(o, "total_minor"), text(o, "currency"))) }
                                td { (state_label(text(&o["fulfilment"], "state"))) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// One order: what was bought and paid, where it goes, its supplier orders and timeline, its
/// refunds and, for those whose role may, a form to refund part or all of what is left; an order
/// awaiting approval says why, with the buttons that approve or cancel it.
pub fn order(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    o: &Value,
    refunds: &Value,
    can_refund: bool,
    refusal: &Refusal,
) -> Markup {
    let currency = text(o, "currency");
    let refunded: i64 = list(refunds, "refunds")
        .iter()
        .filter(|r| text(r, "status") != "failed")
        .map(|r| int(r, "amount_minor"))
        .sum();
    let remaining = (int(o, "total_minor") - refunded).max(0);
    let address = &o["shipping"]["address"];
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            p {
                "State: " strong #order-state { (state_label(text(&o["fulfilment"], "state"))) }
                @if let Some(reason) = o["fulfilment"]["reason"].as_str() { " (" (reason) ")" }
                " · placed " (day(text(o, "created_at"))) " by " (text(o, "email"))
            }
            @if text(&o["fulfilment"], "state") == "awaiting_approval" {
                section.card #approval {
                    h2 { "Waiting for your approval" }
                    p { "Nothing is ordered from the supplier until you approve it; cancelling refunds the customer in full." }
                    @if can_refund {
                        @let base = format!("/stores/{store_id}/orders/{}", text(o, "id"));
                        form method="post" action={ (base) "/approve" } {
                            (csrf_field(csrf))
                            button type="submit" { "Approve and order from the supplier" }
                        }
                        form method="post" action={ (base) "/cancel" } {
                            (csrf_field(csrf))
                            button type="submit" { "Cancel and refund in full" }
                        }
                    }
                }
            }
            table {
                caption { "Items" }
                thead { tr { th scope="col" { "Item" } th scope="col" { "Unit price" } th scope="col" { "Quantity" } } }
                tbody {
                    @for item in list(o, "items") {
                        tr {
                            td { (text(item, "title")) @if let Some(v) = item["variant_title"].as_str() { " (" (v) ")" } }
                            td { (money(int(item, "unit_price_minor"), currency)) }
                            td { (int(item, "quantity")) }
                        }
                    }
                }
            }
            dl.card {
                dt { "Subtotal" } dd { (money(int(o, "subtotal_minor"), currency)) }
                dt { "Shipping" } dd { (money(int(o, "shipping_minor"), currency)) @if let Some(rate) = o["shipping"]["rate"].as_str() { " (" (rate) ")" } }
                dt { "Tax" } dd { (money(int(o, "tax_minor"), currency)) }
                dt { "Total" } dd { (money(int(o, "total_minor"), currency)) }
                dt { "Refunded" } dd #refunded { (money(refunded, currency)) }
            }
            @if address.is_object() {
                h2 { "Ships to" }
                p #ships-to {
                    @if let Some(name) = o["shipping"]["name"].as_str() { (name) br; }
                    @for key in ["line1", "line2"] { @if let Some(line) = address[key].as_str() { (line) br; } }
                    @for key in ["postal_code", "city", "state"] { @if let Some(part) = address[key].as_str() { (part) " " } }
                    br; (text(address, "country"))
                }
            }
            @if !list(o, "supplier_orders").is_empty() {
                table #supplier-orders {
                    caption { "Supplier orders" }
                    thead { tr { th scope="col" { "Supplier" } th scope="col" { "State" } th scope="col" { "Their order" } th scope="col" { "Tracking" } } }
                    tbody {
                        @for s in list(o, "supplier_orders") {
                            tr {
                                td { (text(s, "supplier")) }
                                td { (state_label(text(s, "status"))) @if let Some(reason) = s["reason"].as_str() { ": " (reason) } }
                                td { (text(s, "supplier_order_id")) }
                                td { (text(s, "carrier")) " " (text(s, "tracking_number")) }
                            }
                        }
                    }
                }
            }
            @if !list(o, "timeline").is_empty() {
                h2 { "Timeline" }
                ol #timeline {
                    @for event in list(o, "timeline") {
                        li { (text(event, "at").replace('T', " ").get(..16).unwrap_or_default()) " · " (state_label(text(event, "state"))) " · " (text(event, "cause")) }
                    }
                }
            }
            @if !list(refunds, "refunds").is_empty() {
                table #refunds {
                    caption { "Refunds" }
                    thead { tr { th scope="col" { "Date" } th scope="col" { "Amount" } th scope="col" { "Reason" } th scope="col" { "State" } } }
                    tbody {
                        @for r in list(refunds, "refunds") {
                            tr { td { (day(text(r, "created_at"))) } td { (money(int(r, "amount_minor"), currency)) } td { (text(r, "reason").replace('_', " ")) } td { (text(r, "status")) } }
                        }
                    }
                }
            }
            @if can_refund && remaining > 0 {
                form.card method="post" action={ "/stores/" (store_id) "/orders/" (text(o, "id")) "/refunds" } {
                    (csrf_field(csrf))
                    h2 { "Refund" }
                    @let left = money(remaining, currency);
                    @let hint = format!("At most {left}; blank refunds all of it. The customer is told by email.");
                    (Field { required: false, hint: Some(&hint), ..Field::text("Amount", "amount", "") }.render(on("amount_minor")))
                    div.field {
                        label for="reason" { "Reason" }
                        select #reason name="reason" {
                            option value="requested_by_customer" { "The customer asked" }
                            option value="duplicate" { "A duplicate order" }
                            option value="fraudulent" { "Fraud" }
                        }
                    }
                    button type="submit" { "Refund" }
                }
            }
        },
    )
}

/// The step between the payouts form and Stripe's hosted onboarding: its link (a form may not be
/// sent on to another site under the Content-Security-Policy's `form-action 'self'`). Stripe's
/// link works once and for a few minutes.
pub fn onboarding_link(shell: &Shell, store_id: &str, url: &str) -> Markup {
    page(
        shell,
        html! {
            p { "Stripe collects your business and bank details on its own pages, then sends you back here." }
            p { a #onboarding-link href=(url) { "Continue to Stripe" } }
            p { "The link works once and for a few minutes; if it has expired, start again from " a href={ "/stores/" (store_id) "/payouts" } { "Payouts" } "." }
        },
    )
}

/// Where the store's money goes: the Stripe account's state, what Stripe still needs, the
/// platform's fee, and the button that opens Stripe's onboarding.
pub fn payouts(shell: &Shell, csrf: &str, store_id: &str, p: &Value, can_manage: bool) -> Markup {
    let status = text(p, "status");
    let fee = int(p, "application_fee_bps");
    page(
        shell,
        html! {
            p #payouts-status {
                @match status {
                    "enabled" => "Your payout account can receive money: the shop takes orders.",
                    "pending" => "Stripe is checking your details; the shop takes orders once it has.",
                    "restricted" => "Stripe has restricted your payout account: the shop takes no orders until you update your details.",
                    "onboarding" => "Your payout account is not finished: the shop takes no orders until it is.",
                    _ => "Set up where your money goes: the shop takes orders once your payout account is ready.",
                }
            }
            p { "The platform keeps " (format!("{}.{:02}", fee / 100, fee % 100)) "% of each order's goods under your plan; the rest goes to your account." }
            @if !list(p, "requirements_due").is_empty() {
                h2 { "What Stripe still needs" }
                ul { @for r in list(p, "requirements_due") { li { (r.as_str().unwrap_or_default().replace(['_', '.'], " ")) } } }
            }
            @if can_manage && status != "enabled" {
                form method="post" action={ "/stores/" (store_id) "/payouts" } {
                    (csrf_field(csrf))
                    button type="submit" { @if status == "not_started" { "Set up payouts with Stripe" } @else { "Continue with Stripe" } }
                }
            }
        },
    )
}

/// The shipping settings: countries, rates, the free-shipping threshold and automatic tax.
pub fn shipping(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    s: &Value,
    can_edit: bool,
    refusal: &Refusal,
) -> Markup {
    let currency = text(s, "currency");
    let amount = |key: &str| {
        s[key]
            .as_i64()
            .map(|m| money(m, currency).trim_start_matches(|c: char| !c.is_ascii_digit()).to_owned())
            .unwrap_or_default()
    };
    let countries = list(s, "countries").iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ");
    let (standard, express, free_over) =
        (amount("standard_minor"), amount("express_minor"), amount("free_over_minor"));
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            p { "Your checkout offers these rates; product and cart pages state them. Delivery times come from your products' suppliers." }
            form.card method="post" action={ "/stores/" (store_id) "/shipping" } {
                (csrf_field(csrf))
                fieldset disabled[!can_edit] {
                    legend { "Shipping" }
                    (Field { hint: Some("Two-letter country codes, separated by commas, e.g. US, CA, GB."), ..Field::text("Countries", "countries", &countries) }.render(on("countries")))
                    (Field { hint: Some(currency), ..Field::text("Standard rate", "standard", &standard) }.render(on("standard_minor")))
                    (Field { required: false, hint: Some("Blank for no express shipping."), ..Field::text("Express rate", "express", &express) }.render(on("express_minor")))
                    (Field { required: false, hint: Some("Standard shipping is free from this cart subtotal on; blank for never."), ..Field::text("Free shipping over", "free_over", &free_over) }.render(on("free_over_minor")))
                    div.choice {
                        input #automatic_tax type="checkbox" name="automatic_tax" value="1" checked[s["automatic_tax"].as_bool().unwrap_or(false)];
                        label for="automatic_tax" { "Stripe adds tax at checkout (automatic tax)" }
                    }
                    button type="submit" { "Save" }
                }
            }
        },
    )
}

/// Basis points as the percentage a merchant types: 25000 -> "250", 14050 -> "140.5".
pub fn percent(bps: i64) -> String {
    let (whole, hundredths) = (bps / 100, bps % 100);
    if hundredths == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{hundredths:02}").trim_end_matches('0').to_owned()
    }
}

/// A typed percentage as basis points ("250" -> 25000, "140.5" -> 14050); `None` when it is not
/// a number with at most two decimals.
pub fn basis_points(typed: &str) -> Option<u32> {
    let (whole, fraction) = typed.trim().split_once('.').unwrap_or((typed.trim(), ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !(whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let hundredths: u32 = format!("{fraction:0<2}").parse().ok()?;
    whole.parse::<u32>().ok()?.checked_mul(100)?.checked_add(hundredths)
}

/// The store's pricing rules, and what the last save re-priced (`saved`: re-priced, kept); and
/// whether orders wait for the merchant's approval (`by_hand`).
#[expect(clippy::too_many_arguments, reason = "one per part of the page")]
pub fn pricing(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    rules: &Value,
    saved: Option<(u64, u64)>,
    by_hand: bool,
    can_edit: bool,
    refusal: &Refusal,
) -> Markup {
    let value = |key: &str| percent(rules[key].as_i64().unwrap_or(0));
    let (markup, margin, compare_at) =
        (value("markup_bps"), value("min_margin_bps"), value("compare_at_bps"));
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            @if let Some((repriced, kept)) = saved {
                p #repriced role="status" {
                    "Saved. " (repriced) " product" @if repriced != 1 { "s" } " re-priced by the new rules; "
                    (kept) " price" @if kept != 1 { "s" } " you set kept."
                }
            }
            p { "Imported products are priced by these rules from their supplier's cost, and re-priced when it moves or the rules change. A price you set by hand stays yours until you hand it back on the product's page." }
            form.card method="post" action={ "/stores/" (store_id) "/pricing" } {
                (csrf_field(csrf))
                fieldset disabled[!can_edit] {
                    legend { "Pricing rules" }
                    (Field { hint: Some("Price as a percentage of cost: 250 is 2.5 times the cost."), ..Field::text("Markup (%)", "markup", &markup) }.render(on("markup_bps")))
                    (Field { hint: Some("No price goes below this gross margin."), ..Field::text("Minimum margin (%)", "min_margin", &margin) }.render(on("min_margin_bps")))
                    (Field { hint: Some("The struck-through price as a percentage of the price: 140, or 0 for none."), ..Field::text("Compare-at price (%)", "compare_at", &compare_at) }.render(on("compare_at_bps")))
                    div.choice {
                        input #psychological_endings type="checkbox" name="psychological_endings" value="1" checked[rules["psychological_endings"].as_bool().unwrap_or(true)];
                        label for="psychological_endings" { "Prices end in .99" }
                    }
                    button type="submit" { "Save and re-price" }
                }
            }
            form.card #approval method="post" action={ "/stores/" (store_id) "/fulfilment" } {
                (csrf_field(csrf))
                fieldset disabled[!can_edit] {
                    legend { "Orders" }
                    p { "Before ordering from the supplier, its current price is read again: an order whose margin would fall under the minimum waits for your approval." }
                    div.choice {
                        input #approve_by_hand type="checkbox" name="approve_by_hand" value="1" checked[by_hand];
                        label for="approve_by_hand" { "Approve every order by hand" }
                    }
                    button type="submit" { "Save" }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_shell as shell;
    use super::*;
    use serde_json::json;

    fn paid_order() -> serde_json::Value {
        json!({
            "id": "0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b", "number": 1042, "email": "ada@example.com", "status": "paid",
            "subtotal_minor": 2500, "total_minor": 2999, "shipping_minor": 499, "tax_minor": 0, "currency": "USD",
            "created_at": "2026-12-07T10:00:00Z",
            "items": [{"title": "Brush <b>", "variant_title": "Red", "unit_price_minor": 2500, "quantity": 1}],
            "shipping": {"name": "Ada Lovelace", "phone": null, "rate": "Standard shipping",
                         "address": {"line1": "1 Main Street", "line2": null, "city": "Springfield", "state": "IL", "postal_code": "62701", "country": "US"}},
            "fulfilment": {"state": "failed", "reason": "aliexpress: sold out"},
            "supplier_orders": [{"supplier": "aliexpress", "status": "failed", "supplier_order_id": null, "reason": "sold out",
                                 "tracking_number": null, "carrier": null}],
            "timeline": [{"at": "2026-12-07T10:00:05Z", "state": "paid", "cause": "payment"},
                         {"at": "2026-12-07T10:00:09Z", "state": "failed", "cause": "aliexpress: sold out"}],
        })
    }

    #[test]
    fn an_order_shows_its_delivery_supplier_orders_timeline_and_what_is_left_to_refund() {
        let refunds = json!({"refunds": [{"id": "r1", "amount_minor": 1000, "reason": "requested_by_customer", "status": "succeeded", "created_at": "2026-12-07T11:00:00Z"}]});
        let html =
            order(&shell("Order #1042"), "tok", "s1", &paid_order(), &refunds, true, &Refusal::default())
                .into_string();
        assert!(html.contains("<strong id=\"order-state\">Failed</strong> (aliexpress: sold out)"));
        assert!(html.contains("Brush &lt;b&gt; (Red)"));
        assert!(html.contains("<dd id=\"refunded\">$10.00</dd>"));
        assert!(html.contains("At most $19.99; blank refunds all of it."));
        assert!(html.contains("Ada Lovelace<br>1 Main Street<br>62701 Springfield IL <br>US"));
        assert!(html.contains("<li>2026-12-07 10:00 · Failed · aliexpress: sold out</li>"));
        insta::assert_snapshot!(html);
        // A role that may not refund sees no form; nothing left to refund, no form either.
        let viewer = order(
            &shell("Order"),
            "tok",
            "s1",
            &paid_order(),
            &json!({"refunds": []}),
            false,
            &Refusal::default(),
        )
        .into_string();
        assert!(!viewer.contains("/refunds\""));
        let all = json!({"refunds": [{"amount_minor": 2999, "status": "succeeded", "reason": "duplicate", "created_at": "2026-12-07"}]});
        let done =
            order(&shell("Order"), "tok", "s1", &paid_order(), &all, true, &Refusal::default()).into_string();
        assert!(!done.contains("/refunds\""));
    }

    #[test]
    fn snapshot_of_an_order_awaiting_approval_with_its_reason_and_buttons() {
        let mut waiting = paid_order();
        waiting["fulfilment"] = json!({"state": "awaiting_approval",
            "reason": "the supplier's price rose from $8.49 to $22.00: the margin would be 11%, under the store's 30%"});
        waiting["supplier_orders"] = json!([]);
        waiting["timeline"] = json!([{"at": "2026-12-07T10:00:05Z", "state": "paid", "cause": "payment"},
            {"at": "2026-12-07T10:00:09Z", "state": "awaiting_approval", "cause": "the store approves orders by hand"}]);
        let none = json!({"refunds": []});
        let html = order(&shell("Order #1042"), "tok", "s1", &waiting, &none, true, &Refusal::default())
            .into_string();
        assert!(html.contains("<strong id=\"order-state\">Waiting for your approval</strong>"), "{html}");
        assert!(html.contains("(the supplier's price rose from $8.49 to $22.00: the margin would be 11%, under the store's 30%)"), "{html}");
        assert!(
            html.contains("action=\"/stores/s1/orders/0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b/approve\""),
            "{html}"
        );
        assert!(
            html.contains("action=\"/stores/s1/orders/0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b/cancel\""),
            "{html}"
        );
        insta::assert_snapshot!(html);
        let viewer =
            order(&shell("Order"), "tok", "s1", &waiting, &none, false, &Refusal::default()).into_string();
        assert!(viewer.contains("Waiting for your approval") && !viewer.contains("/approve\""), "{viewer}");
        let placed = order(&shell("Order"), "tok", "s1", &paid_order(), &none, true, &Refusal::default())
            .into_string();
        assert!(!placed.contains("id=\"approval\""));
    }

    #[test]
    fn the_order_list_narrows_by_state_and_says_when_there_is_none() {
        let html = orders(&shell("Orders"), "s1", "failed", &json!({"orders": [paid_order()]})).into_string();
        assert!(html.contains("<option value=\"failed\" selected>Failed</option>"));
        assert!(html.contains("<a href=\"/stores/s1/orders/0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b\">#1042</a>"));
        assert!(html.contains("<td>$29.99</td><td>Failed</td>"));
        let none = orders(&shell("Orders"), "s1", "shipped", &json!({"orders": []})).into_string();
        assert!(none.contains("No orders in this state."));
    }

    #[test]
    fn stripes_onboarding_is_a_link_to_follow_not_a_redirect_after_the_form() {
        let html =
            onboarding_link(&shell("Payouts"), "s1", "https://connect.stripe.com/setup/e/acct_1/x?a=1&b=2")
                .into_string();
        assert!(html.contains("<a id=\"onboarding-link\" href=\"https://connect.stripe.com/setup/e/acct_1/x?a=1&amp;b=2\">Continue to Stripe</a>"), "{html}");
        assert!(html.contains("href=\"/stores/s1/payouts\""));
    }

    #[test]
    fn payouts_say_whether_the_shop_takes_orders_and_what_stripe_needs() {
        let status = json!({"status": "onboarding", "account_id": "acct_1", "accepts_orders": false,
                            "application_fee_bps": 200, "requirements_due": ["external_account", "individual.dob.day"]});
        let html = payouts(&shell("Payouts"), "tok", "s1", &status, true).into_string();
        assert!(html.contains("the shop takes no orders until it is."));
        assert!(html.contains("The platform keeps 2.00% of each order's goods"));
        assert!(html.contains("<li>individual dob day</li>"));
        assert!(html.contains("Continue with Stripe"));
        let enabled = json!({"status": "enabled", "application_fee_bps": 50, "requirements_due": []});
        let html = payouts(&shell("Payouts"), "tok", "s1", &enabled, true).into_string();
        assert!(html.contains("0.50%") && !html.contains("action=\"/stores/s1/payouts\""));
    }

    #[test]
    fn snapshot_of_the_shipping_settings() {
        let settings = json!({"countries": ["US", "CA"], "standard_minor": 499, "express_minor": null,
                              "free_over_minor": 5000, "automatic_tax": true, "currency": "USD"});
        let refusal =
            Refusal { message: Some("countries: each an ISO 3166-1 alpha-2 code"), field: Some("countries") };
        let html = shipping(&shell("Shipping"), "tok", "s1", &settings, true, &refusal).into_string();
        assert!(html.contains("value=\"US, CA\""));
        assert!(html.contains("id=\"standard\" name=\"standard\" type=\"text\" value=\"4.99\""));
        assert!(html.contains("id=\"free_over\" name=\"free_over\" type=\"text\" value=\"50.00\""));
        assert!(html.contains(
            "<input id=\"automatic_tax\" type=\"checkbox\" name=\"automatic_tax\" value=\"1\" checked>"
        ));
        insta::assert_snapshot!(html);
    }

    #[test]
    fn percentages_are_typed_as_merchants_write_them() {
        assert_eq!(
            (percent(25_000), percent(14_050), percent(0)),
            ("250".into(), "140.5".into(), "0".into())
        );
        assert_eq!(basis_points("250"), Some(25_000));
        assert_eq!(basis_points(" 140.5 "), Some(14_050));
        assert_eq!(basis_points("30.25"), Some(3_025));
        for bad in ["", "2.5.0", "-1", "1.234", "abc", ".5"] {
            assert_eq!(basis_points(bad), None, "{bad}");
        }
    }

    #[test]
    fn snapshot_of_the_pricing_rules_after_a_save() {
        let rules = json!({"markup_bps": 30_000, "min_margin_bps": 2_000, "compare_at_bps": 0, "psychological_endings": false});
        let html =
            pricing(&shell("Pricing"), "tok", "s1", &rules, Some((12, 1)), true, true, &Refusal::default())
                .into_string();
        assert!(html.contains("<input id=\"approve_by_hand\" type=\"checkbox\" name=\"approve_by_hand\" value=\"1\" checked>"), "{html}");
        assert!(html.contains("12 products re-priced by the new rules; 1 price you set kept."), "{html}");
        assert!(html.contains("id=\"markup\" name=\"markup\" type=\"text\" value=\"300\""), "{html}");
        assert!(!html.contains("name=\"psychological_endings\" value=\"1\" checked"), "{html}");
        insta::assert_snapshot!(html);
        let viewer = pricing(&shell("Pricing"), "tok", "s1", &rules, None, false, false, &Refusal::default())
            .into_string();
        assert!(viewer.contains("fieldset disabled") && !viewer.contains("re-priced by the new rules"));
    }
}
