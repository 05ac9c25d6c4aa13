//! The one HTML layer shared by the storefront, the edge's pages and the merchant dashboard.
//!
//! Pages are written with [`html!`] (maud): every value spliced into a template with `(value)` is
//! escaped, in text and in attributes alike, so text from suppliers, merchants, shoppers or the AI
//! can never become markup. Nothing store-specific lives here.
//!
//! Raw HTML enters a page only as [`Sanitized`], which is made either by `domain::html`'s
//! allow-list sanitiser ([`Sanitized::from_untrusted`]) or from markup our own templates produced
//! ([`Sanitized::from_markup`]). `maud::PreEscaped`, which would let any string through, is not
//! re-exported; the root `clippy.toml` refuses its type everywhere outside this crate, and a test
//! here refuses any mention of it, and any other `Render` impl (which could push raw text), in the
//! workspace's sources outside this crate.
//!
//! ```
//! use html::{document, html, Sanitized};
//!
//! let name = "Tom & <Jerry>";
//! let story = Sanitized::from_untrusted("<p>Hi<script>alert(1)</script></p>");
//! let page = document(
//!     html! { title { "Shop of " (name) } },
//!     html! { body { h1 { (name) } (story) } },
//! );
//! assert_eq!(
//!     page.into_string(),
//!     "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
//!      <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
//!      <title>Shop of Tom &amp; &lt;Jerry&gt;</title></head>\
//!      <body><h1>Tom &amp; &lt;Jerry&gt;</h1><p>Hi</p></body></html>"
//! );
//! ```
//!
//! What a page needs, in maud's syntax (see the storefront's `render` module for whole pages):
//!
//! ```
//! use html::{html, Markup};
//!
//! fn card(title: &str, slug: &str, image: Option<&str>, sold_out: bool) -> Markup {
//!     html! {
//!         li class="card" {
//!             // Built attribute values: literal parts and spliced, escaped parts.
//!             a href={ "/products/" (slug) } {
//!                 // `attr=[option]` is written only when `Some`.
//!                 img src=[image] alt="";
//!                 span { (title) }
//!             }
//!             @if sold_out { " " span class="stock out" { "Sold out" } }
//!             // A boolean attribute, written only when true.
//!             button type="submit" disabled[sold_out] { "Add" }
//!         }
//!     }
//! }
//! assert_eq!(
//!     card("A & B", "a-b", None, true).into_string(),
//!     "<li class=\"card\"><a href=\"/products/a-b\"><img alt=\"\"><span>A &amp; B</span></a> \
//!      <span class=\"stock out\">Sold out</span><button type=\"submit\" disabled>Add</button></li>"
//! );
//! ```
//!
//! Parts return [`Markup`] and splice each other; a page becomes a `String`
//! ([`Markup::into_string`]) only where it is sent. maud escapes `&`, `<`, `>` and `"`, not `'`:
//! it quotes every attribute with `"`, where `'` is plain text.
//!
//! A crate that writes templates depends on `html` and on `maud` (`maud.workspace = true`), since
//! the expansion of [`html!`] names `::maud`; it imports everything from `html`.
//!
//! Elements whose content is raw text to the browser (`<script>`, `<style>`) cannot take escaped
//! text, so they have helpers of their own: [`json_ld`], [`style`] and [`inline_script`].

#![expect(
    clippy::disallowed_types,
    reason = "this crate is the one place that wraps checked strings in maud::PreEscaped"
)]

pub use maud::{html, Markup, Render};

use maud::PreEscaped;

/// HTML that is safe to embed in a page as it is: it went through `domain::html`'s allow-list
/// sanitiser, or it is markup our own templates generated.
///
/// It is the only way raw HTML enters a page; splice it into a template like any value:
/// `html! { div.description { (sanitized) } }`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sanitized(String);

impl Sanitized {
    /// Untrusted HTML (supplier descriptions, generated posts, merchant pages) through the
    /// allow-list sanitiser ([`domain::html::sanitize`]): only text-structure tags are kept, and
    /// links keep a safe `href` only.
    pub fn from_untrusted(html: &str) -> Self {
        Sanitized(domain::html::sanitize(html))
    }

    /// Markup one of our templates generated (every value in it was escaped by [`html!`]), for
    /// places that carry HTML as a value, such as a page body stored to be edited later.
    pub fn from_markup(markup: Markup) -> Self {
        Sanitized(markup.into_string())
    }

    /// The HTML.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The HTML, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Whether it holds nothing but whitespace.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl Render for Sanitized {
    fn render_to(&self, buffer: &mut String) {
        buffer.push_str(&self.0);
    }
}

/// The `<!doctype html>` line and the `<html lang="en">` element around a page: a `<head>` with
/// the charset and viewport, then `head` (title, meta, links, styles), then `body`, which is the
/// page's whole `body { .. }` element so that each page chooses its attributes.
pub fn document(head: Markup, body: Markup) -> Markup {
    html! {
        (PreEscaped("<!doctype html>\n"))
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                (head)
            }
            (body)
        }
    }
}

