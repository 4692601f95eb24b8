# SPDX-License-Identifier: MIT OR Apache-2.0
# microbit: BBC micro:bit v1, nRF51822 (Cortex-M0)
set(BOARD_CPU cortex-m0)
set(BOARD_QEMU_MACHINE microbit)
set(BOARD_QEMU_CPU cortex-m0)
set(BOARD_RUST_TARGET thumbv6m-none-eabi)
set(BOARD_HAS_RAM2 OFF)
