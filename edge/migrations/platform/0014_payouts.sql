-- Merchant payouts (Stripe Connect): each store's Express account and where it stands. A store
-- takes orders only once its status is 'enabled'; the status follows Stripe's `account.updated`
-- events, and the time of the last one applied keeps an older event from undoing a newer one.
ALTER TABLE stores ADD COLUMN stripe_account_id TEXT;
ALTER TABLE stores ADD COLUMN payouts_status TEXT NOT NULL DEFAULT 'not_started'
    CHECK (payouts_status IN ('not_started', 'onboarding', 'pending', 'enabled', 'restricted'));
ALTER TABLE stores ADD COLUMN payouts_event_at INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX stores_by_stripe_account ON stores (stripe_account_id) WHERE stripe_account_id IS NOT NULL;
