//! A small HTML scanner: enough to find `<script>` blocks and `<meta>` tags and to turn markup
//! into plain text, without building a DOM. It follows the HTML tokenizer where it matters for
//! safety (comments, raw-text elements such as `<script>` and `<style>`, quoted attribute values
//! containing `>`), and is linear in the length of the page.

/// An opening tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The element name, lower-cased.
    pub name: String,
    /// Attributes in order: names lower-cased, values with character references decoded.
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    /// The value of attribute `name` (lower-case).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// What the scanner meets, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// Text between tags, character references not yet decoded.
    Text(&'a str),
    /// An opening tag; for raw-text elements (`script`, `style`, `textarea`, `title`), the text up
    /// to the closing tag comes with it.
    Open(Tag, Option<&'a str>),
    /// A closing tag, with its lower-cased name.
    Close(String),
}

const RAW_TEXT: [&str; 4] = ["script", "style", "textarea", "title"];

/// Scans `html` into tokens.
pub fn tokens(html: &str) -> Tokens<'_> {
    Tokens { html, lower: html.to_ascii_lowercase(), pos: 0 }
}

/// The iterator of [`tokens`].
#[derive(Debug)]
pub struct Tokens<'a> {
    html: &'a str,
    // ASCII lower-casing keeps byte offsets, so searches in it index `html` too.
    lower: String,
    pos: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let bytes = self.html.as_bytes();
        loop {
            if self.pos >= bytes.len() {
                return None;
            }
            let start = self.pos;
            let Some(lt) = find_tag_start(bytes, start) else {
                self.pos = bytes.len();
                return Some(Token::Text(&self.html[start..]));
            };
            if lt > start {
                self.pos = lt;
                return Some(Token::Text(&self.html[start..lt]));
            }
            let rest = &self.lower[lt..];
            if let Some(comment) = rest.strip_prefix("<!--") {
                self.pos = comment.find("-->").map_or(bytes.len(), |i| lt + 4 + i + 3);
                continue;
            }
            if rest.starts_with("<!") || rest.starts_with("<?") {
                self.pos = rest.find('>').map_or(bytes.len(), |i| lt + i + 1);
                continue;
            }
            if rest.starts_with("</") {
                let name_len = bytes[lt + 2..].iter().take_while(|b| is_name_byte(**b)).count();
                let name = self.lower[lt + 2..lt + 2 + name_len].to_owned();
                self.pos = rest.find('>').map_or(bytes.len(), |i| lt + i + 1);
                if name.is_empty() {
                    continue;
                }
                return Some(Token::Close(name));
            }
            let (tag, end) = parse_tag(self.html, &self.lower, lt);
            self.pos = end;
            if RAW_TEXT.contains(&tag.name.as_str()) {
                let closing = format!("</{}", tag.name);
                let content_end = self.lower[end..].find(&closing).map_or(bytes.len(), |i| end + i);
                let content = &self.html[end..content_end];
                self.pos = self.lower[content_end..].find('>').map_or(bytes.len(), |i| content_end + i + 1);
                return Some(Token::Open(tag, Some(content)));
            }
            return Some(Token::Open(tag, None));
        }
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b':' || b == b'_'
}

/// The next `<` that starts markup (a letter, `/`, `!` or `?` follows it).
fn find_tag_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            if let Some(next) = bytes.get(i + 1) {
                if next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?') {
                    return Some(i);
                }
            }
        }
        i += 1;
    }
    None
}

/// Parses the opening tag at `lt`; answers it and the offset after its `>`.
fn parse_tag(html: &str, lower: &str, lt: usize) -> (Tag, usize) {
    let bytes = html.as_bytes();
    let mut i = lt + 1;
    let name_start = i;
    while i < bytes.len() && is_name_byte(bytes[i]) {
        i += 1;
    }
    let name = lower[name_start..i].to_owned();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (Tag { name, attrs }, bytes.len());
        }
        if bytes[i] == b'>' {
            return (Tag { name, attrs }, i + 1);
        }
        let attr_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        // A stray `/` or `=` at the start of a name is part of it, per the tokenizer; skip it.
        if i == attr_start {
            i += 1;
            continue;
        }
        let attr_name = lower[attr_start..i].to_owned();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let value_start = i + 1;
                let value_end = bytes[value_start..]
                    .iter()
                    .position(|b| *b == quote)
                    .map_or(bytes.len(), |p| value_start + p);
                value = decode_entities(&html[value_start..value_end]);
                i = (value_end + 1).min(bytes.len());
            } else {
                let value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                value = decode_entities(&html[value_start..i]);
            }
        }
        if !attrs.iter().any(|(n, _): &(String, String)| *n == attr_name) {
            attrs.push((attr_name, value));
        }
    }
}

