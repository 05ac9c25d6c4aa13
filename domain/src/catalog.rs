//! The catalog's vocabulary: a product's fields as validated types, one rule per field.
//!
//! The rules for every writer of products, so that what one accepts every other accepts too: the
//! merchant API (single writes and bulk updates through [`ProductPatch`] and
//! [`ProductFields::from_patch`], CSV imports through [`ProductPatch::from_csv_cells`]), the
//! pipelines' publish (`queues::internal_api::PublishProduct::fields`) and imported content
//! (`content::ProductContent::validate`). Each type has one parsing constructor, converts from
//! the wire with `TryFrom`/`FromStr`, and checks itself when deserialised; past that point
//! nothing re-validates.
//!
//! Text rules, the same for every text field: not blank, no control characters other than `\n`,
//! at most the field's limit counted in characters (not bytes). Texts are kept as given, not
//! trimmed.

use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest product title. The AI writer aims shorter (`content::SEO_TITLE_TARGET`); this is what
/// a product may store.
pub const TITLE_MAX: usize = 120;
/// Longest description paragraph.
pub const PARAGRAPH_MAX: usize = 2_000;
/// Most paragraphs in a description.
pub const PARAGRAPHS_MAX: usize = 10;
/// Longest feature bullet.
pub const FEATURE_MAX: usize = 200;
/// Most feature bullets.
pub const FEATURES_MAX: usize = 12;
/// Longest keyword.
pub const KEYWORD_MAX: usize = 60;
/// Most keywords.
pub const KEYWORDS_MAX: usize = 20;
/// Longest image URL.
pub const IMAGE_URL_MAX: usize = 2_000;
/// Most images.
pub const IMAGES_MAX: usize = 20;
/// Longest meta title (the page's `<title>`).
pub const META_TITLE_MAX: usize = 60;
/// Longest meta description.
pub const META_DESCRIPTION_MAX: usize = 155;
/// Longest name of a converted image in `/media/<name>.webp`.
pub const MEDIA_NAME_MAX: usize = 64;
/// The largest price, compare-at price or cost, in minor units (ten billion in major units).
/// Amounts cross D1 as JavaScript numbers, exact only below 2^53, so the cap keeps every amount
/// and every sum or adjustment of them well inside what D1 stores exactly.
pub const AMOUNT_MAX_MINOR: i64 = 1_000_000_000_000;

/// A catalog rule that was broken. [`CatalogError::field`] names the field as the merchant API
/// spells it; the message (`Display`) says which rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A field a product cannot do without is missing.
    #[error("{field} is required")]
    Required {
        /// The field at fault.
        field: &'static str,
    },
    /// A text is empty or only whitespace.
    #[error("{field} must not be blank")]
    Blank {
        /// The field at fault.
        field: &'static str,
    },
    /// A text is longer than its limit.
    #[error("{field} must be 1 to {max} characters, got {len}")]
    Length {
        /// The field at fault.
        field: &'static str,
        /// Its limit, in characters.
        max: usize,
        /// Its length, in characters.
        len: usize,
    },
    /// A text holds a control character other than a line break.
    #[error("{field} must not contain control characters other than line breaks")]
    ControlCharacter {
        /// The field at fault.
        field: &'static str,
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
    /// An image URL is neither `https://` nor one of the store's converted images.
    #[error("images must be https URLs or /media/<name>.webp")]
    ImageUrl,
    /// A status other than `published` or `draft`.
    #[error("status must be published or draft")]
    Status,
    /// The price is zero or negative.
    #[error("price_minor must be a positive amount in minor units")]
    PriceNotPositive,
    /// The compare-at price is not above the price.
    #[error("compare_at_minor must be above price_minor")]
    CompareAtNotAbovePrice,
    /// The cost is negative.
    #[error("cost_minor must not be negative")]
    NegativeCost,
    /// An amount above [`AMOUNT_MAX_MINOR`].
    #[error("{field} must be at most 1000000000000 minor units")]
    AmountTooLarge {
        /// The field.
        field: &'static str,
    },
    /// An amount is in another currency than the price.
    #[error("{field} must be in {expected}, got {got}")]
    Currency {
        /// The field at fault.
        field: &'static str,
        /// The price's currency.
        expected: &'static str,
        /// The amount's currency.
        got: &'static str,
    },
    /// A number cell (CSV) is not a whole number.
    #[error("{field} must be a whole number of minor units")]
    NotANumber {
        /// The field at fault.
        field: &'static str,
    },
    /// A column or field no product has.
    #[error("unknown field `{field}`")]
    UnknownField {
        /// The name given.
        field: String,
    },
}

