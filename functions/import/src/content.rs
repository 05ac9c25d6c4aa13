//! Who writes product content: the AI layer's `product_content` task, through the provider that
//! `AI_PROVIDER` names. The default is the deterministic offline generator, so the pipeline runs
//! with no account; `CONTENT_PROVIDER`, this function's older setting, is still read as an alias
//! when `AI_PROVIDER` is not set.

use ai::{Ai, AiConfig, AiError, BudgetStore, DailyBudget, ProductFacts, Scope};
use domain::content::ProductContent;
use domain::{Plan, TenantId};
use queues::messages::SupplierProduct;
use std::sync::Arc;

/// Writes the content a product is published with.
#[derive(Debug, Clone)]
pub struct ContentWriter {
    ai: Ai,
}

/// The AI configuration from `get`, with `CONTENT_PROVIDER` standing in for an unset
/// `AI_PROVIDER`.
fn config(get: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<AiConfig> {
    let set = |name: &str| get(name).filter(|v| !v.trim().is_empty());
    AiConfig::from_vars(&|name| match name {
        "AI_PROVIDER" => set("AI_PROVIDER").or_else(|| set("CONTENT_PROVIDER")),
        other => get(other),
    })
}

impl ContentWriter {
    /// A writer using `ai`.
    pub fn new(ai: Ai) -> Self {
        Self { ai }
    }

    /// The writer the environment configures, counting spend in `budget`.
    pub fn from_env(budget: Arc<dyn BudgetStore>) -> anyhow::Result<Self> {
        let config = config(&|name| std::env::var(name).ok())?;
        Ok(Self::new(Ai::from_config(config, budget)?))
    }

    /// The content for a supplier product, written for `tenant` within its plan's daily AI
    /// budget.
    pub async fn product_content(
        &self,
        tenant: TenantId,
        plan: Plan,
        product: &SupplierProduct,
    ) -> Result<ProductContent, AiError> {
        let scope = Scope { tenant, budget: DailyBudget::for_plan(plan) };
        self.ai.product_content(&scope, &ProductFacts::from(product)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai::MemoryBudget;
    use domain::{Currency, Money};
    use std::collections::HashMap;

    fn product(title: &str) -> SupplierProduct {
        SupplierProduct {
            source: "aliexpress".into(),
            source_product_id: "1".into(),
            title: title.into(),
            cost: Money::from_minor(899, Currency::Usd),
            list_price: None,
            image_urls: vec![],
            product_url: "https://supplier.example/1".into(),
            category: Some("Pet Supplies".into()),
            orders_30d: Some(1_250),
            rating_pct: Some(96.5),
            shipping_days: Some(9),
        }
    }

    fn offline() -> ContentWriter {
        let config = config(&|_| None).unwrap();
        ContentWriter::new(Ai::from_config(config, Arc::new(MemoryBudget::default())).unwrap())
    }

    fn tenant() -> TenantId {
        TenantId::from_random_bytes([1; 16])
    }

    #[tokio::test]
    async fn offline_content_keeps_every_limit() {
        let long = "2026 NEW Upgraded SELF CLEANING Slicker Brush for Dogs and Cats Long Short Hair Pet Grooming Tool Deshedding";
        let content = offline().product_content(tenant(), Plan::Starter, &product(long)).await.unwrap();
        assert_eq!(content.validate(), Ok(()));
        assert!(content.title.chars().count() <= 60);
        assert!(content.meta_description.chars().count() <= 155);
    }

    #[tokio::test]
    async fn offline_content_is_deterministic_and_built_from_the_products_facts() {
        let writer = offline();
        let content = writer.product_content(tenant(), Plan::Starter, &product("dog brush")).await.unwrap();
        assert_eq!(
            content,
            writer.product_content(tenant(), Plan::Starter, &product("dog brush")).await.unwrap()
        );
        assert_eq!(content.title, "Dog Brush");
        assert!(content.description.iter().any(|p| p.contains("ordered 1250 times")));
        assert!(content.features.iter().any(|f| f.contains("9 days")));
    }

    #[test]
    fn content_provider_is_an_alias_of_ai_provider() {
        let vars = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let alias = vars(&[("CONTENT_PROVIDER", "anthropic"), ("ANTHROPIC_API_KEY", "k")]);
        let chosen = config(&|n| alias.get(n).cloned()).unwrap();
        assert!(matches!(chosen.provider, ai::config::ProviderConfig::Anthropic { .. }));
        let both = vars(&[("CONTENT_PROVIDER", "anthropic"), ("AI_PROVIDER", "offline")]);
        let chosen = config(&|n| both.get(n).cloned()).unwrap();
        assert!(matches!(chosen.provider, ai::config::ProviderConfig::Offline));
        let unknown = vars(&[("CONTENT_PROVIDER", "gpt")]);
        assert!(config(&|n| unknown.get(n).cloned()).is_err());
    }
}
