#!/usr/bin/env bash
# Fuzzes the merchants' API against its own document: Schemathesis reads /v1/openapi.json from a
# running local stack (local/up.sh --detach, or local/test.sh), signs in as a merchant it signs up
# itself, and sends what the document allows (and what it forbids) to every operation, then runs
# the stateful phase (operations chained through the document's links and the responses' ids).
# It fails on any server error, any answer the document does not describe, and any refusal (400,
# 413, 422) of data the document says is valid: the document must state what the handlers check.
#
# Only 127.0.0.1 is ever addressed. Left out, because they would end the run's own session, send
# traffic past the local stand-ins, need a provider's signature, or hit a rate limit whose 429
# would hide the handler behind it:
#   POST /v1/auth/logout, DELETE /v1/auth/sessions/{session_id}   (end the run's session)
#   POST /v1/gdpr/erasure                                         (erases the run's own account)
#   POST /v1/stores/{store_id}/products/from-urls                 (the scraper fetches any URL)
#   POST /v1/billing/webhook, /v1/webhooks/stripe-connect, /v1/webhooks/resend,
#   /v1/webhooks/sendgrid (provider signatures)
#   POST /v1/auth/signup, /v1/auth/login, /v1/auth/password-reset,
#   POST /v1/auth/verify-email/resend, /v1/public/stores/{store}/subscribe (rate limited)
#
# PATCH /v1/members/{user_id} is fuzzed: the run's user is its tenant's only owner, so the role it
# has changes nothing and any other is refused (409 last_owner); no other member ever joins.
#
# Env: EDGE_URL (default http://127.0.0.1:8787), API_FUZZ_SCHEMA (default "$EDGE_URL/v1/openapi.json";
# a file path tests a document before the edge is rebuilt with it), API_FUZZ_MAX_TIME (seconds,
# default 200), API_FUZZ_MAX_EXAMPLES (per operation and phase, default 15), API_FUZZ_SEED.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/local/env.sh"

edge="${EDGE_URL:-http://127.0.0.1:8787}"
case "$edge" in
  http://127.0.0.1:*) ;;
  *) echo "api_fuzz: EDGE_URL must be on 127.0.0.1 (got $edge)" >&2; exit 2 ;;
esac
schema="${API_FUZZ_SCHEMA:-$edge/v1/openapi.json}"
[ -f "$schema" ] && schema="$(realpath "$schema")"
max_time="${API_FUZZ_MAX_TIME:-200}"
max_examples="${API_FUZZ_MAX_EXAMPLES:-15}"
seed="${API_FUZZ_SEED:-$(date +%s)}"
st="$DROPSHIP_TOOLS/venv/bin/schemathesis"
[ -x "$st" ] || { echo "api_fuzz: schemathesis is not installed; run local/tools.sh" >&2; exit 2; }

work="$(mktemp -d)"
report_dir="$(realpath -m "${API_FUZZ_REPORT_DIR:-$work/report}")"
trap 'rm -rf "$work"' EXIT

# A merchant of its own, signed up through the API as the end-to-end tests do (from an address of
# its own, so the per-address signup limit never refuses it), with the one store its plan allows.
signup="$(python3 - "$edge" <<'PY'
import json, secrets, sys, urllib.request, uuid
edge = sys.argv[1]
def call(path, body, token=None, ip=None):
    req = urllib.request.Request(edge + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", f"Bearer {token}")
    if ip:
        req.add_header("cf-connecting-ip", ip)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
tag = secrets.token_hex(6)
account = call("/v1/auth/signup", {"email": f"fuzz-{tag}@example.com",
                                   "password": f"pw-{secrets.token_urlsafe(18)}",
                                   "company": "Fuzz Goods"},
               ip=f"198.51.100.{1 + secrets.randbelow(250)}")
store = call("/v1/stores", {"name": "Fuzz Store", "slug": f"fuzz-{tag}", "niche": "pet grooming",
                                 "launch": False},
             token=account["access_token"])
print(account["access_token"])
print(store["id"])
print(uuid.uuid4())
PY
)"
token="$(sed -n 1p <<< "$signup")"
store_id="$(sed -n 2p <<< "$signup")"
no_store="$(sed -n 3p <<< "$signup")"

