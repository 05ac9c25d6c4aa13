//! The AliExpress affiliate API on the `/sync` gateway: `aliexpress.affiliate.hotproduct.query`
//! for research, `aliexpress.affiliate.productdetail.get` for the hourly supplier sync (a product
//! the gateway no longer answers for is delisted); and the dropshipping API's
//! `aliexpress.ds.order.create` for fulfilment, with the merchant's access token.
//!
//! Requests are form-encoded and signed: the parameters sorted by name, concatenated as
//! `name1value1name2value2...`, HMAC-SHA256 under the app secret, upper-case hex, sent as `sign`
//! with `sign_method=sha256`.

use crate::{Catalog, Supplier};
use anyhow::{bail, Context};
use domain::{Currency, Money};
use hmac::{Hmac, Mac};
use pipeline::config::{optional, required};
use queues::messages::SupplierProduct;
use serde::Deserialize;
use sha2::Sha256;

const METHOD: &str = "aliexpress.affiliate.hotproduct.query";
/// The `resp_code` with which the gateway says that nothing matched the query.
const EMPTY_RESULT: i64 = 405;
const DETAIL_METHOD: &str = "aliexpress.affiliate.productdetail.get";
/// Product ids one detail call takes at most.
pub const DETAIL_IDS_MAX: usize = 20;

/// A client of the affiliate API.
pub struct AliExpress {
    http: reqwest::Client,
    url: String,
    app_key: String,
    app_secret: String,
    tracking_id: Option<String>,
}

impl AliExpress {
    /// From `ALIEXPRESS_API_URL` (default the public gateway), `ALIEXPRESS_APP_KEY`,
    /// `ALIEXPRESS_APP_SECRET` and optionally `ALIEXPRESS_TRACKING_ID`; `None` when no app key is
    /// set, and an error naming the secret when the key is set without it.
    pub fn from_env(http: reqwest::Client) -> anyhow::Result<Option<Self>> {
        let Some(app_key) = optional("ALIEXPRESS_APP_KEY") else {
            return Ok(None);
        };
        Ok(Some(Self {
            http,
            url: optional("ALIEXPRESS_API_URL")
                .unwrap_or_else(|| "https://api-sg.aliexpress.com/sync".into()),
            app_key,
            app_secret: required("ALIEXPRESS_APP_SECRET")?,
            tracking_id: optional("ALIEXPRESS_TRACKING_ID"),
        }))
    }

    /// The best-selling products for a niche's keywords; none when nothing matches them.
    pub async fn hot_products(&self, keywords: &str, page_size: u32) -> anyhow::Result<Vec<SupplierProduct>> {
        let body = self
            .call(
                METHOD,
                vec![
                    ("keywords", keywords.into()),
                    ("page_no", "1".into()),
                    ("page_size", page_size.min(50).to_string()),
                    ("sort", "LAST_VOLUME_DESC".into()),
                    ("ship_to_country", "US".into()),
                ],
            )
            .await?;
        parse_hot_products(&body)
    }

    /// The current listings of up to [`DETAIL_IDS_MAX`] products; ids the gateway does not answer
    /// for are delisted and absent from the result.
    pub async fn product_details(&self, ids: &[String]) -> anyhow::Result<Vec<SupplierProduct>> {
        if ids.len() > DETAIL_IDS_MAX {
            bail!("at most {DETAIL_IDS_MAX} product ids per detail call");
        }
        let body =
            self.call(DETAIL_METHOD, vec![("product_ids", ids.join(",")), ("country", "US".into())]).await?;
        parse_products(&body, "aliexpress_affiliate_productdetail_get_response")
    }

