//! Batches through the handler against DynamoDB in moto: the idempotency records claimed and
//! marked applied together per batch, the erased register read once, and still one mail per key.

use crate::helpers::{email_body, moto, verify_email, FakeProvider};
use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::StoreId;
use email::handler::State;
use email::mail::Sender;
use email::records::DynamoLedger;
use lambda_runtime::{Context, LambdaEvent};
use queues::erased::mark_key;
use queues::idempotency::DynamoStore;
use std::sync::Arc;

const TABLE: &str = "mail-batches";

fn mails(keys: impl IntoIterator<Item = usize>) -> Vec<(String, String)> {
    keys.into_iter()
        .map(|i| {
            (format!("m{i}"), email_body(&format!("verify:{i}"), verify_email(&format!("u{i}@example.com"))))
        })
        .collect()
}

async fn deliver(state: &State<DynamoStore>, mails: &[(String, String)]) -> Vec<String> {
    let records: Vec<(&str, String)> = mails.iter().map(|(id, body)| (id.as_str(), body.clone())).collect();
    let event: SqsEvent = serde_json::from_value(crate::helpers::sqs_event(&records)).unwrap();
    let response = email::handler::handle(state, LambdaEvent::new(event, Context::default())).await.unwrap();
    response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect()
}

async fn status(dynamo: &aws_sdk_dynamodb::Client, key: &str) -> Option<String> {
    let item = dynamo
        .get_item()
        .table_name(TABLE)
        .key("pk", AttributeValue::S(format!("idem#email#{key}")))
        .key("sk", AttributeValue::S("idem".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    item.item()?.get("status")?.as_s().ok().cloned()
}

#[tokio::test]
async fn batches_claimed_and_completed_together_send_each_mail_once() {
    let moto = moto();
    let dynamo = moto.dynamodb(TABLE).await;
    let provider = FakeProvider::default();
    let state = State {
        idempotency: DynamoStore::new(dynamo.clone(), TABLE),
        ledger: Arc::new(DynamoLedger::new(dynamo.clone(), TABLE)),
        provider: Arc::new(provider.clone()),
        sender: Sender::new("Dropship <no-reply@dropship.localhost>".parse().unwrap()),
    };

    // A fresh batch: every key claimed in one transaction, sent, and marked applied.
    assert!(deliver(&state, &mails(0..10)).await.is_empty());
    assert_eq!(provider.sent().len(), 10);
    for i in 0..10 {
        assert_eq!(status(&dynamo, &format!("verify:{i}")).await.as_deref(), Some("applied"), "verify:{i}");
    }

    // Half of it again with five new mails and a copy: the applied keys fail the transaction,
    // each key is then claimed alone, and only the new mails go out.
    let mut mixed = mails(5..15);
    mixed.push(("m12-copy".into(), mixed[7].1.clone()));
    assert!(deliver(&state, &mixed).await.is_empty());
    assert_eq!(provider.sent().len(), 15);
    for i in 10..15 {
        assert_eq!(status(&dynamo, &format!("verify:{i}")).await.as_deref(), Some("applied"), "verify:{i}");
    }

    // A batch of an erased store's mails (the store `email_body` names) is acknowledged without
    // a mail or a claim.
    let store = StoreId::from_random_bytes([2; 16]);
    dynamo.put_item().table_name(TABLE).set_item(Some(mark_key(&store.to_string()))).send().await.unwrap();
    assert!(deliver(&state, &mails(20..25)).await.is_empty());
    assert_eq!(provider.sent().len(), 15);
    assert_eq!(status(&dynamo, "verify:20").await, None);
}
