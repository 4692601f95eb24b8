#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Usage: expect-exit.sh [-o REGEX] CODE COMMAND [ARGS...]
# Runs COMMAND (its output passes through) and succeeds only if it exits with exactly
# CODE and, with -o, its combined output matches the extended regular expression REGEX.
# Used by rtheap_add_test(... EXPECT_EXIT / EXPECT_OUTPUT) to tell an expected fault
# exit (e.g. 3 from the HardFault handler) from a timeout (124) or a crash.
regex=
if [ "$1" = "-o" ]; then
    regex=$2
    shift 2
fi
if [ $# -lt 2 ]; then
    echo "usage: $0 [-o REGEX] CODE COMMAND [ARGS...]" >&2
    exit 2
fi
want=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" >"$out" 2>&1
rc=$?
cat "$out"
status=0
if [ "$rc" -ne "$want" ]; then
    echo "expect-exit: exit status $rc, expected $want" >&2
    status=1
fi
if [ -n "$regex" ] && ! grep -Eq -- "$regex" "$out"; then
    echo "expect-exit: output does not match /$regex/" >&2
    status=1
fi
if [ $status -eq 0 ]; then
    echo "expect-exit: ok (exit status $rc)"
fi
exit $status
