# Link check for rtheap::libc:  cmake -DNM=<nm> -DELF=<fw.elf> -DMAP=<fw.elf.map> -P link_check.cmake
# Passes when the firmware got its malloc from rtheap (librtheap_libc.a's rtheap_malloc
# object, rtheap_alloc linked) and none of picolibc's allocator:
#   - no archive member of picolibc's nano-malloc (nano-malloc-*.o) and no sbrk object
#     (libc_picolib_picosbrk.c.o) in the map's "Archive member included" list, which
#     records every member the linker pulled, even those --gc-sections dropped later;
#   - none of nano-malloc's or sbrk's symbols in the firmware (nm):
#     sbrk _sbrk __malloc_sbrk_start __malloc_sbrk_top __malloc_free_list
#     __malloc_malloc __malloc_free __malloc_grow_chunk __malloc_block
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

set(bad)
foreach(sym sbrk _sbrk __malloc_sbrk_start __malloc_sbrk_top __malloc_free_list
            __malloc_malloc __malloc_free __malloc_grow_chunk __malloc_block)
  if(syms MATCHES "[0-9a-f]+ [A-Za-z] ${sym}\n")
    list(APPEND bad "symbol ${sym}")
  endif()
endforeach()
string(REGEX MATCHALL "nano-malloc-[a-z_]+\\.c\\.o|libc_picolib_picosbrk\\.c\\.o" pulled "${members}")
if(pulled)
  list(REMOVE_DUPLICATES pulled)
  foreach(m IN LISTS pulled)
    list(APPEND bad "archive member ${m}")
  endforeach()
endif()
if(NOT members MATCHES "librtheap_libc\\.a\\(rtheap_malloc\\.c\\.obj\\)")
  list(APPEND bad "malloc not taken from librtheap_libc.a(rtheap_malloc.c.obj)")
endif()
if(NOT syms MATCHES " T rtheap_alloc\n")
  list(APPEND bad "rtheap_alloc not linked")
endif()
get_filename_component(name "${ELF}" NAME)
if(bad)
  string(REPLACE ";" "\n  " bad "${bad}")
  message(FATAL_ERROR "link_check ${name}: picolibc's allocator is linked:\n  ${bad}")
endif()
message(STATUS "link_check ${name}: OK: malloc from librtheap_libc.a(rtheap_malloc.c.obj); no nano-malloc member, no sbrk")
