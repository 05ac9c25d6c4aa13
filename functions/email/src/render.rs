//! `{{placeholder}}` substitution: the whole template language.
//!
//! A placeholder is a name between double braces (`{{verify_url}}`, spaces inside allowed). Its
//! value comes from the mail's data: text and numbers are written as they are, anything else,
//! and a name the data lacks, is an error naming the template and the placeholder. There are no
//! conditionals, loops or raw output: in HTML every value is escaped, so data can never add markup.
//! Placeholders whose name ends in `_url` must hold an `http(s)` URL, so data cannot smuggle a
//! `javascript:` link into an `href`.

use serde_json::{Map, Value};

/// How values are written into the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// HTML text and quoted attribute values: `& < > " '` are escaped.
    Html,
    /// Plain text (the text part, the subject): values as they are.
    Text,
}

/// Why a template could not be rendered with a mail's data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The template uses a placeholder the data does not provide.
    #[error("template `{template}` needs `{name}`, which the mail's data does not have")]
    MissingPlaceholder {
        /// The template file.
        template: String,
        /// The placeholder.
        name: String,
    },
    /// The value is a list, an object or `null`, which has no single text form.
    #[error("template `{template}`: `{name}` must be text or a number, not {found}")]
    NotText {
        /// The template file.
        template: String,
        /// The placeholder.
        name: String,
        /// What the data holds instead.
        found: &'static str,
    },
    /// A `_url` placeholder holds something other than an `http(s)` URL.
    #[error("template `{template}`: `{name}` must be an http:// or https:// URL")]
    NotAUrl {
        /// The template file.
        template: String,
        /// The placeholder.
        name: String,
    },
    /// `{{` with no `}}` after it, or an empty or malformed name: a bug in the template file.
    #[error("template `{template}` has a malformed placeholder at byte {at}")]
    Malformed {
        /// The template file.
        template: String,
        /// Where the placeholder starts.
        at: usize,
    },
}

/// The placeholder names a template uses, in order of appearance (repeats included).
pub fn placeholders(template: &str, source: &str) -> Result<Vec<String>, RenderError> {
    let mut names = Vec::new();
    let mut rest = source;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        let name = parse_name(template, rest, start, offset)?;
        names.push(name.to_owned());
        let consumed = start + 2 + rest[start + 2..].find("}}").expect("checked by parse_name") + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    Ok(names)
}

/// Renders `source` with `values`. `template` names the file in errors.
pub fn render(
    template: &str,
    source: &str,
    values: &Map<String, Value>,
    escape: Escape,
) -> Result<String, RenderError> {
    let mut out = String::with_capacity(source.len() + 256);
    let mut rest = source;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let name = parse_name(template, rest, start, offset)?;
        let value = text_value(template, name, values)?;
        match escape {
            Escape::Html => escape_html_into(&value, &mut out),
            Escape::Text => out.push_str(&value),
        }
        let consumed = start + 2 + rest[start + 2..].find("}}").expect("checked by parse_name") + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    escape_html_into(value, &mut out);
    out
}

fn escape_html_into(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The trimmed name of the placeholder opening at `rest[start..]`.
fn parse_name<'a>(
    template: &str,
    rest: &'a str,
    start: usize,
    offset: usize,
) -> Result<&'a str, RenderError> {
    let malformed = || RenderError::Malformed { template: template.to_owned(), at: offset + start };
    let inner = &rest[start + 2..];
    let end = inner.find("}}").ok_or_else(malformed)?;
    let name = inner[..end].trim();
    let valid =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(name)
    } else {
        Err(malformed())
    }
}

fn text_value(template: &str, name: &str, values: &Map<String, Value>) -> Result<String, RenderError> {
    let not_text =
        |found| RenderError::NotText { template: template.to_owned(), name: name.to_owned(), found };
    let text = match values.get(name) {
        None => {
            return Err(RenderError::MissingPlaceholder {
                template: template.to_owned(),
                name: name.to_owned(),
            })
        }
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Null) => return Err(not_text("null")),
        Some(Value::Array(_)) => return Err(not_text("a list")),
        Some(Value::Object(_)) => return Err(not_text("an object")),
    };
    if name.ends_with("_url") && !is_http_url(&text) {
        return Err(RenderError::NotAUrl { template: template.to_owned(), name: name.to_owned() });
    }
    Ok(text)
}

