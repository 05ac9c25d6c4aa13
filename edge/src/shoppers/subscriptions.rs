//! A shopper's side of a store's mailing list: the sign-up form (public, rate limited), one-click
//! unsubscribe (RFC 8058 `POST`) and the page a mail's unsubscribe link opens.

use super::pages;
use crate::config::Config;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::repo::contacts::{self, Contact, ContactRef};
use crate::repo::email_flows;
use crate::repo::stores::{load, Store};
use crate::runtime::{new_id, now, now_ms, random_bytes, rfc3339};
use crate::v1::accounts::rate_limit;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::accounts::Email;
use domain::marketing::check_contacts;
use domain::placement::ShardIndex;
use domain::{StoreId, StoreStatus};
use hmac::{Hmac, Mac};
use queues::messages::{
    Branding, EmailCategory, EmailRequested, EmailTemplate, FlowEvent, FlowTrigger, Shop,
};
use queues::Envelope;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tenancy::shards::PlatformDb;
use tenancy::shards::{platform, StoreDb};
use tenancy::sql::Sql;
use worker::Env;

/// Contacts a merchant imports in one request at most.
pub const IMPORT_MAX: usize = 1_000;
/// Longest first name kept.
const NAME_MAX_CHARS: usize = 50;

pub(crate) fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The sign-up form's fields (JSON or `application/x-www-form-urlencoded`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignUp {
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) first_name: Option<String>,
}

fn parse_signup(body: &str, content_type: &str) -> ApiResult<SignUp> {
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let mut email = None;
        let mut first_name = None;
        for pair in body.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = urlencoding::decode(&value.replace('+', " "))
                .map_err(|_| ApiError::new(400, "invalid_body", "the form is not URL-encoded UTF-8"))?
                .into_owned();
            match key {
                "email" => email = Some(value),
                "first_name" => first_name = Some(value),
                _ => {}
            }
        }
        let email = email.ok_or_else(|| ApiError::invalid("email", "email is required"))?;
        return Ok(SignUp { email, first_name });
    }
    parse_json(body)
}

pub(crate) fn clean_name(name: Option<String>) -> Option<String> {
    name.map(|n| n.chars().filter(|c| !c.is_control()).take(NAME_MAX_CHARS).collect::<String>())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
}

/// What the sign-up form answers: the storefront's call and the public form answer alike.
pub use queues::internal_api::Subscribed;

/// Finds the store a public request names: its id, or one of its verified hosts.
async fn public_store(env: &Env, key: &str) -> ApiResult<Store> {
    let db = PlatformDb::open(env)?;
    let id = match key.parse::<StoreId>() {
        Ok(id) => id,
        Err(_) => crate::repo::domains::verified_store(&db, key)
            .await?
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| ApiError::not_found("store"))?,
    };
    let store = load(&db, id).await?;
    if store.status != StoreStatus::Active {
        return Err(ApiError::not_found("store"));
    }
    Ok(store)
}

/// Subscribed contacts across every store of the store's tenant.
pub(crate) async fn tenant_contacts(env: &Env, store: &Store) -> ApiResult<u64> {
    let stores = crate::repo::stores::placed_of_tenant(&PlatformDb::open(env)?, store.tenant_id).await?;
    let mut total = 0;
    for placed in stores {
        let Ok(id) = placed.id.parse::<StoreId>() else { continue };
        let db = StoreDb::open(env, ShardIndex(placed.shard), id)?;
        total += contacts::subscribed_count(&db).await?;
    }
    Ok(total)
}

pub(crate) async fn ensure_room(env: &Env, store: &Store, adding: u64) -> ApiResult<()> {
    let existing = tenant_contacts(env, store).await?;
    check_contacts(store.plan(), existing, adding)
        .map_err(|e| ApiError::new(403, "plan_limit", e.to_string()).field("contacts"))
}

/// The one-click unsubscribe link of a contact.
fn unsubscribe_url(config: &Config, store: StoreId, token: &str) -> String {
    config.unsubscribe_url_template.replace("{store}", &store.to_string()).replace("{token}", token)
}

