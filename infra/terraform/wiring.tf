# infra/wiring.json is the single source of truth for how the pipeline is wired. The local stack
# (local/devstack) reads the same file, so every queue, DLQ, function, event source mapping,
# schedule and IAM grant below is derived from it with for_each: nothing in this module names a
# queue, function or schedule. Change wiring in the JSON, never here.

locals {
  wiring = jsondecode(file("${path.module}/../wiring.json"))

  functions = local.wiring.functions
  queues    = local.wiring.queues
  schedules = local.wiring.schedules
  table     = local.wiring.table

  function_names = toset(keys(local.functions))
  queue_names    = toset(keys(local.queues))

  # Queue name -> the env var / binding that carries its URL, e.g. research -> RESEARCH_QUEUE_URL.
  queue_url_env = {
    for q in local.queue_names : q => "${upper(replace(q, "-", "_"))}_QUEUE_URL"
  }

  # Function -> queues it consumes (through an event source mapping).
  consumed_queues = {
    for f in local.function_names : f => sort([for q, cfg in local.queues : q if cfg.consumer == f])
  }

  # Functions some schedule invokes: the only ones the scheduler role may invoke.
  scheduled_functions = toset([for s in values(local.schedules) : s.function])

  # Every inconsistency in wiring.json (or in edge_sends_to), as human readable lines.
  wiring_errors = concat(
    [
      for q, cfg in local.queues : "queue ${q}: consumer ${cfg.consumer} is not a function in wiring.json"
      if !contains(keys(local.functions), cfg.consumer)
    ],
    [
      for q, cfg in local.queues :
      "queue ${q}: visibility_timeout_s ${cfg.visibility_timeout_s} < 6 x ${cfg.consumer}.timeout_s ${local.functions[cfg.consumer].timeout_s}"
      if contains(keys(local.functions), cfg.consumer) && cfg.visibility_timeout_s < 6 * try(local.functions[cfg.consumer].timeout_s, 0)
    ],
    flatten([
      for f, cfg in local.functions : [
        for q in cfg.sends_to : "function ${f}: sends_to ${q} is not a queue in wiring.json"
        if !contains(keys(local.queues), q)
      ]
    ]),
    [
      for f, cfg in local.functions : "function ${f}: iam needs dynamodb, s3_objects, s3_list, s3_prefixes and internal_secret"
      if length(setsubtract(["dynamodb", "s3_objects", "s3_list", "s3_prefixes", "internal_secret"], keys(try(cfg.iam, {})))) > 0
    ],
    [
      for f, cfg in local.functions : "function ${f}: S3 actions without s3_prefixes would grant nothing"
      if length(try(cfg.iam.s3_objects, [])) + length(try(cfg.iam.s3_list, [])) > 0 && length(try(cfg.iam.s3_prefixes, [])) == 0
    ],
    [
      for s, cfg in local.schedules : "schedule ${s}: function ${cfg.function} is not a function in wiring.json"
      if !contains(keys(local.functions), cfg.function)
    ],
    [
      for q in var.edge_sends_to : "edge_sends_to: ${q} is not a queue in wiring.json"
      if !contains(keys(local.queues), q)
    ],
  )
}

# Fails the plan (not just warns) when wiring.json is inconsistent.
resource "terraform_data" "wiring_validation" {
  input = sha256(jsonencode(local.wiring))

  lifecycle {
    precondition {
      condition     = length(local.wiring_errors) == 0
      error_message = "infra/wiring.json is inconsistent:\n  - ${join("\n  - ", local.wiring_errors)}"
    }
  }
}

# Same rule as the queue preconditions, reported by `terraform plan` as a check as well.
check "queue_visibility_covers_consumer_timeout" {
  assert {
    condition = alltrue([
      for q, cfg in local.queues :
      cfg.visibility_timeout_s >= 6 * try(local.functions[cfg.consumer].timeout_s, 0)
    ])
    error_message = "Every queue's visibility_timeout_s must be at least 6 x its consumer's timeout_s (AWS guidance for SQS event sources)."
  }
}
