//! robots.txt, as RFC 9309 and Google's documentation describe it.
//!
//! Lines are read by the `robotstxt` crate, a port of Google's reference parser (the one RFC 9309
//! was written from): its grammar of keys (with the common typos), separators, comments, line
//! endings and pattern escaping. Grouping follows Google's matcher, and the
//! tests hold the whole to the port's matcher. Pattern matching stays here: the port's is
//! quadratic, and wrong after a `*` (`/*ab` does not match `/aab` there, as the tests show).
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
        let mut groups = Groups { token: product_token, ..Groups::default() };
        let text = truncate_at_boundary(text, MAX_ROBOTS_BYTES);
        // The parser means to skip a byte order mark, but compares characters with its bytes.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        robotstxt::parse_robotstxt(&cap_lines(text), &mut groups);
        if groups.ever_specific {
            RobotsRules::Rules(groups.specific)
        } else if groups.ever_global {
            RobotsRules::Rules(groups.global)
        } else {
            RobotsRules::AllowAll
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

/// The rules of the groups for our product token (`specific`) and for `*` (`global`), collected
/// as Google's matcher collects them: consecutive `user-agent` lines open one group, any other
/// line ends its list of agents, and rules before any `user-agent` line belong to no group.
#[derive(Default)]
struct Groups<'a> {
    token: &'a str,
    in_specific: bool,
    in_global: bool,
    ever_specific: bool,
    ever_global: bool,
    /// A line other than `user-agent` was read since the last `user-agent` line.
    separated: bool,
    specific: Vec<Rule>,
    global: Vec<Rule>,
}

impl Groups<'_> {
    fn rule(&mut self, allow: bool, value: &str) {
        if !(self.in_specific || self.in_global) {
            return;
        }
        self.separated = true;
        // Empty patterns say nothing.
        if value.is_empty() {
            return;
        }
        let pattern = if value.starts_with('/') || value.starts_with('*') {
            normalize(value)
        } else {
            format!("/{}", normalize(value))
        };
        let rules = if self.in_specific { &mut self.specific } else { &mut self.global };
        rules.push(Rule { allow, pattern });
    }
}

impl robotstxt::RobotsParseHandler for Groups<'_> {
    fn handle_robots_start(&mut self) {}

    fn handle_robots_end(&mut self) {}

    fn handle_user_agent(&mut self, _line: u32, agent: &str) {
        if std::mem::take(&mut self.separated) {
            self.in_specific = false;
            self.in_global = false;
        }
        // `*`, alone or followed by blanks and more, is the global group.
        if agent
            .strip_prefix('*')
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            self.in_global = true;
            self.ever_global = true;
            return;
        }
        // The product token: letters, `-` and `_`, up to a version (`Bot/1.0`) or anything else.
        let end =
            agent.find(|c: char| !(c.is_ascii_alphabetic() || c == '-' || c == '_')).unwrap_or(agent.len());
        if agent[..end].eq_ignore_ascii_case(self.token) {
            self.in_specific = true;
            self.ever_specific = true;
        }
    }

    fn handle_allow(&mut self, _line: u32, value: &str) {
        self.rule(true, value);
    }

    fn handle_disallow(&mut self, _line: u32, value: &str) {
        self.rule(false, value);
    }

    fn handle_sitemap(&mut self, _line: u32, _value: &str) {
        self.separated = true;
    }

    fn handle_unknown_action(&mut self, _line: u32, _action: &str, _value: &str) {
        self.separated = true;
    }
}

/// The longest line handed to the parser, in bytes. The parser ignores the rest of longer lines
/// itself, but counts what it skips in characters, not bytes, so a long line of non-ASCII text
/// would throw its reading of the following lines off (or make it panic on a character
/// boundary); lines are cut here, at a character boundary, below its own limit (2,083 × 8).
const MAX_LINE_BYTES: usize = 16_000;

