# SPDX-License-Identifier: MIT OR Apache-2.0
# mps2-an385: Arm MPS2 FPGA, AN385 (Cortex-M3)
set(BOARD_CPU cortex-m3)
set(BOARD_QEMU_MACHINE mps2-an385)
set(BOARD_QEMU_CPU cortex-m3)
set(BOARD_RUST_TARGET thumbv7m-none-eabi)
set(BOARD_HAS_RAM2 ON)
