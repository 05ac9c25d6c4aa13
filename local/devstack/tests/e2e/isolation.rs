//! Isolation, attacked on every route the API documents: a hostile tenant (on the top plan, so no
//! plan limit refuses it first) puts the victim's ids (store, product, research run, domain, member,
//! session, and whatever ids later routes take) into every path of `edge/openapi.json`, with every
//! method, reading and writing. Each attempt must be refused as if the thing did not exist (404) or
//! was not the caller's to touch (403), disclose nothing of the victim, and change nothing.
//!
//! New routes join the attack by being documented, which the route-table test already demands.

use super::new_store;
use crate::helpers::{unique, Merchant, Stack};
use serde_json::{json, Value};

fn openapi() -> Value {
    let path = format!("{}/../../edge/openapi.json", std::env::var("CARGO_MANIFEST_DIR").unwrap());
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A valid body for the operation, built from its documented schema, so that each write passes
/// validation and reaches the ownership check (a route that checked ownership late would then
/// do something visible).
fn valid_body(spec: &Value, operation: &Value) -> Option<Value> {
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    (!schema.is_null()).then(|| example(spec, schema, ""))
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            resolve(spec, &spec["components"]["schemas"][name])
        }
        None => schema,
    }
}

fn example(spec: &Value, schema: &Value, name: &str) -> Value {
    let schema = resolve(spec, schema);
    if let Some(first) = schema["enum"].get(0) {
        return first.clone();
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return example(spec, &options[0], name);
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().find(|k| *k != "null").cloned().unwrap_or(Value::Null),
        kind => kind.clone(),
    };
    match kind.as_str().unwrap_or(if schema["properties"].is_object() { "object" } else { "string" }) {
        "object" => {
            let mut object = serde_json::Map::new();
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                object.insert(field.clone(), example(spec, property, field));
            }
            Value::Object(object)
        }
        "array" => json!([]),
        "integer" | "number" => json!(schema["minimum"].as_i64().unwrap_or(0).clamp(1, 100)),
        "boolean" => json!(true),
        _ => json!(match name {
            "slug" => unique("pwned"),
            "host" => format!("{}.example", unique("pwned")),
            "email" => "attacker@example.com".to_owned(),
            "currency" => "USD".to_owned(),
            "target_market" => "US".to_owned(),
            "brand_color" => "#ff0000".to_owned(),
            _ if schema["format"] == "uri" => "https://pwned.example/x".to_owned(),
            _ if schema["format"] == "date-time" => "2026-11-26T00:00:00Z".to_owned(),
            _ => "Pwned".to_owned(),
        }),
    }
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_hostile_tenant_gets_nothing_of_another_on_any_documented_route() {
    let stack = Stack::connect().await;

    // The victim, with one of everything the routes take an id of.
    let (victim, store, _, _) = new_store(&stack, "Victim Vault E2E").await;
    stack.set_plan(&victim, "pro").await;
    let product = stack
        .post_json(
            &format!("/v1/stores/{store}/products"),
            Some(&victim.access),
            &json!({ "title": "Crown Jewel Lamp", "price_minor": 4999, "status": "published" }),
        )
        .await;
    assert_eq!(product.status, 201, "{}", product.text);
    // The research run imports into the victim's catalog: let it finish before the snapshot.
    let run = crate::research::completed_run(&stack, &victim, &store).await;
    let imported = 1 + run["selected"].as_u64().unwrap_or(0) as usize;
    crate::helpers::eventually(
        "the victim's imports published",
        std::time::Duration::from_secs(180),
        || async { (stack.products(&victim, &store).await.len() >= imported).then_some(()) },
    )
    .await;
    let collection = stack
        .post_json(
            &format!("/v1/stores/{store}/collections"),
            Some(&victim.access),
            &json!({ "title": "Crown Collection", "product_ids": [product.json["id"]] }),
        )
        .await;
    assert_eq!(collection.status, 201, "{}", collection.text);
    let post = stack
        .post_json(
            &format!("/v1/stores/{store}/posts"),
            Some(&victim.access),
            &json!({ "title": "Crown Chronicles", "body_html": "<p>Vault.</p>", "status": "published" }),
        )
        .await;
    assert_eq!(post.status, 201, "{}", post.text);
    let watchlist = stack.get(&format!("/v1/stores/{store}/watchlist"), &victim.access).await;
    // A shopper's paid order in the victim's store.
    let victim_host = stack.get(&format!("/v1/stores/{store}"), &victim.access).await.json["host"]
        .as_str()
        .unwrap()
        .to_owned();
    let full = stack
        .get(&format!("/v1/stores/{store}/products/{}", product.json["id"].as_str().unwrap()), &victim.access)
        .await;
    crate::store::buy(&stack, &victim_host, &full.json, "crown.buyer@example.com").await;
    let order =
        crate::helpers::eventually("the victim's order", std::time::Duration::from_secs(60), || async {
            let orders = stack.get(&format!("/v1/stores/{store}/orders"), &victim.access).await;
            orders.json["orders"][0]["id"].as_str().map(str::to_owned)
        })
        .await;
    let host = format!("{}.example", unique("victim"));
    let domain = stack
        .post_json(&format!("/v1/stores/{store}/domains"), Some(&victim.access), &json!({ "host": host }))
        .await;
    assert_eq!(domain.status, 201, "{}", domain.text);
    let key = stack
        .post_json("/v1/api-keys", Some(&victim.access), &json!({ "name": "ci", "scope": "write" }))
        .await;
    let members = stack.get("/v1/members", &victim.access).await;
    let sessions = stack.get("/v1/auth/sessions", &victim.access).await;
    let mut ids: Vec<(&str, String)> = vec![
        ("store_id", store.clone()),
        ("product_id", product.json["id"].as_str().unwrap().to_owned()),
        ("run_id", run["id"].as_str().unwrap_or_default().to_owned()),
        ("collection_id", collection.json["id"].as_str().unwrap_or_default().to_owned()),
        ("post_id", post.json["id"].as_str().unwrap_or_default().to_owned()),
        ("item_id", watchlist.json["items"][0]["id"].as_str().unwrap_or_default().to_owned()),
        ("slug", "about".to_owned()),
        ("flow", "welcome".to_owned()),
        ("order_id", order),
        ("host", host.clone()),
        ("key_id", key.json["id"].as_str().unwrap_or_default().to_owned()),
        ("user_id", members.json["members"][0]["user_id"].as_str().unwrap_or_default().to_owned()),
        ("session_id", sessions.json["sessions"][0]["id"].as_str().unwrap_or_default().to_owned()),
    ];
    ids.retain(|(_, v)| !v.is_empty());
    let before = snapshot(&stack, &victim, &store).await;

    let attacker = stack.sign_up().await;
    stack.set_plan(&attacker, "pro").await;
    // The attacker's own store: routes that name no victim id act on the attacker's own data and
    // are not attacks; paths with an id are filled with the victim's.
    let attacker_key = stack
        .post_json("/v1/api-keys", Some(&attacker.access), &json!({ "name": "x", "scope": "write" }))
        .await;
    assert_eq!(attacker_key.status, 201, "{}", attacker_key.text);
    let attacker_key = attacker_key.json["key"].as_str().unwrap().to_owned();
    // And a store of the attacker's own, to put in front of the victim's product, order, post...
    // ids: owning the store must not open what is in another's.
    let own = stack.create_store(&attacker, &unique("attacker"), "Attacker Annex").await;
    assert_eq!(own.status, 201, "{}", own.text);
    let own_store = own.json["id"].as_str().unwrap().to_owned();
    let secrets = [
        "Victim Vault E2E",
        "Crown Jewel Lamp",
        "Crown Collection",
        "Crown Chronicles",
        "crown.buyer@example.com",
        victim.email.as_str(),
        host.as_str(),
    ];

    let spec = openapi();
    let mut attempts = 0;
    let mut routes = 0;
    let mut unknown_params = std::collections::BTreeSet::new();
    for (template, operations) in spec["paths"].as_object().unwrap() {
        if !template.contains('{') {
            continue;
        }
        for (method, operation) in operations.as_object().unwrap() {
            if operation.get("security").is_none() {
                continue; // public routes take capabilities (tokens, ids) of their own
            }
            let Some(path) = fill(template, &ids, None, &mut unknown_params) else { continue };
            let mut paths = vec![path];
            paths.extend(fill(template, &ids, Some(&own_store), &mut unknown_params));
            routes += 1;
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = valid_body(&spec, operation);
            for (path, token) in paths.iter().flat_map(|p| [(p, &attacker.access), (p, &attacker_key)]) {
                let answer = stack.send(method.clone(), path, token, body.as_ref()).await;
                attempts += 1;
                assert!(
                    answer.status == 404 || answer.status == 403,
                    "{method} {template} with the victim's ids answered {}: {}",
                    answer.status,
                    answer.text
                );
                for secret in secrets {
                    assert!(!answer.text.contains(secret), "{method} {template} disclosed {secret:?}");
                }
            }
        }
    }

    // Nothing changed: the victim's catalog, store, domain, key and session are as they were.
    assert_eq!(snapshot(&stack, &victim, &store).await, before, "the victim's content changed");
    let store_now = stack.get(&format!("/v1/stores/{store}"), &victim.access).await;
    assert_eq!(
        (store_now.json["name"].as_str(), store_now.json["status"].as_str()),
        (Some("Victim Vault E2E"), Some("active"))
    );
    let domains = stack.get(&format!("/v1/stores/{store}/domains"), &victim.access).await;
    assert!(domains.text.contains(&host), "{}", domains.text);
    let keys = stack.get("/v1/api-keys", &victim.access).await;
    let key_id = key.json["id"].as_str().unwrap();
    assert!(keys.json["api_keys"].as_array().unwrap().iter().any(|k| k["id"] == key_id), "{}", keys.text);
    assert_eq!(stack.get("/v1/members", &victim.access).await.json["members"][0]["role"], "owner");

    assert!(routes >= 20, "only {routes} routes take ids: is openapi.json read?");
    println!(
        "isolation: {attempts} hostile attempts on {routes} routes refused; params filled with random ids: {unknown_params:?}"
    );
}

