#!/usr/bin/env bash
# Sets up and runs the whole platform on this machine, offline:
#   the AWS emulator (moto) with the queues, table and bucket from infra/wiring.json;
#   the edge and storefront Workers under `wrangler dev`, sharing one persisted local D1/KV state,
#   migrations applied, and the merchants' dashboard Worker (no storage: it calls the edge's /v1);
#   the functions under `cargo lambda watch`;
#   devstack's pump (SQS -> functions, as event source mappings do) and scheduler;
#   the AliExpress fixture gateway and the CJdropshipping stand-in;
#   maildev, the local SMTP server the email function sends to, with its web inbox;
# then seeds a demo store and prints the URLs. Ctrl-C stops everything it started.
#
#   local/up.sh            run in the foreground until Ctrl-C
#   local/up.sh --detach   start, seed, and return (local/down.sh stops it); used by the tests
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. local/env.sh
detach=false
[ "${1:-}" = "--detach" ] && detach=true

log() { printf '\033[1;32m[up]\033[0m %s\n' "$*" >&2; }

local/tools.sh

state="$DROPSHIP_STATE"
logs="$state/logs"
mkdir -p "$logs"
"$root/local/down.sh" --quiet || true

# Local secrets: generated once per machine (each missing one is added), never committed, never
# printed.
secrets="$DROPSHIP_HOME/local-secrets.env"
umask 077
touch "$secrets"
add_secret() { # name, python expression for the value
  grep -q "^$1=" "$secrets" || echo "$1=$(python3 -c "import secrets; print($2)")" >> "$secrets"
}
add_secret JWT_SIGNING_KEY 'secrets.token_urlsafe(48)'
add_secret INTERNAL_HMAC_SECRET 'secrets.token_hex(32)'
add_secret ALIEXPRESS_APP_KEY '"local-" + secrets.token_hex(4)'
add_secret ALIEXPRESS_APP_SECRET 'secrets.token_hex(16)'
add_secret CJ_API_KEY '"CJ" + str(secrets.randbelow(10**7)) + "@api@" + secrets.token_hex(16)'
add_secret DEMO_PASSWORD 'secrets.token_urlsafe(18)'
add_secret STRIPE_SECRET_KEY '"sk_test_" + secrets.token_hex(12)'
add_secret STRIPE_WEBHOOK_SECRET '"whsec_" + secrets.token_hex(16)'
add_secret STRIPE_CONNECT_WEBHOOK_SECRET '"whsec_" + secrets.token_hex(16)'
add_secret CLOUDFLARE_API_TOKEN 'secrets.token_urlsafe(30)'
add_secret SEO_SERP_API_KEY 'secrets.token_hex(16)'
add_secret INDEXNOW_KEY 'secrets.token_hex(16)'
# SendGrid's Signed Event Webhook: a P-256 key pair of this machine's own (the scalar in hex); the
# edge gets the public key, the end-to-end tests sign with the private one.
add_secret SENDGRID_WEBHOOK_PRIVATE_KEY 'secrets.token_hex(32)'
add_secret DASHBOARD_CSRF_SECRET 'secrets.token_urlsafe(48)'
add_secret RESEND_WEBHOOK_SECRET '"whsec_" + __import__("base64").b64encode(secrets.token_bytes(24)).decode()'
umask 022
set -a
. "$secrets"
set +a
SENDGRID_WEBHOOK_PUBLIC_KEY=$(python3 -c '
import base64, sys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization
key = ec.derive_private_key(int(sys.argv[1], 16), ec.SECP256R1()).public_key()
print(base64.b64encode(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode())
' "$SENDGRID_WEBHOOK_PRIVATE_KEY")

export MOTO_PORT=5000 EDGE_PORT=8787 STOREFRONT_PORT=8788 DASHBOARD_PORT=8789 LAMBDA_PORT=9000 ALIEXPRESS_PORT=9100
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export WRANGLER_SEND_METRICS=false

pids="$state/pids"
: > "$pids"
start() { # name, command...
  local name="$1"; shift
  # Each service gets none of this script's open files beyond stdio: a caller's lock (the stack
  # lock local/test.sh holds on fd 9, or one taken with `flock file command`) must end with the
  # caller, not live on in a service left running.
  (
    for fd in /proc/self/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2> /dev/null || true; fi
    done
    exec setsid "$@" > "$logs/$name.log" 2>&1 < /dev/null
  ) &
  echo "$! $name" >> "$pids"
}
wait_for() { # name, url, seconds
  local name="$1" url="$2" seconds="$3" i=0
  until curl -s -o /dev/null --max-time 2 "$url"; do
    i=$((i + 1))
    if [ "$i" -ge "$seconds" ]; then
      log "$name did not come up in ${seconds}s; its log ($logs/$name.log) ends with:"
      tail -n 30 "$logs/$name.log" >&2
      exit 1
    fi
    sleep 1
  done
}
if ! $detach; then
  trap '"$root/local/down.sh"' EXIT
  trap 'exit 130' INT TERM
fi

log "building the functions and devstack"
cargo build --quiet -p devstack -p fanout -p research -p import -p email -p sweep -p scrape -p seo -p erasure -p sync -p fulfilment

log "starting the AWS emulator on 127.0.0.1:$MOTO_PORT"
start moto moto_server -H 127.0.0.1 -p "$MOTO_PORT"
wait_for moto "$AWS_ENDPOINT_URL/moto-api/" 30
"$CARGO_TARGET_DIR/debug/devstack" provision > "$state/aws.env"
set -a
. "$state/aws.env"
set +a

log "starting the AliExpress fixture gateway on 127.0.0.1:$ALIEXPRESS_PORT"
# The merchant's AliExpress dropshipping access token, which the stand-in checks on every order.
ALIEXPRESS_DS_ACCESS_TOKEN="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
DS_ACCESS_TOKEN="$ALIEXPRESS_DS_ACCESS_TOKEN" FIXTURE_IMAGE_BASE="http://127.0.0.1:$ALIEXPRESS_PORT" start aliexpress python3 local/fixtures/aliexpress_server.py "$ALIEXPRESS_PORT" "$ALIEXPRESS_APP_KEY" "$ALIEXPRESS_APP_SECRET"
CJ_PORT=9102
log "starting the CJdropshipping stand-in on 127.0.0.1:$CJ_PORT"
start cj python3 local/fixtures/cj_server.py "$CJ_PORT" "$CJ_API_KEY"
wait_for cj "http://127.0.0.1:$CJ_PORT/health" 30
SOURCES_PORT=9101
REDDIT_CLIENT_ID=local-reddit REDDIT_CLIENT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
APIFY_TOKEN="apify_api_$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
log "starting the research sources fixture (Reddit, Shopify stores, supplier feed, Google Trends, Apify TikTok) on 127.0.0.1:$SOURCES_PORT"
REDDIT_CLIENT_ID="$REDDIT_CLIENT_ID" REDDIT_CLIENT_SECRET="$REDDIT_CLIENT_SECRET" APIFY_TOKEN="$APIFY_TOKEN" \
  start sources python3 local/fixtures/sources_server.py "$SOURCES_PORT"

DOH_PORT=8053
log "starting the DNS-over-HTTPS fixture on 127.0.0.1:$DOH_PORT (records in $state/dns-records.json)"
start doh python3 local/fixtures/doh_server.py "$DOH_PORT" "$state/dns-records.json"
CLOUDFLARE_PORT=8430
log "starting the Cloudflare API stand-in (custom hostnames) on 127.0.0.1:$CLOUDFLARE_PORT"
start cloudflare python3 local/fixtures/cloudflare_server.py "$CLOUDFLARE_PORT" local-shops-zone "$CLOUDFLARE_API_TOKEN"

log "starting the Stripe stand-in (localstripe + Checkout) on 127.0.0.1:8420"
start stripe python3 local/fixtures/stripe_server.py 8420 "$state/stripe.pickle"

SEARCH_PORT=9110
log "starting the search stand-ins (autocomplete, SerpApi, IndexNow) on 127.0.0.1:$SEARCH_PORT"
start search python3 local/fixtures/search_server.py "$SEARCH_PORT" "$SEO_SERP_API_KEY"

MAIL_SMTP_PORT=1025 MAIL_WEB_PORT=1080
log "starting maildev (SMTP 127.0.0.1:$MAIL_SMTP_PORT, inbox http://127.0.0.1:$MAIL_WEB_PORT)"
start maildev maildev --ip 127.0.0.1 --web-ip 127.0.0.1 -s "$MAIL_SMTP_PORT" -w "$MAIL_WEB_PORT"

# What the functions see, as Terraform sets it in AWS (plus the local endpoints and secret).
cat > "$state/functions.env" <<ENV
EDGE_INTERNAL_URL=http://127.0.0.1:$EDGE_PORT
INTERNAL_HMAC_SECRET=$INTERNAL_HMAC_SECRET
TABLE_NAME=$TABLE_NAME
BUCKET_NAME=$BUCKET_NAME
RESEARCH_QUEUE_URL=$RESEARCH_QUEUE_URL
IMPORT_QUEUE_URL=$IMPORT_QUEUE_URL
EMAIL_QUEUE_URL=$EMAIL_QUEUE_URL
FLOWS_QUEUE_URL=$FLOWS_QUEUE_URL
SCRAPE_QUEUE_URL=$SCRAPE_QUEUE_URL
SYNC_QUEUE_URL=$SYNC_QUEUE_URL
FULFILMENT_QUEUE_URL=$FULFILMENT_QUEUE_URL
AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL
AWS_REGION=$AWS_REGION
AWS_ACCESS_KEY_ID=local
AWS_SECRET_ACCESS_KEY=local
ALIEXPRESS_API_URL=http://127.0.0.1:$ALIEXPRESS_PORT/sync
ALIEXPRESS_APP_KEY=$ALIEXPRESS_APP_KEY
ALIEXPRESS_APP_SECRET=$ALIEXPRESS_APP_SECRET
ALIEXPRESS_DS_ACCESS_TOKEN=$ALIEXPRESS_DS_ACCESS_TOKEN
CJ_API_URL=http://127.0.0.1:$CJ_PORT/api2.0/v1
CJ_API_KEY=$CJ_API_KEY
REDDIT_AUTH_URL=http://127.0.0.1:$SOURCES_PORT
REDDIT_API_URL=http://127.0.0.1:$SOURCES_PORT
REDDIT_CLIENT_ID=$REDDIT_CLIENT_ID
REDDIT_CLIENT_SECRET=$REDDIT_CLIENT_SECRET
COMPETITOR_STORES=http://127.0.0.1:$SOURCES_PORT/shops/pawsandclaws,http://127.0.0.1:$SOURCES_PORT/shops/groomwell
SUPPLIER_FEED_URL=http://127.0.0.1:$SOURCES_PORT/feeds/supplier.csv
GOOGLE_TRENDS_URL=http://127.0.0.1:$SOURCES_PORT
GOOGLE_TRENDS_KEYWORDS="slicker brush,cat water fountain"
APIFY_API_URL=http://127.0.0.1:$SOURCES_PORT
APIFY_TOKEN=$APIFY_TOKEN
SEO_QUEUE_URL=$SEO_QUEUE_URL
SEO_AUTOCOMPLETE_URL=http://127.0.0.1:$SEARCH_PORT/complete/search
SEO_SERP_URL=http://127.0.0.1:$SEARCH_PORT/search.json
SEO_SERP_API_KEY=$SEO_SERP_API_KEY
INDEXNOW_URL=http://127.0.0.1:$SEARCH_PORT/indexnow
INDEXNOW_KEY=$INDEXNOW_KEY
EMAIL_PROVIDER=smtp
SMTP_HOST=127.0.0.1
SMTP_PORT=$MAIL_SMTP_PORT
EMAIL_FROM="Dropship <no-reply@dropship.localhost>"
CONTENT_PROVIDER=offline
SCRAPER_ALLOW_LOOPBACK=1
SCRAPER_MIN_INTERVAL_MS=50
IDEMPOTENCY_LEASE_SECS=4
DROPSHIP_LOCAL=1
RUST_LOG=info
ENV
chmod 600 "$state/functions.env"

log "starting the functions under cargo lambda watch on 127.0.0.1:$LAMBDA_PORT"
start lambda cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$LAMBDA_PORT" --env-file "$state/functions.env" --ignore-changes

# Workers: secrets in .dev.vars (git-ignored), state shared through one --persist-to folder. The
# account mails' links (.dev.vars override wrangler.toml's [vars]) open the local dashboard's pages,
# on localhost, where browsers keep its Secure cookies over plain http.
umask 077
cat > edge/.dev.vars <<VARS
JWT_SIGNING_KEY=$JWT_SIGNING_KEY
INTERNAL_HMAC_SECRET=$INTERNAL_HMAC_SECRET
AWS_ACCESS_KEY_ID=local
AWS_SECRET_ACCESS_KEY=local
RESEARCH_QUEUE_URL=$RESEARCH_QUEUE_URL
EMAIL_QUEUE_URL=$EMAIL_QUEUE_URL
FLOWS_QUEUE_URL=$FLOWS_QUEUE_URL
ERASURE_QUEUE_URL=$ERASURE_QUEUE_URL
SEO_QUEUE_URL=$SEO_QUEUE_URL
SCRAPE_QUEUE_URL=$SCRAPE_QUEUE_URL
FULFILMENT_QUEUE_URL=$FULFILMENT_QUEUE_URL
STRIPE_SECRET_KEY=$STRIPE_SECRET_KEY
STRIPE_WEBHOOK_SECRET=$STRIPE_WEBHOOK_SECRET
STRIPE_CONNECT_WEBHOOK_SECRET=$STRIPE_CONNECT_WEBHOOK_SECRET
RESEND_WEBHOOK_SECRET=$RESEND_WEBHOOK_SECRET
SENDGRID_WEBHOOK_PUBLIC_KEY=$SENDGRID_WEBHOOK_PUBLIC_KEY
CLOUDFLARE_API_TOKEN=$CLOUDFLARE_API_TOKEN
VERIFY_EMAIL_URL_TEMPLATE=http://localhost:$DASHBOARD_PORT/verify-email?token={token}
RESET_PASSWORD_URL_TEMPLATE=http://localhost:$DASHBOARD_PORT/reset-password?token={token}
ACCEPT_INVITATION_URL_TEMPLATE=http://localhost:$DASHBOARD_PORT/accept-invitation?token={token}
VARS
# The dashboard's own secret: it keys the forms' CSRF tokens.
cat > dashboard/.dev.vars <<VARS
CSRF_SECRET=$DASHBOARD_CSRF_SECRET
VARS
cat > storefront-worker/.dev.vars <<VARS
INTERNAL_HMAC_SECRET=$INTERNAL_HMAC_SECRET
INDEXNOW_KEY=$INDEXNOW_KEY
AWS_ACCESS_KEY_ID=local
AWS_SECRET_ACCESS_KEY=local
MEDIA_BUCKET=$BUCKET_NAME
VARS
umask 022
persist="$state/wrangler"
log "applying D1 migrations"
for db in PLATFORM_DB STORE_DB_0 STORE_DB_1; do
  (cd edge && CI=true wrangler d1 migrations apply "$db" --local --persist-to "$persist" > "$logs/migrate-$db.log" 2>&1) \
    || { tail -n 30 "$logs/migrate-$db.log" >&2; exit 1; }
done

log "starting the edge Worker on 127.0.0.1:$EDGE_PORT and the storefront Worker on 127.0.0.1:$STOREFRONT_PORT"
(cd edge && start edge wrangler dev --ip 127.0.0.1 --port "$EDGE_PORT" --persist-to "$persist" --inspector-port 9229)
wait_for edge "http://127.0.0.1:$EDGE_PORT/health" 600
(cd storefront-worker && start storefront wrangler dev --ip 127.0.0.1 --port "$STOREFRONT_PORT" --persist-to "$persist" --inspector-port 9230)
wait_for storefront "http://127.0.0.1:$STOREFRONT_PORT/" 600
log "starting the dashboard Worker on 127.0.0.1:$DASHBOARD_PORT (it reaches data only through the edge's /v1)"
(cd dashboard && start dashboard wrangler dev --ip 127.0.0.1 --port "$DASHBOARD_PORT" --inspector-port 9231)
wait_for dashboard "http://127.0.0.1:$DASHBOARD_PORT/health" 600

# Stripe posts billing events to the edge's webhook, signed with the endpoint secret.
wait_for stripe "http://127.0.0.1:8420/_config/webhooks" 30
curl -sS -o /dev/null -X POST "http://127.0.0.1:8420/_config/webhooks/edge" \
  -d "url=http://127.0.0.1:$EDGE_PORT/v1/billing/webhook" -d "secret=$STRIPE_WEBHOOK_SECRET"
# Connected accounts' events (merchants' payout onboarding) go to the Connect endpoint.
curl -sS -o /dev/null -X POST "http://127.0.0.1:8420/_config/webhooks/edge-connect" \
  -d "url=http://127.0.0.1:$EDGE_PORT/v1/webhooks/stripe-connect" -d "secret=$STRIPE_CONNECT_WEBHOOK_SECRET" -d connect=true

log "starting devstack's pump (SQS -> functions) and scheduler"
start pump "$CARGO_TARGET_DIR/debug/devstack" pump
wait_for lambda "http://127.0.0.1:$LAMBDA_PORT/" 120

log "seeding the demo merchant and store"
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin).get('$1',''))" 2>/dev/null || true; }
post() { curl -sS -H 'content-type: application/json' "$@"; }
edge="http://127.0.0.1:$EDGE_PORT"
credentials="{\"email\":\"demo@example.com\",\"password\":\"$DEMO_PASSWORD\"}"
token=$(post -X POST "$edge/v1/auth/login" -d "$credentials" | json_field access_token)
if [ -z "$token" ]; then
  token=$(post -X POST "$edge/v1/auth/signup" \
    -d "{\"email\":\"demo@example.com\",\"password\":\"$DEMO_PASSWORD\",\"company\":\"Cozy Paws Ltd\"}" | json_field access_token)
