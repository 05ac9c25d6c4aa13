//! Benchmark: candidates merged, de-duplicated and scored per second, natively.
//!
//! Builds `N` (default 100,000) supplier candidates, a fifth of them duplicates of others by id,
//! title or image, with the evidence a run brings (Reddit posts, competitor listings, TikTok
//! videos, Google Trends keywords), then times each stage of the research stage's in-memory path:
//! scoring every supplier listing, applying the evidence, and de-duplicating and ranking.
//! Run through `local/bench/research.sh`, which optimises the research and domain crates.
//!
//!     cargo run -p research --example research_bench -- [N]

use domain::{Currency, Money};
use queues::messages::SupplierProduct;
use research::candidates::{select, Candidate};
use research::evidence::{apply_all, Evidence};
use research::sources::competitors::{Competition, CompetitorProduct};
use research::sources::reddit::Mention;
use research::sources::tiktok::Video;
use research::sources::trends::Trend;
use std::time::Instant;

const NOUNS: &[&str] = &[
    "brush",
    "bowl",
    "harness",
    "collar",
    "leash",
    "bed",
    "toy",
    "fountain",
    "feeder",
    "mat",
    "glove",
    "comb",
    "clipper",
    "shampoo",
    "towel",
    "crate",
    "ramp",
    "carrier",
    "bottle",
    "perch",
    "scratcher",
    "tunnel",
];
const ADJECTIVES: &[&str] = &[
    "quiet",
    "portable",
    "orthopedic",
    "reflective",
    "automatic",
    "foldable",
    "waterproof",
    "washable",
    "interactive",
    "silicone",
    "bamboo",
    "led",
    "smart",
    "heated",
    "cooling",
    "adjustable",
    "deluxe",
];
const ANIMALS: &[&str] = &["dog", "cat", "puppy", "kitten", "rabbit", "parrot"];

/// A small deterministic generator (SplitMix64), so every run measures the same data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[(self.next() % words.len() as u64) as usize]
    }
    fn title(&mut self) -> String {
        format!(
            "{} {} {} {} for {} {}",
            self.pick(ADJECTIVES),
            self.pick(ADJECTIVES),
            self.pick(ANIMALS),
            self.pick(NOUNS),
            self.pick(ANIMALS),
            self.next() % 10_000
        )
    }
}

