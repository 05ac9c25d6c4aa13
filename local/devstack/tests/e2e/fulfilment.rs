//! Fulfilment end to end: a shopper buys an AliExpress product with a shipping address through the
//! storefront and the Stripe stand-in; the fulfilment function places exactly one order at the
//! AliExpress stand-in with that address and product, and the merchant sees the order placed with
//! its history; a redelivered payment webhook and a redelivered queue message place none again; a
//! product sold out at order time fails the order with AliExpress's reason. Orders that wait for
//! the merchant: a store that approves orders by hand, and a supplier price that rose between
//! import and payment, hold the order with its reason and place nothing until the merchant
//! approves it; then exactly one AliExpress order arrives. One the merchant cancels instead is
//! refunded in full and never placed. A supplier that does not answer is retried; on the last
//! delivery the order fails, its owner is told and the message is dead-lettered. One checkout of an
//! AliExpress product and a CJ product makes one order at each supplier, and CJ's tracking
//! reaches the shopper's order page.

use crate::helpers::{
    aliexpress_product, cj_orders, cj_product, eventually, settled_order, stand_in_orders, unique, Stack,
    ALIEXPRESS, CJ,
};
use crate::store::{api, buy, buy_all, shop};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_paid_order_becomes_exactly_one_aliexpress_order_with_its_address_even_when_redelivered() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Fulfilment E2E").await;
    let brush = aliexpress_product(&stack, &shop, "1005006100000000", "Self-Cleaning Slicker Brush").await;
    let email = format!("{}@example.com", unique("fulfil"));
    let paid_at = Instant::now();
    buy(&stack, &shop.host, &brush, &email).await;
    let order = settled_order(&stack, &shop).await;
    let placed_after = paid_at.elapsed();
    println!("payment to supplier order placed: {} ms", placed_after.as_millis());
    assert_eq!(order["fulfilment"], json!({"state": "placed", "reason": null}), "{order}");
    let order_id = order["id"].as_str().unwrap().to_owned();
    let out_order_id = format!("{order_id}-aliexpress");

    let placed = stand_in_orders(&stack, &out_order_id).await;
    assert_eq!(placed.len(), 1, "{placed:?}");
    let address = &placed[0]["logistics_address"];
    assert_eq!(
        (
            address["full_name"].as_str(),
            address["address"].as_str(),
            address["city"].as_str(),
            address["zip"].as_str()
        ),
        (Some("Ada Lovelace"), Some("1 Main Street"), Some("Springfield"), Some("62701"))
    );
    assert_eq!(
        (address["country"].as_str(), address["phone_country"].as_str(), address["mobile_no"].as_str()),
        (Some("US"), Some("+1"), Some("5550100199"))
    );
    assert_eq!(
        placed[0]["product_items"],
        json!([{"product_id": "1005006100000000", "product_count": 1, "sku_attr": ""}])
    );

    // The merchant's detail: the supplier order and the history, paid then placed.
    let detail = api(&stack, &shop, reqwest::Method::GET, &format!("/orders/{order_id}"), None).await;
    let ae_id = placed[0]["order_id"].to_string();
    assert_eq!(
        detail.json["supplier_orders"][0]["supplier_order_id"].as_str(),
        Some(ae_id.as_str()),
        "{}",
        detail.text
    );
    let states: Vec<&str> =
        detail.json["timeline"].as_array().unwrap().iter().map(|e| e["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["paid", "placed"], "{}", detail.text);
    let filtered = api(&stack, &shop, reqwest::Method::GET, "/orders?state=placed", None).await;
    assert_eq!(filtered.json["orders"].as_array().unwrap().len(), 1);
    let none = api(&stack, &shop, reqwest::Method::GET, "/orders?state=failed", None).await;
    assert_eq!(none.json["orders"].as_array().unwrap().len(), 0);
    assert_eq!(api(&stack, &shop, reqwest::Method::GET, "/orders?state=lost", None).await.status, 400);

    // Stripe redelivers the payment's event: the webhook answers, nothing is placed again.
    let events: Value =
        stack.http.get("http://127.0.0.1:8420/_test/events").send().await.unwrap().json().await.unwrap();
    let mut event_id = None;
    for e in
        events["data"].as_array().unwrap().iter().rev().filter(|e| e["type"] == "checkout.session.completed")
    {
        let id = e["id"].as_str().unwrap();
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
            event_id = Some(id.to_owned());
            break;
        }
    }
    let event_id = event_id.expect("the payment's event");
    let resent: Value = stack
        .http
        .post(format!("http://127.0.0.1:8420/_test/events/{event_id}/resend"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resent["deliveries"][0]["status"], 200, "{resent}");

    // And the queue delivers the order a second time under another key (past the consumer's
    // idempotency guard): the edge's record of the AliExpress order keeps it from being placed.
    let queue = std::env::var("FULFILMENT_QUEUE_URL").expect("FULFILMENT_QUEUE_URL");
    let again = queues::Envelope::new(
        unique("fulfil-again"),
        shop.merchant.tenant_id.parse::<domain::TenantId>().unwrap(),
        shop.id.parse::<domain::StoreId>().unwrap(),
        time::OffsetDateTime::now_utc(),
        "e2e",
        queues::messages::OrderPaid { order_id: order_id.clone(), approved: false },
    );
    stack.sqs.send_message().queue_url(&queue).message_body(again.to_body()).send().await.unwrap();
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(stand_in_orders(&stack, &out_order_id).await.len(), 1, "still one AliExpress order");
    let detail = api(&stack, &shop, reqwest::Method::GET, &format!("/orders/{order_id}"), None).await;
    assert_eq!(detail.json["supplier_orders"].as_array().unwrap().len(), 1, "{}", detail.text);
    assert_eq!(detail.json["timeline"].as_array().unwrap().len(), 2, "{}", detail.text);
    let orders = api(&stack, &shop, reqwest::Method::GET, "/orders", None).await;
    assert_eq!(orders.json["orders"].as_array().unwrap().len(), 1, "one order");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn an_item_sold_out_at_order_time_fails_the_order_with_the_suppliers_reason() {
    let stack = Stack::connect().await;
    let (shop, order) =
        order_under(&stack, "Sold Out E2E", "1005006100007919", "Grooming Glove", json!({"stock": 0})).await;
    assert_eq!(order["fulfilment"]["state"], "failed", "{order}");
    let reason = order["fulfilment"]["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("aliexpress: B_DROPSHIPPER_STOCK_NOT_ENOUGH"), "{reason}");
    let order_id = order["id"].as_str().unwrap();
    assert!(
        stand_in_orders(&stack, &format!("{order_id}-aliexpress")).await.is_empty(),
        "nothing was placed"
    );
    let detail = api(&stack, &shop, reqwest::Method::GET, &format!("/orders/{order_id}"), None).await;
    assert_eq!(detail.json["supplier_orders"][0]["status"], "failed", "{}", detail.text);
    assert_eq!(detail.json["timeline"][1]["state"], "failed");
    let failed = api(&stack, &shop, reqwest::Method::GET, "/orders?state=failed", None).await;
    assert_eq!(failed.json["orders"].as_array().unwrap().len(), 1);
    // The store's owner is told, with the reason and the order's page in the dashboard.
    let number = order["number"].as_u64().expect("the order's number");
    let mail = stack.mail_to(&shop.merchant.email, &format!("Order #{number} could not be placed")).await;
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("B_DROPSHIPPER_STOCK_NOT_ENOUGH"), "{text}");
    assert!(text.contains(&format!("/stores/{}/orders/{order_id}", shop.id)), "{text}");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn one_checkout_of_an_aliexpress_and_a_cj_product_is_one_order_at_each_supplier_and_cj_tracking_reaches_the_shopper(
) {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Split Order E2E").await;
    // Growth: read on the 06:00 and 18:00 ticks the tracking tests use, when Starter stores are not.
    stack.set_plan(&shop.merchant, "growth").await;
    let brush = aliexpress_product(&stack, &shop, "1005006100000000", "Split Slicker Brush").await;
    let vid = unique("CJ-VID").to_uppercase();
    let lamp = cj_product(&stack, &shop, &vid, "Cordless Reading Lamp").await;
    let email = format!("{}@example.com", unique("split"));
    let paid_at = Instant::now();
    let order_path = buy_all(&stack, &shop.host, &[&brush, &lamp], &email).await;
    let order = settled_order(&stack, &shop).await;
    println!("payment to AliExpress and CJ orders placed: {} ms", paid_at.elapsed().as_millis());
    assert_eq!(order["fulfilment"], json!({"state": "placed", "reason": null}), "{order}");
    let order_id = order["id"].as_str().unwrap().to_owned();

    // AliExpress holds one order with the address and its product, CJ one with the address and
    // the variant.
    let ae = stand_in_orders(&stack, &format!("{order_id}-aliexpress")).await;
    assert_eq!(ae.len(), 1, "{ae:?}");
    let address = &ae[0]["logistics_address"];
    assert_eq!(
        (address["full_name"].as_str(), address["address"].as_str(), address["zip"].as_str()),
        (Some("Ada Lovelace"), Some("1 Main Street"), Some("62701"))
    );
    assert_eq!(
        ae[0]["product_items"],
        json!([{"product_id": "1005006100000000", "product_count": 1, "sku_attr": ""}])
    );
    let cj = cj_orders(&stack, &format!("{order_id}-cj")).await;
    assert_eq!(cj.len(), 1, "{cj:?}");
    let request = &cj[0]["request"];
    assert_eq!(
        (
            request["shippingCustomerName"].as_str(),
            request["shippingAddress"].as_str(),
            request["shippingCity"].as_str(),
            request["shippingZip"].as_str(),
            request["shippingCountryCode"].as_str(),
        ),
        (Some("Ada Lovelace"), Some("1 Main Street"), Some("Springfield"), Some("62701"), Some("US"))
    );
    assert_eq!(request["products"].as_array().unwrap().len(), 1, "{request}");
    assert_eq!(
        (request["products"][0]["vid"].as_str(), request["products"][0]["quantity"].as_u64()),
        (Some(vid.as_str()), Some(1))
    );

    // The merchant sees two supplier orders, placed, with each supplier's id. (The tracking test,
    // running beside this one, moves the AliExpress stand-in's clock and reads Growth stores such
    // as this one: the AliExpress order may have moved on by then; the CJ clock is this test's.)
    let detail_path = format!("/orders/{order_id}");
    let detail = api(&stack, &shop, reqwest::Method::GET, &detail_path, None).await;
    let mut suppliers: Vec<(String, String, String)> = detail.json["supplier_orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["supplier"].as_str().unwrap_or_default().to_owned(),
                s["status"].as_str().unwrap_or_default().to_owned(),
                s["supplier_order_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    suppliers.sort();
    assert_eq!(suppliers.len(), 2, "{}", detail.text);
    assert_eq!(
        (suppliers[0].0.as_str(), suppliers[0].2.clone()),
        ("aliexpress", ae[0]["order_id"].to_string()),
        "{}",
        detail.text
    );
    assert!(["placed", "shipped", "delivered"].contains(&suppliers[0].1.as_str()), "{}", detail.text);
    assert_eq!(
        suppliers[1],
        ("cj".to_owned(), "placed".to_owned(), cj[0]["orderId"].to_string()),
        "{}",
        detail.text
    );

    // The queue delivers the order again under another key: neither supplier gets a second one.
    let queue = std::env::var("FULFILMENT_QUEUE_URL").expect("FULFILMENT_QUEUE_URL");
    let again = queues::Envelope::new(
        unique("split-again"),
        shop.merchant.tenant_id.parse::<domain::TenantId>().unwrap(),
        shop.id.parse::<domain::StoreId>().unwrap(),
        time::OffsetDateTime::now_utc(),
        "e2e",
        queues::messages::OrderPaid { order_id: order_id.clone(), approved: false },
    );
    stack.sqs.send_message().queue_url(&queue).message_body(again.to_body()).send().await.unwrap();
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(
        stand_in_orders(&stack, &format!("{order_id}-aliexpress")).await.len(),
        1,
        "one AliExpress order"
    );
    assert_eq!(cj_orders(&stack, &format!("{order_id}-cj")).await.len(), 1, "one CJ order");
    let detail = api(&stack, &shop, reqwest::Method::GET, &detail_path, None).await;
    assert_eq!(detail.json["supplier_orders"].as_array().unwrap().len(), 2, "{}", detail.text);

    // A day later CJ has shipped its parcel: the tracking job brings its number to the merchant
    // and to the shopper's order page.
    let moved = stack
        .http
        .post(format!("{CJ}/_test/clock"))
        .json(&json!({"advance_hours": 25}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status().as_u16(), 200);
    crate::tracking::track(&stack).await;
    let shipped = api(&stack, &shop, reqwest::Method::GET, &detail_path, None).await.json;
    let cj_order = shipped["supplier_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["supplier"] == "cj")
        .cloned()
        .expect("the CJ supplier order");
    assert_eq!(cj_order["status"], "shipped", "{shipped}");
    assert_eq!(cj_order["carrier"], "CJPacket Ordinary", "{shipped}");
    let number = cj_order["tracking_number"].as_str().expect("a tracking number").to_owned();
    assert!(number.starts_with("CJPKL"), "{number}");
    let page = eventually("the order page to show CJ's tracking", Duration::from_secs(30), || async {
        let page = stack.page(&shop.host, &order_path).await;
        (page.status == 200 && page.text.contains(&number)).then_some(page.text)
    })
    .await;
    assert!(page.contains("CJPacket Ordinary"), "{page}");
    stack.mail_to(&email, &number).await;
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn cj_refusals_fail_the_order_with_cjs_reason_and_an_expired_cj_token_is_renewed_unseen() {
    let stack = Stack::connect().await;
    let stack = &stack;
    // What the merchant sees for one CJ variant: the order's state and reason, the CJ supplier
    // order's status, and how many orders CJ holds for it.
    let outcome = |name: &'static str, setup: Option<Value>| async move {
        let shop = shop(stack, name).await;
        let vid = unique("CJ-VID").to_uppercase();
        if let Some(setup) = setup {
            let set =
                stack.http.post(format!("{CJ}/_test/variants/{vid}")).json(&setup).send().await.unwrap();
            assert_eq!(set.status().as_u16(), 200);
        }
        let lamp = cj_product(stack, &shop, &vid, "Cordless Reading Lamp").await;
        buy(stack, &shop.host, &lamp, &format!("{}@example.com", unique("cjfail"))).await;
        let order = settled_order(stack, &shop).await;
        let order_id = order["id"].as_str().unwrap().to_owned();
        let detail = api(stack, &shop, reqwest::Method::GET, &format!("/orders/{order_id}"), None).await;
        let held = cj_orders(stack, &format!("{order_id}-cj")).await.len();
        (
            order["fulfilment"]["state"].as_str().unwrap_or_default().to_owned(),
            order["fulfilment"]["reason"].as_str().unwrap_or_default().to_owned(),
            detail.json["supplier_orders"][0]["status"].as_str().unwrap_or_default().to_owned(),
            held,
        )
    };
    let issued = || async {
        let tokens: Value =
            stack.http.get(format!("{CJ}/_test/token")).send().await.unwrap().json().await.unwrap();
        tokens["issued"].as_u64().unwrap()
    };
    // Every CJ access token issued so far expires: the next order gets a new one (refreshed, or
    // from the API key on a cold start) without a word.
    let before = issued().await;
    let expired =
        stack.http.post(format!("{CJ}/_test/token")).json(&json!({"access_expired": true})).send().await;
    assert_eq!(expired.unwrap().status().as_u16(), 200);
    let (sold_out, far, renewed) = tokio::join!(
        outcome("CJ Sold Out E2E", Some(json!({"stock": 0}))),
        outcome("CJ Cannot Ship E2E", Some(json!({"no_ship_to": ["US"]}))),
        outcome("CJ Renewed Token E2E", None),
    );
    assert_eq!(
        (sold_out.0.as_str(), sold_out.2.as_str(), sold_out.3),
        ("failed", "failed", 0),
        "{sold_out:?}"
    );
    assert!(sold_out.1.starts_with("cj: 1603000: Order create fail"), "{sold_out:?}");
    assert_eq!((far.0.as_str(), far.2.as_str(), far.3), ("failed", "failed", 0), "{far:?}");
    assert!(far.1.starts_with("cj: 1605000: Logistic not found"), "{far:?}");
    assert_eq!(renewed, ("placed".to_owned(), String::new(), "placed".to_owned(), 1), "{renewed:?}");
    assert!(issued().await > before, "a new token replaced the expired one");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn an_order_whose_supplier_does_not_answer_is_retried_then_failed_dead_lettered_and_its_owner_told() {
    let stack = Stack::connect().await;
    // The stand-in's price of this listing ($3.95) keeps the store's margin: the order goes to
    // placement, where the gateway does not answer; three deliveries, the local visibility
    // timeout apart, then the order fails.
    let (shop, order) = order_under(
        &stack,
        "Unreachable Supplier E2E",
        "1005006100063352",
        "Rechargeable LED Dog Collar",
        json!({"unavailable": true}),
    )
    .await;
    assert_eq!(order["fulfilment"]["state"], "failed", "{order}");
    assert_eq!(
        order["fulfilment"]["reason"],
        "aliexpress: AliExpress did not answer after 3 attempts; nothing was placed with it",
        "{order}"
    );
    let order_id = order["id"].as_str().unwrap().to_owned();
    assert!(stand_in_orders(&stack, &format!("{order_id}-aliexpress")).await.is_empty());
    // The message is in the fulfilment dead-letter queue, where the outage shows.
    let dlq = std::env::var("FULFILMENT_DLQ_URL").expect("FULFILMENT_DLQ_URL from the stack's aws.env");
    eventually("the paid order's message in the dead-letter queue", Duration::from_secs(60), || async {
        stack.dead_lettered_in(&dlq, &order_id).await.then_some(())
    })
    .await;
    let number = order["number"].as_u64().expect("the order's number");
    let mail = stack.mail_to(&shop.merchant.email, &format!("Order #{number} could not be placed")).await;
    assert!(mail["text"].as_str().unwrap().contains("did not answer after 3 attempts"), "{mail}");
}

/// A new shop's only order, once settled, of one AliExpress listing the stand-in answers with
/// `state` (a failure mode: `{"stock": 0}`, `{"unavailable": true}`), restored afterwards.
async fn order_under(
    stack: &Stack,
    name: &str,
    source_id: &str,
    title: &str,
    state: Value,
) -> (crate::store::Shop, Value) {
    let shop = shop(stack, name).await;
    let product = aliexpress_product(stack, &shop, source_id, title).await;
    let set =
        stack.http.post(format!("{ALIEXPRESS}/_test/ds/products/{source_id}")).json(&state).send().await;
    assert_eq!(set.unwrap().status().as_u16(), 200);
    buy(stack, &shop.host, &product, &format!("{}@example.com", unique("order-under"))).await;
    let order = settled_order(stack, &shop).await;
    stack.http.delete(format!("{ALIEXPRESS}/_test/ds/products/{source_id}")).send().await.unwrap();
    (shop, order)
}

/// The merchant approves the order that waits; it is placed once, however often they click or
/// the message comes again.
async fn approve_and_settle(stack: &Stack, shop: &crate::store::Shop, order_id: &str) -> Value {
    let path = format!("/orders/{order_id}/approve");
    let approved = api(stack, shop, reqwest::Method::POST, &path, None).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let again = api(stack, shop, reqwest::Method::POST, &path, None).await;
    assert_eq!(again.status, 409, "approved once: {}", again.text);
    assert_eq!(again.json["code"], "not_awaiting_approval", "{}", again.text);
    eventually("the approved order placed", Duration::from_secs(90), || async {
        let detail = api(stack, shop, reqwest::Method::GET, &format!("/orders/{order_id}"), None).await;
        (detail.json["fulfilment"]["state"] != "paid").then_some(detail.json)
    })
    .await
}

/// The shop's only order once it waits for the merchant, after checking nothing reached AliExpress.
async fn waiting_order(stack: &Stack, shop: &crate::store::Shop) -> (String, Value) {
    let order = settled_order(stack, shop).await;
    assert_eq!(order["fulfilment"]["state"], "awaiting_approval", "{order}");
    let order_id = order["id"].as_str().unwrap().to_owned();
    assert!(
        stand_in_orders(stack, &format!("{order_id}-aliexpress")).await.is_empty(),
        "nothing is placed while the order waits"
    );
    let waiting = api(stack, shop, reqwest::Method::GET, "/orders?state=awaiting_approval", None).await;
    assert_eq!(waiting.json["orders"].as_array().unwrap().len(), 1, "{}", waiting.text);
    (order_id, order)
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_store_that_approves_orders_by_hand_holds_the_paid_order_until_the_merchant_approves_it() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Approval E2E").await;
    let setting = api(&stack, &shop, reqwest::Method::GET, "/fulfilment", None).await;
    assert_eq!(setting.json, json!({"approve_by_hand": false}), "off until set");
    let on = json!({"approve_by_hand": true});
    let set = api(&stack, &shop, reqwest::Method::PUT, "/fulfilment", Some(&on)).await;
    assert_eq!((set.status, &set.json), (200, &on), "{}", set.text);
    let harness = aliexpress_product(&stack, &shop, "1005006100023757", "No Pull Dog Harness").await;
    buy(&stack, &shop.host, &harness, &format!("{}@example.com", unique("approve"))).await;

    let (order_id, order) = waiting_order(&stack, &shop).await;
    assert_eq!(order["fulfilment"]["reason"], "the store approves orders by hand", "{order}");
    // A redelivered message while it waits places nothing.
    let queue = std::env::var("FULFILMENT_QUEUE_URL").expect("FULFILMENT_QUEUE_URL");
    let again = queues::Envelope::new(
        unique("fulfil-again"),
        shop.merchant.tenant_id.parse::<domain::TenantId>().unwrap(),
        shop.id.parse::<domain::StoreId>().unwrap(),
        time::OffsetDateTime::now_utc(),
        "e2e",
        queues::messages::OrderPaid { order_id: order_id.clone(), approved: true },
    );
    stack.sqs.send_message().queue_url(&queue).message_body(again.to_body()).send().await.unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(stand_in_orders(&stack, &format!("{order_id}-aliexpress")).await.is_empty(), "still waiting");

    let detail = approve_and_settle(&stack, &shop, &order_id).await;
    assert_eq!(detail["fulfilment"]["state"], "placed", "{detail}");
    let placed = stand_in_orders(&stack, &format!("{order_id}-aliexpress")).await;
    assert_eq!(placed.len(), 1, "exactly one AliExpress order: {placed:?}");
    assert_eq!(placed[0]["product_items"][0]["product_id"], "1005006100023757");
    let timeline = detail["timeline"].as_array().unwrap();
    let states: Vec<&str> = timeline.iter().map(|e| e["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["paid", "awaiting_approval", "paid", "placed"], "{detail}");
    let approver = timeline[2]["cause"].as_str().unwrap();
    assert!(approver.starts_with("approved by "), "who approved: {approver}");
    let cancel = api(&stack, &shop, reqwest::Method::POST, &format!("/orders/{order_id}/cancel"), None).await;
    assert_eq!(cancel.status, 409, "a placed order is not cancelled here: {}", cancel.text);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_supplier_price_that_rose_after_import_holds_the_order_with_the_reason_until_approved() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Price Rise E2E").await;
    let source_id = "1005006100047514";
    // Imported at a cost of $8.49 and sold at $24.99; AliExpress now asks $22.00.
    let bottle = aliexpress_product(&stack, &shop, source_id, "Portable Dog Water Bottle").await;
    let rose = stack
        .http
        .post(format!("{ALIEXPRESS}/_test/products/{source_id}"))
        .json(&json!({"price": "22.00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rose.status().as_u16(), 200);
    buy(&stack, &shop.host, &bottle, &format!("{}@example.com", unique("rise"))).await;
    let (order_id, order) = waiting_order(&stack, &shop).await;
    stack.http.delete(format!("{ALIEXPRESS}/_test/products/{source_id}")).send().await.unwrap();
    assert_eq!(
        order["fulfilment"]["reason"],
        "the supplier's price rose from $8.49 to $22.00: the margin would be 11%, under the store's 30%",
        "{order}"
    );
    let detail = api(&stack, &shop, reqwest::Method::GET, &format!("/orders/{order_id}"), None).await;
    assert_eq!(detail.json["timeline"][1]["state"], "awaiting_approval", "{}", detail.text);
    assert!(detail.json["supplier_orders"].as_array().unwrap().is_empty(), "{}", detail.text);
    // The store's owner is told why it waits.
    let number = order["number"].as_u64().expect("the order's number");
    let mail =
        stack.mail_to(&shop.merchant.email, &format!("Order #{number} is waiting for your approval")).await;
    assert!(mail["text"].as_str().unwrap().contains("rose from $8.49 to $22.00"), "{mail}");

    let detail = approve_and_settle(&stack, &shop, &order_id).await;
    assert_eq!(detail["fulfilment"]["state"], "placed", "{detail}");
    assert_eq!(stand_in_orders(&stack, &format!("{order_id}-aliexpress")).await.len(), 1);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn an_order_awaiting_approval_that_the_merchant_cancels_is_refunded_in_full_and_never_placed() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Cancel E2E").await;
    let on = json!({"approve_by_hand": true});
    assert_eq!(api(&stack, &shop, reqwest::Method::PUT, "/fulfilment", Some(&on)).await.status, 200);
    let bowl = aliexpress_product(&stack, &shop, "1005006100039595", "Slow Feeder Dog Bowl").await;
    buy(&stack, &shop.host, &bowl, &format!("{}@example.com", unique("cancel"))).await;
    let (order_id, order) = waiting_order(&stack, &shop).await;

    let cancel = format!("/orders/{order_id}/cancel");
    let cancelled = api(&stack, &shop, reqwest::Method::POST, &cancel, None).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_eq!(cancelled.json["fulfilment"]["state"], "cancelled", "{}", cancelled.text);
    assert_eq!(cancelled.json["status"], "refunded", "{}", cancelled.text);
    let last = cancelled.json["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["state"], "cancelled", "{}", cancelled.text);
    let refunds =
        api(&stack, &shop, reqwest::Method::GET, &format!("/orders/{order_id}/refunds"), None).await;
    let refunds = refunds.json["refunds"].as_array().unwrap().clone();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(
        (refunds[0]["amount_minor"].as_i64(), refunds[0]["status"].as_str()),
        (order["total_minor"].as_i64(), Some("succeeded"))
    );

    // Neither a second cancel nor a late approval does anything more.
    assert_eq!(api(&stack, &shop, reqwest::Method::POST, &cancel, None).await.status, 409);
    let late = api(&stack, &shop, reqwest::Method::POST, &format!("/orders/{order_id}/approve"), None).await;
    assert_eq!(late.status, 409, "{}", late.text);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(stand_in_orders(&stack, &format!("{order_id}-aliexpress")).await.is_empty(), "nothing placed");
}
