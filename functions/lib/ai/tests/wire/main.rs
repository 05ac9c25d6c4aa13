//! Wire-format tests against real local servers: the provider adapters against `claude-local`
//! (the Anthropic Messages API) and a stdlib Python stub of OpenAI-compatible chat completions
//! that can be scripted to fail first; the DynamoDB budget store against moto.

mod helpers;

use ai::budget::{BudgetKey, BudgetStore, DailyBudget, DynamoBudget, MemoryBudget, Reservation, Spend};
use ai::provider::anthropic::{self, Anthropic};
use ai::provider::openai::{self, OpenAi};
use ai::provider::{Provider, ProviderError};
use ai::retry::RetryPolicy;
use ai::tasks::{analysis, content};
use ai::{Ai, AiError, AnalysisFacts, ProductFacts, Recommendation, Scope};
use domain::scoring::Signals;
use domain::{Currency, Money, Plan, TenantId};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY: &str = "sk-test-4f9c2e7a1b";

fn facts() -> AnalysisFacts {
    AnalysisFacts {
        niche: "pet grooming".into(),
        product: ProductFacts {
            source: "aliexpress".into(),
            title: "Self Cleaning Slicker Brush for Dogs".into(),
            category: Some("Pet Supplies".into()),
            cost: Money::from_minor(899, Currency::Usd),
            list_price: Some(Money::from_minor(1_999, Currency::Usd)),
            orders_30d: Some(4_300),
            rating_pct: Some(97.2),
            shipping_days: Some(9),
        },
        research_score: 91.0,
        coverage: 55,
        signals: Signals { sales_velocity: Some(100), reddit: Some(80), ..Signals::default() },
        pricing: domain::pricing::PricingRules::default(),
    }
}

fn valid_analysis() -> String {
    serde_json::to_string(&analysis::offline(&facts())).unwrap()
}

fn scope() -> Scope {
    Scope { tenant: TenantId::from_random_bytes([9; 16]), budget: DailyBudget::for_plan(Plan::Growth) }
}

fn today(scope: &Scope) -> BudgetKey {
    BudgetKey { tenant: scope.tenant, day: time::OffsetDateTime::now_utc().date() }
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

fn client(provider: impl Provider + 'static, budget: &Arc<MemoryBudget>, attempts: u32) -> Ai {
    Ai::new(Arc::new(provider), budget.clone(), 4, fast_retries(attempts))
}

fn anthropic_at(server: &helpers::Server, key: &str, model: &str) -> Anthropic {
    Anthropic::new(http(), &server.url, SecretString::from(key), model)
}

// --- Anthropic, against claude-local -----------------------------------------------------------

#[tokio::test]
async fn anthropic_answers_are_read_from_text_blocks_and_their_usage_is_counted() {
    let server = helpers::claude_local();
    server
        .post("/_claude/config", &json!({ "response": format!("```json\n{}\n```", valid_analysis()) }))
        .await;
    let budget = Arc::new(MemoryBudget::default());
    let ai = client(anthropic_at(&server, KEY, anthropic::DEFAULT_MODEL), &budget, 2);

    let analysis = ai.product_analysis(&scope(), &facts()).await.unwrap();
    assert_eq!(analysis.score, 91);
    assert_eq!(analysis.recommendation, Recommendation::Import);
    assert!(analysis.suggested_price.minor > 899);

    let log = server.get("/_claude/state").await["request_log"].as_array().unwrap().clone();
    assert_eq!(log.len(), 1);
    let request = &log[0]["request"];
    assert_eq!(request["model"], anthropic::DEFAULT_MODEL);
    assert_eq!(request["max_tokens"], 1_200);
    assert!(request["system"].as_str().unwrap().contains("exactly one JSON object"));
    assert_eq!(request["messages"].as_array().unwrap().len(), 1);
    assert_eq!(request["messages"][0]["role"], "user");
    assert!(request["messages"][0]["content"].as_str().unwrap().contains("Self Cleaning Slicker Brush"));

    let usage = &log[0]["response"]["usage"];
    let tokens = usage["input_tokens"].as_i64().unwrap() + usage["output_tokens"].as_i64().unwrap();
    assert_eq!(budget.spent(&today(&scope())).await.unwrap().tokens, tokens, "settled to the reported usage");
}

#[tokio::test]
async fn an_anthropic_answer_that_stays_invalid_gets_one_repair_then_fails_the_item() {
    let server = helpers::claude_local();
    server.post("/_claude/config", &json!({ "response": "I'd rather not answer in JSON." })).await;
    let ai =
        client(anthropic_at(&server, KEY, anthropic::DEFAULT_MODEL), &Arc::new(MemoryBudget::default()), 2);

    let error = ai.product_analysis(&scope(), &facts()).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidOutput { task: "product_analysis", .. }), "{error}");

    let log = server.get("/_claude/state").await["request_log"].as_array().unwrap().clone();
    assert_eq!(log.len(), 2, "the first answer and exactly one repair");
    let repair = log[1]["request"]["messages"].as_array().unwrap();
    let roles: Vec<&str> = repair.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(repair[1]["content"], "I'd rather not answer in JSON.");
    assert!(repair[2]["content"].as_str().unwrap().contains("no JSON object"));
}

