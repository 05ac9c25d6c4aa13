-- Names a deleted store leaves behind (its slug and every host it had) stay held for 30 days, so
-- that another tenant's new store cannot take over the old store's links (mails, bookmarks,
-- search results). The tenant whose store had a name may take it back at once.
CREATE TABLE held_names (
    name       TEXT PRIMARY KEY,   -- a store slug or a host name
    tenant_id  TEXT NOT NULL,
    held_until TEXT NOT NULL
);
