#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# The crate on the host, against the real C core (build.rs compiles it with the host's
# C compiler): its unit tests and doc examples (`cargo test`, warnings as errors), the
# same with the feature `allocator_api` (nightly features through RUSTC_BOOTSTRAP), the
# unit tests with the feature `user-lock`, `cargo doc` with rustdoc's warnings as
# errors, and an Arm compiler in CC refused with the crate's message. Debian's
# toolchain, offline.
#
# Usage: tests/rust/host.sh ROOT TARGET-DIR
# The last line is "N passed, N failed"; exit status 0 only if all passed.
set -u
root=${1:?usage: host.sh ROOT TARGET-DIR}
target_dir=${2:?usage: host.sh ROOT TARGET-DIR}
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_TARGET RUSTUP_TOOLCHAIN RUSTC_BOOTSTRAP \
    RTHEAP_LIB_DIR RTHEAP_CPU RTHEAP_CC RTHEAP_CFLAGS RTHEAP_CONFIG_HEADER
export PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
export CARGO_TARGET_DIR="$target_dir" CARGO_HOME="$target_dir/cargo-home"
mkdir -p "$CARGO_HOME"
manifest=$root/rust/rtheap/Cargo.toml
passed=0
failed=0
step() { # NAME PATTERN COMMAND...: passes if COMMAND succeeds and its output matches PATTERN
    name=$1 pattern=$2
    shift 2
    if "$@" >"$target_dir/$name.log" 2>&1 && grep -Eq "$pattern" "$target_dir/$name.log"; then
        passed=$((passed + 1))
        echo "ok: $name: $(grep -E "$pattern" "$target_dir/$name.log" | tr '\n' ' ')"
    else
        failed=$((failed + 1))
        cat "$target_dir/$name.log"
        echo "FAIL: $name"
    fi
}
# Unit tests and doc examples must have run, not only compiled: "N passed" with N > 0.
ran='test result: ok\. [1-9][0-9]* passed; 0 failed'
step cargo-test "$ran" env RUSTFLAGS="-D warnings" RUSTDOCFLAGS="-D warnings" \
    /usr/bin/cargo test --offline --manifest-path "$manifest"
step cargo-test-allocator-api "$ran" env RUSTC_BOOTSTRAP=1 RUSTFLAGS="-D warnings" \
    RUSTDOCFLAGS="-D warnings" /usr/bin/cargo test --offline --features allocator_api \
    --manifest-path "$manifest" --lib
# The feature user-lock: the C library takes the test program's lock (src/tests.rs), which
# must see every call, and the threaded test runs on that lock alone.
step cargo-test-user-lock 'test tests::user_lock_takes_every_call \.\.\. ok' env RUSTFLAGS="-D warnings" \
    /usr/bin/cargo test --offline --features user-lock --manifest-path "$manifest" --lib
step cargo-doc 'Generated .*rtheap/index.html' env RUSTDOCFLAGS="-D warnings" \
    /usr/bin/cargo doc --offline --no-deps --manifest-path "$manifest"
# An Arm cross compiler in CC (set for firmware work) on a host build: refused with the
# crate's message naming the mismatch, not a link that cannot find -lrtheap.
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    if env CC=arm-none-eabi-gcc /usr/bin/cargo build --offline --lib --manifest-path "$manifest" \
            >"$target_dir/host-cross-cc.log" 2>&1; then
        failed=$((failed + 1))
        echo "FAIL: host-cross-cc: built with CC=arm-none-eabi-gcc, must be refused"
    elif grep -q "error: rtheap: the C compiler .* builds Arm code with 4-byte pointers, but the Rust target" \
            "$target_dir/host-cross-cc.log"; then
        passed=$((passed + 1))
        echo "ok: host-cross-cc: $(grep 'error: rtheap:' "$target_dir/host-cross-cc.log" | cut -c1-110)..."
    else
        cat "$target_dir/host-cross-cc.log"
        failed=$((failed + 1))
        echo "FAIL: host-cross-cc: not refused with the crate's message"
    fi
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