impl CatalogError {
    /// The field at fault, as the merchant API names it: the `field` of a 400 answer.
    pub fn field(&self) -> &str {
        match self {
            Self::Required { field }
            | Self::Blank { field }
            | Self::Length { field, .. }
            | Self::ControlCharacter { field }
            | Self::Count { field, .. }
            | Self::Currency { field, .. }
            | Self::AmountTooLarge { field }
            | Self::NotANumber { field } => field,
            Self::ImageUrl => "images",
            Self::Status => "status",
            Self::PriceNotPositive => "price_minor",
            Self::CompareAtNotAbovePrice => "compare_at_minor",
            Self::NegativeCost => "cost_minor",
            Self::UnknownField { field } => field,
        }
    }
}

/// The text rule every text field follows.
fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), CatalogError> {
    if text.trim().is_empty() {
        return Err(CatalogError::Blank { field });
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(CatalogError::ControlCharacter { field });
    }
    let len = text.chars().count();
    if len > max {
        return Err(CatalogError::Length { field, max, len });
    }
    Ok(())
}

/// A validated text: the constructor, conversions and serde of one text field.
macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The field's name in the merchant API, named by its errors.
            pub const FIELD: &'static str = $field;
            /// Its longest text, in characters.
            pub const MAX: usize = $max;

            /// Checks `text` against the text rule and this field's limit.
            pub fn parse(text: impl Into<String>) -> Result<Self, CatalogError> {
                let text = text.into();
                check_text(Self::FIELD, &text, Self::MAX)?;
                Ok(Self(text))
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = CatalogError;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(text)
            }
        }

        impl FromStr for $name {
            type Err = CatalogError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// A validated list: at most a number of items, each parsed by its own type.
macro_rules! list_type {
    ($(#[$doc:meta])* $name:ident of $item:ident, $max_items:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "Vec<String>", into = "Vec<String>")]
        pub struct $name(Vec<$item>);

        impl $name {
            /// Most items.
            pub const MAX_ITEMS: usize = $max_items;

            /// Checks the number of items, then each item; the first broken rule is returned.
            pub fn parse<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Result<Self, CatalogError> {
                let items: Vec<String> = items.into_iter().map(Into::into).collect();
                if items.len() > Self::MAX_ITEMS {
                    return Err(CatalogError::Count {
                        field: $item::FIELD,
                        min: 0,
                        max: Self::MAX_ITEMS,
                        count: items.len(),
                    });
                }
                items.into_iter().map($item::parse).collect::<Result<_, _>>().map(Self)
            }

            /// The items, in order.
            pub fn items(&self) -> &[$item] {
                &self.0
            }

            /// The first item.
            pub fn first(&self) -> Option<&$item> {
                self.0.first()
            }

            /// How many items there are.
            pub fn len(&self) -> usize {
                self.0.len()
            }

            /// Whether there are none.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }

            /// The items as plain texts (for a JSON column).
            pub fn to_strings(&self) -> Vec<String> {
                self.0.iter().map(|item| item.as_str().to_owned()).collect()
            }
        }

        impl TryFrom<Vec<String>> for $name {
            type Error = CatalogError;

            fn try_from(items: Vec<String>) -> Result<Self, Self::Error> {
                Self::parse(items)
            }
        }

        impl From<$name> for Vec<String> {
            fn from(value: $name) -> Self {
                value.0.into_iter().map(String::from).collect()
            }
        }
    };
}

text_type!(
    /// A product's title: the heading of its page, its cards and the base of its slug.
    ProductTitle, "title", TITLE_MAX
);
text_type!(
    /// One paragraph of a product description, plain text (rendered escaped).
    Paragraph, "description", PARAGRAPH_MAX
);
text_type!(
    /// One feature bullet.
    Feature, "features", FEATURE_MAX
);
text_type!(
    /// One keyword, for search and internal links.
    Keyword, "keywords", KEYWORD_MAX
);
text_type!(
    /// The product page's `<title>`.
    MetaTitle, "meta_title", META_TITLE_MAX
);
text_type!(
    /// The product page's meta description.
    MetaDescription, "meta_description", META_DESCRIPTION_MAX
);

list_type!(
    /// A product description: up to [`PARAGRAPHS_MAX`] paragraphs.
    Description of Paragraph, PARAGRAPHS_MAX
);
list_type!(
    /// A product's feature bullets: up to [`FEATURES_MAX`].
    Features of Feature, FEATURES_MAX
);
list_type!(
    /// A product's keywords: up to [`KEYWORDS_MAX`].
    Keywords of Keyword, KEYWORDS_MAX
);
list_type!(
    /// A product's images, the first is the main one: up to [`IMAGES_MAX`].
    Images of ImageUrl, IMAGES_MAX
);

/// Whether `url` names one of the store's converted images, as the import publishes them and the
/// storefront serves them: `/media/<name>.webp`, the name of 1 to [`MEDIA_NAME_MAX`] lower-case
/// letters, digits, dashes and underscores.
pub fn is_media_path(url: &str) -> bool {
    url.strip_prefix("/media/").and_then(|rest| rest.strip_suffix(".webp")).is_some_and(|name| {
        (1..=MEDIA_NAME_MAX).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    })
}

/// One product image: an `https://` URL with a host, or one of the store's converted images
/// ([`is_media_path`]). Plain `http://` is refused: the shop is served over https and would show
/// it as mixed content.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImageUrl(String);

impl ImageUrl {
    /// The field's name in the merchant API, named by its errors.
    pub const FIELD: &'static str = "images";

    /// Checks `url` against the text rule, [`IMAGE_URL_MAX`] and the allowed forms.
    pub fn parse(url: impl Into<String>) -> Result<Self, CatalogError> {
        let url = url.into();
        check_text(Self::FIELD, &url, IMAGE_URL_MAX)?;
        let https =
            url.strip_prefix("https://").is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
        if !(https || is_media_path(&url)) {
            return Err(CatalogError::ImageUrl);
        }
        Ok(Self(url))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ImageUrl {
    type Error = CatalogError;

    fn try_from(url: String) -> Result<Self, Self::Error> {
        Self::parse(url)
    }
}

impl FromStr for ImageUrl {
    type Err = CatalogError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Self::parse(url)
    }
}

impl From<ImageUrl> for String {
    fn from(value: ImageUrl) -> Self {
        value.0
    }
}

impl AsRef<str> for ImageUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ImageUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether shoppers see a product.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum ProductStatus {
    /// Visible to shoppers.
    Published,
    /// Kept for the merchant to review; the default.
    #[default]
    Draft,
}

impl ProductStatus {
    /// Parses `published` or `draft`.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        match text {
            "published" => Ok(Self::Published),
            "draft" => Ok(Self::Draft),
            _ => Err(CatalogError::Status),
        }
    }

    /// The status as stored and sent: `published` or `draft`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Draft => "draft",
        }
    }
}

