//! Email marketing end to end: a shopper subscribes on a store and gets its welcome mail in the
//! catcher with a working one-click unsubscribe, after which no marketing mail reaches them; a
//! provider's signed bounce report suppresses an address; the plan's contact limit holds.

use crate::helpers::{eventually, unique, Answer, Merchant, Stack};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::accounts::Email;
use hmac::{Hmac, Mac};
use queues::messages::{FlowEvent, FlowTrigger, LineItem, Shop};
use queues::Envelope;
use serde_json::{json, Value};
use sha2::Sha256;
use std::time::Duration;

const MAIL_LIMIT: Duration = Duration::from_secs(120);

fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run the end-to-end tests through local/test.sh"))
}

async fn store(stack: &Stack, name: &str) -> (Merchant, String) {
    let merchant = stack.sign_up().await;
    let created = stack.create_store(&merchant, &unique("mail"), name).await;
    assert_eq!(created.status, 201, "{}", created.text);
    (merchant, created.json["id"].as_str().unwrap().to_owned())
}

async fn subscribe(stack: &Stack, store: &str, email: &str) -> Answer {
    let ip = format!("203.0.113.{}", 1 + uuid::Uuid::new_v4().as_bytes()[0] % 250);
    let response = stack
        .http
        .post(format!("{}/v1/public/stores/{store}/subscribe", stack.edge))
        .header("cf-connecting-ip", ip)
        .json(&json!({ "email": email, "first_name": "Ada" }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Answer { status, json: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

/// Opens the confirmation link mailed to `address` after a sign-up to `store`, as the shopper
/// would: the page asks for a click, the click subscribes.
pub(crate) async fn confirm_subscription(stack: &Stack, address: &str, store: &str) {
    let needle = format!("/stores/{store}/confirm/");
    let mail = stack.mail_to(address, &needle).await;
    let text = mail["text"].as_str().unwrap();
    let at = text.find(&needle).unwrap();
    let start = text[..at].rfind("http").unwrap();
    let link = text[start..].split_whitespace().next().unwrap().to_owned();
    let page = stack.http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200, "{link}");
    let page = page.text().await.unwrap();
    assert!(page.contains("Confirm your subscription") && page.contains("<form method=\"post\">"), "{page}");
    assert!(!page.contains(address), "the page does not show the whole address");
    let confirmed = stack.http.post(&link).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.unwrap().contains("You are subscribed"));
}

/// Runs the email-flow sweep now, as its 5-minute schedule would.
pub(crate) async fn sweep(stack: &Stack) {
    let _ = stack
        .http
        .post("http://127.0.0.1:9000/2015-03-31/functions/sweep/invocations")
        .json(&json!({ "job": "email_flows" }))
        .send()
        .await;
}

pub(crate) async fn inbox(stack: &Stack) -> Vec<Value> {
    let Ok(response) = stack.http.get("http://127.0.0.1:1080/api/email").send().await else {
        return Vec::new();
    };
    response.json::<Value>().await.ok().and_then(|v| v.as_array().cloned()).unwrap_or_default()
}

pub(crate) fn mails_to<'a>(inbox: &'a [Value], address: &str, needle: &str) -> Vec<&'a Value> {
    inbox
        .iter()
        .filter(|mail| {
            mail["to"].as_array().is_some_and(|to| to.iter().any(|t| t["address"] == address))
                && mail["text"].as_str().is_some_and(|t| t.contains(needle))
        })
        .collect()
}

/// Sweeps until a mail to `address` containing `needle` arrives.
pub(crate) async fn swept_mail(stack: &Stack, address: &str, needle: &str) -> Value {
    eventually(&format!("a mail to {address} containing {needle}"), MAIL_LIMIT, || async {
        sweep(stack).await;
        mails_to(&inbox(stack).await, address, needle).first().map(|m| (*m).clone())
    })
    .await
}

