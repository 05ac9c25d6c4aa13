//! Batches through the handler, with memory stores and a fake provider.

use crate::helpers::{email_body, research_report_marketing, spawn_app, verify_email};
use email::providers::SendError;
use email::records::{MailLedger, SentRecord};
use serde_json::json;
use std::time::Duration;

/// `count` welcome-style mails with distinct keys and recipients, as `(message id, body)`.
fn distinct_mails(count: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| {
            (format!("m{i}"), email_body(&format!("verify:{i}"), verify_email(&format!("u{i}@example.com"))))
        })
        .collect()
}

fn as_records(mails: &[(String, String)]) -> Vec<(&str, String)> {
    mails.iter().map(|(id, body)| (id.as_str(), body.clone())).collect()
}

#[tokio::test]
async fn a_mail_with_bad_data_fails_alone_and_the_rest_of_the_batch_is_sent() {
    let app = spawn_app();
    let bad = email_body(
        "reset:1",
        json!({"template": "password_reset", "to": "bob@example.com", "category": {"kind": "transactional"},
               "data": {"reset_url": "https://app.dropship.localhost/reset?t=1"}}),
    );
    let failed = app
        .deliver(&[
            ("m1", email_body("verify:1", verify_email("ada@example.com"))),
            ("m2", bad),
            ("m3", email_body("report:1", research_report_marketing("owner@example.com"))),
        ])
        .await;
    assert_eq!(failed, vec!["m2"]);
    let sent = app.provider.sent();
    assert_eq!(sent.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(), vec!["verify:1", "report:1"]);
    assert!(!app.ledger.sent_records().contains_key("reset:1"));
}

#[tokio::test]
async fn a_redelivered_message_does_not_send_the_mail_twice() {
    let app = spawn_app();
    let body = email_body("verify:1", verify_email("ada@example.com"));
    assert!(app.deliver(&[("m1", body.clone())]).await.is_empty());
    assert!(app.deliver(&[("m1", body.clone()), ("m1-copy", body)]).await.is_empty());
    assert_eq!(app.provider.sent().len(), 1);
}

#[tokio::test]
async fn a_mail_the_provider_accepted_before_a_crash_is_not_sent_again() {
    // The first delivery sent and recorded the mail, then died before completing its claim: the
    // claim expired and a new delivery holds it, but the sent-mail record is there.
    let app = spawn_app();
    let record = SentRecord {
        provider: "fake".into(),
        provider_id: Some("fake-0".into()),
        template: "verify_email".into(),
    };
    app.ledger.record_sent("verify:1", &record).await.unwrap();
    let failed = app.deliver(&[("m1", email_body("verify:1", verify_email("ada@example.com")))]).await;
    assert!(failed.is_empty());
    assert!(app.provider.sent().is_empty());
}

#[tokio::test]
async fn a_provider_outage_fails_the_message_and_the_retry_sends_it_once() {
    let app = spawn_app();
    app.provider.fail_next(SendError::Unavailable { provider: "fake", detail: "HTTP 503".into() });
    let body = email_body("verify:1", verify_email("ada@example.com"));
    assert_eq!(app.deliver(&[("m1", body.clone())]).await, vec!["m1"]);
    assert!(app.ledger.sent_records().is_empty());
    assert!(app.deliver(&[("m1", body)]).await.is_empty());
    assert_eq!(app.provider.sent().len(), 1);
    let record = &app.ledger.sent_records()["verify:1"];
    assert_eq!((record.provider.as_str(), record.provider_id.as_deref()), ("fake", Some("fake-1")));
    assert_eq!(record.template, "verify_email");
}

#[tokio::test]
async fn a_suppressed_address_gets_no_marketing_mail_but_still_gets_transactional_ones() {
    let app = spawn_app();
    app.ledger.suppress("Owner@Example.com");
    let failed = app
        .deliver(&[
            ("m1", email_body("report:1", research_report_marketing("owner@example.com"))),
            ("m2", email_body("verify:1", verify_email("OWNER@example.com"))),
        ])
        .await;
    assert!(failed.is_empty(), "a skipped mail is not a failure");
    let sent = app.provider.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].key, "verify:1");
}

#[tokio::test]
async fn a_sent_mail_whose_record_cannot_be_written_is_not_failed_and_so_not_resent() {
    let app = spawn_app();
    app.ledger.fail_next_writes(3);
    let body = email_body("verify:1", verify_email("ada@example.com"));
    assert!(app.deliver(&[("m1", body.clone())]).await.is_empty());
    // The consumer's idempotency record stands in for the missing sent-mail record.
    assert!(app.deliver(&[("m1", body)]).await.is_empty());
    assert_eq!(app.provider.sent().len(), 1);
}

#[tokio::test]
async fn a_marketing_mail_reaches_the_provider_with_its_unsubscribe_headers() {
    let app = spawn_app();
    assert!(app
        .deliver(&[("m1", email_body("report:1", research_report_marketing("owner@example.com")))])
        .await
        .is_empty());
    let mail = &app.provider.sent()[0];
    assert_eq!(mail.header("List-Unsubscribe"), Some("<https://demo.dropship.localhost/unsubscribe/u1>"));
    assert_eq!(mail.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    assert_eq!(mail.subject, "Cozy Paws: 5 products chosen by your “pet grooming” research");
    assert_eq!(mail.from.to_string(), "Cozy Paws <no-reply@dropship.localhost>");
}

#[tokio::test]
async fn a_batch_sends_its_mails_at_once_but_never_more_than_the_bound() {
    let app = spawn_app();
    app.provider.slow(Duration::from_millis(20));
    let mails = distinct_mails(25);
    assert!(app.deliver(&as_records(&mails)).await.is_empty());
    assert_eq!(app.provider.sent().len(), 25);
    assert_eq!(app.provider.most_at_once(), email::handler::MAIL_CONCURRENCY);
}

#[tokio::test]
async fn one_bad_mail_in_a_full_concurrent_batch_is_the_only_one_reported() {
    let app = spawn_app();
    app.provider.slow(Duration::from_millis(5));
    let mut mails = distinct_mails(10);
    mails[6].1 = email_body(
        "reset:6",
        json!({"template": "password_reset", "to": "u6@example.com", "category": {"kind": "transactional"},
               "data": {"reset_url": "https://app.dropship.localhost/reset?t=6"}}),
    );
    assert_eq!(app.deliver(&as_records(&mails)).await, vec!["m6"]);
    assert_eq!(app.provider.sent().len(), 9);
    assert!(!app.ledger.sent_records().contains_key("reset:6"));
}

#[tokio::test]
async fn a_redelivered_concurrent_batch_sends_nothing_twice() {
    let app = spawn_app();
    app.provider.slow(Duration::from_millis(5));
    let mails = distinct_mails(10);
    assert!(app.deliver(&as_records(&mails)).await.is_empty());
    // The whole batch again, with a copy of one mail in it.
    let mut again = as_records(&mails);
    again.push(("m3-copy", mails[3].1.clone()));
    assert!(app.deliver(&again).await.is_empty());
    assert_eq!(app.provider.sent().len(), 10);
    assert_eq!(app.ledger.sent_records().len(), 10);
}
