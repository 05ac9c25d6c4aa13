//! Reading a model's answer: the one JSON object in its text, whatever is around it.
//!
//! Models wrap JSON in code fences or add a sentence before it. The object is found by matching
//! braces outside strings from the first `{`, so prose after the object is ignored too.

/// Why an answer held no usable JSON object. The text is sent back to the model in the repair
/// turn, so it says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutputError {
    /// The answer is empty.
    #[error("the answer was empty")]
    Empty,
    /// There is no `{` in the answer.
    #[error("the answer contains no JSON object")]
    NoObject,
    /// An object starts but never closes.
    #[error("the JSON object is not closed (was the answer cut off?)")]
    Unclosed,
    /// The object is not valid JSON.
    #[error("the answer is not valid JSON: {0}")]
    Syntax(String),
    /// The JSON does not match the schema, or breaks a rule of it.
    #[error("{0}")]
    Schema(String),
    /// The answer stopped at the token limit and what came before is not usable.
    #[error("the answer stopped at the token limit before it was complete ({0}); answer more briefly")]
    Truncated(Box<OutputError>),
}

/// The text of the first complete JSON object in `text`.
pub fn find_object(text: &str) -> Result<&str, OutputError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(OutputError::Empty);
    }
    let start = text.find('{').ok_or(OutputError::NoObject)?;
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (offset, c) in text[start..].char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(&text[start..=start + offset]);
                }
            }
            _ => {}
        }
    }
    Err(OutputError::Unclosed)
}

/// Parses the first JSON object in `text` into a value.
pub fn parse_object(text: &str) -> Result<serde_json::Value, OutputError> {
    let object = find_object(text)?;
    serde_json::from_str(object).map_err(|e| OutputError::Syntax(e.to_string()))
}

/// Decodes a JSON value into a schema type, naming the field at fault.
pub fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, OutputError> {
    serde_json::from_value(value)
        .map_err(|e| OutputError::Schema(format!("the JSON does not match the schema: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_fenced_object_is_found() {
        let text = "```json\n{\"a\": 1}\n```";
        assert_eq!(find_object(text), Ok("{\"a\": 1}"));
    }

    #[test]
    fn prose_before_and_after_is_ignored() {
        let text = "Here is the analysis:\n{\"a\": {\"b\": [1, 2]}}\nLet me know if you need more.";
        assert_eq!(find_object(text), Ok("{\"a\": {\"b\": [1, 2]}}"));
    }

    #[test]
    fn braces_and_quotes_inside_strings_do_not_end_the_object() {
        let text = r#"{"reasoning": "use } and { and \" freely", "n": 2} trailing }"#;
        assert_eq!(find_object(text), Ok(r#"{"reasoning": "use } and { and \" freely", "n": 2}"#));
        assert_eq!(parse_object(text).unwrap()["n"], 2);
    }

    #[test]
    fn answers_without_a_whole_object_are_refused_with_a_reason() {
        assert_eq!(find_object("  "), Err(OutputError::Empty));
        assert_eq!(find_object("I cannot help with that."), Err(OutputError::NoObject));
        assert_eq!(find_object("{\"a\": \"cut off"), Err(OutputError::Unclosed));
        assert!(matches!(parse_object("{a: 1}"), Err(OutputError::Syntax(_))));
    }

    proptest! {
        #[test]
        fn any_object_survives_being_wrapped(key in "[a-z]{1,8}", value in "\\PC{0,40}", before in "[^{]{0,20}") {
            let object = serde_json::json!({ key.clone(): value.clone() }).to_string();
            let wrapped = format!("{before}\n```json\n{object}\n```\nthanks");
            let parsed = parse_object(&wrapped).unwrap();
            prop_assert_eq!(parsed[&key].as_str(), Some(value.as_str()));
        }
    }
}