/// An abandoned cart, as the storefront reports it, last touched two hours ago: its first
/// reminder (1 h) is due at once.
async fn abandon_cart(stack: &Stack, merchant: &Merchant, store: &str, email: &str) {
    let cart = unique("cart");
    let event = Envelope::new(
        format!("flow:cart_abandoned:{cart}"),
        merchant.tenant_id.parse().unwrap(),
        store.parse().unwrap(),
        time::OffsetDateTime::now_utc(),
        "e2e-mail",
        FlowEvent {
            occurred_at: time::OffsetDateTime::now_utc() - time::Duration::hours(2),
            trigger: FlowTrigger::CartAbandoned {
                cart_id: cart.clone(),
                email: Email::parse(email).unwrap(),
                items: vec![LineItem { title: "Slicker brush".into(), quantity: 1 }],
                cart_url: format!("http://shop.localhost:8788/cart/{cart}"),
                offer: None,
                shop: Shop {
                    url: "http://shop.localhost:8788".into(),
                    unsubscribe_url: format!(
                        "http://127.0.0.1:8787/v1/public/stores/{store}/unsubscribe/none"
                    ),
                    branding: Default::default(),
                },
            },
        },
    );
    stack
        .sqs
        .send_message()
        .queue_url(env("FLOWS_QUEUE_URL"))
        .message_body(event.to_body())
        .send()
        .await
        .unwrap();
}