impl TryFrom<String> for ProductStatus {
    type Error = CatalogError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl FromStr for ProductStatus {
    type Err = CatalogError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for ProductStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A product's prices, in one currency: a positive price, a compare-at price above it when there
/// is one, and a cost that is not negative (zero when unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Prices {
    price: Money,
    compare_at: Option<Money>,
    cost: Money,
}

impl Prices {
    /// Checks the prices; errors name the merchant API's fields (`price_minor`, ...).
    pub fn new(price: Money, compare_at: Option<Money>, cost: Money) -> Result<Self, CatalogError> {
        let same_currency = |field, amount: Money| {
            if amount.currency == price.currency {
                Ok(())
            } else {
                Err(CatalogError::Currency {
                    field,
                    expected: price.currency.code(),
                    got: amount.currency.code(),
                })
            }
        };
        if price.minor <= 0 {
            return Err(CatalogError::PriceNotPositive);
        }
        for (field, amount) in
            [("price_minor", Some(price)), ("compare_at_minor", compare_at), ("cost_minor", Some(cost))]
        {
            if amount.is_some_and(|a| a.minor > AMOUNT_MAX_MINOR) {
                return Err(CatalogError::AmountTooLarge { field });
            }
        }
        if let Some(compare_at) = compare_at {
            same_currency("compare_at_minor", compare_at)?;
            if compare_at.minor <= price.minor {
                return Err(CatalogError::CompareAtNotAbovePrice);
            }
        }
        same_currency("cost_minor", cost)?;
        if cost.minor < 0 {
            return Err(CatalogError::NegativeCost);
        }
        Ok(Self { price, compare_at, cost })
    }

