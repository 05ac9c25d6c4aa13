-- A store database shard. Every row carries its store_id and every query filters on it
-- (tenancy::shards::StoreDb enforces that).

CREATE TABLE products (
    id                TEXT PRIMARY KEY,
    store_id          TEXT NOT NULL,
    slug              TEXT NOT NULL,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL, -- JSON array of plain-text paragraphs
    features          TEXT NOT NULL, -- JSON array
    meta_title        TEXT NOT NULL,
    meta_description  TEXT NOT NULL,
    keywords          TEXT NOT NULL, -- JSON array
    price_minor       INTEGER NOT NULL CHECK (price_minor > 0),
    compare_at_minor  INTEGER,
    cost_minor        INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    images            TEXT NOT NULL, -- JSON array of URLs
    status            TEXT NOT NULL CHECK (status IN ('published', 'draft')),
    source            TEXT,
    source_product_id TEXT,
    research_run_id   TEXT,
    score             REAL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (store_id, slug),
    UNIQUE (store_id, source, source_product_id)
);
CREATE INDEX products_by_store_status ON products (store_id, status, created_at);

CREATE TABLE research_runs (
    id           TEXT PRIMARY KEY,
    store_id     TEXT NOT NULL,
    trigger      TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule')),
    window_start TEXT,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'completed', 'failed')),
    candidates   INTEGER,
    selected     INTEGER,
    sources      TEXT, -- JSON array of per-source coverage
    created_at   TEXT NOT NULL,
    completed_at TEXT,
    UNIQUE (store_id, window_start)
);
CREATE INDEX research_runs_by_store ON research_runs (store_id, created_at);
