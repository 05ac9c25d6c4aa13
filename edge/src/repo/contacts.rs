//! A store's mailing contacts in the store database (`contacts`): sign-ups, imports,
//! unsubscribes (by the link's token or a shopper's address), the count the plan limits, and the
//! one write that goes to a whole shard by address, marking bounced and complained addresses.

use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Arg, Outcome, Sql, SqlError, Statement};

/// A contact with everything the merchant sees of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Contact id.
    pub id: String,
    /// The address, lower-cased.
    pub email: String,
    /// First name, when given.
    pub first_name: Option<String>,
    /// `pending` (signed up, not confirmed yet), `subscribed`, `unsubscribed`, `bounced` or
    /// `complained`.
    pub status: String,
    /// `signup`, `import` or `checkout`.
    pub source: String,
    /// When it (last) subscribed (RFC 3339).
    pub subscribed_at: String,
    /// When it unsubscribed, bounced or complained.
    pub unsubscribed_at: Option<String>,
}

/// Who a contact is and whether mail reaches it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ContactRef {
    /// Contact id.
    pub id: String,
    /// The address, lower-cased.
    pub email: String,
    /// `pending`, `subscribed`, `unsubscribed`, `bounced` or `complained`.
    pub status: String,
}

/// The store's contacts with `status` (every status when empty), newest first, at most 500.
pub async fn list(db: &StoreDb<impl Sql>, status: &str) -> Result<Vec<Contact>, SqlError> {
    db.query_all(
        "SELECT id, email, first_name, status, source, subscribed_at, unsubscribed_at FROM contacts \
         WHERE store_id = ?1 AND (?2 = '' OR status = ?2) ORDER BY created_at DESC, id DESC LIMIT 500",
        vec![status.into()],
    )
    .await
}

/// Every address the store lists, whatever its status.
pub async fn emails(db: &StoreDb<impl Sql>) -> Result<Vec<String>, SqlError> {
    #[derive(Deserialize)]
    struct Row {
        email: String,
    }
    let rows: Vec<Row> = db.query_all("SELECT email FROM contacts WHERE store_id = ?1", vec![]).await?;
    Ok(rows.into_iter().map(|r| r.email).collect())
}

/// The contact with the address `email` (lower-cased).
pub async fn by_email(db: &StoreDb<impl Sql>, email: &str) -> Result<Option<ContactRef>, SqlError> {
    db.query_first(
        "SELECT id, email, status FROM contacts WHERE store_id = ?1 AND email = ?2",
        vec![email.into()],
    )
    .await
}

/// The contact whose unsubscribe token hashes to `hash`.
pub async fn by_unsubscribe_hash(db: &StoreDb<impl Sql>, hash: &str) -> Result<Option<ContactRef>, SqlError> {
    db.query_first(
        "SELECT id, email, status FROM contacts WHERE store_id = ?1 AND unsubscribe_hash = ?2",
        vec![hash.into()],
    )
    .await
}

/// How many of the store's contacts are subscribed (what the plan's contact limit counts).
pub async fn subscribed_count(db: &StoreDb<impl Sql>) -> Result<u64, SqlError> {
    let count: Option<crate::repo::Count> = db
        .query_first(
            "SELECT COUNT(*) AS n FROM contacts WHERE store_id = ?1 AND status = 'subscribed'",
            vec![],
        )
        .await?;
    Ok(count.map_or(0, |c| c.n))
}

/// A subscribed contact about to be added.
pub struct NewContact<'a> {
    /// Contact id.
    pub id: &'a str,
    /// The address, lower-cased.
    pub email: &'a str,
    /// First name, when given.
    pub first_name: Option<&'a str>,
    /// `signup` or `import`.
    pub source: &'a str,
    /// SHA-256 (hex) of its unsubscribe token.
    pub unsubscribe_hash: &'a str,
    /// When it subscribed (RFC 3339).
    pub at: &'a str,
}

