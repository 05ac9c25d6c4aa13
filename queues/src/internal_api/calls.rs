//! Every call of the edge's internal API, defined once: its method, its path template, its typed
//! path parameters, its body and its answer.
//!
//! Clients build paths with [`InternalCall::path`]; the edge's router matches them with
//! [`InternalCall::parse_path`] (or all at once with [`Route::parse`]), which gives the ids as
//! their newtypes: an id that does not parse matches nothing, so the edge answers 404. [`ALL`]
//! lists every call so that the edge can check that its internal router serves exactly these.
//!
//! | call | path | body | answer |
//! |---|---|---|---|
//! | [`ClaimResearchRuns`] | `POST /internal/research-runs/due` | [`ClaimDueRuns`] | [`DueRuns`] |
//! | [`ReadResearchContext`] | `POST /internal/stores/{store_id}/research-runs/{run_id}/context` | [`ResearchContextRequest`] | [`ResearchContext`] |
//! | [`ReportResearchRun`] | `POST /internal/stores/{store_id}/research-runs/{run_id}/report` | [`RunReport`] | [`ResearchRunView`] |
//! | [`ImportProduct`] | `POST /internal/stores/{store_id}/products` | [`PublishProduct`] | [`PublishedProduct`] |
//! | [`ConfirmErasure`] | `POST /internal/erasures/{erasure_id}/confirm` | [`ErasureConfirmation`] | [`ErasureView`] |
//! | [`OpenCheckout`] | `POST /internal/stores/{store_id}/checkouts` | [`StartCheckout`] | [`CheckoutStarted`] |
//! | [`RecordShopperEvents`] | `POST /internal/shopper-events` | [`ShopperEvents`] | [`EventsRecorded`] |
//! | [`SubscribeShopper`] | `POST /internal/stores/{store_id}/subscribe` | [`StorefrontSubscribe`] | [`Subscribed`] |
//! | [`SubmitReview`] | `POST /internal/stores/{store_id}/reviews` | [`ReviewSubmission`] | [`ReviewReceived`] |
//! | [`ReadFlowSettings`] | `POST /internal/stores/{store_id}/email/flows` | [`Empty`] | [`StoreFlowSettings`] |
//! | [`RecordFlowSends`] | `POST /internal/stores/{store_id}/email/sends` | [`SendReports`] | [`SendsRecorded`] |
//! | [`ClaimSeoRuns`] | `POST /internal/seo/due` | [`ClaimSeoWeek`] | [`DueSeoRuns`] |
//! | [`ReadSeoContext`] | `POST /internal/stores/{store_id}/seo/context` | [`Empty`] | [`SeoContext`] |
//! | [`PublishSeoPost`] | `POST /internal/stores/{store_id}/seo/posts` | [`PublishPost`] | [`PublishedPost`] |
//! | [`RewriteProductMeta`] | `POST /internal/stores/{store_id}/seo/products` | [`ProductRewrites`] | [`RewritesApplied`] |
//! | [`PlaceInternalLinks`] | `POST /internal/stores/{store_id}/seo/links` | [`PostLinks`] | [`LinksUpdated`] |
//! | [`ReportSeoRun`] | `POST /internal/stores/{store_id}/seo/runs/{run_id}/report` | [`SeoReport`] | [`SeoRunRecorded`] |
//! | [`ListSyncStores`] | `POST /internal/supplier-sync/stores` | [`SyncStoresPage`] | [`SyncStores`] |
//! | [`ListSupplierListings`] | `POST /internal/stores/{store_id}/supplier-listings` | [`ListingsPage`] | [`Listings`] |
//! | [`ApplySupplierSync`] | `POST /internal/stores/{store_id}/supplier-sync` | [`SupplierSync`] | [`SyncApplied`] |
//! | [`ReadFulfilmentOrder`] | `POST /internal/stores/{store_id}/fulfilment/order` | [`FulfilmentRequest`] | [`FulfilmentOrder`] |
//! | [`ReportFulfilment`] | `POST /internal/stores/{store_id}/fulfilment/report` | [`FulfilmentReport`] | [`FulfilmentRecorded`] |
//! | [`ListOpenSupplierOrders`] | `POST /internal/stores/{store_id}/fulfilment/open` | [`OpenSupplierOrdersPage`] | [`OpenSupplierOrders`] |
//! | [`ReportTracking`] | `POST /internal/stores/{store_id}/fulfilment/tracking` | [`TrackingReport`] | [`TrackingRecorded`] |
//! | [`LapsePlans`] | `POST /internal/billing/lapse` | [`LapseDuePlans`] | [`PlansLapsed`] |
//! | [`RecheckDomains`] | `POST /internal/domains/recheck` | [`RecheckDueDomains`] | [`DomainsRechecked`] |