    /// The prices from minor units in `currency`, as the merchant API sends them.
    pub fn from_minor(
        price_minor: i64,
        compare_at_minor: Option<i64>,
        cost_minor: i64,
        currency: Currency,
    ) -> Result<Self, CatalogError> {
        let money = |minor| Money::from_minor(minor, currency);
        Self::new(money(price_minor), compare_at_minor.map(money), money(cost_minor))
    }

    /// The selling price.
    pub fn price(&self) -> Money {
        self.price
    }

    /// The compare-at ("was") price.
    pub fn compare_at(&self) -> Option<Money> {
        self.compare_at
    }

    /// What the product costs the store.
    pub fn cost(&self) -> Money {
        self.cost
    }
}

/// A whole product's catalog fields, each valid; what every writer stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductFields {
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
    /// The image URLs, main image first.
    pub images: Images,
    /// Price, compare-at price and cost.
    pub prices: Prices,
    /// Published or draft.
    pub status: ProductStatus,
}

impl ProductFields {
    /// A product from `patch` over nothing (a new product) in `currency`: `title` and
    /// `price_minor` are required; the lists default to empty, the cost to zero, the status to
    /// draft, the meta title to the title cut at a word within [`META_TITLE_MAX`], and the meta
    /// description to the first paragraph (else the title) cut within [`META_DESCRIPTION_MAX`].
    /// For a change to a stored product, pass `patch.over(stored)`. Fields are checked in the
    /// order the edge has always checked them (title, the lists, images, the meta texts, prices,
    /// status); the first broken rule is returned.
    pub fn from_patch(patch: ProductPatch, currency: Currency) -> Result<Self, CatalogError> {
        let ProductPatch {
            title,
            description,
            features,
            meta_title,
            meta_description,
            keywords,
            images,
            price_minor,
            compare_at_minor,
            cost_minor,
            status,
        } = patch;
        let title = ProductTitle::parse(title.ok_or(CatalogError::Required { field: ProductTitle::FIELD })?)?;
        let description = Description::parse(description.unwrap_or_default())?;
        let features = Features::parse(features.unwrap_or_default())?;
        let keywords = Keywords::parse(keywords.unwrap_or_default())?;
        let images = Images::parse(images.unwrap_or_default())?;
        let meta_title =
            MetaTitle::parse(meta_title.unwrap_or_else(|| truncate_words(title.as_str(), META_TITLE_MAX)))?;
        let meta_description = MetaDescription::parse(meta_description.unwrap_or_else(|| {
            let source = description.first().map_or(title.as_str(), Paragraph::as_str);
            truncate_words(source, META_DESCRIPTION_MAX)
        }))?;
        let price_minor = price_minor.ok_or(CatalogError::Required { field: "price_minor" })?;
        let prices =
            Prices::from_minor(price_minor, compare_at_minor.flatten(), cost_minor.unwrap_or(0), currency)?;
        let status = status.as_deref().map_or(Ok(ProductStatus::Draft), ProductStatus::parse)?;
        Ok(Self {
            title,
            description,
            features,
            meta_title,
            meta_description,
            keywords,
            images,
            prices,
            status,
        })
    }
}

/// Changes to a product's catalog fields as the merchant API takes them, not yet checked: a field
/// left out (`None`) keeps its value; `compare_at_minor: Some(None)` removes the compare-at price
/// (from JSON, `null` reads as left out, as the edge has always read it). Checked by
/// [`ProductFields::from_patch`], which applies the rules to the whole result, so a change is
/// judged with the fields it leaves as they were.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    /// A new title.
    pub title: Option<String>,
    /// New description paragraphs.
    pub description: Option<Vec<String>>,
    /// New feature bullets.
    pub features: Option<Vec<String>>,
    /// A new meta title.
    pub meta_title: Option<String>,
    /// A new meta description.
    pub meta_description: Option<String>,
    /// New keywords.
    pub keywords: Option<Vec<String>>,
    /// New image URLs.
    pub images: Option<Vec<String>>,
    /// A new price in minor units.
    pub price_minor: Option<i64>,
    /// A new compare-at price (`Some(None)` removes it).
    pub compare_at_minor: Option<Option<i64>>,
    /// A new cost in minor units.
    pub cost_minor: Option<i64>,
    /// `published` or `draft`.
    pub status: Option<String>,
}

