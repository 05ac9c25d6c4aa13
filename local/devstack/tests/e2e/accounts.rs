//! Accounts and tenants end to end: a tenant erased under GDPR leaves nothing behind, in D1, KV,
//! DynamoDB, S3 (every version) or Stripe; sign-out and session revocation stop access tokens at once; store settings.

use super::new_store;
use crate::helpers::{eventually, unique, Stack};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;
use std::time::Duration;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run through local/test.sh"))
}

async fn aws() -> (aws_sdk_dynamodb::Client, aws_sdk_s3::Client) {
    let config = aws_config::load_from_env().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build(),
    );
    (aws_sdk_dynamodb::Client::new(&config), s3)
}

/// A pipeline record and an image of the store, as the flows and the image import leave them.
async fn pipeline_traces(dynamo: &aws_sdk_dynamodb::Client, s3: &aws_sdk_s3::Client, store: &str) {
    dynamo
        .put_item()
        .table_name(env("TABLE_NAME"))
        .item("pk", AttributeValue::S(format!("flow#{store}#cart-e2e")))
        .item("sk", AttributeValue::S("abandoned_cart#1".into()))
        .send()
        .await
        .unwrap();
    s3.put_object()
        .bucket(env("BUCKET_NAME"))
        .key(format!("stores/{store}/media/lamp.webp"))
        .body(b"RIFF....WEBP".to_vec().into())
        .send()
        .await
        .unwrap();
}

async fn traces_left(
    dynamo: &aws_sdk_dynamodb::Client,
    s3: &aws_sdk_s3::Client,
    store: &str,
) -> (usize, usize) {
    // The erased mark (`erased#<id>`) stays on purpose: it makes consumers refuse the store's
    // queued messages.
    let items = dynamo
        .scan()
        .table_name(env("TABLE_NAME"))
        .filter_expression("(contains(pk, :s) OR contains(sk, :s)) AND NOT begins_with(pk, :mark)")
        .expression_attribute_values(":s", AttributeValue::S(store.to_owned()))
        .expression_attribute_values(":mark", AttributeValue::S("erased#".into()))
        .send()
        .await
        .unwrap();
    // Versions and delete markers: the bucket is versioned, so an object "deleted" without its
    // version id still holds its data.
    let objects = s3
        .list_object_versions()
        .bucket(env("BUCKET_NAME"))
        .prefix(format!("stores/{store}/"))
        .send()
        .await
        .unwrap();
    (items.items().len(), objects.versions().len() + objects.delete_markers().len())
}

/// The local Stripe stand-in (local/fixtures/stripe_server.py), which takes any `sk_` key.
const STRIPE: &str = "http://127.0.0.1:8420";
const STRIPE_KEY: &str = "sk_test_e2e";

