//! Fulfilment in the store database: an order's state (`orders.fulfilment`), the supplier orders
//! placed for it (`supplier_orders`, one per supplier) and its history (`order_events`); whether
//! the store approves orders by hand (`fulfilment_settings`), and the merchant's approval.

use serde_json::Value;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

// Rows are read as JSON objects: one D1 row decoder for all of them keeps the Worker small.

/// The order's lines with their products' suppliers, in order: `position`, `product_id`, `title`,
/// `quantity`, `unit_price_minor`, `source`, `source_product_id` and `cost_minor` (null for the
/// merchant's own stock or a deleted product).
pub async fn lines(db: &StoreDb<impl Sql>, order: &str) -> Result<Vec<Value>, SqlError> {
    db.query_all(
        "SELECT i.position, i.product_id, i.title, i.quantity, i.unit_price_minor, p.source, p.source_product_id, \
         p.cost_minor \
         FROM order_items i LEFT JOIN products p ON p.store_id = i.store_id AND p.id = i.product_id \
         WHERE i.store_id = ?1 AND i.order_id = ?2 ORDER BY i.position",
        vec![order.into()],
    )
    .await
}

/// The order's supplier orders: `supplier`, `status` (`placed`, `shipped`, `delivered`, `failed`,
/// `cancelled`), `supplier_order_id`, `reason`, `tracking_number`, `carrier`,
/// `tracking_updated_at`, `created_at`, `updated_at`.
pub async fn supplier_orders(db: &StoreDb<impl Sql>, order: &str) -> Result<Vec<Value>, SqlError> {
    db.query_all(
        "SELECT supplier, status, supplier_order_id, reason, tracking_number, carrier, tracking_updated_at, created_at, updated_at \
         FROM supplier_orders WHERE store_id = ?1 AND order_id = ?2 ORDER BY created_at, supplier",
        vec![order.into()],
    )
    .await
}

/// The order's history, oldest first: `at`, `state` (the state it moved to) and `cause`.
pub async fn events(db: &StoreDb<impl Sql>, order: &str) -> Result<Vec<Value>, SqlError> {
    db.query_all(
        "SELECT at, state, cause FROM order_events WHERE store_id = ?1 AND order_id = ?2 ORDER BY seq",
        vec![order.into()],
    )
    .await
}

/// The insert of an event at the end of the order's history, for a batch.
pub fn event<D>(
    db: &StoreDb<D>,
    order: &str,
    state: &str,
    cause: &str,
    at: &str,
) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO order_events (store_id, order_id, seq, at, state, cause) VALUES (?1, ?2, \
         (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_events WHERE store_id = ?1 AND order_id = ?2), ?3, ?4, ?5)",
        vec![order.into(), at.into(), state.into(), cause.into()],
    )
}

/// Up to `limit` of the store's supplier orders whose tracking is read (placed or shipped, with
/// the supplier's order id), after `(order, supplier)` in that order: `order_id`, `supplier`,
/// `supplier_order_id`, `status`.
pub async fn open_page(
    db: &StoreDb<impl Sql>,
    after: (&str, &str),
    limit: u32,
) -> Result<Vec<Value>, SqlError> {
    db.query_all(
        "SELECT order_id, supplier, supplier_order_id, status FROM supplier_orders WHERE store_id = ?1 \
         AND status IN ('placed', 'shipped') AND supplier_order_id IS NOT NULL \
         AND (order_id > ?2 OR (order_id = ?2 AND supplier > ?3)) ORDER BY order_id, supplier LIMIT ?4",
        vec![after.0.into(), after.1.into(), limit.into()],
    )
    .await
}

