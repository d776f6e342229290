#!/usr/bin/env bash
# capsule-local control plane: allocate-to-ready, exec round trip and 50 concurrent runners,
# each against bare bubblewrap measured in the same run. $1 = build dir.
set -euo pipefail
build=${1:?build dir}
export CAPSULE_LOCAL_BIN="$build/src/local/capsule-local"
exec "$build/bench/bench_cp"
