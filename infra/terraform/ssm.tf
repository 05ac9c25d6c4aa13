# The HMAC secret shared by the functions and the edge worker's internal API.
# Functions get only the parameter NAME in their environment and read the value at start.

resource "aws_kms_key" "internal_secrets" {
  description             = "${var.name_prefix}: encrypts the internal HMAC secret parameter"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "internal_secrets" {
  name          = "alias/${var.name_prefix}-internal-secrets"
  target_key_id = aws_kms_key.internal_secrets.key_id
}

resource "aws_ssm_parameter" "internal_hmac_secret" {
  name        = "/${var.name_prefix}/internal-hmac-secret"
  description = "HMAC secret shared by the pipeline functions and the edge worker's internal API."
  type        = "SecureString"
  key_id      = aws_kms_key.internal_secrets.arn

  # Initial value only: rotate in SSM (and in var.internal_hmac_secret for the edge worker)
  # without terraform reverting it.
  value = var.internal_hmac_secret

  lifecycle {
    ignore_changes = [value]
  }
}
