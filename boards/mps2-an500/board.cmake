# SPDX-License-Identifier: MIT OR Apache-2.0
# mps2-an500: Arm MPS2 FPGA, AN500 (Cortex-M7 with FPU)
set(BOARD_CPU cortex-m7)
set(BOARD_QEMU_MACHINE mps2-an500)
set(BOARD_QEMU_CPU cortex-m7)
set(BOARD_RUST_TARGET thumbv7em-none-eabihf)
set(BOARD_HAS_RAM2 OFF)
