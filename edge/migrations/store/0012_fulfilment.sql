-- Fulfilment: where a paid order stands (paid -> awaiting_approval -> placed -> shipped ->
-- delivered, or failed with a reason, or cancelled), the supplier orders placed for it (one per
-- supplier), and every change of its state with its time and cause.

ALTER TABLE orders ADD COLUMN fulfilment TEXT NOT NULL DEFAULT 'paid'
    CHECK (fulfilment IN ('paid', 'awaiting_approval', 'placed', 'shipped', 'delivered', 'failed', 'cancelled'));
ALTER TABLE orders ADD COLUMN fulfilment_reason TEXT;       -- why it failed, when it did
CREATE INDEX orders_by_fulfilment ON orders (store_id, fulfilment, number);

CREATE TABLE supplier_orders (
    store_id          TEXT NOT NULL,
    order_id          TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    supplier          TEXT NOT NULL,                -- aliexpress, cj, ...
    status            TEXT NOT NULL CHECK (status IN ('placed', 'shipped', 'delivered', 'failed', 'cancelled')),
    supplier_order_id TEXT,                         -- the supplier's id(s), once placed
    reason            TEXT,                         -- the supplier's refusal, when it failed
    tracking_number   TEXT,
    carrier           TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (store_id, order_id, supplier)      -- one order per supplier, however often reported
);

CREATE TABLE order_events (
    store_id TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,                      -- 1, 2, ... per order
    at       TEXT NOT NULL,
    state    TEXT NOT NULL,
    cause    TEXT NOT NULL,
    PRIMARY KEY (store_id, order_id, seq)
);
