//! End-to-end tests against the running local stack (started by local/test.sh through
//! `local/up.sh --detach`). They drive the first slice exactly as a merchant and a shopper would:
//! create a store, start research, watch the pipelines publish products, see them on the store's
//! host; and they attack the seams: duplicate and malformed deliveries, forged hosts, unsigned,
//! stale and replayed internal calls.
//!
//! Ignored by a plain `cargo test` because they need the stack; run them with `local/test.sh`.

mod helpers;

use domain::{Currency, Money, RunId, StoreId, TenantId};
use helpers::{eventually, unique, Stack};
use queues::messages::{ImportRequested, SupplierProduct};
use queues::Envelope;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const PIPELINE_LIMIT: Duration = Duration::from_secs(180);

async fn new_store(stack: &Stack, name: &str) -> (String, String, String) {
    let slug = unique("e2e");
    let created = stack.create_store(&slug, name).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let tenant = created.json["tenant_id"].as_str().unwrap().to_owned();
    (id, tenant, created.json["host"].as_str().unwrap().to_owned())
}

fn import_body(store: &str, tenant: &str, key: &str, product_id: &str, title: &str) -> String {
    Envelope::new(
        key,
        tenant.parse::<TenantId>().unwrap(),
        store.parse::<StoreId>().unwrap(),
        time::OffsetDateTime::now_utc(),
        "e2e",
        ImportRequested {
            run_id: RunId::from_random_bytes(*uuid::Uuid::new_v4().as_bytes()),
            product: SupplierProduct {
                source: "e2e".into(),
                source_product_id: product_id.into(),
                title: title.into(),
                cost: Money::from_minor(1_150, Currency::Usd),
                list_price: None,
                image_urls: vec!["https://img.example/e2e.jpg".into()],
                product_url: "https://supplier.example/e2e".into(),
                category: Some("Pet Products".into()),
                orders_30d: Some(120),
                rating_pct: Some(97.0),
                shipping_days: Some(8),
            },
            score: 70.0,
        },
    )
    .to_body()
}