/// The columns a CSV import may have, each a field of [`ProductPatch`].
pub const CSV_COLUMNS: [&str; 11] = [
    "title",
    "description",
    "features",
    "meta_title",
    "meta_description",
    "keywords",
    "images",
    "price_minor",
    "compare_at_minor",
    "cost_minor",
    "status",
];

/// What separates the items of a list column in a CSV cell.
pub const CSV_LIST_SEPARATOR: char = '|';

impl ProductPatch {
    /// These changes applied over `base` (a stored product, as changes that set every field):
    /// what is set here wins, the rest comes from `base`.
    pub fn over(self, base: ProductPatch) -> ProductPatch {
        ProductPatch {
            title: self.title.or(base.title),
            description: self.description.or(base.description),
            features: self.features.or(base.features),
            meta_title: self.meta_title.or(base.meta_title),
            meta_description: self.meta_description.or(base.meta_description),
            keywords: self.keywords.or(base.keywords),
            images: self.images.or(base.images),
            price_minor: self.price_minor.or(base.price_minor),
            compare_at_minor: self.compare_at_minor.or(base.compare_at_minor),
            cost_minor: self.cost_minor.or(base.cost_minor),
            status: self.status.or(base.status),
        }
    }

    /// One CSV row, as (column, cell) pairs: an empty cell sets nothing, list columns split
    /// their items at [`CSV_LIST_SEPARATOR`] and trim them, amount columns must be whole numbers.
    /// A column not in [`CSV_COLUMNS`] is refused.
    pub fn from_csv_cells<'a>(
        cells: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, CatalogError> {
        let mut changes = Self::default();
        for (column, cell) in cells {
            if cell.is_empty() {
                if !CSV_COLUMNS.contains(&column) {
                    return Err(CatalogError::UnknownField { field: column.to_owned() });
                }
                continue;
            }
            let list = || Some(cell.split(CSV_LIST_SEPARATOR).map(|item| item.trim().to_owned()).collect());
            let amount = |field: &'static str| {
                cell.trim().parse::<i64>().map(Some).map_err(|_| CatalogError::NotANumber { field })
            };
            match column {
                "title" => changes.title = Some(cell.to_owned()),
                "description" => changes.description = list(),
                "features" => changes.features = list(),
                "meta_title" => changes.meta_title = Some(cell.to_owned()),
                "meta_description" => changes.meta_description = Some(cell.to_owned()),
                "keywords" => changes.keywords = list(),
                "images" => changes.images = list(),
                "price_minor" => changes.price_minor = amount("price_minor")?,
                "compare_at_minor" => changes.compare_at_minor = Some(amount("compare_at_minor")?),
                "cost_minor" => changes.cost_minor = amount("cost_minor")?,
                "status" => changes.status = Some(cell.to_owned()),
                other => return Err(CatalogError::UnknownField { field: other.to_owned() }),
            }
        }
        Ok(changes)
    }
}

