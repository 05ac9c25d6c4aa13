# Cloudflare side: D1 (platform + store shards), KV, the two Rust workers (edge = merchant API,
# storefront = shops), their routes, and the Cloudflare for SaaS fallback origin.
#
# Workers are declared with the v5 provider's Worker / Version / Deployment resources
# (cloudflare_worker + cloudflare_worker_version + cloudflare_workers_deployment) rather than
# cloudflare_workers_script, because worker-build emits two modules (the JS main module and the
# wasm it imports) and cloudflare_worker_version uploads any number of modules from files.
#
# Tenancy: all stores share these two workers and are separated by data (STORE_DB_i shards,
# per-store keys). Workers for Platforms (a dispatch namespace with one user worker per tenant,
# reached through a dispatch worker) is Cloudflare's documented route to full per-tenant
# isolation; it is NOT used here.

locals {
  saas_fallback_origin = coalesce(var.saas_fallback_origin, "fallback.${var.shops_domain}")

  # Every binding object carries the same attributes (null when unused) so the lists below have
  # a single element type.
  data_bindings = concat(
    [{ type = "d1", name = "PLATFORM_DB", id = cloudflare_d1_database.platform.id, namespace_id = null, text = null, simple = null }],
    [for i, db in cloudflare_d1_database.store : { type = "d1", name = "STORE_DB_${i}", id = db.id, namespace_id = null, text = null, simple = null }],
    [{ type = "kv_namespace", name = "EDGE_KV", id = null, namespace_id = cloudflare_workers_kv_namespace.edge.id, text = null, simple = null }],
    [
      { type = "plain_text", name = "STORE_DOMAIN_SUFFIX", id = null, namespace_id = null, text = var.shops_domain, simple = null },
      # What the worker code reads today (edge/src/config.rs): the shops domain and the shard count.
      { type = "plain_text", name = "SHOPS_DOMAIN", id = null, namespace_id = null, text = var.shops_domain, simple = null },
      { type = "plain_text", name = "STORE_SHARDS", id = null, namespace_id = null, text = tostring(var.store_shard_count), simple = null },
    ],
  )

  edge_bindings = concat(
    local.data_bindings,
    [
      { type = "plain_text", name = "SQS_ENDPOINT", id = null, namespace_id = null, text = "https://sqs.${data.aws_region.current.name}.amazonaws.com" },
      { type = "plain_text", name = "AWS_REGION", id = null, namespace_id = null, text = data.aws_region.current.name, simple = null },
      { type = "plain_text", name = "STOREFRONT_URL_TEMPLATE", id = null, namespace_id = null, text = var.storefront_url_template, simple = null },
      { type = "plain_text", name = "VERIFY_EMAIL_URL_TEMPLATE", id = null, namespace_id = null, text = "${var.dashboard_url}/verify-email?token={token}", simple = null },
      { type = "plain_text", name = "BILLING_RETURN_URL", id = null, namespace_id = null, text = var.dashboard_url, simple = null },
      { type = "plain_text", name = "CLOUDFLARE_API_URL", id = null, namespace_id = null, text = "https://api.cloudflare.com/client/v4", simple = null },
      { type = "plain_text", name = "CLOUDFLARE_ZONE_ID", id = null, namespace_id = null, text = var.cloudflare_zone_id, simple = null },
      { type = "secret_text", name = "CLOUDFLARE_API_TOKEN", id = null, namespace_id = null, text = var.custom_hostnames_api_token, simple = null },
      { type = "plain_text", name = "PAYOUTS_RETURN_URL", id = null, namespace_id = null, text = "${var.dashboard_url}/stores/{store}/payouts", simple = null },
      { type = "plain_text", name = "STRIPE_API_URL", id = null, namespace_id = null, text = "https://api.stripe.com", simple = null },
      { type = "plain_text", name = "STRIPE_PRICE_GROWTH", id = null, namespace_id = null, text = var.stripe_prices.growth, simple = null },
      { type = "plain_text", name = "STRIPE_PRICE_PRO", id = null, namespace_id = null, text = var.stripe_prices.pro, simple = null },
      { type = "plain_text", name = "STRIPE_PRICE_ENTERPRISE", id = null, namespace_id = null, text = var.stripe_prices.enterprise, simple = null },
      { type = "plain_text", name = "DOH_URL", id = null, namespace_id = null, text = var.doh_url, simple = null },
      { type = "plain_text", name = "ACCEPT_INVITATION_URL_TEMPLATE", id = null, namespace_id = null, text = "${var.dashboard_url}/accept-invitation?token={token}", simple = null },
      { type = "plain_text", name = "RESET_PASSWORD_URL_TEMPLATE", id = null, namespace_id = null, text = "${var.dashboard_url}/reset-password?token={token}", simple = null },
      { type = "plain_text", name = "UNSUBSCRIBE_URL_TEMPLATE", id = null, namespace_id = null, text = "https://api.${var.platform_domain}/v1/public/stores/{store}/unsubscribe/{token}", simple = null },
      { type = "plain_text", name = "CONFIRM_SUBSCRIPTION_URL_TEMPLATE", id = null, namespace_id = null, text = "https://api.${var.platform_domain}/v1/public/stores/{store}/confirm/{token}", simple = null },
    ],
    # e.g. RESEARCH_QUEUE_URL, one per queue in var.edge_sends_to.
    [for q in var.edge_sends_to : { type = "plain_text", name = local.queue_url_env[q], id = null, namespace_id = null, text = aws_sqs_queue.queue[q].url, simple = null }],
    [
      { type = "secret_text", name = "AWS_ACCESS_KEY_ID", id = null, namespace_id = null, text = sensitive(aws_iam_access_key.edge.id), simple = null },
      { type = "secret_text", name = "AWS_SECRET_ACCESS_KEY", id = null, namespace_id = null, text = aws_iam_access_key.edge.secret, simple = null },
      { type = "secret_text", name = "INTERNAL_HMAC_SECRET", id = null, namespace_id = null, text = var.internal_hmac_secret, simple = null },
      { type = "secret_text", name = "STRIPE_SECRET_KEY", id = null, namespace_id = null, text = var.stripe_secret_key, simple = null },
      { type = "secret_text", name = "STRIPE_WEBHOOK_SECRET", id = null, namespace_id = null, text = var.stripe_webhook_secret, simple = null },
      { type = "secret_text", name = "STRIPE_CONNECT_WEBHOOK_SECRET", id = null, namespace_id = null, text = var.stripe_connect_webhook_secret, simple = null },
      { type = "secret_text", name = "JWT_SIGNING_KEY", id = null, namespace_id = null, text = var.jwt_signing_key, simple = null },
      { type = "secret_text", name = "RESEND_WEBHOOK_SECRET", id = null, namespace_id = null, text = var.resend_webhook_secret, simple = null },
      { type = "plain_text", name = "SENDGRID_WEBHOOK_PUBLIC_KEY", id = null, namespace_id = null, text = var.sendgrid_webhook_public_key, simple = null },
      # Sign-up and login attempts per IP and per account (edge/wrangler.toml declares the same).
      { type = "ratelimit", name = "AUTH_LIMITER", id = null, namespace_id = "1001", text = null, simple = { limit = 20, period = 60 } },
      { type = "ratelimit", name = "CHECKOUT_LIMITER", id = null, namespace_id = "1002", text = null, simple = { limit = 10, period = 60 } },
      # The Worker's static assets (the OpenAPI document), for a request that reaches the Worker.
      { type = "assets", name = "ASSETS", id = null, namespace_id = null, text = null, simple = null },
    ],
  )

  # The storefront: the edge's signed internal API (checkouts, shopper events, sign-ups), the
  # media bucket it reads product images from (read-only IAM user), and the IndexNow key file.
  storefront_bindings = concat(
    local.data_bindings,
    [
      { type = "plain_text", name = "EDGE_URL", id = null, namespace_id = null, text = "https://api.${var.platform_domain}", simple = null },
      { type = "plain_text", name = "S3_ENDPOINT", id = null, namespace_id = null, text = "https://s3.${data.aws_region.current.name}.amazonaws.com", simple = null },
      { type = "plain_text", name = "AWS_REGION", id = null, namespace_id = null, text = data.aws_region.current.name, simple = null },
      { type = "plain_text", name = "MEDIA_BUCKET", id = null, namespace_id = null, text = aws_s3_bucket.assets.bucket, simple = null },
      { type = "secret_text", name = "INTERNAL_HMAC_SECRET", id = null, namespace_id = null, text = var.internal_hmac_secret, simple = null },
      { type = "secret_text", name = "AWS_ACCESS_KEY_ID", id = null, namespace_id = null, text = sensitive(aws_iam_access_key.storefront.id), simple = null },
      { type = "secret_text", name = "AWS_SECRET_ACCESS_KEY", id = null, namespace_id = null, text = aws_iam_access_key.storefront.secret, simple = null },
    ],
    var.indexnow_key == "" ? [] : [
      { type = "plain_text", name = "INDEXNOW_KEY", id = null, namespace_id = null, text = var.indexnow_key, simple = null },
    ],
  )

  # The merchants' dashboard: no storage binding at all. It reaches data only through the edge's
  # public /v1 API (the same one merchants' scripts use), with each merchant's own token; its one
  # secret keys the CSRF tokens of its forms.
  dashboard_bindings = [
    { type = "plain_text", name = "EDGE_URL", id = null, namespace_id = null, text = "https://api.${var.platform_domain}", simple = null },
    { type = "secret_text", name = "CSRF_SECRET", id = null, namespace_id = null, text = var.dashboard_csrf_secret, simple = null },
  ]

  # Kept apart from the workers map: for_each must not see the sensitive secret bindings.
  worker_bindings = {
    edge       = local.edge_bindings
    storefront = local.storefront_bindings
    dashboard  = local.dashboard_bindings
  }

  workers = {
    edge = {
      dir   = var.edge_worker_dir
      route = "api.${var.platform_domain}/*"
      # Static assets served before the Worker runs: /v1/openapi.json, which the build command in
      # edge/wrangler.toml copies there.
      assets = "${var.edge_worker_dir}/assets"
    }
    storefront = {
      dir = var.storefront_worker_dir
      # Every store's subdomain. Custom store domains arrive through Cloudflare for SaaS (below).
      route = "*.${var.shops_domain}/*"
      # Static assets served before the Worker runs: the self-hosted fonts (/fonts/*) and their
      # cache headers, committed in storefront-worker/assets beside the build directory.
      assets = "${var.storefront_worker_dir}/../assets"
    }
    dashboard = {
      dir = var.dashboard_worker_dir
      # The dashboard's origin (var.dashboard_url, which the account mails link to), every path.
      route  = "${trimsuffix(replace(var.dashboard_url, "/^https?:///", ""), "/")}/*"
      assets = null
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------

resource "cloudflare_d1_database" "platform" {
  account_id = var.cloudflare_account_id
  name       = "${var.name_prefix}-platform"
}

resource "cloudflare_d1_database" "store" {
  count = var.store_shard_count

  account_id = var.cloudflare_account_id
  name       = "${var.name_prefix}-store-${count.index}"
}

resource "cloudflare_workers_kv_namespace" "edge" {
  account_id = var.cloudflare_account_id
  title      = "${var.name_prefix}-edge-kv"
}

# ---------------------------------------------------------------------------------------------
# Workers: edge (merchant API), storefront and dashboard. Not exposed on workers.dev: only via the routes.
# ---------------------------------------------------------------------------------------------

resource "cloudflare_worker" "worker" {
  for_each = local.workers

  account_id = var.cloudflare_account_id
  name       = "${var.name_prefix}-${each.key}"

  subdomain = {
    enabled          = false
    previews_enabled = false
  }

  observability = {
    enabled = true
  }
}

resource "cloudflare_worker_version" "worker" {
  for_each = local.workers

  account_id         = var.cloudflare_account_id
  worker_id          = cloudflare_worker.worker[each.key].id
  compatibility_date = var.worker_compatibility_date
  main_module        = var.worker_main_module

  # worker-build --release output: the main ES module and the wasm it imports, side by side.
  modules = [
    {
      name         = var.worker_main_module
      content_type = "application/javascript+module"
      content_file = "${each.value.dir}/${var.worker_main_module}"
    },
    {
      name         = var.worker_wasm_module
      content_type = "application/wasm"
      content_file = "${each.value.dir}/${var.worker_wasm_module}"
    },
  ]

  assets = each.value.assets == null ? null : { directory = each.value.assets }

  bindings = local.worker_bindings[each.key]
}

resource "cloudflare_workers_deployment" "worker" {
  for_each = local.workers

  account_id  = var.cloudflare_account_id
  script_name = cloudflare_worker.worker[each.key].name
  strategy    = "percentage"

  versions = [{
    percentage = 100
    version_id = cloudflare_worker_version.worker[each.key].id
  }]
}

resource "cloudflare_workers_route" "worker" {
  for_each = local.workers

  zone_id = var.cloudflare_zone_id
  pattern = each.value.route
  script  = cloudflare_worker.worker[each.key].name

  depends_on = [cloudflare_workers_deployment.worker]
}

# Every other hostname of the zone, which is how store custom hostnames (Cloudflare for SaaS)
# reach the storefront. The edge's more specific api.<platform_domain>/* route still takes
# precedence.
resource "cloudflare_workers_route" "storefront_catch_all" {
  count = var.storefront_catch_all_route ? 1 : 0

  zone_id = var.cloudflare_zone_id
  pattern = "*/*"
  script  = cloudflare_worker.worker["storefront"].name

  depends_on = [cloudflare_workers_deployment.worker]
}

# ---------------------------------------------------------------------------------------------
# DNS and Cloudflare for SaaS
# ---------------------------------------------------------------------------------------------

# Workers are the origin, so the records only need to exist and be proxied ("originless").
resource "cloudflare_dns_record" "originless" {
  for_each = var.manage_dns_records ? {
    api      = "api.${var.platform_domain}"
    shops    = "*.${var.shops_domain}"
    fallback = local.saas_fallback_origin
  } : {}

  zone_id = var.cloudflare_zone_id
  name    = each.value
  type    = "AAAA"
  content = "100::"
  proxied = true
  ttl     = 1
  comment = "${var.name_prefix}: originless record, served by a worker route (terraform)"
}

# Fallback origin of the SaaS zone, under the shops domain. Per-store custom hostnames are created
# by the edge (edge/src/cloudflare.rs) when a merchant's domain is verified, and deleted with the
# domain or the store; they are deliberately NOT managed here.
resource "cloudflare_custom_hostname_fallback_origin" "shops" {
  zone_id = var.cloudflare_zone_id
  origin  = local.saas_fallback_origin

  depends_on = [cloudflare_dns_record.originless]
}
