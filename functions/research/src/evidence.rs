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
use crate::words::{FastMap, Numbers};
use domain::content::title_words;
use domain::scoring::normalise::LogScale;
use domain::scoring::Signals;
use std::borrow::Cow;
use std::collections::BTreeSet;

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
    apply_all(candidates, &Evidence { videos, trends, ..Evidence::default() })
}

/// TikTok engagement, 0 to 100: views, likes and shares on log scales, views weighing most.
pub fn tiktok_engagement(plays: u64, likes: u64, shares: u64) -> u8 {
    Scales::new().tiktok(plays, likes, shares)
}

/// The log scales of the signals, each logarithm of its `FULL_` count taken once per run.
struct Scales {
    score: LogScale,
    comments: LogScale,
    competitors: LogScale,
    plays: LogScale,
    likes: LogScale,
    shares: LogScale,
}

impl Scales {
    fn new() -> Self {
        Self {
            score: LogScale::new(FULL_SCORE),
            comments: LogScale::new(FULL_COMMENTS),
            competitors: LogScale::new(FULL_COMPETITORS),
            plays: LogScale::new(FULL_PLAYS),
            likes: LogScale::new(FULL_LIKES),
            shares: LogScale::new(FULL_SHARES),
        }
    }

    fn tiktok(&self, plays: u64, likes: u64, shares: u64) -> u8 {
        let plays = u16::from(self.plays.of(plays));
        let likes = u16::from(self.likes.of(likes));
        let shares = u16::from(self.shares.of(shares));
        ((plays * 6 + likes * 3 + shares) / 10) as u8
    }

    fn reddit(&self, score: u64, comments: u64) -> u8 {
        let score = u16::from(self.score.of(score));
        let comments = u16::from(self.comments.of(comments));
        ((score * 7 + comments * 3) / 10) as u8
    }

    fn competitors(&self, selling: u64, scanned: u64) -> (u8, u8) {
        let count = 100 - self.competitors.of(selling);
        let share = (selling.min(scanned) * 100).checked_div(scanned).map_or(100, |taken| 100 - taken as u8);
        (count, share)
    }
}

/// Gives each candidate the signals of the posts and competitor listings about it. `None` means
/// the source did not answer, and leaves its signals unmeasured.
pub fn apply(
    candidates: &mut [Candidate],
    mentions: Option<&[Mention]>,
    competition: Option<&Competition>,
) -> Applied {
    apply_all(candidates, &Evidence { mentions, competition, ..Evidence::default() })
}

/// Everything a run's sources brought about the candidates; `None` where a source did not
/// answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence<'a> {
    /// Reddit posts.
    pub mentions: Option<&'a [Mention]>,
    /// Competitors' catalogues.
    pub competition: Option<&'a Competition>,
    /// TikTok videos.
    pub videos: Option<&'a [Video]>,
    /// Google Trends keywords, the niche's first.
    pub trends: Option<&'a [Trend]>,
}

