//! The store's look: one of three themes that differ in layout and type (a clean grid, a bold
//! editorial one with large imagery, a compact catalog), coloured with the merchant's brand
//! colour, with text colours chosen so that every pairing keeps WCAG AA contrast whatever colour
//! was picked, set in one of a few font stacks of the visitor's own fonts or in one of two fonts
//! the shop serves itself.

use std::fmt::Write;
use tenancy::routing::{MenuLink, StoreLook};

/// A theme a merchant can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// A clean grid: bordered cards, four to a row on wide screens, a banner with a text panel.
    Classic,
    /// Editorial: a full-width banner, large portrait images three to a row, heavy upper-case type.
    Bold,
    /// A compact catalog: small type, six products to a row on wide screens, a short banner.
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

    /// The `sizes` of its home page banner: within the page's width, the full window, or half of
    /// a wide one.
    pub fn hero_sizes(self) -> &'static str {
        match self {
            Theme::Classic => "(min-width: 75rem) 73rem, calc(100vw - 2rem)",
            Theme::Bold => "100vw",
            Theme::Minimal => {
                "(min-width: 75rem) 36.5rem, (min-width: 48rem) calc(50vw - 1rem), calc(100vw - 2rem)"
            }
        }
    }

    /// Its rules: layout variables and what it arranges differently.
    fn css(self) -> &'static str {
        match self {
            Theme::Classic => CLASSIC,
            Theme::Bold => BOLD,
            Theme::Minimal => MINIMAL,
        }
    }
}

/// A clean grid.
const CLASSIC: &str = ":root{--cols:4;--card-ratio:1;--hero-ratio:16/7;--hero-size:3rem;--radius:8px;--pill:6px;--gal:1.1fr}\
.card{border:1px solid #ddd;border-radius:8px;overflow:hidden;padding-bottom:.75rem}.card .t,.card>*{margin-inline:.75rem}.card>a{margin:0}\
@media(min-width:48rem){img+.txt{position:absolute;left:2rem;bottom:2rem;max-width:30rem;border-radius:8px}}";

/// Editorial: big type, full-bleed banner, portrait images.
const BOLD: &str = ":root{--cols:3;--card-ratio:4/5;--hero-ratio:4/5;--hero-size:5.5rem;--radius:0;--pill:2rem;--gal:1.4fr}\
body{overflow-x:clip}h1,h2,.brand,.menu,.t{text-transform:uppercase;letter-spacing:.04em}h1,h2{font-weight:900}\
header .wrap{justify-content:center}.brand{flex-basis:100%;justify-content:center;font-size:2rem;font-weight:900}.cart{margin:0}\
.menu{font-size:.875rem;font-weight:700}.menu ul{width:max-content;margin:auto}\
.hero{margin-inline:calc(50% - 50vw)}.txt{text-align:center}.t{font-size:.875rem;font-weight:700}button,.button{border-radius:2rem}\
@media(min-width:48rem){:root{--hero-ratio:21/9}img+.txt{position:absolute;inset:auto 0 0;background:linear-gradient(#0000,#000c);color:#fff}\
img+.txt .button{background:#fff;color:#000}ul.grid{gap:2.5rem 1.5rem}}";

/// A compact catalog: dense rows, small type.
const MINIMAL: &str = ":root{--cols:6;--card-ratio:1;--hero-ratio:3/1;--hero-size:2.25rem;--radius:0;--pill:0;--gal:1fr}\
body{font-size:.9375rem}h1{font-size:1.75rem}h2{font-size:1.25rem}@media(min-width:48rem){.menu{order:0;flex:0 1 auto}header .search{flex:1}}\
.brand{font-size:1.1rem}.t{font-size:.875rem}\
.hero{display:grid}@media(min-width:48rem){.hero{grid-template-columns:1fr 1fr;align-items:center}.hero img{order:1}}";

