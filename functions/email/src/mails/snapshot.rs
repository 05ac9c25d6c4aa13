//! Snapshots of every mail (subject, text part, HTML part) rendered from realistic data with
//! hostile text in it, and the rules every mail keeps: data is escaped in the HTML, written as it
//! is in the text part, links are http(s) only, and a missing field is named.
//!
//! In the snapshots a line break follows each block element, so a change shows as one line; the
//! mails themselves have none.

use super::*;
use serde_json::json;

const BRAND: &str = "Tom & Jerry's \"Pet\" <Shop>";
const HOSTILE: &str = "<script>alert('x')</script> & \"friends\"";

fn accent() -> Accent {
    Accent::or_default(Some("#ff6600"))
}

fn unsubscribe() -> HttpUrl {
    HttpUrl::parse("https://cozy.example.com/v1/public/stores/s1/unsubscribe/tok?a=1&b=\"2\"").unwrap()
}

/// Realistic data for `template`, with hostile text in every text field.
fn data(template: EmailTemplate) -> Map<String, Value> {
    let greeting = format!("Hi {HOSTILE},");
    let items = "Slicker brush \"Pro\" × 2, Dog shampoo & conditioner <3";
    let value = match template {
        EmailTemplate::VerifyEmail => json!({
            "verify_url": "https://app.dropship.localhost/verify-email?token=abc&u=1",
            "expires_in_minutes": 1440,
        }),
        EmailTemplate::PasswordReset => json!({
            "reset_url": "https://app.dropship.localhost/password-reset/confirm?token=abc",
            "expires_in_minutes": 30,
        }),
        EmailTemplate::Invitation => json!({
            "company": "O'Brien & Sons <Ltd>",
            "role": "staff\" onclick=\"x",
            "accept_url": "https://app.dropship.localhost/invitations/accept?token=abc",
            "expires_in_days": 7,
        }),
        EmailTemplate::ResearchReport => json!({
            "niche": "pet <b>grooming</b>",
            "candidates": 40,
            "imported": 5,
            "watchlisted": 3,
            "top_opportunities": format!("Laser Toy (92, import); {HOSTILE} (71, watch)"),
            "sources_used": "aliexpress (20), reddit (12, incomplete)",
            "report_url": "https://app.dropship.localhost/stores/s1/research-runs/r1",
        }),
        EmailTemplate::Welcome | EmailTemplate::WelcomeBestsellers => json!({
            "greeting": greeting,
            "store_url": "https://cozy.example.com/?utm=\"><script>",
        }),
        EmailTemplate::WelcomeDiscount => json!({
            "greeting": greeting,
            "store_url": "https://cozy.example.com",
            "discount_code": "HELLO15<i>",
            "discount_percent": 15,
        }),
        EmailTemplate::CartReminder | EmailTemplate::CartFinal => json!({
            "items_summary": items,
            "item_count": 3,
            "cart_url": "https://cozy.example.com/cart/cart-1?a=1&b=2",
            "store_url": "https://cozy.example.com",
        }),
        EmailTemplate::CartDiscount => json!({
            "items_summary": items,
            "cart_url": "https://cozy.example.com/cart/cart-1",
            "discount_code": "COMEBACK10",
            "discount_percent": 10,
        }),
        EmailTemplate::OrderConfirmation => json!({
            "greeting": greeting,
            "order_number": "#1042",
            "items_summary": items,
            "total": "$24.99",
            "order_url": "https://cozy.example.com/orders/o1?key=k&x=1",
            "review_url": "https://cozy.example.com/orders/o1/review",
        }),
        EmailTemplate::ShippingUpdate => json!({
            "greeting": greeting,
            "order_number": "#1042",
            "tracking_url": "https://track.example.com/1Z999?ref='x'",
            "order_url": "https://cozy.example.com/orders/o1",
        }),
        EmailTemplate::ReviewRequest => json!({
            "greeting": greeting,
            "order_number": "#1042 <b>",
            "items_summary": items,
            "review_url": "https://cozy.example.com/orders/o1/review",
        }),
        EmailTemplate::CrossSell => json!({
            "greeting": "Hi there,",
            "items_summary": items,
            "store_url": "https://cozy.example.com",
        }),
        EmailTemplate::OrderRefunded => json!({
            "order_number": "#1042 <b>",
            "amount": "$12.50",
            "full": 0,
            "order_url": "https://cozy.example.com/orders/abc?x=1&y=\"2\"",
        }),
        EmailTemplate::OrderShipped => json!({
            "order_number": "#1042 <b>",
            "tracking_number": "LP00000000000002CN",
            "carrier": HOSTILE,
            "tracking_url": "https://global.cainiao.com/newDetail.htm?mailNoList=LP00000000000002CN&x=\"1\"",
            "order_url": "https://cozy.example.com/orders/abc?x=1&y=2",
        }),
        EmailTemplate::PaymentFailed => json!({
            "plan": "Growth <b>",
            "grace_ends": "14 December 2026",
            "billing_url": "https://dashboard.example.com/billing?a=1&b=\"2\"",
        }),
        EmailTemplate::ConfirmSubscription => json!({
            "confirm_url": "https://api.example.com/v1/public/stores/s1/confirm/t0k3n?x=\"1\"",
        }),
        EmailTemplate::OrderHeld | EmailTemplate::OrderFailed => json!({
            "store": BRAND,
            "order_number": "#1042 <b>",
            "reason": format!("the supplier's price rose from $8.49 to $15.00 {HOSTILE}"),
            "order_url": "https://dashboard.example.com/stores/s1/orders/o1?a=1&b=\"2\"",
        }),
        EmailTemplate::PlanLapsed => json!({
            "plan": "Growth",
            "billing_url": "https://dashboard.example.com/billing",
        }),
        EmailTemplate::StoreReady => json!({
            "niche": "pet <b>grooming</b>",
            "products": 22,
            "published": 20,
            "collections": 3,
            "posts": 3,
            "store_url": "https://cozy.example.com/?a=1&b=\"2\"",
            "products_url": "https://cozy.example.com/collections/all",
            "blog_url": "https://cozy.example.com/blog",
        }),
    };
    value.as_object().cloned().unwrap()
}

