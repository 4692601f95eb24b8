# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap test and board helpers (included by tests/CMakeLists.txt; reusable by the demo,
# Rust and picolibc parts).
#
#   rtheap_board_info(<board> <prefix>)
#       Reads boards/<board>/board.cmake and sets in the caller:
#         <prefix>_DIR  <prefix>_CPU  <prefix>_QEMU_MACHINE  <prefix>_QEMU_CPU
#         <prefix>_RUST_TARGET  <prefix>_HAS_RAM2
#
#   rtheap_qemu_command(<out_var> <board> <elf>)
#       Sets <out_var> to the QEMU command (a list) that runs <elf> on <board>, with
#       semihosting console on stdout and QEMU's exit status = the firmware's exit code.
#
#   rtheap_firmware_link(<target> <board>)
#       Makes <target> (an executable) a firmware for <board>: linker/cortex-m.ld,
#       -L boards/<board>, startup + semihosting + minilibc, libgcc, no libc,
#       a .map file, and arm-none-eabi-size printed after the link.
#
#   rtheap_add_test(NAME <n> SOURCES <files...> [LIBS <targets...>] [DEFINES <defs...>]
#                   [BOARDS <boards...>] [WILL_FAIL] [TIMEOUT <s>] [HOST_ONLY]
#                   [TARGET_ONLY] [EXPECT_EXIT <code>] [EXPECT_OUTPUT <regex>])
#       Host build: executable host.<n> and test "host.<n>".
#       Cross build: for every board of this CPU tree (RTHEAP_CPU_BOARDS, or the BOARDS
#       subset of it) executable <n>.<board>.elf and test "<board>.<n>" under QEMU.
#       Every test executable gets the harness (tests/harness) and RTHEAP_BOARD_NAME
#       ("host" on the host), RTHEAP_BOARD_HAS_RAM2 (0/1) definitions.
#       A test passes when the program exits 0, unless
#         WILL_FAIL          it must exit non-zero (a timeout still fails);
#         EXPECT_EXIT <c>    it must exit exactly <c> (tools/expect-exit.sh);
#         EXPECT_OUTPUT <re> its output must also match the extended regex <re>.
#       TIMEOUT defaults to 60 s; a hang is killed and fails.

include_guard(GLOBAL)

