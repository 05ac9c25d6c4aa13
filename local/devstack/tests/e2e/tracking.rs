//! Tracking end to end: a shopper buys an AliExpress product (the fulfilment steps of
//! `helpers.rs`); the tracking job of the fulfilment function runs as its hourly schedule would
//! (invoked with the tick's time), the AliExpress stand-in's clock moves the order to shipped and
//! then delivered, and the test reads what people see: the shopper's order page with the tracking
//! number and the carrier's link, the merchant's order detail moving placed → shipped →
//! delivered with one history row per move however often the tracking is read, and exactly one
//! shipped mail; an order the supplier never ships is flagged `no_tracking` on a tick 8 days on,
//! and the orders list filters on the flag.
//!
//! The store is on the Growth plan (tracking every 6 hours) and the ticks are for 06:00 or 18:00
//! UTC, hours at which Starter stores (every 12 hours, at 00:00 and 12:00) are not due: the other
//! tests' orders, placed by Starter stores, are left alone while the stand-in's clock moves.

use crate::helpers::{aliexpress_product, eventually, settled_order, unique, Stack, ALIEXPRESS};
use crate::mail::{inbox, mails_to};
use crate::store::{api, buy, shop};
use serde_json::{json, Value};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;

/// The latest 06:00 or 18:00 UTC that has passed: a tick at which Growth stores are due and
/// Starter stores are not.
fn growth_tick() -> String {
    let now = time::OffsetDateTime::now_utc();
    let hour = now.unix_timestamp().div_euclid(3600);
    let due = hour - (hour - 6).rem_euclid(12);
    time::OffsetDateTime::from_unix_timestamp(due * 3600).unwrap().format(&Rfc3339).unwrap()
}

/// Runs the order-tracking schedule's job once, as EventBridge Scheduler would.
pub(crate) async fn track(stack: &Stack) -> Value {
    track_at(stack, &growth_tick()).await
}

/// Runs the order-tracking schedule's job for the tick at `at`.
async fn track_at(stack: &Stack, at: &str) -> Value {
    let answer = stack
        .http
        .post("http://127.0.0.1:9000/2015-03-31/functions/fulfilment/invocations")
        .json(&json!({ "job": "tracking", "at": at }))
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "the tracking job ran");
    answer.json().await.unwrap()
}

