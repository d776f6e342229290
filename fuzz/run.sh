#!/usr/bin/env bash
# make fuzz: runs every libFuzzer target of BUILD_DIR for SECONDS each (or only the TARGETS named)
# on a working copy of its corpus. New interesting inputs stay in BUILD_DIR/corpus/<target>/ (to be
# minimized into fuzz/corpus/ by hand); a crash is kept in fuzz/crashes/<target>/ and fails the run.
# Per target it prints execs/s, coverage (cov/ft) and the corpus size as libFuzzer reports them.
set -uo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS [TARGETS...]}
seconds=${2:-60}
shift 2 || true
src=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(sed -n 's/^ *\(fuzz_[a-z_]*\) .*/\1/p' "$src/targets.cmake")
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export QT_QPA_PLATFORM=offscreen
failed=()
for t in "${targets[@]}"; do
    bin="$build/fuzz/$t"
    [ -x "$bin" ] || { echo "fuzz: $bin is not built" >&2; failed+=("$t"); continue; }
    work="$build/corpus/$t"
    crashes="$src/crashes/$t"
    mkdir -p "$work" "$crashes"
    log="$build/fuzz-$t.log"
    echo "fuzz: $t for ${seconds}s (log $log)"
    # The first folder receives new inputs; the seeds and regressions are read from the second.
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "$src/corpus/$t" >"$log" 2>&1
    rc=$?
    grep -E '^#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb' "$log" |
        sed "s/^/  $t: /"
    if [ $rc -ne 0 ]; then
        echo "fuzz: $t FAILED (exit $rc); crash input in $crashes/, report:" >&2
        grep -m1 -A30 -E 'ERROR: |runtime error|fuzz check failed|deadly signal' "$log" >&2
        failed+=("$t")
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: ${#targets[@]} target(s), no crash"