    /// Signs and posts one gateway call, answering the body.
    async fn call(&self, method: &str, extra: Vec<(&str, String)>) -> anyhow::Result<String> {
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp() * 1_000;
        let mut params: Vec<(&str, String)> = vec![
            ("app_key", self.app_key.clone()),
            ("method", method.into()),
            ("sign_method", "sha256".into()),
            ("timestamp", timestamp.to_string()),
            ("target_currency", "USD".into()),
            ("target_language", "EN".into()),
        ];
        params.extend(extra);
        if let Some(tracking) = &self.tracking_id {
            params.push(("tracking_id", tracking.clone()));
        }
        let signature = sign(&self.app_secret, &params);
        params.push(("sign", signature));
        let form = params
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let body = self
            .http
            .post(&self.url)
            .header("content-type", "application/x-www-form-urlencoded;charset=utf-8")
            .body(form)
            .send()
            .await
            .context("calling the AliExpress affiliate API")?
            .error_for_status()
            .context("the AliExpress affiliate API refused")?
            .text()
            .await?;
        Ok(body)
    }
}

/// `aliexpress.ds.order.create`: the dropshipping order of one AliExpress supplier order.
const ORDER_METHOD: &str = "aliexpress.ds.order.create";

/// The address of a dropshipping order, as `logistics_address` names its fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogisticsAddress {
    /// The recipient.
    pub contact_person: String,
    /// Also the recipient (the API asks for both).
    pub full_name: String,
    /// Street and number.
    pub address: String,
    /// Apartment, suite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// City.
    pub city: String,
    /// State or province.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Postal code.
    pub zip: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// The phone number, digits only.
    pub mobile_no: String,
    /// The phone's country calling code, when the number carried one (`+44`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_country: Option<String>,
}

/// One product of a dropshipping order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProductItem {
    /// The AliExpress product id.
    pub product_id: String,
    /// How many.
    pub product_count: u32,
    /// The SKU's attributes (`14:193#Red;5:100014064`); empty for a product of one SKU.
    pub sku_attr: String,
    /// A note to the seller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_memo: Option<String>,
}

/// `param_place_order_request4_open_api_d_t_o`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlaceOrder {
    /// Our id for it: AliExpress places one order per `out_order_id`.
    pub out_order_id: String,
    /// Where it goes.
    pub logistics_address: LogisticsAddress,
    /// What is bought.
    pub product_items: Vec<ProductItem>,
}

/// What AliExpress answered to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Placed: AliExpress's order ids (one per seller).
    Placed(Vec<String>),
    /// Refused, with AliExpress's code and message (sold out, address incomplete, token expired).
    Refused(String),
}

impl AliExpress {
    /// Places a dropshipping order with the merchant's access token (`session`). A refusal is an
    /// answer; only a gateway that cannot be reached or answers nonsense is an error.
    pub async fn place_order(&self, session: &str, order: &PlaceOrder) -> anyhow::Result<Placement> {
        let request = serde_json::to_string(order).context("encoding the order")?;
        let body = self
            .call(
                ORDER_METHOD,
                vec![("session", session.to_owned()), ("param_place_order_request4_open_api_d_t_o", request)],
            )
            .await?;
        parse_placement(&body)
    }
}

