# SPDX-License-Identifier: MIT OR Apache-2.0
# Sourced by tools/test.sh and tools/demo.sh: make sure the Debian 12 packages the
# build and the tests need are installed (installs what is missing when run as root).
#
# The one list of packages. Later parts append theirs here (Rust, gdb, ...).
# qemu-user: runs the -m32 host tests (qemu-i386) where the kernel cannot run i386
# programs itself (the case on the CI machines: "Exec format error").
# clang, libclang-rt-14-dev: libFuzzer + sanitizers (tools/fuzz.sh); lcov: tools/coverage.sh;
# cppcheck, clang-tidy: tools/lint.sh; doxygen: tools/docs.sh (API reference); pkgconf: the
# pkg-config package test (tests/package). lld, llvm: the Rust crate linked by ld.lld without
# GCC, and its C objects read by llvm-dwarfdump (tests/rust/package.sh).
RTHEAP_PACKAGES="cmake ninja-build gcc gcc-multilib gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib picolibc-arm-none-eabi qemu-system-arm qemu-user rustc-web cargo-web rust-web-src clang libclang-rt-14-dev lcov cppcheck clang-tidy doxygen pkgconf gdb-multiarch python3 lld llvm"

rtheap_install_deps() {
    pkgs=$RTHEAP_PACKAGES
    # gcc-multilib (for the -m32 host tree) only exists on x86.
    if command -v dpkg >/dev/null 2>&1; then
        case "$(dpkg --print-architecture)" in
            amd64|i386) ;;
            *) pkgs=$(echo "$pkgs" | sed 's/ gcc-multilib//') ;;
        esac
    else
        echo "deps: no dpkg here; not checking packages (need: $pkgs)" >&2
        return 0
    fi
    missing=
    for p in $pkgs; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "deps: missing packages:$missing"
    if [ "$(id -u)" -ne 0 ]; then
        echo "deps: not root; install them with: sudo apt-get install -y --no-install-recommends$missing" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update && apt-get install -y --no-install-recommends $missing
}