get_filename_component(RTHEAP_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(RTHEAP_LINKER_SCRIPT "${RTHEAP_ROOT}/linker/cortex-m.ld")
set(RTHEAP_BOARDS_DIR "${RTHEAP_ROOT}/boards")
set(RTHEAP_EXPECT_EXIT "${RTHEAP_ROOT}/tools/expect-exit.sh")
set(RTHEAP_ALL_BOARDS mps2-an385 lm3s6965evb mps2-an386 mps2-an500 mps2-an505 microbit netduinoplus2)
set(RTHEAP_TEST_TIMEOUT 60 CACHE STRING "Default per-test timeout (seconds)")
# Host build: a program that runs the test executables (e.g. qemu-i386 for the -m32 tree
# on a kernel without 32-bit support). Empty: run them directly.
set(RTHEAP_HOST_RUNNER "" CACHE STRING "Command prefix to run host test executables")

find_program(RTHEAP_QEMU qemu-system-arm)
find_program(RTHEAP_TIMEOUT timeout)

function(rtheap_board_info board prefix)
  set(dir "${RTHEAP_BOARDS_DIR}/${board}")
  if(NOT EXISTS "${dir}/board.cmake")
    message(FATAL_ERROR "rtheap: unknown board '${board}' (no ${dir}/board.cmake)")
  endif()
  include("${dir}/board.cmake")
  set(${prefix}_DIR "${dir}" PARENT_SCOPE)
  foreach(v CPU QEMU_MACHINE QEMU_CPU RUST_TARGET HAS_RAM2)
    set(${prefix}_${v} "${BOARD_${v}}" PARENT_SCOPE)
  endforeach()
endfunction()

# Defines RTHEAP_BOARD_NAME ("<board>") and RTHEAP_BOARD_HAS_RAM2 (0/1) for <target>.
function(rtheap_board_defines target board)
  rtheap_board_info(${board} _b)
  if(_b_HAS_RAM2)
    set(ram2 1)
  else()
    set(ram2 0)
  endif()
  target_compile_definitions(${target} PRIVATE RTHEAP_BOARD_NAME="${board}"
    RTHEAP_BOARD_HAS_RAM2=${ram2})
endfunction()

function(rtheap_qemu_command out board elf)
  rtheap_board_info(${board} _b)
  set(qemu "${RTHEAP_QEMU}")
  if(NOT qemu)
    set(qemu qemu-system-arm)
  endif()
  set(${out}
    "${qemu}" -M ${_b_QEMU_MACHINE} -cpu ${_b_QEMU_CPU}
    -nographic -monitor none -serial none
    -semihosting-config enable=on,target=native,chardev=sh0
    -chardev stdio,id=sh0
    -kernel "${elf}"
    PARENT_SCOPE)
endfunction()

# Firmware support objects, built once per tree (same CPU flags for every board).
function(_rtheap_firmware_support)
  if(TARGET rtheap_fw)
    return()
  endif()
  set(c "${RTHEAP_BOARDS_DIR}/common")
  add_library(rtheap_fw OBJECT "${c}/startup.c" "${c}/semihost.c" "${c}/minilibc.c")
  target_include_directories(rtheap_fw PUBLIC "${c}")
  target_link_libraries(rtheap_fw PRIVATE rtheap_warnings)
  set_source_files_properties("${c}/minilibc.c" PROPERTIES
    COMPILE_OPTIONS "-ffreestanding;-fno-builtin;-fno-tree-loop-distribute-patterns")
endfunction()

function(_rtheap_harness)
  if(TARGET rtheap_harness)
    return()
  endif()
  add_library(rtheap_harness OBJECT "${RTHEAP_ROOT}/tests/harness/harness.c")
  target_include_directories(rtheap_harness PUBLIC "${RTHEAP_ROOT}/tests/harness")
  target_link_libraries(rtheap_harness PRIVATE rtheap_warnings)
  if(CMAKE_CROSSCOMPILING)
    _rtheap_firmware_support()
    target_include_directories(rtheap_harness PUBLIC "${RTHEAP_BOARDS_DIR}/common")
  endif()
endfunction()

function(rtheap_firmware_link target board)
  rtheap_board_info(${board} _b)
  _rtheap_firmware_support()
  target_link_libraries(${target} PRIVATE rtheap_fw)
  target_include_directories(${target} PRIVATE "${RTHEAP_BOARDS_DIR}/common")
  target_link_options(${target} PRIVATE
    -nostdlib
    "-T${RTHEAP_LINKER_SCRIPT}"
    "-L${_b_DIR}"
    "-Wl,-Map=$<TARGET_FILE:${target}>.map")
  # After everything else: libgcc for the helpers GCC calls (division, clz on v6-M...).
  target_link_libraries(${target} PRIVATE gcc)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
    "${RTHEAP_LINKER_SCRIPT}" "${_b_DIR}/memory.x" "${_b_DIR}/ram2.x")
  set(size "${CMAKE_SIZE}")
  if(NOT size)
    set(size arm-none-eabi-size)
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${size}" "$<TARGET_FILE:${target}>" VERBATIM)
endfunction()

