//! Sends messages to SQS from the Worker: the JSON protocol, signed with SigV4, over `fetch`.

use crate::config::SqsConfig;
use queues::{Envelope, Message};
use sigv4::{Credentials, Payload, Scope};
use worker::{Fetch, Headers, Method, Request, RequestInit};

/// Signs and sends one `SendMessage` call; returns the SQS message id.
pub async fn send<T: Message>(
    config: &SqsConfig,
    queue_url: &str,
    envelope: &Envelope<T>,
    now_ms: u64,
) -> Result<String, String> {
    let body = serde_json::json!({ "QueueUrl": queue_url, "MessageBody": envelope.to_body() }).to_string();
    let url = config.endpoint.trim_end_matches('/').to_owned() + "/";
    let host =
        url.split("://").nth(1).and_then(|rest| rest.split('/').next()).ok_or("invalid SQS endpoint")?;
    let unsigned = [
        ("host", host),
        ("content-type", "application/x-amz-json-1.0"),
        ("x-amz-target", "AmazonSQS.SendMessage"),
    ];

    let signed = sigv4::sign(
        &sigv4::Request {
            method: "POST",
            url: &url,
            headers: &unsigned,
            payload: Payload::Bytes(body.as_bytes()),
        },
        Credentials { access_key_id: &config.access_key_id, secret_access_key: &config.secret_access_key },
        Scope { region: &config.region, service: "sqs", time_ms: now_ms },
    )
    .map_err(|e| format!("SigV4 signing: {e}"))?;

    let headers = Headers::new();
    for (name, value) in unsigned
        .iter()
        .copied()
        .filter(|(n, _)| *n != "host")
        .chain(signed.iter().map(|(n, v)| (*n, v.as_str())))
    {
        headers.set(name, value).map_err(|e| e.to_string())?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
    let request = Request::new_with_init(&url, &init).map_err(|e| e.to_string())?;
    let mut response = Fetch::Request(request).send().await.map_err(|e| format!("SQS unreachable: {e}"))?;
    let status = response.status_code();
    let text = response.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(format!("SQS answered {status}: {}", text.chars().take(300).collect::<String>()));
    }
    let parsed: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("SQS answer: {e}"))?;
    Ok(parsed["MessageId"].as_str().unwrap_or_default().to_owned())
}