const INSERT: &str =
    "INSERT INTO contacts (id, store_id, email, first_name, status, source, unsubscribe_hash, \
     subscribed_at, created_at) VALUES (?2, ?1, ?3, ?4, 'subscribed', ?5, ?6, ?7, ?7) \
     ON CONFLICT (store_id, email) DO NOTHING";

impl NewContact<'_> {
    fn args(&self) -> Vec<Arg> {
        vec![
            self.id.into(),
            self.email.into(),
            self.first_name.into(),
            self.source.into(),
            self.unsubscribe_hash.into(),
            self.at.into(),
        ]
    }
}

/// The insert of a subscribed contact, for a batch; an address the store lists already is left
/// as it is.
pub fn insert<D>(db: &StoreDb<D>, contact: &NewContact<'_>) -> Result<Statement, SqlError> {
    db.scoped(INSERT, contact.args())
}

/// Adds a subscribed contact; `false` when the store lists the address already.
pub async fn add(db: &StoreDb<impl Sql>, contact: &NewContact<'_>) -> Result<bool, SqlError> {
    Ok(db.execute(INSERT, contact.args()).await?.changes > 0)
}

/// Adds a contact waiting for the confirmation of its address (double opt-in), with the hash of
/// the token its confirmation link carries; `false` when the store lists the address already.
pub async fn add_pending(
    db: &StoreDb<impl Sql>,
    contact: &NewContact<'_>,
    confirm_hash: &str,
) -> Result<bool, SqlError> {
    let mut args = contact.args();
    args.push(confirm_hash.into());
    let added = db
        .execute(
            "INSERT INTO contacts (id, store_id, email, first_name, status, source, unsubscribe_hash, \
             subscribed_at, created_at, confirm_hash, confirm_sent_at) \
             VALUES (?2, ?1, ?3, ?4, 'pending', ?5, ?6, ?7, ?7, ?8, ?7) ON CONFLICT (store_id, email) DO NOTHING",
            args,
        )
        .await?;
    Ok(added.changes > 0)
}

/// Mails a contact who is not subscribed (pending, or unsubscribed since) a new confirmation link:
/// records the hash of its token, which replaces any earlier one; a first name given replaces the
/// one kept.
pub async fn ask_confirmation(
    db: &StoreDb<impl Sql>,
    id: &str,
    confirm_hash: &str,
    at: &str,
    first_name: Option<&str>,
) -> Result<(), SqlError> {
    db.execute(
        "UPDATE contacts SET confirm_hash = ?3, confirm_sent_at = ?4, first_name = COALESCE(?5, first_name) \
         WHERE store_id = ?1 AND id = ?2 AND status IN ('pending', 'unsubscribed')",
        vec![id.into(), confirm_hash.into(), at.into(), first_name.into()],
    )
    .await?;
    Ok(())
}

/// A contact waiting on a confirmation link.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Unconfirmed {
    /// Contact id.
    pub id: String,
    /// The address, lower-cased.
    pub email: String,
    /// First name, when given.
    pub first_name: Option<String>,
    /// When the link was mailed (RFC 3339).
    pub confirm_sent_at: String,
}

/// The contact whose confirmation token hashes to `hash`, while it waits on it.
pub async fn by_confirm_hash(db: &StoreDb<impl Sql>, hash: &str) -> Result<Option<Unconfirmed>, SqlError> {
    db.query_first(
        "SELECT id, email, first_name, confirm_sent_at FROM contacts \
         WHERE store_id = ?1 AND confirm_hash = ?2 AND status IN ('pending', 'unsubscribed')",
        vec![hash.into()],
    )
    .await
}

