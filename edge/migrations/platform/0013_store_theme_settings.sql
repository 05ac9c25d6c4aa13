-- The rest of a shop's look the merchant chooses: a font stack, a hero image, the announcement
-- bar's text and the header menu (JSON array of {"slug", "title"} of the store's collections, in
-- the merchant's order; the titles are those the collections had when the menu was saved).
ALTER TABLE stores ADD COLUMN font TEXT NOT NULL DEFAULT 'system'
    CHECK (font IN ('system', 'humanist', 'serif', 'rounded'));
ALTER TABLE stores ADD COLUMN hero_image_url TEXT;
ALTER TABLE stores ADD COLUMN announcement TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN menu TEXT NOT NULL DEFAULT '[]';
