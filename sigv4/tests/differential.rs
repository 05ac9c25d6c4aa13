//! `sigv4` against the `aws-sigv4` crate with its default settings, on generated requests of
//! the shapes the Workers send: the `Authorization` and `x-amz-date` headers must be identical.

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{sign as aws_sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use proptest::prelude::*;
use sigv4::{sign, Credentials, Payload, Request, Scope};
use std::time::{Duration, SystemTime};

fn reference(request: &Request<'_>, credentials: Credentials<'_>, scope: Scope<'_>) -> Vec<(String, String)> {
    let identity =
        AwsCredentials::new(credentials.access_key_id, credentials.secret_access_key, None, None, "test")
            .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(scope.region)
        .name(scope.service)
        .time(SystemTime::UNIX_EPOCH + Duration::from_millis(scope.time_ms))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let body = match request.payload {
        Payload::Bytes(bytes) => SignableBody::Bytes(bytes),
        Payload::Unsigned => SignableBody::UnsignedPayload,
    };
    let signable =
        SignableRequest::new(request.method, request.url, request.headers.iter().copied(), body).unwrap();
    let (instructions, _) = aws_sign(signable, &params).unwrap().into_parts();
    let mut headers: Vec<(String, String)> =
        instructions.headers().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
    headers.sort();
    headers
}

fn ours(request: &Request<'_>, credentials: Credentials<'_>, scope: Scope<'_>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> =
        sign(request, credentials, scope).unwrap().into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
    headers.sort();
    headers
}

const SEGMENT: &str = "[A-Za-z0-9._~-]{1,12}";

prop_compose! {
    fn path()(segments in prop::collection::vec(SEGMENT, 0..5)) -> String {
        segments.into_iter().filter(|s| s != "." && s != "..").map(|s| format!("/{s}")).collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn signed_headers_match_aws_sigv4(
        post in any::<bool>(),
        host in "[a-z0-9]{1,10}(\\.[a-z0-9]{1,10}){0,2}(:[0-9]{2,5})?",
        path in path(),
        query in prop::collection::vec((SEGMENT, "[A-Za-z0-9]{0,6}"), 0..3),
        extra in prop::collection::vec(("x-[a-c]{1,2}", "[ -~]{0,20}"), 0..4),
        body in prop::collection::vec(any::<u8>(), 0..200),
        region in "[a-z]{2}-[a-z]{4,9}-[1-3]",
        service in "(sqs|s3|dynamodb)",
        time_ms in 0u64..4_102_444_800_000,
        access_key_id in "[A-Z0-9]{16,20}",
        secret_access_key in "[A-Za-z0-9/+]{30,40}",
    ) {
        let query: String = query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let url = if query.is_empty() {
            format!("https://{host}{path}")
        } else {
            format!("https://{host}{path}?{query}")
        };
        let mut headers: Vec<(&str, &str)> = vec![("host", host.as_str())];
        headers.extend(extra.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let request = Request {
            method: if post { "POST" } else { "GET" },
            url: &url,
            headers: &headers,
            payload: if post { Payload::Bytes(&body) } else { Payload::Unsigned },
        };
        let credentials = Credentials { access_key_id: &access_key_id, secret_access_key: &secret_access_key };
        let scope = Scope { region: &region, service: &service, time_ms };
        prop_assert_eq!(ours(&request, credentials, scope), reference(&request, credentials, scope));
    }
}

#[test]
fn the_edges_sqs_send_message_is_signed_as_aws_sigv4_signs_it() {
    let body = br#"{"QueueUrl":"http://127.0.0.1:5000/000000000000/research","MessageBody":"{}"}"#;
    let headers = [
        ("host", "127.0.0.1:5000"),
        ("content-type", "application/x-amz-json-1.0"),
        ("x-amz-target", "AmazonSQS.SendMessage"),
    ];
    let request = Request {
        method: "POST",
        url: "http://127.0.0.1:5000/",
        headers: &headers,
        payload: Payload::Bytes(body),
    };
    let credentials = Credentials { access_key_id: "local", secret_access_key: "local" };
    let scope = Scope { region: "us-east-1", service: "sqs", time_ms: 1_796_000_000_123 };
    assert_eq!(ours(&request, credentials, scope), reference(&request, credentials, scope));
}
