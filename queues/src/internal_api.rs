//! The edge's internal API: the only way the pipelines write to D1.
//!
//! Each request is signed with HMAC-SHA256 over a canonical string of method, path with query,
//! timestamp, nonce and the SHA-256 of the body, under a secret shared by the edge and the
//! functions. The edge refuses a request whose timestamp is outside [`MAX_SKEW_SECS`] of its clock
//! (stale) or whose nonce it has seen (replayed).
//!
//! [`calls`] names every call: its method, path, path parameters, body and answer.

use domain::catalog::{CatalogError, Images, Prices, ProductFields};
use domain::content::ProductContent;
use domain::{Money, ProductId, RunId, StoreId, TenantId};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub mod calls;

/// Header carrying the Unix time of signing, in seconds.
pub const TIMESTAMP_HEADER: &str = "x-dropship-timestamp";
/// Header carrying a single-use random nonce.
pub const NONCE_HEADER: &str = "x-dropship-nonce";
/// Header carrying the hex HMAC-SHA256 signature.
pub const SIGNATURE_HEADER: &str = "x-dropship-signature";
/// How far a request's timestamp may be from the edge's clock.
pub const MAX_SKEW_SECS: i64 = 300;

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A signing header is absent or malformed.
    #[error("missing or malformed {0} header")]
    Header(&'static str),
    /// The timestamp is too far from now.
    #[error("request timestamp is outside the allowed window")]
    Stale,
    /// The signature does not match.
    #[error("signature does not match")]
    Mismatch,
}

/// The string that is signed.
pub fn canonical_string(
    method: &str,
    path_and_query: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    let body_hash = hex::encode(Sha256::digest(body));
    format!("{}\n{}\n{}\n{}\n{}", method.to_ascii_uppercase(), path_and_query, timestamp, nonce, body_hash)
}

/// Signs a request; the result goes in [`SIGNATURE_HEADER`].
pub fn sign(
    secret: &[u8],
    method: &str,
    path_and_query: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(canonical_string(method, path_and_query, timestamp, nonce, body).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The signing headers of a received request, as strings.
#[derive(Debug, Clone, Copy)]
pub struct SignedHeaders<'a> {
    /// [`TIMESTAMP_HEADER`].
    pub timestamp: Option<&'a str>,
    /// [`NONCE_HEADER`].
    pub nonce: Option<&'a str>,
    /// [`SIGNATURE_HEADER`].
    pub signature: Option<&'a str>,
}

/// Checks a request's signature and freshness. Replay of a nonce is checked by the caller, which
/// owns the store of seen nonces; this returns the nonce to record.
pub fn verify<'a>(
    secret: &[u8],
    method: &str,
    path_and_query: &str,
    body: &[u8],
    headers: SignedHeaders<'a>,
    now_unix: i64,
) -> Result<&'a str, SignatureError> {
    let timestamp: i64 =
        headers.timestamp.and_then(|t| t.parse().ok()).ok_or(SignatureError::Header(TIMESTAMP_HEADER))?;
    let nonce = headers
        .nonce
        .filter(|n| {
            (16..=128).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .ok_or(SignatureError::Header(NONCE_HEADER))?;
    let signature = headers
        .signature
        .and_then(|s| hex::decode(s).ok())
        .ok_or(SignatureError::Header(SIGNATURE_HEADER))?;
    if (now_unix - timestamp).abs() > MAX_SKEW_SECS {
        return Err(SignatureError::Stale);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(canonical_string(method, path_and_query, timestamp, nonce, body).as_bytes());
    mac.verify_slice(&signature).map_err(|_| SignatureError::Mismatch)?;
    Ok(nonce)
}

/// `POST /internal/stores/{store_id}/subscribe`: a shopper signs up on the storefront's own form;
/// the storefront passes the shopper's address on so that rate limits hold per shopper. Answers
/// like the public sign-up (`{"status": "pending"}`) and with its errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorefrontSubscribe {
    /// What the shopper typed.
    pub email: String,
    /// Their first name, if the form asked.
    pub first_name: Option<String>,
    /// The shopper's IP address (`CF-Connecting-IP` at the storefront).
    pub ip: String,
}

/// A buyer's review of one product of their order, from the order's review page: the order is
/// named by its unguessable token, which proves the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSubmission {
    /// The order page's token.
    pub order_token: String,
    /// The product reviewed.
    pub product_id: String,
    /// 1 to 5 stars.
    pub rating: u8,
    /// The review's title.
    pub title: String,
    /// What the buyer wrote.
    pub body: String,
    /// The name shown with the review.
    pub author: String,
}

