# One Lambda function (Rust, provided.al2023, arm64) per function in wiring.json, its log group,
# and one SQS event source mapping per queue in wiring.json.

locals {
  edge_internal_url = coalesce(var.edge_internal_url, "https://api.${var.platform_domain}")
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = local.functions

  name              = "/aws/lambda/${var.name_prefix}-${each.key}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "function" {
  for_each = local.functions

  function_name = "${var.name_prefix}-${each.key}"
  description   = substr(each.value.description, 0, 256)
  role          = aws_iam_role.function[each.key].arn

  runtime       = "provided.al2023"
  architectures = ["arm64"]
  handler       = "bootstrap"

  # cargo lambda build --release --arm64 --output-format zip -> target/lambda/<name>/bootstrap.zip
  filename         = "${var.lambda_artifacts_dir}/${each.key}/bootstrap.zip"
  source_code_hash = filebase64sha256("${var.lambda_artifacts_dir}/${each.key}/bootstrap.zip")

  memory_size = each.value.memory_mb
  timeout     = each.value.timeout_s

  # The AWS Parameters and Secrets Lambda Extension: the function reads the SSM parameter named
  # in INTERNAL_HMAC_SECRET_PARAMETER through it (localhost:2773), with this role's permissions.
  layers = [var.parameters_secrets_extension_layer_arn]

  environment {
    variables = merge(
      {
        TABLE_NAME        = aws_dynamodb_table.pipeline.name
        BUCKET_NAME       = aws_s3_bucket.assets.bucket
        EDGE_INTERNAL_URL = local.edge_internal_url
        # The name of the SecureString parameter, never its value: the function reads it at start.
        INTERNAL_HMAC_SECRET_PARAMETER = aws_ssm_parameter.internal_hmac_secret.name
        RUST_LOG                       = var.rust_log
      },
      { for q in each.value.sends_to : local.queue_url_env[q] => aws_sqs_queue.queue[q].url },
      # The SEO engine submits changed URLs to IndexNow with the key every store's host serves.
      each.key == "seo" && var.indexnow_key != "" ? { INDEXNOW_KEY = var.indexnow_key } : {},
      lookup(var.function_environment, each.key, {}),
    )
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  depends_on = [
    aws_cloudwatch_log_group.function,
    aws_iam_role_policy.function,
  ]
}

resource "aws_lambda_event_source_mapping" "queue" {
  for_each = local.queues

  event_source_arn                   = aws_sqs_queue.queue[each.key].arn
  function_name                      = aws_lambda_function.function[each.value.consumer].arn
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.max_batching_window_s

  # Handlers return the failed message ids; only those are retried (and, after
  # max_receive_count, land in the DLQ), not the whole batch.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.event_source_max_concurrency
  }

  # The mapping is validated against the role's SQS permissions at creation.
  depends_on = [aws_iam_role_policy.function]
}
