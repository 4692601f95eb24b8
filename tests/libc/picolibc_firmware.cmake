# SPDX-License-Identifier: MIT OR Apache-2.0
# Included by tests/libc/CMakeLists.txt (after RtheapTest), used there and by demo/.
include_guard(GLOBAL)
# ---------------------------------------------------------------------------------------
# rtheap_picolibc_firmware(<target> <board> [PICOLIBC_LD])
#   Makes executable <target> a picolibc firmware for boards/<board>: compiled and linked
#   with --specs=picolibc.specs --oslib=semihost and picolibc's crt0-hosted (main's return
#   value is the exit status, through semihosting), a .map file next to it. Linker script:
#     default      linker/cortex-m.ld with -L boards/<board> (memory.x, ram2.x);
#     PICOLIBC_LD  picolibc's own picolibc.ld, given the board's FLASH/RAM from memory.x
#                  through --defsym __flash/__flash_size/__ram/__ram_size/__stack_size
#                  (and -Tpicolibc.ld after them: see below).
#   The caller links rtheap::libc (or not: the negative control of the link check).
#   Cross trees link with -nostartfiles (boards/common/startup.c is the usual startup),
#   so the crt0 object is named explicitly (found with gcc -###).
# ---------------------------------------------------------------------------------------
separate_arguments(_rtheap_cpu_flags UNIX_COMMAND "${RTHEAP_CPU_FLAGS}")
file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/crt0_probe.c" "int main(void) { return 0; }\n")
execute_process(
  COMMAND ${CMAKE_C_COMPILER} ${_rtheap_cpu_flags} --specs=picolibc.specs --oslib=semihost
          --crt0=hosted "-###" "${CMAKE_CURRENT_BINARY_DIR}/crt0_probe.c"
          -o "${CMAKE_CURRENT_BINARY_DIR}/crt0_probe.elf"
  OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
string(REGEX MATCH "[^ \"]*crt0-hosted\\.o" RTHEAP_PICOLIBC_CRT0 "${_out}${_err}")
if(NOT RTHEAP_PICOLIBC_CRT0 OR NOT EXISTS "${RTHEAP_PICOLIBC_CRT0}")
  message(STATUS "rtheap: picolibc crt0-hosted.o not found: no picolibc firmware in this tree")
  set(RTHEAP_PICOLIBC_CRT0 "" CACHE INTERNAL "")
else()
  set(RTHEAP_PICOLIBC_CRT0 "${RTHEAP_PICOLIBC_CRT0}" CACHE INTERNAL "picolibc crt0 for this CPU")
endif()

function(rtheap_picolibc_firmware target board)
  cmake_parse_arguments(F "PICOLIBC_LD" "" "" ${ARGN})
  rtheap_board_info(${board} _b)
  set_target_properties(${target} PROPERTIES SUFFIX "")
  target_compile_options(${target} PRIVATE --specs=picolibc.specs)
  target_link_options(${target} PRIVATE --specs=picolibc.specs --oslib=semihost
    "${RTHEAP_PICOLIBC_CRT0}" "-Wl,-Map=$<TARGET_FILE:${target}>.map")
  if(F_PICOLIBC_LD)
    file(READ "${_b_DIR}/memory.x" mem)
    set(syms)
    foreach(region FLASH RAM)
      if(NOT mem MATCHES "[ \t\n]${region}[ \t]*\\([^)]*\\)[ \t]*:[ \t]*ORIGIN[ \t]*=[ \t]*(0x[0-9a-fA-F]+|[0-9]+)[ \t]*,[ \t]*LENGTH[ \t]*=[ \t]*([0-9]+[KM]?)")
        message(FATAL_ERROR "rtheap_picolibc_firmware: no ${region} line in ${_b_DIR}/memory.x")
      endif()
      string(TOLOWER "${region}" r)
      list(APPEND syms "-Wl,--defsym=__${r}=${CMAKE_MATCH_1}" "-Wl,--defsym=__${r}_size=${CMAKE_MATCH_2}")
    endforeach()
    # picolibc.ld named after the --defsym options: the linker reads its DEFINED() tests
    # in command-line order, and the specs file's own -Tpicolibc.ld (%{!T:...}) comes
    # before them, where __stack_size would keep the script's 2 KiB default.
    target_link_options(${target} PRIVATE ${syms} "-Wl,--defsym=__stack_size=4096"
      "-Tpicolibc.ld")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${_b_DIR}/memory.x")
  else()
    target_link_options(${target} PRIVATE "-T${RTHEAP_LINKER_SCRIPT}" "-L${_b_DIR}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
      "${RTHEAP_LINKER_SCRIPT}" "${_b_DIR}/memory.x" "${_b_DIR}/ram2.x")
  endif()
  rtheap_board_defines(${target} ${board})
endfunction()