/// Confirms the contact `id` whose link's token hashes to `confirm_hash`: subscribed from `at`,
/// with a new unsubscribe token. `false` when that link was replaced or used meanwhile.
pub async fn confirm(
    db: &StoreDb<impl Sql>,
    id: &str,
    confirm_hash: &str,
    unsubscribe_hash: &str,
    at: &str,
) -> Result<bool, SqlError> {
    let done = db
        .execute(
            "UPDATE contacts SET status = 'subscribed', unsubscribe_hash = ?4, subscribed_at = ?5, \
             unsubscribed_at = NULL, confirm_hash = NULL, confirm_sent_at = NULL \
             WHERE store_id = ?1 AND id = ?2 AND confirm_hash = ?3 AND status IN ('pending', 'unsubscribed')",
            vec![id.into(), confirm_hash.into(), unsubscribe_hash.into(), at.into()],
        )
        .await?;
    Ok(done.changes > 0)
}

/// Undoes [`confirm`] when the welcome series could not be started: the contact waits on the same
/// link again (`was`: its status before).
pub async fn unconfirm(
    db: &StoreDb<impl Sql>,
    id: &str,
    was: &str,
    confirm_hash: &str,
    sent_at: &str,
) -> Result<(), SqlError> {
    db.execute(
        "UPDATE contacts SET status = ?3, confirm_hash = ?4, confirm_sent_at = ?5 WHERE store_id = ?1 AND id = ?2",
        vec![id.into(), was.into(), confirm_hash.into(), sent_at.into()],
    )
    .await?;
    Ok(())
}

/// Subscribes the contact `id` again, with a new unsubscribe token; a first name given replaces
/// the one kept.
pub async fn resubscribe(
    db: &StoreDb<impl Sql>,
    id: &str,
    unsubscribe_hash: &str,
    at: &str,
    first_name: Option<&str>,
) -> Result<(), SqlError> {
    db.execute(
        "UPDATE contacts SET status = 'subscribed', unsubscribe_hash = ?3, subscribed_at = ?4, \
         unsubscribed_at = NULL, first_name = COALESCE(?5, first_name) WHERE store_id = ?1 AND id = ?2",
        vec![id.into(), unsubscribe_hash.into(), at.into(), first_name.into()],
    )
    .await?;
    Ok(())
}

/// Deletes the contact `id`.
pub async fn delete(db: &StoreDb<impl Sql>, id: &str) -> Result<(), SqlError> {
    db.execute("DELETE FROM contacts WHERE store_id = ?1 AND id = ?2", vec![id.into()]).await?;
    Ok(())
}

