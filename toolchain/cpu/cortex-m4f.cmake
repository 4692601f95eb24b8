# SPDX-License-Identifier: MIT OR Apache-2.0
# Cortex-M4F (Armv7E-M), hard-float ABI, single-precision FPU.
set(RTHEAP_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(RTHEAP_CPU_RUST_TARGET "thumbv7em-none-eabihf")
set(RTHEAP_CPU_BOARDS mps2-an386)
