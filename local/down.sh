#!/usr/bin/env bash
# Stops every process local/up.sh started.
set -uo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"
pids="$DROPSHIP_STATE/pids"
[ -f "$pids" ] || exit 0
while read -r pid name; do
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    [ "${1:-}" = "--quiet" ] || echo "stopped $name" >&2
  fi
done < "$pids"
sleep 1
while read -r pid _; do kill -KILL -- "-$pid" 2>/dev/null; done < "$pids"
: > "$pids"
