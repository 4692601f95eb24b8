#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# The Rust snippets of README.md and docs/*.md as written, and the crate built from its
# package; with --mutations, each of those snippets broken in turn.
#
# Usage: tests/rust/readme.sh [--mutations] ROOT QEMU
#   ROOT  the rtheap checkout (README.md, docs/, rust/rtheap, demo/rust, boards/)
#   QEMU  qemu-system-arm
#
# Snippets: a fenced block right after a line `<!-- snippet: ID -->` in README.md or
# docs/*.md (the convention of every snippet test; IDs are unique across the files);
# this script takes the IDs starting with `rust-` or `cargo-`, strips the list
# indentation, replaces the placeholder `/path/to/rtheap` with ROOT and nothing else. An
# ID it does not know, or a known one missing, fails: no snippet goes untested. In a
# fresh folder outside the repository (mktemp -d), a firmware project as a user would
# write it:
#   cargo-package          run (sh): packages rust/rtheap, unpacks it into vendor/,
#                          copies the demo's runtime demo/rust/src/rt.rs into src/
#   cargo-toml-package     Cargo.toml (the unpacked crate)
#   rust-quickstart        src/main.rs (with that runtime)
#   cargo-memory-x         memory.x (mps2-an385), for the crate's rtheap-cortex-m.ld
#   cargo-config           .cargo/config.toml
#   cargo-build-offline    run (sh): the build, Debian's toolchain, offline (timed)
#   cargo-run              run (sh): main.rs's firmware on mps2-an385, by cargo run
#   rust-global-allocator  src/bin/pool.rs, with rust-pool: the default heap in a
#   rust-pool              static pool
#   cargo-memory-x-ram2    memory.x with the PSRAM: src/bin/regions.rs must find a
#                          default heap of two regions, the second all of RAM2
#   cargo-toml-checkout    the dependency from the checkout instead: rebuilt and run
#   cargo-toml-heaps       with the allocator-api feature: src/bin/heaps.rs
#   rust-heaps             src/bin/heaps.rs: a second heap, Vec/Box in it
#   cargo-toml-embedded-alloc  with the feature's embedded-alloc name (allocator_api):
#   rust-embedded-alloc    src/bin/migrated.rs: the global allocator a Heap, as an
#                          embedded-alloc firmware has it; used()/free()/check(), and a
#                          Vec::new_in(&HEAP) (the alias gives Allocator)
#   cargo-config-thumbv6m, cargo-config-thumbv7em-hf, cargo-config-thumbv8m-main,
#   cargo-config-lld       .cargo/config.toml for each CPU: main.rs built (dev profile:
#                          a cold build of core each) and run by `cargo run` through the
#                          file's runner on microbit, mps2-an386, mps2-an505 and (ld.lld)
#                          microbit, with the board's memory.x
# (The [package] table of cargo-toml-package heads the manifests of the variants.)
# Every firmware runs under QEMU and must print its OK line and exit 0.
# cmake and ninja are stubs that fail: the crate must build without them.
# Negative controls: RTHEAP_LIB_DIR with a hard-float librtheap.a, or one for Armv8-M
# Mainline, must fail with the crate's message (and a soft-float Cortex-M3 one link);
# the crate (the unpacked copy) must build for the host on the stable channel (no
# RUSTC_BOOTSTRAP) without the feature and be refused there with it.
#
# --mutations: after one unbroken package and build (which warms cargo's cache), each
# snippet in turn gets a line that must break it - sh: `exit 1`, TOML: an invalid
# line, Rust: compile_error!, linker script: ASSERT(0) - and the steps that use it run
# again: they must fail,
# with that line's mark (RTHEAP_SNIPPET_BROKEN) in their output. Any snippet whose
# breakage goes unnoticed is named.
# Exit status 0 only if all of that holds; the last line is "N passed, N failed".
set -u
mode="test"
if [ "${1:-}" = --mutations ]; then
    mode=mutations
    shift
