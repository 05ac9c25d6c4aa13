# Least-privilege IAM, derived from wiring.json: one role per function, granting
#   - logs on its own log group only,
#   - receive/delete/... on the queue(s) it consumes only,
#   - sqs:SendMessage on the queues in its sends_to only,
#   - the DynamoDB actions its code calls (iam.dynamodb) on the pipeline table only,
#   - the S3 object actions its code calls (iam.s3_objects) on the objects under its prefixes
#     (iam.s3_prefixes, e.g. stores/*, tenants/*), and listing (iam.s3_list) of those prefixes,
#   - ssm:GetParameter on the HMAC secret parameter, and kms:Decrypt on its key via SSM only, when
#     its code reads the secret (iam.internal_secret).
# tests/test_function_grants.py reads each function's AWS calls from its Rust sources and fails
# when this policy grants one it does not call or misses one it does: the emulator the local stack
# runs on enforces no IAM, so nothing else would notice.
# No statement has Resource "*". The only wildcards are the log-stream suffix of the function's
# own log group (":*") and the object suffix of a bucket prefix ("/stores/*").

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

  dynamic "statement" {
    for_each = length(each.value.iam.dynamodb) > 0 ? [each.value.iam.dynamodb] : []

    content {
      sid       = "PipelineTable"
      actions   = statement.value
      resources = [aws_dynamodb_table.pipeline.arn]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.iam.s3_objects) > 0 ? [each.value.iam.s3_objects] : []

    content {
      sid       = "AssetObjectsUnderOwnPrefixes"
      actions   = statement.value
      resources = [for p in each.value.iam.s3_prefixes : "${aws_s3_bucket.assets.arn}/${p}*"]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.iam.s3_list) > 0 ? [each.value.iam.s3_list] : []

    content {
      sid       = "ListOwnPrefixes"
      actions   = statement.value
      resources = [aws_s3_bucket.assets.arn]

      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = [for p in each.value.iam.s3_prefixes : "${p}*"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.value.iam.internal_secret ? ["ssm"] : []

    content {
      sid       = "HmacSecretParameter"
      actions   = ["ssm:GetParameter"]
      resources = [aws_ssm_parameter.internal_hmac_secret.arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.iam.internal_secret ? ["kms"] : []

    content {
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
