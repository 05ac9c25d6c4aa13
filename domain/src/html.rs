//! Untrusted HTML (supplier descriptions, generated posts, merchant pages) made safe to store and
//! render, with an allow-list.
//!
//! Only text-structure tags pass ([`ALLOWED_TAGS`]), without attributes except a link's `href`
//! (`http(s)`, `mailto:` or a site path), which gains `rel="nofollow noopener"`. The content of
//! `script`, `style` and other active elements is dropped with them; any other unknown tag is
//! dropped and its text kept. Comments and declarations vanish, text is re-escaped, and open tags
//! are closed, so the output can be embedded in a page as is.

/// Tags kept (without attributes, except `a href`).
pub const ALLOWED_TAGS: &[&str] = &[
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "a",
    "code",
    "pre",
    "hr",
];

/// Tags whose content is dropped with them.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math", "textarea",
    "select",
];

const VOID: &[&str] = &["br", "hr"];

/// Longest input sanitised; the rest is cut (pages and posts are far shorter).
pub const MAX_INPUT: usize = 200_000;

/// The allow-listed, well-formed form of `input`.
pub fn sanitize(input: &str) -> String {
    let input = match input.char_indices().nth(MAX_INPUT) {
        Some((i, _)) => &input[..i],
        None => input,
    };
    let mut out = String::with_capacity(input.len());
    let mut open: Vec<&'static str> = Vec::new();
    let mut rest = input;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            // A lone `<` is text.
            out.push_str("&lt;");
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let name_end = body.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(body.len());
        let name = body[..name_end].to_ascii_lowercase();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            // `<!doctype>`, `<?xml>` and the like.
            continue;
        }
        if !closing && DROPPED_WITH_CONTENT.contains(&name.as_str()) {
            let close = format!("</{name}");
            rest = match find_ascii_ci(rest, &close) {
                Some(at) => rest[at..].find('>').map_or("", |end| &rest[at + end + 1..]),
                None => "",
            };
            continue;
        }
        let Some(&allowed) = ALLOWED_TAGS.iter().find(|t| **t == name) else { continue };
        if closing {
            if let Some(pos) = open.iter().rposition(|t| *t == allowed) {
                for tag in open.drain(pos..).rev() {
                    out.push_str("</");
                    out.push_str(tag);
                    out.push('>');
                }
            }
            continue;
        }
        out.push('<');
        out.push_str(allowed);
        if allowed == "a" {
            if let Some(href) = attribute(&body[name_end..], "href").filter(|h| safe_href(h)) {
                out.push_str(" href=\"");
                push_text(&mut out, &href);
                out.push_str("\" rel=\"nofollow noopener\"");
            }
        }
        out.push('>');
        if !VOID.contains(&allowed) {
            open.push(allowed);
        }
    }
    push_text(&mut out, rest);
    for tag in open.into_iter().rev() {
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    }
    out
}

/// The plain text of untrusted HTML: tags dropped, entities left as written, whitespace collapsed.
pub fn plain_text(input: &str) -> String {
    let clean = sanitize(input);
    let mut text = String::with_capacity(clean.len());
    let mut in_tag = false;
    for c in clean.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the tag starting at `text[0] == '<'` ends (its `>`), skipping quoted attribute values.
fn tag_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.len() < 2
        || !(bytes[1].is_ascii_alphabetic() || bytes[1] == b'/' || bytes[1] == b'!' || bytes[1] == b'?')
    {
        return None;
    }
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// The value of attribute `name` in a tag's attribute text.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let key_end = rest.find(|c: char| c.is_whitespace() || c == '=' || c == '/').unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let end = inner.find(q).unwrap_or(inner.len());
                    (&inner[..end], inner.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = remaining;
            value
        } else {
            ""
        };
        if key == name {
            return Some(decode_entities(value));
        }
    }
}

/// Decodes the few entities that could hide a URL scheme (`&#106;avascript:`).
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let code = if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = entity.strip_prefix('#') {
                dec.parse().ok()
            } else {
                match entity {
                    "amp" => Some(u32::from('&')),
                    "colon" => Some(u32::from(':')),
                    "quot" => Some(u32::from('"')),
                    "lt" => Some(u32::from('<')),
                    "gt" => Some(u32::from('>')),
                    _ => None,
                }
            };
            code.and_then(char::from_u32).map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
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

