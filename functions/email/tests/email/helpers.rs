//! Test support: one-shot HTTP and SMTP servers on 127.0.0.1 that record what a provider adapter
//! sent, a scriptable fake provider, SQS events in their wire format, and moto (the AWS emulator,
//! installed in the project's venv by `local/tools.sh`) on a free port for the DynamoDB-backed
//! flows, with a mail queue that records what the sweep enqueued.

use aws_lambda_events::event::sqs::SqsEvent;
use domain::{StoreId, TenantId};
use email::handler::State;
use email::mail::{OutgoingMail, Sender};
use email::providers::{Accepted, BoxFuture, MailProvider, SendError};
use email::records::MemoryLedger;
use email::sweep::MailQueue;
use lambda_runtime::{Context, LambdaEvent};
use queues::idempotency::MemoryStore;
use queues::messages::EmailRequested;
use queues::Envelope;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// One HTTP request as the server read it.
#[derive(Debug)]
pub struct Captured {
    pub method: String,
    pub path: String,
    /// Header names lowercased.
    pub headers: HashMap<String, String>,
    pub body: Value,
}

/// An HTTP server that answers one request with `status`, `headers` and `body`, then stops.
pub struct OneShotHttp {
    pub base_url: String,
    handle: JoinHandle<Captured>,
}

impl OneShotHttp {
    pub fn start(status: u16, headers: &[(&str, &str)], body: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let extra: String = headers.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect();
        let response = format!(
            "HTTP/1.1 {status} Status\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{body}",
            body.len()
        );
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut parts = request_line.split_whitespace();
            let method = parts.next().unwrap_or_default().to_owned();
            let path = parts.next().unwrap_or_default().to_owned();
            let mut headers = HashMap::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap();
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
            }
            let length: usize = headers.get("content-length").map_or(0, |l| l.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            (&stream).write_all(response.as_bytes()).unwrap();
            let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
            Captured { method, path, headers, body }
        });
        Self { base_url, handle }
    }

    /// The request the server got.
    pub fn request(self) -> Captured {
        self.handle.join().unwrap()
    }
}

/// What an SMTP client handed over.
#[derive(Debug)]
pub struct SmtpCaptured {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent after `DATA`, dot-stuffing undone.
    pub data: String,
}

/// An SMTP server for one session that answers the end of `DATA` with `data_reply` (e.g.
/// `250 2.0.0 Ok: queued as A1` or `451 4.3.0 try later`).
pub struct OneShotSmtp {
    pub port: u16,
    handle: JoinHandle<SmtpCaptured>,
}

impl OneShotSmtp {
    pub fn start(data_reply: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut out = &stream;
            let mut captured =
                SmtpCaptured { mail_from: String::new(), rcpt_to: Vec::new(), data: String::new() };
            out.write_all(b"220 test.localhost ESMTP\r\n").unwrap();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 {
                    break;
                }
                let command = line.trim_end().to_owned();
                let upper = command.to_ascii_uppercase();
                if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                    out.write_all(b"250-test.localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").unwrap();
                } else if upper.starts_with("MAIL FROM:") {
                    captured.mail_from = command[10..].trim().to_owned();
                    out.write_all(b"250 2.1.0 Ok\r\n").unwrap();
                } else if upper.starts_with("RCPT TO:") {
                    captured.rcpt_to.push(command[8..].trim().to_owned());
                    out.write_all(b"250 2.1.5 Ok\r\n").unwrap();
                } else if upper == "DATA" {
                    out.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").unwrap();
                    loop {
                        let mut data_line = String::new();
                        reader.read_line(&mut data_line).unwrap();
                        if data_line == ".\r\n" {
                            break;
                        }
                        let unstuffed = data_line.strip_prefix('.').unwrap_or(&data_line);
                        captured.data.push_str(unstuffed);
                    }
                    out.write_all(format!("{data_reply}\r\n").as_bytes()).unwrap();
                } else if upper == "QUIT" {
                    out.write_all(b"221 2.0.0 Bye\r\n").unwrap();
                    break;
                } else {
                    out.write_all(b"250 Ok\r\n").unwrap();
                }
            }
            captured
        });
        Self { port, handle }
    }

    /// The session, once the client closed it. Waited for off the runtime, so that the
    /// transport's pool, which closes its connections in a task of its own, gets to run.
    pub async fn session(self) -> SmtpCaptured {
        tokio::task::spawn_blocking(move || self.handle.join().unwrap()).await.unwrap()
    }
}

/// A provider that records mails and answers with scripted errors first; it can take its time
/// over each mail, counting how many it holds at once.
#[derive(Clone, Default)]
pub struct FakeProvider {
    pub sent: Arc<Mutex<Vec<OutgoingMail>>>,
    failures: Arc<Mutex<VecDeque<SendError>>>,
    delay: Arc<Mutex<Option<std::time::Duration>>>,
    in_flight: Arc<Mutex<(usize, usize)>>,
}

impl FakeProvider {
    /// Takes `delay` over every mail from now on.
    pub fn slow(&self, delay: std::time::Duration) {
        *self.delay.lock().unwrap() = Some(delay);
    }

