-- Tracking: when a supplier order's tracking last moved (the newest carrier event the supplier
-- reported), and the flag an order carries for the merchant (no_tracking: a supplier order with
-- no tracking 7 days after placement; no_update: a shipped one whose tracking has not moved for
-- 48 hours), set by each tracking read.

ALTER TABLE supplier_orders ADD COLUMN tracking_updated_at TEXT;
ALTER TABLE orders ADD COLUMN flag TEXT CHECK (flag IN ('no_tracking', 'no_update'));
CREATE INDEX orders_by_flag ON orders (store_id, flag, number) WHERE flag IS NOT NULL;
