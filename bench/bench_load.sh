#!/usr/bin/env bash
# Load (issue 10): 100 concurrent clients on 20 runner slots for 60 s against capsule-local; the
# figures (operations, failures, bytes verified, p50/p99 latency, peak RSS) are the last lines.
# CAPSULE_LOAD_CLIENTS / _RUNNERS / _SECONDS / _SEED override the mix. $1 = build dir.
set -euo pipefail
build=${1:?build dir}
export CAPSULE_LOCAL_BIN="$build/src/local/capsule-local"
exec "$build/bench/bench_load"
