#!/usr/bin/env bash
# Terminal throughput: TerminalView (capsule-term-bench) side by side with QTermWidget5 and raw
# libvterm, through the term-peer harness (../shared/term-peer, see its README) when it is there;
# otherwise capsule-term-bench alone on a generated stream (no baseline, absolute MB/s only).
set -euo pipefail
build=$1
bench="$build/bench/capsule-term-bench"
peer=${TERM_PEER_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/shared/term-peer}
[ -d "$peer" ] || peer=/work/shared/term-peer
if [ -f "$peer/run.sh" ]; then
    for size in 80x24 200x50; do
        TERM_SIZE=$size SIZE_MB=${SIZE_MB:-100} TERM_PEER_EXTRA="capsule-term=$bench" \
            bash "$peer/run.sh" 2>/dev/null | sed -n '/^implementation/,/^logs:/p'
    done
    exit 0
fi
echo "term-peer harness not found ($peer): capsule-term-bench alone, no baseline"
stream=$(mktemp)
trap 'rm -f "$stream"' EXIT
python3 - "$stream" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(400000):
        f.write(f"2026-12-05 08:00:00 INFO \x1b[32mline {i}\x1b[0m some log text here\r\n")
    f.write("TERM-PEER-END\r\n")
PY
xvfb-run -a -s "-screen 0 1920x1200x24" "$bench" --runs 3 --size 80x24 "$stream" | tail -n 1