    /// The most mails it held at once.
    pub fn most_at_once(&self) -> usize {
        self.in_flight.lock().unwrap().1
    }

    pub fn fail_next(&self, error: SendError) {
        self.failures.lock().unwrap().push_back(error);
    }

    pub fn sent(&self) -> Vec<OutgoingMail> {
        self.sent.lock().unwrap().clone()
    }
}

impl MailProvider for FakeProvider {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn send<'a>(&'a self, mail: &'a OutgoingMail) -> BoxFuture<'a, Result<Accepted, SendError>> {
        Box::pin(async move {
            let delay = *self.delay.lock().unwrap();
            if let Some(delay) = delay {
                {
                    let mut counts = self.in_flight.lock().unwrap();
                    counts.0 += 1;
                    counts.1 = counts.1.max(counts.0);
                }
                tokio::time::sleep(delay).await;
                self.in_flight.lock().unwrap().0 -= 1;
            }
            if let Some(error) = self.failures.lock().unwrap().pop_front() {
                return Err(error);
            }
            let mut sent = self.sent.lock().unwrap();
            sent.push(mail.clone());
            Ok(Accepted { provider_id: Some(format!("fake-{}", sent.len())) })
        })
    }
}

/// A handler state over memory stores and the fake provider, plus handles to inspect them.
pub struct TestApp {
    pub state: State<MemoryStore>,
    pub provider: FakeProvider,
    pub ledger: Arc<MemoryLedger>,
}

pub fn spawn_app() -> TestApp {
    let provider = FakeProvider::default();
    let ledger = Arc::new(MemoryLedger::default());
    let state = State {
        idempotency: MemoryStore::default(),
        ledger: ledger.clone(),
        provider: Arc::new(provider.clone()),
        sender: Sender::new("Dropship <no-reply@dropship.localhost>".parse().unwrap()),
    };
    TestApp { state, provider, ledger }
}

impl TestApp {
    /// Delivers `(message id, body)` records as one SQS batch; answers the failed message ids.
    pub async fn deliver(&self, records: &[(&str, String)]) -> Vec<String> {
        let event: SqsEvent = serde_json::from_value(sqs_event(records)).unwrap();
        let response =
            email::handler::handle(&self.state, LambdaEvent::new(event, Context::default())).await.unwrap();
        response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect()
    }
}

/// An SQS event as Lambda receives it.
pub fn sqs_event(records: &[(&str, String)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(id, body)| {
            json!({
                "messageId": id,
                "receiptHandle": format!("handle-{id}"),
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795000000000",
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": "1795000000001"
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:dropship-email",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

/// An envelope body for the email queue.
pub fn email_body(key: &str, payload: Value) -> String {
    let payload: EmailRequested = serde_json::from_value(payload).unwrap();
    Envelope::new(
        key,
        TenantId::from_random_bytes([1; 16]),
        StoreId::from_random_bytes([2; 16]),
        time::OffsetDateTime::UNIX_EPOCH,
        "corr-1",
        payload,
    )
    .to_body()
}

pub fn verify_email(to: &str) -> Value {
    json!({
        "template": "verify_email",
        "to": to,
        "category": {"kind": "transactional"},
        "data": {"verify_url": "https://app.dropship.localhost/verify?token=t1"}
    })
}

pub fn research_report_marketing(to: &str) -> Value {
    json!({
        "template": "research_report",
        "to": to,
        "category": {"kind": "marketing", "unsubscribe_url": "https://demo.dropship.localhost/unsubscribe/u1"},
        "data": {"niche": "pet grooming", "candidates": 40, "imported": 5, "watchlisted": 3, "top_opportunities": "Laser Toy (92, import)", "sources_used": "aliexpress (20)", "report_url": "https://app.dropship.localhost/runs/1"},
        "branding": {"store_name": "Cozy Paws", "accent_color": "#ff6600"}
    })
}

pub use test_servers::{moto, Server as Moto};

/// A mail queue that records what the sweep enqueued, and can lose the answer to its next
/// enqueue (the mail is queued, the sweep hears an error).
#[derive(Default)]
pub struct RecordingQueue {
    mails: Mutex<Vec<Envelope<EmailRequested>>>,
    lose_next_answer: Mutex<bool>,
}

impl RecordingQueue {
    /// Every enqueued mail, in order.
    pub fn mails(&self) -> Vec<Envelope<EmailRequested>> {
        self.mails.lock().unwrap().clone()
    }

    /// The idempotency keys of the enqueued mails, in order.
    pub fn keys(&self) -> Vec<String> {
        self.mails().into_iter().map(|m| m.idempotency_key).collect()
    }

    /// Queues the next mail but answers with an error.
    pub fn lose_next_answer(&self) {
        *self.lose_next_answer.lock().unwrap() = true;
    }
}

impl MailQueue for RecordingQueue {
    fn enqueue<'a>(&'a self, mail: &'a Envelope<EmailRequested>) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.mails.lock().unwrap().push(mail.clone());
            if std::mem::take(&mut *self.lose_next_answer.lock().unwrap()) {
                anyhow::bail!("the SQS answer was lost");
            }
            Ok(())
        })
    }
}
