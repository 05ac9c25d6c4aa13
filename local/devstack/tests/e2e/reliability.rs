//! The reliability suite (issue 13, item 8), on the whole local stack:
//! - a thousand messages across the email and import queues, with a fifth of them delivered twice
//!   and one in twenty poison: each message's effect happens once, every poison message ends in its
//!   queue's dead-letter queue, and nothing is lost;
//! - the shop under 32 connections at once for a minute, with no error.
//!
//! `local/test.sh` runs it alone, after the other end-to-end tests (its load would slow theirs),
//! and it prints its figures.

use crate::helpers::{eventually, unique, Stack};
use crate::store::{product, shop};
use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use domain::accounts::Email;
use queues::messages::{Branding, EmailCategory, EmailRequested, EmailTemplate};
use queues::Envelope;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// Distinct mails and imports: with the poison below, a thousand messages.
const MAILS: usize = 910;
const IMPORTS: usize = 40;
/// Poison: 24 mails that are not JSON, 24 that cannot be rendered (no shop link), 2 imports that
/// are not JSON; 5% of the thousand.
const POISON_MAILS: usize = 48;
const POISON_IMPORTS: usize = 2;
/// Four in every nineteen valid messages are sent twice: 200 copies, 20% of the thousand.
const fn duplicated(position: usize) -> bool {
    position % 19 < 4
}

const DRAIN_LIMIT: Duration = Duration::from_secs(300);

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} from the stack's aws.env"))
}

fn welcome(run: &str, tenant: &str, store: &str, i: usize, renderable: bool) -> String {
    let mut data = serde_json::Map::new();
    data.insert("greeting".into(), json!(format!("Hi reader {i},")));
    if renderable {
        data.insert("store_url".into(), json!("http://reliability.localhost:8788"));
    }
    Envelope::new(
        format!("reliability:{run}:mail:{i}"),
        tenant.parse().unwrap(),
        store.parse().unwrap(),
        time::OffsetDateTime::now_utc(),
        "e2e-reliability",
        EmailRequested {
            template: EmailTemplate::Welcome,
            to: Email::parse(&format!("{run}-{i}@example.com")).unwrap(),
            category: EmailCategory::Marketing {
                unsubscribe_url: format!("http://127.0.0.1:8787/v1/public/stores/{store}/unsubscribe/{i}"),
            },
            data,
            branding: Branding { store_name: Some(format!("Reliability {run}")), ..Branding::default() },
        },
    )
    .to_body()
}

