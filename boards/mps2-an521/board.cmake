# SPDX-License-Identifier: MIT OR Apache-2.0
# mps2-an521: Arm MPS2 FPGA, AN521 (SSE-200: two Cortex-M33), Secure aliases. The same
# memory map as mps2-an505; CPU1 is started by CPU0 (smp.h). Used by the two-core tests
# (tests/smp), not by the per-CPU test trees. QEMU's CPU0 has neither FPU nor DSP
# extension: code for it is built -mcpu=cortex-m33+nodsp -mfloat-abi=soft (clang uses
# DSP instructions for plain cortex-m33, and CPU0 faults on them).
set(BOARD_CPU cortex-m33)
set(BOARD_QEMU_MACHINE mps2-an521)
set(BOARD_QEMU_CPU cortex-m33)
set(BOARD_RUST_TARGET thumbv8m.main-none-eabi)
set(BOARD_HAS_RAM2 OFF)
set(BOARD_CORES 2)
