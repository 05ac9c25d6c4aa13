//! Email flows in the store database: the merchant's settings per flow (`email_flow_settings`),
//! what became of each flow step as the email pipeline reports it (`email_sends`), and the
//! segments those records (and `contacts`) make.

use queues::email_api::FlowSettings;
use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// The store's settings of every flow it changed (a flow without settings runs on defaults).
pub async fn settings(db: &StoreDb<impl Sql>) -> Result<Vec<FlowSettings>, SqlError> {
    #[derive(Deserialize)]
    struct Row {
        flow: String,
        enabled: i64,
        steps: String,
    }
    let rows: Vec<Row> = db
        .query_all("SELECT flow, enabled, steps FROM email_flow_settings WHERE store_id = ?1", vec![])
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| FlowSettings {
            flow: row.flow,
            enabled: row.enabled != 0,
            steps: serde_json::from_str(&row.steps).unwrap_or_default(),
        })
        .collect())
}

/// Replaces the settings of `flow`; `steps` is the JSON of its changed steps.
pub async fn save_settings(
    db: &StoreDb<impl Sql>,
    flow: &str,
    enabled: bool,
    steps: &str,
    at: &str,
) -> Result<(), SqlError> {
    db.execute(
        "INSERT INTO email_flow_settings (store_id, flow, enabled, steps, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (store_id, flow) DO UPDATE SET enabled = excluded.enabled, steps = excluded.steps, \
         updated_at = excluded.updated_at",
        vec![flow.into(), enabled.into(), steps.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// How many of a flow's steps have one status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StatusCount {
    /// `scheduled`, `sent`, `cancelled` or `skipped`.
    pub status: String,
    /// How many steps.
    pub n: u64,
}

/// The flow's steps counted by status (statuses without steps are left out).
pub async fn counts(db: &StoreDb<impl Sql>, flow: &str) -> Result<Vec<StatusCount>, SqlError> {
    db.query_all(
        "SELECT status, COUNT(*) AS n FROM email_sends WHERE store_id = ?1 AND flow = ?2 GROUP BY status",
        vec![flow.into()],
    )
    .await
}

/// One flow step and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SendRow {
    /// The contact, cart or order the flow is about.
    pub subject: String,
    /// The step's number in its flow.
    pub step: i64,
    /// The mail's template.
    pub template: String,
    /// The address.
    pub recipient: String,
    /// `scheduled`, `sent`, `cancelled` or `skipped`.
    pub status: String,
    /// Why it was cancelled or skipped.
    pub reason: Option<String>,
    /// When it is (or was) due (RFC 3339).
    pub due_at: String,
    /// The last news of it.
    pub updated_at: String,
}

/// The flow's steps with `status` (every status when empty), newest news first, at most 200.
pub async fn sends(db: &StoreDb<impl Sql>, flow: &str, status: &str) -> Result<Vec<SendRow>, SqlError> {
    db.query_all(
        "SELECT subject, step, template, recipient, status, reason, due_at, updated_at FROM email_sends \
         WHERE store_id = ?1 AND flow = ?2 AND (?3 = '' OR status = ?3) \
         ORDER BY updated_at DESC, subject, step LIMIT 200",
        vec![flow.into(), status.into()],
    )
    .await
}

/// A report from the email pipeline of what became of a step.
pub struct SendReport<'a> {
    /// The flow.
    pub flow: &'a str,
    /// The contact, cart or order the flow is about.
    pub subject: &'a str,
    /// The step's number.
    pub step: u8,
    /// The mail's template.
    pub template: &'a str,
    /// The address; empty for a report that names none (a purchase cancelling a cart's steps).
    pub recipient: &'a str,
    /// `scheduled`, `sent`, `cancelled` or `skipped`.
    pub status: &'a str,
    /// Why it was cancelled or skipped.
    pub reason: Option<&'a str>,
    /// When it is due (RFC 3339).
    pub due_at: &'a str,
}

