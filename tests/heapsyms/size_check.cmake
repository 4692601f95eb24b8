# SPDX-License-Identifier: MIT OR Apache-2.0
# cmake -DSIZE=<arm-none-eabi-size> -DELF=<fw.elf> -P size_check.cmake
# The heaps are symbols, not NOLOAD sections, so `size` reports
# the RAM the program uses. Fails if the firmware has a .heap/.heap2 section or if
# size's bss column reaches 1 MiB (a board's free RAM counted as bss).
execute_process(COMMAND "${SIZE}" -A "${ELF}" OUTPUT_VARIABLE sysv RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "size_check: ${SIZE} -A ${ELF} failed")
endif()
if(sysv MATCHES "\n\\.heap2? ")
  message(FATAL_ERROR "size_check: ${ELF} has a heap section:\n${sysv}")
endif()
execute_process(COMMAND "${SIZE}" "${ELF}" OUTPUT_VARIABLE berkeley)
if(NOT berkeley MATCHES "\n *[0-9]+[ \t]+[0-9]+[ \t]+([0-9]+)")
  message(FATAL_ERROR "size_check: cannot read size's output:\n${berkeley}")
endif()
if(CMAKE_MATCH_1 GREATER_EQUAL 1048576)
  message(FATAL_ERROR "size_check: size reports ${CMAKE_MATCH_1} bytes of bss:\n${berkeley}")
endif()
message(STATUS "size_check: bss ${CMAKE_MATCH_1} bytes, no heap section")