async fn advance(stack: &Stack, hours: u32) {
    let moved = stack
        .http
        .post(format!("{ALIEXPRESS}/_test/ds/clock"))
        .json(&json!({ "advance_hours": hours }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status().as_u16(), 200);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn tracking_moves_an_order_to_shipped_then_delivered_and_the_shopper_is_told_once() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Tracking E2E").await;
    stack.set_plan(&shop.merchant, "growth").await;
    let brush = aliexpress_product(&stack, &shop, "1005006100000000", "Tracked Slicker Brush").await;
    let email = format!("{}@example.com", unique("tracked"));
    let order_path = buy(&stack, &shop.host, &brush, &email).await;
    let order = settled_order(&stack, &shop).await;
    assert_eq!(order["fulfilment"]["state"], "placed", "{order}");
    let detail_path = format!("/orders/{}", order["id"].as_str().unwrap());
    let detail = || async { api(&stack, &shop, reqwest::Method::GET, &detail_path, None).await.json };

    // Not shipped yet: a reading changes nothing.
    let summary = track(&stack).await;
    assert!(summary["stores"].as_u64().unwrap() >= 1, "{summary}");
    assert_eq!(detail().await["fulfilment"]["state"], "placed");

    // A day later the supplier has handed it to the carrier.
    advance(&stack, 25).await;
    track(&stack).await;
    let shipped = detail().await;
    assert_eq!(shipped["fulfilment"]["state"], "shipped", "{shipped}");
    let supplier_order = &shipped["supplier_orders"][0];
    assert_eq!(supplier_order["status"], "shipped");
    assert_eq!(supplier_order["carrier"], "Cainiao");
    let number = supplier_order["tracking_number"].as_str().expect("a tracking number").to_owned();
    assert!(number.starts_with("LP"), "{number}");
    assert_eq!(shipped["flag"], Value::Null);

    // The shopper's order page shows the number, linked to the carrier's tracking page.
    let page = eventually("the order page to show the tracking", Duration::from_secs(30), || async {
        let page = stack.page(&shop.host, &order_path).await;
        (page.status == 200 && page.text.contains(&number)).then_some(page.text)
    })
    .await;
    assert!(page.contains("Status: <strong>Shipped</strong>"), "{page}");
    assert!(
        page.contains(&format!("href=\"https://global.cainiao.com/newDetail.htm?mailNoList={number}\"")),
        "{page}"
    );

    // The shipped mail carries the number; reading the same tracking again sends no second one
    // and records no second move.
    stack.mail_to(&email, &number).await;
    track(&stack).await;
    let again = detail().await;
    assert_eq!(again["timeline"], shipped["timeline"], "a repeated reading records nothing");

    // Five days on, the carrier delivers.
    advance(&stack, 121).await;
    track(&stack).await;
    let delivered = detail().await;
    assert_eq!(delivered["fulfilment"]["state"], "delivered", "{delivered}");
    let states: Vec<&str> =
        delivered["timeline"].as_array().unwrap().iter().map(|e| e["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["paid", "placed", "shipped", "delivered"], "{delivered}");
    let delivered_page = stack.page(&shop.host, &order_path).await;
    assert!(delivered_page.text.contains("Status: <strong>Delivered</strong>"), "{}", delivered_page.text);

    tokio::time::sleep(Duration::from_secs(6)).await;
    let shipped_mails = mails_to(&inbox(&stack).await, &email, &number).len();
    assert_eq!(shipped_mails, 1, "one shipped mail");

    // A second order the supplier never ships: read on a tick 8 days after it was placed, it is
    // flagged for the merchant, and the list filters on the flag.
    let flagged = |flag: &'static str| {
        let shop = &shop;
        let stack = &stack;
        async move {
            let listed = api(stack, shop, reqwest::Method::GET, &format!("/orders?flag={flag}"), None).await;
            assert_eq!(listed.status, 200, "{}", listed.text);
            listed.json["orders"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["number"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert!(flagged("no_tracking").await.is_empty());
    buy(&stack, &shop.host, &brush, &format!("{}@example.com", unique("unshipped"))).await;
    let late = eventually("the second order to be placed", Duration::from_secs(90), || async {
        let orders = api(&stack, &shop, reqwest::Method::GET, "/orders?state=placed", None).await;
        orders.json["orders"].get(0).cloned()
    })
    .await;
    let late_detail =
        api(&stack, &shop, reqwest::Method::GET, &format!("/orders/{}", late["id"].as_str().unwrap()), None)
            .await;
    let ae_order = late_detail.json["supplier_orders"][0]["supplier_order_id"].as_str().unwrap().to_owned();
    let pinned = stack
        .http
        .post(format!("{ALIEXPRESS}/_test/ds/orders/{ae_order}"))
        .json(&json!({ "status": "placed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(pinned.status().as_u16(), 200);
    track(&stack).await;
    assert!(flagged("no_tracking").await.is_empty(), "not late yet");
    let week_later = time::OffsetDateTime::parse(&growth_tick(), &Rfc3339).unwrap() + time::Duration::days(8);
    track_at(&stack, &week_later.format(&Rfc3339).unwrap()).await;
    assert_eq!(flagged("no_tracking").await, [late["number"].as_i64().unwrap()]);
    let late_detail =
        api(&stack, &shop, reqwest::Method::GET, &format!("/orders/{}", late["id"].as_str().unwrap()), None)
            .await;
    assert_eq!(late_detail.json["flag"], "no_tracking", "{}", late_detail.text);
    assert_eq!(detail().await["flag"], Value::Null, "the delivered order carries no flag");
    assert_eq!(api(&stack, &shop, reqwest::Method::GET, "/orders?flag=lost", None).await.status, 400);
}
