# SPDX-License-Identifier: MIT OR Apache-2.0
# cmake -DPYTHON=<python3> -DROOT=<repo> -DOUT=<dir> -P broken_readme.cmake
# Negative control of the snippet test: a copy of README.md and docs/*.md in which the
# install snippet passes the toolchain file by a relative path (CMake then looks for it
# in the build directory: "Could not find toolchain file"), then the snippet test on
# that copy for that snippet. It must fail, and for that reason: this script succeeds
# only then.
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}/docs")
file(GLOB docs RELATIVE "${ROOT}" "${ROOT}/README.md" "${ROOT}/docs/*.md")
set(found FALSE)
foreach(f IN LISTS docs)
  file(READ "${ROOT}/${f}" text)
  string(REPLACE "-DCMAKE_TOOLCHAIN_FILE=\"$PWD/rtheap/toolchain/arm-none-eabi.cmake\""
    "-DCMAKE_TOOLCHAIN_FILE=rtheap/toolchain/arm-none-eabi.cmake" broken "${text}")
  if(NOT broken STREQUAL text)
    set(found TRUE)
  endif()
  file(WRITE "${OUT}/${f}" "${broken}")
endforeach()
if(NOT found)
  message(FATAL_ERROR "broken_readme: the install snippet's toolchain path was not found")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env "RTHEAP_README_DOCS=${OUT}"
  "${PYTHON}" "${ROOT}/tests/readme/readme_snippets.py" "${ROOT}" cmake-install
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(rc EQUAL 0)
  message(FATAL_ERROR "broken_readme: the snippet test PASSED with a relative toolchain path: "
    "it no longer catches that mistake")
elseif(NOT out MATCHES "Could not find toolchain file")
  message(FATAL_ERROR "broken_readme: the snippet test failed, but not for the toolchain path")
endif()
message("broken_readme: OK, the snippet test failed on the relative toolchain path (as it must)")