/// `text` with every line cut to [`MAX_LINE_BYTES`].
fn cap_lines(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.split(['\n', '\r']).any(|line| line.len() > MAX_LINE_BYTES) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        out.push_str(truncate_at_boundary(&rest[..line_end], MAX_LINE_BYTES));
        let ending = rest[line_end..].chars().next().map_or(0, char::len_utf8);
        out.push_str(&rest[line_end..line_end + ending]);
        rest = &rest[line_end + ending..];
    }
    out.into()
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

    #[test]
    fn a_long_line_of_non_ascii_text_does_not_hide_the_lines_after_it() {
        let text = format!("User-agent: *\nAllow: /{}\nDisallow: /private\n", "é".repeat(20_000));
        let rules = RobotsRules::parse(&text, BOT);
        assert!(!rules.is_allowed("/private/x"));
        assert!(rules.is_allowed("/public"));
    }

    #[test]
    fn keys_with_typos_or_a_blank_for_a_colon_and_a_byte_order_mark_are_read_as_google_reads_them() {
        let text = "\u{feff}User-agent: *\r\nDisalow: /a\r\nDisallow /b\rUseragent: other\n";
        let rules = RobotsRules::parse(text, BOT);
        assert!(!rules.is_allowed("/a"));
        assert!(!rules.is_allowed("/b"));
        assert!(rules.is_allowed("/c"));
    }

    #[test]
    fn an_unknown_line_ends_a_list_of_user_agents_as_in_googles_matcher() {
        let text = "User-agent: DropshipResearchBot\nCrawl-delay: 5\nUser-agent: Googlebot\nDisallow: /\n";
        let rules = RobotsRules::parse(text, BOT);
        assert_eq!(rules, RobotsRules::Rules(vec![]));
        assert!(rules.is_allowed("/a"));
    }

    /// The obvious exponential matcher: `*` takes any run, a final `$` the end of the path.
    fn backtracking(pattern: &[u8], path: &[u8]) -> bool {
        match pattern {
            [] => true,
            [b'$'] => path.is_empty(),
            [b'*', rest @ ..] => (0..=path.len()).any(|skip| backtracking(rest, &path[skip..])),
            [c, rest @ ..] => path.first() == Some(c) && backtracking(rest, &path[1..]),
        }
    }

    #[test]
    fn the_ports_matcher_misses_a_match_after_a_star_and_ours_does_not() {
        use robotstxt::matcher::{LongestMatchRobotsMatchStrategy, RobotsMatchStrategy};
        assert!(!LongestMatchRobotsMatchStrategy::matches("/aab", "/*ab"));
        assert!(matches("/*ab", "/aab"));
        assert!(!RobotsRules::parse("User-agent: *\nDisallow: /*ab\n", BOT).is_allowed("/aab"));
    }

    /// Lines of a robots.txt built from the parts whose meaning both readers share.
    fn robots_line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("User-agent: *".to_owned()),
            Just("User-agent: DropshipResearchBot".to_owned()),
            Just("user-agent: dropshipresearchbot/2.0".to_owned()),
            Just("User-agent: OtherBot".to_owned()),
            // No `*`: the port's matcher is wrong after one (see above).
            "/[ab]{0,4}\\$?".prop_map(|p| format!("Allow: {p}")),
            "/[ab]{0,4}\\$?".prop_map(|p| format!("Disallow: {p}")),
            Just("Disallow:".to_owned()),
            Just("Sitemap: https://shop.example/sitemap.xml".to_owned()),
            Just("Crawl-delay: 2".to_owned()),
            Just("# comment".to_owned()),
            Just(String::new()),
        ]
    }

    proptest! {
        #[test]
        fn patterns_match_as_a_plain_backtracking_matcher_says(pattern in "[/ab*$]{0,8}", path in "/[ab/]{0,10}") {
            prop_assert_eq!(matches(&pattern, &path), backtracking(pattern.as_bytes(), path.as_bytes()));
        }

        #[test]
        fn a_robots_txt_allows_what_the_reference_matcher_allows(
            lines in proptest::collection::vec(robots_line(), 0..12),
            path in "/[ab]{0,5}",
        ) {
            let text = lines.join("\n");
            let url = format!("https://shop.example{path}");
            let reference = robotstxt::DefaultMatcher::default().one_agent_allowed_by_robots(&text, BOT, &url);
            prop_assert_eq!(RobotsRules::parse(&text, BOT).is_allowed(&path), reference, "{}", text);
        }

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
