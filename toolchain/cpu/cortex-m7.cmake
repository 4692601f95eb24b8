# SPDX-License-Identifier: MIT OR Apache-2.0
# Cortex-M7 (Armv7E-M), hard-float ABI, double-precision FPU.
set(RTHEAP_CPU_FLAGS "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16")
set(RTHEAP_CPU_RUST_TARGET "thumbv7em-none-eabihf")
set(RTHEAP_CPU_BOARDS mps2-an500)