fn is_marketing(template: EmailTemplate) -> bool {
    !matches!(
        template,
        EmailTemplate::VerifyEmail
            | EmailTemplate::PasswordReset
            | EmailTemplate::Invitation
            | EmailTemplate::ResearchReport
            | EmailTemplate::OrderConfirmation
            | EmailTemplate::ShippingUpdate
            | EmailTemplate::StoreReady
            | EmailTemplate::OrderRefunded
            | EmailTemplate::OrderShipped
            | EmailTemplate::PaymentFailed
            | EmailTemplate::PlanLapsed
            | EmailTemplate::ConfirmSubscription
            | EmailTemplate::OrderHeld
            | EmailTemplate::OrderFailed
    )
}

fn mail(template: EmailTemplate, intro: Option<&str>, marketing: bool) -> Rendered {
    let accent = accent();
    let frame = Frame { brand: BRAND, accent: &accent, intro };
    let unsubscribe = unsubscribe();
    render(template, &frame, marketing.then_some(&unsubscribe), &data(template))
        .unwrap_or_else(|e| panic!("{}: {e}", template.name()))
}

/// The snapshot's text: the subject, the text part, and the HTML broken after block elements.
fn document(mail: &Rendered) -> String {
    const BREAK_AFTER: [&str; 17] = [
        "!DOCTYPE", "html", "/html", "head", "/head", "meta", "/title", "body", "/body", "div", "/div",
        "/h1", "/p", "table", "/table", "/tr", "br",
    ];
    let mut html = String::with_capacity(mail.html.len() + 512);
    let mut tag = 0;
    for (at, c) in mail.html.char_indices() {
        html.push(c);
        match c {
            '<' => tag = at + 1,
            '>' if BREAK_AFTER.contains(&mail.html[tag..at].split(' ').next().unwrap_or_default()) => {
                html.push('\n')
            }
            _ => {}
        }
    }
    format!("Subject: {}\n\n---- text ----\n{}\n---- html ----\n{html}", mail.subject, mail.text)
}

#[test]
fn every_mail_renders_as_its_snapshot() {
    for template in EmailTemplate::ALL {
        let mail = mail(template, None, is_marketing(template));
        insta::assert_snapshot!(template.name(), document(&mail));
    }
}

#[test]
fn a_merchants_intro_follows_the_heading_in_both_parts() {
    let mail =
        mail(EmailTemplate::WelcomeBestsellers, Some(" Hand-picked <b>by</b> Ada.\n\nSecond line. "), true);
    insta::assert_snapshot!("welcome_bestsellers_with_intro", document(&mail));
}

