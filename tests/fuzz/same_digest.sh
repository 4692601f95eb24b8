#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Runs a fuzz replay program (built with FUZZ_ORDER_CHECK) twice, in two processes, and
# fails unless both print the same set digest: no input depends on where things are
# in memory. Usage: same_digest.sh [RUNNER] PROGRAM
set -u
a=$("$@" | grep -E 'set digest') || { echo "same_digest: first run failed"; exit 1; }
b=$("$@" | grep -E 'set digest') || { echo "same_digest: second run failed"; exit 1; }
echo "$a"
echo "$b"
[ "${a##*set digest }" = "${b##*set digest }" ] || { echo "same_digest: the runs differ"; exit 1; }
echo "same_digest: both runs agree"
