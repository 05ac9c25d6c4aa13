//! `product_content`: the title, description, features and SEO fields a product is published
//! with. Answers are held to the catalog's rules ([`domain::catalog`], the same as the merchant
//! API's) and to the brief the prompt gives: lists of the sizes [`domain::content`] names and a
//! title within [`SEO_TITLE_TARGET`], which the model is asked for and held to.

use super::{clean, untrusted, ProductFacts, Task};
use crate::output::{decode, OutputError};
use domain::catalog::{FEATURE_MAX, KEYWORD_MAX};
use domain::content::{
    title_words, truncate_words, ProductContent, DESCRIPTION_PARAGRAPHS, FEATURES, KEYWORDS,
    META_DESCRIPTION_MAX, META_TITLE_MAX, SEO_TITLE_TARGET,
};
use serde::{Deserialize, Serialize};

/// The content as the model writes it: the strict wire schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentAnswer {
    /// Product title.
    pub title: String,
    /// Description paragraphs, plain text.
    pub description: Vec<String>,
    /// Feature bullets.
    pub features: Vec<String>,
    /// Page title.
    pub meta_title: String,
    /// Meta description.
    pub meta_description: String,
    /// Keywords.
    pub keywords: Vec<String>,
}

impl From<ContentAnswer> for ProductContent {
    fn from(answer: ContentAnswer) -> Self {
        let list = |items: Vec<String>| items.into_iter().map(clean).collect();
        ProductContent {
            title: clean(answer.title),
            description: list(answer.description),
            features: list(answer.features),
            meta_title: clean(answer.meta_title),
            meta_description: clean(answer.meta_description),
            keywords: list(answer.keywords),
        }
    }
}

/// The `product_content` task.
#[derive(Debug, Clone, Copy)]
pub struct ProductContentTask;

impl Task for ProductContentTask {
    const NAME: &'static str = "product_content";
    const PROMPT: &'static str = include_str!("../../prompts/product_content.md");
    const MAX_TOKENS: u32 = 2_000;
    const TEMPERATURE: f32 = 0.7;
    type Input = ProductFacts;
    type Output = ProductContent;

    fn placeholders(input: &ProductFacts) -> Vec<(&'static str, String)> {
        let range = |r: &std::ops::RangeInclusive<usize>| format!("{} to {}", r.start(), r.end());
        vec![
            ("product", input.describe()),
            ("title_max", SEO_TITLE_TARGET.to_string()),
            ("paragraphs", range(&DESCRIPTION_PARAGRAPHS)),
            ("features", range(&FEATURES)),
            ("meta_title_max", META_TITLE_MAX.to_string()),
            ("meta_description_max", META_DESCRIPTION_MAX.to_string()),
            ("keywords", range(&KEYWORDS)),
        ]
    }

    fn parse(value: serde_json::Value, _input: &ProductFacts) -> Result<ProductContent, OutputError> {
        let content = ProductContent::from(decode::<ContentAnswer>(value)?);
        content.validate().map_err(|e| OutputError::Schema(e.to_string()))?;
        // The prompt asks for a title search results show whole; a longer one would be a valid
        // product title, but not the answer asked for.
        let title_len = content.title.chars().count();
        if title_len > SEO_TITLE_TARGET {
            return Err(OutputError::Schema(format!(
                "`title` must be at most {SEO_TITLE_TARGET} characters as asked, got {title_len}"
            )));
        }
        if let Some(tagged) = content.description.iter().find(|p| looks_like_markup(p)) {
            return Err(OutputError::Schema(format!(
                "`description` must be plain text without HTML or Markdown, got {:?}",
                tagged.chars().take(60).collect::<String>()
            )));
        }
        Ok(content)
    }
}

/// Whether a paragraph carries HTML tags or Markdown headings/bullets, which the storefront
/// would show escaped.
fn looks_like_markup(paragraph: &str) -> bool {
    let trimmed = paragraph.trim_start();
    let tag = paragraph.find('<').is_some_and(|i| {
        paragraph[i + 1..].chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
    });
    tag || trimmed.starts_with('#') || trimmed.starts_with("- ") || trimmed.starts_with("* ")
}

fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            // Sizes, models and units keep their case: 2L, 550ml, USB-C, LED.
            if w.chars().any(|c| c.is_ascii_digit()) || (w.len() <= 5 && w.chars().all(|c| !c.is_lowercase()))
            {
                return w.to_owned();
            }
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The offline content: the same product always gets the same content, built from its own facts
/// and stating nothing else. What the supplier's data says (category, the sizes and models its
/// title names, orders, feedback, delivery days) is said as the supplier's; what it does not say
/// is not claimed: no materials, no returns policy, no shipping speed the data does not give.
pub fn offline(product: &ProductFacts) -> ContentAnswer {
    let title = truncate_words(&title_case(&untrusted(&product.title)), SEO_TITLE_TARGET);
    let words = title_words(&title);
    let subject = words.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
    let category = product.category.as_deref().map(untrusted).filter(|c| !c.trim().is_empty());
    // Sizes, capacities and model numbers, as the title gives them: 2L, 550ml, 10x20cm.
    let specs: Vec<String> = title
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()) && w.chars().count() <= 20)
        .take(2)
        .map(str::to_owned)
        .collect();
    let orders = product.orders_30d.filter(|n| *n > 0);
    let rating = product.rating_pct.filter(|r| r.is_finite() && (0.0..=100.0).contains(r)).map(|r| r.round());
    let shipping = product.shipping_days.filter(|d| *d > 0);

    let mut first = match &category {
        Some(category) => format!("The {title}, from our {} range.", category.to_lowercase()),
        None => format!("The {title}."),
    };
    if !specs.is_empty() {
        first.push_str(&format!(" Its listing gives {}.", specs.join(" and ")));
    }
    let demand = match (orders, rating) {
        (Some(n), Some(r)) => {
            format!("It was ordered {n} times at its supplier in the last 30 days, with {r}% positive feedback from buyers there.")
        }
        (Some(n), None) => format!("It was ordered {n} times at its supplier in the last 30 days."),
        (None, Some(r)) => format!("Buyers at its supplier left {r}% positive feedback."),
        (None, None) => "Its supplier has not published order or feedback figures for it yet.".to_owned(),
    };
    let delivery = match shipping {
        Some(d) => format!("It ships directly from its supplier; delivery takes about {d} days."),
        None => "It ships directly from its supplier, which has not stated a delivery time.".to_owned(),
    };
    let description = vec![first, demand, delivery];

    let mut features: Vec<String> = Vec::new();
    if let Some(category) = &category {
        features.push(truncate_words(&format!("Category: {category}"), FEATURE_MAX));
    }
    features.extend(specs.iter().map(|s| format!("Size or model: {s}")));
    if let Some(n) = orders {
        features.push(format!("{n} orders at the supplier in 30 days"));
    }
    if let Some(r) = rating {
        features.push(format!("{r}% positive supplier feedback"));
    }
    if let Some(d) = shipping {
        features.push(format!("Delivery in about {d} days"));
    }
    features.push("Ships directly from its supplier".to_owned());
    features.push("Secure checkout through Stripe".to_owned());
    // With few facts the list is filled with what the title says, never with claims.
    let kind = words.last().cloned().unwrap_or_else(|| subject.clone());
    for filler in [
        truncate_words(&format!("Item: {title}"), FEATURE_MAX),
        truncate_words(&format!("Type: {kind}"), FEATURE_MAX),
        truncate_words(&format!("Name: {subject}"), FEATURE_MAX),
    ] {
        if features.len() >= *FEATURES.start() {
            break;
        }
        features.push(filler);
    }
    features.truncate(*FEATURES.end());

    let mut keywords: Vec<String> = words.clone();
    let mut extras = vec![
        format!("{subject} online"),
        format!("buy {subject}"),
        format!("{subject} price"),
        format!("{subject} for sale"),
        format!("order {subject}"),
        format!("{kind} shop"),
        format!("{kind} online"),
        format!("buy {kind}"),
        format!("{subject} delivery"),
        format!("{kind} price"),
    ];
    if let Some(category) = &category {
        let category = category.to_lowercase();
        extras.splice(0..0, [category.clone(), format!("{category} online"), format!("{category} {kind}")]);
    }
    for extra in extras {
        if keywords.len() >= *KEYWORDS.end() {
            break;
        }
        // A long supplier category would be a keyword no product may have.
        if !keywords.contains(&extra) && extra.chars().count() <= KEYWORD_MAX {
            keywords.push(extra);
        }
    }
    keywords.truncate(*KEYWORDS.end());
    let meta_title = match &category {
        Some(category) => truncate_words(&format!("{title} | {category}"), META_TITLE_MAX),
        None => truncate_words(&title, META_TITLE_MAX),
    };
    let meta_description =
        truncate_words(&format!("{title}. {} {}", description[1], description[2]), META_DESCRIPTION_MAX);
    ContentAnswer { title, description, features, meta_title, meta_description, keywords }
}

#[cfg(test)]
mod title_tests {
    use super::title_case;

