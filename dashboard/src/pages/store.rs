//! Store pages: onboarding, home, products, research runs and the watchlist.

use super::account::Refusal;
use super::chart::daily_bars;
use super::{csrf_field, day, money, page, text, Field, Shell};
use html::{html, Markup};
use serde_json::Value;

/// The storefront themes a store can wear (the API's `theme`).
pub const THEMES: [(&str, &str); 3] = [
    ("classic", "Classic: a clean grid of bordered cards, four to a row"),
    ("bold", "Bold: a full-width banner, large upper-case type, big portrait pictures"),
    ("minimal", "Minimal: a compact catalog, six to a row, small type"),
];

/// The fonts a shop can be set in (the API's `font`).
pub const FONTS: [(&str, &str); 6] = [
    ("system", "System: each visitor's own interface font"),
    ("humanist", "Humanist sans-serif (Seravek, Gill Sans, Ubuntu, Calibri)"),
    ("serif", "Serif (Charter, Cambria, Georgia)"),
    ("rounded", "Rounded sans-serif (SF Pro Rounded, Quicksand)"),
    ("inter", "Inter, served by your shop"),
    ("lora", "Lora, a serif served by your shop"),
];

/// What the look page shows: the store's look settings (as the API answers them, or as the
/// merchant typed them into a refused form) and its collections.
pub struct LookForm<'a> {
    /// The settings: `theme`, `brand_color`, `font`, `logo_url`, `hero_image_url`,
    /// `announcement`, `menu` (collection slugs in order).
    pub look: &'a Value,
    /// The store's collections: slug and title.
    pub collections: Vec<(&'a str, &'a str)>,
    /// The shop's address.
    pub shop_url: &'a str,
}

/// The shop's look: theme, colour, font, logo, banner, announcement and the header menu (each
/// collection given a place, or none). A saved change shows on the shop's next page.
pub fn look(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    form: &LookForm,
    can_edit: bool,
    refusal: &Refusal,
) -> Markup {
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    let theme = text(form.look, "theme");
    let font = text(form.look, "font");
    let menu: Vec<&str> =
        form.look["menu"].as_array().map_or_else(Vec::new, |m| m.iter().filter_map(Value::as_str).collect());
    placed.page(
        shell,
        html! {
            p { "Changes show on your shop's next page. " a href=(form.shop_url) { "View your shop" } }
            form.card method="post" action={ "/stores/" (store_id) "/look" } {
                (csrf_field(csrf))
                fieldset disabled[!can_edit] {
                    legend { "Theme" }
                    @for (value, label) in THEMES {
                        div.choice {
                            input type="radio" name="theme" id={ "theme-" (value) } value=(value) checked[value == theme];
                            label for={ "theme-" (value) } { (label) }
                        }
                    }
                }
                fieldset disabled[!can_edit] {
                    legend { "Brand" }
                    div.field {
                        label for="brand_color" { "Brand colour" }
                        input #brand_color name="brand_color" type="color" value=(text(form.look, "brand_color"));
                        @if let Some(error) = on("brand_color") { span.field-error { (error) } }
                    }
                    div.field {
                        label for="font" { "Font" }
                        select #font name="font" {
                            @for (value, label) in FONTS {
                                option value=(value) selected[value == font] { (label) }
                            }
                        }
                    }
                    (Field { required: false, kind: "url", hint: Some("An https address of your logo; blank for the shop's name alone."), ..Field::text("Logo", "logo_url", text(form.look, "logo_url")) }.render(on("logo_url")))
                    (Field { required: false, kind: "url", hint: Some("An https address of the home page's banner picture; blank for none."), ..Field::text("Banner picture", "hero_image_url", text(form.look, "hero_image_url")) }.render(on("hero_image_url")))
                    (Field { required: false, hint: Some("One line at the top of every page, up to 120 characters; blank for none."), ..Field::text("Announcement", "announcement", text(form.look, "announcement")) }.render(on("announcement")))
                }
                fieldset disabled[!can_edit] {
                    legend { "Menu" }
                    @if form.collections.is_empty() {
                        p { "Your store has no collections yet. The menu always leads to all products." }
                    } @else {
                        p.hint id="menu-hint" { "Give each collection its place in the header menu (1 comes first); leave it blank to keep it out." }
                        @if let Some(error) = on("menu") { p.field-error { (error) } }
                        @for (slug, title) in &form.collections {
                            @let place = menu.iter().position(|m| m == slug).map(|i| (i + 1).to_string()).unwrap_or_default();
                            div.field {
                                label for={ "menu-" (slug) } { (title) }
                                input type="hidden" name="menu_slug" value=(slug);
                                input id={ "menu-" (slug) } name="menu_place" type="number" min="1" max="20" inputmode="numeric" value=(place) aria-describedby="menu-hint";
                            }
                        }
                    }
                    button type="submit" { "Save" }
                }
            }
        },
    )
}