/// A review received: it waits for the merchant's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewReceived {
    /// The review's id.
    pub id: String,
    /// `pending`.
    pub status: String,
}

/// What `POST /internal/stores/{store_id}/subscribe` answers, like the public sign-up. The same
/// for every address, so that it never tells whether an address is on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscribed {
    /// `pending`: a link to confirm the subscription is mailed to the address, unless it is on
    /// the list already or cannot receive mail.
    pub status: String,
}

/// The body of a call that sends nothing: `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// `POST /internal/billing/lapse`: move the tenants whose payment has been overdue for the whole
/// grace period to Starter, and mail their owners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LapseDuePlans {
    /// How many tenants to move at most in one call.
    pub limit: u32,
    /// The time the schedule fired for (RFC 3339); the edge's clock when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// What a [`LapseDuePlans`] call did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlansLapsed {
    /// Tenants moved to Starter by this call.
    pub lapsed: u32,
    /// Whether more tenants are due: call again.
    pub more: bool,
}

/// `POST /internal/domains/recheck`: check that the verified custom domains due for it still carry
/// their TXT record, and release those whose record has been missing too long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecheckDueDomains {
    /// How many domains to check at most in one call.
    pub limit: u32,
    /// The time the schedule fired for (RFC 3339); the edge's clock when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// What a [`RecheckDueDomains`] call did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainsRechecked {
    /// Domains checked.
    pub checked: u32,
    /// Of those, domains whose record was not found.
    pub missing: u32,
    /// Of those, domains released because their record has been missing too long.
    pub released: u32,
    /// Whether more domains are due: call again.
    pub more: bool,
}

/// `POST /internal/research-runs/due`: claim the research runs that are due now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDueRuns {
    /// How many runs to claim at most in one call.
    pub limit: u32,
    /// The time the schedule fired for (RFC 3339), which decides which stores are due; the
    /// edge's clock when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// One research run the fan-out must enqueue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueRun {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The store.
    pub store_id: StoreId,
    /// The run, recorded by the edge; claiming again in the same window returns the same run.
    pub run_id: RunId,
    /// The store's niche.
    pub niche: String,
    /// How many products the run may import.
    pub max_imports: u16,
}

/// Answer to [`ClaimDueRuns`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueRuns {
    /// The runs to enqueue.
    pub runs: Vec<DueRun>,
}

/// Whether an imported product goes live at once: the catalog's status (`published` or `draft`).
pub use domain::catalog::ProductStatus as PublishStatus;

/// `POST /internal/stores/{store_id}/products`: publish an imported product. Idempotent on
/// (`source`, `source_product_id`): a second call returns the first product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishProduct {
    /// The tenant the store must belong to.
    pub tenant_id: TenantId,
    /// Where the product came from.
    pub source: String,
    /// The product's id at its source.
    pub source_product_id: String,
    /// Title, description, features, meta fields and keywords.
    pub content: ProductContent,
    /// Selling price.
    pub price: Money,
    /// Compare-at price.
    pub compare_at: Option<Money>,
    /// Supplier cost.
    pub cost: Money,
    /// Image URLs, first is the main image.
    pub images: Vec<String>,
    /// Published or draft.
    pub status: PublishStatus,
    /// The research run that found it.
    pub research_run_id: Option<RunId>,
    /// Its research score.
    pub score: Option<f32>,
    /// The supplier's category name, which a new store's launch groups products into collections by.
    #[serde(default)]
    pub category: Option<String>,
}

impl PublishProduct {
    /// The product to publish, by the catalog's rules (the same the merchant API holds products
    /// to): content, images (https or `/media/<name>.webp`), prices (positive, compare-at above,
    /// cost not negative, one currency) and status. The first broken rule is returned, naming
    /// its field. The store's own currency is the edge's to check.
    pub fn fields(&self) -> Result<ProductFields, CatalogError> {
        let content = self.content.checked()?;
        Ok(ProductFields {
            title: content.title,
            description: content.description,
            features: content.features,
            meta_title: content.meta_title,
            meta_description: content.meta_description,
            keywords: content.keywords,
            images: Images::parse(self.images.iter().map(String::as_str))?,
            prices: Prices::new(self.price, self.compare_at, self.cost)?,
            status: self.status,
        })
    }
}

