//! robots.txt, as RFC 9309 and Google's documentation describe it.
//!
//! The rules of the groups naming our product token apply; without one, those of `*`; without
//! either, everything is allowed. Among the rules matching a path the longest pattern wins, and
//! on a tie `allow` wins. Patterns may use `*` (any run of characters) and a final `$` (end of
//! the path). What happens when robots.txt cannot be read is decided by [`RobotsRules::for_status`].

/// How much of a robots.txt is read; the rest is ignored (Google reads 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// One `allow` or `disallow` line that applies to our crawler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `allow` rather than `disallow`.
    pub allow: bool,
    /// The path pattern, normalised: starts with `/` or `*`, may end with `$`.
    pub pattern: String,
}

/// The rules of one site that apply to one crawler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotsRules {
    /// Everything may be fetched (no robots.txt, or a 4xx answer).
    AllowAll,
    /// Nothing may be fetched (robots.txt answered 5xx or could not be reached).
    DisallowAll,
    /// The rules of the applicable groups.
    Rules(Vec<Rule>),
}

impl RobotsRules {
    /// What an unreadable robots.txt means: a 3xx (unfollowed redirect) or 4xx status allows
    /// everything; a 5xx status (429 included), like a site that cannot be reached, disallows
    /// everything until it is asked again. `None` for 2xx: parse the body.
    pub fn for_status(status: u16) -> Option<RobotsRules> {
        match status {
            200..=299 => None,
            429 => Some(RobotsRules::DisallowAll),
            // A redirect that led nowhere counts as no robots.txt, as Google treats it.
            300..=499 => Some(RobotsRules::AllowAll),
            _ => Some(RobotsRules::DisallowAll),
        }
    }

    /// Parses `text`, keeping the rules that apply to `product_token` (e.g. `DropshipResearchBot`).
    pub fn parse(text: &str, product_token: &str) -> RobotsRules {
        let token = product_token.to_ascii_lowercase();
        let mut groups: Vec<(Vec<String>, Vec<Rule>)> = Vec::new();
        let mut last_was_agent = false;
        let text = truncate_at_boundary(text, MAX_ROBOTS_BYTES);
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "user-agent" | "useragent" | "user agent" => {
                    if !last_was_agent || groups.is_empty() {
                        groups.push((Vec::new(), Vec::new()));
                    }
                    let agent = value.split(['/', ' ']).next().unwrap_or("").to_ascii_lowercase();
                    if let Some(group) = groups.last_mut() {
                        group.0.push(agent);
                    }
                    last_was_agent = true;
                }
                key @ ("allow" | "disallow" | "dissallow" | "dissalow" | "disalow" | "diasllow") => {
                    last_was_agent = false;
                    // Rules before any user-agent line belong to no group; empty patterns say
                    // nothing.
                    let Some(group) = groups.last_mut() else { continue };
                    if value.is_empty() {
                        continue;
                    }
                    let pattern = if value.starts_with('/') || value.starts_with('*') {
                        normalize(value)
                    } else {
                        format!("/{}", normalize(value))
                    };
                    group.1.push(Rule { allow: key == "allow", pattern });
                }
                // Sitemap, crawl-delay and unknown lines neither start nor end a group.
                _ => {}
            }
        }
        let rules_for = |agent: &str| -> Option<Vec<Rule>> {
            let mut matched = false;
            let mut rules = Vec::new();
            for (agents, group_rules) in &groups {
                if agents.iter().any(|a| a == agent) {
                    matched = true;
                    rules.extend(group_rules.iter().cloned());
                }
            }
            matched.then_some(rules)
        };
        match rules_for(&token).or_else(|| rules_for("*")) {
            Some(rules) => RobotsRules::Rules(rules),
            None => RobotsRules::AllowAll,
        }
    }

    /// Whether `path` (the URL's path and query, e.g. `/products/a?variant=1`) may be fetched.
    pub fn is_allowed(&self, path: &str) -> bool {
        let rules = match self {
            RobotsRules::AllowAll => return true,
            RobotsRules::DisallowAll => return path == "/robots.txt",
            RobotsRules::Rules(rules) => rules,
        };
        if path == "/robots.txt" {
            return true;
        }
        let path = normalize(path);
        let mut best: Option<(usize, bool)> = None;
        for rule in rules {
            if !matches(&rule.pattern, &path) {
                continue;
            }
            let length = rule.pattern.len();
            best = match best {
                Some((best_length, best_allow))
                    if best_length > length || (best_length == length && best_allow) =>
                {
                    Some((best_length, best_allow))
                }
                _ => Some((length, rule.allow)),
            };
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Percent-encodes what is not printable ASCII and upper-cases existing escapes, so that a
/// pattern and a path spelled differently compare equal.
fn normalize(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            out.push('%');
            out.push(bytes[i + 1].to_ascii_uppercase() as char);
            out.push(bytes[i + 2].to_ascii_uppercase() as char);
            i += 3;
            continue;
        }
        if b.is_ascii_graphic() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    out
}

/// Whether `pattern` (with `*` and a final `$`) matches the start of `path`, or all of it when
/// anchored. Greedy matching with one backtrack point per `*`: linear in practice, quadratic at
/// worst, never exponential.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let p = pattern.as_bytes();
    let s = path.as_bytes();
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi == p.len() {
            if !anchored || si == s.len() {
                return true;
            }
        } else if p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
            continue;
        } else if si < s.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
            continue;
        }
        // Mismatch (or an anchored pattern ending early): let the last `*` take one more byte.
        match star {
            Some((star_pi, star_si)) if star_si < s.len() => {
                star = Some((star_pi, star_si + 1));
                pi = star_pi + 1;
                si = star_si + 1;
            }
            _ => return false,
        }
    }
}

