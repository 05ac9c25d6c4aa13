#!/usr/bin/env bash
# Research benchmarks (loopback only, bounded):
#   local/bench/research.sh native [N]   candidates merged, de-duplicated and scored per second
#                                        (N, default 100,000), natively, with the research and
#                                        domain crates optimised (opt-level 3; their dependencies
#                                        stay as the dev profile built them, which the measured
#                                        path does not enter). Prints the wall time, the time on a
#                                        core (the cores here are shared) and a digest of the
#                                        ranked output, which a faster algorithm must not change.
#   local/bench/research.sh stack        one store's research-to-published run on the local stack
#                                        with the fixture sources: wall time (the e2e test prints
#                                        it) and the research function's peak memory (VmHWM of its
#                                        process under cargo lambda watch). Starts its own stack
#                                        from empty state under the stack lock, and stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. local/env.sh

case "${1:-native}" in
native)
  cargo run --quiet -p research --example research_bench \
    --config 'profile.dev.package.research.opt-level=3' --config 'profile.dev.package.domain.opt-level=3' \
    -- "${2:-100000}"
  ;;
stack)
  exec 9> "$DROPSHIP_HOME/stack.lock"
  flock 9
  export DROPSHIP_STATE="$DROPSHIP_HOME/bench-state"
  rm -rf "$DROPSHIP_STATE"
  trap 'local/down.sh --quiet' EXIT
  local/up.sh --detach > /dev/null
  set -a
  . "$DROPSHIP_HOME/local-secrets.env"
  . "$DROPSHIP_STATE/aws.env"
  set +a
  export EDGE_PORT=8787 STOREFRONT_PORT=8788
  export AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
  # The demo store's first run may still be going: let it finish so that the measured run is alone.
  sleep 20
  cargo test --quiet -p devstack --test e2e a_run_imports_watches_reports_and_mails -- --ignored --nocapture 2>&1 \
    | grep -E "wall time|test result" || true
  # The research binary cargo lambda watch runs (one process per function, kept warm).
  for pid in $(pgrep -f "$CARGO_TARGET_DIR/debug/research\$" || true); do
    echo "research function (pid $pid) peak memory: $(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")"
  done
  ;;
*)
  echo "usage: $0 native [N] | stack" >&2
  exit 2
  ;;
esac
