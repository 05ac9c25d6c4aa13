-- A new store's launch: its first research run is marked as the launch, and when that run's
-- imports are all in, the edge groups them into collections by their suppliers' categories and
-- starts the store's first SEO run (launched_at records when it did, so it happens once).

ALTER TABLE research_runs ADD COLUMN launch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE research_runs ADD COLUMN launched_at TEXT;
ALTER TABLE products ADD COLUMN category TEXT;
