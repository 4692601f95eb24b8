#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: measured share of header overwrites and writes after free that the heap
# refuses, that do no harm, that stay latent, and that go undetected.
# Builds tools/overwrite-rates.c with src/rtheap.c (default options) under ASan + UBSan,
# 64-bit and -m32 (the 32-bit figures are the Cortex-M ones: 4-byte header word,
# ALIGNMENT 8), runs a fixed-seed set of trials per kind of damage (each trial in its own
# process) and prints one table per width. Deterministic: the same core gives the same
# table. See the head of tools/overwrite-rates.c for the classes.
#
# Usage: tools/overwrite-rates.sh [-n TRIALS_PER_ROW (default 1000)] [-s SEED]
#        tools/overwrite-rates.sh -t ROW TRIAL     replay one trial, traced (64-bit)
# Extra compiler flags: RATES_CFLAGS (e.g. -DRTHEAP_CONFIG_HEADER=...).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
out=build/overwrite-rates
mkdir -p "$out"
cc=${CC:-gcc}
flags="-O1 -g -Isrc -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all
 -fno-omit-frame-pointer ${RATES_CFLAGS:-}"
args=${*:--n 1000}
rc=0
for bits in 64 32; do
    m=; [ $bits = 32 ] && m=-m32
    # shellcheck disable=SC2086
    if ! $cc $m $flags -o "$out/rates$bits" tools/overwrite-rates.c src/rtheap.c 2>"$out/build$bits.log"; then
        if [ $bits = 32 ]; then
            echo "overwrite-rates: no -m32 build ($(head -n 1 "$out/build$bits.log")); 64-bit only"
            continue
        fi
        cat "$out/build$bits.log"; exit 1
    fi
    case " $args " in *" -t "*) [ $bits = 64 ] && "$out/rates$bits" $args; exit $? ;; esac
    # shellcheck disable=SC2086
    "$out/rates$bits" $args || rc=1
done
exit $rc
