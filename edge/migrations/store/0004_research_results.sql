-- What research leaves for the merchant: each run's report (counts and top opportunities) and
-- the store's watchlist of products scored between its watch and import thresholds.

ALTER TABLE research_runs ADD COLUMN imported INTEGER;
ALTER TABLE research_runs ADD COLUMN watchlisted INTEGER;
ALTER TABLE research_runs ADD COLUMN excluded INTEGER;
ALTER TABLE research_runs ADD COLUMN top TEXT; -- JSON array of the run's top opportunities

CREATE TABLE watchlist (
    id                    TEXT PRIMARY KEY,
    store_id              TEXT NOT NULL,
    source                TEXT NOT NULL,
    source_product_id     TEXT NOT NULL,
    title                 TEXT NOT NULL,
    product_url           TEXT NOT NULL,
    image_url             TEXT,
    cost_minor            INTEGER NOT NULL,
    suggested_price_minor INTEGER NOT NULL,
    currency              TEXT NOT NULL,
    research_score        REAL NOT NULL,
    ai_score              INTEGER NOT NULL CHECK (ai_score BETWEEN 0 AND 100),
    reasoning             TEXT NOT NULL,
    research_run_id       TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    -- Set when the merchant removes the item: later runs do not bring it back.
    dismissed_at          TEXT,
    UNIQUE (store_id, source, source_product_id)
);
CREATE INDEX watchlist_by_store ON watchlist (store_id, dismissed_at, ai_score);
