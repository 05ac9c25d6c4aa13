//! Per-tenant daily AI budgets: tokens and estimated cost, accounted per tenant per UTC day.
//!
//! Before a call, its estimated spend (prompt tokens from the prompt's length, plus the whole
//! `max_tokens`) is reserved with one conditional write that fails when the day's total would
//! pass the budget; after it, the reservation is settled to the tokens the provider reported.
//! The check and the count are one atomic operation, so concurrent calls cannot overspend
//! together. In DynamoDB each tenant-day is an item (`pk = ai#<tenant>`, `sk = <yyyy-mm-dd>`)
//! updated with `ADD`, kept for [`TTL_DAYS`].

use crate::provider::{BoxFuture, TokenUsage};
use anyhow::Context;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::{Plan, TenantId};
use std::collections::HashMap;
use std::sync::Mutex;
use time::Date;

/// How long a tenant-day's record is kept.
pub const TTL_DAYS: i64 = 3;

/// Tokens and estimated cost, in integer micro-dollars (one millionth of a US dollar). Signed,
/// so a settlement can give back part of a reservation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spend {
    /// Tokens, prompt and answer.
    pub tokens: i64,
    /// Estimated cost in micro-dollars.
    pub micro_usd: i64,
}

impl std::ops::Sub for Spend {
    type Output = Spend;

    fn sub(self, other: Spend) -> Spend {
        Spend { tokens: self.tokens - other.tokens, micro_usd: self.micro_usd - other.micro_usd }
    }
}

/// What a tenant may spend on AI in one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyBudget {
    /// Tokens per day.
    pub tokens: i64,
    /// Estimated cost per day, in micro-dollars.
    pub micro_usd: i64,
}

impl DailyBudget {
    /// The budget of a plan. A Starter run (weekly, 5 imports) spends about 30,000 tokens; the
    /// others scale with their research cadence.
    pub fn for_plan(plan: Plan) -> Self {
        let limits = plan.limits();
        Self { tokens: limits.ai_tokens_per_day, micro_usd: limits.ai_micro_usd_per_day }
    }

    /// Whether `used` plus `more` stays within the budget.
    pub fn allows(&self, used: Spend, more: Spend) -> bool {
        used.tokens + more.tokens <= self.tokens && used.micro_usd + more.micro_usd <= self.micro_usd
    }
}

/// A model's list price in micro-dollars per million tokens (equal to dollars per token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelPrice {
    /// Per million prompt tokens.
    pub input: i64,
    /// Per million answer tokens.
    pub output: i64,
}

/// List prices by model-name prefix, in dollars per million tokens times one million. The
/// longest matching prefix wins.
const PRICES: &[(&str, ModelPrice)] = &[
    ("claude-opus-4", ModelPrice { input: 15_000_000, output: 75_000_000 }),
    ("claude-sonnet-4", ModelPrice { input: 3_000_000, output: 15_000_000 }),
    ("claude-3-7-sonnet", ModelPrice { input: 3_000_000, output: 15_000_000 }),
    ("claude-3-5-sonnet", ModelPrice { input: 3_000_000, output: 15_000_000 }),
    ("claude-haiku-4", ModelPrice { input: 1_000_000, output: 5_000_000 }),
    ("claude-3-5-haiku", ModelPrice { input: 800_000, output: 4_000_000 }),
    ("gpt-4o", ModelPrice { input: 2_500_000, output: 10_000_000 }),
    ("gpt-4o-mini", ModelPrice { input: 150_000, output: 600_000 }),
    ("gpt-4.1", ModelPrice { input: 2_000_000, output: 8_000_000 }),
    ("gpt-4.1-mini", ModelPrice { input: 400_000, output: 1_600_000 }),
];

/// The price of a model no entry matches (a self-hosted model, a new name): a mid-range model's,
/// so an unknown model is never free against the budget.
pub const UNKNOWN_MODEL_PRICE: ModelPrice = ModelPrice { input: 3_000_000, output: 15_000_000 };

