#!/bin/sh
# rtheap package test driver (registered by tests/package/CMakeLists.txt).
#   run.sh MODE ROOT WORK CC GENERATOR [CPU BOARD]
# MODE: subdirectory | fetchcontent | find_package | pkg-config | cross
# Configures, builds and runs the consumer project tests/package/consumer in WORK/MODE:
#   subdirectory, fetchcontent  against the repository ROOT (offline: SOURCE_DIR)
#   find_package, pkg-config    against `cmake --install` of ROOT into WORK/MODE/prefix
#   cross                       the same install for CPU with toolchain/arm-none-eabi.cmake,
#                               a consumer firmware for BOARD, run under qemu-system-arm
# Exit status 0 when the consumer built and returned 0.
set -u
mode=$1 root=$2 work=$3 cc=$4 gen=$5
cpu=${6:-} board=${7:-}
w=$work/$mode
consumer=$root/tests/package/consumer
rm -rf "$w"
mkdir -p "$w"
log=$w/step.log

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
if [ "$mode" = cross ]; then
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
             lib/pkgconfig/rtheap.pc; do
        [ -f "$w/prefix/$f" ] || { echo "package[$mode]: FAILED: $f not installed"; exit 1; }
    done
    # CPU flags are the consumer's toolchain's business; warnings stay rtheap's own.
    if grep -nE -- '-mcpu|-mthumb|-mfloat-abi|-mfpu|-Werror|rtheap_warnings' \
            "$w/prefix/lib/cmake/rtheap/"*.cmake "$w/prefix/lib/pkgconfig/rtheap.pc"; then
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
        # shellcheck disable=SC2086
        consumer_cmake -DRTHEAP_CONSUMER_MODE=find_package -DCMAKE_PREFIX_PATH="$w/prefix" \
            -DRTHEAP_CONSUMER_BOARD="$root/boards/$board" $cross_args
        get() { sed -n "s/^set(BOARD_$1 \(.*\))$/\1/p" "$root/boards/$board/board.cmake"; }
        step "run consumer.elf on $board (qemu-system-arm -M $(get QEMU_MACHINE))" \
            timeout -k 5 30 qemu-system-arm -M "$(get QEMU_MACHINE)" -cpu "$(get QEMU_CPU)" \
            -nographic -monitor none -serial none \
            -semihosting-config enable=on,target=native,chardev=sh0 -chardev stdio,id=sh0 \
            -kernel "$w/consumer/consumer.elf" ;;
    *)
        echo "package: unknown mode '$mode'"; exit 1 ;;
esac
echo "package[$mode]: OK"
