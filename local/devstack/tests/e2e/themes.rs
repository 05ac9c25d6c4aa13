//! The shop's look end to end: the theme settings a merchant saves through the API (theme, colour,
//! font, logo, hero, announcement, menu) show on the shop's next pages, refused settings name
//! their field, and the pieces every shop has (all products with filters, badges, the product
//! page's parts) come from the store's own data.

use crate::helpers::Stack;
use crate::store::{api, cart_with, page_shows, product, shop};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn theme_settings_saved_through_the_api_show_on_the_shops_next_pages() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Harbour Lights E2E").await;
    let lamp = product(
        &stack,
        &shop,
        &json!({"title": "Brass Lamp", "price_minor": 4200, "compare_at_minor": 5600, "status": "published"}),
    )
    .await;
    product(
        &stack,
        &shop,
        &json!({"title": "Sea Glass Vase", "price_minor": 1900, "status": "published",
                "variants": [{"title": "Green", "stock": 0}]}),
    )
    .await;
    let collection = api(
        &stack,
        &shop,
        Method::POST,
        "/collections",
        Some(&json!({"title": "Lamps & Lights", "product_ids": [lamp["id"]]})),
    )
    .await;
    assert_eq!(collection.status, 201, "{}", collection.text);
    let lamps_slug = collection.json["slug"].as_str().unwrap().to_owned();

    // Refusals name their field, and change nothing.
    let patch = |body: serde_json::Value| {
        let (stack, shop) = (&stack, &shop);
        async move { api(stack, shop, Method::PATCH, "", Some(&body)).await }
    };
    for (body, status, field) in [
        (json!({"font": "comic-sans"}), 400, "font"),
        (json!({"announcement": "x".repeat(121)}), 400, "announcement"),
        (json!({"announcement": "two\nlines"}), 400, "announcement"),
        (json!({"hero_image_url": "javascript:alert(1)"}), 400, "hero_image_url"),
        (json!({"menu": [&lamps_slug, &lamps_slug]}), 400, "menu"),
        (json!({"menu": ["no-such-collection"]}), 422, "menu"),
    ] {
        let refused = patch(body.clone()).await;
        assert_eq!(
            (refused.status, refused.json["field"].as_str()),
            (status, Some(field)),
            "{body}: {}",
            refused.text
        );
    }

    // The default look first: classic, system font, no announcement, the default menu.
    let home = page_shows(&stack, &shop.host, "/", 200, "<body class=\"classic\">").await;
    assert!(!home.contains("class=\"announce\""));
    assert!(home.contains("<a href=\"/collections/all\">All products</a>"));

    let saved = patch(json!({
        "theme": "bold", "brand_color": "#0F766E", "font": "serif",
        "logo_url": "https://cdn.example/harbour.png", "hero_image_url": "https://cdn.example/harbour-hero.jpg",
        "announcement": "  Orders ship within 2 days  ", "menu": [&lamps_slug],
    }))
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(
        (&saved.json["font"], &saved.json["announcement"], &saved.json["menu"]),
        (&json!("serif"), &json!("Orders ship within 2 days"), &json!([&lamps_slug])),
        "{}",
        saved.text
    );
    let read = stack.get(&format!("/v1/stores/{}", shop.id), &shop.merchant.access).await;
    assert_eq!(read.json["hero_image_url"], "https://cdn.example/harbour-hero.jpg", "{}", read.text);

    // The cached home page is replaced on the next request: the settings bump the cache version.
    let home = page_shows(&stack, &shop.host, "/", 200, "<body class=\"bold\">").await;
    assert!(home.contains("<p class=\"announce\">Orders ship within 2 days</p>"), "{home}");
    assert!(home.contains("--brand:#0f766e;") && home.contains("--font:Charter,"));
    assert!(
        home.contains("<img src=\"https://cdn.example/harbour.png\" alt=\"\" width=\"40\" height=\"40\">")
    );
    assert!(home.contains(
        "<img src=\"https://cdn.example/harbour-hero.jpg\" alt=\"\" width=\"1600\" height=\"700\""
    ));
    let menu_item = format!("<li><a href=\"/collections/{lamps_slug}\">Lamps &amp; Lights</a></li>");
    assert!(home.contains(&menu_item), "menu and tiles: {home}");
    assert!(
        home.contains("<span class=\"badge sale\">Sale</span>")
            && home.contains("<span class=\"badge\">Sold out</span>")
    );

    // Every page wears the look, and the menu leads to the collection.
    let lamps =
        page_shows(&stack, &shop.host, &format!("/collections/{lamps_slug}"), 200, "Brass Lamp").await;
    assert!(lamps.contains("<body class=\"bold\">") && lamps.contains("Orders ship within 2 days"));

    // All products, filtered by price and availability with a plain GET form.
    let all = page_shows(&stack, &shop.host, "/collections/all", 200, "Sea Glass Vase").await;
    assert!(all.contains("Brass Lamp") && all.contains("<p role=\"status\">2 products</p>"));
    let cheap =
        page_shows(&stack, &shop.host, "/collections/all?max=20", 200, "<p role=\"status\">1 product</p>")
            .await;
    assert!(cheap.contains("Sea Glass Vase") && !cheap.contains("Brass Lamp"));
    let buyable = page_shows(
        &stack,
        &shop.host,
        "/collections/all?in_stock=1",
        200,
        "<p role=\"status\">1 product</p>",
    )
    .await;
    assert!(buyable.contains("Brass Lamp") && !buyable.contains("Sea Glass Vase"));

    // The product page: buy box, folded details linking the store's pages, related products.
    let page = page_shows(&stack, &shop.host, "/products/brass-lamp", 200, "You may also like").await;
    assert!(page.contains("<body class=\"bold has-bar\">"));
    assert!(page.contains("<summary>Shipping</summary>") && page.contains("href=\"/pages/returns\""));
    assert!(page.contains("<button type=\"submit\" form=\"buy\">Add to cart</button>"));

    // A new theme, and the menu emptied: the next page shows both.
    let minimal = patch(json!({"theme": "minimal", "menu": [], "announcement": ""})).await;
    assert_eq!(minimal.status, 200, "{}", minimal.text);
    let home = page_shows(&stack, &shop.host, "/", 200, "<body class=\"minimal\">").await;
    assert!(!home.contains("class=\"announce\"") && !home.contains(&menu_item));

    // An unknown path helps the shopper on.
    let missing = page_shows(&stack, &shop.host, "/nothing-here", 404, "Search products").await;
    assert!(missing.contains("<a href=\"/collections/all\">All products</a>"));
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn the_shop_states_the_shipping_its_checkout_applies_and_serves_the_fonts_it_offers() {
    let stack = Stack::connect().await;
    let shop = shop(&stack, "Tidewater Goods E2E").await;
    let mug =
        product(&stack, &shop, &json!({"title": "Enamel Mug", "price_minor": 2500, "status": "published"}))
            .await;

    // A store that never set its shipping ships free to its target market, as its checkout does.
    let page = page_shows(&stack, &shop.host, "/products/enamel-mug", 200, "Ships to").await;
    assert!(page.contains("<li>Free shipping: 3–7 business days from the order</li>"), "{page}");
    assert!(page.contains("<p>Ships to the United States.</p>"), "{page}");

    // The merchant's rates show on the next page (the settings bump the cache version), and the
    // cart says how far it is from free shipping.
    let saved = api(
        &stack,
        &shop,
        Method::PUT,
        "/shipping",
        Some(&json!({"countries": ["us", "CA"], "standard_minor": 499, "express_minor": 1499, "free_over_minor": 5000})),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let page = page_shows(&stack, &shop.host, "/products/enamel-mug", 200, "Standard shipping: $4.99").await;
    assert!(page.contains("<p>Delivery in 3–7 business days with standard shipping</p>"), "{page}");
    assert!(page.contains("<li>Express shipping: $14.99, 1–3 business days from the order</li>"), "{page}");
    assert!(page.contains("<li>Free standard shipping on orders of $50.00 or more</li>"), "{page}");
    assert!(page.contains("<p>Ships to the United States and Canada.</p>"), "{page}");
    let (cart, _) = cart_with(&stack, &shop.host, &mug).await;
    assert!(cart.contains("Add $25.00 more for free standard shipping."), "{cart}");
    assert!(cart.contains("<progress id=\"to-free\" max=\"5000\" value=\"2500\">"), "{cart}");

    // A font the shop serves: declared, preloaded, and served from the Worker's static assets
    // with a long cache life.
    let saved = api(&stack, &shop, Method::PATCH, "", Some(&json!({"font": "lora"}))).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let home = page_shows(&stack, &shop.host, "/", 200, "--font:Lora,").await;
    assert!(home.contains("<link rel=\"preload\" href=\"/fonts/lora-5.3.0-latin-400.woff2\""), "{home}");
    for weight in [400, 700] {
        let font = reqwest::Client::new()
            .get(format!("{}/fonts/lora-5.3.0-latin-{weight}.woff2", stack.storefront))
            .header("host", &shop.host)
            .send()
            .await
            .unwrap();
        assert_eq!(font.status().as_u16(), 200);
        let cache = font.headers().get("cache-control").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(cache.as_deref(), Some("public, max-age=31536000, immutable"));
        assert!(font.bytes().await.unwrap().starts_with(b"wOF2"), "a WOFF2 file");
    }

    // `all` is the all-products page's: no collection may take it.
    for body in [json!({"title": "Everything", "slug": "all"}), json!({"title": "All"})] {
        let refused = api(&stack, &shop, Method::POST, "/collections", Some(&body)).await;
        assert_eq!((refused.status, refused.json["field"].as_str()), (400, Some("slug")), "{}", refused.text);
    }
}
