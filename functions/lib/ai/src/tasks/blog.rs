//! `blog_post`: a post that answers a search phrase the store's pages do not (the SEO engine's
//! content gaps): headline, outline, sections of plain-text paragraphs, meta title and
//! description within limits. The SEO function turns the sections into HTML itself, escaping
//! every text, so a model's answer can never carry markup onto the storefront.

use super::{check_list, check_text, clean, untrusted, Task};
use crate::output::{decode, OutputError};
use domain::content::{META_DESCRIPTION_MAX, META_TITLE_MAX};
use domain::seo::{word_count, POST_WORDS};
use serde::{Deserialize, Serialize};

/// What the post is written from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlogFacts {
    /// The store's name.
    pub store_name: String,
    /// The store's niche.
    pub niche: String,
    /// The market it sells to (ISO country code).
    pub market: String,
    /// The search phrase the post answers.
    pub keyword: String,
    /// The store's products the post may mention.
    pub products: Vec<ProductNote>,
}

/// A product as a post may mention it: what its page says, nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductNote {
    /// Its title.
    pub title: String,
    /// The first paragraph of its description.
    #[serde(default)]
    pub summary: String,
    /// Its keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// One section of a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Its heading.
    pub heading: String,
    /// Plain-text paragraphs.
    pub paragraphs: Vec<String>,
}

/// A post as the model writes it (the strict wire schema), and as it is validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlogPost {
    /// Headline.
    pub title: String,
    /// Section headings, in order.
    pub outline: Vec<String>,
    /// The body.
    pub sections: Vec<Section>,
    /// Page title.
    pub meta_title: String,
    /// Search result summary.
    pub meta_description: String,
    /// Keywords.
    pub keywords: Vec<String>,
}

impl BlogPost {
    /// Words in the body.
    pub fn words(&self) -> usize {
        self.sections.iter().flat_map(|s| &s.paragraphs).map(|p| word_count(p)).sum()
    }
}

/// The `blog_post` task.
#[derive(Debug, Clone, Copy)]
pub struct BlogPostTask;

impl Task for BlogPostTask {
    const NAME: &'static str = "blog_post";
    const PROMPT: &'static str = include_str!("../../prompts/blog_post.md");
    const MAX_TOKENS: u32 = 4_000;
    const TEMPERATURE: f32 = 0.7;
    type Input = BlogFacts;
    type Output = BlogPost;

    fn placeholders(input: &BlogFacts) -> Vec<(&'static str, String)> {
        let products: Vec<String> = input
            .products
            .iter()
            .take(8)
            .map(|p| match untrusted(&p.summary) {
                summary if summary.is_empty() => format!("- {}", untrusted(&p.title)),
                summary => format!("- {}: {summary}", untrusted(&p.title)),
            })
            .collect();
        vec![
            ("store_name", untrusted(&input.store_name)),
            ("niche", untrusted(&input.niche)),
            ("market", untrusted(&input.market)),
            ("keyword", untrusted(&input.keyword)),
            ("products", if products.is_empty() { "(none yet)".into() } else { products.join("\n") }),
            ("meta_title_max", META_TITLE_MAX.to_string()),
            ("meta_description_max", META_DESCRIPTION_MAX.to_string()),
            ("words_min", POST_WORDS.start().to_string()),
            ("words_max", POST_WORDS.end().to_string()),
        ]
    }

    fn parse(value: serde_json::Value, _input: &BlogFacts) -> Result<BlogPost, OutputError> {
        let answer = decode::<BlogPost>(value)?;
        let post = BlogPost {
            title: clean(answer.title),
            outline: answer.outline.into_iter().map(clean).collect(),
            sections: answer
                .sections
                .into_iter()
                .map(|s| Section {
                    heading: clean(s.heading),
                    paragraphs: s.paragraphs.into_iter().map(clean).collect(),
                })
                .collect(),
            meta_title: clean(answer.meta_title),
            meta_description: clean(answer.meta_description),
            keywords: answer.keywords.into_iter().map(|k| clean(k).to_lowercase()).collect(),
        };
        check_text("title", &post.title, 80)?;
        check_text("meta_title", &post.meta_title, META_TITLE_MAX)?;
        check_text("meta_description", &post.meta_description, META_DESCRIPTION_MAX)?;
        check_list("keywords", &post.keywords, 3, 8, 60)?;
        check_list("outline", &post.outline, 4, 8, 100)?;
        if post.sections.len() != post.outline.len() {
            return Err(OutputError::Schema("`sections` must have one section per `outline` heading".into()));
        }
        for section in &post.sections {
            check_text("sections.heading", &section.heading, 100)?;
            check_list("sections.paragraphs", &section.paragraphs, 1, 6, 2_000)?;
        }
        let text = post.sections.iter().flat_map(|s| &s.paragraphs).chain([&post.title]);
        if let Some(tagged) =
            text.into_iter().find(|p| p.contains('<') || p.contains("](") || p.starts_with('#'))
        {
            return Err(OutputError::Schema(format!(
                "the post must be plain text without HTML or Markdown, got {:?}",
                tagged.chars().take(60).collect::<String>()
            )));
        }
        let words = post.words();
        if !POST_WORDS.contains(&words) {
            return Err(OutputError::Schema(format!(
                "the sections must be {} to {} words long, got {words}",
                POST_WORDS.start(),
                POST_WORDS.end()
            )));
        }
        Ok(post)
    }
}

