//! The store's look: one of three themes, coloured with the merchant's brand colour, with text
//! colours chosen so that every pairing keeps WCAG AA contrast whatever colour was picked.

use std::fmt::Write;

/// A theme a merchant can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Clean cards on white, brand-coloured buttons.
    Classic,
    /// A brand-coloured hero band and heavy type.
    Bold,
    /// Serif headings, no borders, lots of air.
    Minimal,
}

impl Theme {
    /// The theme of a setting; anything unknown is classic.
    pub fn parse(name: &str) -> Self {
        match name {
            "bold" => Theme::Bold,
            "minimal" => Theme::Minimal,
            _ => Theme::Classic,
        }
    }

    /// Its name, as a class on `<body>`.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Classic => "classic",
            Theme::Bold => "bold",
            Theme::Minimal => "minimal",
        }
    }
}

/// How a store's pages look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Look {
    /// The theme.
    pub theme: Theme,
    /// The brand colour, `#rrggbb` (validated; a default otherwise).
    pub brand: (u8, u8, u8),
    /// The logo's URL, if any (`https:`, or a `/media/` path).
    pub logo: Option<String>,
}

impl Default for Look {
    fn default() -> Self {
        Self { theme: Theme::Classic, brand: (0x1d, 0x4e, 0xd8), logo: None }
    }
}

impl Look {
    /// The look of the store's settings; unusable values fall back to the defaults.
    pub fn from_settings(theme: &str, brand_color: &str, logo_url: Option<&str>) -> Self {
        let brand = parse_hex(brand_color).unwrap_or(Look::default().brand);
        let logo = logo_url
            .map(str::trim)
            .filter(|u| {
                u.starts_with("https://") || u.starts_with("/media/") || u.starts_with("http://127.0.0.1")
            })
            .map(str::to_owned);
        Self { theme: Theme::parse(theme), brand, logo }
    }

    /// The CSS custom properties and theme rules of the page.
    pub fn css(&self) -> String {
        let brand = hex(self.brand);
        // Text on a brand-coloured background: black or white, whichever contrasts more.
        let on_brand = if contrast(self.brand, (0, 0, 0)) >= contrast(self.brand, (255, 255, 255)) {
            "#000"
        } else {
            "#fff"
        };
        // Links on white use the brand colour only when it is readable there.
        let link =
            if contrast(self.brand, (255, 255, 255)) >= 4.5 { brand.clone() } else { "#0b5394".to_owned() };
        let mut css = String::new();
        let _ = write!(css, ":root{{--brand:{brand};--on-brand:{on_brand};--link:{link}}}");
        css.push_str(match self.theme {
            Theme::Classic => ".card{border:1px solid #ddd;border-radius:6px;padding:.5rem}.hero{padding:2rem 0}",
            Theme::Bold => "h1,h2{font-weight:900;letter-spacing:-.02em}.hero{background:var(--brand);color:var(--on-brand);padding:3rem 1.5rem;border-radius:12px}\
                .hero a{color:var(--on-brand)}.card{border-radius:12px;box-shadow:0 1px 4px #0003;padding:.5rem}button,.button{border-radius:999px}",
            Theme::Minimal => "h1,h2,h3{font-family:Georgia,serif;font-weight:400}.hero{padding:3rem 0;text-align:center}\
                a{text-decoration-thickness:1px}.card{padding:.25rem 0}button,.button{border-radius:0}",
        });
        css
    }
}

fn parse_hex(text: &str) -> Option<(u8, u8, u8)> {
    let digits = text.trim().strip_prefix('#')?;
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// The WCAG contrast ratio of two colours (1 to 21).
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_settings_fall_back_to_the_classic_blue_look() {
        let look = Look::from_settings("neon", "red", Some("javascript:alert(1)"));
        assert_eq!(look, Look::default());
    }

    #[test]
    fn every_brand_colour_gets_readable_text_on_it_and_readable_links() {
        for brand in ["#ffff00", "#000000", "#777777", "#1d4ed8", "#ff6600", "#00ff00"] {
            let look = Look::from_settings("bold", brand, None);
            let css = look.css();
            let on = if css.contains("--on-brand:#000") { (0, 0, 0) } else { (255, 255, 255) };
            assert!(contrast(look.brand, on) >= 4.5, "{brand}");
            let link = css.split("--link:").nth(1).unwrap()[..7].to_owned();
            assert!(contrast(parse_hex(&link).unwrap(), (255, 255, 255)) >= 4.5, "{brand} link {link}");
        }
    }

    #[test]
    fn each_theme_has_its_own_rules() {
        let css = |t| Look { theme: t, ..Look::default() }.css();
        assert!(css(Theme::Bold).contains("font-weight:900"));
        assert!(css(Theme::Minimal).contains("Georgia"));
        assert!(css(Theme::Classic).contains("border:1px solid #ddd"));
    }
}
