output "queue_urls" {
  description = "Work queue URL by wiring.json queue name."
  value       = { for q, queue in aws_sqs_queue.queue : q => queue.url }
}

output "dlq_urls" {
  description = "Dead-letter queue URL by wiring.json queue name, plus the schedules DLQ."
  value = merge(
    { for q, dlq in aws_sqs_queue.dlq : q => dlq.url },
    { "(schedules)" = aws_sqs_queue.schedules_dlq.url },
  )
}

output "function_names" {
  description = "Lambda function name by wiring.json function name."
  value       = { for f, fn in aws_lambda_function.function : f => fn.function_name }
}

output "schedule_names" {
  description = "EventBridge Scheduler schedule name by wiring.json schedule name."
  value       = { for s, schedule in aws_scheduler_schedule.schedule : s => schedule.name }
}

output "table_name" {
  description = "Pipeline DynamoDB table."
  value       = aws_dynamodb_table.pipeline.name
}

output "bucket_name" {
  description = "Assets S3 bucket."
  value       = aws_s3_bucket.assets.bucket
}

output "internal_hmac_secret_parameter" {
  description = "Name of the SSM SecureString holding the internal HMAC secret."
  value       = aws_ssm_parameter.internal_hmac_secret.name
}

output "edge_iam_user" {
  description = "IAM user whose access key the edge worker uses to enqueue."
  value       = aws_iam_user.edge.name
}

output "platform_d1_id" {
  description = "D1 database bound as PLATFORM_DB."
  value       = cloudflare_d1_database.platform.id
}

output "store_d1_ids" {
  description = "D1 databases bound as STORE_DB_0 .. STORE_DB_<n-1>, in shard order."
  value       = cloudflare_d1_database.store[*].id
}

output "edge_kv_id" {
  description = "KV namespace bound as EDGE_KV."
  value       = cloudflare_workers_kv_namespace.edge.id
}

output "worker_names" {
  description = "Cloudflare worker name by role (edge, storefront)."
  value       = { for k, w in cloudflare_worker.worker : k => w.name }
}