/// A stable hash of `parts` (FNV-1a), so that the offline post varies with its inputs and repeats
/// exactly for the same ones.
fn hash(parts: &[&str], salt: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// `count` of `options` in an order that `seed` decides: two phrases, or two stores, take
/// different sentences in a different order.
fn choose<'a>(options: &[&'a str], seed: u64, count: usize) -> Vec<&'a str> {
    let mut ranked: Vec<(u64, &str)> = options.iter().map(|o| (hash(&[o], seed), *o)).collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    ranked.into_iter().take(count).map(|(_, o)| o).collect()
}

/// What a search phrase asks for, which decides the post's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// "how to …": steps.
    HowTo,
    /// "best …", "… vs …": a comparison of the store's products.
    Best,
    /// "… for beginners", "getting started …": a first guide.
    Beginner,
    /// A question: the answer first.
    Question,
    /// Anything else: a buying guide.
    Guide,
}

fn kind_of(keyword: &str) -> Kind {
    let k = keyword.trim();
    if k.starts_with("how to") || k.starts_with("how do") {
        Kind::HowTo
    } else if k.starts_with("best ") || k.starts_with("top ") || k.contains(" vs ") {
        Kind::Best
    } else if k.contains("beginner") || k.contains("getting started") || k.starts_with("start") {
        Kind::Beginner
    } else if k.ends_with('?')
        || [
            "what ",
            "why ",
            "is ",
            "are ",
            "can ",
            "should ",
            "do ",
            "does ",
            "how often",
            "how much",
            "how long",
        ]
        .iter()
        .any(|q| k.starts_with(q))
    {
        Kind::Question
    } else {
        Kind::Guide
    }
}

