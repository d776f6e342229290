#!/usr/bin/env bash
# capsule-local responsiveness: PTY echo latency p50/p99 on one runner while 20 others are
# allocated at once (target p99 < 50 ms), against the same figure on an idle server.
set -euo pipefail
build=$1
CAPSULE_LOCAL_BIN="$build/src/local/capsule-local" "$build/bench/bench_local_latency"
