//! Each provider adapter against a local server that records the request, so the wire format is
//! checked against what the real API expects.

use crate::helpers::{research_report_marketing, verify_email, OneShotHttp, OneShotSmtp};
use email::mail::{compose, OutgoingMail, Sender};
use email::providers::resend::Resend;
use email::providers::sendgrid::SendGrid;
use email::providers::smtp::{Smtp, SmtpSettings, SmtpTls};
use email::providers::{MailProvider, SendError};
use queues::messages::EmailRequested;
use secrecy::SecretString;
use serde_json::{json, Value};

fn mail(key: &str, payload: Value) -> OutgoingMail {
    let request: EmailRequested = serde_json::from_value(payload).unwrap();
    let sender = Sender::new("Dropship <no-reply@dropship.localhost>".parse().unwrap());
    compose(&sender, key, &request).unwrap()
}

fn marketing_mail() -> OutgoingMail {
    let mut payload = research_report_marketing("owner@example.com");
    payload["branding"]["reply_to"] = json!("hello@cozypaws.example");
    mail("report:run-1", payload)
}

fn resend(base_url: &str) -> Resend {
    Resend::new(reqwest::Client::new(), base_url, SecretString::from("re_test_key"))
}

fn sendgrid(base_url: &str) -> SendGrid {
    SendGrid::new(reqwest::Client::new(), base_url, SecretString::from("SG.test_key"))
}

fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[tokio::test]
async fn resend_gets_a_bearer_key_the_idempotency_key_and_its_emails_json() {
    let server = OneShotHttp::start(200, &[], r#"{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}"#);
    let mail = marketing_mail();
    let accepted = resend(&server.base_url).send(&mail).await.unwrap();
    assert_eq!(accepted.provider_id.as_deref(), Some("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"));

    let request = server.request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/emails"));
    assert_eq!(request.headers["authorization"], "Bearer re_test_key");
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["idempotency-key"], "report:run-1");
    assert_eq!(
        request.body,
        json!({
            "from": "\"Cozy Paws\" <no-reply@dropship.localhost>",
            "to": ["owner@example.com"],
            "reply_to": ["hello@cozypaws.example"],
            "subject": "Cozy Paws: 5 products chosen by your “pet grooming” research",
            "html": mail.html,
            "text": mail.text,
            "headers": {
                "List-Unsubscribe": "<https://demo.dropship.localhost/unsubscribe/u1>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"
            }
        })
    );
}