/// [`apply`] and [`apply_social`] in one pass: each candidate's title is read once for every
/// source, and its signals merged and scored once.
pub fn apply_all(candidates: &mut [Candidate], evidence: &Evidence<'_>) -> Applied {
    let Evidence { mentions, competition, videos, trends } = *evidence;
    let mut applied = Applied::default();
    let mut numbers = Numbers::default();
    let posts = mentions.unwrap_or_default();
    let mut post_matcher =
        Matcher::new(&mut numbers, posts.iter().map(|m| (m.title.as_str(), m.links.as_slice())));
    let listings = competition.map(|c| c.products.as_slice()).unwrap_or_default();
    let mut listing_matcher =
        Matcher::new(&mut numbers, listings.iter().map(|p| (p.title.as_str(), &[][..])));
    let clips = videos.unwrap_or_default();
    let mut clip_matcher =
        Matcher::new(&mut numbers, clips.iter().map(|v| (v.text.as_str(), v.links.as_slice())));
    // Each listing's store as a number, and per store the last candidate (plus one) it sells.
    let mut stores: FastMap<&str, u32> = FastMap::default();
    let store_of: Vec<u32> = listings
        .iter()
        .map(|p| {
            let next = stores.len() as u32;
            *stores.entry(p.store.as_str()).or_insert(next)
        })
        .collect();
    let mut sells = vec![0u32; stores.len()];
    let mut ids = Vec::new();
    let keywords: Vec<(Vec<u32>, &Trend)> = trends
        .unwrap_or_default()
        .iter()
        .map(|t| {
            numbers.title(&t.keyword, true, &mut ids);
            (ids.clone(), t)
        })
        .collect();
    // Which keywords' words the current candidate's title has: the candidate's number, plus one.
    let mut has = vec![0u32; numbers.len()];
    let contested = competition.filter(|c| c.stores_scanned > 0);
    let scales = Scales::new();
    for (n, candidate) in candidates.iter_mut().enumerate() {
        let stamp = n as u32 + 1;
        numbers.title(&candidate.product.title, true, &mut ids);
        let mut signals = Signals::default();
        let id =
            if mentions.is_some() || videos.is_some() { candidate_aliexpress_id(candidate) } else { None };
        if mentions.is_some() {
            let (mut score, mut comments, mut any) = (0u64, 0u64, false);
            post_matcher.about(&ids, id.as_deref(), |i| {
                (score, comments, any) = (score + posts[i].score, comments + posts[i].comments, true);
            });
            applied.mentioned += usize::from(any);
            signals.reddit = Some(scales.reddit(score, comments));
        }
        if let Some(competition) = contested {
            let mut selling = 0u64;
            listing_matcher.about(&ids, None, |i| {
                let store = &mut sells[store_of[i] as usize];
                selling += u64::from(*store != stamp);
                *store = stamp;
            });
            applied.contested += usize::from(selling > 0);
            let (count, share) = scales.competitors(selling, u64::from(competition.stores_scanned));
            signals.competitor_count = Some(count);
            signals.saturation = Some(share);
        }
        if videos.is_some() {
            let (mut plays, mut likes, mut shares, mut any) = (0u64, 0u64, 0u64, false);
            clip_matcher.about(&ids, id.as_deref(), |i| {
                let clip = &clips[i];
                (plays, likes, shares, any) =
                    (plays + clip.plays, likes + clip.likes, shares + clip.shares, true);
            });
            applied.on_tiktok += usize::from(any);
            signals.tiktok = Some(scales.tiktok(plays, likes, shares));
        }
        if !keywords.is_empty() {
            for &id in &ids {
                if let Some(has) = has.get_mut(id as usize) {
                    *has = stamp;
                }
            }
            let specific = keywords
                .iter()
                .skip(1)
                .filter(|(words, _)| !words.is_empty() && words.iter().all(|&w| has[w as usize] == stamp))
                .map(|(_, trend)| *trend)
                .max_by_key(|trend| trend.interest);
            if let Some(trend) = specific.or_else(|| keywords.first().map(|(_, trend)| *trend)) {
                applied.rising += usize::from(trend.rising);
                let bonus = if trend.rising { RISING_BONUS } else { 0 };
                signals.search_volume = Some(trend.interest.saturating_add(bonus).min(100));
            }
        }
        candidate.add_signals(&signals);
    }
    applied
}

/// Reddit engagement, 0 to 100: score and comments on log scales, the score weighing more.
pub fn engagement(score: u64, comments: u64) -> u8 {
    Scales::new().reddit(score, comments)
}

/// The competition signals, both inverted (100 is uncontested): the number of stores selling the
/// product on a log scale, and their share of the stores scanned.
pub fn competitors(selling: u64, scanned: u64) -> (u8, u8) {
    Scales::new().competitors(selling, scanned)
}

