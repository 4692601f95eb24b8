# SPDX-License-Identifier: MIT OR Apache-2.0
# mps2-an505: Arm MPS2 FPGA, AN505 (Cortex-M33), Secure aliases
set(BOARD_CPU cortex-m33)
set(BOARD_QEMU_MACHINE mps2-an505)
set(BOARD_QEMU_CPU cortex-m33)
set(BOARD_RUST_TARGET thumbv8m.main-none-eabi)
set(BOARD_HAS_RAM2 OFF)