impl From<ProductFields> for ProductPatch {
    /// A valid product as changes that set every field (the base of [`ProductPatch::over`]).
    fn from(product: ProductFields) -> Self {
        ProductPatch {
            title: Some(product.title.into()),
            description: Some(product.description.into()),
            features: Some(product.features.into()),
            meta_title: Some(product.meta_title.into()),
            meta_description: Some(product.meta_description.into()),
            keywords: Some(product.keywords.into()),
            images: Some(product.images.into()),
            price_minor: Some(product.prices.price.minor),
            compare_at_minor: Some(product.prices.compare_at.map(|c| c.minor)),
            cost_minor: Some(product.prices.cost.minor),
            status: Some(product.status.as_str().to_owned()),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn changes(title: &str, price_minor: i64) -> ProductPatch {
        ProductPatch { title: Some(title.into()), price_minor: Some(price_minor), ..ProductPatch::default() }
    }

    #[test]
    fn a_title_of_120_characters_is_a_title_and_121_is_not() {
        assert!(ProductTitle::parse("é".repeat(120)).is_ok());
        assert_eq!(
            ProductTitle::parse("é".repeat(121)),
            Err(CatalogError::Length { field: "title", max: 120, len: 121 })
        );
    }

    #[test]
    fn blank_texts_and_control_characters_are_refused_but_line_breaks_are_kept() {
        assert_eq!(ProductTitle::parse(" \n "), Err(CatalogError::Blank { field: "title" }));
        assert_eq!(
            MetaTitle::parse("Tab\there"),
            Err(CatalogError::ControlCharacter { field: "meta_title" })
        );
        assert_eq!(Paragraph::parse("One.\nTwo.").unwrap().as_str(), "One.\nTwo.");
    }

    #[test]
    fn lists_refuse_too_many_items_and_name_their_field_for_a_bad_item() {
        assert_eq!(
            Features::parse((0..13).map(|i| format!("f{i}"))),
            Err(CatalogError::Count { field: "features", min: 0, max: 12, count: 13 })
        );
        assert_eq!(Keywords::parse(["ok", ""]).unwrap_err().field(), "keywords");
        assert_eq!(Description::parse(["x".repeat(2_001)]).unwrap_err().field(), "description");
    }

    #[test]
    fn images_are_https_urls_or_the_stores_converted_media() {
        assert!(ImageUrl::parse("https://cdn.example.com/a.jpg").is_ok());
        assert!(ImageUrl::parse("/media/3f9a0c21b7d4e5f6.webp").is_ok());
        for bad in [
            "http://cdn.example.com/a.jpg",
            "https://",
            "https:///a.jpg",
            "/media/../x.webp",
            "javascript:alert(1)",
        ] {
            assert_eq!(ImageUrl::parse(bad), Err(CatalogError::ImageUrl), "{bad}");
        }
        assert_eq!(CatalogError::ImageUrl.field(), "images");
    }

    #[test]
    fn only_converted_images_pass_as_media_paths() {
        assert!(is_media_path("/media/3f9a0c21b7d4e5f6a7b8c9d0.webp"));
        assert!(!is_media_path("/media/../secrets.webp"));
        assert!(!is_media_path("/media/a.png"));
        assert!(!is_media_path("/media/.webp"));
        assert!(!is_media_path("javascript:alert(1)//media/a.webp"));
        assert!(!is_media_path("/media/A%2F.webp"));
    }

    #[test]
    fn deserialising_checks_the_rules_and_serialising_gives_the_plain_value() {
        let title: ProductTitle = serde_json::from_str("\"Moon Lamp\"").unwrap();
        assert_eq!(serde_json::to_string(&title).unwrap(), "\"Moon Lamp\"");
        let error = serde_json::from_str::<ProductTitle>(&format!("\"{}\"", "x".repeat(121))).unwrap_err();
        assert!(error.to_string().contains("title must be 1 to 120 characters"), "{error}");
        assert!(serde_json::from_str::<Images>("[\"http://a.example/x.jpg\"]").is_err());
        assert_eq!(serde_json::from_str::<ProductStatus>("\"published\"").unwrap(), ProductStatus::Published);
        assert_eq!(serde_json::to_string(&ProductStatus::Draft).unwrap(), "\"draft\"");
        assert!(serde_json::from_str::<ProductStatus>("\"live\"")
            .unwrap_err()
            .to_string()
            .contains("status"));
    }

    #[test]
    fn prices_must_be_positive_with_compare_at_above_and_cost_not_negative() {
        let usd = Currency::Usd;
        assert_eq!(Prices::from_minor(0, None, 0, usd), Err(CatalogError::PriceNotPositive));
        assert_eq!(Prices::from_minor(900, Some(900), 0, usd), Err(CatalogError::CompareAtNotAbovePrice));
        assert_eq!(Prices::from_minor(900, None, -1, usd), Err(CatalogError::NegativeCost));
        let too_large = AMOUNT_MAX_MINOR + 1;
        assert_eq!(
            Prices::from_minor(900, Some(too_large), 0, usd),
            Err(CatalogError::AmountTooLarge { field: "compare_at_minor" })
        );
        assert_eq!(
            Prices::from_minor(too_large, None, 0, usd),
            Err(CatalogError::AmountTooLarge { field: "price_minor" })
        );
        assert!(Prices::from_minor(AMOUNT_MAX_MINOR, None, AMOUNT_MAX_MINOR, usd).is_ok());
        let prices = Prices::from_minor(900, Some(1_200), 300, usd).unwrap();
        assert_eq!(prices.compare_at(), Some(Money::from_minor(1_200, usd)));
        let euros = Prices::new(Money::from_minor(900, usd), None, Money::from_minor(300, Currency::Eur));
        assert_eq!(euros.unwrap_err().field(), "cost_minor");
    }

    #[test]
    fn a_new_product_needs_a_title_and_a_price_and_gets_derived_defaults() {
        let missing = ProductFields::from_patch(ProductPatch::default(), Currency::Usd);
        assert_eq!(missing, Err(CatalogError::Required { field: "title" }));
        let no_price = ProductFields::from_patch(
            ProductPatch { title: Some("Lamp".into()), ..ProductPatch::default() },
            Currency::Usd,
        );
        assert_eq!(no_price.unwrap_err().field(), "price_minor");

        let title = "Moon Night Lamp with a Warm Glow for Bedrooms, Nurseries and Reading Corners";
        let product = ProductFields::from_patch(changes(title, 2_499), Currency::Usd).unwrap();
        assert_eq!(
            product.meta_title.as_str(),
            "Moon Night Lamp with a Warm Glow for Bedrooms, Nurseries and"
        );
        assert_eq!(product.meta_description.as_str(), title);
        assert_eq!(product.status, ProductStatus::Draft);
        assert_eq!(product.prices.cost(), Money::from_minor(0, Currency::Usd));
        assert!(product.description.is_empty() && product.images.is_empty());

        let described =
            ProductPatch { description: Some(vec!["Soft light.".into()]), ..changes(title, 2_499) };
        let product = ProductFields::from_patch(described, Currency::Usd).unwrap();
        assert_eq!(product.meta_description.as_str(), "Soft light.");
    }

    #[test]
    fn a_change_is_judged_with_the_fields_it_leaves_as_they_were() {
        let stored: ProductPatch = ProductFields::from_patch(
            ProductPatch { compare_at_minor: Some(Some(12_000)), ..changes("Rain Jacket", 8_900) },
            Currency::Usd,
        )
        .unwrap()
        .into();
        let cheaper_compare_at =
            ProductPatch { compare_at_minor: Some(Some(5_000)), ..ProductPatch::default() };
        assert_eq!(
            ProductFields::from_patch(cheaper_compare_at.over(stored.clone()), Currency::Usd),
            Err(CatalogError::CompareAtNotAbovePrice)
        );
        let publish = ProductPatch { status: Some("published".into()), ..ProductPatch::default() };
        let product = ProductFields::from_patch(publish.over(stored.clone()), Currency::Usd).unwrap();
        assert_eq!(product.status, ProductStatus::Published);
        assert_eq!(product.title.as_str(), "Rain Jacket");
        assert_eq!(product.prices.compare_at(), Some(Money::from_minor(12_000, Currency::Usd)));
        let cleared = ProductPatch { compare_at_minor: Some(None), ..ProductPatch::default() };
        let product = ProductFields::from_patch(cleared.over(stored), Currency::Usd).unwrap();
        assert_eq!(product.prices.compare_at(), None);
    }

    #[test]
    fn csv_cells_split_lists_and_name_a_bad_number() {
        let row = [
            ("title", "Bamboo Brush"),
            ("price_minor", "1299"),
            ("features", "Soft| Sturdy"),
            ("status", ""),
        ];
        let parsed = ProductPatch::from_csv_cells(row).unwrap();
        assert_eq!(parsed.features, Some(vec!["Soft".to_owned(), "Sturdy".to_owned()]));
        assert_eq!(parsed.price_minor, Some(1_299));
        assert_eq!(parsed.status, None);
        let bad = ProductPatch::from_csv_cells([("price_minor", "free")]).unwrap_err();
        assert_eq!(
            (bad.field(), bad.to_string().as_str()),
            ("price_minor", "price_minor must be a whole number of minor units")
        );
        assert_eq!(ProductPatch::from_csv_cells([("colour", "red")]).unwrap_err().field(), "colour");
        let untitled = ProductPatch::from_csv_cells([("title", ""), ("price_minor", "500")]).unwrap();
        assert_eq!(ProductFields::from_patch(untitled, Currency::Usd).unwrap_err().field(), "title");
    }

    /// Strings that are often near a rule: blanks, control characters, multi-byte letters,
    /// lengths around the limits.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Zé ]{0,130}",
            "[ \t\n\r]{0,4}",
            ".{0,70}",
            (0usize..2_100).prop_map(|n| "ü".repeat(n)),
        ]
    }

