# Least-privilege IAM, derived from wiring.json: one role per function, granting
#   - logs on its own log group only,
#   - receive/delete/... on the queue(s) it consumes only,
#   - sqs:SendMessage on the queues in its sends_to only,
#   - item-level DynamoDB actions on the pipeline table only,
#   - s3 Get/Put on the assets bucket's objects only,
#   - ssm:GetParameter on the HMAC secret parameter, and kms:Decrypt on its key via SSM only.
# No statement has Resource "*". The only wildcards are the log-stream suffix of the function's
# own log group (":*") and the object suffix of the assets bucket ("/*").

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    sid     = "LambdaAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  for_each = local.functions

  name               = "${var.name_prefix}-${each.key}-lambda"
  description        = "Execution role of the ${var.name_prefix}-${each.key} function (derived from infra/wiring.json)."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "function" {
  for_each = local.functions

  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }

  dynamic "statement" {
    for_each = length(local.consumed_queues[each.key]) > 0 ? [local.consumed_queues[each.key]] : []

    content {
      sid = "ConsumeOwnQueue"
      actions = [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
      ]
      resources = [for q in statement.value : aws_sqs_queue.queue[q].arn]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.sends_to) > 0 ? [each.value.sends_to] : []

    content {
      sid       = "SendToWiredQueues"
      actions   = ["sqs:SendMessage"]
      resources = [for q in statement.value : aws_sqs_queue.queue[q].arn]
    }
  }

  statement {
    sid = "PipelineTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
    ]
    resources = [aws_dynamodb_table.pipeline.arn]
  }

  statement {
    sid       = "AssetObjects"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
  }

  statement {
    sid       = "HmacSecretParameter"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.internal_hmac_secret.arn]
  }

  statement {
    sid       = "DecryptHmacSecretViaSsm"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.internal_secrets.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions

  name   = "least-privilege"
  role   = aws_iam_role.function[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json
}

# ---------------------------------------------------------------------------------------------
# The edge worker runs on Cloudflare, outside AWS: it enqueues with the keys of a dedicated IAM
# user that may only sqs:SendMessage on the queues in var.edge_sends_to.
# ---------------------------------------------------------------------------------------------

resource "aws_iam_user" "edge" {
  name = "${var.name_prefix}-edge-enqueue"
}

resource "aws_iam_access_key" "edge" {
  user = aws_iam_user.edge.name
}

data "aws_iam_policy_document" "edge_enqueue" {
  statement {
    sid       = "EdgeEnqueue"
    actions   = ["sqs:SendMessage"]
    resources = [for q in var.edge_sends_to : aws_sqs_queue.queue[q].arn]
  }
}

resource "aws_iam_user_policy" "edge_enqueue" {
  name   = "edge-enqueue"
  user   = aws_iam_user.edge.name
  policy = data.aws_iam_policy_document.edge_enqueue.json
}

# ---------------------------------------------------------------------------------------------
# The storefront worker serves product images (/media/*) from the assets bucket with the keys of
# a dedicated IAM user that may only read objects under stores/<id>/media/.
# ---------------------------------------------------------------------------------------------

resource "aws_iam_user" "storefront" {
  name = "${var.name_prefix}-storefront-media"
}

resource "aws_iam_access_key" "storefront" {
  user = aws_iam_user.storefront.name
}

data "aws_iam_policy_document" "storefront_media" {
  statement {
    sid       = "StorefrontReadsMedia"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/stores/*/media/*"]
  }
}

resource "aws_iam_user_policy" "storefront_media" {
  name   = "storefront-media"
  user   = aws_iam_user.storefront.name
  policy = data.aws_iam_policy_document.storefront_media.json
}
