//! CPU time to render pages natively, without a harness crate: a 24-product collection page, a
//! product page with variants and the home page, each rendered many times; prints the median and
//! the 99th percentile per render.
//!
//! `cargo bench -p storefront-worker --bench render`

use domain::{Currency, Money, StoreHost};
use std::hint::black_box;
use std::time::Instant;
use storefront_worker::render::{
    self, Card, CollectionPage, Filter, HomePage, Look, Product, Site, Sort, Theme, Variant,
};
use storefront_worker::urls::Origin;

fn site() -> Site {
    let host = StoreHost::parse("demo.localhost:8788").unwrap();
    Site {
        name: "Cozy Paws".into(),
        origin: Origin::new("http", &host, "demo.localhost:8788"),
        look: Look {
            theme: Theme::Bold,
            brand: (0xd9, 0x46, 0x0f),
            logo: Some("/media/logo.webp".into()),
            announcement: "Free returns within 30 days".into(),
            menu: vec!["grooming Grooming".into(), "beds Beds".into()],
            ..Look::default()
        },
    }
}

fn cards(n: usize) -> Vec<Card> {
    (0..n)
        .map(|i| Card {
            slug: format!("self-cleaning-slicker-brush-{i}"),
            title: format!("Self-Cleaning Slicker Brush for Long-Haired Cats & Dogs No. {i}"),
            price: Money::from_minor(2_499 + i as i64 * 100, Currency::Usd),
            compare_at: (i % 3 == 0).then(|| Money::from_minor(3_999, Currency::Usd)),
            image: Some(format!("/media/brush-{i}.webp")),
            sold_out: i % 7 == 0,
        })
        .collect()
}

fn measure(name: &str, runs: usize, mut render: impl FnMut() -> String) {
    for _ in 0..runs / 10 {
        black_box(render());
    }
    let mut times = Vec::with_capacity(runs);
    let mut bytes = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let html = black_box(render());
        times.push(started.elapsed());
        bytes = html.len();
    }
    times.sort();
    let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "{name:<28} {runs} renders: p50 {:>7.1} µs  p99 {:>7.1} µs  ({bytes} bytes)",
        p(0.50).as_secs_f64() * 1e6,
        p(0.99).as_secs_f64() * 1e6
    );
}

fn main() {
    let site = site();
    let collection = CollectionPage {
        slug: "grooming".into(),
        title: "Grooming".into(),
        description_html:
            "<p>Brushes, combs and <strong>everything</strong> for a calm grooming routine.</p>".into(),
        meta_title: String::new(),
        meta_description: String::new(),
        default_sort: Sort::BestSelling,
        sort: Sort::BestSelling,
        filter: Filter::default(),
        page: 1,
        total: 60,
        per_page: 24,
        cards: cards(24),
    };
    measure("collection page (24 cards)", 20_000, || render::collection(&site, &collection));

    let product = Product {
        id: "0b6f2c1e-8a43-4c5e-9f1a-3d2b7c6e5a41".into(),
        slug: "self-cleaning-slicker-brush".into(),
        title: "Self-Cleaning Slicker Brush".into(),
        price: Money::from_minor(2_499, Currency::Usd),
        compare_at: Some(Money::from_minor(3_999, Currency::Usd)),
        images: (0..5).map(|i| format!("/media/brush-{i}.webp")).collect(),
        description: vec!["Soft pins lift loose fur without scratching.".into(); 4],
        features: vec!["One click cleans it".into(); 6],
        meta_title: String::new(),
        meta_description: String::new(),
        variants: (0..6)
            .map(|i| Variant {
                id: format!("variant-{i}"),
                title: format!("Colour {i} / Size M"),
                price: Money::from_minor(2_499, Currency::Usd),
                compare_at: None,
                stock: Some(i),
            })
            .collect(),
        related: cards(4),
        reviews: Vec::new(),
        rating: None,
        delivery: storefront_worker::render::Delivery::default(),
    };
    measure("product page (6 variants)", 20_000, || render::product(&site, &product));

    let home = HomePage {
        featured: Some(("Summer".into(), "summer".into(), cards(8))),
        best_sellers: cards(8),
        newest: cards(24),
    };
    measure("home page (40 cards)", 20_000, || render::home(&site, &home));
}
