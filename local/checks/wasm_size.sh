#!/usr/bin/env bash
# The Workers' script sizes, as wrangler builds them (`worker-build --release --no-opt`, see each
# wrangler.toml): raw and gzipped bytes of build/index_bg.wasm, against a ceiling per Worker.
# A Worker's script is loaded at every cold start in every location, so growth past the ceiling
# fails the test run. The ceilings sit a little above the sizes measured when they were last set
# (2026-12-07: edge 2,051,695 B raw / 634,246 B gzipped; storefront 728,317 / 266,840; dashboard
# 485,597 / 173,280, no goal of its own yet); lower
# them as the Workers shrink. The goals are issue 15's: edge under 1 MB raw and 350 KB gzipped,
# storefront under 600 KB and 220 KB.
# Run after a build (local/up.sh or local/test.sh builds both); `--build` builds them first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/local/env.sh"

#        worker             raw ceiling  gz ceiling  raw goal   gz goal
budgets=("edge              2100000      650000      1000000    350000"
         "storefront-worker 750000       275000      600000     220000"
         "dashboard         520000       185000      520000     185000")

failed=0
for line in "${budgets[@]}"; do
  read -r worker raw_max gz_max raw_goal gz_goal <<< "$line"
  if [[ "${1:-}" == "--build" ]]; then
    (cd "$root/$worker" && worker-build --release --no-opt > /dev/null)
  fi
  wasm="$root/$worker/build/index_bg.wasm"
  [ -f "$wasm" ] || { echo "wasm_size: $wasm is missing; build first (--build)" >&2; exit 2; }
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9c "$wasm" | wc -c)
  verdict=ok
  if (( raw > raw_max || gz > gz_max )); then verdict="OVER the ceiling"; failed=1; fi
  printf '%-18s raw %9d B (ceiling %9d, goal %9d)   gzipped %8d B (ceiling %8d, goal %8d)   %s\n' \
    "$worker" "$raw" "$raw_max" "$raw_goal" "$gz" "$gz_max" "$gz_goal" "$verdict"
done
exit "$failed"
