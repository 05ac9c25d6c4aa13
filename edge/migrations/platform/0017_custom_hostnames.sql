-- A verified custom domain's Cloudflare for SaaS custom hostname, through which the shop is
-- served on it; deleted with the domain.
ALTER TABLE domains ADD COLUMN cf_hostname_id TEXT;
