-- Email marketing and the SEO engine's records.
--
-- contacts: a store's shoppers who opted in to its marketing mail (the storefront's sign-up form,
-- or a merchant's import). Counted against the tenant plan's email contact limit while
-- subscribed. The unsubscribe link carries a random token; only its SHA-256 is kept here.
CREATE TABLE contacts (
    id                TEXT PRIMARY KEY,
    store_id          TEXT NOT NULL,
    email             TEXT NOT NULL,               -- lowercased
    first_name        TEXT,
    status            TEXT NOT NULL DEFAULT 'subscribed'
                      CHECK (status IN ('subscribed', 'unsubscribed', 'bounced', 'complained')),
    source            TEXT NOT NULL DEFAULT 'signup' CHECK (source IN ('signup', 'import')),
    unsubscribe_hash  TEXT NOT NULL,
    subscribed_at     TEXT NOT NULL,
    unsubscribed_at   TEXT,
    created_at        TEXT NOT NULL,
    UNIQUE (store_id, email)
);
CREATE INDEX contacts_by_status ON contacts (store_id, status, created_at);
CREATE UNIQUE INDEX contacts_by_unsubscribe ON contacts (store_id, unsubscribe_hash);

-- A merchant's choices per flow: on or off, the delay of each step (hours) and its subject and
-- intro text overrides. No row: the flow runs with the platform's defaults.
CREATE TABLE email_flow_settings (
    store_id   TEXT NOT NULL,
    flow       TEXT NOT NULL CHECK (flow IN ('welcome', 'abandoned_cart', 'post_purchase')),
    enabled    INTEGER NOT NULL DEFAULT 1,
    steps      TEXT NOT NULL DEFAULT '[]', -- JSON array of {step, delay_hours?, subject?, intro?}
    updated_at TEXT NOT NULL,
    PRIMARY KEY (store_id, flow)
);

-- What became of each flow step, as the email pipeline reports it (scheduled, sent, cancelled,
-- skipped), for the merchant's view of a flow's sends. The address is kept as the merchant's
-- own contact data.
CREATE TABLE email_sends (
    store_id   TEXT NOT NULL,
    flow       TEXT NOT NULL,
    subject    TEXT NOT NULL,  -- the contact, cart or order the flow is about
    step       INTEGER NOT NULL,
    template   TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('scheduled', 'sent', 'cancelled', 'skipped')),
    reason     TEXT,
    due_at     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (store_id, flow, subject, step)
);
CREATE INDEX email_sends_by_flow ON email_sends (store_id, flow, updated_at);

-- One SEO engine run per store and week: what it found and did (the merchant's report).
CREATE TABLE seo_runs (
    id                TEXT PRIMARY KEY,
    store_id          TEXT NOT NULL,
    week              TEXT NOT NULL,             -- ISO week the run belongs to, e.g. 2026-W48
    status            TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    report            TEXT NOT NULL DEFAULT '{}', -- JSON: keywords, gaps, posts, products, links, pings
    created_at        TEXT NOT NULL,
    completed_at      TEXT,
    UNIQUE (store_id, week)
);
CREATE INDEX seo_runs_by_store ON seo_runs (store_id, created_at);

-- Product SEO rewrites keep the values they replaced.
CREATE TABLE seo_history (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id         TEXT NOT NULL,
    product_id       TEXT NOT NULL,
    run_id           TEXT NOT NULL,
    field            TEXT NOT NULL CHECK (field IN ('meta_title', 'meta_description')),
    old_value        TEXT NOT NULL,
    new_value        TEXT NOT NULL,
    reason           TEXT NOT NULL,
    changed_at       TEXT NOT NULL
);
CREATE INDEX seo_history_by_product ON seo_history (store_id, product_id, id);
