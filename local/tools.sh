#!/usr/bin/env bash
# Installs every pinned tool the local stack and the tests need, once. Safe to run again:
# each tool is skipped when the pinned version is already present.
#
# Tools live outside the clone (DROPSHIP_HOME, default ~/.cache/dropship) so that a fresh clone
# on the same machine, CI's included, reuses them.
set -euo pipefail

# Pins. The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock.
WORKER_BUILD_VERSION=0.8.7
WASM_BINDGEN_VERSION=0.2.130
WRANGLER_VERSION=4.86.0
BINARYEN_VERSION=132.0.0
MAILDEV_VERSION=3.0.0
CARGO_LAMBDA_VERSION=1.9.2
MOTO_VERSION=5.2.5
# zig is what cargo-lambda cross-compiles release Lambdas with (cargo lambda build --release --arm64).
ZIGLANG_VERSION=0.13.0
# The API fuzzer (local/checks/api_fuzz.sh): property-based and stateful tests from the API's
# OpenAPI document.
SCHEMATHESIS_VERSION=4.32.5
# The storefront's pages are checked by the Nu Html Checker (the W3C's validator: vnu.jar as the
# validator project publishes it on npm; runs on Java 11+) and their structured data by
# structured-data-testing-tool.
VNU_JAR_VERSION=26.9.27
SDTT_VERSION=4.5.0
# Debian's Chromium, for the headless browser test and Lighthouse. Debian replaces security builds,
# so when this one has left the mirror the current build of the same suite is installed instead.
CHROMIUM_VERSION=148.0.7778.167-1~deb12u1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=local/env.sh
. "$root/local/env.sh"

log() { printf '\033[1;34m[tools]\033[0m %s\n' "$*" >&2; }

mkdir -p "$DROPSHIP_TOOLS/bin"

# wrangler 4.86 runs on Node 20 (later wrangler versions need Node 22): check before installing.
node_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)
if [ -z "$node_major" ] || [ "$node_major" -lt 20 ]; then
  echo "wrangler needs Node.js 20 or later on PATH (found: ${node_major:-none})" >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

have_version() { # binary, expected version substring
  [ -x "$DROPSHIP_TOOLS/bin/$1" ] && "$DROPSHIP_TOOLS/bin/$1" --version 2>/dev/null | grep -q "$2"
}

if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 7 minutes on 2 cores)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$DROPSHIP_TOOLS"
fi

if ! have_version worker-build "$WORKER_BUILD_VERSION"; then
  log "installing worker-build $WORKER_BUILD_VERSION (about 14 minutes on 2 cores)"
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --root "$DROPSHIP_TOOLS"
fi

npm_dir="$DROPSHIP_TOOLS/npm"
npm_stamp="$npm_dir/.pins-wrangler-$WRANGLER_VERSION-binaryen-$BINARYEN_VERSION-maildev-$MAILDEV_VERSION"
if [ ! -f "$npm_stamp" ]; then
  log "installing wrangler $WRANGLER_VERSION, binaryen $BINARYEN_VERSION and maildev $MAILDEV_VERSION from npm"
  mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error \
    "wrangler@$WRANGLER_VERSION" "binaryen@$BINARYEN_VERSION" "maildev@$MAILDEV_VERSION"
  touch "$npm_stamp"
fi

venv="$DROPSHIP_TOOLS/venv"
py_stamp="$venv/.pins-cargo-lambda-$CARGO_LAMBDA_VERSION-moto-$MOTO_VERSION-zig-$ZIGLANG_VERSION-claude-0.1.0-dnslib-0.9.26-localstripe-1.15.10-schemathesis-$SCHEMATHESIS_VERSION"
if [ ! -f "$py_stamp" ]; then
  log "installing cargo-lambda $CARGO_LAMBDA_VERSION, moto $MOTO_VERSION and schemathesis $SCHEMATHESIS_VERSION from PyPI"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "cargo-lambda==$CARGO_LAMBDA_VERSION" "moto[server]==$MOTO_VERSION" "python-hcl2==8.1.4" \
    "ziglang==$ZIGLANG_VERSION" "localstack-claude==0.1.0" "dnslib==0.9.26" \
    "localstripe==1.15.10" "schemathesis==$SCHEMATHESIS_VERSION"
  touch "$py_stamp"
fi

if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium $CHROMIUM_VERSION (headless browser test, Lighthouse)"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends "chromium=$CHROMIUM_VERSION" > /dev/null; then
    log "chromium $CHROMIUM_VERSION has left the mirror; installing the suite's current build"
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium > /dev/null
  fi
fi

if ! java -version > /dev/null 2>&1; then
  echo "the HTML checker (vnu.jar) needs Java 11 or later on PATH" >&2
  exit 1
fi
validators="$DROPSHIP_TOOLS/validators"
validators_stamp="$validators/.pins-vnu-jar-$VNU_JAR_VERSION-sdtt-$SDTT_VERSION"
if [ ! -f "$validators_stamp" ]; then
  log "installing the page validators: the Nu Html Checker (vnu-jar $VNU_JAR_VERSION) and structured-data-testing-tool $SDTT_VERSION"
  rm -rf "$validators"
  npm install --prefix "$validators/npm" --no-audit --no-fund --loglevel=error \
    "vnu-jar@$VNU_JAR_VERSION" "structured-data-testing-tool@$SDTT_VERSION"
  touch "$validators_stamp"
fi

log "tools ready in $DROPSHIP_TOOLS"
