# SPDX-License-Identifier: MIT OR Apache-2.0
# Cortex-M33 (Armv8-M Mainline), soft-float ABI; runs in the Secure state on mps2-an505.
set(RTHEAP_CPU_FLAGS "-mcpu=cortex-m33 -mthumb -mfloat-abi=soft")
set(RTHEAP_CPU_RUST_TARGET "thumbv8m.main-none-eabi")
set(RTHEAP_CPU_BOARDS mps2-an505)