fn candidate_aliexpress_id(candidate: &Candidate) -> Option<Cow<'_, str>> {
    if candidate.product.source == "aliexpress" {
        return Some(Cow::Borrowed(&candidate.product.source_product_id));
    }
    // Only a URL that names AliExpress can name an AliExpress item: most do not, and parsing
    // one costs allocations.
    let url = candidate.product.product_url.as_bytes();
    let names_aliexpress = url.windows(10).any(|w| w.eq_ignore_ascii_case(b"aliexpress"));
    names_aliexpress.then(|| aliexpress_id(&candidate.product.product_url)).flatten().map(Cow::Owned)
}

/// One word's titles in a [`Matcher`]: a bitset where the word is common, a list where rare.
#[derive(Clone, Copy)]
enum Row {
    Bits(usize),
    List(usize, usize),
}

/// Titles (of posts, videos, listings) indexed by word and by the AliExpress items they link.
/// A candidate's words add up, per title, how many words the two share, in counters kept as bit
/// planes (the n-th bit of every title's count in one run of `u64`s), so a common word costs a
/// few operations per 64 titles and a rare one a few per title; the titles sharing enough words
/// are then picked out per title length, by comparing the planes with that length's threshold.
struct Matcher {
    /// `u64`s per bitset of titles.
    width: usize,
    /// Per vocabulary word, where its titles are (`None` for a word none of these titles has).
    rows: Vec<Option<Row>>,
    bits: Vec<u64>,
    lists: Vec<u32>,
    /// The titles' distinct lengths in words, ascending, each with the bitset of its titles.
    lengths: Vec<(usize, usize)>,
    by_item: FastMap<String, Vec<u32>>,
    /// Per title size of a candidate, the titles grouped by the words they must share with it:
    /// that number, and where the group's bitset is in `groups`.
    by_size: Vec<Option<Vec<(usize, usize)>>>,
    groups: Vec<u64>,
    planes: Vec<u64>,
    found: Vec<u64>,
}

