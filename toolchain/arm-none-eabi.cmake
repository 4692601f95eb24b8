# SPDX-License-Identifier: MIT OR Apache-2.0
# Cross toolchain for bare-metal Arm Cortex-M with the GNU Arm Embedded toolchain
# (Debian: gcc-arm-none-eabi). One build tree per CPU:
#
#   cmake -G Ninja -B build/cortex-m3 \
#         -DCMAKE_TOOLCHAIN_FILE=toolchain/arm-none-eabi.cmake -DRTHEAP_CPU=cortex-m3
#
# RTHEAP_CPU names a fragment toolchain/cpu/<cpu>.cmake which sets
#   RTHEAP_CPU_FLAGS        compiler/linker flags selecting the CPU and float ABI
#   RTHEAP_CPU_RUST_TARGET  the matching Rust target triple
#   RTHEAP_CPU_BOARDS       boards (boards/<name>/) that are built in this tree
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(RTHEAP_CPU "cortex-m3" CACHE STRING "CPU fragment from toolchain/cpu/ (cortex-m0, cortex-m3, cortex-m4, cortex-m4f, cortex-m7, cortex-m33)")
# try_compile() projects re-read this file: hand them the CPU too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES RTHEAP_CPU)

set(_rtheap_cpu_file "${CMAKE_CURRENT_LIST_DIR}/cpu/${RTHEAP_CPU}.cmake")
if(NOT EXISTS "${_rtheap_cpu_file}")
  message(FATAL_ERROR "RTHEAP_CPU=${RTHEAP_CPU}: no fragment ${_rtheap_cpu_file}")
endif()
include("${_rtheap_cpu_file}")

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
set(CMAKE_OBJCOPY arm-none-eabi-objcopy CACHE FILEPATH "objcopy")
set(CMAKE_SIZE arm-none-eabi-size CACHE FILEPATH "size")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT
  "${RTHEAP_CPU_FLAGS} -ffunction-sections -fdata-sections -fno-delete-null-pointer-checks")
set(CMAKE_CXX_FLAGS_INIT "${CMAKE_C_FLAGS_INIT}")
set(CMAKE_ASM_FLAGS_INIT "${RTHEAP_CPU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${RTHEAP_CPU_FLAGS} -Wl,--gc-sections -nostartfiles")

# Never pick up host libraries or headers.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
