//! Turning supplier products into scored, de-duplicated candidates.

use crate::words::{FastMap, Numbers};
use ai::{AnalysisFacts, ProductAnalysis, ProductFacts, Recommendation};
use domain::content::title_words;
use domain::pricing::{quote, PricingRules};
use domain::scoring::{normalise, Score, Signals};
use queues::messages::SupplierProduct;
use std::collections::hash_map::Entry;

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
    /// Measures what a supplier listing tells: sales velocity, orders, price point and margin
    /// (at the price the store's `rules` would set), shipping time.
    pub fn from_supplier(product: SupplierProduct, rules: &PricingRules) -> Self {
        let quote = quote(product.cost, None, rules).ok();
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

    /// A candidate measured at the default rules' prices, for tests.
    #[cfg(test)]
    pub fn by_default_rules(product: SupplierProduct) -> Self {
        Self::from_supplier(product, &PricingRules::default())
    }

    /// Takes the signals another source measured where this candidate has none, and rescores.
    pub fn add_signals(&mut self, signals: &Signals) {
        self.signals.merge(signals);
        self.score = self.signals.score();
    }

    /// What the AI analysis is given about this candidate.
    pub fn analysis_facts(&self, niche: &str, pricing: &PricingRules) -> AnalysisFacts {
        AnalysisFacts {
            pricing: *pricing,
            niche: niche.to_owned(),
            product: ProductFacts::from(&self.product),
            research_score: self.score.value,
            coverage: self.score.coverage,
            signals: self.signals,
        }
    }

    fn title_key(&self) -> String {
        title_key(&self.product.title)
    }
}

/// What a store already has, for leaving it out of research: its products' source ids and
/// normalised titles.
#[derive(Debug, Clone, Default)]
pub struct Owned {
    ids: std::collections::HashSet<String>,
    titles: std::collections::HashSet<String>,
}

impl Owned {
    /// From the store's products as the edge lists them.
    pub fn new<'a>(products: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>, &'a str)>) -> Self {
        let mut owned = Self::default();
        for (source, id, title) in products {
            if let (Some(source), Some(id)) = (source, id) {
                owned.ids.insert(format!("{source}:{id}"));
            }
            let key = title_key(title);
            if !key.is_empty() {
                owned.titles.insert(key);
            }
        }
        owned
    }

    /// Whether the store already has this candidate.
    pub fn has(&self, candidate: &Candidate) -> bool {
        let product = &candidate.product;
        self.ids.contains(&format!("{}:{}", product.source, product.source_product_id))
            || self.titles.contains(&candidate.title_key())
    }
}

/// Drops the candidates the store already has; returns how many.
pub fn exclude_owned(candidates: &mut Vec<Candidate>, owned: &Owned) -> usize {
    let before = candidates.len();
    candidates.retain(|c| !owned.has(c));
    before - candidates.len()
}

fn title_key(title: &str) -> String {
    let mut words = title_words(title);
    words.sort();
    words.dedup();
    words.join(" ")
}