impl Matcher {
    fn new<'a>(numbers: &mut Numbers, titles: impl Iterator<Item = (&'a str, &'a [ProductLink])>) -> Self {
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut ids = Vec::new();
        let mut sizes = Vec::new();
        let mut by_item: FastMap<String, Vec<u32>> = FastMap::default();
        for (i, (title, links)) in titles.enumerate() {
            numbers.title(title, true, &mut ids);
            sizes.push(ids.len());
            for &id in &ids {
                let id = id as usize;
                if postings.len() <= id {
                    postings.resize_with(id + 1, Vec::new);
                }
                postings[id].push(i as u32);
            }
            for link in links {
                if let ProductLink::AliExpress(item) = link {
                    by_item.entry(item.clone()).or_default().push(i as u32);
                }
            }
        }
        let width = sizes.len().div_ceil(64);
        let (mut bits, mut lists) = (Vec::new(), Vec::new());
        let rows = postings
            .iter()
            .map(|titles| match titles.len() {
                0 => None,
                // A bitset costs `width` words of work per candidate, a list one per title.
                n if n >= width => {
                    let at = bits.len();
                    bits.resize(at + width, 0);
                    for &i in titles {
                        bits[at + i as usize / 64] |= 1 << (i % 64);
                    }
                    Some(Row::Bits(at))
                }
                n => {
                    lists.extend_from_slice(titles);
                    Some(Row::List(lists.len() - n, lists.len()))
                }
            })
            .collect();
        let mut distinct: Vec<usize> = sizes.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let lengths = distinct
            .into_iter()
            .map(|length| {
                let at = bits.len();
                bits.resize(at + width, 0);
                for (i, _) in sizes.iter().enumerate().filter(|(_, &size)| size == length) {
                    bits[at + i / 64] |= 1 << (i % 64);
                }
                (length, at)
            })
            .collect();
        Self {
            width,
            rows,
            bits,
            lists,
            lengths,
            by_item,
            by_size: Vec::new(),
            groups: Vec::new(),
            planes: Vec::new(),
            found: vec![0; width],
        }
    }

    /// Groups the titles by the fewest words they must share with a title of `size` words, once
    /// per `size`: lengths ascend and so do their thresholds, so a group is a run of lengths.
    fn group(&mut self, size: usize) {
        if self.by_size.len() <= size {
            self.by_size.resize(size + 1, None);
        }
        if self.by_size[size].is_some() {
            return;
        }
        let (width, mut groups, mut next) = (self.width, Vec::new(), 0);
        while next < self.lengths.len() {
            let need = threshold(size, self.lengths[next].0);
            let at = self.groups.len();
            self.groups.resize(at + width, 0);
            while next < self.lengths.len() && threshold(size, self.lengths[next].0) == need {
                let from = self.lengths[next].1;
                for k in 0..width {
                    self.groups[at + k] |= self.bits[from + k];
                }
                next += 1;
            }
            groups.push((need, at));
        }
        self.by_size[size] = Some(groups);
    }

    /// Calls `each` with every title about a product whose title's distinct words have the
    /// numbers `ids`, or that links its AliExpress `item`, in index order: the titles for which
    /// [`Words::matches`] holds, and those linking the item.
    fn about(&mut self, ids: &[u32], item: Option<&str>, mut each: impl FnMut(usize)) {
        let (width, size) = (self.width, ids.len());
        self.found.fill(0);
        if size >= MIN_SHARED_WORDS {
            let depth = (usize::BITS - size.leading_zeros()) as usize;
            self.planes.clear();
            self.planes.resize(depth * width, 0);
            let mut known = 0;
            for &id in ids {
                match self.rows.get(id as usize).copied().flatten() {
                    Some(Row::Bits(at)) => {
                        for (k, &word) in self.bits[at..at + width].iter().enumerate() {
                            add(&mut self.planes, width, k, word);
                        }
                        known += 1;
                    }
                    Some(Row::List(from, to)) => {
                        for &i in &self.lists[from..to] {
                            add(&mut self.planes, width, i as usize / 64, 1 << (i % 64));
                        }
                        known += 1;
                    }
                    None => {}
                }
            }
            if known >= MIN_SHARED_WORDS {
                self.group(size);
                for &(need, at) in self.by_size[size].iter().flatten() {
                    if need <= known {
                        for k in 0..width {
                            self.found[k] |= at_least(&self.planes, width, k, need) & self.groups[at + k];
                        }
                    }
                }
            }
        }
        if let Some(linked) = item.and_then(|item| self.by_item.get(item)) {
            for &i in linked {
                self.found[i as usize / 64] |= 1 << (i % 64);
            }
        }
        for (k, &word) in self.found.iter().enumerate() {
            let mut rest = word;
            while rest != 0 {
                each(k * 64 + rest.trailing_zeros() as usize);
                rest &= rest - 1;
            }
        }
    }
}

/// Adds one to the counts of the titles set in `word` (the `k`-th `u64` of the bitsets), carrying
/// through the planes.
fn add(planes: &mut [u64], width: usize, k: usize, word: u64) {
    let mut carry = word;
    let mut at = k;
    while carry != 0 && at < planes.len() {
        let plane = planes[at];
        planes[at] = plane ^ carry;
        carry &= plane;
        at += width;
    }
}

/// The titles (of the `k`-th `u64` of the bitsets) whose count in the planes is `need` or more.
fn at_least(planes: &[u64], width: usize, k: usize, need: usize) -> u64 {
    let (mut above, mut equal) = (0u64, !0u64);
    for depth in (0..planes.len() / width).rev() {
        let plane = planes[depth * width + k];
        if need >> depth & 1 == 1 {
            equal &= plane;
        } else {
            above |= equal & plane;
            equal &= !plane;
        }
    }
    above | equal
}

/// The fewest shared words for which [`Words::enough`] holds between titles of these lengths.
fn threshold(one: usize, other: usize) -> usize {
    MIN_SHARED_WORDS.max((one.min(other) * MIN_SHARED_PERCENT).div_ceil(100))
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

    /// The words, sorted.
    #[cfg(test)]
    pub(crate) fn into_words(self) -> impl Iterator<Item = String> {
        self.0.into_iter()
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
        Candidate::by_default_rules(SupplierProduct {
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
