-- Shipping at checkout: each store's shipping settings (a store with no row ships with
-- domain::shipping::ShippingSettings::default_for its target market), and what a paid order keeps
-- of its delivery: the address Stripe Checkout collected, the rate the shopper chose and the
-- amounts.

CREATE TABLE shipping_settings (
    store_id        TEXT PRIMARY KEY,
    countries       TEXT NOT NULL,               -- JSON array of ISO 3166-1 alpha-2 codes
    standard_minor  INTEGER NOT NULL CHECK (standard_minor >= 0),
    express_minor   INTEGER CHECK (express_minor >= 0),
    free_over_minor INTEGER CHECK (free_over_minor >= 0),
    automatic_tax   INTEGER NOT NULL DEFAULT 0 CHECK (automatic_tax IN (0, 1)),
    updated_at      TEXT NOT NULL
);

ALTER TABLE orders ADD COLUMN shipping_name TEXT;
ALTER TABLE orders ADD COLUMN shipping_phone TEXT;
ALTER TABLE orders ADD COLUMN shipping_address TEXT;        -- JSON: line1, line2, city, state, postal_code, country
ALTER TABLE orders ADD COLUMN shipping_rate TEXT;           -- the chosen rate's name
ALTER TABLE orders ADD COLUMN shipping_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN tax_minor INTEGER NOT NULL DEFAULT 0;
