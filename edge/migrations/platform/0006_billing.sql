-- Billing through Stripe: each tenant's customer and subscription, and every webhook event
-- applied (so a replayed event is applied once, and an older event never overwrites a newer one).
ALTER TABLE tenants ADD COLUMN stripe_customer_id TEXT;
ALTER TABLE tenants ADD COLUMN stripe_subscription_id TEXT;
ALTER TABLE tenants ADD COLUMN subscription_status TEXT NOT NULL DEFAULT 'none';
ALTER TABLE tenants ADD COLUMN subscription_event_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE stripe_events (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    created    INTEGER NOT NULL,
    tenant_id  TEXT,
    applied_at TEXT NOT NULL
);
