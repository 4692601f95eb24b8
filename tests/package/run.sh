#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap package test driver (registered by tests/package/CMakeLists.txt).
#   run.sh MODE ROOT WORK CC GENERATOR [CPU BOARD]
# MODE: subdirectory | fetchcontent | find_package | pkg-config | cross | cross_subdirectory
# Configures, builds and runs the consumer project tests/package/consumer in WORK/MODE:
#   subdirectory, fetchcontent  against the repository ROOT (offline: SOURCE_DIR)
#   find_package, pkg-config    against `cmake --install` of ROOT into WORK/MODE/prefix
#   cross                       the same install for CPU with toolchain/arm-none-eabi.cmake,
#                               a consumer firmware for BOARD configured with the installed
#                               toolchain file and linked with the installed linker script
#                               and memory.x, run under qemu-system-arm; then a consumer for
#                               another CPU, and one of rtheap::libc on the other C library,
#                               must be refused by the package config
#   cross_subdirectory          add_subdirectory() in a cross consumer: the default build
#                               must not build rtheap_libc; a newlib firmware that links
#                               rtheap::libc builds and runs; RTHEAP_LIBC=picolibc against
#                               a --specs=nano.specs toolchain stops at configure time
# Exit status 0 when the consumer built and returned 0.
set -u
mode=$1 root=$2 work=$3 cc=$4 gen=$5
cpu=${6:-} board=${7:-}
w=$work/$mode
consumer=$root/tests/package/consumer
rm -rf "$w"
mkdir -p "$w"
log=$w/step.log

expect_fail() { # description, regex, command...: must fail with output matching regex
    what=$1; re=$2; shift 2
    echo "package[$mode]: $what"
    if "$@" >"$log" 2>&1; then
        cat "$log"; echo "package[$mode]: FAILED: $what: it succeeded"; exit 1
    fi
    # CMake wraps messages: match on the output with its lines joined.
    if ! tr -s ' \n' '  ' <"$log" | grep -Eq -- "$re"; then
        cat "$log"; echo "package[$mode]: FAILED: $what: no message matching /$re/"; exit 1
    fi
    grep -A6 'CMake Error' "$log" | head -n 8 | sed 's/^/    /'
}

qemu_run() { # what, elf
    get() { sed -n "s/^set(BOARD_$1 \(.*\))$/\1/p" "$root/boards/$board/board.cmake"; }
    step "run $1 on $board (qemu-system-arm -M $(get QEMU_MACHINE))" \
        timeout -k 5 30 qemu-system-arm -M "$(get QEMU_MACHINE)" -cpu "$(get QEMU_CPU)" \
        -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native,chardev=sh0 -chardev stdio,id=sh0 \
        -kernel "$2"
}

step() { # description, command...
    what=$1; shift
    echo "package[$mode]: $what"
    if ! "$@" >"$log" 2>&1; then
        cat "$log"
        echo "package[$mode]: FAILED: $what"
        exit 1
    fi
}

cross_args=
if [ "$mode" = cross ] || [ "$mode" = cross_subdirectory ]; then
    cross_args="-DCMAKE_TOOLCHAIN_FILE=$root/toolchain/arm-none-eabi.cmake -DRTHEAP_CPU=$cpu"
    cc=arm-none-eabi-gcc
fi

install_rtheap() {
    # shellcheck disable=SC2086
    step "configure rtheap (install tree)" cmake -G "$gen" -S "$root" -B "$w/rtheap" \
        -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release -DRTHEAP_BUILD_TESTS=OFF \
        -DCMAKE_INSTALL_PREFIX="$w/prefix" $cross_args
    step "build rtheap" cmake --build "$w/rtheap"
    step "install rtheap into $w/prefix" cmake --install "$w/rtheap"
    for f in include/rtheap.h include/rtheap_config.h lib/librtheap.a \
             lib/cmake/rtheap/rtheapConfig.cmake lib/cmake/rtheap/rtheapConfigVersion.cmake \
             lib/pkgconfig/rtheap.pc share/rtheap/linker/cortex-m.ld \
             share/rtheap/linker/rtheap-cubemx.ld share/rtheap/linker/rtheap-cortex-m-rt.ld \
             share/rtheap/boards/mps2-an385/memory.x share/rtheap/boards/mps2-an385/ram2.x \
             share/rtheap/boards/microbit/memory.x share/rtheap/toolchain/arm-none-eabi.cmake \
             share/rtheap/toolchain/cpu/cortex-m3.cmake; do
        [ -f "$w/prefix/$f" ] || { echo "package[$mode]: FAILED: $f not installed"; exit 1; }
    done
    # CPU flags are the consumer's toolchain's business; warnings stay rtheap's own.
    # (rtheapConfig.cmake holds the package's CPU flags as data, for its CPU check.)
    if grep -nE -- '-mcpu|-mthumb|-mfloat-abi|-mfpu|-Werror|rtheap_warnings' \
            "$w/prefix/lib/cmake/rtheap/"rtheapTargets*.cmake "$w/prefix/lib/pkgconfig/rtheap.pc"; then
        echo "package[$mode]: FAILED: the installed package carries CPU or warning flags"
        exit 1
    fi
}

