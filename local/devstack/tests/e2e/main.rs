//! End-to-end tests against the running local stack (started by local/test.sh through
//! `local/up.sh --detach`). They drive the first slice exactly as a merchant and a shopper would:
//! create a store, start research, watch the pipelines publish products, see them on the store's
//! host; and they attack the seams: duplicate and malformed deliveries, forged hosts, unsigned,
//! stale and replayed internal calls.
//!
//! Ignored by a plain `cargo test` because they need the stack; run them with `local/test.sh`.

mod accounts;
mod dashboard;
mod fulfilment;
mod helpers;
mod isolation;
mod launch;
mod mail;
mod reliability;
mod research;
mod schedules;
mod store;
mod themes;
mod tracking;
mod two_factor;

use domain::{Currency, Money, RunId, StoreId, TenantId};
use helpers::{eventually, publish_txt, token_in, unique, Merchant, Stack};
use queues::messages::{ImportRequested, SupplierProduct};
use queues::Envelope;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const PIPELINE_LIMIT: Duration = Duration::from_secs(180);

async fn new_store(stack: &Stack, name: &str) -> (Merchant, String, String, String) {
    let merchant = stack.sign_up().await;
    let slug = unique("e2e");
    let created = stack.create_store(&merchant, &slug, name).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let tenant = created.json["tenant_id"].as_str().unwrap().to_owned();
    assert_eq!(tenant, merchant.tenant_id, "a store belongs to its creator's tenant");
    (merchant, id, tenant, created.json["host"].as_str().unwrap().to_owned())
}