/// A `<script type="application/ld+json">` holding `data` (schema.org structured data).
///
/// `serde_json` escapes quotes and control characters; this also writes `<`, `>` and `&` as
/// `\u003c`, `\u003e` and `\u0026`, which mean the same characters in JSON, so no text can close
/// the script element or open a comment in it.
pub fn json_ld(data: &serde_json::Value) -> Markup {
    let json = data.to_string();
    let mut safe = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        // Outside strings JSON has none of these characters, so every one is inside a string.
        match c {
            '<' => safe.push_str("\\u003c"),
            '>' => safe.push_str("\\u003e"),
            '&' => safe.push_str("\\u0026"),
            _ => safe.push(c),
        }
    }
    html! { script type="application/ld+json" { (PreEscaped(safe)) } }
}

/// A `<style>` element holding `css`. CSS needs no `<` outside strings and escapes, so each `<`
/// is written as the CSS escape `\3c ` (the same character in a string), and the text cannot
/// close the element.
pub fn style(css: &str) -> Markup {
    html! { style { (PreEscaped(css.replace('<', "\\3c "))) } }
}

/// A `<script>` element holding `js`, a script written in our source code (hence `'static`).
///
/// # Panics
///
/// When `js` holds `</`, which could close the element: a bug in the script's source, caught by
/// any test that renders the page.
pub fn inline_script(js: &'static str) -> Markup {
    assert!(!js.contains("</"), "an inline script must not contain `</`");
    html! { script { (PreEscaped(js)) } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_spliced_into_a_template_is_escaped_in_content_and_attributes() {
        let hostile = "<script>alert('x')</script> & \"quoted\"";
        let markup = html! { p title=(hostile) { (hostile) } };
        insta::assert_snapshot!(markup.into_string(), @r#"<p title="&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;quoted&quot;">&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;quoted&quot;</p>"#);
    }

    #[test]
    fn untrusted_html_keeps_only_allowed_tags() {
        let body = Sanitized::from_untrusted(
            "<p onclick=\"x()\">Hi <a href=\"javascript:alert(1)\">there</a></p><script>alert(1)</script>",
        );
        let markup = html! { div { (body) } };
        insta::assert_snapshot!(markup.into_string(), @"<div><p>Hi <a>there</a></p></div>");
    }

    #[test]
    fn markup_we_generated_passes_as_it_is() {
        let ours = Sanitized::from_markup(html! { p { "Tom & Jerry" } });
        assert_eq!(ours.as_str(), "<p>Tom &amp; Jerry</p>");
        assert_eq!(html! { (ours) }.into_string(), "<p>Tom &amp; Jerry</p>");
        assert!(Sanitized::from_untrusted("  <script>x</script> ").is_blank());
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let data = json!({ "name": "</script><script>alert(1)</script> & <!--", "q": "it's \"x\"" });
        let html = json_ld(&data).into_string();
        insta::assert_snapshot!(html, @r#"<script type="application/ld+json">{"name":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e \u0026 \u003c!--","q":"it's \"x\""}</script>"#);
        let json =
            html.trim_start_matches("<script type=\"application/ld+json\">").trim_end_matches("</script>");
        let parsed: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(parsed, data);
    }

    #[test]
    fn a_stylesheet_cannot_close_its_style_element() {
        let css = "a::after{content:\"</style><script>\"}";
        insta::assert_snapshot!(style(css).into_string(), @r#"<style>a::after{content:"\3c /style>\3c script>"}</style>"#);
    }

    #[test]
    #[should_panic(expected = "must not contain")]
    fn an_inline_script_that_could_close_its_element_is_refused() {
        inline_script("document.write('</script>')");
    }

    /// The workspace's Rust sources outside this crate, with their paths.
    fn workspace_sources() -> Vec<(std::path::PathBuf, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned();
        let mut found = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if path.is_dir() {
                    let skipped =
                        name.starts_with('.') || ["target", "node_modules"].contains(&name.as_str());
                    if !skipped && path != root.join("html") {
                        dirs.push(path);
                    }
                } else if name.ends_with(".rs") {
                    found.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        found
    }

    #[test]
    fn raw_html_enters_pages_only_through_the_html_crate() {
        let sources = workspace_sources();
        assert!(
            sources.iter().any(|(path, _)| path.ends_with("domain/src/html.rs")),
            "the scan sees the workspace"
        );
        let mut offending = Vec::new();
        for (path, text) in &sources {
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                let raw = code.contains("PreEscaped")
                    || (code.contains("impl") && code.contains("Render for"))
                    || code.replace(' ', "").contains("Markup{0");
                if raw && !code.starts_with("//") {
                    offending.push(format!("{}:{}: {code}", path.display(), n + 1));
                }
            }
        }
        assert!(offending.is_empty(), "raw HTML outside the html crate:\n{}", offending.join("\n"));
    }

    #[test]
    fn an_inline_script_is_written_as_it_is() {
        let js = "if(a<b&&c>d)f('\"')";
        assert_eq!(inline_script("if(a<b&&c>d)f('\"')").into_string(), format!("<script>{js}</script>"));
    }
}