fn truncate_at_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BOT: &str = "DropshipResearchBot";

    #[test]
    fn the_longest_matching_rule_wins() {
        let rules = RobotsRules::parse("User-agent: *\nDisallow: /shop\nAllow: /shop/products\n", BOT);
        assert!(!rules.is_allowed("/shop/cart"));
        assert!(rules.is_allowed("/shop/products/a"));
        assert!(rules.is_allowed("/about"));
    }

    #[test]
    fn allow_wins_a_tie_between_equally_long_rules() {
        let rules = RobotsRules::parse("user-agent: *\ndisallow: /page\nallow: /page\n", BOT);
        assert!(rules.is_allowed("/page"));
    }

    #[test]
    fn a_group_naming_the_bot_replaces_the_star_group() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: dropshipresearchbot\nDisallow: /private\n";
        let rules = RobotsRules::parse(text, BOT);
        assert!(rules.is_allowed("/products/a"));
        assert!(!rules.is_allowed("/private/x"));
    }

    #[test]
    fn consecutive_user_agent_lines_share_one_group_and_groups_for_the_bot_are_merged() {
        let text = "User-agent: OtherBot\nUser-agent: DropshipResearchBot/0.1\nDisallow: /a\n\n\
                    User-agent: Googlebot\nDisallow: /b\n\nUser-agent: DropshipResearchBot\nDisallow: /c\n";
        let rules = RobotsRules::parse(text, BOT);
        assert!(!rules.is_allowed("/a"));
        assert!(rules.is_allowed("/b"));
        assert!(!rules.is_allowed("/c/d"));
    }

    #[test]
    fn a_file_without_a_matching_group_allows_everything() {
        let rules = RobotsRules::parse("User-agent: Googlebot\nDisallow: /\n", BOT);
        assert_eq!(rules, RobotsRules::AllowAll);
        assert!(rules.is_allowed("/anything"));
    }

    #[test]
    fn wildcards_and_end_anchors_match_as_google_documents() {
        let rules = RobotsRules::parse(
            "User-agent: *\nDisallow: /*.json$\nDisallow: /search*q=\nDisallow: /fish*\nAllow: /fish/ok$\n",
            BOT,
        );
        assert!(!rules.is_allowed("/products/a.json"));
        assert!(rules.is_allowed("/products/a.json?x=1"));
        assert!(!rules.is_allowed("/search?page=2&q=lamp"));
        assert!(rules.is_allowed("/search?page=2"));
        assert!(!rules.is_allowed("/fish.html"));
        assert!(!rules.is_allowed("/fish/salmon"));
        assert!(rules.is_allowed("/fish/ok"));
        assert!(!rules.is_allowed("/fish/ok/not"));
        assert!(rules.is_allowed("/Fish.html"), "paths are case-sensitive");
    }

    #[test]
    fn empty_disallow_comments_and_unknown_lines_say_nothing() {
        let text =
            "# hello\nUser-agent: * # everyone\nCrawl-delay: 10\nDisallow:\nSitemap: https://x/s.xml\n";
        assert!(RobotsRules::parse(text, BOT).is_allowed("/"));
    }

    #[test]
    fn rules_before_any_user_agent_line_are_ignored() {
        assert!(RobotsRules::parse("Disallow: /\n", BOT).is_allowed("/a"));
    }

    #[test]
    fn percent_encoding_and_non_ascii_paths_compare_equal() {
        let rules = RobotsRules::parse("User-agent: *\nDisallow: /caf%c3%a9\nDisallow: /ツ\n", BOT);
        assert!(!rules.is_allowed("/caf%C3%A9/menu"));
        assert!(!rules.is_allowed("/%E3%83%84"));
    }

    #[test]
    fn robots_txt_itself_is_always_allowed() {
        assert!(RobotsRules::DisallowAll.is_allowed("/robots.txt"));
        assert!(!RobotsRules::DisallowAll.is_allowed("/"));
        assert!(RobotsRules::parse("User-agent: *\nDisallow: /\n", BOT).is_allowed("/robots.txt"));
    }

    #[test]
    fn unreadable_robots_txt_allows_on_4xx_and_disallows_on_5xx() {
        assert_eq!(RobotsRules::for_status(404), Some(RobotsRules::AllowAll));
        assert_eq!(RobotsRules::for_status(403), Some(RobotsRules::AllowAll));
        assert_eq!(RobotsRules::for_status(429), Some(RobotsRules::DisallowAll));
        assert_eq!(RobotsRules::for_status(503), Some(RobotsRules::DisallowAll));
        assert_eq!(RobotsRules::for_status(200), None);
    }

    #[test]
    fn many_stars_do_not_blow_up_matching() {
        let pattern = format!("/{}", "*a".repeat(200));
        let path = format!("/{}", "a".repeat(5_000));
        assert!(matches(&pattern, &path));
        assert!(!matches(&format!("{pattern}b$"), &path));
    }

    proptest! {
        #[test]
        fn a_pattern_without_wildcards_matches_exactly_the_paths_it_prefixes(
            pattern in "/[a-c/]{0,6}",
            path in "/[a-c/]{0,8}",
        ) {
            prop_assert_eq!(matches(&pattern, &path), path.starts_with(&pattern));
            prop_assert_eq!(matches(&format!("{pattern}$"), &path), path == pattern);
        }

        #[test]
        fn any_robots_txt_parses_and_answers_without_panicking(text in "[ -~\n\u{e9}\u{30c4}]{0,400}", path in "/[ -~]{0,40}") {
            let rules = RobotsRules::parse(&text, BOT);
            let _ = rules.is_allowed(&path);
        }
    }
}
