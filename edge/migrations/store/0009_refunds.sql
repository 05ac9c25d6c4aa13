-- Refunds a merchant issues on an order, whole or in part, through Stripe (Connect: the transfer
-- to the store's payout account and the platform's fee are reversed in proportion). A refund is
-- recorded before Stripe is asked, so that two at once cannot refund more than was paid.
CREATE TABLE refunds (
    store_id         TEXT NOT NULL,
    id               TEXT NOT NULL,
    order_id         TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    reason           TEXT NOT NULL CHECK (reason IN ('requested_by_customer', 'duplicate', 'fraudulent')),
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    stripe_refund_id TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (store_id, id)
);
CREATE INDEX refunds_by_order ON refunds (store_id, order_id, created_at);