fn with_source_id<'a>(products: &'a [Value], id: &str) -> Vec<&'a Value> {
    products.iter().filter(|p| p["source_product_id"] == id).collect()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_new_store_is_researched_and_its_products_appear_on_its_host_only() {
    let stack = Stack::connect().await;

    let started = Instant::now();
    let (store, _, host) = new_store(&stack, "Cozy Paws E2E").await;
    let create_ms = started.elapsed().as_millis();
    let home = eventually("the new store's home page", Duration::from_secs(30), || async {
        let page = stack.page(&host, "/").await;
        (page.status == 200).then_some(page)
    })
    .await;
    println!(
        "store created in {create_ms} ms; first 200 from its host after {} ms",
        started.elapsed().as_millis()
    );
    assert!(home.text.contains("Cozy Paws E2E"));
    assert!(home.text.contains("New products are on their way"));

    let run = stack.start_research(&store).await;
    assert_eq!(run.status, 202, "{}", run.text);
    let run_id = run.json["id"].as_str().unwrap().to_owned();

    let products = eventually("research to publish products", PIPELINE_LIMIT, || async {
        let products = stack.products(&store).await;
        (products.len() >= 5).then_some(products)
    })
    .await;
    assert!(products.iter().all(|p| p["status"] == "published" && p["source"] == "aliexpress"));
    assert!(products.iter().all(|p| p["price_minor"].as_i64().unwrap() % 100 == 99), "prices end in .99");

    let report = eventually("the run report", PIPELINE_LIMIT, || async {
        let run = stack.research_run(&store, &run_id).await;
        (run.json["status"] == "completed").then_some(run.json)
    })
    .await;
    assert_eq!(report["selected"], 5);
    assert!(report["candidates"].as_i64().unwrap() >= 5);

    let title = products[0]["title"].as_str().unwrap().to_owned();
    let shown = eventually("the storefront to list the products", Duration::from_secs(30), || async {
        let page = stack.page(&host, "/").await;
        (page.status == 200 && page.text.contains(&title)).then_some(page)
    })
    .await;
    let slug = products[0]["slug"].as_str().unwrap();
    assert!(shown.text.contains(&format!("/products/{slug}")));
    let product_page = stack.page(&host, &format!("/products/{slug}")).await;
    assert_eq!(product_page.status, 200);
    assert!(product_page.text.contains(&title));

    // Another tenant's store never shows these products, on its home or at their URLs.
    let (_, _, other_host) = new_store(&stack, "Other Tenant E2E").await;
    let other_home = stack.page(&other_host, "/").await;
    assert_eq!(other_home.status, 200);
    assert!(!other_home.text.contains(&title));
    assert_eq!(stack.page(&other_host, &format!("/products/{slug}")).await.status, 404);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_duplicated_import_delivery_publishes_one_product() {
    let stack = Stack::connect().await;
    let (store, tenant, _) = new_store(&stack, "Duplicate E2E").await;
    let product_id = unique("dup");
    let body = import_body(
        &store,
        &tenant,
        &format!("import:{store}:e2e:{product_id}"),
        &product_id,
        "Duplicate Delivery Brush",
    );
    stack.send_import(&body).await;
    stack.send_import(&body).await;

    eventually("the duplicated import to publish", PIPELINE_LIMIT, || async {
        (!with_source_id(&stack.products(&store).await, &product_id).is_empty()).then_some(())
    })
    .await;
    // Give the second delivery time to be handled, then count.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(with_source_id(&stack.products(&store).await, &product_id).len(), 1);

    // Even a different message for the same supplier product cannot make a second product.
    let again = import_body(&store, &tenant, &unique("another-key"), &product_id, "Duplicate Delivery Brush");
    stack.send_import(&again).await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(with_source_id(&stack.products(&store).await, &product_id).len(), 1);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_malformed_message_is_dead_lettered_while_the_rest_of_its_batch_succeeds() {
    let stack = Stack::connect().await;
    let (store, tenant, _) = new_store(&stack, "Malformed E2E").await;
    let marker = unique("malformed");
    let product_id = unique("good");
    let good = import_body(
        &store,
        &tenant,
        &format!("import:{store}:e2e:{product_id}"),
        &product_id,
        "Good Neighbour Bowl",
    );
    let entries = [json!({ "marker": marker, "not": "an envelope" }).to_string(), good]
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(body)
                .build()
                .unwrap()
        })
        .collect();
    stack
        .sqs
        .send_message_batch()
        .queue_url(&stack.import_queue)
        .set_entries(Some(entries))
        .send()
        .await
        .unwrap();

    eventually("the good message of the batch to publish", PIPELINE_LIMIT, || async {
        (!with_source_id(&stack.products(&store).await, &product_id).is_empty()).then_some(())
    })
    .await;
    eventually("the malformed message to reach the dead-letter queue", PIPELINE_LIMIT, || async {
        stack.dead_lettered(&marker).await.then_some(())
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn the_internal_api_refuses_unsigned_stale_tampered_and_replayed_calls() {
    let stack = Stack::connect().await;
    let path = "/internal/research-runs/due";
    let body = json!({ "limit": 1 });
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    let unsigned = stack.http.post(format!("{}{path}", stack.edge)).json(&body).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);

    let stale = stack.internal(path, &body, now - 3_600, &unique("nonce-stale-000")).await;
    assert_eq!(stale.status, 401, "{}", stale.text);

    let nonce = unique("nonce-replay-000");
    let first = stack.internal(path, &body, now, &nonce).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let replay = stack.internal(path, &body, now, &nonce).await;
    assert_eq!(replay.status, 401, "{}", replay.text);
    assert!(replay.text.contains("replay"));

    let wrong_secret = Stack { internal_secret: "not-the-secret".into(), ..Stack::connect().await };
    let forged = wrong_secret.internal(path, &body, now, &unique("nonce-forged-000")).await;
    assert_eq!(forged.status, 401);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn unknown_and_forged_hosts_get_not_found() {
    let stack = Stack::connect().await;
    assert_eq!(stack.page("no-such-store.localhost", "/").await.status, 404);
    assert_eq!(stack.page("evil.example", "/").await.status, 404);
    assert_eq!(stack.page("demo.localhost.evil.example", "/").await.status, 404);
    assert_eq!(stack.page("127.0.0.1", "/").await.status, 404);
    let no_token =
        stack.http.post(format!("{}/v1/stores", stack.edge)).json(&json!({})).send().await.unwrap();
    assert_eq!(no_token.status(), 401);
    let bad = stack.create_store("UPPER case", "x").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json["field"], "slug");
    assert_eq!(bad.json["code"], "invalid_field");
}
