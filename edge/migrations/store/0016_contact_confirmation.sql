-- Double opt-in: a sign-up from the shop's form is a `pending` contact until the shopper opens the
-- link mailed to the address; the link's token is kept hashed (`confirm_hash`) with when it was
-- sent. Pending contacts get no marketing mail and the plan's contact limit does not count them.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
PRAGMA defer_foreign_keys = true;

CREATE TABLE contacts_rebuilt (
    id                TEXT PRIMARY KEY,
    store_id          TEXT NOT NULL,
    email             TEXT NOT NULL,               -- lowercased
    first_name        TEXT,
    status            TEXT NOT NULL DEFAULT 'subscribed'
                      CHECK (status IN ('pending', 'subscribed', 'unsubscribed', 'bounced', 'complained')),
    source            TEXT NOT NULL DEFAULT 'signup' CHECK (source IN ('signup', 'import', 'checkout')),
    unsubscribe_hash  TEXT NOT NULL,
    subscribed_at     TEXT NOT NULL,
    unsubscribed_at   TEXT,
    created_at        TEXT NOT NULL,
    confirm_hash      TEXT,
    confirm_sent_at   TEXT,
    UNIQUE (store_id, email)
);
INSERT INTO contacts_rebuilt (id, store_id, email, first_name, status, source, unsubscribe_hash,
    subscribed_at, unsubscribed_at, created_at)
    SELECT id, store_id, email, first_name, status, source, unsubscribe_hash, subscribed_at,
    unsubscribed_at, created_at FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_rebuilt RENAME TO contacts;
CREATE INDEX contacts_by_status ON contacts (store_id, status, created_at);
CREATE UNIQUE INDEX contacts_by_unsubscribe ON contacts (store_id, unsubscribe_hash);
CREATE UNIQUE INDEX contacts_by_confirmation ON contacts (store_id, confirm_hash) WHERE confirm_hash IS NOT NULL;
CREATE INDEX contacts_by_email ON contacts (email);
