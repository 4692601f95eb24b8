# SPDX-License-Identifier: MIT OR Apache-2.0
# netduinoplus2: Netduino Plus 2, STM32F405 (Cortex-M4, soft-float); 64K CCM unused (not modelled by QEMU 7.2)
set(BOARD_CPU cortex-m4)
set(BOARD_QEMU_MACHINE netduinoplus2)
set(BOARD_QEMU_CPU cortex-m4)
set(BOARD_RUST_TARGET thumbv7em-none-eabi)
set(BOARD_HAS_RAM2 OFF)