/// Everything of the victim's store an attack could change, as the victim reads it.
async fn snapshot(stack: &Stack, victim: &Merchant, store: &str) -> Vec<String> {
    let mut views = Vec::new();
    for view in ["products?limit=200", "collections", "posts", "pages", "watchlist", "email/flows", "orders"]
    {
        let answer = stack.get(&format!("/v1/stores/{store}/{view}"), &victim.access).await;
        assert_eq!(answer.status, 200, "the victim reads {view}: {}", answer.text);
        let mut view = answer.json;
        // What each flow sent moves on its own (the order's mails); its settings must not.
        for flow in view["flows"].as_array_mut().into_iter().flatten() {
            flow.as_object_mut().unwrap().remove("sends");
        }
        views.push(view.to_string());
    }
    views
}

/// `template` with the victim's ids in it (random ones for names the victim has none of), or
/// `None` when it names none of the victim's. With `own_store`, the store is the attacker's and
/// only the other ids are the victim's (`None` when no other id is).
fn fill(
    template: &str,
    ids: &[(&str, String)],
    own_store: Option<&str>,
    unknown: &mut std::collections::BTreeSet<String>,
) -> Option<String> {
    let mut path = template.to_owned();
    let mut victim_id = false;
    while let Some(start) = path.find('{') {
        let end = path[start..].find('}').unwrap() + start;
        let name = path[start + 1..end].to_owned();
        let value = match (own_store, ids.iter().find(|(n, _)| *n == name)) {
            (Some(own), _) if name == "store_id" => own.to_owned(),
            (_, Some((_, v))) => {
                // A page's slug and a flow's name are names every store has, not the victim's.
                victim_id |= !matches!(name.as_str(), "slug" | "flow");
                v.clone()
            }
            (_, None) => {
                unknown.insert(name.clone());
                uuid::Uuid::new_v4().to_string()
            }
        };
        path.replace_range(start..=end, &value);
    }
    (victim_id && (own_store.is_none() || template.contains("{store_id}"))).then_some(path)
}
