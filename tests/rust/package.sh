#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# The crate as a user gets it: `cargo package`, unpacked into an empty folder outside
# the repository, firmware built against that copy and run under QEMU, with each
# toolchain a user may have.
#
# Usage: tests/rust/package.sh ROOT QEMU TARGET BOARD
#   ROOT    the rtheap checkout          QEMU   qemu-system-arm
#   TARGET  thumbv6m-none-eabi or thumbv7em-none-eabihf
#   BOARD   the QEMU board (microbit, mps2-an386): only its memory.x is copied
#
# The firmware (tests/rust/package/main.rs, with the runtime tests/rust/src/rt.rs) links
# with the crate's own rtheap-cortex-m.ld and a folder holding nothing but memory.x. The
# builds, in one target folder (core and alloc built once, offline, -Zbuild-std):
#   gcc       PATH with arm-none-eabi-gcc and no clang; rtheap at opt-level "s" with
#             debug: every C object's DW_AT_producer is GCC's and says -Os; linked by
#             arm-none-eabi-gcc
#   gcc-ram96k  (thumbv7em) the gcc build linked again for a memory.x of 96 KiB of RAM:
#             the scripts' middle tier, 8 KiB of stack below the RAM's end, and a heap of
#             64 KiB or more, so the firmware's sort runs on that stack
#   gcc-O3    gcc and clang on PATH (gcc must be chosen): opt-level 3, no debug: no
#             .debug_info, .comment says GCC, more code than the -Os build; then relinked
#             with a stand-in for cortex-m-rt's link.x plus the crate's rtheap.x, and the
#             heap must be [__sheap, _stack_start - the default stack), the default
#             taken from memory.x's RAM: 4 KiB under 32 KiB, 8 KiB under 128 KiB, else 16 KiB
#   clang     PATH with clang and ld.lld and no GCC at all (no arm-none-eabi-*, gcc, cc):
#             opt-level "s" with debug: clang's producer, -Os; linked by ld.lld
#   clang-O3  both on PATH, CC_<target>=clang (the variable wins over PATH): opt-level 3,
#             no debug, .comment says clang, more code than the -Os build; ld.lld
#   host-cc   CC=/usr/bin/gcc (a compiler for the host): refused with the crate's message
#             that it does not compile for Arm
#   cpu-abi   RTHEAP_CPU naming a CPU of the other float ABI, or (cpu-newer) one whose
#             code the target's CPU cannot run, refused with the crate's message naming
#             a CPU that fits; lib-dir-relative, config-relative: a relative
#             RTHEAP_LIB_DIR or RTHEAP_CONFIG_HEADER refused
#   none      no C compiler on PATH, CC empty: the prebuilt archive, said in a warning,
#             no archive built; ld.lld. With RTHEAP_CONFIG_HEADER too: refused with one
#             message and no panic
#   no-lock   a config header with RTHEAP_LOCK_NONE: refused without the feature
#             `unsafe-no-lock`, built and run with it
#   locks     the multi-core locks on this one core (the firmware's features spin and user:
#             rtheap's spin-lock and user-lock): user-lock built (clang) and run, the C
#             library taking the firmware's lock; spin-lock built (gcc) and run on Armv7E-M,
#             refused on Armv6-M with the message that points to user-lock; both at once,
#             either with unsafe-no-lock, and either without a C compiler refused with the
#             crate's message; RTHEAP_LIB_DIR with a PRIMASK librtheap.a refused for
#             user-lock, and with the user-lock build's archive linked without a compiler
#             (RTHEAP_CFLAGS set too: a warning says it is not used)
# Build scripts are linked by the host's cc given by path
# (CARGO_TARGET_<host>_LINKER), never found on PATH: the crate's build.rs sees only
# what is on PATH and in CC*. Every firmware must print "package firmware: ... OK" and
# exit 0. The last line is "N passed, N failed"; exit status 0 only if all passed.
set -u
root=${1:?usage: package.sh ROOT QEMU TARGET BOARD}
qemu=${2:?usage: package.sh ROOT QEMU TARGET BOARD}
target=${3:?usage: package.sh ROOT QEMU TARGET BOARD}
board=${4:?usage: package.sh ROOT QEMU TARGET BOARD}
root=$(cd "$root" && pwd)
case $target in
    thumbv6m-none-eabi) machine=microbit cpu=cortex-m0 gcc_cpu="-mcpu=cortex-m0 -mthumb -mfloat-abi=soft" ;;
    thumbv7em-none-eabihf) machine=mps2-an386 cpu=cortex-m4
        gcc_cpu="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" ;;
    *) echo "package.sh: no QEMU board for $target"; echo "0 passed, 1 failed"; exit 1 ;;
