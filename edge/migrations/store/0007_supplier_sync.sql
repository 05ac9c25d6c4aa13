-- Supplier sync: what the last sync saw of each imported product's supplier listing, and the
-- history of every change a sync made (cost, price, compare-at price, status, stock) with its
-- reason, for the merchant to read.
ALTER TABLE products ADD COLUMN supplier_available INTEGER;   -- NULL: never synced
ALTER TABLE products ADD COLUMN supplier_checked_at TEXT;

CREATE TABLE product_changes (
    id          TEXT PRIMARY KEY,
    store_id    TEXT NOT NULL,
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sync_id     TEXT NOT NULL,            -- the sync message that made it
    field       TEXT NOT NULL CHECK (field IN ('cost', 'price', 'compare_at', 'status', 'stock')),
    old_value   TEXT,
    new_value   TEXT,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (store_id, product_id, sync_id, field)
);
CREATE INDEX product_changes_by_product ON product_changes (store_id, product_id, created_at);
CREATE INDEX product_changes_by_store ON product_changes (store_id, created_at);
