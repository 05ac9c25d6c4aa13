//! The SEO engine's rules, without I/O: which researched keywords the store's pages do not yet
//! answer (content gaps), which product titles and meta descriptions need rewriting and how,
//! which pages link to which (internal links), and what a published post's HTML may contain.

use crate::content::{truncate_words, META_DESCRIPTION_MAX, META_TITLE_MAX};
use std::collections::{BTreeMap, BTreeSet};

/// Words that carry no topic.
const STOPWORDS: [&str; 40] = [
    "a", "an", "and", "are", "as", "at", "be", "best", "by", "can", "do", "does", "for", "from", "how", "i",
    "in", "is", "it", "my", "near", "of", "on", "or", "should", "that", "the", "this", "to", "top", "vs",
    "what", "when", "which", "who", "why", "with", "you", "your", "me",
];
/// A keyword counts as covered when one page holds this share of its topic words.
pub const COVERED_SHARE: f64 = 0.75;
/// Shortest meta title that says enough.
pub const META_TITLE_MIN: usize = 25;
/// Shortest meta description that says enough.
pub const META_DESCRIPTION_MIN: usize = 70;
/// Blog post length bounds, in words.
pub const POST_WORDS: std::ops::RangeInclusive<usize> = 800..=1_500;
/// Internal links a page gives at most.
pub const LINKS_PER_PAGE: usize = 3;
/// Internal links a page receives at most, so no page is overloaded.
pub const LINKS_TO_PAGE: usize = 5;

/// The topic words of a text: lowercase, alphanumeric, no stopwords, crude plural folding.
pub fn topic_words(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !STOPWORDS.contains(w))
        .map(singular)
        .collect()
}

fn singular(word: &str) -> String {
    let n = word.len();
    if n > 4 && word.ends_with("ies") {
        format!("{}y", &word[..n - 3])
    } else if ["shes", "ches", "xes", "sses"].iter().any(|end| word.ends_with(end)) {
        word[..n - 2].to_owned()
    } else if n > 3 && word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        word[..n - 1].to_owned()
    } else {
        word.to_owned()
    }
}

/// A keyword found by research.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// The search phrase.
    pub phrase: String,
    /// How many sources (autocomplete queries, SERP) returned it.
    pub hits: u32,
    /// Best position it was listed at (0 first).
    pub rank: u32,
}

/// A page of the store, as gap analysis sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Its topic words (title, keywords, meta).
    pub words: BTreeSet<String>,
}

/// A keyword no page answers, with its priority (higher first).
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// The search phrase.
    pub phrase: String,
    /// Priority: sources first, then earlier positions, then longer (more specific) phrases.
    pub score: f64,
}

/// The share of `keyword`'s topic words that the best page holds.
pub fn coverage(keyword: &str, pages: &[Page]) -> f64 {
    let words = topic_words(keyword);
    if words.is_empty() {
        return 1.0;
    }
    pages
        .iter()
        .map(|p| words.iter().filter(|w| p.words.contains(*w)).count() as f64 / words.len() as f64)
        .fold(0.0, f64::max)
}

/// The keywords no page covers, best first, one per distinct set of topic words.
pub fn gaps(keywords: &[Keyword], pages: &[Page]) -> Vec<Gap> {
    let mut seen = BTreeSet::new();
    let mut out: Vec<Gap> = keywords
        .iter()
        .filter(|k| topic_words(&k.phrase).len() >= 2)
        .filter(|k| seen.insert(topic_words(&k.phrase).into_iter().collect::<Vec<_>>().join(" ")))
        .filter(|k| coverage(&k.phrase, pages) < COVERED_SHARE)
        .map(|k| Gap {
            phrase: k.phrase.clone(),
            score: f64::from(k.hits) * 10.0 - f64::from(k.rank) + topic_words(&k.phrase).len() as f64 * 0.5,
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.phrase.cmp(&b.phrase)));
    out
}

/// A product's SEO fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSeo {
    /// Product id.
    pub id: String,
    /// Product title.
    pub title: String,
    /// First description paragraph.
    pub summary: String,
    /// Meta title.
    pub meta_title: String,
    /// Meta description.
    pub meta_description: String,
    /// Its keywords.
    pub keywords: Vec<String>,
}