use super::{
    CheckoutStarted, ClaimDueRuns, DomainsRechecked, DueRuns, Empty, ErasureConfirmation, ErasureView,
    EventsRecorded, LapseDuePlans, PlansLapsed, PublishProduct, PublishedProduct, RecheckDueDomains,
    ResearchContext, ResearchContextRequest, ResearchRunView, ReviewReceived, ReviewSubmission, RunReport,
    ShopperEvents, StartCheckout, StorefrontSubscribe, Subscribed,
};
use crate::email_api::{SendReports, SendsRecorded, StoreFlowSettings};
use crate::fulfil_api::{
    FulfilmentOrder, FulfilmentRecorded, FulfilmentReport, FulfilmentRequest, OpenSupplierOrders,
    OpenSupplierOrdersPage, TrackingRecorded, TrackingReport,
};
use crate::seo_api::{
    ClaimSeoWeek, DueSeoRuns, LinksUpdated, PostLinks, ProductRewrites, PublishPost, PublishedPost,
    RewritesApplied, SeoContext, SeoReport, SeoRunRecorded,
};
use crate::sync_api::{Listings, ListingsPage, SupplierSync, SyncApplied, SyncStores, SyncStoresPage};
use domain::{RunId, StoreId};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// One call of the internal API.
pub trait InternalCall {
    /// Its HTTP method.
    const METHOD: &'static str;
    /// Its path template: literal segments and `{name}` placeholders, one per path parameter, in
    /// the order of [`Self::Params`].
    const PATH: &'static str;
    /// The ids in its path: `()`, one id, or a tuple of ids in the template's order.
    type Params: PathParams;
    /// Its JSON body.
    type Request: Serialize + DeserializeOwned;
    /// Its JSON answer.
    type Response: Serialize + DeserializeOwned;

    /// The path that reaches this call for `params`.
    fn path(params: &Self::Params) -> String {
        let mut values = params.segments().into_iter();
        let mut path = String::new();
        for segment in Self::PATH.split('/').skip(1) {
            path.push('/');
            if is_placeholder(segment) {
                path.push_str(&values.next().expect("one parameter per placeholder"));
            } else {
                path.push_str(segment);
            }
        }
        path
    }

    /// The parameters of `path` if it reaches this call; `None` for another path, or when an id
    /// in it does not parse. Trailing slashes are ignored, as the edge has always ignored them.
    fn parse_path(path: &str) -> Option<Self::Params> {
        let mut given = path.trim_end_matches('/').strip_prefix('/')?.split('/');
        let mut values = Vec::new();
        for expected in Self::PATH.split('/').skip(1) {
            let segment = given.next()?;
            if is_placeholder(expected) {
                values.push(segment);
            } else if segment != expected {
                return None;
            }
        }
        if given.next().is_some() {
            return None;
        }
        Self::Params::from_segments(&values)
    }
}

fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// One id in a path.
pub trait PathParam: Sized {
    /// Its path segment.
    fn to_segment(&self) -> String;
    /// The id a path segment holds, if it is one.
    fn from_segment(segment: &str) -> Option<Self>;
}

impl PathParam for StoreId {
    fn to_segment(&self) -> String {
        self.to_string()
    }

    fn from_segment(segment: &str) -> Option<Self> {
        segment.parse().ok()
    }
}

impl PathParam for RunId {
    fn to_segment(&self) -> String {
        self.to_string()
    }

    fn from_segment(segment: &str) -> Option<Self> {
        segment.parse().ok()
    }
}

/// An id the edge made up and the path carries as it is (an erasure's id); any non-empty segment.
impl PathParam for String {
    fn to_segment(&self) -> String {
        self.clone()
    }

