//! Extraction from recorded pages in `tests/fixtures/`.

use crate::helpers::fixture;
use domain::{Currency, Money};
use scraper::{extract_product, extract_shopify_product, Availability};

#[test]
fn a_product_in_a_json_ld_graph_is_read_with_its_aggregate_offer() {
    let page = "https://northwind.example/product/trail-lantern-400/";
    let product = extract_product(&fixture("jsonld-graph.html"), page).expect("a product");
    assert_eq!(product.title, "Trail Lantern 400 & Power Bank");
    assert_eq!(
        product.description,
        "A rechargeable lantern with 400 lumens.\nIPX4 splash-proof\nRuns 60 hours on low"
    );
    assert_eq!(product.price, Some(Money::from_minor(2499, Currency::Usd)));
    assert_eq!(product.currency.as_deref(), Some("USD"));
    assert_eq!(
        product.images,
        [
            "https://cdn.northwind.example/uploads/lantern-front.jpg",
            "https://northwind.example/uploads/lantern-side.jpg",
        ]
    );
    assert_eq!(product.availability, Availability::InStock);
    assert_eq!(product.source_url, page);
}

#[test]
fn the_cheapest_offer_wins_numeric_prices_stay_exact_and_a_broken_block_is_skipped() {
    let page = "https://bergwerk.example/p/campingschale";
    let product = extract_product(&fixture("jsonld-offers.html"), page).expect("a product");
    assert_eq!(product.title, "Faltbare Campingschale «Bergwerk»");
    assert_eq!(product.price, Some(Money::from_minor(3450, Currency::Eur)));
    assert_eq!(product.availability, Availability::InStock, "one offer in stock is enough");
    assert_eq!(product.description, "Faltbare Schale aus Silikon. Spülmaschinenfest.");
    assert_eq!(
        product.images,
        [
            "https://bergwerk.example/media/schale-1.webp",
            "https://static.bergwerk.example/media/schale-2.webp"
        ],
        "http and javascript: images are dropped"
    );
}

#[test]
fn open_graph_tags_alone_give_a_product_with_a_grouped_price() {
    let page = "https://fellandtarn.example/products/merino-hiking-socks";
    let product = extract_product(&fixture("opengraph-only.html"), page).expect("a product");
    assert_eq!(product.title, "Merino Hiking Socks \"3 pack\"");
    assert_eq!(product.description, "Cushioned merino socks — warm when wet.");
    assert_eq!(product.price, Some(Money::from_minor(129_900, Currency::Gbp)));
    assert_eq!(
        product.images,
        [
            "https://fellandtarn.example/cdn/shop/files/socks.jpg?v=1699",
            "https://fellandtarn.example/cdn/shop/files/socks-pair.jpg?v=1699",
        ]
    );
    assert_eq!(product.availability, Availability::OutOfStock);
}

#[test]
fn a_product_group_is_priced_from_its_cheapest_variant() {
    let product =
        extract_product(&fixture("product-group.html"), "https://tarps.example/tarp").expect("a product");
    assert_eq!(product.title, "Ultralight Tarp");
    assert_eq!(product.price, Some(Money::from_minor(10_900, Currency::Cad)));
    assert_eq!(product.images, ["https://img.tarps.example/3x3.jpg", "https://img.tarps.example/2x3.jpg"]);
    assert_eq!(product.availability, Availability::InStock);
}

#[test]
fn an_article_is_not_a_product() {
    assert_eq!(extract_product(&fixture("article.html"), "https://blog.example/hacks"), None);
}

#[test]
fn shopify_product_json_gives_the_lowest_variant_price_and_its_images() {
    let page = "https://pinesupply.example/products/camp-lantern";
    let product = extract_shopify_product(&fixture("shopify-product.json"), page, Some(Currency::Cad))
        .expect("a product");
    assert_eq!(product.title, "Camp Lantern & Hook");
    assert_eq!(product.description, "Bright, warm light for the tent.\n3 modes");
    assert_eq!(product.price, Some(Money::from_minor(2750, Currency::Cad)));
    assert_eq!(
        product.images,
        [
            "https://cdn.shopify.com/s/files/1/0612/3456/7890/files/lantern-sand.jpg?v=1694700131",
            "https://cdn.shopify.com/s/files/1/0612/3456/7890/files/lantern-forest.jpg?v=1694700131",
        ]
    );
    assert_eq!(product.availability, Availability::Unknown, "products.json does not say");
    assert_eq!(product.source_url, page);
}

#[test]
fn a_product_serialises_with_its_price_in_minor_units() {
    let product = extract_product(&fixture("product-group.html"), "https://tarps.example/tarp").unwrap();
    let json = serde_json::to_value(&product).unwrap();
    assert_eq!(json["price"], serde_json::json!({"minor": 10900, "currency": "CAD"}));
    assert_eq!(json["availability"], "in_stock");
}
