//! Research end to end, against the local stack and its fixture sources (AliExpress, Reddit,
//! competitors' Shopify stores, a supplier feed, Google Trends, TikTok through Apify): imports,
//! the watchlist, the run report and its mail, the store's thresholds, and products the store
//! already has left out of later runs.

use crate::helpers::{eventually, unique, Merchant, Stack};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const PIPELINE_LIMIT: Duration = Duration::from_secs(180);

async fn store_of(stack: &Stack, merchant: &Merchant, name: &str) -> String {
    let created = stack.create_store(merchant, &unique("research"), name).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.json["id"].as_str().unwrap().to_owned()
}

/// Starts a run and waits for its report.
async fn completed_run(stack: &Stack, merchant: &Merchant, store: &str) -> Value {
    let run = stack.start_research(merchant, store).await;
    assert_eq!(run.status, 202, "{}", run.text);
    let run_id = run.json["id"].as_str().unwrap().to_owned();
    eventually("the run report", PIPELINE_LIMIT, || async {
        let run = stack.research_run(merchant, store, &run_id).await;
        (run.json["status"] == "completed").then_some(run.json)
    })
    .await
}

fn coverage(report: &Value) -> Vec<Value> {
    serde_json::from_str(report["sources"].as_str().unwrap()).unwrap()
}

async fn watchlist(stack: &Stack, merchant: &Merchant, store: &str) -> Vec<Value> {
    let answer = stack.get(&format!("/v1/stores/{store}/watchlist"), &merchant.access).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json["items"].as_array().cloned().unwrap()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_run_imports_watches_reports_and_mails_and_the_next_leaves_out_what_the_store_has() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let store = store_of(&stack, &merchant, "Research E2E").await;

    let started = Instant::now();
    let report = completed_run(&stack, &merchant, &store).await;
    let products = eventually("research to publish products", PIPELINE_LIMIT, || async {
        let products = stack.products(&merchant, &store).await;
        (products.len() >= 5).then_some(products)
    })
    .await;
    println!("research-to-published wall time: {} ms", started.elapsed().as_millis());

    assert_eq!(report["imported"], 5, "{report}");
    let lines = coverage(&report);
    for source in ["aliexpress", "reddit", "competitors", "feed", "google_trends", "tiktok", "sales_velocity"]
    {
        let line =
            lines.iter().find(|l| l["source"] == source).unwrap_or_else(|| panic!("{source}: {lines:?}"));
        assert!(line["candidates"].as_u64().unwrap() > 0, "{line}");
        if source != "sales_velocity" {
            assert!(line["error"].is_null(), "{line}");
        }
    }
    let top: Vec<Value> = serde_json::from_str(report["top"].as_str().unwrap()).unwrap();
    assert!(top.iter().filter(|o| o["decision"] == "import").count() == 5, "{top:?}");

    // The watchlist holds what scored between the thresholds; removing an item keeps it removed.
    let watched = watchlist(&stack, &merchant, &store).await;
    assert_eq!(watched.len() as u64, report["watchlisted"].as_u64().unwrap());
    assert!(!watched.is_empty(), "products past the run's import limit are watched");
    assert!(watched.iter().all(|w| (65..=100).contains(&w["ai_score"].as_i64().unwrap())));
    let removed = watched[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/stores/{store}/watchlist/{removed}");
    assert_eq!(stack.send(reqwest::Method::DELETE, &path, &merchant.access, None).await.status, 204);
    assert_eq!(stack.send(reqwest::Method::DELETE, &path, &merchant.access, None).await.status, 404);

    // The owner gets the report by mail.
    let mail = stack.mail_to(&merchant.email, "Top opportunities").await;
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("google_trends") && text.contains("tiktok"), "{text}");
    assert!(text.contains(&format!("/research-runs/{}", report["id"].as_str().unwrap())), "{text}");

    // A second run leaves out the products the store has: no product twice, the removed item
    // stays off the watchlist.
    let again = completed_run(&stack, &merchant, &store).await;
    assert!(again["excluded"].as_u64().unwrap() >= 5, "{again}");
    tokio::time::sleep(Duration::from_secs(8)).await;
    let products_after = stack.products(&merchant, &store).await;
    let ids: BTreeSet<&str> =
        products_after.iter().map(|p| p["source_product_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), products_after.len(), "no product twice");
    assert!(products_after.len() >= products.len());
    assert!(watchlist(&stack, &merchant, &store).await.iter().all(|w| w["id"] != removed.as_str()));
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn the_stores_thresholds_decide_what_is_imported_and_what_is_watched() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let store = store_of(&stack, &merchant, "Thresholds E2E").await;
    let settings = json!({ "import_threshold": 100, "watch_threshold": 60 });
    let patched = stack
        .send(reqwest::Method::PATCH, &format!("/v1/stores/{store}"), &merchant.access, Some(&settings))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);

    let report = completed_run(&stack, &merchant, &store).await;
    assert_eq!(report["imported"], 0, "nothing reaches an import threshold of 100: {report}");
    assert!(report["watchlisted"].as_u64().unwrap() >= 5, "{report}");
    assert_eq!(
        watchlist(&stack, &merchant, &store).await.len() as u64,
        report["watchlisted"].as_u64().unwrap()
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(stack.products(&merchant, &store).await.is_empty());
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn another_tenant_can_neither_read_nor_prune_a_stores_watchlist() {
    let stack = Stack::connect().await;
    let owner = stack.sign_up().await;
    let store = store_of(&stack, &owner, "Private Watchlist E2E").await;
    let attacker = stack.sign_up().await;
    let read = stack.get(&format!("/v1/stores/{store}/watchlist"), &attacker.access).await;
    assert_eq!(read.status, 404, "{}", read.text);
    let path = format!("/v1/stores/{store}/watchlist/{}", "0".repeat(32));
    assert_eq!(stack.send(reqwest::Method::DELETE, &path, &attacker.access, None).await.status, 404);
}