/// A fixed shuffle (xorshift over the run's bytes), so duplicates and poison arrive among the rest
/// rather than in runs of their own.
fn shuffle<T>(items: &mut [T], seed: &str) {
    let mut state =
        seed.bytes().fold(0x9e37_79b9_7f4a_7c15_u64, |s, b| (s ^ u64::from(b)).rotate_left(9)) | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

/// Sends each `(queue, body)` in batches of ten per queue, in order.
async fn send_all(stack: &Stack, messages: &[(String, String)]) {
    let mut pending: HashMap<&str, Vec<SendMessageBatchRequestEntry>> = HashMap::new();
    for (n, (queue, body)) in messages.iter().enumerate() {
        let batch = pending.entry(queue.as_str()).or_default();
        batch.push(
            SendMessageBatchRequestEntry::builder().id(n.to_string()).message_body(body).build().unwrap(),
        );
        if batch.len() == 10 {
            let entries = std::mem::take(batch);
            let sent =
                stack.sqs.send_message_batch().queue_url(queue).set_entries(Some(entries)).send().await;
            assert!(sent.unwrap().failed().is_empty(), "the emulator took every message");
        }
    }
    for (queue, entries) in pending.into_iter().filter(|(_, e)| !e.is_empty()) {
        let sent = stack.sqs.send_message_batch().queue_url(queue).set_entries(Some(entries)).send().await;
        assert!(sent.unwrap().failed().is_empty(), "the emulator took every message");
    }
}

/// How many mails of the run maildev caught, per recipient.
async fn mails_by_recipient(stack: &Stack, run: &str) -> Option<HashMap<String, usize>> {
    let inbox: Value =
        stack.http.get("http://127.0.0.1:1080/api/email").send().await.ok()?.json().await.ok()?;
    let mut counts = HashMap::new();
    for mail in inbox.as_array()? {
        if !mail["subject"].as_str().is_some_and(|s| s.contains(run)) {
            continue;
        }
        for to in mail["to"].as_array().into_iter().flatten() {
            *counts.entry(to["address"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
        }
    }
    Some(counts)
}

/// The bodies in a dead-letter queue that contain `marker`. Each received message stays hidden
/// for 30 s, so one pass reads each once.
async fn dead_letters(stack: &Stack, dlq: &str, marker: &str) -> HashSet<String> {
    let mut found = HashSet::new();
    loop {
        let out = stack
            .sqs
            .receive_message()
            .queue_url(dlq)
            .max_number_of_messages(10)
            .visibility_timeout(30)
            .send()
            .await
            .unwrap();
        if out.messages().is_empty() {
            return found;
        }
        found.extend(
            out.messages().iter().filter_map(|m| m.body()).filter(|b| b.contains(marker)).map(str::to_owned),
        );
    }
}

/// Messages in a queue, visible or in flight.
async fn in_queue(stack: &Stack, queue: &str) -> u64 {
    let attributes = stack
        .sqs
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap();
    attributes.attributes().into_iter().flatten().map(|(_, v)| v.parse::<u64>().unwrap_or(0)).sum()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn a_thousand_messages_with_a_fifth_duplicated_and_poison_apply_once_and_lose_nothing() {
    let stack = Stack::connect().await;
    let (merchant, store, tenant, _) = crate::new_store(&stack, "Reliability E2E").await;
    let run = unique("rel");
    let (email_queue, email_dlq) = (env("EMAIL_QUEUE_URL"), env("EMAIL_DLQ_URL"));

    let mut valid: Vec<(String, String)> = (0..MAILS)
        .map(|i| (email_queue.clone(), welcome(&run, &tenant, &store, i, true)))
        .chain((0..IMPORTS).map(|i| {
            let id = format!("{run}-import-{i}");
            let key = format!("import:{store}:e2e:{id}");
            (stack.import_queue.clone(), crate::import_body(&store, &tenant, &key, &id, "Reliable Brush"))
        }))
        .collect();
    let copies: Vec<_> =
        valid.iter().enumerate().filter(|(p, _)| duplicated(*p)).map(|(_, m)| m.clone()).collect();
    let poison: Vec<(String, String)> =
        (0..POISON_MAILS)
            .map(|i| match i % 2 {
                0 => (email_queue.clone(), json!({ "poison": format!("{run}-poison-{i}") }).to_string()),
                _ => (email_queue.clone(), welcome(&run, &tenant, &store, MAILS + i, false)),
            })
            .chain((0..POISON_IMPORTS).map(|i| {
                (stack.import_queue.clone(), format!("{{\"poison\": \"{run}-import-poison-{i}\"}}"))
            }))
            .collect();
    let (duplicates, poisoned) = (copies.len(), poison.len());
    valid.extend(copies);
    valid.extend(poison);
    let mut messages = valid;
    shuffle(&mut messages, &run);
    assert_eq!(messages.len() - duplicates, 1_000);

    let started = Instant::now();
    send_all(&stack, &messages).await;
    let sent_in = started.elapsed();

    // Wait for every effect and every poison message in its dead-letter queue.
    let poison_seen = std::cell::RefCell::new(HashSet::new());
    let import_poison_seen = std::cell::RefCell::new(HashSet::new());
    eventually("every mail, import and poison message to land", DRAIN_LIMIT, || async {
        // maildev answers with every mail it holds: reading it less often leaves the machine to
        // the functions.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let mails = mails_by_recipient(&stack, &run).await?;
        let products = stack.products(&merchant, &store).await;
        let imported =
            products.iter().filter(|p| p["source_product_id"].as_str().is_some_and(|s| s.starts_with(&run)));
        let poison = dead_letters(&stack, &email_dlq, &run).await;
        poison_seen.borrow_mut().extend(poison);
        let import_poison = dead_letters(&stack, &stack.import_dlq, &run).await;
        import_poison_seen.borrow_mut().extend(import_poison);
        (mails.len() >= MAILS
            && imported.count() >= IMPORTS
            && poison_seen.borrow().len() >= POISON_MAILS
            && import_poison_seen.borrow().len() >= POISON_IMPORTS)
            .then_some(())
    })
    .await;
    let landed_in = started.elapsed();
    // Then until the queues are empty: a late copy would be handled by now.
    eventually("the queues to drain", DRAIN_LIMIT, || async {
        (in_queue(&stack, &email_queue).await + in_queue(&stack, &stack.import_queue).await == 0)
            .then_some(())
    })
    .await;

    let mails = mails_by_recipient(&stack, &run).await.expect("maildev answers");
    let expected: HashSet<String> = (0..MAILS).map(|i| format!("{run}-{i}@example.com")).collect();
    let twice: Vec<_> = mails.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "mails sent more than once: {twice:?}");
    let got: HashSet<String> = mails.keys().cloned().collect();
    assert_eq!(got, expected, "exactly the renderable mails arrive, each once");
    let products = stack.products(&merchant, &store).await;
    let mut per_id: HashMap<&str, usize> = HashMap::new();
    for p in &products {
        if let Some(id) = p["source_product_id"].as_str().filter(|s| s.starts_with(&run)) {
            *per_id.entry(id).or_default() += 1;
        }
    }
    assert_eq!(per_id.len(), IMPORTS, "every import published");
    assert!(per_id.values().all(|n| *n == 1), "no import published twice: {per_id:?}");
    assert_eq!(poison_seen.borrow().len(), POISON_MAILS, "every poison mail dead-lettered once");
    assert_eq!(import_poison_seen.borrow().len(), POISON_IMPORTS, "every poison import dead-lettered once");

    eprintln!(
        "reliability (queues): {} messages ({} distinct, {duplicates} duplicates, {poisoned} poison) sent in {} ms; \
         {MAILS} mails and {IMPORTS} products each once, {poisoned} poison dead-lettered, all landed in {} ms \
         ({:.0} messages/s); 0 duplicate effects, 0 lost",
        messages.len(),
        messages.len() - duplicates,
        sent_in.as_millis(),
        landed_in.as_millis(),
        messages.len() as f64 / landed_in.as_secs_f64(),
    );
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn the_shop_answers_32_connections_for_a_minute_without_an_error() {
    const CONNECTIONS: usize = 32;
    let seconds: u64 =
        std::env::var("RELIABILITY_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Load E2E").await;
    let mut paths = vec!["/".to_owned(), "/search?q=lamp".into(), "/cart".into(), "/blog".into()];
    paths.extend(["/sitemap.xml", "/sitemaps/products.xml", "/robots.txt"].map(str::to_owned));
    for title in ["Desk Lamp", "Floor Lamp", "Reading Lamp"] {
        let created = product(
            &stack,
            &shop,
            &json!({"title": title, "price_minor": 4900, "status": "published", "description": ["A lamp that lights a room."]}),
        )
        .await;
        paths.push(format!("/products/{}", created["slug"].as_str().unwrap()));
    }
    let last = paths.last().unwrap().clone();
    eventually("the shop to show its products", Duration::from_secs(30), || async {
        (stack.page(&shop.host, &last).await.status == 200).then_some(())
    })
    .await;

    // A client per connection, each request on a new connection: wrangler dev may close an idle
    // keep-alive connection as a request goes out on it, which would count the harness's race.
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks = (0..CONNECTIONS).map(|c| {
        let (paths, host, base) = (paths.clone(), shop.host.clone(), stack.storefront.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(0)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let (mut latencies, mut errors) = (Vec::new(), Vec::new());
            let mut n = c;
            while Instant::now() < deadline {
                let path = &paths[n % paths.len()];
                n += 1;
                let started = Instant::now();
                match client.get(format!("{base}{path}")).header("host", &host).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        match response.bytes().await {
                            Ok(_) if status == 200 => latencies.push(started.elapsed()),
                            Ok(_) => errors.push(format!("{path}: {status}")),
                            Err(e) => errors.push(format!("{path}: body: {e}")),
                        }
                    }
                    Err(e) => errors.push(format!("{path}: {e}")),
                }
            }
            (latencies, errors)
        })
    });
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        let (l, e) = task.await.unwrap();
        latencies.extend(l);
        errors.extend(e);
    }
    latencies.sort();
    let at = |q: f64| {
        latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
    };
    eprintln!(
        "reliability (shop load): {CONNECTIONS} connections for {seconds} s over {} pages: {} answers ({:.0}/s), \
         p50 {} ms, p99 {} ms, {} errors",
        paths.len(),
        latencies.len(),
        latencies.len() as f64 / seconds as f64,
        at(0.5).copied().unwrap_or_default().as_millis(),
        at(0.99).copied().unwrap_or_default().as_millis(),
        errors.len(),
    );
    assert!(errors.is_empty(), "{} errors, the first: {:?}", errors.len(), &errors[..errors.len().min(10)]);
    assert!(!latencies.is_empty(), "the shop answered");
}