consumer_cmake() { # extra cmake args...
    step "configure consumer ($*)" cmake -G "$gen" -S "$consumer" -B "$w/consumer" \
        -DCMAKE_C_COMPILER="$cc" "$@"
    step "build consumer" cmake --build "$w/consumer"
}

case "$mode" in
    subdirectory|fetchcontent)
        consumer_cmake -DRTHEAP_CONSUMER_MODE="$mode" -DRTHEAP_SOURCE_DIR="$root" \
            -DFETCHCONTENT_FULLY_DISCONNECTED=ON
        step "run consumer" "$w/consumer/consumer" ;;
    find_package)
        install_rtheap
        consumer_cmake -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix"
        step "run consumer" "$w/consumer/consumer" ;;
    pkg-config)
        command -v pkg-config >/dev/null 2>&1 || { echo "package[$mode]: FAILED: no pkg-config"; exit 1; }
        install_rtheap
        flags=$(PKG_CONFIG_PATH="$w/prefix/lib/pkgconfig" pkg-config --cflags --libs rtheap) ||
            { echo "package[$mode]: FAILED: pkg-config --cflags --libs rtheap"; exit 1; }
        echo "package[$mode]: pkg-config --cflags --libs rtheap: $flags"
        # shellcheck disable=SC2086
        step "cc consumer.c \$(pkg-config --cflags --libs rtheap)" \
            "$cc" "$consumer/consumer.c" $flags -o "$w/consumer"
        step "run consumer" "$w/consumer" ;;
    cross)
        install_rtheap
        # The consumer uses only what was installed: toolchain file, linker script, memory.x.
        tc=$w/prefix/share/rtheap/toolchain/arm-none-eabi.cmake
        consumer_cmake -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix" \
            -DRTHEAP_CONSUMER_BOARD="$root/boards/$board" -DCMAKE_TOOLCHAIN_FILE="$tc" -DRTHEAP_CPU="$cpu"
        qemu_run consumer.elf "$w/consumer/consumer.elf"
        # The package for $cpu, found from a project for another CPU: refused at configure.
        other=cortex-m4f
        [ "$cpu" = cortex-m4f ] && other=cortex-m0
        expect_fail "find_package from a $other project is refused" "was built for $cpu" \
            cmake -G "$gen" -S "$consumer" -B "$w/consumer-$other" -DCMAKE_C_COMPILER="$cc" \
            -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix" \
            -DCMAKE_TOOLCHAIN_FILE="$tc" -DRTHEAP_CPU=$other
        # Its rtheap::libc, found from a project on the other C library: refused too.
        built=$(sed -n 's/^set(rtheap_LIBC "\(.*\)")$/\1/p' \
            "$(find "$w/prefix" -name rtheapConfig.cmake | head -n 1)")
        case $built in
            picolibc) specs=--specs=nano.specs ;;
            newlib*) specs=--specs=picolibc.specs ;;
            *) echo "package[$mode]: FAILED: the package has no rtheap::libc"; exit 1 ;;
        esac
        expect_fail "rtheap::libc for $built, found from a $specs project, is refused" \
            "was built for $built, but this project builds with" \
            cmake -G "$gen" -S "$consumer" -B "$w/consumer-libc" -DCMAKE_C_COMPILER="$cc" \
            -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix" \
            -DCMAKE_TOOLCHAIN_FILE="$tc" -DRTHEAP_CPU="$cpu" "-DCMAKE_C_FLAGS=$specs" ;;
    cross_subdirectory)
        # shellcheck disable=SC2086
        consumer_cmake -DRTHEAP_CONSUMER_MODE=subdirectory -DRTHEAP_SOURCE_DIR="$root" \
            -DRTHEAP_CONSUMER_BOARD="$root/boards/$board" -DRTHEAP_CONSUMER_LIBC=ON $cross_args
        if [ -n "$(find "$w/consumer" -name 'librtheap_libc*.a')" ]; then
            echo "package[$mode]: FAILED: the consumer's default build built rtheap_libc"; exit 1
        fi
        echo "package[$mode]: the default build left rtheap_libc out"
        qemu_run consumer.elf "$w/consumer/consumer.elf"
        step "build consumer_libc.elf (newlib, rtheap::libc)" \
            cmake --build "$w/consumer" --target consumer_libc.elf
        qemu_run consumer_libc.elf "$w/consumer/consumer_libc.elf"
        # shellcheck disable=SC2086
        expect_fail "RTHEAP_LIBC=picolibc with a --specs=nano.specs toolchain stops at configure" \
            "cannot link into a newlib-nano firmware" \
            cmake -G "$gen" -S "$consumer" -B "$w/consumer-mismatch" -DCMAKE_C_COMPILER="$cc" \
            -DRTHEAP_CONSUMER_MODE=subdirectory -DRTHEAP_SOURCE_DIR="$root" $cross_args \
            -DRTHEAP_LIBC=picolibc "-DCMAKE_C_FLAGS=--specs=nano.specs" ;;
    *)
        echo "package: unknown mode '$mode'"; exit 1 ;;
esac
echo "package[$mode]: OK"
