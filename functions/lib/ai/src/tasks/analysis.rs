//! `product_analysis`: whether a researched product is worth importing, with the reasons, a
//! suggested retail price and a marketing angle.

use super::{check_list, check_text, clean, decimal, ProductFacts, Task};
use crate::output::{decode, OutputError};
use domain::pricing::{quote, PricingRules};
use domain::scoring::Signals;
use domain::Money;
use serde::{Deserialize, Serialize};

/// What the analysis is given: the product, the store's niche and the research signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisFacts {
    /// The store's niche.
    pub niche: String,
    /// The supplier's listing.
    pub product: ProductFacts,
    /// The weighted research score, 0 to 100.
    pub research_score: f32,
    /// How many of the research model's 100 points were measured.
    pub coverage: u8,
    /// The normalised research signals.
    pub signals: Signals,
    /// The store's pricing rules, which bound the offline analysis's suggested price.
    #[serde(default)]
    pub pricing: PricingRules,
}

/// What to do with a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// Import it now.
    Import,
    /// Keep an eye on it.
    Watch,
    /// Leave it.
    Skip,
}

/// The analysis as the model writes it: the strict wire schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisAnswer {
    /// 0 to 100.
    pub score: u8,
    /// Import, watch or skip.
    pub recommendation: Recommendation,
    /// Two or three sentences.
    pub reasoning: String,
    /// Short points for it.
    pub strengths: Vec<String>,
    /// Short points against it.
    pub risks: Vec<String>,
    /// Who buys it.
    pub audience: String,
    /// Retail price as a decimal string in the cost's currency.
    pub suggested_price: String,
    /// A one or two sentence pitch.
    pub marketing_angle: String,
}

/// A validated analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductAnalysis {
    /// 0 to 100.
    pub score: u8,
    /// Import, watch or skip.
    pub recommendation: Recommendation,
    /// Why.
    pub reasoning: String,
    /// Points for it.
    pub strengths: Vec<String>,
    /// Points against it.
    pub risks: Vec<String>,
    /// Who buys it.
    pub audience: String,
    /// Suggested retail price, above the cost.
    pub suggested_price: Money,
    /// A pitch.
    pub marketing_angle: String,
}

/// Most strengths or risks listed.
pub const POINTS_MAX: usize = 6;

/// The `product_analysis` task.
#[derive(Debug, Clone, Copy)]
pub struct ProductAnalysisTask;

impl Task for ProductAnalysisTask {
    const NAME: &'static str = "product_analysis";
    const PROMPT: &'static str = include_str!("../../prompts/product_analysis.md");
    const MAX_TOKENS: u32 = 1_200;
    const TEMPERATURE: f32 = 0.2;
    type Input = AnalysisFacts;
    type Output = ProductAnalysis;

    fn placeholders(input: &AnalysisFacts) -> Vec<(&'static str, String)> {
        vec![
            ("niche", super::untrusted(&input.niche)),
            ("product", input.product.describe()),
            ("signals", describe_signals(&input.signals)),
            ("research_score", format!("{:.0}", input.research_score)),
            ("coverage", input.coverage.to_string()),
            ("currency", input.product.cost.currency.code().to_owned()),
            ("cost", decimal(input.product.cost)),
            ("points_max", POINTS_MAX.to_string()),
        ]
    }

    fn parse(value: serde_json::Value, input: &AnalysisFacts) -> Result<ProductAnalysis, OutputError> {
        let answer: AnalysisAnswer = decode(value)?;
        validate(answer, input.product.cost)
    }
}

/// Checks every rule of the schema and converts the price to money.
pub fn validate(answer: AnalysisAnswer, cost: Money) -> Result<ProductAnalysis, OutputError> {
    let answer = AnalysisAnswer {
        reasoning: clean(answer.reasoning),
        strengths: answer.strengths.into_iter().map(clean).collect(),
        risks: answer.risks.into_iter().map(clean).collect(),
        audience: clean(answer.audience),
        marketing_angle: clean(answer.marketing_angle),
        ..answer
    };
    if answer.score > 100 {
        return Err(OutputError::Schema(format!("`score` must be 0 to 100, got {}", answer.score)));
    }
    check_text("reasoning", &answer.reasoning, 1_000)?;
    check_list("strengths", &answer.strengths, 1, POINTS_MAX, 200)?;
    check_list("risks", &answer.risks, 1, POINTS_MAX, 200)?;
    check_text("audience", &answer.audience, 300)?;
    check_text("marketing_angle", &answer.marketing_angle, 400)?;
    let price = Money::parse_decimal(&answer.suggested_price, cost.currency).map_err(|_| {
        OutputError::Schema(format!(
            "`suggested_price` must be a decimal string in {} such as \"24.99\", got {:?}",
            cost.currency.code(),
            answer.suggested_price.chars().take(32).collect::<String>()
        ))
    })?;
    if price.minor <= cost.minor {
        return Err(OutputError::Schema(format!(
            "`suggested_price` {} must be above the cost of {}",
            decimal(price),
            decimal(cost)
        )));
    }
    Ok(ProductAnalysis {
        score: answer.score,
        recommendation: answer.recommendation,
        reasoning: answer.reasoning,
        strengths: answer.strengths,
        risks: answer.risks,
        audience: answer.audience,
        suggested_price: price,
        marketing_angle: answer.marketing_angle,
    })
}

