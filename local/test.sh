#!/usr/bin/env bash
# Runs every test: formatting, lints (host and wasm32), unit tests, the Terraform checks that work
# offline, then the end-to-end tests against the whole stack started locally, the reliability
# suite (duplicates, poison and load; after the rest, alone), the API fuzzer
# (local/checks/api_fuzz.sh) and the shop's budgets (local/checks/storefront_looks.sh: weights,
# screenshots and Lighthouse) against the same stack. Installs what it needs first (pinned, skipped
# when present).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. local/env.sh
step() { printf '\n\033[1;35m== %s\033[0m\n' "$*" >&2; }

local/tools.sh

# `local/test.sh e2e [name filter]`: only the end-to-end tests (and the API fuzzer, unless filtered),
# for a quicker loop while working.
if [[ "${1:-}" != "e2e" ]]; then
step "format"
cargo fmt --all -- --check

step "clippy (host)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "clippy (wasm32: the Workers and every crate they use)"
cargo clippy --target wasm32-unknown-unknown --quiet \
  -p domain -p queues -p tenancy -p html -p sigv4 -p edge -p storefront-worker -p dashboard -- -D warnings

step "unit tests"
cargo test --workspace --quiet

step "terraform"
if command -v terraform > /dev/null; then
  terraform fmt -check -recursive infra/terraform
else
  echo "terraform is not installed; skipping terraform fmt (the policy tests below still parse the HCL)"
fi
"$DROPSHIP_TOOLS/venv/bin/python" -m unittest discover -s infra/terraform/tests

step "fixture servers (their wire formats and queries)"
"$DROPSHIP_TOOLS/venv/bin/python" -m unittest discover -s local/fixtures -p 'test_*.py'

fi

step "local stack"
# One stack per machine (fixed ports): clones and worktrees on the same machine take turns.
exec 9> "$DROPSHIP_HOME/stack.lock"
flock 9
# A stack of its own, from empty state: stop a developer's stack on the same ports first.
local/down.sh --quiet
export DROPSHIP_STATE="$DROPSHIP_HOME/test-state"
# And a test stack left running by a run that was killed: its process records are in the state
# about to be wiped, and its servers would hold the ports.
local/down.sh --quiet
rm -rf "$DROPSHIP_STATE"
trap 'local/down.sh --quiet' EXIT
# Schedules stay quiet during the tests: a research tick would start runs in every test's store
# (each is new, so due) and change what the tests count. Tests that cover a schedule invoke its
# function themselves, as the scheduler would.
export DROPSHIP_SCHEDULE_FIRST_DELAY=86400
local/up.sh --detach
step "Worker sizes"
local/checks/wasm_size.sh
step "end-to-end tests"
set -a
. "$DROPSHIP_HOME/local-secrets.env"
. "$DROPSHIP_STATE/aws.env"
set +a
export EDGE_PORT=8787 STOREFRONT_PORT=8788 DASHBOARD_PORT=8789
export AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
started=$(date +%s)
if [[ -z "${2:-}" ]]; then
  # The schedules' test first and alone: on its compressed clock every store never researched is
  # due, and the other tests' stores must not get runs they do not expect.
  cargo test -p devstack --test e2e -- --ignored --nocapture --test-threads 1 schedules::
  cargo test -p devstack --test e2e -- --ignored --nocapture --test-threads 4 --skip schedules:: --skip reliability::
  echo "end-to-end wall time: $(( $(date +%s) - started )) s"
  step "reliability suite (a thousand messages with duplicates and poison; the shop under 32 connections)"
  # Alone, after the rest: its load would slow the other tests. It prints its figures.
  started=$(date +%s)
  cargo test -p devstack --test e2e -- --ignored --nocapture --test-threads 1 reliability::
  echo "reliability suite wall time: $(( $(date +%s) - started )) s"
else
  cargo test -p devstack --test e2e -- --ignored --nocapture --test-threads 4 "$2"
  echo "end-to-end wall time: $(( $(date +%s) - started )) s"
fi

# Skipped when the end-to-end tests are filtered (a quick loop on some of them).
if [[ -z "${2:-}" ]]; then
step "API fuzzing (schemathesis, every phase including stateful, against the same stack)"
# Any server error, nonconforming answer or refusal of data the document allows fails the run.
# The seed is printed; replay a failure with API_FUZZ_SEED=<seed> local/checks/api_fuzz.sh against
# a stack started with local/up.sh --detach.
started=$(date +%s)
API_FUZZ_MAX_TIME="${API_FUZZ_MAX_TIME:-200}" local/checks/api_fuzz.sh
echo "API fuzzing wall time: $(( $(date +%s) - started )) s"

step "shop budgets (every theme and page kind: weight, screenshots against the references, Lighthouse)"
started=$(date +%s)
local/checks/storefront_looks.sh
echo "shop looks wall time: $(( $(date +%s) - started )) s"
fi
