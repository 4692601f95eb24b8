# SPDX-License-Identifier: MIT OR Apache-2.0
# rtheap install rules (included by the top-level CMakeLists.txt when RTHEAP_INSTALL).
#
#   cmake --install <tree> --prefix <prefix>   installs
#     include/rtheap.h, include/rtheap_config.h (+ rtheap_libc.h where rtheap::libc is built,
#         + rtheap_options.h, the RTHEAP_CONFIG_HEADER file, which rtheap_config.h then names)
#     lib/librtheap.a (+ lib/librtheap_libc.a)
#     lib/cmake/rtheap/rtheapConfig.cmake, rtheapConfigVersion.cmake, rtheapTargets*.cmake
#         -> find_package(rtheap [0.1] [COMPONENTS libc]): rtheap::rtheap, rtheap::libc
#     lib/pkgconfig/rtheap.pc   (relocatable: paths relative to ${pcfiledir})
#     share/rtheap/linker/      cortex-m.ld, rtheap-cubemx.ld, rtheap-cortex-m-rt.ld
#     share/rtheap/boards/<board>/memory.x, ram2.x
#     share/rtheap/toolchain/   arm-none-eabi.cmake and cpu/<cpu>.cmake
#         (the package config gives their paths: rtheap_LINKER_SCRIPT, rtheap_LINKER_DIR,
#          rtheap_BOARDS_DIR, rtheap_TOOLCHAIN_FILE)
#
# The package carries no CPU flags (they live in CMAKE_C_FLAGS of the toolchain, not in
# the targets) and no warning flags (rtheap_warnings is a build-tree-only dependency):
# the consumer's toolchain decides. It must match the CPU and float ABI the library was
# built for (rtheap_CPU in the package says which; empty for a host build).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_rtheap_targets rtheap)
set(_rtheap_headers "${PROJECT_SOURCE_DIR}/src/rtheap.h")
if(TARGET rtheap_libc)
  list(APPEND _rtheap_targets rtheap_libc)
  list(APPEND _rtheap_headers "${PROJECT_SOURCE_DIR}/src/libc/rtheap_libc.h")
