# SPDX-License-Identifier: MIT OR Apache-2.0
# lm3s6965evb: TI Stellaris LM3S6965 evaluation board (Cortex-M3)
set(BOARD_CPU cortex-m3)
set(BOARD_QEMU_MACHINE lm3s6965evb)
set(BOARD_QEMU_CPU cortex-m3)
set(BOARD_RUST_TARGET thumbv7m-none-eabi)
set(BOARD_HAS_RAM2 OFF)
