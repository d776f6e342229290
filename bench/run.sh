#!/usr/bin/env bash
# Runs every benchmark: each bench/*.sh script gets the build dir as $1 and prints its figures
# as ratios against a baseline measured in the same run.
set -uo pipefail
build=${1:-build}
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
status=0
for script in "$here"/bench_*.sh; do
    [ -e "$script" ] || continue
    echo "== $(basename "$script")"
    bash "$script" "$build" || { echo "!! $(basename "$script") failed"; status=1; }
done
exit $status