/// Reads an `aliexpress.ds.order.create` answer (or the gateway's `error_response`, such as an
/// expired token, which is a refusal too).
pub fn parse_placement(body: &str) -> anyhow::Result<Placement> {
    let mut envelope: Envelope =
        serde_json::from_str(body).context("AliExpress answer is not the expected JSON")?;
    if let Some(error) = envelope.error_response {
        return Ok(Placement::Refused(format!(
            "{}: {}",
            error.code.unwrap_or_default(),
            error.msg.unwrap_or_default()
        )));
    }
    let answer = envelope
        .responses
        .remove("aliexpress_ds_order_create_response")
        .context("AliExpress answer has no aliexpress_ds_order_create_response")?;
    let result = &answer["result"];
    if result["is_success"].as_bool() == Some(true) {
        let ids: Vec<String> = match &result["order_list"] {
            serde_json::Value::Array(ids) => {
                ids.iter().map(|id| id.to_string().trim_matches('"').to_owned()).collect()
            }
            serde_json::Value::Object(o) => o
                .get("number")
                .and_then(|n| n.as_array())
                .map(|ids| ids.iter().map(|id| id.to_string().trim_matches('"').to_owned()).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        if ids.is_empty() {
            bail!("AliExpress placed the order without an order id");
        }
        return Ok(Placement::Placed(ids));
    }
    Ok(Placement::Refused(format!(
        "{}: {}",
        result["error_code"].as_str().unwrap_or("UNKNOWN"),
        result["error_msg"].as_str().unwrap_or("the order was refused")
    )))
}

/// `aliexpress.ds.order.tracking.get`: the carrier's tracking of one AliExpress order.
const TRACKING_METHOD: &str = "aliexpress.ds.order.tracking.get";

/// What AliExpress's tracking says of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// `placed` (no tracking yet), `shipped` (a tracking number) or `delivered` (the carrier
    /// recorded a `DELIVERED` event).
    pub status: &'static str,
    /// The carrier's tracking number (`mail_no`).
    pub number: Option<String>,
    /// The carrier (`carrier_name`).
    pub carrier: Option<String>,
    /// The newest carrier event's time (`time_stamp`, epoch milliseconds).
    pub last_event_ms: Option<i64>,
}

/// What AliExpress answered to a tracking read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackingAnswer {
    /// The order's tracking.
    Tracked(Tracking),
    /// Refused, with AliExpress's code and message (unknown order, token expired).
    Refused(String),
}

impl AliExpress {
    /// Reads the tracking of AliExpress order `ae_order_id` with the merchant's access token.
    pub async fn tracking(&self, session: &str, ae_order_id: &str) -> anyhow::Result<TrackingAnswer> {
        let body = self
            .call(
                TRACKING_METHOD,
                vec![
                    ("session", session.to_owned()),
                    ("ae_order_id", ae_order_id.to_owned()),
                    ("language", "en_US".into()),
                ],
            )
            .await?;
        parse_tracking(&body)
    }
}

/// A list the gateway sends as an array, or as its single object.
fn items(value: &serde_json::Value) -> Vec<&serde_json::Value> {
    match value {
        serde_json::Value::Array(items) => items.iter().collect(),
        serde_json::Value::Null => Vec::new(),
        one => vec![one],
    }
}

/// Reads an `aliexpress.ds.order.tracking.get` answer: the first tracking line with a number
/// gives the number and carrier; any `DELIVERED` event makes it delivered.
pub fn parse_tracking(body: &str) -> anyhow::Result<TrackingAnswer> {
    let mut envelope: Envelope =
        serde_json::from_str(body).context("AliExpress answer is not the expected JSON")?;
    if let Some(error) = envelope.error_response {
        return Ok(TrackingAnswer::Refused(format!(
            "{}: {}",
            error.code.unwrap_or_default(),
            error.msg.unwrap_or_default()
        )));
    }
    let answer = envelope
        .responses
        .remove("aliexpress_ds_order_tracking_get_response")
        .context("AliExpress answer has no aliexpress_ds_order_tracking_get_response")?;
    let result = &answer["result"];
    if result["ret"].as_bool() != Some(true) {
        return Ok(TrackingAnswer::Refused(format!(
            "{}: {}",
            result["code"].as_str().unwrap_or("UNKNOWN"),
            result["msg"].as_str().unwrap_or("no tracking")
        )));
    }
    let lines = items(&result["data"]["tracking_detail_line_list"]["tracking_detail"]);
    let text =
        |v: &serde_json::Value| v.as_str().filter(|t| !t.trim().is_empty()).map(|t| t.trim().to_owned());
    let line = lines.iter().find(|l| text(&l["mail_no"]).is_some());
    let Some(line) = line else {
        return Ok(TrackingAnswer::Tracked(Tracking {
            status: "placed",
            number: None,
            carrier: None,
            last_event_ms: None,
        }));
    };
    let nodes = items(&line["detail_node_list"]["detail_node"]);
    let stamp = |n: &serde_json::Value| {
        n["time_stamp"].as_i64().or_else(|| n["time_stamp"].as_str().and_then(|t| t.parse().ok()))
    };
    let delivered = nodes
        .iter()
        .any(|n| n["tracking_name"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("DELIVERED")));
    Ok(TrackingAnswer::Tracked(Tracking {
        status: if delivered { "delivered" } else { "shipped" },
        number: text(&line["mail_no"]),
        carrier: text(&line["carrier_name"]),
        last_event_ms: nodes.iter().filter_map(|n| stamp(n)).max(),
    }))
}