fn products(n: usize, rng: &mut Rng) -> Vec<SupplierProduct> {
    let mut out: Vec<SupplierProduct> = Vec::with_capacity(n);
    for i in 0..n {
        // Every fifth listing repeats an earlier one: the same id, title or image.
        if i >= 10 && i % 5 == 0 {
            let mut copy = out[(rng.next() % i as u64) as usize].clone();
            match rng.next() % 3 {
                0 => copy.source = "feed".into(),
                1 => copy.source_product_id = format!("dup-{i}"),
                _ => {
                    copy.source_product_id = format!("img-{i}");
                    copy.title = rng.title();
                }
            }
            out.push(copy);
            continue;
        }
        let id = format!("{}", 1_005_006_000_000_000u64 + i as u64);
        out.push(SupplierProduct {
            source: "aliexpress".into(),
            title: rng.title(),
            cost: Money::from_minor(150 + (rng.next() % 4_000) as i64, Currency::Usd),
            list_price: None,
            image_urls: vec![format!("https://ae01.alicdn.com/kf/{id}.jpg")],
            product_url: format!("https://www.aliexpress.com/item/{id}.html"),
            source_product_id: id,
            category: Some("Pet Supplies".into()),
            orders_30d: Some(rng.next() % 30_000),
            rating_pct: Some(90.0 + (rng.next() % 100) as f32 / 10.0),
            shipping_days: Some(4 + (rng.next() % 25) as u32),
        });
    }
    out
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut rng = Rng(42);
    let listings = products(n, &mut rng);
    let mentions: Vec<Mention> = (0..250)
        .map(|i| Mention {
            subreddit: "shutupandtakemymoney".into(),
            post_id: format!("p{i}"),
            title: rng.title(),
            score: rng.next() % 20_000,
            comments: rng.next() % 2_000,
            permalink: format!("https://www.reddit.com/r/x/comments/{i}/"),
            posted_at: None,
            links: vec![],
        })
        .collect();
    let competition = Competition {
        stores_scanned: 4,
        products: (0..250)
            .map(|i| CompetitorProduct {
                store: format!("shop{}.example", i % 4),
                id: i,
                title: rng.title(),
                handle: format!("p{i}"),
                url: format!("https://shop{}.example/products/p{i}", i % 4),
                created_at: None,
                price: None,
                image_url: None,
                new_since_last_scan: false,
            })
            .collect(),
    };
    let videos: Vec<Video> = (0..100)
        .map(|i| Video {
            id: format!("v{i}"),
            text: format!("{} #petsoftiktok", rng.title()),
            plays: rng.next() % 10_000_000,
            likes: rng.next() % 1_000_000,
            shares: rng.next() % 100_000,
            comments: 0,
            url: format!("https://www.tiktok.com/@a/video/{i}"),
            links: vec![],
        })
        .collect();
    let trends: Vec<Trend> =
        ["pet grooming", "dog harness", "cat fountain", "quiet dog brush", "smart cat toy"]
            .iter()
            .enumerate()
            .map(|(i, k)| Trend {
                keyword: (*k).into(),
                interest: 40 + 10 * i as u8,
                previous: 40,
                growth_pct: Some(25 * i as i64),
                rising: i >= 2,
            })
            .collect();

    let cpu = on_cpu();
    let all = Instant::now();
    let started = Instant::now();
    let mut candidates: Vec<Candidate> = listings
        .into_iter()
        .map(|p| Candidate::from_supplier(p, &domain::pricing::PricingRules::default()))
        .collect();
    let scored = started.elapsed();
    let started = Instant::now();
    let evidence = Evidence {
        mentions: Some(&mentions),
        competition: Some(&competition),
        videos: Some(&videos),
        trends: Some(&trends),
    };
    let applied = apply_all(&mut candidates, &evidence);
    let evidenced = started.elapsed();
    let started = Instant::now();
    let kept = select(candidates, usize::MAX);
    let deduplicated = started.elapsed();
    let total = all.elapsed();
    let cpu = on_cpu().zip(cpu).map(|(after, before)| std::time::Duration::from_nanos(after - before));

    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!("candidates: {n}; kept after de-duplication: {}", kept.len());
    println!(
        "evidence: {} mentioned, {} contested, {} on TikTok, {} rising",
        applied.mentioned, applied.contested, applied.on_tiktok, applied.rising
    );
    println!("score supplier listings: {:>8.1} ms ({:>12.0} /s)", scored.as_secs_f64() * 1e3, rate(scored));
    println!(
        "apply evidence ({} posts, {} listings, {} videos, {} keywords): {:>8.1} ms ({:>12.0} /s)",
        mentions.len(),
        competition.products.len(),
        videos.len(),
        trends.len(),
        evidenced.as_secs_f64() * 1e3,
        rate(evidenced)
    );
    println!(
        "merge + de-duplicate + rank: {:>8.1} ms ({:>12.0} /s)",
        deduplicated.as_secs_f64() * 1e3,
        rate(deduplicated)
    );
    println!("total: {:>8.1} ms ({:>12.0} candidates/s)", total.as_secs_f64() * 1e3, rate(total));
    if let Some(cpu) = cpu {
        println!(
            "of which on a core: {:>8.1} ms ({:>12.0} candidates/s; the rest of the total is spent waiting for one)",
            cpu.as_secs_f64() * 1e3,
            rate(cpu)
        );
    }
    println!("ranking digest: {:016x}", digest(&kept));
}

/// The time this thread has run on a core, in nanoseconds (Linux's scheduler statistics), so
/// that a run on a machine whose cores are shared can be told from a slow one.
fn on_cpu() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

/// FNV-1a over the ranked output (each kept product, its signals and its score, in order), so
/// that a change to the algorithms can be checked to leave what a merchant sees unchanged.
fn digest(kept: &[Candidate]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for candidate in kept {
        let entry = format!("{:?}|{:?}|{:?}\n", candidate.product, candidate.signals, candidate.score);
        for byte in entry.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
