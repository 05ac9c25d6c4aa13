#!/usr/bin/env bash
# Measures what a login costs inside the edge Worker: the median wall time of N logins (one
# Argon2id verification each) against N token refreshes (no password hash), on the running local
# stack (local/up.sh). The difference is the password hash's time in workerd. Bounded: N requests
# each, loopback only.
set -euo pipefail
n="${1:-9}"
edge="${EDGE_URL:-http://127.0.0.1:8787}"
email="bench-$(date +%s%N)@example.com"
password="bench passphrase $(date +%N)"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
post() { curl -sS -H 'content-type: application/json' -d "$2" "$edge$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

refresh=$(post /v1/auth/signup "{\"email\":\"$email\",\"password\":\"$password\",\"company\":\"Bench\"}" | json refresh_token)
logins=(); refreshes=()
for _ in $(seq "$n"); do
  logins+=("$(curl -sS -o /dev/null -w '%{time_total}' -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$edge/v1/auth/login")")
  out=$(curl -sS -w '\n%{time_total}' -H 'content-type: application/json' -d "{\"refresh_token\":\"$refresh\"}" "$edge/v1/auth/refresh")
  refresh=$(printf '%s' "$out" | head -n 1 | json refresh_token)
  refreshes+=("$(printf '%s' "$out" | tail -n 1)")
done
login_ms=$(printf '%s\n' "${logins[@]}" | median | awk '{printf "%.0f", $1 * 1000}')
refresh_ms=$(printf '%s\n' "${refreshes[@]}" | median | awk '{printf "%.0f", $1 * 1000}')
echo "login median ${login_ms} ms, refresh median ${refresh_ms} ms, over $n each"
echo "Argon2id (m=19 MiB, t=2, p=1) in the Worker: about $((login_ms - refresh_ms)) ms per login"
