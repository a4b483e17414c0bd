# Helpers that every folder's CMakeLists.txt uses.
#
# Layering is enforced by include paths: the repository root is never an include directory.
# coderx_expose(target folder) makes `#include "folder/x.h"` resolve for `target` and for every
# target that links it — and for nothing else — through a symlink farm in the build tree. A
# forbidden include therefore fails to compile (tests/layering checks this).

function(coderx_expose target folder)
  string(REPLACE "/" "_" tag "${folder}")
  set(root "${CMAKE_BINARY_DIR}/expose/${tag}")
  set(link "${root}/${folder}")
  get_filename_component(parent "${link}" DIRECTORY)
  file(MAKE_DIRECTORY "${parent}")
  if(NOT EXISTS "${link}")
    file(CREATE_LINK "${CMAKE_SOURCE_DIR}/${folder}" "${link}" SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC "${root}")
endfunction()

# Project-wide warning flags for our own code (third-party sources are compiled without them).
function(coderx_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-missing-field-initializers>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${CODERX_WERROR}>>:-Werror>)
endfunction()

# A static library made of every .cpp in `folder` (non-recursive), exposed as `folder/`.
# Files ending in _cuda.cpp are compiled only in CUDA builds; files ending in _nocuda.cpp only
# in CPU-only builds.
function(coderx_library target folder)
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/${folder}/*.cpp")
  if(CODERX_HAVE_CUDA)
    list(FILTER sources EXCLUDE REGEX "_nocuda\\.cpp$")
  else()
    list(FILTER sources EXCLUDE REGEX "_cuda\\.cpp$")
  endif()
  add_library(${target} STATIC ${sources})
  coderx_expose(${target} "${folder}")
  coderx_warnings(${target})
  target_compile_features(${target} PUBLIC cxx_std_20)
endfunction()
