//! Fulfilment end to end: a shopper buys an AliExpress product with a shipping address through the
//! storefront and the Stripe stand-in; the fulfilment function places exactly one order at the
//! AliExpress stand-in with that address and product, and the merchant sees the order placed with
//! its history; a redelivered payment webhook and a redelivered queue message place none again; a
//! product sold out at order time fails the order with AliExpress's reason. Orders that wait for
//! the merchant: a store that approves orders by hand, and a supplier price that rose between
//! import and payment, hold the order with its reason and place nothing until the merchant
//! approves it; then exactly one AliExpress order arrives. One the merchant cancels instead is
//! refunded in full and never placed.

use crate::helpers::{
    aliexpress_product, eventually, settled_order, stand_in_orders, unique, Stack, ALIEXPRESS,
};
use crate::store::{api, buy, shop};
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
    let shop = shop(&stack, "Sold Out E2E").await;
    let source_id = "1005006100007919";
    let lamp = aliexpress_product(&stack, &shop, source_id, "Grooming Glove").await;
    let sold_out = stack
        .http
        .post(format!("{ALIEXPRESS}/_test/ds/products/{source_id}"))
        .json(&json!({"stock": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(sold_out.status().as_u16(), 200);
    buy(&stack, &shop.host, &lamp, &format!("{}@example.com", unique("soldout"))).await;
    let order = settled_order(&stack, &shop).await;
    stack.http.delete(format!("{ALIEXPRESS}/_test/ds/products/{source_id}")).send().await.unwrap();
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
