//! Reading a page's markup with html5ever's tokenizer (the WHATWG HTML tokenizer): enough to find
//! `<script>` blocks and `<meta>` tags and to turn markup into plain text, without building a
//! DOM. As the HTML tree builder does, the scan switches the tokenizer into raw text for
//! `<script>`, `<style>`, `<title>`, `<textarea>` and the like (so markup inside them is not
//! markup), and recognises CDATA sections only inside `<svg>` and `<math>`. Character references
//! are decoded with the full HTML table, wherever the HTML standard decodes them.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{local_name, LocalName};
use std::cell::{Cell, RefCell};

/// What a scan over a page does with what the tokenizer meets, in document order.
trait Visitor {
    /// An opening tag; `raw` when its content, up to its closing tag, is raw text.
    fn start(&mut self, tag: &Tag, raw: bool);
    /// A closing tag.
    fn end(&mut self, name: &LocalName);
    /// Text, character references decoded (raw text as written).
    fn text(&mut self, text: &str);
}

struct Sink<V> {
    visitor: RefCell<V>,
    /// How many `<svg>` or `<math>` elements are open: inside them, tags are foreign (no raw
    /// text) and `<![CDATA[…]]>` is a section of text.
    foreign: Cell<usize>,
}

impl<V: Visitor> TokenSink for Sink<V> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut visitor = self.visitor.borrow_mut();
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                let foreign = self.foreign.get();
                if matches!(tag.name, local_name!("svg") | local_name!("math")) {
                    if !tag.self_closing {
                        self.foreign.set(foreign + 1);
                    }
                    visitor.start(&tag, false);
                    return TokenSinkResult::Continue;
                }
                let next = if foreign > 0 { None } else { raw_state(&tag.name) };
                visitor.start(&tag, next.is_some());
                if let Some(next) = next {
                    return next;
                }
            }
            Token::TagToken(tag) => {
                if matches!(tag.name, local_name!("svg") | local_name!("math")) {
                    self.foreign.set(self.foreign.get().saturating_sub(1));
                }
                visitor.end(&tag.name);
            }
            Token::CharacterTokens(text) => visitor.text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.foreign.get() > 0
    }
}

/// The tokenizer state an HTML element's start tag switches to, as the tree builder decides it
/// (with scripting off, so `<noscript>` holds markup); `None` for markup.
fn raw_state(name: &LocalName) -> Option<TokenSinkResult<()>> {
    Some(match *name {
        local_name!("title") | local_name!("textarea") => TokenSinkResult::RawData(RawKind::Rcdata),
        local_name!("style")
        | local_name!("xmp")
        | local_name!("iframe")
        | local_name!("noembed")
        | local_name!("noframes") => TokenSinkResult::RawData(RawKind::Rawtext),
        local_name!("script") => TokenSinkResult::RawData(RawKind::ScriptData),
        local_name!("plaintext") => TokenSinkResult::Plaintext,
        _ => return None,
    })
}

/// Runs `visitor` over `html` and hands it back.
fn scan<V: Visitor>(html: &str, visitor: V) -> V {
    let sink = Sink { visitor: RefCell::new(visitor), foreign: Cell::new(0) };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The sink never asks to pause for a script, so one feed reads the whole input.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.visitor.into_inner()
}

/// The value of attribute `name` (lower-case) on `tag`; the first one when it is repeated.
fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
    tag.attrs.iter().find(|a| &*a.name.local == name).map(|a| &*a.value)
}

/// The `<meta>` tags' keys (`property`, else `name`, else `itemprop`; lower-cased) and `content`
/// values, decoded.
pub fn meta_tags(html: &str) -> Vec<(String, String)> {
    struct Metas(Vec<(String, String)>);
    impl Visitor for Metas {
        fn start(&mut self, tag: &Tag, _raw: bool) {
            if tag.name != local_name!("meta") {
                return;
            }
            let key = attr(tag, "property").or(attr(tag, "name")).or(attr(tag, "itemprop"));
            if let (Some(key), Some(content)) = (key, attr(tag, "content")) {
                self.0.push((key.trim().to_ascii_lowercase(), content.trim().to_owned()));
            }
        }
        fn end(&mut self, _name: &LocalName) {}
        fn text(&mut self, _text: &str) {}
    }
    scan(html, Metas(Vec::new())).0
}

/// The contents of `<script type="application/ld+json">` blocks; an unclosed one runs to the end
/// of the page.
pub fn json_ld_blocks(html: &str) -> Vec<String> {
    #[derive(Default)]
    struct Blocks {
        done: Vec<String>,
        open: Option<String>,
    }
    impl Visitor for Blocks {
        fn start(&mut self, tag: &Tag, raw: bool) {
            let json_ld = attr(tag, "type")
                .is_some_and(|kind| kind.trim().to_ascii_lowercase().starts_with("application/ld+json"));
            if raw && tag.name == local_name!("script") && json_ld {
                self.open = Some(String::new());
            }
        }
        fn end(&mut self, _name: &LocalName) {
            // Inside raw text the only tag the tokenizer sees is the element's own closing tag.
            self.done.extend(self.open.take());
        }
        fn text(&mut self, text: &str) {
            if let Some(open) = &mut self.open {
                open.push_str(text);
            }
        }
    }
    let mut blocks = scan(html, Blocks::default());
    blocks.done.extend(blocks.open.take());
    blocks.done
}

