# SPDX-License-Identifier: MIT OR Apache-2.0
# Link check for rtheap::libc:
#   cmake -DNM=<nm> -DELF=<fw.elf> -DMAP=<fw.elf.map> [-DLIBC=picolibc|newlib|newlib-nano]
#         [-DLAYER=<librtheap_libc*.a>] -P link_check.cmake
# Passes when the firmware got its malloc from rtheap (LAYER's rtheap_malloc object,
# default librtheap_libc.a; rtheap_alloc linked) and none of the C library's allocator.
# The map's "Archive member included" list records every member the linker pulled,
# even those --gc-sections dropped later; nm lists what is in the firmware.
#   picolibc (default): no nano-malloc-*.o member, no sbrk member
#     (libc_picolib_picosbrk.c.o); none of the symbols sbrk _sbrk __malloc_sbrk_start
#     __malloc_sbrk_top __malloc_free_list __malloc_malloc __malloc_free
#     __malloc_grow_chunk __malloc_block
#   newlib, newlib-nano: no member of newlib's malloc (lib_a-malloc.o, mallocr, freer,
#     callocr, reallocr, malignr, msizer, ... and their nano- forms), no lib_a-sbrkr.o
#     (_sbrk_r, which only malloc calls), no lib_a-mlock.o (malloc's lock); none of the
#     symbols _sbrk_r _sbrk __malloc_av_ __malloc_sbrk_base __malloc_top_pad
#     __malloc_current_mallinfo __malloc_free_list __malloc_sbrk_start __malloc_lock
foreach(v NM ELF MAP)
  if(NOT ${v})
    message(FATAL_ERROR "link_check: -D${v}= missing")
  endif()
endforeach()
execute_process(COMMAND "${NM}" "${ELF}" OUTPUT_VARIABLE syms RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "link_check: ${NM} ${ELF} failed")
endif()
file(READ "${MAP}" map)
# Only the list of pulled archive members (before the memory map proper).
string(FIND "${map}" "Memory Configuration" end)
if(end GREATER 0)
  string(SUBSTRING "${map}" 0 ${end} members)
else()
  set(members "${map}")
endif()

if(NOT LIBC)
  set(LIBC picolibc)
endif()
if(NOT LAYER)
  set(LAYER librtheap_libc.a)
endif()
if(LIBC STREQUAL "picolibc")
  set(forbidden_syms sbrk _sbrk __malloc_sbrk_start __malloc_sbrk_top __malloc_free_list
    __malloc_malloc __malloc_free __malloc_grow_chunk __malloc_block)
  set(forbidden_members "nano-malloc-[a-z_]+\\.c\\.o|libc_picolib_picosbrk\\.c\\.o")
elseif(LIBC MATCHES "^newlib(-nano)?$")
  set(forbidden_syms _sbrk_r _sbrk __malloc_av_ __malloc_sbrk_base __malloc_top_pad
    __malloc_current_mallinfo __malloc_free_list __malloc_sbrk_start __malloc_lock)
  set(forbidden_members "lib_a-(nano-)?(malloc|mallocr|freer|callocr|cfreer|reallocr|malignr|vallocr|pvallocr|msizer|mallinfor|mallstatsr|malloptr|sbrkr|mlock)\\.o")
else()
  message(FATAL_ERROR "link_check: LIBC=${LIBC}: picolibc, newlib or newlib-nano")
endif()

set(bad)
foreach(sym IN LISTS forbidden_syms)
  if(syms MATCHES "[0-9a-f]+ [A-Za-z] ${sym}\n")
    list(APPEND bad "symbol ${sym}")
  endif()
endforeach()
string(REGEX MATCHALL "${forbidden_members}" pulled "${members}")
if(pulled)
  list(REMOVE_DUPLICATES pulled)
  foreach(m IN LISTS pulled)
    list(APPEND bad "archive member ${m}")
  endforeach()
endif()
string(REPLACE "." "\\." layer_re "${LAYER}")
if(NOT members MATCHES "${layer_re}\\(rtheap_malloc\\.c\\.obj\\)")
  list(APPEND bad "malloc not taken from ${LAYER}(rtheap_malloc.c.obj)")
endif()
if(NOT syms MATCHES " T rtheap_alloc\n")
  list(APPEND bad "rtheap_alloc not linked")
endif()
get_filename_component(name "${ELF}" NAME)
if(bad)
  string(REPLACE ";" "\n  " bad "${bad}")
  message(FATAL_ERROR "link_check ${name}: ${LIBC}'s allocator is linked:\n  ${bad}")
endif()
message(STATUS "link_check ${name}: OK: malloc from ${LAYER}(rtheap_malloc.c.obj); no ${LIBC} malloc member, no sbrk")
