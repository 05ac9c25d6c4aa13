//! The evidence and de-duplication algorithms as they stood before they were indexed (a word
//! index per source scanned with a `HashMap<String, _>` per title, keys formatted per candidate),
//! kept for tests only: a property test holds the fast path to exactly their ranked output.

use super::{competitors, engagement, tiktok_engagement, Applied, Words, RISING_BONUS};
use crate::candidates::Candidate;
use crate::sources::competitors::Competition;
use crate::sources::links::{aliexpress_id, ProductLink};
use crate::sources::reddit::Mention;
use crate::sources::tiktok::Video;
use crate::sources::trends::Trend;
use domain::content::title_words;
use domain::scoring::Signals;
use std::collections::{BTreeSet, HashMap};

pub(crate) fn apply_social(
    candidates: &mut [Candidate],
    videos: Option<&[Video]>,
    trends: Option<&[Trend]>,
) -> Applied {
    let mut applied = Applied::default();
    let clips = videos.unwrap_or_default();
    let mut matcher = Matcher::new(clips.iter().map(|v| (Words::of(&v.text), v.links.as_slice())));
    let keywords: Vec<(Words, &Trend)> =
        trends.unwrap_or_default().iter().map(|t| (Words::of(&t.keyword), t)).collect();
    for candidate in candidates.iter_mut() {
        let words = Words::of(&candidate.product.title);
        let mut signals = Signals::default();
        if videos.is_some() {
            let id = candidate_aliexpress_id(candidate);
            let about: Vec<&Video> =
                matcher.about(&words, id.as_deref()).into_iter().map(|i| &clips[i]).collect();
            applied.on_tiktok += usize::from(!about.is_empty());
            signals.tiktok = Some(tiktok_engagement(
                about.iter().map(|v| v.plays).sum(),
                about.iter().map(|v| v.likes).sum(),
                about.iter().map(|v| v.shares).sum(),
            ));
        }
        let specific = keywords
            .iter()
            .skip(1)
            .filter(|(keyword_words, _)| !keyword_words.0.is_empty() && keyword_words.0.is_subset(&words.0))
            .map(|(_, trend)| *trend)
            .max_by_key(|trend| trend.interest);
        if let Some(trend) = specific.or_else(|| keywords.first().map(|(_, trend)| *trend)) {
            applied.rising += usize::from(trend.rising);
            let bonus = if trend.rising { RISING_BONUS } else { 0 };
            signals.search_volume = Some(trend.interest.saturating_add(bonus).min(100));
        }
        candidate.add_signals(&signals);
    }
    applied
}

pub(crate) fn apply(
    candidates: &mut [Candidate],
    mentions: Option<&[Mention]>,
    competition: Option<&Competition>,
) -> Applied {
    let mut applied = Applied::default();
    let posts = mentions.unwrap_or_default();
    let mut post_matcher = Matcher::new(posts.iter().map(|m| (Words::of(&m.title), m.links.as_slice())));
    let listings = competition.map(|c| c.products.as_slice()).unwrap_or_default();
    let mut listing_matcher = Matcher::new(listings.iter().map(|p| (Words::of(&p.title), &[][..])));
    for candidate in candidates.iter_mut() {
        let words = Words::of(&candidate.product.title);
        let id = candidate_aliexpress_id(candidate);
        let mut signals = Signals::default();
        if mentions.is_some() {
            let about: Vec<&Mention> =
                post_matcher.about(&words, id.as_deref()).into_iter().map(|i| &posts[i]).collect();
            let score = about.iter().map(|m| m.score).sum();
            let comments = about.iter().map(|m| m.comments).sum();
            applied.mentioned += usize::from(!about.is_empty());
            signals.reddit = Some(engagement(score, comments));
        }
        if let Some(competition) = competition.filter(|c| c.stores_scanned > 0) {
            let stores: BTreeSet<&str> =
                listing_matcher.about(&words, None).into_iter().map(|i| listings[i].store.as_str()).collect();
            applied.contested += usize::from(!stores.is_empty());
            let (count, share) = competitors(stores.len() as u64, u64::from(competition.stores_scanned));
            signals.competitor_count = Some(count);
            signals.saturation = Some(share);
        }
        candidate.add_signals(&signals);
    }
    applied
}

struct Matcher {
    sizes: Vec<usize>,
    by_word: HashMap<String, Vec<u32>>,
    by_item: HashMap<String, Vec<u32>>,
    counts: Vec<u16>,
    touched: Vec<u32>,
}

