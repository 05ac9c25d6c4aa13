//! Sends messages to SQS from the Worker: the JSON protocol, signed with SigV4, over `fetch`.

use crate::config::SqsConfig;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use queues::{Envelope, Message};
use std::time::{Duration, SystemTime};
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

    // wasm32 has no system clock: build the signing time from the Worker's Date.now().
    let time = SystemTime::UNIX_EPOCH + Duration::from_millis(now_ms);
    let identity =
        Credentials::new(&config.access_key_id, &config.secret_access_key, None, None, "edge").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&config.region)
        .name("sqs")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("SigV4 parameters: {e}"))?
        .into();
    let signable =
        SignableRequest::new("POST", &url, unsigned.iter().copied(), SignableBody::Bytes(body.as_bytes()))
            .map_err(|e| format!("SigV4 request: {e}"))?;
    let (instructions, _) = sign(signable, &params).map_err(|e| format!("SigV4 signing: {e}"))?.into_parts();

    let headers = Headers::new();
    for (name, value) in unsigned.iter().copied().filter(|(n, _)| *n != "host").chain(instructions.headers())
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
