# tree-sitter runtime and grammars, compiled from the C sources in node_modules (pinned by
# package-lock.json, installed by scripts/setup.sh with `npm ci --ignore-scripts`).
# Target coderx_treesitter: the runtime plus every grammar; each grammar exports
# `const TSLanguage* tree_sitter_<name>(void)`. CODERX_GRAMMARS lists <name>=<dir> pairs.
set(CODERX_NODE_MODULES "${CMAKE_SOURCE_DIR}/node_modules")
set(ts_runtime "${CODERX_NODE_MODULES}/tree-sitter/vendor/tree-sitter/lib")
if(NOT EXISTS "${ts_runtime}/src/lib.c")
  message(FATAL_ERROR "tree-sitter sources missing under ${CODERX_NODE_MODULES}: run scripts/setup.sh "
                      "(it runs `npm ci --ignore-scripts`)")
endif()

set(CODERX_GRAMMARS
  c=tree-sitter-c
  cpp=tree-sitter-cpp
  python=tree-sitter-python
  javascript=tree-sitter-javascript
  typescript=tree-sitter-typescript/typescript
  tsx=tree-sitter-typescript/tsx
  go=tree-sitter-go
  rust=tree-sitter-rust
  java=tree-sitter-java
  json=tree-sitter-json
  bash=tree-sitter-bash)

set(ts_sources "${ts_runtime}/src/lib.c")
foreach(pair IN LISTS CODERX_GRAMMARS)
  string(REPLACE "=" ";" parts "${pair}")
  list(GET parts 1 dir)
  list(APPEND ts_sources "${CODERX_NODE_MODULES}/${dir}/src/parser.c")
  if(EXISTS "${CODERX_NODE_MODULES}/${dir}/src/scanner.c")
    list(APPEND ts_sources "${CODERX_NODE_MODULES}/${dir}/src/scanner.c")
    # Shared scanner headers (typescript/common) include "tree_sitter/parser.h" from elsewhere.
    set_source_files_properties("${CODERX_NODE_MODULES}/${dir}/src/scanner.c" PROPERTIES
      INCLUDE_DIRECTORIES "${CODERX_NODE_MODULES}/${dir}/src")
  endif()
endforeach()

add_library(coderx_treesitter STATIC ${ts_sources})
set_target_properties(coderx_treesitter PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_include_directories(coderx_treesitter SYSTEM PUBLIC "${ts_runtime}/include")
target_include_directories(coderx_treesitter PRIVATE "${ts_runtime}/src")
target_compile_definitions(coderx_treesitter PRIVATE _POSIX_C_SOURCE=200112L _DEFAULT_SOURCE)
target_compile_options(coderx_treesitter PRIVATE -w -O2)
