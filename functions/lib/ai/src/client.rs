//! The AI client the pipelines hold: runs a task through the configured provider with the
//! concurrency limit, retries, the tenant's budget and one repair of an invalid answer.

use crate::budget::{spend, BudgetKey, BudgetStore, DailyBudget, Reservation, Spend};
use crate::config::{AiConfig, ProviderConfig};
use crate::output::{parse_object, OutputError};
use crate::prompt::{render, PromptError};
use crate::provider::anthropic::Anthropic;
use crate::provider::offline::Offline;
use crate::provider::openai::OpenAi;
use crate::provider::{Generation, Provider, ProviderError, Request, TokenUsage, Turn};
use crate::retry::RetryPolicy;
use crate::tasks::analysis::{AnalysisFacts, ProductAnalysis, ProductAnalysisTask};
use crate::tasks::content::ProductContentTask;
use crate::tasks::{ProductFacts, Task, REPAIR_PROMPT, SYSTEM_PROMPT};
use anyhow::Context;
use domain::content::ProductContent;
use domain::TenantId;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Whose budget a call counts against, and how large it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// The tenant the work is for.
    pub tenant: TenantId,
    /// The tenant's daily budget, from its plan.
    pub budget: DailyBudget,
}

/// Why a task gave no result.
#[derive(Debug, thiserror::Error)]
pub enum AiError {
    /// The tenant's AI budget for today is spent. The caller defers the work (fails its message
    /// so the queue delivers it again later); it must not drop it.
    #[error("AI budget of tenant {tenant} is spent for {day}")]
    BudgetExceeded {
        /// The tenant.
        tenant: TenantId,
        /// The UTC day, `yyyy-mm-dd`.
        day: String,
    },
    /// The answer was invalid, and so was the answer to the one repair turn. Only this item fails.
    #[error("{task}: the model's answer stayed invalid after a repair: {error}")]
    InvalidOutput {
        /// The task.
        task: &'static str,
        /// What was wrong with the last answer.
        error: OutputError,
    },
    /// The provider failed after the retries, or refused the request.
    #[error("{task}: {source}")]
    Provider {
        /// The task.
        task: &'static str,
        /// The last failure.
        #[source]
        source: ProviderError,
    },
    /// The budget store could not be read or written.
    #[error("AI budget store: {0:#}")]
    BudgetStore(anyhow::Error),
    /// A prompt template names a value its task does not give: a bug caught by the tests.
    #[error("prompt of {task}: {source}")]
    Prompt {
        /// The task.
        task: &'static str,
        /// What is missing.
        #[source]
        source: PromptError,
    },
}

impl AiError {
    /// Whether the tenant's budget is spent: the caller defers the work.
    pub fn is_budget_exceeded(&self) -> bool {
        matches!(self, AiError::BudgetExceeded { .. })
    }

    /// Whether only this item failed (the model could not produce a valid answer) and the rest
    /// of the caller's work can go on.
    pub fn is_item_failure(&self) -> bool {
        matches!(self, AiError::InvalidOutput { .. })
    }
}

/// Characters per prompt token assumed when reserving budget: lower than the usual four, so
/// the estimate errs high.
const CHARS_PER_TOKEN: usize = 3;

