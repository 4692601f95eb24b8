#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap package test driver (registered by tests/package/CMakeLists.txt).
#   run.sh MODE ROOT WORK CC GENERATOR [CPU BOARD]
# MODE: subdirectory | fetchcontent | find_package | pkg-config | config_header | cross |
#       cross_subdirectory
# Configures, builds and runs the consumer project tests/package/consumer in WORK/MODE:
#   subdirectory, fetchcontent  against the repository ROOT (offline: SOURCE_DIR)
#   find_package, pkg-config    against `cmake --install` of ROOT into WORK/MODE/prefix
#   config_header               rtheap built with RTHEAP_CONFIG_HEADER=consumer_options.h, a
#                               path relative to the consumer's folder: by add_subdirectory,
#                               then installed (cmake run in that folder) and used by
#                               find_package and pkg-config, and by pkg-config again after
#                               the prefix moved; the consumer must see the header's
#                               settings through rtheap.h and the library must have them
#   cross                       the same install for CPU with toolchain/arm-none-eabi.cmake,
#                               a consumer firmware for BOARD configured with the installed
#                               toolchain file and linked with the installed linker script
#                               and memory.x, run under qemu-system-arm; then a consumer for
#                               another CPU, a host consumer, and one of rtheap::libc on the
#                               other C library, must be refused by the package config; a softfp consumer of
#                               a soft-float package builds and runs; (cortex-m3) rtheap
#                               installed with an own toolchain file serves a firmware, and
#                               a picolibc package that passes its --specs on is refused by
#                               a --specs=nano.specs project
#   cross_subdirectory          add_subdirectory() in a cross consumer: the default build
#                               must not build rtheap_libc; a newlib firmware that links
#                               rtheap::libc builds and runs; RTHEAP_LIBC=picolibc against
#                               a --specs=nano.specs toolchain stops at configure time;
#                               the newlib firmware again with LTO; RTHEAP_INSTALL=ON in
#                               the subproject installs rtheap and rtheap::libc
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

build_install() { # name (tree $w/rtheap$name, prefix $w/prefix$name), cmake args...
    name=$1; shift
    step "configure rtheap$name (install tree)" cmake -G "$gen" -S "$root" -B "$w/rtheap$name" \
        -DRTHEAP_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX="$w/prefix$name" "$@"
    step "build rtheap$name" cmake --build "$w/rtheap$name"
    step "install rtheap$name into $w/prefix$name" cmake --install "$w/rtheap$name"
}

