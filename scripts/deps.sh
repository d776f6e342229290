#!/usr/bin/env bash
# Installs the Debian packages Capsule Desktop needs; does nothing when all are present.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config qt6-base-dev qt6-websockets-dev
    qt6-httpserver-dev qt6-svg-dev libqt6sql6-sqlite qt6-tools-dev qt6-l10n-tools libyaml-cpp-dev
    libvterm-dev qtkeychain-qt6-dev libxcb1-dev xvfb xauth x11-apps xdotool imagemagick
    fonts-dejavu-core bubblewrap
    desktop-file-utils appstream curl libssl-dev passt nftables dbus-daemon dbus-bin
    help2man man-db zsh lintian dpkg-dev file)
# make fuzz (deps.sh --fuzz): clang's libFuzzer runtime (libclang-rt-14-dev, which clang-14 pulls
# in) and the standalone libFuzzer.
if [ "${1:-}" = --fuzz ]; then
    packages+=(clang-14 libclang-rt-14-dev libfuzzer-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