/// De-duplicates candidates (same source id, or the same title words, or the same main image),
/// merging the signals of duplicates, and returns the best `limit` by score, best first.
pub fn select(candidates: Vec<Candidate>, limit: usize) -> Vec<Candidate> {
    // Every title's key: its distinct words, as numbers, sorted, all in one buffer.
    let mut numbers = Numbers::default();
    let mut words = Vec::new();
    let mut keys: Vec<u32> = Vec::new();
    let mut spans = Vec::with_capacity(candidates.len());
    for candidate in &candidates {
        numbers.title(&candidate.product.title, false, &mut words);
        keys.extend_from_slice(&words);
        spans.push(keys.len() - words.len()..keys.len());
    }
    // Where each candidate goes: a new place among those kept, or merged into an earlier one.
    let mut places: Vec<(usize, bool)> = Vec::with_capacity(candidates.len());
    {
        let mut by_id: FastMap<SourceId<'_>, usize> = FastMap::default();
        let mut by_title: FastMap<&[u32], usize> = FastMap::default();
        let mut by_image: FastMap<&str, usize> = FastMap::default();
        by_id.reserve(candidates.len());
        by_title.reserve(candidates.len());
        by_image.reserve(candidates.len());
        let mut kept = 0;
        for (candidate, span) in candidates.iter().zip(&spans) {
            let id = SourceId(&candidate.product.source, &candidate.product.source_product_id);
            let title = &keys[span.clone()];
            let image = candidate.product.image_urls.first().map(String::as_str);
            // Each key is hashed and looked up once: a free slot found is filled only if no key
            // names an earlier candidate, taking the keys in order (id, title, image).
            let earlier = match by_id.entry(id) {
                Entry::Occupied(found) => Some(*found.get()),
                Entry::Vacant(id) => match by_title.entry(title) {
                    Entry::Occupied(found) => Some(*found.get()),
                    Entry::Vacant(title) => {
                        let image = image.map(|image| by_image.entry(image));
                        if let Some(Entry::Occupied(found)) = &image {
                            Some(*found.get())
                        } else {
                            id.insert(kept);
                            title.insert(kept);
                            if let Some(Entry::Vacant(image)) = image {
                                image.insert(kept);
                            }
                            None
                        }
                    }
                },
            };
            match earlier {
                Some(place) => places.push((place, false)),
                None => {
                    places.push((kept, true));
                    kept += 1;
                }
            }
        }
    }
    // Nothing moves until the end: a duplicate's signals go to the candidate it repeats where
    // that one stands, found through `originals` (each kept candidate's index, in kept order).
    let mut candidates = candidates;
    let mut originals: Vec<u32> = Vec::with_capacity(candidates.len());
    for (read, (place, new)) in places.into_iter().enumerate() {
        if new {
            originals.push(read as u32);
        } else {
            let signals = candidates[read].signals;
            candidates[originals[place] as usize].add_signals(&signals);
        }
    }
    // Ranked by score, best first, then by source id, then in kept order (the order a stable sort
    // keeps), on keys computed once: the score as an integer of the same order as `total_cmp`,
    // the id's first 16 bytes as a big-endian integer (the ids compared whole only where those
    // are equal).
    let mut order: Vec<(i32, u128, u32)> = originals
        .iter()
        .map(|&at| {
            let candidate = &candidates[at as usize];
            (score_key(candidate.score.value), id_prefix(&candidate.product.source_product_id), at)
        })
        .collect();
    let rank = |a: &(i32, u128, u32), b: &(i32, u128, u32)| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| {
                let id = |at: u32| candidates[at as usize].product.source_product_id.as_str();
                id(a.2).cmp(id(b.2))
            })
            .then(a.2.cmp(&b.2))
    };
    if limit < order.len() {
        order.select_nth_unstable_by(limit, rank);
        order.truncate(limit);
    }
    order.sort_unstable_by(rank);
    // Where each candidate goes: the ranked ones to their rank, every other after them (to be
    // dropped); then each is moved once, following the permutation's cycles.
    let ranked = order.len();
    let mut chosen = vec![false; candidates.len()];
    let mut from: Vec<u32> = Vec::with_capacity(candidates.len());
    for &(_, _, at) in &order {
        chosen[at as usize] = true;
        from.push(at);
    }
    drop(order);
    from.extend((0..candidates.len() as u32).filter(|&at| !chosen[at as usize]));
    let mut placed = chosen;
    placed.fill(false);
    for start in 0..from.len() {
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            let source = from[at] as usize;
            if source == start {
                break;
            }
            candidates.swap(at, source);
            at = source;
        }
    }
    candidates.truncate(ranked);
    candidates
}

/// An integer ordered as `f32::total_cmp` orders the scores.
fn score_key(score: f32) -> i32 {
    let bits = score.to_bits() as i32;
    bits ^ (((bits >> 31) as u32) >> 1) as i32
}

/// The first 16 bytes of an id as a big-endian integer, zero-padded: where two differ, they
/// order the ids as `str::cmp` does; where they are equal, the ids must be compared whole.
fn id_prefix(id: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let head = &id.as_bytes()[..id.len().min(16)];
    bytes[..head.len()].copy_from_slice(head);
    u128::from_be_bytes(bytes)
}

/// A source and its id, equal to another when `source:id` spells the same: the key the
/// de-duplication has always compared, without formatting it per candidate.
#[derive(Clone, Copy)]
struct SourceId<'a>(&'a str, &'a str);

impl SourceId<'_> {
    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.0.bytes().chain(std::iter::once(b':')).chain(self.1.bytes())
    }
}

impl PartialEq for SourceId<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() + self.1.len() == other.0.len() + other.1.len() && self.bytes().eq(other.bytes())
    }
}

impl Eq for SourceId<'_> {}

impl std::hash::Hash for SourceId<'_> {
    /// Hashes what follows the last `:` of `source:id`, which equal keys share.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.1.rsplit(':').next().unwrap_or(self.1).hash(state);
    }
}

/// The AI scores that decide a candidate's fate: store settings, asked of the edge per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// From this AI score a product the analysis recommends importing is imported.
    pub import: u8,
    /// From this AI score a product not imported goes on the watchlist.
    pub watch: u8,
    /// A new store's launch run: an empty shop needs a catalog, so a product the analysis would
    /// watch is imported too when it reaches `import` (which the edge sets to the store's watch
    /// threshold for that run).
    pub launch: bool,
}

