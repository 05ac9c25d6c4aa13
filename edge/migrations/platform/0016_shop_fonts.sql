-- Two fonts the shop serves itself (Inter and Lora, from the storefront's static assets) join the
-- font stacks of the visitor's own fonts. SQLite cannot change a column's CHECK, so the column is
-- copied into one with the wider CHECK, dropped, and the copy takes its name.
ALTER TABLE stores ADD COLUMN font_choice TEXT NOT NULL DEFAULT 'system'
    CHECK (font_choice IN ('system', 'humanist', 'serif', 'rounded', 'inter', 'lora'));
UPDATE stores SET font_choice = font;
ALTER TABLE stores DROP COLUMN font;
ALTER TABLE stores RENAME COLUMN font_choice TO font;
