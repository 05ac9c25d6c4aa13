//! The boundary between a request's data, a JSON map on the wire, and the typed struct of its
//! mail: each field is read once, by name and type, and a missing or wrong one is an error naming
//! the mail and the field. Fields the mail does not use are ignored, so producers may send more.

use crate::http_url::HttpUrl;
use queues::messages::EmailTemplate;
use serde_json::{Map, Value};

/// Why a request's data does not fit its mail. Retrying does not help: the message is bad.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The mail needs a field the data does not have.
    #[error("template `{template}` needs `{field}`, which the mail's data does not have")]
    Missing {
        /// The mail, as named on the wire.
        template: &'static str,
        /// The field.
        field: &'static str,
    },
    /// The field holds another kind of value than the mail needs.
    #[error("template `{template}`: `{field}` must be {expected}, not {found}")]
    WrongType {
        /// The mail, as named on the wire.
        template: &'static str,
        /// The field.
        field: &'static str,
        /// What the mail needs.
        expected: &'static str,
        /// What the data holds instead.
        found: &'static str,
    },
    /// A link field holds something other than an `http(s)` URL.
    #[error("template `{template}`: `{field}` must be an http:// or https:// URL")]
    NotAUrl {
        /// The mail, as named on the wire.
        template: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A marketing mail was requested as transactional, so it has no unsubscribe link to carry.
    #[error(
        "template `{template}` is a marketing mail: it needs the marketing category's `unsubscribe_url`"
    )]
    MarketingOnly {
        /// The mail, as named on the wire.
        template: &'static str,
    },
}

/// One request's data, read for one mail.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    template: &'static str,
    data: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    /// The data of a request for `template`.
    pub fn new(template: EmailTemplate, data: &'a Map<String, Value>) -> Self {
        Self { template: template.name(), data }
    }

    /// The text in `field`.
    pub fn text(&self, field: &'static str) -> Result<String, RenderError> {
        match self.get(field)? {
            Value::String(text) => Ok(text.clone()),
            other => Err(self.wrong(field, "text", other)),
        }
    }

    /// The whole number, zero or more, in `field`.
    pub fn count(&self, field: &'static str) -> Result<u64, RenderError> {
        let value = self.get(field)?;
        value.as_u64().ok_or_else(|| self.wrong(field, "a whole number of zero or more", value))
    }

    /// The `http(s)` URL in `field`.
    pub fn url(&self, field: &'static str) -> Result<HttpUrl, RenderError> {
        HttpUrl::parse(&self.text(field)?)
            .map_err(|_| RenderError::NotAUrl { template: self.template, field })
    }

    fn get(&self, field: &'static str) -> Result<&'a Value, RenderError> {
        self.data.get(field).ok_or(RenderError::Missing { template: self.template, field })
    }

    fn wrong(&self, field: &'static str, expected: &'static str, found: &Value) -> RenderError {
        let found = match found {
            Value::Null => "null",
            Value::Bool(_) => "true or false",
            Value::Number(_) => "a number",
            Value::String(_) => "text",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        };
        RenderError::WrongType { template: self.template, field, expected, found }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read<T>(data: Value, read: impl Fn(&Fields) -> Result<T, RenderError>) -> Result<T, RenderError> {
        let data = data.as_object().cloned().unwrap();
        read(&Fields::new(EmailTemplate::PasswordReset, &data))
    }

    #[test]
    fn a_missing_field_is_an_error_naming_the_mail_and_the_field() {
        let err = read(json!({}), |f| f.url("reset_url")).unwrap_err();
        assert_eq!(err, RenderError::Missing { template: "password_reset", field: "reset_url" });
        assert_eq!(
            err.to_string(),
            "template `password_reset` needs `reset_url`, which the mail's data does not have"
        );
    }

    #[test]
    fn lists_objects_null_and_numbers_are_not_text() {
        for (value, found) in [
            (json!([1]), "a list"),
            (json!({"a": 1}), "an object"),
            (json!(null), "null"),
            (json!(7), "a number"),
        ] {
            let err = read(json!({ "greeting": value }), |f| f.text("greeting")).unwrap_err();
            assert_eq!(
                err,
                RenderError::WrongType {
                    template: "password_reset",
                    field: "greeting",
                    expected: "text",
                    found
                }
            );
        }
    }

    #[test]
    fn a_count_is_a_whole_number_of_zero_or_more() {
        assert_eq!(read(json!({"n": 30}), |f| f.count("n")), Ok(30));
        for bad in [json!(-1), json!(1.5), json!("30")] {
            let err = read(json!({ "n": bad }), |f| f.count("n")).unwrap_err();
            assert!(matches!(err, RenderError::WrongType { field: "n", .. }), "{err}");
        }
        let err = read(json!({"n": "30"}), |f| f.count("n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "template `password_reset`: `n` must be a whole number of zero or more, not text"
        );
    }

    #[test]
    fn a_link_refuses_anything_but_http_and_https() {
        for bad in ["javascript:alert(1)", "data:text/html,x", "//evil.example", "https://", "https://a b"] {
            let err = read(json!({ "reset_url": bad }), |f| f.url("reset_url")).unwrap_err();
            assert_eq!(err, RenderError::NotAUrl { template: "password_reset", field: "reset_url" }, "{bad}");
        }
        let ok = read(json!({"reset_url": "https://x.example/r?a=1&b=2"}), |f| f.url("reset_url"));
        assert_eq!(ok.unwrap().as_str(), "https://x.example/r?a=1&b=2");
    }
}