/// A font stack of the visitor's own fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    /// The platform's interface font.
    System,
    /// Humanist sans-serif (Seravek, Gill Sans, Ubuntu, Calibri).
    Humanist,
    /// Transitional serif (Charter, Cambria, Georgia).
    Serif,
    /// Rounded sans-serif (SF Pro Rounded, Quicksand).
    Rounded,
    /// Inter, served by the shop itself.
    Inter,
    /// Lora, a serif served by the shop itself.
    Lora,
}

impl Font {
    /// The font of a setting; anything unknown is the system font.
    pub fn parse(name: &str) -> Self {
        match name {
            "humanist" => Font::Humanist,
            "serif" => Font::Serif,
            "rounded" => Font::Rounded,
            "inter" => Font::Inter,
            "lora" => Font::Lora,
            _ => Font::System,
        }
    }

    /// Its `font-family` value.
    pub fn stack(self) -> &'static str {
        match self {
            Font::System => "system-ui,sans-serif",
            Font::Humanist => "Seravek,'Gill Sans Nova',Ubuntu,Calibri,sans-serif",
            Font::Serif => "Charter,'Bitstream Charter',Cambria,Georgia,serif",
            Font::Rounded => "ui-rounded,'SF Pro Rounded',Quicksand,Comfortaa,'Arial Rounded MT',sans-serif",
            Font::Inter => "Inter,system-ui,sans-serif",
            Font::Lora => "Lora,Charter,Cambria,Georgia,serif",
        }
    }

    /// The files of a font the shop serves itself (`storefront-worker/fonts/`, served at
    /// `/fonts/` as static assets): regular and bold, latin. Empty for the visitor's own fonts.
    pub fn files(self) -> &'static [(&'static str, u16)] {
        match self {
            Font::Inter => {
                &[("/fonts/inter-5.3.0-latin-400.woff2", 400), ("/fonts/inter-5.3.0-latin-700.woff2", 700)]
            }
            Font::Lora => {
                &[("/fonts/lora-5.3.0-latin-400.woff2", 400), ("/fonts/lora-5.3.0-latin-700.woff2", 700)]
            }
            _ => &[],
        }
    }

    /// The `@font-face` rules of a font the shop serves. `font-display: swap`: text shows at once
    /// in the fallback and takes the font when it arrives; the page preloads the regular weight, so
    /// it is usually there before the first paint.
    fn faces(self) -> String {
        let family = if self == Font::Inter { "Inter" } else { "Lora" };
        self.files()
            .iter()
            .map(|(url, weight)| {
                format!("@font-face{{font-family:{family};src:url({url}) format('woff2');font-weight:{weight};font-display:swap}}")
            })
            .collect()
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
    /// The font stack.
    pub font: Font,
    /// The home page banner's URL, if any (as the logo's).
    pub hero: Option<String>,
    /// The announcement bar's text; empty for none.
    pub announcement: String,
    /// The header menu's collections, in the merchant's order, as the routing record holds them
    /// ([`MenuLink::entry`]; read with [`Look::menu_items`]).
    pub menu: Vec<String>,
}

impl Default for Look {
    fn default() -> Self {
        Self {
            theme: Theme::Classic,
            brand: (0x1d, 0x4e, 0xd8),
            logo: None,
            font: Font::System,
            hero: None,
            announcement: String::new(),
            menu: Vec::new(),
        }
    }
}

/// An image URL a page may show: `https:`, a `/media/` path, or the local stack's (`http:` on
/// 127.0.0.1 or a `.localhost` host, which only ever name this machine).
fn image_url(url: Option<&str>) -> Option<String> {
    let local = |u: &str| {
        u.strip_prefix("http://")
            .and_then(|rest| rest.split(['/', ':']).next())
            .is_some_and(|host| host == "127.0.0.1" || host.ends_with(".localhost"))
    };
    url.map(str::trim)
        .filter(|u| u.starts_with("https://") || u.starts_with("/media/") || local(u))
        .map(str::to_owned)
}

