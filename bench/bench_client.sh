#!/usr/bin/env bash
# Client benchmarks (exec, PTY, transfers vs curl, small-file folders) against a real capsule-local.
# $1 = build dir. BENCH_SIZE_MB (default 1024), BENCH_ROUNDS (default 3, medians are reported)
# and BENCH_SMALL_FILES (default 2000) scale it.
set -euo pipefail
build=${1:-build}
cmake --build "$build" --target bench_client capsule-local capsule >/dev/null
exec "$build/bench/bench_client" "$build"
