#!/usr/bin/env bash
# Fails (and prints them) when make test-asan left any AddressSanitizer/UBSan/LeakSanitizer report
# in the reports folder; children whose exit code a test ignores (capsule-local) report here too.
set -uo pipefail
dir=${1:?usage: sanitizer-reports.sh DIR}
shopt -s nullglob
reports=("$dir"/*)
if [ ${#reports[@]} -eq 0 ]; then
    echo "sanitizers: no report"
    exit 0
fi
for r in "${reports[@]}"; do
    echo "===== $r"
    cat "$r"
done
echo "sanitizers: ${#reports[@]} report(s) in $dir" >&2
exit 1
