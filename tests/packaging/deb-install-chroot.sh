#!/usr/bin/env bash
# Installs the .deb from `make package` on a fresh Debian 12 root and starts the programs there:
# debootstrap bookworm (minbase) into a temporary folder, `apt install ./capsule-desktop_*.deb`
# inside (chroot, /proc mounted), then capsule, capsule-local and capsule-desktop --version, and
# capsule-local started for a moment with `capsule version` asking its GET /health.
# Also checks that the package's Depends name the Qt SQLite driver and bubblewrap.
# Not part of ctest: it downloads a Debian root (about 150 MB with the Qt dependencies).
# Usage: deb-install-chroot.sh [PATH/capsule-desktop_*.deb]   (default: build-pkg/*.deb); root.
# DEBIAN_MIRROR overrides the mirror (default http://deb.debian.org/debian).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
deb=${1:-$(ls "$here"/build-pkg/capsule-desktop_*.deb 2>/dev/null | head -1)}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "FAIL: no .deb (run make package first)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL: debootstrap and chroot need root"; exit 1; }
command -v debootstrap >/dev/null || { echo "FAIL: debootstrap is not installed"; exit 1; }

# The Depends the package must carry (issue 17): the SQLite driver, bubblewrap, the SVG plugins.
bash "$here/tests/packaging/check-deb-depends.sh" "$deb" || exit 1

root=$(mktemp -d /tmp/capsule-deb-root.XXXXXX)
cleanup() {
    if [ -n "${server_pid:-}" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    umount "$root/proc" 2>/dev/null || true
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT

echo "== debootstrap bookworm (minbase) into $root from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
    { tail -20 "$root.log"; rm -f "$root.log"; echo "FAIL: debootstrap"; exit 1; }
rm -f "$root.log"
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
name=$(basename "$deb")

echo "== apt install ./$name"
in_root() {
    chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}
in_root apt-get update -q >/dev/null
in_root apt-get install -y -q --no-install-recommends "/tmp/$name" >"$root/tmp/apt.log" 2>&1 ||
    { tail -30 "$root/tmp/apt.log"; echo "FAIL: apt install"; exit 1; }
echo "PASS: apt install ./$name"

for prog in capsule capsule-local capsule-desktop; do
    out=$(in_root env QT_QPA_PLATFORM=offscreen "$prog" --version)
    head -1 <<<"$out" | grep -q "^$prog " || { echo "FAIL: $prog --version: $out"; exit 1; }
    echo "PASS: $(head -1 <<<"$out")"
done

echo "== capsule-local in the root"
# chroot and env exec, so $! is capsule-local itself (a function run with & would be a subshell
# and killing it would leave the server running).
chroot "$root" env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
    capsule-local --port 0 --data-dir /tmp/capsule-data >"$root/tmp/local.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
    grep -q '"event":"ready"' "$root/tmp/local.out" && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 1
done
ready=$(grep -m1 '"event":"ready"' "$root/tmp/local.out") ||
    { cat "$root/tmp/local.out"; echo "FAIL: capsule-local did not report ready"; exit 1; }
url=$(sed -E 's/.*"base_url":"([^"]+)".*/\1/' <<<"$ready")
token=$(sed -E 's/.*"token":"([^"]*)".*/\1/' <<<"$ready")
out=$(in_root env CAPSULE_BASE_URL="$url" CAPSULE_TOKEN="$token" capsule version)
grep -q 'health: OK' <<<"$out" || { echo "$out"; echo "FAIL: no health answer from $url"; exit 1; }
grep -q 'software: capsule-local/' <<<"$out" || { echo "$out"; echo "FAIL: server version"; exit 1; }
echo "PASS: capsule-local answered GET /health at $url ($(grep software: <<<"$out" | xargs))"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
echo "PASS: the .deb installs and runs on a fresh Debian 12 root"