/// Elements that end a line of text.
const BLOCKS: [&str; 24] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "p",
    "section",
    "tr",
    "table",
];

/// Markup turned into plain text: tags dropped (with the content of `script`, `style` and the
/// like), character references decoded, block elements ending lines, runs of blanks collapsed,
/// control and bidirectional-override characters removed. The result is text, never markup: it
/// must still be escaped wherever it is rendered.
pub fn plain_text(html: &str) -> String {
    struct Text {
        raw: String,
        /// Inside an element whose raw text is not shown (`script`, `style`, `title`…).
        hidden: bool,
    }
    impl Visitor for Text {
        fn start(&mut self, tag: &Tag, raw: bool) {
            if raw && tag.name != local_name!("plaintext") {
                self.hidden = true;
            } else if BLOCKS.contains(&&*tag.name) {
                self.raw.push('\n');
            } else if matches!(tag.name, local_name!("td") | local_name!("th")) {
                self.raw.push(' ');
            }
        }
        fn end(&mut self, name: &LocalName) {
            if std::mem::take(&mut self.hidden) {
                return;
            }
            if BLOCKS.contains(&&**name) {
                self.raw.push('\n');
            }
        }
        fn text(&mut self, text: &str) {
            if !self.hidden {
                self.raw.push_str(text);
            }
        }
    }
    tidy(&scan(html, Text { raw: String::with_capacity(html.len() / 2), hidden: false }).raw)
}

/// Text made safe to keep: control characters (but line breaks), zero-width and bidirectional
/// formatting characters removed; blanks collapsed to one space; lines trimmed; empty lines
/// dropped.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let mut cleaned = String::with_capacity(line.len());
        let mut last_space = true;
        for c in line.chars() {
            if is_invisible(c) || (c.is_control() && !c.is_whitespace()) {
                continue;
            }
            if c.is_whitespace() {
                if !last_space {
                    cleaned.push(' ');
                    last_space = true;
                }
                continue;
            }
            cleaned.push(c);
            last_space = false;
        }
        let cleaned = cleaned.trim_end();
        if cleaned.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(cleaned);
    }
    out
}

