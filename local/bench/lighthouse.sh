#!/usr/bin/env bash
# Lighthouse on a store of the running local stack (local/up.sh --detach): seeds its own store with
# product photos in the media bucket (served by the storefront at /media/), audits its home page,
# a collection page and a product page with the mobile and desktop presets, prints the four
# category scores per page and exits non-zero when one is under target (SEO 100, Accessibility,
# Best Practices, Performance >= 95). See lighthouse_audit.py beside this file for the details.
# Bounded: 6 Lighthouse runs (~15 s each; --runs 3 takes the median of three), loopback only.
#
#   local/bench/lighthouse.sh                    both presets, one run each
#   local/bench/lighthouse.sh --runs 3           the median of three runs each (steadier)
#   local/bench/lighthouse.sh --presets mobile   mobile only (Lighthouse's default)
#   local/bench/lighthouse.sh --search           the search results page too
#   local/bench/lighthouse.sh --storefront http://127.0.0.1:8789   another storefront Worker
#   local/bench/lighthouse.sh --dashboard [--requests 20]   the merchants' dashboard instead: signs a
#       merchant up, launches a store, then audits each page signed in (Accessibility and Best
#       Practices, target 100), with its gzipped HTML/CSS/script bytes and p50 server time
#       (dashboard_lighthouse.py beside this file)
#
# Installs what it needs first, skipped when present (local/bench/browser_tools.sh): lighthouse
# (pinned, npm) in $DROPSHIP_TOOLS/lighthouse and Debian's chromium.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. local/env.sh
. local/bench/browser_tools.sh

if [[ "${1:-}" == "--dashboard" ]]; then
  shift
  exec python3 local/bench/dashboard_lighthouse.py --lighthouse "$lighthouse" --chrome "$chrome" "$@"
fi
exec python3 local/bench/lighthouse_audit.py --lighthouse "$lighthouse" --chrome "$chrome" "$@"