/// The one-click unsubscribe link of a shopper who is not a contact (an abandoned cart's reminders,
/// an order's review and cross-sell mails): the token carries the address, signed for this store,
/// so no row needs to exist for the link to work and it cannot be forged for another address.
pub fn shopper_unsubscribe_url(config: &Config, store: StoreId, email: &Email) -> String {
    unsubscribe_url(config, store, &shopper_token(&config.internal_secret, store, email.as_str()))
}

fn shopper_token(secret: &str, store: StoreId, email: &str) -> String {
    let address = URL_SAFE_NO_PAD.encode(email);
    let signature = URL_SAFE_NO_PAD.encode(shopper_mac(secret, store, email).finalize().into_bytes());
    format!("s.{address}.{signature}")
}

fn shopper_mac(secret: &str, store: StoreId, email: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("unsubscribe\n{store}\n{email}").as_bytes());
    mac
}

/// The address a shopper's signed token carries, when its signature holds for this store.
fn shopper_email(secret: &str, store: StoreId, token: &str) -> Option<String> {
    let mut parts = token.strip_prefix("s.")?.split('.');
    let (address, signature) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let email = String::from_utf8(URL_SAFE_NO_PAD.decode(address).ok()?).ok()?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    shopper_mac(secret, store, &email).verify_slice(&signature).ok()?;
    Some(email)
}

/// Whom an unsubscribe link names: a contact of the store (by its stored token) or a shopper (by a
/// signed token; a shopper who is no contact yet shows as subscribed with no id). `None` for
/// anything else, answered like a link that never existed.
async fn recipient(
    config: &Config,
    db: &StoreDb<impl Sql>,
    store: StoreId,
    token: &str,
) -> ApiResult<Option<ContactRef>> {
    let Some(email) = shopper_email(&config.internal_secret, store, token) else {
        return by_token(db, token).await;
    };
    let contact = contacts::by_email(db, &email).await?;
    Ok(Some(contact.unwrap_or(ContactRef { id: String::new(), email, status: "subscribed".to_owned() })))
}

/// The store as its mails show it.
pub fn shop(config: &Config, store: &Store, unsubscribe_url: String) -> Shop {
    Shop {
        url: config.shop_url(&store.row.slug),
        unsubscribe_url,
        branding: Branding {
            store_name: Some(store.row.name.clone()),
            accent_color: Some(store.row.brand_color.clone()),
            reply_to: None,
        },
    }
}

async fn send_flow_event(config: &Config, store: &Store, key: String, trigger: FlowTrigger) -> ApiResult<()> {
    let at = now();
    let envelope = Envelope::new(
        key,
        store.tenant_id,
        store.id,
        at,
        format!("edge-{}", hex::encode(random_bytes::<8>())),
        FlowEvent { occurred_at: at, trigger },
    );
    crate::sqs::send(&config.sqs, &config.sqs.flows_queue_url, &envelope, now_ms()).await.map_err(|e| {
        worker::console_error!("enqueueing a flow event: {e}");
        ApiError::new(503, "unavailable", "the sign-up could not be completed; try again in a moment")
    })?;
    Ok(())
}

