terraform {
  # 1.9+ for cross-object references in variable validation; check blocks need 1.5+.
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
    cloudflare = {
      source = "cloudflare/cloudflare"
      # 5.12 is the first release with the cloudflare_worker_version fixes this module relies on
      # (module content_sha256 replacement, stable binding order).
      version = "~> 5.12"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(
      {
        Project   = var.name_prefix
        ManagedBy = "terraform"
        Wiring    = "infra/wiring.json"
      },
      var.tags,
    )
  }
}

# Credentials come from the environment (CLOUDFLARE_API_TOKEN); never from variables or state.
provider "cloudflare" {}
