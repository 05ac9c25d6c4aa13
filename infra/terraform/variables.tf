# ---------------------------------------------------------------------------------------------
# General
# ---------------------------------------------------------------------------------------------

variable "name_prefix" {
  description = "Prefix of every resource name (queues, functions, table, bucket, workers, D1, KV)."
  type        = string
  default     = "dropship"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 chars of lowercase letters, digits and dashes (it ends up in S3 bucket and SQS names)."
  }
}

variable "tags" {
  description = "Extra tags applied to every AWS resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# AWS
# ---------------------------------------------------------------------------------------------

variable "aws_region" {
  description = "AWS region of the pipeline (SQS, Lambda, DynamoDB, S3, Scheduler)."
  type        = string
  default     = "us-east-1"
}

variable "lambda_artifacts_dir" {
  description = "Directory holding <function>/bootstrap.zip, as written by `cargo lambda build --release --arm64 --output-format zip` (that is $CARGO_TARGET_DIR/lambda, default target/lambda). Relative paths resolve against the directory terraform runs in."
  type        = string
}

variable "parameters_secrets_extension_layer_arn" {
  description = "ARN of the arm64 'AWS Parameters and Secrets Lambda Extension' layer for aws_region (arn:aws:lambda:<region>:<aws account>:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:<version>, listed in the AWS Systems Manager docs). The functions read the internal HMAC secret through it on localhost:2773."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:[0-9]+$", var.parameters_secrets_extension_layer_arn))
    error_message = "parameters_secrets_extension_layer_arn must be the Arm64 variant of the AWS Parameters and Secrets Lambda Extension layer (the functions are arm64)."
  }
}

variable "function_environment" {
  description = "Extra environment variables per function (keys: function names from wiring.json), e.g. supplier API settings. Values end up in the Lambda configuration: prefer SSM parameters for secrets."
  type        = map(map(string))
  default     = {}
  sensitive   = true

  validation {
    condition     = alltrue([for f in keys(var.function_environment) : contains(keys(local.functions), f)])
    error_message = "function_environment keys must be function names from infra/wiring.json."
  }
}

variable "log_retention_days" {
  description = "Retention of each function's CloudWatch log group."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "rust_log" {
  description = "RUST_LOG filter of every function."
  type        = string
  default     = "info"
}

variable "edge_internal_url" {
  description = "Base URL of the edge worker's internal API the functions call (HMAC-signed). Defaults to https://api.<platform_domain>."
  type        = string
  default     = null
}

variable "internal_hmac_secret" {
  description = "Initial value of the HMAC secret shared by the functions (through SSM) and the edge worker (as a secret binding). Terraform ignores later changes to the SSM value; rotate it in SSM and here together."
  type        = string
  sensitive   = true
  nullable    = false

  validation {
    condition     = length(var.internal_hmac_secret) >= 32
    error_message = "internal_hmac_secret must be at least 32 characters."
  }
}

variable "event_source_max_concurrency" {
  description = "Maximum concurrent Lambda invocations per SQS event source mapping (scaling_config.maximum_concurrency)."
  type        = number
  default     = 10

  validation {
    condition     = var.event_source_max_concurrency >= 2 && var.event_source_max_concurrency <= 1000
    error_message = "event_source_max_concurrency must be between 2 and 1000 (SQS event source mapping limits)."
  }
}

variable "schedule_retry_attempts" {
  description = "EventBridge Scheduler retry attempts before a schedule's event goes to the schedules DLQ."
  type        = number
  default     = 3
}

variable "schedule_max_event_age_s" {
  description = "EventBridge Scheduler maximum event age (seconds) before the event goes to the schedules DLQ."
  type        = number
  default     = 3600
}

variable "dlq_alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when any DLQ has visible messages."
  type        = list(string)
  default     = []
}

variable "table_deletion_protection" {
  description = "Deletion protection of the pipeline DynamoDB table."
  type        = bool
  default     = true
}

variable "edge_sends_to" {
  description = "Queues (names from wiring.json) the edge worker enqueues to with its IAM user. Each gets an <UPPER(queue)>_QUEUE_URL plain-text binding on the edge worker and sqs:SendMessage on that queue only."
  type        = list(string)
  default     = ["research", "email", "flows", "erasure", "seo", "scrape", "fulfilment"]
}

variable "dashboard_url" {
  description = "The merchant dashboard's origin: account mails link to its /verify-email and /reset-password pages, which call the API."
  type        = string
}

# ---------------------------------------------------------------------------------------------
# Cloudflare
# ---------------------------------------------------------------------------------------------

variable "cloudflare_account_id" {
  description = "Cloudflare account that owns the Workers, D1 databases and KV namespace."
  type        = string
}

variable "cloudflare_zone_id" {
  description = "Zone holding both the platform domain (api.<platform_domain>) and the shops domain (*.<shops_domain>); it is also the Cloudflare for SaaS zone."
  type        = string
}

variable "platform_domain" {
  description = "Platform domain; the edge (merchant API) worker serves api.<platform_domain>."
  type        = string
}

variable "shops_domain" {
  description = "Domain under which every store gets a subdomain (<store>.<shops_domain>), served by the storefront worker."
  type        = string
}

variable "store_shard_count" {
  description = "Number of store D1 shards (bound as STORE_DB_0 .. STORE_DB_<n-1>)."
  type        = number
  default     = 2

  validation {
    condition     = var.store_shard_count >= 1 && floor(var.store_shard_count) == var.store_shard_count
    error_message = "store_shard_count must be a positive integer."
  }
}

