//! Erasure against moto's DynamoDB and S3: everything of the erased tenant goes, nothing of
//! another tenant does, and a repeated pass is harmless.

use aws_sdk_dynamodb::types::AttributeValue;
use erasure::Erasure;
use queues::erased::ErasedRegister;
use queues::idempotency::DynamoStore;

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

    // What stays: the other tenant's and the shared records, and the marks that make consumers
    // refuse the erased ids' queued messages.
    let mut expected = vec![
        format!("flow#{other_store}#cart-2|abandoned_cart#1"),
        format!("ai#{other_tenant}|2026-11-26"),
        "scrape#abc|page".to_owned(),
        format!("erased#{tenant}|erased"),
        format!("erased#{store_a}|erased"),
        format!("erased#{store_b}|erased"),
    ];
    expected.sort();
    assert_eq!(keys(&dynamo).await, expected);
    assert_eq!(objects(&s3).await, vec![format!("stores/{other_store}/media/chair.webp")]);

    // A redelivered message finds nothing left and still succeeds.
    let again = erasure.erase(&tenant, &[store_a.clone(), store_b]).await.unwrap();
    assert_eq!((again.dynamodb_items, again.s3_objects), (0, 0));

    // Consumers now refuse the erased tenant's and stores' messages, and no one else's.
    let register = DynamoStore::new(dynamo.clone(), "pipeline");
    assert!(register.erased(&tenant, None).await.unwrap());
    assert!(register.erased(&other_tenant, Some(&store_a)).await.unwrap());
    assert!(!register.erased(&other_tenant, Some(&other_store)).await.unwrap());
}

/// Every version and delete marker under `prefix`, as `key@version` (a marker as `key@marker`).
async fn versions(s3: &aws_sdk_s3::Client, prefix: &str) -> Vec<String> {
    let listed = s3.list_object_versions().bucket("media").prefix(prefix).send().await.unwrap();
    let mut found: Vec<String> = listed
        .versions()
        .iter()
        .map(|v| format!("{}@{}", v.key().unwrap(), v.version_id().unwrap_or("null")))
        .chain(listed.delete_markers().iter().map(|m| format!("{}@marker", m.key().unwrap())))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn in_a_versioned_bucket_every_version_and_delete_marker_of_the_tenant_goes() {
    use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
    let moto = test_servers::moto();
    let dynamo = moto.dynamodb("pipeline").await;
    let s3 = moto.s3("media").await;
    // Production's media bucket is versioned (infra/terraform/s3.tf).
    s3.put_bucket_versioning()
        .bucket("media")
        .versioning_configuration(
            VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build(),
        )
        .send()
        .await
        .unwrap();
    let (tenant, store, other_store) = (id(), id(), id());
    let lamp = format!("stores/{store}/media/lamp.webp");
    let gone = format!("stores/{store}/media/gone.webp");
    let export = format!("tenants/{tenant}/exports/1.json");
    let chair = format!("stores/{other_store}/media/chair.webp");
    // Two versions of the lamp, an image already deleted (its data behind a delete marker), an
    // export, and another tenant's image in two versions.
    for key in [&lamp, &lamp, &gone, &export, &chair, &chair] {
        object(&s3, key).await;
    }
    s3.delete_object().bucket("media").key(&gone).send().await.unwrap();
    assert_eq!(versions(&s3, &format!("stores/{store}/")).await.len(), 4, "two lamps, gone and its marker");

    let erasure =
        Erasure { dynamo: dynamo.clone(), table: "pipeline".into(), s3: s3.clone(), bucket: "media".into() };
    let done = erasure.erase(&tenant, std::slice::from_ref(&store)).await.unwrap();

    assert_eq!(versions(&s3, &format!("stores/{store}/")).await, Vec::<String>::new(), "no version is left");
    assert_eq!(versions(&s3, &format!("tenants/{tenant}/")).await, Vec::<String>::new());
    assert_eq!(done.s3_objects, 3, "the lamp, the deleted image and the export");
    let theirs = versions(&s3, &format!("stores/{other_store}/")).await;
    assert_eq!(theirs.len(), 2, "the other tenant keeps both versions: {theirs:?}");
    assert!(theirs.iter().all(|v| v.starts_with(&chair)), "{theirs:?}");
    let read = s3.get_object().bucket("media").key(&chair).send().await;
    assert!(read.is_ok(), "the other tenant's image still reads");

    let again = erasure.erase(&tenant, &[store]).await.unwrap();
    assert_eq!(again.s3_objects, 0);
}
