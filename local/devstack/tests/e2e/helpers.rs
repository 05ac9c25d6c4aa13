//! The running local stack, as the end-to-end tests see it: a client with one method per call.

use queues::internal_api::{sign, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run the end-to-end tests through local/test.sh"))
}

/// The stack under test.
pub struct Stack {
    pub http: reqwest::Client,
    pub edge: String,
    pub storefront: String,
    pub internal_secret: String,
    pub sqs: aws_sdk_sqs::Client,
    pub import_queue: String,
    pub import_dlq: String,
}

/// A signed-up merchant: the owner of a new tenant, with its tokens.
pub struct Merchant {
    pub email: String,
    pub password: String,
    pub access: String,
    pub refresh: String,
    pub tenant_id: String,
}

/// A response's status and JSON (or text) body.
pub struct Answer {
    pub status: u16,
    pub json: Value,
    pub text: String,
}

impl Stack {
    pub async fn connect() -> Self {
        let aws = aws_config::load_from_env().await;
        Self {
            // No idle keep-alive reuse: wrangler dev may close an idle connection just as a request
            // goes out on it, which would fail a non-idempotent POST for no fault of the code under test.
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
            edge: format!("http://127.0.0.1:{}", env("EDGE_PORT")),
            storefront: format!("http://127.0.0.1:{}", env("STOREFRONT_PORT")),
            internal_secret: env("INTERNAL_HMAC_SECRET"),
            sqs: aws_sdk_sqs::Client::new(&aws),
            import_queue: env("IMPORT_QUEUE_URL"),
            import_dlq: env("IMPORT_DLQ_URL"),
        }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        Answer { status, json: serde_json::from_str(&text).unwrap_or(Value::Null), text }
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        let mut request = self.http.post(format!("{}{path}", self.edge)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::answer(request.send().await.unwrap()).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.edge)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::answer(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        Self::answer(self.http.get(format!("{}{path}", self.edge)).bearer_auth(token).send().await.unwrap())
            .await
    }

    /// Signs up a new merchant (a new tenant and its owner).
    pub async fn sign_up(&self) -> Merchant {
        let email = format!("{}@example.com", unique("merchant"));
        let password = format!("pw-{}-{}", unique("a"), unique("b"));
        let body = serde_json::json!({ "email": email, "password": password, "company": "E2E Goods" });
        // Each merchant signs up from an address of its own, as on the internet (Cloudflare sets
        // this header in production): the suite signs up more merchants a minute than one address
        // may.
        let ip = format!("198.51.100.{}", 1 + uuid::Uuid::new_v4().as_bytes()[0] % 250);
        let response = self
            .http
            .post(format!("{}/v1/auth/signup", self.edge))
            .header("cf-connecting-ip", ip)
            .json(&body)
            .send()
            .await
            .unwrap();
        let answer = Self::answer(response).await;
        assert_eq!(answer.status, 201, "{}", answer.text);
        Merchant {
            email,
            password,
            access: answer.json["access_token"].as_str().unwrap().to_owned(),
            refresh: answer.json["refresh_token"].as_str().unwrap().to_owned(),
            tenant_id: answer.json["tenant_id"].as_str().unwrap().to_owned(),
        }
    }

    /// Creates a store without its launch, so that a test's own research runs and products are
    /// all the store has, and sets up its payouts, so that it takes orders.
    pub async fn create_store(&self, merchant: &Merchant, slug: &str, name: &str) -> Answer {
        let body =
            serde_json::json!({ "name": name, "slug": slug, "niche": "pet grooming", "launch": false });
        let created = self.post_json("/v1/stores", Some(&merchant.access), &body).await;
        if created.status == 201 {
            let store_id = created.json["id"].as_str().unwrap();
            self.onboard_payouts(&merchant.access, store_id, "000123456789").await;
            let payouts = self.get(&format!("/v1/stores/{store_id}/payouts"), &merchant.access).await;
            assert_eq!(payouts.json["accepts_orders"], true, "{}", payouts.text);
        }
        created
    }

    /// Goes through the store's payout onboarding as the merchant would: asks the API for a link,
    /// submits Stripe's hosted form (the stand-in's) with a bank account number, and answers where
    /// Stripe sent the merchant back to.
    pub async fn onboard_payouts(&self, token: &str, store_id: &str, account_number: &str) -> String {
        let link = self
            .post_json(&format!("/v1/stores/{store_id}/payouts/onboarding"), Some(token), &Value::Null)
            .await;
        assert_eq!(link.status, 201, "{}", link.text);
        let url = link.json["url"].as_str().unwrap();
        let form = format!("business_name=E2E+Goods&account_number={account_number}");
        let no_redirects =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let submitted = no_redirects
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(submitted.status().as_u16(), 303, "{}", submitted.text().await.unwrap_or_default());
        submitted.headers()[reqwest::header::LOCATION].to_str().unwrap().to_owned()
    }

    pub async fn start_research(&self, merchant: &Merchant, store_id: &str) -> Answer {
        self.post_json(&format!("/v1/stores/{store_id}/research-runs"), Some(&merchant.access), &Value::Null)
            .await
    }

    pub async fn research_run(&self, merchant: &Merchant, store_id: &str, run_id: &str) -> Answer {
        self.get(&format!("/v1/stores/{store_id}/research-runs/{run_id}"), &merchant.access).await
    }

    pub async fn products(&self, merchant: &Merchant, store_id: &str) -> Vec<Value> {
        let answer = self.get(&format!("/v1/stores/{store_id}/products?limit=200"), &merchant.access).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json["products"].as_array().cloned().unwrap_or_default()
    }

    /// A storefront page, reached through the store's host name as a shopper's browser would.
    pub async fn page(&self, host: &str, path: &str) -> Answer {
        let response =
            self.http.get(format!("{}{path}", self.storefront)).header("host", host).send().await.unwrap();
        Self::answer(response).await
    }

    /// A signed internal call, as a function makes it; `tamper` may change it after signing.
    pub async fn internal(&self, path: &str, body: &Value, timestamp: i64, nonce: &str) -> Answer {
        let body = serde_json::to_vec(body).unwrap();
        let signature = sign(self.internal_secret.as_bytes(), "POST", path, timestamp, nonce, &body);
        let response = self
            .http
            .post(format!("{}{path}", self.edge))
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(NONCE_HEADER, nonce)
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .unwrap();
        Self::answer(response).await
    }

    /// The newest mail maildev caught for `address` whose text contains `needle`.
    pub async fn mail_to(&self, address: &str, needle: &str) -> Value {
        eventually(&format!("a mail to {address} containing {needle}"), Duration::from_secs(60), || async {
            let inbox: Value =
                self.http.get("http://127.0.0.1:1080/api/email").send().await.ok()?.json().await.ok()?;
            inbox
                .as_array()?
                .iter()
                .rev()
                .find(|mail| {
                    let to =
                        mail["to"].as_array().is_some_and(|to| to.iter().any(|t| t["address"] == address));
                    to && mail["text"].as_str().is_some_and(|t| t.contains(needle))
                })
                .cloned()
        })
        .await
    }

    /// Moves a merchant's tenant to `plan` the way billing does: Stripe (the local stand-in)
    /// reports a completed checkout to the edge's webhook.
    pub async fn set_plan(&self, merchant: &Merchant, plan: &str) {
        let event = serde_json::json!({
            "type": "checkout.session.completed",
            "object": {
                "id": format!("cs_test_{}", unique("plan")),
                "object": "checkout.session",
                "client_reference_id": merchant.tenant_id,
                "customer": format!("cus_{}", unique("c")),
                "subscription": format!("sub_{}", unique("s")),
                "metadata": { "tenant_id": merchant.tenant_id, "plan": plan },
            }
        });
        let delivered =
            self.http.post("http://127.0.0.1:8420/_test/deliver").json(&event).send().await.unwrap();
        assert!(delivered.status().is_success(), "the Stripe stand-in delivers the event");
        eventually(&format!("the {plan} plan to apply"), Duration::from_secs(30), || async {
            (self.get("/v1/billing", &merchant.access).await.json["plan"] == plan).then_some(())
        })
        .await;
    }

    pub async fn send_import(&self, body: &str) {
        self.sqs.send_message().queue_url(&self.import_queue).message_body(body).send().await.unwrap();
    }

    /// Reads the import dead-letter queue for a message whose body contains `marker`.
    pub async fn dead_lettered(&self, marker: &str) -> bool {
        self.dead_lettered_in(&self.import_dlq, marker).await
    }

    /// Reads dead-letter queue `dlq` for a message whose body contains `marker`.
    pub async fn dead_lettered_in(&self, dlq: &str, marker: &str) -> bool {
        let out = self
            .sqs
            .receive_message()
            .queue_url(dlq)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
        out.messages().iter().any(|m| m.body().is_some_and(|b| b.contains(marker)))
    }
}

/// Polls `check` every half second until it returns `Some`, or fails after `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Publishes a TXT record in the local DNS-over-HTTPS fixture (local/fixtures/doh_server.py reads
/// its records file on every query), as a merchant would at their DNS host.
pub fn publish_txt(name: &str, value: &str) {
    let path = format!("{}/dns-records.json", env("DROPSHIP_STATE"));
    let mut records: serde_json::Map<String, Value> =
        std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    records.insert(name.to_owned(), Value::from(vec![value.to_owned()]));
    let tmp = format!("{path}.{}", std::process::id());
    std::fs::write(&tmp, serde_json::to_string(&records).unwrap()).unwrap();
    std::fs::rename(tmp, path).unwrap();
}

/// The `token=` query value of the first link in a mail's text.
pub fn token_in(mail: &Value) -> String {
    let text = mail["text"].as_str().unwrap_or_default();
    let start = text.find("token=").expect("the mail carries a token link") + "token=".len();
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '&' || c == ')' || c == '>')
        .next()
        .unwrap()
        .to_owned()
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

// The fulfilment steps the fulfilment and tracking tests share.

/// The AliExpress stand-in.
pub const ALIEXPRESS: &str = "http://127.0.0.1:9100";
/// How long fulfilment may take.
const FULFIL_LIMIT: Duration = Duration::from_secs(90);

/// The CJdropshipping stand-in.
pub const CJ: &str = "http://127.0.0.1:9102";

/// Publishes AliExpress product `source_id` in the shop, as an import would.
pub(crate) async fn aliexpress_product(
    stack: &Stack,
    shop: &crate::store::Shop,
    source_id: &str,
    title: &str,
) -> Value {
    supplier_product(stack, shop, "aliexpress", source_id, title).await
}

/// Publishes CJ variant `vid` in the shop as a product of its own, as an import would.
pub(crate) async fn cj_product(stack: &Stack, shop: &crate::store::Shop, vid: &str, title: &str) -> Value {
    supplier_product(stack, shop, "cj", vid, title).await
}

/// Publishes `source`'s product `source_id` in the shop, as an import would.
async fn supplier_product(
    stack: &Stack,
    shop: &crate::store::Shop,
    source: &str,
    source_id: &str,
    title: &str,
) -> Value {
    let body = json!({
        "tenant_id": shop.merchant.tenant_id,
        "source": source,
        "source_product_id": source_id,
        "content": {"title": title,
                    "description": ["A brush that cleans itself.", "Its pins retract.", "Its grip stays dry."],
                    "features": ["Self-cleaning", "Retracting pins", "Soft grip", "Light", "Washable"],
                    "meta_title": title, "meta_description": "A brush that cleans itself.",
                    "keywords": ["brush", "slicker", "dog", "cat", "grooming", "pet", "fur", "shedding", "coat", "comb"]},
        "price": {"minor": 2499, "currency": "USD"},
        "compare_at": null,
        "cost": {"minor": 849, "currency": "USD"},
        "images": ["https://img.example/brush.jpg"],
        "status": "published",
        "research_run_id": null,
        "score": null,
    });
    let path = format!("/internal/stores/{}/products", shop.id);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let published = stack.internal(&path, &body, now, &unique("nonce")).await;
    assert!(published.status == 201 || published.status == 200, "{}", published.text);
    let id = published.json["product_id"].as_str().unwrap().to_owned();
    crate::store::api(stack, shop, reqwest::Method::GET, &format!("/products/{id}"), None).await.json
}

/// The orders the AliExpress stand-in placed under `out_order_id`.
pub(crate) async fn stand_in_orders(stack: &Stack, out_order_id: &str) -> Vec<Value> {
    let answer: Value = stack
        .http
        .get(format!("{ALIEXPRESS}/_test/ds/orders?out_order_id={out_order_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["orders"].as_array().cloned().unwrap_or_default()
}

/// The orders the CJ stand-in holds under `order_number`.
pub(crate) async fn cj_orders(stack: &Stack, order_number: &str) -> Vec<Value> {
    let answer: Value = stack
        .http
        .get(format!("{CJ}/_test/orders?orderNumber={order_number}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["orders"].as_array().cloned().unwrap_or_default()
}

/// The shop's only order, once its fulfilment left `paid`.
pub(crate) async fn settled_order(stack: &Stack, shop: &crate::store::Shop) -> Value {
    eventually("the order's supplier orders", FULFIL_LIMIT, || async {
        let orders = crate::store::api(stack, shop, reqwest::Method::GET, "/orders", None).await;
        let order = orders.json["orders"].get(0)?.clone();
        (order["fulfilment"]["state"] != "paid").then_some(order)
    })
    .await
}