fi
root=${1:?usage: readme.sh [--mutations] ROOT QEMU}
qemu=${2:?usage: readme.sh [--mutations] ROOT QEMU}
root=$(cd "$root" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rtheap-readme.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$work" in "$root"/*) echo "readme.sh: $work is inside the repository" >&2; exit 1 ;; esac
# A user's environment, minus what would redirect cargo: an empty CARGO_HOME (nothing
# of ours), Debian's tools first.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_TARGET CARGO_TARGET_DIR RUSTUP_TOOLCHAIN \
    RTHEAP_LIB_DIR RTHEAP_CPU RUSTC_BOOTSTRAP RUSTC
export CARGO_HOME="$work/cargo-home"
# No CMake, no Ninja: the crate must build without them (stubs that fail loudly).
mkdir -p "$work/no-cmake"
for t in cmake ninja; do
    printf '#!/bin/sh\necho "%s called: the crate must not need it" >&2\nexit 127\n' "$t" >"$work/no-cmake/$t"
    chmod +x "$work/no-cmake/$t"
done
export PATH="$work/no-cmake:/usr/bin:$PATH"
BROKEN=RTHEAP_SNIPPET_BROKEN

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- extract ------------------------------------------------------------------------
good=$work/snippets
mkdir -p "$good"
docs=$(cd "$root" && { echo README.md; ls docs/*.md 2>/dev/null; })
# Every marked block of README.md and docs/*.md; IDs are unique across the files.
# shellcheck disable=SC2086
(cd "$root" && awk -v dir="$good" '
    function fail(msg) { print "readme.sh: " FILENAME ":" FNR ": " msg > "/dev/stderr"; bad = 1 }
    FNR == 1 { if (inside) fail("snippet " id ": unterminated block"); armed = 0; inside = 0 }
    match($0, /^[ \t]*<!-- snippet: [A-Za-z0-9_.-]+ -->[ \t]*$/) {
        id = $0; sub(/^[ \t]*<!-- snippet: /, "", id); sub(/ -->[ \t]*$/, "", id)
        if (id in seen) fail("snippet " id " marked twice (also at " seen[id] ")")
        seen[id] = FILENAME ":" FNR
        if (id !~ /^(rust|cargo)-/) { id = ""; next }
        armed = 1; next
    }
    armed && /^[ \t]*$/ { next }
    armed {
        if ($0 !~ /^[ \t]*```/) { fail("snippet " id ": no fenced block after the marker"); armed = 0; next }
        lang = $0; sub(/^[ \t]*```/, "", lang); sub(/[ \t]*$/, "", lang)
        match($0, /^[ \t]*/); indent = RLENGTH; armed = 0; inside = 1
        file = dir "/" id; printf "" > file; next
    }
    inside && /^[ \t]*```[ \t]*$/ {
        inside = 0; close(file); print id; print id " " lang " " seen[id] > (dir "/.where"); next
    }
    inside {
        line = $0
        for (i = 0; i < indent && substr(line, 1, 1) ~ /[ \t]/; i++) line = substr(line, 2)
        print line > file
    }
    END { if (inside) fail("snippet " id ": unterminated block"); exit bad }
' $docs) >"$work/ids" || { echo "readme.sh: cannot extract the snippets"; echo "0 passed, 1 failed"; exit 1; }
where() { sed -n "s/^$1 [^ ]* //p" "$good/.where"; }
lang_of() { sed -n "s/^$1 \([^ ]*\) .*/\1/p" "$good/.where"; }

known="cargo-package cargo-toml-package rust-quickstart cargo-memory-x cargo-config cargo-build-offline cargo-run rust-global-allocator rust-pool cargo-memory-x-ram2 cargo-toml-checkout cargo-toml-heaps rust-heaps cargo-toml-embedded-alloc rust-embedded-alloc cargo-config-thumbv6m cargo-config-thumbv7em-hf cargo-config-thumbv8m-main cargo-config-lld"
for id in $(cat "$work/ids"); do
    case " $known " in *" $id "*) ;; *) fail "snippet $id ($(where "$id")): unknown to tests/rust/readme.sh (add it there)" ;; esac
done
for id in $known; do
    if [ -f "$good/$id" ]; then
        sed -i "s|/path/to/rtheap|$root|g" "$good/$id"
    else
        fail "snippet $id: no block marked <!-- snippet: $id --> in README.md or docs/*.md"
    fi
done
[ "$failed" -eq 0 ] || { echo "$passed passed, $failed failed"; exit 1; }
pass "$(wc -l <"$work/ids") snippets extracted: $(tr '\n' ' ' <"$work/ids")"

# --- the firmware project (from the snippets in $snip) ------------------------------
snip=$good
fw=$work/fw
mkdir -p "$fw/src/bin" "$fw/.cargo"
cd "$fw" || exit 1
manifest() { # $1: the snippet with the [dependencies]; the [package] is cargo-toml-package's
    if [ "$1" = cargo-toml-package ]; then
        cp "$snip/cargo-toml-package" Cargo.toml
    else
        sed '/^\[dependencies\]/,$d' "$snip/cargo-toml-package" >Cargo.toml
        cat "$snip/$1" >>Cargo.toml
    fi
}

# The runtime in the variants (src/rt.rs, which cargo-package copies) and a main that
# uses the heap.
tail_main() {
    cat <<'EOF'

#[path = "../rt.rs"]
#[macro_use]
mod rt;
EOF
}
project() { # writes the project's files from $snip; the variants' mains go to $work
    manifest cargo-toml-package
    cp "$snip/cargo-config" .cargo/config.toml
    cp "$snip/cargo-memory-x" memory.x
    cp "$snip/rust-quickstart" src/main.rs
    rm -f src/bin/*.rs
    {
        printf '#![no_std]\n#![no_main]\n\n'
        cat "$snip/rust-global-allocator"
        echo
        cat "$snip/rust-pool"
        tail_main
        cat <<'EOF'

fn fw_main() -> i32 {
    init_heap();
    let v: alloc::vec::Vec<u8> = alloc::vec![7; 1000];
    let at = v.as_ptr() as usize;
    let pool = (&raw const POOL) as usize;
    let st = rtheap::stats();
    let ok = st.heap_bytes == core::mem::size_of::<Pool>() && at > pool
        && at + 1000 <= pool + st.heap_bytes && rtheap::check().is_ok();
    println!("pool firmware: heap {} bytes, block at {:#x}: {}", st.heap_bytes, at,
             if ok { "OK" } else { "FAIL" });
    if ok { 0 } else { 1 }
}
EOF
    } >"$work/pool.rs"
    {
        cat "$snip/rust-heaps"
        tail_main
        cat <<'EOF'

fn fw_main() -> i32 {
    let frames = dma_frames();
    let pool = (&raw const DMA_POOL) as usize;
    let inside = frames.iter().all(|f| {
        let a = &**f as *const [u8; 256] as usize;
        a > pool && a + 256 <= pool + core::mem::size_of::<Pool>()
    });
    let (dma, global) = (DMA.stats(), rtheap::stats());
    let ok = inside && dma.live_blocks == 5 && global.live_blocks == 0 && DMA.check().is_ok();
    drop(frames);
    let ok = ok && DMA.stats().live_blocks == 0;
    println!("heaps firmware: DMA heap {} bytes, {} blocks in it: {}", dma.heap_bytes,
             dma.live_blocks, if ok { "OK" } else { "FAIL" });
    if ok { 0 } else { 1 }
}
EOF
    } >"$work/heaps.rs"
    {
        printf '#![no_std]\n#![no_main]\n\n'
        cat "$snip/rust-global-allocator"
        tail_main
        cat <<'EOF'

fn fw_main() -> i32 {
    // Allocates first: the default heap is built from memory.x's regions.
    let v: alloc::vec::Vec<u32> = (0..1000).collect();
    let st = rtheap::stats();
    extern "C" {
        static __heap2_start: u8;
        static __heap2_end: u8;
    }
    let ram2 = (&raw const __heap2_end) as usize - (&raw const __heap2_start) as usize;
    let ok = st.region_count == 2 && ram2 == 16 << 20 && st.heap_bytes > ram2 && v[999] == 999
        && rtheap::check().is_ok();
    println!("regions firmware: {} regions, {} bytes, RAM2 {} bytes: {}", st.region_count,
             st.heap_bytes, ram2, if ok { "OK" } else { "FAIL" });
    if ok { 0 } else { 1 }
}
EOF
    } >"$work/regions.rs"
    {
        # allocator_api: the feature's embedded-alloc name must give Allocator too.
        printf '#![no_std]\n#![no_main]\n#![feature(allocator_api)]\n\nextern crate alloc;\n\n'
        cat "$snip/rust-embedded-alloc"
        tail_main
        cat <<'EOF'

fn fw_main() -> i32 {
    init_heap();
    let (used0, free0) = (HEAP.used(), HEAP.free());
    let text: alloc::string::String = (0..100).map(|i| if i % 2 == 0 { 'a' } else { 'b' }).collect();
    let mut named: alloc::vec::Vec<u32, &Heap> = alloc::vec::Vec::new_in(&HEAP);
    named.extend(0..50);
    let ok = used0 == 0 && free0 > 31 * 1024 && free0 < 32 * 1024 && HEAP.used() >= 300
        && HEAP.free() < free0 && HEAP.check().is_ok() && rtheap::stats().heap_bytes == 0;
    let ok = ok && {
        drop(text);
        drop(named);
        HEAP.used() == 0 && HEAP.free() == free0
    };
    println!("migrated firmware: used {} free {} of 32 KiB: {}", used0, free0, if ok { "OK" } else { "FAIL" });
    if ok { 0 } else { 1 }
}
EOF
    } >"$work/migrated.rs"
}

elf=target/thumbv7m-none-eabi/release
QUICKSTART_OK="100 squares, the last 9801: OK"
run_fw() { # $1: ELF, $2: the line it must print
    out=$(timeout 60 "$qemu" -M mps2-an385 -cpu cortex-m3 -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native,chardev=sh0 -chardev stdio,id=sh0 \
        -kernel "$1" 2>&1 </dev/null)
    rc=$?
    echo "$out" | sed 's/^/    /'
    if [ "$rc" -eq 0 ] && echo "$out" | grep -q "$2"; then pass "$(basename "$1") on mps2-an385"; else fail "$(basename "$1") on mps2-an385 (exit $rc)"; fi
}

# The build command of the variants below (cargo-build-offline's, with its CARGO_HOME).
build() { RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_HOME=$fw/.cargo-offline \
    /usr/bin/cargo build --release -Zbuild-std=core,alloc --target thumbv7m-none-eabi; }

# --- the steps, each on the snippets in $snip; status 0 when it worked, log in $1 ----
step_package() { # cargo-package, in the project folder
    sh -e "$snip/cargo-package" >"$1" 2>&1 && [ -f vendor/rtheap-0.1.0/csrc/rtheap.c ] && [ -f src/rt.rs ]
}
step_build() { # the project as cargo-build-offline builds it
    project && sh -e "$snip/cargo-build-offline" >"$1" 2>&1
}
step_run() { # cargo-run: the quick start's firmware under QEMU
    timeout 120 sh -e "$snip/cargo-run" >"$1" 2>&1 </dev/null && grep -q "$QUICKSTART_OK" "$1"
}
with_bin() { # $1: the log, $2: a main of $work, built as src/bin/$2.rs (then removed)
    cp "$work/$2.rs" src/bin/ && build >"$1" 2>&1
    rc=$?
    rm -f "src/bin/$2.rs"
    return $rc
}
step_pool() { # the default heap in a static pool: src/bin/pool.rs
    project && with_bin "$1" pool
}
step_ram2() { # memory.x with the PSRAM: src/bin/regions.rs
    project && cp "$snip/cargo-memory-x-ram2" memory.x && with_bin "$1" regions
}
step_migrate() { # from embedded-alloc: src/bin/migrated.rs, the feature allocator_api
    project && manifest cargo-toml-embedded-alloc && with_bin "$1" migrated
}
cpu_board() { # the QEMU board of a cargo-config-* snippet
    case $1 in
        cargo-config-thumbv6m | cargo-config-lld) echo microbit ;;
        cargo-config-thumbv7em-hf) echo mps2-an386 ;;
        cargo-config-thumbv8m-main) echo mps2-an505 ;;
    esac
}
step_cpu() { # $2: a cargo-config-* snippet: main.rs built and run by its runner
    project && cp "$snip/$2" .cargo/config.toml && cp "$root/boards/$(cpu_board "$2")/memory.x" memory.x &&
        RUSTC_BOOTSTRAP=1 CARGO_HOME=$fw/.cargo-offline CARGO_PROFILE_DEV_DEBUG=false \
            timeout 300 /usr/bin/cargo run </dev/null >"$1" 2>&1 && grep -q "$QUICKSTART_OK" "$1"
}
step_checkout() { # the crate from the checkout (cargo-toml-checkout)
    project && manifest cargo-toml-checkout && build >"$1" 2>&1
}
step_heaps() { # several heaps (cargo-toml-heaps, rust-heaps): src/bin/heaps.rs
    project && manifest cargo-toml-heaps && with_bin "$1" heaps
}
steps_of() { # the steps that use snippet $1
    case $1 in
        cargo-package) echo step_package ;;
        cargo-toml-package | rust-quickstart | cargo-memory-x | cargo-config | cargo-build-offline) echo step_build ;;
        cargo-run) echo step_run ;;
        rust-global-allocator) echo step_pool step_ram2 ;;
        rust-pool) echo step_pool ;;
        cargo-memory-x-ram2) echo step_ram2 ;;
        cargo-toml-checkout) echo step_checkout ;;
        cargo-toml-heaps | rust-heaps) echo step_heaps ;;
        cargo-toml-embedded-alloc | rust-embedded-alloc) echo step_migrate ;;
        cargo-config-*) echo "step_cpu:$1" ;;
    esac
}

# --- the package and the offline build (both modes) -----------------------------
# 1. the package, as the README makes it
if step_package "$work/package.log"; then
    pass "cargo package: $(tar -tzf target/package/rtheap-0.1.0.crate | grep -c "csrc/") files of csrc/ (the C library) in the package"
else
    cat "$work/package.log"; fail "cargo package / unpack"
fi
[ ! -e vendor/rtheap-0.1.0/csrc ] || [ ! -L vendor/rtheap-0.1.0/csrc ] || fail "the package holds a link, not the sources"

# 2. the offline build as the README shows it (cold: core, alloc, compiler_builtins)
t0=$(now)
if step_build "$work/build.log"; then
    t1=$(now)
    pass "cold build (packaged crate, core/alloc from source): $(secs "$t0" "$t1") s"
    grep -q "Compiling rtheap v0.1.0 ($fw/vendor/rtheap-0.1.0)" "$work/build.log" \
        && pass "rtheap built from the unpacked package" || fail "rtheap not built from vendor/: $(grep rtheap "$work/build.log")"
    grep -q "warning: rtheap" "$work/build.log" && fail "build.rs warned: $(grep 'warning: rtheap' "$work/build.log")"
else
    sed 's/^/    /' "$work/build.log" | tail -40; fail "the README's offline build"
fi

if [ "$mode" = mutations ]; then
    [ "$failed" -eq 0 ] || { echo "readme.sh: the unbroken snippets must build first"; echo "$passed passed, $failed failed"; exit 1; }
    # Each snippet broken in turn, the others as written.
    bad=$work/broken
    tm=$(now)
    for id in $known; do
        rm -rf "$bad" && cp -r "$good" "$bad"
        case $(lang_of "$id") in
            sh) { echo "echo $BROKEN >&2; exit 1"; cat "$good/$id"; } >"$bad/$id" ;;
            toml) { echo "$BROKEN = !"; cat "$good/$id"; } >"$bad/$id" ;;
            rust) { cat "$good/$id"; echo "compile_error!(\"$BROKEN\");"; } >"$bad/$id" ;;
            ld) { echo "ASSERT(0, \"$BROKEN\")"; cat "$good/$id"; } >"$bad/$id" ;;
            *) fail "mutation[$id]: no mutation for a \`\`\`$(lang_of "$id") snippet"; continue ;;
        esac
        snip=$bad
        t0=$(now)
        for step in $(steps_of "$id"); do
            if [ "$step" = step_package ]; then
                # in a folder of its own: the project's vendor/ stays as it is
                mkdir -p "$work/pkg" && (cd "$work/pkg" && step_package "$work/mut.log")
            else
                # step_cpu:<id> takes the snippet as its second argument
                ${step%%:*} "$work/mut.log" "${step#*:}"
            fi
            st=$?
            if [ "$st" -eq 0 ]; then
                fail "mutation[$id] ($(where "$id")): $step passed with the snippet broken: the breakage went unnoticed"
            elif grep -q "$BROKEN" "$work/mut.log"; then
                pass "mutation[$id]: $step failed on the broken snippet ($(secs "$t0" "$(now)") s)"
            else
                sed 's/^/    /' "$work/mut.log" | tail -20
                fail "mutation[$id] ($(where "$id")): $step failed, but not because of the breakage"
            fi
        done
        snip=$good
    done
    project
    echo "mutations: $(echo "$known" | wc -w) snippets broken one at a time in $(secs "$tm" "$(now)") s"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# 3. the quick start's firmware, run as cargo-run says; the pool firmware
if step_run "$work/run.log"; then
    sed 's/^/    /' "$work/run.log"
    pass "cargo-run: the quick start's firmware printed \"$QUICKSTART_OK\""
else
    sed 's/^/    /' "$work/run.log"; fail "cargo-run: the quick start's firmware (exit or output)"
fi
if step_pool "$work/pool.log"; then
    run_fw "$elf/pool" "pool firmware: heap 65536 bytes.*OK"
else
    sed 's/^/    /' "$work/pool.log" | tail -30; fail "build of the rust-pool snippet"
fi
if step_ram2 "$work/ram2.log"; then
    run_fw "$elf/regions" "regions firmware: 2 regions, .*OK"
else
    sed 's/^/    /' "$work/ram2.log" | tail -30; fail "build with the cargo-memory-x-ram2 snippet"
fi
project
touch src/main.rs
t0=$(now)
sh -e "$snip/cargo-build-offline" >/dev/null 2>&1
pass "warm rebuild after a change to main.rs: $(secs "$t0" "$(now)") s"

lib_for() { # $1: directory, then the gcc CPU flags
    d=$1; shift; mkdir -p "$d"
    for c in vendor/rtheap-0.1.0/csrc/*.c; do
        arm-none-eabi-gcc "$@" -O2 -ffreestanding -Ivendor/rtheap-0.1.0/csrc -c "$c" \
            -o "$d/$(basename "$c" .c).o"
    done
    arm-none-eabi-ar crs "$d/librtheap.a" "$d"/*.o
}
# 4. negative control: a prebuilt library for the hard-float ABI
hf=$work/hardfloat
lib_for "$hf" -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
if RTHEAP_LIB_DIR=$hf build >"$work/neg.log" 2>&1; then
    fail "RTHEAP_LIB_DIR with a hard-float librtheap.a built for thumbv7m-none-eabi"
elif grep -q "uses the hard-float (floats in VFP registers) ABI, but the Rust target thumbv7m-none-eabi uses the soft-float ABI" "$work/neg.log"; then
    pass "RTHEAP_LIB_DIR with a hard-float library: refused with the crate's message"
    grep -q "error: linking with" "$work/neg.log" && fail "it got as far as the link"
    sed -n '/rtheap: RTHEAP_LIB_DIR/p' "$work/neg.log" | sed 's/^/    /'
else
    sed 's/^/    /' "$work/neg.log" | tail -20; fail "RTHEAP_LIB_DIR hard-float: failed, but not with the crate's message"
fi
# ... a soft-float library for a newer architecture (Cortex-M33, Armv8-M Mainline) too,
lib_for "$work/m33" -mcpu=cortex-m33 -mthumb -mfloat-abi=soft
if RTHEAP_LIB_DIR=$work/m33 build >"$work/neg2.log" 2>&1; then
    fail "RTHEAP_LIB_DIR with an Armv8-M Mainline librtheap.a built for thumbv7m-none-eabi"
elif grep -q "is built for the Arm architecture v8-M.mainline, which the Rust target thumbv7m-none-eabi cannot run" "$work/neg2.log"; then
    pass "RTHEAP_LIB_DIR with a Cortex-M33 library: refused with the crate's message"
else
    sed 's/^/    /' "$work/neg2.log" | tail -20; fail "RTHEAP_LIB_DIR Cortex-M33: failed, but not with the crate's message"
fi
# ... and a library for the target's own CPU and ABI (Cortex-M3, soft-float) is taken.
sf=$work/softfloat
lib_for "$sf" -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
if RTHEAP_LIB_DIR=$sf build >"$work/pos.log" 2>&1; then
    run_fw "$elf/fw" "$QUICKSTART_OK"
else
    sed 's/^/    /' "$work/pos.log" | tail -20; fail "RTHEAP_LIB_DIR with a soft-float Cortex-M3 library"
fi

# 5. from the checkout instead
if step_checkout "$work/checkout.log"; then
    grep -q "Compiling rtheap v0.1.0 ($root/rust/rtheap)" "$work/checkout.log" \
        && pass "rtheap built from the checkout" || fail "rtheap not rebuilt from the checkout"
    run_fw "$elf/fw" "$QUICKSTART_OK"
else
    sed 's/^/    /' "$work/checkout.log" | tail -20; fail "build with the checkout's crate"
fi

# 6. several heaps, with the allocator-api feature
if step_heaps "$work/heaps.log"; then
    run_fw "$elf/heaps" "heaps firmware: .*OK"
else
    sed 's/^/    /' "$work/heaps.log" | tail -30; fail "build of the rust-heaps snippet"
fi

# 7. from embedded-alloc: the feature's other name, a Heap as the global allocator
if step_migrate "$work/migrate.log"; then
    run_fw "$elf/migrated" "migrated firmware: .*OK"
else
    sed 's/^/    /' "$work/migrate.log" | tail -30; fail "build of the rust-embedded-alloc snippet"
fi

# 8. a .cargo/config.toml for each CPU: built and run by cargo run (cold builds of core)
for id in cargo-config-thumbv6m cargo-config-thumbv7em-hf cargo-config-thumbv8m-main cargo-config-lld; do
    t0=$(now)
    if step_cpu "$work/cpu.log" "$id"; then
        pass "$id: built and run on $(cpu_board "$id") by cargo run ($(secs "$t0" "$(now)") s)"
    else
        sed 's/^/    /' "$work/cpu.log" | tail -30; fail "$id: build or run on $(cpu_board "$id")"
    fi
done
project

# 9. stable channel: the crate without the feature uses nothing unstable; with it, it
#    is refused (so the feature is what needs nightly, and only it).
lib=vendor/rtheap-0.1.0/src/lib.rs
host=$(/usr/bin/rustc -vV | sed -n 's/^host: //p')
if /usr/bin/rustc --edition 2021 --crate-type lib --crate-name rtheap --target "$host" \
    --emit metadata -o "$work/stable.rmeta" "$lib" >"$work/stable.log" 2>&1; then
    pass "the crate builds on the stable channel without the feature"
else
    cat "$work/stable.log"; fail "the crate needs an unstable feature without allocator-api"
fi
if /usr/bin/rustc --edition 2021 --crate-type lib --crate-name rtheap --target "$host" \
    --cfg 'feature="allocator-api"' --emit metadata -o "$work/feature.rmeta" "$lib" >"$work/feature.log" 2>&1; then
    fail "allocator-api built on the stable channel: the test cannot tell"
elif grep -q "E0554" "$work/feature.log"; then
    pass "allocator-api: refused on the stable channel (E0554), as documented"
else
    cat "$work/feature.log"; fail "allocator-api on stable failed, but not for the feature gate"
fi
if RUSTC_BOOTSTRAP=1 /usr/bin/rustc --edition 2021 --crate-type lib --crate-name rtheap --target "$host" \
    --cfg 'feature="allocator-api"' --emit metadata -o "$work/feature.rmeta" "$lib" >"$work/feature.log" 2>&1; then
    pass "allocator-api builds with RUSTC_BOOTSTRAP=1"
else
    cat "$work/feature.log"; fail "allocator-api does not build with RUSTC_BOOTSTRAP=1"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
