#!/usr/bin/env bash
# Checks the Depends of the .deb that `make package` built (dpkg-deb -I): the packages whose
# plugins and programs are loaded at run time and that dpkg-shlibdeps cannot see must be there:
# the Qt SQLite driver (the store), bubblewrap (every runner), the SVG plugins (the icons), and
# the Qt libraries the binaries link (from dpkg-shlibdeps).
# Usage: check-deb-depends.sh PATH/capsule-desktop_*.deb
set -uo pipefail
deb=${1:?usage: check-deb-depends.sh DEB}
depends=$(dpkg-deb -f "$deb" Depends) || { echo "FAIL: cannot read $deb"; exit 1; }
echo "Depends: $depends"
failures=0
for need in libqt6sql6-sqlite bubblewrap libqt6svg6 libqt6widgets6 libqt6network6 libvterm0 \
    libyaml-cpp0.7; do
    if grep -Eq "(^|, )$need( |,|$)" <<<"$depends"; then
        echo "PASS: Depends include $need"
    else
        echo "FAIL: Depends lack $need"
        failures=$((failures + 1))
    fi
done
exit $((failures > 0))