impl Default for Thresholds {
    /// The platform's defaults: import from 80, watch from 65.
    fn default() -> Self {
        Self { import: 80, watch: 65, launch: false }
    }
}
/// Most candidates analysed in one run, unless the run imports more.
pub const SHORTLIST_MAX: usize = 20;

/// Most candidates analysed in a launch run: once per store, and its catalog depends on it.
pub const LAUNCH_SHORTLIST_MAX: usize = 100;

/// How many of the best candidates are analysed for a run that imports `max_imports`: twice as
/// many, so products the analysis turns down can be replaced by the next best (at most
/// [`SHORTLIST_MAX`], or [`LAUNCH_SHORTLIST_MAX`] for a launch).
pub fn shortlist_size(max_imports: usize, launch: bool) -> usize {
    let most = if launch { LAUNCH_SHORTLIST_MAX } else { SHORTLIST_MAX };
    max_imports.max((max_imports * 2).min(most))
}

/// What the analysis decided for a run's shortlist.
#[derive(Debug, Default)]
pub struct Decided {
    /// To import, best first.
    pub import: Vec<(Candidate, ProductAnalysis)>,
    /// For the watchlist: promising, or good enough to import but past the run's limit.
    pub watch: Vec<(Candidate, ProductAnalysis)>,
    /// Turned down.
    pub skipped: usize,
    /// Not analysed: the model's answer stayed invalid.
    pub failed: usize,
}

