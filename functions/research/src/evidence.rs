//! Evidence from sources that list no products of their own (Reddit posts, competitors'
//! catalogues), turned into the signals of the supplier candidates it is about.
//!
//! A post or listing is about a candidate when it links the candidate's AliExpress item, or else
//! when their titles share enough words. A source that answered measures every candidate: a
//! candidate nobody posts about gets a Reddit engagement of 0, and one no competitor sells gets
//! the best competition scores. Leaving those unmeasured instead would let a weakly discussed
//! product score below an undiscussed one, since a score is the mean over measured signals.

use crate::candidates::Candidate;
use crate::sources::competitors::Competition;
use crate::sources::links::{aliexpress_id, ProductLink};
use crate::sources::reddit::Mention;
use crate::sources::tiktok::Video;
use crate::sources::trends::Trend;
use domain::content::title_words;
use domain::scoring::{normalise, Signals};
use std::collections::{BTreeSet, HashMap};

#[cfg(test)]
mod reference;

/// Reddit score at which engagement is full.
const FULL_SCORE: u64 = 20_000;
/// Reddit comment count at which engagement is full.
const FULL_COMMENTS: u64 = 2_000;
/// Competitor stores selling a product at which it counts as fully contested.
const FULL_COMPETITORS: u64 = 10;
/// Two titles name the same product when they share at least this many words...
const MIN_SHARED_WORDS: usize = 3;
/// ...and that is at least this share, in percent, of the shorter title's words.
const MIN_SHARED_PERCENT: usize = 40;

/// What the evidence did, for the run's log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Candidates that some post is about.
    pub mentioned: usize,
    /// Candidates that some competitor sells.
    pub contested: usize,
    /// Candidates that some TikTok video is about.
    pub on_tiktok: usize,
    /// Candidates whose keyword is rising on Google Trends.
    pub rising: usize,
}

/// TikTok views at which engagement is full.
const FULL_PLAYS: u64 = 10_000_000;
/// TikTok likes at which engagement is full.
const FULL_LIKES: u64 = 1_000_000;
/// TikTok shares at which engagement is full.
const FULL_SHARES: u64 = 100_000;
/// Search volume points a rising keyword gains, for its interest is about to be higher.
const RISING_BONUS: u8 = 20;

