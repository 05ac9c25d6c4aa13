-- What the hourly supplier sync does with an imported product its supplier cannot deliver:
-- unpublish it (the default) or keep it listed with zero stock.
ALTER TABLE stores ADD COLUMN out_of_stock TEXT NOT NULL DEFAULT 'unpublish'
    CHECK (out_of_stock IN ('unpublish', 'zero'));