/// Whether a link target is harmless: `http(s):`, `mailto:`, a path or a fragment.
fn safe_href(href: &str) -> bool {
    let compact: String = href.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let lower = compact.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:") {
        return true;
    }
    (lower.starts_with('/') && !lower.starts_with("//")) || lower.starts_with('#')
}

/// Escapes text, keeping well-formed character references (`&amp;`, `&#233;`) as they are.
fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '&' => {
                let reference = rest[1..].find(';').filter(|e| {
                    let name = &rest[1..1 + e];
                    (1..=10).contains(&name.len())
                        && (name.chars().all(|c| c.is_ascii_alphanumeric())
                            || (name.starts_with('#')
                                && name[1..].chars().all(|c| c.is_ascii_alphanumeric())))
                });
                match reference {
                    Some(_) => out.push('&'),
                    None => out.push_str("&amp;"),
                }
            }
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_tags_pass_without_their_attributes() {
        assert_eq!(
            sanitize(
                "<p class=\"x\" onclick=\"alert(1)\">Soft <strong>pins</strong></p><ul><li>One</li></ul>"
            ),
            "<p>Soft <strong>pins</strong></p><ul><li>One</li></ul>"
        );
    }

    #[test]
    fn scripts_styles_and_frames_vanish_with_their_content() {
        let html = "<p>a</p><script>alert(1)</script><STYLE>p{}</STYLE><iframe src=x>y</iframe><p>b</p>";
        assert_eq!(sanitize(html), "<p>a</p><p>b</p>");
        assert_eq!(sanitize("<script>never closed"), "");
    }

    #[test]
    fn unknown_tags_are_dropped_and_their_text_kept() {
        assert_eq!(
            sanitize("<div><span>Hello</span> <img src=x onerror=alert(1)>world</div>"),
            "Hello world"
        );
    }

    #[test]
    fn links_keep_safe_targets_only_and_never_pass_on_rank() {
        assert_eq!(
            sanitize("<a href=\"https://example.com/a?b=1&amp;c=2\" target=_blank>x</a>"),
            "<a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener\">x</a>"
        );
        for evil in [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "&#106;avascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,x",
            "//evil.example",
        ] {
            let out = sanitize(&format!("<a href=\"{evil}\">x</a>"));
            assert_eq!(out, "<a>x</a>", "{evil}");
        }
        assert_eq!(
            sanitize("<a href='/pages/about'>About</a>"),
            "<a href=\"/pages/about\" rel=\"nofollow noopener\">About</a>"
        );
    }

    #[test]
    fn text_is_escaped_and_entities_are_kept() {
        assert_eq!(
            sanitize("Fish & chips &amp; peas < 3 > 2 &eacute; \"q\""),
            "Fish &amp; chips &amp; peas &lt; 3 &gt; 2 &eacute; &quot;q&quot;"
        );
    }

    #[test]
    fn comments_doctypes_and_stray_closers_vanish_and_open_tags_are_closed() {
        assert_eq!(sanitize("<!doctype html><!-- <script> --><p>x</li><em>y"), "<p>x<em>y</em></p>");
        assert_eq!(sanitize("<ul><li>a</ul>b"), "<ul><li>a</li></ul>b");
    }

    #[test]
    fn quoted_greater_than_signs_do_not_end_a_tag() {
        assert_eq!(
            sanitize("<a title=\"a>b\" href=\"/x\">y</a>"),
            "<a href=\"/x\" rel=\"nofollow noopener\">y</a>"
        );
    }

    #[test]
    fn sanitising_twice_changes_nothing() {
        let once = sanitize("<p>a <a href=\"https://x.example\">b</a> & <em>c</p><script>d</script>");
        assert_eq!(sanitize(&once), once);
    }

    #[test]
    fn plain_text_drops_every_tag() {
        assert_eq!(plain_text("<h2>Care</h2><p>Brush &amp; comb<script>x</script></p>"), "Care Brush & comb");
    }
}
