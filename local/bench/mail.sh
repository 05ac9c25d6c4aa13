#!/usr/bin/env bash
# Runs local/bench/mail.py against an email function of its own, without the local stack (and so
# without its lock): moto, maildev and `cargo lambda watch` (the email function, as the stack
# builds and serves it) on free loopback ports, each in a process group of its own that is
# stopped when the bench ends.
#
#   local/bench/mail.sh [N]      N mails (default 300), as mail.py takes them
# MAIL_BENCH_LOG sets the function's RUST_LOG (default warn); MAIL_BENCH_LOGS=<dir> keeps the
# services' logs there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. local/env.sh

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
moto_port=$(free_port) smtp_port=$(free_port) web_port=$(free_port) lambda_port=$(free_port)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -- "-$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  if [ -n "${MAIL_BENCH_LOGS:-}" ]; then mkdir -p "$MAIL_BENCH_LOGS" && cp "$work"/*.log "$MAIL_BENCH_LOGS"/; fi
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() { # url
  for _ in $(seq 1 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "mail.sh: $1 did not answer" >&2
  return 1
}

setsid moto_server -H 127.0.0.1 -p "$moto_port" > "$work/moto.log" 2>&1 &
pids+=($!)
setsid maildev --ip 127.0.0.1 --web-ip 127.0.0.1 -s "$smtp_port" -w "$web_port" > "$work/maildev.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$moto_port/moto-api/"
wait_for "http://127.0.0.1:$web_port/api/email"

export AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
python3 - << 'PY'
import boto3
boto3.client("dynamodb").create_table(
    TableName="pipeline",
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)
PY

cat > "$work/functions.env" << ENV
TABLE_NAME=pipeline
AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=local
AWS_SECRET_ACCESS_KEY=local
EMAIL_PROVIDER=smtp
SMTP_HOST=127.0.0.1
SMTP_PORT=$smtp_port
EMAIL_FROM="Dropship <no-reply@dropship.localhost>"
IDEMPOTENCY_LEASE_SECS=4
DROPSHIP_LOCAL=1
RUST_LOG=${MAIL_BENCH_LOG:-warn}
ENV
setsid cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$lambda_port" --env-file "$work/functions.env" \
  --ignore-changes > "$work/lambda.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$lambda_port/"

cpu() { # the CPU time (user + system, in clock ticks) of each process group started here
  for pid in "${pids[@]}"; do
    ps -o pid=,comm= -g "$pid" | while read -r child name; do
      echo "$name $(awk '{print $14 + $15}' "/proc/$child/stat" 2> /dev/null || echo 0)"
    done
  done
}
before=$(cpu)
MAIL_BENCH_LAMBDA="http://127.0.0.1:$lambda_port" MAIL_BENCH_MAILDEV="http://127.0.0.1:$web_port" \
  python3 local/bench/mail.py "${1:-300}"
# Where the CPU went during the bench (both rounds), per process, in seconds.
echo "CPU time during the bench:"
{ echo "$before" | sed 's/^/- /'; cpu; } | awk -v hz="$(getconf CLK_TCK)" '
  $1 == "-" { start[$2] += $3; next } { end[$1] += $2 }
  END { for (name in end) if (end[name] - start[name] > 0) printf "  %-16s %6.2f s\n", name, (end[name] - start[name]) / hz }'