/// The menu a look form asks for: the collections given a place, in the order of their places
/// (ties keep the form's order); blank or unreadable places leave a collection out.
pub fn menu_order<'a>(slugs: &[&'a str], places: &[&str]) -> Vec<&'a str> {
    let mut placed: Vec<(u32, usize, &str)> = slugs
        .iter()
        .zip(places)
        .enumerate()
        .filter_map(|(i, (slug, place))| {
            Some((place.trim().parse::<u32>().ok().filter(|p| *p > 0)?, i, *slug))
        })
        .collect();
    placed.sort_unstable();
    placed.into_iter().map(|(_, _, slug)| slug).collect()
}

/// What the merchant typed into the onboarding form.
#[derive(Default)]
pub struct NewStore<'a> {
    /// The store's name.
    pub name: &'a str,
    /// The shop address (slug); blank means made from the name.
    pub slug: &'a str,
    /// What it sells.
    pub niche: &'a str,
    /// `classic`, `bold` or `minimal`.
    pub theme: &'a str,
    /// `#rrggbb`.
    pub brand_color: &'a str,
}

/// Onboarding: the store's name, address, niche, theme and brand colour.
pub fn onboarding(shell: &Shell, csrf: &str, store: &NewStore, refusal: &Refusal) -> Markup {
    let theme = if store.theme.is_empty() { "classic" } else { store.theme };
    let colour = if store.brand_color.is_empty() { "#2a6f4e" } else { store.brand_color };
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    placed.page(
        shell,
        html! {
            p { "Tell us about your store. When you finish, it goes live and its first research run starts filling it with products." }
            form.card method="post" action="/onboarding" {
                (csrf_field(csrf))
                (Field { autocomplete: "organization", ..Field::text("Store name", "name", store.name) }.render(on("name")))
                (Field { required: false, hint: Some("Letters, digits and hyphens; made from the name when left blank."), ..Field::text("Shop address", "slug", store.slug) }.render(on("slug")))
                (Field { hint: Some("What you sell, in a few words, e.g. pet grooming."), ..Field::text("Niche", "niche", store.niche) }.render(on("niche")))
                fieldset {
                    legend { "Theme" }
                    @for (value, label) in THEMES {
                        div.choice {
                            input type="radio" name="theme" id={ "theme-" (value) } value=(value) checked[value == theme];
                            label for={ "theme-" (value) } { (label) }
                        }
                    }
                }
                div.field {
                    label for="brand_color" { "Brand colour" }
                    input #brand_color name="brand_color" type="color" value=(colour);
                }
                button type="submit" { "Launch my store" }
            }
        },
    )
}

/// The change of `current` against `previous`, as a percentage.
pub fn change(current: f64, previous: f64) -> String {
    if previous == 0.0 {
        if current == 0.0 {
            "no change".into()
        } else {
            "new".into()
        }
    } else {
        let pct = ((current - previous) / previous * 100.0).round() as i64;
        if pct >= 0 {
            format!("+{pct}%")
        } else {
            format!("{pct}%")
        }
    }
}

