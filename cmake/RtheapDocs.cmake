# SPDX-License-Identifier: MIT OR Apache-2.0
# API reference from src/rtheap.h (and src/libc/rtheap_libc.h) with Doxygen, warnings
# as errors (FAIL_ON_WARNINGS). Target `docs` when rtheap is the top-level project
# (`rtheap_docs` always, so a consumer's own `docs` target does not clash); output in
# RTHEAP_DOCS_OUTPUT_DIR/html (default <tree>/docs/html; tools/docs.sh: build/docs/html).
set(RTHEAP_DOCS_OUTPUT_DIR "${CMAKE_BINARY_DIR}/docs" CACHE PATH
  "Doxygen output directory of the docs target (HTML in its html/)")
find_package(Doxygen QUIET)

set(_rtheap_docs_input "${PROJECT_SOURCE_DIR}/src/rtheap.h")
if(EXISTS "${PROJECT_SOURCE_DIR}/src/libc/rtheap_libc.h")
  list(APPEND _rtheap_docs_input "${PROJECT_SOURCE_DIR}/src/libc/rtheap_libc.h")
endif()
list(JOIN _rtheap_docs_input "\" \"" RTHEAP_DOCS_INPUT)
set(RTHEAP_DOCS_INPUT "\"${RTHEAP_DOCS_INPUT}\"")
configure_file("${PROJECT_SOURCE_DIR}/docs/Doxyfile.in" "${PROJECT_BINARY_DIR}/Doxyfile" @ONLY)

if(DOXYGEN_FOUND)
  add_custom_target(rtheap_docs
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${RTHEAP_DOCS_OUTPUT_DIR}"
    COMMAND Doxygen::doxygen "${PROJECT_BINARY_DIR}/Doxyfile"
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    DEPENDS "${PROJECT_BINARY_DIR}/Doxyfile"
    COMMENT "rtheap: API reference (Doxygen) in ${RTHEAP_DOCS_OUTPUT_DIR}/html"
    VERBATIM)
else()
  add_custom_target(rtheap_docs
    COMMAND "${CMAKE_COMMAND}" -E echo "rtheap: doxygen not found (Debian: apt-get install doxygen)"
    COMMAND "${CMAKE_COMMAND}" -E false
    VERBATIM)
endif()
if(PROJECT_IS_TOP_LEVEL AND NOT TARGET docs)
  add_custom_target(docs DEPENDS rtheap_docs)
endif()
