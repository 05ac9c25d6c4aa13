//! Prompt templates: the files under `prompts/`, with `{{name}}` placeholders filled in one pass.

/// A template that could not be filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    /// The template names a placeholder no value was given for.
    #[error("prompt placeholder `{{{{{0}}}}}` has no value")]
    Missing(String),
    /// A `{{` is never closed.
    #[error("prompt has an unclosed `{{{{`")]
    Unclosed,
}

/// Fills every `{{name}}` of `template` from `values`.
///
/// Substitution is a single pass over the template, so a value that itself contains `{{x}}`
/// (supplier text is untrusted) is inserted as it is, never expanded.
pub fn render(template: &str, values: &[(&str, String)]) -> Result<String, PromptError> {
    let mut out = String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(PromptError::Unclosed)?;
        let name = after[..end].trim();
        let value = values
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
            .ok_or_else(|| PromptError::Missing(name.to_owned()))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled() {
        let text = render("Niche: {{niche}}; again {{ niche }}.", &[("niche", "pets".into())]).unwrap();
        assert_eq!(text, "Niche: pets; again pets.");
    }

    #[test]
    fn a_missing_value_is_named() {
        assert_eq!(render("{{price}}", &[]), Err(PromptError::Missing("price".into())));
        assert_eq!(render("{{price", &[("price", "1".into())]), Err(PromptError::Unclosed));
    }

    #[test]
    fn placeholders_inside_values_are_not_expanded() {
        let text =
            render("Title: {{title}}", &[("title", "{{secret}} brush".into()), ("secret", "x".into())]);
        assert_eq!(text.unwrap(), "Title: {{secret}} brush");
    }
}
