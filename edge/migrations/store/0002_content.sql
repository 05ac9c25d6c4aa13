-- Catalog structure and content shared by the merchant API, the storefront and the pipelines:
-- variants, collections, store pages, blog posts and the redirects left behind by changed slugs.

CREATE TABLE product_variants (
    id               TEXT PRIMARY KEY,
    store_id         TEXT NOT NULL,
    product_id       TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    title            TEXT NOT NULL,         -- e.g. "Red / L"
    options          TEXT NOT NULL,         -- JSON object, option name -> value
    sku              TEXT,
    price_minor      INTEGER NOT NULL CHECK (price_minor > 0),
    compare_at_minor INTEGER,
    cost_minor       INTEGER,
    stock            INTEGER,               -- NULL: not tracked (always available)
    position         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX product_variants_by_product ON product_variants (store_id, product_id, position);

CREATE TABLE collections (
    id               TEXT PRIMARY KEY,
    store_id         TEXT NOT NULL,
    slug             TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',   -- sanitised HTML
    image            TEXT,
    sort             TEXT NOT NULL DEFAULT 'best_selling'
                     CHECK (sort IN ('manual', 'best_selling', 'newest', 'price_asc', 'price_desc')),
    featured         INTEGER NOT NULL DEFAULT 0,
    meta_title       TEXT NOT NULL DEFAULT '',
    meta_description TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (store_id, slug)
);

CREATE TABLE collection_products (
    store_id      TEXT NOT NULL,
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    product_id    TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (collection_id, product_id)
);
CREATE INDEX collection_products_by_product ON collection_products (store_id, product_id);

-- About, contact, shipping, returns, privacy, terms (generated per store, editable) and custom pages.
CREATE TABLE pages (
    id               TEXT PRIMARY KEY,
    store_id         TEXT NOT NULL,
    kind             TEXT NOT NULL
                     CHECK (kind IN ('about', 'contact', 'shipping', 'returns', 'privacy', 'terms', 'custom')),
    slug             TEXT NOT NULL,
    title            TEXT NOT NULL,
    body_html        TEXT NOT NULL,              -- sanitised HTML
    meta_description TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (store_id, slug)
);

CREATE TABLE posts (
    id                  TEXT PRIMARY KEY,
    store_id            TEXT NOT NULL,
    slug                TEXT NOT NULL,
    title               TEXT NOT NULL,
    excerpt             TEXT NOT NULL DEFAULT '',
    body_html           TEXT NOT NULL,           -- sanitised HTML
    meta_title          TEXT NOT NULL DEFAULT '',
    meta_description    TEXT NOT NULL DEFAULT '',
    keywords            TEXT NOT NULL DEFAULT '[]', -- JSON array
    related_product_ids TEXT NOT NULL DEFAULT '[]', -- JSON array
    author              TEXT NOT NULL DEFAULT '',
    source              TEXT NOT NULL DEFAULT 'merchant' CHECK (source IN ('merchant', 'seo')),
    status              TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    published_at        TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (store_id, slug)
);
CREATE INDEX posts_by_store_status ON posts (store_id, status, published_at);

-- A slug that changed keeps answering with a 301 to the current one.
CREATE TABLE slug_redirects (
    store_id   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('product', 'collection', 'post', 'page')),
    old_slug   TEXT NOT NULL,
    target_id  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (store_id, kind, old_slug)
);
