#!/usr/bin/env bash
# The shop's looks and budgets on a running local stack: for each theme (classic, bold, minimal)
# and page kind (home, collection, product, cart, search, blog), the page's gzipped weight (HTML
# with its inline CSS, under 30 KB), headless Chromium screenshots at 390 and 1280 px compared with
# the references in storefront-worker/looks/, and Lighthouse on the mobile and desktop presets
# (100 in accessibility, best practices and SEO; performance's run-to-run noise is judged as
# storefront_looks.py says).
#
# local/test.sh runs it last. On a stack of your own, hold the stack lock:
#
#   flock ~/.cache/dropship/stack.lock bash -c 'local/up.sh --detach && local/checks/storefront_looks.sh; local/down.sh --quiet'
#
#   local/checks/storefront_looks.sh --no-lighthouse    weights and screenshots only
#   local/checks/storefront_looks.sh --no-screenshots   weights and Lighthouse only
#   local/checks/storefront_looks.sh --update           accept the new looks as references
#   local/checks/storefront_looks.sh --themes bold      one theme
#
# Installs what it needs first, skipped when present: lighthouse (pinned) and Debian's chromium
# (local/bench/browser_tools.sh), and Pillow and aiohttp (pinned) in a venv of its own for the image
# comparison and the DevTools protocol.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. local/env.sh
log() { printf '\033[1;36m[looks]\033[0m %s\n' "$*" >&2; }

. local/bench/browser_tools.sh

pillow_version=13.0.0
aiohttp_version=3.14.5
venv="$DROPSHIP_TOOLS/looks-venv"
stamp="$venv/.pillow-$pillow_version-aiohttp-$aiohttp_version"
if [ ! -f "$stamp" ]; then
  log "installing Pillow $pillow_version, aiohttp $aiohttp_version and boto3 into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pillow==$pillow_version" \
    "aiohttp==$aiohttp_version" "boto3==1.44.18"
  touch "$stamp"
fi

if [ -f "${DROPSHIP_STATE:-$DROPSHIP_HOME/state}/aws.env" ]; then
  set -a
  . "${DROPSHIP_STATE:-$DROPSHIP_HOME/state}/aws.env"
  set +a
fi
exec "$venv/bin/python" local/checks/storefront_looks.py --lighthouse "$lighthouse" --chrome "$chrome" "$@"