/// The price of `model`.
pub fn price(model: &str) -> ModelPrice {
    PRICES
        .iter()
        .filter(|(prefix, _)| model.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map_or(UNKNOWN_MODEL_PRICE, |(_, price)| *price)
}

/// What `usage` of `model` costs, rounded up to a whole micro-dollar.
pub fn spend(model: &str, usage: TokenUsage) -> Spend {
    let price = price(model);
    let input = i64::try_from(usage.input).unwrap_or(i64::MAX / 4);
    let output = i64::try_from(usage.output).unwrap_or(i64::MAX / 4);
    let scaled = i128::from(input) * i128::from(price.input) + i128::from(output) * i128::from(price.output);
    let micro_usd = (scaled + 999_999) / 1_000_000;
    Spend { tokens: input + output, micro_usd: i64::try_from(micro_usd).unwrap_or(i64::MAX) }
}

/// Which record a spend counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BudgetKey {
    /// The tenant.
    pub tenant: TenantId,
    /// The UTC day.
    pub day: Date,
}

impl BudgetKey {
    /// The item's partition key.
    pub fn pk(&self) -> String {
        format!("ai#{}", self.tenant)
    }

    /// The item's sort key, `yyyy-mm-dd`.
    pub fn sk(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.day.year(), u8::from(self.day.month()), self.day.day())
    }
}

/// Whether a reservation was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The spend is counted.
    Reserved,
    /// The day's budget would be passed; nothing was counted.
    OverBudget,
}

/// Where tenant-day spend is counted.
pub trait BudgetStore: Send + Sync {
    /// Counts `amount` against `key` if the total stays within `budget`, atomically.
    fn reserve<'a>(
        &'a self,
        key: &'a BudgetKey,
        amount: Spend,
        budget: DailyBudget,
    ) -> BoxFuture<'a, anyhow::Result<Reservation>>;

    /// Adds `delta` (possibly negative) to `key`'s spend, unconditionally.
    fn adjust<'a>(&'a self, key: &'a BudgetKey, delta: Spend) -> BoxFuture<'a, anyhow::Result<()>>;

    /// The spend counted against `key`.
    fn spent<'a>(&'a self, key: &'a BudgetKey) -> BoxFuture<'a, anyhow::Result<Spend>>;
}

/// Spend kept in memory: for tests, and for running without a table.
#[derive(Debug, Default)]
pub struct MemoryBudget {
    spent: Mutex<HashMap<BudgetKey, Spend>>,
}

impl BudgetStore for MemoryBudget {
    fn reserve<'a>(
        &'a self,
        key: &'a BudgetKey,
        amount: Spend,
        budget: DailyBudget,
    ) -> BoxFuture<'a, anyhow::Result<Reservation>> {
        Box::pin(async move {
            let mut spent = self.spent.lock().expect("not poisoned");
            let entry = spent.entry(key.clone()).or_default();
            if !budget.allows(*entry, amount) {
                return Ok(Reservation::OverBudget);
            }
            entry.tokens += amount.tokens;
            entry.micro_usd += amount.micro_usd;
            Ok(Reservation::Reserved)
        })
    }

    fn adjust<'a>(&'a self, key: &'a BudgetKey, delta: Spend) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut spent = self.spent.lock().expect("not poisoned");
            let entry = spent.entry(key.clone()).or_default();
            entry.tokens += delta.tokens;
            entry.micro_usd += delta.micro_usd;
            Ok(())
        })
    }

    fn spent<'a>(&'a self, key: &'a BudgetKey) -> BoxFuture<'a, anyhow::Result<Spend>> {
        Box::pin(
            async move { Ok(self.spent.lock().expect("not poisoned").get(key).copied().unwrap_or_default()) },
        )
    }
}

