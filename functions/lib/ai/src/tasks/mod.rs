//! The tasks the pipelines ask of a model. Each has its prompt in `prompts/<task>.md`, an input
//! the prompt is rendered from, and a strict output schema with validation.
//!
//! - [`analysis`]: `product_analysis`, whether a researched product is worth importing.
//! - [`blog`]: `blog_post`, an SEO blog post answering a search phrase.
//! - [`content`]: `product_content`, the title, description, features and SEO fields a product
//!   is published with.

pub mod analysis;
pub mod blog;
pub mod content;

use crate::output::OutputError;
use domain::Money;
use queues::messages::SupplierProduct;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The system prompt every task shares.
pub const SYSTEM_PROMPT: &str = include_str!("../../prompts/system.md");
/// The turn that sends an invalid answer's error back to the model.
pub const REPAIR_PROMPT: &str = include_str!("../../prompts/repair.md");

/// A task: its prompt, its input and its validated output.
pub trait Task {
    /// The task's name, as in `prompts/<name>.md`.
    const NAME: &'static str;
    /// The prompt template.
    const PROMPT: &'static str;
    /// The most output tokens an answer may use.
    const MAX_TOKENS: u32;
    /// Sampling temperature: low for judgement, higher for copy.
    const TEMPERATURE: f32;
    /// What the prompt is rendered from; also what the offline generator answers from.
    type Input: Serialize + DeserializeOwned;
    /// The validated result.
    type Output;

    /// The prompt's placeholder values.
    fn placeholders(input: &Self::Input) -> Vec<(&'static str, String)>;

    /// Decodes an answer's JSON against the schema and checks every rule.
    fn parse(value: serde_json::Value, input: &Self::Input) -> Result<Self::Output, OutputError>;
}

/// What a supplier listing tells about a product, as the prompts show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductFacts {
    /// Which source listed it.
    pub source: String,
    /// The supplier's title (untrusted).
    pub title: String,
    /// The supplier's category (untrusted).
    pub category: Option<String>,
    /// What the store pays the supplier.
    pub cost: Money,
    /// The supplier's list price before discount.
    pub list_price: Option<Money>,
    /// Orders in the last 30 days.
    pub orders_30d: Option<u64>,
    /// Positive feedback in percent.
    pub rating_pct: Option<f32>,
    /// Typical shipping days.
    pub shipping_days: Option<u32>,
}

impl From<&SupplierProduct> for ProductFacts {
    fn from(product: &SupplierProduct) -> Self {
        Self {
            source: product.source.clone(),
            title: product.title.clone(),
            category: product.category.clone(),
            cost: product.cost,
            list_price: product.list_price,
            orders_30d: product.orders_30d,
            rating_pct: product.rating_pct,
            shipping_days: product.shipping_days,
        }
    }
}

/// Longest supplier text shown to a model: enough for any real title, short enough that a
/// listing cannot smuggle in a page of instructions.
const UNTRUSTED_MAX: usize = 200;

/// Supplier text made fit for a prompt: one line, no control characters, bounded.
pub(crate) fn untrusted(text: &str) -> String {
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    line.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(UNTRUSTED_MAX).collect()
}

/// An amount as a plain decimal string (`"12.99"`), the form answers give prices in.
pub fn decimal(money: Money) -> String {
    let scale = money.currency.minor_per_major();
    let sign = if money.minor < 0 { "-" } else { "" };
    let abs = money.minor.unsigned_abs();
    if scale == 1 {
        format!("{sign}{abs}")
    } else {
        let scale = scale as u64;
        format!("{sign}{}.{:02}", abs / scale, abs % scale)
    }
}

impl ProductFacts {
    /// The facts as the lines of a prompt's `<product>` block.
    pub fn describe(&self) -> String {
        let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "unknown".into());
        [
            format!("title: {}", untrusted(&self.title)),
            format!("category: {}", or_unknown(self.category.as_deref().map(untrusted))),
            format!("supplier: {}", untrusted(&self.source)),
            format!("cost: {} {}", decimal(self.cost), self.cost.currency.code()),
            format!(
                "supplier list price: {}",
                or_unknown(self.list_price.map(|p| format!("{} {}", decimal(p), p.currency.code())))
            ),
            format!("orders in the last 30 days: {}", or_unknown(self.orders_30d.map(|o| o.to_string()))),
            format!("positive feedback: {}", or_unknown(self.rating_pct.map(|r| format!("{r:.1}%")))),
            format!("shipping: {}", or_unknown(self.shipping_days.map(|d| format!("about {d} days")))),
        ]
        .join("\n")
    }
}

/// Checks a text field is non-blank and at most `max` characters.
pub(crate) fn check_text(field: &str, text: &str, max: usize) -> Result<(), OutputError> {
    let len = text.chars().count();
    if text.trim().is_empty() || len > max {
        return Err(OutputError::Schema(format!("`{field}` must be 1 to {max} characters, got {len}")));
    }
    Ok(())
}

/// Checks a list has `min..=max` items, each a valid text of at most `item_max` characters.
pub(crate) fn check_list(
    field: &str,
    items: &[String],
    min: usize,
    max: usize,
    item_max: usize,
) -> Result<(), OutputError> {
    if !(min..=max).contains(&items.len()) {
        return Err(OutputError::Schema(format!(
            "`{field}` must have {min} to {max} items, got {}",
            items.len()
        )));
    }
    for item in items {
        check_text(field, item, item_max)?;
    }
    Ok(())
}

/// Trims a model's text and replaces control characters, which no field may hold.
pub(crate) fn clean(text: String) -> String {
    if text.chars().any(char::is_control) || text.trim().len() != text.len() {
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Currency;

    #[test]
    fn amounts_are_written_as_plain_decimals() {
        assert_eq!(decimal(Money::from_minor(1_299, Currency::Usd)), "12.99");
        assert_eq!(decimal(Money::from_minor(5, Currency::Eur)), "0.05");
        assert_eq!(decimal(Money::from_minor(1_500, Currency::Jpy)), "1500");
    }

    #[test]
    fn supplier_text_is_one_bounded_line() {
        assert_eq!(untrusted("Dog\nBrush\u{0}  2026"), "Dog Brush 2026");
        assert_eq!(untrusted(&"x".repeat(500)).chars().count(), UNTRUSTED_MAX);
    }
}
