# libFuzzer targets (configure with CC=clang-14 CXX=clang++-14 -DCODERX_FUZZ=ON; everything is
# built with ASan+UBSan). tests/fuzz/<module>_<name>_fuzz.cpp links coderx_<module>
# (model, model_remote, context, lsp_protocol or lsp_features); seeds in tests/fuzz/corpus/<module>_<name>/.
# Each becomes a ctest labelled `fuzz` that runs for CODERX_FUZZ_SECONDS (default 15); run
# longer on demand: build-fuzz/tests/<name> -max_total_time=600 tests/fuzz/corpus/<name>
set(CODERX_FUZZ_SECONDS 15 CACHE STRING "seconds each fuzzer runs under ctest")
add_custom_target(coderx_fuzzers)
file(GLOB fuzz_sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/*_fuzz.cpp")
foreach(source IN LISTS fuzz_sources)
  get_filename_component(name "${source}" NAME_WE)
  if(name MATCHES "^lsp_protocol_")
    set(lib coderx_lsp_protocol)
  elseif(name MATCHES "^lsp_features_")
    set(lib coderx_lsp_features)
  elseif(name MATCHES "^model_remote_")
    set(lib coderx_model_remote)
  else()
    string(REGEX MATCH "^[a-z]+" module "${name}")
    set(lib coderx_${module})
  endif()
  add_executable(${name} "${source}")
  target_link_libraries(${name} PRIVATE ${lib})
  # Fixtures for fuzzers that need them (default ${CMAKE_SOURCE_DIR}/../shared; see tests/CMakeLists.txt).
  target_compile_definitions(${name} PRIVATE CODERX_FUZZ_SHARED_DIR="${CODERX_SHARED_DIR}")
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(coderx_fuzzers ${name})
  set(corpus "${CMAKE_CURRENT_LIST_DIR}/corpus/${name}")
  set(work "${CMAKE_BINARY_DIR}/fuzz-corpus/${name}")
  file(MAKE_DIRECTORY "${work}")
  add_test(NAME fuzz.${name}
    COMMAND $<TARGET_FILE:${name}> -max_total_time=${CODERX_FUZZ_SECONDS} -timeout=10
            -rss_limit_mb=2048 -print_final_stats=1 "${work}" "${corpus}")
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 300)
endforeach()
