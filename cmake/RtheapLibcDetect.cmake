# SPDX-License-Identifier: MIT OR Apache-2.0
# _rtheap_libc_detect(<out>): the C library the toolchain's flags build with. Used by
# rtheap's own build (src/libc) and by the installed package (rtheapConfig.cmake),
# which checks a consumer of rtheap::libc against the C library the layer was built for.
# <out>: picolibc, newlib, newlib-nano or "" (none found); <out>_WHY: how it was told;
# <out>_FIXED: TRUE when no RTHEAP_LIBC --specs can change it (a specs file in the flags,
# or a compiler whose own default is picolibc), FALSE for newlib as a compiler default.
# The specs files named in the flags decide; else the macros of <stdlib.h> as the
# compiler sees it with the toolchain's flags (-E -dM, no link needed).
function(_rtheap_libc_detect out)
  set(flags "${CMAKE_C_FLAGS} ${CMAKE_EXE_LINKER_FLAGS}")
  if(flags MATCHES "--specs=([^ ]*picolibc[^ ]*\\.specs)")
    set(${out} picolibc PARENT_SCOPE)
    set(${out}_WHY "--specs=${CMAKE_MATCH_1} in the toolchain's flags" PARENT_SCOPE)
    set(${out}_FIXED TRUE PARENT_SCOPE)
    return()
  elseif(flags MATCHES "--specs=(nano\\.specs)")
    set(${out} newlib-nano PARENT_SCOPE)
    set(${out}_WHY "--specs=nano.specs in the toolchain's flags" PARENT_SCOPE)
    set(${out}_FIXED TRUE PARENT_SCOPE)
    return()
  endif()
  set(probe "${CMAKE_CURRENT_BINARY_DIR}/rtheap_libc_probe.c")
  file(WRITE "${probe}" "#include <stdlib.h>\n")
  separate_arguments(cflags UNIX_COMMAND "${CMAKE_C_FLAGS}")
  execute_process(COMMAND ${CMAKE_C_COMPILER} ${cflags} -E -dM "${probe}"
    OUTPUT_VARIABLE macros ERROR_QUIET RESULT_VARIABLE rc)
  set(${out} "" PARENT_SCOPE)
  set(${out}_WHY "no C library headers (<stdlib.h>) with the toolchain's flags" PARENT_SCOPE)
  set(${out}_FIXED FALSE PARENT_SCOPE)
  if(NOT rc EQUAL 0)
    return()
  endif()
  if(macros MATCHES "#define __PICOLIBC__ ")
    set(${out} picolibc PARENT_SCOPE)
    set(${out}_FIXED TRUE PARENT_SCOPE)
  elseif(macros MATCHES "#define _NANO_FORMATTED_IO ")
    set(${out} newlib-nano PARENT_SCOPE)
  elseif(macros MATCHES "#define _NEWLIB_VERSION ")
    set(${out} newlib PARENT_SCOPE)
  else()
    return()
  endif()
  get_filename_component(cc "${CMAKE_C_COMPILER}" NAME)
  set(${out}_WHY "${cc}'s default C library" PARENT_SCOPE)
endfunction()
