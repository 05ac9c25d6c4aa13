//! Research end to end, against the local stack and its fixture sources (AliExpress, Reddit,
//! competitors' Shopify stores, a supplier feed, Google Trends, TikTok through Apify): imports,
//! the watchlist, the run report and its mail, the store's thresholds, products the store
//! already has left out of later runs, and the niche steering what is found (the fixtures hold
//! catalogues of ten niches, see local/fixtures/generate_niches.py).

use crate::helpers::{eventually, unique, Merchant, Stack};
use domain::{RunId, StoreId, TenantId};
use queues::messages::{ResearchRequested, SupplierSyncRequested};
use queues::Envelope;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const PIPELINE_LIMIT: Duration = Duration::from_secs(180);

async fn store_of(stack: &Stack, merchant: &Merchant, name: &str) -> String {
    let created = stack.create_store(merchant, &unique("research"), name).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.json["id"].as_str().unwrap().to_owned()
}

/// A store of `niche`, without its launch: the test's own run is the only one importing into it,
/// so the run's report can count every product it chose arriving (a launch importing the same
/// products at the same time would own some of them).
async fn niche_store(stack: &Stack, merchant: &Merchant, name: &str, niche: &str) -> String {
    let body = json!({ "name": name, "slug": unique("niche"), "niche": niche, "launch": false });
    let created = stack.post_json("/v1/stores", Some(&merchant.access), &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.json["id"].as_str().unwrap().to_owned()
}

/// The niche of each AliExpress product the fixtures list: the recorded pet page and the
/// generated catalogue of every niche, whose rows name their category by index.
fn fixture_niches() -> std::collections::BTreeMap<String, String> {
    let root = format!("{}/../fixtures", env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(format!("{root}/{path}")).unwrap()).unwrap()
    };
    let niches = read("niches.json");
    let niche_of_category = |category: &str| {
        niches["niches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["category"] == category)
            .map(|n| n["name"].clone())
    };
    let mut found = std::collections::BTreeMap::new();
    let recorded = read("aliexpress/hotproducts.json");
    for p in recorded["aliexpress_affiliate_hotproduct_query_response"]["resp_result"]["result"]["products"]
        ["product"]
        .as_array()
        .unwrap()
    {
        let niche = niche_of_category(p["second_level_category_name"].as_str().unwrap()).unwrap();
        found.insert(p["product_id"].to_string(), niche.as_str().unwrap().to_owned());
    }
    let catalog = read("aliexpress/catalog.json");
    for row in catalog["products"].as_array().unwrap() {
        let category = &catalog["categories"][row[2].as_u64().unwrap() as usize][1];
        let niche = niche_of_category(category.as_str().unwrap()).unwrap();
        found.insert(row[0].to_string(), niche.as_str().unwrap().to_owned());
    }
    found
}

/// Runs research for a new store of `niche` and waits for what it imported to be published.
async fn niche_run(stack: &Stack, merchant: &Merchant, niche: &str) -> (Value, Vec<Value>) {
    let store = niche_store(stack, merchant, &format!("{niche} E2E"), niche).await;
    let report = imported_run(stack, merchant, &store).await;
    let products = stack.products(merchant, &store).await;
    (report, products)
}

/// Starts a run and waits for its report and then for every product it chose to arrive: the
/// report's `imported` counts the run's products in the store when read, so right after the
/// report it may still be below `selected`.
pub(crate) async fn imported_run(stack: &Stack, merchant: &Merchant, store: &str) -> Value {
    let report = completed_run(stack, merchant, store).await;
    arrived(stack, merchant, store, &report).await
}

/// The run of `report` again once every product it chose is in the store.
pub(crate) async fn arrived(stack: &Stack, merchant: &Merchant, store: &str, report: &Value) -> Value {
    let run_id = report["id"].as_str().unwrap();
    eventually("the run's imports in the store", PIPELINE_LIMIT, || async {
        let run = stack.research_run(merchant, store, run_id).await.json;
        (run["imported"] == run["selected"]).then_some(run)
    })
    .await
}

/// Starts a run and waits for its report.
pub(crate) async fn completed_run(stack: &Stack, merchant: &Merchant, store: &str) -> Value {
    let run = stack.start_research(merchant, store).await;
    assert_eq!(run.status, 202, "{}", run.text);
    let run_id = run.json["id"].as_str().unwrap().to_owned();
    eventually("the run report", PIPELINE_LIMIT, || async {
        let run = stack.research_run(merchant, store, &run_id).await;
        (run.json["status"] == "completed").then_some(run.json)
    })
    .await
}

async fn s3_client() -> aws_sdk_s3::Client {
    let aws = aws_config::load_from_env().await;
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&aws).force_path_style(true).build())
}

