-- A tenant's overdue subscription payment (Stripe's `past_due` or `unpaid`): since when (Unix
-- seconds of that event; NULL while paid), and when the paid plan gave way to Starter after the
-- grace period of domain::plans::PAST_DUE_GRACE_DAYS (NULL until then, and once paid again).
ALTER TABLE tenants ADD COLUMN past_due_since INTEGER;
ALTER TABLE tenants ADD COLUMN lapsed_at INTEGER;

-- A verified custom domain's last check that its TXT record is still there, and since when the
-- record has been missing (NULL while it is there). A domain whose record stays missing for
-- domain::dns::MISSING_RECORD_DAYS is released.
ALTER TABLE domains ADD COLUMN checked_at TEXT;
ALTER TABLE domains ADD COLUMN record_missing_since TEXT;