/// The write recording a report, for a batch: `scheduled` only adds a step not seen before;
/// later news updates it, but never sets a sent step back; a report without a recipient only
/// updates the step while it is scheduled.
pub fn record_send<D>(db: &StoreDb<D>, report: &SendReport<'_>, at: &str) -> Result<Statement, SqlError> {
    if report.recipient.is_empty() {
        return db.scoped(
            "UPDATE email_sends SET status = ?5, reason = ?6, updated_at = ?7 \
             WHERE store_id = ?1 AND flow = ?2 AND subject = ?3 AND step = ?4 AND status = 'scheduled'",
            vec![
                report.flow.into(),
                report.subject.into(),
                u32::from(report.step).into(),
                report.status.into(),
                report.reason.into(),
                at.into(),
            ],
        );
    }
    let on_conflict = if report.status == "scheduled" {
        "DO NOTHING"
    } else {
        "DO UPDATE SET status = excluded.status, reason = excluded.reason, updated_at = excluded.updated_at \
         WHERE email_sends.status <> 'sent'"
    };
    db.scoped(
        &format!(
            "INSERT INTO email_sends (store_id, flow, subject, step, template, recipient, status, reason, due_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (store_id, flow, subject, step) {on_conflict}"
        ),
        vec![
            report.flow.into(),
            report.subject.into(),
            u32::from(report.step).into(),
            report.template.into(),
            report.recipient.into(),
            report.status.into(),
            report.reason.into(),
            report.due_at.into(),
            at.into(),
        ],
    )
}