/// Why a field is rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    /// Empty.
    Missing,
    /// Over the limit.
    TooLong,
    /// Another product has the same value.
    Duplicate,
    /// Too short, or none of the product's or store's keywords in it.
    Weak,
}

impl Issue {
    /// The name in reports and history.
    pub fn name(self) -> &'static str {
        match self {
            Issue::Missing => "missing",
            Issue::TooLong => "too_long",
            Issue::Duplicate => "duplicate",
            Issue::Weak => "weak",
        }
    }
}

/// One rewrite of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// Product id.
    pub product_id: String,
    /// `meta_title` or `meta_description`.
    pub field: &'static str,
    /// The value replaced.
    pub old: String,
    /// The new value.
    pub new: String,
    /// Why.
    pub issue: Issue,
}

fn issue(value: &str, max: usize, min: usize, duplicated: bool, topic: &BTreeSet<String>) -> Option<Issue> {
    let len = value.trim().chars().count();
    if len == 0 {
        Some(Issue::Missing)
    } else if len > max {
        Some(Issue::TooLong)
    } else if duplicated {
        Some(Issue::Duplicate)
    } else if len < min || (!topic.is_empty() && topic_words(value).is_disjoint(topic)) {
        Some(Issue::Weak)
    } else {
        None
    }
}

/// The rewrites a store's products need. `store_keywords` are the researched phrases; a field
/// is weak when it holds none of the product's own keywords' or title's topic words.
pub fn review_products(products: &[ProductSeo], store_name: &str) -> Vec<Rewrite> {
    let count = |f: fn(&ProductSeo) -> &str| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for p in products {
            *counts.entry(f(p).trim().to_lowercase()).or_default() += 1;
        }
        counts
    };
    let titles = count(|p| &p.meta_title);
    let descriptions = count(|p| &p.meta_description);
    let mut out = Vec::new();
    for p in products {
        let mut topic = topic_words(&p.title);
        for k in &p.keywords {
            topic.extend(topic_words(k));
        }
        let dup_title = titles.get(&p.meta_title.trim().to_lowercase()).is_some_and(|n| *n > 1);
        if let Some(found) = issue(&p.meta_title, META_TITLE_MAX, META_TITLE_MIN, dup_title, &topic) {
            let new = meta_title(&p.title, store_name);
            if new != p.meta_title {
                out.push(Rewrite {
                    product_id: p.id.clone(),
                    field: "meta_title",
                    old: p.meta_title.clone(),
                    new,
                    issue: found,
                });
            }
        }
        let dup_description =
            descriptions.get(&p.meta_description.trim().to_lowercase()).is_some_and(|n| *n > 1);
        if let Some(found) =
            issue(&p.meta_description, META_DESCRIPTION_MAX, META_DESCRIPTION_MIN, dup_description, &topic)
        {
            let new = meta_description(p, store_name);
            if new != p.meta_description {
                out.push(Rewrite {
                    product_id: p.id.clone(),
                    field: "meta_description",
                    old: p.meta_description.clone(),
                    new,
                    issue: found,
                });
            }
        }
    }
    out
}

/// `<title> | <store>` when it fits, else the title, within [`META_TITLE_MAX`].
pub fn meta_title(title: &str, store_name: &str) -> String {
    let title = title.trim();
    let full = format!("{title} | {}", store_name.trim());
    if full.chars().count() <= META_TITLE_MAX {
        full
    } else {
        truncate_words(title, META_TITLE_MAX)
    }
}

/// The product's own summary with its title and main keyword, within [`META_DESCRIPTION_MAX`].
pub fn meta_description(p: &ProductSeo, store_name: &str) -> String {
    let keyword = p.keywords.first().map(String::as_str).unwrap_or(p.title.as_str());
    let summary = p.summary.trim().trim_end_matches('.');
    let text = if summary.is_empty() {
        format!("{}: {keyword} at {}. Fast shipping and easy returns.", p.title.trim(), store_name.trim())
    } else {
        format!("{}: {summary}. Shop {keyword} at {}.", p.title.trim(), store_name.trim())
    };
    truncate_words(&text, META_DESCRIPTION_MAX)
}