fn coverage(report: &Value) -> Vec<Value> {
    report["sources"].as_array().unwrap_or_else(|| panic!("sources is an array: {report}")).clone()
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
    let report = imported_run(&stack, &merchant, &store).await;
    let products = eventually("research to publish products", PIPELINE_LIMIT, || async {
        let products = stack.products(&merchant, &store).await;
        (products.len() >= 5).then_some(products)
    })
    .await;
    println!("research-to-published wall time: {} ms", started.elapsed().as_millis());

    // Images are the store's own: WebP in S3 under its prefix, with their srcset variants. (The
    // list leaves images out; each product's own view has them.)
    let mut detailed = Vec::new();
    for listed in &products {
        detailed.push(product(&stack, &merchant, &store, listed["id"].as_str().unwrap()).await);
    }
    let images: Vec<&str> =
        detailed.iter().flat_map(|p| p["images"].as_array().unwrap()).filter_map(Value::as_str).collect();
    assert!(!images.is_empty(), "{products:?}");
    assert!(images.iter().all(|u| u.starts_with("/media/") && u.ends_with(".webp")), "{images:?}");
    let name = images[0].trim_start_matches("/media/").trim_end_matches(".webp");
    let s3 = s3_client().await;
    let bucket = std::env::var("BUCKET_NAME").expect("BUCKET_NAME from the stack's aws.env");
    for suffix in ["", "-480", "-800", "-960"] {
        let key = format!("stores/{store}/media/{name}{suffix}.webp");
        let object =
            s3.get_object().bucket(&bucket).key(&key).send().await.unwrap_or_else(|e| panic!("{key}: {e:?}"));
        assert_eq!(object.content_type(), Some("image/webp"), "{key}");
        let bytes = object.body.collect().await.unwrap().into_bytes();
        assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP", "{key}");
    }

    assert_eq!(report["imported"], 5, "{report}");
    let lines = coverage(&report);
    for source in ["aliexpress", "reddit", "competitors", "feed", "google_trends", "tiktok", "sales_velocity"]
    {
        let line =
            lines.iter().find(|l| l["source"] == source).unwrap_or_else(|| panic!("{source}: {lines:?}"));
        assert!(line["candidates"].as_u64().unwrap() > 0, "{line}");
        if ["google_trends", "tiktok", "aliexpress"].contains(&source) {
            assert!(line["error"].is_null(), "{line}");
        }
    }
    let top = report["top"].as_array().unwrap_or_else(|| panic!("top is an array: {report}"));
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
async fn a_camping_store_gets_camping_products_and_a_pet_grooming_store_pet_products() {
    let stack = Stack::connect().await;
    let niches = fixture_niches();
    for niche in ["camping", "pet grooming"] {
        // A merchant each: the starter plan allows one store.
        let merchant = stack.sign_up().await;
        let (report, products) = niche_run(&stack, &merchant, niche).await;
        assert!(report["imported"].as_u64().unwrap() >= 3, "{niche}: {report}");
        let titles: Vec<&str> = products.iter().map(|p| p["title"].as_str().unwrap()).collect();
        println!("{niche} run imported: {titles:?}");
        for product in &products {
            let id = product["source_product_id"].as_str().unwrap();
            match product["source"].as_str().unwrap() {
                "aliexpress" => assert_eq!(niches.get(id).map(String::as_str), Some(niche), "{product}"),
                // The supplier feed is a pet supplier's: none of it is camping gear.
                source => assert_eq!((source, niche), ("feed", "pet grooming"), "{product}"),
            }
        }
        // What the report lists is of the niche too, and the sources were asked for it.
        for opportunity in report["top"].as_array().unwrap() {
            if opportunity["source"] == "aliexpress" {
                let id = opportunity["source_product_id"].as_str().unwrap();
                assert_eq!(niches.get(id).map(String::as_str), Some(niche), "{opportunity}");
            }
        }
        let lines = coverage(&report);
        let line = |source: &str| lines.iter().find(|l| l["source"] == source).unwrap().clone();
        assert!(line("aliexpress")["candidates"].as_u64().unwrap() >= 30, "{lines:?}");
        assert!(line("reddit")["candidates"].as_u64().unwrap() > 0, "{lines:?}");
        assert!(line("tiktok")["candidates"].as_u64().unwrap() > 0, "{lines:?}");
        assert!(line("google_trends")["error"].is_null(), "{lines:?}");
    }
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_niche_that_nothing_matches_imports_nothing_and_its_report_says_so() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let niche = "underwater basket weaving";
    let store = niche_store(&stack, &merchant, "Basket E2E", niche).await;
    let report = completed_run(&stack, &merchant, &store).await;
    assert_eq!((report["candidates"].as_u64(), report["imported"].as_u64()), (Some(0), Some(0)), "{report}");
    assert_eq!(report["top"], json!([]), "{report}");
    let lines = coverage(&report);
    for source in ["aliexpress", "feed", "reddit", "tiktok"] {
        let line = lines.iter().find(|l| l["source"] == source).unwrap();
        assert_eq!(line["candidates"].as_u64(), Some(0), "{line}");
        // Each was read: the feed's malformed row is the only problem said.
        if source != "feed" {
            assert!(line["error"].is_null(), "{line}");
        }
    }

    // The report mail says what happened and names no product.
    let mail = stack.mail_to(&merchant.email, "no products matched the niche").await;
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "Top opportunities: none: no products matched the niche \"{niche}\", so nothing was imported"
        )),
        "{text}"
    );
    assert!(!text.contains("aliexpress.com/item"), "{text}");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(stack.products(&merchant, &store).await.is_empty(), "nothing from another niche");
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