install_rtheap() { # extra cmake args...
    # shellcheck disable=SC2086
    build_install "" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release $cross_args "$@"
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
    config_header)
        opts=-DRTHEAP_CONSUMER_EXPECT_OPTIONS=ON
        consumer_cmake -DRTHEAP_CONSUMER_MODE=subdirectory -DRTHEAP_SOURCE_DIR="$root" \
            -DRTHEAP_CONFIG_HEADER=consumer_options.h $opts
        step "run consumer (add_subdirectory)" "$w/consumer/consumer"
        rm -rf "$w/consumer"
        # The name relative to the folder cmake runs in.
        (cd "$consumer" && install_rtheap -DRTHEAP_CONFIG_HEADER=consumer_options.h) || exit 1
        # Re-run from another folder (as a build tool does): the header stays resolved.
        step "re-run cmake on the install tree from $w" cmake "$w/rtheap"
        grep -q "options from $consumer/consumer_options.h" "$log" ||
            { cat "$log"; echo "package[$mode]: FAILED: the options header was lost"; exit 1; }
        [ -f "$w/prefix/include/rtheap_options.h" ] ||
            { echo "package[$mode]: FAILED: the options header was not installed"; exit 1; }
        if grep -n "$consumer" "$w/prefix/lib/cmake/rtheap/"rtheapTargets*.cmake; then
            echo "package[$mode]: FAILED: the package names the source tree's header"; exit 1
        fi
        consumer_cmake -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix" $opts
        step "run consumer (find_package)" "$w/consumer/consumer"
        for prefix in prefix moved; do
            [ "$prefix" = moved ] && mv "$w/prefix" "$w/moved"
            flags=$(PKG_CONFIG_PATH="$w/$prefix/lib/pkgconfig" pkg-config --cflags --libs rtheap) ||
                { echo "package[$mode]: FAILED: pkg-config --cflags --libs rtheap"; exit 1; }
            # shellcheck disable=SC2086
            step "cc consumer.c \$(pkg-config --cflags --libs rtheap) ($prefix)" \
                "$cc" -DRTHEAP_CONSUMER_EXPECT_OPTIONS "$consumer/consumer.c" $flags \
                -o "$w/consumer-pc"
            step "run consumer (pkg-config, $prefix)" "$w/consumer-pc"
        done ;;
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
        # Found from a host project: refused, with the package's own reason.
        expect_fail "find_package from a host project is refused" "but this project is a host build" \
            cmake -G "$gen" -S "$consumer" -B "$w/consumer-host" \
            -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix"
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
            -DCMAKE_TOOLCHAIN_FILE="$tc" -DRTHEAP_CPU="$cpu" "-DCMAKE_C_FLAGS=$specs"
        # A soft-float package serves a softfp project (the same calling convention).
        case $(sed -n 's/^set(RTHEAP_CPU_FLAGS "\(.*\)")$/\1/p' "$root/toolchain/cpu/$cpu.cmake") in
            *-mfloat-abi=soft)
                rm -rf "$w/consumer"
                consumer_cmake -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix" \
                    -DRTHEAP_CONSUMER_BOARD="$root/boards/$board" -DCMAKE_TOOLCHAIN_FILE="$tc" \
                    -DRTHEAP_CPU="$cpu" "-DCMAKE_C_FLAGS=-mcpu=$cpu -mthumb -mfloat-abi=softfp"
                qemu_run "consumer.elf (softfp)" "$w/consumer/consumer.elf" ;;
        esac
        # rtheap installed with the firmware's own toolchain file, which names only the
        # compiler and the CPU flags (no RTHEAP_CPU): the package records that CPU.
        if [ "$cpu" = cortex-m3 ]; then
            flags="-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"
            printf '%s\n' "set(CMAKE_SYSTEM_NAME Generic)" "set(CMAKE_SYSTEM_PROCESSOR arm)" \
                "set(CMAKE_C_COMPILER arm-none-eabi-gcc)" "set(CMAKE_CXX_COMPILER arm-none-eabi-g++)" \
                "set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)" \
                "set(CMAKE_C_FLAGS_INIT \"$flags\")" "set(CMAKE_CXX_FLAGS_INIT \"$flags\")" \
                >"$w/own-toolchain.cmake"
            build_install -own -DCMAKE_TOOLCHAIN_FILE="$w/own-toolchain.cmake"
            rm -rf "$w/consumer"
            consumer_cmake -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix-own" \
                -DRTHEAP_CONSUMER_BOARD="$root/boards/$board" \
                -DCMAKE_TOOLCHAIN_FILE="$w/own-toolchain.cmake"
            qemu_run "consumer.elf (own toolchain file)" "$w/consumer/consumer.elf"
        fi
        # A package whose rtheap::libc passes its --specs on (RTHEAP_LIBC=picolibc over
        # newlib, the compiler's default), found from a project whose flags name newlib-nano:
        # refused. One tree is enough.
        if [ "$cpu" = cortex-m3 ]; then
            # shellcheck disable=SC2086
            build_install -pico -DCMAKE_C_COMPILER="$cc" -DRTHEAP_LIBC=picolibc $cross_args
            expect_fail "rtheap::libc for picolibc, found from a --specs=nano.specs project, is refused" \
                "was built for picolibc, but this project builds with newlib-nano" \
                cmake -G "$gen" -S "$consumer" -B "$w/consumer-pico" -DCMAKE_C_COMPILER="$cc" \
                -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix-pico" \
                -DCMAKE_TOOLCHAIN_FILE="$tc" -DRTHEAP_CPU="$cpu" "-DCMAKE_C_FLAGS=--specs=nano.specs"
        fi ;;
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
            -DRTHEAP_LIBC=picolibc "-DCMAKE_C_FLAGS=--specs=nano.specs"
        # LTO: newlib's members call _malloc_r after the LTO step; rtheap::libc's objects
        # must still be there.
        # shellcheck disable=SC2086
        step "configure consumer with LTO" cmake -G "$gen" -S "$consumer" -B "$w/consumer-lto" \
            -DCMAKE_C_COMPILER="$cc" -DRTHEAP_CONSUMER_MODE=subdirectory \
            -DRTHEAP_SOURCE_DIR="$root" -DRTHEAP_CONSUMER_BOARD="$root/boards/$board" \
            -DRTHEAP_CONSUMER_LIBC=ON -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON $cross_args
        step "build consumer_libc.elf with LTO" \
            cmake --build "$w/consumer-lto" --target consumer_libc.elf
        qemu_run "consumer_libc.elf (LTO)" "$w/consumer-lto/consumer_libc.elf"
        # A subproject that installs rtheap: its install holds rtheap::libc too.
        # shellcheck disable=SC2086
        step "configure consumer with RTHEAP_INSTALL=ON" cmake -G "$gen" -S "$consumer" \
            -B "$w/consumer-install" -DCMAKE_C_COMPILER="$cc" -DRTHEAP_CONSUMER_MODE=subdirectory \
            -DRTHEAP_SOURCE_DIR="$root" -DRTHEAP_INSTALL=ON $cross_args
        step "build it" cmake --build "$w/consumer-install"
        step "install rtheap from the subproject" \
            cmake --install "$w/consumer-install" --prefix "$w/subproject-prefix"
        for f in lib/librtheap.a lib/librtheap_libc.a include/rtheap_libc.h; do
            [ -f "$w/subproject-prefix/$f" ] ||
                { echo "package[$mode]: FAILED: $f not installed by the subproject"; exit 1; }
        done ;;
    *)
        echo "package: unknown mode '$mode'"; exit 1 ;;
esac
echo "package[$mode]: OK"
