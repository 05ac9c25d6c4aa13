//! A store's payout account (Stripe Connect) as the platform database holds it, on `stores`.

use domain::payouts::PayoutsStatus;
use domain::StoreId;
use serde::Deserialize;
use tenancy::sql::{Sql, SqlError, Statement};

/// Gives the store its Connect account, unless it has one already (two onboarding requests at
/// once keep the first account; the second finds it on reading the store again).
pub fn account_opened(store: StoreId, account_id: &str) -> Statement {
    Statement::new(
        "UPDATE stores SET stripe_account_id = ?2, payouts_status = 'onboarding' \
         WHERE id = ?1 AND stripe_account_id IS NULL",
        vec![store.to_string().into(), account_id.into()],
    )
}

/// The store a Connect account belongs to, with where its payouts stand.
#[derive(Debug, Clone, Deserialize)]
pub struct AccountOwner {
    /// The store.
    pub id: String,
    /// Its stored [`PayoutsStatus`].
    pub payouts_status: String,
    /// Stripe's `created` of the last event applied (Unix seconds).
    pub payouts_event_at: i64,
}

/// The store whose Connect account is `account_id`.
pub async fn owner(db: &impl Sql, account_id: &str) -> Result<Option<AccountOwner>, SqlError> {
    db.first(Statement::new(
        "SELECT id, payouts_status, payouts_event_at FROM stores WHERE stripe_account_id = ?1",
        vec![account_id.into()],
    ))
    .await
}

/// Sets where the account's payouts stand, as of `event_at` (Unix seconds); a state older than
/// the one applied changes nothing.
pub fn status_changed(account_id: &str, status: PayoutsStatus, event_at: i64) -> Statement {
    Statement::new(
        "UPDATE stores SET payouts_status = ?2, payouts_event_at = ?3 \
         WHERE stripe_account_id = ?1 AND payouts_event_at <= ?3",
        vec![account_id.into(), status.as_str().into(), event_at.into()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::stores::load;
    use crate::repo::stores::tests::{add, tenants};
    use crate::repo::testing::{block_on, store_id};

    #[test]
    fn a_store_keeps_its_first_account_and_follows_its_newest_state() {
        let db = tenants();
        add(&db, 1, 1, 0);
        let fresh = block_on(load(&db, store_id(1))).unwrap();
        assert_eq!(fresh.payouts(), PayoutsStatus::NotStarted);
        assert!(!fresh.routing_record().accepts_orders);

        let first = block_on(db.batch(vec![account_opened(store_id(1), "acct_1")])).unwrap();
        let second = block_on(db.batch(vec![account_opened(store_id(1), "acct_2")])).unwrap();
        assert_eq!((first[0].changes, second[0].changes), (1, 0));
        let owner = block_on(owner(&db, "acct_1")).unwrap().expect("the account's store");
        assert_eq!((owner.id, owner.payouts_status.as_str()), (store_id(1).to_string(), "onboarding"));
        assert!(block_on(super::owner(&db, "acct_2")).unwrap().is_none());

        block_on(db.batch(vec![status_changed("acct_1", PayoutsStatus::Enabled, 200)])).unwrap();
        // An older event arriving late does not undo the newer one.
        block_on(db.batch(vec![status_changed("acct_1", PayoutsStatus::Pending, 100)])).unwrap();
        let enabled = block_on(load(&db, store_id(1))).unwrap();
        assert_eq!(enabled.payouts(), PayoutsStatus::Enabled);
        assert!(enabled.routing_record().accepts_orders);
        assert_eq!(enabled.row.stripe_account_id.as_deref(), Some("acct_1"));
    }

    #[test]
    fn one_stores_account_is_not_anothers() {
        let db = tenants();
        add(&db, 1, 1, 0);
        add(&db, 2, 2, 0);
        block_on(db.batch(vec![account_opened(store_id(1), "acct_1")])).unwrap();
        let taken = block_on(db.batch(vec![account_opened(store_id(2), "acct_1")]));
        assert!(taken.unwrap_err().is_unique_violation());
        block_on(db.batch(vec![status_changed("acct_1", PayoutsStatus::Enabled, 1)])).unwrap();
        assert_eq!(block_on(load(&db, store_id(2))).unwrap().payouts(), PayoutsStatus::NotStarted);
    }
}
