#!/usr/bin/env bash
# Files listing: time from a 10 000-entry reply to the painted view (target < 300 ms), measured by
# tst_fileslisting against a real capsule-local.
set -uo pipefail
build=${1:-build}
bin="$build/tests/app/tst_fileslisting"
[ -x "$bin" ] || { echo "missing $bin (build it: ninja -C $build tst_fileslisting)"; exit 1; }
QT_QPA_PLATFORM=offscreen CAPSULE_LOCAL_BIN="$build/src/local/capsule-local" \
    "$bin" tenThousandEntriesPaintFast 2>&1 | grep -E "10000 entries|PASS|FAIL"