    fn from_segment(segment: &str) -> Option<Self> {
        (!segment.is_empty()).then(|| segment.to_owned())
    }
}

/// The ids of a path, in the order of its template's placeholders.
pub trait PathParams: Sized {
    /// The path segments of the ids.
    fn segments(&self) -> Vec<String>;
    /// The ids the placeholders' segments hold, if each parses.
    fn from_segments(segments: &[&str]) -> Option<Self>;
}

impl PathParams for () {
    fn segments(&self) -> Vec<String> {
        Vec::new()
    }

    fn from_segments(segments: &[&str]) -> Option<Self> {
        segments.is_empty().then_some(())
    }
}

impl<A: PathParam> PathParams for A {
    fn segments(&self) -> Vec<String> {
        vec![self.to_segment()]
    }

    fn from_segments(segments: &[&str]) -> Option<Self> {
        match segments {
            [a] => A::from_segment(a),
            _ => None,
        }
    }
}

impl<A: PathParam, B: PathParam> PathParams for (A, B) {
    fn segments(&self) -> Vec<String> {
        vec![self.0.to_segment(), self.1.to_segment()]
    }

    fn from_segments(segments: &[&str]) -> Option<Self> {
        match segments {
            [a, b] => Some((A::from_segment(a)?, B::from_segment(b)?)),
            _ => None,
        }
    }
}

/// Why a request matched no call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unrouted {
    /// No call has this path (or an id in it does not parse).
    NotFound,
    /// A call has this path, with another method.
    MethodNotAllowed {
        /// The method the path takes.
        allowed: &'static str,
    },
}

/// Defines the calls, [`ALL`] and [`Route`] from one list.
macro_rules! internal_calls {
    ($(
        $(#[$doc:meta])*
        $name:ident: $method:literal $path:literal, ($params:ty) $request:ty => $response:ty;
    )+) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $name;

            impl InternalCall for $name {
                const METHOD: &'static str = $method;
                const PATH: &'static str = $path;
                type Params = $params;
                type Request = $request;
                type Response = $response;
            }
        )+

        /// Every call as (method, path template).
        pub const ALL: &[(&str, &str)] = &[$(($method, $path)),+];

        /// A request matched to its call, with the ids of its path.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Route {
            $(
                #[doc = concat!("`", $method, " ", $path, "`: [`", stringify!($name), "`].")]
                $name($params),
            )+
        }

        impl Route {
            /// The call `method` and `path` reach, with the ids of the path.
            pub fn parse(method: &str, path: &str) -> Result<Route, Unrouted> {
                let mut allowed = None;
                $(
                    if let Some(params) = $name::parse_path(path) {
                        if method == $method {
                            return Ok(Route::$name(params));
                        }
                        allowed = Some($method);
                    }
                )+
                Err(allowed.map_or(Unrouted::NotFound, |allowed| Unrouted::MethodNotAllowed { allowed }))
            }

            /// The call's (method, path template), as [`ALL`] lists it.
            pub fn template(&self) -> (&'static str, &'static str) {
                match self {
                    $(Route::$name(_) => ($method, $path),)+
                }
            }
        }
    };
}