fn research_body(key: &str, merchant: &Merchant, store: &str, run_id: &str) -> String {
    Envelope::new(
        key,
        merchant.tenant_id.parse::<TenantId>().unwrap(),
        store.parse::<StoreId>().unwrap(),
        time::OffsetDateTime::now_utc(),
        "e2e-research",
        ResearchRequested {
            run_id: run_id.parse::<RunId>().unwrap(),
            niche: "pet grooming".into(),
            max_imports: 5,
        },
    )
    .to_body()
}

async fn send_research(stack: &Stack, body: &str) {
    let queue = std::env::var("RESEARCH_QUEUE_URL").expect("RESEARCH_QUEUE_URL from the stack's aws.env");
    stack.sqs.send_message().queue_url(queue).message_body(body).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_research_run_delivered_again_imports_reports_and_mails_once() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let store = store_of(&stack, &merchant, "Redelivered E2E").await;
    let run = stack.start_research(&merchant, &store).await;
    let run_id = run.json["id"].as_str().unwrap().to_owned();
    // The same message again (as SQS may deliver it), and the same run under another key (as a
    // producer retrying with a new key would send it).
    send_research(&stack, &research_body(&format!("research:{run_id}"), &merchant, &store, &run_id)).await;
    send_research(&stack, &research_body(&unique("research-again"), &merchant, &store, &run_id)).await;

    eventually("the run report", PIPELINE_LIMIT, || async {
        let run = stack.research_run(&merchant, &store, &run_id).await;
        (run.json["status"] == "completed").then_some(())
    })
    .await;
    let products = eventually("five products", PIPELINE_LIMIT, || async {
        let products = stack.products(&merchant, &store).await;
        (products.len() >= 5).then_some(products)
    })
    .await;
    // Give the redeliveries time to be handled, then count.
    tokio::time::sleep(Duration::from_secs(15)).await;
    assert_eq!(stack.products(&merchant, &store).await.len(), products.len());
    assert_eq!(products.len(), 5);
    let inbox: Value =
        stack.http.get("http://127.0.0.1:1080/api/email").send().await.unwrap().json().await.unwrap();
    let mails = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["text"].as_str().is_some_and(|t| t.contains(&format!("/research-runs/{run_id}"))))
        .count();
    assert_eq!(mails, 1, "one report mail per run");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_research_message_that_keeps_failing_is_dead_lettered_alone() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let store = store_of(&stack, &merchant, "Dead Letter E2E").await;
    // A run the edge never recorded: asking for its context fails on every delivery.
    let unknown = RunId::from_random_bytes(*uuid::Uuid::new_v4().as_bytes()).to_string();
    send_research(&stack, &research_body(&format!("research:{unknown}"), &merchant, &store, &unknown)).await;
    let good = imported_run(&stack, &merchant, &store).await;
    assert_eq!(good["imported"], 5, "the good run next to it completes: {good}");

    let dlq = std::env::var("RESEARCH_DLQ_URL").expect("RESEARCH_DLQ_URL from the stack's aws.env");
    eventually("the failing message in the research dead-letter queue", PIPELINE_LIMIT, || async {
        let out = stack
            .sqs
            .receive_message()
            .queue_url(&dlq)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .ok()?;
        out.messages().iter().any(|m| m.body().is_some_and(|b| b.contains(&unknown))).then_some(())
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_merchant_imports_a_product_from_its_page_and_a_page_without_one_is_dead_lettered() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let store = store_of(&stack, &merchant, "Scrape E2E").await;
    let path = format!("/v1/stores/{store}/products/from-urls");
    let refused =
        stack.post_json(&path, Some(&merchant.access), &json!({ "urls": ["ftp://example.com/x"] })).await;
    assert_eq!((refused.status, refused.json["field"].as_str()), (400, Some("urls[0]")), "{}", refused.text);

    let page = "http://127.0.0.1:9101/shops/pawsandclaws/products/self-cleaning-slicker-brush";
    let missing = format!("http://127.0.0.1:9101/shops/pawsandclaws/products/{}", unique("gone"));
    let queued =
        stack.post_json(&path, Some(&merchant.access), &json!({ "urls": [page, missing, page] })).await;
    assert_eq!((queued.status, queued.json["queued"].as_u64()), (202, Some(2)), "{}", queued.text);

    let products = eventually("the scraped product to publish", PIPELINE_LIMIT, || async {
        let products = stack.products(&merchant, &store).await;
        (!products.is_empty()).then_some(products)
    })
    .await;
    assert_eq!(products[0]["source"], "scrape");
    assert!(products[0]["title"].as_str().unwrap().contains("Slicker Brush"), "{}", products[0]);
    // Its price follows the pricing rules from the page's price, taken as the cost.
    assert_eq!(products[0]["cost_minor"], 2_495);
    assert_eq!(products[0]["price_minor"].as_i64().unwrap() % 100, 99);

    let dlq = std::env::var("SCRAPE_DLQ_URL").expect("SCRAPE_DLQ_URL from the stack's aws.env");
    eventually("the page without a product in the scrape dead-letter queue", PIPELINE_LIMIT, || async {
        let out = stack
            .sqs
            .receive_message()
            .queue_url(&dlq)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .ok()?;
        out.messages().iter().any(|m| m.body().is_some_and(|b| b.contains(&missing))).then_some(())
    })
    .await;
    assert_eq!(stack.products(&merchant, &store).await.len(), 1, "the same page twice is one product");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_research_delivery_that_crashed_midway_is_taken_over_and_nothing_is_lost_or_repeated() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let store = store_of(&stack, &merchant, "Crash E2E").await;
    let run = stack.start_research(&merchant, &store).await;
    let run_id = run.json["id"].as_str().unwrap().to_owned();

    // What a delivery that crashed mid-run leaves behind: its claim on the message, held until its
    // lease ends (shortened on the local stack); its message is delivered again.
    let key = unique("research-crashed");
    let table = std::env::var("TABLE_NAME").expect("TABLE_NAME from the stack's aws.env");
    let dynamo = aws_sdk_dynamodb::Client::new(&aws_config::load_from_env().await);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let s = |v: &str| aws_sdk_dynamodb::types::AttributeValue::S(v.into());
    let n = |v: i64| aws_sdk_dynamodb::types::AttributeValue::N(v.to_string());
    dynamo
        .put_item()
        .table_name(&table)
        .item("pk", s(&format!("idem#research#{key}")))
        .item("sk", s("idem"))
        .item("status", s("in_progress"))
        .item("lease_until", n(now + 4))
        .item("expires_at", n(now + 3_600))
        .send()
        .await
        .unwrap();
    send_research(&stack, &research_body(&key, &merchant, &store, &run_id)).await;

    eventually(
        "the crashed delivery's message to be applied by a later delivery",
        PIPELINE_LIMIT,
        || async {
            let item = dynamo
                .get_item()
                .table_name(&table)
                .key("pk", s(&format!("idem#research#{key}")))
                .key("sk", s("idem"))
                .consistent_read(true)
                .send()
                .await
                .ok()?;
            (item.item()?.get("status")?.as_s().ok()? == "applied").then_some(())
        },
    )
    .await;
    let report = eventually("the run report", PIPELINE_LIMIT, || async {
        let run = stack.research_run(&merchant, &store, &run_id).await;
        (run.json["status"] == "completed").then_some(run.json)
    })
    .await;
    let report = arrived(&stack, &merchant, &store, &report).await;
    // Give a repeated import time to show, then count.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let products = stack.products(&merchant, &store).await;
    let ids: BTreeSet<&str> = products.iter().map(|p| p["source_product_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), products.len(), "no product twice");
    assert_eq!(products.len() as u64, report["imported"].as_u64().unwrap(), "{report}");
    let inbox: Value =
        stack.http.get("http://127.0.0.1:1080/api/email").send().await.unwrap().json().await.unwrap();
    let mails = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["text"].as_str().is_some_and(|t| t.contains(&format!("/research-runs/{run_id}"))))
        .count();
    assert_eq!(mails, 1, "one report mail per run");
}

/// Changes the AliExpress fixture's detail answer for one product (never its hot products).
async fn supplier_listing(stack: &Stack, product: &str, change: Option<Value>) {
    let url = format!("http://127.0.0.1:9100/_test/products/{product}");
    let request = match change {
        Some(change) => stack.http.post(url).json(&change),
        None => stack.http.delete(url),
    };
    assert!(request.send().await.unwrap().status().is_success());
}

async fn send_sync(stack: &Stack, merchant: &Merchant, store: &str, key: &str, sync_id: &str) {
    let queue = std::env::var("SYNC_QUEUE_URL").expect("SYNC_QUEUE_URL from the stack's aws.env");
    let body = Envelope::new(
        key,
        merchant.tenant_id.parse::<TenantId>().unwrap(),
        store.parse::<StoreId>().unwrap(),
        time::OffsetDateTime::now_utc(),
        "e2e-sync",
        SupplierSyncRequested { sync_id: sync_id.into() },
    )
    .to_body();
    stack.sqs.send_message().queue_url(queue).message_body(body).send().await.unwrap();
}

async fn product(stack: &Stack, merchant: &Merchant, store: &str, id: &str) -> Value {
    let answer = stack.get(&format!("/v1/stores/{store}/products/{id}"), &merchant.access).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json
}

async fn changes(stack: &Stack, merchant: &Merchant, store: &str, id: &str) -> Value {
    let answer = stack.get(&format!("/v1/stores/{store}/products/{id}/changes"), &merchant.access).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn the_supplier_sync_reprices_a_cost_rise_unpublishes_a_delisting_and_says_why() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let store = store_of(&stack, &merchant, "Supplier Sync E2E").await;
    completed_run(&stack, &merchant, &store).await;
    let imported: Vec<Value> = eventually("three imported AliExpress products", PIPELINE_LIMIT, || async {
        let products: Vec<Value> = stack
            .products(&merchant, &store)
            .await
            .into_iter()
            .filter(|p| p["source"] == "aliexpress")
            .collect();
        (products.len() >= 3).then_some(products)
    })
    .await;
    let (risen, delisted, steady) = (&imported[0], &imported[1], &imported[2]);
    let id = |p: &Value| p["id"].as_str().unwrap().to_owned();
    let supplier_id = |p: &Value| p["source_product_id"].as_str().unwrap().to_owned();
    let old_cost = risen["cost_minor"].as_i64().unwrap();
    let new_cost = old_cost + 500;

    // The supplier raises one price and delists another.
    supplier_listing(
        &stack,
        &supplier_id(risen),
        Some(json!({ "price": format!("{}.{:02}", new_cost / 100, new_cost % 100) })),
    )
    .await;
    supplier_listing(&stack, &supplier_id(delisted), Some(json!({ "delisted": true }))).await;
    let sync = unique("sync");
    send_sync(&stack, &merchant, &store, &format!("sync:{store}:{sync}"), &sync).await;
    let repriced = eventually("the cost rise re-priced", PIPELINE_LIMIT, || async {
        let now = product(&stack, &merchant, &store, &id(risen)).await;
        (now["cost_minor"] == new_cost).then_some(now)
    })
    .await;
    supplier_listing(&stack, &supplier_id(risen), None).await;
    let expected = domain::pricing::quote(
        domain::Money::from_minor(new_cost, domain::Currency::Usd),
        None,
        &domain::pricing::PricingRules::default(),
    )
    .unwrap();
    assert_eq!(repriced["price_minor"], expected.price.minor, "re-priced by the rules: {repriced}");
    assert!(repriced["price_minor"].as_i64() > risen["price_minor"].as_i64());
    let history = changes(&stack, &merchant, &store, &id(risen)).await;
    let fields: BTreeSet<&str> =
        history["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert!(fields.contains("cost") && fields.contains("price"), "{history}");
    assert!(history["changes"].to_string().contains("the supplier's price went from"), "{history}");
    assert_eq!(history["supplier_available"], true);

    let gone = product(&stack, &merchant, &store, &id(delisted)).await;
    assert_eq!(gone["status"], "draft", "a delisted product is unpublished by default: {gone}");
    let why = changes(&stack, &merchant, &store, &id(delisted)).await;
    assert_eq!(why["changes"][0]["field"], "status", "{why}");
    assert!(why["changes"][0]["reason"].as_str().unwrap().contains("none in stock"), "{why}");
    let untouched = changes(&stack, &merchant, &store, &id(steady)).await;
    assert_eq!(untouched["changes"], json!([]), "an unchanged listing changes nothing: {untouched}");
    assert!(untouched["supplier_checked_at"].is_string(), "but it was checked: {untouched}");

    // Shoppers see it: the delisted product is gone from the store.
    let host = stack.get(&format!("/v1/stores/{store}"), &merchant.access).await.json["host"]
        .as_str()
        .unwrap()
        .to_owned();
    let slug = delisted["slug"].as_str().unwrap();
    eventually("the delisted product off the storefront", Duration::from_secs(30), || async {
        (stack.page(&host, &format!("/products/{slug}")).await.status == 404).then_some(())
    })
    .await;

    // The same sync delivered again (a producer's retry under a new key) changes nothing more.
    let checked = untouched["supplier_checked_at"].clone();
    send_sync(&stack, &merchant, &store, &unique("sync-again"), &sync).await;
    eventually("the redelivered sync checked the store again", PIPELINE_LIMIT, || async {
        (changes(&stack, &merchant, &store, &id(steady)).await["supplier_checked_at"] != checked)
            .then_some(())
    })
    .await;
    assert_eq!(changes(&stack, &merchant, &store, &id(risen)).await["changes"], history["changes"]);
    assert_eq!(changes(&stack, &merchant, &store, &id(delisted)).await["changes"], why["changes"]);

    // Back in stock at the supplier: the next sync publishes it again.
    supplier_listing(&stack, &supplier_id(delisted), None).await;
    let next = unique("sync");
    send_sync(&stack, &merchant, &store, &format!("sync:{store}:{next}"), &next).await;
    eventually("the restocked product published again", PIPELINE_LIMIT, || async {
        (product(&stack, &merchant, &store, &id(delisted)).await["status"] == "published").then_some(())
    })
    .await;
    let back = changes(&stack, &merchant, &store, &id(delisted)).await;
    assert_eq!(back["changes"][0]["reason"], "the supplier has it in stock again", "{back}");

    // The hourly schedule's tick enqueues one sync per active store, this one among them.
    let tick: Value = stack
        .http
        .post("http://127.0.0.1:9000/2015-03-31/functions/fanout/invocations")
        .json(&json!({ "job": "supplier_sync" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tick["enqueued"].as_u64() >= Some(1), "{tick}");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_stores_pricing_rules_price_its_imports_and_the_sync_keeps_a_price_set_by_hand() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    // A camping store: its catalog is not the pet one the other supplier-sync test moves prices in.
    let body =
        json!({ "name": "Pricing E2E", "slug": unique("pricing"), "niche": "camping", "launch": false });
    let created = stack.post_json("/v1/stores", Some(&merchant.access), &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let store = created.json["id"].as_str().unwrap().to_owned();
    let pricing = format!("/v1/stores/{store}/pricing");
    let put = |body: Value| {
        let (stack, merchant, pricing) = (&stack, &merchant, &pricing);
        async move { stack.send(reqwest::Method::PUT, pricing, &merchant.access, Some(&body)).await }
    };

    // The store's rules: 3x cost, at least 20% margin, no compare-at price, no .99 endings.
    let defaults = stack.get(&pricing, &merchant.access).await;
    assert_eq!(defaults.status, 200, "{}", defaults.text);
    assert_eq!(defaults.json["markup_bps"], 25_000, "the defaults until set: {}", defaults.text);
    let refused = put(json!({ "markup_bps": 5_000 })).await;
    assert_eq!(
        (refused.status, refused.json["field"].as_str()),
        (400, Some("markup_bps")),
        "{}",
        refused.text
    );
    let rules = json!({ "markup_bps": 30_000, "min_margin_bps": 2_000, "compare_at_bps": 0, "psychological_endings": false });
    let set = put(rules.clone()).await;
    assert_eq!(set.status, 200, "{}", set.text);
    for field in ["markup_bps", "min_margin_bps", "compare_at_bps", "psychological_endings"] {
        assert_eq!(set.json[field], rules[field], "{}", set.text);
    }
    assert_eq!(
        (set.json["repriced"].as_u64(), set.json["kept"].as_u64()),
        (Some(0), Some(0)),
        "an empty store"
    );
    assert_eq!(stack.get(&pricing, &merchant.access).await.json, rules);
    let store_rules = domain::pricing::PricingRules {
        markup_bps: 30_000,
        min_margin_bps: 2_000,
        compare_at_bps: 0,
        psychological_endings: false,
    };

    // Research imports by them: each price is 3x its cost, with no compare-at price.
    let report = imported_run(&stack, &merchant, &store).await;
    assert!(report["imported"].as_u64().unwrap() >= 1, "{report}");
    let products: Vec<Value> =
        stack.products(&merchant, &store).await.into_iter().filter(|p| p["source"] == "aliexpress").collect();
    assert!(!products.is_empty(), "{report}");
    for p in &products {
        let cost = domain::Money::from_minor(p["cost_minor"].as_i64().unwrap(), domain::Currency::Usd);
        let expected = domain::pricing::quote(cost, None, &store_rules).unwrap();
        assert_eq!(p["price_minor"], expected.price.minor, "priced by the store's rules: {p}");
        assert_eq!(p["compare_at_minor"], Value::Null, "{p}");
    }

    // The merchant sets one price by hand at twice the cost; then the supplier's cost rises 80%.
    let mine = &products[products.len() - 1];
    let id = mine["id"].as_str().unwrap();
    let cost = mine["cost_minor"].as_i64().unwrap();
    let hand = cost * 2;
    let patched = stack
        .send(
            reqwest::Method::PATCH,
            &format!("/v1/stores/{store}/products/{id}"),
            &merchant.access,
            Some(&json!({ "price_minor": hand })),
        )
        .await;
    assert_eq!((patched.status, patched.json["price_minor"].as_i64()), (200, Some(hand)), "{}", patched.text);
    let new_cost = cost * 18 / 10;
    let supplier_id = mine["source_product_id"].as_str().unwrap();
    supplier_listing(
        &stack,
        supplier_id,
        Some(json!({ "price": format!("{}.{:02}", new_cost / 100, new_cost % 100) })),
    )
    .await;
    let sync = unique("sync");
    send_sync(&stack, &merchant, &store, &format!("sync:{store}:{sync}"), &sync).await;
    let synced = eventually("the cost rise applied", PIPELINE_LIMIT, || async {
        let now = product(&stack, &merchant, &store, id).await;
        (now["cost_minor"] == new_cost).then_some(now)
    })
    .await;
    supplier_listing(&stack, supplier_id, None).await;

    // The price is the merchant's still, and the history says what the sync did and why.
    assert_eq!(synced["price_minor"], hand, "the merchant's price is kept: {synced}");
    let history = changes(&stack, &merchant, &store, id).await;
    let entries = history["changes"].as_array().unwrap();
    assert!(entries.iter().all(|c| c["field"] == "cost"), "only the cost moved: {history}");
    let reason = entries[0]["reason"].as_str().unwrap();
    assert!(reason.contains("set by the merchant and is kept"), "{reason}");
    assert!(reason.contains("below the store's minimum margin of 20%"), "a 10% margin now: {reason}");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn new_rules_move_the_prices_that_follow_them_and_a_price_handed_back_follows_them_again() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    // A home office store: no other test prices or syncs its catalog.
    let store = niche_store(&stack, &merchant, "Reprice E2E", "home office").await;
    imported_run(&stack, &merchant, &store).await;
    // Every product came from a supplier (AliExpress or the feed), so the rules price them all.
    let products: Vec<Value> = stack.products(&merchant, &store).await;
    assert!(products.len() >= 2 && products.iter().all(|p| p["source"].is_string()), "{products:?}");
    let path = |id: &str| format!("/v1/stores/{store}/products/{id}");
    let patch = |id: String, body: Value| {
        let (stack, merchant, path) = (&stack, &merchant, path(&id));
        async move { stack.send(reqwest::Method::PATCH, &path, &merchant.access, Some(&body)).await }
    };
    let by_rules = |p: &Value, rules: &domain::pricing::PricingRules| {
        let cost = domain::Money::from_minor(p["cost_minor"].as_i64().unwrap(), domain::Currency::Usd);
        let quote = domain::pricing::quote(cost, None, rules).unwrap();
        (json!(quote.price.minor), json!(quote.compare_at.map(|m| m.minor)))
    };

    // Imported by the default rules; the merchant sets one price by hand at twice the cost.
    let mine = products[0]["id"].as_str().unwrap().to_owned();
    let hand = products[0]["cost_minor"].as_i64().unwrap() * 2;
    let set = patch(mine.clone(), json!({ "price_minor": hand })).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(
        (&set.json["price_follows_rules"], set.json["priced_by_merchant_at"].is_string()),
        (&json!(false), true)
    );
    let other = product(&stack, &merchant, &store, products[1]["id"].as_str().unwrap()).await;
    assert_eq!(other["price_follows_rules"], true, "{other}");

    // New rules: 3x cost, no compare-at price, no .99 endings. The hand-set price stays; every
    // other one moves to the new rules at once, and the answer counts both.
    let rules = json!({ "markup_bps": 30_000, "min_margin_bps": 2_000, "compare_at_bps": 0, "psychological_endings": false });
    let three_x = domain::pricing::PricingRules {
        markup_bps: 30_000,
        min_margin_bps: 2_000,
        compare_at_bps: 0,
        psychological_endings: false,
    };
    let pricing = format!("/v1/stores/{store}/pricing");
    let saved = stack.send(reqwest::Method::PUT, &pricing, &merchant.access, Some(&rules)).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(
        (saved.json["repriced"].as_u64(), saved.json["kept"].as_u64()),
        (Some(products.len() as u64 - 1), Some(1)),
        "{}",
        saved.text
    );
    for p in &stack.products(&merchant, &store).await {
        let now = product(&stack, &merchant, &store, p["id"].as_str().unwrap()).await;
        if now["id"] == mine.as_str() {
            assert_eq!(now["price_minor"], hand, "the merchant's price is kept: {now}");
        } else {
            assert_eq!(
                (now["price_minor"].clone(), now["compare_at_minor"].clone()),
                by_rules(&now, &three_x),
                "{now}"
            );
        }
    }
    let price_entry = |history: &Value| {
        history["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == "price")
            .cloned()
            .unwrap_or_default()
    };
    let history = changes(&stack, &merchant, &store, other["id"].as_str().unwrap()).await;
    let entry = &price_entry(&history);
    assert!(
        entry["field"] == "price"
            && entry["reason"].as_str().unwrap().contains("the store's pricing rules changed"),
        "{history}"
    );
    let again = stack.send(reqwest::Method::PUT, &pricing, &merchant.access, Some(&rules)).await;
    assert_eq!(
        (again.json["repriced"].as_u64(), again.json["kept"].as_u64()),
        (Some(0), Some(1)),
        "{}",
        again.text
    );

    // Handing the price back prices it by the rules at once, and the history says the merchant asked.
    let both = patch(mine.clone(), json!({ "price_follows_rules": true, "price_minor": hand })).await;
    assert_eq!(
        (both.status, both.json["field"].as_str()),
        (400, Some("price_follows_rules")),
        "{}",
        both.text
    );
    let back = patch(mine.clone(), json!({ "price_follows_rules": true })).await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(
        (back.json["price_minor"].clone(), back.json["compare_at_minor"].clone()),
        by_rules(&back.json, &three_x)
    );
    assert_eq!(
        (&back.json["price_follows_rules"], &back.json["priced_by_merchant_at"]),
        (&json!(true), &Value::Null)
    );
    let history = changes(&stack, &merchant, &store, &mine).await;
    let entry = &price_entry(&history);
    assert_eq!(
        (entry["old_value"].as_str(), entry["field"].as_str()),
        (Some(&*format!("${}.{:02}", hand / 100, hand % 100)), Some("price")),
        "{history}"
    );
    assert!(
        entry["reason"].as_str().unwrap().contains("handed the price back to the store's rules"),
        "{history}"
    );

    // From then on the rules price it: the next rules move it too.
    let four_x = json!({ "markup_bps": 40_000, "min_margin_bps": 2_000, "compare_at_bps": 0, "psychological_endings": false });
    let saved = stack.send(reqwest::Method::PUT, &pricing, &merchant.access, Some(&four_x)).await;
    assert_eq!(
        (saved.json["repriced"].as_u64(), saved.json["kept"].as_u64()),
        (Some(products.len() as u64), Some(0)),
        "{}",
        saved.text
    );
    let now = product(&stack, &merchant, &store, &mine).await;
    let rules = domain::pricing::PricingRules { markup_bps: 40_000, ..three_x };
    assert_eq!(
        (now["price_minor"].clone(), now["compare_at_minor"].clone()),
        by_rules(&now, &rules),
        "{now}"
    );
}