/// A page that links and is linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linkable {
    /// Its id (product or post).
    pub id: String,
    /// Its topic words.
    pub words: BTreeSet<String>,
}

/// Related pages by shared topic words: each page links to at most [`LINKS_PER_PAGE`] others
/// sharing at least one word, never to itself, and no page receives more than
/// [`LINKS_TO_PAGE`] links. Strongest pairs are placed first; ties go by id, so runs repeat.
pub fn internal_links(pages: &[Linkable]) -> BTreeMap<String, Vec<String>> {
    let mut pairs: Vec<(usize, &str, &str)> = Vec::new();
    for a in pages {
        for b in pages {
            if a.id == b.id {
                continue;
            }
            let shared = a.words.intersection(&b.words).count();
            if shared > 0 {
                pairs.push((shared, &a.id, &b.id));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(y.1)).then_with(|| x.2.cmp(y.2)));
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut received: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, from, to) in pairs {
        let given = out.entry(from.to_owned()).or_default();
        let got = received.entry(to).or_default();
        if given.len() < LINKS_PER_PAGE && *got < LINKS_TO_PAGE {
            given.push(to.to_owned());
            *got += 1;
        }
    }
    out.retain(|_, links| !links.is_empty());
    out
}

/// Words in a text (whitespace-separated tokens with a letter or digit).
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

/// Escapes text for HTML.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The tags a published post's body may hold; only `a` has an attribute, an `href` to an
/// http(s) URL or a path on the store.
pub const POST_TAGS: [&str; 9] = ["p", "h2", "h3", "ul", "ol", "li", "strong", "em", "a"];

