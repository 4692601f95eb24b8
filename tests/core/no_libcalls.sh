#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# no_libcalls.sh ROOT: the library's three sources (the core, the default heap, the Rust
# entry points) need no symbol they do not define, built for Armv6-M, Armv8-M Baseline,
# Armv7-M and Armv8-M Mainline at every optimisation level a firmware or a Cargo profile
# uses, by arm-none-eabi-gcc and, when present, clang: no memset or memcpy for an
# initialiser or a fill loop, no __aeabi_memclr4 for a run of zero stores, no
# __clzsi2, no __aeabi_lmul or division helper. Each build with -ffreestanding (as CMake
# and the crate compile), and at -Os and -O2 also without it (as a firmware's own
# compile line may, the README's among them) in the default build, with RTHEAP_DEBUG
# (poisoning) and with RTHEAP_STATS 0. Prints each failing build; exit status 1 if any
# needs a symbol. A compiler that is not installed is skipped, said by name.
root=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 builds=0
for cc in arm-none-eabi-gcc clang; do
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "no_libcalls: $cc not installed: skipped"
        continue
    fi
    for cpu in cortex-m0:thumbv6m cortex-m23:thumbv8m.base cortex-m3:thumbv7m cortex-m33:thumbv8m.main; do
        target="--target=${cpu#*:}-none-eabi"
        [ "$cc" = clang ] || target=
        # "level[:options]", options joined by commas.
        for build in -O0:-ffreestanding -Og:-ffreestanding -Os:-ffreestanding \
            -O2:-ffreestanding -Os: -O2: -Os:-DRTHEAP_DEBUG=1 -O2:-DRTHEAP_DEBUG=1 \
            -Os:-DRTHEAP_STATS=0 -O2:-DRTHEAP_STATS=0; do
            level=${build%%:*}
            opts=$(echo "${build#*:}" | tr ',' ' ')
            for src in rtheap rtheap_default rtheap_rust; do
                o="$tmp/$src.o"
                # shellcheck disable=SC2086
                if ! "$cc" $target -mcpu="${cpu%%:*}" -mthumb $level $opts \
                    -I"$root/src" -c "$root/src/$src.c" -o "$o" 2>"$tmp/err"; then
                    echo "FAIL $cc ${cpu%%:*} $level $opts $src.c: does not compile"
                    cat "$tmp/err"
                    fail=1
                    continue
                fi
                builds=$((builds + 1))
                # The heap symbols and the library's own calls between its sources.
                u=$(arm-none-eabi-nm -u "$o" | awk '{print $2}' | grep -v '^__heap\|^rtheap_' | tr '\n' ' ')
                if [ -n "$u" ]; then
                    echo "FAIL $cc ${cpu%%:*} $level $opts $src.c needs: $u"
                    fail=1
                fi
            done
        done
    done
done
echo "no_libcalls: $builds builds checked"
[ "$fail" -eq 0 ] && [ "$builds" -gt 0 ] && echo "no_libcalls: OK"
exit "$fail"
