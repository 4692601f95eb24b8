# SPDX-License-Identifier: MIT OR Apache-2.0
# Cortex-M4 (Armv7E-M), soft-float ABI (the netduinoplus2 / STM32F405 tree).
set(RTHEAP_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft")
set(RTHEAP_CPU_RUST_TARGET "thumbv7em-none-eabi")
set(RTHEAP_CPU_BOARDS netduinoplus2)
