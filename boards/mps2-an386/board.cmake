# SPDX-License-Identifier: MIT OR Apache-2.0
# mps2-an386: Arm MPS2 FPGA, AN386 (Cortex-M4 with FPU)
set(BOARD_CPU cortex-m4f)
set(BOARD_QEMU_MACHINE mps2-an386)
set(BOARD_QEMU_CPU cortex-m4)
set(BOARD_RUST_TARGET thumbv7em-none-eabihf)
set(BOARD_HAS_RAM2 ON)