/// Checks a post body against the allow-list ([`POST_TAGS`]): anything else (a script, an
/// event handler, a `javascript:` link, a stray `<`) is refused with the offending tag.
pub fn check_post_html(html: &str) -> Result<(), String> {
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        if rest[..start].contains('>') {
            return Err("a stray `>`".into());
        }
        let after = &rest[start + 1..];
        let end = after.find('>').ok_or_else(|| "an unclosed `<`".to_owned())?;
        let tag = &after[..end];
        if tag.contains('<') {
            return Err("a `<` inside a tag".into());
        }
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let (name, attrs) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        let name_lower = name.to_ascii_lowercase();
        if !POST_TAGS.contains(&name_lower.as_str()) {
            return Err(format!("the tag `{}` is not allowed", name.chars().take(20).collect::<String>()));
        }
        let attrs = attrs.trim();
        if !attrs.is_empty() {
            let href = attrs.strip_prefix("href=\"").and_then(|v| v.strip_suffix('"'));
            let ok = !closing
                && name_lower == "a"
                && href.is_some_and(|v| {
                    !v.contains('"')
                        && (v.starts_with("https://")
                            || v.starts_with("http://")
                            || (v.starts_with('/') && !v.starts_with("//")))
                });
            if !ok {
                return Err(format!("the attributes of `{name}` are not allowed"));
            }
        }
        rest = &after[end + 1..];
    }
    if rest.contains('>') {
        return Err("a stray `>`".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Page {
        Page { words: topic_words(text) }
    }

    fn kw(phrase: &str, hits: u32, rank: u32) -> Keyword {
        Keyword { phrase: phrase.into(), hits, rank }
    }

    #[test]
    fn topic_words_drop_stopwords_and_fold_plurals() {
        let words: Vec<String> = topic_words("Best Brushes for Long-Haired Dogs").into_iter().collect();
        assert_eq!(words, vec!["brush", "dog", "haired", "long"]);
        assert!(topic_words("puppies").contains("puppy"));
        assert!(topic_words("glass").contains("glass"));
    }

    #[test]
    fn a_keyword_the_catalog_already_answers_is_no_gap() {
        let pages = [page("Slicker brush for dogs"), page("Cat nail clippers")];
        let found = gaps(
            &[
                kw("slicker brush dog", 2, 0),
                kw("how to groom a poodle at home", 1, 3),
                kw("dog shampoo sensitive skin", 2, 1),
            ],
            &pages,
        );
        let phrases: Vec<&str> = found.iter().map(|g| g.phrase.as_str()).collect();
        assert_eq!(phrases, vec!["dog shampoo sensitive skin", "how to groom a poodle at home"]);
    }

    #[test]
    fn missing_long_duplicated_and_weak_meta_fields_are_rewritten_within_limits() {
        let product = |id: &str, title: &str, meta_title: &str, meta_description: &str| ProductSeo {
            id: id.into(),
            title: title.into(),
            summary: "A gentle brush that lifts loose undercoat without pulling.".into(),
            meta_title: meta_title.into(),
            meta_description: meta_description.into(),
            keywords: vec!["dog brush".into()],
        };
        let good_description =
            "Slicker brush for dogs: lifts loose undercoat gently, with a self-cleaning button. Ships fast.";
        let products = [
            product("p1", "Slicker Brush", "", good_description),
            product("p2", "Deshedding Tool", "Grooming tool", "Grooming tool"),
            product(
                "p3",
                "Nail Clipper",
                "Nail clipper for dogs with safety guard and a long name",
                "Grooming tool",
            ),
            product(
                "p4",
                "Paw Balm",
                &"x".repeat(70),
                "Soothing paw balm for dogs, made with shea butter and beeswax to protect cracked pads.",
            ),
        ];
        let rewrites = review_products(&products, "Cozy Paws");
        let found: Vec<(&str, &str, Issue)> =
            rewrites.iter().map(|r| (r.product_id.as_str(), r.field, r.issue)).collect();
        assert_eq!(
            found,
            vec![
                ("p1", "meta_title", Issue::Missing),
                ("p2", "meta_title", Issue::Weak),
                ("p2", "meta_description", Issue::Duplicate),
                ("p3", "meta_description", Issue::Duplicate),
                ("p4", "meta_title", Issue::TooLong),
            ]
        );
        for r in &rewrites {
            let max = if r.field == "meta_title" { META_TITLE_MAX } else { META_DESCRIPTION_MAX };
            assert!(r.new.chars().count() <= max && !r.new.is_empty(), "{r:?}");
        }
        assert_eq!(rewrites[0].new, "Slicker Brush | Cozy Paws");
        assert_ne!(rewrites[2].new, rewrites[3].new, "duplicates become distinct");
    }

    #[test]
    fn internal_links_share_words_skip_self_and_cap_both_ends() {
        let pages: Vec<Linkable> = (0..8)
            .map(|i| Linkable { id: format!("p{i}"), words: topic_words(&format!("dog brush item{i}")) })
            .chain(std::iter::once(Linkable { id: "cat".into(), words: topic_words("cat litter") }))
            .collect();
        let links = internal_links(&pages);
        assert!(!links.contains_key("cat"), "a page sharing no words links nowhere");
        let mut received: BTreeMap<&str, usize> = BTreeMap::new();
        for (from, to) in &links {
            assert!(to.len() <= LINKS_PER_PAGE && !to.contains(from));
            for t in to {
                *received.entry(t).or_default() += 1;
            }
        }
        assert!(received.values().all(|n| *n <= LINKS_TO_PAGE));
        assert_eq!(links.values().map(Vec::len).sum::<usize>(), 8 * 3);
    }

    #[test]
    fn a_post_body_holds_only_allowed_tags_and_safe_links() {
        assert!(check_post_html("<h2>Care</h2><p>Brush <strong>daily</strong>. See <a href=\"/products/slicker\">this</a>.</p><ul><li>x &amp; y</li></ul>").is_ok());
        for bad in [
            "<script>alert(1)</script>",
            "<p onclick=\"x()\">hi</p>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"//evil.example\">x</a>",
            "<img src=x>",
            "<p>unclosed <",
            "<p>1 > 0</p>",
        ] {
            assert!(check_post_html(bad).is_err(), "{bad}");
        }
    }
}
