# SPDX-License-Identifier: MIT OR Apache-2.0
# cmake -DNM=<nm> -DOBJ=<rtheap.c object built with RTHEAP_CHECKS=0> -DREF=<the default build's library> -P nm_nocontain.cmake
# With the checks off, no code that takes damage out of service or refuses a pointer
# is linked: none of its functions is in the object. The default build (REF) has them,
# so the names looked for are the right ones.
set(pattern "rtheap_(contain_[a-z]+|quarantine|cut_dead_next|refuse|report_damage)")
foreach(f OBJ REF)
  execute_process(COMMAND "${NM}" "${${f}}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm failed on ${${f}}")
  endif()
  string(REGEX MATCHALL "${pattern}" found "${out}")
  list(REMOVE_DUPLICATES found)
  set(${f}_found "${found}")
endforeach()
if(OBJ_found)
  message(FATAL_ERROR "RTHEAP_CHECKS=0 still links: ${OBJ_found}")
endif()
if(NOT REF_found)
  message(FATAL_ERROR "the default build has none of the containment functions: the pattern is stale")
endif()
message(STATUS "RTHEAP_CHECKS=0: no containment linked (the default build has: ${REF_found})")
