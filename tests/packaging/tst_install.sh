#!/usr/bin/env bash
# Installs the build tree into a temporary prefix (cmake --install) and checks what a package
# ships: the three programs start with --version, the desktop file and AppStream metainfo
# validate, the man pages render without warnings, the completion scripts load and complete.
# Usage: tst_install.sh BUILD_DIR VERSION
set -uo pipefail
build=$1 version=$2
prefix=$(mktemp -d /tmp/tst_install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "PASS: $*"; }

if ! cmake --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1; then
    cat "$prefix.log"; rm -f "$prefix.log"; echo "FAIL: cmake --install"; exit 1
fi
rm -f "$prefix.log"

for f in bin/capsule bin/capsule-local bin/capsule-desktop \
    share/applications/io.capsule.Desktop.desktop share/metainfo/io.capsule.Desktop.metainfo.xml \
    share/icons/hicolor/scalable/apps/io.capsule.Desktop.svg \
    share/bash-completion/completions/capsule share/zsh/vendor-completions/_capsule \
    share/man/man1/capsule.1.gz share/man/man1/capsule-local.1.gz \
    share/man/man1/capsule-desktop.1.gz share/doc/capsule-desktop/copyright \
    share/doc/capsule-desktop/changelog.gz; do
    [ -e "$prefix/$f" ] && pass "installed $f" || fail "missing $f"
done
for size in 16 22 24 32 48 64 128 256 512; do
    png=$prefix/share/icons/hicolor/${size}x${size}/apps/io.capsule.Desktop.png
    if file "$png" 2>/dev/null | grep -q "PNG image data, $size x $size"; then
        pass "icon ${size}px"
    else
        fail "icon ${size}px: $(file "$png" 2>&1)"
    fi
done

# --version: no display needed, first line names the program and the project's version.
for prog in capsule capsule-local capsule-desktop; do
    out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$prefix/bin/$prog" --version 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && [ "$(head -1 <<<"$out")" = "$prog $version" ] &&
        grep -q '^Qt 6\.' <<<"$out" && grep -q '^libvterm ' <<<"$out" &&
        grep -q '^yaml-cpp ' <<<"$out"; then
        pass "$prog --version"
    else
        fail "$prog --version (rc $rc): $out"
    fi
done

if out=$(desktop-file-validate "$prefix/share/applications/io.capsule.Desktop.desktop" 2>&1) &&
    [ -z "$out" ]; then
    pass "desktop-file-validate"
else
    fail "desktop-file-validate: $out"
fi
if out=$(appstreamcli validate --no-net --pedantic \
    "$prefix/share/metainfo/io.capsule.Desktop.metainfo.xml" 2>&1); then
    pass "appstreamcli validate"
else
    fail "appstreamcli validate: $out"
fi

# Man pages: render with groff warnings on; any warning or an empty page fails.
for page in capsule capsule-local capsule-desktop; do
    file=$prefix/share/man/man1/$page.1.gz
    text=$(MANWIDTH=80 man -l "$file" 2>"$prefix/man.err")
    warnings=$(zcat "$file" | groff -man -Tutf8 -ww -z 2>&1)
    if [ -n "$text" ] && ! [ -s "$prefix/man.err" ] && [ -z "$warnings" ] &&
        grep -q "^NAME" <<<"$text" && grep -qi "$page" <<<"$text"; then
        pass "man $page"
    else
        fail "man $page: $(cat "$prefix/man.err") $warnings"
    fi
done
if MANWIDTH=80 man -l "$prefix/share/man/man1/capsule.1.gz" 2>/dev/null | grep -q "exec"; then
    pass "capsule.1 lists the commands"
else
    fail "capsule.1 does not list the exec command"
fi

# bash completion: commands, option values, per-command options.
complete_bash() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _capsule;
             echo "${COMPREPLY[*]}"' _ "$prefix/share/bash-completion/completions/capsule" "$@"
}
[ "$(complete_bash capsule wor)" = "workloads workload-key" ] && pass "bash: commands" ||
    fail "bash: commands: $(complete_bash capsule wor)"
[ "$(complete_bash capsule --output j)" = "json" ] && pass "bash: option values" ||
    fail "bash: option values: $(complete_bash capsule --output j)"
grep -qw -- "--cwd" <<<"$(complete_bash capsule exec --)" && pass "bash: command options" ||
    fail "bash: command options: $(complete_bash capsule exec --)"

# zsh completion: parses, and registers _capsule for capsule once loaded.
zfile=$prefix/share/zsh/vendor-completions/_capsule
if command -v zsh >/dev/null; then
    if zsh -n "$zfile" && [ "$(zsh -fc "autoload -U compinit; compinit -u -d $prefix/zcd;
            source $zfile; print \${_comps[capsule]}")" = "_capsule" ]; then
        pass "zsh completion"
    else
        fail "zsh completion does not load"
    fi
else
    fail "zsh is not installed (scripts/deps.sh installs it)"
fi

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
