# cmake -DPYTHON=<python3> -DROOT=<repo> -DOUT=<file> -P broken_readme.cmake
# Negative control of the README snippet test: a copy of README.md whose install
# snippet passes the toolchain file by a relative path, as before issue 14 (finding 4),
# then the snippet test on it for that snippet. It must fail (WILL_FAIL).
file(READ "${ROOT}/README.md" readme)
string(REPLACE "-DCMAKE_TOOLCHAIN_FILE=\"$PWD/rtheap/toolchain/arm-none-eabi.cmake\""
  "-DCMAKE_TOOLCHAIN_FILE=rtheap/toolchain/arm-none-eabi.cmake" broken "${readme}")
if(broken STREQUAL readme)
  message(FATAL_ERROR "broken_readme: the install snippet's toolchain path was not found")
endif()
file(WRITE "${OUT}" "${broken}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env "RTHEAP_README=${OUT}"
  "${PYTHON}" "${ROOT}/tests/readme/readme_snippets.py" "${ROOT}" cmake-install
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the snippet test failed on the broken README (as it must)")
endif()