/// What a mail client posts to a one-click unsubscribe link (RFC 8058).
pub(crate) async fn one_click(stack: &Stack, link: &str) -> reqwest::Response {
    stack
        .http
        .post(link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap()
}

pub(crate) fn unsubscribe_link(mail: &Value) -> String {
    let text = mail["text"].as_str().unwrap_or_default();
    let start = text.find("Unsubscribe: ").expect("the text part carries the unsubscribe link")
        + "Unsubscribe: ".len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_subscriber_gets_the_welcome_mail_and_one_click_unsubscribe_stops_all_marketing_mail() {
    let stack = Stack::connect().await;
    let (merchant, store) = store(&stack, "Mail Paws").await;
    let shopper = format!("{}@example.com", unique("shopper"));
    let control = format!("{}@example.com", unique("control"));

    // The merchant gives the first welcome mail a subject and intro of their own.
    let flows = format!("/v1/stores/{store}/email/flows");
    let refused = stack
        .send(
            reqwest::Method::PATCH,
            &format!("{flows}/welcome"),
            &merchant.access,
            Some(&json!({ "steps": [{ "step": 2, "delay_hours": 500 }] })),
        )
        .await;
    // Step 2 after step 3's default delay: a rule across the steps, so 422.
    assert_eq!(
        (refused.status, refused.json["field"].as_str()),
        (422, Some("delay_hours")),
        "{}",
        refused.text
    );
    let changed = stack
        .send(
            reqwest::Method::PATCH,
            &format!("{flows}/welcome"),
            &merchant.access,
            Some(&json!({ "steps": [{ "step": 1, "subject": "A warm hello from Mail Paws", "intro": "Our groomers picked these for you." }] })),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json["steps"][0]["subject"], "A warm hello from Mail Paws");

    // Double opt-in: the sign-up waits for the link mailed to the address, and its answer is the
    // same for every address.
    let first = subscribe(&stack, &store, &shopper).await;
    assert_eq!((first.status, first.json["status"].as_str()), (200, Some("pending")), "{}", first.text);
    let contacts = stack.get(&format!("/v1/stores/{store}/contacts"), &merchant.access).await;
    assert_eq!(contacts.json["contacts"][0]["status"], "pending", "{}", contacts.text);
    assert_eq!(contacts.json["account"]["subscribed"], 0, "a pending sign-up is not counted");
    let bad = subscribe(&stack, &store, "not an address").await;
    assert_eq!((bad.status, bad.json["field"].as_str()), (400, Some("email")), "{}", bad.text);
    confirm_subscription(&stack, &shopper, &store).await;
    let again = subscribe(&stack, &store, &shopper).await;
    assert_eq!(again.json, first.json, "a listed address gets the same answer: {}", again.text);

    let welcome = swept_mail(&stack, &shopper, "Welcome to Mail Paws").await;
    assert_eq!(welcome["subject"], "A warm hello from Mail Paws");
    assert!(welcome["text"].as_str().unwrap().contains("Our groomers picked these for you."));
    let link = unsubscribe_link(&welcome);
    // What the merchant sees of the welcome flow: the first mail sent, the next two waiting.
    let sends = eventually("the welcome flow's sends", Duration::from_secs(30), || async {
        let sends = stack.get(&format!("{flows}/welcome/sends"), &merchant.access).await;
        (sends.json["counts"]["sent"] == 1).then_some(sends)
    })
    .await;
    println!("a merchant's view of the welcome flow: {}", sends.json);
    assert_eq!(sends.json["counts"]["scheduled"], 1, "bestsellers waits (no offer, so no discount step)");
    // The raw message as received over SMTP: the one-click headers name the same link.
    let id = welcome["id"].as_str().unwrap();
    let source = stack.http.get(format!("http://127.0.0.1:1080/api/email/{id}/source")).send().await.unwrap();
    let source = source.text().await.unwrap().replace("\r\n ", " ").replace("\r\n\t", " ");
    assert!(source.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), "{source}");
    assert!(source.contains(&format!("List-Unsubscribe: <{link}>\r\n")), "{source}");

    // A person opening the link sees a page asking for the click; opening it changes nothing.
    let page = stack.http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Unsubscribe?") && page.contains("<form method=\"post\">"), "{page}");
    assert!(!page.contains(&shopper), "the page does not show the whole address");

    // The mail client's one-click POST (RFC 8058).
    let clicked = one_click(&stack, &link).await;
    assert_eq!(clicked.status(), 200);
    assert!(clicked.text().await.unwrap().contains("You are unsubscribed"));
    let contacts = stack.get(&format!("/v1/stores/{store}/contacts"), &merchant.access).await;
    let listed = contacts.json["contacts"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{}", contacts.text);
    assert_eq!(
        (listed[0]["email"].as_str(), listed[0]["status"].as_str()),
        (Some(shopper.as_str()), Some("unsubscribed"))
    );
    let after = stack.get(&format!("{flows}/welcome/sends?status=cancelled"), &merchant.access).await;
    assert_eq!(after.json["sends"][0]["reason"], "unsubscribed", "{}", after.text);
    let bogus = stack.http.get(link.replace("/unsubscribe/", "/unsubscribe/x")).send().await.unwrap();
    assert_eq!(bogus.status(), 404);

    // Both leave a cart; the control's reminder arrives, the unsubscribed shopper's never does.
    tokio::time::sleep(Duration::from_secs(3)).await;
    abandon_cart(&stack, &merchant, &store, &shopper).await;
    abandon_cart(&stack, &merchant, &store, &control).await;
    swept_mail(&stack, &control, "Slicker brush").await;
    sweep(&stack).await;
    let inbox = inbox(&stack).await;
    assert!(mails_to(&inbox, &shopper, "Slicker brush").is_empty(), "no marketing mail after unsubscribing");
    assert_eq!(mails_to(&inbox, &shopper, "Welcome to Mail Paws").len(), 1, "the welcome mail went out once");
    let segments = eventually("the cart abandoners segment", Duration::from_secs(30), || async {
        let segments = stack.get(&format!("/v1/stores/{store}/email/segments"), &merchant.access).await;
        segments.json["cart_abandoners"]["members"]
            .as_array()?
            .iter()
            .any(|m| m == control.as_str())
            .then_some(segments)
    })
    .await;
    println!("segments: {}", segments.json);
    assert_eq!(segments.json["new_customers"]["count"], 0);
}