#[tokio::test]
async fn a_transactional_mail_sends_resend_no_headers() {
    let server = OneShotHttp::start(200, &[], r#"{"id":"e1"}"#);
    resend(&server.base_url).send(&mail("verify:1", verify_email("ada@example.com"))).await.unwrap();
    let body = server.request().body;
    assert!(body.get("headers").is_none() && body.get("reply_to").is_none(), "{body}");
    assert_eq!(body["from"], "\"Dropship\" <no-reply@dropship.localhost>");
}

#[tokio::test]
async fn resend_throttling_is_retried_and_a_validation_error_is_not() {
    let server =
        OneShotHttp::start(429, &[], r#"{"name":"rate_limit_exceeded","message":"Too many requests"}"#);
    let err = resend(&server.base_url).send(&marketing_mail()).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    server.request();

    let server =
        OneShotHttp::start(422, &[], r#"{"name":"validation_error","message":"Invalid `to` field"}"#);
    let err = resend(&server.base_url).send(&marketing_mail()).await.unwrap_err();
    assert!(matches!(err, SendError::Refused { provider: "resend", .. }), "{err}");
    assert!(err.to_string().contains("422") && err.to_string().contains("Invalid `to` field"));
    assert!(!err.to_string().contains("re_test_key"));
    server.request();
}

#[tokio::test]
async fn sendgrid_gets_a_bearer_key_and_its_v3_mail_send_json() {
    let server = OneShotHttp::start(202, &[("X-Message-Id", "sg-msg-1")], "");
    let mail = marketing_mail();
    let accepted = sendgrid(&server.base_url).send(&mail).await.unwrap();
    assert_eq!(accepted.provider_id.as_deref(), Some("sg-msg-1"));

    let request = server.request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v3/mail/send"));
    assert_eq!(request.headers["authorization"], "Bearer SG.test_key");
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(
        request.body,
        json!({
            "personalizations": [{"to": [{"email": "owner@example.com"}]}],
            "from": {"email": "no-reply@dropship.localhost", "name": "Cozy Paws"},
            "reply_to": {"email": "hello@cozypaws.example"},
            "subject": "Cozy Paws: 5 products chosen by your “pet grooming” research",
            "content": [
                {"type": "text/plain", "value": mail.text},
                {"type": "text/html", "value": mail.html}
            ],
            "headers": {
                "List-Unsubscribe": "<https://demo.dropship.localhost/unsubscribe/u1>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"
            },
            "custom_args": {"idempotency_key": "report:run-1"}
        })
    );
}

#[tokio::test]
async fn a_sendgrid_server_error_or_an_unreachable_api_is_retried_and_a_bad_key_is_not() {
    let server = OneShotHttp::start(503, &[], r#"{"errors":[{"message":"Service Unavailable"}]}"#);
    assert!(sendgrid(&server.base_url).send(&marketing_mail()).await.unwrap_err().is_retryable());
    server.request();

    let err = sendgrid(&closed_port_url()).send(&marketing_mail()).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");

    let server = OneShotHttp::start(
        401,
        &[],
        r#"{"errors":[{"message":"The provided authorization grant is invalid"}]}"#,
    );
    let err = sendgrid(&server.base_url).send(&marketing_mail()).await.unwrap_err();
    assert!(!err.is_retryable());
    assert!(!err.to_string().contains("SG.test_key"));
    server.request();
}

fn smtp(port: u16) -> Smtp {
    Smtp::new(&SmtpSettings { host: "127.0.0.1".into(), port, tls: SmtpTls::None, credentials: None })
        .unwrap()
}

#[tokio::test]
async fn an_smtp_relay_gets_the_envelope_and_a_multipart_message_with_the_unsubscribe_headers() {
    let server = OneShotSmtp::start("250 2.0.0 Ok: queued as A1");
    let mail = marketing_mail();
    let accepted = smtp(server.port).send(&mail).await.unwrap();
    assert!(accepted.provider_id.unwrap().contains("queued as A1"));

    let session = server.session().await;
    assert!(session.mail_from.starts_with("<no-reply@dropship.localhost>"), "{}", session.mail_from);
    assert_eq!(session.rcpt_to, vec!["<owner@example.com>"]);
    let data = &session.data;
    assert!(data.contains("From: \"Cozy Paws\" <no-reply@dropship.localhost>\r\n"), "{data}");
    assert!(data.contains("To: owner@example.com\r\n"));
    assert!(data.contains("Reply-To: hello@cozypaws.example\r\n"));
    assert!(data.contains("List-Unsubscribe: <https://demo.dropship.localhost/unsubscribe/u1>\r\n"));
    assert!(data.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    assert!(data.contains("Content-Type: multipart/alternative;"));
    assert!(data.contains("Message-ID: <"));
}

#[tokio::test]
async fn a_temporary_smtp_refusal_is_retried_and_a_permanent_one_is_not() {
    let server = OneShotSmtp::start("451 4.3.0 Try again later");
    let err = smtp(server.port).send(&marketing_mail()).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    server.session().await;

    let server = OneShotSmtp::start("550 5.1.1 Mailbox does not exist");
    let err = smtp(server.port).send(&marketing_mail()).await.unwrap_err();
    assert!(matches!(err, SendError::Refused { provider: "smtp", .. }), "{err}");
    server.session().await;

    let err = smtp(closed_port_url().rsplit(':').next().unwrap().parse().unwrap())
        .send(&marketing_mail())
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
}
