# One EventBridge Scheduler schedule per schedule in wiring.json, invoking its function with the
# schedule's input, in which Scheduler replaces `<aws.scheduler.scheduled-time>` with the time the
# invocation is for. Events that still fail after the retry policy go to the schedules DLQ.

resource "aws_sqs_queue" "schedules_dlq" {
  name                      = "${var.name_prefix}-schedules-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_scheduler_schedule_group" "pipeline" {
  name = var.name_prefix
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    sid     = "SchedulerAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name_prefix}-scheduler"
  description        = "Lets EventBridge Scheduler invoke the scheduled functions of infra/wiring.json."
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
}

data "aws_iam_policy_document" "scheduler" {
  dynamic "statement" {
    for_each = length(local.scheduled_functions) > 0 ? [sort(tolist(local.scheduled_functions))] : []

    content {
      sid       = "InvokeScheduledFunctions"
      actions   = ["lambda:InvokeFunction"]
      resources = [for f in statement.value : aws_lambda_function.function[f].arn]
    }
  }

  statement {
    sid       = "SchedulesDeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.schedules_dlq.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "invoke-scheduled-functions"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

resource "aws_scheduler_schedule" "schedule" {
  for_each = local.schedules

  name                = "${var.name_prefix}-${each.key}"
  group_name          = aws_scheduler_schedule_group.pipeline.name
  description         = substr(try(each.value.description, ""), 0, 512)
  schedule_expression = each.value.expression
  state               = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.function[each.value.function].arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode(each.value.input)

    retry_policy {
      maximum_event_age_in_seconds = var.schedule_max_event_age_s
      maximum_retry_attempts       = var.schedule_retry_attempts
    }

    dead_letter_config {
      arn = aws_sqs_queue.schedules_dlq.arn
    }
  }

  lifecycle {
    precondition {
      condition     = contains(keys(local.functions), each.value.function)
      error_message = "Schedule ${each.key}: its function ${each.value.function} is not a function in wiring.json."
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}