endif()
if(RTHEAP_CONFIG_HEADER_FILE)
  # The options header the library was built with, as include/rtheap_options.h, named
  # by the installed rtheap_config.h: CMake, pkg-config and plain -I users all see the
  # same settings without a definition of their own.
  set(_cfg_src "${PROJECT_SOURCE_DIR}/src/rtheap_config.h")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_cfg_src}")
  file(READ "${_cfg_src}" _cfg_text)
  set(_cfg_block "/* Installed with the options header this library was built with. */
#ifndef RTHEAP_CONFIG_HEADER
#define RTHEAP_CONFIG_HEADER \"rtheap_options.h\"
#endif
")
  string(FIND "${_cfg_text}" "\n" _cfg_eol)   # after the licence line
  if(_cfg_eol LESS 0)
    message(FATAL_ERROR "rtheap: ${_cfg_src} has no first line")
  endif()
  math(EXPR _cfg_eol "${_cfg_eol} + 1")
  string(SUBSTRING "${_cfg_text}" 0 ${_cfg_eol} _cfg_head)
  string(SUBSTRING "${_cfg_text}" ${_cfg_eol} -1 _cfg_tail)
  file(WRITE "${PROJECT_BINARY_DIR}/install/rtheap_config.h" "${_cfg_head}${_cfg_block}${_cfg_tail}")
  install(FILES "${RTHEAP_CONFIG_HEADER_FILE}" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
    RENAME rtheap_options.h)
  list(APPEND _rtheap_headers "${PROJECT_BINARY_DIR}/install/rtheap_config.h")
else()
  list(APPEND _rtheap_headers "${PROJECT_SOURCE_DIR}/src/rtheap_config.h")
  if(RTHEAP_CONFIG_HEADER)
    message(STATUS "rtheap: the installed package defines RTHEAP_CONFIG_HEADER=\"${RTHEAP_CONFIG_HEADER}\": "
      "its consumers need that header on their include path")
  endif()
endif()

install(TARGETS ${_rtheap_targets} EXPORT rtheapTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(FILES ${_rtheap_headers} DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

set(RTHEAP_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/rtheap" CACHE STRING
  "Where the CMake package files are installed (relative to the prefix)")
install(EXPORT rtheapTargets NAMESPACE rtheap:: DESTINATION "${RTHEAP_INSTALL_CMAKEDIR}")

# What a firmware needs besides the library: the linker scripts, the boards' memory
# maps and the toolchain file, so that a find_package user needs no source tree.
set(RTHEAP_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/rtheap")
install(FILES "${PROJECT_SOURCE_DIR}/linker/cortex-m.ld" "${PROJECT_SOURCE_DIR}/linker/rtheap-cubemx.ld"
  "${PROJECT_SOURCE_DIR}/linker/rtheap-cortex-m-rt.ld" DESTINATION "${RTHEAP_INSTALL_DATADIR}/linker")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/boards/" DESTINATION "${RTHEAP_INSTALL_DATADIR}/boards"
  FILES_MATCHING PATTERN "memory.x" PATTERN "ram2.x" PATTERN "common" EXCLUDE)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/toolchain/" DESTINATION "${RTHEAP_INSTALL_DATADIR}/toolchain"
  FILES_MATCHING PATTERN "*.cmake")
set(RTHEAP_PACKAGE_LINKER_DIR "${RTHEAP_INSTALL_DATADIR}/linker")
set(RTHEAP_PACKAGE_BOARDS_DIR "${RTHEAP_INSTALL_DATADIR}/boards")
set(RTHEAP_PACKAGE_TOOLCHAIN_FILE "${RTHEAP_INSTALL_DATADIR}/toolchain/arm-none-eabi.cmake")

if(CMAKE_CROSSCOMPILING)
  set(RTHEAP_PACKAGE_CPU "${RTHEAP_CPU}")
  set(RTHEAP_PACKAGE_CPU_FLAGS "${RTHEAP_CPU_FLAGS}")
  if(NOT RTHEAP_PACKAGE_CPU_FLAGS)
    # The firmware's own toolchain file: the CPU its C flags select (the last -mcpu).
    string(REGEX MATCHALL "-m(cpu|arch|thumb|float-abi|fpu)[^ ]*" RTHEAP_PACKAGE_CPU_FLAGS
      "${CMAKE_C_FLAGS}")
    string(REPLACE ";" " " RTHEAP_PACKAGE_CPU_FLAGS "${RTHEAP_PACKAGE_CPU_FLAGS}")
    string(REGEX MATCHALL "-mcpu=[^ ]+" _cpus "${CMAKE_C_FLAGS}")
    if(_cpus)
      list(GET _cpus -1 RTHEAP_PACKAGE_CPU)
      string(REPLACE "-mcpu=" "" RTHEAP_PACKAGE_CPU "${RTHEAP_PACKAGE_CPU}")
    else()
      set(RTHEAP_PACKAGE_CPU "${CMAKE_SYSTEM_PROCESSOR}-cross")
    endif()
  endif()
else()
  set(RTHEAP_PACKAGE_CPU "")
  set(RTHEAP_PACKAGE_CPU_FLAGS "")
endif()
# The pointer size of a host package: -m32 (RTHEAP_HOST_M32) is added after project(),
# so CMAKE_SIZEOF_VOID_P does not know it.
if(RTHEAP_HOST_M32)
  set(RTHEAP_PACKAGE_SIZEOF_VOID_P 4)
else()
  set(RTHEAP_PACKAGE_SIZEOF_VOID_P "${CMAKE_SIZEOF_VOID_P}")
endif()
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/rtheapConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/rtheapConfig.cmake"
  INSTALL_DESTINATION "${RTHEAP_INSTALL_CMAKEDIR}"
  PATH_VARS RTHEAP_PACKAGE_LINKER_DIR RTHEAP_PACKAGE_BOARDS_DIR RTHEAP_PACKAGE_TOOLCHAIN_FILE)
# ARCH_INDEPENDENT: rtheapConfig.cmake checks the CPU or pointer size itself, with a
# message that says what to do (the version file's would only say "not accepted").
write_basic_package_version_file("${PROJECT_BINARY_DIR}/rtheapConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/rtheapConfig.cmake" "${PROJECT_BINARY_DIR}/rtheapConfigVersion.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/RtheapLibcDetect.cmake" DESTINATION "${RTHEAP_INSTALL_CMAKEDIR}")

# pkg-config (for host builds and Makefiles): prefix relative to the .pc file, so the
# file stays right with `cmake --install --prefix <elsewhere>` and DESTDIR.
set(_rtheap_pcdir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH _rtheap_pc_to_prefix "/prefix/${_rtheap_pcdir}" "/prefix")
string(REGEX REPLACE "/$" "" _rtheap_pc_to_prefix "${_rtheap_pc_to_prefix}")
foreach(_d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_d}}")
    set(RTHEAP_PC_${_d} "${CMAKE_INSTALL_${_d}}")
  else()
    set(RTHEAP_PC_${_d} "\${prefix}/${CMAKE_INSTALL_${_d}}")
  endif()
endforeach()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(RTHEAP_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  set(RTHEAP_PC_PREFIX "\${pcfiledir}/${_rtheap_pc_to_prefix}")
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/rtheap.pc.in" "${PROJECT_BINARY_DIR}/rtheap.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/rtheap.pc" DESTINATION "${_rtheap_pcdir}")
