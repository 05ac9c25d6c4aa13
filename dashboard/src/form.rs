//! `application/x-www-form-urlencoded` bodies and query strings, as browsers send them.

/// The decoded name/value pairs of a form body or query string, in order.
pub struct Form(Vec<(String, String)>);

impl Form {
    /// Parses `a=1&b=x+y&c=%2F`; pairs that do not decode as UTF-8 are dropped.
    pub fn parse(text: &str) -> Self {
        let decode = |s: &str| urlencoding::decode(&s.replace('+', " ")).ok().map(|c| c.into_owned());
        Form(
            text.split('&')
                .filter(|p| !p.is_empty())
                .filter_map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    Some((decode(name)?, decode(value)?))
                })
                .collect(),
        )
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim()).unwrap_or("")
    }

    /// The first value of `name` as it was sent (passwords keep their spaces).
    pub fn raw(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// Whether the form has a field `name`, even empty.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// Every name and value, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Every value of `name` (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }
}

/// Whether `text` looks like one of the API's ids (a UUID), so it can go into an API path as it is.
pub fn is_id(text: &str) -> bool {
    text.len() == 36 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// Whether `text` looks like a host name (lower-case letters, digits, hyphens and dots), so it
/// can go into an API path as it is.
pub fn is_host(text: &str) -> bool {
    (1..=253).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !text.starts_with('.')
        && !text.contains("..")
}

/// Whether `text` looks like a page's slug (lower-case letters, digits and hyphens, at most 100),
/// so it can go into an API path as it is.
pub fn is_slug(text: &str) -> bool {
    (1..=100).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_body_decodes_plus_and_percent_escapes() {
        let form = Form::parse("email=a%40b.c&name=Cozy+Paws+%26+Co&id=1&id=2&pw=+x+&empty");
        assert_eq!(form.get("email"), "a@b.c");
        assert_eq!(form.get("name"), "Cozy Paws & Co");
        assert_eq!(form.all("id"), vec!["1", "2"]);
        assert_eq!(form.raw("pw"), " x ");
        assert_eq!(form.get("pw"), "x");
        assert_eq!(form.get("empty"), "");
        assert_eq!(form.get("missing"), "");
    }

    #[test]
    fn only_uuids_pass_as_ids() {
        assert!(is_id("0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b"));
        assert!(!is_id("../../v1/members"));
        assert!(!is_id("0190a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5?"));
    }

    #[test]
    fn only_host_names_pass_as_hosts() {
        assert!(is_host("shop.example.com"));
        assert!(is_host("xn--bcher-kva.example"));
        assert!(!is_host("../../v1/members"));
        assert!(!is_host("shop.example.com/verify"));
        assert!(!is_host("Shop.Example.com"));
        assert!(!is_host(""));
        assert!(!is_host(".."));
    }

    #[test]
    fn only_slugs_pass_as_slugs() {
        assert!(is_slug("shipping-and-returns"));
        assert!(!is_slug("../about"));
        assert!(!is_slug("About"));
        assert!(!is_slug(""));
    }
}
