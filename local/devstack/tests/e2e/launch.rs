//! A new store's launch: with nothing but `POST /v1/stores`, the store fills itself — a research
//! run sized by the plan, its products published, collections from their categories, the first
//! SEO run's posts, and a "your store is ready" mail to its owner.

use crate::helpers::{eventually, unique, Stack};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const LAUNCH_LIMIT: Duration = Duration::from_secs(240);

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_store_created_with_nothing_else_launches_itself() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let started = Instant::now();
    let body = json!({ "name": "Groom Room", "slug": unique("launch"), "niche": "pet grooming" });
    let created = stack.post_json("/v1/stores", Some(&merchant.access), &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let store = created.json["id"].as_str().unwrap().to_owned();
    let host = created.json["host"].as_str().unwrap().to_owned();
    let run_id = created.json["launch_run_id"].as_str().expect("the launch's run is named").to_owned();

    let report = eventually("the launch's research run", LAUNCH_LIMIT, || async {
        let run = stack.research_run(&merchant, &store, &run_id).await;
        (run.json["status"] == "completed").then_some(run.json)
    })
    .await;
    let selected = report["selected"].as_u64().unwrap() as usize;
    // The Starter plan's launch aims at 20 products; it never exceeds that.
    assert!(selected > 5 && selected <= 20, "the launch chose {selected} products");

    let posts = eventually("the launch's blog posts", LAUNCH_LIMIT, || async {
        let posts = stack.get(&format!("/v1/stores/{store}/posts"), &merchant.access).await;
        let posts = posts.json["posts"].as_array().cloned().unwrap_or_default();
        (posts.len() >= 3).then_some(posts)
    })
    .await;
    println!(
        "store {store}: launched with {selected} products and {} posts in {:?}",
        posts.len(),
        started.elapsed()
    );

    let all = stack.products(&merchant, &store).await;
    assert_eq!(all.len(), selected, "every product the launch chose is in the store");
    // What shoppers see has pictures: a product none of whose supplier images could be used
    // waits as a draft.
    let products: Vec<Value> = all.iter().filter(|p| p["status"] == "published").cloned().collect();
    for product in &all {
        let id = product["id"].as_str().unwrap();
        let detail = stack.get(&format!("/v1/stores/{store}/products/{id}"), &merchant.access).await;
        let pictured = detail.json["images"].as_array().is_some_and(|i| !i.is_empty());
        assert_eq!(pictured, product["status"] == "published", "{}", detail.text);
    }
    assert!(products.len() > 5, "{} published", products.len());
    let product = &products[0];
    let page = stack.page(&host, &format!("/products/{}", product["slug"].as_str().unwrap())).await;
    assert_eq!(page.status, 200);
    let blocks: Vec<Value> = page
        .text
        .split(r#"<script type="application/ld+json">"#)
        .skip(1)
        .map(|s| serde_json::from_str(s.split("</script>").next().unwrap()).expect("its JSON-LD parses"))
        .collect();
    let named = |node: &Value| node["@type"] == "Product" && node["name"] == product["title"];
    assert!(blocks.iter().any(named), "the product page's JSON-LD names it: {blocks:?}");

    let flows = stack.get(&format!("/v1/stores/{store}/email/flows"), &merchant.access).await;
    for flow in ["welcome", "abandoned_cart"] {
        let on =
            flows.json["flows"].as_array().unwrap().iter().any(|f| f["flow"] == flow && f["enabled"] == true);
        assert!(on, "the {flow} flow is on: {}", flows.text);
    }

    let collections = stack.get(&format!("/v1/stores/{store}/collections"), &merchant.access).await;
    let collections = collections.json["collections"].as_array().cloned().unwrap_or_default();
    assert!(!collections.is_empty(), "the launch groups its products into collections");
    let collection: &Value = &collections[0];
    let page = stack.page(&host, &format!("/collections/{}", collection["slug"].as_str().unwrap())).await;
    assert_eq!(page.status, 200);
    let listed = products.iter().filter(|p| page.text.contains(p["title"].as_str().unwrap())).count();
    assert!(listed >= 2, "the collection page lists its products ({listed} found)");

    let mail = stack.mail_to(&merchant.email, "is live with").await;
    let text = mail["text"].as_str().unwrap();
    assert!(mail["subject"].as_str().unwrap().ends_with("is ready"), "{}", mail["subject"]);
    assert!(text.contains(&format!("{} published products", products.len())), "{text}");
    assert!(text.contains(&format!("{} posts", posts.len())), "{text}");
    assert!(text.contains(&format!("http://{host}:8788/collections/all")), "{text}");

    // The launch moves on after its report and after each of its imports, in any order and
    // concurrently: the collections and the ready mail come once all the same.
    let again = stack.get(&format!("/v1/stores/{store}/collections"), &merchant.access).await;
    assert_eq!(again.json["collections"].as_array().map(Vec::len), Some(collections.len()));
    let inbox: Vec<Value> =
        stack.http.get("http://127.0.0.1:1080/api/email").send().await.unwrap().json().await.unwrap();
    let ready = inbox
        .iter()
        .filter(|m| m["to"].as_array().is_some_and(|to| to.iter().any(|t| t["address"] == merchant.email)))
        .filter(|m| m["subject"].as_str().is_some_and(|s| s.ends_with("is ready")))
        .count();
    assert_eq!(ready, 1, "one ready mail");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_store_without_a_niche_takes_one_from_its_name() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let body = json!({ "name": "Trail Gear Co.", "slug": unique("niche"), "launch": false });
    let created = stack.post_json("/v1/stores", Some(&merchant.access), &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["niche"], "trail gear");
    assert!(created.json.get("launch_run_id").is_none(), "no launch was asked for");
    let store = created.json["id"].as_str().unwrap();

    let patch = |body: Value| {
        let path = format!("/v1/stores/{store}");
        let stack = &stack;
        let token = merchant.access.clone();
        async move { stack.send(reqwest::Method::PATCH, &path, &token, Some(&body)).await }
    };
    let blank = patch(json!({ "niche": "  " })).await;
    assert_eq!((blank.status, blank.json["niche"].as_str()), (200, Some("trail gear")), "{}", blank.text);
    let long = patch(json!({ "niche": "x".repeat(81) })).await;
    assert_eq!((long.status, long.json["field"].as_str()), (400, Some("niche")), "{}", long.text);
}