/// After an unsubscribe: the address's marketing steps still scheduled show as cancelled
/// (order confirmations and shipping updates still go).
pub async fn cancel_marketing(db: &StoreDb<impl Sql>, recipient: &str, at: &str) -> Result<(), SqlError> {
    db.execute(
        "UPDATE email_sends SET status = 'cancelled', reason = 'unsubscribed', updated_at = ?3 \
         WHERE store_id = ?1 AND recipient = ?2 AND status = 'scheduled' \
         AND template NOT IN ('order_confirmation', 'shipping_update')",
        vec![recipient.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// A customer and how many orders the post-purchase flow started for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustomerOrders {
    /// The address.
    pub recipient: String,
    /// Orders.
    pub orders: u64,
}

/// Every customer (an address a post-purchase flow wrote to) with their number of orders, by
/// address.
pub async fn customers(db: &StoreDb<impl Sql>) -> Result<Vec<CustomerOrders>, SqlError> {
    db.query_all(
        "SELECT recipient, COUNT(DISTINCT subject) AS orders FROM email_sends \
         WHERE store_id = ?1 AND flow = 'post_purchase' AND step = 1 GROUP BY recipient ORDER BY recipient",
        vec![],
    )
    .await
}

#[derive(Deserialize)]
struct Recipient {
    recipient: String,
}

/// The address of each abandoned cart that no purchase followed, by address (an address appears
/// once per such cart).
pub async fn cart_abandoners(db: &StoreDb<impl Sql>) -> Result<Vec<String>, SqlError> {
    let rows: Vec<Recipient> = db
        .query_all(
            "SELECT recipient FROM email_sends WHERE store_id = ?1 AND flow = 'abandoned_cart' \
             GROUP BY recipient, subject HAVING MAX(CASE WHEN reason = 'cart_purchased' THEN 1 ELSE 0 END) = 0 \
             AND MAX(recipient) <> '' ORDER BY recipient",
            vec![],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.recipient).collect())
}

/// Subscribed contacts who subscribed before `since` and ordered nothing from then on, by address.
pub async fn inactive_since(db: &StoreDb<impl Sql>, since: &str) -> Result<Vec<String>, SqlError> {
    let rows: Vec<Recipient> = db
        .query_all(
            "SELECT email AS recipient FROM contacts c WHERE store_id = ?1 AND status = 'subscribed' \
             AND subscribed_at < ?2 AND NOT EXISTS (SELECT 1 FROM email_sends s WHERE s.store_id = c.store_id \
             AND s.recipient = c.email AND s.flow = 'post_purchase' AND s.step = 1 AND s.due_at >= ?2) \
             ORDER BY email",
            vec![since.into()],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.recipient).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};
    use tenancy::sqlite::Sqlite;

    type Db<'a> = StoreDb<&'a Sqlite>;

    fn report<'a>(
        flow: &'a str,
        subject: &'a str,
        step: u8,
        recipient: &'a str,
        status: &'a str,
    ) -> SendReport<'a> {
        SendReport {
            flow,
            subject,
            step,
            template: if flow == "welcome" { "welcome" } else { "order_confirmation" },
            recipient,
            status,
            reason: None,
            due_at: "2026-12-01T10:00:00Z",
        }
    }

    fn record(db: &Db<'_>, reports: &[SendReport<'_>], at: &str) {
        let statements = reports.iter().map(|r| record_send(db, r, at).unwrap()).collect();
        block_on(db.execute_batch(statements)).unwrap();
    }

    fn statuses(db: &Db<'_>, flow: &str) -> Vec<(String, i64, String)> {
        let mut rows: Vec<_> = block_on(sends(db, flow, ""))
            .unwrap()
            .into_iter()
            .map(|s| (s.subject, s.step, s.status))
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn settings_are_saved_per_store_and_flow_and_replaced_on_save() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        let steps = r#"[{"step":2,"delay_hours":72}]"#;
        block_on(save_settings(&one, "welcome", true, steps, "2026-12-01T10:00:00Z")).unwrap();
        block_on(save_settings(&one, "welcome", false, steps, "2026-12-02T10:00:00Z")).unwrap();
        let saved = block_on(settings(&one)).unwrap();
        assert_eq!(saved.len(), 1);
        assert_eq!((saved[0].flow.as_str(), saved[0].enabled), ("welcome", false));
        assert_eq!((saved[0].steps[0].step, saved[0].steps[0].delay_hours), (2, Some(72)));
        assert!(block_on(settings(&two)).unwrap().is_empty());
        let error = block_on(save_settings(&one, "birthday", true, "[]", "x")).unwrap_err();
        assert!(matches!(error, SqlError::Constraint(_)), "an unknown flow: {error:?}");
    }

    #[test]
    fn a_step_is_added_once_updated_by_later_news_and_a_sent_step_never_goes_back() {
        let shard = shard();
        let db = store(&shard, 1);
        record(&db, &[report("welcome", "c1", 1, "a@example.com", "scheduled")], "t1");
        record(&db, &[report("welcome", "c1", 1, "a@example.com", "scheduled")], "t2");
        assert_eq!(
            block_on(sends(&db, "welcome", "")).unwrap()[0].updated_at,
            "t1",
            "scheduled twice adds nothing"
        );
        record(&db, &[report("welcome", "c1", 1, "a@example.com", "sent")], "t3");
        record(&db, &[report("welcome", "c1", 1, "a@example.com", "cancelled")], "t4");
        assert_eq!(statuses(&db, "welcome"), [("c1".into(), 1, "sent".into())]);
    }

    #[test]
    fn a_report_without_recipient_cancels_only_scheduled_steps_of_its_store() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        record(
            &one,
            &[
                report("abandoned_cart", "cart1", 1, "a@example.com", "sent"),
                report("abandoned_cart", "cart1", 2, "a@example.com", "scheduled"),
            ],
            "t1",
        );
        record(&two, &[report("abandoned_cart", "cart1", 2, "b@example.com", "scheduled")], "t1");
        let mut purchase = report("abandoned_cart", "cart1", 1, "", "cancelled");
        purchase.reason = Some("cart_purchased");
        let mut second = report("abandoned_cart", "cart1", 2, "", "cancelled");
        second.reason = Some("cart_purchased");
        record(&one, &[purchase, second], "t2");
        assert_eq!(
            statuses(&one, "abandoned_cart"),
            [("cart1".into(), 1, "sent".into()), ("cart1".into(), 2, "cancelled".into())]
        );
        assert_eq!(statuses(&two, "abandoned_cart"), [("cart1".into(), 2, "scheduled".into())]);
    }

    #[test]
    fn sends_filter_by_status_newest_first_and_counts_group_by_status() {
        let shard = shard();
        let db = store(&shard, 1);
        record(&db, &[report("welcome", "c1", 1, "a@example.com", "sent")], "2026-12-01");
        record(&db, &[report("welcome", "c2", 1, "b@example.com", "sent")], "2026-12-03");
        record(&db, &[report("welcome", "c3", 1, "c@example.com", "scheduled")], "2026-12-02");
        record(&db, &[report("post_purchase", "o1", 1, "a@example.com", "sent")], "2026-12-04");
        let subjects = |status| {
            block_on(sends(&db, "welcome", status))
                .unwrap()
                .into_iter()
                .map(|s| s.subject)
                .collect::<Vec<_>>()
        };
        assert_eq!(subjects(""), ["c2", "c3", "c1"]);
        assert_eq!(subjects("sent"), ["c2", "c1"]);
        let mut by_status = block_on(counts(&db, "welcome")).unwrap();
        by_status.sort_by(|a, b| a.status.cmp(&b.status));
        assert_eq!(
            by_status,
            [StatusCount { status: "scheduled".into(), n: 1 }, StatusCount { status: "sent".into(), n: 2 }]
        );
        assert!(block_on(counts(&store(&shard, 2), "welcome")).unwrap().is_empty());
    }

    #[test]
    fn cancelling_marketing_spares_order_mail_and_other_addresses() {
        let shard = shard();
        let db = store(&shard, 1);
        record(
            &db,
            &[
                report("welcome", "c1", 2, "a@example.com", "scheduled"),
                report("post_purchase", "o1", 1, "a@example.com", "scheduled"),
                report("welcome", "c2", 2, "b@example.com", "scheduled"),
            ],
            "t1",
        );
        record(&store(&shard, 2), &[report("welcome", "c9", 2, "a@example.com", "scheduled")], "t1");
        block_on(cancel_marketing(&db, "a@example.com", "t2")).unwrap();
        assert_eq!(
            statuses(&db, "welcome"),
            [("c1".into(), 2, "cancelled".into()), ("c2".into(), 2, "scheduled".into())]
        );
        assert_eq!(statuses(&db, "post_purchase"), [("o1".into(), 1, "scheduled".into())]);
        assert_eq!(statuses(&store(&shard, 2), "welcome"), [("c9".into(), 2, "scheduled".into())]);
        assert_eq!(
            block_on(sends(&db, "welcome", "cancelled")).unwrap()[0].reason.as_deref(),
            Some("unsubscribed")
        );
    }

    #[test]
    fn segments_come_from_orders_carts_and_subscriptions() {
        let shard = shard();
        let db = store(&shard, 1);
        let order = |subject, recipient| report("post_purchase", subject, 1, recipient, "sent");
        let cart = |subject, recipient| report("abandoned_cart", subject, 1, recipient, "sent");
        let mut bought = report("abandoned_cart", "cart3", 2, "c@example.com", "cancelled");
        bought.reason = Some("cart_purchased");
        record(
            &db,
            &[
                order("o1", "new@example.com"),
                order("o2", "repeat@example.com"),
                order("o3", "repeat@example.com"),
                cart("cart1", "a@example.com"),
                cart("cart2", "a@example.com"),
                cart("cart3", "c@example.com"),
                bought,
            ],
            "t1",
        );
        record(&store(&shard, 2), &[order("o9", "other@example.com")], "t1");
        let customers = block_on(customers(&db)).unwrap();
        assert_eq!(
            customers,
            [
                CustomerOrders { recipient: "new@example.com".into(), orders: 1 },
                CustomerOrders { recipient: "repeat@example.com".into(), orders: 2 },
            ]
        );
        assert_eq!(block_on(cart_abandoners(&db)).unwrap(), ["a@example.com", "a@example.com"]);

        shard
            .execute_script(&format!(
                "INSERT INTO contacts (id, store_id, email, status, unsubscribe_hash, subscribed_at, created_at) VALUES
                   ('k1', '{s}', 'old@example.com', 'subscribed', 'h1', '2026-09-01T00:00:00Z', 'x'),
                   ('k2', '{s}', 'new@example.com', 'subscribed', 'h2', '2026-09-01T00:00:00Z', 'x'),
                   ('k3', '{s}', 'fresh@example.com', 'subscribed', 'h3', '2026-11-30T00:00:00Z', 'x'),
                   ('k4', '{s}', 'gone@example.com', 'unsubscribed', 'h4', '2026-09-01T00:00:00Z', 'x');",
                s = crate::repo::testing::store_id(1)
            ))
            .unwrap();
        // new@example.com ordered (its confirmation was due) on 2026-12-01, after the cut-off.
        assert_eq!(block_on(inactive_since(&db, "2026-10-01T00:00:00Z")).unwrap(), ["old@example.com"]);
        assert!(block_on(inactive_since(&store(&shard, 2), "2026-10-01T00:00:00Z")).unwrap().is_empty());
    }
}
