//! Product content rules: slugs, and the limits generated or edited content must keep.

use serde::{Deserialize, Serialize};

/// Longest product title shown and used as the page title.
pub const TITLE_MAX: usize = 60;
/// Longest meta title.
pub const META_TITLE_MAX: usize = 60;
/// Longest meta description.
pub const META_DESCRIPTION_MAX: usize = 155;
/// Feature bullets a product page has.
pub const FEATURES: std::ops::RangeInclusive<usize> = 5..=7;
/// Keywords a product is tagged with.
pub const KEYWORDS: std::ops::RangeInclusive<usize> = 10..=15;
/// Paragraphs in a product description.
pub const DESCRIPTION_PARAGRAPHS: std::ops::RangeInclusive<usize> = 3..=4;

/// The content a product is published with, whoever wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductContent {
    /// Product title, at most [`TITLE_MAX`] characters.
    pub title: String,
    /// Description paragraphs, plain text (rendered escaped).
    pub description: Vec<String>,
    /// Feature bullets.
    pub features: Vec<String>,
    /// The `<title>` of the product page.
    pub meta_title: String,
    /// The meta description of the product page.
    pub meta_description: String,
    /// Keywords for search and internal links.
    pub keywords: Vec<String>,
}

/// A content rule that was broken, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    /// A text is empty or longer than its limit.
    #[error("{field} must be 1 to {max} characters, got {len}")]
    Length {
        /// The field at fault.
        field: &'static str,
        /// Its limit.
        max: usize,
        /// Its length.
        len: usize,
    },
    /// A list has too few or too many items.
    #[error("{field} must have {min} to {max} items, got {count}")]
    Count {
        /// The field at fault.
        field: &'static str,
        /// Fewest items.
        min: usize,
        /// Most items.
        max: usize,
        /// Items given.
        count: usize,
    },
}

impl ProductContent {
    /// Checks every limit; the first broken rule is returned.
    pub fn validate(&self) -> Result<(), ContentError> {
        check_len("title", &self.title, TITLE_MAX)?;
        check_len("meta_title", &self.meta_title, META_TITLE_MAX)?;
        check_len("meta_description", &self.meta_description, META_DESCRIPTION_MAX)?;
        check_count("description", self.description.len(), &DESCRIPTION_PARAGRAPHS)?;
        check_count("features", self.features.len(), &FEATURES)?;
        check_count("keywords", self.keywords.len(), &KEYWORDS)?;
        for paragraph in &self.description {
            check_len("description", paragraph, 2_000)?;
        }
        Ok(())
    }
}

fn check_len(field: &'static str, text: &str, max: usize) -> Result<(), ContentError> {
    let len = text.chars().count();
    if len == 0 || len > max || text.trim().is_empty() {
        return Err(ContentError::Length { field, max, len });
    }
    Ok(())
}

fn check_count(
    field: &'static str,
    count: usize,
    range: &std::ops::RangeInclusive<usize>,
) -> Result<(), ContentError> {
    if !range.contains(&count) {
        return Err(ContentError::Count { field, min: *range.start(), max: *range.end(), count });
    }
    Ok(())
}

/// Cuts `text` to at most `max` characters at a word boundary, without a dangling separator.
pub fn truncate_words(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max + 1).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if i > 0 => &cut[..i],
        _ => &cut[..cut.char_indices().nth(max).map_or(cut.len(), |(i, _)| i)],
    };
    at_word.trim_end_matches(|c: char| c.is_whitespace() || ",;:-|–".contains(c)).to_owned()
}

/// A URL slug from a title: lowercase ASCII words joined by hyphens, at most 80 characters.
/// Accented Latin letters lose their accent; other characters separate words.
pub fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    for c in title.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = truncate_words(&slug.replace('-', " "), 80).replace(' ', "-");
    if slug.is_empty() {
        "product".to_owned()
    } else {
        slug
    }
}

fn fold_accent(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ñ' | 'Ñ' => "n",
        'ç' | 'Ç' => "c",
        'ß' => "ss",
        '&' => " and ",
        _ => "",
    };
    let own = if folded.is_empty() { Some(c) } else { None };
    folded.chars().chain(own)
}

/// The ordinary words of a title, lowercased, for keywords and matching.
pub fn title_words(title: &str) -> Vec<String> {
    const STOP: &[&str] = &["a", "an", "and", "the", "for", "with", "of", "to", "in", "on", "by", "new"];
    slugify(title).split('-').filter(|w| w.len() > 1 && !STOP.contains(w)).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ProductContent {
        ProductContent {
            title: "Self-Cleaning Slicker Brush".into(),
            description: vec!["One.".into(), "Two.".into(), "Three.".into()],
            features: (0..5).map(|i| format!("Feature {i}")).collect(),
            meta_title: "Self-Cleaning Slicker Brush | Cozy Pets".into(),
            meta_description: "Groom in minutes.".into(),
            keywords: (0..10).map(|i| format!("kw{i}")).collect(),
        }
    }

    #[test]
    fn content_within_every_limit_is_valid() {
        assert_eq!(valid().validate(), Ok(()));
    }

    #[test]
    fn a_long_meta_description_is_refused_naming_the_field() {
        let content = ProductContent { meta_description: "x".repeat(156), ..valid() };
        assert_eq!(
            content.validate(),
            Err(ContentError::Length { field: "meta_description", max: 155, len: 156 })
        );
    }

    #[test]
    fn too_few_features_are_refused() {
        let content = ProductContent { features: vec!["one".into()], ..valid() };
        assert!(matches!(content.validate(), Err(ContentError::Count { field: "features", .. })));
    }

    #[test]
    fn slugs_are_lowercase_ascii_words() {
        assert_eq!(slugify("Crème Brûlée Torch — 2 Pack!"), "creme-brulee-torch-2-pack");
        assert_eq!(slugify("Cats & Dogs"), "cats-and-dogs");
        assert_eq!(slugify("!!!"), "product");
    }

    #[test]
    fn truncation_keeps_whole_words() {
        assert_eq!(truncate_words("Portable Blender for Smoothies and Shakes", 20), "Portable Blender for");
        assert_eq!(truncate_words("Short", 20), "Short");
    }

    #[test]
    fn title_words_drop_filler() {
        assert_eq!(title_words("The Brush for Dogs"), vec!["brush", "dogs"]);
    }
}