/// `POST /v1/public/stores/{store}/subscribe`: a shopper asks for a store's marketing mail.
/// `{store}` is the store's id or one of its hosts. Double opt-in: a new address (or one that
/// unsubscribed) is mailed a link that confirms it, and only then joins the list and gets the
/// welcome series ([`confirm`]). The answer is the same whatever the address's standing, so that
/// nobody learns who is on a store's list; an address already on it, or one that bounced or
/// complained, is sent nothing. Answers the store too, for the caller's CORS check.
pub async fn subscribe(
    env: &Env,
    config: &Config,
    store_key: &str,
    body: &str,
    content_type: &str,
    ip: &str,
) -> ApiResult<(Subscribed, Store)> {
    rate_limit(env, &[format!("subscribe-ip:{ip}")]).await?;
    let store = public_store(env, store_key).await?;
    let input = parse_signup(body, content_type)?;
    let email = Email::parse(&input.email).map_err(|e| ApiError::invalid("email", e.to_string()))?;
    let first_name = clean_name(input.first_name);
    rate_limit(env, &[format!("subscribe-address:{}:{email}", store.id)]).await?;
    // A full list refuses every address alike.
    ensure_room(env, &store, 1).await?;
    let db = store.db(env)?;
    let answer = Subscribed { status: "pending".into() };
    let at = rfc3339(now());
    let token = URL_SAFE_NO_PAD.encode(random_bytes::<24>());
    let confirm_hash = hash(&token);
    match contacts::by_email(&db, email.as_str()).await? {
        Some(row) if matches!(row.status.as_str(), "pending" | "unsubscribed") => {
            contacts::ask_confirmation(&db, &row.id, &confirm_hash, &at, first_name.as_deref()).await?;
        }
        Some(_) => return Ok((answer, store)),
        None => {
            let id: domain::ProductId = new_id();
            let id = id.to_string();
            // Replaced at confirmation; until then no mail carries it.
            let unsubscribe_hash = hash(&URL_SAFE_NO_PAD.encode(random_bytes::<24>()));
            let contact = contacts::NewContact {
                id: &id,
                email: email.as_str(),
                first_name: first_name.as_deref(),
                source: "signup",
                unsubscribe_hash: &unsubscribe_hash,
                at: &at,
            };
            if !contacts::add_pending(&db, &contact, &confirm_hash).await? {
                // The same address signed up at the same moment: that request mails the link.
                return Ok((answer, store));
            }
        }
    }
    let mut data = serde_json::Map::new();
    let url = config
        .confirm_subscription_url_template
        .replace("{store}", &store.id.to_string())
        .replace("{token}", &token);
    data.insert("confirm_url".into(), url.into());
    let mail = EmailRequested {
        template: EmailTemplate::ConfirmSubscription,
        to: email,
        category: EmailCategory::Transactional,
        data,
        branding: Branding {
            store_name: Some(store.row.name.clone()),
            accent_color: Some(store.row.brand_color.clone()),
            reply_to: None,
        },
    };
    let key = format!("confirm_subscription:{}:{}", store.id, &confirm_hash[..16]);
    let envelope = Envelope::new(key, store.tenant_id, store.id, now(), store.id.to_string(), mail);
    crate::sqs::send(&config.sqs, &config.sqs.email_queue_url, &envelope, now_ms()).await.map_err(|e| {
        worker::console_error!("enqueueing a confirmation mail: {e}");
        ApiError::new(503, "unavailable", "the sign-up could not be completed; try again in a moment")
    })?;
    Ok((answer, store))
}

/// How long a confirmation link works.
const CONFIRM_DAYS: i64 = 7;

/// The contact a confirmation link names in `store_id`, while the link works.
async fn unconfirmed(
    env: &Env,
    store_id: &str,
    token: &str,
) -> ApiResult<Option<(Store, contacts::Unconfirmed)>> {
    let Ok(store_id) = store_id.parse::<StoreId>() else { return Ok(None) };
    let Ok(store) = load(&platform(env)?, store_id).await else { return Ok(None) };
    if token.is_empty() || token.len() > 100 || store.status != StoreStatus::Active {
        return Ok(None);
    }
    let Some(contact) = contacts::by_confirm_hash(&store.db(env)?, &hash(token)).await? else {
        return Ok(None);
    };
    let sent =
        time::OffsetDateTime::parse(&contact.confirm_sent_at, &time::format_description::well_known::Rfc3339);
    if sent.map_or(true, |sent| now() - sent > time::Duration::days(CONFIRM_DAYS)) {
        return Ok(None);
    }
    Ok(Some((store, contact)))
}

