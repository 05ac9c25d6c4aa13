//! Product content as the pipelines write it: what an import publishes, the targets the AI
//! writer aims at, slugs and title words.
//!
//! The rules a product's fields must keep live in [`crate::catalog`], once, for every writer;
//! [`ProductContent::validate`] applies them. The targets here (a title for search results,
//! the sizes of the lists) are what generated content is briefed for, not what a product may
//! store: a merchant may write a 120-character title, the writer aims under 60.

use crate::catalog::{
    CatalogError, Description, Features, Keywords, MetaDescription, MetaTitle, ProductTitle,
};
use serde::{Deserialize, Serialize};

pub use crate::catalog::{truncate_words, META_DESCRIPTION_MAX, META_TITLE_MAX};

/// The title length generated content aims at, so search results show it whole. A target for
/// the writer, not a rule: products may have titles up to [`crate::catalog::TITLE_MAX`].
pub const SEO_TITLE_TARGET: usize = 60;
/// Feature bullets an imported product is written with.
pub const FEATURES: std::ops::RangeInclusive<usize> = 5..=7;
/// Keywords an imported product is tagged with.
pub const KEYWORDS: std::ops::RangeInclusive<usize> = 10..=15;
/// Paragraphs in an imported product's description.
pub const DESCRIPTION_PARAGRAPHS: std::ops::RangeInclusive<usize> = 3..=4;

/// The content a product is published with by an import, as it travels (plain texts); checked
/// with [`ProductContent::validate`] or turned into catalog types with [`ProductContent::checked`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductContent {
    /// Product title, at most [`crate::catalog::TITLE_MAX`] characters.
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

/// A content rule that was broken, naming the field: the catalog's rules.
pub type ContentError = CatalogError;

/// [`ProductContent`] with every field valid by the catalog's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedContent {
    /// The title.
    pub title: ProductTitle,
    /// The description paragraphs.
    pub description: Description,
    /// The feature bullets.
    pub features: Features,
    /// The page's `<title>`.
    pub meta_title: MetaTitle,
    /// The page's meta description.
    pub meta_description: MetaDescription,
    /// The keywords.
    pub keywords: Keywords,
}

impl ProductContent {
    /// Every field as the catalog's types: the rules the merchant API holds products to. The first
    /// broken rule is returned.
    pub fn checked(&self) -> Result<CheckedContent, ContentError> {
        Ok(CheckedContent {
            title: ProductTitle::parse(self.title.as_str())?,
            meta_title: MetaTitle::parse(self.meta_title.as_str())?,
            meta_description: MetaDescription::parse(self.meta_description.as_str())?,
            description: Description::parse(self.description.iter().map(String::as_str))?,
            features: Features::parse(self.features.iter().map(String::as_str))?,
            keywords: Keywords::parse(self.keywords.iter().map(String::as_str))?,
        })
    }

    /// Checks content an import publishes: every field by the catalog's rules ([`Self::checked`]),
    /// and each list at the size the writer is briefed for ([`DESCRIPTION_PARAGRAPHS`],
    /// [`FEATURES`], [`KEYWORDS`]), so that no import publishes a product without its
    /// description, features or keywords. The first broken rule is returned.
    pub fn validate(&self) -> Result<(), ContentError> {
        self.checked()?;
        check_count("description", self.description.len(), &DESCRIPTION_PARAGRAPHS)?;
        check_count("features", self.features.len(), &FEATURES)?;
        check_count("keywords", self.keywords.len(), &KEYWORDS)?;
        Ok(())
    }
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