/// The `<meta>` tags' keys (`property`, else `name`, else `itemprop`; lower-cased) and `content`
/// values, decoded.
pub fn meta_tags(html: &str) -> Vec<(String, String)> {
    tokens(html)
        .filter_map(|token| match token {
            Token::Open(tag, _) if tag.name == "meta" => {
                let key = tag.attr("property").or(tag.attr("name")).or(tag.attr("itemprop"))?;
                let content = tag.attr("content")?;
                Some((key.trim().to_ascii_lowercase(), content.trim().to_owned()))
            }
            _ => None,
        })
        .collect()
}

/// The contents of `<script type="application/ld+json">` blocks.
pub fn json_ld_blocks(html: &str) -> Vec<&str> {
    tokens(html)
        .filter_map(|token| match token {
            Token::Open(tag, Some(content)) if tag.name == "script" => {
                let kind = tag.attr("type")?.trim().to_ascii_lowercase();
                kind.starts_with("application/ld+json").then_some(content)
            }
            _ => None,
        })
        .collect()
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
    let mut raw = String::with_capacity(html.len() / 2);
    for token in tokens(html) {
        match token {
            Token::Text(text) => raw.push_str(&decode_entities(text)),
            Token::Open(tag, _) if BLOCKS.contains(&tag.name.as_str()) => raw.push('\n'),
            Token::Close(name) if BLOCKS.contains(&name.as_str()) => raw.push('\n'),
            Token::Open(tag, _) if matches!(tag.name.as_str(), "td" | "th") => raw.push(' '),
            _ => {}
        }
    }
    tidy(&raw)
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

/// Decodes character references: numeric ones (`&#233;`, `&#xE9;`) and the named ones product
/// pages use. Unknown names are kept as written; invalid code points become U+FFFD.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_one(rest) {
            Some((decoded, used)) => {
                out.push(decoded);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the reference at the start of `text` (which starts with `&`): the character and how
/// many bytes it took.
fn decode_one(text: &str) -> Option<(char, usize)> {
    let body_end = text[1..].find(';')? + 1;
    if body_end > 33 {
        return None;
    }
    let body = &text[1..body_end];
    let decoded = if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse::<u32>().ok()?,
        };
        match char::from_u32(code) {
            Some('\0') | None => '\u{FFFD}',
            Some(c) => c,
        }
    } else {
        named_entity(body)?
    };
    Some((decoded, body_end + 1))
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "shy" => '\u{AD}',
        "zwj" => '\u{200D}',
        "zwnj" => '\u{200C}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "deg" => '°',
        "times" => '×',
        "divide" => '÷',
        "plusmn" => '±',
        "frac12" => '½',
        "frac14" => '¼',
        "frac34" => '¾',
        "sup2" => '²',
        "sup3" => '³',
        "micro" => 'µ',
        "para" => '¶',
        "sect" => '§',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "iexcl" => '¡',
        "iquest" => '¿',
        "szlig" => 'ß',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "aacute" => 'á',
        "eacute" => 'é',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "Eacute" => 'É',
        "agrave" => 'à',
        "egrave" => 'è',
        "acirc" => 'â',
        "ecirc" => 'ê',
        "ocirc" => 'ô',
        "ccedil" => 'ç',
        "ntilde" => 'ñ',
        "oslash" => 'ø',
        "aring" => 'å',
        _ => return None,
    })
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
    fn character_references_decode_or_stay_as_written() {
        assert_eq!(
            decode_entities("&#233;t&#xE9; &euro;5 &bogus; &amp &#0; &#x110000;"),
            "été €5 &bogus; &amp \u{FFFD} \u{FFFD}"
        );
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
