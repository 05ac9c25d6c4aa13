-- The SEO engine runs weekly per store: the ISO week of each store's last run, so the weekly
-- fan-out claims each store once per week.
ALTER TABLE stores ADD COLUMN last_seo_week TEXT;
CREATE INDEX stores_by_seo_week ON stores (status, last_seo_week);