/// Whether `value` is an absolute `http://` or `https://` URL with a host and no whitespace.
pub fn is_http_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            host_end > 0 && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn placeholders_are_replaced_with_text_and_numbers() {
        let out = render(
            "t",
            "Hi {{name}}, {{ count }} new products.",
            &values(json!({"name": "Ada", "count": 7})),
            Escape::Text,
        )
        .unwrap();
        assert_eq!(out, "Hi Ada, 7 new products.");
    }

    #[test]
    fn html_values_are_escaped_so_data_cannot_add_markup() {
        let out = render(
            "t",
            r#"<p title="{{name}}">{{name}}</p>"#,
            &values(json!({"name": r#"<script>alert("x")</script> & 'co'"#})),
            Escape::Html,
        )
        .unwrap();
        assert_eq!(
            out,
            "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;\">\
             &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</p>"
        );
    }

    #[test]
    fn text_values_are_written_as_they_are() {
        let out = render("t", "{{name}}", &values(json!({"name": "Tom & <Jerry>"})), Escape::Text).unwrap();
        assert_eq!(out, "Tom & <Jerry>");
    }

    #[test]
    fn a_missing_placeholder_is_an_error_naming_template_and_placeholder() {
        let err = render("verify_email.html", "Go to {{verify_url}}", &Map::new(), Escape::Html).unwrap_err();
        assert_eq!(
            err,
            RenderError::MissingPlaceholder {
                template: "verify_email.html".into(),
                name: "verify_url".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "template `verify_email.html` needs `verify_url`, which the mail's data does not have"
        );
    }

    #[test]
    fn lists_objects_and_null_are_not_text() {
        for (value, found) in [(json!([1]), "a list"), (json!({"a": 1}), "an object"), (json!(null), "null")]
        {
            let err = render("t", "{{x}}", &values(json!({ "x": value })), Escape::Html).unwrap_err();
            assert!(matches!(err, RenderError::NotText { found: f, .. } if f == found), "{err}");
        }
    }

    #[test]
    fn a_url_placeholder_refuses_anything_but_http_and_https() {
        for bad in ["javascript:alert(1)", "data:text/html,x", "//evil.example", "https://", "https://a b"] {
            let err = render("t", "{{reset_url}}", &values(json!({ "reset_url": bad })), Escape::Html);
            assert!(matches!(err, Err(RenderError::NotAUrl { .. })), "{bad} was accepted");
        }
        let ok = render(
            "t",
            "{{reset_url}}",
            &values(json!({"reset_url": "https://x.example/r?a=1&b=2"})),
            Escape::Html,
        );
        assert_eq!(ok.unwrap(), "https://x.example/r?a=1&amp;b=2");
    }

    #[test]
    fn an_unclosed_or_empty_placeholder_is_malformed() {
        let map = values(json!({"a": "x"}));
        assert!(matches!(
            render("t", "ok {{a", &map, Escape::Text),
            Err(RenderError::Malformed { at: 3, .. })
        ));
        assert!(matches!(render("t", "{{ }}", &map, Escape::Text), Err(RenderError::Malformed { .. })));
        assert!(matches!(render("t", "{{A-b}}", &map, Escape::Text), Err(RenderError::Malformed { .. })));
    }

    #[test]
    fn single_braces_and_text_around_placeholders_are_kept() {
        let out = render("t", "a { b } {{a}}}", &values(json!({"a": "x"})), Escape::Text).unwrap();
        assert_eq!(out, "a { b } x}");
    }

    #[test]
    fn placeholders_are_listed_in_order() {
        assert_eq!(placeholders("t", "{{a}} and {{ b }} and {{a}}").unwrap(), vec!["a", "b", "a"]);
    }
}