/// Answer to [`PublishProduct`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedProduct {
    /// The product's id.
    pub product_id: ProductId,
    /// Its URL slug.
    pub slug: String,
    /// False when the product already existed and nothing was written.
    pub created: bool,
}

/// `POST /internal/stores/{store_id}/research-runs/{run_id}/report`: what a research run found.
/// Reporting the same run again replaces its report and refreshes its watchlist items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// The tenant the store must belong to.
    pub tenant_id: TenantId,
    /// Sources asked, and whether each answered.
    pub sources: Vec<SourceCoverage>,
    /// Candidates seen after de-duplication.
    pub candidates: u32,
    /// Candidates sent to import.
    pub selected: u32,
    /// Candidates left out because the store already has them.
    #[serde(default)]
    pub excluded: u32,
    /// Candidates for the store's watchlist (AI score between the store's thresholds).
    #[serde(default)]
    pub watchlist: Vec<WatchItem>,
    /// The best candidates analysed, best first, with what was decided for each.
    #[serde(default)]
    pub top: Vec<Opportunity>,
}

/// A product worth watching: promising, not (yet) good enough to import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchItem {
    /// Where it came from.
    pub source: String,
    /// Its id at the source.
    pub source_product_id: String,
    /// The supplier's title (untrusted text).
    pub title: String,
    /// Its page at the supplier.
    pub product_url: String,
    /// Its main image.
    pub image_url: Option<String>,
    /// What the store would pay.
    pub cost: Money,
    /// The research score, 0 to 100.
    pub research_score: f32,
    /// The AI analysis' score, 0 to 100.
    pub ai_score: u8,
    /// Why, in the analysis' words.
    pub reasoning: String,
    /// The price the analysis suggests.
    pub suggested_price: Money,
}

/// One of a run's top opportunities, as its report lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    /// Where it came from.
    pub source: String,
    /// Its id at the source.
    pub source_product_id: String,
    /// The supplier's title (untrusted text).
    pub title: String,
    /// The research score, 0 to 100.
    pub research_score: f32,
    /// The AI analysis' score, if it was analysed.
    pub ai_score: Option<u8>,
    /// `import`, `watch`, `skip`, or `unanalysed`.
    pub decision: String,
}

/// A research run as the edge shows it: what `POST
/// /internal/stores/{store_id}/research-runs/{run_id}/report` answers, and what the merchant API
/// shows of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResearchRunView {
    /// The run.
    pub id: String,
    /// `manual` or `schedule`.
    pub trigger: String,
    /// The schedule window a scheduled run belongs to.
    pub window_start: Option<String>,
    /// `queued` until reported, then `completed`.
    pub status: String,
    /// Candidates seen.
    pub candidates: Option<i64>,
    /// Candidates sent to import.
    pub selected: Option<i64>,
    /// The sources' coverage (JSON array of [`SourceCoverage`]), once reported.
    pub sources: Option<String>,
    /// Products imported.
    pub imported: Option<i64>,
    /// Products put on the watchlist.
    pub watchlisted: Option<i64>,
    /// Candidates left out because the store has them.
    pub excluded: Option<i64>,
    /// The run's top opportunities (JSON array of [`Opportunity`]), once reported.
    pub top: Option<String>,
    /// When the run was recorded, RFC 3339.
    pub created_at: String,
    /// When it was reported, RFC 3339.
    pub completed_at: Option<String>,
}

/// `POST /internal/stores/{store_id}/research-runs/{run_id}/context`: what a research run needs
/// to know of its store, asked when the run starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResearchContextRequest {
    /// The tenant the store must belong to.
    pub tenant_id: TenantId,
}