/// Everything the home page shows.
pub struct Home<'a> {
    /// The store.
    pub store: &'a Value,
    /// The range's first day (`YYYY-MM-DD`).
    pub from: &'a str,
    /// Its last day.
    pub to: &'a str,
    /// Analytics over the range.
    pub current: &'a Value,
    /// Analytics over the period of the same length just before it.
    pub previous: &'a Value,
    /// Draft products (the first page of them).
    pub drafts: usize,
    /// Items on the watchlist.
    pub watchlist: usize,
    /// The store's products with the best research scores.
    pub top: Vec<&'a Value>,
    /// The audit log's newest entries, or why they are not shown.
    pub activity: Result<&'a Value, &'a str>,
}

/// The store's home: key figures against the previous period, a chart, a to-do list, top
/// products and recent activity.
pub fn home(shell: &Shell, h: &Home) -> Markup {
    let currency = text(h.store, "currency");
    let num = |v: &Value, k: &str| v[k].as_f64().unwrap_or(0.0);
    let figures = [
        ("Revenue", money(h.current["revenue_minor"].as_i64().unwrap_or(0), currency), "revenue_minor"),
        ("Orders", num(h.current, "orders").to_string(), "orders"),
        ("Page views", num(h.current, "page_views").to_string(), "page_views"),
        ("Conversion", format!("{:.1}%", num(h.current, "conversion_rate") * 100.0), "conversion_rate"),
    ];
    let days: Vec<(String, i64)> = h.current["days"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|d| (text(d, "day").to_owned(), d["metrics"]["page_view"].as_i64().unwrap_or(0)))
        .collect();
    let store_id = text(h.store, "id");
    page(
        shell,
        html! {
            form.range method="get" action={ "/stores/" (store_id) } {
                div.field { label for="from" { "From" } input #from name="from" type="date" value=(h.from) required; }
                div.field { label for="to" { "To" } input #to name="to" type="date" value=(h.to) required; }
                button type="submit" { "Show" }
            }
            section aria-labelledby="figures" {
                h2 #figures { "From " (h.from) " to " (h.to) ", against the period before" }
                ul.figures {
                    @for (label, value, key) in &figures {
                        li { span.label { (label) } " " strong { (value) } " " span.change { (change(num(h.current, key), num(h.previous, key))) } }
                    }
                }
                (daily_bars("Page views per day", &days))
            }
            section aria-labelledby="todo" {
                h2 #todo { "To do" }
                ul {
                    @if h.drafts > 0 {
                        li { a href={ "/stores/" (store_id) "/products?status=draft" } { (h.drafts) " draft products to review and publish" } }
                    }
                    @if h.watchlist > 0 {
                        li { a href={ "/stores/" (store_id) "/watchlist" } { (h.watchlist) " watchlist items worth a look" } }
                    }
                    @if num(h.current, "orders") > 0.0 {
                        li { (num(h.current, "orders")) " orders in this period" }
                    }
                    @if h.drafts == 0 && h.watchlist == 0 && num(h.current, "orders") == 0.0 {
                        li { "Nothing waiting." }
                    }
                }
            }
            section aria-labelledby="top" {
                h2 #top { "Top products by research score" }
                @if h.top.is_empty() { p { "No products yet." } }
                ol {
                    @for p in &h.top {
                        li { a href={ "/stores/" (store_id) "/products/" (text(p, "id")) } { (text(p, "title")) } " (" (p["score"].as_f64().map(|s| format!("{s:.0}")).unwrap_or_default()) ")" }
                    }
                }
            }
            section aria-labelledby="activity" {
                h2 #activity { "Recent activity" }
                @match h.activity {
                    Ok(log) => ul {
                        @for e in log["entries"].as_array().map(Vec::as_slice).unwrap_or_default() {
                            li { (day(text(e, "at"))) ": " (text(e, "action")) @if let Some(t) = e["target"].as_str() { " " (t) } }
                        }
                    },
                    Err(why) => p { (why) },
                }
            }
        },
    )
}

/// The store's products, with search, a status filter and bulk publishing.
pub fn products(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    list: &Value,
    q: &str,
    status: &str,
    can_edit: bool,
) -> Markup {
    let items = list["products"].as_array().map(Vec::as_slice).unwrap_or_default();
    page(
        shell,
        html! {
            p { "Imported products are priced by your " a href={ "/stores/" (store_id) "/pricing" } { "pricing rules" } "." }
            form.filters method="get" action={ "/stores/" (store_id) "/products" } role="search" {
                div.field { label for="q" { "Search" } input #q name="q" type="search" value=(q); }
                div.field {
                    label for="status" { "Status" }
                    select #status name="status" {
                        option value="" selected[status.is_empty()] { "Any" }
                        option value="draft" selected[status == "draft"] { "Draft" }
                        option value="published" selected[status == "published"] { "Published" }
                    }
                }
                button type="submit" { "Filter" }
            }
            @if items.is_empty() { p { "No products match." } }
            @else {
                form method="post" action={ "/stores/" (store_id) "/products" } {
                    (csrf_field(csrf))
                    table {
                        caption { (items.len()) " products" }
                        thead { tr {
                            @if can_edit { th scope="col" { span.visually-hidden { "Select" } } }
                            th scope="col" { "Title" } th scope="col" { "Status" } th scope="col" { "Price" } th scope="col" { "Score" }
                        } }
                        tbody {
                            @for p in items {
                                tr {
                                    @if can_edit {
                                        td {
                                            input type="checkbox" name="id" value=(text(p, "id")) id={ "select-" (text(p, "id")) };
                                            label.visually-hidden for={ "select-" (text(p, "id")) } { "Select " (text(p, "title")) }
                                        }
                                    }
                                    td { a href={ "/stores/" (store_id) "/products/" (text(p, "id")) } { (text(p, "title")) } }
                                    td { (text(p, "status")) }
                                    td { (money(p["price_minor"].as_i64().unwrap_or(0), text(p, "currency"))) }
                                    td { (p["score"].as_f64().map(|s| format!("{s:.0}")).unwrap_or_default()) }
                                }
                            }
                        }
                    }
                    @if can_edit { button type="submit" name="action" value="publish" { "Publish selected" } }
                }
            }
        },
    )
}

/// One product's edit form, with a link to it in the shop (`shop_url`) once published.
pub fn product(
    shell: &Shell,
    csrf: &str,
    store_id: &str,
    shop_url: &str,
    p: &Value,
    can_edit: bool,
    refusal: &Refusal,
) -> Markup {
    let currency = text(p, "currency");
    let price = money(p["price_minor"].as_i64().unwrap_or(0), currency);
    let price = price.trim_start_matches(|c: char| !c.is_ascii_digit()).to_owned();
    let description = p["description"]
        .as_array()
        .map(|ps| ps.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n\n"))
        .unwrap_or_default();
    let action = format!("/stores/{store_id}/products/{}", text(p, "id"));
    let placed = refusal.placed();
    let on = |f: &str| placed.on(f);
    let status = text(p, "status");
    placed.page(
        shell,
        html! {
            p {
                "Status: " strong #product-status { (status) }
                @if status == "published" {
                    " · " a #view-in-shop href={ (shop_url.trim_end_matches('/')) "/products/" (text(p, "slug")) } { "View in the shop" }
                }
            }
            @if can_edit && status != "published" {
                form method="post" action={ (action) "/publish" } {
                    (csrf_field(csrf))
                    button type="submit" { "Publish" }
                }
            }
            p #price-source {
                @if p["price_follows_rules"] == true {
                    "The price follows your store's " a href={ "/stores/" (store_id) "/pricing" } { "pricing rules" }
                    ": it moves when the supplier's cost or the rules change. Setting it here makes it yours."
                } @else if p["source"].is_string() {
                    "You set this price by hand: the supplier sync and new pricing rules keep it."
                } @else {
                    "You set this price: a product written by hand is never re-priced."
                }
            }
            @if can_edit && p["price_follows_rules"] == false && p["source"].is_string() {
                form method="post" action={ (action) "/follow-rules" } {
                    (csrf_field(csrf))
                    button type="submit" { "Price it by the store's rules again" }
                }
            }
            form.card method="post" action=(action) {
                (csrf_field(csrf))
                fieldset disabled[!can_edit] {
                    legend { "Details" }
                    (Field::text("Title", "title", text(p, "title")).render(on("title")))
                    div.field {
                        label for="description" { "Description" }
                        span.hint id="description-hint" { "Paragraphs separated by a blank line." }
                        textarea #description name="description" rows="8" aria-describedby="description-hint" { (description) }
                    }
                    (Field { hint: Some(currency), kind: "text", autocomplete: "off", ..Field::text("Price", "price", &price) }.render(on("price_minor")))
                    (Field { required: false, ..Field::text("SEO title", "meta_title", text(p, "meta_title")) }.render(on("meta_title")))
                    (Field { required: false, ..Field::text("SEO description", "meta_description", text(p, "meta_description")) }.render(on("meta_description")))
                    div.field {
                        label for="status" { "Status" }
                        select #status name="status" {
                            option value="draft" selected[status != "published"] { "Draft" }
                            option value="published" selected[status == "published"] { "Published" }
                        }
                    }
                    button type="submit" { "Save" }
                }
            }
        },
    )
}

/// The store's research runs, newest first, and a button to start one.
pub fn runs(shell: &Shell, csrf: &str, store_id: &str, list: &Value, can_edit: bool) -> Markup {
    page(
        shell,
        html! {
            @if can_edit {
                form method="post" action={ "/stores/" (store_id) "/research" } {
                    (csrf_field(csrf))
                    button type="submit" { "Start a research run" }
                }
            }
            table {
                caption { "Research runs" }
                thead { tr { th scope="col" { "Started" } th scope="col" { "Trigger" } th scope="col" { "Status" } th scope="col" { "Candidates" } th scope="col" { "Imported" } } }
                tbody {
                    @for r in list["runs"].as_array().map(Vec::as_slice).unwrap_or_default() {
                        tr {
                            td { a href={ "/stores/" (store_id) "/research/" (text(r, "id")) } { (text(r, "created_at")) } }
                            td { (text(r, "trigger")) }
                            td { (text(r, "status")) }
                            td { (r["candidates"].as_i64().map(|n| n.to_string()).unwrap_or_default()) }
                            td { (r["imported"].as_i64().map(|n| n.to_string()).unwrap_or_default()) }
                        }
                    }
                }
            }
        },
    )
}

/// How long after its report a run's page keeps reloading while its products arrive: an import
/// that failed for good leaves `imported` under `selected` for ever.
const LANDING_SECS: i64 = 600;

/// Whether a run's page should keep reloading at `now` (Unix seconds): the run is not reported
/// yet, or the products it chose are still arriving (`imported` counts those in the store).
pub fn run_in_progress(run: &Value, now: i64) -> bool {
    if text(run, "status") == "queued" {
        return true;
    }
    let landing = run["imported"].as_i64().unwrap_or(0) < run["selected"].as_i64().unwrap_or(0);
    // The edge writes times as fixed-width UTC text, which sorts as the times do: compared as
    // text, with no date parser in the Worker.
    let since = time::OffsetDateTime::from_unix_timestamp(now - LANDING_SECS)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let since = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        since.year(),
        u8::from(since.month()),
        since.day(),
        since.hour(),
        since.minute(),
        since.second()
    );
    text(run, "status") == "completed" && landing && text(run, "completed_at") > since.as_str()
}

