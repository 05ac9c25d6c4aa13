-- Shoppers who were never contacts can unsubscribe too (an abandoned cart's reminders, an order's
-- review and cross-sell mails carry a signed link): they are kept as contacts with the source
-- `checkout` and the status `unsubscribed`, which the plan's contact limit does not count.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
PRAGMA defer_foreign_keys = true;

CREATE TABLE contacts_rebuilt (
    id                TEXT PRIMARY KEY,
    store_id          TEXT NOT NULL,
    email             TEXT NOT NULL,               -- lowercased
    first_name        TEXT,
    status            TEXT NOT NULL DEFAULT 'subscribed'
                      CHECK (status IN ('subscribed', 'unsubscribed', 'bounced', 'complained')),
    source            TEXT NOT NULL DEFAULT 'signup' CHECK (source IN ('signup', 'import', 'checkout')),
    unsubscribe_hash  TEXT NOT NULL,
    subscribed_at     TEXT NOT NULL,
    unsubscribed_at   TEXT,
    created_at        TEXT NOT NULL,
    UNIQUE (store_id, email)
);
INSERT INTO contacts_rebuilt SELECT id, store_id, email, first_name, status, source, unsubscribe_hash,
    subscribed_at, unsubscribed_at, created_at FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_rebuilt RENAME TO contacts;
CREATE INDEX contacts_by_status ON contacts (store_id, status, created_at);
CREATE UNIQUE INDEX contacts_by_unsubscribe ON contacts (store_id, unsubscribe_hash);