impl Supplier for AliExpress {
    const NAME: &'static str = "aliexpress";

    /// The 50 best sellers for the niche's keywords.
    async fn catalog(&self, niche: &str) -> anyhow::Result<Catalog> {
        Ok(Catalog { products: self.hot_products(niche, 50).await?, problems: Vec::new() })
    }
}

/// Signs parameters the way the gateway checks them.
pub fn sign(secret: &str, params: &[(&str, String)]) -> String {
    let mut sorted: Vec<&(&str, String)> = params.iter().collect();
    sorted.sort_by_key(|(k, _)| *k);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    hex::encode_upper(mac.finalize().into_bytes())
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(flatten)]
    responses: std::collections::HashMap<String, serde_json::Value>,
    error_response: Option<ErrorResponse>,
}

#[derive(Deserialize)]
struct ErrorResponse {
    code: Option<String>,
    msg: Option<String>,
}

#[derive(Deserialize)]
struct Response {
    resp_result: RespResult,
}

#[derive(Deserialize)]
struct RespResult {
    resp_code: i64,
    resp_msg: Option<String>,
    result: Option<ResultPage>,
}

#[derive(Deserialize)]
struct ResultPage {
    products: Option<Products>,
}

#[derive(Deserialize)]
struct Products {
    #[serde(default)]
    product: Vec<Product>,
}