fn describe_signals(signals: &Signals) -> String {
    let named = [
        ("TikTok engagement", signals.tiktok),
        ("Instagram engagement", signals.instagram),
        ("Reddit engagement", signals.reddit),
        ("sales velocity", signals.sales_velocity),
        ("order count", signals.order_count),
        ("price point", signals.price_point),
        ("low saturation", signals.saturation),
        ("few competitors", signals.competitor_count),
        ("search volume", signals.search_volume),
        ("easy keywords", signals.keyword_competition),
        ("margin", signals.margin),
        ("fast shipping", signals.shipping_time),
    ];
    named
        .iter()
        .map(|(name, value)| match value {
            Some(v) => format!("- {name}: {v}"),
            None => format!("- {name}: unmeasured"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Supplier ratings below this are a risk, and cost points offline.
const RATING_FLOOR_PCT: f32 = 90.0;
/// Deliveries slower than this are a risk, and cost points offline.
const SLOW_SHIPPING_DAYS: u32 = 20;
/// Research measuring fewer points than this is too thin to import on offline.
const THIN_COVERAGE: u8 = 30;

/// The offline analysis: the research score, lowered for a poor rating or slow shipping, and
/// capped below import when too little was measured; the recommendation follows the score with
/// the pipeline's thresholds (80 import, 65 watch). Every text is built from the facts alone.
pub fn offline(facts: &AnalysisFacts) -> AnalysisAnswer {
    let product = &facts.product;
    let signals = &facts.signals;
    let mut score = facts.research_score.round().clamp(0.0, 100.0) as i32;
    let poor_rating = product.rating_pct.is_some_and(|r| r < RATING_FLOOR_PCT);
    let slow = product.shipping_days.is_some_and(|d| d > SLOW_SHIPPING_DAYS);
    if poor_rating {
        score -= 10;
    }
    if slow {
        score -= 10;
    }
    if facts.coverage < THIN_COVERAGE {
        score = score.min(79);
    }
    let score = score.clamp(0, 100) as u8;
    let recommendation = match score {
        80.. => Recommendation::Import,
        65.. => Recommendation::Watch,
        _ => Recommendation::Skip,
    };

    let high = |s: Option<u8>| s.is_some_and(|v| v >= 70);
    let orders = product.orders_30d.unwrap_or(0);
    let mut strengths = Vec::new();
    if high(signals.sales_velocity) || high(signals.order_count) {
        strengths.push(format!("Strong recent demand: {orders} orders in the last 30 days"));
    }
    if high(signals.reddit) || high(signals.tiktok) || high(signals.instagram) {
        strengths.push("Shoppers talk about it on social media".to_owned());
    }
    if high(signals.saturation) || high(signals.competitor_count) {
        strengths.push("Few competing stores sell it".to_owned());
    }
    if high(signals.margin) {
        strengths.push("Healthy margin at the target price".to_owned());
    }
    if high(signals.price_point) {
        strengths.push("Priced in the impulse-buy range".to_owned());
    }
    if high(signals.shipping_time) {
        strengths.push("Ships quickly for a dropshipped product".to_owned());
    }
    if strengths.is_empty() {
        strengths.push("Listed by a supplier with a track record".to_owned());
    }
    strengths.truncate(POINTS_MAX);

    let mut risks = Vec::new();
    if let Some(days) = product.shipping_days.filter(|d| *d > 12) {
        risks.push(format!("Delivery takes about {days} days"));
    }
    if let Some(rating) = product.rating_pct.filter(|r| *r < 95.0) {
        risks.push(format!("Supplier feedback is {rating:.1}% positive"));
    }
    if signals.saturation.is_some_and(|s| s < 50) {
        risks.push("Competitor stores already sell it".to_owned());
    }
    if orders < 100 {
        risks.push("Little sales history".to_owned());
    }
    if facts.coverage < 50 {
        risks.push(format!("Only {} of 100 research points were measured", facts.coverage));
    }
    if risks.is_empty() {
        risks.push("Supplier stock and quality can change without notice".to_owned());
    }
    risks.truncate(POINTS_MAX);

    let niche = super::untrusted(&facts.niche);
    let category = product
        .category
        .as_deref()
        .map_or("everyday essentials".to_owned(), |c| super::untrusted(c).to_lowercase());
    let price = quote(product.cost, None, &facts.pricing)
        .map(|q| q.price)
        .unwrap_or(Money::from_minor(product.cost.minor * 3, product.cost.currency));
    AnalysisAnswer {
        score,
        recommendation,
        reasoning: format!(
            "Scored {score} from the research signals, with {} of 100 points measured. {}",
            facts.coverage,
            match recommendation {
                Recommendation::Import => "Demand and margin are strong enough to list it now.",
                Recommendation::Watch => "Promising, but not yet strong enough to list.",
                Recommendation::Skip => "The signals are too weak to list it.",
            }
        ),
        strengths,
        risks,
        audience: format!("Shoppers looking for {niche} products in {category}"),
        suggested_price: decimal(price),
        marketing_angle: format!(
            "A {category} favourite for {niche}: {} at a price that invites an impulse buy.",
            domain::content::truncate_words(&super::untrusted(&product.title), 60)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Currency;
    use serde_json::json;

    pub(crate) fn facts(research_score: f32) -> AnalysisFacts {
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
            research_score,
            coverage: 55,
            signals: Signals { sales_velocity: Some(100), margin: Some(98), ..Signals::default() },
            pricing: PricingRules::default(),
        }
    }

    fn answer() -> serde_json::Value {
        json!({
            "score": 86,
            "recommendation": "import",
            "reasoning": "Sells fast and ships quickly.",
            "strengths": ["Strong demand"],
            "risks": ["Competitors may follow"],
            "audience": "Dog owners",
            "suggested_price": "24.99",
            "marketing_angle": "Groom in minutes."
        })
    }

    #[test]
    fn a_valid_answer_becomes_an_analysis_with_money() {
        let analysis = ProductAnalysisTask::parse(answer(), &facts(90.0)).unwrap();
        assert_eq!(analysis.score, 86);
        assert_eq!(analysis.recommendation, Recommendation::Import);
        assert_eq!(analysis.suggested_price, Money::from_minor(2_499, Currency::Usd));
    }

    #[test]
    fn unknown_fields_and_out_of_range_scores_are_refused() {
        let mut extra = answer();
        extra["confidence"] = json!("high");
        let error = ProductAnalysisTask::parse(extra, &facts(90.0)).unwrap_err();
        assert!(error.to_string().contains("confidence"), "{error}");
        let mut high = answer();
        high["score"] = json!(140);
        assert!(ProductAnalysisTask::parse(high, &facts(90.0)).unwrap_err().to_string().contains("score"));
        let mut unknown = answer();
        unknown["recommendation"] = json!("buy");
        assert!(ProductAnalysisTask::parse(unknown, &facts(90.0)).is_err());
    }

    #[test]
    fn prices_must_be_decimal_strings_above_the_cost() {
        let mut float = answer();
        float["suggested_price"] = json!(24.99);
        assert!(ProductAnalysisTask::parse(float, &facts(90.0)).is_err(), "a float is not a price");
        let mut cheap = answer();
        cheap["suggested_price"] = json!("5.00");
        let error = ProductAnalysisTask::parse(cheap, &facts(90.0)).unwrap_err();
        assert!(error.to_string().contains("above the cost of 8.99"), "{error}");
        let mut precise = answer();
        precise["suggested_price"] = json!("24.999");
        assert!(ProductAnalysisTask::parse(precise, &facts(90.0)).is_err());
    }

    #[test]
    fn empty_lists_and_blank_texts_are_refused() {
        let mut no_risks = answer();
        no_risks["risks"] = json!([]);
        assert!(ProductAnalysisTask::parse(no_risks, &facts(90.0))
            .unwrap_err()
            .to_string()
            .contains("risks"));
        let mut blank = answer();
        blank["audience"] = json!("   ");
        assert!(ProductAnalysisTask::parse(blank, &facts(90.0))
            .unwrap_err()
            .to_string()
            .contains("audience"));
    }

    #[test]
    fn the_offline_suggested_price_follows_the_stores_rules() {
        assert_eq!(offline(&facts(90.0)).suggested_price, "21.99", "2.5x a cost of 8.99 by default");
        let mut mine = facts(90.0);
        mine.pricing =
            PricingRules { markup_bps: 40_000, psychological_endings: false, ..PricingRules::default() };
        assert_eq!(offline(&mine).suggested_price, "35.96");
    }

    #[test]
    fn the_offline_analysis_follows_the_research_score() {
        let strong = offline(&facts(95.6));
        assert_eq!((strong.score, strong.recommendation), (96, Recommendation::Import));
        assert_eq!(offline(&facts(70.0)).recommendation, Recommendation::Watch);
        assert_eq!(offline(&facts(40.0)).recommendation, Recommendation::Skip);
    }

    #[test]
    fn the_offline_analysis_marks_down_poor_ratings_slow_shipping_and_thin_evidence() {
        let mut poor = facts(95.0);
        poor.product.rating_pct = Some(85.0);
        poor.product.shipping_days = Some(25);
        assert_eq!(offline(&poor).score, 75);
        let mut thin = facts(95.0);
        thin.coverage = 20;
        assert_eq!(offline(&thin).recommendation, Recommendation::Watch);
    }

    #[test]
    fn the_offline_analysis_passes_its_own_schema() {
        for score in [0.0, 50.0, 79.5, 100.0] {
            let input = facts(score);
            let value = serde_json::to_value(offline(&input)).unwrap();
            let analysis = ProductAnalysisTask::parse(value, &input).unwrap();
            assert!(analysis.suggested_price.minor > input.product.cost.minor);
        }
    }
}
