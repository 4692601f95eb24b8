# SPDX-License-Identifier: MIT OR Apache-2.0
# Cortex-M0 (Armv6-M): no CLZ, no UDIV, no unaligned access.
set(RTHEAP_CPU_FLAGS "-mcpu=cortex-m0 -mthumb -mfloat-abi=soft")
set(RTHEAP_CPU_RUST_TARGET "thumbv6m-none-eabi")
set(RTHEAP_CPU_BOARDS microbit)