/// Decoded text written back as HTML text (`&`, `<` and `>` escaped), so that [`plain_text`]
/// gives it back unchanged rather than decoding it twice.
pub fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Characters that change how text displays without being seen: zero-width characters, soft
/// hyphens and bidirectional overrides (used to disguise text).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn meta_tags_are_read_with_any_quoting_and_decoded() {
        let html = r#"<head><META property="og:title" content="Lamp &amp; Shade"><meta name=description
            content='Warm > bright'/><meta property=og:image content=https://cdn.example/a.jpg></head>"#;
        assert_eq!(
            meta_tags(html),
            vec![
                ("og:title".to_owned(), "Lamp & Shade".to_owned()),
                ("description".to_owned(), "Warm > bright".to_owned()),
                ("og:image".to_owned(), "https://cdn.example/a.jpg".to_owned()),
            ]
        );
    }

    #[test]
    fn meta_tags_inside_comments_and_scripts_are_not_tags() {
        let html = r#"<!-- <meta property="og:title" content="old"> -->
            <script>var s = '<meta property="og:title" content="fake">';</script>
            <meta property="og:title" content="real">"#;
        assert_eq!(meta_tags(html), vec![("og:title".to_owned(), "real".to_owned())]);
    }

    #[test]
    fn json_ld_blocks_are_found_by_their_type_whatever_the_case() {
        let html = r#"<script>var x = 1;</script><SCRIPT type="application/ld+json">{"a":1}</SCRIPT>
            <script type='Application/LD+JSON; charset=utf-8'>{"b":"</p>"}</script>"#;
        assert_eq!(json_ld_blocks(html), vec![r#"{"a":1}"#, r#"{"b":"</p>"}"#]);
    }

    #[test]
    fn an_unclosed_script_runs_to_the_end_of_the_page() {
        assert_eq!(json_ld_blocks(r#"<script type="application/ld+json">{"a":"#), vec![r#"{"a":"#]);
    }

    #[test]
    fn plain_text_drops_markup_scripts_and_styles_and_keeps_lines() {
        let html = "<p>Soft <b>cotton</b> &amp; linen.</p><script>alert('x')</script><style>p{}</style>\
                    <ul><li>Size: M</li><li>Colour:&nbsp;red</li></ul>a &lt;b&gt; c";
        assert_eq!(plain_text(html), "Soft cotton & linen.\nSize: M\nColour: red\na <b> c");
    }

    #[test]
    fn plain_text_removes_invisible_and_control_characters() {
        assert_eq!(plain_text("safe\u{202E}txt.exe\u{200B}\u{7}!"), "safetxt.exe!");
        assert_eq!(plain_text("  a \t\r\n\n\n\n b  "), "a\nb");
    }

    #[test]
    fn character_references_decode_as_browsers_decode_them() {
        // Unknown names stay as written, invalid code points become U+FFFD, and the names the
        // old hand-written table lacked (`&rarr;`, `&hearts;`) or the legacy ones written
        // without `;` (`&amp`, `&copy`) decode, as browsers show them.
        assert_eq!(
            plain_text("&#233;t&#xE9; &euro;5 &bogus; &amp &#0; &#x110000; &rarr; &hearts; &copy 2024"),
            "été €5 &bogus; & \u{FFFD} \u{FFFD} → ♥ © 2024"
        );
    }

    #[test]
    fn attribute_values_decode_references_by_the_attribute_rules() {
        // In an attribute a legacy reference followed by `=` or a letter is text (query strings).
        let html = r#"<meta property="og:image" content="https://cdn.example/a.jpg?x=1&copy=2&amp;y=&lt;">"#;
        assert_eq!(
            meta_tags(html),
            vec![("og:image".into(), "https://cdn.example/a.jpg?x=1&copy=2&y=<".into())]
        );
    }

    #[test]
    fn a_comment_closed_at_once_does_not_hide_the_tags_after_it() {
        let html =
            r#"<!--><meta property="og:title" content="real"><!---><meta name="description" content="d">"#;
        assert_eq!(
            meta_tags(html),
            vec![("og:title".to_owned(), "real".to_owned()), ("description".to_owned(), "d".to_owned())]
        );
    }

    #[test]
    fn a_tag_cut_off_by_the_end_of_the_page_is_not_a_tag() {
        assert_eq!(meta_tags(r#"<p>x</p><meta property="og:title" content="cut"#), vec![]);
    }

    #[test]
    fn raw_text_elements_hold_no_tags_and_a_script_ends_only_at_its_own_closing_tag() {
        let html = r#"<iframe><meta property="og:title" content="framed"></iframe>
            <noembed><meta property="og:title" content="noembed"></noembed>
            <svg><![CDATA[<meta property="og:title" content="cdata">]]></svg>
            <script type="application/ld+json">{"a":"</scripts>"}</script >
            <meta property="og:title" content="real">"#;
        assert_eq!(meta_tags(html), vec![("og:title".to_owned(), "real".to_owned())]);
        assert_eq!(json_ld_blocks(html), vec![r#"{"a":"</scripts>"}"#]);
    }

    #[test]
    fn a_script_escaped_in_a_comment_keeps_its_inner_script_tags() {
        // `<!--<script>` inside a script is "double escaped": its `</script>` does not end it.
        let html =
            r#"<script type="application/ld+json"><!--<script>x</script>{"a":1}--></script><p>after</p>"#;
        assert_eq!(json_ld_blocks(html), vec![r#"<!--<script>x</script>{"a":1}-->"#]);
        assert_eq!(plain_text(html), "after");
    }

    #[test]
    fn uppercase_tags_and_unquoted_attributes_read_like_any_other() {
        let html =
            "<META PROPERTY=OG:TITLE CONTENT=Lamp>\n<DIV>One<BR>Two</DIV><TABLE><TR><TD>a<TD>b</TABLE>";
        assert_eq!(meta_tags(html), vec![("og:title".to_owned(), "Lamp".to_owned())]);
        assert_eq!(plain_text(html), "One\nTwo\na b");
    }

    #[test]
    fn escaped_text_comes_back_unchanged_from_plain_text() {
        for text in ["Fish &amp; Chips", "a <b> c", "AT&T", "1 < 2 > 0"] {
            assert_eq!(plain_text(&escape_text(text)), text);
        }
    }

    #[test]
    fn a_less_than_sign_not_starting_a_tag_is_text() {
        assert_eq!(plain_text("1 < 2 and 3<4"), "1 < 2 and 3<4");
    }

    proptest! {
        #[test]
        fn any_markup_scans_without_panicking_and_gives_tidy_text(
            html in "[<>/!?a-z =\"'&;#x0-9\u{e9}\u{202e}\u{30c4}\n-]{0,300}",
        ) {
            let text = plain_text(&html);
            let overridden = text.contains('\u{202e}');
            prop_assert!(!overridden, "a bidirectional override survived");
            prop_assert!(!text.starts_with([' ', '\n']) && !text.ends_with([' ', '\n']));
            let _ = meta_tags(&html);
            let _ = json_ld_blocks(&html);
        }
    }
}