/// Answer to [`ResearchContextRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResearchContext {
    /// AI score from which a product recommended for import is imported (store setting).
    pub import_threshold: u8,
    /// AI score from which a product goes on the watchlist (store setting).
    pub watch_threshold: u8,
    /// The store's name, for the report mail.
    pub store_name: String,
    /// Who receives the run's report by mail: the tenant's first owner.
    pub owner_email: Option<domain::accounts::Email>,
    /// Where the merchant reads the run's report.
    pub report_url: String,
    /// Products the store already has, which research leaves out; those the run itself imported
    /// on an earlier, interrupted delivery are not among them, so that it chooses them again.
    pub existing: Vec<ExistingProduct>,
    /// Whether the run already completed: a later delivery of it (SQS's at-least-once, or a
    /// producer's retry under another key) does nothing.
    #[serde(default)]
    pub completed: bool,
    /// The tenant's plan, whose daily AI budget the run spends.
    #[serde(default = "starter")]
    pub plan: domain::Plan,
    /// Whether this is a new store's launch run, which imports what the analysis would watch
    /// from `import_threshold` (then the store's watch threshold) and analyses more candidates.
    #[serde(default)]
    pub launch: bool,
    /// The store's pricing rules, by which research prices what it analyses and import what it
    /// publishes; the defaults when left out.
    #[serde(default)]
    pub pricing: domain::pricing::PricingRules,
}

fn starter() -> domain::Plan {
    domain::Plan::Starter
}

/// A product a store already has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingProduct {
    /// Where it came from, if it was imported.
    pub source: Option<String>,
    /// Its id there.
    pub source_product_id: Option<String>,
    /// Its title in the store.
    pub title: String,
}

/// Whether one source answered during a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCoverage {
    /// The source's name.
    pub source: String,
    /// Candidates it returned.
    pub candidates: u32,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// `POST /internal/erasures/{id}/confirm`: the pipelines erased their part of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureConfirmation {
    /// DynamoDB items deleted by this pass (0 when a retried pass found nothing left).
    pub dynamodb_items: u64,
    /// S3 objects deleted by this pass.
    pub s3_objects: u64,
}

