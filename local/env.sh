# Sourced by every local script: where tools and build output live, and the PATH to reach them.
# Kept outside the clone so fresh clones on the same machine (CI's too) reuse earlier work.
export DROPSHIP_HOME="${DROPSHIP_HOME:-$HOME/.cache/dropship}"
export DROPSHIP_TOOLS="${DROPSHIP_TOOLS:-$DROPSHIP_HOME/tools}"
# One build cache for every checkout. Cargo names workspace crates by their relative path, so two
# checkouts share artifacts and judge them by file times: a fresh clone (all files new) rebuilds
# its crates, but a checkout whose edits are older than another checkout's last build can be handed
# that build. After building another checkout, `touch` what you changed (or set CARGO_TARGET_DIR).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$DROPSHIP_HOME/target}"
# The running stack's state: persisted D1/KV, generated config, logs, pids. The tests use their own
# (local/test.sh), so they start from nothing and never touch the demo data.
export DROPSHIP_STATE="${DROPSHIP_STATE:-$DROPSHIP_HOME/state}"
export PATH="$DROPSHIP_TOOLS/bin:$DROPSHIP_TOOLS/npm/node_modules/.bin:$DROPSHIP_TOOLS/venv/bin:$PATH"
export WASM_BINDGEN_BIN="$DROPSHIP_TOOLS/bin/wasm-bindgen"
export WASM_OPT_BIN="$DROPSHIP_TOOLS/npm/node_modules/.bin/wasm-opt"
