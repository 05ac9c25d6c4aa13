//! A new store's launch: the collections its first imports are grouped into.
//!
//! Creating a store starts a research run sized by the plan
//! ([`crate::plans::PlanLimits::launch_imports`]); once that run's imports are in the store, its
//! products are grouped by their suppliers' categories into collections a shopper can browse.

use crate::content::slugify;

/// Most collections a launch makes: a menu longer than this stops helping.
pub const LAUNCH_COLLECTIONS_MAX: usize = 8;
/// Fewest products a category needs to become a collection: one product is not a collection.
pub const COLLECTION_PRODUCTS_MIN: usize = 2;
/// Longest collection title kept (the merchant API's limit for collection titles).
const TITLE_MAX: usize = 120;

/// A collection to make from a category, with the indexes of its products in the list given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCollection {
    /// The category as the first of its products names it, spaces collapsed.
    pub title: String,
    /// The collection's URL slug; never `all`, which is every store's page of all products.
    pub slug: String,
    /// Indexes into the categories given, in their order.
    pub members: Vec<usize>,
}

/// Groups products by category, ignoring case and spacing, into at most
/// [`LAUNCH_COLLECTIONS_MAX`] collections of at least [`COLLECTION_PRODUCTS_MIN`] products each,
/// the largest first (ties by title). Products without a category join none.
pub fn collections_from_categories(categories: &[Option<&str>]) -> Vec<CategoryCollection> {
    let mut groups: Vec<(String, CategoryCollection)> = Vec::new();
    for (index, category) in categories.iter().enumerate() {
        let Some(title) = category.map(|c| c.split_whitespace().collect::<Vec<_>>().join(" ")) else {
            continue;
        };
        let title: String = title.chars().take(TITLE_MAX).collect();
        if title.is_empty() {
            continue;
        }
        let key = title.to_lowercase();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.members.push(index),
            None => {
                let slug = match slugify(&title) {
                    s if s == "all" => "all-categories".to_owned(),
                    s => s,
                };
                groups.push((key, CategoryCollection { title, slug, members: vec![index] }));
            }
        }
    }
    let mut collections: Vec<CategoryCollection> =
        groups.into_iter().map(|(_, g)| g).filter(|g| g.members.len() >= COLLECTION_PRODUCTS_MIN).collect();
    collections.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then_with(|| a.title.cmp(&b.title)));
    // Two titles may make one slug ("Tents / Tarps", "Tents, Tarps"): the larger keeps it.
    let mut slugs = Vec::new();
    collections.retain(|c| {
        let fresh = !slugs.contains(&c.slug);
        slugs.push(c.slug.clone());
        fresh
    });
    collections.truncate(LAUNCH_COLLECTIONS_MAX);
    collections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_are_grouped_by_category_largest_first() {
        let made = collections_from_categories(&[
            Some("Tents"),
            Some("Lighting"),
            Some(" tents "),
            None,
            Some("Lighting"),
            Some("TENTS"),
            Some("Stoves"),
        ]);
        let view: Vec<_> =
            made.iter().map(|c| (c.title.as_str(), c.slug.as_str(), c.members.clone())).collect();
        assert_eq!(view, vec![("Tents", "tents", vec![0, 2, 5]), ("Lighting", "lighting", vec![1, 4])]);
    }

    #[test]
    fn a_category_named_all_does_not_take_the_all_products_page() {
        let made = collections_from_categories(&[Some("All"), Some("all")]);
        assert_eq!(made[0].slug, "all-categories");
    }

    #[test]
    fn at_most_eight_collections_and_one_per_slug() {
        let names: Vec<String> = (0..20).map(|i| format!("Category {i:02}")).collect();
        let mut categories: Vec<Option<&str>> = names.iter().flat_map(|n| [Some(n.as_str()); 2]).collect();
        categories.extend([Some("Tents / Tarps"); 4]);
        categories.extend([Some("Tents, Tarps"); 3]);
        let made = collections_from_categories(&categories);
        assert_eq!(made.len(), LAUNCH_COLLECTIONS_MAX);
        let tents: Vec<_> = made.iter().filter(|c| c.slug == "tents-tarps").collect();
        assert_eq!((tents.len(), tents[0].title.as_str()), (1, "Tents / Tarps"));
    }
}