/// `GET /v1/public/stores/{store}/confirm/{token}`: the page a confirmation link opens. It asks
/// for a click that posts to the same URL (link scanners open links; they do not submit forms).
pub async fn confirm_page(env: &Env, store_id: &str, token: &str) -> ApiResult<pages::Page> {
    Ok(match unconfirmed(env, store_id, token).await? {
        Some((store, contact)) => pages::confirm_subscription(&store.row.name, &contact.email),
        None => pages::confirmation_not_valid(),
    })
}

/// `POST /v1/public/stores/{store}/confirm/{token}`: the shopper confirms: the contact joins the
/// list (if the plan has room) with an unsubscribe link of its own, and the welcome series starts.
pub async fn confirm(env: &Env, config: &Config, store_id: &str, token: &str) -> ApiResult<pages::Page> {
    let Some((store, contact)) = unconfirmed(env, store_id, token).await? else {
        return Ok(pages::confirmation_not_valid());
    };
    if ensure_room(env, &store, 1).await.is_err() {
        return Ok(pages::list_full(&store.row.name));
    }
    let db = store.db(env)?;
    let email = Email::parse(&contact.email).map_err(|e| ApiError::internal("contact row", e))?;
    let unsubscribe_token = URL_SAFE_NO_PAD.encode(random_bytes::<24>());
    let unsubscribe_hash = hash(&unsubscribe_token);
    let was = contacts::by_email(&db, email.as_str()).await?.map(|c| c.status).unwrap_or_default();
    if !contacts::confirm(&db, &contact.id, &hash(token), &unsubscribe_hash, &rfc3339(now())).await? {
        return Ok(pages::confirmation_not_valid());
    }
    let trigger = FlowTrigger::ContactSubscribed {
        email,
        first_name: contact.first_name.clone(),
        offer: None,
        shop: shop(config, &store, unsubscribe_url(config, store.id, &unsubscribe_token)),
    };
    let key = format!("flow:contact_subscribed:{}:{}:{}", store.id, contact.id, &unsubscribe_hash[..16]);
    if let Err(error) = send_flow_event(config, &store, key, trigger).await {
        // Nothing half-done: without its welcome series the contact waits on the same link.
        contacts::unconfirm(&db, &contact.id, &was, &hash(token), &contact.confirm_sent_at).await?;
        return Err(error);
    }
    Ok(pages::subscription_confirmed(&store.row.name, &contact.email))
}

/// The contact holding an unsubscribe token, if any.
async fn by_token(db: &StoreDb<impl Sql>, token: &str) -> ApiResult<Option<ContactRef>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    Ok(contacts::by_unsubscribe_hash(db, &hash(token)).await?)
}

/// `GET /v1/public/stores/{store}/unsubscribe/{token}`: the page the mail's link opens. It asks
/// for a click (link scanners open links; they do not submit forms) that posts to the same URL.
pub async fn unsubscribe_page(
    env: &Env,
    config: &Config,
    store_id: &str,
    token: &str,
) -> ApiResult<pages::Page> {
    let Ok(store_id) = store_id.parse::<StoreId>() else { return Ok(pages::link_not_valid()) };
    let Ok(store) = load(&platform(env)?, store_id).await else { return Ok(pages::link_not_valid()) };
    let Some(contact) = recipient(config, &store.db(env)?, store.id, token).await? else {
        return Ok(pages::link_not_valid());
    };
    if contact.status != "subscribed" {
        return Ok(pages::already_unsubscribed(&store.row.name, &contact.email));
    }
    Ok(pages::confirm(&store.row.name, &contact.email))
}