# Refusals the document states (400, 413, 422) are what positive data must never get; conflicts,
# missing resources and rate limits depend on state, not on the request's shape.
# Every store path names the run's store, so requests reach the handlers instead of a 404; the
# operations that would take the store away (delete, suspend) get an id of no store (the plan
# allows one store), so they answer 404.
cat > "$work/schemathesis.toml" <<TOML
# The checks are chosen here rather than with --checks, which would override the per-operation
# choice below.
[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_headers_conformance.enabled = true
response_schema_conformance.enabled = true
positive_data_acceptance.enabled = true
positive_data_acceptance.expected-statuses = ["2XX", "401", "403", "404", "409", "429", "503"]

[parameters]
"path.store_id" = "$store_id"

# The stateful phase follows the document's own links. Inferring more from Location headers and
# from URLs in answers is off: the one Location the API sends (a new store) never comes up here,
# as the plan allows one store, and schemathesis 4.32.5's scan of answers for URLs stops the whole
# run with "Invalid IPv6 URL" when a field the fuzzer stored reads like "http://[…".
[phases.stateful.inference]
algorithms = ["dependency-analysis"]

[[operations]]
include-name = "DELETE /v1/stores/{store_id}"
parameters = { "path.store_id" = "$no_store" }

[[operations]]
include-name = "POST /v1/stores/{store_id}/suspend"
parameters = { "path.store_id" = "$no_store" }

# Rules across fields, parameters or list items, or between a field and what is stored, cannot be
# written in JSON Schema; the document states them in words and the handlers answer 422
# (invalid_combination) when they are broken, so valid-looking data may meet a 422 here, and only
# here: these operations expect it besides the statuses above, and still fail on any 400 or 413.
#   analytics: from not after to, at most 366 days before it (before today when to is left out)
[[operations]]
include-name = "GET /v1/stores/{store_id}/analytics"
checks.positive_data_acceptance.expected-statuses = ["2XX", "401", "403", "404", "409", "422", "429", "503"]

#   store settings: watch_threshold at most import_threshold (the one sent, or the store's)
[[operations]]
include-name = "PATCH /v1/stores/{store_id}"
checks.positive_data_acceptance.expected-statuses = ["2XX", "401", "403", "404", "409", "422", "429", "503"]

#   products: compare_at_minor above price_minor (or the stored one), variant titles distinct,
#   a variant's compare_at_minor above its price; bulk changes against each stored product
[[operations]]
include-name-regex = "^(POST|PATCH) /v1/stores/[{]store_id[}]/products(/[{]product_id[}])?$"
checks.positive_data_acceptance.expected-statuses = ["2XX", "401", "403", "404", "409", "422", "429", "503"]

#   email flows: the steps the path's flow has, each once, delays in order with the defaults
[[operations]]
include-name = "PATCH /v1/stores/{store_id}/email/flows/{flow}"
checks.positive_data_acceptance.expected-statuses = ["2XX", "401", "403", "404", "409", "422", "429", "503"]

#   pages and posts: body_html keeps some content once the HTML allow-list has removed what it
#   does not keep (a lone "<!x" is a comment to an HTML parser)
[[operations]]
include-name-regex = "^(POST /v1/stores/[{]store_id[}]/posts|PATCH /v1/stores/[{]store_id[}]/(posts/[{]post_id[}]|pages/[{]slug[}]))$"
checks.positive_data_acceptance.expected-statuses = ["2XX", "401", "403", "404", "409", "422", "429", "503"]

# These take a one-time token from a mail: any token the fuzzer can make is unknown, and the
# document says so (400 invalid_token). Their other answers are still checked.
[[operations]]
include-name-regex = "^(GET /v1/auth/verify-email|POST /v1/auth/password-reset/confirm|POST /v1/invitations/accept)$"
checks.positive_data_acceptance.enabled = false
TOML

echo "api_fuzz: schema $schema, seed $seed, at most ${max_time}s and $max_examples examples an operation" >&2
set +e
# Schemathesis keeps its replay files in the working directory: the temporary one, not the clone.
cd "$work"
"$st" --config-file "$work/schemathesis.toml" --no-color run "$schema" \
  --url "$edge" \
  --header "Authorization: Bearer $token" \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$max_examples" --max-time "$max_time" --seed "$seed" \
  --workers 2 --request-timeout 15 --max-redirects 0 \
  --generation-database none --suppress-health-check all \
  --report junit --report-dir "$report_dir" \
  --exclude-path /v1/auth/logout \
  --exclude-path /v1/auth/signup \
  --exclude-path /v1/auth/login \
  --exclude-path /v1/auth/password-reset \
  --exclude-path /v1/auth/verify-email/resend \
  --exclude-path /v1/gdpr/erasure \
  --exclude-path /v1/billing/webhook \
  --exclude-path /v1/webhooks/resend \
  --exclude-path /v1/webhooks/sendgrid \
  --exclude-path /v1/webhooks/stripe-connect \
  --exclude-path '/v1/public/stores/{store}/subscribe' \
  --exclude-path '/v1/stores/{store_id}/products/from-urls' \
  --exclude-name 'DELETE /v1/auth/sessions/{session_id}' \
  2>&1
status=$?
set -e
echo "api_fuzz: merchant store $store_id; schemathesis exited $status" >&2
exit "$status"