// Advice, never claims: nothing below states a fact about a store, its products, its prices, its
// shipping or its customers. {k} is the search phrase, {n} the niche, {s} the store.
const PREPARE: &[&str] = &[
    "Before anything else, be clear about what you want {k} to do for you.",
    "Write down the two or three situations where you expect to need it most.",
    "Check the space you have and the time you can give it each week.",
    "Look at what you already own; some of it may do the job without buying anything new.",
    "Set a budget first, so that the choice is made on fit rather than on impulse.",
    "Read the product details in full, including sizes and what is in the box.",
    "Think about who else will use it and whether it suits them too.",
    "If you are unsure between two options, list what each does that the other does not.",
    "Keep the instructions that come with a product; they answer most later questions.",
    "Plan where everything will live, because things that are easy to reach get used.",
];
const STEPS: &[&str] = &[
    "Start with the simplest version of the task and add detail once it works.",
    "Do one change at a time, so that you can tell what made the difference.",
    "Keep the first sessions short and stop while it still feels easy.",
    "Follow the same order each time; a routine takes the guesswork out.",
    "Note what went well and what did not, and adjust the next attempt.",
    "Give yourself a few tries before judging the result.",
    "When something feels wrong, pause and check the instructions before pushing on.",
    "Tidy up as you go, so that the next session starts without clutter.",
    "Ask someone who has done it before if a step keeps going wrong.",
    "Once the basics are steady, try one small improvement at a time.",
];
const MISTAKES: &[&str] = &[
    "A common mistake is choosing on price alone and ignoring whether it fits the need.",
    "Another is buying several things at once before knowing what gets used.",
    "Skipping the instructions causes more problems than any product fault.",
    "Rushing the first attempts often leads people to give up too early.",
    "Storing things wet, dirty or in direct sunlight shortens their life.",
    "Changing everything at once makes it impossible to know what helped.",
    "Ignoring sizes and measurements is the quickest way to a disappointing fit.",
    "Expecting results overnight sets the wrong pace; steady beats intense.",
    "Forgetting to check for wear means small problems grow into big ones.",
];
const CHOOSING: &[&str] = &[
    "Compare what each option does, not only what it costs.",
    "Sizes and capacities matter more than most buyers expect, so measure first.",
    "Check what the product page lists as included, and what you would need to add.",
    "Simple designs are usually easier to clean, store and keep working.",
    "Consider how often you will use it; daily use justifies a different choice than occasional use.",
    "Read the full description and the listed specifications before deciding.",
    "If two products look alike, the details in their listings usually tell them apart.",
    "Think about where it will be used and whether it suits that place.",
    "Choose the option you will actually reach for, not the one with the longest feature list.",
];
const CARE: &[&str] = &[
    "Clean things after use as their instructions say, and let them dry fully before storing.",
    "Keep everything in one place that is dry and out of direct sunlight.",
    "Check moving parts, seams and fastenings now and then, and fix small issues early.",
    "Keep small parts away from children and pets.",
    "Stop using anything that is damaged until it is repaired or replaced.",
    "Follow the care instructions that come with each product; they differ from item to item.",
    "A minute of care after each use saves a lot of trouble later.",
    "Replace worn parts before they fail rather than after.",
];
const ANSWERS: &[&str] = &[
    "That depends mostly on how often you expect to use it and what you need it to do.",
    "For most people the answer comes down to space, time and budget.",
    "The honest answer is that it varies, and a small first step shows you more than reading does.",
    "Start small, see what you actually use, and build from there.",
    "It is worth it when it solves a problem you have regularly.",
    "Look at your own routine first; the right choice follows from it.",
    "There is no single right answer, but the points in this post narrow it down.",
    "If in doubt, choose the simpler option and add to it later.",
];
const MORE: &[&str] = &[
    "Small, regular habits make the biggest difference over time.",
    "Whatever you choose, give it a fair trial before deciding it is not for you.",
    "Keep notes on what works; they make the next decision easier.",
    "It helps to revisit your needs after a few weeks, once you know more.",
    "A clear routine turns a chore into something that takes care of itself.",
    "When needs change, the right equipment often changes with them.",
    "Share what you learn with others who are starting out; explaining it sharpens your own understanding.",
    "Patience pays: most skills improve in small steps rather than big leaps.",
    "If something stops being useful, pass it on rather than letting it gather dust.",
    "Plan ahead for the seasons or occasions when you will need things most.",
    "Keep an eye on sizes and fit as circumstances change.",
    "The best setup is the one that fits your space, your time and your habits.",
];

