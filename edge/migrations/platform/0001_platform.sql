-- The platform database: tenants, their stores and where each store lives, host names, the
-- internal API's seen nonces and the audit log. Store data lives in the store shards.

CREATE TABLE tenants (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    plan            TEXT NOT NULL DEFAULT 'starter'
                    CHECK (plan IN ('starter', 'growth', 'pro', 'enterprise')),
    dedicated_shard INTEGER,
    created_at      TEXT NOT NULL
);

CREATE TABLE stores (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug                 TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    niche                TEXT NOT NULL,
    currency             TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    shard                INTEGER NOT NULL,
    auto_publish         INTEGER NOT NULL DEFAULT 1,
    max_imports_per_run  INTEGER NOT NULL DEFAULT 5,
    last_research_window TEXT,
    created_at           TEXT NOT NULL
);
CREATE INDEX stores_by_tenant ON stores (tenant_id);
CREATE INDEX stores_by_status ON stores (status, last_research_window);

CREATE TABLE domains (
    host        TEXT PRIMARY KEY,
    store_id    TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('platform', 'custom')),
    verified_at TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX domains_by_store ON domains (store_id);

CREATE TABLE internal_nonces (
    nonce      TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX internal_nonces_by_expiry ON internal_nonces (expires_at);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT,
    at        TEXT NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, id);
