//! The store's icon: the first letter of its name on the shop's link colour, as SVG, so that
//! every store has one before merchants can upload a logo.

use html::html;

/// The colour of links and buttons in the layout.
const BRAND_COLOUR: &str = "#0b5394";

/// The SVG icon of a store named `store_name`: its first letter or digit, upper-cased, on a
/// rounded square; the square alone when the name has neither.
pub fn favicon(store_name: &str) -> String {
    let initial: String =
        store_name.chars().find(|c| c.is_alphanumeric()).into_iter().flat_map(char::to_uppercase).collect();
    // An SVG file is XML: every element is closed, empty ones too.
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" {
            rect width="64" height="64" rx="12" fill=(BRAND_COLOUR) {}
            @if !initial.is_empty() {
                text x="32" y="33" fill="#fff" font-family="system-ui,sans-serif" font-size="38"
                    font-weight="700" text-anchor="middle" dominant-baseline="central" { (initial) }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_shows_the_first_letter_of_the_store_name_upper_cased() {
        let svg = favicon("cozy Paws");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\">"));
        assert!(svg.contains(">C</text>"));
        assert!(svg.ends_with("</svg>"));
        assert!(favicon("  «élan» shop").contains(">É</text>"));
        assert!(favicon("7 Seas").contains(">7</text>"));
    }

    #[test]
    fn a_name_without_letters_or_digits_gets_the_plain_square() {
        let svg = favicon("<&>");
        assert!(svg.contains("<rect "));
        assert!(!svg.contains("<text"));
        assert!(!svg.contains("&amp;"));
    }

    #[test]
    fn snapshot_of_an_icon() {
        insta::assert_snapshot!("letter", favicon("&rosie's <pets>"));
        insta::assert_snapshot!("square", favicon("<&>"));
    }
}
