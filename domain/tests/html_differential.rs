//! `domain::html` (hand-written, kept small for the Workers' wasm) held to ammonia, natively,
//! configured with the same allow-list: for generated hostile HTML, what `domain::html::sanitize`
//! writes, read back by an HTML5 tokenizer, has no element, attribute or link that ammonia's
//! output for the same input lacks, and shows the same text.

use ammonia::{Builder, UrlRelative};
use domain::html::{sanitize, ALLOWED_TAGS, DROPPED_WITH_CONTENT};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use proptest::prelude::*;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// Whether a relative link is one `domain::html` keeps: a site path or a fragment.
fn site_link(url: &str) -> Option<Cow<'_, str>> {
    let compact: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let kept = (compact.starts_with('/') && !compact.starts_with("//")) || compact.starts_with('#');
    kept.then_some(Cow::Borrowed(url))
}

/// ammonia with `domain::html`'s allow-list.
fn ammonia() -> Builder<'static> {
    let mut builder = Builder::empty();
    builder
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::Custom(Box::new(site_link)))
        .link_rel(Some("nofollow noopener"))
        .strip_comments(true);
    builder
}

/// What a browser reads in sanitised HTML.
#[derive(Debug, Default)]
struct Read {
    /// Element names, in order.
    tags: Vec<String>,
    /// Every attribute as (element, name, value).
    attrs: Vec<(String, String, String)>,
    /// The text, character references decoded, without whitespace.
    text: String,
}

struct Reader(RefCell<Read>);

impl TokenSink for Reader {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut read = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                read.tags.push(tag.name.to_string());
                for attr in &tag.attrs {
                    read.attrs.push((
                        tag.name.to_string(),
                        attr.name.local.to_string(),
                        attr.value.to_string(),
                    ));
                }
            }
            Token::CharacterTokens(text) => read.text.extend(text.chars().filter(|c| !c.is_whitespace())),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Reads sanitised HTML as the body of a page does (no raw text switch: none is allowed).
