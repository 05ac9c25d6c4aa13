-- Orders that wait for the merchant: a store may approve every order by hand (off until set;
-- a store with no row places at once), and an order the merchant approved records who and when,
-- after which the fulfilment function places it without the margin hold.

CREATE TABLE fulfilment_settings (
    store_id        TEXT PRIMARY KEY,
    approve_by_hand INTEGER NOT NULL CHECK (approve_by_hand IN (0, 1)),
    updated_at      TEXT NOT NULL
);

ALTER TABLE orders ADD COLUMN approved_by TEXT;
ALTER TABLE orders ADD COLUMN approved_at TEXT;
