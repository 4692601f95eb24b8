#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# The prebuilt C libraries of the Rust crate: rust/rtheap/prebuilt/<target>/librtheap.a,
# one per Cortex-M target of rust/rtheap/build.rs (its table TARGETS), which the crate
# links when its user has no C compiler at all.
#
# Usage: tools/prebuilt.sh           rebuild them from src/ (commit the result)
#        tools/prebuilt.sh --check   rebuild them in a temporary folder and compare them
#                                    byte for byte with the committed ones (CI); exit 1 on
#                                    any difference, naming the archive
#
# They are made by the crate's own build.rs, compiled here as a host program and run
# with the variables cargo would give it for `opt-level = "s"`, `debug = false`, the
# default configuration and arm-none-eabi-gcc: the same flags as a user's build with
# gcc, so the two cannot drift apart. -Os because the archives serve users without a C
# compiler, who cannot rebuild them for speed, and flash is what a Cortex-M0 part runs
# out of first: -Os is about half the code of -O2 and within a few per cent of its
# instruction counts (docs/performance.md). No debug information: smaller, and free of
# the build machine's paths. The archive is written by build.rs itself (sorted members,
# no dates, owners or modes), and the objects hold no path without -g, so the bytes do
# not depend on where or when they are built.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
mode=write
if [ "${1:-}" = --check ]; then
    mode=check
fi
crate=$root/rust/rtheap
rustc=${RTHEAP_RUSTC:-/usr/bin/rustc}
[ -x "$rustc" ] || rustc=rustc
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtheap-prebuilt.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

targets=$(sed -n 's/^ *("\(thumb[^"]*\)", "cortex-[^"]*"),$/\1/p' "$crate/build.rs")
if [ -z "$targets" ]; then
    echo "prebuilt.sh: no targets found in $crate/build.rs (table TARGETS)" >&2
    exit 1
fi
if ! command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    echo "prebuilt.sh: arm-none-eabi-gcc not found (Debian: gcc-arm-none-eabi)" >&2
    exit 1
fi
host=$("$rustc" -vV | sed -n 's/^host: //p')
if ! "$rustc" --edition 2021 --crate-name build_script_build --crate-type bin \
        -o "$tmp/build-script" "$crate/build.rs" 2>"$tmp/rustc.log"; then
    cat "$tmp/rustc.log" >&2
    echo "prebuilt.sh: cannot compile $crate/build.rs" >&2
    exit 1
fi

passed=0
failed=0
for t in $targets; do
    out=$tmp/$t
    mkdir -p "$out"
    # Only what cargo sets, and the compiler by name; nothing of the caller's
    # environment (CFLAGS, RTHEAP_*) may reach the archives.
    if ! env -i PATH="$PATH" TARGET="$t" HOST="$host" OUT_DIR="$out" \
            CARGO_MANIFEST_DIR="$crate" OPT_LEVEL=s DEBUG=false PROFILE=release \
            RTHEAP_CC=arm-none-eabi-gcc "$tmp/build-script" >"$out/stdout" 2>"$out/stderr"; then
        cat "$out/stderr" >&2
        echo "prebuilt.sh: $t: the build script failed"
        failed=$((failed + 1))
        continue
    fi
    lib=$out/rtheap/librtheap.a
    dest=$crate/prebuilt/$t/librtheap.a
    if [ "$mode" = write ]; then
        mkdir -p "$(dirname "$dest")"
        cp "$lib" "$dest"
        echo "prebuilt.sh: $t: $(wc -c <"$dest") bytes -> rust/rtheap/prebuilt/$t/librtheap.a"
        passed=$((passed + 1))
    elif [ ! -f "$dest" ]; then
        echo "prebuilt.sh: $t: rust/rtheap/prebuilt/$t/librtheap.a is missing (run tools/prebuilt.sh)"
        failed=$((failed + 1))
    elif cmp -s "$lib" "$dest"; then
        echo "prebuilt.sh: $t: identical ($(wc -c <"$dest") bytes)"
        passed=$((passed + 1))
    else
        echo "prebuilt.sh: $t: rust/rtheap/prebuilt/$t/librtheap.a differs from a build of the" \
            "current sources ($(wc -c <"$lib") bytes built, $(wc -c <"$dest") committed): run" \
            "tools/prebuilt.sh and commit the archives"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
