//! The shop's reads on SQLite with the edge's real store migrations: what each page shows, that
//! each page costs one round trip to the database, and that no page reads another store's rows.

use super::*;
use crate::products;
use crate::search::SearchQuery;
use std::cell::Cell;
use std::path::PathBuf;
use tenancy::sqlite::Sqlite;

/// A database that counts its round trips.
struct Counting {
    db: Sqlite,
    trips: Cell<u32>,
}

impl Counting {
    fn trip(&self) {
        self.trips.set(self.trips.get() + 1);
    }

    /// The round trips since the last call.
    fn take(&self) -> u32 {
        self.trips.replace(0)
    }
}

impl Sql for Counting {
    type Rows = <Sqlite as Sql>::Rows;

    async fn all<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, SqlError> {
        self.trip();
        self.db.all(statement).await
    }

    async fn first<T: DeserializeOwned>(&self, statement: Statement) -> Result<Option<T>, SqlError> {
        self.trip();
        self.db.first(statement).await
    }

    async fn run(&self, statement: Statement) -> Result<tenancy::sql::Outcome, SqlError> {
        self.trip();
        self.db.run(statement).await
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<tenancy::sql::Outcome>, SqlError> {
        self.trip();
        self.db.batch(statements).await
    }

    async fn read_batch(&self, statements: Vec<Statement>) -> Result<Vec<Self::Rows>, SqlError> {
        self.trip();
        self.db.read_batch(statements).await
    }
}

const STORE: &str = "00000000-0000-4000-8000-000000000001";
const OTHER: &str = "00000000-0000-4000-8000-000000000002";

fn product(id: &str, store: &str, slug: &str, price: i64, status: &str, created: &str) -> String {
    format!(
        "INSERT INTO products (id, store_id, slug, title, description, features, meta_title, meta_description, \
         keywords, price_minor, cost_minor, currency, images, status, created_at, updated_at) VALUES \
         ('{id}', '{store}', '{slug}', 'T {slug}', '[\"About {slug}.\"]', '[]', '', '', '[]', {price}, 100, 'EUR', \
         '[\"https://img.example/{slug}.jpg\"]', '{status}', '{created}', '{created}');"
    )
}

/// Store 1: six published products (and a draft) in the collection `tools` with distinct
/// prices, positions, sales and ages, variants on `brush`, renamed slugs, a post, a page; store
/// 2 has a product of its own, also at `brush`.
fn shop() -> Counting {
    let migrations = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../edge/migrations/store");
    let db = Sqlite::with_migrations(&[&migrations]).expect("the store migrations apply");
    let mut script = String::new();
    // (id, slug, price, position, sold, created day)
    let items = [
        ("p1", "brush", 2000, 3, 2, 1),
        ("p2", "comb", 1000, 1, 5, 2),
        ("p3", "mirror", 3000, 2, 2, 3),
        ("p4", "towel", 1500, 5, 0, 4),
        ("p5", "scissors", 2500, 4, 9, 5),
        ("p6", "spray", 1200, 6, 0, 6),
    ];
    script += "INSERT INTO collections (id, store_id, slug, title, sort, featured, created_at, updated_at) VALUES \
               ('c1', '00000000-0000-4000-8000-000000000001', 'tools', 'Tools', 'price_desc', 1, '2026-01-01', '2026-01-01');";
    script += "INSERT INTO checkouts (id, store_id, cart_id, access_token, email, items, subtotal_minor, currency, created_at, updated_at) \
               VALUES ('k1', '00000000-0000-4000-8000-000000000001', 'cart', 'paid-token', 'a@example.com', \
               '[{\"title\":\"T comb\",\"variant_title\":null,\"unit_price_minor\":1000,\"quantity\":5}]', 5000, 'EUR', '2026-01-01', '2026-01-01'), \
               ('k2', '00000000-0000-4000-8000-000000000001', 'cart2', 'open-token', 'b@example.com', '[]', 700, 'EUR', '2026-01-01', '2026-01-01');";
    script += "INSERT INTO orders (id, store_id, number, checkout_id, access_token, email, subtotal_minor, total_minor, currency, stripe_session_id, created_at) \
               VALUES ('k1', '00000000-0000-4000-8000-000000000001', 1001, 'k1', 'paid-token', 'a@example.com', 5000, 5490, 'EUR', 'cs_1', '2026-01-01');";
    for (id, slug, price, position, sold, day) in items {
        script += &product(id, STORE, slug, price, "published", &format!("2026-01-0{day}"));
        script += &format!(
            "INSERT INTO collection_products (store_id, collection_id, product_id, position) VALUES ('{STORE}', 'c1', '{id}', {position});"
        );
        if sold > 0 {
            script += &format!(
                "INSERT INTO order_items (store_id, order_id, position, product_id, title, unit_price_minor, quantity) \
                 VALUES ('{STORE}', 'k1', {position}, '{id}', 'T {slug}', {price}, {sold});"
            );
        }
    }
    script += &product("p7", STORE, "draft", 900, "draft", "2026-01-07");
    script += &format!("INSERT INTO collection_products (store_id, collection_id, product_id, position) VALUES ('{STORE}', 'c1', 'p7', 0);");
    script += &product("q1", OTHER, "brush", 9900, "published", "2026-01-01");
    script += &product("q2", OTHER, "only-theirs", 9900, "published", "2026-01-01");
    script += &format!(
        "INSERT INTO product_variants (id, store_id, product_id, title, options, price_minor, stock, position) VALUES \
         ('v1', '{STORE}', 'p1', 'Red', '{{}}', 2500, 0, 0), ('v2', '{STORE}', 'p1', 'Blue', '{{}}', 1800, 5, 1);"
    );
    script += &format!(
        "INSERT INTO slug_redirects (store_id, kind, old_slug, target_id, created_at) VALUES \
         ('{STORE}', 'product', 'old-brush', 'p1', '2026-01-01'), ('{STORE}', 'collection', 'old-tools', 'c1', '2026-01-01'), \
         ('{STORE}', 'page', 'about', 'g1', '2026-01-01'), ('{OTHER}', 'product', 'their-old', 'q1', '2026-01-01');"
    );
    script += &format!(
        "INSERT INTO pages (id, store_id, kind, slug, title, body_html, created_at, updated_at) VALUES \
         ('g1', '{STORE}', 'about', 'about-us', 'About us', '<p>Hi.</p>', '2026-01-01', '2026-01-01');"
    );
    script += &format!(
        "INSERT INTO posts (id, store_id, slug, title, body_html, status, published_at, created_at, updated_at) VALUES \
         ('b1', '{STORE}', 'hello', 'Hello', '<p>Hello.</p>', 'published', '2026-01-02', '2026-01-01', '2026-01-02');"
    );
    db.execute_script(&script).expect("the fixture applies");
    Counting { db, trips: Cell::new(0) }
}

/// Store 1's handle.
fn store(db: &Counting) -> StoreDb<&Counting> {
    StoreDb::new(db, STORE.parse().unwrap())
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    pollster::block_on(future)
}

fn slugs(cards: &[Card]) -> Vec<&str> {
    cards.iter().map(|c| c.slug.as_str()).collect()
}

fn trips(db: &Counting) -> u32 {
    db.take()
}

#[test]
fn the_home_page_is_one_round_trip_with_the_featured_collection_in_its_own_order() {
    let counting = shop();
    let db = store(&counting);
    let home = run(home(&db, Currency::Usd)).unwrap();
    assert_eq!(trips(&counting), 1);
    let (title, slug, cards) = home.featured.expect("a featured collection");
    assert_eq!((title.as_str(), slug.as_str()), ("Tools", "tools"));
    // Price, high to low; the draft is never shown.
    assert_eq!(slugs(&cards), ["mirror", "scissors", "brush", "towel", "spray", "comb"]);
    assert_eq!(slugs(&home.best_sellers), ["scissors", "comb", "brush", "mirror"]);
    assert_eq!(slugs(&home.newest), ["spray", "scissors", "towel", "mirror", "comb", "brush"]);
    assert_eq!(cards[0].price, Money::from_minor(3000, Currency::Eur));
}

#[test]
fn a_collection_in_its_own_order_lists_as_the_same_sort_chosen_by_the_shopper() {
    let counting = shop();
    let db = store(&counting);
    for sort in Sort::ALL {
        run(db.execute("UPDATE collections SET sort = ?2 WHERE store_id = ?1", vec![sort.key().into()]))
            .unwrap();
        let Found::Page(own) =
            run(collection(&db, "tools", None, Filter::default(), 1, Currency::Usd)).unwrap()
        else {
            panic!("the collection exists")
        };
        let Found::Page(chosen) =
            run(collection(&db, "tools", Some(sort), Filter::default(), 1, Currency::Usd)).unwrap()
        else {
            panic!("the collection exists")
        };
        assert_eq!(slugs(&own.cards), slugs(&chosen.cards), "{sort:?}");
        assert_eq!(own.sort, sort);
    }
    let expected = [
        (Sort::Manual, ["comb", "mirror", "brush", "scissors", "towel", "spray"]),
        (Sort::BestSelling, ["scissors", "comb", "mirror", "brush", "towel", "spray"]),
        (Sort::Newest, ["spray", "scissors", "towel", "mirror", "comb", "brush"]),
        (Sort::PriceAsc, ["comb", "spray", "towel", "brush", "scissors", "mirror"]),
    ];
    for (sort, order) in expected {
        let Found::Page(page) =
            run(collection(&db, "tools", Some(sort), Filter::default(), 1, Currency::Usd)).unwrap()
        else {
            panic!("the collection exists")
        };
        assert_eq!(slugs(&page.cards), order, "{sort:?}");
    }
}

#[test]
fn a_collection_page_is_one_round_trip_counting_only_published_products() {
    let counting = shop();
    let db = store(&counting);
    trips(&counting);
    let Found::Page(page) = run(collection(&db, "tools", None, Filter::default(), 1, Currency::Usd)).unwrap()
    else {
        panic!("the collection exists")
    };
    assert_eq!(trips(&counting), 1);
    assert_eq!((page.total, page.pages(), page.cards.len()), (6, 1, 6));
    let Found::Page(beyond) =
        run(collection(&db, "tools", None, Filter::default(), 2, Currency::Usd)).unwrap()
    else {
        panic!("the collection exists")
    };
    assert!(beyond.cards.is_empty() && beyond.page > beyond.pages());
    assert!(
        matches!(run(collection(&db, "old-tools", None, Filter::default(), 1, Currency::Usd)).unwrap(), Found::Moved(s) if s == "tools")
    );
    assert!(matches!(
        run(collection(&db, "nothing", None, Filter::default(), 1, Currency::Usd)).unwrap(),
        Found::Missing
    ));
}

#[test]
fn a_product_page_is_one_round_trip_priced_at_its_cheapest_variant_in_stock() {
    let counting = shop();
    let db = store(&counting);
    let Found::Page(brush) = run(products::by_slug(&db, "brush", Currency::Usd, "US")).unwrap() else {
        panic!("brush is published")
    };
    assert_eq!(trips(&counting), 1);
    assert_eq!(brush.title, "T brush", "store 1's brush, not store 2's");
    assert_eq!(brush.variants.iter().map(|v| v.title.as_str()).collect::<Vec<_>>(), ["Red", "Blue"]);
    assert_eq!(brush.price, Money::from_minor(1800, Currency::Eur));
}

#[test]
fn a_product_page_states_its_stores_own_shipping_as_the_checkout_applies_it_in_the_same_round_trip() {
    let counting = shop();
    let db = store(&counting);
    let Found::Page(brush) = run(products::by_slug(&db, "brush", Currency::Usd, "GB")).unwrap() else {
        panic!("brush is published")
    };
    // No settings yet: free standard shipping to the target market, as the checkout's default.
    assert_eq!(brush.delivery.countries, ["GB"]);
    assert_eq!(brush.delivery.rates.iter().map(|r| r.amount_minor).collect::<Vec<_>>(), [0]);
    assert_eq!(brush.delivery.free_over, None);

    counting
        .db
        .execute_script(&format!(
            "UPDATE products SET source = 'aliexpress' WHERE id = 'p1'; \
             INSERT INTO shipping_settings (store_id, countries, standard_minor, express_minor, free_over_minor, updated_at) VALUES \
             ('{STORE}', '[\"US\",\"CA\"]', 499, 1499, 5000, '2026-01-01'), ('{OTHER}', '[\"FR\"]', 9, NULL, NULL, '2026-01-01');"
        ))
        .unwrap();
    trips(&counting);
    let Found::Page(brush) = run(products::by_slug(&db, "brush", Currency::Usd, "GB")).unwrap() else {
        panic!("brush is published")
    };
    assert_eq!(trips(&counting), 1);
    assert_eq!(brush.delivery.countries, ["US", "CA"], "store 1's settings, not store 2's");
    let rates: Vec<_> =
        brush.delivery.rates.iter().map(|r| (r.display_name(), r.amount_minor, r.days)).collect();
    assert_eq!(rates, [("Standard shipping", 499, (10, 20)), ("Express shipping", 1499, (5, 10))]);
    assert_eq!(brush.delivery.free_over, Some(Money::from_minor(5000, Currency::Eur)));
}

#[test]
fn renamed_and_unknown_product_slugs_answer_in_the_same_round_trip() {
    let counting = shop();
    let db = store(&counting);
    assert!(
        matches!(run(products::by_slug(&db, "old-brush", Currency::Usd, "US")).unwrap(), Found::Moved(s) if s == "brush")
    );
    assert_eq!(trips(&counting), 1);
    assert!(matches!(run(products::by_slug(&db, "draft", Currency::Usd, "US")).unwrap(), Found::Missing));
    assert!(matches!(run(products::by_slug(&db, "nothing", Currency::Usd, "US")).unwrap(), Found::Missing));
}

#[test]
fn another_stores_products_and_redirects_are_never_read() {
    let counting = shop();
    let db = store(&counting);
    assert!(matches!(
        run(products::by_slug(&db, "only-theirs", Currency::Usd, "US")).unwrap(),
        Found::Missing
    ));
    assert!(matches!(run(products::by_slug(&db, "their-old", Currency::Usd, "US")).unwrap(), Found::Missing));
    let found = run(products::search(&db, &SearchQuery::parse("only"), Currency::Usd)).unwrap();
    assert!(found.is_empty());
    let lines = run(lines(&db, &[("q1", None)], Currency::Usd)).unwrap();
    assert_eq!(lines, [None]);
}

#[test]
fn cart_lines_are_priced_now_in_one_round_trip() {
    let counting = shop();
    let db = store(&counting);
    let known = run(lines(
        &db,
        &[
            ("p1", None),
            ("p1", Some("v2")),
            ("p2", None),
            ("p7", None),
            ("p2", Some("v1")),
            ("p1", Some("nope")),
        ],
        Currency::Usd,
    ))
    .unwrap();
    assert_eq!(trips(&counting), 1);
    let blue = known[1].as_ref().expect("a variant of brush");
    assert_eq!((blue.variant.as_deref(), blue.price), (Some("Blue"), Money::from_minor(1800, Currency::Eur)));
    let comb = known[2].as_ref().expect("comb has no variants");
    assert_eq!((comb.slug.as_str(), comb.price), ("comb", Money::from_minor(1000, Currency::Eur)));
    assert!(known[0].is_none(), "brush has variants, so one must be chosen");
    assert!(known[3].is_none(), "a draft is not sold");
    assert!(known[4].is_none() && known[5].is_none(), "a variant of another product, or none");
}

#[test]
fn an_order_page_shows_the_paid_order_or_else_its_checkout_in_one_round_trip() {
    let counting = shop();
    let db = store(&counting);
    let (paid, tracking) = run(order(&db, "paid-token", Currency::Usd)).unwrap().expect("a paid order");
    assert_eq!(trips(&counting), 1);
    assert_eq!(tracking.state.as_deref(), Some("paid"));
    assert_eq!((paid.number, paid.total), (Some(1001), Money::from_minor(5490, Currency::Eur)));
    assert_eq!(paid.items.len(), 1);
    let (open, _) = run(order(&db, "open-token", Currency::Usd)).unwrap().expect("an open checkout");
    assert_eq!((open.number, open.total), (None, Money::from_minor(700, Currency::Eur)));
    assert!(run(order(&db, "nothing", Currency::Usd)).unwrap().is_none());
}

#[test]
fn pages_posts_and_their_renamed_slugs_are_one_round_trip_each() {
    let counting = shop();
    let db = store(&counting);
    assert!(matches!(run(page(&db, "about-us", "Shop")).unwrap(), Found::Page(p) if p.title == "About us"));
    assert_eq!(trips(&counting), 1);
    assert!(matches!(run(page(&db, "about", "Shop")).unwrap(), Found::Moved(s) if s == "about-us"));
    assert!(
        matches!(run(page(&db, "shipping", "Shop")).unwrap(), Found::Page(p) if p.slug == "shipping"),
        "a standard page not written yet shows its defaults"
    );
    assert!(matches!(run(page(&db, "nothing", "Shop")).unwrap(), Found::Missing));
    assert!(matches!(run(post(&db, "hello")).unwrap(), Found::Page(p) if p.title == "Hello"));
    assert_eq!(trips(&counting), 4);
    assert_eq!(run(posts(&db)).unwrap().len(), 1);
}

#[test]
fn cards_say_when_every_variant_is_sold_out() {
    let counting = shop();
    let db = store(&counting);
    let sold_out = |db: &StoreDb<&Counting>| {
        let home = run(home(db, Currency::Usd)).unwrap();
        home.newest.iter().filter(|c| c.sold_out).map(|c| c.slug.clone()).collect::<Vec<_>>()
    };
    assert!(sold_out(&db).is_empty(), "brush's Blue is in stock; products without variants never sell out");
    run(db.execute("UPDATE product_variants SET stock = 0 WHERE store_id = ?1", vec![])).unwrap();
    assert_eq!(sold_out(&db), ["brush"]);
}

#[test]
fn all_products_is_every_published_product_filtered_by_price_and_stock_in_one_round_trip() {
    let counting = shop();
    let db = store(&counting);
    trips(&counting);
    let page = |filter, sort| match run(collection(&db, "all", sort, filter, 1, Currency::Eur)).unwrap() {
        Found::Page(page) => page,
        _ => panic!("all products is always there"),
    };
    let all = page(Filter::default(), Some(Sort::PriceAsc));
    assert_eq!(trips(&counting), 1);
    assert_eq!((all.title.as_str(), all.total), ("All products", 6));
    assert_eq!(slugs(&all.cards), ["comb", "spray", "towel", "brush", "scissors", "mirror"]);
    let best = page(Filter::default(), None);
    assert_eq!(best.sort, Sort::BestSelling);
    assert_eq!(
        slugs(&best.cards),
        ["scissors", "comb", "mirror", "brush", "spray", "towel"],
        "ties newest first"
    );
    let newest = page(Filter::default(), Some(Sort::Manual));
    assert_eq!(slugs(&newest.cards), ["spray", "scissors", "towel", "mirror", "comb", "brush"]);
    let middle = page(Filter { in_stock: false, min: Some(12), max: Some(25) }, Some(Sort::PriceAsc));
    assert_eq!((slugs(&middle.cards), middle.total), (vec!["spray", "towel", "brush", "scissors"], 4));
    run(db.execute("UPDATE product_variants SET stock = 0 WHERE store_id = ?1", vec![])).unwrap();
    let in_stock = page(Filter { in_stock: true, min: None, max: None }, Some(Sort::PriceAsc));
    assert_eq!(slugs(&in_stock.cards), ["comb", "spray", "towel", "scissors", "mirror"]);
    let Found::Page(tools) = run(collection(
        &db,
        "tools",
        Some(Sort::PriceAsc),
        Filter { in_stock: true, min: None, max: Some(15) },
        1,
        Currency::Eur,
    ))
    .unwrap() else {
        panic!("the collection exists")
    };
    assert_eq!((slugs(&tools.cards), tools.total), (vec!["comb", "spray", "towel"], 3));
}

#[test]
fn related_products_share_a_collection_first_and_never_include_the_product() {
    let counting = shop();
    let db = store(&counting);
    run(db.execute(
        "INSERT INTO products (id, store_id, slug, title, description, features, meta_title, meta_description, \
         keywords, price_minor, cost_minor, currency, images, status, created_at, updated_at) VALUES \
         ('p8', ?1, 'newest-alone', 'T', '[]', '[]', '', '', '[]', 100, 10, 'EUR', '[]', 'published', '2026-02-01', '2026-02-01')",
        vec![],
    ))
    .unwrap();
    trips(&counting);
    let Found::Page(brush) = run(products::by_slug(&db, "brush", Currency::Usd, "US")).unwrap() else {
        panic!("brush is published")
    };
    assert_eq!(trips(&counting), 1);
    assert_eq!(
        slugs(&brush.related),
        ["spray", "scissors", "towel", "mirror"],
        "tools before the newer loner"
    );
    let Found::Page(alone) = run(products::by_slug(&db, "newest-alone", Currency::Usd, "US")).unwrap() else {
        panic!("published")
    };
    assert_eq!(slugs(&alone.related), ["spray", "scissors", "towel", "mirror"], "the newest others");
}

#[test]
fn a_paid_orders_review_page_lists_its_products_and_a_product_page_shows_approved_reviews_only() {
    let counting = shop();
    let db = store(&counting);
    let view = run(reviewable(&db, "paid-token")).unwrap().expect("a paid order");
    assert_eq!(trips(&counting), 1);
    assert_eq!(view.number, 1001);
    let products: Vec<&str> = view.items.iter().map(|i| i.product_id.as_str()).collect();
    assert!(
        !products.is_empty() && products.iter().all(|p| ["p1", "p2", "p3", "p5"].contains(p)),
        "{products:?}"
    );
    assert!(view.items.iter().all(|i| i.reviewed == 0));
    assert!(
        run(reviewable(&db, "open-token")).unwrap().is_none(),
        "an unpaid checkout has nothing to review"
    );
    let other = StoreDb::new(&counting, OTHER.parse().unwrap());
    assert!(run(reviewable(&other, "paid-token")).unwrap().is_none(), "another store's order");

    let first = &view.items[0].product_id;
    // Three buyers' reviews: each from an order of its own (the first from this one).
    let review = |id: &str, order: &str, rating: u8, status: &str| {
        let other_order = format!(
            "INSERT OR IGNORE INTO orders (id, store_id, number, checkout_id, access_token, email, subtotal_minor, \
             total_minor, currency, stripe_session_id, created_at) VALUES ('{order}', '{STORE}', 1{}, '{order}', \
             'tok-{order}', 'x@example.com', 1, 1, 'EUR', 'cs', '2026-01-01');",
            id.len()
        );
        other_order
            + &format!(
                "INSERT INTO reviews (store_id, id, product_id, order_id, rating, title, body, author, status, created_at) \
                 VALUES ('{STORE}', '{id}', '{first}', '{order}', {rating}, 'T{id}', 'B{id}', 'A{id}', '{status}', '2026-01-0{}');",
                id.len()
            )
    };
    counting
        .db
        .execute_script(
            &(review("r1", "k1", 5, "approved")
                + &review("r22", "k8", 4, "approved")
                + &review("r333", "k9", 1, "pending")),
        )
        .unwrap();
    let again = run(reviewable(&db, "paid-token")).unwrap().unwrap();
    assert_eq!(again.items.iter().find(|i| &i.product_id == first).unwrap().reviewed, 1);

    assert_eq!(first, "p2", "the order's products in their order");
    trips(&counting);
    let Found::Page(page) = run(products::by_slug(&db, "comb", Currency::Eur, "US")).unwrap() else {
        panic!("the reviewed product's page")
    };
    assert_eq!(trips(&counting), 1, "reviews come in the product page's one round trip");
    assert_eq!(page.rating, Some((4.5, 2)), "approved reviews only");
    let shown: Vec<&str> = page.reviews.iter().map(|r| r.author.as_str()).collect();
    assert_eq!(shown, ["Ar22", "Ar1"], "newest first");
}