/// The AI client. Build it once per process: its concurrency limit is shared by every call.
#[derive(Clone)]
pub struct Ai {
    provider: Arc<dyn Provider>,
    budget: Arc<dyn BudgetStore>,
    limiter: Arc<Semaphore>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Ai {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ai")
            .field("provider", &self.provider.name())
            .field("model", &self.provider.model())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Ai {
    /// A client of `provider`, counting spend in `budget`, with at most `max_concurrency` calls
    /// in flight.
    pub fn new(
        provider: Arc<dyn Provider>,
        budget: Arc<dyn BudgetStore>,
        max_concurrency: usize,
        retry: RetryPolicy,
    ) -> Self {
        Self { provider, budget, limiter: Arc::new(Semaphore::new(max_concurrency.max(1))), retry }
    }

    /// The client a configuration describes.
    pub fn from_config(config: AiConfig, budget: Arc<dyn BudgetStore>) -> anyhow::Result<Self> {
        let http = || {
            reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(10))
                .timeout(config.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .context("building the AI HTTP client")
        };
        let provider: Arc<dyn Provider> = match config.provider {
            ProviderConfig::Offline => Arc::new(Offline),
            ProviderConfig::Anthropic { base_url, key, model } => {
                Arc::new(Anthropic::new(http()?, &base_url, key, model))
            }
            ProviderConfig::OpenAi { base_url, key, model, json_mode } => {
                Arc::new(OpenAi::new(http()?, &base_url, key, model, json_mode))
            }
        };
        Ok(Self::new(provider, budget, config.max_concurrency, config.retry))
    }

    /// The client the environment describes (see [`crate::config`]).
    pub fn from_env(budget: Arc<dyn BudgetStore>) -> anyhow::Result<Self> {
        Self::from_config(AiConfig::from_env()?, budget)
    }

    /// The provider's name, for logs and reports.
    pub fn provider_name(&self) -> &'static str {
        self.provider.name()
    }

    /// Analyses a researched product.
    pub async fn product_analysis(
        &self,
        scope: &Scope,
        facts: &AnalysisFacts,
    ) -> Result<ProductAnalysis, AiError> {
        self.run::<ProductAnalysisTask>(scope, facts).await
    }

    /// Writes a product's content.
    pub async fn product_content(
        &self,
        scope: &Scope,
        product: &ProductFacts,
    ) -> Result<ProductContent, AiError> {
        self.run::<ProductContentTask>(scope, product).await
    }

    /// Writes a blog post answering a search phrase.
    pub async fn blog_post(
        &self,
        scope: &Scope,
        facts: &crate::tasks::blog::BlogFacts,
    ) -> Result<crate::tasks::blog::BlogPost, AiError> {
        self.run::<crate::tasks::blog::BlogPostTask>(scope, facts).await
    }

    /// Runs a task: renders its prompt, asks the provider, and validates the answer; an invalid
    /// answer gets exactly one repair turn that sends the error back.
    pub async fn run<T: Task>(&self, scope: &Scope, input: &T::Input) -> Result<T::Output, AiError> {
        let prompt_error = |source| AiError::Prompt { task: T::NAME, source };
        let facts = serde_json::to_value(input).expect("task inputs always serialise");
        let prompt = render(T::PROMPT, &T::placeholders(input)).map_err(prompt_error)?;
        let mut turns = vec![Turn::user(prompt)];

        let first = self.generate::<T>(scope, &turns, &facts).await?;
        let error = match Self::read::<T>(&first, input) {
            Ok(output) => return Ok(output),
            Err(error) => error,
        };
        tracing::warn!(task = T::NAME, provider = self.provider.name(), error = %error, "invalid AI answer; asking for a repair");
        let earlier = if first.text.trim().is_empty() { "(empty answer)".to_owned() } else { first.text };
        turns.push(Turn::assistant(earlier));
        turns.push(Turn::user(render(REPAIR_PROMPT, &[("error", error.to_string())]).map_err(prompt_error)?));

        let second = self.generate::<T>(scope, &turns, &facts).await?;
        Self::read::<T>(&second, input).map_err(|error| {
            tracing::warn!(task = T::NAME, provider = self.provider.name(), error = %error, "AI answer still invalid after the repair");
            AiError::InvalidOutput { task: T::NAME, error }
        })
    }

    fn read<T: Task>(generation: &Generation, input: &T::Input) -> Result<T::Output, OutputError> {
        parse_object(&generation.text).and_then(|value| T::parse(value, input)).map_err(|error| {
            if generation.truncated {
                OutputError::Truncated(Box::new(error))
            } else {
                error
            }
        })
    }

    /// One generation: reserve the estimated spend, call with retries under the concurrency
    /// limit, then settle the reservation to the reported usage.
    async fn generate<T: Task>(
        &self,
        scope: &Scope,
        turns: &[Turn],
        facts: &serde_json::Value,
    ) -> Result<Generation, AiError> {
        let request = Request {
            task: T::NAME,
            system: SYSTEM_PROMPT.to_owned(),
            turns: turns.to_vec(),
            max_tokens: T::MAX_TOKENS,
            temperature: T::TEMPERATURE,
            facts: facts.clone(),
        };
        let model = self.provider.model();
        let key = BudgetKey { tenant: scope.tenant, day: time::OffsetDateTime::now_utc().date() };
        let estimate = spend(
            model,
            TokenUsage {
                input: request.prompt_chars().div_ceil(CHARS_PER_TOKEN) as u64,
                output: u64::from(request.max_tokens),
            },
        );
        let metered = self.provider.metered();
        if metered {
            let reservation =
                self.budget.reserve(&key, estimate, scope.budget).await.map_err(AiError::BudgetStore)?;
            if reservation == Reservation::OverBudget {
                tracing::warn!(task = T::NAME, tenant = %scope.tenant, "AI budget spent for today; deferring");
                return Err(AiError::BudgetExceeded { tenant: scope.tenant, day: key.sk() });
            }
        }

        let (provider, limiter, request) = (&self.provider, &self.limiter, &request);
        let result = self
            .retry
            .run(T::NAME, || async move {
                let _permit = limiter.acquire().await.expect("the limiter is never closed");
                provider.generate(request).await
            })
            .await;

        if metered {
            let actual = result.as_ref().map_or(Spend::default(), |g| spend(model, g.usage));
            if let Err(error) = self.budget.adjust(&key, actual - estimate).await {
                // The reservation stays counted: the tenant is over- rather than under-charged.
                tracing::warn!(task = T::NAME, error = format!("{error:#}"), "could not settle AI budget");
            }
            if let Ok(generation) = &result {
                tracing::info!(
                    task = T::NAME,
                    provider = provider.name(),
                    model,
                    input_tokens = generation.usage.input,
                    output_tokens = generation.usage.output,
                    micro_usd = actual.micro_usd,
                    "AI call"
                );
            }
        }
        result.map_err(|source| AiError::Provider { task: T::NAME, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::MemoryBudget;
    use crate::provider::offline::Offline;
    use crate::provider::{BoxFuture, Role};
    use crate::tasks::analysis;
    use domain::scoring::Signals;
    use domain::{Currency, Money};
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    use std::time::Duration;

    /// Answers from a script, and keeps every request.
    #[derive(Default)]
    struct Scripted {
        answers: Mutex<VecDeque<Result<Generation, ProviderError>>>,
        requests: Mutex<Vec<Request>>,
        in_flight: AtomicUsize,
        most_in_flight: AtomicUsize,
    }

    impl Scripted {
        fn answering(texts: &[&str]) -> Arc<Self> {
            let scripted = Self::default();
            for text in texts {
                scripted.answers.lock().unwrap().push_back(Ok(Generation {
                    text: (*text).to_owned(),
                    usage: TokenUsage { input: 1_000, output: 200 },
                    truncated: false,
                }));
            }
            Arc::new(scripted)
        }

        fn requests(&self) -> Vec<Request> {
            self.requests.lock().unwrap().clone()
        }
    }

    impl Provider for Scripted {
        fn name(&self) -> &'static str {
            "scripted"
        }

        fn model(&self) -> &str {
            "claude-sonnet-4-20250514"
        }

        fn metered(&self) -> bool {
            true
        }

        fn generate<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Generation, ProviderError>> {
            Box::pin(async move {
                let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                self.most_in_flight.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                self.requests.lock().unwrap().push(request.clone());
                self.answers.lock().unwrap().pop_front().unwrap_or_else(|| {
                    Ok(Generation { text: valid_answer(), usage: TokenUsage::default(), truncated: false })
                })
            })
        }
    }

    fn facts() -> AnalysisFacts {
        AnalysisFacts {
            niche: "pet grooming".into(),
            product: ProductFacts {
                source: "aliexpress".into(),
                title: "Self Cleaning Slicker Brush".into(),
                category: Some("Pet Supplies".into()),
                cost: Money::from_minor(899, Currency::Usd),
                list_price: None,
                orders_30d: Some(4_300),
                rating_pct: Some(97.0),
                shipping_days: Some(9),
            },
            research_score: 92.0,
            coverage: 55,
            signals: Signals { sales_velocity: Some(100), ..Signals::default() },
            pricing: domain::pricing::PricingRules::default(),
        }
    }

    fn valid_answer() -> String {
        serde_json::to_string(&analysis::offline(&facts())).unwrap()
    }

    fn scope(budget: DailyBudget) -> Scope {
        Scope { tenant: TenantId::from_random_bytes([1; 16]), budget }
    }

    fn today(scope: &Scope) -> BudgetKey {
        BudgetKey { tenant: scope.tenant, day: time::OffsetDateTime::now_utc().date() }
    }

    fn client(provider: Arc<dyn Provider>, budget: Arc<MemoryBudget>) -> Ai {
        let retry = RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            ..RetryPolicy::default()
        };
        Ai::new(provider, budget, 2, retry)
    }

    #[tokio::test]
    async fn a_valid_answer_needs_no_repair_and_its_tokens_are_counted() {
        let provider = Scripted::answering(&[&format!("Sure:\n```json\n{}\n```", valid_answer())]);
        let budget = Arc::new(MemoryBudget::default());
        let scope = scope(DailyBudget::for_plan(domain::Plan::Starter));
        let analysis =
            client(provider.clone(), budget.clone()).product_analysis(&scope, &facts()).await.unwrap();
        assert_eq!(analysis.recommendation, analysis::Recommendation::Import);
        assert_eq!(provider.requests().len(), 1);
        // The reservation was settled to the reported 1,000 + 200 tokens.
        let spent = budget.spent(&today(&scope)).await.unwrap();
        assert_eq!(spent, Spend { tokens: 1_200, micro_usd: 6_000 });
    }

    #[tokio::test]
    async fn an_invalid_answer_gets_one_repair_that_carries_the_error() {
        let provider = Scripted::answering(&["I think this product is great!", &valid_answer()]);
        let ai = client(provider.clone(), Arc::new(MemoryBudget::default()));
        ai.product_analysis(&scope(DailyBudget::for_plan(domain::Plan::Starter)), &facts()).await.unwrap();
        let requests = provider.requests();
        assert_eq!(requests.len(), 2);
        let repair = &requests[1].turns;
        assert_eq!(
            repair.iter().map(|t| t.role).collect::<Vec<_>>(),
            [Role::User, Role::Assistant, Role::User]
        );
        assert_eq!(repair[1].content, "I think this product is great!");
        assert!(repair[2].content.contains("contains no JSON object"), "{}", repair[2].content);
    }

    #[tokio::test]
    async fn an_answer_still_invalid_after_the_repair_fails_the_item_only() {
        let mut wrong = serde_json::from_str::<serde_json::Value>(&valid_answer()).unwrap();
        wrong["score"] = serde_json::json!(250);
        let provider = Scripted::answering(&[&wrong.to_string(), &wrong.to_string(), &valid_answer()]);
        let ai = client(provider.clone(), Arc::new(MemoryBudget::default()));
        let error = ai
            .product_analysis(&scope(DailyBudget::for_plan(domain::Plan::Starter)), &facts())
            .await
            .unwrap_err();
        assert!(error.is_item_failure() && !error.is_budget_exceeded(), "{error}");
        assert!(error.to_string().contains("score"), "{error}");
        assert_eq!(provider.requests().len(), 2, "exactly one repair");
    }

    #[tokio::test]
    async fn a_truncated_answer_is_repaired_with_a_request_to_be_brief() {
        let provider = Scripted::answering(&[]);
        provider.answers.lock().unwrap().push_back(Ok(Generation {
            text: "{\"score\": 80, \"reasoning\": \"Because".into(),
            usage: TokenUsage { input: 10, output: 1_200 },
            truncated: true,
        }));
        let ai = client(provider.clone(), Arc::new(MemoryBudget::default()));
        ai.product_analysis(&scope(DailyBudget::for_plan(domain::Plan::Starter)), &facts()).await.unwrap();
        assert!(provider.requests()[1].turns[2].content.contains("token limit"));
    }

    #[tokio::test]
    async fn over_budget_no_call_is_made_and_the_error_is_distinct() {
        let provider = Scripted::answering(&[&valid_answer()]);
        let budget = Arc::new(MemoryBudget::default());
        let scope = scope(DailyBudget { tokens: 1_000_000, micro_usd: 1_000_000 });
        let ai = client(provider.clone(), budget.clone());
        ai.product_analysis(&scope, &facts()).await.unwrap();
        // Most of the day's budget goes elsewhere: the next call's reservation (its prompt plus
        // 1,200 answer tokens at $15/M) no longer fits.
        budget.adjust(&today(&scope), Spend { tokens: 0, micro_usd: 985_000 }).await.unwrap();
        let error = ai.product_analysis(&scope, &facts()).await.unwrap_err();
        assert!(error.is_budget_exceeded(), "{error}");
        assert!(!error.is_item_failure());
        assert_eq!(provider.requests().len(), 1);
    }

    #[tokio::test]
    async fn a_provider_failure_gives_back_the_reservation() {
        let provider = Scripted::answering(&[]);
        for _ in 0..4 {
            provider.answers.lock().unwrap().push_back(Err(ProviderError::Unavailable {
                provider: "scripted",
                status: 503,
                message: "overloaded".into(),
            }));
        }
        let budget = Arc::new(MemoryBudget::default());
        let scope = scope(DailyBudget::for_plan(domain::Plan::Starter));
        let error =
            client(provider.clone(), budget.clone()).product_analysis(&scope, &facts()).await.unwrap_err();
        assert!(
            matches!(error, AiError::Provider { source: ProviderError::Unavailable { .. }, .. }),
            "{error}"
        );
        assert_eq!(provider.requests().len(), 4, "every attempt of the policy was made");
        assert_eq!(budget.spent(&today(&scope)).await.unwrap(), Spend::default());
    }

    #[tokio::test]
    async fn calls_in_flight_never_pass_the_concurrency_limit() {
        let provider = Scripted::answering(&[]);
        let ai = client(provider.clone(), Arc::new(MemoryBudget::default()));
        let scope = scope(DailyBudget::for_plan(domain::Plan::Enterprise));
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let ai = ai.clone();
            calls.spawn(async move { ai.product_analysis(&scope, &facts()).await });
        }
        while let Some(result) = calls.join_next().await {
            result.unwrap().unwrap();
        }
        assert_eq!(provider.requests().len(), 8);
        assert_eq!(provider.most_in_flight.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn the_offline_provider_answers_every_task_validly_and_costs_nothing() {
        let budget = Arc::new(MemoryBudget::default());
        let ai = Ai::new(Arc::new(Offline), budget.clone(), 1, RetryPolicy::default());
        let scope = scope(DailyBudget { tokens: 0, micro_usd: 0 });
        let analysis = ai.product_analysis(&scope, &facts()).await.unwrap();
        assert_eq!(analysis.score, 92);
        let content = ai.product_content(&scope, &facts().product).await.unwrap();
        assert_eq!(content.validate(), Ok(()));
        assert_eq!(budget.spent(&today(&scope)).await.unwrap(), Spend::default());
    }

    #[test]
    fn every_prompt_renders_with_its_tasks_values() {
        let analysis =
            render(ProductAnalysisTask::PROMPT, &ProductAnalysisTask::placeholders(&facts())).unwrap();
        assert!(
            analysis.contains("pet grooming")
                && analysis.contains("cost: 8.99 USD")
                && !analysis.contains("{{")
        );
        let content =
            render(ProductContentTask::PROMPT, &ProductContentTask::placeholders(&facts().product)).unwrap();
        assert!(content.contains("at most 60 characters") && !content.contains("{{"));
        let repair = render(REPAIR_PROMPT, &[("error", "bad".into())]).unwrap();
        assert!(repair.contains("bad"));
        assert!(!SYSTEM_PROMPT.contains("{{"));
    }
}
