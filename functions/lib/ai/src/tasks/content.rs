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

/// The offline content: the same product always gets the same content, built from its own facts,
/// within every limit.
pub fn offline(product: &ProductFacts) -> ContentAnswer {
    let title = truncate_words(&title_case(&untrusted(&product.title)), SEO_TITLE_TARGET);
    let words = title_words(&title);
    let subject = words.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
    let category = product
        .category
        .as_deref()
        .map_or_else(|| "everyday essentials".to_owned(), untrusted)
        .to_lowercase();
    let orders = product.orders_30d.unwrap_or(0);
    let shipping = product
        .shipping_days
        .map_or("tracked shipping".to_owned(), |d| format!("delivery in about {d} days"));

    let description = vec![
        format!("Meet the {title}: a favourite in {category} that makes daily routines simpler."),
        format!(
            "Built for everyday use, the {subject} is chosen for its quality and value. {}",
            if orders > 0 {
                format!("Over {orders} customers ordered it in the last month.")
            } else {
                "It is new in our collection.".to_owned()
            }
        ),
        format!(
            "Order today for {shipping}. Every order is packed with care and backed by our returns policy."
        ),
    ];
    let features = vec![
        truncate_words(&format!("Designed for {category}"), FEATURE_MAX),
        "Durable materials for daily use".to_owned(),
        "Easy to clean and maintain".to_owned(),
        format!(
            "Popular choice: {}",
            if orders > 0 { format!("{orders}+ recent orders") } else { "new arrival".to_owned() }
        ),
        format!("Ships with {shipping}"),
    ];
    let mut keywords: Vec<String> = words.clone();
    for extra in [
        category.clone(),
        format!("{subject} online"),
        format!("best {subject}"),
        format!("buy {subject}"),
        "gift idea".into(),
        "free returns".into(),
        "fast shipping".into(),
        "new arrival".into(),
        "top rated".into(),
        "deal".into(),
    ] {
        if keywords.len() >= *KEYWORDS.end() {
            break;
        }
        // A long supplier category would be a keyword no product may have.
        if !keywords.contains(&extra) && extra.chars().count() <= KEYWORD_MAX {
            keywords.push(extra);
        }
    }
    keywords.truncate(*KEYWORDS.end());
    let meta_title = truncate_words(&format!("{title} | Free Returns"), META_TITLE_MAX);
    let meta_description = truncate_words(
        &format!("Shop the {title}. {} Fast, tracked delivery and easy returns.", description[0]),
        META_DESCRIPTION_MAX,
    );
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
        let content = offline(&product("dog brush"));
        assert_eq!(content.title, "Dog Brush");
        assert!(content.description.iter().any(|p| p.contains("1250 customers")));
        assert!(content.features.iter().any(|f| f.contains("9 days")));
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