impl Matcher {
    fn new<'a>(titles: impl Iterator<Item = (Words, &'a [ProductLink])>) -> Self {
        let (mut sizes, mut by_word, mut by_item) = (Vec::new(), HashMap::new(), HashMap::new());
        for (i, (words, links)) in titles.enumerate() {
            sizes.push(words.0.len());
            for word in words.0 {
                by_word.entry(word).or_insert_with(Vec::new).push(i as u32);
            }
            for link in links {
                if let ProductLink::AliExpress(item) = link {
                    by_item.entry(item.clone()).or_insert_with(Vec::new).push(i as u32);
                }
            }
        }
        let counts = vec![0; sizes.len()];
        Self { sizes, by_word, by_item, counts, touched: Vec::new() }
    }

    fn about(&mut self, words: &Words, item: Option<&str>) -> Vec<usize> {
        for word in &words.0 {
            for &i in self.by_word.get(word).map_or(&[][..], Vec::as_slice) {
                if self.counts[i as usize] == 0 {
                    self.touched.push(i);
                }
                self.counts[i as usize] += 1;
            }
        }
        let mut found: Vec<usize> = Vec::new();
        for &i in &self.touched {
            let i = i as usize;
            if Words::enough(self.counts[i] as usize, words.0.len(), self.sizes[i]) {
                found.push(i);
            }
            self.counts[i] = 0;
        }
        self.touched.clear();
        if let Some(linked) = item.and_then(|item| self.by_item.get(item)) {
            found.extend(linked.iter().map(|&i| i as usize));
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

fn candidate_aliexpress_id(candidate: &Candidate) -> Option<String> {
    if candidate.product.source == "aliexpress" {
        return Some(candidate.product.source_product_id.clone());
    }
    aliexpress_id(&candidate.product.product_url)
}

fn title_key(title: &str) -> String {
    let mut words = title_words(title);
    words.sort();
    words.dedup();
    words.join(" ")
}

pub(crate) fn select(candidates: Vec<Candidate>, limit: usize) -> Vec<Candidate> {
    let mut kept: Vec<Candidate> = Vec::with_capacity(candidates.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for candidate in candidates {
        let keys = [
            Some(format!("id:{}:{}", candidate.product.source, candidate.product.source_product_id)),
            Some(format!("title:{}", title_key(&candidate.product.title))),
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
    use crate::candidates::select as fast_select;
    use crate::evidence::{apply as fast_apply, apply_all, apply_social as fast_apply_social, Evidence};
    use crate::sources::competitors::CompetitorProduct;
    use domain::{Currency, Money};
    use proptest::prelude::*;
    use queues::messages::SupplierProduct;

    /// Few words, with plurals, stop words, accents and a symbol that slugs to a word, so that
    /// titles collide, share enough words to match, and take every path of the word splitting.
    const WORDS: &[&str] = &[
        "dog",
        "dogs",
        "cat",
        "Cats",
        "puppy",
        "puppies",
        "brush",
        "brushes",
        "slicker",
        "quiet",
        "glass",
        "cactus",
        "box",
        "boxes",
        "bed",
        "beds",
        "the",
        "for",
        "and",
        "with",
        "new",
        "a",
        "x",
        "2L",
        "360",
        "self-cleaning",
        "Séchoir",
        "ÉTÉ",
        "&",
        "--",
        "toy",
        "fountain",
        "led",
        "extraordinarily",
        "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    ];
    const SEPARATORS: &[&str] = &[" ", " ", " ", "-", ", ", " – ", "!", "  "];
    const ITEMS: &[&str] = &["1005006100000001", "1005006100000002", "1005006100000003", "77", "x"];

    fn title() -> impl Strategy<Value = String> {
        prop::collection::vec((prop::sample::select(WORDS), prop::sample::select(SEPARATORS)), 0..22)
            .prop_map(|parts| parts.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
    }

    fn links() -> impl Strategy<Value = Vec<ProductLink>> {
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(ITEMS).prop_map(|i| ProductLink::AliExpress(i.into())),
                prop::sample::select(ITEMS).prop_map(|i| ProductLink::Amazon(i.into())),
            ],
            0..3,
        )
    }

    prop_compose! {
        fn product()(
            source in prop::sample::select(&["aliexpress", "feed", "cj", "feed:x"][..]),
            // Ids longer than 16 bytes that share their first 16, which the ranking compares whole.
            id in prop::sample::select(&["1005006100000001", "1005006100000002", "x:1", "1", "2", "3", "1005006100000001-b", "1005006100000001-a"][..]),
            title in title(),
            cost in 1i64..6_000,
            url_item in prop::option::of(prop::sample::select(ITEMS)),
            image in prop::option::of(0u8..6),
            orders in prop::option::of(0u64..40_000),
            shipping in prop::option::of(1u32..40),
        ) -> SupplierProduct {
            SupplierProduct {
                source: source.into(),
                source_product_id: id.into(),
                title,
                cost: Money::from_minor(cost, Currency::Usd),
                list_price: None,
                image_urls: image.map(|i| vec![format!("https://img.example/{i}.jpg")]).unwrap_or_default(),
                product_url: url_item.map_or("https://s.example/p".into(), |i| format!("https://www.aliexpress.com/item/{i}.html")),
                category: None,
                orders_30d: orders,
                rating_pct: None,
                shipping_days: shipping,
            }
        }
    }

    prop_compose! {
        fn mention()(title in title(), score in 0u64..50_000, comments in 0u64..5_000, links in links()) -> Mention {
            Mention {
                subreddit: "s".into(),
                post_id: "p".into(),
                title,
                score,
                comments,
                permalink: "https://www.reddit.com/r/s/comments/p/".into(),
                posted_at: None,
                links,
            }
        }
    }

    prop_compose! {
        fn listing()(store in prop::sample::select(&["a.example", "b.example", "c.example"][..]), title in title()) -> CompetitorProduct {
            CompetitorProduct {
                store: store.into(),
                id: 1,
                title,
                handle: "h".into(),
                url: format!("https://{store}/products/h"),
                created_at: None,
                price: None,
                image_url: None,
                new_since_last_scan: false,
            }
        }
    }

    prop_compose! {
        fn video()(text in title(), plays in 0u64..20_000_000, likes in 0u64..2_000_000, shares in 0u64..200_000, links in links()) -> Video {
            Video { id: "v".into(), text, plays, likes, shares, comments: 0, url: "https://www.tiktok.com/@a/video/1".into(), links }
        }
    }

    prop_compose! {
        fn trend()(keyword in title(), interest in 0u8..=100, rising in any::<bool>()) -> Trend {
            Trend { keyword, interest, previous: interest, growth_pct: None, rising }
        }
    }

    fn ranked(candidates: &[Candidate]) -> Vec<(SupplierProduct, Signals, domain::scoring::Score)> {
        candidates.iter().map(|c| (c.product.clone(), c.signals, c.score)).collect()
    }

    /// Runs the evidence and the selection both ways and requires the same counts, signals,
    /// scores and ranked output.
    fn same_ranking(
        products: &[SupplierProduct],
        mentions: Option<&[Mention]>,
        competition: Option<&Competition>,
        videos: Option<&[Video]>,
        trends: Option<&[Trend]>,
        limit: usize,
    ) -> Result<(), TestCaseError> {
        let mut old: Vec<Candidate> = products.iter().cloned().map(Candidate::by_default_rules).collect();
        let mut new = old.clone();
        let old_applied = apply(&mut old, mentions, competition);
        let old_social = apply_social(&mut old, videos, trends);
        let new_applied = fast_apply(&mut new, mentions, competition);
        let new_social = fast_apply_social(&mut new, videos, trends);
        prop_assert_eq!((old_applied, old_social), (new_applied, new_social));
        prop_assert_eq!(ranked(&old), ranked(&new));
        // Both in one pass: the counts of both, and the same signals and scores.
        let mut once: Vec<Candidate> = products.iter().cloned().map(Candidate::by_default_rules).collect();
        let all = apply_all(&mut once, &Evidence { mentions, competition, videos, trends });
        let both = Applied { on_tiktok: old_social.on_tiktok, rising: old_social.rising, ..old_applied };
        prop_assert_eq!(all, both);
        prop_assert_eq!(ranked(&old), ranked(&once));
        prop_assert_eq!(ranked(&select(old, limit)), ranked(&fast_select(new, limit)));
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn the_indexed_evidence_and_de_duplication_rank_exactly_as_the_scans_did(
            products in prop::collection::vec(product(), 0..120),
            mentions in prop::option::of(prop::collection::vec(mention(), 0..70)),
            listings in prop::option::of((0u32..4, prop::collection::vec(listing(), 0..70))),
            videos in prop::option::of(prop::collection::vec(video(), 0..70)),
            trends in prop::option::of(prop::collection::vec(trend(), 0..6)),
            limit in prop_oneof![Just(usize::MAX), 0usize..40],
        ) {
            let competition = listings.map(|(stores_scanned, products)| Competition { stores_scanned, products });
            same_ranking(&products, mentions.as_deref(), competition.as_ref(), videos.as_deref(), trends.as_deref(), limit)?;
        }
    }

    proptest! {
        // Several `u64`s of titles per bitset, and lists and bitsets of titles per word.
        #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

        #[test]
        fn a_run_of_thousands_of_candidates_against_hundreds_of_titles_ranks_as_the_scans_did(
            products in prop::collection::vec(product(), 2_000..3_000),
            mentions in prop::option::of(prop::collection::vec(mention(), 130..400)),
            listings in prop::option::of((0u32..4, prop::collection::vec(listing(), 130..400))),
            videos in prop::option::of(prop::collection::vec(video(), 130..400)),
            trends in prop::option::of(prop::collection::vec(trend(), 0..6)),
            limit in prop_oneof![Just(usize::MAX), 0usize..40],
        ) {
            let competition = listings.map(|(stores_scanned, products)| Competition { stores_scanned, products });
            same_ranking(&products, mentions.as_deref(), competition.as_ref(), videos.as_deref(), trends.as_deref(), limit)?;
        }
    }
}
