-- A tenant's overdue subscription payment (Stripe's `past_due` or `unpaid`): since when (Unix
-- seconds of that event; NULL while paid), and when the paid plan gave way to Starter after the
-- grace period of domain::plans::PAST_DUE_GRACE_DAYS (NULL until then, and once paid again).
ALTER TABLE tenants ADD COLUMN past_due_since INTEGER;
ALTER TABLE tenants ADD COLUMN lapsed_at INTEGER;