/// The deterministic offline post: its structure follows what the phrase asks (steps, a
/// comparison, a first guide, an answer, a buying guide), its product sections say only what the
/// products' pages say, and its advice is chosen and ordered by the phrase and the store, so two
/// stores or two phrases do not get the same text.
pub fn offline(facts: &BlogFacts) -> BlogPost {
    let keyword = untrusted(&facts.keyword).to_lowercase();
    let niche = untrusted(&facts.niche).to_lowercase();
    let niche = if niche.is_empty() { keyword.clone() } else { niche };
    let store = untrusted(&facts.store_name);
    let k = keyword.trim_end_matches('?').to_owned();
    let fill = |text: &str| text.replace("{k}", &k).replace("{n}", &niche).replace("{s}", &store);
    let seed = hash(&[&keyword, &niche, &store], 0);
    let mut round = 0u64;
    // Lead-ins tie a sentence to the phrase, so that two posts of one store that take the same
    // advice still say it about different things.
    const LEADS: &[&str] =
        &["", "", "For {k}, ", "With {k}, ", "When it comes to {k}, ", "In {n}, ", "As a rule, "];
    let mut paragraph = |pool: &[&str], sentences: usize| {
        round += 1;
        choose(pool, seed ^ round, sentences)
            .into_iter()
            .enumerate()
            .map(|(at, sentence)| {
                let lead = LEADS[(hash(&[sentence], seed ^ round ^ at as u64) % LEADS.len() as u64) as usize];
                match lead {
                    "" => fill(sentence),
                    lead => {
                        let mut chars = sentence.chars();
                        let first =
                            chars.next().map(|c| c.to_lowercase().collect::<String>()).unwrap_or_default();
                        fill(&format!("{lead}{first}{}", chars.as_str()))
                    }
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let products: Vec<ProductNote> = facts
        .products
        .iter()
        .take(4)
        .map(|p| ProductNote {
            title: untrusted(&p.title),
            summary: untrusted(&p.summary),
            keywords: p.keywords.iter().map(|w| untrusted(w)).filter(|w| !w.is_empty()).take(5).collect(),
        })
        .filter(|p| !p.title.is_empty())
        .collect();
    let product_paragraphs = |p: &ProductNote| {
        let mut paragraphs = vec![if p.summary.is_empty() {
            format!("{} is one of the products {store} lists for {niche}.", p.title)
        } else {
            p.summary.clone()
        }];
        if !p.keywords.is_empty() {
            paragraphs.push(format!(
                "Its page describes it with these terms: {}. Read the page for the current price and the full details.",
                p.keywords.join(", ")
            ));
        }
        paragraphs
    };

    let kind = kind_of(&keyword);
    let cap = capitalised(&k);
    let mut sections: Vec<Section> = Vec::new();
    let mut section = |heading: String, paragraphs: Vec<String>| {
        sections.push(Section { heading: truncate_chars(&heading, 100), paragraphs })
    };
    match kind {
        Kind::HowTo => {
            section(
                "What you need before you start".into(),
                vec![paragraph(PREPARE, 3), paragraph(PREPARE, 3)],
            );
            for step in ["Step 1: set up", "Step 2: do it", "Step 3: check and adjust"] {
                section(step.into(), vec![paragraph(STEPS, 3), paragraph(STEPS, 2)]);
            }
            section("Mistakes to avoid".into(), vec![paragraph(MISTAKES, 3), paragraph(MISTAKES, 3)]);
        }
        Kind::Best => {
            section("How to compare".into(), vec![paragraph(CHOOSING, 3), paragraph(CHOOSING, 3)]);
            for p in &products {
                section(p.title.clone(), product_paragraphs(p));
            }
            if products.len() >= 2 {
                let rows = products
                    .iter()
                    .map(|p| {
                        if p.keywords.is_empty() {
                            format!("{}.", p.title)
                        } else {
                            format!("{}: {}.", p.title, p.keywords.join(", "))
                        }
                    })
                    .collect();
                section("Side by side".into(), rows);
            }
            section("Which one to choose".into(), vec![paragraph(CHOOSING, 3), paragraph(ANSWERS, 2)]);
        }
        Kind::Beginner => {
            section("Where to begin".into(), vec![paragraph(PREPARE, 3), paragraph(STEPS, 3)]);
            section("The basics".into(), vec![paragraph(STEPS, 3), paragraph(CHOOSING, 3)]);
            section("Your first weeks".into(), vec![paragraph(STEPS, 3), paragraph(MORE, 3)]);
            section("Beginner mistakes".into(), vec![paragraph(MISTAKES, 3), paragraph(MISTAKES, 2)]);
        }
        Kind::Question => {
            section("The short answer".into(), vec![paragraph(ANSWERS, 3)]);
            section("The longer answer".into(), vec![paragraph(CHOOSING, 3), paragraph(PREPARE, 3)]);
            section("What it depends on".into(), vec![paragraph(PREPARE, 3), paragraph(ANSWERS, 2)]);
        }
        Kind::Guide => {
            section(format!("What to look for in {k}"), vec![paragraph(CHOOSING, 3), paragraph(CHOOSING, 3)]);
            section("Before you buy".into(), vec![paragraph(PREPARE, 3), paragraph(PREPARE, 2)]);
            section("Mistakes to avoid".into(), vec![paragraph(MISTAKES, 3), paragraph(MISTAKES, 2)]);
        }
    }
    if kind != Kind::Best && !products.is_empty() {
        let mut paragraphs = vec![format!("These products from {store} relate to {k}:")];
        for p in &products {
            paragraphs.push(product_paragraphs(p).join(" "));
        }
        paragraphs.truncate(6);
        section(format!("Products at {store} for {niche}"), paragraphs);
    }
    section("Care and upkeep".into(), vec![paragraph(CARE, 3), paragraph(CARE, 2)]);
    let questions = [format!("Is {k} worth the effort?"), format!("What should I get first for {k}?")];
    let mut faq: Vec<String> =
        questions.iter().map(|q| format!("{} {}", capitalised(q), paragraph(ANSWERS, 2))).collect();
    faq.push(format!(
        "Where can I find products for {niche}? The {niche} products {store} lists are in its shop, each with its own page."
    ));
    section("Questions people ask".into(), faq);

    // Long enough for the brief: more advice, one paragraph at a time, into the shortest sections.
    let mut extra = 0;
    while sections.iter().flat_map(|s| &s.paragraphs).map(|p| word_count(p)).sum::<usize>()
        < POST_WORDS.start() + 20
        && extra < 24
    {
        extra += 1;
        let pool = [MORE, STEPS, CHOOSING, CARE][extra % 4];
        let text = paragraph(pool, 3);
        if let Some(shortest) =
            sections.iter_mut().filter(|s| s.paragraphs.len() < 6).min_by_key(|s| s.paragraphs.len())
        {
            shortest.paragraphs.push(text);
        }
    }
    sections.truncate(8);

    let title = match kind {
        Kind::HowTo => format!("{cap}: A Step-by-Step Guide"),
        Kind::Best => format!("{cap}: What to Compare"),
        Kind::Beginner => format!("{cap}: Where to Begin"),
        Kind::Question => format!("{cap}?"),
        Kind::Guide => format!("{cap}: What to Know Before You Buy"),
    };
    let title = truncate_chars(&title, 80);
    let outline: Vec<String> = sections.iter().map(|s| s.heading.clone()).collect();
    let meta_title = domain::content::truncate_words(&title, META_TITLE_MAX);
    let meta_description = domain::content::truncate_words(
        &format!(
            "{cap}: {}.",
            outline.iter().take(3).map(|h| h.to_lowercase()).collect::<Vec<_>>().join(", ")
        ),
        META_DESCRIPTION_MAX,
    );
    let mut keywords = vec![keyword.clone(), niche.clone()];
    for word in keyword.split_whitespace().filter(|w| w.len() > 3) {
        if !keywords.iter().any(|k| k == word) {
            keywords.push(word.to_owned());
        }
    }
    for more in [format!("{niche} guide"), format!("{niche} tips")] {
        if keywords.len() < 3 && !keywords.contains(&more) {
            keywords.push(more);
        }
    }
    keywords.dedup();
    keywords.truncate(8);
    BlogPost { title, outline, sections, meta_title, meta_description, keywords }
}

fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn note(title: &str) -> ProductNote {
        ProductNote {
            title: title.into(),
            summary: format!("The {title}, from our pet grooming range."),
            keywords: vec!["dog".into(), "grooming".into()],
        }
    }

    fn facts(keyword: &str) -> BlogFacts {
        BlogFacts {
            store_name: "Cozy Paws".into(),
            niche: "pet grooming".into(),
            market: "US".into(),
            keyword: keyword.into(),
            products: vec![note("Slicker Brush"), note("Deshedding Tool")],
        }
    }

    #[test]
    fn the_offline_post_is_long_enough_valid_and_repeatable() {
        let post = offline(&facts("how to groom a poodle at home"));
        let parsed = BlogPostTask::parse(serde_json::to_value(&post).unwrap(), &facts("x")).unwrap();
        assert!(POST_WORDS.contains(&parsed.words()), "{} words", parsed.words());
        assert!(parsed.meta_title.chars().count() <= META_TITLE_MAX);
        assert!(parsed.meta_description.chars().count() <= META_DESCRIPTION_MAX);
        assert_eq!(offline(&facts("how to groom a poodle at home")), post);
        assert!(post
            .sections
            .iter()
            .flat_map(|s| &s.paragraphs)
            .any(|p| p.contains("The Slicker Brush, from our pet grooming range.")));
    }

    #[test]
    fn a_short_or_tagged_answer_is_refused() {
        let mut post = offline(&facts("dog shampoo"));
        post.sections.truncate(2);
        post.outline.truncate(2);
        assert!(BlogPostTask::parse(serde_json::to_value(&post).unwrap(), &facts("x")).is_err());
        let mut tagged = offline(&facts("dog shampoo"));
        tagged.sections[0].paragraphs[0] = "<script>alert(1)</script> hello".into();
        let err = BlogPostTask::parse(serde_json::to_value(&tagged).unwrap(), &facts("x")).unwrap_err();
        assert!(err.to_string().contains("plain text"), "{err}");
    }

    /// The share of one post's five-word runs that the other also has (Jaccard), a plain measure
    /// of duplicate text between two pages.
    fn similarity(a: &BlogPost, b: &BlogPost) -> f64 {
        let shingles = |post: &BlogPost| {
            let text =
                post.sections.iter().flat_map(|s| &s.paragraphs).cloned().collect::<Vec<_>>().join(" ");
            let words: Vec<String> = text.split_whitespace().map(|w| w.to_lowercase()).collect();
            words.windows(5).map(|w| w.join(" ")).collect::<std::collections::HashSet<_>>()
        };
        let (a, b) = (shingles(a), shingles(b));
        a.intersection(&b).count() as f64 / a.union(&b).count() as f64
    }

    fn store(niche: &str, products: &[&str]) -> BlogFacts {
        BlogFacts {
            store_name: format!("{} Shop", capitalised(niche)),
            niche: niche.into(),
            market: "US".into(),
            keyword: String::new(),
            products: products
                .iter()
                .map(|t| ProductNote {
                    title: (*t).into(),
                    summary: format!("The {t}, from our {niche} range. It was ordered 120 times at its supplier in the last 30 days."),
                    keywords: t.to_lowercase().split(' ').map(str::to_owned).collect(),
                })
                .collect(),
        }
    }

    /// Every pair of posts of five stores in five niches, for five phrases each (of every kind),
    /// shares under 35% of its five-word runs (measured: mean 19%, worst 31%, two phrases of
    /// one store). Shingle resemblance is how search engines find near-duplicate pages, which
    /// they fold into one result; the usual cut-off for "roughly the same" is 50% and above.
    /// Posts keep some shared advice, so the bound is not lower.
    #[test]
    fn posts_for_other_phrases_or_other_stores_do_not_repeat_each_other() {
        let stores = [
            store("camping", &["Ultralight Tent", "Camping Headlamp", "Sleeping Bag"]),
            store("pet grooming", &["Slicker Brush", "Nail Grinder", "Dog Shampoo"]),
            store("home fitness", &["Resistance Bands", "Yoga Mat", "Adjustable Dumbbell"]),
            store("kitchen", &["Chef Knife", "Cutting Board", "Cast Iron Pan"]),
            store("gardening", &["Pruning Shears", "Raised Bed", "Watering Can"]),
        ];
        let mut posts = Vec::new();
        for facts in &stores {
            let phrases = [
                format!("how to choose {}", facts.niche),
                format!("best {} gear", facts.niche),
                format!("{} for beginners", facts.niche),
                format!("is {} worth it", facts.niche),
                format!("{} essentials", facts.niche),
            ];
            for phrase in phrases {
                let post = offline(&BlogFacts { keyword: phrase.clone(), ..facts.clone() });
                let checked = BlogPostTask::parse(serde_json::to_value(&post).unwrap(), facts).unwrap();
                assert!(POST_WORDS.contains(&checked.words()), "{phrase}: {} words", checked.words());
                posts.push((phrase, post));
            }
        }
        let mut worst = (0.0, String::new());
        let mut total = (0.0, 0);
        for (i, (a_phrase, a)) in posts.iter().enumerate() {
            for (b_phrase, b) in &posts[i + 1..] {
                let shared = similarity(a, b);
                total = (total.0 + shared, total.1 + 1);
                if shared > worst.0 {
                    worst = (shared, format!("{a_phrase:?} / {b_phrase:?}"));
                }
            }
        }
        println!(
            "{} pairs: mean {:.3}, worst {:.3} ({})",
            total.1,
            total.0 / f64::from(total.1),
            worst.0,
            worst.1
        );
        assert!(worst.0 < 0.35, "posts share {:.0}% of their text: {}", worst.0 * 100.0, worst.1);
    }

    #[test]
    fn a_post_says_nothing_of_shipping_returns_or_customers() {
        for phrase in [
            "how to trim dog nails",
            "best dog brush",
            "dog grooming for beginners",
            "why do dogs shed?",
            "dog shampoo",
        ] {
            let text = serde_json::to_string(&offline(&facts(phrase))).unwrap().to_lowercase();
            for claim in
                ["ship", "tracking", "return", "our customers", "built to last", "we choose", "popular"]
            {
                assert!(!text.contains(claim), "{phrase}: claims {claim:?}");
            }
        }
    }

    #[test]
    fn the_phrase_decides_the_structure() {
        let headings = |phrase: &str| offline(&facts(phrase)).outline;
        assert!(headings("how to bathe a cat").contains(&"Step 1: set up".to_owned()));
        assert!(headings("best dog brush").contains(&"Side by side".to_owned()));
        assert!(headings("what is deshedding?").contains(&"The short answer".to_owned()));
        assert!(headings("grooming for beginners").contains(&"Where to begin".to_owned()));
    }
}
