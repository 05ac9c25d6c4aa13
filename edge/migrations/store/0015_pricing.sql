-- Pricing by the store's own rules: each store's pricing rules (a store with no row prices with
-- domain::pricing::PricingRules::default()), and when the merchant last set a product's price or
-- compare-at price by hand through /v1, after which the supplier sync moves that product's cost
-- only and keeps the merchant's price.

CREATE TABLE pricing_rules (
    store_id              TEXT PRIMARY KEY,
    markup_bps            INTEGER NOT NULL CHECK (markup_bps BETWEEN 10000 AND 100000),
    min_margin_bps        INTEGER NOT NULL CHECK (min_margin_bps BETWEEN 0 AND 9000),
    compare_at_bps        INTEGER NOT NULL CHECK (compare_at_bps = 0 OR compare_at_bps BETWEEN 10001 AND 30000),
    psychological_endings INTEGER NOT NULL CHECK (psychological_endings IN (0, 1)),
    updated_at            TEXT NOT NULL
);

ALTER TABLE products ADD COLUMN priced_by_merchant_at TEXT;

-- A run's report counts the products it brought that exist in the store, at read time.
CREATE INDEX products_by_run ON products (store_id, research_run_id) WHERE research_run_id IS NOT NULL;