/// A supplier order's tracking as read, for a batch: applied only while the row is still in
/// `from` (a reading raced by another changes nothing).
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub fn tracking<D>(
    db: &StoreDb<D>,
    order: &str,
    supplier: &str,
    from: &str,
    to: &str,
    number: Option<&str>,
    carrier: Option<&str>,
    last_event_at: Option<&str>,
    at: &str,
) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE supplier_orders SET status = ?5, tracking_number = COALESCE(?6, tracking_number), \
         carrier = COALESCE(?7, carrier), tracking_updated_at = COALESCE(?8, tracking_updated_at), updated_at = ?9 \
         WHERE store_id = ?1 AND order_id = ?2 AND supplier = ?3 AND status = ?4",
        vec![
            order.into(),
            supplier.into(),
            from.into(),
            to.into(),
            number.into(),
            carrier.into(),
            last_event_at.into(),
            at.into(),
        ],
    )
}

/// The insert of an event unless the order's history already has that state with that cause,
/// for a batch: a reading reported twice is recorded once.
pub fn event_once<D>(
    db: &StoreDb<D>,
    order: &str,
    state: &str,
    cause: &str,
    at: &str,
) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO order_events (store_id, order_id, seq, at, state, cause) SELECT ?1, ?2, \
         (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_events WHERE store_id = ?1 AND order_id = ?2), ?3, ?4, ?5 \
         WHERE NOT EXISTS (SELECT 1 FROM order_events WHERE store_id = ?1 AND order_id = ?2 AND state = ?4 AND cause = ?5)",
        vec![order.into(), at.into(), state.into(), cause.into()],
    )
}

/// The order's state and flag after a tracking read, for a batch; an order that failed or was
/// cancelled keeps its state.
pub fn set_tracked<D>(
    db: &StoreDb<D>,
    order: &str,
    state: &str,
    flag: Option<&str>,
) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE orders SET fulfilment = ?3, flag = ?4 WHERE store_id = ?1 AND id = ?2 \
         AND fulfilment IN ('placed', 'shipped', 'delivered')",
        vec![order.into(), state.into(), flag.into()],
    )
}

/// A supplier's answer to record once: a second report for the same supplier changes nothing.
pub fn supplier_answer<D>(
    db: &StoreDb<D>,
    order: &str,
    supplier: &str,
    supplier_order_id: Option<&str>,
    failure: Option<&str>,
    at: &str,
) -> Result<Statement, SqlError> {
    db.scoped(
        "INSERT INTO supplier_orders (store_id, order_id, supplier, status, supplier_order_id, reason, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT (store_id, order_id, supplier) DO NOTHING",
        vec![
            order.into(),
            supplier.into(),
            if failure.is_some() { "failed" } else { "placed" }.into(),
            supplier_order_id.into(),
            failure.into(),
            at.into(),
        ],
    )
}

/// What the store asks of its orders before they are placed: `min_margin_bps` (null when the
/// store never set pricing rules) and `approve_by_hand` (0 or 1).
pub async fn policy(db: &StoreDb<impl Sql>) -> Result<Option<Value>, SqlError> {
    db.query_first(
        "SELECT (SELECT min_margin_bps FROM pricing_rules WHERE store_id = ?1) AS min_margin_bps, \
         COALESCE((SELECT approve_by_hand FROM fulfilment_settings WHERE store_id = ?1), 0) AS approve_by_hand",
        vec![],
    )
    .await
}

/// Sets whether the store approves every order by hand.
pub async fn set_approve_by_hand(db: &StoreDb<impl Sql>, on: bool, at: &str) -> Result<(), SqlError> {
    db.execute(
        "INSERT INTO fulfilment_settings (store_id, approve_by_hand, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (store_id) DO UPDATE SET approve_by_hand = excluded.approve_by_hand, updated_at = excluded.updated_at",
        vec![i64::from(on).into(), at.into()],
    )
    .await?;
    Ok(())
}

/// The order's move from `paid` to `awaiting_approval` for `reason`, for a batch: an order the
/// merchant approved, or that moved on, is left alone (the statement changes no row).
pub fn hold<D>(db: &StoreDb<D>, order: &str, reason: &str) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE orders SET fulfilment = 'awaiting_approval', fulfilment_reason = ?3 WHERE store_id = ?1 AND id = ?2 \
         AND fulfilment = 'paid' AND approved_by IS NULL",
        vec![order.into(), reason.into()],
    )
}