/// One run: its progress per source, its candidates with scores and decisions, and the products
/// it brought into the store.
pub fn run(shell: &Shell, store_id: &str, run: &Value, products: &[&Value]) -> Markup {
    let status = text(run, "status");
    page(
        shell,
        html! {
            p role="status" #run-status {
                @match status {
                    "queued" => "Researching: sources are being read and candidates scored. This page refreshes by itself.",
                    "failed" => "This run failed.",
                    _ => { "Done: " (run["candidates"].as_i64().unwrap_or(0)) " candidates, "
                           (run["imported"].as_i64().unwrap_or(0)) " imported, "
                           (run["watchlisted"].as_i64().unwrap_or(0)) " on the watchlist." }
                }
            }
            @if let Some(sources) = run["sources"].as_array() {
                h2 { "Sources" }
                ul {
                    @for s in sources {
                        li { (text(s, "source")) ": " (s["candidates"].as_i64().unwrap_or(0)) " found"
                             @if let Some(e) = s["error"].as_str() { " (" (e) ")" } }
                    }
                }
            }
            h2 { "Products in your store from this run" }
            @if products.is_empty() { p { "None yet." } }
            ul #run-products {
                @for p in products {
                    li { a href={ "/stores/" (store_id) "/products/" (text(p, "id")) } { (text(p, "title")) } " (" (text(p, "status")) ")" }
                }
            }
            @if let Some(top) = run["top"].as_array() {
                table {
                    caption { "Candidates, best AI score first" }
                    thead { tr { th scope="col" { "Product" } th scope="col" { "Source" } th scope="col" { "Research score" } th scope="col" { "AI score" } th scope="col" { "Decision" } } }
                    tbody {
                        @for c in top {
                            tr {
                                td { (text(c, "title")) }
                                td { (text(c, "source")) }
                                td { (c["research_score"].as_f64().map(|s| format!("{s:.1}")).unwrap_or_default()) }
                                td { (c["ai_score"].as_i64().map(|s| s.to_string()).unwrap_or_else(|| "not analysed".into())) }
                                td { (text(c, "decision")) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The watchlist: products research scored below the import bar, with the AI's reasons, each
/// with an import button.
pub fn watchlist(shell: &Shell, csrf: &str, store_id: &str, list: &Value, can_edit: bool) -> Markup {
    let items = list["items"].as_array().map(Vec::as_slice).unwrap_or_default();
    page(
        shell,
        html! {
            @if items.is_empty() { p { "The watchlist is empty." } }
            @for item in items {
                article.item {
                    h2 { (text(item, "title")) }
                    p { "Research score " (item["research_score"].as_f64().map(|s| format!("{s:.1}")).unwrap_or_default())
                        ", AI score " (item["ai_score"].as_i64().map(|s| s.to_string()).unwrap_or_else(|| "none".into()))
                        ", cost " (money(item["cost_minor"].as_i64().unwrap_or(0), text(item, "currency")))
                        ", suggested price " (money(item["suggested_price_minor"].as_i64().unwrap_or(0), text(item, "currency"))) }
                    p.reason { (text(item, "reasoning")) }
                    @if can_edit {
                        form method="post" action={ "/stores/" (store_id) "/watchlist/" (text(item, "id")) } {
                            (csrf_field(csrf))
                            button type="submit" { "Import " span.visually-hidden { (text(item, "title")) } }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_shell as shell;
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_percentages_of_the_previous_period() {
        assert_eq!(change(150.0, 100.0), "+50%");
        assert_eq!(change(50.0, 100.0), "-50%");
        assert_eq!(change(5.0, 0.0), "new");
        assert_eq!(change(0.0, 0.0), "no change");
    }

    #[test]
    fn the_menu_follows_the_places_given_and_leaves_out_blank_ones() {
        let slugs = ["tents", "stoves", "lamps", "packs"];
        assert_eq!(menu_order(&slugs, &["2", "", "1", "2"]), ["lamps", "tents", "packs"]);
        assert_eq!(menu_order(&slugs, &["x", "0", "-1", " 3 "]), ["packs"]);
        assert!(menu_order(&slugs, &[]).is_empty());
    }

    #[test]
    fn snapshot_of_the_look_page_with_a_refused_field() {
        let look = json!({
            "theme": "bold", "brand_color": "#0f766e", "font": "lora", "logo_url": "https://cdn.example/logo.png",
            "hero_image_url": "javascript:alert(1)", "announcement": "Free <b>returns</b>", "menu": ["lamps"],
        });
        let form = LookForm {
            look: &look,
            collections: vec![("tents", "Tents & Tarps"), ("lamps", "Lamps")],
            shop_url: "http://cozy.localhost:8788/",
        };
        let refusal =
            Refusal { message: Some("hero_image_url must be an https URL"), field: Some("hero_image_url") };
        let html = look_page(&form, &refusal);
        assert!(
            html.contains("<input type=\"radio\" name=\"theme\" id=\"theme-bold\" value=\"bold\" checked>")
        );
        assert!(html.contains("<option value=\"lora\" selected>"));
        assert!(html.contains("<input id=\"menu-lamps\" name=\"menu_place\" type=\"number\" min=\"1\" max=\"20\" inputmode=\"numeric\" value=\"1\""));
        assert!(html.contains("<input id=\"menu-tents\" name=\"menu_place\" type=\"number\" min=\"1\" max=\"20\" inputmode=\"numeric\" value=\"\""));
        assert!(html
            .contains("aria-invalid=\"true\" aria-describedby=\"hero_image_url-hint hero_image_url-error\""));
        insta::assert_snapshot!(html);
    }

    #[test]
    fn a_refusal_naming_no_field_of_the_form_shows_at_the_top_once() {
        let look = json!({"theme": "classic", "font": "system"});
        let form = LookForm { look: &look, collections: vec![], shop_url: "http://cozy.localhost:8788/" };
        let alert = |message: &str| format!("<p class=\"error\" role=\"alert\">{message}</p>");
        for field in [None, Some("store")] {
            let refusal = Refusal { message: Some("the store is being deleted"), field };
            let html = look_page(&form, &refusal);
            assert_eq!(html.matches("the store is being deleted").count(), 1, "{field:?}");
            assert!(html.contains(&alert("the store is being deleted")), "{field:?}: {html}");
        }
        let on_a_field = Refusal { message: Some("pick a colour"), field: Some("brand_color") };
        let html = look_page(&form, &on_a_field);
        assert_eq!(html.matches("pick a colour").count(), 1);
        assert!(!html.contains(&alert("pick a colour")), "a field's refusal stays on its field");
    }

    fn look_page(form: &LookForm, refusal: &Refusal) -> String {
        look(&shell("Look"), "tok", "s1", form, true, refusal).into_string()
    }

    #[test]
    fn snapshot_of_the_onboarding_page() {
        let refusal = Refusal { message: Some("that address is taken"), field: Some("slug") };
        let values =
            NewStore { name: "Cozy Paws", slug: "cozy", niche: "pet grooming", ..NewStore::default() };
        insta::assert_snapshot!(onboarding(&Shell::new("Your store"), "tok", &values, &refusal).into_string());
    }

    #[test]
    fn snapshot_of_the_home_page() {
        let store = json!({"id": "s1", "currency": "USD"});
        let current = json!({"revenue_minor": 12000, "orders": 3, "page_views": 300, "conversion_rate": 0.01,
            "days": [{"day": "2026-12-01", "metrics": {"page_view": 100}}, {"day": "2026-12-02", "metrics": {"page_view": 200}}]});
        let previous = json!({"revenue_minor": 10000, "orders": 3, "page_views": 100, "conversion_rate": 0.02, "days": []});
        let top = json!({"id": "p1", "title": "Slicker <Brush>", "score": 81.4});
        let log = json!({"entries": [{"id": 1, "actor": "u", "action": "product.update", "target": "p1", "at": "2026-12-02T10:00:00Z"}]});
        let h = Home {
            store: &store,
            from: "2026-12-01",
            to: "2026-12-02",
            current: &current,
            previous: &previous,
            drafts: 2,
            watchlist: 1,
            top: vec![&top],
            activity: Ok(&log),
        };
        insta::assert_snapshot!(home(&shell("Home"), &h).into_string());
        let h = Home {
            activity: Err("Recent activity is shown to the owner."),
            drafts: 0,
            watchlist: 0,
            top: vec![],
            current: &previous,
            ..h
        };
        insta::assert_snapshot!("home_for_staff_with_nothing_to_do", home(&shell("Home"), &h).into_string());
    }

    #[test]
    fn snapshot_of_the_products_page() {
        let list = json!({"products": [{"id": "p1", "title": "Slicker Brush", "status": "draft", "price_minor": 1999, "currency": "USD", "score": 77.0}]});
        insta::assert_snapshot!(
            products(&shell("Products"), "tok", "s1", &list, "brush", "draft", true).into_string()
        );
        insta::assert_snapshot!(
            "products_for_a_viewer",
            products(&shell("Products"), "tok", "s1", &list, "", "", false).into_string()
        );
    }

    #[test]
    fn snapshot_of_the_product_page() {
        let mut p = json!({"id": "p1", "slug": "slicker-brush", "title": "Slicker Brush", "status": "draft", "price_minor": 1999, "currency": "USD",
                       "description": ["Gentle <b>pins</b>.", "Easy to clean."], "meta_title": "Brush", "meta_description": "A brush"});
        let shop = "http://cozy.localhost:8788/";
        insta::assert_snapshot!(product(
            &shell("Slicker Brush"),
            "tok",
            "s1",
            shop,
            &p,
            true,
            &Refusal::default()
        )
        .into_string());
        p["status"] = json!("published");
        let html =
            product(&shell("Slicker Brush"), "tok", "s1", shop, &p, false, &Refusal::default()).into_string();
        insta::assert_snapshot!("published_product_for_a_viewer", html);
    }

    #[test]
    fn a_product_page_says_whose_price_it_is_and_offers_to_hand_it_back() {
        let mut p = json!({"id": "p1", "slug": "lamp", "title": "Lamp", "status": "draft", "price_minor": 2999, "currency": "USD",
                       "source": "aliexpress", "price_follows_rules": false, "priced_by_merchant_at": "2026-12-08T01:00:00Z"});
        let shop = "http://cozy.localhost:8788/";
        let html = product(&shell("Lamp"), "tok", "s1", shop, &p, true, &Refusal::default()).into_string();
        assert!(html.contains("You set this price by hand"), "{html}");
        assert!(html.contains("action=\"/stores/s1/products/p1/follow-rules\""), "{html}");
        let viewer = product(&shell("Lamp"), "tok", "s1", shop, &p, false, &Refusal::default()).into_string();
        assert!(!viewer.contains("follow-rules"), "a viewer cannot hand it back");
        p["price_follows_rules"] = json!(true);
        let html = product(&shell("Lamp"), "tok", "s1", shop, &p, true, &Refusal::default()).into_string();
        assert!(
            html.contains("follows your store's <a href=\"/stores/s1/pricing\">pricing rules</a>"),
            "{html}"
        );
        assert!(!html.contains("follow-rules"));
    }

    #[test]
    fn snapshot_of_the_research_pages() {
        let run_json = json!({"id": "r1", "status": "completed", "candidates": 12, "imported": 2, "watchlisted": 1,
            "sources": [{"source": "aliexpress", "candidates": 10, "error": null}, {"source": "reddit", "candidates": 0, "error": "timed out"}],
            "top": [{"source": "aliexpress", "source_product_id": "1", "title": "Brush", "research_score": 81.25, "ai_score": 8, "decision": "import"}]});
        let p = json!({"id": "p1", "title": "Brush", "status": "draft"});
        insta::assert_snapshot!(run(&shell("Research run"), "s1", &run_json, &[&p]).into_string());
        let list = json!({"runs": [{"id": "r1", "trigger": "manual", "status": "queued", "created_at": "2026-12-07T10:00:00Z", "candidates": null, "imported": null}]});
        insta::assert_snapshot!(runs(&shell("Research"), "tok", "s1", &list, true).into_string());
    }

    #[test]
    fn a_run_page_refreshes_until_its_imports_have_landed() {
        let now = 1_796_644_800; // 2026-12-07T12:00:00Z
        let done = |imported: i64, selected: i64, at: &str| json!({"status": "completed", "imported": imported, "selected": selected, "completed_at": at});
        assert!(run_in_progress(&json!({"status": "queued"}), now));
        assert!(run_in_progress(&done(0, 3, "2026-12-07T11:59:00.000Z"), now), "its products are arriving");
        assert!(!run_in_progress(&done(3, 3, "2026-12-07T11:59:00.000Z"), now), "all arrived");
        assert!(!run_in_progress(&done(2, 3, "2026-12-07T11:49:00.000Z"), now), "one will never arrive");
        assert!(!run_in_progress(&json!({"status": "failed", "imported": null}), now));
    }

    #[test]
    fn snapshot_of_the_watchlist_page() {
        let list = json!({"items": [{"id": "w1", "title": "Lint roller", "research_score": 55.5, "ai_score": 6, "cost_minor": 300,
            "suggested_price_minor": 999, "currency": "USD", "reasoning": "Steady demand; thin margin."}]});
        insta::assert_snapshot!(watchlist(&shell("Watchlist"), "tok", "s1", &list, true).into_string());
    }
}
