//! Shopper search: the query as typed, bounded and tidied.

/// Longest query searched; longer input is cut, not refused.
pub const QUERY_MAX_CHARS: usize = 100;

/// A search query: control characters dropped, whitespace runs collapsed to one space, trimmed
/// and at most [`QUERY_MAX_CHARS`] characters. It may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery(String);

impl SearchQuery {
    /// Tidies the raw `q` parameter.
    pub fn parse(raw: &str) -> Self {
        let words = raw.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty());
        let mut query = String::new();
        for word in words {
            if !query.is_empty() {
                query.push(' ');
            }
            query.push_str(word);
        }
        let bounded: String = query.chars().take(QUERY_MAX_CHARS).collect();
        Self(bounded.trim_end().to_owned())
    }

    /// The query text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether there is nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_trimmed_and_whitespace_is_collapsed() {
        assert_eq!(SearchQuery::parse("  slicker \t\n brush ").as_str(), "slicker brush");
        assert_eq!(SearchQuery::parse("dog\u{0}bowl").as_str(), "dog bowl");
        assert!(SearchQuery::parse(" \n ").is_empty());
    }

    #[test]
    fn long_queries_are_cut_to_the_maximum_length() {
        let query = SearchQuery::parse(&"é".repeat(QUERY_MAX_CHARS * 3));
        assert_eq!(query.as_str().chars().count(), QUERY_MAX_CHARS);
        let with_space_at_the_cut = format!("{} b", "a".repeat(QUERY_MAX_CHARS - 1));
        assert_eq!(SearchQuery::parse(&with_space_at_the_cut).as_str(), "a".repeat(QUERY_MAX_CHARS - 1));
    }
}
