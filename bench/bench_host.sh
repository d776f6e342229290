#!/usr/bin/env bash
# Host agent benchmark: listing a 10 000-entry directory through a real capsule-local.
set -euo pipefail
build=$1
CAPSULE_LOCAL_BIN="$build/src/local/capsule-local" "$build/bench/bench_host"