    fn revalidates<
        T: Clone + Into<String> + TryFrom<String, Error = CatalogError> + PartialEq + fmt::Debug,
    >(
        value: &T,
    ) {
        let text: String = value.clone().into();
        assert_eq!(T::try_from(text).as_ref(), Ok(value));
    }

    proptest! {
        #[test]
        fn any_text_is_a_valid_field_that_revalidates_or_an_error_naming_that_field(raw in text()) {
            let ok = !raw.trim().is_empty() && !raw.chars().any(|c| c.is_control() && c != '\n');
            let len = raw.chars().count();
            match ProductTitle::parse(raw.as_str()) {
                Ok(v) => { prop_assert!(ok && len <= TITLE_MAX); revalidates(&v) }
                Err(e) => { prop_assert!(!ok || len > TITLE_MAX); prop_assert_eq!(e.field(), "title") }
            }
            match MetaTitle::parse(raw.as_str()) {
                Ok(v) => { prop_assert!(ok && len <= META_TITLE_MAX); revalidates(&v) }
                Err(e) => { prop_assert!(!ok || len > META_TITLE_MAX); prop_assert_eq!(e.field(), "meta_title") }
            }
            match MetaDescription::parse(raw.as_str()) {
                Ok(v) => { prop_assert!(ok && len <= META_DESCRIPTION_MAX); revalidates(&v) }
                Err(e) => prop_assert_eq!(e.field(), "meta_description"),
            }
            match ImageUrl::parse(raw.as_str()) {
                Ok(v) => revalidates(&v),
                Err(e) => prop_assert_eq!(e.field(), "images"),
            }
        }

        #[test]
        fn any_list_is_a_valid_list_that_revalidates_or_an_error_naming_that_field(
            items in proptest::collection::vec(text(), 0..25),
        ) {
            match Keywords::parse(items.clone()) {
                Ok(v) => {
                    prop_assert!(v.len() <= KEYWORDS_MAX);
                    prop_assert_eq!(Keywords::try_from(Vec::<String>::from(v.clone())), Ok(v));
                }
                Err(e) => prop_assert_eq!(e.field(), "keywords"),
            }
            match Description::parse(items) {
                Ok(v) => {
                    let json = serde_json::to_string(&v).unwrap();
                    prop_assert_eq!(serde_json::from_str::<Description>(&json).unwrap(), v);
                }
                Err(e) => prop_assert_eq!(e.field(), "description"),
            }
        }

        #[test]
        fn any_product_checks_to_fields_that_check_again_the_same(
            title in proptest::option::of(text()),
            description in proptest::option::of(proptest::collection::vec(text(), 0..3)),
            meta_title in proptest::option::of(text()),
            price_minor in proptest::option::of(-5i64..5_000),
            compare_at_minor in proptest::option::of(proptest::option::of(-5i64..5_000)),
            cost_minor in proptest::option::of(-5i64..5_000),
            status in proptest::option::of(prop_oneof![Just("published".to_owned()), Just("draft".to_owned()), text()]),
        ) {
            let changes = ProductPatch {
                title, description, meta_title, price_minor, compare_at_minor, cost_minor, status,
                ..ProductPatch::default()
            };
            match ProductFields::from_patch(changes, Currency::Eur) {
                Ok(product) => {
                    let again = ProductFields::from_patch(product.clone().into(), Currency::Eur);
                    prop_assert_eq!(again, Ok(product));
                }
                Err(e) => prop_assert!(
                    ["title", "description", "meta_title", "meta_description", "price_minor", "compare_at_minor", "cost_minor", "status"]
                        .contains(&e.field()),
                    "{e}"
                ),
            }
        }
    }
}