/// Where a tenant's erasure stands: what `POST /internal/erasures/{id}/confirm` answers, and what
/// the owner reads at `GET /v1/gdpr/erasures/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureView {
    /// The erasure.
    pub id: String,
    /// `erasing`, then `erasing_pipelines` until the pipelines confirm, then `completed`.
    pub status: String,
    /// When the owner asked, RFC 3339.
    pub requested_at: String,
    /// When the edge erased its own data.
    pub data_erased_at: Option<String>,
    /// When the pipelines first confirmed.
    pub pipelines_confirmed_at: Option<String>,
    /// DynamoDB items the pipelines deleted, over every confirmation.
    pub dynamodb_items: Option<i64>,
    /// S3 objects the pipelines deleted, over every confirmation.
    pub s3_objects: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret-for-unit-tests-only";
    const NONCE: &str = "0123456789abcdef0123";

    fn publish(title: &str, images: &[&str], compare_at: Option<i64>) -> PublishProduct {
        use domain::Currency;
        PublishProduct {
            tenant_id: TenantId::from_random_bytes([1; 16]),
            source: "aliexpress".into(),
            source_product_id: "1".into(),
            content: ProductContent {
                title: title.into(),
                description: vec!["One.".into(), "Two.".into(), "Three.".into()],
                features: (0..5).map(|i| format!("Feature {i}")).collect(),
                meta_title: "Brush | Cozy Pets".into(),
                meta_description: "Groom in minutes.".into(),
                keywords: (0..10).map(|i| format!("kw{i}")).collect(),
            },
            price: Money::from_minor(2_499, Currency::Usd),
            compare_at: compare_at.map(|c| Money::from_minor(c, Currency::Usd)),
            cost: Money::from_minor(899, Currency::Usd),
            images: images.iter().map(|i| (*i).to_owned()).collect(),
            status: PublishStatus::Published,
            research_run_id: None,
            score: Some(0.8),
            category: None,
        }
    }

    #[test]
    fn a_published_product_is_held_to_the_catalogs_rules_like_a_merchants() {
        let title = "A Self-Cleaning Slicker Brush for Dogs and Cats with Long or Short Hair, Gentle";
        let fields = publish(title, &["/media/3f9a0c21.webp"], Some(3_999)).fields().unwrap();
        assert_eq!(fields.title.as_str(), title, "a title over the writer's target is still a title");
        assert_eq!(fields.status, PublishStatus::Published);
        let http = publish("Brush", &["http://cdn.example.com/a.jpg"], None).fields().unwrap_err();
        assert_eq!(http.field(), "images");
        let long = publish(&"x".repeat(121), &[], None).fields().unwrap_err();
        assert_eq!(long.field(), "title");
        let compare_at = publish("Brush", &[], Some(2_000)).fields().unwrap_err();
        assert_eq!(compare_at.field(), "compare_at_minor");
    }

    #[test]
    fn the_publish_status_travels_as_published_or_draft() {
        let body = serde_json::to_value(publish("Brush", &[], None)).unwrap();
        assert_eq!(body["status"], "published");
        let draft: PublishStatus = serde_json::from_value(serde_json::json!("draft")).unwrap();
        assert_eq!(draft, PublishStatus::Draft);
    }

    fn headers<'a>(ts: &'a str, sig: &'a str) -> SignedHeaders<'a> {
        SignedHeaders { timestamp: Some(ts), nonce: Some(NONCE), signature: Some(sig) }
    }

    #[test]
    fn a_fresh_correctly_signed_request_is_accepted() {
        let sig = sign(SECRET, "POST", "/internal/x?a=1", 1_000, NONCE, b"{}");
        assert_eq!(verify(SECRET, "POST", "/internal/x?a=1", b"{}", headers("1000", &sig), 1_010), Ok(NONCE));
    }

    #[test]
    fn changing_body_path_or_method_breaks_the_signature() {
        let sig = sign(SECRET, "POST", "/internal/x", 1_000, NONCE, b"{}");
        let h = headers("1000", &sig);
        assert_eq!(verify(SECRET, "POST", "/internal/x", b"{ }", h, 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(SECRET, "POST", "/internal/y", b"{}", h, 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(SECRET, "PUT", "/internal/x", b"{}", h, 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"other", "POST", "/internal/x", b"{}", h, 1_000), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_stale_request_is_refused_even_when_signed() {
        let sig = sign(SECRET, "GET", "/internal/x", 1_000, NONCE, b"");
        assert_eq!(
            verify(SECRET, "GET", "/internal/x", b"", headers("1000", &sig), 1_301),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn missing_headers_are_named() {
        let none = SignedHeaders { timestamp: None, nonce: Some(NONCE), signature: Some("00") };
        assert_eq!(verify(SECRET, "GET", "/", b"", none, 0), Err(SignatureError::Header(TIMESTAMP_HEADER)));
        let short_nonce = SignedHeaders { timestamp: Some("0"), nonce: Some("x"), signature: Some("00") };
        assert_eq!(
            verify(SECRET, "GET", "/", b"", short_nonce, 0),
            Err(SignatureError::Header(NONCE_HEADER))
        );
    }
}

/// One line of a cart sent to checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutLine {
    /// The product.
    pub product_id: String,
    /// The chosen variant, when the product has variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<String>,
    /// How many.
    pub quantity: u32,
}

/// `POST /internal/stores/{store_id}/checkouts` (from the storefront): checks the cart against
/// the catalog, records the checkout and opens a Stripe Checkout Session for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartCheckout {
    /// The cart's id (its abandoned-cart flow is keyed on it).
    pub cart_id: String,
    /// The shopper's email address.
    pub email: String,
    /// What is bought.
    pub lines: Vec<CheckoutLine>,
    /// The storefront origin the shopper is on (`https://shop.example`); success, cancel and
    /// order links point there.
    pub origin: String,
    /// The country the shopper says the order ships to (ISO 3166-1 alpha-2), when the cart asked:
    /// a country the store does not ship to is refused before payment. Stripe Checkout collects
    /// the address itself, limited to the store's countries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The shopper's IP address (`CF-Connecting-IP` at the storefront), so that checkout's rate
    /// limit holds per shopper, not per storefront.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
}

/// Answer to [`StartCheckout`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutStarted {
    /// The checkout (and later the order) id.
    pub checkout_id: String,
    /// Stripe's hosted payment page.
    pub checkout_url: String,
    /// The order status page (unguessable).
    pub order_url: String,
}

/// One aggregated shopper metric: how often it happened in a store on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricCount {
    /// The store.
    pub store_id: StoreId,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// `page_view`, `product_view` or `add_to_cart` (checkouts and purchases are counted where
    /// they are written).
    pub metric: String,
    /// How many times.
    pub count: u32,
}

/// `POST /internal/shopper-events` (from the storefront): counts aggregated in an isolate, added
/// to the stores' daily totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopperEvents {
    /// The counts, at most [`SHOPPER_EVENTS_MAX`].
    pub counts: Vec<MetricCount>,
}

/// Counts one [`ShopperEvents`] call may carry.
pub const SHOPPER_EVENTS_MAX: usize = 500;

/// Answer to [`ShopperEvents`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsRecorded {
    /// Counts added (those of deleted stores are dropped).
    pub recorded: u32,
}