esac
[ "$machine" = "$board" ] || { echo "package.sh: $board is not $target's board"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/rtheap-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$work" in "$root"/*) echo "package.sh: $work is inside the repository"; exit 1 ;; esac

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

# Nothing of the caller's environment may choose a tool or a flag for the crate.
for v in $(env | sed -n 's/^\(\(RTHEAP\|CC\|AR\|CFLAGS\|TARGET\|HOST\)[A-Za-z0-9_.-]*\)=.*/\1/p'); do
    unset "$v" 2>/dev/null || true
done
unset CC AR CFLAGS RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_TARGET CARGO_TARGET_DIR \
    RUSTUP_TOOLCHAIN RUSTC_WRAPPER
export CARGO_HOME="$work/cargo-home" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
sh "$root/tools/cargo-offline.sh" "$CARGO_HOME"
cargo=/usr/bin/cargo
host=$($RUSTC -vV | sed -n 's/^host: //p')
host_linker_var=CARGO_TARGET_$(echo "$host" | tr 'a-z.-' 'A-Z__')_LINKER
export "$host_linker_var=/usr/bin/cc"
target_var=$(echo "$target" | tr '.-' '__')

# --- the package, unpacked ------------------------------------------------------------
fw=$work/fw
mkdir -p "$fw/vendor" "$fw/src" "$fw/board"
if ! (cd "$work" && PATH=/usr/bin:/bin $cargo package --offline --no-verify --allow-dirty \
        --target-dir "$work/pkg" --manifest-path "$root/rust/rtheap/Cargo.toml") >"$work/package.log" 2>&1; then
    cat "$work/package.log"; fail "cargo package"; finish
fi
crate_file=$(ls "$work"/pkg/package/rtheap-*.crate)
tar -xzf "$crate_file" -C "$fw/vendor"
crate=$(ls -d "$fw"/vendor/rtheap-*)
missing=
for f in Cargo.toml build.rs build/archive.rs src/lib.rs stats_layout.c csrc/rtheap.h \
    csrc/CMakeLists.txt link/rtheap.x link/rtheap-cortex-m.ld "prebuilt/$target/librtheap.a" \
    LICENSE-MIT LICENSE-APACHE; do
    [ -f "$crate/$f" ] && [ ! -L "$crate/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ] && cmp -s "$crate/prebuilt/$target/librtheap.a" "$root/rust/rtheap/prebuilt/$target/librtheap.a"; then
    pass "package $(basename "$crate_file"): sources, linker scripts, prebuilt archive, licences"
else
    fail "package $(basename "$crate_file") lacks:$missing (or its prebuilt archive differs)"
fi

cp "$root/tests/rust/package/main.rs" "$fw/src/main.rs"
cp "$root/tests/rust/src/rt.rs" "$fw/src/rt.rs"
cp "$root/boards/$board/memory.x" "$fw/board/memory.x"
cp "$root/tests/rust/package/cortex-m-rt-standin.x" "$fw/board/cortex-m-rt-standin.x"
printf '#define RTHEAP_LOCK_NONE 1\n' >"$fw/nolock.h"
cat >"$fw/Cargo.toml" <<END
[package]
name = "fw"
version = "0.1.0"
edition = "2021"

[dependencies]
rtheap = { path = "$(basename "$(dirname "$crate")")/$(basename "$crate")" }

[features]
spin = ["rtheap/spin-lock"]
user = ["rtheap/user-lock"]

[profile.release]
panic = "abort"
codegen-units = 1
END

# --- PATHs ------------------------------------------------------------------------------
# /usr/bin without some programs, as symbolic links in a folder of its own.
make_path() { # $1: folder, $2: extended regex of names to leave out
    mkdir -p "$1"
    for f in /usr/bin/*; do
        n=$(basename "$f")
        echo "$n" | grep -Eq "$2" || ln -s "$f" "$1/$n"
    done
}
gcc_names='(gcc|^cc$|^c[89]9|^c\+\+|g\+\+|^cpp|-cpp|^arm-none-eabi-)'
make_path "$work/path-gcc" '^clang'
make_path "$work/path-clang" "$gcc_names"
make_path "$work/path-both" '^$'
make_path "$work/path-none" "$gcc_names|^clang"
for spec in "gcc:arm-none-eabi-gcc:clang" "clang:clang ld.lld:arm-none-eabi-gcc cc gcc" \
    "none:ld.lld:arm-none-eabi-gcc cc gcc clang"; do
    name=${spec%%:*}; rest=${spec#*:}; have=${rest%%:*}; lack=${rest#*:}
    for p in $have; do
        PATH=$work/path-$name command -v "$p" >/dev/null || fail "PATH $name: $p missing"
    done
    for p in $lack; do
        if PATH=$work/path-$name command -v "$p" >/dev/null; then fail "PATH $name: $p present"; fi
    done
done

# --- builds -----------------------------------------------------------------------------
# build NAME PATH-FOLDER LINKER OPT DEBUG [VAR=VALUE...] [-- CARGO-ARGS...]: builds the
# firmware; its archive's folder in $out_dir, the ELF in $work/NAME.elf.
build() {
    name=$1 pathdir=$2 linker=$3 opt=$4 debug=$5
    shift 5
    vars=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do vars="$vars $1"; shift; done
    [ $# -gt 0 ] && shift
    if [ "$linker" = gcc ]; then
        link="-C linker=arm-none-eabi-gcc"
        for f in $gcc_cpu -nostdlib; do link="$link -C link-arg=$f"; done
    else
        link="-C linker=ld.lld"
    fi
    script=${script:-rtheap-cortex-m.ld}
    link="$link -C link-arg=-T$script -C link-arg=-L$fw/${boarddir:-board}"
    [ "$script" = cortex-m-rt-standin.x ] && link="$link -C link-arg=-Trtheap.x"
    # shellcheck disable=SC2086
    (cd "$fw" && env PATH="$work/path-$pathdir" CC= $vars $cargo rustc --release --offline \
        --target "$target" -Zbuild-std=core,alloc --message-format=json-render-diagnostics \
        --config "profile.release.package.rtheap.opt-level=$opt" \
        --config "profile.release.package.rtheap.debug=$debug" "$@" --bin fw -- $link) \
        >"$work/$name.json" 2>"$work/$name.log"
    status=$?
    out_dir=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "build-script-executed" and "rtheap" in m.get("package_id", "").split("#")[0].split("/")[-1]:
        print(m["out_dir"])' "$work/$name.json" 2>/dev/null | tail -n 1)
    cp "$fw/target/$target/release/fw" "$work/$name.elf" 2>/dev/null
    return $status
}

# run NAME: the ELF under QEMU: exit 0 and the OK line.
run() {
    timeout 60 "$qemu" -M "$machine" -cpu "$cpu" -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native,chardev=sh0 -chardev stdio,id=sh0 \
        -kernel "$work/$1.elf" >"$work/$1.run" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q '^package firmware: .*: OK$' "$work/$1.run"; then
        pass "$1: runs on $board: $(grep '^package firmware' "$work/$1.run")"
    else
        cat "$work/$1.run"; fail "$1: exit status $rc on $board"
    fi
}

# The C objects of the archive build.rs made: members, producers, debug sections, code.
objects() { /usr/bin/arm-none-eabi-readelf "$@" "$out_dir/rtheap/librtheap.a" 2>/dev/null; }
members() { /usr/bin/arm-none-eabi-ar t "$out_dir/rtheap/librtheap.a" | wc -l; }
text_bytes() { /usr/bin/arm-none-eabi-size -t "$out_dir/rtheap/librtheap.a" | awk 'END { print $1 }'; }

# check_debug NAME COMPILER-PATTERN: -Os and -g in every member's DW_AT_producer.
check_debug() {
    n=$(members)
    producers=$(/usr/bin/llvm-dwarfdump --debug-info "$out_dir/rtheap/librtheap.a" | grep DW_AT_producer)
    good=$(echo "$producers" | grep -E "$2" | grep -c -- ' -Os')
    if [ "$n" -ge 3 ] && [ "$good" -eq "$n" ] && [ "$(echo "$producers" | grep -c -- ' -g')" -eq "$n" ]; then
        pass "$1: $n C objects, built by $2 with -Os -g (DW_AT_producer)"
    else
        echo "$producers"; fail "$1: expected $n producers of /$2/ with -Os -g"
    fi
}

# check_nodebug NAME COMMENT-PATTERN SMALLER-TEXT: no debug sections, the compiler's
# .comment, and more code than the -Os build.
check_nodebug() {
    n=$(members)
    dbg=$(objects -S | grep -c '\.debug_')
    comments=$(objects -p .comment | grep -c -E "$2")
    text=$(text_bytes)
    if [ "$dbg" -eq 0 ] && [ "$comments" -eq "$n" ] && [ "$text" -gt "$3" ]; then
        pass "$1: $n C objects by /$2/, no debug sections, $text bytes of code at -O3 > $3 at -Os"
    else
        fail "$1: debug sections $dbg (want 0), /$2/ in $comments of $n .comment, code $text (want > $3)"
    fi
}

if build gcc gcc gcc '"s"' true; then
    pass "gcc: built (arm-none-eabi-gcc only on PATH)"
    check_debug gcc 'GNU C'
    gcc_os_text=$(text_bytes)
    # A library with the default lock, for RTHEAP_LIB_DIR below (later builds of the
    # same features replace the one in out_dir).
    mkdir -p "$work/primask-lib" && cp "$out_dir/rtheap/librtheap.a" "$work/primask-lib/"
    run gcc
    # The scripts' middle tier: the same firmware linked again for 96 KiB of RAM has
    # 8 KiB of stack, and a heap of over 64 KiB, so it sorts (a 4 KiB stack fails there).
    if [ "$target" = thumbv7em-none-eabihf ]; then
        mkdir -p "$fw/board96"
        printf 'MEMORY\n{\n  FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 4M\n  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 96K\n}\n' \
            >"$fw/board96/memory.x"
        if boarddir=board96 build gcc-ram96k gcc gcc '"s"' true; then
            run gcc-ram96k
            line=$(grep '^package firmware' "$work/gcc-ram96k.run")
            bytes=$(echo "$line" | sed -n 's/.*\.\.0x20016000 (\([0-9]*\) bytes), stack 8192 bytes.*/\1/p')
            if [ -n "$bytes" ] && [ "$bytes" -ge 65536 ]; then
                pass "gcc-ram96k: 8 KiB of stack under 96 KiB of RAM, a heap of $bytes B ending there, the sort held"
            else
                fail "gcc-ram96k: not a heap of 64 KiB or more ending 8 KiB below 0x20018000: $line"
            fi
        else
            cat "$work/gcc-ram96k.log"; fail "gcc-ram96k: link for 96 KiB of RAM"
        fi
    fi
else
    cat "$work/gcc.log"; fail "gcc: build"
fi

if build gcc-O3 both gcc 3 false; then
    pass "gcc-O3: built (gcc and clang on PATH)"
    check_nodebug gcc-O3 '^ *\[ *[0-9]+\] +GCC:' "${gcc_os_text:-0}"
    run gcc-O3
    # The cortex-m-rt fragment: the same objects, linked again.
    if script=cortex-m-rt-standin.x build gcc-cmrt both gcc 3 false; then
        run gcc-cmrt
        nm=/usr/bin/arm-none-eabi-nm
        sheap=$($nm "$work/gcc-cmrt.elf" | awk '$3 == "__sheap" { print $1 }')
        top=$($nm "$work/gcc-cmrt.elf" | awk '$3 == "_stack_start" { print $1 }')
        ram=$(awk '$1 == "RAM" { for (i = 1; i < NF; i++) if ($i == "LENGTH") print $(i + 2) }' \
            "$fw/board/memory.x")
        case $ram in
            *K) ram=$((${ram%K} * 1024)) ;;
            *M) ram=$((${ram%M} * 1048576)) ;;
        esac
        stack=16384
        [ "$ram" -lt 131072 ] && stack=8192
        [ "$ram" -lt 32768 ] && stack=4096
        want=$(printf '0x%x..0x%x' $(((0x$sheap + 7) & ~7)) $(((0x$top - stack) & ~7)))
        if grep -q "heap $want " "$work/gcc-cmrt.run"; then
            pass "gcc-cmrt: rtheap.x with cortex-m-rt's symbols: the heap is $want ($stack B of stack)"
        else
            fail "gcc-cmrt: the heap is not [__sheap, _stack_start - $stack) = $want"
        fi
    else
        cat "$work/gcc-cmrt.log"; fail "gcc-cmrt: link with rtheap.x"
    fi
else
    cat "$work/gcc-O3.log"; fail "gcc-O3: build"
fi

if build clang clang lld '"s"' true; then
    pass "clang: built (clang and ld.lld on PATH, no GCC)"
    check_debug clang 'clang version'
    clang_os_text=$(text_bytes)
    run clang
else
    cat "$work/clang.log"; fail "clang: build"
fi

if build clang-O3 both lld 3 false "CC_$target_var=clang"; then
    pass "clang-O3: built (CC_$target_var=clang chosen over arm-none-eabi-gcc on PATH)"
    check_nodebug clang-O3 '^ *\[ *[0-9]+\] +.*clang version' "${clang_os_text:-0}"
    run clang-O3
else
    cat "$work/clang-O3.log"; fail "clang-O3: build"
fi

if build none none lld '"s"' false; then
    if grep -q "rtheap: no C compiler found for $target .*linking the prebuilt .*prebuilt/$target/librtheap.a" "$work/none.log" \
        && [ ! -e "$out_dir/rtheap/librtheap.a" ]; then
        pass "none: the prebuilt archive, said in a warning, nothing compiled"
    else
        cat "$work/none.log"; fail "none: no warning naming the prebuilt archive (or an archive was built)"
    fi
    run none
else
    cat "$work/none.log"; fail "none: build"
fi

# No compiler, and a configuration of one's own: one message, no panic.
if build none-config none lld '"s"' false "RTHEAP_CONFIG_HEADER=$fw/nolock.h"; then
    fail "none-config: built without a compiler for a config header"
elif grep -q "error: rtheap: no C compiler for $target (tried .*arm-none-eabi-gcc, clang), and the prebuilt librtheap.a has the default configuration while RTHEAP_CONFIG_HEADER=" "$work/none-config.log" \
    && ! grep -q 'panicked at\|stack backtrace' "$work/none-config.log"; then
    pass "none-config: refused: $(grep 'error: rtheap:' "$work/none-config.log" | cut -c1-110)..."
else
    cat "$work/none-config.log"; fail "none-config: not the crate's message (or a panic)"
fi

# A configuration without a lock: refused unless the firmware says it is single-threaded.
if build no-lock gcc gcc '"s"' false "RTHEAP_CONFIG_HEADER=$fw/nolock.h"; then
    fail "no-lock: a lock-free C build was accepted without unsafe-no-lock"
elif grep -q "error: rtheap: the C configuration ($fw/nolock.h) has no lock (RTHEAP_LOCK_NONE).*unsafe-no-lock" "$work/no-lock.log" \
    && ! grep -q 'panicked at\|stack backtrace' "$work/no-lock.log"; then
    pass "no-lock: refused, naming the feature unsafe-no-lock"
else
    cat "$work/no-lock.log"; fail "no-lock: not refused with the crate's message"
fi
if build no-lock-opt-in gcc gcc '"s"' false "RTHEAP_CONFIG_HEADER=$fw/nolock.h" -- --features rtheap/unsafe-no-lock; then
    pass "no-lock-opt-in: built with the feature unsafe-no-lock"
    run no-lock-opt-in
else
    cat "$work/no-lock-opt-in.log"; fail "no-lock-opt-in: build"
fi

# --- the multi-core locks, on this one core ---------------------------------------------
# refused NAME MESSAGE-PATTERN PATH-FOLDER LINKER [VAR=VALUE...] -- CARGO-ARGS: the build
# must fail with the crate's one message (and no panic of the build script).
refused() {
    name=$1 pattern=$2
    shift 2
    if build "$name" "$@"; then
        fail "$name: built, but must be refused"
    elif grep -q "error: rtheap: $pattern" "$work/$name.log" && ! grep -q 'panicked at\|stack backtrace' "$work/$name.log"; then
        pass "$name: refused: $(grep 'error: rtheap:' "$work/$name.log" | cut -c1-100)..."
    else
        cat "$work/$name.log"; fail "$name: not refused with the crate's message /$pattern/"
    fi
}
if build user-lock clang lld '"s"' false -- --features user; then
    pass "user-lock: built (clang)"
    run user-lock
    grep -q 'lock user-lock: OK$' "$work/user-lock.run" || fail "user-lock: the firmware did not see its lock taken"
    mkdir -p "$work/user-lib" && cp "$out_dir/rtheap/librtheap.a" "$work/user-lib/"
else
    cat "$work/user-lock.log"; fail "user-lock: build"
fi
if [ "$target" = thumbv6m-none-eabi ]; then
    refused spin-lock-v6m "the feature \`spin-lock\` needs exclusive accesses (LDREX/STREX), which Armv6-M .*use the feature \`user-lock\`" \
        gcc gcc '"s"' false -- --features spin
else
    if build spin-lock gcc gcc '"s"' false -- --features spin; then
        pass "spin-lock: built (gcc)"
        run spin-lock
        grep -q 'lock spin-lock: OK$' "$work/spin-lock.run" || fail "spin-lock: not the spinlock's library"
    else
        cat "$work/spin-lock.log"; fail "spin-lock: build"
    fi
fi
refused host-cc "the C compiler .* does not compile for Arm (it is a compiler for another machine" \
    gcc gcc '"s"' false CC=/usr/bin/gcc --
case $target in
    *eabihf) other_abi=cortex-m4 newer=cortex-m55f fits=cortex-m4f ;;
    *) other_abi=cortex-m4f newer=cortex-m3 fits=cortex-m0 ;;
