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
    /// Titles of the store's products the post may mention.
    pub products: Vec<String>,
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
        let products: Vec<String> =
            input.products.iter().take(8).map(|p| format!("- {}", untrusted(p))).collect();
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

/// A stable choice among `options` for `seed` (FNV-1a), so the offline post varies by phrase
/// and repeats exactly for the same one.
fn pick<'a>(seed: &str, salt: u64, options: &[&'a str]) -> &'a str {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for byte in seed.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    options[(hash % options.len() as u64) as usize]
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The deterministic offline post: about a thousand words of plain, sensible advice around the
/// phrase, the niche and the store's products.
pub fn offline(facts: &BlogFacts) -> BlogPost {
    let keyword = untrusted(&facts.keyword).to_lowercase();
    let niche = untrusted(&facts.niche).to_lowercase();
    let niche = if niche.is_empty() { "everyday essentials".to_owned() } else { niche };
    let store = untrusted(&facts.store_name);
    let products: Vec<String> = facts.products.iter().take(4).map(|p| untrusted(p)).collect();
    let first = products.first().cloned().unwrap_or_else(|| format!("our {niche} range"));
    let second = products.get(1).cloned().unwrap_or_else(|| first.clone());
    let k = &keyword;
    let opener = pick(
        k,
        1,
        &["Few questions come up as often as", "Shoppers ask us about", "Every week we hear questions about"],
    );
    let title = format!(
        "{}: {}",
        capitalised(k),
        pick(
            k,
            2,
            &[
                "A Practical Guide",
                "What to Know Before You Buy",
                "Our Complete Guide",
                "Tips That Actually Help"
            ]
        )
    );
    let title: String = title.chars().take(80).collect();
    let outline = vec![
        format!("Why {k} matters"),
        format!("What to look for in {niche}"),
        "Getting started step by step".to_owned(),
        "Common mistakes to avoid".to_owned(),
        format!("Products from {store} that help"),
        "Care, upkeep and safety".to_owned(),
        "Frequently asked questions".to_owned(),
        "The bottom line".to_owned(),
    ];
    let p = |parts: &[String]| parts.join(" ");
    let sections_text: Vec<Vec<String>> = vec![
        vec![
            p(&[format!("{opener} {k}, and for good reason."), format!("Getting it right saves time, money and frustration, and it makes everyday life with {niche} noticeably easier."), "The advice below comes from the questions our customers send us most often and from what we have learned choosing products for our own shelves.".into()]),
            p(&[format!("Whether you are new to {niche} or have years of experience, it helps to step back and think about what you actually need."), "A little planning up front avoids the most common disappointments: buying something that does not fit, does not last, or simply does not get used.".into(), "We will walk through the choices one at a time.".into()]),
        ],
        vec![
            p(&["Start with quality of materials and build.".into(), "A well made product feels solid in the hand, has no sharp edges or loose parts, and comes with clear instructions.".into(), "Cheap shortcuts usually show within weeks, so it is worth paying attention to the details that are easy to check before you buy.".into()]),
            p(&["Next, think about size and fit.".into(), format!("In {niche}, one size rarely fits all, and the right choice depends on how and where you will use it."), "Measure first, read the product details carefully, and when in doubt choose the option that is easier to adjust.".into()]),
            p(&["Finally, consider comfort and ease of use.".into(), "The best product is the one you reach for without thinking twice.".into(), format!("If something is awkward or tiring to use, it ends up in a drawer, and that is the opposite of what {k} is about.")]),
        ],
        vec![
            p(&["Begin slowly and keep the first sessions short.".into(), "Introduce one change at a time so you can see what works and what does not.".into(), "Consistency beats intensity: a few minutes every day does more than an hour once a month.".into()]),
            p(&["Set up a simple routine and a fixed place for everything you need.".into(), "When your tools are within reach, it becomes much easier to stick with good habits.".into(), "Keep notes for the first couple of weeks; small observations add up to real insight.".into()]),
            p(&["Pay attention to feedback along the way.".into(), "If something feels wrong, pause and adjust rather than pushing through.".into(), format!("Good results with {k} come from patience and from listening, not from forcing progress.")]),
        ],
        vec![
            p(&["The most common mistake is buying on price alone.".into(), "The cheapest option often costs more in the end because it wears out or does not do the job.".into(), "Compare what you get for the money, not just the number on the tag.".into()]),
            p(&["Another frequent mistake is skipping the basics of care.".into(), "Products that are cleaned and stored properly last far longer and keep working as they should.".into(), "A minute of care after each use is an investment that pays off quickly.".into()]),
            p(&["Finally, avoid changing everything at once.".into(), "When several things change together, it is impossible to tell which one made the difference.".into(), "Take it step by step and keep what works.".into()]),
        ],
        vec![
            p(&[format!("At {store} we choose every product with these points in mind."), format!("The {first} is a good place to start: it is simple to use, built to last, and popular with customers who asked us about {k}.")]),
            p(&[format!("If you want to go a step further, the {second} pairs well with it."), "Used together they cover the everyday needs most people have, without clutter or complicated setups.".into(), "Every order ships with tracking and is covered by our returns policy.".into()]),
        ],
        vec![
            p(&["Clean your products after use with mild soap and warm water unless the instructions say otherwise.".into(), "Let everything dry completely before storing it, ideally somewhere cool and out of direct sunlight.".into(), "Check regularly for wear, and replace parts before they fail rather than after.".into()]),
            p(&["Safety comes first.".into(), "Read the included instructions, keep small parts away from children and pets, and stop using anything that is damaged.".into(), format!("Safe habits make {k} something you can enjoy for years.")]),
        ],
        vec![
            p(&[format!("How long does it take to see results with {k}?"), "Most people notice a difference within a few weeks of steady use.".into(), "Progress is gradual, so keep going even when the changes seem small.".into()]),
            p(&["Do I need expensive equipment to begin?".into(), "No. A few well chosen basics are enough to start, and you can add more once you know what you use most.".into(), "Starting simple also makes it easier to learn what suits you.".into()]),
            p(&["What if something does not work for me?".into(), "Every situation is a little different, and that is normal.".into(), format!("Adjust one thing at a time, and reach out to the {store} team if you would like a recommendation.")]),
        ],
        vec![
            p(&[format!("{} does not have to be complicated.", capitalised(k)), "Choose quality basics, build a simple routine, take care of what you own and change one thing at a time.".into(), "Those few habits make the biggest difference.".into()]),
            p(&[format!("Browse the {niche} collection at {store} to find the pieces that fit your needs."), "If you have questions, we are always happy to help you choose.".into()]),
        ],
    ];
    let sections: Vec<Section> = outline
        .iter()
        .zip(sections_text)
        .map(|(h, paragraphs)| Section { heading: capitalised(h), paragraphs })
        .collect();
    let meta_title = domain::content::truncate_words(&title, META_TITLE_MAX);
    let meta_description = domain::content::truncate_words(
        &format!("{}: how to choose, get started, avoid common mistakes and care for {niche}. Expert tips from {store}.", capitalised(k)),
        META_DESCRIPTION_MAX,
    );
    let mut keywords = vec![keyword.clone(), niche.clone()];
    keywords.extend(keyword.split_whitespace().filter(|w| w.len() > 3).map(str::to_owned));
    keywords.dedup();
    keywords.truncate(8);
    while keywords.len() < 3 {
        keywords.push(format!("{niche} tips"));
        keywords.dedup();
        if keywords.len() < 3 {
            keywords.push(format!("{niche} guide"));
        }
    }
    BlogPost {
        title,
        outline: outline.into_iter().map(|h| capitalised(&h)).collect(),
        sections,
        meta_title,
        meta_description,
        keywords,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(keyword: &str) -> BlogFacts {
        BlogFacts {
            store_name: "Cozy Paws".into(),
            niche: "pet grooming".into(),
            market: "US".into(),
            keyword: keyword.into(),
            products: vec!["Slicker Brush".into(), "Deshedding Tool".into()],
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
        assert!(post.sections[4].paragraphs[0].contains("Slicker Brush"));
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
}
