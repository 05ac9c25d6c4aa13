# Pipeline-owned state (idempotency records with TTL, supplier snapshots, budgets).
# Key schema and TTL attribute come from wiring.json's "table".

resource "aws_dynamodb_table" "pipeline" {
  name         = "${var.name_prefix}-pipeline"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = local.table.hash_key
  range_key    = local.table.range_key

  attribute {
    name = local.table.hash_key
    type = "S"
  }

  attribute {
    name = local.table.range_key
    type = "S"
  }

  ttl {
    attribute_name = local.table.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  deletion_protection_enabled = var.table_deletion_protection
}