/// A new customer at the Stripe stand-in.
async fn stripe_customer() -> String {
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{STRIPE}/v1/customers"))
        .bearer_auth(STRIPE_KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("description=erasure+e2e")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"].as_str().expect("the stand-in creates customers").to_owned()
}

/// What the Stripe stand-in answers for the customer: 200 while it exists, 404 once deleted.
async fn stripe_customer_status(stack: &Stack, customer: &str) -> u16 {
    let answer =
        stack.http.get(format!("{STRIPE}/v1/customers/{customer}")).bearer_auth(STRIPE_KEY).send().await;
    answer.unwrap().status().as_u16()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn an_erased_tenant_leaves_no_row_key_object_or_pipeline_record() {
    let stack = Stack::connect().await;
    let (dynamo, s3) = aws().await;
    let (owner, earlier, _, _) = new_store(&stack, "Erase Me E2E").await;
    // A store deleted before the erasure: its pipeline items and media are the tenant's too.
    pipeline_traces(&dynamo, &s3, &earlier).await;
    let deleted =
        stack.send(reqwest::Method::DELETE, &format!("/v1/stores/{earlier}"), &owner.access, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let created = stack.create_store(&owner, &crate::helpers::unique("e2e"), "Erase Me E2E").await;
    assert_eq!(created.status, 201, "{}", created.text);
    let store = created.json["id"].as_str().unwrap().to_owned();
    let host = created.json["host"].as_str().unwrap().to_owned();
    let created = stack
        .post_json(
            &format!("/v1/stores/{store}/products"),
            Some(&owner.access),
            &json!({ "title": "Doomed Lamp", "price_minor": 2100, "status": "published" }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    pipeline_traces(&dynamo, &s3, &store).await;
    let (other, other_store, _, other_host) = new_store(&stack, "Stays E2E").await;
    pipeline_traces(&dynamo, &s3, &other_store).await;
    assert_eq!(stack.page(&host, "/").await.status, 200);

    // The tenant became a Stripe customer when it subscribed, and its subscription has ended
    // since: the customer (name, address, cards) is still at Stripe.
    let customer = stripe_customer().await;
    for event in [
        json!({
            "type": "checkout.session.completed",
            "object": { "id": format!("cs_test_{}", crate::helpers::unique("erase")), "object": "checkout.session",
                        "client_reference_id": owner.tenant_id, "customer": customer,
                        "subscription": format!("sub_{}", crate::helpers::unique("erase")),
                        "metadata": { "tenant_id": owner.tenant_id, "plan": "growth" } }
        }),
        json!({
            "type": "customer.subscription.deleted",
            "object": { "id": "sub_gone", "object": "subscription", "status": "canceled",
                        "metadata": { "tenant_id": owner.tenant_id } }
        }),
    ] {
        let delivered = stack.http.post(format!("{STRIPE}/_test/deliver")).json(&event).send().await.unwrap();
        assert!(delivered.status().is_success(), "the Stripe stand-in delivers the event");
    }
    eventually("the subscription to end", Duration::from_secs(30), || async {
        (stack.get("/v1/billing", &owner.access).await.json["subscription_status"] == "canceled")
            .then_some(())
    })
    .await;
    assert_eq!(stripe_customer_status(&stack, &customer).await, 200);

    // Refused unless the owner proves it is them and names what goes.
    let wrong_password = stack
        .post_json(
            "/v1/gdpr/erasure",
            Some(&owner.access),
            &json!({ "password": "nope", "confirm": "E2E Goods" }),
        )
        .await;
    assert_eq!((wrong_password.status, wrong_password.json["field"].as_str()), (403, Some("password")));
    let wrong_name = stack
        .post_json(
            "/v1/gdpr/erasure",
            Some(&owner.access),
            &json!({ "password": owner.password, "confirm": "yes" }),
        )
        .await;
    assert_eq!((wrong_name.status, wrong_name.json["field"].as_str()), (400, Some("confirm")));
    assert_eq!(stack.page(&host, "/").await.status, 200, "a refused erasure erases nothing");

    let erased = stack
        .post_json(
            "/v1/gdpr/erasure",
            Some(&owner.access),
            &json!({ "password": owner.password, "confirm": "E2E Goods" }),
        )
        .await;
    assert_eq!(erased.status, 202, "{}", erased.text);
    assert!(erased.json["data_erased_at"].is_string(), "{}", erased.text);
    let id = erased.json["id"].as_str().unwrap().to_owned();

    // Stripe: the customer is deleted with the tenant.
    assert_eq!(stripe_customer_status(&stack, &customer).await, 404, "the Stripe customer is deleted");

    // D1 and KV: the account, its sessions, the store and its host are gone at once.
    assert_eq!(stack.get("/v1/stores", &owner.access).await.status, 401);
    let login = stack
        .post_json("/v1/auth/login", None, &json!({ "email": owner.email, "password": owner.password }))
        .await;
    assert_eq!(login.status, 401, "{}", login.text);
    let refresh = stack.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": owner.refresh })).await;
    assert_eq!(refresh.status, 401);
    eventually("the store's host stops serving", Duration::from_secs(15), || async {
        (stack.page(&host, "/").await.status == 404).then_some(())
    })
    .await;

    // The pipelines erase their part and confirm.
    let done = eventually("the pipelines confirm the erasure", Duration::from_secs(120), || async {
        let status = stack.http.get(format!("{}/v1/gdpr/erasures/{id}", stack.edge)).send().await.unwrap();
        let view: serde_json::Value = status.json().await.unwrap();
        (view["status"] == "completed").then_some(view)
    })
    .await;
    assert!(done["dynamodb_items"].as_i64().unwrap() >= 1, "{done}");
    assert!(done["s3_objects"].as_i64().unwrap() >= 1, "{done}");
    assert_eq!(traces_left(&dynamo, &s3, &store).await, (0, 0));
    assert_eq!(traces_left(&dynamo, &s3, &earlier).await, (0, 0), "the store deleted before is erased too");
    for erased in [&store, &earlier] {
        let mark = dynamo
            .get_item()
            .table_name(env("TABLE_NAME"))
            .key("pk", AttributeValue::S(format!("erased#{erased}")))
            .key("sk", AttributeValue::S("erased".into()))
            .send()
            .await
            .unwrap();
        assert!(mark.item().is_some(), "consumers are told {erased} is erased");
    }

    // The other tenant keeps everything.
    assert_eq!(traces_left(&dynamo, &s3, &other_store).await, (1, 1));
    assert_eq!(stack.page(&other_host, "/").await.status, 200);
    let theirs = stack.get("/v1/stores", &other.access).await;
    assert_eq!(theirs.json["stores"][0]["id"], other_store.as_str());
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn signing_out_or_revoking_a_session_stops_its_access_token_at_once() {
    let stack = Stack::connect().await;
    let merchant = stack.sign_up().await;
    assert_eq!(stack.get("/v1/stores", &merchant.access).await.status, 200);
    let logout = stack.post_json("/v1/auth/logout", Some(&merchant.access), &serde_json::Value::Null).await;
    assert_eq!(logout.status, 204);
    let after = stack.get("/v1/stores", &merchant.access).await;
    assert_eq!(after.status, 401, "a signed-out token still works: {}", after.text);

    let credentials = json!({ "email": merchant.email, "password": merchant.password });
    let laptop = stack.post_json("/v1/auth/login", None, &credentials).await;
    let phone = stack.post_json("/v1/auth/login", None, &credentials).await;
    assert_eq!((laptop.status, phone.status), (200, 200), "{} {}", laptop.text, phone.text);
    let laptop_token = laptop.json["access_token"].as_str().unwrap();
    let phone_token = phone.json["access_token"].as_str().unwrap();
    let sessions = stack.get("/v1/auth/sessions", laptop_token).await;
    let phone_session = sessions.json["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] != true)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .expect("the phone's session is listed");
    let revoked = stack
        .send(reqwest::Method::DELETE, &format!("/v1/auth/sessions/{phone_session}"), laptop_token, None)
        .await;
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    assert_eq!(stack.get("/v1/stores", phone_token).await.status, 401);
    assert_eq!(stack.get("/v1/stores", laptop_token).await.status, 200);
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_merchant_lists_its_stores_and_sets_their_look_and_thresholds() {
    let stack = Stack::connect().await;
    let (owner, store, _, _) = new_store(&stack, "Settings E2E").await;
    let (_, other_store, _, _) = new_store(&stack, "Someone Else E2E").await;
    let listed = stack.get("/v1/stores", &owner.access).await;
    let ids: Vec<&str> =
        listed.json["stores"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![store.as_str()], "only the tenant's own stores: {}", listed.text);
    assert_ne!(ids[0], other_store);

    let path = format!("/v1/stores/{store}");
    let patch = |body: serde_json::Value| {
        let (stack, path, token) = (&stack, path.clone(), owner.access.clone());
        async move { stack.send(reqwest::Method::PATCH, &path, &token, Some(&body)).await }
    };
    let bad_theme = patch(json!({ "theme": "neon" })).await;
    assert_eq!((bad_theme.status, bad_theme.json["field"].as_str()), (400, Some("theme")));
    let bad_colour = patch(json!({ "brand_color": "blue" })).await;
    assert_eq!((bad_colour.status, bad_colour.json["field"].as_str()), (400, Some("brand_color")));
    let crossed = patch(json!({ "import_threshold": 60, "watch_threshold": 70 })).await;
    // A rule across two fields, which the API document states in words: 422.
    assert_eq!((crossed.status, crossed.json["field"].as_str()), (422, Some("watch_threshold")));
    let bad_stock = patch(json!({ "out_of_stock": "hide" })).await;
    assert_eq!((bad_stock.status, bad_stock.json["field"].as_str()), (400, Some("out_of_stock")));
    assert_eq!(stack.get(&path, &owner.access).await.json["out_of_stock"], "unpublish", "the default");

    let set = patch(json!({
        "theme": "bold", "brand_color": "#AA3300", "logo_url": "https://cdn.example/logo.png",
        "target_market": "gb", "import_threshold": 85, "watch_threshold": 70, "out_of_stock": "zero"
    }))
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let read = stack.get(&path, &owner.access).await;
    for (field, value) in [
        ("theme", json!("bold")),
        ("brand_color", json!("#aa3300")),
        ("logo_url", json!("https://cdn.example/logo.png")),
        ("target_market", json!("GB")),
        ("import_threshold", json!(85)),
        ("watch_threshold", json!(70)),
        ("out_of_stock", json!("zero")),
    ] {
        assert_eq!(read.json[field], value, "{field}: {}", read.text);
    }
    let cleared = patch(json!({ "logo_url": null })).await;
    assert_eq!(cleared.json["logo_url"], serde_json::Value::Null, "{}", cleared.text);
    assert_eq!(cleared.json["theme"], "bold", "fields not sent keep their value");
}

/// Stripe (the stand-in) tells the edge the tenant's subscription changed to `status`, with the
/// Growth plan's price on it as Stripe always sends.
async fn subscription_now(stack: &Stack, owner: &crate::helpers::Merchant, status: &str) {
    let event = json!({
        "type": "customer.subscription.updated",
        "object": { "id": "sub_grace", "object": "subscription", "status": status,
                    "items": { "data": [ { "price": { "id": "price_dropship_growth" } } ] },
                    "metadata": { "tenant_id": owner.tenant_id } }
    });
    let delivered = stack.http.post(format!("{STRIPE}/_test/deliver")).json(&event).send().await.unwrap();
    assert!(delivered.status().is_success(), "the Stripe stand-in delivers the event");
    eventually(&format!("the subscription to be {status}"), Duration::from_secs(30), || async {
        (stack.get("/v1/billing", &owner.access).await.json["subscription_status"] == status).then_some(())
    })
    .await;
}

/// Runs the plan-lapse schedule's sweep for the tick at `at`, as EventBridge Scheduler would.
async fn lapse_sweep(stack: &Stack, at: time::OffsetDateTime) -> serde_json::Value {
    let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
    let answer = stack
        .http
        .post("http://127.0.0.1:9000/2015-03-31/functions/sweep/invocations")
        .json(&json!({ "job": "plan_lapse", "at": at }))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "the plan-lapse sweep ran");
    answer.json().await.unwrap()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn an_unpaid_plan_holds_through_its_grace_period_then_moves_to_starter_keeping_everything_until_paid() {
    let stack = Stack::connect().await;
    let (owner, store, _, _) = new_store(&stack, "Grace Period E2E").await;
    stack.set_plan(&owner, "growth").await;
    let product = stack
        .post_json(
            &format!("/v1/stores/{store}/products"),
            Some(&owner.access),
            &json!({ "title": "Kept Lamp", "price_minor": 2100, "status": "published" }),
        )
        .await;
    assert_eq!(product.status, 201, "{}", product.text);

    // The card is declined: the plan holds, and the owner is told until when.
    subscription_now(&stack, &owner, "past_due").await;
    let billing = stack.get("/v1/billing", &owner.access).await.json;
    assert_eq!(billing["plan"], "growth", "{billing}");
    let grace_ends = time::OffsetDateTime::parse(
        billing["grace_ends_at"].as_str().expect("a grace end while the payment is overdue"),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let hours = (grace_ends - time::OffsetDateTime::now_utc()).whole_hours();
    assert!((7 * 24 - 1..=7 * 24).contains(&hours), "seven days of grace, not {hours} h");
    let day = format!("{} {} {}", grace_ends.day(), grace_ends.month(), grace_ends.year());
    let mail = stack.mail_to(&owner.email, "did not go through").await;
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains(&format!("Your stores keep the Growth plan until {day}.")), "{text}");
    assert!(text.contains("http://localhost:8789/billing"), "the link to billing: {text}");

    // An hour before the grace ends the sweep moves nothing; an hour after, the tenant is on Starter.
    lapse_sweep(&stack, grace_ends - time::Duration::hours(1)).await;
    assert_eq!(stack.get("/v1/billing", &owner.access).await.json["plan"], "growth");
    let after = grace_ends + time::Duration::hours(1);
    let swept = lapse_sweep(&stack, after).await;
    assert!(swept["lapsed"].as_u64().unwrap() >= 1, "{swept}");
    let billing = stack.get("/v1/billing", &owner.access).await.json;
    assert_eq!((billing["plan"].as_str(), billing["limits"]["stores"].as_u64()), (Some("starter"), Some(1)));
    let mail = stack.mail_to(&owner.email, "moved to the Starter").await;
    assert!(mail["text"]
        .as_str()
        .unwrap()
        .contains("Once the payment goes through, the Growth plan comes back."));
    // The next tick (or a retried one) mails no one again, and nothing of the tenant's went.
    lapse_sweep(&stack, after + time::Duration::hours(1)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let lapsed_mails = crate::mail::inbox(&stack)
        .await
        .into_iter()
        .filter(|m| m["to"][0]["address"] == owner.email.as_str())
        .filter(|m| m["subject"].as_str().is_some_and(|s| s.contains("now on the Starter plan")))
        .count();
    assert_eq!(lapsed_mails, 1);
    let products = stack.products(&owner, &store).await;
    assert_eq!(products.len(), 1, "the products stay");
    // A Growth-plan event while still unpaid leaves it on Starter.
    subscription_now(&stack, &owner, "unpaid").await;
    assert_eq!(stack.get("/v1/billing", &owner.access).await.json["plan"], "starter");

    // Paid: Growth again, with no grace pending.
    subscription_now(&stack, &owner, "active").await;
    let billing = stack.get("/v1/billing", &owner.access).await.json;
    assert_eq!(
        (billing["plan"].as_str(), billing["grace_ends_at"].is_null()),
        (Some("growth"), true),
        "{billing}"
    );
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn invitation_and_reset_mails_stop_at_their_caps_per_address_and_per_team() {
    let stack = Stack::connect().await;
    let invite = |owner: &str, email: &str| {
        let body = json!({ "email": email, "role": "viewer" });
        let owner = owner.to_owned();
        let stack = &stack;
        async move { stack.post_json("/v1/members/invitations", Some(&owner), &body).await }
    };

    // One address gets three invitations a day, from every team together.
    let (first, second) = (stack.sign_up().await, stack.sign_up().await);
    let target = format!("{}@example.com", unique("invited"));
    for owner in [&first, &first, &second] {
        assert_eq!(invite(&owner.access, &target).await.status, 202);
    }
    let refused = invite(&second.access, &target).await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(
        (refused.json["code"].as_str(), refused.json["field"].as_str()),
        (Some("invitation_limit"), Some("email"))
    );
    eventually("three invitations in the inbox", Duration::from_secs(60), || async {
        (crate::mail::mails_to(&crate::mail::inbox(&stack).await, &target, "accept-invitation?token=").len()
            == 3)
            .then_some(())
    })
    .await;

    // One team sends twenty a day.
    let team = stack.sign_up().await;
    for n in 0..20 {
        let email = format!("{}@example.com", unique(&format!("teammate{n}")));
        assert_eq!(invite(&team.access, &email).await.status, 202);
    }
    let refused = invite(&team.access, &format!("{}@example.com", unique("one-more"))).await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(refused.json["field"], serde_json::Value::Null, "the team's cap names no field");

    // Reset links: three an hour per account, every request answered alike.
    let merchant = stack.sign_up().await;
    for _ in 0..4 {
        let asked =
            stack.post_json("/v1/auth/password-reset", None, &json!({ "email": merchant.email })).await;
        assert_eq!(asked.status, 202, "{}", asked.text);
    }
    let resets = || async {
        crate::mail::mails_to(&crate::mail::inbox(&stack).await, &merchant.email, "reset-password?token=")
            .len()
    };
    eventually("three reset mails", Duration::from_secs(60), || async {
        (resets().await == 3).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(resets().await, 3, "the fourth request mailed nothing");
}