#[test]
fn a_mail_without_its_own_unsubscribe_line_gets_one_when_sent_as_marketing() {
    let mail = mail(EmailTemplate::OrderConfirmation, None, true);
    insta::assert_snapshot!("order_confirmation_as_marketing", document(&mail));
}

#[test]
fn hostile_data_is_escaped_in_the_html_and_written_as_it_is_in_the_text() {
    for template in EmailTemplate::ALL {
        let mail = mail(template, Some(HOSTILE), is_marketing(template));
        let name = template.name();
        assert!(!mail.html.contains("<script") && !mail.html.contains("<b>"), "{name}: {}", mail.html);
        assert!(!mail.html.contains("\" onclick"), "{name}: an attribute was closed");
        assert!(
            mail.html.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;friends&quot;"),
            "{name}"
        );
        assert!(mail.html.contains("Tom &amp; Jerry's &quot;Pet&quot; &lt;Shop&gt;"), "{name}");
        assert!(mail.text.contains(HOSTILE), "{name}: {}", mail.text);
        for markup in ["&amp;", "&lt;", "&quot;", "<p", "<a ", "href="] {
            assert!(!mail.text.contains(markup), "{name}: the text part has {markup}");
        }
    }
}

#[test]
fn every_link_is_written_into_an_href_escaped() {
    let mail = mail(EmailTemplate::CartReminder, None, true);
    assert!(mail.html.contains("href=\"https://cozy.example.com/cart/cart-1?a=1&amp;b=2\""));
    assert!(mail.html.contains(
        "href=\"https://cozy.example.com/v1/public/stores/s1/unsubscribe/tok?a=1&amp;b=&quot;2&quot;\""
    ));
    assert!(mail.text.contains("\n\nhttps://cozy.example.com/cart/cart-1?a=1&b=2\n\n"));
}

#[test]
fn a_link_that_is_not_http_or_https_is_refused_with_its_field_named() {
    for bad in ["javascript:alert(1)", "data:text/html,x", "//evil.example", "https://", "https://a b"] {
        let mut data = data(EmailTemplate::ShippingUpdate);
        data.insert("tracking_url".into(), bad.into());
        let accent = accent();
        let frame = Frame { brand: BRAND, accent: &accent, intro: None };
        let err = render(EmailTemplate::ShippingUpdate, &frame, None, &data).unwrap_err();
        assert_eq!(err, RenderError::NotAUrl { template: "shipping_update", field: "tracking_url" }, "{bad}");
        assert_eq!(
            err.to_string(),
            "template `shipping_update`: `tracking_url` must be an http:// or https:// URL"
        );
    }
}

#[test]
fn missing_data_is_named_with_its_mail() {
    let accent = accent();
    let frame = Frame { brand: BRAND, accent: &accent, intro: None };
    let mut data = data(EmailTemplate::Invitation);
    data.remove("expires_in_days");
    let err = render(EmailTemplate::Invitation, &frame, None, &data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template `invitation` needs `expires_in_days`, which the mail's data does not have"
    );
    data.insert("expires_in_days".into(), json!("seven"));
    let err = render(EmailTemplate::Invitation, &frame, None, &data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template `invitation`: `expires_in_days` must be a whole number of zero or more, not text"
    );
}

#[test]
fn a_marketing_mail_without_an_unsubscribe_link_is_refused() {
    let accent = accent();
    let frame = Frame { brand: BRAND, accent: &accent, intro: None };
    for template in EmailTemplate::ALL.into_iter().filter(|t| is_marketing(*t)) {
        let err = render(template, &frame, None, &data(template)).unwrap_err();
        assert_eq!(err, RenderError::MarketingOnly { template: template.name() });
    }
}

#[test]
fn every_mail_is_one_html_document_with_its_heading_as_title() {
    for template in EmailTemplate::ALL {
        let mail = mail(template, None, is_marketing(template));
        let title = &mail.html[mail.html.find("<title>").unwrap() + 7..mail.html.find("</title>").unwrap()];
        assert!(mail.html.contains(&format!(">{title}</h1>")), "{}", template.name());
        assert!(mail.html.starts_with("<!DOCTYPE html>") && mail.html.ends_with("</body></html>"));
        let heading =
            title.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
        assert_eq!(mail.text.lines().next(), Some(heading.as_str()), "{}", template.name());
    }
}
