# -DCODERX_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer on everything we compile
# (scripts/test.sh --sanitize builds build-asan with it).
# -DCODERX_FUZZ=ON: libFuzzer targets (needs clang; scripts/test.sh builds build-fuzz with it).
option(CODERX_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(CODERX_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)
option(CODERX_WERROR "Treat warnings as errors" OFF)

if(CODERX_SANITIZE OR CODERX_FUZZ)
  # _GLIBCXX_ASSERTIONS: libstdc++ checks optional and variant access, container indexes and the
  # like, which the sanitizers alone miss (reading an empty std::optional is no bad address).
  add_compile_definitions(_GLIBCXX_ASSERTIONS)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(CODERX_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CODERX_FUZZ needs clang (configure with CC=clang-14 CXX=clang++-14)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
