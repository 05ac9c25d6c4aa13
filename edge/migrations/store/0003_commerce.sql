-- Selling: checkouts started from the storefront, the orders Stripe's webhook turns them into,
-- and shopper metrics aggregated per store, day and metric (written in batches, never per request).

CREATE TABLE checkouts (
    id                TEXT PRIMARY KEY,          -- also the id of the order it becomes
    store_id          TEXT NOT NULL,
    cart_id           TEXT NOT NULL,
    access_token      TEXT NOT NULL,             -- the unguessable part of the order status link
    email             TEXT NOT NULL,
    items             TEXT NOT NULL,             -- JSON array of priced lines, as validated
    subtotal_minor    INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    stripe_session_id TEXT,
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (store_id, access_token)
);
CREATE INDEX checkouts_by_store ON checkouts (store_id, created_at);

CREATE TABLE orders (
    id                    TEXT PRIMARY KEY,      -- the checkout's id: one order per checkout
    store_id              TEXT NOT NULL,
    number                INTEGER NOT NULL,
    checkout_id           TEXT NOT NULL,
    access_token          TEXT NOT NULL,
    email                 TEXT NOT NULL,
    status                TEXT NOT NULL DEFAULT 'paid'
                          CHECK (status IN ('paid', 'fulfilled', 'refunded', 'cancelled')),
    subtotal_minor        INTEGER NOT NULL,
    total_minor           INTEGER NOT NULL,
    currency              TEXT NOT NULL,
    stripe_session_id     TEXT NOT NULL,
    stripe_payment_intent TEXT,
    created_at            TEXT NOT NULL,
    UNIQUE (store_id, checkout_id),
    UNIQUE (store_id, number)
);
CREATE INDEX orders_by_store ON orders (store_id, created_at);

CREATE TABLE order_items (
    store_id         TEXT NOT NULL,
    order_id         TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    product_id       TEXT NOT NULL,
    variant_id       TEXT,
    title            TEXT NOT NULL,
    variant_title    TEXT,
    unit_price_minor INTEGER NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, position)
);
CREATE INDEX order_items_by_product ON order_items (store_id, product_id);

CREATE TABLE shopper_metrics (
    store_id     TEXT NOT NULL,
    day          TEXT NOT NULL,                  -- YYYY-MM-DD, UTC
    metric       TEXT NOT NULL
                 CHECK (metric IN ('page_view', 'product_view', 'add_to_cart', 'checkout_started', 'purchase')),
    count        INTEGER NOT NULL DEFAULT 0,
    amount_minor INTEGER NOT NULL DEFAULT 0,     -- revenue, for purchases
    PRIMARY KEY (store_id, day, metric)
);
