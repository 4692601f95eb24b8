# SPDX-License-Identifier: MIT OR Apache-2.0
# Cortex-M3 (Armv7-M).
set(RTHEAP_CPU_FLAGS "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")
set(RTHEAP_CPU_RUST_TARGET "thumbv7m-none-eabi")
set(RTHEAP_CPU_BOARDS mps2-an385 lm3s6965evb)