/// Unsubscribes the contact `id` when it is subscribed (a bounced or complained one keeps its
/// status).
pub async fn unsubscribe(db: &StoreDb<impl Sql>, id: &str, at: &str) -> Result<(), SqlError> {
    db.execute(
        "UPDATE contacts SET status = 'unsubscribed', unsubscribed_at = ?3 \
         WHERE store_id = ?1 AND id = ?2 AND status = 'subscribed'",
        vec![id.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// Keeps a shopper who unsubscribed through a signed link as an unsubscribed contact (source
/// `checkout`, which the plan does not count), or unsubscribes the contact with that address
/// when it is subscribed.
pub async fn unsubscribe_shopper(
    db: &StoreDb<impl Sql>,
    id: &str,
    email: &str,
    unsubscribe_hash: &str,
    at: &str,
) -> Result<(), SqlError> {
    db.execute(
        "INSERT INTO contacts (id, store_id, email, status, source, unsubscribe_hash, subscribed_at, \
         unsubscribed_at, created_at) VALUES (?2, ?1, ?3, 'unsubscribed', 'checkout', ?4, ?5, ?5, ?5) \
         ON CONFLICT (store_id, email) DO UPDATE SET status = 'unsubscribed', unsubscribed_at = excluded.unsubscribed_at \
         WHERE contacts.status = 'subscribed'",
        vec![id.into(), email.into(), unsubscribe_hash.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// Marks the subscribed contacts with the address `email`, in every store of a shard, as
/// `status` (`bounced` or `complained`). A provider's report names an address, not a store, so
/// this runs on the shard itself rather than a store's handle; it changes rows of that exact
/// address only (found through `contacts_by_email`).
pub async fn mark_undeliverable(
    shard: &impl Sql,
    email: &str,
    status: &str,
    at: &str,
) -> Result<Outcome, SqlError> {
    shard
        .run(Statement::new(
            "UPDATE contacts SET status = ?2, unsubscribed_at = ?3, confirm_hash = NULL, confirm_sent_at = NULL \
             WHERE email = ?1 AND status IN ('subscribed', 'pending')",
            vec![email.into(), status.into(), at.into()],
        ))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};
    use tenancy::sqlite::Sqlite;

    type Db<'a> = StoreDb<&'a Sqlite>;

    fn subscribe(db: &Db<'_>, id: &str, email: &str, at: &str) -> bool {
        let contact = NewContact {
            id,
            email,
            first_name: Some("Ada"),
            source: "signup",
            unsubscribe_hash: &format!("hash-{id}"),
            at,
        };
        block_on(add(db, &contact)).unwrap()
    }

    fn status(db: &Db<'_>, email: &str) -> Option<String> {
        block_on(by_email(db, email)).unwrap().map(|c| c.status)
    }

    #[test]
    fn an_address_is_listed_once_per_store_and_may_be_listed_by_another_store() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        assert!(subscribe(&one, "c1", "ada@example.com", "2026-12-01T10:00:00Z"));
        assert!(!subscribe(&one, "c2", "ada@example.com", "2026-12-01T10:00:01Z"), "listed already");
        assert!(subscribe(&two, "c3", "ada@example.com", "2026-12-01T10:00:02Z"));
        assert_eq!(block_on(by_email(&one, "ada@example.com")).unwrap().unwrap().id, "c1");
        assert_eq!(block_on(emails(&one)).unwrap(), ["ada@example.com"]);
    }

    #[test]
    fn a_sign_up_waits_for_its_link_counts_only_once_confirmed_and_a_newer_link_replaces_the_old() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        let pending = |id, email, confirm: &str| {
            let contact = NewContact {
                id,
                email,
                first_name: None,
                source: "signup",
                unsubscribe_hash: &format!("u-{id}"),
                at: "2026-12-01T10:00:00Z",
            };
            block_on(add_pending(&one, &contact, confirm)).unwrap()
        };
        assert!(pending("c1", "ada@example.com", "k1"));
        assert!(!pending("c2", "ada@example.com", "k2"), "listed already");
        assert_eq!(status(&one, "ada@example.com").as_deref(), Some("pending"));
        assert_eq!(block_on(subscribed_count(&one)).unwrap(), 0, "not counted while pending");
        assert_eq!(block_on(by_confirm_hash(&two, "k1")).unwrap(), None, "another store's link");
        let waiting = block_on(by_confirm_hash(&one, "k1")).unwrap().unwrap();
        assert_eq!((waiting.id.as_str(), waiting.email.as_str()), ("c1", "ada@example.com"));
        // Signing up again mails a new link; the old one stops working.
        block_on(ask_confirmation(&one, "c1", "k3", "2026-12-01T11:00:00Z", Some("Ada"))).unwrap();
        assert_eq!(block_on(by_confirm_hash(&one, "k1")).unwrap(), None);
        assert!(!block_on(confirm(&one, "c1", "k1", "u-new", "2026-12-01T12:00:00Z")).unwrap());
        assert!(block_on(confirm(&one, "c1", "k3", "u-new", "2026-12-01T12:00:00Z")).unwrap());
        assert!(!block_on(confirm(&one, "c1", "k3", "u-new", "2026-12-01T12:00:00Z")).unwrap(), "used");
        assert_eq!(status(&one, "ada@example.com").as_deref(), Some("subscribed"));
        assert_eq!(block_on(subscribed_count(&one)).unwrap(), 1);
        assert_eq!(block_on(by_unsubscribe_hash(&one, "u-new")).unwrap().unwrap().id, "c1");
        assert_eq!(block_on(list(&one, "")).unwrap()[0].first_name.as_deref(), Some("Ada"));
        // A subscribed contact is never sent back to pending by a sign-up.
        block_on(ask_confirmation(&one, "c1", "k4", "2026-12-01T13:00:00Z", None)).unwrap();
        assert_eq!(block_on(by_confirm_hash(&one, "k4")).unwrap(), None);
        // A pending address that bounces is marked so, and its link no longer subscribes it.
        assert!(pending("c5", "gone@example.com", "k5"));
        block_on(mark_undeliverable(&&shard, "gone@example.com", "bounced", "2026-12-02T10:00:00Z")).unwrap();
        assert_eq!(status(&one, "gone@example.com").as_deref(), Some("bounced"));
        assert!(!block_on(confirm(&one, "c5", "k5", "u-5", "2026-12-02T11:00:00Z")).unwrap());
    }

    #[test]
    fn contacts_list_newest_first_filtered_by_status_and_only_the_stores_own() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        subscribe(&one, "c1", "a@example.com", "2026-12-01T10:00:00Z");
        subscribe(&one, "c2", "b@example.com", "2026-12-02T10:00:00Z");
        subscribe(&one, "c3", "c@example.com", "2026-12-03T10:00:00Z");
        subscribe(&two, "c4", "d@example.com", "2026-12-04T10:00:00Z");
        block_on(unsubscribe(&one, "c2", "2026-12-05T10:00:00Z")).unwrap();
        let ids = |status: &str| {
            block_on(list(&one, status)).unwrap().into_iter().map(|c| c.id).collect::<Vec<_>>()
        };
        assert_eq!(ids(""), ["c3", "c2", "c1"]);
        assert_eq!(ids("subscribed"), ["c3", "c1"]);
        assert_eq!(ids("unsubscribed"), ["c2"]);
        let c2 = block_on(list(&one, "unsubscribed")).unwrap().remove(0);
        assert_eq!(
            (c2.first_name.as_deref(), c2.unsubscribed_at.as_deref()),
            (Some("Ada"), Some("2026-12-05T10:00:00Z"))
        );
        assert_eq!(block_on(subscribed_count(&one)).unwrap(), 2);
        assert_eq!(block_on(subscribed_count(&two)).unwrap(), 1);
    }

    #[test]
    fn an_unsubscribe_token_finds_its_contact_only_in_its_store() {
        let shard = shard();
        subscribe(&store(&shard, 1), "c1", "ada@example.com", "2026-12-01T10:00:00Z");
        assert_eq!(block_on(by_unsubscribe_hash(&store(&shard, 1), "hash-c1")).unwrap().unwrap().id, "c1");
        assert_eq!(block_on(by_unsubscribe_hash(&store(&shard, 2), "hash-c1")).unwrap(), None);
        assert_eq!(block_on(by_unsubscribe_hash(&store(&shard, 1), "hash-other")).unwrap(), None);
    }

    #[test]
    fn resubscribing_clears_the_unsubscribe_and_keeps_a_name_when_none_is_given() {
        let shard = shard();
        let db = store(&shard, 1);
        subscribe(&db, "c1", "ada@example.com", "2026-12-01T10:00:00Z");
        block_on(unsubscribe(&db, "c1", "2026-12-02T10:00:00Z")).unwrap();
        block_on(resubscribe(&db, "c1", "new-hash", "2026-12-03T10:00:00Z", None)).unwrap();
        let contact = block_on(list(&db, "")).unwrap().remove(0);
        assert_eq!(
            (contact.status.as_str(), contact.first_name.as_deref(), contact.unsubscribed_at),
            ("subscribed", Some("Ada"), None)
        );
        assert_eq!(block_on(by_unsubscribe_hash(&db, "new-hash")).unwrap().unwrap().id, "c1");
        assert_eq!(block_on(by_unsubscribe_hash(&db, "hash-c1")).unwrap(), None, "the old link is dead");
    }

    #[test]
    fn another_store_cannot_unsubscribe_resubscribe_or_delete_a_contact() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        subscribe(&one, "c1", "ada@example.com", "2026-12-01T10:00:00Z");
        block_on(unsubscribe(&two, "c1", "2026-12-02T10:00:00Z")).unwrap();
        block_on(resubscribe(&two, "c1", "x", "2026-12-02T10:00:00Z", Some("Eve"))).unwrap();
        block_on(delete(&two, "c1")).unwrap();
        let contact = block_on(list(&one, "")).unwrap().remove(0);
        assert_eq!((contact.status.as_str(), contact.first_name.as_deref()), ("subscribed", Some("Ada")));
        block_on(delete(&one, "c1")).unwrap();
        assert!(block_on(list(&one, "")).unwrap().is_empty());
    }

    #[test]
    fn a_shopper_who_unsubscribes_is_kept_as_unsubscribed_and_a_bounced_contact_stays_bounced() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(unsubscribe_shopper(&db, "s1", "new@example.com", "h1", "2026-12-01T10:00:00Z")).unwrap();
        let kept = block_on(list(&db, "unsubscribed")).unwrap();
        assert_eq!((kept[0].email.as_str(), kept[0].source.as_str()), ("new@example.com", "checkout"));
        assert_eq!(block_on(subscribed_count(&db)).unwrap(), 0, "not counted against the plan");

        subscribe(&db, "c1", "ada@example.com", "2026-12-01T10:00:00Z");
        block_on(unsubscribe_shopper(&db, "s2", "ada@example.com", "h2", "2026-12-02T10:00:00Z")).unwrap();
        assert_eq!(status(&db, "ada@example.com").as_deref(), Some("unsubscribed"));
        assert_eq!(block_on(by_email(&db, "ada@example.com")).unwrap().unwrap().id, "c1", "the same contact");

        subscribe(&db, "c2", "gone@example.com", "2026-12-01T10:00:00Z");
        block_on(mark_undeliverable(&&shard, "gone@example.com", "bounced", "2026-12-02T10:00:00Z")).unwrap();
        block_on(unsubscribe_shopper(&db, "s3", "gone@example.com", "h3", "2026-12-03T10:00:00Z")).unwrap();
        block_on(unsubscribe(&db, "c2", "2026-12-03T10:00:00Z")).unwrap();
        assert_eq!(status(&db, "gone@example.com").as_deref(), Some("bounced"));
    }

    #[test]
    fn a_bounce_marks_that_exact_address_subscribed_in_every_store_and_nothing_else() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        subscribe(&one, "c1", "gone@example.com", "2026-12-01T10:00:00Z");
        subscribe(&two, "c2", "gone@example.com", "2026-12-01T10:00:00Z");
        subscribe(&one, "c3", "stays@example.com", "2026-12-01T10:00:00Z");
        subscribe(&one, "c4", "xgone@example.com", "2026-12-01T10:00:00Z");
        subscribe(&two, "c5", "left@example.com", "2026-12-01T10:00:00Z");
        block_on(unsubscribe(&two, "c5", "2026-12-01T11:00:00Z")).unwrap();

        let marked =
            block_on(mark_undeliverable(&&shard, "gone@example.com", "bounced", "2026-12-02T10:00:00Z"))
                .unwrap();
        assert_eq!(marked.changes, 2);
        block_on(mark_undeliverable(&&shard, "left@example.com", "complained", "2026-12-02T10:00:00Z"))
            .unwrap();
        assert_eq!(status(&one, "gone@example.com").as_deref(), Some("bounced"));
        assert_eq!(status(&two, "gone@example.com").as_deref(), Some("bounced"));
        assert_eq!(status(&one, "stays@example.com").as_deref(), Some("subscribed"));
        assert_eq!(status(&one, "xgone@example.com").as_deref(), Some("subscribed"));
        assert_eq!(status(&two, "left@example.com").as_deref(), Some("unsubscribed"), "only subscribed ones");
        assert_eq!(block_on(subscribed_count(&one)).unwrap(), 2);
    }
}