esac
refused cpu-abi "RTHEAP_CPU=$other_abi builds .* code for the .* ABI, which the Rust target $target (the .* ABI, .* code) cannot use: name one of .*$fits" \
    gcc gcc '"s"' false "RTHEAP_CPU=$other_abi" --
refused cpu-newer "RTHEAP_CPU=$newer builds .* code for the .* ABI, which the Rust target $target (the .* ABI, .* code) cannot use: name one of .*$fits" \
    gcc gcc '"s"' false "RTHEAP_CPU=$newer" --
refused config-relative "RTHEAP_CONFIG_HEADER=cfg.h is a relative path, which the C compiler would look for beside the crate's sources (.*): give an absolute path" \
    gcc gcc '"s"' false "RTHEAP_CONFIG_HEADER=cfg.h" --
refused lib-dir-relative "RTHEAP_LIB_DIR=lib is a relative path, which this build script would take from the crate's own folder (.*): give an absolute path" \
    gcc gcc '"s"' false "RTHEAP_LIB_DIR=lib" --
refused both-locks "the features \`spin-lock\` and \`user-lock\` each choose the lock of every rtheap heap: enable one of them" \
    gcc gcc '"s"' false -- --features spin,user
refused user-no-lock "the feature \`unsafe-no-lock\` says rtheap runs without a lock, and the feature \`user-lock\` chooses one" \
    gcc gcc '"s"' false -- --features user,rtheap/unsafe-no-lock