fi
store_id=$(post -X POST "$edge/v1/stores" -H "authorization: Bearer $token" \
  -d '{"name":"Cozy Paws","slug":"demo","niche":"pet grooming","currency":"USD"}' | json_field id)
if [ -n "$store_id" ]; then
  log "demo store created; its launch has started (research, imports, collections, blog posts, then a ready mail)"
  # Its payouts, through the Stripe stand-in's hosted onboarding, so that the demo shop takes orders.
  onboarding=$(post -X POST "$edge/v1/stores/$store_id/payouts/onboarding" -H "authorization: Bearer $token" | json_field url)
  curl -sS -o /dev/null -X POST "$onboarding" -d business_name=Cozy+Paws -d account_number=000123456789
else
  log "demo store already exists"
fi

cat <<DONE

  Storefront (demo store)  http://demo.localhost:$STOREFRONT_PORT/
  Merchant dashboard       http://localhost:$DASHBOARD_PORT/   (log in as demo@example.com)
  Merchant API             http://127.0.0.1:$EDGE_PORT/v1   (log in as demo@example.com, password DEMO_PASSWORD in $secrets)
  Functions                http://127.0.0.1:$LAMBDA_PORT   (cargo lambda watch)
  AWS emulator             $AWS_ENDPOINT_URL
  Mail inbox               http://127.0.0.1:$MAIL_WEB_PORT   (maildev; REST API: GET /api/email)
  Logs                     $logs/

DONE

if $detach; then
  exit 0
fi
log "running; Ctrl-C stops everything"
while true; do sleep 3600; done
