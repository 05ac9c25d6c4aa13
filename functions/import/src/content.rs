//! Who writes product content. Providers sit behind one interface; with no key configured the
//! deterministic offline writer is used, so the pipeline runs with no account.

use domain::content::{
    title_words, truncate_words, ProductContent, META_DESCRIPTION_MAX, META_TITLE_MAX, TITLE_MAX,
};
use queues::messages::SupplierProduct;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so writers can be chosen at start-up.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Writes the content a product is published with.
pub trait ContentWriter: Send + Sync {
    /// The content for a supplier product.
    fn product_content<'a>(
        &'a self,
        product: &'a SupplierProduct,
    ) -> BoxFuture<'a, anyhow::Result<ProductContent>>;
}

/// The writer chosen by configuration: `CONTENT_PROVIDER=offline` (the default).
pub fn from_env() -> anyhow::Result<Box<dyn ContentWriter>> {
    match pipeline::config::optional("CONTENT_PROVIDER").as_deref().unwrap_or("offline") {
        "offline" => Ok(Box::new(OfflineWriter)),
        other => anyhow::bail!("CONTENT_PROVIDER `{other}` is not available in this build; use `offline`"),
    }
}

/// A deterministic writer: the same product always gets the same content, built from its own
/// facts. It stands in for an LLM locally and in tests, and keeps every content limit.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineWriter;

fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl OfflineWriter {
    /// The content, computed synchronously.
    pub fn write(&self, product: &SupplierProduct) -> ProductContent {
        let clean: String = product.title.chars().filter(|c| !c.is_control()).collect();
        let title = truncate_words(&title_case(&clean), TITLE_MAX);
        let words = title_words(&title);
        let subject = words.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
        let category =
            product.category.clone().unwrap_or_else(|| "everyday essentials".into()).to_lowercase();
        let orders = product.orders_30d.unwrap_or(0);
        let shipping = product
            .shipping_days
            .map_or("tracked shipping".to_owned(), |d| format!("delivery in about {d} days"));

        let description = vec![
            format!("Meet the {title}: a favourite in {category} that makes daily routines simpler."),
            format!(
                "Built for everyday use, the {subject} is chosen for its quality and value. {}",
                if orders > 0 { format!("Over {orders} customers ordered it in the last month.") } else { "It is new in our collection.".to_owned() }
            ),
            format!("Order today for {shipping}. Every order is packed with care and backed by our returns policy."),
        ];
        let features = vec![
            format!("Designed for {category}"),
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
            if keywords.len() >= 15 {
                break;
            }
            if !keywords.contains(&extra) {
                keywords.push(extra);
            }
        }
        keywords.truncate(15);
        let meta_title = truncate_words(&format!("{title} | Free Returns"), META_TITLE_MAX);
        let meta_description = truncate_words(
            &format!("Shop the {title}. {} Fast, tracked delivery and easy returns.", description[0]),
            META_DESCRIPTION_MAX,
        );
        ProductContent { title, description, features, meta_title, meta_description, keywords }
    }
}

impl ContentWriter for OfflineWriter {
    fn product_content<'a>(
        &'a self,
        product: &'a SupplierProduct,
    ) -> BoxFuture<'a, anyhow::Result<ProductContent>> {
        Box::pin(async move { Ok(self.write(product)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Currency, Money};

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

    #[test]
    fn offline_content_keeps_every_limit() {
        let long = "2026 NEW Upgraded SELF CLEANING Slicker Brush for Dogs and Cats Long Short Hair Pet Grooming Tool Deshedding";
        let content = OfflineWriter.write(&product(long));
        assert_eq!(content.validate(), Ok(()));
        assert!(content.title.chars().count() <= 60);
        assert!(content.meta_description.chars().count() <= 155);
    }

    #[test]
    fn offline_content_is_deterministic() {
        assert_eq!(OfflineWriter.write(&product("Dog Brush")), OfflineWriter.write(&product("Dog Brush")));
    }

    #[test]
    fn offline_content_is_built_from_the_products_facts() {
        let content = OfflineWriter.write(&product("dog brush"));
        assert_eq!(content.title, "Dog Brush");
        assert!(content.description.iter().any(|p| p.contains("1250 customers")));
        assert!(content.features.iter().any(|f| f.contains("9 days")));
    }
}
