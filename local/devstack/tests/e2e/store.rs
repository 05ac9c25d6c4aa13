//! The storefront end to end: what the merchant API writes (variants, collections, pages, posts,
//! slug changes) is what shoppers see; a shopper buys with plain HTML forms and a cookie, pays on
//! the Stripe stand-in, and the signed webhook turns the payment into exactly one order.

use crate::helpers::{eventually, unique, Merchant, Stack};
use reqwest::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::{json, Value};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// A client that shows redirects instead of following them, as the tests assert on them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

const FORM: &str = "application/x-www-form-urlencoded";

/// A form body, as a browser encodes it.
fn form(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// What a shopper in the United States types on the Stripe stand-in's pay page: card, address and
/// phone.
const US_PAYMENT: [(&str, &str); 7] = [
    ("card", "4242424242424242"),
    ("name", "Ada Lovelace"),
    ("line1", "1 Main Street"),
    ("city", "Springfield"),
    ("postal_code", "62701"),
    ("country", "US"),
    ("phone", "+1 555 010 0199"),
];

pub(crate) struct Shop {
    pub(crate) merchant: Merchant,
    pub(crate) id: String,
    pub(crate) host: String,
}

pub(crate) async fn shop(stack: &Stack, name: &str) -> Shop {
    let merchant = stack.sign_up().await;
    let created = stack.create_store(&merchant, &unique("shop"), name).await;
    assert_eq!(created.status, 201, "{}", created.text);
    Shop {
        id: created.json["id"].as_str().unwrap().to_owned(),
        host: created.json["host"].as_str().unwrap().to_owned(),
        merchant,
    }
}

pub(crate) async fn api(
    stack: &Stack,
    shop: &Shop,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> crate::helpers::Answer {
    stack.send(method, &format!("/v1/stores/{}{path}", shop.id), &shop.merchant.access, body).await
}

/// A storefront page with the store's host, redirects not followed.
async fn visit(stack: &Stack, host: &str, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = browser().get(format!("{}{path}", stack.storefront)).header("host", host);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

/// Waits until a storefront page answers `status` with `needle` in its body (the isolate trusts
/// a cache version for a few seconds after a change).
pub(crate) async fn page_shows(stack: &Stack, host: &str, path: &str, status: u16, needle: &str) -> String {
    eventually(&format!("{path} to answer {status} with {needle}"), LIMIT, || async {
        let response = visit(stack, host, path, None).await;
        let got = response.status().as_u16();
        let location =
            response.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        let body = response.text().await.unwrap();
        (got == status && (body.contains(needle) || location.contains(needle))).then_some(body)
    })
    .await
}

pub(crate) async fn product(stack: &Stack, shop: &Shop, body: &Value) -> Value {
    let created = api(stack, shop, reqwest::Method::POST, "/products", Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.json
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn collections_variants_pages_posts_and_renamed_slugs_reach_the_storefront() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Trail Gear E2E").await;
    let jacket = product(
        &stack,
        &shop,
        &json!({
            "title": "Rain Jacket", "price_minor": 8900, "status": "published",
            "description": ["Keeps you dry."],
            "variants": [
                {"title": "Red / M", "options": {"Colour": "Red", "Size": "M"}, "stock": 4, "compare_at_minor": 9900},
                {"title": "Blue / M", "options": {"Colour": "Blue", "Size": "M"}, "stock": 0}
            ]
        }),
    )
    .await;
    assert_eq!(jacket["variants"].as_array().unwrap().len(), 2, "{jacket}");
    let bottle =
        product(&stack, &shop, &json!({"title": "Steel Bottle", "price_minor": 1900, "status": "published"}))
            .await;

    // A variant that is not the product's own is refused, and nothing changes.
    let foreign = api(
        &stack,
        &shop,
        reqwest::Method::PATCH,
        &format!("/products/{}", jacket["id"].as_str().unwrap()),
        Some(&json!({"variants": [{"id": bottle["id"], "title": "X"}]})),
    )
    .await;
    // An id of none of the product's variants answers 404, as ids of nothing in the store do.
    assert_eq!(
        (foreign.status, foreign.json["field"].as_str()),
        (404, Some("variants[0].id")),
        "{}",
        foreign.text
    );

    let collection = api(
        &stack,
        &shop,
        reqwest::Method::POST,
        "/collections",
        Some(&json!({
            "title": "Summer Trails", "featured": true, "sort": "manual",
            "description": "<p>Light gear.</p><script>alert(1)</script>",
            "product_ids": [bottle["id"], jacket["id"]]
        })),
    )
    .await;
    assert_eq!(collection.status, 201, "{}", collection.text);
    assert_eq!(collection.json["description"], "<p>Light gear.</p>", "HTML is sanitised before it is stored");

    let page = page_shows(&stack, &shop.host, "/collections/summer-trails", 200, "Steel Bottle").await;
    assert!(
        page.contains("Rain Jacket") && page.contains("<p>Light gear.</p>") && !page.contains("alert(1)")
    );
    assert!(page.find("Steel Bottle").unwrap() < page.find("Rain Jacket").unwrap(), "manual order");
    let sorted =
        page_shows(&stack, &shop.host, "/collections/summer-trails?sort=price_desc", 200, "Rain Jacket")
            .await;
    assert!(sorted.find("Rain Jacket").unwrap() < sorted.find("Steel Bottle").unwrap(), "dearest first");
    let home = page_shows(&stack, &shop.host, "/", 200, "Summer Trails").await;
    assert!(home.contains("href=\"/collections/summer-trails\""));

    let jacket_page = page_shows(&stack, &shop.host, "/products/rain-jacket", 200, "Red / M").await;
    assert!(jacket_page.contains("name=\"variant_id\""), "variants are radio buttons");
    assert!(jacket_page.contains("Sold out"), "the blue one is sold out");
    assert!(jacket_page.contains("Regular price: </span>$99.00"), "compare-at price of the variant");

    // Renamed slugs answer with a 301 to the new one.
    let renamed = api(
        &stack,
        &shop,
        reqwest::Method::PATCH,
        &format!("/collections/{}", collection.json["id"].as_str().unwrap()),
        Some(&json!({"slug": "summer-sale"})),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    page_shows(&stack, &shop.host, "/collections/summer-trails", 301, "/collections/summer-sale").await;
    let moved = api(
        &stack,
        &shop,
        reqwest::Method::PATCH,
        &format!("/products/{}", jacket["id"].as_str().unwrap()),
        Some(&json!({"slug": "storm-jacket"})),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    page_shows(&stack, &shop.host, "/products/rain-jacket", 301, "/products/storm-jacket").await;
    page_shows(&stack, &shop.host, "/products/storm-jacket", 200, "Red / M").await;

    // A bulk change that one product cannot take changes nothing; a good one changes all.
    let ids = json!([jacket["id"], bottle["id"]]);
    let refused = api(
        &stack,
        &shop,
        reqwest::Method::PATCH,
        "/products",
        Some(&json!({"ids": ids, "changes": {"compare_at_minor": 5000}})),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.json["errors"].as_array().unwrap().len(),
        1,
        "only the jacket (8900) cannot take 5000"
    );
    let bulk = api(
        &stack,
        &shop,
        reqwest::Method::PATCH,
        "/products",
        Some(&json!({"ids": ids, "changes": {"compare_at_minor": 12000}})),
    )
    .await;
    assert_eq!((bulk.status, bulk.json["updated"].as_u64()), (200, Some(2)), "{}", bulk.text);

    // Store pages exist from the start and are editable; posts get BlogPosting data.
    page_shows(&stack, &shop.host, "/pages/shipping", 200, "Shipping policy").await;
    let edited = api(
        &stack,
        &shop,
        reqwest::Method::PATCH,
        "/pages/about",
        Some(&json!({"body_html": "<p>Founded by hikers.</p><iframe src=x></iframe>"})),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    let about = page_shows(&stack, &shop.host, "/pages/about", 200, "Founded by hikers.").await;
    assert!(!about.contains("iframe"));
    let post = api(
        &stack,
        &shop,
        reqwest::Method::POST,
        "/posts",
        Some(&json!({"title": "Packing for a wet weekend", "body_html": "<p>Layers.</p>", "status": "published", "author": "Ada"})),
    )
    .await;
    assert_eq!(post.status, 201, "{}", post.text);
    page_shows(&stack, &shop.host, "/blog", 200, "Packing for a wet weekend").await;
    let article =
        page_shows(&stack, &shop.host, "/blog/packing-for-a-wet-weekend", 200, "\"@type\":\"BlogPosting\"")
            .await;
    assert!(article.contains("<p>Layers.</p>"));
    page_shows(&stack, &shop.host, "/sitemaps/collections.xml", 200, "/collections/summer-sale").await;
    page_shows(&stack, &shop.host, "/sitemaps/posts.xml", 200, "/blog/packing-for-a-wet-weekend").await;

    // Cached pages revalidate with ETag and 304.
    let first = visit(&stack, &shop.host, "/blog", None).await;
    let tag = first.headers().get("etag").expect("an ETag").to_str().unwrap().to_owned();
    let again = browser()
        .get(format!("{}/blog", stack.storefront))
        .header("host", &shop.host)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_shopper_buys_with_plain_forms_and_the_paid_checkout_becomes_one_order() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Camp Kitchen E2E").await;
    let stove = product(
        &stack,
        &shop,
        &json!({"title": "Camp Stove", "price_minor": 4500, "status": "published",
                "variants": [{"title": "Standard", "stock": 3}]}),
    )
    .await;
    let product_id = stove["id"].as_str().unwrap().to_owned();
    let variant_id = stove["variants"][0]["id"].as_str().unwrap().to_owned();
    page_shows(&stack, &shop.host, "/products/camp-stove", 200, "Camp Stove").await;
    for _ in 0..2 {
        assert_eq!(visit(&stack, &shop.host, "/products/camp-stove", None).await.status().as_u16(), 200);
    }

    // Add to cart with a plain form post: a redirect to the cart and a signed cookie.
    let added = browser()
        .post(format!("{}/cart/add", stack.storefront))
        .header("host", &shop.host)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&[
            ("product_id", product_id.as_str()),
            ("variant_id", variant_id.as_str()),
            ("quantity", "2"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status().as_u16(), 303);
    assert_eq!(added.headers()[LOCATION], "/cart");
    let cookies: Vec<String> = added
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    assert!(added.headers().get_all(SET_COOKIE).iter().any(|c| c.to_str().unwrap().contains("HttpOnly")));
    let cookie = cookies.join("; ");
    let cart = visit(&stack, &shop.host, "/cart", Some(&cookie)).await;
    assert_eq!(cart.headers()[CACHE_CONTROL], "private, no-store", "a cart is never cached");
    let cart = cart.text().await.unwrap();
    assert!(cart.contains("Camp Stove (Standard)") && cart.contains("$90.00"), "{cart}");

    // A forged cookie is an empty cart.
    let forged = cookie.replace("*2", "*9");
    assert!(visit(&stack, &shop.host, "/cart", Some(&forged))
        .await
        .text()
        .await
        .unwrap()
        .contains("Your cart is empty."));

    // The merchant ships to the United States and Canada, standard or express, with automatic tax;
    // limits are enforced by field.
    let settings = json!({"countries": ["us", "CA"], "standard_minor": 499, "express_minor": 1499,
                          "free_over_minor": 10000, "automatic_tax": true});
    let set = api(&stack, &shop, reqwest::Method::PUT, "/shipping", Some(&settings)).await;
    assert_eq!((set.status, set.json["countries"].clone()), (200, json!(["US", "CA"])), "{}", set.text);
    let refused = api(
        &stack,
        &shop,
        reqwest::Method::PUT,
        "/shipping",
        Some(&json!({"countries": ["KP"], "standard_minor": 0})),
    )
    .await;
    assert_eq!(
        (refused.status, refused.json["field"].as_str()),
        (400, Some("countries")),
        "{}",
        refused.text
    );
    assert_eq!(api(&stack, &shop, reqwest::Method::GET, "/shipping", None).await.json["express_minor"], 1499);

    // A cart going to a country the store does not ship to is told so before payment.
    let abroad = browser()
        .post(format!("{}/checkout", stack.storefront))
        .header("host", &shop.host)
        .header(COOKIE, &cookie)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&[("email", "abroad@example.com"), ("country", "FR")]))
        .send()
        .await
        .unwrap();
    assert_eq!(abroad.status().as_u16(), 409);
    assert!(abroad.text().await.unwrap().contains("this store does not ship to FR"));

    // Checkout: the edge prices the cart and opens a Stripe Checkout Session.
    let bad_email = browser()
        .post(format!("{}/checkout", stack.storefront))
        .header("host", &shop.host)
        .header(COOKIE, &cookie)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&[("email", "not-an-address")]))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_email.status().as_u16(), 400);
    let email = format!("{}@example.com", unique("shopper"));
    let checkout = browser()
        .post(format!("{}/checkout", stack.storefront))
        .header("host", &shop.host)
        .header(COOKIE, &cookie)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&[("email", email.as_str())]))
        .send()
        .await
        .unwrap();
    assert_eq!(checkout.status().as_u16(), 303, "{}", checkout.text().await.unwrap_or_default());
    let pay_url = checkout.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(pay_url.starts_with("http://127.0.0.1:8420/pay/cs_test_"), "{pay_url}");
    let pay_page = browser().get(&pay_url).send().await.unwrap().text().await.unwrap();
    assert!(
        pay_page.contains("Camp Stove (Standard) &times; 2") && pay_page.contains("$94.99"),
        "the goods and the preselected standard rate: {pay_page}"
    );
    // AliExpress-free cart: the merchant's own stock's estimate, and both countries offered.
    for needle in [
        "Standard shipping</span>: $4.99 (3-7 business days)",
        "Express shipping</span>: $14.99 (1-3 business days)",
        r#"<option value="CA">"#,
    ] {
        assert!(pay_page.contains(needle), "{needle}: {pay_page}");
    }
    let express = pay_page
        .split(r#"name="shipping_rate" value=""#)
        .nth(2)
        .and_then(|rest| rest.split('"').next())
        .expect("the express rate's radio")
        .to_owned();

    // The shopper pays, to Canada by express; the stand-in posts the signed webhook; the order page
    // shows the order.
    let mut canada: Vec<(&str, &str)> =
        US_PAYMENT.iter().map(|&(k, v)| (k, if k == "country" { "CA" } else { v })).collect();
    canada.push(("shipping_rate", express.as_str()));
    let paid = browser()
        .post(&pay_url)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&canada))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status().as_u16(), 303);
    let order_url = paid.headers()[LOCATION].to_str().unwrap().to_owned();
    let order_path = order_url.find("/orders/").map(|i| order_url[i..].to_owned()).unwrap_or_default();
    assert!(order_path.starts_with("/orders/"), "{order_url}");
    let order_page = page_shows(&stack, &shop.host, &order_path, 200, "Order #1001").await;
    assert!(order_page.contains("Thank you! Your payment was received."));
    let response = visit(&stack, &shop.host, &order_path, None).await;
    assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store", "an order page is never cached");

    let orders = api(&stack, &shop, reqwest::Method::GET, "/orders", None).await;
    assert_eq!(orders.json["orders"].as_array().unwrap().len(), 1, "{}", orders.text);
    let order = &orders.json["orders"][0];
    // 9000 of goods, 1499 of express shipping, the stand-in's 5 % Canadian tax on both (450 + 75).
    assert_eq!((order["total_minor"].as_i64(), order["email"].as_str()), (Some(11024), Some(email.as_str())));
    assert_eq!(
        (order["subtotal_minor"].as_i64(), order["shipping_minor"].as_i64(), order["tax_minor"].as_i64()),
        (Some(9000), Some(1499), Some(525)),
        "{}",
        orders.text
    );
    assert_eq!(order["shipping"]["name"], "Ada Lovelace");
    assert_eq!(order["shipping"]["phone"], "+1 555 010 0199");
    assert_eq!(order["shipping"]["rate"], "Express shipping");
    assert_eq!(
        order["shipping"]["address"],
        json!({"line1": "1 Main Street", "line2": null, "city": "Springfield", "state": null,
               "postal_code": "62701", "country": "CA"})
    );
    let detail =
        api(&stack, &shop, reqwest::Method::GET, &format!("/orders/{}", order["id"].as_str().unwrap()), None)
            .await;
    assert_eq!(detail.json["items"][0]["quantity"], 2, "{}", detail.text);
    let stock = api(&stack, &shop, reqwest::Method::GET, &format!("/products/{product_id}"), None).await;
    assert_eq!(stock.json["variants"][0]["stock"], 1, "tracked stock went down by two");

    // Stripe retries the same event: still one order, stock untouched.
    let events: Value =
        stack.http.get("http://127.0.0.1:8420/_test/events").send().await.unwrap().json().await.unwrap();
    let mut replayed = false;
    for event in
        events["data"].as_array().unwrap().iter().rev().filter(|e| e["type"] == "checkout.session.completed")
    {
        let id = event["id"].as_str().unwrap();
        let detail: Value = stack
            .http
            .get(format!("http://127.0.0.1:8420/_test/events/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if detail["payload"].as_str().unwrap_or_default().contains(&shop.id) {
            let resent: Value = stack
                .http
                .post(format!("http://127.0.0.1:8420/_test/events/{id}/resend"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(resent["deliveries"][0]["status"], 200, "{resent}");
            replayed = true;
            break;
        }
    }
    assert!(replayed, "the payment's event was found and replayed");
    let orders = api(&stack, &shop, reqwest::Method::GET, "/orders", None).await;
    assert_eq!(
        orders.json["orders"].as_array().unwrap().len(),
        1,
        "a replayed webhook makes no second order"
    );
    let stock = api(&stack, &shop, reqwest::Method::GET, &format!("/products/{product_id}"), None).await;
    assert_eq!(stock.json["variants"][0]["stock"], 1);

    // Analytics: the isolate hands its counts over every couple of seconds.
    let report = eventually("the shopper's events in the analytics", LIMIT, || async {
        visit(&stack, &shop.host, "/", None).await;
        let report = api(&stack, &shop, reqwest::Method::GET, "/analytics", None).await;
        (report.json["product_views"].as_i64() >= Some(3) && report.json["add_to_cart"].as_i64() >= Some(1))
            .then_some(report.json)
    })
    .await;
    assert_eq!(report["checkouts_started"], 1, "{report}");
    assert_eq!(report["purchases"], 1, "{report}");
    assert_eq!(report["revenue_minor"], 11024, "what was charged: {report}");
    assert!(report["page_views"].as_i64() >= Some(3), "{report}");
    assert!(report["conversion_rate"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_shopper_buys_in_headless_chromium_and_sees_the_order() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Browser Buys E2E").await;
    product(&stack, &shop, &json!({"title": "Enamel Mug", "price_minor": 1500, "status": "published"})).await;
    page_shows(&stack, &shop.host, "/products/enamel-mug", 200, "Enamel Mug").await;
    let email = format!("{}@example.com", unique("browser"));
    let port = stack.storefront.rsplit(':').next().unwrap().to_owned();
    let origin = format!("http://{}:{port}", shop.host.split(':').next().unwrap());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/purchase.py");
    let output = tokio::process::Command::new("python3")
        .args([script, &origin, "/products/enamel-mug", &email])
        .output()
        .await
        .expect("python3 runs the browser script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("order page: Order #1001"), "{stdout}");
    let orders = api(&stack, &shop, reqwest::Method::GET, "/orders", None).await;
    assert_eq!(orders.json["orders"][0]["email"], email.as_str(), "{}", orders.text);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn product_images_are_served_from_the_media_bucket_with_a_long_cache_life() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Media E2E").await;
    let bucket = std::env::var("BUCKET_NAME").expect("BUCKET_NAME from the stack's aws.env");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&aws_config::load_from_env().await).force_path_style(true).build(),
    );
    let bytes = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00".to_vec();
    s3.put_object()
        .bucket(&bucket)
        .key(format!("stores/{}/media/e2e-photo-480.webp", shop.id))
        .content_type("image/webp")
        .body(bytes.clone().into())
        .send()
        .await
        .unwrap();
    let served = eventually("the media file", LIMIT, || async {
        let response = visit(&stack, &shop.host, "/media/e2e-photo-480.webp", None).await;
        (response.status().as_u16() == 200).then_some(response)
    })
    .await;
    assert_eq!(served.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(served.headers()["content-type"], "image/webp");
    assert_eq!(served.bytes().await.unwrap().to_vec(), bytes);
    assert_eq!(visit(&stack, &shop.host, "/media/missing.webp", None).await.status().as_u16(), 404);
    // An image imported before the pipeline made 800 px variants is served its 960 px one there.
    let older = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x01";
    s3.put_object()
        .bucket(&bucket)
        .key(format!("stores/{}/media/e2e-older-960.webp", shop.id))
        .content_type("image/webp")
        .body(older.to_vec().into())
        .send()
        .await
        .unwrap();
    let served = visit(&stack, &shop.host, "/media/e2e-older-800.webp", None).await;
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.bytes().await.unwrap().to_vec(), older.to_vec());
    assert_eq!(visit(&stack, &shop.host, "/media/e2e-older-480.webp", None).await.status().as_u16(), 404);
    // Another store's host cannot read this store's media.
    let other = self::shop(&stack, "Other Media E2E").await;
    eventually("the other store's host", LIMIT, || async {
        (visit(&stack, &other.host, "/", None).await.status().as_u16() == 200).then_some(())
    })
    .await;
    assert_eq!(visit(&stack, &other.host, "/media/e2e-photo-480.webp", None).await.status().as_u16(), 404);
}

/// Adds one of `product`'s first variant to a fresh cart and opens checkout for `email`; the
/// shopper leaves on Stripe's page without paying.
async fn leave_checkout(stack: &Stack, shop: &Shop, product: &Value, email: &str) {
    open_checkout(stack, &shop.host, product, email).await;
}

/// A shopper on `host` buys one of `product`'s first variant and pays on the Stripe stand-in;
/// answers the order page's path (`/orders/{token}`) the payment returned the shopper to.
pub(crate) async fn buy(stack: &Stack, host: &str, product: &Value, email: &str) -> String {
    let pay_url = open_checkout(stack, host, product, email).await;
    let paid = browser()
        .post(&pay_url)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&US_PAYMENT))
        .send()
        .await
        .unwrap();
    let order_url = paid.headers().get(LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(paid.status().as_u16(), 303, "{}", paid.text().await.unwrap_or_default());
    order_url[order_url.find("/orders/").expect("the order page")..]
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A shopper on `host` puts one of each product's first variant in one cart, checks out once and
/// pays on the Stripe stand-in; answers the order page's path.
pub(crate) async fn buy_all(stack: &Stack, host: &str, products: &[&Value], email: &str) -> String {
    let mut cookie = String::new();
    for product in products {
        let added = browser()
            .post(format!("{}/cart/add", stack.storefront))
            .header("host", host)
            .header(COOKIE, &cookie)
            .header(reqwest::header::CONTENT_TYPE, FORM)
            .body(form(&[
                ("product_id", product["id"].as_str().unwrap()),
                ("variant_id", product["variants"][0]["id"].as_str().unwrap_or_default()),
                ("quantity", "1"),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status().as_u16(), 303);
        let set: Vec<String> = added
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect();
        if !set.is_empty() {
            cookie = set.join("; ");
        }
    }
    let checkout = browser()
        .post(format!("{}/checkout", stack.storefront))
        .header("host", host)
        .header(COOKIE, &cookie)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&[("email", email)]))
        .send()
        .await
        .unwrap();
    assert_eq!(checkout.status().as_u16(), 303, "{}", checkout.text().await.unwrap_or_default());
    let pay_url = checkout.headers()[LOCATION].to_str().unwrap().to_owned();
    let paid = browser()
        .post(&pay_url)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&US_PAYMENT))
        .send()
        .await
        .unwrap();
    let order_url = paid.headers().get(LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(paid.status().as_u16(), 303, "{}", paid.text().await.unwrap_or_default());
    order_url[order_url.find("/orders/").expect("the order page")..]
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Adds one of `product`'s first variant to a fresh cart and opens checkout for `email`; answers
/// the payment page's URL.
async fn open_checkout(stack: &Stack, host: &str, product: &Value, email: &str) -> String {
    let added = browser()
        .post(format!("{}/cart/add", stack.storefront))
        .header("host", host)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&[
            ("product_id", product["id"].as_str().unwrap()),
            ("variant_id", product["variants"][0]["id"].as_str().unwrap_or_default()),
            ("quantity", "1"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status().as_u16(), 303);
    let cookie = added
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let checkout = browser()
        .post(format!("{}/checkout", stack.storefront))
        .header("host", host)
        .header(COOKIE, &cookie)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&[("email", email)]))
        .send()
        .await
        .unwrap();
    assert_eq!(checkout.status().as_u16(), 303, "{}", checkout.text().await.unwrap_or_default());
    checkout.headers()[LOCATION].to_str().unwrap().to_owned()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_shopper_who_leaves_a_checkout_is_reminded_and_its_link_unsubscribes_them_for_good() {
    use crate::mail::{inbox, mails_to, one_click, sweep, swept_mail, unsubscribe_link};
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Lantern Loft").await;
    let lamp = product(
        &stack,
        &shop,
        &json!({"title": "Paper Lantern", "price_minor": 2400, "status": "published",
                "variants": [{"title": "Large", "price_minor": 2400}]}),
    )
    .await;
    // The merchant sends the first reminder at once rather than after an hour.
    let flow = api(
        &stack,
        &shop,
        reqwest::Method::PATCH,
        "/email/flows/abandoned_cart",
        Some(&json!({ "steps": [{ "step": 1, "delay_hours": 0 }] })),
    )
    .await;
    assert_eq!(flow.status, 200, "{}", flow.text);
    page_shows(&stack, &shop.host, "/products/paper-lantern", 200, "Paper Lantern").await;

    let shopper = format!("{}@example.com", unique("leaver"));
    leave_checkout(&stack, &shop, &lamp, &shopper).await;
    let reminder = swept_mail(&stack, &shopper, "Paper Lantern").await;
    let link = unsubscribe_link(&reminder);
    assert!(link.contains(&format!("/v1/public/stores/{}/unsubscribe/s.", shop.id)), "{link}");

    // The link names this shopper only: changing the address in it breaks it.
    let forged = link.replacen("/unsubscribe/s.", "/unsubscribe/s.A", 1);
    assert_eq!(stack.http.get(&forged).send().await.unwrap().status(), 404);
    let page = stack.http.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Unsubscribe?"), "{page}");
    let clicked = one_click(&stack, &link).await;
    assert_eq!(clicked.status(), 200);
    assert!(clicked.text().await.unwrap().contains("You are unsubscribed"));
    let page = stack.http.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("You are unsubscribed"), "opening the link again says so: {page}");

    // The merchant sees who opted out, and the opt-out takes no place under the plan's limit.
    let contacts = api(&stack, &shop, reqwest::Method::GET, "/contacts", None).await;
    let listed = contacts.json["contacts"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{}", contacts.text);
    assert_eq!(
        (listed[0]["email"].as_str(), listed[0]["status"].as_str(), listed[0]["source"].as_str()),
        (Some(shopper.as_str()), Some("unsubscribed"), Some("checkout")),
        "{}",
        contacts.text
    );
    // The next abandoned cart reminds a control shopper, never the one who opted out.
    let control = format!("{}@example.com", unique("control"));
    leave_checkout(&stack, &shop, &lamp, &shopper).await;
    leave_checkout(&stack, &shop, &lamp, &control).await;
    swept_mail(&stack, &control, "Paper Lantern").await;
    sweep(&stack).await;
    assert_eq!(mails_to(&inbox(&stack).await, &shopper, "Paper Lantern").len(), 1, "only the first reminder");
}

/// Runs a page checker over saved pages; on failure, shows what it said.
fn run_checker(command: &mut std::process::Command, what: &str) {
    let output =
        command.output().unwrap_or_else(|e| panic!("starting the {what}: {e} (local/tools.sh installs it)"));
    let said =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    println!("{what}:\n{said}");
    assert!(output.status.success(), "the {what} found problems:\n{said}");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn every_kind_of_page_is_valid_html_with_the_structured_data_search_engines_read() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Valid Lanterns").await;
    let lantern = product(
        &stack,
        &shop,
        &json!({
            "title": "Brass Lantern", "price_minor": 3400, "compare_at_minor": 4500, "status": "published",
            "description": ["A lantern for long evenings.", "Solid brass & hand-blown <glass>."],
            "features": ["Brass body", "Glass chimney"],
            "images": ["https://cdn.example.com/lantern.jpg", "https://cdn.example.com/lantern-side.jpg"],
            "variants": [{"title": "Small", "stock": 4}, {"title": "Large", "price_minor": 4400, "stock": 0}]
        }),
    )
    .await;
    product(&stack, &shop, &json!({"title": "Wick Trimmer", "price_minor": 900, "status": "published"}))
        .await;
    let collection = api(
        &stack,
        &shop,
        reqwest::Method::POST,
        "/collections",
        Some(&json!({"title": "Evening Light", "featured": true, "product_ids": [lantern["id"]]})),
    )
    .await;
    assert_eq!(collection.status, 201, "{}", collection.text);
    let post = api(
        &stack,
        &shop,
        reqwest::Method::POST,
        "/posts",
        Some(
            &json!({"title": "Caring for brass", "body_html": "<h2>Polish</h2><p>Gently, twice a year.</p>",
                     "status": "published", "author": "Ada", "related_product_ids": [lantern["id"]]}),
        ),
    )
    .await;
    assert_eq!(post.status, 201, "{}", post.text);
    page_shows(&stack, &shop.host, "/products/brass-lantern", 200, "Brass Lantern").await;

    let collection_path = format!("/collections/{}", collection.json["slug"].as_str().unwrap());
    let post_path = format!("/blog/{}", post.json["slug"].as_str().unwrap());
    let pages = [
        ("home", "/".to_owned()),
        ("page", collection_path),
        ("product", "/products/brass-lantern".to_owned()),
        ("page", "/blog".to_owned()),
        ("post", post_path),
        ("page", "/pages/about".to_owned()),
        ("page", "/search?q=lantern".to_owned()),
        ("page", "/cart".to_owned()),
        ("page", "/no-such-page".to_owned()),
    ];
    let dir = std::env::temp_dir().join(unique("pages"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (index, (kind, path)) in pages.iter().enumerate() {
        let body = visit(&stack, &shop.host, path, None).await.text().await.unwrap();
        let file = dir.join(format!("{index}-{kind}.html"));
        std::fs::write(&file, body).unwrap();
        files.push((*kind, file));
    }

    // The Nu Html Checker (the W3C's validator) over every page.
    let tools = std::env::var("DROPSHIP_TOOLS").expect("DROPSHIP_TOOLS from local/env.sh");
    run_checker(
        std::process::Command::new("java")
            .args(["-jar", &format!("{tools}/validators/npm/node_modules/vnu-jar/build/dist/vnu.jar")])
            .args(["--errors-only", "--format", "text"])
            .args(files.iter().map(|(_, f)| f)),
        "HTML checker",
    );
    // Structured data and social cards, with what each kind of page must carry.
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    run_checker(
        std::process::Command::new("node")
            .arg(format!("{root}/../checks/structured_data.js"))
            .args(files.iter().map(|(kind, f)| format!("{kind}={}", f.display())))
            .env("NODE_PATH", format!("{tools}/validators/npm/node_modules")),
        "structured data checker",
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_shopper_signs_up_in_the_footer_form_without_javascript_and_gets_the_welcome_mail() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Footer Teas").await;
    let home = page_shows(&stack, &shop.host, "/", 200, "action=\"/subscribe\"").await;
    assert!(home.contains("<label for=\"nl-email\">"), "{home}");
    let sign_up = |email: &'static str| {
        let (stack, host) = (&stack, shop.host.clone());
        async move {
            browser()
                .post(format!("{}/subscribe", stack.storefront))
                .header("host", host)
                .header("cf-connecting-ip", "203.0.113.77")
                .header(reqwest::header::CONTENT_TYPE, FORM)
                .body(form(&[("email", email)]))
                .send()
                .await
                .unwrap()
        }
    };
    let refused = sign_up("not-an-address").await;
    assert_eq!(refused.status().as_u16(), 400);
    assert!(refused.text().await.unwrap().contains("Enter a valid email address."));

    let shopper = format!("{}@example.com", unique("footer"));
    let shopper: &'static str = Box::leak(shopper.into_boxed_str());
    let done = sign_up(shopper).await;
    assert_eq!(done.status().as_u16(), 200);
    assert_eq!(
        done.headers()[CACHE_CONTROL],
        "private, no-store",
        "an answer to one shopper is never cached"
    );
    assert!(done.text().await.unwrap().contains("Check your inbox"));
    let contacts = api(&stack, &shop, reqwest::Method::GET, "/contacts", None).await;
    assert_eq!(contacts.json["contacts"][0]["email"], shopper, "{}", contacts.text);
    assert_eq!(contacts.json["contacts"][0]["status"], "pending", "{}", contacts.text);
    crate::mail::confirm_subscription(&stack, shopper, &shop.id).await;
    crate::mail::swept_mail(&stack, shopper, "Welcome to Footer Teas").await;

    // A script on the shop's own pages may read the public sign-up's answer; another site's may not.
    let public = format!("{}/v1/public/stores/{}/subscribe", stack.edge, shop.id);
    let origin = format!("http://{}", shop.host);
    for (from, allowed) in [(origin.as_str(), true), ("http://evil.example", false)] {
        let answer = stack
            .http
            .post(&public)
            .header("origin", from)
            .header("cf-connecting-ip", "203.0.113.78")
            .json(&serde_json::json!({ "email": format!("{}@example.com", unique("cors")) }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        let header =
            answer.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header, allowed.then(|| from.to_owned()), "{from}");
    }
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_page_seen_again_comes_from_the_edge_cache_until_the_catalog_changes() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Cached Candles").await;
    let candle = product(
        &stack,
        &shop,
        &json!({"title": "Beeswax Candle", "price_minor": 1500, "status": "published"}),
    )
    .await;
    page_shows(&stack, &shop.host, "/products/beeswax-candle", 200, "$15.00").await;
    let cache_of = |response: &reqwest::Response| {
        response.headers().get("x-cache").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    };
    eventually("a cache hit on the product page", LIMIT, || async {
        let response = visit(&stack, &shop.host, "/products/beeswax-candle", None).await;
        (cache_of(&response) == "HIT").then_some(())
    })
    .await;
    // A new price bumps the store's cache version: the next visits render it, then cache it again.
    let path = format!("/products/{}", candle["id"].as_str().unwrap());
    let changed =
        api(&stack, &shop, reqwest::Method::PATCH, &path, Some(&json!({"price_minor": 1700}))).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    page_shows(&stack, &shop.host, "/products/beeswax-candle", 200, "$17.00").await;
    eventually("the new page cached", LIMIT, || async {
        let response = visit(&stack, &shop.host, "/products/beeswax-candle", None).await;
        let hit = cache_of(&response) == "HIT";
        (hit && response.text().await.unwrap().contains("$17.00")).then_some(())
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn shop_pages_cannot_be_framed_or_run_foreign_scripts_and_malformed_hosts_are_refused() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Framed Goods").await;
    for path in ["/", "/cart", "/search?q=lamp", "/pages/about", "/no-such-page"] {
        let response = visit(&stack, &shop.host, path, None).await;
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
        };
        let policy = header("content-security-policy");
        assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
        assert!(
            policy.contains("script-src 'sha256-") && !policy.contains("script-src 'unsafe-inline'"),
            "{policy}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
    }
    // A Host that is not a host name is the client's mistake: 400, never a server error. (A Host
    // with credentials, `shop.localhost:8788@evil.example`, never reaches the Worker locally:
    // wrangler's own proxy answers it 500, and Cloudflare's edge refuses it before any Worker.)
    for host in ["shop..localhost", "-shop.localhost", "shop_1.localhost"] {
        let answer =
            browser().get(format!("{}/", stack.storefront)).header("host", host).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 400, "{host}");
    }
    // A well-formed host that no store has is simply not found.
    assert_eq!(visit(&stack, "nobody.localhost", "/", None).await.status().as_u16(), 404);
}

/// The cart page of a fresh cart holding one of `product`, and the cookie that holds it.
pub(crate) async fn cart_with(stack: &Stack, host: &str, product: &Value) -> (String, String) {
    let added = browser()
        .post(format!("{}/cart/add", stack.storefront))
        .header("host", host)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&[("product_id", product["id"].as_str().unwrap()), ("quantity", "1")]))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status().as_u16(), 303);
    let cookie = added
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let page = visit(stack, host, "/cart", Some(&cookie)).await.text().await.unwrap();
    (page, cookie)
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_store_sells_once_its_payout_account_is_enabled_the_merchant_is_paid_less_the_fee_and_refunds_go_back(
) {
    let stack = Stack::connect().await;
    // A store straight from the API, before any payout onboarding.
    let merchant = stack.sign_up().await;
    let body =
        json!({ "name": "Payouts E2E", "slug": unique("payouts"), "niche": "pet grooming", "launch": false });
    let created = stack.post_json("/v1/stores", Some(&merchant.access), &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let shop = Shop {
        id: created.json["id"].as_str().unwrap().to_owned(),
        host: created.json["host"].as_str().unwrap().to_owned(),
        merchant,
    };
    let payouts = api(&stack, &shop, reqwest::Method::GET, "/payouts", None).await;
    assert_eq!(payouts.status, 200, "{}", payouts.text);
    assert_eq!(payouts.json["status"], "not_started");
    assert_eq!(payouts.json["application_fee_bps"], 200, "the Starter plan's fee");
    let mug =
        product(&stack, &shop, &json!({"title": "Payout Mug", "price_minor": 2500, "status": "published"}))
            .await;
    page_shows(&stack, &shop.host, "/products/payout-mug", 200, "Payout Mug").await;

    // The shop says it is not taking orders instead of failing at the payment.
    let (cart, cookie) = cart_with(&stack, &shop.host, &mug).await;
    assert!(
        cart.contains("This shop is not taking orders yet.") && !cart.contains("action=\"/checkout\""),
        "{cart}"
    );
    let refused = browser()
        .post(format!("{}/checkout", stack.storefront))
        .header("host", &shop.host)
        .header(COOKIE, &cookie)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&[("email", "early@example.com")]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 409);
    assert!(refused.text().await.unwrap().contains("This shop is not taking orders yet."));

    // Details Stripe is still verifying: still no sale.
    stack.onboard_payouts(&shop.merchant.access, &shop.id, "000999999999").await;
    let pending = api(&stack, &shop, reqwest::Method::GET, "/payouts", None).await;
    assert_eq!(
        (pending.json["status"].as_str(), pending.json["accepts_orders"].as_bool()),
        (Some("pending"), Some(false))
    );
    let account = pending.json["account_id"].as_str().unwrap().to_owned();

    // Onboarding completed: Stripe's `account.updated` reaches the Connect webhook, and the shop
    // opens its checkout without the merchant reading anything back.
    let back = stack.onboard_payouts(&shop.merchant.access, &shop.id, "000123456789").await;
    assert!(
        back.ends_with(&format!("localhost:8789/stores/{}/payouts", shop.id)),
        "the dashboard's payouts page: {back}"
    );
    eventually("the shop to take orders", LIMIT, || async {
        let (cart, _) = cart_with(&stack, &shop.host, &mug).await;
        cart.contains("action=\"/checkout\"").then_some(())
    })
    .await;
    let enabled = api(&stack, &shop, reqwest::Method::GET, "/payouts", None).await;
    assert_eq!(
        (enabled.json["status"].as_str(), enabled.json["account_id"].as_str()),
        (Some("enabled"), Some(account.as_str()))
    );

    // A shopper pays $25.00: the store's account holds it less the platform's 2%.
    let shopper = format!("{}@example.com", unique("payee"));
    buy(&stack, &shop.host, &mug, &shopper).await;
    let stripe = "http://127.0.0.1:8420";
    let balance: Value = eventually("the payout account's balance", LIMIT, || async {
        let answer = reqwest::Client::new()
            .get(format!("{stripe}/v1/balance"))
            .bearer_auth("sk_test_e2e")
            .header("stripe-account", &account)
            .send()
            .await
            .unwrap();
        let balance: Value = answer.json().await.unwrap();
        (balance["pending"][0]["amount"].as_i64() > Some(0)).then_some(balance)
    })
    .await;
    assert_eq!(balance["pending"][0]["amount"], 2450, "{balance}");
    // The order is written when Stripe's webhook reaches the edge, a moment after the charge.
    let orders = eventually("the paid order", LIMIT, || async {
        let orders = api(&stack, &shop, reqwest::Method::GET, "/orders", None).await;
        (orders.json["orders"].as_array().map(Vec::len) == Some(1)).then_some(orders)
    })
    .await;

    // The merchant refunds $10.00: the transfer and the fee are reversed in proportion (98% of
    // it leaves the store's account), the shopper is told, and analytics count net revenue.
    let order = orders.json["orders"][0]["id"].as_str().unwrap().to_owned();
    let refunds = format!("/orders/{order}/refunds");
    let too_much =
        api(&stack, &shop, reqwest::Method::POST, &refunds, Some(&json!({ "amount_minor": 2501 }))).await;
    assert_eq!(
        (too_much.status, too_much.json["field"].as_str()),
        (400, Some("amount_minor")),
        "{}",
        too_much.text
    );
    let part =
        api(&stack, &shop, reqwest::Method::POST, &refunds, Some(&json!({ "amount_minor": 1000 }))).await;
    assert_eq!(part.status, 201, "{}", part.text);
    assert_eq!(
        (part.json["refunded_minor"].as_i64(), part.json["remaining_minor"].as_i64()),
        (Some(1000), Some(1500))
    );
    let balance = |account: String| async move {
        let answer = reqwest::Client::new()
            .get(format!("{stripe}/v1/balance"))
            .bearer_auth("sk_test_e2e")
            .header("stripe-account", account)
            .send()
            .await
            .unwrap();
        answer.json::<Value>().await.unwrap()["pending"][0]["amount"].as_i64()
    };
    assert_eq!(balance(account.clone()).await, Some(2450 - 980));
    let mail = stack.mail_to(&shopper, "has refunded $10.00 of your order #1001").await;
    assert!(mail["subject"].as_str().unwrap_or_default().contains("Refund for your order #1001"), "{mail}");
    let report = api(&stack, &shop, reqwest::Method::GET, "/analytics", None).await;
    assert_eq!(
        (
            report.json["revenue_minor"].as_i64(),
            report.json["refunds_minor"].as_i64(),
            report.json["net_revenue_minor"].as_i64()
        ),
        (Some(2500), Some(1000), Some(1500)),
        "{}",
        report.text
    );
    let rest =
        api(&stack, &shop, reqwest::Method::POST, &refunds, Some(&json!({ "reason": "duplicate" }))).await;
    assert_eq!(
        (rest.status, rest.json["refund"]["amount_minor"].as_i64()),
        (201, Some(1500)),
        "{}",
        rest.text
    );
    assert_eq!(balance(account.clone()).await, Some(0));
    let refunded = api(&stack, &shop, reqwest::Method::GET, &format!("/orders/{order}"), None).await;
    assert_eq!(refunded.json["status"], "refunded", "{}", refunded.text);
    let again = api(&stack, &shop, reqwest::Method::POST, &refunds, None).await;
    assert_eq!((again.status, again.json["code"].as_str()), (409, Some("fully_refunded")), "{}", again.text);
    let listed = api(&stack, &shop, reqwest::Method::GET, &refunds, None).await;
    assert_eq!(listed.json["refunds"].as_array().map(Vec::len), Some(2), "{}", listed.text);

    // Stripe disables the account: the shop stops taking orders again.
    let restricted = reqwest::Client::new()
        .post(format!("{stripe}/_test/accounts/{account}"))
        .json(&json!({ "charges_enabled": false, "payouts_enabled": false, "disabled_reason": "rejected.fraud" }))
        .send()
        .await
        .unwrap();
    assert_eq!(restricted.status().as_u16(), 200);
    eventually("the shop to stop taking orders", LIMIT, || async {
        let (cart, _) = cart_with(&stack, &shop.host, &mug).await;
        cart.contains("This shop is not taking orders yet.").then_some(())
    })
    .await;
    let after = api(&stack, &shop, reqwest::Method::GET, "/payouts", None).await;
    assert_eq!(after.json["status"], "restricted", "{}", after.text);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_buyer_reviews_from_the_order_and_the_approved_review_shows_with_its_rating() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Reviews E2E").await;
    let lamp =
        product(&stack, &shop, &json!({"title": "Reading Lamp", "price_minor": 3200, "status": "published"}))
            .await;
    page_shows(&stack, &shop.host, "/products/reading-lamp", 200, "Reading Lamp").await;
    let pay_url =
        open_checkout(&stack, &shop.host, &lamp, &format!("{}@example.com", unique("reviewer"))).await;
    let paid = browser()
        .post(&pay_url)
        .header(reqwest::header::CONTENT_TYPE, FORM)
        .body(form(&US_PAYMENT))
        .send()
        .await
        .unwrap();
    let order_url = paid.headers()[LOCATION].to_str().unwrap().to_owned();
    let order_path = order_url[order_url.find("/orders/").unwrap()..].split('?').next().unwrap().to_owned();
    page_shows(&stack, &shop.host, &order_path, 200, "Order #1001").await;
    let review_path = format!("{order_path}/review");
    let page = page_shows(&stack, &shop.host, &review_path, 200, "Review your order #1001").await;
    assert!(page.contains(&format!("value=\"{}\"", lamp["id"].as_str().unwrap())), "{page}");

    let send = |fields: Vec<(&'static str, String)>| {
        let body = form(&fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        let request = browser()
            .post(format!("{}{review_path}", stack.storefront))
            .header("host", &shop.host)
            .header(reqwest::header::CONTENT_TYPE, FORM)
            .body(body);
        async move { request.send().await.unwrap() }
    };
    let lamp_id = lamp["id"].as_str().unwrap().to_owned();
    let fields = |rating: &str| {
        vec![
            ("product_id", lamp_id.clone()),
            ("rating", rating.to_owned()),
            ("title", "Bright <and> warm".to_owned()),
            ("body", "Lights the whole desk & more.".to_owned()),
            ("author", "Ada L.".to_owned()),
        ]
    };
    let no_rating = send(fields("")).await;
    assert_eq!(no_rating.status().as_u16(), 400);
    assert!(no_rating.text().await.unwrap().contains("Choose a rating from 1 to 5 stars."));
    let sent = send(fields("4")).await;
    assert_eq!(sent.status().as_u16(), 303);
    assert!(sent.headers()[LOCATION].to_str().unwrap().ends_with("/review?sent=1"));
    let thanked = page_shows(&stack, &shop.host, &format!("{review_path}?sent=1"), 200, "Thank you!").await;
    assert!(thanked.contains("your review of this product is in"), "{thanked}");
    let twice = send(fields("5")).await;
    assert_eq!(twice.status().as_u16(), 409);
    assert!(twice.text().await.unwrap().contains("You have reviewed this product already."));

    // Nothing shows until the merchant approves it.
    let pending = api(&stack, &shop, reqwest::Method::GET, "/reviews?status=pending", None).await;
    assert_eq!(pending.json["reviews"].as_array().map(Vec::len), Some(1), "{}", pending.text);
    assert_eq!(pending.json["reviews"][0]["title"], "Bright <and> warm");
    let product_page = visit(&stack, &shop.host, "/products/reading-lamp", None).await.text().await.unwrap();
    assert!(!product_page.contains("aggregateRating"), "no rating before approval");
    let id = pending.json["reviews"][0]["id"].as_str().unwrap();
    let approved = api(
        &stack,
        &shop,
        reqwest::Method::PATCH,
        &format!("/reviews/{id}"),
        Some(&json!({ "status": "approved" })),
    )
    .await;
    assert_eq!(
        (approved.status, approved.json["status"].as_str()),
        (200, Some("approved")),
        "{}",
        approved.text
    );
    let shown = page_shows(&stack, &shop.host, "/products/reading-lamp", 200, "Ada L., verified buyer").await;
    assert!(shown.contains("Bright &lt;and&gt; warm"), "escaped");
    assert!(shown.contains("4.0 out of 5, from 1 review"));
    assert!(shown.contains("\"aggregateRating\"") && shown.contains("\"reviewCount\":1"), "structured data");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn one_shopper_starts_only_so_many_checkouts_a_minute_in_a_store() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Checkout Limit E2E").await;
    let kettle =
        product(&stack, &shop, &json!({"title": "Kettle", "price_minor": 2100, "status": "published"})).await;
    page_shows(&stack, &shop.host, "/products/kettle", 200, "Kettle").await;
    // Fresh carts from one address, as a script filling checkouts with typed addresses would.
    let checkout_from = |ip: String| {
        let (stack, host, id) = (&stack, shop.host.clone(), kettle["id"].as_str().unwrap().to_owned());
        async move {
            let added = browser()
                .post(format!("{}/cart/add", stack.storefront))
                .header("host", &host)
                .header("cf-connecting-ip", &ip)
                .header(reqwest::header::CONTENT_TYPE, FORM)
                .body(form(&[("product_id", id.as_str()), ("quantity", "1")]))
                .send()
                .await
                .unwrap();
            let cookie = added
                .headers()
                .get_all(SET_COOKIE)
                .iter()
                .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
                .collect::<Vec<_>>()
                .join("; ");
            let email = format!("{}@example.com", unique("limit"));
            browser()
                .post(format!("{}/checkout", stack.storefront))
                .header("host", &host)
                .header("cf-connecting-ip", &ip)
                .header(COOKIE, cookie)
                .header(reqwest::header::CONTENT_TYPE, FORM)
                .body(form(&[("email", email.as_str())]))
                .send()
                .await
                .unwrap()
        }
    };
    let ip = format!("203.0.113.{}", 1 + uuid::Uuid::new_v4().as_bytes()[0] % 250);
    for n in 0..10 {
        let started = checkout_from(ip.clone()).await;
        assert_eq!(
            started.status().as_u16(),
            303,
            "checkout {n}: {}",
            started.text().await.unwrap_or_default()
        );
    }
    // The limiter counts in fixed one-minute windows: when a window turns over while the ten
    // run (a loaded machine takes seconds for each), the count starts again, and the refusal
    // comes within the new window's ten.
    let mut more = 0;
    let refused = loop {
        let answer = checkout_from(ip.clone()).await;
        if answer.status().as_u16() == 429 {
            break answer;
        }
        assert_eq!(answer.status().as_u16(), 303);
        more += 1;
        assert!(more <= 10, "no refusal after {} checkouts from one address", 10 + more);
    };
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Too many checkout attempts. Please wait a minute and try again."));
    let other = checkout_from(format!("198.51.100.{}", 1 + uuid::Uuid::new_v4().as_bytes()[1] % 250)).await;
    assert_eq!(other.status().as_u16(), 303, "another shopper is not held back");
}