    #[test]
    fn shouting_titles_are_tamed_but_sizes_and_acronyms_keep_their_case() {
        assert_eq!(
            title_case("AUTOMATIC cat water FOUNTAIN 2L usb-c LED"),
            "Automatic Cat Water Fountain 2L Usb-c LED"
        );
        assert_eq!(title_case("dog bottle 550ml"), "Dog Bottle 550ml");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Currency, Money};
    use serde_json::json;

    fn product(title: &str) -> ProductFacts {
        ProductFacts {
            source: "aliexpress".into(),
            title: title.into(),
            category: Some("Pet Supplies".into()),
            cost: Money::from_minor(899, Currency::Usd),
            list_price: None,
            orders_30d: Some(1_250),
            rating_pct: Some(96.5),
            shipping_days: Some(9),
        }
    }

    fn parse(answer: &ContentAnswer) -> Result<ProductContent, OutputError> {
        ProductContentTask::parse(serde_json::to_value(answer).unwrap(), &product("x"))
    }

    #[test]
    fn offline_content_keeps_every_limit() {
        let long = "2026 NEW Upgraded SELF CLEANING Slicker Brush for Dogs and Cats Long Short Hair Pet Grooming Tool Deshedding";
        let content = parse(&offline(&product(long))).unwrap();
        assert!(content.title.chars().count() <= 60);
        assert!(content.meta_description.chars().count() <= 155);
    }

    #[test]
    fn offline_content_for_a_long_supplier_category_keeps_every_catalog_rule() {
        let facts =
            ProductFacts { category: Some("Pet Grooming Supplies ".repeat(10)), ..product("dog brush") };
        let content = parse(&offline(&facts)).unwrap();
        assert!(content.keywords.iter().all(|k| k.chars().count() <= KEYWORD_MAX));
        assert!(content.features.iter().all(|f| f.chars().count() <= FEATURE_MAX));
    }

    #[test]
    fn offline_content_is_deterministic() {
        assert_eq!(offline(&product("Dog Brush")), offline(&product("Dog Brush")));
    }

    #[test]
    fn offline_content_is_built_from_the_products_facts() {
        let content = offline(&product("dog brush 2L"));
        assert_eq!(content.title, "Dog Brush 2L");
        assert!(content
            .description
            .iter()
            .any(|p| p.contains("ordered 1250 times") && p.contains("97% positive")));
        assert!(content.features.iter().any(|f| f.contains("9 days")));
        assert!(content.features.contains(&"Size or model: 2L".to_owned()));
    }

    #[test]
    fn offline_content_claims_nothing_its_facts_do_not_support() {
        let bare = ProductFacts {
            category: None,
            orders_30d: None,
            rating_pct: None,
            shipping_days: None,
            ..product("dog brush")
        };
        for facts in [product("dog brush"), bare] {
            let content = parse(&offline(&facts)).unwrap();
            let text = [
                content.description.join(" "),
                content.features.join(" "),
                content.meta_title,
                content.meta_description,
                content.keywords.join(" "),
            ]
            .join(" ")
            .to_lowercase();
            for claim in [
                "durable",
                "free returns",
                "fast",
                "returns policy",
                "tracking",
                "top rated",
                "quality",
                "favourite",
                "gift",
                "deal",
            ] {
                assert!(!text.contains(claim), "claims {claim:?}: {text}");
            }
        }
        let content = offline(&ProductFacts {
            shipping_days: None,
            orders_30d: None,
            rating_pct: None,
            ..product("dog brush")
        });
        assert!(content.description[1].contains("has not published"));
        assert!(content.description[2].contains("has not stated a delivery time"));
    }

    #[test]
    fn content_over_a_limit_is_refused_naming_the_field() {
        let long_title = ContentAnswer { title: "x".repeat(61), ..offline(&product("Dog Brush")) };
        assert!(parse(&long_title).unwrap_err().to_string().contains("title"));
        let few_keywords = ContentAnswer { keywords: vec!["brush".into()], ..offline(&product("Dog Brush")) };
        assert!(parse(&few_keywords).unwrap_err().to_string().contains("keywords"));
    }

    #[test]
    fn markup_in_the_description_is_refused() {
        let mut html = offline(&product("Dog Brush"));
        html.description[0] = "<p>Soft bristles</p>".into();
        assert!(parse(&html).unwrap_err().to_string().contains("plain text"));
        let mut fine = offline(&product("Dog Brush"));
        fine.description[0] = "Weighs < 200 g and costs less than 3 coffees.".into();
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut value = serde_json::to_value(offline(&product("Dog Brush"))).unwrap();
        value["benefits"] = json!("Saves time");
        assert!(ProductContentTask::parse(value, &product("x"))
            .unwrap_err()
            .to_string()
            .contains("benefits"));
    }
}