impl Look {
    /// The look of the store's settings; unusable values fall back to the defaults.
    pub fn from_settings(settings: &StoreLook) -> Self {
        Self {
            theme: Theme::parse(&settings.theme),
            brand: parse_hex(&settings.brand_color).unwrap_or(Look::default().brand),
            logo: image_url(settings.logo_url.as_deref()),
            font: Font::parse(&settings.font),
            hero: image_url(settings.hero_image_url.as_deref()),
            announcement: settings.announcement.trim().to_owned(),
            menu: settings.menu.clone(),
        }
    }

    /// The slug and title of each collection of the menu, in order.
    pub fn menu_items(&self) -> impl Iterator<Item = (&str, &str)> {
        self.menu.iter().filter_map(|entry| MenuLink::parse(entry))
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
        let mut css = self.font.faces();
        let _ = write!(
            css,
            ":root{{--brand:{brand};--on-brand:{on_brand};--link:{link};--font:{}}}",
            self.font.stack()
        );
        css.push_str(self.theme.css());
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
        let settings = StoreLook {
            theme: "neon".into(),
            brand_color: "red".into(),
            logo_url: Some("javascript:alert(1)".into()),
            font: "comic".into(),
            hero_image_url: Some("data:image/png,x".into()),
            ..StoreLook::default()
        };
        assert_eq!(Look::from_settings(&settings), Look::default());
    }

    #[test]
    fn every_brand_colour_gets_readable_text_on_it_and_readable_links() {
        for brand in ["#ffff00", "#000000", "#777777", "#1d4ed8", "#ff6600", "#00ff00"] {
            let look = Look { theme: Theme::Bold, brand: parse_hex(brand).unwrap(), ..Look::default() };
            let css = look.css();
            let on = if css.contains("--on-brand:#000") { (0, 0, 0) } else { (255, 255, 255) };
            assert!(contrast(look.brand, on) >= 4.5, "{brand}");
            let link = css.split("--link:").nth(1).unwrap()[..7].to_owned();
            assert!(contrast(parse_hex(&link).unwrap(), (255, 255, 255)) >= 4.5, "{brand} link {link}");
        }
    }

    #[test]
    fn each_theme_has_its_own_layout_and_type() {
        let css = |t| Look { theme: t, ..Look::default() }.css();
        assert!(
            css(Theme::Classic).contains("--cols:4;") && css(Theme::Classic).contains("border:1px solid")
        );
        assert!(
            css(Theme::Bold).contains("--cols:3;--card-ratio:4/5")
                && css(Theme::Bold).contains("font-weight:900")
        );
        assert!(
            css(Theme::Minimal).contains("--cols:6;") && css(Theme::Minimal).contains("font-size:.9375rem")
        );
    }

    #[test]
    fn snapshot_of_each_themes_rules() {
        for theme in [Theme::Classic, Theme::Bold, Theme::Minimal] {
            let css = Look { theme, ..Look::default() }.css();
            insta::assert_snapshot!(theme.name(), css.replace('}', "}\n"));
        }
    }

    #[test]
    fn the_chosen_font_stack_and_the_settings_reach_the_look() {
        let settings = StoreLook {
            theme: "minimal".into(),
            font: "serif".into(),
            hero_image_url: Some("https://img.example/hero.jpg".into()),
            announcement: "  Free returns within 30 days ".into(),
            menu: vec!["toys Toys & Games".into(), "no-title-here".into()],
            ..StoreLook::default()
        };
        let look = Look::from_settings(&settings);
        assert!(look.css().contains("--font:Charter,"));
        assert_eq!(look.hero.as_deref(), Some("https://img.example/hero.jpg"));
        for (url, shown) in [
            ("http://shop.localhost:8788/media/a.webp", true),
            ("http://127.0.0.1:8788/a.png", true),
            ("http://shop.example/a.png", false),
            ("http://evil.localhost.example/a.png", false),
        ] {
            assert_eq!(image_url(Some(url)).is_some(), shown, "{url}");
        }
        assert_eq!(look.announcement, "Free returns within 30 days");
        assert_eq!(look.menu_items().collect::<Vec<_>>(), [("toys", "Toys & Games")]);
    }
}
