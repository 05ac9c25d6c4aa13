//! Turning supplier products into scored, de-duplicated candidates.

use domain::content::title_words;
use domain::pricing::{quote, PricingRules};
use domain::scoring::{normalise, Score, Signals};
use queues::messages::SupplierProduct;
use std::collections::HashMap;

/// A product under consideration, with its signals and score.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The product as the supplier lists it.
    pub product: SupplierProduct,
    /// Its normalised signals.
    pub signals: Signals,
    /// Its score.
    pub score: Score,
}

impl Candidate {
    /// Measures what a supplier listing tells: sales velocity, orders, price point, margin,
    /// shipping time.
    pub fn from_supplier(product: SupplierProduct) -> Self {
        let rules = PricingRules::default();
        let quote = quote(product.cost, None, &rules).ok();
        let signals = Signals {
            sales_velocity: product.orders_30d.map(|o| normalise::sales_velocity(o as f64 / 30.0)),
            order_count: product.orders_30d.map(normalise::order_count),
            price_point: quote.map(|q| normalise::price_point(q.price.minor)),
            margin: quote.map(|q| normalise::margin(i64::from(q.margin_bps))),
            shipping_time: product.shipping_days.map(normalise::shipping_time),
            ..Signals::default()
        };
        Self { score: signals.score(), product, signals }
    }

    /// Takes the signals another source measured where this candidate has none, and rescores.
    pub fn add_signals(&mut self, signals: &Signals) {
        self.signals.merge(signals);
        self.score = self.signals.score();
    }

    fn title_key(&self) -> String {
        let mut words = title_words(&self.product.title);
        words.sort();
        words.dedup();
        words.join(" ")
    }
}

/// De-duplicates candidates (same source id, or the same title words, or the same main image),
/// merging the signals of duplicates, and returns the best `limit` by score, best first.
pub fn select(candidates: Vec<Candidate>, limit: usize) -> Vec<Candidate> {
    let mut kept: Vec<Candidate> = Vec::with_capacity(candidates.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for candidate in candidates {
        let keys = [
            Some(format!("id:{}:{}", candidate.product.source, candidate.product.source_product_id)),
            Some(format!("title:{}", candidate.title_key())),
            candidate.product.image_urls.first().map(|u| format!("image:{u}")),
        ];
        match keys.iter().flatten().find_map(|k| index.get(k).copied()) {
            Some(i) => {
                kept[i].add_signals(&candidate.signals);
            }
            None => {
                for key in keys.into_iter().flatten() {
                    index.insert(key, kept.len());
                }
                kept.push(candidate);
            }
        }
    }
    kept.sort_by(|a, b| {
        b.score
            .value
            .total_cmp(&a.score.value)
            .then_with(|| a.product.source_product_id.cmp(&b.product.source_product_id))
    });
    kept.truncate(limit);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Currency, Money};

    fn product(id: &str, title: &str, orders: u64) -> SupplierProduct {
        SupplierProduct {
            source: "aliexpress".into(),
            source_product_id: id.into(),
            title: title.into(),
            cost: Money::from_minor(800, Currency::Usd),
            list_price: None,
            image_urls: vec![format!("https://img.example/{id}.jpg")],
            product_url: format!("https://supplier.example/{id}"),
            category: None,
            orders_30d: Some(orders),
            rating_pct: Some(97.0),
            shipping_days: Some(10),
        }
    }

    #[test]
    fn the_best_sellers_are_chosen_first() {
        let chosen = select(
            vec![
                Candidate::from_supplier(product("1", "Slow Seller Lamp", 3)),
                Candidate::from_supplier(product("2", "Hot Seller Brush", 9_000)),
                Candidate::from_supplier(product("3", "Mid Seller Bowl", 300)),
            ],
            2,
        );
        let ids: Vec<&str> = chosen.iter().map(|c| c.product.source_product_id.as_str()).collect();
        assert_eq!(ids, vec!["2", "3"]);
    }

    #[test]
    fn the_same_product_listed_twice_is_kept_once() {
        let chosen = select(
            vec![
                Candidate::from_supplier(product("1", "Pet Hair Remover Glove", 500)),
                Candidate::from_supplier(product("1", "Pet Hair Remover Glove", 500)),
                Candidate::from_supplier(product("9", "Glove Remover, Pet Hair", 400)),
            ],
            10,
        );
        assert_eq!(chosen.len(), 1);
    }
}