/// Applies the thresholds: an AI score of `thresholds.import` or more with an `import`
/// recommendation imports (the best `max_imports` of them, by AI score then research rank);
/// `thresholds.watch` or more, unless the recommendation is `skip`, goes on the watchlist; the
/// rest is skipped. `analyses` are in the order of `shortlist`, `None` where analysis failed.
pub fn decide(
    shortlist: Vec<Candidate>,
    analyses: Vec<Option<ProductAnalysis>>,
    max_imports: usize,
    thresholds: Thresholds,
) -> Decided {
    let mut decided = Decided::default();
    let mut importable = Vec::new();
    for (candidate, analysis) in shortlist.into_iter().zip(analyses) {
        let Some(analysis) = analysis else {
            decided.failed += 1;
            continue;
        };
        let recommended = match analysis.recommendation {
            Recommendation::Import => true,
            Recommendation::Watch => thresholds.launch,
            Recommendation::Skip => false,
        };
        if analysis.score >= thresholds.import && recommended {
            importable.push((candidate, analysis));
        } else if analysis.score >= thresholds.watch && analysis.recommendation != Recommendation::Skip {
            decided.watch.push((candidate, analysis));
        } else {
            decided.skipped += 1;
        }
    }
    // Stable: equal AI scores keep the research ranking.
    importable.sort_by_key(|(_, analysis)| std::cmp::Reverse(analysis.score));
    let beyond_limit = importable.split_off(max_imports.min(importable.len()));
    decided.import = importable;
    decided.watch.splice(0..0, beyond_limit);
    decided
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
    fn margin_and_price_point_are_measured_at_the_stores_prices() {
        let default = Candidate::by_default_rules(product("1", "Lamp", 300));
        let thin = PricingRules { markup_bps: 12_000, min_margin_bps: 1_000, ..PricingRules::default() };
        let mine = Candidate::from_supplier(product("1", "Lamp", 300), &thin);
        assert!(mine.signals.margin < default.signals.margin, "{:?} vs {:?}", mine.signals, default.signals);
        let facts = mine.analysis_facts("lighting", &thin);
        assert_eq!(facts.pricing, thin, "the analysis prices by the same rules");
    }

    #[test]
    fn the_best_sellers_are_chosen_first() {
        let chosen = select(
            vec![
                Candidate::by_default_rules(product("1", "Slow Seller Lamp", 3)),
                Candidate::by_default_rules(product("2", "Hot Seller Brush", 9_000)),
                Candidate::by_default_rules(product("3", "Mid Seller Bowl", 300)),
            ],
            2,
        );
        let ids: Vec<&str> = chosen.iter().map(|c| c.product.source_product_id.as_str()).collect();
        assert_eq!(ids, vec!["2", "3"]);
    }

    fn analysis(score: u8, recommendation: Recommendation) -> Option<ProductAnalysis> {
        Some(ProductAnalysis {
            score,
            recommendation,
            reasoning: "r".into(),
            strengths: vec!["s".into()],
            risks: vec!["r".into()],
            audience: "a".into(),
            suggested_price: Money::from_minor(2_499, Currency::Usd),
            marketing_angle: "m".into(),
        })
    }

    fn ids(chosen: &[(Candidate, ProductAnalysis)]) -> Vec<&str> {
        chosen.iter().map(|(c, _)| c.product.source_product_id.as_str()).collect()
    }

    #[test]
    fn the_thresholds_sort_analysed_candidates_into_import_watch_and_skip() {
        let shortlist: Vec<Candidate> = (1..=6)
            .map(|i| Candidate::by_default_rules(product(&i.to_string(), &format!("Item {i}"), 100)))
            .collect();
        let analyses = vec![
            analysis(85, Recommendation::Import),
            analysis(92, Recommendation::Watch),
            analysis(70, Recommendation::Import),
            analysis(64, Recommendation::Watch),
            analysis(75, Recommendation::Skip),
            None,
        ];
        let decided = decide(shortlist, analyses, 5, Thresholds::default());
        assert_eq!(ids(&decided.import), vec!["1"]);
        assert_eq!(ids(&decided.watch), vec!["2", "3"]);
        assert_eq!((decided.skipped, decided.failed), (2, 1));
    }

    #[test]
    fn imports_past_the_runs_limit_go_on_the_watchlist_best_first_imported() {
        let shortlist: Vec<Candidate> = (1..=4)
            .map(|i| Candidate::by_default_rules(product(&i.to_string(), &format!("Item {i}"), 100)))
            .collect();
        let analyses = [81, 95, 88, 95].map(|s| analysis(s, Recommendation::Import)).to_vec();
        let decided = decide(shortlist, analyses, 2, Thresholds::default());
        assert_eq!(ids(&decided.import), vec!["2", "4"], "ties keep the research order");
        assert_eq!(ids(&decided.watch), vec!["3", "1"]);
    }

    #[test]
    fn a_store_with_stricter_thresholds_imports_less_and_watches_more() {
        let shortlist: Vec<Candidate> = (1..=3)
            .map(|i| Candidate::by_default_rules(product(&i.to_string(), &format!("Item {i}"), 100)))
            .collect();
        let analyses = [92, 85, 72].map(|s| analysis(s, Recommendation::Import)).to_vec();
        let strict = decide(
            shortlist.clone(),
            analyses.clone(),
            5,
            Thresholds { import: 90, watch: 80, launch: false },
        );
        assert_eq!((ids(&strict.import), ids(&strict.watch), strict.skipped), (vec!["1"], vec!["2"], 1));
        let lenient = decide(
            shortlist.clone(),
            analyses.clone(),
            5,
            Thresholds { import: 70, watch: 50, launch: false },
        );
        // A launch imports what the analysis would watch, from the threshold it is given.
        let launch = decide(shortlist, analyses, 5, Thresholds { import: 65, watch: 65, launch: true });
        assert!(launch.import.len() >= lenient.import.len());
        assert!(launch.import.iter().all(|(_, a)| a.score >= 65 && a.recommendation != Recommendation::Skip));
        assert_eq!(ids(&lenient.import), vec!["1", "2", "3"]);
    }

    #[test]
    fn the_shortlist_is_twice_the_imports_within_bounds() {
        assert_eq!(shortlist_size(5, false), 10);
        assert_eq!(shortlist_size(15, false), 20);
        assert_eq!(shortlist_size(50, false), 50);
        assert_eq!(shortlist_size(20, true), 40);
        assert_eq!(shortlist_size(50, true), 100);
    }

    #[test]
    fn products_the_store_has_by_source_id_or_title_are_left_out() {
        let mut candidates = vec![
            Candidate::by_default_rules(product("1", "Pet Hair Remover Glove", 500)),
            Candidate::by_default_rules(product("2", "Slow Feeder Bowl", 500)),
            Candidate::by_default_rules(product("3", "LED Dog Collar", 500)),
        ];
        let owned = Owned::new([
            (Some("aliexpress"), Some("1"), "Gentle Grooming Glove"),
            (None, None, "dog collar, LED"),
            (Some("feed"), Some("2"), "Something else"),
        ]);
        assert_eq!(exclude_owned(&mut candidates, &owned), 2);
        assert_eq!(
            candidates[0].product.source_product_id, "2",
            "same id at another source is another product"
        );
    }

    #[test]
    fn the_same_product_listed_twice_is_kept_once() {
        let chosen = select(
            vec![
                Candidate::by_default_rules(product("1", "Pet Hair Remover Glove", 500)),
                Candidate::by_default_rules(product("1", "Pet Hair Remover Glove", 500)),
                Candidate::by_default_rules(product("9", "Glove Remover, Pet Hair", 400)),
            ],
            10,
        );
        assert_eq!(chosen.len(), 1);
    }
}