fn import_body(store: &str, tenant: &str, key: &str, product_id: &str, title: &str) -> String {
    Envelope::new(
        key,
        tenant.parse::<TenantId>().unwrap(),
        store.parse::<StoreId>().unwrap(),
        time::OffsetDateTime::now_utc(),
        "e2e",
        ImportRequested {
            run_id: Some(RunId::from_random_bytes(*uuid::Uuid::new_v4().as_bytes())),
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
            plan: None,
            pricing: None,
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

    let merchant = stack.sign_up().await;
    let started = Instant::now();
    let created = stack.create_store(&merchant, &unique("e2e"), "Cozy Paws E2E").await;
    let create_ms = started.elapsed().as_millis();
    assert_eq!(created.status, 201, "{}", created.text);
    let store = created.json["id"].as_str().unwrap().to_owned();
    let host = created.json["host"].as_str().unwrap().to_owned();
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

    let run = stack.start_research(&merchant, &store).await;
    assert_eq!(run.status, 202, "{}", run.text);
    let run_id = run.json["id"].as_str().unwrap().to_owned();

    let products = eventually("research to publish products", PIPELINE_LIMIT, || async {
        let products = stack.products(&merchant, &store).await;
        (products.len() >= 5).then_some(products)
    })
    .await;
    assert!(products.iter().all(|p| p["status"] == "published" && p["source"] == "aliexpress"));
    assert!(products.iter().all(|p| p["price_minor"].as_i64().unwrap() % 100 == 99), "prices end in .99");

    let report = eventually("the run report", PIPELINE_LIMIT, || async {
        let run = stack.research_run(&merchant, &store, &run_id).await;
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
    let (_, _, _, other_host) = new_store(&stack, "Other Tenant E2E").await;
    let other_home = stack.page(&other_host, "/").await;
    assert_eq!(other_home.status, 200);
    assert!(!other_home.text.contains(&title));
    assert_eq!(stack.page(&other_host, &format!("/products/{slug}")).await.status, 404);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_duplicated_import_delivery_publishes_one_product() {
    let stack = Stack::connect().await;
    let (merchant, store, tenant, _) = new_store(&stack, "Duplicate E2E").await;
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
        (!with_source_id(&stack.products(&merchant, &store).await, &product_id).is_empty()).then_some(())
    })
    .await;
    // Give the second delivery time to be handled, then count.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(with_source_id(&stack.products(&merchant, &store).await, &product_id).len(), 1);

    // Even a different message for the same supplier product cannot make a second product.
    let again = import_body(&store, &tenant, &unique("another-key"), &product_id, "Duplicate Delivery Brush");
    stack.send_import(&again).await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(with_source_id(&stack.products(&merchant, &store).await, &product_id).len(), 1);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_malformed_message_is_dead_lettered_while_the_rest_of_its_batch_succeeds() {
    let stack = Stack::connect().await;
    let (merchant, store, tenant, _) = new_store(&stack, "Malformed E2E").await;
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
        (!with_source_id(&stack.products(&merchant, &store).await, &product_id).is_empty()).then_some(())
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
    let merchant = stack.sign_up().await;
    let bad = stack.create_store(&merchant, "UPPER case", "x").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json["field"], "slug");
    assert_eq!(bad.json["code"], "invalid_field");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn another_tenants_tokens_see_and_change_nothing_of_a_store() {
    let stack = Stack::connect().await;
    let (owner, store, _, _) = new_store(&stack, "Victim Goods E2E").await;
    let run = stack.start_research(&owner, &store).await;
    let run_id = run.json["id"].as_str().unwrap().to_owned();
    let attacker = stack.sign_up().await;

    let mut attempts = 0;
    for path in [
        format!("/v1/stores/{store}"),
        format!("/v1/stores/{store}/products"),
        format!("/v1/stores/{store}/research-runs/{run_id}"),
    ] {
        let answer = stack.get(&path, &attacker.access).await;
        attempts += 1;
        assert_eq!(answer.status, 404, "{path}: {}", answer.text);
        assert!(!answer.text.contains("Victim Goods"), "{path} disclosed the store");
    }
    let research = stack.start_research(&attacker, &store).await;
    attempts += 1;
    assert_eq!(research.status, 404, "{}", research.text);
    let product = stack
        .post_json(
            &format!("/v1/stores/{store}/products"),
            Some(&owner.access),
            &json!({ "title": "Secret Lamp", "price_minor": 1999 }),
        )
        .await;
    let product_id = product.json["id"].as_str().unwrap().to_owned();
    for (method, path, body) in [
        (reqwest::Method::PATCH, format!("/v1/stores/{store}"), Some(json!({ "name": "Pwned" }))),
        (reqwest::Method::POST, format!("/v1/stores/{store}/suspend"), None),
        (reqwest::Method::DELETE, format!("/v1/stores/{store}"), None),
        (
            reqwest::Method::POST,
            format!("/v1/stores/{store}/products"),
            Some(json!({ "title": "Planted", "price_minor": 100 })),
        ),
        (reqwest::Method::GET, format!("/v1/stores/{store}/products/{product_id}"), None),
        (
            reqwest::Method::PATCH,
            format!("/v1/stores/{store}/products/{product_id}"),
            Some(json!({ "price_minor": 1 })),
        ),
        (reqwest::Method::DELETE, format!("/v1/stores/{store}/products/{product_id}"), None),
    ] {
        let answer = stack.send(method.clone(), &path, &attacker.access, body.as_ref()).await;
        attempts += 1;
        assert_eq!(answer.status, 404, "{method} {path}: {}", answer.text);
        assert!(!answer.text.contains("Secret Lamp") && !answer.text.contains("Victim Goods"));
    }
    let untouched = stack.get(&format!("/v1/stores/{store}/products/{product_id}"), &owner.access).await;
    assert_eq!(untouched.json["price_minor"], 1999);
    assert_eq!(stack.get(&format!("/v1/stores/{store}"), &owner.access).await.json["status"], "active");

    // Tokens that are not the platform's own: none, garbage, alg none, edited claims.
    let payload = owner.access.split('.').nth(1).unwrap().to_owned();
    let forged = [
        "garbage".to_owned(),
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}."),
        format!(
            "{}.{}.{}",
            attacker.access.split('.').next().unwrap(),
            payload,
            attacker.access.split('.').nth(2).unwrap()
        ),
    ];
    for token in &forged {
        let answer = stack.get(&format!("/v1/stores/{store}"), token).await;
        attempts += 1;
        assert_eq!(answer.status, 401, "{token}: {}", answer.text);
    }
    let none = stack.http.get(format!("{}/v1/stores/{store}", stack.edge)).send().await.unwrap();
    attempts += 1;
    assert_eq!(none.status(), 401);
    println!("isolation: {attempts} hostile attempts refused");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_reused_refresh_token_revokes_its_whole_session() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;

    let rotated =
        stack.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": merchant.refresh })).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let next = rotated.json["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(next, merchant.refresh);

    let reused =
        stack.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": merchant.refresh })).await;
    assert_eq!(reused.status, 401);
    assert_eq!(reused.json["code"], "refresh_token_reused");
    let after = stack.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": next })).await;
    assert_eq!(after.status, 401, "the family is revoked: {}", after.text);

    let wrong = stack
        .post_json(
            "/v1/auth/login",
            None,
            &json!({ "email": merchant.email, "password": "not the password" }),
        )
        .await;
    assert_eq!(wrong.status, 401);
    let login = stack
        .post_json("/v1/auth/login", None, &json!({ "email": merchant.email, "password": merchant.password }))
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let access = login.json["access_token"].as_str().unwrap();
    let sessions = stack.get("/v1/auth/sessions", access).await;
    assert_eq!(
        sessions.json["sessions"].as_array().unwrap().len(),
        1,
        "only the new login is live: {}",
        sessions.text
    );

    let logout = stack.post_json("/v1/auth/logout", Some(access), &Value::Null).await;
    assert_eq!(logout.status, 204);
    let refresh = login.json["refresh_token"].as_str().unwrap();
    let refused = stack.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": refresh })).await;
    assert_eq!(refused.status, 401);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_merchant_edits_the_catalog_and_shoppers_see_each_change() {
    let stack = Stack::connect().await;
    let (merchant, store, _, host) = new_store(&stack, "Catalog E2E").await;
    let products = format!("/v1/stores/{store}/products");

    let bad = stack
        .post_json(&products, Some(&merchant.access), &json!({ "title": "Lamp", "price_minor": 0 }))
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json["field"], "price_minor");

    let created = stack
        .post_json(
            &products,
            Some(&merchant.access),
            &json!({ "title": "Moon Night Lamp", "price_minor": 2499, "description": ["Soft light."] }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["status"], "draft");
    let id = created.json["id"].as_str().unwrap().to_owned();
    let slug = created.json["slug"].as_str().unwrap().to_owned();
    assert!(!stack.page(&host, "/").await.text.contains("Moon Night Lamp"), "drafts stay hidden");

    let item = format!("{products}/{id}");
    let published = stack
        .send(reqwest::Method::PATCH, &item, &merchant.access, Some(&json!({ "status": "published" })))
        .await;
    assert_eq!(published.status, 200, "{}", published.text);
    eventually("the published product on the storefront", Duration::from_secs(30), || async {
        stack.page(&host, "/").await.text.contains("Moon Night Lamp").then_some(())
    })
    .await;

    stack.send(reqwest::Method::PATCH, &item, &merchant.access, Some(&json!({ "price_minor": 1999 }))).await;
    eventually("the new price on the product page", Duration::from_secs(30), || async {
        stack.page(&host, &format!("/products/{slug}")).await.text.contains("$19.99").then_some(())
    })
    .await;

    let filtered = stack.get(&format!("{products}?status=published&q=moon"), &merchant.access).await;
    assert_eq!(filtered.json["products"].as_array().unwrap().len(), 1);

    let suspended =
        stack.post_json(&format!("/v1/stores/{store}/suspend"), Some(&merchant.access), &Value::Null).await;
    assert_eq!(suspended.json["status"], "suspended");
    eventually("the suspended store to answer 503", Duration::from_secs(30), || async {
        (stack.page(&host, "/").await.status == 503).then_some(())
    })
    .await;
    stack.post_json(&format!("/v1/stores/{store}/resume"), Some(&merchant.access), &Value::Null).await;
    eventually("the resumed store to answer 200", Duration::from_secs(30), || async {
        (stack.page(&host, "/").await.status == 200).then_some(())
    })
    .await;

    assert_eq!(stack.send(reqwest::Method::DELETE, &item, &merchant.access, None).await.status, 204);
    eventually("the deleted product to be gone", Duration::from_secs(30), || async {
        (stack.page(&host, &format!("/products/{slug}")).await.status == 404).then_some(())
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_bulk_import_keeps_good_rows_and_reports_bad_ones_by_line_and_field() {
    let stack = Stack::connect().await;
    let (merchant, store, _, _) = new_store(&stack, "Import E2E").await;
    let csv = "title,price_minor,status,features\n\
               Bamboo Brush,1299,published,Soft|Sturdy\n\
               Broken Row,free,published,\n\
               Cedar Comb,899,draft,\n\
               ,500,draft,\n";
    let response = stack
        .http
        .post(format!("{}/v1/stores/{store}/products/import", stack.edge))
        .bearer_auth(&merchant.access)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(report["failed"], 2, "{report}");
    assert_eq!(report["errors"][0]["line"], 3);
    assert_eq!(report["errors"][0]["field"], "price_minor");
    assert_eq!(report["errors"][1]["line"], 5);
    assert_eq!(report["errors"][1]["field"], "title");

    let products = stack.products(&merchant, &store).await;
    let titles: Vec<&str> = products.iter().filter_map(|p| p["title"].as_str()).collect();
    assert_eq!(titles.len(), 2, "only the good rows were written: {titles:?}");
    assert!(titles.contains(&"Bamboo Brush") && titles.contains(&"Cedar Comb"));

    let json_import = stack
        .post_json(
            &format!("/v1/stores/{store}/products/import"),
            Some(&merchant.access),
            &json!({ "products": [{ "title": "Oak Bowl", "price_minor": 1500 }, { "title": "Bad", "price_minor": 100, "colour": "red" }] }),
        )
        .await;
    assert_eq!(json_import.json["imported"], 1, "{}", json_import.text);
    assert_eq!(json_import.json["errors"][0]["line"], 2);
    assert!(json_import.json["errors"][0]["message"].as_str().unwrap().contains("colour"));
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_merchant_verifies_the_email_and_resets_a_forgotten_password_from_the_mails() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;

    let verification = stack.mail_to(&merchant.email, "verify-email?token=").await;
    let token = token_in(&verification);
    let verified =
        stack.http.get(format!("{}/v1/auth/verify-email?token={token}", stack.edge)).send().await.unwrap();
    assert_eq!(verified.status(), 200);
    let again =
        stack.http.get(format!("{}/v1/auth/verify-email?token={token}", stack.edge)).send().await.unwrap();
    assert_eq!(again.status(), 400, "a verification link works once");

    let unknown = stack
        .post_json("/v1/auth/password-reset", None, &json!({ "email": "nobody-here@example.com" }))
        .await;
    assert_eq!(unknown.status, 202, "the answer does not tell whether an account exists");
    let asked = stack.post_json("/v1/auth/password-reset", None, &json!({ "email": merchant.email })).await;
    assert_eq!(asked.status, 202);
    let mail = stack.mail_to(&merchant.email, "reset-password?token=").await;
    let token = token_in(&mail);
    let confirm = "/v1/auth/password-reset/confirm";
    let weak = stack.post_json(confirm, None, &json!({ "token": token, "password": "short" })).await;
    assert_eq!(weak.status, 400, "{}", weak.text);
    assert_eq!(weak.json["field"], "password");
    let new_password = format!("brand new {}", unique("pass"));
    let changed = stack.post_json(confirm, None, &json!({ "token": token, "password": new_password })).await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    let replayed = stack.post_json(confirm, None, &json!({ "token": token, "password": new_password })).await;
    assert_eq!(replayed.status, 400, "a reset link works once");

    let old_session =
        stack.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": merchant.refresh })).await;
    assert_eq!(old_session.status, 401, "a reset signs out every session");
    let old_password = stack
        .post_json("/v1/auth/login", None, &json!({ "email": merchant.email, "password": merchant.password }))
        .await;
    assert_eq!(old_password.status, 401);
    let login = stack
        .post_json("/v1/auth/login", None, &json!({ "email": merchant.email, "password": new_password }))
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn api_keys_follow_their_scope_and_plan_and_every_write_is_audited() {
    let stack = Stack::connect().await;
    let (owner, store, _, _) = new_store(&stack, "Keys E2E").await;
    let keys = "/v1/api-keys";

    let starter = stack.post_json(keys, Some(&owner.access), &json!({ "name": "ci", "scope": "read" })).await;
    assert_eq!(starter.status, 403, "{}", starter.text);
    assert_eq!(starter.json["code"], "plan_limit");
    stack.set_plan(&owner, "pro").await;

    let read =
        stack.post_json(keys, Some(&owner.access), &json!({ "name": "reporting", "scope": "read" })).await;
    assert_eq!(read.status, 201, "{}", read.text);
    let read_key = read.json["key"].as_str().unwrap().to_owned();
    assert!(read_key.starts_with("dsk_"));
    let write =
        stack.post_json(keys, Some(&owner.access), &json!({ "name": "sync", "scope": "write" })).await;
    let write_key = write.json["key"].as_str().unwrap().to_owned();
    let listed = stack.get(keys, &owner.access).await;
    assert!(!listed.text.contains(&read_key), "keys are shown once, never listed");

    assert_eq!(stack.get(&format!("/v1/stores/{store}"), &read_key).await.status, 200);
    let products = format!("/v1/stores/{store}/products");
    let denied = stack
        .post_json(&products, Some(&read_key), &json!({ "title": "Key Lamp", "price_minor": 900 }))
        .await;
    assert_eq!(denied.status, 403, "a read key cannot write");
    let created = stack
        .post_json(&products, Some(&write_key), &json!({ "title": "Key Lamp", "price_minor": 900 }))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        stack.send(reqwest::Method::DELETE, &format!("/v1/stores/{store}"), &write_key, None).await.status,
        403
    );
    let minted =
        stack.post_json(keys, Some(&write_key), &json!({ "name": "escalate", "scope": "write" })).await;
    assert_eq!(minted.status, 403, "a key cannot mint keys");

    let (_, other_store, _, _) = new_store(&stack, "Other Keys E2E").await;
    assert_eq!(stack.get(&format!("/v1/stores/{other_store}"), &write_key).await.status, 404);

    let read_id = read.json["id"].as_str().unwrap();
    assert_eq!(
        stack.send(reqwest::Method::DELETE, &format!("{keys}/{read_id}"), &owner.access, None).await.status,
        204
    );
    assert_eq!(
        stack.get(&format!("/v1/stores/{store}"), &read_key).await.status,
        401,
        "a revoked key stops working"
    );

    let log = stack.get("/v1/audit-log", &owner.access).await;
    assert_eq!(log.status, 200, "{}", log.text);
    let actions: Vec<&str> =
        log.json["entries"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in ["account.signup", "store.create", "product.create", "api_key.create", "api_key.revoke"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    assert_eq!(stack.get("/v1/audit-log", &write_key).await.status, 403, "only owners read the audit log");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_custom_domain_serves_its_store_once_a_txt_record_proves_ownership() {
    let stack = Stack::connect().await;
    let (owner, store, _, _) = new_store(&stack, "Domain Owner E2E").await;
    let domains = format!("/v1/stores/{store}/domains");
    let host = format!("{}.example.test", unique("shop"));

    let starter = stack.post_json(&domains, Some(&owner.access), &json!({ "host": host })).await;
    assert_eq!(starter.status, 403, "{}", starter.text);
    assert!(
        starter.json["detail"].as_str().unwrap().contains("growth"),
        "the refusal names the plan that lifts it"
    );
    stack.set_plan(&owner, "growth").await;

    let added = stack.post_json(&domains, Some(&owner.access), &json!({ "host": host })).await;
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.json["status"], "pending");
    let txt_name = added.json["txt_name"].as_str().unwrap().to_owned();
    let txt_value = added.json["txt_value"].as_str().unwrap().to_owned();
    assert_eq!(stack.page(&host, "/").await.status, 404, "an unverified domain serves nothing");

    let verify = format!("{domains}/{host}/verify");
    let early = stack.post_json(&verify, Some(&owner.access), &Value::Null).await;
    assert_eq!(early.status, 409, "{}", early.text);
    assert_eq!(early.json["code"], "verification_failed");

    publish_txt(&txt_name, &txt_value);
    let verified = stack.post_json(&verify, Some(&owner.access), &Value::Null).await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.json["status"], "active");
    // Cloudflare (its API stand-in) got the custom hostname that serves the shop in production.
    let hostnames = || async {
        let all: Value =
            reqwest::get("http://127.0.0.1:8430/_test/custom_hostnames").await.unwrap().json().await.unwrap();
        all.as_array().unwrap().iter().filter(|h| h["hostname"] == host.as_str()).count()
    };
    assert_eq!(hostnames().await, 1, "one custom hostname for the verified domain");
    eventually("the custom domain to serve the store", Duration::from_secs(30), || async {
        let page = stack.page(&host, "/").await;
        (page.status == 200 && page.text.contains("Domain Owner E2E")).then_some(())
    })
    .await;

    let (rival, rival_store, _, _) = new_store(&stack, "Rival E2E").await;
    stack.set_plan(&rival, "growth").await;
    let taken = stack
        .post_json(
            &format!("/v1/stores/{rival_store}/domains"),
            Some(&rival.access),
            &json!({ "host": host }),
        )
        .await;
    assert_eq!(taken.status, 409, "a host belongs to one store only: {}", taken.text);
    let hijack = stack.post_json(&verify, Some(&rival.access), &Value::Null).await;
    assert_eq!(hijack.status, 404);

    let removed =
        stack.send(reqwest::Method::DELETE, &format!("{domains}/{host}"), &owner.access, None).await;
    assert_eq!(removed.status, 204);
    assert_eq!(hostnames().await, 0, "the custom hostname goes with the domain");
    eventually("the removed domain to stop serving", Duration::from_secs(30), || async {
        (stack.page(&host, "/").await.status == 404).then_some(())
    })
    .await;
}

/// Runs the domain-recheck schedule's sweep for the tick at `at`, as EventBridge Scheduler would.
async fn domain_recheck(stack: &Stack, at: time::OffsetDateTime) -> Value {
    let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
    let answer = stack
        .http
        .post("http://127.0.0.1:9000/2015-03-31/functions/sweep/invocations")
        .json(&json!({ "job": "domain_recheck", "at": at }))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "the domain-recheck sweep ran");
    answer.json().await.unwrap()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_verified_domain_whose_txt_record_stays_gone_for_three_days_is_released() {
    let stack = Stack::connect().await;
    let (owner, store, _, _) = new_store(&stack, "Lapsed Domain E2E").await;
    stack.set_plan(&owner, "growth").await;
    let domains = format!("/v1/stores/{store}/domains");
    let host = format!("{}.example.test", unique("gone"));
    let added = stack.post_json(&domains, Some(&owner.access), &json!({ "host": host })).await;
    assert_eq!(added.status, 201, "{}", added.text);
    let txt_name = added.json["txt_name"].as_str().unwrap().to_owned();
    let txt_value = added.json["txt_value"].as_str().unwrap().to_owned();
    publish_txt(&txt_name, &txt_value);
    let verified =
        stack.post_json(&format!("{domains}/{host}/verify"), Some(&owner.access), &Value::Null).await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.json["txt_value"], txt_value.as_str(), "the record to keep is still shown");
    eventually("the custom domain to serve the store", Duration::from_secs(30), || async {
        (stack.page(&host, "/").await.status == 200).then_some(())
    })
    .await;
    let listed = || async {
        let all = stack.get(&domains, &owner.access).await.json;
        all["domains"].as_array().and_then(|d| d.iter().find(|d| d["host"] == host.as_str()).cloned())
    };
    let now = time::OffsetDateTime::now_utc();

    // A day on, the record is there: nothing changes.
    domain_recheck(&stack, now + time::Duration::hours(25)).await;
    assert_eq!(listed().await.expect("still the store's")["record_missing_since"], Value::Null);

    // The merchant lets the record go: the next check dates it, and the domain still serves.
    publish_txt(&txt_name, "dropship-verify=someone-else");
    let missed = now + time::Duration::hours(50);
    domain_recheck(&stack, missed).await;
    let domain = listed().await.expect("kept while the record is missing");
    assert!(domain["record_missing_since"].is_string(), "{domain}");
    assert_eq!(stack.page(&host, "/").await.status, 200);

    // Three days of checks later it is released: unrouted, its Cloudflare hostname gone.
    let swept = domain_recheck(&stack, missed + time::Duration::days(3) + time::Duration::hours(1)).await;
    assert!(swept["released"].as_u64().unwrap() >= 1, "{swept}");
    assert!(listed().await.is_none(), "released");
    let hostnames: Value =
        reqwest::get("http://127.0.0.1:8430/_test/custom_hostnames").await.unwrap().json().await.unwrap();
    assert!(!hostnames.as_array().unwrap().iter().any(|h| h["hostname"] == host.as_str()), "{hostnames}");
    eventually("the released domain to stop serving", Duration::from_secs(30), || async {
        (stack.page(&host, "/").await.status == 404).then_some(())
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn an_owner_invites_a_team_whose_roles_bound_what_each_can_do() {
    let stack = Stack::connect().await;
    let (owner, store, _, _) = new_store(&stack, "Team E2E").await;

    let staff_email = format!("{}@example.com", unique("staff"));
    let invited = stack
        .post_json(
            "/v1/members/invitations",
            Some(&owner.access),
            &json!({ "email": staff_email, "role": "staff" }),
        )
        .await;
    assert_eq!(invited.status, 202, "{}", invited.text);
    let token = token_in(&stack.mail_to(&staff_email, "accept-invitation?token=").await);
    let staff_password = format!("staff pass {}", unique("p"));
    let joined = stack
        .post_json("/v1/invitations/accept", None, &json!({ "token": token, "password": staff_password }))
        .await;
    assert_eq!(joined.status, 200, "{}", joined.text);
    assert_eq!(joined.json["role"], "staff");
    assert_eq!(joined.json["tenant_id"].as_str(), Some(owner.tenant_id.as_str()));
    let staff = joined.json["access_token"].as_str().unwrap().to_owned();
    let staff_refresh = joined.json["refresh_token"].as_str().unwrap().to_owned();
    let again = stack
        .post_json("/v1/invitations/accept", None, &json!({ "token": token, "password": staff_password }))
        .await;
    assert_eq!(again.status, 400, "an invitation is accepted once");

    let products = format!("/v1/stores/{store}/products");
    assert_eq!(
        stack
            .post_json(&products, Some(&staff), &json!({ "title": "Staff Lamp", "price_minor": 1500 }))
            .await
            .status,
        201
    );
    assert_eq!(
        stack.send(reqwest::Method::DELETE, &format!("/v1/stores/{store}"), &staff, None).await.status,
        403
    );
    assert_eq!(stack.get("/v1/members", &staff).await.status, 403);

    // An existing account joins as viewer with its own password.
    let viewer_account = stack.sign_up().await;
    stack
        .post_json(
            "/v1/members/invitations",
            Some(&owner.access),
            &json!({ "email": viewer_account.email, "role": "viewer" }),
        )
        .await;
    let token = token_in(&stack.mail_to(&viewer_account.email, "accept-invitation?token=").await);
    let wrong = stack
        .post_json("/v1/invitations/accept", None, &json!({ "token": token, "password": "someone else's" }))
        .await;
    assert_eq!(wrong.status, 401);
    let viewer = stack
        .post_json(
            "/v1/invitations/accept",
            None,
            &json!({ "token": token, "password": viewer_account.password }),
        )
        .await;
    assert_eq!(viewer.json["role"], "viewer", "{}", viewer.text);
    let viewer = viewer.json["access_token"].as_str().unwrap().to_owned();
    assert_eq!(stack.get(&format!("/v1/stores/{store}"), &viewer).await.status, 200);
    assert_eq!(
        stack
            .post_json(&products, Some(&viewer), &json!({ "title": "Viewer Lamp", "price_minor": 1500 }))
            .await
            .status,
        403
    );

    let members = stack.get("/v1/members", &owner.access).await;
    let list = members.json["members"].as_array().unwrap();
    assert_eq!(list.len(), 3, "{}", members.text);
    let staff_id =
        list.iter().find(|m| m["email"] == staff_email).unwrap()["user_id"].as_str().unwrap().to_owned();
    let owner_id =
        list.iter().find(|m| m["role"] == "owner").unwrap()["user_id"].as_str().unwrap().to_owned();
    let last_owner =
        stack.send(reqwest::Method::DELETE, &format!("/v1/members/{owner_id}"), &owner.access, None).await;
    assert_eq!(last_owner.status, 409, "{}", last_owner.text);
    let same_role = stack
        .send(
            reqwest::Method::PATCH,
            &format!("/v1/members/{owner_id}"),
            &owner.access,
            Some(&json!({ "role": "owner" })),
        )
        .await;
    assert_eq!(same_role.status, 204, "{}", same_role.text);
    let still_in =
        stack.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": owner.refresh })).await;
    assert_eq!(
        still_in.status, 200,
        "giving the owner the role they have keeps them signed in: {}",
        still_in.text
    );

    assert_eq!(
        stack
            .send(reqwest::Method::DELETE, &format!("/v1/members/{staff_id}"), &owner.access, None)
            .await
            .status,
        204
    );
    let refresh = stack.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": staff_refresh })).await;
    assert_eq!(refresh.status, 401, "a removed member is signed out");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_merchant_subscribes_changes_plan_within_limits_and_cancels() {
    let stack = Stack::connect().await;
    let (owner, store, _, _) = new_store(&stack, "Billing E2E").await;
    let plan = || async { stack.get("/v1/billing", &owner.access).await.json };

    let checkout =
        stack.post_json("/v1/billing/checkout", Some(&owner.access), &json!({ "plan": "pro" })).await;
    assert_eq!(checkout.status, 201, "{}", checkout.text);
    let pay_url = checkout.json["checkout_url"].as_str().unwrap().to_owned();
    assert!(pay_url.starts_with("http://127.0.0.1:8420/pay/"), "{pay_url}");
    let no_redirects =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let paid = no_redirects
        .post(&pay_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("card=4242424242424242")
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303, "the stand-in took the payment");
    let billing = eventually("the pro plan to apply", Duration::from_secs(30), || async {
        let billing = plan().await;
        (billing["plan"] == "pro").then_some(billing)
    })
    .await;
    assert_eq!(
        billing["subscription_status"], "trialing",
        "the first subscription starts with a trial: {billing}"
    );

    // An old event arriving late changes nothing.
    let stale = json!({
        "type": "customer.subscription.updated",
        "created": 1_000_000_000,
        "object": { "id": "sub_stale", "object": "subscription", "status": "active",
                    "metadata": { "tenant_id": owner.tenant_id },
                    "items": { "data": [{ "price": { "id": "price_dropship_growth" } }] } }
    });
    let delivered = stack.http.post("http://127.0.0.1:8420/_test/deliver").json(&stale).send().await.unwrap();
    assert!(delivered.status().is_success());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(plan().await["plan"], "pro", "an out-of-order event must not downgrade");

    // A downgrade the data would not fit is refused with the reason, and nothing is removed.
    let second = stack.create_store(&owner, &unique("e2e"), "Second Billing Store").await;
    assert_eq!(second.status, 201, "{}", second.text);
    let blocked =
        stack.post_json("/v1/billing/plan", Some(&owner.access), &json!({ "plan": "starter" })).await;
    assert_eq!(blocked.status, 409, "{}", blocked.text);
    assert_eq!(blocked.json["code"], "downgrade_blocked");
    assert!(blocked.json["detail"].as_str().unwrap().contains("2 stores"));
    assert_eq!(stack.get(&format!("/v1/stores/{store}"), &owner.access).await.status, 200);

    let growth = stack.post_json("/v1/billing/plan", Some(&owner.access), &json!({ "plan": "growth" })).await;
    assert_eq!(growth.status, 202, "{}", growth.text);
    eventually("the growth plan to apply", Duration::from_secs(30), || async {
        (plan().await["plan"] == "growth").then_some(())
    })
    .await;

    let second_id = second.json["id"].as_str().unwrap();
    stack.send(reqwest::Method::DELETE, &format!("/v1/stores/{second_id}"), &owner.access, None).await;
    let cancel =
        stack.post_json("/v1/billing/plan", Some(&owner.access), &json!({ "plan": "starter" })).await;
    assert_eq!(cancel.status, 202, "{}", cancel.text);
    eventually("the cancellation to apply", Duration::from_secs(30), || async {
        (plan().await["subscription_status"] == "canceled").then_some(())
    })
    .await;
    let paused = stack.start_research(&owner, &store).await;
    assert_eq!(paused.status, 402, "research pauses with the subscription: {}", paused.text);

    let unsigned =
        stack.http.post(format!("{}/v1/billing/webhook", stack.edge)).body("{}").send().await.unwrap();
    assert_eq!(unsigned.status(), 400, "unsigned webhooks are refused");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn an_owner_downloads_everything_the_tenant_owns_and_nothing_of_others() {
    let stack = Stack::connect().await;
    let (owner, store, _, _) = new_store(&stack, "Export E2E").await;
    let products = format!("/v1/stores/{store}/products");
    stack
        .post_json(&products, Some(&owner.access), &json!({ "title": "Exported Lamp", "price_minor": 2100 }))
        .await;
    let (other, other_store, _, _) = new_store(&stack, "Not Exported E2E").await;
    stack
        .post_json(
            &format!("/v1/stores/{other_store}/products"),
            Some(&other.access),
            &json!({ "title": "Foreign Lamp", "price_minor": 900 }),
        )
        .await;

    let response = stack
        .http
        .get(format!("{}/v1/gdpr/export", stack.edge))
        .bearer_auth(&owner.access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let text = response.text().await.unwrap();
    let archive: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(archive["format"], "dropship-export/1");
    assert_eq!(archive["members"][0]["email"], owner.email.as_str());
    assert_eq!(archive["stores"][0]["store"]["name"], "Export E2E");
    assert!(text.contains("Exported Lamp"));
    assert!(
        !text.contains("Foreign Lamp") && !text.contains("Not Exported E2E"),
        "another tenant's data leaked"
    );
    assert!(!text.contains("password_hash") && !text.contains("key_hash") && !text.contains("$argon2id"));
    let log = stack.get("/v1/audit-log", &owner.access).await;
    assert!(log.text.contains("gdpr.export"));
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn password_guessing_on_one_account_is_rate_limited() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    // The limiter counts in fixed one-minute windows: start at the beginning of one, so that the
    // guesses and the last login fall in the same window even on a busy machine.
    let minute = |at: std::time::SystemTime| at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 60;
    let into_window =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() % 60;
    if into_window > 2 {
        tokio::time::sleep(Duration::from_secs(61 - into_window)).await;
    }
    let window = minute(std::time::SystemTime::now());
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let guess = stack
            .http
            .post(format!("{}/v1/auth/login", stack.edge))
            .header("cf-connecting-ip", format!("203.0.113.{}", statuses.len() + 1))
            .json(&json!({ "email": merchant.email, "password": "a wrong guess here" }))
            .send()
            .await
            .unwrap();
        statuses.push(guess.status().as_u16());
    }
    assert!(statuses.iter().take(20).all(|s| *s == 401), "{statuses:?}");
    assert!(
        statuses.contains(&429),
        "guesses from many addresses are still limited per account: {statuses:?}"
    );
    let right = stack
        .post_json("/v1/auth/login", None, &json!({ "email": merchant.email, "password": merchant.password }))
        .await;
    assert_eq!(
        minute(std::time::SystemTime::now()),
        window,
        "the guesses took longer than the limiter's window"
    );
    assert_eq!(right.status, 429, "the limit holds for the account until the window passes");
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_body_over_the_largest_any_route_takes_is_refused_before_it_is_read() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    let created = stack.create_store(&merchant, &unique("e2e"), "Big Body E2E").await;
    let store = created.json["id"].as_str().unwrap().to_owned();
    // A CSV import one byte over 5 MiB, and a login of the same size: 413 with the problem's code.
    let body = format!("title,price_minor\n{}", "x".repeat(5 * 1024 * 1024));
    let import = stack
        .http
        .post(format!("{}/v1/stores/{store}/products/import", stack.edge))
        .bearer_auth(&merchant.access)
        .header("content-type", "text/csv")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), 413);
    let problem: Value = import.json().await.unwrap();
    assert_eq!(problem["code"], "body_too_large", "{problem}");
    let login = stack.http.post(format!("{}/v1/auth/login", stack.edge)).body(body).send().await.unwrap();
    assert_eq!(login.status(), 413);
}