#[tokio::test]
async fn anthropic_refusals_are_not_retried_and_never_show_the_key() {
    let server = helpers::claude_local();
    let budget = Arc::new(MemoryBudget::default());

    let unknown_model = client(anthropic_at(&server, KEY, "claude-nonexistent-model"), &budget, 3);
    let error = unknown_model.product_analysis(&scope(), &facts()).await.unwrap_err();
    let AiError::Provider { source: ProviderError::Refused { status, kind, .. }, .. } = &error else {
        panic!("expected a refusal, got {error}");
    };
    assert_eq!((*status, kind.as_str()), (400, "invalid_request_error"));
    assert!(!format!("{error} {error:?}").contains(KEY));

    let keyless = client(anthropic_at(&server, "", anthropic::DEFAULT_MODEL), &budget, 3);
    let error = keyless.product_analysis(&scope(), &facts()).await.unwrap_err();
    assert!(
        matches!(&error, AiError::Provider { source: ProviderError::Refused { status: 401, kind, .. }, .. } if kind == "authentication_error"),
        "{error}"
    );
    assert_eq!(budget.spent(&today(&scope())).await.unwrap(), Spend::default(), "refused calls cost nothing");
}

// --- OpenAI-compatible, against the stub -------------------------------------------------------

fn openai_at(server: &helpers::Server, base: &str, key: Option<&str>, json_mode: bool) -> OpenAi {
    OpenAi::new(
        http(),
        &format!("{}{base}", server.url),
        key.map(SecretString::from),
        openai::DEFAULT_MODEL,
        json_mode,
    )
}

async fn requests(server: &helpers::Server) -> Vec<Value> {
    server.get("/_stub/requests").await.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_rate_limited_call_is_retried_after_the_servers_retry_after() {
    let server = helpers::openai_stub();
    server
        .post(
            "/_stub/script",
            &json!([
                { "status": 429, "headers": { "retry-after": "1" }, "message": "Rate limit reached" },
                { "status": 200, "content": valid_analysis() },
            ]),
        )
        .await;
    let ai = client(openai_at(&server, "", Some(KEY), true), &Arc::new(MemoryBudget::default()), 3);

    let started = Instant::now();
    let analysis = ai.product_analysis(&scope(), &facts()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    assert_eq!(analysis.score, 91);

    let seen = requests(&server).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1]["headers"]["authorization"], format!("Bearer {KEY}"));
    let body = &seen[1]["body"];
    assert_eq!(body["model"], openai::DEFAULT_MODEL);
    assert_eq!(body["max_tokens"], 1_200);
    assert_eq!(body["response_format"], json!({ "type": "json_object" }));
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["role"], "user");
}