refused user-none "no C compiler for $target (tried .*), and the prebuilt librtheap.a has the default configuration while the feature \`user-lock\` asks for a build of its own" \
    none lld '"s"' false -- --features user
refused user-primask-lib "RTHEAP_LIB_DIR: the feature \`user-lock\` asks for RTHEAP_LOCK_USER, but .* was built without it" \
    gcc gcc '"s"' false "RTHEAP_LIB_DIR=$work/primask-lib" -- --features user
if [ -f "$work/user-lib/librtheap.a" ] && build user-given-lib none lld '"s"' false "RTHEAP_LIB_DIR=$work/user-lib" \
        RTHEAP_CFLAGS=-DRTHEAP_FIT_SCAN=4 -- --features user; then
    pass "user-given-lib: RTHEAP_LIB_DIR with a user-lock archive, no C compiler: linked"
    run user-given-lib
    # RTHEAP_CFLAGS does nothing there: said in a warning.
    if grep -q "RTHEAP_CFLAGS is not used with RTHEAP_LIB_DIR" "$work/user-given-lib.log"; then
        pass "user-given-lib: the warning that RTHEAP_CFLAGS is not used"
    else
        cat "$work/user-given-lib.log"; fail "user-given-lib: no warning that RTHEAP_CFLAGS is not used"
    fi
else
    cat "$work/user-given-lib.log" 2>/dev/null; fail "user-given-lib: RTHEAP_LIB_DIR with the user-lock archive"
fi
finish
