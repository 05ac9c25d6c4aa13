# One work queue and one dead-letter queue per queue in wiring.json.

resource "aws_sqs_queue" "dlq" {
  for_each = local.queues

  name                      = "${var.name_prefix}-${each.key}-dlq"
  message_retention_seconds = each.value.dlq_retention_s
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "queue" {
  for_each = local.queues

  name                       = "${var.name_prefix}-${each.key}"
  visibility_timeout_seconds = each.value.visibility_timeout_s
  message_retention_seconds  = each.value.message_retention_s
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = each.value.max_receive_count
  })

  lifecycle {
    precondition {
      condition     = contains(keys(local.functions), each.value.consumer)
      error_message = "Queue ${each.key}: its consumer ${each.value.consumer} is not a function in wiring.json."
    }
    precondition {
      condition     = each.value.visibility_timeout_s >= 6 * try(local.functions[each.value.consumer].timeout_s, 0)
      error_message = "Queue ${each.key}: visibility_timeout_s must be >= 6 x the consumer's timeout_s."
    }
    precondition {
      condition     = each.value.dlq_retention_s > each.value.message_retention_s
      error_message = "Queue ${each.key}: dlq_retention_s must exceed message_retention_s, or messages can expire on arrival in the DLQ."
    }
  }
}

# Only the queue's own source queue may redrive into its DLQ. A separate resource because the
# DLQ cannot reference its source queue inline (the source already references the DLQ).
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  for_each = local.queues

  queue_url = aws_sqs_queue.dlq[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.queue[each.key].arn]
  })
}

# ---------------------------------------------------------------------------------------------
# Alarms: any message in any DLQ (the queues' and the schedules') is an incident.
# ---------------------------------------------------------------------------------------------

locals {
  all_dlqs = merge(
    { for q, dlq in aws_sqs_queue.dlq : "queue-${q}" => dlq.name },
    { "schedules" = aws_sqs_queue.schedules_dlq.name },
  )
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  for_each = local.all_dlqs

  alarm_name          = "${each.value}-not-empty"
  alarm_description   = "Messages are waiting in ${each.value}: a pipeline step failed repeatedly. Inspect, fix, then redrive."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.dlq_alarm_actions
  ok_actions          = var.dlq_alarm_actions
}
