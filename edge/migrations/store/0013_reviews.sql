-- Buyers' reviews: one per product per order, written from the order's review page (its
-- unguessable token proves the buyer), shown on the product page once the merchant approves it.
CREATE TABLE reviews (
    store_id     TEXT NOT NULL,
    id           TEXT NOT NULL,
    product_id   TEXT NOT NULL,
    order_id     TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    author       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at   TEXT NOT NULL,
    moderated_at TEXT,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, order_id, product_id)
);
CREATE INDEX reviews_by_product ON reviews (store_id, product_id, status, created_at);
CREATE INDEX reviews_by_status ON reviews (store_id, status, created_at);
