#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap: API reference: Doxygen over src/rtheap.h and src/libc/rtheap_libc.h,
# every warning an error (docs/Doxyfile.in: WARN_AS_ERROR = FAIL_ON_WARNINGS).
#   build tree build/docs (library only); `cmake --build build/docs --target docs`;
#   HTML in build/docs/html (open build/docs/html/index.html).
# Checks: (1) the docs target builds, (2) Doxygen printed no warning, (3) the reference
# has a page for every public function of rtheap.h.
# Last line: "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
dir=build/docs
pass=0
fail=0
result() { # name ok(0/1) [detail]
    if [ "$2" -eq 0 ]; then echo "docs: $1: OK"; pass=$((pass + 1))
    else echo "docs: $1: FAILED ${3:-}"; fail=$((fail + 1)); fi
}
if ! command -v doxygen >/dev/null 2>&1; then
    echo "docs: doxygen missing (apt-get install doxygen)"
    echo "0 passed, 1 failed"; exit 1
fi
mkdir -p build
if ! cmake -G Ninja -S . -B "$dir" -DRTHEAP_BUILD_TESTS=OFF -DRTHEAP_DOCS_OUTPUT_DIR="$root/$dir" \
        >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"; echo "0 passed, 1 failed"; exit 1
fi
rm -rf "$dir/html"
log=$dir/doxygen.log
cmake --build "$dir" --target docs >"$log" 2>&1
rc=$?
cat "$log"
result "doxygen $(doxygen --version) (docs target)" $rc
nwarn=$(grep -cE '(warning|error): ' "$log")
result "zero Doxygen warnings" "$([ "$nwarn" -eq 0 ] && echo 0 || echo 1)" "($nwarn warnings)"
# Every function declared in rtheap.h is in the reference.
missing=
for f in $(sed -nE 's/^[a-z_ ]+[ *]+((rtheap|__rust)_[a-z_]+)\(.*/\1/p' src/rtheap.h); do
    grep -q "$f" "$dir/html/rtheap_8h.html" 2>/dev/null || missing="$missing $f"
done
nfun=$(sed -nE 's/^[a-z_ ]+[ *]+((rtheap|__rust)_[a-z_]+)\(.*/\1/p' src/rtheap.h | wc -l)
result "reference lists all $nfun functions of rtheap.h" "$([ -z "$missing" ] && [ "$nfun" -gt 20 ] && echo 0 || echo 1)" "(missing:$missing)"
[ -f "$dir/html/index.html" ] && echo "docs: HTML in $dir/html/index.html"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