/// `POST /v1/public/stores/{store}/unsubscribe/{token}`: RFC 8058 one-click unsubscribe (the
/// mail client posts `List-Unsubscribe=One-Click`) and the page's button. Tells the pipeline
/// first (suppression and cancelled steps), then records the status; repeating is harmless.
pub async fn unsubscribe(env: &Env, config: &Config, store_id: &str, token: &str) -> ApiResult<pages::Page> {
    let Ok(store_id) = store_id.parse::<StoreId>() else { return Ok(pages::link_not_valid()) };
    let Ok(store) = load(&platform(env)?, store_id).await else { return Ok(pages::link_not_valid()) };
    let db = store.db(env)?;
    let Some(contact) = recipient(config, &db, store.id, token).await? else {
        return Ok(pages::link_not_valid());
    };
    let email = Email::parse(&contact.email).map_err(|e| ApiError::internal("contact row", e))?;
    let key = format!("flow:contact_unsubscribed:{}:{}:{}", store.id, contact.id, &hash(token)[..16]);

    send_flow_event(config, &store, key, FlowTrigger::ContactUnsubscribed { email }).await?;
    let at = rfc3339(now());
    if contact.id.is_empty() {
        // A shopper who was never a contact: kept as an unsubscribed one, so the page says so
        // next time and the merchant sees who opted out.
        let id: domain::ProductId = new_id();
        contacts::unsubscribe_shopper(&db, &id.to_string(), &contact.email, &hash(token), &at).await?;
    } else {
        contacts::unsubscribe(&db, &contact.id, &at).await?;
    }
    email_flows::cancel_marketing(&db, &contact.email, &rfc3339(now())).await?;
    Ok(pages::unsubscribed(&store.row.name, &contact.email))
}

/// A contact as the merchant sees it.
#[derive(Debug, Serialize)]
pub struct ContactView {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) first_name: Option<String>,
    pub(crate) status: String,
    pub(crate) source: String,
    pub(crate) subscribed_at: String,
    pub(crate) unsubscribed_at: Option<String>,
}

impl From<Contact> for ContactView {
    fn from(c: Contact) -> Self {
        ContactView {
            id: c.id,
            email: c.email,
            first_name: c.first_name,
            status: c.status,
            source: c.source,
            subscribed_at: c.subscribed_at,
            unsubscribed_at: c.unsubscribed_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Import {
    pub(crate) contacts: Vec<SignUp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shoppers_unsubscribe_token_names_its_address_only_for_its_store() {
        let store: StoreId = "0b6d8c2e-7a4f-4c1e-9d3b-5f2a1e8c7d60".parse().unwrap();
        let other: StoreId = "1c7e9d3f-8b5a-4d2f-8e4c-6a3b2f9d8e71".parse().unwrap();
        let token = shopper_token("secret", store, "ada@example.com");
        assert_eq!(shopper_email("secret", store, &token).as_deref(), Some("ada@example.com"));
        assert_eq!(shopper_email("secret", other, &token), None, "another store's link");
        assert_eq!(shopper_email("other-secret", store, &token), None, "another platform's key");
        let forged =
            format!("s.{}.{}", URL_SAFE_NO_PAD.encode("eve@example.com"), token.rsplit('.').next().unwrap());
        assert_eq!(shopper_email("secret", store, &forged), None, "another address under the same signature");
        assert_eq!(shopper_email("secret", store, "plain-contact-token"), None);
        assert!(
            token.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "fits a URL path: {token}"
        );
    }

    #[test]
    fn a_form_post_is_read_like_json() {
        let form =
            parse_signup("email=ada%40example.com&first_name=Ada+L", "application/x-www-form-urlencoded")
                .unwrap();
        assert_eq!((form.email.as_str(), form.first_name.as_deref()), ("ada@example.com", Some("Ada L")));
        let json = parse_signup(r#"{"email":"ada@example.com"}"#, "application/json").unwrap();
        assert_eq!(json.email, "ada@example.com");
        assert_eq!(
            parse_signup("first_name=x", "application/x-www-form-urlencoded").unwrap_err().status,
            400
        );
    }

    #[test]
    fn names_lose_control_characters_and_length() {
        assert_eq!(clean_name(Some(" Ada\r\nBcc: x ".into())).as_deref(), Some("AdaBcc: x"));
        assert_eq!(clean_name(Some("   ".into())), None);
        assert_eq!(clean_name(Some("x".repeat(80))).unwrap().len(), NAME_MAX_CHARS);
    }
}