fn svix(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

async fn resend_webhook(stack: &Stack, body: &str, signature: &str, id: &str, timestamp: &str) -> Answer {
    let response = stack
        .http
        .post(format!("{}/v1/webhooks/resend", stack.edge))
        .header("content-type", "application/json")
        .header("svix-id", id)
        .header("svix-timestamp", timestamp)
        .header("svix-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Answer { status, json: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_signed_bounce_report_suppresses_the_address_and_a_forged_one_is_refused() {
    let stack = Stack::connect().await;
    let secret = env("RESEND_WEBHOOK_SECRET");
    // The address is already a contact of another shop when its mailbox bounces.
    let (earlier_merchant, earlier_store) = store(&stack, "Earlier Paws").await;
    let (_merchant, store) = store(&stack, "Bounce Paws").await;
    let bounced = format!("{}@example.com", unique("gone"));
    let control = format!("{}@example.com", unique("fine"));
    assert_eq!(subscribe(&stack, &earlier_store, &bounced).await.status, 200);
    let body = json!({
        "type": "email.bounced",
        "created_at": "2026-11-26T10:00:00.000Z",
        "data": { "email_id": unique("em"), "to": [bounced], "bounce": { "type": "Permanent", "subType": "General" } }
    })
    .to_string();
    let id = unique("msg");
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().to_string();

    let forged = resend_webhook(&stack, &body, "v1,Zm9yZ2VkIHNpZ25hdHVyZQ==", &id, &timestamp).await;
    assert_eq!(forged.status, 401, "{}", forged.text);
    let stale = (time::OffsetDateTime::now_utc().unix_timestamp() - 3_600).to_string();
    let old = resend_webhook(&stack, &body, &svix(&secret, &id, &stale, &body), &id, &stale).await;
    assert_eq!(old.status, 401, "{}", old.text);
    let signed = resend_webhook(&stack, &body, &svix(&secret, &id, &timestamp, &body), &id, &timestamp).await;
    assert_eq!((signed.status, signed.json["suppressed"].as_u64()), (200, Some(1)), "{}", signed.text);
    let contacts = stack.get(&format!("/v1/stores/{earlier_store}/contacts"), &earlier_merchant.access).await;
    assert_eq!(
        (contacts.json["contacts"][0]["email"].as_str(), contacts.json["contacts"][0]["status"].as_str()),
        (Some(bounced.as_str()), Some("bounced")),
        "the shop sees why its contact gets no more mail: {}",
        contacts.text
    );

    // Give the suppression a moment on the flows queue, then both sign up.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(subscribe(&stack, &store, &bounced).await.status, 200);
    assert_eq!(subscribe(&stack, &store, &control).await.status, 200);
    // Both confirm (the confirmation is transactional, so it reaches a suppressed address).
    confirm_subscription(&stack, &bounced, &store).await;
    confirm_subscription(&stack, &control, &store).await;
    swept_mail(&stack, &control, "Welcome to Bounce Paws").await;
    sweep(&stack).await;
    assert!(
        mails_to(&inbox(&stack).await, &bounced, "Welcome to Bounce Paws").is_empty(),
        "a bounced address gets no marketing mail"
    );
}

/// A SendGrid Event Webhook delivery of `body`, its signature made as SendGrid makes it (ECDSA
/// P-256 over the timestamp then `signed`, base64 DER) with `key`, a scalar in hex.
async fn sendgrid_webhook(stack: &Stack, key: &str, signed: &str, body: &str, timestamp: &str) -> Answer {
    use p256::ecdsa::signature::Signer;
    let signing = p256::ecdsa::SigningKey::from_slice(&hex::decode(key).unwrap()).unwrap();
    let signature: p256::ecdsa::Signature = signing.sign(format!("{timestamp}{signed}").as_bytes());
    let header = STANDARD.encode(signature.to_der().as_bytes());
    let response = stack
        .http
        .post(format!("{}/v1/webhooks/sendgrid", stack.edge))
        .header("x-twilio-email-event-webhook-signature", header)
        .header("x-twilio-email-event-webhook-timestamp", timestamp)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Answer { status, json: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_sendgrid_report_signed_with_the_accounts_key_suppresses_the_address_through_webcrypto() {
    let stack = Stack::connect().await;
    let key = env("SENDGRID_WEBHOOK_PRIVATE_KEY");
    let (merchant, store) = store(&stack, "SendGrid Paws").await;
    let bounced = format!("{}@example.com", unique("sg-gone"));
    assert_eq!(subscribe(&stack, &store, &bounced).await.status, 200);
    confirm_subscription(&stack, &bounced, &store).await;
    let body = json!([
        { "email": bounced, "event": "bounce", "type": "bounce", "sg_event_id": unique("sg"), "timestamp": 1 },
        { "email": "fine@example.com", "event": "delivered", "sg_event_id": unique("sg"), "timestamp": 1 }
    ])
    .to_string();
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().to_string();

    // Signed with another key, over another body, or stale: refused, and nothing is suppressed.
    let other = "11".repeat(32);
    let forged = sendgrid_webhook(&stack, &other, &body, &body, &timestamp).await;
    assert_eq!(forged.status, 401, "{}", forged.text);
    let tampered = body.replace("fine@", "else@");
    assert_eq!(sendgrid_webhook(&stack, &key, &body, &tampered, &timestamp).await.status, 401);
    let stale = (time::OffsetDateTime::now_utc().unix_timestamp() - 3_600).to_string();
    assert_eq!(sendgrid_webhook(&stack, &key, &body, &body, &stale).await.status, 401);
    let before = stack.get(&format!("/v1/stores/{store}/contacts"), &merchant.access).await;
    assert_eq!(before.json["contacts"][0]["status"], "subscribed", "{}", before.text);

    let signed = sendgrid_webhook(&stack, &key, &body, &body, &timestamp).await;
    assert_eq!((signed.status, signed.json["suppressed"].as_u64()), (200, Some(1)), "{}", signed.text);
    let contacts = stack.get(&format!("/v1/stores/{store}/contacts"), &merchant.access).await;
    assert_eq!(
        (contacts.json["contacts"][0]["email"].as_str(), contacts.json["contacts"][0]["status"].as_str()),
        (Some(bounced.as_str()), Some("bounced")),
        "{}",
        contacts.text
    );
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_starter_account_holds_a_thousand_contacts() {
    let stack = Stack::connect().await;
    let (merchant, store) = store(&stack, "Full Paws").await;
    let contacts: Vec<Value> =
        (0..1_000).map(|i| json!({ "email": format!("list-{i}@{}.example.com", unique("d")) })).collect();
    let too_many: Vec<Value> = (0..1_001).map(|i| json!({ "email": format!("x{i}@example.com") })).collect();
    let refused = stack
        .post_json(
            &format!("/v1/stores/{store}/contacts/import"),
            Some(&merchant.access),
            &json!({ "contacts": too_many }),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    let imported = stack
        .post_json(
            &format!("/v1/stores/{store}/contacts/import"),
            Some(&merchant.access),
            &json!({ "contacts": contacts }),
        )
        .await;
    assert_eq!(
        (imported.status, imported.json["imported"].as_u64()),
        (200, Some(1_000)),
        "{}",
        imported.text
    );

    let one_more = subscribe(&stack, &store, &format!("{}@example.com", unique("late"))).await;
    assert_eq!(
        (one_more.status, one_more.json["code"].as_str()),
        (403, Some("plan_limit")),
        "{}",
        one_more.text
    );
    let detail = one_more.json["detail"].as_str().unwrap();
    assert!(detail.contains("1000") && detail.contains("growth"), "{detail}");

    let listed = stack.get(&format!("/v1/stores/{store}/contacts?status=subscribed"), &merchant.access).await;
    assert_eq!(listed.json["account"]["subscribed"], 1_000, "{}", listed.json["account"]);
    assert_eq!(listed.json["account"]["limit"], 1_000);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn an_seo_run_publishes_posts_for_content_gaps_and_refreshes_weak_product_meta() {
    let stack = Stack::connect().await;
    let (merchant, store) = store(&stack, "Groom Room").await;
    let products = format!("/v1/stores/{store}/products");
    for (title, meta_title, keywords) in [
        ("Self-Cleaning Slicker Brush", "Brush", vec!["dog brush", "slicker brush"]),
        (
            "Deshedding Tool for Long Hair",
            "Deshedding Tool for Long Hair | Groom Room",
            vec!["deshedding tool"],
        ),
        (
            "Pet Nail Clipper with Safety Guard",
            "Pet Nail Clipper with Safety Guard | Groom Room",
            vec!["nail clipper"],
        ),
    ] {
        let created = stack
            .post_json(
                &products,
                Some(&merchant.access),
                &json!({
                    "title": title, "price_minor": 2_499, "status": "published", "meta_title": meta_title,
                    "meta_description": "Grooming tool", "keywords": keywords,
                    "description": [format!("The {title} keeps coats tidy with less effort.")],
                }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
    }

    let started =
        stack.post_json(&format!("/v1/stores/{store}/seo/runs"), Some(&merchant.access), &Value::Null).await;
    assert_eq!(started.status, 202, "{}", started.text);
    let run = eventually("the SEO run's report", Duration::from_secs(180), || async {
        let runs = stack.get(&format!("/v1/stores/{store}/seo/runs"), &merchant.access).await;
        runs.json["runs"].as_array()?.iter().find(|r| r["status"] == "completed").cloned()
    })
    .await;
    let report = &run["report"];
    println!("SEO run report: {report}");
    assert!(report["keywords"].as_array().unwrap().len() >= 10, "keywords found: {report}");
    assert_eq!(report["posts"].as_array().unwrap().len(), 2, "two posts for the top gaps");
    assert!(report["products_improved"].as_u64().unwrap() >= 3, "weak and duplicated meta rewritten");
    assert_eq!(report["indexnow_ok"], true);

    let posts = stack.get(&format!("/v1/stores/{store}/seo/posts"), &merchant.access).await;
    let posts = posts.json["posts"].as_array().unwrap().clone();
    assert_eq!(posts.len(), 2);
    for post in &posts {
        let words = post["words"].as_u64().unwrap();
        println!("post `{}`: {words} words", post["title"]);
        assert!((800..=1_600).contains(&words), "{words} words");
        assert!(post["meta_title"].as_str().unwrap().chars().count() <= 60);
        assert!(post["meta_description"].as_str().unwrap().chars().count() <= 155);
        let html = post["body_html"].as_str().unwrap();
        assert!(html.contains("<h2>") && !html.contains("<script"), "sanitised HTML");
    }
    assert!(
        posts.iter().any(|p| p["body_html"].as_str().unwrap().contains("href=\"/products/")),
        "related products are linked"
    );

    let listed = stack.products(&merchant, &store).await;
    let brush = listed.iter().find(|p| p["title"] == "Self-Cleaning Slicker Brush").unwrap();
    let detail = stack.get(&format!("{products}/{}", brush["id"].as_str().unwrap()), &merchant.access).await;
    assert_eq!(detail.json["meta_title"], "Self-Cleaning Slicker Brush | Groom Room", "{}", detail.text);
    let pinged = stack
        .http
        .get("http://127.0.0.1:9110/_test/indexnow")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let urls = pinged.to_string();
    assert!(
        urls.contains("/blog/") && urls.contains("/products/"),
        "IndexNow heard of the new and changed URLs"
    );
    // A search engine checks the key at the host it was sent for: the store's host serves it.
    let key = env("INDEXNOW_KEY");
    let host = stack.get(&format!("/v1/stores/{store}"), &merchant.access).await.json["host"]
        .as_str()
        .unwrap()
        .to_owned();
    let served = stack.page(&host, &format!("/{key}.txt")).await;
    assert_eq!((served.status, served.text.as_str()), (200, key.as_str()));
    assert_eq!(stack.page(&host, "/0123456789abcdef0123.txt").await.status, 404, "only the platform's key");
}