/// Gives each candidate the signals of the TikTok videos and Google Trends keywords about it.
/// `None` means the source did not answer. A video is about a candidate when it links its
/// AliExpress item or shares enough title words; a candidate takes the interest of the most
/// searched keyword whose words are all in its title, else that of the niche (the first trend).
pub fn apply_social(
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

/// TikTok engagement, 0 to 100: views, likes and shares on log scales, views weighing most.
pub fn tiktok_engagement(plays: u64, likes: u64, shares: u64) -> u8 {
    let plays = u16::from(normalise::log_scale(plays, FULL_PLAYS));
    let likes = u16::from(normalise::log_scale(likes, FULL_LIKES));
    let shares = u16::from(normalise::log_scale(shares, FULL_SHARES));
    ((plays * 6 + likes * 3 + shares) / 10) as u8
}

/// Gives each candidate the signals of the posts and competitor listings about it. `None` means
/// the source did not answer, and leaves its signals unmeasured.
pub fn apply(
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

/// Reddit engagement, 0 to 100: score and comments on log scales, the score weighing more.
pub fn engagement(score: u64, comments: u64) -> u8 {
    let score = u16::from(normalise::log_scale(score, FULL_SCORE));
    let comments = u16::from(normalise::log_scale(comments, FULL_COMMENTS));
    ((score * 7 + comments * 3) / 10) as u8
}

/// The competition signals, both inverted (100 is uncontested): the number of stores selling the
/// product on a log scale, and their share of the stores scanned.
pub fn competitors(selling: u64, scanned: u64) -> (u8, u8) {
    let count = 100 - normalise::log_scale(selling, FULL_COMPETITORS);
    let share = (selling.min(scanned) * 100).checked_div(scanned).map_or(100, |taken| 100 - taken as u8);
    (count, share)
}

fn candidate_aliexpress_id(candidate: &Candidate) -> Option<String> {
    if candidate.product.source == "aliexpress" {
        return Some(candidate.product.source_product_id.clone());
    }
    aliexpress_id(&candidate.product.product_url)
}

/// Titles (of posts, videos, listings) indexed by word and by the AliExpress items they link, so
/// that a candidate is compared only with the titles that share a word with it: what keeps
/// evidence cheap for a hundred thousand candidates.
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

    /// The titles about a product with these title words, or linking its AliExpress `item`, in
    /// index order: the same as [`Words::matches`] with each.
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

/// The words of a title, singular, for telling listings of one product apart from others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words(BTreeSet<String>);

impl Words {
    /// The distinct ordinary words of `title`, plurals folded to singular.
    pub fn of(title: &str) -> Self {
        Self(title_words(title).iter().map(|w| singular(w)).collect())
    }

    /// Whether two titles share enough words to name the same product.
    pub fn matches(&self, other: &Words) -> bool {
        Self::enough(self.0.intersection(&other.0).count(), self.0.len(), other.0.len())
    }

    fn enough(shared: usize, one: usize, other: usize) -> bool {
        shared >= MIN_SHARED_WORDS && shared * 100 >= one.min(other) * MIN_SHARED_PERCENT
    }
}

fn singular(word: &str) -> String {
    if word.len() <= 3 || word.ends_with("ss") || word.ends_with("us") {
        return word.to_owned();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["shes", "ches", "xes", "sses"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_owned();
        }
    }
    word.strip_suffix('s').unwrap_or(word).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::competitors::CompetitorProduct;
    use domain::{Currency, Money};
    use queues::messages::SupplierProduct;

    fn candidate(source: &str, id: &str, title: &str, url: &str) -> Candidate {
        Candidate::from_supplier(SupplierProduct {
            source: source.into(),
            source_product_id: id.into(),
            title: title.into(),
            cost: Money::from_minor(850, Currency::Usd),
            list_price: None,
            image_urls: vec![],
            product_url: url.into(),
            category: None,
            orders_30d: Some(900),
            rating_pct: None,
            shipping_days: Some(12),
        })
    }

    fn brush() -> Candidate {
        candidate(
            "aliexpress",
            "1005006100000000",
            "Self-Cleaning Slicker Brush for Dogs and Cats",
            "https://www.aliexpress.com/item/1005006100000000.html",
        )
    }

    fn mention(title: &str, score: u64, comments: u64, links: Vec<ProductLink>) -> Mention {
        Mention {
            subreddit: "shutupandtakemymoney".into(),
            post_id: title.len().to_string(),
            title: title.into(),
            score,
            comments,
            permalink: "https://www.reddit.com/r/x/comments/1/".into(),
            posted_at: None,
            links,
        }
    }

    fn listing(store: &str, title: &str) -> CompetitorProduct {
        CompetitorProduct {
            store: store.into(),
            id: 1,
            title: title.into(),
            handle: "h".into(),
            url: format!("https://{store}/products/h"),
            created_at: None,
            price: None,
            image_url: None,
            new_since_last_scan: false,
        }
    }

    #[test]
    fn a_post_linking_the_aliexpress_item_lends_its_engagement_whatever_its_title() {
        let mut candidates = vec![brush()];
        let posts = [mention(
            "my husky hates me now",
            4_200,
            310,
            vec![ProductLink::AliExpress("1005006100000000".into())],
        )];
        let applied = apply(&mut candidates, Some(&posts), None);
        assert_eq!(applied.mentioned, 1);
        assert_eq!(candidates[0].signals.reddit, Some(engagement(4_200, 310)));
        assert!(candidates[0].signals.reddit.unwrap() > 50);
    }

    #[test]
    fn a_post_is_matched_by_title_words_when_it_links_nothing() {
        let mut candidates =
            vec![brush(), candidate("feed", "x", "Memory Foam Pet Bed", "https://s.example/x")];
        let posts = [mention(
            "This self cleaning slicker brush got a whole second dog out of my husky",
            900,
            80,
            vec![],
        )];
        apply(&mut candidates, Some(&posts), None);
        assert_eq!(candidates[0].signals.reddit, Some(engagement(900, 80)));
        assert_eq!(candidates[1].signals.reddit, Some(0), "read, and nobody talks about it");
    }

    #[test]
    fn a_feed_product_on_an_aliexpress_page_is_matched_by_its_item_id() {
        let mut candidates = vec![candidate(
            "feed",
            "SKU-1",
            "Grooming tool",
            "https://www.aliexpress.com/item/1005006100000000.html",
        )];
        let posts = [mention("look", 100, 10, vec![ProductLink::AliExpress("1005006100000000".into())])];
        assert_eq!(apply(&mut candidates, Some(&posts), None).mentioned, 1);
    }

    #[test]
    fn sources_that_did_not_answer_leave_their_signals_unmeasured() {
        let mut candidates = vec![brush()];
        let before = candidates[0].score;
        apply(&mut candidates, None, None);
        assert_eq!(candidates[0].signals.reddit, None);
        assert_eq!(candidates[0].signals.saturation, None);
        assert_eq!(candidates[0].score, before);
    }

    #[test]
    fn a_product_more_competitors_sell_scores_lower() {
        let mut candidates = vec![
            brush(),
            candidate(
                "aliexpress",
                "2",
                "Automatic Cat Water Fountain 2L Ultra Quiet",
                "https://a.example/2",
            ),
            candidate(
                "aliexpress",
                "3",
                "Orthopedic Memory Foam Pet Bed Washable Cover",
                "https://a.example/3",
            ),
        ];
        let competition = Competition {
            stores_scanned: 2,
            products: vec![
                listing("a.example", "Self-Cleaning Slicker Brush"),
                listing("b.example", "Pro Slicker Brush – Self Cleaning"),
                listing("b.example", "Cat Water Fountain, Ultra Quiet"),
            ],
        };
        let applied = apply(&mut candidates, None, Some(&competition));
        assert_eq!(applied.contested, 2);
        assert_eq!(candidates[0].signals.saturation, Some(0));
        assert_eq!(candidates[1].signals.saturation, Some(50));
        assert_eq!(candidates[2].signals.saturation, Some(100));
        assert_eq!(candidates[2].signals.competitor_count, Some(100));
        assert!(candidates[0].signals.competitor_count < candidates[1].signals.competitor_count);
    }

    #[test]
    fn titles_sharing_only_generic_words_are_different_products() {
        let glove = Words::of("Pet Grooming Glove Gentle Deshedding Mitt");
        assert!(!glove.matches(&Words::of("Pet Grooming Kit")));
        assert!(!Words::of("Interactive Cat Feather Toy Wand").matches(&Words::of("Smart Laser Cat Toy")));
        assert!(Words::of("Slicker Brushes for Dogs").matches(&Words::of("Dog Slicker Brush")));
        assert!(
            Words::of("Dog Nail Grinder Low Noise Electric Trimmer").matches(&Words::of(
                "Dog nail grinder that is quiet enough that my anxious pup sleeps through it"
            )),
            "a chatty post title still names the product"
        );
    }

    fn trend(keyword: &str, interest: u8, rising: bool) -> Trend {
        Trend { keyword: keyword.into(), interest, previous: interest, growth_pct: Some(0), rising }
    }

    fn video(text: &str, plays: u64) -> Video {
        Video {
            id: text.len().to_string(),
            text: text.into(),
            plays,
            likes: plays / 10,
            shares: plays / 100,
            comments: 0,
            url: "https://www.tiktok.com/@a/video/1".into(),
            links: vec![],
        }
    }

    #[test]
    fn tiktok_videos_about_a_candidate_lend_it_their_engagement_and_the_rest_get_zero() {
        let mut candidates =
            vec![brush(), candidate("feed", "x", "Memory Foam Pet Bed", "https://s.example/x")];
        let videos = [video("self cleaning slicker brush is so satisfying #dogsoftiktok", 5_000_000)];
        let applied = apply_social(&mut candidates, Some(&videos), None);
        assert_eq!(applied.on_tiktok, 1);
        assert!(candidates[0].signals.tiktok.unwrap() > 80);
        assert_eq!(candidates[1].signals.tiktok, Some(0));
        assert!(candidates[0].score.value > candidates[1].score.value);
    }

    #[test]
    fn a_candidate_takes_its_own_keywords_interest_else_the_niches_and_rising_adds() {
        let mut candidates =
            vec![brush(), candidate("feed", "x", "Memory Foam Pet Bed", "https://s.example/x")];
        let trends = [trend("pet grooming", 60, false), trend("slicker brush", 70, true)];
        let applied = apply_social(&mut candidates, None, Some(&trends));
        assert_eq!(applied.rising, 1);
        assert_eq!(candidates[0].signals.search_volume, Some(90), "rising: 70 and 20 more");
        assert_eq!(candidates[1].signals.search_volume, Some(60), "the niche's interest");
        assert_eq!(candidates[1].signals.tiktok, None, "TikTok was not read");
    }

    #[test]
    fn plurals_fold_to_singular() {
        assert_eq!(singular("brushes"), "brush");
        assert_eq!(singular("puppies"), "puppy");
        assert_eq!(singular("dogs"), "dog");
        assert_eq!(singular("glass"), "glass");
        assert_eq!(singular("cactus"), "cactus");
    }

    #[test]
    fn engagement_and_competition_stay_within_the_scale() {
        assert_eq!(engagement(0, 0), 0);
        assert_eq!(engagement(u64::MAX, u64::MAX), 100);
        assert_eq!(competitors(0, 3), (100, 100));
        assert_eq!(competitors(50, 3), (0, 0));
    }
}