fn read(html: &str) -> Read {
    let tokenizer = Tokenizer::new(Reader(RefCell::default()), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

fn scheme(url: &str) -> Option<String> {
    let compact: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let (scheme, _) = compact.split_once(':')?;
    (!scheme.contains(['/', '?', '#'])).then(|| scheme.to_ascii_lowercase())
}

/// Pieces of HTML that sanitisers get wrong: tags allowed, dropped and dropped with their content,
/// in any case; attributes quoted three ways; links with hidden schemes; references; comments;
/// declarations; stray `<` and `>`. No `<table>`: an HTML parser moves stray text out of a table
/// ("foster parenting"), which reorders the text without changing what is allowed.
fn piece() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("p"),
        Just("b"),
        Just("a"),
        Just("em"),
        Just("ul"),
        Just("li"),
        Just("h2"),
        Just("br"),
        Just("pre"),
        Just("div"),
        Just("span"),
        Just("img"),
        Just("script"),
        Just("style"),
        Just("iframe"),
        Just("svg"),
        Just("textarea"),
        Just("noscript"),
        Just("template"),
        Just("title"),
        Just("embed"),
        Just("object"),
        Just("math"),
        Just("xmp"),
        Just("noframes"),
        Just("A"),
        Just("SCRIPT"),
    ];
    let url = prop_oneof![
        Just("https://shop.example/a?b=1&amp;c=2"),
        Just("http://shop.example"),
        Just("/pages/about"),
        Just("#top"),
        Just("mailto:a@shop.example"),
        Just("//evil.example"),
        Just("javascript:alert(1)"),
        Just(" JaVaScRiPt:alert(1)"),
        Just("&#106;avascript:alert(1)"),
        Just("&#x6A;avascript&colon;alert(1)"),
        Just("java\tscript:alert(1)"),
        Just("data:text/html,x"),
        Just("vbscript:x"),
        Just("relative/path"),
    ];
    let attr = prop_oneof![
        url.prop_map(|u| format!(" href=\"{u}\"")),
        Just(" href='/x'".to_owned()),
        Just(" href=/y".to_owned()),
        Just(" onclick=\"alert(1)\"".to_owned()),
        Just(" title=\"a>b\"".to_owned()),
        Just(" class=x".to_owned()),
        Just(" style='color:red'".to_owned()),
        Just(" src=x onerror=alert(1)".to_owned()),
    ];
    prop_oneof![
        4 => (name.clone(), prop::collection::vec(attr, 0..3), any::<bool>())
            .prop_map(|(n, attrs, slash)| format!("<{n}{}{}>", attrs.concat(), if slash { "/" } else { "" })),
        3 => name.prop_map(|n| format!("</{n}>")),
        4 => prop_oneof![
            // Not `text`: after a `<` piece that is SVG's `<text>`, which ammonia drops with its
            // content when it appears outside `<svg>`.
            Just("words"),
            Just(" "),
            Just("Fish & chips"),
            Just("&amp;"),
            Just("&lt;b&gt;"),
            Just("&eacute;"),
            Just("&#60;"),
            Just("&bogus;"),
            Just("1 < 2"),
            Just("3 > 2"),
            Just("\"q\""),
            Just("<"),
            Just("<!-- <b>x</b> -->"),
            Just("<!-->"),
            Just("<!--"),
            Just("<![CDATA[x<b>]]>"),
            Just("<!doctype html>"),
            Just("<?xml x?>"),
        ]
        .prop_map(str::to_owned),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn domain_html_is_never_more_permissive_than_ammonia(pieces in prop::collection::vec(piece(), 0..16)) {
        let input = pieces.concat();
        let ours = sanitize(&input);
        let theirs = ammonia().clean(&input).to_string();
        let (ours_read, theirs_read) = (read(&ours), read(&theirs));
        let context = format!("input {input:?}\n domain  {ours:?}\n ammonia {theirs:?}");

        // The edge sanitises on write and the storefront again on render.
        prop_assert_eq!(&sanitize(&ours), &ours, "sanitising twice changed it: {}", context);

        let their_tags: HashSet<&String> = theirs_read.tags.iter().collect();
        for tag in &ours_read.tags {
            prop_assert!(ALLOWED_TAGS.contains(&tag.as_str()), "element {tag} is not allowed: {context}");
            prop_assert!(their_tags.contains(tag), "element {tag} only in domain's output: {context}");
        }
        for (tag, name, value) in &ours_read.attrs {
            prop_assert!(tag == "a" && (name == "href" || name == "rel"), "attribute {tag} {name}: {context}");
            if name == "rel" {
                prop_assert_eq!(value, "nofollow noopener", "{}", context);
                continue;
            }
            let allowed = match scheme(value) {
                Some(scheme) => ["http", "https", "mailto"].contains(&scheme.as_str()),
                None => site_link(value).is_some(),
            };
            prop_assert!(allowed, "link {value:?}: {context}");
            let in_theirs = theirs_read.attrs.iter().any(|(t, n, v)| t == "a" && n == "href" && v == value);
            prop_assert!(in_theirs, "link {value:?} only in domain's output: {context}");
        }
        // Inside `<svg>` or `<math>` an HTML parser leaves the foreign element at tags such as
        // `<em>` or `<p>`; domain::html drops everything to `</svg>`. There it may show less
        // text, never other text.
        let foreign = ["<svg", "<math"].iter().any(|t| input.to_ascii_lowercase().contains(t));
        if foreign {
            let mut theirs = theirs_read.text.chars();
            let within = ours_read.text.chars().all(|c| theirs.any(|t| t == c));
            prop_assert!(within, "text {:?} is not within {:?}: {}", ours_read.text, theirs_read.text, context);
        } else {
            prop_assert_eq!(&ours_read.text, &theirs_read.text, "{}", context);
        }
    }
}