/// The merchant's approval of an order that waits, for a batch: back to `paid`, marked approved
/// by `by`; it changes no row unless the order waits (so a second approval finds nothing).
pub fn approve<D>(db: &StoreDb<D>, order: &str, by: &str, at: &str) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE orders SET fulfilment = 'paid', fulfilment_reason = NULL, approved_by = ?3, approved_at = ?4 \
         WHERE store_id = ?1 AND id = ?2 AND fulfilment = 'awaiting_approval'",
        vec![order.into(), by.into(), at.into()],
    )
}

/// The cancellation of an order that waits, for a batch; it changes no row otherwise.
pub fn cancel<D>(db: &StoreDb<D>, order: &str) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE orders SET fulfilment = 'cancelled' WHERE store_id = ?1 AND id = ?2 AND fulfilment = 'awaiting_approval'",
        vec![order.into()],
    )
}

/// The order's move to `state` (with the reason of a failure), for a batch.
pub fn set_state<D>(
    db: &StoreDb<D>,
    order: &str,
    state: &str,
    reason: Option<&str>,
) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE orders SET fulfilment = ?3, fulfilment_reason = ?4 WHERE store_id = ?1 AND id = ?2",
        vec![order.into(), state.into(), reason.into()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};

    fn seed(shard: &tenancy::sqlite::Sqlite, n: u8) {
        let db = store(shard, n);
        block_on(db.execute(
            "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, meta_description, keywords, \
             price_minor, cost_minor, currency, images, status, source, source_product_id, created_at, updated_at) VALUES \
             (?1, 'p1', 'lamp', 'Lamp', '[]', '[]', '', '', '[]', 2000, 800, 'USD', '[]', 'published', 'aliexpress', '1005', 'x', 'x')",
            vec![],
        ))
        .unwrap();
        block_on(db.execute(
            "INSERT INTO orders (store_id, id, number, checkout_id, access_token, email, subtotal_minor, total_minor, currency, \
             stripe_session_id, created_at, shipping_name, shipping_address) VALUES (?1, 'o1', 1001, 'o1', 't', 'a@b.c', 4000, 4000, \
             'USD', 'cs', 'x', 'Ada', '{\"line1\":\"1 Main St\"}')",
            vec![],
        ))
        .unwrap();
        block_on(db.execute(
            "INSERT INTO order_items (store_id, order_id, position, product_id, title, unit_price_minor, quantity) VALUES \
             (?1, 'o1', 0, 'p1', 'Lamp', 2000, 2), (?1, 'o1', 1, 'gone', 'Old', 100, 1)",
            vec![],
        ))
        .unwrap();
    }

    #[test]
    fn an_orders_lines_carry_their_suppliers_listing() {
        let shard = shard();
        seed(&shard, 1);
        let db = store(&shard, 1);
        let order = block_on(crate::repo::orders::get(&db, "o1")).unwrap().expect("the order");
        assert_eq!((order.fulfilment.as_str(), order.shipping_name.as_deref()), ("paid", Some("Ada")));
        let lines = block_on(lines(&db, "o1")).unwrap();
        assert_eq!(
            (lines[0]["source"].as_str(), lines[0]["source_product_id"].as_str()),
            (Some("aliexpress"), Some("1005"))
        );
        assert_eq!((lines[0]["quantity"].as_i64(), lines[0]["position"].as_i64()), (Some(2), Some(0)));
        assert_eq!(lines[0]["cost_minor"].as_i64(), Some(800), "the cost the store recorded");
        assert!(lines[1]["source"].is_null(), "a deleted product has no supplier");
        assert!(block_on(super::lines(&store(&shard, 2), "o1")).unwrap().is_empty(), "another store's order");
    }

    #[test]
    fn a_supplier_answer_is_recorded_once_and_the_history_grows_in_order() {
        let shard = shard();
        seed(&shard, 1);
        let db = store(&shard, 1);
        for id in ["AE1", "AE2"] {
            block_on(db.execute_batch(vec![
                supplier_answer(&db, "o1", "aliexpress", Some(id), None, "2026-12-01T10:00:00Z").unwrap(),
            ]))
            .unwrap();
        }
        let placed = block_on(supplier_orders(&db, "o1")).unwrap();
        assert_eq!(placed.len(), 1);
        assert_eq!(
            (placed[0]["status"].as_str(), placed[0]["supplier_order_id"].as_str()),
            (Some("placed"), Some("AE1"))
        );
        block_on(db.execute_batch(vec![
            event(&db, "o1", "paid", "payment received", "2026-12-01T09:59:00Z").unwrap(),
            set_state(&db, "o1", "placed", None).unwrap(),
            event(&db, "o1", "placed", "aliexpress order AE1", "2026-12-01T10:00:00Z").unwrap(),
        ]))
        .unwrap();
        let history = block_on(events(&db, "o1")).unwrap();
        assert_eq!(
            history.iter().map(|e| e["state"].as_str().unwrap()).collect::<Vec<_>>(),
            ["paid", "placed"]
        );
        assert_eq!(block_on(crate::repo::orders::get(&db, "o1")).unwrap().unwrap().fulfilment, "placed");
        assert!(
            block_on(db.execute_batch(vec![set_state(&db, "o1", "lost", None).unwrap()])).is_err(),
            "states are a closed set"
        );
    }

    #[test]
    fn an_order_waits_once_is_approved_once_and_an_approved_order_is_not_held_again() {
        let shard = shard();
        seed(&shard, 1);
        let db = store(&shard, 1);
        let changed = |statement: Statement| block_on(db.execute_batch(vec![statement])).unwrap()[0].changes;
        let state = || block_on(crate::repo::orders::get(&db, "o1")).unwrap().unwrap();
        assert_eq!(changed(hold(&db, "o1", "the store approves orders by hand").unwrap()), 1);
        assert_eq!(
            (state().fulfilment.as_str(), state().fulfilment_reason.as_deref()),
            ("awaiting_approval", Some("the store approves orders by hand"))
        );
        assert_eq!(changed(hold(&db, "o1", "again").unwrap()), 0, "a redelivered hold changes nothing");
        assert_eq!(changed(approve(&db, "o1", "ada@example.com", "2026-12-08T03:00:00Z").unwrap()), 1);
        assert_eq!(
            (state().fulfilment.as_str(), state().approved_by.as_deref(), state().fulfilment_reason),
            ("paid", Some("ada@example.com"), None)
        );
        assert_eq!(changed(approve(&db, "o1", "bo@example.com", "x").unwrap()), 0, "approved once");
        assert_eq!(changed(hold(&db, "o1", "margin").unwrap()), 0, "an approved order is not held again");
        assert_eq!(changed(cancel(&db, "o1").unwrap()), 0, "only an order that waits is cancelled here");
        let other = store(&shard, 2);
        let approved = approve(&other, "o1", "eve@example.com", "x").unwrap();
        assert_eq!(
            block_on(other.execute_batch(vec![approved])).unwrap()[0].changes,
            0,
            "another store's order"
        );
        block_on(db.execute_batch(vec![set_state(&db, "o1", "awaiting_approval", Some("x")).unwrap()]))
            .unwrap();
        assert_eq!(changed(cancel(&db, "o1").unwrap()), 1);
        assert_eq!(state().fulfilment, "cancelled");
    }

    #[test]
    fn the_policy_is_the_stores_minimum_margin_and_approval_setting_off_until_set() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        let policy = |db| block_on(super::policy(db)).unwrap().unwrap();
        assert_eq!(policy(&one), serde_json::json!({"min_margin_bps": null, "approve_by_hand": 0}));
        block_on(set_approve_by_hand(&one, true, "2026-12-08T03:00:00Z")).unwrap();
        let rules = domain::pricing::PricingRules { min_margin_bps: 4_000, ..Default::default() };
        block_on(crate::repo::pricing::put(&one, &rules, "2026-12-08T03:00:00Z")).unwrap();
        assert_eq!(policy(&one), serde_json::json!({"min_margin_bps": 4000, "approve_by_hand": 1}));
        assert_eq!(policy(&two)["approve_by_hand"], 0, "another store's setting is its own");
        block_on(set_approve_by_hand(&one, false, "2026-12-08T03:01:00Z")).unwrap();
        assert_eq!(policy(&one)["approve_by_hand"], 0);
    }

    #[test]
    fn a_tracking_reading_moves_a_supplier_order_once_and_records_its_move_once() {
        let shard = shard();
        seed(&shard, 1);
        let db = store(&shard, 1);
        block_on(db.execute_batch(vec![
            supplier_answer(&db, "o1", "aliexpress", Some("AE1"), None, "2026-12-01T10:00:00Z").unwrap(),
            set_state(&db, "o1", "placed", None).unwrap(),
        ]))
        .unwrap();
        let open = block_on(open_page(&db, ("", ""), 10)).unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!((open[0]["order_id"].as_str(), open[0]["status"].as_str()), (Some("o1"), Some("placed")));
        assert!(block_on(open_page(&db, ("o1", "aliexpress"), 10)).unwrap().is_empty(), "after the cursor");
        assert!(block_on(open_page(&store(&shard, 2), ("", ""), 10)).unwrap().is_empty(), "another store's");
        let shipped = |at: &str| {
            vec![
                tracking(
                    &db,
                    "o1",
                    "aliexpress",
                    "placed",
                    "shipped",
                    Some("LP1"),
                    Some("Cainiao"),
                    Some(at),
                    at,
                )
                .unwrap(),
                event_once(
                    &db,
                    "o1",
                    "shipped",
                    "aliexpress order AE1 shipped with Cainiao, tracking LP1",
                    at,
                )
                .unwrap(),
                set_tracked(&db, "o1", "shipped", None).unwrap(),
            ]
        };
        // The same reading twice (a redelivered report): one move, one history row.
        block_on(db.execute_batch(shipped("2026-12-02T10:00:00Z"))).unwrap();
        block_on(db.execute_batch(shipped("2026-12-02T11:00:00Z"))).unwrap();
        let row = &block_on(supplier_orders(&db, "o1")).unwrap()[0];
        assert_eq!(
            (row["status"].as_str(), row["tracking_number"].as_str(), row["tracking_updated_at"].as_str()),
            (Some("shipped"), Some("LP1"), Some("2026-12-02T10:00:00Z"))
        );
        let history = block_on(events(&db, "o1")).unwrap();
        assert_eq!(history.iter().map(|e| e["state"].as_str().unwrap()).collect::<Vec<_>>(), ["shipped"]);
        block_on(db.execute_batch(vec![set_tracked(&db, "o1", "shipped", Some("no_update")).unwrap()]))
            .unwrap();
        let order = block_on(crate::repo::orders::get(&db, "o1")).unwrap().unwrap();
        assert_eq!((order.fulfilment.as_str(), order.flag.as_deref()), ("shipped", Some("no_update")));
        assert!(
            block_on(db.execute_batch(vec![set_tracked(&db, "o1", "shipped", Some("late")).unwrap()]))
                .is_err(),
            "flags are a closed set"
        );
        block_on(db.execute_batch(vec![tracking(
                &db,
                "o1",
                "aliexpress",
                "shipped",
                "delivered",
                None,
                None,
                None,
                "2026-12-09T10:00:00Z",
            )
            .unwrap()]))
        .unwrap();
        assert!(
            block_on(open_page(&db, ("", ""), 10)).unwrap().is_empty(),
            "a delivered order is not read again"
        );
        let listed = block_on(crate::repo::orders::list(&db, i64::MAX, 10, None, Some("no_update"))).unwrap();
        assert_eq!(listed.orders.len(), 1, "the flag filter");
    }
}