#[tokio::test]
async fn invalid_json_then_valid_json_is_one_repair() {
    let server = helpers::openai_stub();
    server
        .post(
            "/_stub/script",
            &json!([
                { "status": 200, "content": "{\"score\": 91, \"recommendation\": import}" },
                { "status": 200, "content": valid_analysis() },
            ]),
        )
        .await;
    let budget = Arc::new(MemoryBudget::default());
    let ai = client(openai_at(&server, "", Some(KEY), true), &budget, 3);

    ai.product_analysis(&scope(), &facts()).await.unwrap();
    let seen = requests(&server).await;
    assert_eq!(seen.len(), 2);
    let messages = seen[1]["body"]["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert!(messages[3]["content"].as_str().unwrap().contains("not valid JSON"));
    // Two answers of 120 prompt and 80 completion tokens each.
    assert_eq!(budget.spent(&today(&scope())).await.unwrap().tokens, 400);
}

#[tokio::test]
async fn server_errors_are_retried_until_the_attempts_run_out() {
    let server = helpers::openai_stub();
    server
        .post("/_stub/script", &json!([{ "status": 500 }, { "status": 502 }, { "status": 503 }, { "status": 200, "content": valid_analysis() }]))
        .await;
    let ai = client(openai_at(&server, "", Some(KEY), true), &Arc::new(MemoryBudget::default()), 3);

    let error = ai.product_analysis(&scope(), &facts()).await.unwrap_err();
    assert!(
        matches!(error, AiError::Provider { source: ProviderError::Unavailable { status: 503, .. }, .. }),
        "{error}"
    );
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn a_keyless_self_hosted_server_at_a_v1_base_url_writes_content() {
    let server = helpers::openai_stub();
    let answer = serde_json::to_string(&content::offline(&facts().product)).unwrap();
    server.post("/_stub/script", &json!([{ "status": 200, "content": answer }])).await;
    let ai = client(openai_at(&server, "/v1", None, false), &Arc::new(MemoryBudget::default()), 2);

    let written = ai.product_content(&scope(), &facts().product).await.unwrap();
    assert_eq!(written.validate(), Ok(()));
    assert_eq!(written.title, "Self Cleaning Slicker Brush For Dogs");

    let seen = requests(&server).await;
    assert_eq!(seen.len(), 1);
    assert!(seen[0]["headers"].get("authorization").is_none());
    assert!(seen[0]["body"].get("response_format").is_none());
    assert_eq!(seen[0]["body"]["max_tokens"], 2_000);
}

#[tokio::test]
async fn over_budget_nothing_is_sent() {
    let server = helpers::openai_stub();
    let ai = client(openai_at(&server, "", Some(KEY), true), &Arc::new(MemoryBudget::default()), 2);
    let broke = Scope { budget: DailyBudget { tokens: 10_000, micro_usd: 1 }, ..scope() };

    let error = ai.product_analysis(&broke, &facts()).await.unwrap_err();
    assert!(error.is_budget_exceeded(), "{error}");
    assert!(requests(&server).await.is_empty());
}

// --- The budget table, against moto -------------------------------------------------------------

#[tokio::test]
async fn the_dynamodb_budget_reserves_atomically_settles_and_expires() {
    let moto = helpers::moto();
    let dynamo = moto.dynamodb("ai-budget-test").await;
    let store = DynamoBudget::new(dynamo.clone(), "ai-budget-test");
    let key =
        BudgetKey { tenant: TenantId::from_random_bytes([3; 16]), day: time::macros::date!(2026 - 11 - 26) };
    let budget = DailyBudget { tokens: 10_000, micro_usd: 50_000 };
    let estimate = Spend { tokens: 4_000, micro_usd: 20_000 };

    assert_eq!(store.reserve(&key, estimate, budget).await.unwrap(), Reservation::Reserved);
    assert_eq!(store.reserve(&key, estimate, budget).await.unwrap(), Reservation::Reserved);
    assert_eq!(store.reserve(&key, estimate, budget).await.unwrap(), Reservation::OverBudget);
    assert_eq!(store.spent(&key).await.unwrap(), Spend { tokens: 8_000, micro_usd: 40_000 });

    // Both calls used less than reserved: settling gives the difference back, and room returns.
    let actual = Spend { tokens: 1_000, micro_usd: 5_000 };
    store.adjust(&key, actual - estimate).await.unwrap();
    store.adjust(&key, actual - estimate).await.unwrap();
    assert_eq!(store.spent(&key).await.unwrap(), Spend { tokens: 2_000, micro_usd: 10_000 });
    assert_eq!(store.reserve(&key, estimate, budget).await.unwrap(), Reservation::Reserved);

    let item = dynamo
        .get_item()
        .table_name("ai-budget-test")
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S(format!("ai#{}", key.tenant)))
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("2026-11-26".into()))
        .send()
        .await
        .unwrap();
    let item = item.item().expect("the tenant-day record");
    assert_eq!(item["calls"].as_n().unwrap(), "3");
    let expires: i64 = item["expires_at"].as_n().unwrap().parse().unwrap();
    let end_of_day = time::macros::datetime!(2026 - 11 - 27 0:00 UTC).unix_timestamp();
    assert!(expires > end_of_day && expires <= end_of_day + 7 * 86_400, "kept a few days: {expires}");
}