internal_calls! {
    /// The fan-out claims the research runs due now; claiming again in the same window returns
    /// the same runs.
    ClaimResearchRuns: "POST" "/internal/research-runs/due", (()) ClaimDueRuns => DueRuns;
    /// Research asks what a run needs to know of its store when the run starts.
    ReadResearchContext: "POST" "/internal/stores/{store_id}/research-runs/{run_id}/context",
        ((StoreId, RunId)) ResearchContextRequest => ResearchContext;
    /// Research reports what a run found; reporting the same run again replaces its report.
    ReportResearchRun: "POST" "/internal/stores/{store_id}/research-runs/{run_id}/report",
        ((StoreId, RunId)) RunReport => ResearchRunView;
    /// Import publishes an imported product; idempotent on its source and source id.
    ImportProduct: "POST" "/internal/stores/{store_id}/products", (StoreId) PublishProduct => PublishedProduct;
    /// The erasure function confirms that the pipelines erased their part of a tenant.
    ConfirmErasure: "POST" "/internal/erasures/{erasure_id}/confirm",
        (String) ErasureConfirmation => ErasureView;
    /// The storefront opens a Stripe Checkout Session for a cart (answers 201).
    OpenCheckout: "POST" "/internal/stores/{store_id}/checkouts", (StoreId) StartCheckout => CheckoutStarted;
    /// The storefront hands over the shopper events counted in an isolate.
    RecordShopperEvents: "POST" "/internal/shopper-events", (()) ShopperEvents => EventsRecorded;
    /// The storefront signs a shopper up to a store's list.
    SubscribeShopper: "POST" "/internal/stores/{store_id}/subscribe", (StoreId) StorefrontSubscribe => Subscribed;
    /// The storefront hands over a buyer's review of a product of their order (answers 201).
    SubmitReview: "POST" "/internal/stores/{store_id}/reviews", (StoreId) ReviewSubmission => ReviewReceived;
    /// The email flows read a store's flow settings.
    ReadFlowSettings: "POST" "/internal/stores/{store_id}/email/flows", (StoreId) Empty => StoreFlowSettings;
    /// The email flows report what became of flow steps.
    RecordFlowSends: "POST" "/internal/stores/{store_id}/email/sends", (StoreId) SendReports => SendsRecorded;
    /// The SEO fan-out claims the stores whose run for a week has not started.
    ClaimSeoRuns: "POST" "/internal/seo/due", (()) ClaimSeoWeek => DueSeoRuns;
    /// The SEO engine reads what a store's pages say.
    ReadSeoContext: "POST" "/internal/stores/{store_id}/seo/context", (StoreId) Empty => SeoContext;
    /// The SEO engine publishes a blog post; idempotent per slug.
    PublishSeoPost: "POST" "/internal/stores/{store_id}/seo/posts", (StoreId) PublishPost => PublishedPost;
    /// The SEO engine rewrites product meta fields whose old value still stands.
    RewriteProductMeta: "POST" "/internal/stores/{store_id}/seo/products",
        (StoreId) ProductRewrites => RewritesApplied;
    /// The SEO engine sets each post's related products.
    PlaceInternalLinks: "POST" "/internal/stores/{store_id}/seo/links", (StoreId) PostLinks => LinksUpdated;
    /// The SEO engine reports a run.
    ReportSeoRun: "POST" "/internal/stores/{store_id}/seo/runs/{run_id}/report",
        ((StoreId, RunId)) SeoReport => SeoRunRecorded;
    /// The fan-out pages through the stores to sync with their suppliers.
    ListSyncStores: "POST" "/internal/supplier-sync/stores", (()) SyncStoresPage => SyncStores;
    /// The supplier sync pages through a store's imported products.
    ListSupplierListings: "POST" "/internal/stores/{store_id}/supplier-listings",
        (StoreId) ListingsPage => Listings;
    /// The supplier sync reports what the suppliers answered, for the edge to apply.
    ApplySupplierSync: "POST" "/internal/stores/{store_id}/supplier-sync", (StoreId) SupplierSync => SyncApplied;
    /// The fulfilment function reads a paid order: address, lines with their supplier listings,
    /// and the supplier orders already recorded.
    ReadFulfilmentOrder: "POST" "/internal/stores/{store_id}/fulfilment/order",
        (StoreId) FulfilmentRequest => FulfilmentOrder;
    /// The fulfilment function reports what each supplier answered; reporting a supplier again
    /// changes nothing.
    ReportFulfilment: "POST" "/internal/stores/{store_id}/fulfilment/report",
        (StoreId) FulfilmentReport => FulfilmentRecorded;
    /// The tracking job pages through a store's open supplier orders.
    ListOpenSupplierOrders: "POST" "/internal/stores/{store_id}/fulfilment/open",
        (StoreId) OpenSupplierOrdersPage => OpenSupplierOrders;
    /// The tracking job reports what the suppliers' tracking said; the same reading again
    /// changes nothing.
    ReportTracking: "POST" "/internal/stores/{store_id}/fulfilment/tracking",
        (StoreId) TrackingReport => TrackingRecorded;
    /// The sweep moves tenants whose payment grace period is over to Starter.
    LapsePlans: "POST" "/internal/billing/lapse", (()) LapseDuePlans => PlansLapsed;
    /// The sweep has the verified custom domains checked for their TXT record.
    RecheckDomains: "POST" "/internal/domains/recheck", (()) RecheckDueDomains => DomainsRechecked;
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORE: &str = "6f1c2b1e-3d4a-4b5c-8d6e-7f8091a2b3c4";
    const RUN: &str = "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d";
    const ERASURE: &str = "9e8d7c6b-5a49-4382-a716-151413121110";

    /// A path of `template` with a well-formed id in each placeholder.
    fn sample(template: &str) -> String {
        template.replace("{store_id}", STORE).replace("{run_id}", RUN).replace("{erasure_id}", ERASURE)
    }

    fn store() -> StoreId {
        STORE.parse().unwrap()
    }

    fn run() -> RunId {
        RUN.parse().unwrap()
    }

    fn round_trips<C: InternalCall>(params: C::Params)
    where
        C::Params: PartialEq + std::fmt::Debug,
    {
        let path = C::path(&params);
        assert_eq!(path, sample(C::PATH), "{}", C::PATH);
        assert_eq!(C::parse_path(&path), Some(params), "{path}");
    }

    #[test]
    fn every_call_path_parses_back_into_its_ids() {
        round_trips::<ClaimResearchRuns>(());
        round_trips::<ReadResearchContext>((store(), run()));
        round_trips::<ReportResearchRun>((store(), run()));
        round_trips::<ImportProduct>(store());
        round_trips::<ConfirmErasure>(ERASURE.to_owned());
        round_trips::<OpenCheckout>(store());
        round_trips::<RecordShopperEvents>(());
        round_trips::<SubscribeShopper>(store());
        round_trips::<SubmitReview>(store());
        round_trips::<ReadFlowSettings>(store());
        round_trips::<RecordFlowSends>(store());
        round_trips::<ClaimSeoRuns>(());
        round_trips::<ReadSeoContext>(store());
        round_trips::<PublishSeoPost>(store());
        round_trips::<RewriteProductMeta>(store());
        round_trips::<PlaceInternalLinks>(store());
        round_trips::<ReportSeoRun>((store(), run()));
        round_trips::<ListSyncStores>(());
        round_trips::<ListSupplierListings>(store());
        round_trips::<ApplySupplierSync>(store());
        round_trips::<ReadFulfilmentOrder>(store());
        round_trips::<ReportFulfilment>(store());
        round_trips::<ListOpenSupplierOrders>(store());
        round_trips::<ReportTracking>(store());
        round_trips::<LapsePlans>(());
        round_trips::<RecheckDomains>(());
        assert_eq!(ALL.len(), 26, "a call was added: round-trip it above");
    }

    #[test]
    fn every_template_is_listed_once_and_reaches_its_own_call_only() {
        let mut templates: Vec<&str> = ALL.iter().map(|(_, path)| *path).collect();
        templates.sort_unstable();
        templates.dedup();
        assert_eq!(templates.len(), ALL.len(), "a template is listed twice");
        for (method, template) in ALL {
            let route = Route::parse(method, &sample(template)).unwrap();
            assert_eq!(route.template(), (*method, *template));
        }
    }

    #[test]
    fn every_template_is_internal_and_names_each_placeholder_once() {
        for (_, template) in ALL {
            assert!(template.starts_with("/internal/"), "{template}");
            let placeholders: Vec<&str> = template.split('/').filter(|s| is_placeholder(s)).collect();
            let mut unique = placeholders.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(placeholders.len(), unique.len(), "{template}");
        }
    }

    #[test]
    fn a_path_with_a_malformed_id_reaches_no_call() {
        let bad_store = sample(ImportProduct::PATH).replace(STORE, "not-a-uuid");
        assert_eq!(ImportProduct::parse_path(&bad_store), None);
        assert_eq!(Route::parse("POST", &bad_store), Err(Unrouted::NotFound));
        let bad_run = sample(ReportSeoRun::PATH).replace(RUN, &RUN[..30]);
        assert_eq!(ReportSeoRun::parse_path(&bad_run), None);
        for (method, template) in ALL.iter().filter(|(_, t)| t.contains("{store_id}")) {
            let path = sample(template).replace(STORE, "store-1");
            assert_eq!(Route::parse(method, &path), Err(Unrouted::NotFound), "{path}");
        }
    }

    #[test]
    fn an_empty_erasure_id_reaches_no_call() {
        assert_eq!(ConfirmErasure::parse_path("/internal/erasures//confirm"), None);
    }

    #[test]
    fn trailing_slashes_are_ignored_like_the_edge_ignores_them() {
        assert_eq!(RecordShopperEvents::parse_path("/internal/shopper-events/"), Some(()));
        assert_eq!(RecordShopperEvents::parse_path("/internal/shopper-events//"), Some(()));
        let path = format!("{}/", sample(ImportProduct::PATH));
        assert_eq!(ImportProduct::parse_path(&path), Some(store()));
    }

    #[test]
    fn longer_shorter_or_relative_paths_reach_no_call() {
        assert_eq!(RecordShopperEvents::parse_path("/internal/shopper-events/extra"), None);
        assert_eq!(RecordShopperEvents::parse_path("/internal"), None);
        assert_eq!(RecordShopperEvents::parse_path("internal/shopper-events"), None);
        assert_eq!(Route::parse("POST", "/internal/stores"), Err(Unrouted::NotFound));
        assert_eq!(Route::parse("POST", "/v1/stores"), Err(Unrouted::NotFound));
    }

    #[test]
    fn a_call_path_with_another_method_names_the_method_it_takes() {
        assert_eq!(
            Route::parse("GET", &sample(ImportProduct::PATH)),
            Err(Unrouted::MethodNotAllowed { allowed: "POST" })
        );
    }

    #[test]
    fn calls_without_a_body_send_an_empty_object() {
        assert_eq!(serde_json::to_string(&Empty {}).unwrap(), "{}");
        let _: <ReadSeoContext as InternalCall>::Request = serde_json::from_str("{}").unwrap();
    }

    #[test]
    fn answers_read_what_the_edge_answers() {
        let answer = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        let recorded: <RecordShopperEvents as InternalCall>::Response =
            serde_json::from_value(answer(r#"{"recorded": 3}"#)).unwrap();
        assert_eq!(recorded.recorded, 3);
        let sends: <RecordFlowSends as InternalCall>::Response =
            serde_json::from_value(answer(r#"{"recorded": 2}"#)).unwrap();
        assert_eq!(sends.recorded, 2);
        let applied: <RewriteProductMeta as InternalCall>::Response =
            serde_json::from_value(answer(r#"{"applied": 1}"#)).unwrap();
        assert_eq!(applied.applied, 1);
        let links: <PlaceInternalLinks as InternalCall>::Response =
            serde_json::from_value(answer(r#"{"updated": 4}"#)).unwrap();
        assert_eq!(links.updated, 4);
        let seo: <ReportSeoRun as InternalCall>::Response =
            serde_json::from_value(answer(r#"{"status": "completed"}"#)).unwrap();
        assert_eq!(seo.status, "completed");
        let subscribed: <SubscribeShopper as InternalCall>::Response =
            serde_json::from_value(answer(r#"{"status": "pending"}"#)).unwrap();
        assert_eq!(subscribed.status, "pending");
        let erasure: <ConfirmErasure as InternalCall>::Response = serde_json::from_value(answer(
            r#"{"id": "e", "status": "completed", "requested_at": "2026-12-01T00:00:00Z",
                "data_erased_at": "2026-12-01T00:00:01Z", "pipelines_confirmed_at": "2026-12-01T00:01:00Z",
                "dynamodb_items": 12, "s3_objects": 3}"#,
        ))
        .unwrap();
        assert_eq!(erasure.dynamodb_items, Some(12));
        let run: <ReportResearchRun as InternalCall>::Response = serde_json::from_value(answer(
            r#"{"id": "r", "trigger": "manual", "window_start": null, "status": "completed",
                "candidates": 40, "selected": 3, "sources": "[]", "imported": 3, "watchlisted": 2,
                "excluded": 1, "top": "[]", "created_at": "2026-12-01T00:00:00Z",
                "completed_at": "2026-12-01T00:02:00Z"}"#,
        ))
        .unwrap();
        assert_eq!(run.selected, Some(3));
    }
}
