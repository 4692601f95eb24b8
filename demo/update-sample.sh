#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Regenerates the demo output samples of the demo guide (default docs/demo.md):
# runs tools/demo.sh for mps2-an385 (whole output) and microbit (an excerpt), and
# tools/demo.sh --rust (an excerpt), and replaces the fenced block that follows each
# marker line
#     <!-- demo-sample: mps2-an385 -->     <!-- demo-sample: microbit -->
#     <!-- demo-sample: rust-mps2-an386 -->
# Run it after any change to the library or the demo: the instruction counts move.
# Usage: demo/update-sample.sh [FILE]   (FILE: another page with such markers)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
file=${1:-$root/docs/demo.md}
grep -q '^<!-- demo-sample: ' "$file" || { echo "update-sample: $file has no demo-sample marker" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$root/tools/demo.sh" mps2-an385 >"$tmp/full" 2>&1
{ echo '# tools/demo.sh'; cat "$tmp/full"; } >"$tmp/mps2-an385"
"$root/tools/demo.sh" microbit >"$tmp/mb" 2>&1
{
    sed -n '/^rtheap demo:/,/^burst:/p' "$tmp/mb"
    echo '...'
    sed -n '/^-- uart, log and net drained/,/^      used/p' "$tmp/mb"
    echo '...'
    sed -n '/^instructions per call/,$p' "$tmp/mb"
} >"$tmp/microbit"
"$root/tools/demo.sh" --rust >"$tmp/rust" 2>&1
{
    echo '# tools/demo.sh --rust'
    sed -n '/^demo.sh: the first build/d; 1,/^burst:/p' "$tmp/rust"
    echo '...'
    sed -n '/^lora uplink lost/,/^uplinks:/p' "$tmp/rust"
    echo '...'
    sed -n '/^instructions per call/,$p' "$tmp/rust"
} >"$tmp/rust-mps2-an386"

# Replace the fenced block after each marker with the new sample.
awk -v dir="$tmp" '
    skip == 1 { if ($0 ~ /^```/) { skip = 2 } ; next }        # opening fence of the old block
    skip == 2 { if ($0 ~ /^```/) { skip = 0 } ; next }        # closing fence
    /^<!-- demo-sample: [a-z0-9-]+ -->$/ {
        print
        board = $3
        print "```"
        while ((getline line < (dir "/" board)) > 0) print line
        close(dir "/" board)
        print "```"
        skip = 1
        next
    }
    { print }
' "$file" >"$tmp/out"
cp "$tmp/out" "$file"
echo "update-sample: $file updated"