#[derive(Deserialize)]
struct Product {
    product_id: serde_json::Value,
    product_title: String,
    target_sale_price: String,
    target_sale_price_currency: Option<String>,
    target_original_price: Option<String>,
    product_main_image_url: Option<String>,
    product_small_image_urls: Option<SmallImages>,
    product_detail_url: String,
    first_level_category_name: Option<String>,
    lastest_volume: Option<u64>,
    evaluate_rate: Option<String>,
    ship_to_days: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct SmallImages {
    #[serde(default)]
    string: Vec<String>,
}

/// Parses a hot-product answer. Products with an unreadable price or currency are skipped, not
/// fatal: one bad listing must not cost the run its source. The gateway's "the result is empty"
/// (`resp_code` 405) is no products, not an error.
pub fn parse_hot_products(body: &str) -> anyhow::Result<Vec<SupplierProduct>> {
    parse_products(body, "aliexpress_affiliate_hotproduct_query_response")
}

/// Parses a gateway answer whose products sit under `response` (the method's response name).
pub fn parse_products(body: &str, response: &str) -> anyhow::Result<Vec<SupplierProduct>> {
    let mut envelope: Envelope =
        serde_json::from_str(body).context("AliExpress answer is not the expected JSON")?;
    if let Some(error) = envelope.error_response {
        bail!("AliExpress error {}: {}", error.code.unwrap_or_default(), error.msg.unwrap_or_default());
    }
    let answer = envelope
        .responses
        .remove(response)
        .with_context(|| format!("AliExpress answer has no {response}"))?;
    let result = serde_json::from_value::<Response>(answer)
        .context("AliExpress answer is not the expected JSON")?
        .resp_result;
    if result.resp_code == EMPTY_RESULT {
        return Ok(Vec::new());
    }
    if result.resp_code != 200 {
        bail!("AliExpress resp_code {}: {}", result.resp_code, result.resp_msg.unwrap_or_default());
    }
    let products = result.result.and_then(|r| r.products).map(|p| p.product).unwrap_or_default();
    Ok(products.into_iter().filter_map(convert).collect())
}

fn convert(p: Product) -> Option<SupplierProduct> {
    let currency: Currency = p.target_sale_price_currency.as_deref().unwrap_or("USD").parse().ok()?;
    let cost = Money::parse_decimal(&p.target_sale_price, currency).ok()?;
    let list_price = p.target_original_price.as_deref().and_then(|t| Money::parse_decimal(t, currency).ok());
    let id = match p.product_id {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s,
        _ => return None,
    };
    let mut images: Vec<String> = p.product_main_image_url.into_iter().collect();
    images.extend(p.product_small_image_urls.map(|s| s.string).unwrap_or_default());
    images.dedup();
    images.retain(|u| u.starts_with("https://") || u.starts_with("http://"));
    let shipping_days = match p.ship_to_days {
        Some(serde_json::Value::Number(n)) => n.as_u64().map(|d| d as u32),
        Some(serde_json::Value::String(s)) => {
            s.trim().split(|c: char| !c.is_ascii_digit()).next().and_then(|d| d.parse().ok())
        }
        _ => None,
    };
    Some(SupplierProduct {
        source: <AliExpress as Supplier>::NAME.into(),
        source_product_id: id,
        title: p.product_title,
        cost,
        list_price,
        image_urls: images,
        product_url: p.product_detail_url,
        category: p.first_level_category_name,
        orders_30d: p.lastest_volume,
        rating_pct: p.evaluate_rate.as_deref().and_then(|r| r.trim_end_matches('%').parse().ok()),
        shipping_days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORDED: &str = include_str!("../../../../local/fixtures/aliexpress/hotproducts.json");

    #[test]
    fn the_recorded_answer_parses_into_supplier_products() {
        let products = parse_hot_products(RECORDED).unwrap();
        assert!(products.len() >= 10, "{}", products.len());
        let first = &products[0];
        assert_eq!(first.source, "aliexpress");
        assert!(first.cost.minor > 0);
        assert!(first.orders_30d.is_some());
        assert!(!first.image_urls.is_empty());
    }

    #[test]
    fn the_gateways_empty_result_is_no_products_not_an_error() {
        let empty = r#"{"aliexpress_affiliate_hotproduct_query_response":{"resp_result":{"resp_code":405,"resp_msg":"The result is empty"},"request_id":"x"}}"#;
        assert_eq!(parse_hot_products(empty).unwrap(), Vec::new());
        let refused = r#"{"aliexpress_affiliate_hotproduct_query_response":{"resp_result":{"resp_code":402,"resp_msg":"Invalid parameter"}}}"#;
        assert!(parse_hot_products(refused).unwrap_err().to_string().contains("402"));
    }

    #[test]
    fn an_error_answer_is_an_error_naming_its_code() {
        let err = parse_hot_products(r#"{"error_response":{"code":"IncompleteSignature","msg":"bad sign"}}"#)
            .unwrap_err();
        assert!(err.to_string().contains("IncompleteSignature"));
    }

    #[test]
    fn an_order_answer_is_placed_with_its_ids_or_refused_with_its_code() {
        let placed = r#"{"aliexpress_ds_order_create_response":{"result":{"is_success":true,"order_list":{"number":[8123456789012345]}},"request_id":"x"}}"#;
        assert_eq!(parse_placement(placed).unwrap(), Placement::Placed(vec!["8123456789012345".into()]));
        let sold_out = r#"{"aliexpress_ds_order_create_response":{"result":{"is_success":false,"error_code":"B_DROPSHIPPER_STOCK_NOT_ENOUGH","error_msg":"sold out"}}}"#;
        assert_eq!(
            parse_placement(sold_out).unwrap(),
            Placement::Refused("B_DROPSHIPPER_STOCK_NOT_ENOUGH: sold out".into())
        );
        let expired =
            r#"{"error_response":{"code":"IllegalAccessToken","msg":"The access token is expired"}}"#;
        assert!(
            matches!(parse_placement(expired).unwrap(), Placement::Refused(r) if r.starts_with("IllegalAccessToken"))
        );
        assert!(parse_placement("<html>").is_err(), "nonsense is an error to retry, not a refusal");
    }

    #[test]
    fn an_order_request_names_its_fields_as_the_api_does() {
        let order = PlaceOrder {
            out_order_id: "o1-aliexpress".into(),
            logistics_address: LogisticsAddress {
                contact_person: "Ada".into(),
                full_name: "Ada".into(),
                address: "1 Main St".into(),
                address2: None,
                city: "Springfield".into(),
                province: None,
                zip: "62701".into(),
                country: "US".into(),
                mobile_no: "5550100".into(),
                phone_country: Some("+1".into()),
            },
            product_items: vec![ProductItem {
                product_id: "1005".into(),
                product_count: 2,
                sku_attr: String::new(),
                order_memo: None,
            }],
        };
        let json = serde_json::to_value(&order).unwrap();
        assert_eq!(json["logistics_address"]["zip"], "62701");
        assert_eq!(json["product_items"][0]["product_count"], 2);
        assert!(json["logistics_address"].get("address2").is_none());
    }

    #[test]
    fn a_tracking_answer_gives_the_number_carrier_newest_event_and_delivery() {
        let shipped = r#"{"aliexpress_ds_order_tracking_get_response":{"result":{"ret":true,"code":"0","data":{"tracking_detail_line_list":{"tracking_detail":[{"mail_no":"LP00123","carrier_name":"Cainiao","detail_node_list":{"detail_node":[{"time_stamp":1770194210868,"tracking_name":"IN_TRANSIT","tracking_detail_desc":"x"},{"time_stamp":"1770192487065","tracking_name":"CREATED","tracking_detail_desc":"y"}]}}]}}},"request_id":"r"}}"#;
        assert_eq!(
            parse_tracking(shipped).unwrap(),
            TrackingAnswer::Tracked(Tracking {
                status: "shipped",
                number: Some("LP00123".into()),
                carrier: Some("Cainiao".into()),
                last_event_ms: Some(1_770_194_210_868),
            })
        );
        let delivered = shipped.replace("IN_TRANSIT", "DELIVERED");
        assert!(
            matches!(parse_tracking(&delivered).unwrap(), TrackingAnswer::Tracked(t) if t.status == "delivered")
        );
        let one = r#"{"aliexpress_ds_order_tracking_get_response":{"result":{"ret":true,"data":{"tracking_detail_line_list":{"tracking_detail":{"mail_no":"LP9","carrier_name":"Cainiao","detail_node_list":{"detail_node":{"time_stamp":5,"tracking_name":"IN_TRANSIT"}}}}}}}}"#;
        assert!(
            matches!(parse_tracking(one).unwrap(), TrackingAnswer::Tracked(t) if t.number.as_deref() == Some("LP9") && t.last_event_ms == Some(5))
        );
    }

    #[test]
    fn no_tracking_yet_is_placed_and_an_unknown_order_is_refused() {
        let none = r#"{"aliexpress_ds_order_tracking_get_response":{"result":{"ret":true,"code":"0","data":{"tracking_detail_line_list":{"tracking_detail":[]}}}}}"#;
        assert!(
            matches!(parse_tracking(none).unwrap(), TrackingAnswer::Tracked(t) if t.status == "placed" && t.number.is_none())
        );
        let unknown = r#"{"aliexpress_ds_order_tracking_get_response":{"result":{"ret":false,"code":"B_DROPSHIPPER_ORDER_NOT_EXIST","msg":"no"}}}"#;
        assert_eq!(
            parse_tracking(unknown).unwrap(),
            TrackingAnswer::Refused("B_DROPSHIPPER_ORDER_NOT_EXIST: no".into())
        );
        assert!(parse_tracking("<html>").is_err());
    }

    #[test]
    fn the_signature_sorts_parameters_and_is_upper_hex() {
        let a = sign("secret", &[("b", "2".into()), ("a", "1".into())]);
        let b = sign("secret", &[("a", "1".into()), ("b", "2".into())]);
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        assert_ne!(a, sign("other", &[("a", "1".into()), ("b", "2".into())]));
    }
}