variable "dashboard_worker_dir" {
  description = "worker-build output directory of the dashboard worker (holds the main module and its wasm). Relative paths resolve against the directory terraform runs in."
  type        = string
  default     = "../../dashboard/build"
}

variable "dashboard_csrf_secret" {
  description = "Key of the dashboard's CSRF tokens (the dashboard worker's CSRF_SECRET secret binding). Rotating it only expires the forms open at that moment."
  type        = string
  sensitive   = true
  nullable    = false

  validation {
    condition     = length(var.dashboard_csrf_secret) >= 32
    error_message = "dashboard_csrf_secret must be at least 32 characters."
  }
}

variable "edge_worker_dir" {
  description = "worker-build output directory of the edge worker (holds the main module, its wasm and, under assets/, its static assets). Relative paths resolve against the directory terraform runs in."
  type        = string
  default     = "../../edge/build"
}

variable "storefront_worker_dir" {
  description = "worker-build output directory of the storefront worker (holds the main module and its wasm). Relative paths resolve against the directory terraform runs in."
  type        = string
  default     = "../../storefront-worker/build"
}

variable "worker_main_module" {
  description = "File name of worker-build's main ES module inside each worker dir (build/index.js in recent worker-build; older releases wrote worker/shim.mjs)."
  type        = string
  default     = "index.js"
}

variable "worker_wasm_module" {
  description = "File name of the wasm module next to the main module, as the main module imports it."
  type        = string
  default     = "index_bg.wasm"
}

variable "worker_compatibility_date" {
  description = "Workers runtime compatibility date of both workers."
  type        = string
  default     = "2025-09-01"
}

variable "storefront_url_template" {
  description = "STOREFRONT_URL_TEMPLATE of the edge: how a store's public URL is made from its host."
  type        = string
  default     = "https://{host}"
}

variable "jwt_signing_key" {
  description = "JWT_SIGNING_KEY secret binding of the edge worker: the HS256 key of merchant access tokens."
  type        = string
  sensitive   = true
  nullable    = false

  validation {
    condition     = length(var.jwt_signing_key) >= 32
    error_message = "jwt_signing_key must be at least 32 characters."
  }
}

variable "manage_dns_records" {
  description = "Create the proxied, originless DNS records the routes and the SaaS fallback origin need (api.<platform_domain>, *.<shops_domain>, the fallback origin host). Turn off if they are managed elsewhere."
  type        = bool
  default     = true
}

variable "saas_fallback_origin" {
  description = "Cloudflare for SaaS fallback origin host. Defaults to fallback.<shops_domain>."
  type        = string
  default     = null
}

variable "storefront_catch_all_route" {
  description = "Route */* in the zone to the storefront: store custom hostnames (Cloudflare for SaaS) reach the shops only through it. More specific routes (the edge's api.<platform_domain>/*) still win. Turn it off only for a zone that serves other sites besides the platform."
  type        = bool
  default     = true
}

variable "custom_hostnames_api_token" {
  description = "CLOUDFLARE_API_TOKEN secret binding of the edge worker: a Cloudflare API token limited to the shops' zone with 'SSL and Certificates: Edit', with which the edge creates and deletes store custom hostnames."
  type        = string
  sensitive   = true
}

variable "stripe_prices" {
  description = "Stripe recurring price ids of the paid plans."
  type = object({
    growth     = string
    pro        = string
    enterprise = string
  })
}

variable "stripe_secret_key" {
  description = "STRIPE_SECRET_KEY secret binding of the edge worker."
  type        = string
  sensitive   = true
}

variable "stripe_webhook_secret" {
  description = "STRIPE_WEBHOOK_SECRET secret binding of the edge worker: the whsec_ secret of the endpoint at https://api.<platform_domain>/v1/billing/webhook."
  type        = string
  sensitive   = true
}

variable "stripe_connect_webhook_secret" {
  description = "STRIPE_CONNECT_WEBHOOK_SECRET secret binding of the edge worker: the whsec_ secret of the Connect endpoint (events of connected accounts) at https://api.<platform_domain>/v1/webhooks/stripe-connect."
  type        = string
  sensitive   = true
}

variable "doh_url" {
  description = "DNS-over-HTTPS resolver (RFC 8484 wire format) the edge verifies custom domains through."
  type        = string
  default     = "https://cloudflare-dns.com/dns-query"
}

variable "resend_webhook_secret" {
  description = "RESEND_WEBHOOK_SECRET secret binding of the edge worker: the whsec_ signing secret of the Resend webhook at https://api.<platform_domain>/v1/webhooks/resend (bounces and complaints). Empty: that webhook answers 404."
  type        = string
  sensitive   = true
  default     = ""
}

variable "sendgrid_webhook_public_key" {
  description = "SENDGRID_WEBHOOK_PUBLIC_KEY binding of the edge worker: the Signed Event Webhook's verification key (base64 DER) for https://api.<platform_domain>/v1/webhooks/sendgrid. Empty: that webhook answers 404."
  type        = string
  default     = ""
}

variable "indexnow_key" {
  description = "The platform's IndexNow key: the SEO function submits changed store URLs with it, and every store's host serves it at /<key>.txt so that search engines accept them. Public by the protocol's design. Empty: IndexNow is off."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([A-Za-z0-9-]{8,128})?$", var.indexnow_key))
    error_message = "indexnow_key must be 8 to 128 letters, digits or dashes (or empty)."
  }
}
