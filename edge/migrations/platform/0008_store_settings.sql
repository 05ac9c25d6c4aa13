-- Store settings merchants choose: market, look (theme, brand colour, logo) and how research acts
-- on its findings (score thresholds for import and watchlist).
ALTER TABLE stores ADD COLUMN target_market TEXT NOT NULL DEFAULT 'US';
ALTER TABLE stores ADD COLUMN theme TEXT NOT NULL DEFAULT 'classic'
    CHECK (theme IN ('classic', 'bold', 'minimal'));
ALTER TABLE stores ADD COLUMN brand_color TEXT NOT NULL DEFAULT '#1d4ed8';
ALTER TABLE stores ADD COLUMN logo_url TEXT;
ALTER TABLE stores ADD COLUMN import_threshold INTEGER NOT NULL DEFAULT 80
    CHECK (import_threshold BETWEEN 0 AND 100);
ALTER TABLE stores ADD COLUMN watch_threshold INTEGER NOT NULL DEFAULT 65
    CHECK (watch_threshold BETWEEN 0 AND 100);