/// Spend in the pipelines' DynamoDB table (hash key `pk`, range key `sk`, TTL on `expires_at`).
#[derive(Debug, Clone)]
pub struct DynamoBudget {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoBudget {
    /// Records in `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    fn key(key: &BudgetKey) -> HashMap<String, AttributeValue> {
        HashMap::from([
            ("pk".to_owned(), AttributeValue::S(key.pk())),
            ("sk".to_owned(), AttributeValue::S(key.sk())),
        ])
    }

    fn expires_at(key: &BudgetKey) -> String {
        let end_of_day = key.day.midnight().assume_utc().unix_timestamp() + 86_400;
        (end_of_day + TTL_DAYS * 86_400).to_string()
    }

    fn n(value: i64) -> AttributeValue {
        AttributeValue::N(value.to_string())
    }
}

impl BudgetStore for DynamoBudget {
    fn reserve<'a>(
        &'a self,
        key: &'a BudgetKey,
        amount: Spend,
        budget: DailyBudget,
    ) -> BoxFuture<'a, anyhow::Result<Reservation>> {
        Box::pin(async move {
            if !budget.allows(Spend::default(), amount) {
                return Ok(Reservation::OverBudget);
            }
            let update = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(Self::key(key)))
                .update_expression("ADD #tokens :tokens, #cost :cost, #calls :one SET #expires = :expires")
                .condition_expression(
                    "(attribute_not_exists(#tokens) OR #tokens <= :tokens_room) \
                     AND (attribute_not_exists(#cost) OR #cost <= :cost_room)",
                )
                .expression_attribute_names("#tokens", "tokens")
                .expression_attribute_names("#cost", "micro_usd")
                .expression_attribute_names("#calls", "calls")
                .expression_attribute_names("#expires", "expires_at")
                .expression_attribute_values(":tokens", Self::n(amount.tokens))
                .expression_attribute_values(":cost", Self::n(amount.micro_usd))
                .expression_attribute_values(":one", Self::n(1))
                .expression_attribute_values(":tokens_room", Self::n(budget.tokens - amount.tokens))
                .expression_attribute_values(":cost_room", Self::n(budget.micro_usd - amount.micro_usd))
                .expression_attribute_values(":expires", AttributeValue::N(Self::expires_at(key)))
                .send()
                .await;
            match update {
                Ok(_) => Ok(Reservation::Reserved),
                Err(SdkError::ServiceError(e))
                    if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
                {
                    Ok(Reservation::OverBudget)
                }
                Err(e) => Err(anyhow::Error::new(e).context("reserving AI budget")),
            }
        })
    }

    fn adjust<'a>(&'a self, key: &'a BudgetKey, delta: Spend) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(Self::key(key)))
                .update_expression("ADD #tokens :tokens, #cost :cost SET #expires = :expires")
                .expression_attribute_names("#tokens", "tokens")
                .expression_attribute_names("#cost", "micro_usd")
                .expression_attribute_names("#expires", "expires_at")
                .expression_attribute_values(":tokens", Self::n(delta.tokens))
                .expression_attribute_values(":cost", Self::n(delta.micro_usd))
                .expression_attribute_values(":expires", AttributeValue::N(Self::expires_at(key)))
                .send()
                .await
                .context("settling AI budget")?;
            Ok(())
        })
    }

    fn spent<'a>(&'a self, key: &'a BudgetKey) -> BoxFuture<'a, anyhow::Result<Spend>> {
        Box::pin(async move {
            let item = self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(Self::key(key)))
                .consistent_read(true)
                .send()
                .await
                .context("reading AI budget")?;
            let number = |name: &str| {
                item.item()
                    .and_then(|i| i.get(name))
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse::<i64>().ok())
                    .unwrap_or(0)
            };
            Ok(Spend { tokens: number("tokens"), micro_usd: number("micro_usd") })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn key() -> BudgetKey {
        BudgetKey { tenant: TenantId::from_random_bytes([7; 16]), day: date!(2026 - 11 - 26) }
    }

    #[test]
    fn the_record_is_keyed_by_tenant_and_utc_day() {
        let key = key();
        assert_eq!(key.pk(), format!("ai#{}", key.tenant));
        assert_eq!(key.sk(), "2026-11-26");
        let expires: i64 = DynamoBudget::expires_at(&key).parse().unwrap();
        assert_eq!(expires, date!(2026 - 11 - 27).midnight().assume_utc().unix_timestamp() + 3 * 86_400);
    }

    #[test]
    fn cost_is_integer_micro_dollars_rounded_up() {
        // 1,000 prompt tokens at $3/M and 500 answer tokens at $15/M: $0.003 + $0.0075.
        let spent = spend("claude-sonnet-4-20250514", TokenUsage { input: 1_000, output: 500 });
        assert_eq!(spent, Spend { tokens: 1_500, micro_usd: 10_500 });
        // One token of gpt-4o-mini is 0.15 micro-dollars: rounded up to 1.
        assert_eq!(spend("gpt-4o-mini", TokenUsage { input: 1, output: 0 }).micro_usd, 1);
    }

    #[test]
    fn the_longest_price_prefix_wins_and_unknown_models_are_not_free() {
        assert_eq!(price("gpt-4o-mini-2024-07-18").input, 150_000);
        assert_eq!(price("gpt-4o-2024-08-06").input, 2_500_000);
        assert_eq!(price("llama3.1:8b"), UNKNOWN_MODEL_PRICE);
    }

    #[test]
    fn plans_get_larger_budgets_as_they_go_up() {
        let budgets: Vec<_> = Plan::ALL.iter().map(|p| DailyBudget::for_plan(*p)).collect();
        assert!(budgets.windows(2).all(|w| w[0].tokens < w[1].tokens && w[0].micro_usd < w[1].micro_usd));
    }

    #[tokio::test]
    async fn reservations_stop_at_the_budget_and_settle_to_actual_use() {
        let store = MemoryBudget::default();
        let budget = DailyBudget { tokens: 1_000, micro_usd: 10_000 };
        let estimate = Spend { tokens: 400, micro_usd: 2_000 };
        assert_eq!(store.reserve(&key(), estimate, budget).await.unwrap(), Reservation::Reserved);
        assert_eq!(store.reserve(&key(), estimate, budget).await.unwrap(), Reservation::Reserved);
        assert_eq!(store.reserve(&key(), estimate, budget).await.unwrap(), Reservation::OverBudget);
        assert_eq!(store.spent(&key()).await.unwrap(), Spend { tokens: 800, micro_usd: 4_000 });
        // The first call used less than reserved: the difference is given back.
        store.adjust(&key(), Spend { tokens: 100, micro_usd: 500 } - estimate).await.unwrap();
        assert_eq!(store.spent(&key()).await.unwrap(), Spend { tokens: 500, micro_usd: 2_500 });
        assert_eq!(store.reserve(&key(), estimate, budget).await.unwrap(), Reservation::Reserved);
    }

    #[tokio::test]
    async fn another_day_or_tenant_has_its_own_budget() {
        let store = MemoryBudget::default();
        let budget = DailyBudget { tokens: 100, micro_usd: 100 };
        let all = Spend { tokens: 100, micro_usd: 100 };
        assert_eq!(store.reserve(&key(), all, budget).await.unwrap(), Reservation::Reserved);
        let tomorrow = BudgetKey { day: date!(2026 - 11 - 27), ..key() };
        let other = BudgetKey { tenant: TenantId::from_random_bytes([8; 16]), ..key() };
        assert_eq!(store.reserve(&tomorrow, all, budget).await.unwrap(), Reservation::Reserved);
        assert_eq!(store.reserve(&other, all, budget).await.unwrap(), Reservation::Reserved);
        assert_eq!(store.reserve(&key(), all, budget).await.unwrap(), Reservation::OverBudget);
    }
}
