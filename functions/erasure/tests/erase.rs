//! Erasure against moto's DynamoDB and S3: everything of the erased tenant goes, nothing of
//! another tenant does, and a repeated pass is harmless.

use aws_sdk_dynamodb::types::AttributeValue;
use erasure::Erasure;

fn id() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn put(dynamo: &aws_sdk_dynamodb::Client, pk: &str, sk: &str, extra: &[(&str, &str)]) {
    let mut put = dynamo
        .put_item()
        .table_name("pipeline")
        .item("pk", AttributeValue::S(pk.into()))
        .item("sk", AttributeValue::S(sk.into()));
    for (name, value) in extra {
        put = put.item(*name, AttributeValue::S((*value).into()));
    }
    put.send().await.unwrap();
}

async fn object(s3: &aws_sdk_s3::Client, key: &str) {
    s3.put_object().bucket("media").key(key).body(b"webp".to_vec().into()).send().await.unwrap();
}

async fn keys(dynamo: &aws_sdk_dynamodb::Client) -> Vec<String> {
    let items = dynamo.scan().table_name("pipeline").send().await.unwrap();
    let mut keys: Vec<String> = items
        .items()
        .iter()
        .map(|i| format!("{}|{}", i["pk"].as_s().unwrap(), i["sk"].as_s().unwrap()))
        .collect();
    keys.sort();
    keys
}

async fn objects(s3: &aws_sdk_s3::Client) -> Vec<String> {
    let listed = s3.list_objects_v2().bucket("media").send().await.unwrap();
    let mut keys: Vec<String> = listed.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn a_tenants_items_and_objects_go_and_another_tenants_stay() {
    let moto = test_servers::moto();
    let dynamo = moto.dynamodb("pipeline").await;
    let s3 = moto.s3("media").await;
    let (tenant, store_a, store_b) = (id(), id(), id());
    let (other_tenant, other_store) = (id(), id());

    // The erased tenant's records, each found by a different part of the rule.
    put(&dynamo, &format!("flow#{store_a}#cart-1"), "abandoned_cart#1", &[]).await;
    put(
        &dynamo,
        "due#2026-11-26T10",
        &format!("2026-11-26T10:05:00Z#{store_b}#cart-9#abandoned_cart#1"),
        &[],
    )
    .await;
    put(&dynamo, "mail#welcome-1", "mail", &[("store_id", &store_a)]).await;
    put(&dynamo, &format!("ai#{tenant}"), "2026-11-26", &[]).await;
    put(&dynamo, "report#1", "run", &[("tenant_id", &tenant)]).await;
    // Another tenant's, and shared records that belong to no tenant.
    put(&dynamo, &format!("flow#{other_store}#cart-2"), "abandoned_cart#1", &[]).await;
    put(&dynamo, &format!("ai#{other_tenant}"), "2026-11-26", &[]).await;
    put(&dynamo, "scrape#abc", "page", &[]).await;
    for key in [
        format!("stores/{store_a}/media/lamp.webp"),
        format!("stores/{store_a}/media/lamp-480.webp"),
        format!("stores/{store_b}/captures/page.html"),
        format!("tenants/{tenant}/exports/1.json"),
        format!("stores/{other_store}/media/chair.webp"),
    ] {
        object(&s3, &key).await;
    }

    let erasure =
        Erasure { dynamo: dynamo.clone(), table: "pipeline".into(), s3: s3.clone(), bucket: "media".into() };
    let done = erasure.erase(&tenant, &[store_a.clone(), store_b.clone()]).await.unwrap();
    assert_eq!((done.dynamodb_items, done.s3_objects), (5, 4));

    let mut expected = vec![
        format!("flow#{other_store}#cart-2|abandoned_cart#1"),
        format!("ai#{other_tenant}|2026-11-26"),
        "scrape#abc|page".to_owned(),
    ];
    expected.sort();
    assert_eq!(keys(&dynamo).await, expected);
    assert_eq!(objects(&s3).await, vec![format!("stores/{other_store}/media/chair.webp")]);

    // A redelivered message finds nothing left and still succeeds.
    let again = erasure.erase(&tenant, &[store_a, store_b]).await.unwrap();
    assert_eq!((again.dynamodb_items, again.s3_objects), (0, 0));
}