function(_rtheap_register_test name)
  cmake_parse_arguments(T "WILL_FAIL" "TIMEOUT;EXPECT_EXIT;EXPECT_OUTPUT" "COMMAND" ${ARGN})
  set(cmd ${T_COMMAND})
  if(DEFINED T_EXPECT_EXIT OR DEFINED T_EXPECT_OUTPUT)
    set(code 0)
    if(DEFINED T_EXPECT_EXIT)
      set(code ${T_EXPECT_EXIT})
    endif()
    set(wrap sh "${RTHEAP_EXPECT_EXIT}")
    if(DEFINED T_EXPECT_OUTPUT)
      list(APPEND wrap -o "${T_EXPECT_OUTPUT}")
    endif()
    set(cmd ${wrap} ${code} ${cmd})
  endif()
  add_test(NAME ${name} COMMAND ${cmd})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
  if(T_WILL_FAIL)
    set_tests_properties(${name} PROPERTIES WILL_FAIL TRUE)
  endif()
endfunction()

function(rtheap_add_test)
  cmake_parse_arguments(T "WILL_FAIL;HOST_ONLY;TARGET_ONLY" "NAME;TIMEOUT;EXPECT_EXIT;EXPECT_OUTPUT"
    "SOURCES;LIBS;DEFINES;BOARDS" ${ARGN})
  if(NOT T_NAME OR NOT T_SOURCES)
    message(FATAL_ERROR "rtheap_add_test: NAME and SOURCES are required")
  endif()
  if(T_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "rtheap_add_test(${T_NAME}): unknown arguments ${T_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT ${RTHEAP_TEST_TIMEOUT})
  endif()
  set(reg TIMEOUT ${T_TIMEOUT})
  if(T_WILL_FAIL)
    list(APPEND reg WILL_FAIL)
  endif()
  if(DEFINED T_EXPECT_EXIT)
    list(APPEND reg EXPECT_EXIT ${T_EXPECT_EXIT})
  endif()
  if(DEFINED T_EXPECT_OUTPUT)
    list(APPEND reg EXPECT_OUTPUT "${T_EXPECT_OUTPUT}")
  endif()
  _rtheap_harness()
  # timeout(1) is a backstop behind ctest's TIMEOUT (which fires first and always fails).
  math(EXPR backstop "${T_TIMEOUT} + 5")

  if(NOT CMAKE_CROSSCOMPILING)
    if(T_TARGET_ONLY)
      return()
    endif()
    set(exe host.${T_NAME})
    add_executable(${exe} ${T_SOURCES})
    target_link_libraries(${exe} PRIVATE rtheap_harness ${T_LIBS} rtheap_warnings)
    target_compile_definitions(${exe} PRIVATE RTHEAP_BOARD_NAME="host" RTHEAP_BOARD_HAS_RAM2=0
      ${T_DEFINES})
    _rtheap_register_test(host.${T_NAME} ${reg}
      COMMAND ${RTHEAP_TIMEOUT} -k 5 ${backstop} ${RTHEAP_HOST_RUNNER} $<TARGET_FILE:${exe}>)
    return()
  endif()

  if(T_HOST_ONLY)
    return()
  endif()
  set(boards ${RTHEAP_CPU_BOARDS})
  if(T_BOARDS)
    set(boards)
    foreach(b IN LISTS T_BOARDS)
      if(b IN_LIST RTHEAP_CPU_BOARDS)
        list(APPEND boards ${b})
      endif()
    endforeach()
  endif()
  foreach(board IN LISTS boards)
    rtheap_board_info(${board} _b)
    set(exe ${T_NAME}.${board}.elf)
    add_executable(${exe} ${T_SOURCES})
    set_target_properties(${exe} PROPERTIES SUFFIX "")
    target_link_libraries(${exe} PRIVATE rtheap_harness ${T_LIBS} rtheap_warnings)
    rtheap_board_defines(${exe} ${board})
    target_compile_definitions(${exe} PRIVATE ${T_DEFINES})
    rtheap_firmware_link(${exe} ${board})
    rtheap_qemu_command(qemu ${board} $<TARGET_FILE:${exe}>)
    _rtheap_register_test(${board}.${T_NAME} ${reg}
      COMMAND ${RTHEAP_TIMEOUT} -k 5 ${backstop} ${qemu})
  endforeach()
endfunction()
